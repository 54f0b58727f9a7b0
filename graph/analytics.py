"""Graph analytics over a policykg store, NetworkX style.

Graphs are built from the store with one SPARQL query each (the store does the
joins); the analyses are plain functions of a NetworkX graph.  Node ids are the
resources' IRIs; every node has ``kind`` and ``label``.  Attributes are only set
when known (never ``None``), so any graph here can be exported as is.

Heavy steps avoid NetworkX's generic helpers where those are slow (performance
notes §4): the co-responsibility projection counts department pairs per task
with a :class:`collections.Counter` (×17–×40 faster than
``nx.bipartite.weighted_projected_graph``, same weights), betweenness is exact
only below a size threshold and ``k``-sampled above it, and PageRank is a
sparse power iteration in pure Python (no SciPy needed).
"""

from __future__ import annotations

import itertools
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from typing import Any

import networkx as nx
from pyoxigraph import Literal, NamedNode, QuerySolutions, Store

from policykg.graph.namespaces import NS

__all__ = [
    "ANALYSES",
    "NETWORKS",
    "ROLE_RANK",
    "analyze",
    "annotated_network",
    "betweenness",
    "bridging_departments",
    "citation_graph",
    "citation_stats",
    "co_responsibility_graph",
    "communities",
    "department_workload",
    "diffusion_paths",
    "full_graph",
    "network_stats",
    "pagerank",
    "target_table",
    "workload_by",
    "workload_graph",
]

#: role name -> strength; a body listed twice for one task keeps its strongest role
ROLE_RANK = {"lead": 3, "support": 2, "responsible": 1}
_ROLES = {
    NS["pkg"] + "LeadRole": "lead",
    NS["pkg"] + "SupportRole": "support",
    NS["pkg"] + "ResponsibleRole": "responsible",
}
_CITATION_TYPES = {
    NS["pkg"] + name: name.lower() for name in ("Basis", "Implements", "Produces", "Mentions")
}
LEVEL_ORDER = {"national": 0, "province": 1, "provincial": 1, "city": 2, "county": 3}

# Fact patterns sit inside GRAPH ?g: a file's facts are complete in its own graph, and a
# union-graph join over facts repeated in k files would yield k^patterns rows.  Labels of
# bodies, areas and concepts (default and ontology graphs) are joined in Python from
# REFERENCE_QUERY: an OPTIONAL label lookup on a variable left unbound would match every label.
RESPONSIBILITY_QUERY = """
SELECT DISTINCT ?body ?task ?task_title ?task_number ?doc ?doc_title ?doc_number ?doc_date
       ?doc_area ?role
WHERE {
  GRAPH ?g {
    ?r a pkg:Responsibility ; pkg:responsibleBody ?body ; pkg:forTask ?task .
    OPTIONAL { ?r pkg:role ?role }
    OPTIONAL { ?task dcterms:title ?task_title }
    OPTIONAL { ?task eli:number ?task_number }
    OPTIONAL {
      ?task eli:is_part_of ?doc .
      OPTIONAL { ?doc dcterms:title ?doc_title }
      OPTIONAL { ?doc eli:id_local ?doc_number }
      OPTIONAL { ?doc eli:date_document ?doc_date }
      OPTIONAL { ?doc eli:jurisdiction ?doc_area }
    }
  }
}"""

DOCUMENT_QUERY = """
SELECT DISTINCT ?doc ?title ?number ?date ?stub ?level ?region WHERE {
  GRAPH ?g {
    ?doc a pkg:PolicyDocument .
    OPTIONAL { ?doc dcterms:title ?title }
    OPTIONAL { ?doc eli:id_local ?number }
    OPTIONAL { ?doc eli:date_document ?date }
    OPTIONAL { ?doc pkg:isStub ?stub }
    OPTIONAL { ?doc pkg:regionLevel ?level }
    OPTIONAL { ?doc eli:jurisdiction ?region }
  }
}"""

CITATION_QUERY = """
SELECT DISTINCT ?citation ?citing ?cited ?type ?level WHERE {
  GRAPH ?g {
    ?citation a pkg:Citation ; pkg:citingDocument ?citing ; pkg:citedDocument ?cited .
    OPTIONAL { ?citation pkg:citationType ?type }
    OPTIONAL { ?citation pkg:citedLevel ?level }
  }
}"""

TARGET_QUERY = """
SELECT DISTINCT ?target ?indicator ?area ?value ?value_max ?normalized ?unit_concept ?year
       ?inferred ?comparator_concept ?doc ?doc_title ?metric WHERE {
  GRAPH ?g {
    ?target a pkg:Target ; pkg:indicator ?indicator ; pkg:targetValue ?value .
    OPTIONAL { ?target sdmx-dimension:refArea ?area }
    OPTIONAL { ?target pkg:targetValueMax ?value_max }
    OPTIONAL { ?target pkg:normalizedValue ?normalized }
    OPTIONAL { ?target sdmx-attribute:unitMeasure ?unit_concept }
    OPTIONAL { ?target pkg:targetYear ?year }
    OPTIONAL { ?target pkg:yearInferred ?inferred }
    OPTIONAL { ?target pkg:comparator ?comparator_concept }
    OPTIONAL { ?target pkg:metricAsWritten ?metric }
    OPTIONAL { ?target pkg:setBy ?doc OPTIONAL { ?doc dcterms:title ?doc_title } }
  }
}"""

REFERENCE_QUERY = """
SELECT ?s ?p ?o WHERE {
  VALUES ?p { skos:prefLabel skos:notation pkg:inArea pkg:regionLevel }
  ?s ?p ?o
}"""


class _Reference:
    """Labels, notations, areas of bodies and levels of areas, keyed by IRI."""

    def __init__(self, store: Store) -> None:
        self.labels: dict[str, str] = {}
        self.notations: dict[str, str] = {}
        self.in_area: dict[str, str] = {}
        self.levels: dict[str, str] = {}
        zh: set[str] = set()
        solutions = store.query(REFERENCE_QUERY, prefixes=NS, use_default_graph_as_union=True)
        assert isinstance(solutions, QuerySolutions)
        for row in solutions:
            s, p, o = row["s"].value, row["p"].value, row["o"]
            if p.endswith("#prefLabel"):
                # Chinese labels win over English ones (ontology concepts carry both)
                if s not in zh and (s not in self.labels or getattr(o, "language", "") == "zh"):
                    self.labels[s] = o.value
                    if getattr(o, "language", "") == "zh":
                        zh.add(s)
            elif p.endswith("#notation"):
                self.notations[s] = o.value
            elif p.endswith("#inArea"):
                self.in_area[s] = o.value
            else:
                self.levels.setdefault(s, o.value)

    def label(self, iri: str | None) -> str | None:
        return self.labels.get(iri) if iri else None


# ---------------------------------------------------------------- store access


def _value(term: object) -> Any:
    if term is None:
        return None
    if isinstance(term, NamedNode):
        return term.value
    if isinstance(term, Literal):
        dtype = term.datatype.value
        if dtype.endswith(("#integer", "#gYear", "#positiveInteger", "#nonNegativeInteger")):
            try:
                return int(term.value)
            except ValueError:
                return term.value
        if dtype.endswith(("#decimal", "#double", "#float")):
            return float(term.value)
        if dtype.endswith("#boolean"):
            return term.value in {"true", "1"}
        return term.value
    return str(term)


def _rows(store: Store, query: str) -> Iterator[dict[str, Any]]:
    """Solutions of a SELECT over the union of graphs, as dicts of plain values."""
    solutions = store.query(query, prefixes=NS, use_default_graph_as_union=True)
    assert isinstance(solutions, QuerySolutions)
    names = [v.value for v in solutions.variables]
    for solution in solutions:
        yield {name: _value(solution[name]) for name in names}


def _set(attrs: dict[str, Any], **values: Any) -> None:
    """Set attributes that are known; first value wins (union rows may repeat)."""
    for key, value in values.items():
        if value is not None and value != "" and key not in attrs:
            attrs[key] = value


def _doc_label(title: str | None, number: str | None, iri: str) -> str:
    return title or number or iri.rsplit("/", 1)[-1]


# ---------------------------------------------------------------- workload


def workload_graph(store: Store) -> nx.Graph:
    """Bipartite department–task graph of all responsibilities in ``store``.

    Parameters
    ----------
    store : pyoxigraph.Store
        A policykg store (see :func:`policykg.graph.store.open_store`).

    Returns
    -------
    networkx.Graph
        Department nodes (``kind="department"``, ``bipartite=0``, ``label``,
        ``region``) and task nodes (``kind="task"``, ``bipartite=1``, ``label``,
        ``number``, ``document``, ``document_label``, ``region``, ``date``); one edge
        per responsibility with its ``role`` (``lead``, ``support`` or ``responsible``).

    Notes
    -----
    One SPARQL query over the union of all graphs.  A body listed twice for one
    task keeps its strongest role (lead > support > responsible).
    """
    G = nx.Graph()
    ref = _Reference(store)
    for row in _rows(store, RESPONSIBILITY_QUERY):
        body, task = row["body"], row["task"]
        if body not in G:
            G.add_node(body, kind="department", bipartite=0)
        _set(G.nodes[body], label=ref.label(body), region=ref.label(ref.in_area.get(body)))
        if task not in G:
            G.add_node(task, kind="task", bipartite=1)
        doc = row["doc"]
        _set(
            G.nodes[task],
            label=row["task_title"] or row["task_number"],
            number=row["task_number"],
            document=doc,
            document_label=_doc_label(row["doc_title"], row["doc_number"], doc) if doc else None,
            region=ref.label(row["doc_area"]),
            date=row["doc_date"],
        )
        role = _ROLES.get(row["role"] or "", "responsible")
        if G.has_edge(body, task):
            old = G.edges[body, task]["role"]
            if ROLE_RANK[role] <= ROLE_RANK[old]:
                continue
        G.add_edge(body, task, role=role, kind="responsibility")
    for node, attrs in G.nodes(data=True):
        attrs.setdefault("label", node.rsplit("/", 1)[-1])
    return G


def _departments(G: nx.Graph) -> list[str]:
    return [n for n, kind in G.nodes(data="kind") if kind == "department"]


def department_workload(G: nx.Graph) -> list[dict[str, Any]]:
    """Workload per department from a department–task graph.

    Parameters
    ----------
    G : networkx.Graph
        A graph from :func:`workload_graph`.

    Returns
    -------
    list of dict
        One record per department: ``department`` (label), ``tasks``,
        ``tasks_led``, ``load``, ``documents`` (number of documents its tasks belong
        to), ``regions`` (the documents' regions, joined with ``、``),
        ``tasks_support``, ``load_per_document`` and ``id`` (IRI).  Sorted by ``load``, then
        ``tasks`` (both descending), then label and IRI, so ties have a fixed order.

    Notes
    -----
    ``load`` shares each task among its responsible units: Σ 1/n over the
    department's tasks, where n is the number of units on the task.
    ``load_per_document`` also divides each task's share by the number of tasks of
    its document, so every document hands out a total load of 1 and large plans
    do not dominate.
    """
    tasks_per_doc: Counter[str] = Counter(
        attrs.get("document", "") for _, attrs in G.nodes(data=True) if attrs["kind"] == "task"
    )
    records = []
    for dept in _departments(G):
        attrs = G.nodes[dept]
        load = per_doc = 0.0
        led = support = 0
        documents: set[str] = set()
        regions: set[str] = set()
        for task in G[dept]:
            share = 1.0 / G.degree(task)
            load += share
            task_attrs = G.nodes[task]
            doc = task_attrs.get("document", "")
            per_doc += share / tasks_per_doc[doc]
            if doc:
                documents.add(doc)
            if "region" in task_attrs:
                regions.add(task_attrs["region"])
            role = G.edges[dept, task]["role"]
            led += role == "lead"
            support += role == "support"
        records.append(
            {
                "department": attrs.get("label", dept),
                "tasks": G.degree(dept),
                "tasks_led": led,
                "load": round(load, 4),
                "documents": len(documents),
                "regions": "、".join(sorted(regions)),
                "tasks_support": support,
                "load_per_document": round(per_doc, 4),
                "id": dept,
            }
        )
    records.sort(key=lambda r: (-r["load"], -r["tasks"], r["department"], r["id"]))
    return records


def workload_by(G: nx.Graph, key: str = "region") -> list[dict[str, Any]]:
    """Department workload broken down by a task attribute.

    Parameters
    ----------
    G : networkx.Graph
        A graph from :func:`workload_graph`.
    key : {"region", "document", "document_label", "year"}
        Task attribute to group by; ``year`` is the year of the document's date.

    Returns
    -------
    list of dict
        Records ``department``, ``id``, ``<key>``, ``tasks``, ``tasks_led`` and
        ``load`` (Σ 1/n), sorted by group, then load descending, then label.
    """
    groups: dict[tuple[str, Any], dict[str, Any]] = {}
    for dept in _departments(G):
        for task in G[dept]:
            attrs = G.nodes[task]
            if key == "year":
                date = attrs.get("date")
                group: Any = int(date[:4]) if date else None
            else:
                group = attrs.get(key)
            rec = groups.setdefault(
                (dept, group),
                {
                    "department": G.nodes[dept].get("label", dept),
                    "id": dept,
                    key: group,
                    "tasks": 0,
                    "tasks_led": 0,
                    "load": 0.0,
                },
            )
            rec["tasks"] += 1
            rec["tasks_led"] += G.edges[dept, task]["role"] == "lead"
            rec["load"] += 1.0 / G.degree(task)
    records = list(groups.values())
    for rec in records:
        rec["load"] = round(rec["load"], 4)
    records.sort(key=lambda r: (str(r[key]), -r["load"], r["department"], r["id"]))
    return records


# ---------------------------------------------------------------- full typed graph


def _document_nodes(store: Store, G: nx.Graph) -> None:
    ref = _Reference(store)
    for row in _rows(store, DOCUMENT_QUERY):
        doc = row["doc"]
        if doc not in G:
            G.add_node(doc, kind="document")
        attrs = G.nodes[doc]
        _set(
            attrs,
            label=_doc_label(row["title"], row["number"], doc),
            doc_number=row["number"],
            start=row["date"],
            stub=row["stub"],
            level=row["level"] or ref.levels.get(row["region"] or ""),
            region=ref.label(row["region"]),
        )
        if row["region"]:
            attrs.setdefault("region_id", row["region"])


def full_graph(store: Store) -> nx.MultiDiGraph:
    """Typed graph of departments, tasks, documents, regions and indicators.

    Parameters
    ----------
    store : pyoxigraph.Store
        A policykg store.

    Returns
    -------
    networkx.MultiDiGraph
        Nodes have ``kind`` (department, task, document, region, indicator) and
        ``label``; documents also ``start`` (ISO date, for Gephi's timeline),
        ``doc_number``, ``stub``, ``level`` and ``region``.  Edges have ``kind``:
        ``responsibility`` (department → task, ``role``), ``part_of`` (task →
        document), ``citation`` (document → document, ``citation_type``,
        ``start`` = citing document's date), ``jurisdiction`` (document → region)
        and ``target`` (region → indicator, ``value``, ``unit``, ``year``,
        ``document``).  Every edge has ``weight`` 1; responsibility edges also
        ``start``, the date of the task's document.
    """
    G = nx.MultiDiGraph()
    B = workload_graph(store)
    G.add_nodes_from(B.nodes(data=True))
    for attrs in G.nodes.values():
        attrs.pop("bipartite", None)
    _document_nodes(store, G)
    for dept, task, role in B.edges(data="role"):
        if B.nodes[dept]["kind"] != "department":
            dept, task = task, dept
        edge: dict[str, Any] = {"kind": "responsibility", "role": role, "weight": 1.0}
        _set(edge, start=B.nodes[task].get("date"))
        G.add_edge(dept, task, key="responsibility", **edge)
    for task, attrs in list(G.nodes(data=True)):
        if attrs["kind"] == "task" and attrs.get("document") in G:
            G.add_edge(task, attrs["document"], key="part_of", kind="part_of", weight=1.0)
    for doc, attrs in list(G.nodes(data=True)):
        region = attrs.get("region_id")
        if attrs["kind"] == "document" and region:
            if region not in G:
                G.add_node(region, kind="region", label=attrs.get("region", region))
            G.add_edge(doc, region, key="jurisdiction", kind="jurisdiction", weight=1.0)
    for citing, cited, ctype in _citation_edges(store):
        for node in (citing, cited):
            if node not in G:
                G.add_node(node, kind="document", label=node.rsplit("/", 1)[-1])
        key = f"citation:{ctype}"
        if not G.has_edge(citing, cited, key=key):
            edge = {"kind": "citation", "citation_type": ctype, "weight": 1.0}
            _set(edge, start=G.nodes[citing].get("start"))
            G.add_edge(citing, cited, key=key, **edge)
    for rec in _target_rows(store):
        area, indicator = rec["area"], rec["indicator"]
        if area is None:
            continue
        if area not in G:
            G.add_node(area, kind="region", label=rec["area_label"] or area.rsplit("/", 1)[-1])
        if indicator not in G:
            G.add_node(indicator, kind="indicator", label=rec["indicator_label"] or indicator)
        edge = {"kind": "target", "weight": 1.0, "value": rec["value"]}
        _set(edge, unit=rec["unit"], year=rec["year"], document=rec["doc"])
        G.add_edge(area, indicator, key=rec["target"], **edge)
    for attrs in G.nodes.values():
        attrs.pop("region_id", None)
    return G


# ---------------------------------------------------------------- co-responsibility network


def co_responsibility_graph(B: nx.Graph, directed: bool = False) -> nx.Graph:
    """Departments linked by the tasks they share.

    Parameters
    ----------
    B : networkx.Graph
        A department–task graph from :func:`workload_graph`.
    directed : bool, default False
        If True, return a :class:`networkx.DiGraph` with edges from each task's
        lead unit(s) to the other units on the task only.

    Returns
    -------
    networkx.Graph or networkx.DiGraph
        Department nodes with the attributes of ``B``; edge ``weight`` = number of
        shared tasks.

    Notes
    -----
    A :class:`collections.Counter` over the department pairs of each task, then
    one ``add_weighted_edges_from``: the same weights as
    ``nx.bipartite.weighted_projected_graph`` at a fraction of the time.
    """
    pairs: Counter[tuple[str, str]] = Counter()
    for task, kind in B.nodes(data="kind"):
        if kind != "task":
            continue
        units = sorted(B[task])
        if directed:
            leads = [u for u in units if B.edges[u, task]["role"] == "lead"]
            pairs.update((lead, u) for lead in leads for u in units if u != lead)
        else:
            pairs.update(itertools.combinations(units, 2))
    P: nx.Graph = nx.DiGraph() if directed else nx.Graph()
    P.add_nodes_from((n, dict(B.nodes[n])) for n in _departments(B))
    for attrs in P.nodes.values():
        attrs.pop("bipartite", None)
    P.add_weighted_edges_from((u, v, float(w)) for (u, v), w in pairs.items())
    return P


def betweenness(
    G: nx.Graph, exact_threshold: int = 1000, k: int = 100, seed: int = 1
) -> dict[str, float]:
    """Betweenness centrality: exact for small graphs, ``k``-sampled above the threshold.

    Parameters
    ----------
    G : networkx.Graph
        Any graph; edge ``weight`` is treated as a strength, so paths use
        ``1/weight`` as distance.
    exact_threshold : int, default 1000
        Largest number of nodes for the exact computation.
    k : int, default 100
        Number of source nodes sampled above the threshold.
    seed : int, default 1
        Seed of the sample, for reproducible figures.

    Returns
    -------
    dict
        Node -> normalised betweenness.
    """
    H = G.copy()
    for _, _, attrs in H.edges(data=True):
        attrs["distance"] = 1.0 / attrs.get("weight", 1.0)
    n = H.number_of_nodes()
    sample = None if n <= exact_threshold else min(k, n)
    return dict(nx.betweenness_centrality(H, k=sample, weight="distance", seed=seed))


def pagerank(
    G: nx.Graph,
    alpha: float = 0.85,
    weight: str | None = "weight",
    tol: float = 1e-10,
    max_iter: int = 200,
) -> dict[str, float]:
    """PageRank by sparse power iteration (pure Python; ``nx.pagerank`` needs SciPy).

    Parameters
    ----------
    G : networkx.Graph or networkx.DiGraph
        Undirected graphs are treated as symmetric.
    alpha : float, default 0.85
        Damping factor.
    weight : str or None, default "weight"
        Edge attribute used as weight (1 when missing or None).
    tol, max_iter
        Stop when the L1 change is below ``n * tol`` or after ``max_iter`` rounds.

    Returns
    -------
    dict
        Node -> PageRank; values sum to 1.

    Notes
    -----
    Dangling nodes spread their rank uniformly, as in ``nx.pagerank``.
    """
    nodes = list(G)
    n = len(nodes)
    if n == 0:
        return {}
    out: dict[Any, list[tuple[Any, float]]] = defaultdict(list)
    for u, v, attrs in G.edges(data=True):  # parallel edges add up
        w = float(attrs.get(weight, 1.0)) if weight else 1.0
        out[u].append((v, w))
        if not G.is_directed():
            out[v].append((u, w))
    totals = {u: sum(w for _, w in targets) for u, targets in out.items()}
    rank = dict.fromkeys(nodes, 1.0 / n)
    for _ in range(max_iter):
        dangling = sum(rank[u] for u in nodes if totals.get(u, 0.0) == 0.0)
        base = (1.0 - alpha) / n + alpha * dangling / n
        new = dict.fromkeys(nodes, base)
        for u, targets in out.items():
            if totals[u] == 0.0:
                continue
            share = alpha * rank[u] / totals[u]
            for v, w in targets:
                new[v] += share * w
        delta = sum(abs(new[u] - rank[u]) for u in nodes)
        rank = new
        if delta < n * tol:
            break
    return rank


def communities(G: nx.Graph, seed: int = 1, resolution: float = 1.0) -> dict[str, int]:
    """Louvain communities with a fixed seed.

    Parameters
    ----------
    G : networkx.Graph
        Weighted by ``weight``.
    seed : int, default 1
        Random seed (same seed, same partition).
    resolution : float, default 1.0
        Louvain resolution.

    Returns
    -------
    dict
        Node -> community number; communities are numbered by size (0 = largest),
        ties by their smallest node.
    """
    parts = nx.community.louvain_communities(
        G.to_undirected() if G.is_directed() else G,
        weight="weight",
        seed=seed,
        resolution=resolution,
    )
    ordered = sorted(parts, key=lambda c: (-len(c), min(map(str, c))))
    return {node: i for i, part in enumerate(ordered) for node in part}


def bridging_departments(G: nx.Graph, membership: dict[str, int]) -> list[dict[str, Any]]:
    """Departments whose ties reach into other communities.

    Parameters
    ----------
    G : networkx.Graph
        A co-responsibility graph.
    membership : dict
        Node -> community, e.g. from :func:`communities`.

    Returns
    -------
    list of dict
        ``department``, ``id``, ``community``, ``communities_reached`` and the
        participation coefficient ``participation`` = 1 - Σ_c (s_c / s)², where s_c
        is the weight of the node's edges into community c; only nodes reaching at
        least two communities, highest participation first.
    """
    records = []
    for node in G:
        strengths: Counter[int] = Counter()
        for nbr in G[node]:
            strengths[membership[nbr]] += G.edges[node, nbr].get("weight", 1.0)
        total = sum(strengths.values())
        if len(strengths) < 2 or total == 0:
            continue
        participation = 1.0 - sum((s / total) ** 2 for s in strengths.values())
        records.append(
            {
                "department": G.nodes[node].get("label", node),
                "id": node,
                "community": membership[node],
                "communities_reached": len(strengths),
                "participation": round(participation, 4),
            }
        )
    records.sort(key=lambda r: (-r["participation"], r["department"], r["id"]))
    return records


def network_stats(
    P: nx.Graph, seed: int = 1, exact_threshold: int = 1000, k: int = 100
) -> list[dict[str, Any]]:
    """Centralities and communities of a co-responsibility graph, one record per department.

    Parameters
    ----------
    P : networkx.Graph
        From :func:`co_responsibility_graph`.
    seed : int, default 1
        Seed for Louvain and sampled betweenness.
    exact_threshold, k
        See :func:`betweenness`.

    Returns
    -------
    list of dict
        ``department``, ``id``, ``degree``, ``strength`` (Σ weights),
        ``betweenness``, ``pagerank``, ``community``, sorted by strength, degree
        (descending), label.
    """
    btw = betweenness(P, exact_threshold=exact_threshold, k=k, seed=seed)
    pr = pagerank(P)
    comm = communities(P, seed=seed)
    strength = dict(P.degree(weight="weight"))
    records = [
        {
            "department": P.nodes[n].get("label", n),
            "id": n,
            "degree": P.degree(n),
            "strength": float(strength[n]),
            "betweenness": round(btw[n], 6),
            "pagerank": round(pr[n], 6),
            "community": comm[n],
        }
        for n in P
    ]
    records.sort(key=lambda r: (-r["strength"], -r["degree"], r["department"], r["id"]))
    return records


# ---------------------------------------------------------------- citation network


def _citation_edges(store: Store) -> Iterable[tuple[str, str, str]]:
    seen: set[tuple[str, str, str]] = set()
    for row in _rows(store, CITATION_QUERY):
        edge = (row["citing"], row["cited"], _CITATION_TYPES.get(row["type"] or "", "mentions"))
        if edge not in seen:
            seen.add(edge)
            yield edge


def citation_graph(store: Store) -> nx.DiGraph:
    """Documents (corpus and stubs) linked by citations.

    Parameters
    ----------
    store : pyoxigraph.Store
        A policykg store.

    Returns
    -------
    networkx.DiGraph
        Document nodes (``kind="document"``, ``label``, ``stub``, ``level``,
        ``region``, ``start`` = ISO date); an edge citing → cited with
        ``citation_types`` (the types joined with ``;``), ``weight`` (number of
        typed citations) and ``start`` (the citing document's date).
    """
    C = nx.DiGraph()
    _document_nodes(store, C)
    for attrs in C.nodes.values():
        attrs.pop("region_id", None)
    for citing, cited, ctype in _citation_edges(store):
        for node in (citing, cited):
            if node not in C:
                C.add_node(node, kind="document", label=node.rsplit("/", 1)[-1])
        if C.has_edge(citing, cited):
            edge = C.edges[citing, cited]
            types = set(edge["citation_types"].split(";")) | {ctype}
            edge["citation_types"] = ";".join(sorted(types))
            edge["weight"] += 1.0
        else:
            new: dict[str, Any] = {"kind": "citation", "citation_types": ctype, "weight": 1.0}
            _set(new, start=C.nodes[citing].get("start"))
            C.add_edge(citing, cited, **new)
    return C


def citation_stats(C: nx.DiGraph) -> dict[str, Any]:
    """Degree, PageRank, types, levels, cycles and self-citations of a citation graph.

    Parameters
    ----------
    C : networkx.DiGraph
        From :func:`citation_graph`.

    Returns
    -------
    dict
        ``documents``: one record per document (``document``, ``id``, ``stub``,
        ``level``, ``in_degree``, ``out_degree``, ``pagerank``), most cited first;
        ``types``: citation type -> count; ``level_links``: ``"<from>→<to>"`` ->
        count of citations between levels; ``self_citations``: documents citing
        themselves; ``cycles``: citation cycles (up to 6 documents) as lists of ids.
    """
    pr = pagerank(C)
    docs = [
        {
            "document": attrs.get("label", n),
            "id": n,
            "stub": bool(attrs.get("stub", False)),
            "level": attrs.get("level", ""),
            "in_degree": C.in_degree(n),
            "out_degree": C.out_degree(n),
            "pagerank": round(pr[n], 6),
        }
        for n, attrs in C.nodes(data=True)
    ]
    docs.sort(key=lambda r: (-r["in_degree"], -r["pagerank"], r["document"], r["id"]))
    types: Counter[str] = Counter()
    levels: Counter[str] = Counter()
    for u, v, attrs in C.edges(data=True):
        types.update(attrs["citation_types"].split(";"))
        lu, lv = C.nodes[u].get("level", "?"), C.nodes[v].get("level", "?")
        levels[f"{lu}→{lv}"] += 1
    self_citations = sorted(n for n in C if C.has_edge(n, n))
    H = C.copy()
    H.remove_edges_from(nx.selfloop_edges(H))
    cycles = sorted(
        (sorted(c) for c in nx.simple_cycles(H, length_bound=6)), key=lambda c: (len(c), c)
    )
    return {
        "documents": docs,
        "types": dict(sorted(types.items())),
        "level_links": dict(sorted(levels.items())),
        "self_citations": self_citations,
        "cycles": cycles,
    }


def diffusion_paths(C: nx.DiGraph, max_length: int = 4) -> list[dict[str, Any]]:
    """Paths by which national documents reach lower-level plans through citations.

    Parameters
    ----------
    C : networkx.DiGraph
        From :func:`citation_graph` (edges citing → cited).
    max_length : int, default 4
        Longest path, in citations.

    Returns
    -------
    list of dict
        ``source`` (the national document), ``target`` (the lowest-level document
        on the path), ``levels`` and ``path`` (labels joined with ``→``, from the
        national document down), ``length``; only paths whose levels never go up
        (national → province → city → county), each reversed citation chain once.

    Notes
    -----
    A document's level is its ``level`` attribute; documents without one are not
    used as steps.
    """
    level = {n: LEVEL_ORDER.get(str(a.get("level", "")), -1) for n, a in C.nodes(data=True)}
    R = C.reverse(copy=False)  # cited -> citing: the direction of diffusion
    paths: list[dict[str, Any]] = []

    def walk(path: list[str]) -> None:
        last = path[-1]
        extended = False
        if len(path) <= max_length:
            for nxt in sorted(R[last]):
                if nxt in path or level[nxt] < level[last] or level[nxt] < 0:
                    continue
                extended = True
                walk([*path, nxt])
        if not extended and len(path) > 1:
            paths.append(
                {
                    "source": path[0],
                    "target": path[-1],
                    "length": len(path) - 1,
                    "levels": "→".join(str(C.nodes[n].get("level")) for n in path),
                    "path": "→".join(str(C.nodes[n].get("label", n)) for n in path),
                }
            )

    for node in sorted(C):
        if level[node] == 0:
            walk([node])
    paths.sort(key=lambda p: (-p["length"], p["path"]))
    return paths


# ---------------------------------------------------------------- targets


def _target_rows(store: Store) -> list[dict[str, Any]]:
    ref = _Reference(store)
    seen: dict[str, dict[str, Any]] = {}
    for row in _rows(store, TARGET_QUERY):
        if row["target"] in seen:
            continue
        row["indicator_label"] = ref.label(row["indicator"])
        row["area_label"] = ref.label(row["area"])
        row["unit"] = ref.label(row["unit_concept"])
        row["comparator"] = ref.notations.get(row["comparator_concept"] or "")
        seen[row["target"]] = row
    return list(seen.values())


def target_table(store: Store) -> list[dict[str, Any]]:
    """Targets compared across areas: one record per target, grouped by indicator.

    Parameters
    ----------
    store : pyoxigraph.Store
        A policykg store.

    Returns
    -------
    list of dict
        ``indicator``, ``area``, ``year``, ``value``, ``value_max``, ``unit``,
        ``comparator``, ``normalized_value`` (in base units: the extractor's
        normalised value when known, else the value), ``year_inferred``,
        ``document`` and ``metric`` (as written); sorted by indicator, year, area.
        Missing values are ``None`` (records are pandas-friendly).
    """
    records = []
    for row in _target_rows(store):
        records.append(
            {
                "indicator": row["indicator_label"] or row["indicator"],
                "area": row["area_label"],
                "year": row["year"],
                "value": row["value"],
                "value_max": row["value_max"],
                "unit": row["unit"],
                "comparator": row["comparator"],
                "normalized_value": row["normalized"]
                if row["normalized"] is not None
                else row["value"],
                "year_inferred": bool(row["inferred"]),
                "document": row["doc_title"] or row["doc"],
                "metric": row["metric"],
            }
        )
    records.sort(
        key=lambda r: (r["indicator"], r["year"] or 0, r["area"] or "", -(r["value"] or 0))
    )
    return records


# ---------------------------------------------------------------- one entry point per analysis

NETWORKS = ("workload", "co-responsibility", "citation", "full")
ANALYSES = ("workload", "network", "citations", "targets")


def _annotate_departments(G: nx.Graph, workload: list[dict[str, Any]]) -> None:
    for rec in workload:
        if rec["id"] in G:
            G.nodes[rec["id"]].update(
                tasks=rec["tasks"],
                tasks_led=rec["tasks_led"],
                load=rec["load"],
                documents=rec["documents"],
            )


def annotated_network(store: Store, name: str, seed: int = 1) -> nx.Graph:
    """One of the exportable networks, with analysis results as node attributes.

    Parameters
    ----------
    store : pyoxigraph.Store
        A policykg store.
    name : {"workload", "co-responsibility", "citation", "full"}
        ``workload``: bipartite department–task graph; ``co-responsibility``:
        departments linked by shared tasks; ``citation``: documents and stubs;
        ``full``: the typed graph of :func:`full_graph`.
    seed : int, default 1
        Seed for Louvain and sampled betweenness.

    Returns
    -------
    networkx.Graph
        Departments carry ``tasks``, ``tasks_led``, ``load``, ``documents``; in the
        co-responsibility network also ``degree``, ``strength``, ``betweenness``,
        ``pagerank``, ``community`` and ``participation``; citation-network
        documents carry ``in_degree``, ``out_degree`` and ``pagerank``.
    """
    if name not in NETWORKS:
        raise ValueError(f"unknown network {name!r} (one of {', '.join(NETWORKS)})")
    if name == "citation":
        C = citation_graph(store)
        for rec in citation_stats(C)["documents"]:
            C.nodes[rec["id"]].update(
                in_degree=rec["in_degree"], out_degree=rec["out_degree"], pagerank=rec["pagerank"]
            )
        return C
    if name == "full":
        G: nx.Graph = full_graph(store)
        _annotate_departments(G, department_workload(workload_graph(store)))
        return G
    B = workload_graph(store)
    workload = department_workload(B)
    if name == "workload":
        _annotate_departments(B, workload)
        for u, v, attrs in B.edges(data=True):  # the assigning document's date, for Gephi
            task = v if B.nodes[v]["kind"] == "task" else u
            _set(attrs, start=B.nodes[task].get("date"))
        return B
    P = co_responsibility_graph(B)
    _annotate_departments(P, workload)
    for rec in network_stats(P, seed=seed):
        P.nodes[rec["id"]].update(
            {k: rec[k] for k in ("degree", "strength", "betweenness", "pagerank", "community")}
        )
    membership = {n: P.nodes[n]["community"] for n in P}
    for rec in bridging_departments(P, membership):
        P.nodes[rec["id"]]["participation"] = rec["participation"]
    return P


def analyze(store: Store, name: str, seed: int = 1) -> list[dict[str, Any]]:
    """Records of one analysis, ready for a table, CSV, JSON or ``pandas.DataFrame``.

    Parameters
    ----------
    store : pyoxigraph.Store
        A policykg store.
    name : {"workload", "network", "citations", "targets"}
        ``workload``: :func:`department_workload`; ``network``: :func:`network_stats`
        of the co-responsibility network plus each department's ``participation``
        (0 when it reaches a single community); ``citations``: the per-document
        records of :func:`citation_stats`; ``targets``: :func:`target_table`.
    seed : int, default 1
        Seed for Louvain and sampled betweenness.

    Returns
    -------
    list of dict
        Records with the same keys in every row.
    """
    if name == "workload":
        return department_workload(workload_graph(store))
    if name == "network":
        P = co_responsibility_graph(workload_graph(store))
        records = network_stats(P, seed=seed)
        membership = {r["id"]: r["community"] for r in records}
        bridges = {r["id"]: r["participation"] for r in bridging_departments(P, membership)}
        for rec in records:
            rec["participation"] = bridges.get(rec["id"], 0.0)
        return records
    if name == "citations":
        return list(citation_stats(citation_graph(store))["documents"])
    if name == "targets":
        return target_table(store)
    raise ValueError(f"unknown analysis {name!r} (one of {', '.join(ANALYSES)})")
