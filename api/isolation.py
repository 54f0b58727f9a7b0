"""Query workers in separate processes, so a runaway query can be killed.

pyoxigraph has no query timeout and cannot interrupt one long evaluation step
(a big aggregate or sort runs to its end), and a thread cannot be killed.  In
a read-only deployment every SPARQL query therefore runs in one of a few
worker processes, each with its own read-only handle on the store; a worker
still busy at the deadline is killed (SIGKILL) and replaced, and the client
gets HTTP 503.  A worker that dies on its own (a crash-class engine bug)
costs one HTTP 500, not the server.

Workers evaluate *and* serialize (pyoxigraph result iterators never leave the
process that created them); only the finished bytes come back.
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import threading
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from pathlib import Path

from policykg.api.evaluation import NotAcceptableError, QueryJob, execute_query
from policykg.api.executor import CancelToken, ExecutorBusyError, QueryCancelledError
from policykg.api.results import SerializedResult

__all__ = ["ProcessQueryPool", "WorkerCrashedError"]

# Errors a worker may report, rebuilt by name in the server process.
_ERRORS: dict[str, type[Exception]] = {
    "SyntaxError": SyntaxError,
    "NotAcceptableError": NotAcceptableError,
    "QueryCancelledError": QueryCancelledError,
}


class WorkerCrashedError(RuntimeError):
    """A worker process died while evaluating a query."""


def _worker_main(store_path: str, conn: Connection) -> None:
    """Loop of a worker process: receive a job, send back bytes or an error."""
    from policykg.graph.store import open_store

    store = open_store(store_path)
    conn.send(("ready",))
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            return
        if message is None:
            return
        job, timeout = message
        try:
            result = execute_query(store, job, CancelToken(timeout))
        except Exception as exc:
            conn.send(("error", type(exc).__name__, str(exc)))
        else:
            conn.send(("ok", result))


@dataclass(slots=True)
class _Worker:
    process: BaseProcess
    conn: Connection


class ProcessQueryPool:
    """A fixed number of query worker processes over one read-only store.

    Parameters
    ----------
    store_path : Path
        The store directory (opened read-only by every worker).
    size : int
        Worker processes; also the number of queries that may run at once.
    """

    def __init__(self, store_path: Path, size: int) -> None:
        self.store_path = str(store_path)
        self.size = size
        # spawn: a forked child would inherit the server's threads and
        # RocksDB handles in an undefined state.
        self._ctx = multiprocessing.get_context("spawn")
        self._idle: list[_Worker] = []
        self._workers: list[_Worker] = []
        self._lock = threading.Lock()
        self._closed = False

    def _launch(self) -> tuple[BaseProcess, Connection]:
        parent, child = self._ctx.Pipe()
        process = self._ctx.Process(
            target=_worker_main, args=(self.store_path, child), daemon=True, name="sparql-worker"
        )
        process.start()
        child.close()
        return process, parent

    @staticmethod
    def _await_ready(process: BaseProcess, conn: Connection) -> _Worker:
        if not conn.poll(30) or conn.recv() != ("ready",):
            process.kill()
            raise WorkerCrashedError("query worker failed to start")
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

    def _replace(self, worker: _Worker) -> None:
        # Runs on a helper thread: kill, reap, and spawn a successor.
        worker.process.kill()
        worker.process.join(5)
        worker.conn.close()
        with self._lock:
            self._workers.remove(worker)
        if self._closed:
            return
        fresh = self._spawn()
        with self._lock:
            if self._closed:
                fresh.process.kill()
            else:
                self._idle.append(fresh)
                self._workers.append(fresh)

    def _retire(self, worker: _Worker) -> None:
        threading.Thread(target=self._replace, args=(worker,), daemon=True).start()

    async def run(self, job: QueryJob, timeout: float) -> SerializedResult:
        """Evaluate ``job`` in a worker process.

        Parameters
        ----------
        job : QueryJob
            The query.
        timeout : float
            Seconds; the worker is killed if it has not answered by then.

        Returns
        -------
        SerializedResult
            The serialized result.

        Raises
        ------
        ExecutorBusyError
            No idle worker.
        QueryCancelledError
            Deadline passed (the worker was killed or stopped itself).
        WorkerCrashedError
            The worker died.
        SyntaxError, NotAcceptableError
            As reported by the worker.
        """
        with self._lock:
            if not self._idle:
                raise ExecutorBusyError("all query workers are busy")
            worker = self._idle.pop()
        loop = asyncio.get_running_loop()
        readable = loop.create_future()
        fd = worker.conn.fileno()

        def on_readable() -> None:
            if not readable.done():
                readable.set_result(None)

        loop.add_reader(fd, on_readable)
        try:
            worker.conn.send((job, timeout))
            await asyncio.wait_for(readable, timeout)
            message = await asyncio.to_thread(worker.conn.recv)
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
        with self._lock:
            self._idle.append(worker)
        if message[0] == "ok":
            result: SerializedResult = message[1]
            return result
        _, name, text = message
        raise _ERRORS.get(name, RuntimeError)(text)

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
