"""bench/load.py against ``policykg serve`` on 127.0.0.1: zero errors, no leaks.

A shorter bound than ``python -m bench load`` (32 clients × 8 s instead of
30 s), with the server's defaults; then slow readers and clients that go
away mid-request or mid-response, after which the server must be back to the
threads, descriptors and worker processes it had.
"""

from __future__ import annotations

import asyncio
import socket
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
from sparql_support import fetch, query_url, serve_app, values_clause

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.load import (  # noqa: E402
    Server,
    format_report,
    mix,
    process_stats,
    run_load,
    sample_store,
    warm_up,
)
from policykg.api.app import create_app  # noqa: E402
from policykg.api.settings import Settings  # noqa: E402


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample corpus built into a store (what ``make run`` serves)."""
    return sample_store(tmp_path_factory.mktemp("load"))


@pytest.fixture(scope="module")
def server(store: Path) -> Iterator[Server]:
    """``policykg serve`` with its default limits."""
    with Server(store) as running:
        yield running


def test_32_clients_get_no_error_with_the_defaults(server: Server) -> None:
    cycle = mix(server.url)
    assert {r.kind for r in cycle} >= {"sparql:workload", "sparql:ask", "rest:documents",
                                       "rest:workload", "rest:document"}  # fmt: skip
    warm_up(server.url, cycle)
    report = asyncio.run(run_load(server.url, clients=32, duration=8.0, cycle=cycle))
    print(format_report(report))
    assert report["errors"] == 0, report["status"]
    assert report["requests"] > 100
    assert set(report["status"]) == {"200"}
    for row in report["kinds"].values():
        assert row["n"] > 0 and row["p99_ms"] is not None


def _request(url: str, path: str, params: dict[str, str]) -> bytes:
    host = url.split("://", 1)[1]
    return (f"GET {path}?{urlencode(params)} HTTP/1.1\r\nHost: {host}\r\n"
            "Accept: application/n-triples\r\n\r\n").encode()  # fmt: skip


def _connect(url: str) -> socket.socket:
    host, port = url.split("://", 1)[1].split(":")
    sock = socket.create_connection((host, int(port)), timeout=10)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)  # a slow reader's small window
    return sock


def _misbehave(url: str, cycle: list[Any], n: int = 3) -> None:
    """Slow readers, clients gone before the answer and mid-response, and others served."""
    big = _request(url, "/sparql", {"query": "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"})
    slow = [_connect(url) for _ in range(n)]
    for sock in slow:  # slow readers: ask for the whole graph (3 MB), read nothing yet
        sock.sendall(big)
    for _ in range(n):  # gone before the answer
        sock = _connect(url)
        sock.sendall(big)
        sock.close()
    for _ in range(n):  # gone mid-response
        sock = _connect(url)
        sock.sendall(big)
        assert sock.recv(1024).startswith(b"HTTP/1.1 200")
        sock.close()
    # readers that stall do not hold the query workers: others are served meanwhile
    result = asyncio.run(run_load(url, clients=4, duration=0.5, cycle=cycle))
    assert result["errors"] == 0, result["status"]
    for sock in slow:  # the slow readers read one chunk, then hang up
        assert sock.recv(1024).startswith(b"HTTP/1.1 200")
        sock.close()


def _settled(url: str, pid: int, baseline: dict[str, int]) -> dict[str, int]:
    """The server's stats once back at ``baseline`` (or after 12 s).

    Threads need that long: AnyIO's worker threads (sync dependencies) stop
    10 s after their last use, when the next one is asked for.
    """
    deadline = time.monotonic() + 12
    while True:
        now = process_stats(pid)
        if all(now[k] <= baseline[k] for k in now) or time.monotonic() > deadline:
            return now
        httpx.get(f"{url}/api/documents", params={"limit": "1"}, timeout=10)
        time.sleep(0.5)


def test_slow_readers_and_disconnects_do_not_leak(store: Path) -> None:
    with Server(store, ["--max-concurrency", "2", "--queue-wait", "60"]) as srv:
        cycle = mix(srv.url)
        warm_up(srv.url, cycle)
        # the thread pools grow to their (bounded) size: a burst busier than the rounds
        _misbehave(srv.url, cycle)
        asyncio.run(run_load(srv.url, clients=24, duration=1.5, cycle=cycle))
        time.sleep(0.5)
        before = process_stats(srv.pid)
        for _ in range(2):  # a leak grows with every round
            _misbehave(srv.url, cycle)
        after = _settled(srv.url, srv.pid, before)
        # the two query workers (and multiprocessing's resource tracker), no more, no fewer
        assert after["children"] == before["children"] >= 2
        assert after["threads"] <= before["threads"], (before, after)
        assert after["fds"] <= before["fds"], (before, after)
        ask = httpx.get(f"{srv.url}/sparql", params={"query": "ASK {}"}, timeout=10)
        assert ask.status_code == 200


def test_ask_stays_fast_next_to_a_heavy_query_with_the_defaults(tmp_path: Path) -> None:
    from sparql_support import build_store, sample_quads

    heavy_query = (
        f"SELECT (COUNT(*) AS ?n) WHERE {{ {values_clause('a', 200)} "
        f"{values_clause('b', 200)} {values_clause('c', 200)} }}"
    )
    build_store(tmp_path / "store", sample_quads())
    with serve_app(create_app(Settings(store=tmp_path / "store"))) as url:
        heavy: dict[str, Any] = {}
        thread = threading.Thread(target=lambda: heavy.update(r=fetch(query_url(url, heavy_query))))
        thread.start()
        time.sleep(0.2)
        latencies: list[float] = []
        while thread.is_alive() and len(latencies) < 40:
            start = time.monotonic()
            status, _, _ = fetch(query_url(url, "ASK {}"))
            latencies.append(time.monotonic() - start)
            assert status == 200
        thread.join()
    assert heavy["r"][0] == 200
    assert len(latencies) >= 5
    latencies.sort()
    assert latencies[int(0.95 * (len(latencies) - 1))] < 0.5
