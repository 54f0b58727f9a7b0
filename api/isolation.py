"""Query workers in separate processes, so a runaway query can be killed.

pyoxigraph has no query timeout and cannot interrupt one long evaluation step
(a big aggregate or sort runs to its end), and a thread cannot be killed.
Every SPARQL query therefore runs in one of a few worker processes, each with
its own read-only handle on the store; a worker still busy at the deadline is
killed (SIGKILL) and replaced, and the client gets HTTP 503.  A worker that
dies on its own (a crash-class engine bug) costs one HTTP 500, not the server.

Writes (with an update token) happen in the server process, which holds the
only read-write handle.  RocksDB leaves a read-only handle undefined while
another process writes, so a write first takes the pool *exclusively*
(:meth:`ProcessQueryPool.exclusive`): no new query starts, running ones
finish or are killed at their deadline, and every worker closes its handle.
After the write the generation number moves on and each worker reopens the
store (about 10 ms) before its next query, so queries see every committed
write and stay killable in read-write deployments too.

Workers run without network access where the kernel allows it (a fresh
network namespace with no interfaces up): even a ``SERVICE`` that got past
the lexical and grammar checks could not connect anywhere.

Workers evaluate *and* serialize (pyoxigraph result iterators never leave the
process that created them); only the finished bytes come back: a small
pickled header, then the body as one raw frame (never pickled), which the
server reads on its event loop when it is small.  A request waiting for a
worker is woken as soon as one is handed back (no polling delay).
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import ctypes
import multiprocessing
import re
import threading
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any

from policykg.api.evaluation import NotAcceptableError, QueryJob, execute_query
from policykg.api.executor import CancelToken, ExecutorBusyError, QueryCancelledError
from policykg.api.results import SerializedResult
from policykg.api.sparql_guard import UnverifiableQueryError
from policykg.api.sparql_lexer import ForbiddenOperationError

__all__ = ["ProcessQueryPool", "WorkerCrashedError", "isolate_network"]

# Errors a worker may report, rebuilt by name in the server process.
_ERRORS: dict[str, type[Exception]] = {
    "SyntaxError": SyntaxError,
    "NotAcceptableError": NotAcceptableError,
    "QueryCancelledError": QueryCancelledError,
    "ForbiddenOperationError": ForbiddenOperationError,
    "UnverifiableQueryError": UnverifiableQueryError,
    "RuntimeError": RuntimeError,
    "OSError": OSError,
    "ValueError": ValueError,
}

# Storage errors of a read-only handle racing the writer's background work.
_STORAGE_ERROR = re.compile(r"Corruption|No such file|IO error", re.I)
_STORAGE_RETRIES = 3
_CLONE_NEWUSER = 0x10000000
_CLONE_NEWNET = 0x40000000
# How often the write barrier looks again whether queries have drained.
_POLL = 0.01
# Longest a request waiting for a worker sleeps between looks when no
# hand-back wakes it first (a safety net: every hand-back wakes a waiter).
_WAIT_SLICE = 0.05
# Result bodies up to this size are read on the event loop (a few memcpys);
# larger ones on a thread, so a big transfer never stalls other requests.
_INLINE_BODY = 256 * 1024


class WorkerCrashedError(RuntimeError):
    """A worker process died while evaluating a query."""


def isolate_network() -> bool:
    """Move this (single-threaded) process into a network namespace of its own.

    The new namespace has only a loopback interface, and it is down: every
    ``connect`` fails, loopback included.  Root can do this directly; other
    users need an unprivileged user namespace as well.

    Returns
    -------
    bool
        True if the process is now cut off from the network.
    """
    try:
        libc = ctypes.CDLL(None, use_errno=True)
    except OSError:
        return False
    for flags in (_CLONE_NEWNET, _CLONE_NEWUSER | _CLONE_NEWNET):
        if libc.unshare(flags) == 0:
            return True
    return False


def _worker_main(store_path: str, conn: Connection, isolate: bool) -> None:
    """Loop of a worker process: receive a job, send back bytes or an error."""
    # First, while the process has a single thread (unshare needs that).
    isolated = isolate_network() if isolate else False
    import gc

    import pyoxigraph as ox

    conn.send(("ready", isolated))
    store: Any = None
    generation = -1
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            return
        if message is None:
            return
        if message[0] == "close":
            store = None
            gc.collect()
            conn.send(("closed",))
            continue
        _, job, timeout, wanted = message
        token = CancelToken(timeout)
        try:
            for attempt in range(_STORAGE_RETRIES + 1):
                try:
                    if store is None or generation != wanted:
                        store = None
                        store = ox.Store.read_only(store_path)
                        generation = wanted
                    result = execute_query(store, job, token)
                    break
                except Exception as exc:
                    # The writer's background flush or compaction can replace
                    # files under a read-only handle (a RocksDB MANIFEST or
                    # table file vanishes): reopen and retry, the query only
                    # reads.
                    if attempt == _STORAGE_RETRIES or not _STORAGE_ERROR.search(str(exc)):
                        raise
                    store = None
                    time.sleep(0.05 * (attempt + 1))
                    token.check()
        except Exception as exc:
            conn.send(("error", type(exc).__name__, str(exc)))
        else:
            # Header, then the body as a raw frame: no pickling, no copy.
            conn.send(("ok", result.media_type, result.rows, result.truncated, len(result.body)))
            conn.send_bytes(result.body)


@dataclass(slots=True)
class _Worker:
    process: BaseProcess
    conn: Connection


class ProcessQueryPool:
    """A fixed number of query worker processes over one store.

    Parameters
    ----------
    store_path : Path
        The store directory (opened read-only by every worker).
    size : int
        Worker processes; also the number of queries that may run at once.
    isolate_network : bool
        Cut workers off from the network (default; see :func:`isolate_network`).
    """

    def __init__(self, store_path: Path, size: int, isolate_network: bool = True) -> None:
        self.store_path = str(store_path)
        self.size = size
        self.isolate = isolate_network
        #: Whether every started worker reported it has no network access.
        self.network_isolated = isolate_network
        # spawn: a forked child would inherit the server's threads and
        # RocksDB handles in an undefined state.
        self._ctx = multiprocessing.get_context("spawn")
        self._idle: list[_Worker] = []
        self._workers: list[_Worker] = []
        self._lock = threading.Lock()
        self._busy = 0
        self._generation = 0
        self._paused = False
        self._closed = False
        # Requests waiting for a worker (futures of the event loop), oldest first.
        self._waiters: collections.deque[asyncio.Future[_Worker]] = collections.deque()
        self._loop: asyncio.AbstractEventLoop | None = None

    def _launch(self) -> tuple[BaseProcess, Connection]:
        parent, child = self._ctx.Pipe()
        process = self._ctx.Process(
            target=_worker_main,
            args=(self.store_path, child, self.isolate),
            daemon=True,
            name="sparql-worker",
        )
        process.start()
        child.close()
        return process, parent

    def _await_ready(self, process: BaseProcess, conn: Connection) -> _Worker:
        try:
            message = conn.recv() if conn.poll(30) else None
        except (EOFError, OSError):
            message = None
        if not message or message[0] != "ready":
            process.kill()
            raise WorkerCrashedError("query worker failed to start")
        if not message[1]:
            self.network_isolated = False
        return _Worker(process, conn)

    def _spawn(self) -> _Worker:
        return self._await_ready(*self._launch())

    def start(self) -> None:
        """Start all workers (blocking; call from a thread at startup)."""
        # Launch all first, then wait: the interpreters start in parallel.
        launched = [self._launch() for _ in range(self.size)]
        workers = [self._await_ready(process, conn) for process, conn in launched]
        with self._lock:
            self._idle.extend(workers)
            self._workers.extend(workers)

    @property
    def idle(self) -> int:
        """Workers ready for a query."""
        return len(self._idle)

    @property
    def paused(self) -> bool:
        """True while a write holds the pool (:meth:`exclusive`)."""
        return self._paused

    @property
    def busy(self) -> int:
        """Queries being evaluated now."""
        return self._busy

    def _replace(self, worker: _Worker) -> None:
        # Runs on a helper thread: kill, reap, and spawn a successor.
        worker.process.kill()
        worker.process.join(5)
        worker.conn.close()
        with self._lock:
            self._workers.remove(worker)
            self._busy -= 1
        if self._closed:
            return
        fresh = self._spawn()
        with self._lock:
            if self._closed:
                fresh.process.kill()
            else:
                self._idle.append(fresh)
                self._workers.append(fresh)
        self._wake_threadsafe()

    def _retire(self, worker: _Worker) -> None:
        threading.Thread(target=self._replace, args=(worker,), daemon=True).start()

    def _take(self) -> _Worker | None:
        with self._lock:
            if self._paused or not self._idle:
                return None
            self._busy += 1
            return self._idle.pop()

    def _wake(self) -> None:
        """Hand idle workers to waiting requests, oldest first (event loop thread)."""
        while self._waiters:
            waiter = self._waiters[0]
            if waiter.done():  # gave up meanwhile
                self._waiters.popleft()
                continue
            worker = self._take()
            if worker is None:
                return
            self._waiters.popleft()
            waiter.set_result(worker)

    def _wake_threadsafe(self) -> None:
        loop = self._loop
        if loop is not None and not loop.is_closed():
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(self._wake)

    async def _acquire(self, wait: float) -> _Worker:
        loop = self._loop = asyncio.get_running_loop()
        # First come, first served: nobody overtakes a request already waiting.
        if not self._waiters:
            worker = self._take()
            if worker is not None:
                return worker
        deadline = time.monotonic() + wait
        waiter: asyncio.Future[_Worker] = loop.create_future()
        self._waiters.append(waiter)
        got: _Worker | None = None
        try:
            while True:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    if self._paused:
                        raise ExecutorBusyError("the store is being updated")
                    raise ExecutorBusyError("all query workers are busy")
                try:
                    # shield: the end of a slice must not cancel the place in line
                    slice_ = min(remaining, _WAIT_SLICE)
                    got = await asyncio.wait_for(asyncio.shield(waiter), slice_)
                    return got
                except TimeoutError:
                    self._wake()  # a safety net for a hand-back that woke nobody
                    if waiter.done():
                        got = waiter.result()
                        return got
        finally:
            if not waiter.done():
                waiter.cancel()
                with contextlib.suppress(ValueError):
                    self._waiters.remove(waiter)
            elif got is None and not waiter.cancelled():
                # handed a worker just as this request gave up: pass it on
                self._give_back(waiter.result())

    def _give_back(self, worker: _Worker) -> None:
        with self._lock:
            self._busy -= 1
            self._idle.append(worker)
        self._wake()

    async def run(self, job: QueryJob, timeout: float, wait: float = 0.0) -> SerializedResult:
        """Evaluate ``job`` in a worker process.

        Parameters
        ----------
        job : QueryJob
            The query.
        timeout : float
            Seconds; the worker is killed if it has not answered by then.
        wait : float, optional
            Seconds to wait for a free worker before giving up.

        Returns
        -------
        SerializedResult
            The serialized result.

        Raises
        ------
        ExecutorBusyError
            No worker became free within ``wait`` seconds.
        QueryCancelledError
            Deadline passed (the worker was killed or stopped itself).
        WorkerCrashedError
            The worker died.
        SyntaxError, NotAcceptableError, ForbiddenOperationError, ...
            As reported by the worker.
        """
        worker = await self._acquire(wait)
        loop = asyncio.get_running_loop()
        readable = loop.create_future()
        fd = worker.conn.fileno()

        def on_readable() -> None:
            if not readable.done():
                readable.set_result(None)

        loop.add_reader(fd, on_readable)
        body = b""
        try:
            worker.conn.send(("query", job, timeout, self._generation))
            await asyncio.wait_for(readable, timeout)
            # Readable: the small header is in the pipe, the body follows it.
            message = worker.conn.recv()
            if message[0] == "ok":
                if message[4] <= _INLINE_BODY:
                    body = worker.conn.recv_bytes()
                else:
                    body = await asyncio.to_thread(worker.conn.recv_bytes)
        except TimeoutError:
            self._retire(worker)
            raise QueryCancelledError(
                f"query exceeded the {timeout:g} s time limit; its worker was stopped"
            ) from None
        except (EOFError, OSError):
            self._retire(worker)
            raise WorkerCrashedError("the query worker died while evaluating the query") from None
        except asyncio.CancelledError:
            # The client went away: do not let the query run on unobserved.
            self._retire(worker)
            raise
        finally:
            loop.remove_reader(fd)
        self._give_back(worker)
        if message[0] == "ok":
            _, media, rows, truncated, _size = message
            return SerializedResult(body, media, rows, truncated)
        _, name, text = message
        raise _ERRORS.get(name, RuntimeError)(text)

    def _close_handles(self) -> None:
        # The workers leave the idle list while they close, so no query can
        # be sent to one of them even if the pause ends early (a cancelled
        # write) and its reply be mistaken for "closed".
        with self._lock:
            closing, self._idle = self._idle, []
            self._busy += len(closing)
        confirmed: list[_Worker] = []
        for worker in closing:
            try:
                worker.conn.send(("close",))
                if worker.conn.poll(10) and worker.conn.recv() == ("closed",):
                    confirmed.append(worker)
                    continue
            except (EOFError, OSError):
                pass
            # A worker that cannot confirm is not trusted to have let go.
            self._replace(worker)
        with self._lock:
            self._busy -= len(confirmed)
            self._idle.extend(confirmed)

    @contextlib.asynccontextmanager
    async def exclusive(self) -> AsyncIterator[None]:
        """Hold off all queries and close every worker's store handle.

        Used around writes.  New queries wait (up to their ``wait``) while the
        pool is paused; running ones finish or are killed at their deadline.
        On exit the generation moves on, so each worker reopens the store and
        sees the write.
        """
        with self._lock:
            self._paused = True
        try:
            while self._busy > 0:
                await asyncio.sleep(_POLL)
            await asyncio.to_thread(self._close_handles)
            yield
        finally:
            with self._lock:
                self._generation += 1
                self._paused = False
            self._wake()

    def shutdown(self) -> None:
        """Stop all workers: idle ones are asked to exit, busy ones killed."""
        self._closed = True
        with self._lock:
            idle, self._idle = self._idle, []
            workers = list(self._workers)
        for worker in idle:
            with contextlib.suppress(OSError):
                worker.conn.send(None)
        for worker in workers:
            worker.process.join(1 if worker in idle else 0)
            if worker.process.is_alive():
                worker.process.kill()
                worker.process.join(1)
            # A server that swaps generations stops many pools: free their pipes
            # and process sentinels now, not whenever the objects are collected.
            worker.conn.close()
            with contextlib.suppress(ValueError):  # still running after the kill
                worker.process.close()
