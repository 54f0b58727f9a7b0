"""The benchmark suite: ratio arithmetic, wrk parsing and real quick runs.

No timing thresholds here (the guide forbids timed unit tests): the quick runs
only have to produce their JSON reports with ratios and verdicts, and the
servers have to agree on what the queries return.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
# bench/ is run from the repository root (`python -m bench`), not installed
sys.path.insert(0, str(ROOT))

from bench.harness import OFF_SCALE, Benchmark, Column, Limit, Ratio, summarise  # noqa: E402
from bench.sparql import LOOKUP_ROWS, QUERY_NAMES, choose_lookup, parse_wrk  # noqa: E402

WRK_OUTPUT = """Running 10s test @ http://127.0.0.1:8000/sparql?query=x
  1 threads and 10 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    12.83ms    3.17ms  45.10ms   80.12%
    Req/Sec   780.43     40.11   850.00     70.00%
  Latency Distribution
     50%   12.10ms
     75%   14.02ms
     90%   18.60ms
     99%   30.10ms
  7805 requests in 10.00s, 560.31MB read
  Non-2xx or 3xx responses: 5
Requests/sec:    780.40
Transfer/sec:     56.00MB
"""


def test_parse_wrk_counts_only_2xx() -> None:
    out = parse_wrk(WRK_OUTPUT, 10.0)
    assert out["req_per_s"] == pytest.approx(780.0)
    assert out["wrk_non2xx"] == 5
    assert out["wrk_p50_ms"] == pytest.approx(12.1)
    assert out["wrk_p99_ms"] == pytest.approx(30.1)
    assert out["wrk_none_completed"] == 0


def test_ratio_is_median_of_per_round_ratios() -> None:
    bench = Benchmark(
        name="t",
        title="t",
        variants=("a", "b"),
        columns=(Column("x", "x"),),
        ratios=(
            Ratio("a/b", ("a", "x"), ("b", "x"), goal=2.0),
            Ratio("b/a", ("b", "x"), ("a", "x"), goal=0.6, direction="at_most"),
        ),
    )
    rounds = [
        {"a": {"x": 10.0}, "b": {"x": 5.0}},  # 2.0
        {"a": {"x": 30.0}, "b": {"x": 10.0}},  # 3.0
        {"a": {"x": 1.0}, "b": {"x": 1.0}},  # 1.0
    ]
    summary = summarise(bench, rounds)
    assert summary["medians"]["a"]["x"] == 10.0
    first, second = summary["ratios"]
    assert first["per_round"] == [2.0, 3.0, 1.0]
    assert first["median"] == 2.0  # not median(a)/median(b) = 2.0 by luck: check per round
    assert first["verdict"] == "PASS"
    assert second["median"] == 0.5 and second["verdict"] == "PASS"


def test_failed_variant_gives_na_not_a_crash() -> None:
    bench = Benchmark(
        name="t",
        title="t",
        variants=("a", "b"),
        columns=(),
        ratios=(Ratio("a/b", ("a", "x"), ("b", "x"), goal=1.0),),
    )
    summary = summarise(bench, [{"a": {"x": 1.0}, "b": {"error": "boom"}}])
    assert summary["ratios"][0]["verdict"] == "n/a"
    assert summary["errors"] == {"b": ["boom"]}


def test_quick_run_writes_reports_with_ratios(tmp_path: Path) -> None:
    results = tmp_path / "results"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench",
            "--quick",
            "extraction",
            "build",
            "--work-dir",
            str(tmp_path / "work"),
            "--results-dir",
            str(results),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    reports = {p.name.split("-")[0]: json.loads(p.read_text()) for p in results.glob("*.json")}
    assert set(reports) == {"extraction", "build"}
    for name, report in reports.items():
        assert report["machine"]["cpu_count"] >= 1
        assert report["machine"]["packages"]["pyoxigraph"]
        assert not report["summary"]["errors"], report["summary"]["errors"]
        for ratio in report["summary"]["ratios"]:
            assert ratio["median"] is not None and ratio["median"] > 0, (name, ratio)
            assert ratio["verdict"] in {"PASS", "MISS", "info"}
    goals = {r["name"]: r for r in reports["extraction"]["summary"]["ratios"]}
    assert goals["ours / spaCy char tokenisation (per core)"]["goal"] == 0.5
    build = reports["build"]["summary"]["medians"]
    assert build["ours"]["triples"] == build["bulk_load"]["triples"] > 0
    assert build["ours_10x"]["triples"] > build["ours"]["triples"]
    assert "PASS" in proc.stdout or "MISS" in proc.stdout


def test_goals_stated_at_a_size_are_judged_only_at_that_size() -> None:
    bench = Benchmark(
        name="t",
        title="t",
        variants=("a", "b"),
        columns=(),
        ratios=(Ratio("a/b", ("a", "x"), ("b", "x"), goal=1.0, min_triples=1000),),
        limits=(Limit("a.x", ("a", "x"), 5.0, min_triples=1000),),
    )
    rounds = [{"a": {"x": 2.0}, "b": {"x": 1.0}}]
    small = summarise(bench, rounds, triples=999)
    assert small["ratios"][0]["verdict"] == small["limits"][0]["verdict"] == OFF_SCALE
    assert small["ratios"][0]["median"] == 2.0  # still measured and shown
    assert summarise(bench, rounds, triples=None)["ratios"][0]["verdict"] == OFF_SCALE
    large = summarise(bench, rounds, triples=1000)
    assert large["ratios"][0]["verdict"] == large["limits"][0]["verdict"] == "PASS"


def test_disagreeing_row_counts_are_reported() -> None:
    bench = Benchmark(name="t", title="t", variants=("a", "b", "c"), columns=(), agree=("rows",))
    same = [{"a": {"rows": 3}, "b": {"rows": 3}, "c": {"rows": -1}}]  # -1: timed out, unknown
    assert summarise(bench, same)["disagreements"] == []
    differ = [{"a": {"rows": 3}, "b": {"rows": 3}}, {"a": {"rows": 3}, "b": {"rows": 4}}]
    (bad,) = summarise(bench, differ)["disagreements"]
    assert bad == {"round": 2, "metric": "rows", "values": {"a": 3, "b": 4}}


def test_the_wrk_lookup_is_the_one_closest_to_337_rows() -> None:
    counts = {"area/a": 1184, "area/b": 341, "area/c": 330, "area/d": 12}
    assert choose_lookup(counts) == ("area/b", 341)
    assert choose_lookup({"x": 5, "y": 9}) == ("y", 9)  # small data: the biggest there is
    assert LOOKUP_ROWS == 337


def _quick(tmp_path: Path, *names: str) -> tuple[subprocess.CompletedProcess[str], dict[str, Any]]:
    results = tmp_path / "results"
    proc = subprocess.run(
        [sys.executable, "-m", "bench", "--quick", *names, "--no-install",
         "--work-dir", str(tmp_path / "work"), "--results-dir", str(results)],
        cwd=ROOT, capture_output=True, text=True, timeout=900, check=False,
    )  # fmt: skip
    reports = {p.name.split("-")[0]: json.loads(p.read_text()) for p in results.glob("*.json")}
    return proc, reports


def test_quick_sparql_and_analytics_runs(tmp_path: Path) -> None:
    proc, reports = _quick(tmp_path, "sparql", "analytics")
    assert proc.returncode == 0, (proc.stdout + proc.stderr)[-3000:]
    assert set(reports) == {"sparql", "analytics"}
    for name, report in reports.items():
        summary = report["summary"]
        assert summary["disagreements"] == [], name
        # --no-install: a missing rdflib-endpoint is reported, never anything else
        for variant, errors in summary["errors"].items():
            assert variant == "rdflib_endpoint" and "not installed" in errors[0], errors
        for check in summary["ratios"] + summary["limits"]:
            # a quick run is far below the sizes the goals are stated at
            assert check["verdict"] in {OFF_SCALE, "info"}, check
    sparql = reports["sparql"]
    assert sparql["prepared"]["lookup_rows"] > 0
    (round_,) = sparql["results"]
    for variant, run in round_.items():
        if "error" in run:
            continue
        assert run["area_tasks_rows"] == sparql["prepared"]["lookup_rows"], variant
        assert all(run[f"{q}_rows"] >= 0 for q in QUERY_NAMES), variant
        if shutil.which("wrk"):
            assert run["req_per_s"] > 0 and "wrk_missing" not in run, variant
        else:
            assert "wrk_missing" in run
    analytics = reports["analytics"]["summary"]["medians"]
    ours, naive = analytics["ours"], analytics["naive"]
    assert ours["departments"] == naive["departments"] > 0
    assert ours["workload_warm_s"] > 0 and ours["workload_api_cold_s"] > 0
    assert ours["api_departments_page"] == min(ours["departments"], 100)


def test_component_costs_time_every_pipeline_component() -> None:
    from bench.components import component_costs
    from policykg.extract.pipeline import build_pipeline

    text = (
        "关于印发《示例市行动计划》的通知\n一、重点任务\n"
        "（一）推进建设。（责任单位：市发展改革委、市财政局）\n"
    )
    costs = component_costs([text, text * 3], rounds=1)
    names = {"spacy.blank", "make_doc", *build_pipeline().pipe_names}
    assert set(costs) == names
    assert all(seconds >= 0.0 for seconds in costs.values())
    assert costs["spacy.blank"] > 0.0
