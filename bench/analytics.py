"""Analytics: workload ranking, co-responsibility projection, GEXF export, citation PageRank.

Variants, each over the same store built from the generated corpus:

``ours``
    :mod:`policykg.graph.analytics` and :func:`policykg.graph.export.write_gexf`:
    ``department_workload(workload_graph(store))`` (cold, in a fresh process),
    ``co_responsibility_graph``, GEXF of the projection,
    ``pagerank(citation_graph(store))``; then the workload ranking as the
    service answers it: ``GET /api/analytics/workload`` on ``create_app`` over
    the same store, once cold (``workload_api_cold_s``: the analytics cache is
    empty) and then warm (``workload_warm_s``, median of 5: served from the
    cache of the store version).
``naive``
    The same computed the obvious way: pull every quad into Python tuples, count
    responsibilities per body with dicts, ``nx.bipartite.weighted_projected_graph``
    for the projection, ``nx.write_gexf`` for the export, and NetworkX's
    pure-Python PageRank over citation edges taken from the pulled quads.  Its
    ``workload_warm_s`` is a second pull and count (it has no cache).

Times are seconds; speed-ups are naive / ours per round.  The goals get a
verdict only at the data sizes they are stated for (1M triples; the warm
ranking at 10M).
"""

from __future__ import annotations

import statistics
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from bench.datasets import ensure_store
from bench.harness import Benchmark, Column, Limit, Ratio, RunConfig

__all__ = ["BENCHMARK", "GOAL_TRIPLES", "WARM_GOAL_TRIPLES", "naive_workload", "prepare", "run"]

#: the analytics goals are stated at 1M (and 10M) triples ...
GOAL_TRIPLES = 900_000
#: ... and the warm workload ranking at 10M
WARM_GOAL_TRIPLES = 9_000_000
#: the page of the ranking the warm request asks for
_WORKLOAD_URL = "/api/analytics/workload?limit=100"

PKG = "https://w3id.org/policykg/ontology#"
SKOS_PREF = "http://www.w3.org/2004/02/skos/core#prefLabel"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"

BENCHMARK = Benchmark(
    name="analytics",
    title="Analytics (seconds)",
    variants=("ours", "naive"),
    columns=(
        Column("workload_s", "workload cold", "{:.3g}"),
        Column("workload_api_cold_s", "API cold", "{:.3g}"),
        Column("workload_warm_s", "workload warm", "{:.3g}"),
        Column("projection_s", "projection", "{:.3g}"),
        Column("gexf_s", "GEXF export", "{:.3g}"),
        Column("citation_graph_s", "citation graph", "{:.3g}"),
        Column("pagerank_s", "PageRank", "{:.3g}"),
        Column("citation_pagerank_s", "graph+PageRank", "{:.3g}"),
        Column("departments", "departments", "{:,.0f}"),
        Column("projection_edges", "proj. edges", "{:,.0f}"),
        Column("peak_rss_mb", "peak RSS MB", "{:.0f}"),
        Column("load_1m", "load avg", "{:.1f}"),
    ),
    ratios=(
        Ratio("workload ranking (cold): naive / ours", ("naive", "workload_s"),
              ("ours", "workload_s"), goal=1.0, min_triples=GOAL_TRIPLES),
        Ratio("co-responsibility projection: naive / ours", ("naive", "projection_s"),
              ("ours", "projection_s"), goal=1.0, min_triples=GOAL_TRIPLES),
        Ratio("citation graph + PageRank: naive / ours", ("naive", "citation_pagerank_s"),
              ("ours", "citation_pagerank_s"), goal=1.0, min_triples=GOAL_TRIPLES),
        Ratio("GEXF export: naive / ours", ("naive", "gexf_s"), ("ours", "gexf_s"), goal=1.0,
              min_triples=GOAL_TRIPLES),
    ),
    limits=(
        Limit("workload ranking warm through the API's cache, s (goal at 10M triples)",
              ("ours", "workload_warm_s"), 1.0, min_triples=WARM_GOAL_TRIPLES),
    ),
    agree=("departments", "projection_edges", "citation_edges"),
)


def prepare(config: RunConfig) -> dict[str, Any]:
    """The store for the scale."""
    from policykg.graph.store import read_marker

    store = ensure_store(config.work_dir, config.docs, config.seed)
    marker = read_marker(store) or {}
    return {"store": str(store), "triples": marker.get("counts", {}).get("triples")}


def naive_workload(triples: list[tuple[str, str, str]]) -> list[tuple[str, int, int]]:
    """Tasks and tasks led per body from raw triples: ``(label, tasks, led)``, most first."""
    body: dict[str, str] = {}
    task: dict[str, str] = {}
    role: dict[str, str] = {}
    labels: dict[str, str] = {}
    for s, p, o in triples:
        if p == PKG + "responsibleBody":
            body[s] = o
        elif p == PKG + "forTask":
            task[s] = o
        elif p == PKG + "role":
            role[s] = o
        elif p == SKOS_PREF:
            labels.setdefault(s, o)
    tasks: defaultdict[str, set[str]] = defaultdict(set)
    led: defaultdict[str, set[str]] = defaultdict(set)
    for r, b in body.items():
        if r in task:
            tasks[b].add(task[r])
            if role.get(r) == PKG + "LeadRole":
                led[b].add(task[r])
    rows = [(labels.get(b, b), len(ts), len(led[b])) for b, ts in tasks.items()]
    rows.sort(key=lambda row: (-row[1], -row[2], row[0]))
    return rows


def _pull(store: Any) -> list[tuple[str, str, str]]:
    # the naive way: every quad into Python (values of IRIs and literals as plain str)
    return [(q.subject.value, q.predicate.value, q.object.value) for q in store]


def _run_ours(store: Any, out_dir: Path) -> dict[str, float]:
    from policykg.graph.analytics import (
        citation_graph,
        co_responsibility_graph,
        department_workload,
        pagerank,
        workload_graph,
    )
    from policykg.graph.export import write_gexf

    m: dict[str, float] = {}
    t0 = time.perf_counter()
    B = workload_graph(store)
    ranking = department_workload(B)
    m["workload_s"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    P = co_responsibility_graph(B)
    m["projection_s"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    write_gexf(P, out_dir / "ours.gexf")
    m["gexf_s"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    C = citation_graph(store)
    m["citation_graph_s"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    pagerank(C)
    m["pagerank_s"] = time.perf_counter() - t0
    m["citation_pagerank_s"] = m["citation_graph_s"] + m["pagerank_s"]
    m["departments"] = len(ranking)
    m["projection_edges"] = P.number_of_edges()
    m["citation_edges"] = C.number_of_edges()
    return m


def _run_api(store_path: str, departments: int) -> dict[str, float]:
    """The workload ranking through the service: cold, then warm from its cache."""
    import warnings

    from policykg.api.app import create_app
    from policykg.api.settings import Settings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # Starlette's note about the httpx package
        from fastapi.testclient import TestClient

    # thread isolation: the analytics routes never use the query worker processes
    app = create_app(Settings(store=Path(store_path), isolation="thread"))
    m: dict[str, float] = {}
    with TestClient(app) as client:
        t0 = time.perf_counter()
        cold = client.get(_WORKLOAD_URL)
        # a 503 (still computing past the deadline) is retried: cold = until it is served
        while cold.status_code == 503 and time.perf_counter() - t0 < 1800:
            time.sleep(1)
            cold = client.get(_WORKLOAD_URL)
        m["workload_api_cold_s"] = time.perf_counter() - t0
        cold.raise_for_status()
        warm = []
        for _ in range(5):
            t0 = time.perf_counter()
            r = client.get(_WORKLOAD_URL)
            warm.append(time.perf_counter() - t0)
            r.raise_for_status()
            if r.json() != cold.json():
                raise RuntimeError("the cached workload ranking differs from the computed one")
    m["workload_warm_s"] = statistics.median(warm)
    first = cold.json()["items"]
    m["api_departments_page"] = len(first)
    if departments and len(first) != min(departments, 100):
        raise RuntimeError(f"API page has {len(first)} departments, the ranking {departments}")
    return m


def _run_naive(store: Any, out_dir: Path) -> dict[str, float]:
    import networkx as nx

    m: dict[str, float] = {}
    t0 = time.perf_counter()
    triples = _pull(store)
    ranking = naive_workload(triples)
    m["workload_s"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    naive_workload(_pull(store))
    m["workload_warm_s"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    body = {s: o for s, p, o in triples if p == PKG + "responsibleBody"}
    task = {s: o for s, p, o in triples if p == PKG + "forTask"}
    B = nx.Graph()
    departments = set(body.values())
    B.add_nodes_from(departments, bipartite=0)
    B.add_nodes_from(set(task.values()), bipartite=1)
    B.add_edges_from((b, task[r]) for r, b in body.items() if r in task)
    P = nx.bipartite.weighted_projected_graph(B, departments)
    m["projection_s"] = time.perf_counter() - t0
    labels = {s: o for s, p, o in triples if p == SKOS_PREF}
    nx.set_node_attributes(P, {n: labels.get(n, n) for n in P}, "label")
    t0 = time.perf_counter()
    nx.write_gexf(P, out_dir / "naive.gexf")
    m["gexf_s"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    C = _naive_citations(_pull(store))
    nx.algorithms.link_analysis.pagerank_alg._pagerank_python(C)
    m["citation_pagerank_s"] = time.perf_counter() - t0
    m["departments"] = len(ranking)
    m["projection_edges"] = P.number_of_edges()
    m["citation_edges"] = C.number_of_edges()
    m["pulled_triples"] = len(triples)
    kinds = Counter(p for _, p, _ in triples if p == RDF_TYPE)
    m["type_triples"] = sum(kinds.values())
    return m


def _naive_citations(triples: list[tuple[str, str, str]]) -> Any:
    """citing → cited DiGraph (weight = citations) from the citation nodes' triples."""
    import networkx as nx

    citing = {s: o for s, p, o in triples if p == PKG + "citingDocument"}
    cited = {s: o for s, p, o in triples if p == PKG + "citedDocument"}
    C = nx.DiGraph()
    for c, a in citing.items():
        if c in cited:
            b = cited[c]
            w = C.edges[a, b]["weight"] + 1 if C.has_edge(a, b) else 1.0
            C.add_edge(a, b, weight=w)
    return C


def run(variant: str, config: RunConfig, prepared: dict[str, Any]) -> dict[str, float]:
    """Open the store and time the analytics of ``variant``."""
    from policykg.graph.store import open_store

    store = open_store(prepared["store"])
    with tempfile.TemporaryDirectory(prefix="bench-analytics-", dir=config.work_dir) as tmp:
        if variant == "ours":
            m = _run_ours(store, Path(tmp))
            del store  # the service opens the store itself
            m.update(_run_api(prepared["store"], int(m["departments"])))
            return m
        if variant == "naive":
            return _run_naive(store, Path(tmp))
    raise ValueError(f"unknown variant {variant!r}")
