"""Run blocking store work off the event loop, bounded and with deadlines.

Every query is executed *and* serialized by one call on one worker thread:
pyoxigraph's ``QuerySolutions`` is unsendable and aborts the whole process
(SIGABRT) if iterated on another thread, so nothing but finished bytes ever
leaves the worker.

Capacity is counted by running jobs, not by queued ones: when every worker is
busy a new request waits a short, bounded time for a slot (``wait``, one
second by default in the service) and is then refused (HTTP 503 +
``Retry-After``) instead of queueing behind a slow query.  A timed-out job
keeps its slot until its thread really finishes, so the refusal stays honest
about load.

Timeouts are two-sided: the awaiting request gives up at the deadline (the
client gets a 503 with a message, never a truncated 200), and the job checks a
:class:`CancelToken` between rows so it stops soon after.  pyoxigraph cannot
interrupt a single long step (e.g. one big aggregate); such a job finishes in
the background while still holding its slot.
"""

from __future__ import annotations

import asyncio
import math
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, TypeVar

__all__ = ["CancelToken", "ExecutorBusyError", "QueryCancelledError", "QueryExecutor"]

T = TypeVar("T")


class ExecutorBusyError(RuntimeError):
    """All workers are busy; the client should retry later."""


class QueryCancelledError(RuntimeError):
    """The job passed its deadline or its request went away."""


class CancelToken:
    """Cooperative cancellation shared by a request and its worker job.

    Parameters
    ----------
    timeout : float
        Seconds from now until the job must stop.
    """

    __slots__ = ("_event", "deadline", "timeout")

    def __init__(self, timeout: float) -> None:
        self.timeout = timeout
        self.deadline = time.monotonic() + timeout
        self._event = threading.Event()

    def cancel(self) -> None:
        """Ask the job to stop at its next check."""
        self._event.set()

    @property
    def cancelled(self) -> bool:
        """True once cancelled or past the deadline."""
        return self._event.is_set() or time.monotonic() > self.deadline

    def check(self) -> None:
        """Raise :class:`QueryCancelledError` if the job must stop."""
        if self.cancelled:
            raise QueryCancelledError(f"query exceeded the {self.timeout:g} s time limit")


def _call_detached(job: Callable[[CancelToken], T], token: CancelToken) -> T:
    """Run ``job`` and re-raise any error *without* its traceback.

    A traceback keeps the job's frames alive, and with them any pyoxigraph
    result iterator in their locals; the exception is handed to the event
    loop thread, where dropping such an "unsendable" object is an error
    (pyoxigraph/PyO3).  Re-raising a fresh copy outside the ``except`` block
    frees those frames here, on the worker thread that created them.
    """
    detached: BaseException | None = None
    try:
        return job(token)
    except Exception as exc:
        try:
            detached = type(exc)(*exc.args)
        except Exception:
            detached = RuntimeError(str(exc))
    raise detached


class QueryExecutor:
    """A fixed pool of worker threads with a hard cap on running jobs.

    Parameters
    ----------
    max_workers : int
        Jobs that may run at once; more are refused, not queued.
    """

    def __init__(self, max_workers: int) -> None:
        self.max_workers = max_workers
        self._pool = ThreadPoolExecutor(max_workers=max_workers, thread_name_prefix="sparql")
        self._lock = threading.Lock()
        self._running = 0

    @property
    def running(self) -> int:
        """Jobs currently holding a worker (timed-out ones included)."""
        return self._running

    def _release(self, _future: Future[Any]) -> None:
        with self._lock:
            self._running -= 1

    def _take(self) -> bool:
        with self._lock:
            if self._running >= self.max_workers:
                return False
            self._running += 1
            return True

    async def run(
        self, job: Callable[[CancelToken], T], timeout: float | None, wait: float = 0.0
    ) -> T:
        """Run ``job(token)`` on a worker thread and await its result.

        Parameters
        ----------
        job : callable
            Blocking function; it should call ``token.check()`` regularly.
        timeout : float or None
            Seconds before the request gives up; None waits for the job to end
            (writes, which must not be reported as failed and then commit).
        wait : float, optional
            Seconds to wait for a free worker before giving up.

        Returns
        -------
        T
            Whatever ``job`` returned.

        Raises
        ------
        ExecutorBusyError
            If all workers stayed busy for ``wait`` seconds.
        QueryCancelledError
            If the deadline passed first.
        """
        give_up = time.monotonic() + wait
        while not self._take():
            if time.monotonic() >= give_up:
                raise ExecutorBusyError("all query workers are busy")
            await asyncio.sleep(0.01)
        token = CancelToken(math.inf if timeout is None else timeout)
        try:
            future = self._pool.submit(_call_detached, job, token)
        except BaseException:
            with self._lock:
                self._running -= 1
            raise
        future.add_done_callback(self._release)
        try:
            # shield: a timeout or disconnect must not try to cancel the
            # concurrent future (it may already run); the token stops it.
            return await asyncio.wait_for(asyncio.shield(asyncio.wrap_future(future)), timeout)
        except TimeoutError:
            token.cancel()
            raise QueryCancelledError(
                f"query exceeded the {token.timeout:g} s time limit and was cancelled"
            ) from None
        except asyncio.CancelledError:
            token.cancel()
            raise

    def shutdown(self) -> None:
        """Stop accepting work; running jobs are told nothing and finish alone."""
        self._pool.shutdown(wait=False, cancel_futures=True)
