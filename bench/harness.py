"""The benchmark harness: fresh processes, interleaved rounds, medians, same-run ratios.

Method (see the project's performance notes):

- every measurement runs in a **fresh process** (``python -m bench.worker``),
  which prints one JSON line of metrics;
- the variants of a benchmark are **interleaved** within each round, and the
  order rotates from round to round so no variant always runs first;
- each figure is the **median over rounds**;
- each ratio is computed **inside each round** against the baseline measured in
  that same round, and the median of those per-round ratios is reported (so a
  ratio may differ slightly from dividing two median columns);
- a goal stated for a data size (``min_triples``) gets a verdict only when the
  run's data is that large ("not measured at goal scale" otherwise);
- metrics that must agree between variants (``Benchmark.agree``, e.g. the rows
  each server returned for a query) are compared inside each round, and any
  disagreement is reported (``python -m bench`` then exits 1).

A benchmark is a module of this package with a :data:`BENCHMARK` description,
``prepare(config) -> dict`` (builds or reuses the data it needs, in a worker
process too) and ``run(variant, config, prepared) -> dict[str, float]``.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace
from importlib import metadata
from pathlib import Path
from typing import Any, Literal

__all__ = [
    "BENCH_ROOT",
    "OFF_SCALE",
    "REPO_ROOT",
    "RESULT_PREFIX",
    "Benchmark",
    "Column",
    "Limit",
    "Ratio",
    "RunConfig",
    "WorkerError",
    "call_worker",
    "machine_description",
    "peak_rss_mb",
    "run_benchmark",
    "summarise",
    "write_report",
]

BENCH_ROOT = Path(__file__).resolve().parent
REPO_ROOT = BENCH_ROOT.parent
RESULT_PREFIX = "BENCH-RESULT "
#: verdict of a goal stated for more data than the run had
OFF_SCALE = "not measured at goal scale"

Metrics = dict[str, float]

#: packages whose versions go into every report
_PACKAGES = (
    "policykg", "spacy", "jieba", "pyoxigraph", "rdflib", "rdflib-endpoint", "networkx",
    "fastapi", "uvicorn", "httpx", "rich",
)


@dataclass(frozen=True, slots=True)
class RunConfig:
    """What a benchmark run is asked to do (passed to every worker as JSON)."""

    scale: str
    docs: int
    quick: bool
    seed: int
    work_dir: str
    install: bool = True


@dataclass(frozen=True, slots=True)
class Column:
    """A metric shown in the results table."""

    metric: str
    label: str
    fmt: str = "{:.3g}"


@dataclass(frozen=True, slots=True)
class Ratio:
    """``numerator / denominator`` per round (each a ``(variant, metric)`` pair).

    ``goal`` is checked against the median ratio: ``at_least`` passes when the
    ratio is ≥ goal, ``at_most`` when it is ≤ goal; no goal means informational.
    ``min_triples``: the goal is stated for data of at least this many triples.
    """

    name: str
    numerator: tuple[str, str]
    denominator: tuple[str, str]
    goal: float | None = None
    direction: Literal["at_least", "at_most"] = "at_least"
    note: str = ""
    min_triples: int | None = None


@dataclass(frozen=True, slots=True)
class Limit:
    """An absolute goal on one variant's median metric: ``metric ≤ maximum``."""

    name: str
    metric: tuple[str, str]
    maximum: float
    note: str = ""
    min_triples: int | None = None


@dataclass(frozen=True, slots=True)
class Benchmark:
    """Description of one benchmark module."""

    name: str
    title: str
    variants: tuple[str, ...]
    columns: tuple[Column, ...]
    ratios: tuple[Ratio, ...] = ()
    limits: tuple[Limit, ...] = ()
    #: seconds a single worker may take before it is stopped
    timeout: float = 3600.0
    notes: tuple[str, ...] = field(default_factory=tuple)
    #: ``(variant, metric)`` pairs that must be 0 in every round, or ``python -m bench`` exits 1
    must_be_zero: tuple[tuple[str, str], ...] = ()
    #: metrics every variant must report with the same value in a round
    #: (negative values mean "not known" and are left out)
    agree: tuple[str, ...] = ()


class WorkerError(RuntimeError):
    """A worker process failed or printed no result line."""


def peak_rss_mb() -> float:
    """Peak resident set size of this process in MB (``VmHWM`` from /proc, else getrusage)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def call_worker(
    benchmark: str, variant: str, payload: dict[str, Any], timeout: float
) -> dict[str, Any]:
    """Run ``python -m bench.worker BENCHMARK VARIANT`` with ``payload`` on stdin.

    Returns
    -------
    dict
        The JSON object the worker printed after :data:`RESULT_PREFIX`.

    Raises
    ------
    WorkerError
        When the process fails, times out or prints no result.
    """
    cmd = [sys.executable, "-m", "bench.worker", benchmark, variant]
    try:
        proc = subprocess.run(
            cmd,
            input=json.dumps(payload),
            capture_output=True,
            text=True,
            cwd=REPO_ROOT,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise WorkerError(f"{benchmark}/{variant}: timed out after {timeout:.0f} s") from exc
    for line in reversed(proc.stdout.splitlines()):
        if line.startswith(RESULT_PREFIX):
            result: dict[str, Any] = json.loads(line[len(RESULT_PREFIX):])
            return result
    tail = (proc.stderr or proc.stdout)[-1500:]
    raise WorkerError(f"{benchmark}/{variant}: exit {proc.returncode}, no result\n{tail}")


def _median(values: Sequence[float]) -> float | None:
    finite = [v for v in values if v is not None and math.isfinite(v)]
    return statistics.median(finite) if finite else None


def _ratio_rounds(
    rounds: list[dict[str, dict[str, Any]]], ratio: Ratio
) -> list[float]:
    out = []
    for results in rounds:
        num = results.get(ratio.numerator[0], {}).get(ratio.numerator[1])
        den = results.get(ratio.denominator[0], {}).get(ratio.denominator[1])
        if isinstance(num, int | float) and isinstance(den, int | float) and den > 0:
            out.append(num / den)
    return out


def _verdict(
    value: float | None,
    goal: float | None,
    at_most: bool,
    min_triples: int | None = None,
    triples: int | None = None,
) -> str:
    if goal is None:
        return "info"
    if min_triples is not None and (triples is None or triples < min_triples):
        return OFF_SCALE
    if value is None:
        return "n/a"
    ok = value <= goal if at_most else value >= goal
    return "PASS" if ok else "MISS"


def disagreements(
    bench: Benchmark, rounds: list[dict[str, dict[str, Any]]]
) -> list[dict[str, Any]]:
    """Metrics of :attr:`Benchmark.agree` on which the variants of a round differ."""
    out = []
    for number, results in enumerate(rounds, 1):
        for metric in bench.agree:
            values = {
                variant: run[metric]
                for variant, run in results.items()
                if isinstance(run.get(metric), int | float) and run[metric] >= 0
            }
            if len(set(values.values())) > 1:
                out.append({"round": number, "metric": metric, "values": values})
    return out


def summarise(
    bench: Benchmark, rounds: list[dict[str, dict[str, Any]]], triples: int | None = None
) -> dict[str, Any]:
    """Medians per variant and metric, ratios (median of per-round ratios), goal verdicts.

    ``triples`` is the size of the run's data, for goals stated at a size.
    """
    medians: dict[str, dict[str, float | None]] = {}
    errors: dict[str, list[str]] = {}
    for variant in bench.variants:
        runs = [r[variant] for r in rounds if variant in r]
        for run in runs:
            if "error" in run:
                errors.setdefault(variant, []).append(str(run["error"]))
        metrics = sorted({k for run in runs for k, v in run.items() if isinstance(v, int | float)})
        medians[variant] = {m: _median([run[m] for run in runs if m in run]) for m in metrics}
    ratios = []
    for ratio in bench.ratios:
        per_round = _ratio_rounds(rounds, ratio)
        value = _median(per_round)
        ratios.append(
            {
                **asdict(ratio),
                "per_round": per_round,
                "median": value,
                "verdict": _verdict(
                    value, ratio.goal, ratio.direction == "at_most", ratio.min_triples, triples
                ),
            }
        )
    limits = []
    for limit in bench.limits:
        value = medians.get(limit.metric[0], {}).get(limit.metric[1])
        limits.append(
            {
                **asdict(limit),
                "median": value,
                "verdict": _verdict(value, limit.maximum, True, limit.min_triples, triples),
            }
        )
    return {
        "medians": medians,
        "ratios": ratios,
        "limits": limits,
        "errors": errors,
        "disagreements": disagreements(bench, rounds),
        "triples": triples,
    }


def _version(dist: str) -> str | None:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return None


def _proc_field(path: str, key: str) -> str | None:
    try:
        with open(path, encoding="utf-8") as fh:
            for line in fh:
                if line.startswith(key):
                    return line.split(":", 1)[1].strip()
    except OSError:
        return None
    return None


def machine_description() -> dict[str, Any]:
    """CPU, memory, OS, Python and package versions of this machine."""
    wrk = None
    try:
        out = subprocess.run(["wrk", "-v"], capture_output=True, text=True, check=False)
        wrk = (out.stdout or out.stderr).splitlines()[0].split(" Copyright")[0].strip() or None
    except (OSError, IndexError):
        wrk = None
    mem = _proc_field("/proc/meminfo", "MemTotal")
    return {
        "cpu_count": os.cpu_count(),
        "cpu_model": _proc_field("/proc/cpuinfo", "model name") or platform.processor(),
        "memory_gib": round(int(mem.split()[0]) / 2**20, 1) if mem else None,
        "platform": platform.platform(),
        "python": platform.python_version(),
        "load_average": list(os.getloadavg()),
        "packages": {name: _version(name) for name in _PACKAGES},
        "wrk": wrk,
    }


def run_benchmark(
    module: str,
    bench: Benchmark,
    config: RunConfig,
    rounds: int,
    progress: Any = None,
    only: frozenset[str] = frozenset(),
) -> dict[str, Any]:
    """Prepare the data once, then run ``rounds`` interleaved rounds of every variant.

    Parameters
    ----------
    module : str
        Name of the benchmark module under ``bench`` (what the worker imports).
    bench : Benchmark
        Its description.
    config : RunConfig
        Scale, seed, work directory.
    rounds : int
        Number of rounds.
    progress : callable, optional
        Called with a short message before each worker starts.
    only : frozenset of str, optional
        Run only these variants (ratios that need another one become n/a).

    Returns
    -------
    dict
        The full report: config, prepared data description, raw rounds, summary.
    """
    say = progress or (lambda _msg: None)
    if only:
        bench = replace(bench, variants=tuple(v for v in bench.variants if v in only))
    started = time.perf_counter()
    machine = machine_description()  # the load average before this run adds its own
    say(f"{bench.name}: preparing data ({config.docs} documents)")
    raw: list[dict[str, dict[str, Any]]] = []
    try:
        prepared = call_worker(module, "__prepare__", {"config": asdict(config)}, bench.timeout)
    except WorkerError as exc:
        # no data, no measurements: report every variant as failed instead of crashing the suite
        prepared = {"error": str(exc)}
        raw.append({variant: {"error": str(exc)} for variant in bench.variants})
        rounds = 0
    n = len(bench.variants)
    for r in range(rounds):
        order = [bench.variants[(i + r) % n] for i in range(n)]  # rotate the order per round
        results: dict[str, dict[str, Any]] = {}
        for variant in order:
            say(f"{bench.name}: round {r + 1}/{rounds}, {variant}")
            try:
                results[variant] = call_worker(
                    module, variant, {"config": asdict(config), "prepared": prepared}, bench.timeout
                )
            except WorkerError as exc:
                results[variant] = {"error": str(exc)}
            # the machine's load over the last minute, i.e. during this measurement
            results[variant]["load_1m"] = round(os.getloadavg()[0], 2)
        raw.append(results)
    return {
        "benchmark": bench.name,
        "title": bench.title,
        "timestamp": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "config": asdict(config),
        "rounds": rounds,
        "method": (
            "fresh process per measurement; variants interleaved (rotating order) per round; "
            "medians over rounds; ratios computed inside each round, median reported"
        ),
        "machine": machine,
        "prepared": prepared,
        "results": raw,
        "summary": summarise(bench, raw, prepared.get("triples")),
        "notes": list(bench.notes),
        "wall_seconds": round(time.perf_counter() - started, 1),
    }


def write_report(report: dict[str, Any], results_dir: Path) -> Path:
    """Write ``report`` as ``<results_dir>/<name>-<timestamp>.json`` and return the path."""
    results_dir.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    path = results_dir / f"{report['benchmark']}-{stamp}.json"
    path.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return path
