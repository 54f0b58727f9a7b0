"""Workload, full graph, co-responsibility, citation and target analytics."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import networkx as nx
import pytest
from graph_samples import sample_results
from pyoxigraph import Store

from policykg.graph import analytics as an
from policykg.graph.store import build_store, open_store

SCIENCE = "https://w3id.org/policykg/id/body/示例市/市科技局"
MARKET = "https://w3id.org/policykg/id/body/示例市/示例市市场监督管理局"


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Store:
    path = tmp_path_factory.mktemp("analytics") / "kg"
    build_store(iter(sample_results()), path)
    return open_store(path)


def test_workload_graph_is_bipartite_with_roles(store: Store) -> None:
    B = an.workload_graph(store)
    kinds = Counter(k for _, k in B.nodes(data="kind"))
    assert kinds == {"department": 4, "task": 3}
    assert nx.is_bipartite(B)
    assert B.edges[MARKET, next(iter(B[MARKET]))]["role"] == "lead"
    task = next(iter(B[MARKET]))
    assert B.nodes[task]["label"] == "加强商标品牌保护"
    assert B.nodes[task]["region"] == "示例市"
    assert all(v is not None for _, attrs in B.nodes(data=True) for v in attrs.values())


def test_department_workload_shares_tasks(store: Store) -> None:
    records = an.department_workload(an.workload_graph(store))
    top = records[0]
    assert top["id"] == SCIENCE
    assert (top["tasks"], top["tasks_led"], top["tasks_support"]) == (3, 0, 1)
    assert top["load"] == pytest.approx(1.5)
    assert top["documents"] == 2 and top["regions"] == "示例市"
    # per-document normalisation: each document hands out a total load of 1
    assert sum(r["load_per_document"] for r in records) == pytest.approx(2.0)
    # ties (load 0.5, one task) are ordered by label, deterministically
    tied = [r["department"] for r in records[1:]]
    assert tied == sorted(tied)


def test_department_workload_breaks_ties_by_tasks() -> None:
    B = nx.Graph()
    B.add_node("d1", kind="department", label="甲")
    B.add_node("d2", kind="department", label="乙")
    for t in ("t1", "t2", "t3"):
        B.add_node(t, kind="task", document="doc")
    B.add_edge("d1", "t1", role="lead")  # load 1, one task
    B.add_edge("d2", "t2", role="support")
    B.add_edge("d2", "t3", role="support")
    B.add_node("d3", kind="department", label="丙")
    B.add_edge("d3", "t2", role="support")
    B.add_edge("d3", "t3", role="support")
    records = an.department_workload(B)
    assert records[-1]["id"] == "d1"
    assert [r["load"] for r in records] == [1.0, 1.0, 1.0]
    assert [r["tasks"] for r in records] == [2, 2, 1]
    assert [r["department"] for r in records[:2]] == sorted(["乙", "丙"])


def test_workload_by_year(store: Store) -> None:
    rows = an.workload_by(an.workload_graph(store), "year")
    science = {r["year"]: r["tasks"] for r in rows if r["id"] == SCIENCE}
    assert science == {2018: 2, 2019: 1}


def test_full_graph_types(store: Store) -> None:
    G = an.full_graph(store)
    kinds = Counter(k for _, k in G.nodes(data="kind"))
    # b.txt names 示例市 without a code; it is merged into a.txt's area/990100
    assert kinds == {"department": 4, "task": 3, "document": 4, "region": 1, "indicator": 2}
    assert "https://w3id.org/policykg/id/area/990100" in G
    edges = Counter(k for *_, k in G.edges(data="kind"))
    assert edges == {
        "responsibility": 6,
        "citation": 4,
        "part_of": 3,
        "jurisdiction": 2,
        "target": 2,
    }
    doc = "https://w3id.org/policykg/id/doc/示政发-2018-12号"
    assert G.nodes[doc]["start"] == "2018-03-01"
    assert G.nodes[doc]["stub"] is False
    for _, attrs in G.nodes(data=True):
        assert attrs["label"]


def test_co_responsibility_matches_networkx_projection(store: Store) -> None:
    B = an.workload_graph(store)
    P = an.co_responsibility_graph(B)
    depts = [n for n, k in B.nodes(data="kind") if k == "department"]
    reference = nx.bipartite.weighted_projected_graph(B, depts)
    assert {frozenset(e) for e in P.edges} == {frozenset(e) for e in reference.edges}
    for u, v, w in reference.edges(data="weight"):
        assert P.edges[u, v]["weight"] == w
    D = an.co_responsibility_graph(B, directed=True)
    assert list(D.edges) == [(MARKET, SCIENCE)]


def test_pagerank_matches_networkx_python_version() -> None:
    G = nx.gnp_random_graph(30, 0.15, seed=3, directed=True)
    mine = an.pagerank(G, weight=None)
    ref = nx.algorithms.link_analysis.pagerank_alg._pagerank_python(G, weight=None, tol=1e-13)
    for n in G:
        assert mine[n] == pytest.approx(ref[n], abs=1e-6)


def test_network_stats_and_bridges() -> None:
    # two triangles joined through one department
    P = nx.Graph()
    P.add_weighted_edges_from(
        [
            ("a", "b", 2),
            ("b", "c", 2),
            ("a", "c", 2),
            ("d", "e", 2),
            ("e", "f", 2),
            ("d", "f", 2),
            ("c", "x", 1),
            ("x", "d", 1),
        ]
    )
    stats = {r["id"]: r for r in an.network_stats(P, seed=7)}
    assert stats["x"]["betweenness"] == max(r["betweenness"] for r in stats.values())
    assert stats["a"]["strength"] == 4.0
    again = {r["id"]: r["community"] for r in an.network_stats(P, seed=7)}
    assert again == {k: r["community"] for k, r in stats.items()}
    assert stats["a"]["community"] == stats["b"]["community"] != stats["e"]["community"]
    membership = an.communities(P, seed=7)
    bridges = an.bridging_departments(P, membership)
    assert bridges and {r["id"] for r in bridges} <= {"c", "x", "d"}
    sampled = an.betweenness(P, exact_threshold=3, k=4, seed=1)
    assert set(sampled) == set(P)


def test_citation_stats_and_diffusion(store: Store) -> None:
    C = an.citation_graph(store)
    assert C.number_of_nodes() == 4 and C.number_of_edges() == 4
    stats = an.citation_stats(C)
    assert stats["types"] == {"basis": 3, "mentions": 1}
    assert len(stats["cycles"]) == 1 and len(stats["cycles"][0]) == 2
    assert stats["self_citations"] == []
    assert sum(r["pagerank"] for r in stats["documents"]) == pytest.approx(1.0, abs=1e-4)
    paths = an.diffusion_paths(C)
    assert paths and all(p["levels"].startswith("national") for p in paths)


def test_target_table(store: Store) -> None:
    rows = an.target_table(store)
    assert [r["indicator"] for r in rows] == ["每万人发明专利拥有量", "知识产权质押融资金额"]
    loan = rows[1]
    assert (loan["value"], loan["value_max"], loan["normalized_value"]) == (1.0, 2.0, 1e8)
    assert loan["area"] == "示例市" and loan["year"] == 2021


def test_workload_from_empty_store(tmp_path: Path) -> None:
    build_store(iter([]), tmp_path / "kg")
    B = an.workload_graph(open_store(tmp_path / "kg"))
    assert an.department_workload(B) == []


@pytest.mark.parametrize("name", an.ANALYSES)
def test_analyze_gives_uniform_records(name: str, store: Store) -> None:
    records = an.analyze(store, name)
    assert records
    keys = set(records[0])
    assert all(set(r) == keys for r in records)


def test_analyze_network_has_participation(store: Store) -> None:
    records = an.analyze(store, "network")
    assert {"degree", "strength", "betweenness", "pagerank", "community", "participation"} <= set(
        records[0]
    )
    with pytest.raises(ValueError, match="unknown analysis"):
        an.analyze(store, "nothing")


@pytest.mark.parametrize("name", an.NETWORKS)
def test_annotated_networks(name: str, store: Store) -> None:
    G = an.annotated_network(store, name)
    assert G.number_of_nodes() > 0 and G.number_of_edges() > 0
    if name in {"workload", "co-responsibility", "full"}:
        assert G.nodes[SCIENCE]["load"] == pytest.approx(1.5)
    if name == "co-responsibility":
        assert "community" in G.nodes[SCIENCE] and "participation" not in G.nodes[MARKET]
    if name == "citation":
        assert all("pagerank" in attrs for _, attrs in G.nodes(data=True))
