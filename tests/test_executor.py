"""The worker pool: same-thread jobs, hard capacity, deadlines."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest

from policykg.api.executor import (
    CancelToken,
    ExecutorBusyError,
    QueryCancelledError,
    QueryExecutor,
)


def test_job_runs_off_the_event_loop_thread() -> None:
    executor = QueryExecutor(2)

    async def main() -> tuple[int, int]:
        worker = await executor.run(lambda _t: threading.get_ident(), 5)
        return worker, threading.get_ident()

    try:
        worker, loop_thread = asyncio.run(main())
        assert worker != loop_thread
    finally:
        executor.shutdown()


def test_busy_workers_refuse_instead_of_queueing() -> None:
    executor = QueryExecutor(1)
    release = threading.Event()

    async def main() -> None:
        slow = asyncio.ensure_future(executor.run(lambda _t: release.wait(5), 5))
        await asyncio.sleep(0.05)
        assert executor.running == 1
        with pytest.raises(ExecutorBusyError):
            await executor.run(lambda _t: None, 5)
        release.set()
        await slow
        assert await executor.run(lambda _t: 42, 5) == 42

    try:
        asyncio.run(main())
    finally:
        executor.shutdown()


def test_timeout_cancels_cooperatively_and_keeps_the_slot_until_the_job_stops() -> None:
    executor = QueryExecutor(1)
    stopped = threading.Event()

    def spin(token: CancelToken) -> None:
        try:
            while True:
                token.check()
                time.sleep(0.005)
        finally:
            stopped.set()

    async def main() -> None:
        start = time.monotonic()
        with pytest.raises(QueryCancelledError, match="time limit"):
            await executor.run(spin, 0.1)
        assert time.monotonic() - start < 1.0
        assert stopped.wait(2)
        await asyncio.sleep(0.05)
        assert executor.running == 0

    try:
        asyncio.run(main())
    finally:
        executor.shutdown()


def test_cancel_token_deadline() -> None:
    token = CancelToken(0.01)
    token.check()
    time.sleep(0.02)
    assert token.cancelled
    with pytest.raises(QueryCancelledError):
        token.check()


def test_errors_come_back_without_the_jobs_frames() -> None:
    # A traceback would keep the job's locals (e.g. a pyoxigraph result
    # iterator) alive until the event-loop thread drops them.
    executor = QueryExecutor(1)

    def failing(_token: CancelToken) -> None:
        marker = object()  # stands for a thread-bound result object
        raise SyntaxError(f"bad query near {id(marker)}")

    async def main() -> None:
        with pytest.raises(SyntaxError) as info:
            await executor.run(failing, 5)
        tb = info.value.__traceback__
        frames = []
        while tb is not None:
            frames.append(tb.tb_frame.f_code.co_name)
            tb = tb.tb_next
        assert "failing" not in frames
        assert info.value.__context__ is None

    try:
        asyncio.run(main())
    finally:
        executor.shutdown()
