"""Load test: N concurrent clients for T seconds against ``policykg serve`` on 127.0.0.1.

Starts ``policykg serve`` (its defaults, or the limits given) on a free
127.0.0.1 port over a store, then runs ``clients`` asynchronous ``httpx``
clients, each on its own connection, that send requests back to back for
``duration`` seconds.  The mix cycles through the README's example queries
(:data:`policykg.graph.queries.EXAMPLE_QUERIES`) and ``ASK {}`` on ``/sparql``
and the REST routes (document and department lists and details,
``/api/analytics/workload``, ``/api/search``); each client starts at another
point of the cycle.  Every answer other than 200 (a 503 included) and every
transport error counts as an error.  Reported: requests, req/s, status counts,
p50/p99 per kind and overall; the server's threads, open files and child
processes before and after (a leak shows there).

``python -m bench load`` runs it through the harness (fresh process, rounds;
32 clients × 30 s, 8 s with ``--quick``) on the sample corpus (``data/corpus``,
what ``make run`` serves) and exits 1 if any request failed.
``python -m bench.load`` runs it once with options (``--store``, ``--url`` of a
server already running, ``--clients``, ``--duration``, server limits); it
exits 1 on any error too.  Requests go to 127.0.0.1 only and both loops stop
by themselves.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
import os
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.harness import REPO_ROOT, Benchmark, Column, Limit, RunConfig

__all__ = [
    "BENCHMARK",
    "LoadRequest",
    "Server",
    "main",
    "mix",
    "prepare",
    "process_stats",
    "run",
    "run_load",
    "sample_store",
    "warm_up",
]

JSON_RESULTS = "application/sparql-results+json"
SAMPLE_CORPUS = REPO_ROOT / "data" / "corpus"
#: clients and seconds of the harness run (``--quick``: 8 s)
CLIENTS = 32
DURATION = 30.0
QUICK_DURATION = 8.0


@dataclass(frozen=True, slots=True)
class LoadRequest:
    """One request of the mix: a kind (for the per-kind figures), a path and its parameters."""

    kind: str
    path: str
    params: dict[str, str] = field(default_factory=dict)
    accept: str = "application/json"


def mix(base_url: str, timeout: float = 30.0) -> list[LoadRequest]:
    """The request cycle: README queries, ``ASK {}``, REST lists and details of real ids.

    Parameters
    ----------
    base_url : str
        ``http://127.0.0.1:PORT`` of a running server (asked once for ids).
    timeout : float
        Seconds for those look-ups.

    Returns
    -------
    list of LoadRequest
        SPARQL and REST requests interleaved.
    """
    import httpx

    from policykg.graph.queries import EXAMPLE_QUERIES

    sparql = [
        LoadRequest(f"sparql:{name}", "/sparql", {"query": text}, JSON_RESULTS)
        for name, text in EXAMPLE_QUERIES.items()
    ]
    sparql.append(LoadRequest("sparql:ask", "/sparql", {"query": "ASK {}"}, JSON_RESULTS))
    rest = [
        LoadRequest("rest:documents", "/api/documents", {"limit": "50"}),
        LoadRequest("rest:departments", "/api/departments", {"limit": "50"}),
        LoadRequest("rest:workload", "/api/analytics/workload", {"limit": "50"}),
        LoadRequest("rest:search", "/api/search", {"q": "知识产权", "limit": "20"}),
    ]
    with httpx.Client(base_url=base_url, timeout=timeout, trust_env=False) as client:
        docs = client.get("/api/documents", params={"limit": "5"}).json()["items"]
        depts = client.get("/api/departments", params={"limit": "5"}).json()["items"]
    rest += [LoadRequest("rest:document", f"/api/documents/{d['id']}") for d in docs[:3]]
    rest += [LoadRequest("rest:department", f"/api/departments/{d['id']}") for d in depts[:3]]
    cycle: list[LoadRequest] = []
    for i in range(max(len(sparql), len(rest))):
        cycle += [sparql[i % len(sparql)], rest[i % len(rest)]]
    return cycle


def warm_up(base_url: str, cycle: list[LoadRequest], timeout: float = 60.0) -> None:
    """Send each request of the cycle once, in turn (caches filled, workers started)."""
    import httpx

    with httpx.Client(base_url=base_url, timeout=timeout, trust_env=False) as client:
        for req in cycle:
            client.get(req.path, params=req.params, headers={"Accept": req.accept})


def _percentile(samples: list[float], q: float) -> float | None:
    if not samples:
        return None
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


async def _client(
    index: int,
    base_url: str,
    cycle: list[LoadRequest],
    deadline: float,
    timeout: float,
    out: list[tuple[str, int | str, float]],
) -> None:
    import httpx

    limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
    async with httpx.AsyncClient(
        base_url=base_url, timeout=timeout, limits=limits, trust_env=False
    ) as client:
        k = index * 7  # each client starts elsewhere in the cycle
        while time.monotonic() < deadline:
            req = cycle[k % len(cycle)]
            k += 1
            started = time.perf_counter()
            status: int | str
            try:
                response = await client.get(
                    req.path, params=req.params, headers={"Accept": req.accept}
                )
                status = response.status_code
            except httpx.HTTPError as exc:
                status = type(exc).__name__
            out.append((req.kind, status, (time.perf_counter() - started) * 1000))


async def run_load(
    base_url: str,
    clients: int = CLIENTS,
    duration: float = DURATION,
    cycle: list[LoadRequest] | None = None,
    timeout: float = 60.0,
) -> dict[str, Any]:
    """Run ``clients`` concurrent clients for ``duration`` seconds; summarise what they saw.

    Parameters
    ----------
    base_url : str
        ``http://127.0.0.1:PORT`` of the server.
    clients : int
        Concurrent clients, each with one connection.
    duration : float
        Seconds; a request running at the end finishes (bounded by ``timeout``).
    cycle : list of LoadRequest, optional
        The mix (default :func:`mix`).
    timeout : float
        Seconds per request before it counts as an error.

    Returns
    -------
    dict
        ``requests``, ``errors``, ``req_per_s``, ``p50_ms``, ``p99_ms``,
        ``status`` (status or error name -> count) and ``kinds`` (kind ->
        ``n``, ``errors``, ``p50_ms``, ``p99_ms``).
    """
    if cycle is None:
        cycle = await asyncio.to_thread(mix, base_url)
    samples: list[tuple[str, int | str, float]] = []
    started = time.monotonic()
    deadline = started + duration
    await asyncio.gather(
        *(_client(i, base_url, cycle, deadline, timeout, samples) for i in range(clients))
    )
    elapsed = time.monotonic() - started
    status = Counter(str(s) for _, s, _ in samples)
    kinds: dict[str, dict[str, Any]] = {}
    for kind in sorted({k for k, _, _ in samples}):
        mine = [(s, ms) for k, s, ms in samples if k == kind]
        times = [ms for _, ms in mine]
        kinds[kind] = {
            "n": len(mine),
            "errors": sum(1 for s, _ in mine if s != 200),
            "p50_ms": _percentile(times, 0.50),
            "p99_ms": _percentile(times, 0.99),
        }
    everything = [ms for _, _, ms in samples]
    return {
        "clients": clients,
        "duration_s": round(elapsed, 2),
        "requests": len(samples),
        "errors": sum(1 for _, s, _ in samples if s != 200),
        "req_per_s": len(samples) / elapsed if elapsed else 0.0,
        "p50_ms": _percentile(everything, 0.50),
        "p99_ms": _percentile(everything, 0.99),
        "status": dict(sorted(status.items())),
        "kinds": kinds,
    }


# ------------------------------------------------------------------ the server


def free_port() -> int:
    """A TCP port free on 127.0.0.1 now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def process_stats(pid: int) -> dict[str, int]:
    """Threads, open file descriptors and live child processes of ``pid`` (from /proc)."""
    tasks = len(os.listdir(f"/proc/{pid}/task"))
    fds = len(os.listdir(f"/proc/{pid}/fd"))
    children = 0
    for task in os.listdir(f"/proc/{pid}/task"):
        path = f"/proc/{pid}/task/{task}/children"
        with contextlib.suppress(OSError), open(path, encoding="ascii") as fh:
            children += len(fh.read().split())
    return {"threads": tasks, "fds": fds, "children": children}


class Server:
    """``policykg serve`` in a child process on a free 127.0.0.1 port.

    Parameters
    ----------
    store : Path or str
        What ``--store`` gets.
    args : sequence of str
        More ``serve`` options (``--max-concurrency 8`` …).
    log : Path, optional
        Where the server's output goes (default: discarded).
    """

    def __init__(self, store: Path | str, args: Sequence[str] = (), log: Path | None = None):
        self.store = str(store)
        self.args = list(args)
        self.log = log
        self.port = 0
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        """Base URL, ``http://127.0.0.1:PORT``."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        """The server's process id."""
        assert self.proc is not None
        return self.proc.pid

    def start(self, timeout: float = 60.0) -> float:
        """Start and wait until ``ASK {}`` answers 200; seconds it took."""
        import httpx

        self.port = free_port()
        cmd = [
            sys.executable, "-m", "policykg.api.cli", "serve", "--store", self.store,
            "--host", "127.0.0.1", "--port", str(self.port), *self.args,
        ]  # fmt: skip
        out = self.log.open("ab") if self.log else subprocess.DEVNULL
        started = time.monotonic()
        try:
            self.proc = subprocess.Popen(cmd, stdout=out, stderr=out)
        finally:
            if self.log:
                out.close()  # type: ignore[union-attr]
        while time.monotonic() < started + timeout:
            if self.proc.poll() is not None:
                tail = self.log.read_text(errors="replace")[-1500:] if self.log else ""
                raise RuntimeError(f"policykg serve exited with {self.proc.returncode}\n{tail}")
            with contextlib.suppress(httpx.HTTPError):
                r = httpx.get(
                    f"{self.url}/sparql", params={"query": "ASK {}"},
                    headers={"Accept": JSON_RESULTS}, timeout=5, trust_env=False,
                )  # fmt: skip
                if r.status_code == 200:
                    return time.monotonic() - started
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"policykg serve did not answer within {timeout:.0f} s")

    def stop(self) -> None:
        """SIGTERM (then SIGKILL after 10 s) and wait."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def __enter__(self) -> Server:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def sample_store(work_dir: Path | str) -> Path:
    """The sample corpus (``data/corpus``) built into a store under ``work_dir`` (reused)."""
    from policykg.extract.pipeline import extract_paths
    from policykg.graph.store import build_store, is_store

    target = Path(work_dir) / "sample-store"
    if not is_store(target):
        build_store(extract_paths([SAMPLE_CORPUS]), target)
    return target


def load_against_server(
    store: Path | str, clients: int, duration: float, args: Sequence[str] = ()
) -> dict[str, Any]:
    """Start a server over ``store``, run the load, stop it; the report with server stats."""
    with Server(store, args) as server:
        cycle = mix(server.url)
        warm_up(server.url, cycle)
        before = process_stats(server.pid)
        report = asyncio.run(run_load(server.url, clients, duration, cycle))
        time.sleep(0.5)  # let finished connections close
        after = process_stats(server.pid)
    report["server_before"] = before
    report["server_after"] = after
    return report


# ------------------------------------------------------------------ harness


BENCHMARK = Benchmark(
    name="load",
    title=f"Load: {CLIENTS} concurrent clients on policykg serve (defaults), mixed REST + SPARQL",
    variants=("serve",),
    columns=(
        Column("requests", "requests", "{:,.0f}"),
        Column("req_per_s", "req/s", "{:.0f}"),
        Column("p50_ms", "p50 ms", "{:.3g}"),
        Column("p99_ms", "p99 ms", "{:.3g}"),
        Column("sparql_p99_ms", "SPARQL p99 ms", "{:.3g}"),
        Column("rest_p99_ms", "REST p99 ms", "{:.3g}"),
        Column("errors", "errors", "{:,.0f}"),
        Column("server_threads", "server threads", "{:.0f}"),
        Column("server_fds", "server fds", "{:.0f}"),
    ),
    limits=(Limit("failed requests (median of rounds)", ("serve", "errors"), 0.0),),
    must_be_zero=(("serve", "errors"),),
    timeout=600.0,
    notes=(
        "the sample corpus (data/corpus) as `make run` serves it; the clients run on the same "
        "2-core machine as the server",
        "per-kind p50/p99 and status counts are in the JSON report (results[..].serve.kinds)",
    ),
)


def prepare(config: RunConfig) -> dict[str, Any]:
    """Build (or reuse) the sample store."""
    return {"store": str(sample_store(config.work_dir))}


def run(variant: str, config: RunConfig, prepared: dict[str, Any]) -> dict[str, Any]:
    """One load run against a fresh server with ``policykg serve``'s defaults."""
    duration = QUICK_DURATION if config.quick else DURATION
    report = load_against_server(prepared["store"], CLIENTS, duration)
    kinds = report["kinds"]
    sparql = [k for k in kinds if k.startswith("sparql:")]
    rest = [k for k in kinds if k.startswith("rest:")]
    return {
        "requests": report["requests"],
        "req_per_s": report["req_per_s"],
        "p50_ms": report["p50_ms"],
        "p99_ms": report["p99_ms"],
        "sparql_p99_ms": max(kinds[k]["p99_ms"] for k in sparql),
        "rest_p99_ms": max(kinds[k]["p99_ms"] for k in rest),
        "errors": report["errors"],
        # after the run: bounded pools (AnyIO's threads stop 10 s after their last use)
        "server_threads": report["server_after"]["threads"],
        "server_fds": report["server_after"]["fds"],
        "kinds": kinds,
        "status": report["status"],
    }


# ------------------------------------------------------------------ command line


def format_report(report: dict[str, Any]) -> str:
    """A plain-text table of one load report."""
    lines = [
        f"{report['clients']} clients × {report['duration_s']} s: {report['requests']} requests, "
        f"{report['req_per_s']:.0f} req/s, {report['errors']} errors; "
        f"p50 {report['p50_ms']:.1f} ms, p99 {report['p99_ms']:.1f} ms",
        "status: " + ", ".join(f"{k} × {v}" for k, v in report["status"].items()),
        f"{'kind':<30}{'n':>7}{'errors':>8}{'p50 ms':>9}{'p99 ms':>9}",
    ]
    for kind, row in report["kinds"].items():
        lines.append(f"{kind:<30}{row['n']:>7}{row['errors']:>8}"
                     f"{row['p50_ms']:>9.1f}{row['p99_ms']:>9.1f}")  # fmt: skip
    for when in ("server_before", "server_after"):
        if when in report:
            stats = report[when]
            lines.append(f"{when.replace('_', ' ')}: {stats['threads']} threads, "
                         f"{stats['fds']} fds, {stats['children']} child processes")  # fmt: skip
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m bench.load``: one load run; exit 1 if any request failed."""
    parser = argparse.ArgumentParser(
        prog="python -m bench.load", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--store", default=None,
                        help="store to serve (default: the sample corpus, built under var/bench)")
    parser.add_argument("--url", default=None,
                        help="load a server already running at this 127.0.0.1 URL instead")
    parser.add_argument("--clients", type=int, default=CLIENTS)
    parser.add_argument("--duration", type=float, default=DURATION, help="seconds")
    parser.add_argument("--max-concurrency", type=int, default=None, help="passed to serve")
    parser.add_argument("--queue-wait", type=float, default=None, help="passed to serve")
    parser.add_argument("--isolation", choices=("process", "thread"), default=None)
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    args = parser.parse_args(argv)
    if args.url:
        host = args.url.split("://", 1)[-1].split(":", 1)[0].split("/", 1)[0]
        if host not in ("127.0.0.1", "localhost", "[::1]"):
            parser.error("load tests run against this machine only (127.0.0.1)")
        report = asyncio.run(run_load(args.url.rstrip("/"), args.clients, args.duration))
    else:
        store = args.store or sample_store(REPO_ROOT / "var" / "bench")
        extra: list[str] = []
        for flag, value in (("--max-concurrency", args.max_concurrency),
                            ("--queue-wait", args.queue_wait), ("--isolation", args.isolation)):
            if value is not None:
                extra += [flag, str(value)]
        report = load_against_server(store, args.clients, args.duration, extra)
    print(json.dumps(report, indent=2, ensure_ascii=False) if args.json else format_report(report))
    return 1 if report["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
