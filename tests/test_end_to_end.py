"""The whole path through the CLI: corpus -> facts -> RDF -> store -> query/analytics/export."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from lxml import etree
from typer.testing import CliRunner

from policykg.api.cli import app
from policykg.graph.queries import EXAMPLE_QUERIES

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "data" / "corpus"
GOLD = ROOT / "data" / "gold"
XSD = Path(__file__).parent / "data" / "gexf-1.3" / "gexf.xsd"

runner = CliRunner()


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("e2e") / "store"
    result = runner.invoke(app, ["build", str(CORPUS), "--store", str(path)])
    assert result.exit_code == 0, result.output
    assert "responsibilities" in result.output
    return path


def test_build_replaces_existing_store(store: Path, tmp_path: Path) -> None:
    # A second build into the same directory must replace, not add to, the data.
    query = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
    first = runner.invoke(app, ["query", query, "--store", str(store), "--format", "json"])
    assert first.exit_code == 0, first.output
    single = CORPUS / "002_8429dd0dfc029dc1.txt"
    other = tmp_path / "store"
    assert runner.invoke(app, ["build", str(single), "--store", str(other)]).exit_code == 0
    assert runner.invoke(app, ["build", str(CORPUS), "--store", str(other)]).exit_code == 0
    again = runner.invoke(app, ["query", query, "--store", str(other), "--format", "json"])
    assert json.loads(again.output) == json.loads(first.output)


def test_extract_jsonl_has_gold_fields_and_true_offsets() -> None:
    source = CORPUS / "001_00579763bd6bf03f.txt"
    result = runner.invoke(app, ["extract", str(source)])
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in result.stdout.splitlines() if line.strip()]
    types = {r["type"] for r in records}
    assert {"document", "responsibility", "citation", "target"} <= types
    text = source.read_text(encoding="utf-8-sig")
    for r in records:
        assert r["source"] == source.name
        assert text[r["evidence_start"] : r["evidence_end"]] == r["evidence"]
    resp = next(r for r in records if r["type"] == "responsibility")
    assert {"document", "task_label", "task", "unit", "order", "lead"} <= set(resp)


@pytest.mark.parametrize("fmt", ["ttl", "trig"])
def test_extract_rdf_formats_parse(fmt: str, tmp_path: Path) -> None:
    import rdflib

    out = tmp_path / f"out.{fmt}"
    source = CORPUS / "002_8429dd0dfc029dc1.txt"
    result = runner.invoke(app, ["extract", str(source), "--format", fmt, "-o", str(out)])
    assert result.exit_code == 0, result.output
    graph = rdflib.Dataset() if fmt == "trig" else rdflib.Graph()
    graph.parse(out, format="trig" if fmt == "trig" else "turtle")
    assert len(graph) > 0


def test_eval_meets_issue_floors() -> None:
    # the quality bar: F1 per section and attribute accuracy on matched pairs
    result = runner.invoke(
        app,
        [
            "eval",
            str(CORPUS),
            "--gold",
            str(GOLD),
            "--min-documents",
            "0.90",
            "--min-responsibilities",
            "0.97",
            "--min-citations",
            "0.93",
            "--min-targets",
            "0.90",
        ],
    )
    assert result.exit_code == 0, result.output
    from policykg.extract.evaluate import evaluate_corpus

    report = evaluate_corpus(CORPUS, GOLD)
    for section, attribute, floor in (
        ("responsibilities", "lead", 0.97),
        ("citations", "kind", 0.85),
        ("targets", "year", 0.90),
    ):
        accuracy = report.accuracy(section, attribute)
        assert accuracy is not None and accuracy >= floor, (section, attribute, accuracy)


def test_workload_query_from_readme(store: Path) -> None:
    result = runner.invoke(
        app, ["query", EXAMPLE_QUERIES["workload"], "--store", str(store), "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert len(rows) > 10
    counts = [int(next(v for k, v in row.items() if k == "tasks")) for row in rows]
    assert counts == sorted(counts, reverse=True)
    assert counts[0] >= 5


def test_workload_command(store: Path) -> None:
    result = runner.invoke(app, ["workload", "--store", str(store), "--format", "json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    top = rows[0]
    assert {"department", "tasks", "tasks_led", "load", "documents", "regions"} <= set(top)
    assert top["tasks"] >= top["tasks_led"]
    assert 0 < top["load"] <= top["tasks"]


def test_export_gexf_validates(store: Path, tmp_path: Path) -> None:
    out = tmp_path / "graph.gexf"
    result = runner.invoke(app, ["export", "gexf", "--store", str(store), "-o", str(out)])
    assert result.exit_code == 0, result.output
    schema = etree.XMLSchema(etree.parse(str(XSD)))
    doc = etree.parse(str(out))
    assert schema.validate(doc), schema.error_log
    kinds = {
        a.get("value")
        for a in doc.iter("{*}attvalue")
        if a.get("value") in {"department", "task", "document", "region"}
    }
    assert kinds == {"department", "task", "document", "region"}


def test_query_reports_syntax_errors(store: Path) -> None:
    result = runner.invoke(app, ["query", "SELECT WHERE {", "--store", str(store)])
    assert result.exit_code != 0
