"""The FastAPI application: one router per resource, shared objects via Depends."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from fastapi import FastAPI

from policykg.api.cors import ReadOnlyCORSMiddleware
from policykg.api.dependencies import Services
from policykg.api.errors import ProtocolError, protocol_error_handler
from policykg.api.executor import QueryExecutor
from policykg.api.isolation import ProcessQueryPool
from policykg.api.settings import Settings

__all__ = ["create_app", "open_service_store"]

_log = logging.getLogger("policykg.api")


def open_service_store(path: Path, writable: bool) -> ox.Store:
    """Open the store the service will answer from.

    Parameters
    ----------
    path : Path
        A policykg store directory.
    writable : bool
        Open read-write (needed when an update token enables writes);
        otherwise read-only, so the server can never change the data.

    Returns
    -------
    pyoxigraph.Store
        The open store.
    """
    from policykg.graph.store import StoreError, is_store, open_store

    if not writable:
        return open_store(path)
    if not is_store(path):
        raise StoreError(f"{path} is not a policykg store")
    return ox.Store(str(path))


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
        The application; the store is opened by its lifespan (on startup) and
        the worker pool stopped on shutdown.
    """
    from policykg.api import analytics, citations, departments, documents, regions, search, web
    from policykg.api.graph_store import router as graph_store_router
    from policykg.api.sparql import router as sparql_router

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        store = open_service_store(settings.store, writable=settings.update_token is not None)
        executor = QueryExecutor(settings.max_concurrency)
        query_executor = QueryExecutor(settings.max_concurrency)
        writer = QueryExecutor(1)
        pool = None
        if settings.isolation == "process":
            pool = ProcessQueryPool(settings.store, settings.max_concurrency)
            await asyncio.to_thread(pool.start)
            if not pool.network_isolated:
                _log.warning(
                    "query workers could not be cut off from the network (no network "
                    "namespace); SERVICE/LOAD are still refused by the lexical and grammar checks"
                )
        app.state.services = Services(
            settings=settings,
            store=store,
            executor=executor,
            query_executor=query_executor,
            writer=writer,
            query_pool=pool,
        )
        try:
            yield
        finally:
            for pool_of_threads in (executor, query_executor, writer):
                pool_of_threads.shutdown()
            if pool is not None:
                pool.shutdown()
            if settings.update_token is not None:
                store.flush()
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
    return app
