"""GEXF 1.3 (validated against the official XSD), GraphML and CSV exports."""

from __future__ import annotations

import csv
from pathlib import Path

import networkx as nx
import pytest
from graph_samples import sample_results
from lxml import etree

from policykg.graph import analytics as an
from policykg.graph.export import (
    GRAPH_FORMATS,
    add_viz,
    write_csv,
    write_gexf,
    write_graph,
    write_graphml,
)
from policykg.graph.store import build_store, open_store

XSD = Path(__file__).parent / "data" / "gexf-1.3" / "gexf.xsd"
GEXF = "{http://gexf.net/1.3}"


@pytest.fixture(scope="module")
def schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(XSD)))


@pytest.fixture(scope="module")
def full(tmp_path_factory: pytest.TempPathFactory) -> nx.MultiDiGraph:
    path = tmp_path_factory.mktemp("export") / "kg"
    build_store(iter(sample_results()), path)
    G = an.full_graph(open_store(path))
    G.graph["store_path"] = str(path)
    return G


def _validate(schema: etree.XMLSchema, path: Path) -> etree._ElementTree:
    doc = etree.parse(str(path))
    assert schema.validate(doc), schema.error_log
    return doc


def test_full_graph_gexf_validates_with_types_and_dates(
    full: nx.MultiDiGraph, schema: etree.XMLSchema, tmp_path: Path
) -> None:
    out = tmp_path / "full.gexf"
    write_gexf(add_viz(full.copy()), out)
    doc = _validate(schema, out)
    graph = doc.find(f"{GEXF}graph")
    assert graph is not None and graph.get("timeformat") == "date"
    assert graph.get("defaultedgetype") == "directed"
    titles = {a.get("title"): a.get("type") for a in doc.iter(f"{GEXF}attribute")}
    assert (
        titles["kind"] == "string" and titles["stub"] == "boolean" and titles["value"] == "double"
    )
    starts = {n.get("start") for n in doc.iter(f"{GEXF}node") if n.get("start")}
    assert starts == {"2018-03-01", "2019-05-06"}
    kinds = {e.get("kind") for e in doc.iter(f"{GEXF}edge")}
    assert {"responsibility", "citation", "part_of", "target"} <= kinds
    assert len(list(doc.iter(f"{GEXF}color"))) == full.number_of_nodes()
    labels = {n.get("label") for n in doc.iter(f"{GEXF}node")}
    assert "市科技局" in labels


def test_awkward_values_never_crash(schema: etree.XMLSchema, tmp_path: Path) -> None:
    G = nx.Graph()
    G.add_node(1, label=None, tags=["a", "b"], score=1, mixed=1, flag=True, start=2017)
    G.add_node('x<&>"', tags={"c"}, score=2.5, mixed="text", note="bad\x01char", nan=float("nan"))
    G.add_edge(1, 'x<&>"', weight=3, kind="", label=None, extra=None)
    out = tmp_path / "awkward.gexf"
    write_gexf(G, out, description="测试 <图>")
    doc = _validate(schema, out)
    types = {a.get("title"): a.get("type") for a in doc.iter(f"{GEXF}attribute")}
    assert types == {
        "tags": "string",
        "score": "double",
        "mixed": "string",
        "flag": "boolean",
        "note": "string",
    }
    graph = doc.find(f"{GEXF}graph")
    assert graph is not None and graph.get("mode") == "static"  # integer start is not a date
    values = {v.get("value") for v in doc.iter(f"{GEXF}attvalue")}
    assert "a;b" in values and "badchar" in values


def test_networkx_writer_output_is_rejected_by_the_schema(
    schema: etree.XMLSchema, tmp_path: Path
) -> None:
    # why we ship our own writer: this must keep failing while networkx writes name=""
    G = nx.path_graph(3)
    out = tmp_path / "nx.gexf"
    nx.write_gexf(G, out, version="1.2draft")
    assert not schema.validate(etree.parse(str(out)))


def test_workload_and_co_responsibility_gexf(
    full: nx.MultiDiGraph, schema: etree.XMLSchema, tmp_path: Path
) -> None:
    B = nx.Graph((u, v, a) for u, v, a in full.edges(data=True) if a["kind"] == "responsibility")
    for n in B:
        B.nodes[n].update(full.nodes[n])
    P = an.co_responsibility_graph(B)
    for n, rec in zip([r["id"] for r in an.network_stats(P)], an.network_stats(P), strict=True):
        P.nodes[n].update(community=rec["community"], strength=rec["strength"])
    out = tmp_path / "co.gexf"
    write_gexf(add_viz(P, size_by="strength"), out)
    doc = _validate(schema, out)
    assert doc.find(f"{GEXF}graph").get("defaultedgetype") == "undirected"
    weights = [float(e.get("weight")) for e in doc.iter(f"{GEXF}edge")]
    assert weights and all(w >= 1 for w in weights)


def test_graphml_round_trip(full: nx.MultiDiGraph, tmp_path: Path) -> None:
    out = tmp_path / "full.graphml"
    write_graphml(full, out)
    back = nx.read_graphml(out)
    assert back.number_of_nodes() == full.number_of_nodes()
    assert back.number_of_edges() == full.number_of_edges()


def test_csv_tables(full: nx.MultiDiGraph, tmp_path: Path) -> None:
    nodes, edges = tmp_path / "nodes.csv", tmp_path / "edges.csv"
    write_csv(full, nodes, edges)
    with open(nodes, encoding="utf-8") as fh:
        node_rows = list(csv.DictReader(fh))
    with open(edges, encoding="utf-8") as fh:
        edge_rows = list(csv.DictReader(fh))
    assert len(node_rows) == full.number_of_nodes()
    assert len(edge_rows) == full.number_of_edges()
    assert {"Id", "Label", "kind"} <= set(node_rows[0])
    assert {"Source", "Target", "Type", "kind"} <= set(edge_rows[0])


@pytest.mark.parametrize("name", an.NETWORKS)
@pytest.mark.parametrize("fmt", GRAPH_FORMATS)
def test_every_network_in_every_format(
    name: str, fmt: str, full: nx.MultiDiGraph, schema: etree.XMLSchema, tmp_path: Path
) -> None:
    store = open_store(full.graph["store_path"])
    G = an.annotated_network(store, name)
    files = write_graph(G, tmp_path / f"{name}.{fmt}", fmt)
    assert all(f.stat().st_size > 0 for f in files)
    if fmt == "gexf":
        doc = _validate(schema, files[0])
        assert len(list(doc.iter(f"{GEXF}size"))) == G.number_of_nodes()
    elif fmt == "graphml":
        assert nx.read_graphml(files[0]).number_of_nodes() == G.number_of_nodes()
    else:
        assert [f.name for f in files] == [f"{name}_nodes.csv", f"{name}_edges.csv"]


def test_unknown_graph_format(full: nx.MultiDiGraph, tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        write_graph(full, tmp_path / "x", "dot")


def test_graphml_and_csv_survive_control_characters(tmp_path: Path) -> None:
    G = nx.MultiDiGraph()
    G.add_node("a\x01b", label="名\x02称", note="bad\x01char", tags=["x\x0b", None, "y"])
    G.add_node("c", note=None, score=float("nan"), big=2**70)
    G.add_edge("a\x01b", "c", kind="k\x1f", weight=1.0, **{"odd\x03key": "v"})
    out = tmp_path / "ctrl.graphml"
    write_graphml(G, out)
    back = nx.read_graphml(out)
    assert set(back) == {"ab", "c"}
    assert back.nodes["ab"]["note"] == "badchar" and back.nodes["ab"]["tags"] == "x;y"
    assert back.nodes["c"]["big"] == str(2**70)  # no GraphML long holds it
    assert "score" not in back.nodes["c"]
    nodes, edges = tmp_path / "n.csv", tmp_path / "e.csv"
    write_csv(G, nodes, edges)
    text = nodes.read_text(encoding="utf-8") + edges.read_text(encoding="utf-8")
    assert "\x01" not in text and "badchar" in text and "oddkey" in text


def test_gexf_big_integers_and_datetimes(schema: etree.XMLSchema, tmp_path: Path) -> None:
    import datetime as dt

    G = nx.DiGraph()
    G.add_node("a", start=dt.datetime(2018, 3, 1, 12, 30), count=2**64, small=3)
    G.add_node("b", start="2019-05-06T08:00:00", count=1, small=4)
    G.add_node("c", start=dt.date(2020, 1, 2), small=2**63 - 1)
    G.add_edge("a", "b", start="2018-03-01 09:00:00", weight=2)
    out = tmp_path / "times.gexf"
    write_gexf(G, out)
    doc = _validate(schema, out)
    graph = doc.find(f"{GEXF}graph")
    assert graph is not None and graph.get("timeformat") == "date"
    starts = {n.get("id"): n.get("start") for n in doc.iter(f"{GEXF}node")}
    assert starts == {"a": "2018-03-01", "b": "2019-05-06", "c": "2020-01-02"}
    assert next(doc.iter(f"{GEXF}edge")).get("start") == "2018-03-01"
    types = {a.get("title"): a.get("type") for a in doc.iter(f"{GEXF}attribute")}
    assert types == {"count": "string", "small": "long"}
    values = {v.get("value") for v in doc.iter(f"{GEXF}attvalue")}
    assert str(2**64) in values and str(2**63 - 1) in values


def test_co_responsibility_gexf_colours_communities(
    full: nx.MultiDiGraph, schema: etree.XMLSchema, tmp_path: Path
) -> None:
    P = nx.Graph()
    P.add_weighted_edges_from([("a", "b", 2), ("b", "c", 2), ("x", "y", 2)])
    for n in P:
        P.nodes[n].update(kind="department", community=0 if n in "abc" else 1, strength=1.0)
    out = write_graph(P, tmp_path / "p.gexf", "gexf")[0]
    doc = _validate(schema, out)
    colours = {
        n.get("id"): tuple(n.find(f"{GEXF}color").get(k) for k in "rgb")
        for n in doc.iter(f"{GEXF}node")
    }
    assert colours["a"] == colours["b"] == colours["c"] != colours["x"] == colours["y"]
    assert "community" not in P.nodes["a"].get("viz", {})  # the input is not modified
    # the typed graph keeps colours by kind
    store = open_store(full.graph["store_path"])
    doc = _validate(
        schema, write_graph(an.annotated_network(store, "full"), tmp_path / "f.gexf", "gexf")[0]
    )
    by_kind: dict[str, set[tuple[str | None, ...]]] = {}
    titles = {a.get("id"): a.get("title") for a in doc.iter(f"{GEXF}attribute")}
    for n in doc.iter(f"{GEXF}node"):
        kind = next(
            v.get("value") for v in n.iter(f"{GEXF}attvalue") if titles[v.get("for")] == "kind"
        )
        by_kind.setdefault(kind, set()).add(tuple(n.find(f"{GEXF}color").get(k) for k in "rgb"))
    assert all(len(c) == 1 for c in by_kind.values())


@pytest.mark.parametrize("directed", [False, True])
def test_exported_networks_carry_analysis_and_time(
    directed: bool, full: nx.MultiDiGraph, schema: etree.XMLSchema, tmp_path: Path
) -> None:
    store = open_store(full.graph["store_path"])
    P = an.annotated_network(store, "co-responsibility", directed=directed)
    doc = _validate(schema, write_graph(P, tmp_path / "co.gexf", "gexf")[0])
    graph = doc.find(f"{GEXF}graph")
    assert graph.get("defaultedgetype") == ("directed" if directed else "undirected")
    assert graph.get("mode") == "dynamic"  # departments and ties start with their first task
    titles = {a.get("title"): a.get("type") for a in doc.iter(f"{GEXF}attribute")}
    for key in ("rank", "load", "topics", "community", "eigenvector", "pagerank", "strength"):
        assert key in titles
    assert titles["community"] == "long" and titles["load"] == "double"
    kinds = {e.get("kind") for e in doc.iter(f"{GEXF}edge")}
    assert kinds == {"lead_support" if directed else "co_responsibility"}
    C = an.annotated_network(store, "citation")
    doc = _validate(schema, write_graph(C, tmp_path / "cit.gexf", "gexf")[0])
    dated = [n for n in doc.iter(f"{GEXF}node") if n.get("start")]
    assert {n.get("start") for n in dated} == {"2018-03-01", "2019-05-06"}
    B = an.annotated_network(store, "workload")
    weights = {round(w, 4) for *_, w in B.edges(data="weight")}
    assert weights == {0.5}  # each unit's share of its task (every sample task has two)
