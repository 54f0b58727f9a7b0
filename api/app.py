"""The FastAPI application: one router per resource, shared objects via Depends."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI

from policykg.api.cors import ReadOnlyCORSMiddleware
from policykg.api.errors import ProtocolError, protocol_error_handler
from policykg.api.reload import PinServicesMiddleware, StoreReloader
from policykg.api.settings import Settings

__all__ = ["create_app"]


def _declare_bearer_auth(app: FastAPI) -> None:
    # The write routes check the token themselves; the scheme is declared so
    # the OpenAPI document says which operations need it.
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = build()
            schemes = schema.setdefault("components", {}).setdefault("securitySchemes", {})
            schemes["bearerAuth"] = {"type": "http", "scheme": "bearer"}
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def create_app(settings: Settings) -> FastAPI:
    """Build the ASGI app serving ``settings.store``.

    Parameters
    ----------
    settings : Settings
        Store path, write token, limits.

    Returns
    -------
    FastAPI
        The application; the store is opened by its lifespan (on startup),
        followed as builds replace it (:mod:`policykg.api.reload`), and the
        worker pools stopped on shutdown.
    """
    from policykg.api import analytics, citations, departments, documents, regions, search, web
    from policykg.api.graph_store import router as graph_store_router
    from policykg.api.sparql import router as sparql_router

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        reloader: StoreReloader = app.state.reloader
        await reloader.start()
        try:
            yield
        finally:
            await reloader.stop()
            del app.state.services

    app = FastAPI(
        title="policykg",
        summary="Knowledge graph of Chinese government policy documents",
        description=(
            "SPARQL 1.1 Protocol endpoint at /sparql (the default graph is the union of all "
            "named graphs), Graph Store Protocol at /store."
        ),
        version="0.1.0",
        lifespan=lifespan,
    )
    app.add_exception_handler(ProtocolError, protocol_error_handler)
    _declare_bearer_auth(app)
    if settings.cors:
        app.add_middleware(ReadOnlyCORSMiddleware)
    app.include_router(sparql_router)
    app.include_router(graph_store_router)
    for rest in (documents, departments, regions, citations, search, analytics):
        app.include_router(rest.router)
    app.include_router(web.router)
    reloader = StoreReloader(app.state, settings)
    # Outermost of the app's own middleware: a request keeps its store until its last byte.
    app.add_middleware(PinServicesMiddleware, reloader=reloader)
    app.state.reloader = reloader
    return app
