"""Killable query workers: a runaway query is stopped, a dead worker is replaced."""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sparql_support import TestClient, fetch, make_client, query_url, running_server, values_clause

from policykg.api.isolation import ProcessQueryPool


def _values(var: str, n: int) -> str:
    return f"VALUES ?{var} {{ {' '.join(map(str, range(n)))} }}"


# One uninterruptible step for the engine: an aggregate over 64 M combinations.
RUNAWAY = (
    f"SELECT (COUNT(*) AS ?n) WHERE {{ {_values('a', 400)} {_values('b', 400)} "
    f"{_values('c', 400)} }}"
)


@pytest.fixture()
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    with make_client(tmp_path_factory.mktemp("iso") / "store", max_concurrency=1) as c:
        yield c


def _pool(client: TestClient) -> ProcessQueryPool:
    pool = client.app.state.services.query_pool  # type: ignore[attr-defined]
    assert isinstance(pool, ProcessQueryPool)
    return pool


def _pids(pool: ProcessQueryPool) -> set[int]:
    return {w.process.pid for w in pool._workers if w.process.pid is not None}


def _ask_until_served(client: TestClient, seconds: float = 10) -> int:
    # While the replacement worker starts, the honest answer is 503 + Retry-After.
    deadline = time.monotonic() + seconds
    while True:
        r = client.get("/sparql", params={"query": "ASK {}"})
        if r.status_code != 503 or time.monotonic() > deadline:
            return r.status_code
        assert "retry-after" in r.headers
        time.sleep(0.05)


def test_runaway_query_is_killed_at_the_deadline(client: TestClient) -> None:
    pool = _pool(client)
    before = _pids(pool)
    start = time.monotonic()
    r = client.get("/sparql", params={"query": RUNAWAY, "timeout": "0.3"})
    elapsed = time.monotonic() - start
    assert r.status_code == 503
    assert "time limit" in r.text and "stopped" in r.text
    assert elapsed < 1.5
    assert _ask_until_served(client) == 200
    after = _pids(pool)
    assert after and not (before & after)
    for pid in before:  # the old worker is gone, not computing in the background
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)


def test_a_dead_worker_costs_one_500_not_the_server(client: TestClient) -> None:
    pool = _pool(client)
    (pid,) = _pids(pool)
    os.kill(pid, signal.SIGKILL)
    time.sleep(0.1)
    r = client.get("/sparql", params={"query": "ASK {}"})
    assert r.status_code == 500
    assert "worker died" in r.text
    assert _ask_until_served(client) == 200


def test_default_process_mode_keeps_ask_fast_during_a_heavy_query(tmp_path: Path) -> None:
    heavy_query = (
        f"SELECT (COUNT(*) AS ?n) WHERE {{ {values_clause('a', 200)} "
        f"{values_clause('b', 200)} {values_clause('c', 200)} }}"
    )
    with running_server(tmp_path / "store", max_concurrency=2) as url:
        heavy: dict[str, Any] = {}
        thread = threading.Thread(target=lambda: heavy.update(r=fetch(query_url(url, heavy_query))))
        thread.start()
        time.sleep(0.2)
        latencies: list[float] = []
        while thread.is_alive() and len(latencies) < 20:
            start = time.monotonic()
            status, _, _ = fetch(query_url(url, "ASK {}"))
            latencies.append(time.monotonic() - start)
            assert status == 200
        thread.join()
    assert heavy["r"][0] == 200
    assert latencies
    latencies.sort()
    assert latencies[int(0.95 * (len(latencies) - 1))] < 0.5


def test_workers_have_no_network_even_if_every_guard_missed(tmp_path: Path) -> None:
    # Defence in depth: a job that skips the grammar check still cannot
    # connect anywhere from a worker process.
    import asyncio

    from sparql_support import build_store, probe_server, sample_quads, ssrf_vectors

    from policykg.api.evaluation import QueryJob
    from policykg.api.negotiation import parse_accept

    build_store(tmp_path / "store", sample_quads())
    pool = ProcessQueryPool(tmp_path / "store", 1)
    pool.start()
    try:
        if not pool.network_isolated:
            pytest.skip("the kernel refuses network namespaces (unshare): workers keep the network")
        with probe_server() as probe:
            any_json = tuple(parse_accept("*/*"))
            for name, query in ssrf_vectors(probe.url).items():
                job = QueryJob(
                    text=query,
                    base_iri="http://127.0.0.1/sparql",
                    solution_ranges=any_json,
                    graph_ranges=any_json,
                    max_rows=10,
                    screen=False,
                )
                try:
                    result = asyncio.run(pool.run(job, 10))
                except OSError as exc:
                    assert "unreachable" in str(exc).lower(), name
                else:  # SERVICE SILENT swallows the failure
                    assert "SILENT" in query and b"TOP-SECRET" not in result.body
                assert probe.connections == 0, name
            ask = QueryJob("ASK {}", "http://x/", any_json, any_json, 10, screen=False)
            assert asyncio.run(pool.run(ask, 10)).body.endswith(b"true}")
    finally:
        pool.shutdown()


def test_waiting_requests_get_the_worker_in_order_and_none_is_refused(tmp_path: Path) -> None:
    # One worker, eight requests at once, each allowed to wait: the worker is
    # handed from one to the next as soon as it is free (no polling gap, no
    # late arrival overtaking an earlier request), so all are answered.
    import asyncio

    from sparql_support import build_store, sample_quads

    from policykg.api.evaluation import QueryJob
    from policykg.api.negotiation import parse_accept

    build_store(tmp_path / "store", sample_quads())
    pool = ProcessQueryPool(tmp_path / "store", 1)
    pool.start()
    ranges = tuple(parse_accept("application/sparql-results+json"))
    slow = f"SELECT (COUNT(*) AS ?n) WHERE {{ {_values('a', 150)} {_values('b', 150)} }}"

    async def main() -> tuple[list[int], float]:
        done: list[int] = []

        async def one(i: int) -> None:
            job = QueryJob(text=slow, base_iri="http://x/", solution_ranges=ranges,
                           graph_ranges=ranges, max_rows=10)  # fmt: skip
            await pool.run(job, 30, wait=30)
            done.append(i)

        started = time.monotonic()
        tasks = []
        for i in range(8):
            tasks.append(asyncio.create_task(one(i)))
            await asyncio.sleep(0.002)  # arrive in this order
        await asyncio.gather(*tasks)
        assert pool.busy == 0 and pool.idle == 1
        return done, time.monotonic() - started

    try:
        done, elapsed = asyncio.run(main())
    finally:
        pool.shutdown()
    assert done == list(range(8))
    assert elapsed < 30
