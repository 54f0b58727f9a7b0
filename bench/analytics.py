"""Analytics: workload ranking, co-responsibility projection, GEXF export, citation PageRank.

Variants, each over the same store built from the generated corpus:

``ours``
    :mod:`policykg.graph.analytics` and :func:`policykg.graph.export.write_gexf`:
    ``department_workload(workload_graph(store))`` (cold, then warm: the second
    call in the same process), ``co_responsibility_graph``, GEXF of the
    projection, ``pagerank(citation_graph(store))``.
``naive``
    The same computed the obvious way: pull every quad into Python tuples, count
    responsibilities per body with dicts, ``nx.bipartite.weighted_projected_graph``
    for the projection and ``nx.write_gexf`` for the export.

Times are seconds; speed-ups are naive / ours per round.
"""

from __future__ import annotations

import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from bench.datasets import ensure_store
from bench.harness import Benchmark, Column, Limit, Ratio, RunConfig

__all__ = ["BENCHMARK", "naive_workload", "prepare", "run"]

PKG = "https://w3id.org/policykg/ontology#"
SKOS_PREF = "http://www.w3.org/2004/02/skos/core#prefLabel"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"

BENCHMARK = Benchmark(
    name="analytics",
    title="Analytics (seconds)",
    variants=("ours", "naive"),
    columns=(
        Column("workload_s", "workload cold", "{:.3g}"),
        Column("workload_warm_s", "workload warm", "{:.3g}"),
        Column("projection_s", "projection", "{:.3g}"),
        Column("gexf_s", "GEXF export", "{:.3g}"),
        Column("citation_graph_s", "citation graph", "{:.3g}"),
        Column("pagerank_s", "PageRank", "{:.3g}"),
        Column("departments", "departments", "{:,.0f}"),
        Column("projection_edges", "proj. edges", "{:,.0f}"),
        Column("peak_rss_mb", "peak RSS MB", "{:.0f}"),
    ),
    ratios=(
        Ratio("workload ranking (cold): naive / ours", ("naive", "workload_s"),
              ("ours", "workload_s"), goal=1.0),
        Ratio("co-responsibility projection: naive / ours", ("naive", "projection_s"),
              ("ours", "projection_s"), goal=1.0),
        Ratio("GEXF export: naive / ours", ("naive", "gexf_s"), ("ours", "gexf_s"), goal=1.0),
    ),
    limits=(
        Limit("workload ranking warm, s (goal stated at 10M triples)",
              ("ours", "workload_warm_s"), 1.0),
    ),
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
    department_workload(workload_graph(store))
    m["workload_warm_s"] = time.perf_counter() - t0
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
    m["departments"] = len(ranking)
    m["projection_edges"] = P.number_of_edges()
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
    m["departments"] = len(ranking)
    m["projection_edges"] = P.number_of_edges()
    m["pulled_triples"] = len(triples)
    kinds = Counter(p for _, p, _ in triples if p == RDF_TYPE)
    m["type_triples"] = sum(kinds.values())
    return m


def run(variant: str, config: RunConfig, prepared: dict[str, Any]) -> dict[str, float]:
    """Open the store and time the analytics of ``variant``."""
    from policykg.graph.store import open_store

    store = open_store(prepared["store"])
    with tempfile.TemporaryDirectory(prefix="bench-analytics-", dir=config.work_dir) as tmp:
        if variant == "ours":
            return _run_ours(store, Path(tmp))
        if variant == "naive":
            return _run_naive(store, Path(tmp))
    raise ValueError(f"unknown variant {variant!r}")
