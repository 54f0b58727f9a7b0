"""``python -m bench [NAME ...] [--rounds N] [--scale S] [--quick]``: run the suite.

Each benchmark prints a table of medians and a table of ratios with their goals
(PASS/MISS), and writes ``bench/results/<name>-<timestamp>.json``.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from bench.harness import (
    BENCH_ROOT,
    OFF_SCALE,
    REPO_ROOT,
    Benchmark,
    RunConfig,
    run_benchmark,
    write_report,
)

__all__ = ["BENCHMARKS", "SCALES", "docs_for_scale", "main"]

#: benchmark name -> module under ``bench``
BENCHMARKS: dict[str, str] = {
    "extraction": "extraction",
    "build": "build",
    "sparql": "sparql",
    "analytics": "analytics",
    "load": "load",
}

#: named scales -> documents of the generated corpus (about 2,500 triples per document)
SCALES: dict[str, int] = {
    "quick": 4,  # ~10k triples: a smoke run of the whole suite in well under a minute
    "small": 40,  # ~100k triples: the default, about ten minutes on a laptop
    "medium": 160,  # ~400k triples
    "1m": 400,  # ~1M triples
    "10m": 4000,  # ~10M triples
}


def docs_for_scale(scale: str) -> int:
    """Documents for a named scale, or the number itself (``--scale 250``)."""
    if scale.lower() in SCALES:
        return SCALES[scale.lower()]
    try:
        docs = int(scale)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"scale must be one of {', '.join(SCALES)} or a number of documents"
        ) from None
    if docs < 1:
        raise argparse.ArgumentTypeError("scale must be at least one document")
    return docs


def _fmt(value: Any, fmt: str) -> str:
    if value is None:
        return "–"
    try:
        return str(fmt.format(value))
    except (ValueError, TypeError):
        return str(value)


def print_report(console: Console, bench: Benchmark, report: dict[str, Any]) -> None:
    """Print the medians table and the ratios/goals table of one benchmark."""
    summary = report["summary"]
    table = Table(title=f"{bench.title} — median of {report['rounds']} round(s)")
    table.add_column("variant")
    for col in bench.columns:
        table.add_column(col.label, justify="right")
    for variant in bench.variants:
        med = summary["medians"].get(variant, {})
        table.add_row(variant, *(_fmt(med.get(c.metric), c.fmt) for c in bench.columns))
    console.print(table)
    goals = Table(title=f"{bench.name}: ratios (median of per-round ratios) and goals")
    for name in ("ratio", "measured", "per round", "goal", "result"):
        goals.add_column(name, justify="left" if name == "ratio" else "right")
    colour = {"PASS": "green", "MISS": "red", "n/a": "yellow", "info": "dim", OFF_SCALE: "yellow"}
    for r in summary["ratios"]:
        goal = "" if r["goal"] is None else ("≥ " if r["direction"] == "at_least" else "≤ ")
        goal += "" if r["goal"] is None else f"{r['goal']:g}×"
        verdict = r["verdict"]
        goals.add_row(
            r["name"],
            _fmt(r["median"], "{:.3g}×"),
            " ".join(f"{v:.3g}" for v in r["per_round"]),
            goal,
            f"[{colour[verdict]}]{verdict}[/]",
        )
    for lim in summary["limits"]:
        verdict = lim["verdict"]
        goals.add_row(
            lim["name"], _fmt(lim["median"], "{:.3g}"), "", f"≤ {lim['maximum']:g}",
            f"[{colour[verdict]}]{verdict}[/]",
        )
    console.print(goals)
    for variant, errors in summary["errors"].items():
        console.print(f"[yellow]{variant} failed:[/] {errors[0][:600]}")
    for bad in summary.get("disagreements", []):
        console.print(
            f"[bold red]DISAGREEMENT in round {bad['round']}: {bad['metric']} differs "
            f"between variants: {bad['values']}[/]"
        )
    loads = [run["load_1m"] for r in report["results"] for run in r.values() if "load_1m" in run]
    if loads:
        console.print(
            f"[dim]load average (1 min) during the run: {min(loads):.1f}–{max(loads):.1f} "
            f"on {report['machine']['cpu_count']} CPUs[/]"
        )
    for note in report["notes"]:
        console.print(f"[dim]note: {note}[/]")


def main(argv: Sequence[str] | None = None) -> int:
    """Parse arguments, run the chosen benchmarks, print and write their reports."""
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[0])
    parser.add_argument("names", nargs="*", metavar="NAME",
                        help=f"benchmarks to run (default all: {', '.join(BENCHMARKS)})")
    parser.add_argument("--rounds", type=int, default=None,
                        help="interleaved rounds (default 3; 1 with --quick)")
    parser.add_argument("--scale", default=None,
                        help=f"corpus size: {', '.join(SCALES)} or a number of documents "
                             "(default small; quick with --quick)")
    parser.add_argument("--quick", action="store_true",
                        help="tiny scale, short load tests: a smoke run of the suite")
    parser.add_argument("--seed", type=int, default=42, help="corpus seed")
    parser.add_argument("--work-dir", type=Path, default=REPO_ROOT / "var" / "bench",
                        help="cache of generated corpora, stores and dumps")
    parser.add_argument("--results-dir", type=Path, default=BENCH_ROOT / "results",
                        help="where the JSON reports go")
    parser.add_argument("--no-install", action="store_true",
                        help="do not pip/apt-install missing baselines (rdflib-endpoint, wrk)")
    parser.add_argument("--only", default="",
                        help="comma-separated variants to run (e.g. ours,bulk_load); "
                             "ratios needing others become n/a")
    parser.add_argument("--strict", action="store_true", help="exit 1 if any goal is missed")
    args = parser.parse_args(argv)
    unknown = [n for n in args.names if n not in BENCHMARKS]
    if unknown:
        parser.error(
            f"unknown benchmark(s) {', '.join(unknown)}; choose from {', '.join(BENCHMARKS)}"
        )
    names = args.names or list(BENCHMARKS)
    scale = args.scale or ("quick" if args.quick else "small")
    try:
        docs = docs_for_scale(scale)
    except argparse.ArgumentTypeError as exc:
        parser.error(str(exc))
    rounds = args.rounds or (1 if args.quick else 3)
    config = RunConfig(
        scale=scale, docs=docs, quick=args.quick, seed=args.seed,
        work_dir=str(args.work_dir.absolute()), install=not args.no_install,
    )
    console = Console() if sys.stdout.isatty() else Console(width=160)
    missed = failed = disagreed = False
    for name in names:
        module = importlib.import_module(f"bench.{BENCHMARKS[name]}")
        bench: Benchmark = module.BENCHMARK
        report = run_benchmark(
            BENCHMARKS[name], bench, config, rounds,
            progress=lambda msg: console.print(f"[dim]{msg}[/]"),
            only=frozenset(filter(None, args.only.split(","))),
        )
        print_report(console, bench, report)
        path = write_report(report, args.results_dir)
        shown = path.relative_to(REPO_ROOT) if path.is_relative_to(REPO_ROOT) else path
        console.print(f"wrote {shown} ({report['wall_seconds']} s)\n")
        checks = report["summary"]["ratios"] + report["summary"]["limits"]
        missed |= any(r["verdict"] in {"MISS", "n/a", OFF_SCALE} for r in checks)
        disagreed |= bool(report["summary"].get("disagreements"))
        nonzero = [
            f"{variant}.{metric} = {results.get(variant, {}).get(metric, 'missing')}"
            for results in report["results"]
            for variant, metric in bench.must_be_zero
            if results.get(variant, {}).get(metric) != 0
        ]
        if nonzero:
            console.print(f"[red]{name}: must be 0 in every round:[/] {', '.join(nonzero)}")
            failed = True
    if disagreed:
        console.print("[bold red]variants disagreed on results that must be equal (see above)[/]")
    return 1 if failed or disagreed or (args.strict and missed) else 0


if __name__ == "__main__":
    sys.exit(main())
