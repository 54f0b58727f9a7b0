"""Render benchmark reports as Markdown: ``python -m bench.report bench/results/*.json``.

The README's Performance tables are made with this from a real run, so they
can be refreshed without retyping numbers.  For each report: the machine line,
a table of medians (the benchmark's columns) and a table of ratios with goals.
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench.harness import Benchmark

__all__ = ["main", "render"]


def _fmt(value: Any, fmt: str) -> str:
    if value is None:
        return "–"
    try:
        return str(fmt.format(value))
    except (ValueError, TypeError):
        return str(value)


def render(report: dict[str, Any]) -> str:
    """One report as Markdown (medians table, then ratios and goals)."""
    bench: Benchmark = importlib.import_module(f"bench.{report['benchmark']}").BENCHMARK
    summary = report["summary"]
    prepared = report.get("prepared", {})
    # a benchmark may enlarge its corpus (extraction: ≥ 20 MB); the prepared data says so
    size = f"{prepared.get('files', report['config']['docs'])} documents"
    if prepared.get("triples"):
        size += f", {prepared['triples']:,} triples"
    elif prepared.get("bytes"):
        size += f", {prepared['bytes'] / 1e6:.2f} MB"
    lines = [
        f"**{bench.title}** — scale `{report['config']['scale']}` ({size}), "
        f"median of {report['rounds']} rounds, {report['timestamp']}",
        "",
        "| variant | " + " | ".join(c.label for c in bench.columns) + " |",
        "|---|" + "---|" * len(bench.columns),
    ]
    for variant in bench.variants:
        med = summary["medians"].get(variant, {})
        cells = " | ".join(_fmt(med.get(c.metric), c.fmt) for c in bench.columns)
        lines.append(f"| {variant} | {cells} |")
    lines += ["", "| ratio (median of per-round ratios) | measured | per round | goal | |",
              "|---|---|---|---|---|"]
    for r in summary["ratios"]:
        goal = "–" if r["goal"] is None else (
            ("≥ " if r["direction"] == "at_least" else "≤ ") + f"{r['goal']:g}×"
        )
        per_round = " ".join(f"{v:.3g}" for v in r["per_round"])
        lines.append(
            f"| {r['name']} | {_fmt(r['median'], '{:.3g}×')} | {per_round} | {goal} | "
            f"{r['verdict']} |"
        )
    for lim in summary["limits"]:
        lines.append(
            f"| {lim['name']} | {_fmt(lim['median'], '{:.3g}')} | | ≤ {lim['maximum']:g} | "
            f"{lim['verdict']} |"
        )
    for bad in summary.get("disagreements", []):
        lines.append(
            f"\n**Disagreement** in round {bad['round']}: `{bad['metric']}` {bad['values']}"
        )
    loads = [run["load_1m"] for r in report["results"] for run in r.values() if "load_1m" in run]
    if loads:
        lines.append(f"\nLoad average (1 min) during the run: {min(loads):.1f}–{max(loads):.1f}.")
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    """Print the Markdown of each report given, then the machine it ran on."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("reports", nargs="+", type=Path)
    args = parser.parse_args(argv)
    machine: dict[str, Any] = {}
    for path in args.reports:
        report = json.loads(path.read_text(encoding="utf-8"))
        machine = report["machine"]
        print(render(report))
    if machine:
        pk = machine["packages"]
        versions = ", ".join(f"{k} {v}" for k, v in pk.items() if v)
        print(
            f"Machine: {machine['cpu_count']} × {machine['cpu_model']}, "
            f"{machine['memory_gib']} GiB, Python {machine['python']}, "
            f"{machine['wrk'] or 'no wrk'}; "
            f"{versions}. Load average at the start: "
            f"{', '.join(f'{x:.1f}' for x in machine['load_average'])}."
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
