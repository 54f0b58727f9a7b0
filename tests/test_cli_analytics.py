"""``policykg analyze``, ``policykg export`` and the table printer of ``api/cli.py``."""

from __future__ import annotations

import csv
import io
import json
import re
import sys
from pathlib import Path

import pytest
import rdflib
from graph_samples import sample_results
from lxml import etree
from rdflib.compare import isomorphic
from typer.testing import CliRunner

from policykg.api.cli import app
from policykg.graph import analytics as an
from policykg.graph.store import build_store, open_store

XSD = Path(__file__).parent / "data" / "gexf-1.3" / "gexf.xsd"
GEXF = "{http://gexf.net/1.3}"
runner = CliRunner()


@pytest.fixture(scope="module")
def store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("cli") / "store"
    build_store(iter(sample_results()), path)
    return path


def invoke(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.stdout


# ---------------------------------------------------------------- analyze


@pytest.mark.parametrize(
    ("what", "part"),
    [(name, part) for name, parts in an.ANALYSIS_PARTS.items() for part in parts],
)
def test_analyze_json_is_the_python_records(store_path: Path, what: str, part: str) -> None:
    out = invoke("analyze", what, "--store", str(store_path), "--part", part, "-f", "json")
    expected = an.analyze(open_store(store_path), what, part=part)
    assert json.loads(out) == json.loads(json.dumps(expected, ensure_ascii=False))


def test_analyze_csv_and_options(store_path: Path) -> None:
    out = invoke("analyze", "workload", "--store", str(store_path), "-f", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert rows[0]["rank"] == "1" and rows[0]["department"] == "市科技局"
    by_year = json.loads(
        invoke("analyze", "workload", "--store", str(store_path), "--by", "year", "-f", "json")
    )
    assert {r["year"] for r in by_year} == {2018, 2019}
    support = json.loads(
        invoke("analyze", "workload", "--store", str(store_path), "--role", "support", "-f", "json")
    )
    assert [r["department"] for r in support] == ["市科技局"]
    directed = json.loads(
        invoke("analyze", "network", "--store", str(store_path), "--directed", "-f", "json")
    )
    assert "out_strength" in directed[0]
    seeded = invoke("analyze", "network", "--store", str(store_path), "--seed", "7", "-f", "json")
    assert json.loads(seeded) == an.analyze(open_store(store_path), "network", seed=7)
    cut = json.loads(
        invoke("analyze", "targets", "--store", str(store_path), "--limit", "1", "-f", "json")
    )
    assert len(cut) == 1
    hyphen = invoke(
        "analyze", "citations", "--store", str(store_path), "-p", "self-citations", "-f", "json"
    )
    assert json.loads(hyphen) == []


@pytest.mark.parametrize(
    "args",
    [
        ["analyze", "citations", "--part", "nothing"],
        ["analyze", "network", "--by", "year"],
        ["analyze", "workload", "--directed"],
        ["analyze", "pie"],
    ],
)
def test_analyze_rejects_wrong_options(store_path: Path, args: list[str]) -> None:
    result = runner.invoke(app, [*args, "--store", str(store_path)])
    assert result.exit_code == 2


def test_analyze_without_store_fails(tmp_path: Path) -> None:
    result = runner.invoke(app, ["analyze", "workload", "--store", str(tmp_path)])
    assert result.exit_code == 2 and "no policykg store" in result.output


def test_table_output_is_never_cut_when_piped(store_path: Path) -> None:
    # CliRunner's stdout is not a terminal: every value printed in full, aligned
    out = invoke("analyze", "workload", "--store", str(store_path))
    lines = out.splitlines()
    assert lines[0].split() == list(an.analyze(open_store(store_path), "workload")[0])
    assert set(lines[1].replace(" ", "")) == {"-"}
    for rec in an.analyze(open_store(store_path), "workload"):
        assert rec["id"] in out and rec["department"] in out
    assert "…" not in out
    paths = invoke("analyze", "citations", "--store", str(store_path), "-p", "paths")
    for rec in an.analyze(open_store(store_path), "citations", part="paths"):
        assert rec["path"] in paths
    # columns line up although Chinese characters take two columns
    from policykg.api.cli import _width

    id_column = [_width(line[: line.index("https://")]) for line in lines[2:]]
    assert len(id_column) == len(lines) - 2 and len(set(id_column)) == 1


# ---------------------------------------------------------------- export


@pytest.mark.parametrize("network", an.NETWORKS)
def test_export_gexf_of_each_network_validates(
    store_path: Path, tmp_path: Path, network: str
) -> None:
    out = tmp_path / f"{network}.gexf"
    invoke("export", "gexf", "--store", str(store_path), "-o", str(out), "--network", network)
    schema = etree.XMLSchema(etree.parse(str(XSD)))
    doc = etree.parse(str(out))
    assert schema.validate(doc), schema.error_log
    assert len(list(doc.iter(f"{GEXF}size"))) == len(list(doc.iter(f"{GEXF}node")))
    titles = {a.get("title") for a in doc.iter(f"{GEXF}attribute")}
    assert "kind" in titles
    if network != "citation":
        assert {"load", "rank", "topics"} <= titles


def test_export_gexf_default_is_the_annotated_full_graph(store_path: Path, tmp_path: Path) -> None:
    out = tmp_path / "full.gexf"
    result = runner.invoke(app, ["export", "gexf", "--store", str(store_path), "-o", str(out)])
    assert result.exit_code == 0 and "nodes" in result.stdout
    doc = etree.parse(str(out))
    titles = {a.get("title") for a in doc.iter(f"{GEXF}attribute")}
    assert {"load", "community", "eigenvector"} <= titles  # workload and network annotations
    assert doc.find(f"{GEXF}graph").get("timeformat") == "date"
    assert list(doc.iter(f"{GEXF}color"))  # viz colours


def test_export_directed_co_responsibility(store_path: Path, tmp_path: Path) -> None:
    out = tmp_path / "lead.gexf"
    invoke(
        "export",
        "gexf",
        "--store",
        str(store_path),
        "-o",
        str(out),
        "-n",
        "co-responsibility",
        "--directed",
    )
    doc = etree.parse(str(out))
    assert doc.find(f"{GEXF}graph").get("defaultedgetype") == "directed"
    assert {e.get("kind") for e in doc.iter(f"{GEXF}edge")} == {"lead_support"}


def test_export_graphml_and_csv(store_path: Path, tmp_path: Path) -> None:
    import networkx as nx

    out = tmp_path / "wl.graphml"
    invoke("export", "graphml", "--store", str(store_path), "-o", str(out), "-n", "workload")
    G = an.annotated_network(open_store(store_path), "workload")
    assert nx.read_graphml(out).number_of_nodes() == G.number_of_nodes()
    invoke(
        "export",
        "csv",
        "--store",
        str(store_path),
        "-o",
        str(tmp_path / "cit.csv"),
        "-n",
        "citation",
    )
    with open(tmp_path / "cit_nodes.csv", encoding="utf-8") as fh:
        nodes = list(csv.DictReader(fh))
    with open(tmp_path / "cit_edges.csv", encoding="utf-8") as fh:
        edges = list(csv.DictReader(fh))
    C = an.citation_graph(open_store(store_path))
    assert len(nodes) == C.number_of_nodes() and len(edges) == C.number_of_edges()
    assert {"Id", "Label", "pagerank", "level"} <= set(nodes[0])


def _dataset(path: Path, fmt: str) -> rdflib.Dataset:
    ds = rdflib.Dataset()
    ds.parse(str(path), format=fmt)
    return ds


def _graphs(ds: rdflib.Dataset) -> dict[str, rdflib.Graph]:
    found = {}
    for g in ds.graphs():
        if len(g):
            found[str(g.identifier)] = g
    return found


def test_nquads_dump_round_trips_to_an_isomorphic_dataset(store_path: Path, tmp_path: Path) -> None:
    import pyoxigraph as ox

    dump = tmp_path / "kg.nq"
    invoke("export", "nquads", "--store", str(store_path), "-o", str(dump))
    # load into an empty store, dump again: same dataset up to blank node names
    empty = ox.Store()
    empty.load(path=str(dump), format=ox.RdfFormat.N_QUADS)
    original = open_store(store_path)
    assert len(empty) == len(original)
    assert {str(g) for g in empty.named_graphs()} == {str(g) for g in original.named_graphs()}
    again = tmp_path / "again.nq"
    empty.dump(str(again), ox.RdfFormat.N_QUADS)
    first, second = _graphs(_dataset(dump, "nquads")), _graphs(_dataset(again, "nquads"))
    assert first.keys() == second.keys() and len(first) > 1
    for name, graph in first.items():
        assert isomorphic(graph, second[name]), name


@pytest.mark.parametrize(
    ("fmt", "rdflib_format", "dataset"),
    [
        ("turtle", "turtle", False),
        ("ntriples", "nt", False),
        ("trig", "trig", True),
        ("jsonld", "json-ld", True),
    ],
)
def test_rdf_dumps_parse(
    store_path: Path, tmp_path: Path, fmt: str, rdflib_format: str, dataset: bool
) -> None:
    out = tmp_path / f"kg.{fmt}"
    invoke("export", fmt, "--store", str(store_path), "-o", str(out))
    ds = _dataset(out, rdflib_format)
    graphs = _graphs(ds)
    if dataset:  # the named graph of each source file is kept
        assert sum("/id/graph/" in name for name in graphs) == 2  # a.txt and b.txt
        assert len(graphs) >= 3
    else:
        assert sum(len(g) for g in graphs.values()) > 100


def test_terminal_table_folds_instead_of_cutting(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from policykg.api.cli import TableFormat, _print_rows, _width

    iri = "https://w3id.org/policykg/id/body/四川省/四川省知识产权工作领导小组办公室"
    monkeypatch.setenv("COLUMNS", "80")
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    _print_rows(
        ["department", "id", "load"],
        [["四川省知识产权工作领导小组办公室", iri, 1.5]],
        TableFormat.table,
    )
    out = re.sub(r"\x1b\[[0-9;]*m", "", capsys.readouterr().out)  # colours of the terminal
    assert "…" not in out
    assert max(_width(line) for line in out.splitlines()) <= 80
    # the folded cells, read column by column, give back the whole values
    lines = out.splitlines()
    body = lines[next(i for i, line in enumerate(lines) if line.startswith("┡")) + 1 :]
    cells = [line.split("│")[1:-1] for line in body if line.startswith("│")]
    columns = ["".join(c[i].strip() for c in cells) for i in range(3)]
    assert columns == ["四川省知识产权工作领导小组办公室", iri, "1.5"]
