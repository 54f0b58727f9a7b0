"""Shared objects of the running app, handed to routers through ``Depends``."""

from __future__ import annotations

import asyncio
import contextlib
import hmac
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
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

#: ASGI scope key of the :class:`Services` a request was given when it started
SERVICES_SCOPE_KEY = "policykg.services"

__all__ = [
    "SERVICES_SCOPE_KEY",
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
    "run_write",
]


@dataclass(slots=True, eq=False)
class Services:
    """What every request shares: one open store generation and what derives from it.

    The lifespan opens the first; when a build publishes a new generation,
    :mod:`policykg.api.reload` opens it into a new ``Services`` (sharing the
    thread pools and the write lock) and swaps it in.  A request keeps the
    object it was given when it started, so it reads one generation from its
    first query to its last byte; caches live here, so a swap starts with
    empty ones.

    Attributes
    ----------
    settings : Settings
        Service configuration.
    store : pyoxigraph.Store
        The open store (a :class:`~policykg.api.remote_store.ServedSparqlStore`
        for a remote one).
    executor : QueryExecutor
        Worker threads for the REST routes, Graph Store reads and counts.
    query_executor : QueryExecutor
        Worker threads for SPARQL queries in ``thread`` isolation; separate
        from ``executor`` so timed-out queries (which keep their thread until
        they end) can never starve the REST routes.
    writer : QueryExecutor
        The single thread that applies writes, one at a time.
    query_pool : ProcessQueryPool or None
        Killable worker processes for SPARQL queries (``process`` isolation).
    counts : GraphCounts or None
        Cached VoID counts; reset after every write.
    workload_graph : networkx.Graph or None
        Cached department-task graph for the analytics routes.
    exports : dict
        Cached export files (name -> bytes) of the web page's download routes.
    generation : Path or None
        The generation directory ``store`` was opened from (leased); None for
        a remote store.
    remote : bool
        True when ``store`` is a remote SPARQL store (read-only).
    superseded : Path or None
        A writable server's store was replaced underneath it by a build (that
        generation): writes are refused (HTTP 409) until SIGHUP adopts it.
    retired : bool
        A newer ``Services`` was swapped in; this one serves the requests that
        started before and is closed when they are done.
    """

    settings: Settings
    store: ox.Store
    executor: QueryExecutor
    query_executor: QueryExecutor
    writer: QueryExecutor
    query_pool: ProcessQueryPool | None = None
    counts: GraphCounts | None = None
    workload_graph: Any = None
    exports: dict[str, bytes] = field(default_factory=dict)
    counts_lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    write_lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    generation: Path | None = None
    remote: bool = False
    superseded: Path | None = None
    retired: bool = False

    def invalidate_counts(self) -> None:
        """Forget cached counts and graphs (called after updates and GSP writes)."""
        self.counts = None
        self.workload_graph = None
        self.exports.clear()


def get_services(request: Request) -> Services:
    """The :class:`Services` of this request: those current when it started.

    The reload middleware pins them in the ASGI scope; without it (an app
    driven without the middleware) the app's current ones.
    """
    pinned = request.scope.get(SERVICES_SCOPE_KEY)
    if pinned is not None:
        return pinned
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
    """The REST worker pool."""
    return get_services(request).executor


def require_write_access(request: Request) -> None:
    """Allow writes only with the configured bearer token.

    Raises
    ------
    ProtocolError
        401 when the ``Authorization: Bearer`` header is missing or wrong,
        403 when credentials are sent to a read-only service (no token
        configured, or a remote store, which is always served read-only).
        A browser form cannot set that header, so cross-site form posts
        cannot write.
    """
    services = get_services(request)
    token = services.settings.update_token
    header = request.headers.get("authorization")
    read_only = (
        "this endpoint serves a remote SPARQL store read-only (write to that store itself, "
        "e.g. with `policykg build --store sparql+http://…`)"
        if services.remote
        else "this endpoint is read-only (start the server with --update-token to allow writes)"
    )
    if not header:
        # No credentials at all: 401 (RFC 9110), whether or not writes are enabled.
        message = read_only if token is None else "writes need 'Authorization: Bearer <token>'"
        raise ProtocolError(401, message, {"WWW-Authenticate": "Bearer"})
    if token is None:
        raise ProtocolError(403, read_only)
    scheme, _, given = header.partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(
        given.strip().encode(), token.encode()
    ):
        raise ProtocolError(
            401, "writes need 'Authorization: Bearer <token>'", {"WWW-Authenticate": "Bearer"}
        )


def _busy(settings: Settings, exc: Exception) -> ProtocolError:
    return ProtocolError(
        503,
        f"too many concurrent queries ({exc}; limit {settings.max_concurrency}); retry shortly",
        {"Retry-After": str(settings.retry_after)},
    )


def _too_slow(settings: Settings, exc: Exception) -> ProtocolError:
    return ProtocolError(
        503,
        f"{exc}; simplify the query or add LIMIT",
        {"Retry-After": str(settings.retry_after)},
    )


async def run_blocking(
    services: Services, job: Callable[[CancelToken], T], timeout: float | None = None
) -> T:
    """Run a read job on a REST worker thread, mapping refusals and timeouts to 503.

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
        return await services.executor.run(
            job, timeout or settings.query_timeout, wait=settings.queue_wait
        )
    except ExecutorBusyError as exc:
        raise _busy(settings, exc) from None
    except QueryCancelledError as exc:
        raise _too_slow(settings, exc) from None


async def run_query(services: Services, job: QueryJob, timeout: float) -> SerializedResult:
    """Evaluate a query in a worker process (if configured) or thread.

    While a write holds the worker processes, queries run on threads instead
    of waiting: reads stay available during long uploads.

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
    settings = services.settings
    pool = services.query_pool
    try:
        if pool is not None and not pool.paused:
            return await pool.run(job, timeout, wait=settings.queue_wait)
        # Thread isolation, or a write holds the workers: evaluate on a thread
        # of the server, whose read-write handle reads committed data safely
        # while a write goes on (cooperative deadline only).
        store = services.store
        return await services.query_executor.run(
            partial(execute_query, store, job), timeout, wait=settings.queue_wait
        )
    except ExecutorBusyError as exc:
        raise _busy(settings, exc) from None
    except QueryCancelledError as exc:
        raise _too_slow(settings, exc) from None


async def run_write(services: Services, job: Callable[[CancelToken], T]) -> T:
    """Apply a write with its own deadline policy: bounded wait, then to the end.

    A write may wait for another write and for running queries to drain
    (at most ``2 × query_timeout``; then HTTP 503 "not applied", which is
    true because it never started).  Once started it is never abandoned:
    pyoxigraph applies an update in one transaction that cannot be
    interrupted, so answering 503 while it goes on to commit would be a lie.
    The response waits for the real outcome, and a client that disconnects
    does not stop a started write.  Query workers are held off and reopen
    the store afterwards (:meth:`ProcessQueryPool.exclusive`); cached counts
    are reset.

    Parameters
    ----------
    services : Services
        Shared objects.
    job : callable
        ``job(token)``: the write, run on the writer thread.

    Returns
    -------
    object
        The job's result.

    Raises
    ------
    ProtocolError
        503 (with ``Retry-After``) if the write could not start in time.
    """
    settings = services.settings
    started = asyncio.Event()
    _refuse_stale_write(services)

    async def apply() -> T:
        pool = services.query_pool
        async with services.write_lock:
            # The store may have been swapped while this write waited.
            _refuse_stale_write(services)
            barrier = pool.exclusive() if pool is not None else contextlib.nullcontext()
            async with barrier:
                started.set()
                try:
                    result = await services.writer.run(job, None)
                    if pool is not None:
                        # Flush memtables to disk: a read-only handle opened
                        # next replays the write-ahead log otherwise, and the
                        # first query of each worker would pay for that.
                        await services.writer.run(lambda _t: services.store.flush(), None)
                    return result
                finally:
                    services.invalidate_counts()

    task = asyncio.ensure_future(apply())
    try:
        async with asyncio.timeout(2 * settings.query_timeout):
            await started.wait()
    except TimeoutError:
        if not started.is_set():
            task.cancel()
            raise ProtocolError(
                503,
                "the write was not applied: the store stayed busy with other writes and "
                "queries; retry shortly",
                {"Retry-After": str(settings.retry_after)},
            ) from None
    except asyncio.CancelledError:
        if not started.is_set():
            task.cancel()
        raise
    # shield: a client that goes away must not cancel a write in progress.
    return await asyncio.shield(task)


def _refuse_stale_write(services: Services) -> None:
    if services.retired:
        raise ProtocolError(
            503,
            "the write was not applied: the server switched to a new store generation; retry",
            {"Retry-After": str(services.settings.retry_after)},
        )
    if services.superseded is not None:
        raise ProtocolError(
            409,
            "the write was not applied: a build published a new store "
            f"({services.superseded.name}) underneath this server, so a write here would be "
            "lost; send the server SIGHUP to serve the new store (or restart it), then retry",
        )


async def graph_counts(services: Services) -> GraphCounts:
    """Cached per-graph triple counts, computed on a worker when missing."""
    async with services.counts_lock:
        if services.counts is None:
            store = services.store
            if services.remote:
                from policykg.api.remote_store import count_remote_graphs

                job: Callable[[CancelToken], GraphCounts] = partial(count_remote_graphs, store)
            else:
                job = partial(count_graphs, store)
            services.counts = await run_blocking(services, job)
        return services.counts
