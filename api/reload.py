"""Serve the store a build publishes, without a restart and without a failed request.

A local store path is a link to a complete *generation* (:mod:`policykg.graph.generations`).
The server opens the generation the link names and keeps everything derived
from it in one :class:`~policykg.api.dependencies.Services`: the store handle,
the query worker processes (opened on that generation's directory, never on
the link, so a respawned worker reads the same data as the REST routes) and
the caches (counts, analytics, exports, service description).

Every ``reload_interval`` seconds, and at once on SIGHUP, :class:`StoreReloader`
compares :func:`~policykg.graph.store.current_generation` (one ``readlink``)
with the generation it serves.  When a build has published a new one:

1. the new generation is leased and opened, and its query workers started,
   while the old ``Services`` keeps answering;
2. ``app.state.services`` is replaced in one assignment: every request that
   starts afterwards reads the new store, with empty caches;
3. requests already running keep the ``Services`` they were given when they
   started (:class:`PinServicesMiddleware`) and finish on the old store;
4. when the last of them is done the old workers are stopped, the old store
   is dropped and its lease released, so the next build may remove it.

If the new generation cannot be opened (a newer build removed it meanwhile),
the old one is kept and the next look tries again.

Writable servers (``--update-token``) own their store and do not follow a
build on their own: a generation published underneath is reported (a warning
in the log, once) and from then on writes are refused with HTTP 409 (they
would go to a generation that is no longer the published one, and be lost on
the next restart) while reads go on from the old generation.  SIGHUP makes the
server adopt the published generation once the write in progress, if any, is
done; writes applied to the old generation after the build copied it are not
in the new one.

A remote store (``sparql+http://``) has no generations: SIGHUP makes the
server drop its caches, e.g. after ``policykg build --store sparql+http://…``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import threading
from collections.abc import Awaitable, Callable, MutableMapping
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from policykg.api.dependencies import SERVICES_SCOPE_KEY, Services
from policykg.api.executor import QueryExecutor
from policykg.api.isolation import ProcessQueryPool
from policykg.api.settings import Settings

__all__ = ["PinServicesMiddleware", "StoreReloader", "open_generation"]

_log = logging.getLogger("policykg.api")

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
ASGIApp = Callable[
    [Scope, Callable[[], Awaitable[Message]], Callable[[Message], Awaitable[None]]],
    Awaitable[None],
]


def open_generation(path: Path, writable: bool) -> tuple[Path, ox.Store]:
    """Lease and open the generation ``path`` names now.

    Parameters
    ----------
    path : Path
        The store path (a link to a generation, or a store directory of the
        previous layout).
    writable : bool
        Open read-write (writes enabled); otherwise read-only, so the server
        can never change the data.

    Returns
    -------
    (Path, pyoxigraph.Store)
        The generation directory (absolute) and its open store.

    Raises
    ------
    StoreError
        When ``path`` names no policykg store.
    """
    from policykg.graph.generations import lease, release
    from policykg.graph.store import StoreError, current_generation, is_store

    for _attempt in range(5):
        generation = current_generation(path)
        if generation is None or not is_store(generation):
            break
        generation = generation.absolute()
        try:
            lease(generation)
        except FileNotFoundError:
            continue  # removed by a build between readlink and lock: look again
        try:
            if writable:
                return generation, ox.Store(str(generation))
            try:
                return generation, ox.Store.read_only(str(generation))
            except OSError:
                return generation, ox.Store(str(generation))
        except BaseException:
            release(generation)
            raise
    raise StoreError(f"{path} is not a policykg store")


def _close(services: Services) -> None:
    """Stop a retired ``Services``: workers, store handle, lease (blocking)."""
    from policykg.graph.store import release_generation

    if services.query_pool is not None:
        services.query_pool.shutdown()
    services.exports.clear()
    services.workload_graph = None
    services.counts = None
    if services.remote:
        return  # the remote store's HTTP client is shared with its successor
    if services.settings.update_token is not None:
        services.store.flush()
    # The Services object may outlive this call (a log record, a traceback):
    # drop the store handle now, so RocksDB closes its files before the lease
    # goes and a build may remove the directory.
    del services.store
    if services.generation is not None:
        release_generation(services.generation)


class StoreReloader:
    """Owns the current :class:`Services`; swaps in the generation a build publishes.

    Parameters
    ----------
    state : starlette.datastructures.State
        The app's state; ``state.services`` is the current ``Services``.
    settings : Settings
        Service configuration.

    Notes
    -----
    Everything but opening and closing runs on the event loop thread, so the
    request counts need no lock.
    """

    def __init__(self, state: Any, settings: Settings) -> None:
        self.state = state
        self.settings = settings
        self.remote = settings.remote_location()
        self.path: Path | None = None if self.remote is not None else settings.store_path()
        self.writable = settings.update_token is not None
        #: generations swapped in since startup
        self.swaps = 0
        self._users: dict[int, int] = {}
        self._retired: dict[int, Services] = {}
        self._closing: set[asyncio.Task[None]] = set()
        self._lock = asyncio.Lock()
        self._wake = asyncio.Event()
        self._watcher: asyncio.Task[None] | None = None
        self._failed: Path | None = None
        self._missing = False
        self._sighup = False
        self._warned_network = False
        self.started = False

    # ------------------------------------------------------------ lifecycle

    @property
    def current(self) -> Services:
        """The ``Services`` new requests get."""
        services: Services = self.state.services
        return services

    async def start(self) -> None:
        """Open the store (and workers) and start watching; call from the lifespan."""
        threads = (
            QueryExecutor(self.settings.max_concurrency),
            QueryExecutor(self.settings.max_concurrency),
            QueryExecutor(1),
        )
        if self.remote is not None:
            from policykg.api.remote_store import ServedSparqlStore

            # The HTTP read timeout bounds how long a timed-out query keeps its thread.
            store: Any = ServedSparqlStore(self.remote, timeout=self.settings.query_timeout + 5)
            services = Services(
                self.settings, store, *threads, remote=True, generation=None
            )
        else:
            services = await asyncio.to_thread(self._open, None, threads, asyncio.Lock())
        self.state.services = services
        self.started = True
        self._install_sighup()
        self._watcher = asyncio.create_task(self._watch(), name="policykg-store-watcher")

    async def stop(self) -> None:
        """Stop watching; close the current and every retired ``Services``."""
        self._remove_sighup()
        if self._watcher is not None:
            self._watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._watcher
        if self._closing:
            await asyncio.gather(*self._closing, return_exceptions=True)
        current = self.current
        for executor in (current.executor, current.query_executor, current.writer):
            executor.shutdown()
        for services in [*self._retired.values(), current]:
            await asyncio.to_thread(_close, services)
        self._retired.clear()
        if current.remote:
            current.store.close()
        self.started = False

    def _open(
        self, generation_hint: Path | None, threads: tuple[QueryExecutor, ...], lock: asyncio.Lock
    ) -> Services:
        # Blocking: lease + open the published generation, start its workers.
        from policykg.graph.store import release_generation

        assert self.path is not None
        generation, store = open_generation(self.path, self.writable)
        if generation_hint is not None and generation != generation_hint:
            _log.info("store: %s was replaced again while opening it", generation_hint.name)
        pool = None
        try:
            if self.settings.isolation == "process":
                pool = ProcessQueryPool(generation, self.settings.max_concurrency)
                pool.start()
                if not pool.network_isolated and not self._warned_network:
                    self._warned_network = True
                    _log.warning(
                        "query workers could not be cut off from the network (no network "
                        "namespace); SERVICE/LOAD are still refused by the lexical and "
                        "grammar checks"
                    )
        except BaseException:
            if pool is not None:
                pool.shutdown()
            del store
            release_generation(generation)
            raise
        executor, query_executor, writer = threads
        return Services(
            self.settings, store, executor, query_executor, writer,
            query_pool=pool, write_lock=lock, generation=generation,
        )  # fmt: skip

    # ------------------------------------------------------------ requests

    def acquire(self) -> Services:
        """The current ``Services``, counted as in use by one more request."""
        services = self.current
        self._users[id(services)] = self._users.get(id(services), 0) + 1
        return services

    def release(self, services: Services) -> None:
        """One request using ``services`` is done; close them if retired and unused."""
        key = id(services)
        left = self._users.get(key, 1) - 1
        if left > 0:
            self._users[key] = left
            return
        self._users.pop(key, None)
        if key in self._retired:
            self._schedule_close(self._retired.pop(key))

    def in_use(self, services: Services) -> int:
        """Requests running on ``services``."""
        return self._users.get(id(services), 0)

    def _schedule_close(self, services: Services) -> None:
        task = asyncio.get_running_loop().create_task(asyncio.to_thread(_close, services))
        self._closing.add(task)
        task.add_done_callback(self._closed)

    def _closed(self, task: asyncio.Task[None]) -> None:
        self._closing.discard(task)
        if not task.cancelled() and task.exception() is not None:
            _log.error("store: closing a retired generation failed: %s", task.exception())

    # ------------------------------------------------------------ watching

    def poke(self) -> None:
        """Look at the store now, as SIGHUP asks (writable servers then adopt a new build)."""
        self._sighup = True
        self._wake.set()

    def _install_sighup(self) -> None:
        # Only the main thread can install signal handlers (uvicorn runs the
        # app there); an app driven from another thread (tests) skips this.
        sighup = getattr(signal, "SIGHUP", None)
        if sighup is None or threading.current_thread() is not threading.main_thread():
            return
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            asyncio.get_running_loop().add_signal_handler(sighup, self.poke)

    def _remove_sighup(self) -> None:
        sighup = getattr(signal, "SIGHUP", None)
        if sighup is None or threading.current_thread() is not threading.main_thread():
            return
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            asyncio.get_running_loop().remove_signal_handler(sighup)

    async def _watch(self) -> None:
        interval = self.settings.reload_interval or None
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), interval)
            self._wake.clear()
            adopt, self._sighup = self._sighup, False
            try:
                await self.check(adopt=adopt)
            except Exception:
                _log.exception("store: looking for a new generation failed")

    async def check(self, *, adopt: bool = False) -> bool:
        """Swap in the generation the store path names now, if it is a new one.

        Parameters
        ----------
        adopt : bool
            Asked by SIGHUP: a writable server adopts a new generation too,
            and a remote store's caches are dropped.

        Returns
        -------
        bool
            True if a new ``Services`` was swapped in.
        """
        async with self._lock:
            old = self.current
            if self.path is None:
                if not adopt:
                    return False
                fresh = Services(
                    self.settings, old.store, old.executor, old.query_executor, old.writer,
                    write_lock=old.write_lock, remote=True,
                )  # fmt: skip
                self._swap(old, fresh)
                _log.info("store: caches dropped (SIGHUP); reading %s", self.remote)
                return True
            target = self._published()
            if target is None or target == old.generation:
                return False
            if self.writable and not adopt:
                if old.superseded != target:
                    old.superseded = target
                    _log.warning(
                        "store: a build published %s underneath this writable server, which "
                        "keeps serving %s; writes are refused until SIGHUP switches to it "
                        "(or a restart)", target.name, old.generation and old.generation.name,
                    )  # fmt: skip
                return False
            if self.writable:
                # No write may run while the store is switched: wait for it.
                async with old.write_lock:
                    return await self._replace(old, target)
            return await self._replace(old, target)

    def _published(self) -> Path | None:
        from policykg.graph.store import current_generation

        assert self.path is not None
        target = current_generation(self.path)
        if target is None:
            if not self._missing:
                _log.warning("store: %s names no store now; still serving the last one", self.path)
            self._missing = True
            return None
        self._missing = False
        return target.absolute()

    async def _replace(self, old: Services, target: Path) -> bool:
        threads = (old.executor, old.query_executor, old.writer)
        try:
            fresh = await asyncio.to_thread(self._open, target, threads, old.write_lock)
        except Exception as exc:
            if self._failed != target:
                _log.warning("store: cannot open %s yet (%s); still serving %s", target.name,
                             exc, old.generation and old.generation.name)  # fmt: skip
            self._failed = target
            return False
        self._failed = None
        if fresh.generation == old.generation:  # replaced and reverted meanwhile: nothing new
            await asyncio.to_thread(_close, fresh)
            return False
        self._swap(old, fresh)
        _log.info("store: now serving %s (was %s)", fresh.generation and fresh.generation.name,
                  old.generation and old.generation.name)  # fmt: skip
        return True

    def _swap(self, old: Services, fresh: Services) -> None:
        self.state.services = fresh  # the one step: new requests get the new store
        old.retired = True
        self.swaps += 1
        if self.in_use(old):
            self._retired[id(old)] = old
        else:
            self._schedule_close(old)


class PinServicesMiddleware:
    """Give each request the ``Services`` current when it starts, for its whole life.

    Parameters
    ----------
    app : ASGI app
        The wrapped application.
    reloader : StoreReloader
        Counts the requests running on each ``Services``.
    """

    def __init__(self, app: ASGIApp, reloader: StoreReloader) -> None:
        self.app = app
        self.reloader = reloader

    async def __call__(
        self,
        scope: Scope,
        receive: Callable[[], Awaitable[Message]],
        send: Callable[[Message], Awaitable[None]],
    ) -> None:
        if scope["type"] not in ("http", "websocket") or not self.reloader.started:
            await self.app(scope, receive, send)
            return
        services = self.reloader.acquire()
        scope[SERVICES_SCOPE_KEY] = services
        try:
            await self.app(scope, receive, send)
        finally:
            self.reloader.release(services)
