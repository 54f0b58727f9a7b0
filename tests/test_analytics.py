"""Workload, full graph, co-responsibility, citation and target analytics."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import networkx as nx
import pytest
from graph_samples import add_second_labels, sample_results
from pyoxigraph import Literal, NamedNode, Quad, Store

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


# ---------------------------------------------------------------- ranking, topics, groupings


def _dept_graph(
    tasks: dict[str, list[tuple[str, str]]], **task_attrs: dict[str, object]
) -> nx.Graph:
    """A department–task graph: task -> [(department, role)], labels = ids."""
    B = nx.Graph()
    for task, units in tasks.items():
        B.add_node(task, kind="task", document="doc", **task_attrs.get(task, {}))
        for dept, role in units:
            B.add_node(dept, kind="department", label=dept)
            B.add_edge(dept, task, role=role)
    return B


def test_competition_rank_shares_ties_and_skips() -> None:
    records = [{"v": 5}, {"v": 3}, {"v": 3}, {"v": 1}, {"v": 1}, {"v": 0}]
    assert an.competition_rank(records, "v") == [1, 2, 2, 4, 4, 6]
    assert an.competition_rank([], "v") == []


def test_workload_rank_column_with_ties() -> None:
    B = _dept_graph(
        {
            "t1": [("甲", "lead")],
            "t2": [("乙", "lead")],
            "t3": [("丙", "lead"), ("丁", "support")],
            "t4": [("丙", "lead"), ("丁", "support")],
        }
    )
    records = an.department_workload(B)
    assert next(iter(records[0])) == "rank"
    by_name = {r["department"]: r for r in records}
    # loads: 甲 1, 乙 1, 丙 1, 丁 1 (two half tasks each) -> all share rank 1
    assert {r["rank"] for r in records} == {1}
    assert by_name["丁"]["tasks_support"] == 2 and by_name["丙"]["tasks_led"] == 2
    B.add_edge("甲", "t2", role="support")  # 甲 1.5, 乙 0.5
    ranks = {r["department"]: r["rank"] for r in an.department_workload(B)}
    assert ranks == {"甲": 1, "丙": 2, "丁": 2, "乙": 4}


@pytest.mark.parametrize(
    ("title", "topic"),
    [
        ("加强知识产权行政执法", "执法监管"),
        ("创新知识产权金融服务", "财政金融"),
        ("加强组织领导", "组织保障"),
        ("夯实人才队伍基础", "人才培养"),
        ("建设区域性公共服务平台，提供检索分析服务", "公共服务"),
        ("深化农业品牌建设", "产业发展"),
        ("推进对外交流与合作", "交流合作"),
        ("营造良好氛围", "宣传引导"),
        ("创新", "科技创新"),  # the opening word counts when it is the only one
        ("做好其他工作", "其他"),
        (None, "其他"),
    ],
)
def test_task_topic_from_heading(title: str | None, topic: str) -> None:
    assert an.task_topic(title) == topic
    assert topic in an.TASK_TOPICS or topic == "其他"


def test_distinct_topics_per_department() -> None:
    B = _dept_graph(
        {"t1": [("甲", "lead")], "t2": [("甲", "lead")], "t3": [("甲", "support"), ("乙", "lead")]},
        t1={"topic": "执法监管"},
        t2={"topic": "执法监管"},
        t3={"topic": "人才培养"},
    )
    topics = {r["department"]: r["topics"] for r in an.department_workload(B)}
    assert topics == {"甲": 2, "乙": 1}


def test_workload_graph_topics_weights_and_support_role(store: Store) -> None:
    B = an.workload_graph(store)
    for task, attrs in B.nodes(data=True):
        if attrs["kind"] == "task":
            assert attrs["topic"] == an.task_topic(attrs["label"])
            assert attrs["document_tasks"] >= 1
            # bipartite edge weight = the unit's share of the task
            assert sum(B.edges[task, d]["weight"] for d in B[task]) == pytest.approx(1.0)
    records = an.department_workload(B)
    for rec in records:
        weighted = sum(B.edges[rec["id"], t]["weight"] for t in B[rec["id"]])
        assert weighted == pytest.approx(rec["load"], abs=1e-4)
    # the sample marks 市科技局 配合 on one task: pkg:SupportRole is counted
    science = next(r for r in records if r["department"] == "市科技局")
    assert science["tasks_support"] == 1
    roles = {role for *_, role in B.edges(data="role")}
    assert roles == {"lead", "support", "responsible"}


@pytest.mark.parametrize("key", an.WORKLOAD_GROUPS)
def test_workload_by_groups_add_up(store: Store, key: str) -> None:
    B = an.workload_graph(store)
    total = {r["id"]: r for r in an.department_workload(B)}
    rows = an.workload_by(B, key)
    assert rows and all(set(r) == set(rows[0]) for r in rows)
    load: Counter[str] = Counter()
    tasks: Counter[str] = Counter()
    for r in rows:
        load[r["id"]] += r["load"]
        tasks[r["id"]] += r["tasks"]
    for dept, rec in total.items():
        assert load[dept] == pytest.approx(rec["load"], abs=1e-3)
        assert tasks[dept] == rec["tasks"]
    groups: dict[object, list[int]] = {}
    for r in rows:
        groups.setdefault(r[key], []).append(r["rank"])
    assert all(ranks[0] == 1 and ranks == sorted(ranks) for ranks in groups.values())
    if key == "document":
        assert all(r["document_id"].startswith("https://") for r in rows)
    with pytest.raises(ValueError, match="unknown grouping"):
        an.workload_by(B, "colour")


def test_restrict_tasks_keeps_every_unit_of_a_kept_task(store: Store) -> None:
    B = an.workload_graph(store)
    year = an.workload_by(B, "year")[0]["year"]
    R = an.restrict_tasks(B, year=year)
    tasks = [n for n, k in R.nodes(data="kind") if k == "task"]
    assert tasks and all(R.degree(t) == B.degree(t) for t in tasks)
    assert an.restrict_tasks(B, region="别处").number_of_nodes() == 0
    assert an.restrict_tasks(B) is B
    support = an.department_workload(B, role="support")
    assert [r["department"] for r in support] == ["市科技局"]


def test_labels_are_chosen_once_whatever_the_store_holds(tmp_path: Path) -> None:
    path = tmp_path / "kg"
    build_store(iter(sample_results()), path)
    before_targets = an.target_table(open_store(path))
    before_workload = an.department_workload(an.workload_graph(open_store(path)))
    assert add_second_labels(path) > 0
    store = open_store(path)
    after_targets = an.target_table(store)
    assert len(after_targets) == len(before_targets)
    # Chinese, then shortest: the original label, not its added variant
    assert [r["indicator"] for r in after_targets] == [r["indicator"] for r in before_targets]
    after = an.department_workload(an.workload_graph(store))
    assert [(r["department"], r["load"]) for r in after] == [
        (r["department"], r["load"]) for r in before_workload
    ]
    assert len(an.analyze(store, "citations")) == len(an.citation_graph(store))


# ---------------------------------------------------------------- network


def test_eigenvector_matches_networkx_on_a_connected_graph() -> None:
    G = nx.karate_club_graph()
    mine = an.eigenvector(G, weight=None)
    ref = nx.eigenvector_centrality(G, max_iter=1000, tol=1e-10)
    for n in G:
        assert mine[n] == pytest.approx(ref[n], abs=1e-5)


def test_eigenvector_per_component_and_isolates() -> None:
    G = nx.Graph()
    G.add_weighted_edges_from([("a", "b", 2), ("b", "c", 2), ("x", "y", 1)])
    G.add_node("z")
    eig = an.eigenvector(G)
    assert eig["z"] == 0.0
    assert all(eig[n] > 0 for n in "abcxy")  # not only the leading component
    assert eig["b"] > eig["a"] == pytest.approx(eig["c"])
    assert sum(v * v for v in eig.values()) == pytest.approx(1.0)
    # a bipartite component (power iteration on A alone would oscillate)
    star = an.eigenvector(nx.star_graph(4))
    assert star[0] == max(star.values())
    assert an.eigenvector(nx.Graph()) == {}


def test_directed_network_and_edge_kinds(store: Store) -> None:
    B = an.workload_graph(store)
    P = an.co_responsibility_graph(B)
    assert {k for *_, k in P.edges(data="kind")} == {"co_responsibility"}
    D = an.co_responsibility_graph(B, directed=True)
    assert D.is_directed() and {k for *_, k in D.edges(data="kind")} == {"lead_support"}
    for u, v in D.edges:  # u leads a task v works on
        shared = set(B[u]) & set(B[v])
        assert any(B.edges[u, t]["role"] == "lead" for t in shared)
    stats = {r["id"]: r for r in an.network_stats(D)}
    market = next(r for r in stats.values() if r["department"] == "示例市市场监督管理局")
    assert market["out_strength"] == 1.0 and market["in_strength"] == 0.0
    assert all({"eigenvector", "community", "pagerank"} <= set(r) for r in stats.values())
    records = an.analyze(store, "network", directed=True)
    assert records and "out_strength" in records[0]
    G = an.annotated_network(store, "co-responsibility", directed=True)
    assert G.is_directed() and "eigenvector" in G.nodes[market["id"]]
    assert all("start" in a for *_, a in G.edges(data=True))


def test_network_parts(store: Store) -> None:
    for part in an.ANALYSIS_PARTS["network"]:
        records = an.analyze(store, "network", part=part)
        assert all(set(r) == set(records[0]) for r in records)
    communities = an.analyze(store, "network", part="communities")
    departments = an.analyze(store, "network")
    assert sum(c["size"] for c in communities) == len(departments)
    edges = an.analyze(store, "network", part="edges")
    assert edges[0]["weight"] == max(e["weight"] for e in edges)
    with pytest.raises(ValueError, match="unknown part"):
        an.analyze(store, "network", part="nothing")


def test_bridges_and_community_summary() -> None:
    P = nx.Graph()
    P.add_weighted_edges_from(
        [
            *[("a", "b", 3), ("b", "c", 3), ("a", "c", 3)],
            *[("d", "e", 3), ("e", "f", 3), ("d", "f", 3)],
            ("c", "d", 1),
        ]
    )
    membership = an.communities(P, seed=3)
    assert membership["a"] == membership["b"] != membership["e"]
    summary = {r["community"]: r for r in an.community_summary(P, membership)}
    assert sum(r["size"] for r in summary.values()) == 6
    assert sum(r["external_weight"] for r in summary.values()) == 2.0  # c–d counted both sides
    assert all(r["bridges"] == 1 for r in summary.values())
    bridges = an.bridging_departments(P, membership)
    assert {r["id"] for r in bridges} == {"c", "d"}


def test_projection_is_the_counter_not_networkx(store: Store) -> None:
    # same weights as nx.bipartite.weighted_projected_graph on a random bipartite graph
    B = nx.bipartite.random_graph(40, 60, 0.08, seed=5)
    for n, side in B.nodes(data="bipartite"):
        B.nodes[n]["kind"] = "department" if side == 0 else "task"
    for u, v in B.edges:
        B.edges[u, v]["role"] = "responsible"
    P = an.co_responsibility_graph(B)
    ref = nx.bipartite.weighted_projected_graph(
        B, [n for n in B if B.nodes[n]["kind"] == "department"]
    )
    assert {frozenset(e): w for *e, w in P.edges(data="weight")} == {
        frozenset(e): float(w) for *e, w in ref.edges(data="weight")
    }


# ---------------------------------------------------------------- citations


def _citations() -> nx.DiGraph:
    C = nx.DiGraph()
    levels = {"N": "national", "P": "provincial", "C1": "city", "C2": "city", "S": "city"}
    for n, level in levels.items():
        C.add_node(n, kind="document", label=f"文件{n}", level=an.normalize_level(level))
    for u, v, t in [
        ("P", "N", "basis"),
        ("C1", "P", "implements"),
        ("C2", "C1", "mentions"),
        ("C1", "C2", "mentions"),
        ("S", "S", "mentions"),
        ("C1", "N", "basis"),
    ]:
        C.add_edge(u, v, citation_types=t, weight=1.0, kind="citation")
    return C


def test_citation_parts_on_a_hand_made_network() -> None:
    C = _citations()
    assert C.nodes["P"]["level"] == "province"
    paths = an.citation_records(C, "paths")
    chains = {p["path"] for p in paths}
    assert "文件N→文件P→文件C1→文件C2" in chains  # national → province → city → city
    assert paths[0]["target_level"] == "city" and paths[0]["source_id"] == "N"
    assert all(p["levels"].startswith("national") for p in paths)
    cycles = an.citation_records(C, "cycles")
    assert [c["ids"] for c in cycles] == ["C1;C2"] and cycles[0]["length"] == 2
    assert cycles[0]["documents"] == "文件C1→文件C2→文件C1"
    assert an.citation_records(C, "self-citations") == [
        {"document": "文件S", "id": "S", "citation_types": "mentions"}
    ]
    types = {r["citation_type"]: r for r in an.citation_records(C, "types")}
    assert types["mentions"]["citations"] == 3 and types["basis"]["citing_documents"] == 2
    levels = {
        (r["from_level"], r["to_level"]): r["citations"] for r in an.citation_records(C, "levels")
    }
    assert levels == {
        ("province", "national"): 1,
        ("city", "province"): 1,
        ("city", "national"): 1,
        ("city", "city"): 3,
    }
    with pytest.raises(ValueError, match="unknown citation part"):
        an.citation_records(C, "colours")


def test_citation_levels_from_the_store(store: Store) -> None:
    C = an.citation_graph(store)
    assert {a.get("level") for _, a in C.nodes(data=True)} <= set(an.LEVEL_ORDER) | {None}
    # the national strategy is a stub: its level comes from the citation (pkg:citedLevel)
    stub = next(n for n, a in C.nodes(data=True) if a.get("label") == "国家知识产权战略纲要")
    assert C.nodes[stub]["level"] == "national"
    for part in an.ANALYSIS_PARTS["citations"]:
        records = an.analyze(store, "citations", part=part)
        assert all(set(r) == set(records[0]) for r in records)


# ---------------------------------------------------------------- targets


def test_target_kinds_units_and_pivot() -> None:
    def rec(
        area: str,
        value: float,
        kind: str = "level",
        unit: str = "件",
        year: int = 2025,
        **kw: object,
    ) -> dict[str, object]:
        return {
            "indicator": "发明专利",
            "area": area,
            "year": year,
            "target_kind": kind,
            "value": value,
            "value_max": None,
            "unit": unit,
            "normalized_value": value,
            "base_unit": unit,
            **kw,
        }

    records = [
        rec("甲市", 100),
        rec("乙市", 6, unit="万件", normalized_value=60000.0, base_unit="件"),
        rec("甲市", 20, kind="increase"),
        rec("乙市", 10, kind="growth_rate", unit="%"),
        rec("甲市", 90, year=2020),
        rec("甲市", 1, value_max=2.0, normalized_value=1.0),  # a range: its upper bound counts
    ]
    pivot = an.target_pivot(records)
    assert all(set(r) == set(pivot[0]) for r in pivot)
    rows = {(r["target_kind"], r["unit"], r["year"]): r for r in pivot}
    level = rows[("level", "件", 2025)]
    assert (level["甲市"], level["乙市"], level["areas"]) == (100.0, 60000.0, 2)
    assert rows[("increase", "件", 2025)]["乙市"] is None  # never mixed with levels
    assert rows[("growth_rate", "%", 2025)]["乙市"] == 10.0
    assert rows[("level", "件", 2020)]["甲市"] == 90.0


def test_target_table_kinds_and_base_units(store: Store) -> None:
    rows = an.target_table(store)
    loan = next(r for r in rows if r["indicator"] == "知识产权质押融资金额")
    assert loan["unit"] == "亿元" and loan["base_unit"] == "元" and loan["target_kind"] == "level"
    assert all(r["target_kind"] in {"level", "increase", "decrease", "growth_rate"} for r in rows)
    pivot = an.analyze(store, "targets", part="pivot")
    assert {r["indicator"] for r in pivot} == {r["indicator"] for r in rows}
    assert an.analyze(store, "targets", region="别处") == []


def _distinct_rows(rows: object) -> set[tuple[tuple[str, object], ...]]:
    return {tuple(sorted(r.items())) for r in rows}  # type: ignore[attr-defined]


def test_responsibility_rows_are_those_of_the_single_query(store: Store) -> None:
    # the split form must give exactly the rows of RESPONSIBILITY_QUERY: here
    # with a task and a document given a second title and number in their own
    # graph (combinations), and one task repeated in another graph without them
    g = next(q.graph_name for q in store.quads_for_pattern(None, None, None) if
             q.predicate.value.endswith("responsibleBody"))  # fmt: skip
    copy = Store()
    for quad in store:
        copy.add(quad)
    task = next(q.object for q in copy.quads_for_pattern(None, None, None, g)
                if q.predicate.value.endswith("forTask"))  # fmt: skip
    doc = next(q.object for q in copy.quads_for_pattern(task, None, None, g)
               if q.predicate.value.endswith("is_part_of"))  # fmt: skip
    dcterms, eli = "http://purl.org/dc/terms/", "http://data.europa.eu/eli/ontology#"
    extra = [
        (task, dcterms + "title", "另一标题"),
        (task, eli + "number", "九"),
        (doc, dcterms + "title", "另一文件标题"),
    ]
    for s, p, o in extra:
        copy.add(Quad(s, NamedNode(p), Literal(o), g))
    other = NamedNode("https://w3id.org/policykg/id/file/other")
    for quad in list(copy.quads_for_pattern(None, None, task, g)):
        copy.add(Quad(quad.subject, quad.predicate, quad.object, other))
        for q in copy.quads_for_pattern(quad.subject, None, None, g):
            copy.add(Quad(q.subject, q.predicate, q.object, other))
    for target in (store, copy):
        fast = list(an._responsibility_rows(target))
        assert len(fast) == len(_distinct_rows(fast))
        assert _distinct_rows(fast) == _distinct_rows(an._rows(target, an.RESPONSIBILITY_QUERY))
    assert len(list(an._responsibility_rows(copy))) > len(list(an._responsibility_rows(store)))
