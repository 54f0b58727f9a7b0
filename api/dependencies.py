"""Shared objects of the running app, handed to routers through ``Depends``."""

from __future__ import annotations

import asyncio
import hmac
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Annotated, Any, TypeVar

import pyoxigraph as ox
from fastapi import Depends, Request

from policykg.api.errors import ProtocolError
from policykg.api.evaluation import GraphCounts, QueryJob, count_graphs, execute_query
from policykg.api.executor import CancelToken, ExecutorBusyError, QueryCancelledError, QueryExecutor
from policykg.api.isolation import ProcessQueryPool
from policykg.api.results import SerializedResult
from policykg.api.settings import Settings

T = TypeVar("T")

__all__ = [
    "Services",
    "ServicesDep",
    "get_executor",
    "get_services",
    "get_settings",
    "get_store",
    "graph_counts",
    "require_write_access",
    "run_blocking",
    "run_query",
]


@dataclass(slots=True)
class Services:
    """What the lifespan opens once and every request shares.

    Attributes
    ----------
    settings : Settings
        Service configuration.
    store : pyoxigraph.Store
        The open store.
    executor : QueryExecutor
        Worker threads for store access.
    query_pool : ProcessQueryPool or None
        Killable worker processes for SPARQL queries (read-only service).
    counts : GraphCounts or None
        Cached VoID counts; reset after every write.
    workload_graph : networkx.Graph or None
        Cached department-task graph for the analytics routes.
    exports : dict
        Cached export files (name -> bytes) of the web page's download routes.
    """

    settings: Settings
    store: ox.Store
    executor: QueryExecutor
    query_pool: ProcessQueryPool | None = None
    counts: GraphCounts | None = None
    workload_graph: Any = None
    exports: dict[str, bytes] = field(default_factory=dict)
    counts_lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    def invalidate_counts(self) -> None:
        """Forget cached counts and graphs (called after updates and GSP writes)."""
        self.counts = None
        self.workload_graph = None
        self.exports.clear()


def get_services(request: Request) -> Services:
    """The app's :class:`Services` (set by the lifespan)."""
    services: Services = request.app.state.services
    return services


ServicesDep = Annotated[Services, Depends(get_services)]


def get_settings(request: Request) -> Settings:
    """The app's settings."""
    return get_services(request).settings


def get_store(request: Request) -> ox.Store:
    """The open pyoxigraph store."""
    return get_services(request).store


def get_executor(request: Request) -> QueryExecutor:
    """The worker pool."""
    return get_services(request).executor


def require_write_access(request: Request) -> None:
    """Allow writes only with the configured bearer token.

    Raises
    ------
    ProtocolError
        403 when the service is read-only (no token configured), 401 when the
        ``Authorization: Bearer`` header is missing or wrong.  A browser form
        cannot set that header, so cross-site form posts cannot write.
    """
    token = get_settings(request).update_token
    if token is None:
        raise ProtocolError(
            403, "this endpoint is read-only (start the server with --update-token to allow writes)"
        )
    scheme, _, given = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(
        given.strip().encode(), token.encode()
    ):
        raise ProtocolError(
            401, "writes need 'Authorization: Bearer <token>'", {"WWW-Authenticate": "Bearer"}
        )


async def run_blocking(
    services: Services, job: Callable[[CancelToken], T], timeout: float | None = None
) -> T:
    """Run a worker job, mapping pool refusals and timeouts to HTTP 503.

    Parameters
    ----------
    services : Services
        Shared objects.
    job : callable
        ``job(token)`` to run on a worker.
    timeout : float, optional
        Seconds; defaults to the configured query timeout.

    Returns
    -------
    object
        The job's result.
    """
    settings = services.settings
    try:
        return await services.executor.run(job, timeout or settings.query_timeout)
    except ExecutorBusyError:
        raise ProtocolError(
            503,
            f"too many concurrent queries (limit {settings.max_concurrency}); retry shortly",
            {"Retry-After": str(settings.retry_after)},
        ) from None
    except QueryCancelledError as exc:
        raise ProtocolError(
            503,
            f"{exc}; simplify the query or add LIMIT",
            {"Retry-After": str(settings.retry_after)},
        ) from None


async def run_query(services: Services, job: QueryJob, timeout: float) -> SerializedResult:
    """Evaluate a query in a worker process (if configured) or thread.

    Parameters
    ----------
    services : Services
        Shared objects.
    job : QueryJob
        The validated query.
    timeout : float
        Seconds.

    Returns
    -------
    SerializedResult
        The serialized result.
    """
    pool = services.query_pool
    if pool is None:
        store = services.store
        return await run_blocking(services, partial(execute_query, store, job), timeout)
    settings = services.settings
    try:
        return await pool.run(job, timeout)
    except ExecutorBusyError:
        raise ProtocolError(
            503,
            f"too many concurrent queries (limit {settings.max_concurrency}); retry shortly",
            {"Retry-After": str(settings.retry_after)},
        ) from None
    except QueryCancelledError as exc:
        raise ProtocolError(
            503,
            f"{exc}; simplify the query or add LIMIT",
            {"Retry-After": str(settings.retry_after)},
        ) from None


async def graph_counts(services: Services) -> GraphCounts:
    """Cached per-graph triple counts, computed on a worker when missing."""
    async with services.counts_lock:
        if services.counts is None:
            store = services.store
            services.counts = await run_blocking(services, lambda t: count_graphs(store, t))
        return services.counts
