"""Graph analytics over a policykg store, NetworkX style.

Graphs are built from the store with one SPARQL query each (the store does the
joins); the analyses are plain functions of a NetworkX graph.  Node ids are the
resources' IRIs; every node has ``kind`` and ``label``.  Attributes are only set
when known (never ``None``), so any graph here can be exported as is.  Queries
do not depend on the shape of IRIs: bodies, areas and concepts are found by
their properties, and labels are chosen in Python (one per resource, Chinese
first), so a resource with several ``skos:prefLabel`` never yields duplicate rows.

Every analysis is also available as records (lists of flat dicts with the same
keys in every row, ``pandas.DataFrame(records)`` ready) through :func:`analyze`.

Heavy steps avoid NetworkX's generic helpers where those are slow (performance
notes §4): the co-responsibility projection counts department pairs per task
with a :class:`collections.Counter` (×17–×40 faster than
``nx.bipartite.weighted_projected_graph``, same weights), betweenness is exact
only below a size threshold and ``k``-sampled above it, and PageRank and
eigenvector centrality are sparse power iterations in pure Python (no SciPy
needed).
"""

from __future__ import annotations

import itertools
import math
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any

import networkx as nx
from pyoxigraph import Literal, NamedNode, QuerySolutions, Store

from policykg.graph.namespaces import NS

__all__ = [
    "ANALYSES",
    "ANALYSIS_PARTS",
    "LEVEL_ORDER",
    "NETWORKS",
    "ROLE_RANK",
    "TASK_TOPICS",
    "WORKLOAD_GROUPS",
    "analyze",
    "annotated_network",
    "betweenness",
    "bridging_departments",
    "citation_graph",
    "citation_records",
    "citation_stats",
    "co_responsibility_graph",
    "communities",
    "community_summary",
    "competition_rank",
    "department_workload",
    "diffusion_paths",
    "eigenvector",
    "full_graph",
    "network_edges",
    "network_stats",
    "normalize_level",
    "pagerank",
    "restrict_tasks",
    "target_pivot",
    "target_table",
    "task_topic",
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
#: administrative level -> depth (national documents are the top of a diffusion path)
LEVEL_ORDER = {"national": 0, "province": 1, "city": 2, "county": 3}
# spellings of the levels found in stores (regionLevel, citedLevel) -> LEVEL_ORDER names
_LEVEL_ALIASES = {
    "national": "national",
    "central": "national",
    "province": "province",
    "provincial": "province",
    "city": "city",
    "prefecture": "city",
    "municipal": "city",
    "county": "county",
    "district": "county",
}

#: general work areas of Chinese government plans -> words that name them in a task heading.
#: Data, not rules: the genre's generic vocabulary (no document's own wording); see
#: :func:`task_topic` for how a heading is assigned one area.
_TOPIC_WORDS = {
    "组织保障": (
        "组织领导 领导小组 组织实施 考核 督查 督导 督促 评估 统筹 "
        "协调机制 联席会议 责任落实 保障措施 工作机制"
    ),
    "制度建设": "制度 机制 管理 法规 条例 规章 法治 法律 规划 政策 标准 规范 改革 试点 体制",
    "执法监管": (
        "执法 监管 监督 打击 查处 整治 侵权 假冒 违法 稽查 检查 "
        "审判 司法 检察 维权 保护 纠纷 仲裁 安全"
    ),
    "财政金融": (
        "金融服务 资金 财政 金融 融资 质押 税收 税费 补贴 补助 奖励 "
        "基金 贷款 保险 投资 资助 信贷 担保"
    ),
    "产业发展": (
        "产业 企业 园区 集群 龙头 品牌 市场主体 经济 贸易 商贸 农业 制造业 服务业 消费 项目"
    ),
    "科技创新": "创新 研发 科技 技术 成果转化 转化 转移 创造 专利 攻关 实验室 孵化",
    "人才培养": "人才 培训 培养 队伍 教育 高校 学科 专家 引智 就业",
    "公共服务": "公共服务 服务 平台 信息 数据 中心 公共 中介 代理 援助 数字化 网络 基础设施",
    "宣传引导": "宣传 宣讲 普及 舆论 文化 媒体 典型 意识 氛围 推广",
    "交流合作": "国际 合作 交流 海外 涉外 境外 对外 协作 开放 一带一路 协同",
}
TASK_TOPICS: dict[str, tuple[str, ...]] = {k: tuple(v.split()) for k, v in _TOPIC_WORDS.items()}
_OTHER_TOPIC = "其他"
_CLAUSE_END = re.compile(r"[，,；;：:。.！!？?（(]")
_TOPIC_RE = re.compile(
    "|".join(
        sorted(
            (re.escape(w) for words in TASK_TOPICS.values() for w in words),
            key=len,
            reverse=True,
        )
    )
)
_TOPIC_OF = {w: topic for topic, words in TASK_TOPICS.items() for w in words}

# Fact patterns sit inside GRAPH ?g: a file's facts are complete in its own graph, and a
# union-graph join over facts repeated in k files would yield k^patterns rows.  Labels of
# bodies, areas and concepts (default and ontology graphs) are joined in Python from
# REFERENCE_QUERY: an OPTIONAL label lookup on a variable left unbound would match every label.
RESPONSIBILITY_QUERY = """
SELECT DISTINCT ?body ?task ?task_title ?task_number ?doc ?doc_title ?doc_number ?doc_label
       ?doc_date
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
      OPTIONAL { ?doc rdfs:label ?doc_label }
      OPTIONAL { ?doc eli:date_document ?doc_date }
      OPTIONAL { ?doc eli:jurisdiction ?doc_area }
    }
  }
}"""

# The same rows, fetched in parts (responsibilities; then each attribute of tasks
# and documents on its own) and joined in Python per graph: the nested OPTIONALs
# above make the engine do ~5× the work, and every row repeats its task's and
# document's strings, each one a read from disk.  See :func:`_responsibility_rows`.
_RESPONSIBILITY_CORE = """
SELECT ?g ?body ?task ?role WHERE {
  GRAPH ?g {
    ?r a pkg:Responsibility ; pkg:responsibleBody ?body ; pkg:forTask ?task .
    OPTIONAL { ?r pkg:role ?role }
  }
}"""
_ATTRIBUTE_QUERY = "SELECT ?g ?s ?o WHERE { GRAPH ?g { ?s %s ?o } }"
_TASK_ATTRIBUTES = (("task_title", "dcterms:title"), ("task_number", "eli:number"))
_DOC_ATTRIBUTES = (
    ("doc_title", "dcterms:title"),
    ("doc_number", "eli:id_local"),
    ("doc_label", "rdfs:label"),
    ("doc_date", "eli:date_document"),
    ("doc_area", "eli:jurisdiction"),
)

DOCUMENT_QUERY = """
SELECT DISTINCT ?doc ?title ?number ?label ?date ?stub ?level ?region WHERE {
  GRAPH ?g {
    ?doc a pkg:PolicyDocument .
    OPTIONAL { ?doc dcterms:title ?title }
    OPTIONAL { ?doc eli:id_local ?number }
    OPTIONAL { ?doc rdfs:label ?label }
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
       ?inferred ?comparator_concept ?doc ?doc_title ?doc_number ?doc_label ?metric WHERE {
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
    OPTIONAL {
      ?target pkg:setBy ?doc
      OPTIONAL { ?doc dcterms:title ?doc_title }
      OPTIONAL { ?doc eli:id_local ?doc_number }
      OPTIONAL { ?doc rdfs:label ?doc_label }
    }
  }
}"""

REFERENCE_QUERY = """
SELECT ?s ?p ?o WHERE {
  VALUES ?p { skos:prefLabel skos:notation pkg:inArea pkg:regionLevel }
  ?s ?p ?o
}"""


class _Reference:
    """Labels, notations, areas of bodies and levels of areas, keyed by IRI.

    A resource with several labels gets one: a Chinese one before others, then
    the shortest, then the first in code-point order, so the choice does not
    depend on the store's iteration order.
    """

    def __init__(self, store: Store) -> None:
        self.labels: dict[str, str] = {}
        self.notations: dict[str, str] = {}
        self.in_area: dict[str, str] = {}
        self.levels: dict[str, str] = {}
        best: dict[str, tuple[int, int, str]] = {}
        solutions = store.query(REFERENCE_QUERY, prefixes=NS, use_default_graph_as_union=True)
        assert isinstance(solutions, QuerySolutions)
        for row in solutions:
            s, p, o = row["s"].value, row["p"].value, row["o"]
            if p.endswith("#prefLabel"):
                lang = getattr(o, "language", None) or ""
                key = (0 if lang.startswith("zh") else 1, len(o.value), o.value)
                if s not in best or key < best[s]:
                    best[s] = key
                    self.labels[s] = o.value
            elif p.endswith("#notation"):
                self.notations.setdefault(s, o.value)
            elif p.endswith("#inArea"):
                self.in_area.setdefault(s, o.value)
            else:
                level = normalize_level(o.value)
                if level is not None:
                    self.levels.setdefault(s, level)

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


def _values_by_subject(
    store: Store, predicate: str
) -> dict[tuple[str, str], list[Any]]:
    """(graph, subject) -> the plain values of ``predicate``, in the store's order."""
    out: defaultdict[tuple[str, str], list[Any]] = defaultdict(list)
    solutions = store.query(_ATTRIBUTE_QUERY % predicate, prefixes=NS)
    assert isinstance(solutions, QuerySolutions)
    for g, subject, obj in solutions:
        values = out[g.value, subject.value]
        value = _value(obj)
        if value not in values:
            values.append(value)
    return out


def _responsibility_rows(store: Store) -> Iterator[dict[str, Any]]:
    """The rows of :data:`RESPONSIBILITY_QUERY`, computed several times faster.

    Same variables, same set of distinct rows (each responsibility with every
    combination of its role, its task's title and number, and the task's
    documents with their title, number, date and area, all from the
    responsibility's own graph; a missing value is ``None``); only the order
    of the rows may differ, as it may between two runs of the query.
    """
    solutions = store.query(_RESPONSIBILITY_CORE, prefixes=NS)
    assert isinstance(solutions, QuerySolutions)
    core = [
        (g.value, body.value, task.value, _value(role))
        for g, body, task, role in solutions
    ]
    task_attrs = [(name, _values_by_subject(store, p)) for name, p in _TASK_ATTRIBUTES]
    parts = _values_by_subject(store, "eli:is_part_of")
    doc_attrs = [(name, _values_by_subject(store, p)) for name, p in _DOC_ATTRIBUTES]
    none: list[Any] = [None]
    doc_cache: dict[tuple[str, str], list[dict[str, Any]]] = {}

    def doc_combinations(g: str, task: str) -> list[dict[str, Any]]:
        docs = parts.get((g, task))
        if not docs:
            return [{"doc": None, **{name: None for name, _ in _DOC_ATTRIBUTES}}]
        out: list[dict[str, Any]] = []
        for doc in docs:
            key = (g, doc)
            if key not in doc_cache:
                lists = [values.get(key) or none for _, values in doc_attrs]
                doc_cache[key] = [
                    {"doc": doc, **dict(zip((n for n, _ in _DOC_ATTRIBUTES), combo, strict=True))}
                    for combo in itertools.product(*lists)
                ]
            out.extend(doc_cache[key])
        return out

    seen: set[tuple[Any, ...]] = set()
    for g, body, task, role in core:
        key = (g, task)
        for title, number in itertools.product(
            *(values.get(key) or none for _, values in task_attrs)
        ):
            for doc in doc_combinations(g, task):
                row = {"body": body, "task": task, "task_title": title,
                       "task_number": number, **doc, "role": role}  # fmt: skip
                signature = tuple(row.values())
                if signature not in seen:  # SELECT DISTINCT (the graph is not projected)
                    seen.add(signature)
                    yield row


def _set(attrs: dict[str, Any], **values: Any) -> None:
    """Set attributes that are known; first value wins (union rows may repeat)."""
    for key, value in values.items():
        if value is not None and value != "" and key not in attrs:
            attrs[key] = value


def _doc_label(title: str | None, number: str | None, iri: str, label: str | None = None) -> str:
    # an untitled document's rdfs:label names its region, date and file
    return title or number or label or iri.rsplit("/", 1)[-1]


def normalize_level(level: object) -> str | None:
    """One name per administrative level: ``provincial`` -> ``province`` and so on.

    Parameters
    ----------
    level : object
        A level as stored (``pkg:regionLevel``, ``pkg:citedLevel``) or an IRI
        ending in one.

    Returns
    -------
    str or None
        One of the keys of :data:`LEVEL_ORDER`, or None when unknown.
    """
    if not isinstance(level, str) or not level:
        return None
    local = re.split(r"[/#]", level)[-1].lower()
    return _LEVEL_ALIASES.get(local)


def competition_rank(
    records: Sequence[dict[str, Any]], key: str | Callable[[dict[str, Any]], Any]
) -> list[int]:
    """Competition ranks ("1, 2, 2, 4") of records already sorted best first.

    Parameters
    ----------
    records : sequence of dict
        Sorted so that the best comes first.
    key : str or callable
        The ranked figure (a record key, or a function of the record); records
        with equal figures share the rank of the first of them, and the next
        figure's rank skips as many places as were shared.

    Returns
    -------
    list of int
        One rank per record, in order.
    """
    get = key if callable(key) else (lambda r: r[key])
    ranks: list[int] = []
    previous: Any = object()
    for i, rec in enumerate(records):
        value = get(rec)
        ranks.append(ranks[-1] if ranks and value == previous else i + 1)
        previous = value
    return ranks


# ---------------------------------------------------------------- workload


def task_topic(title: str | None) -> str:
    """The general work area of a task, read from its heading.

    Parameters
    ----------
    title : str or None
        The task's heading (``dcterms:title``).

    Returns
    -------
    str
        A key of :data:`TASK_TOPICS` (组织保障, 制度建设, 执法监管, 财政金融, 产业发展,
        科技创新, 人才培养, 公共服务, 宣传引导, 交流合作), or ``其他`` when the heading
        names none.

    Notes
    -----
    The store has no section structure above tasks (only ``eli:is_part_of`` the
    document, the task number and its heading), so the topic comes from the
    heading itself, without any new extraction.  Only the heading's first clause
    is read (up to the first ，；：。 or bracket: long sentence-style tasks state
    their subject first).  Task headings are verb–object phrases (加强…执法,
    创新…金融服务), so the first area word *after* the opening word wins (the
    opening word is usually the verb, and 创新/保护 are both verbs and topics);
    an area word at the very start counts only when it is the only one.
    Longer words are matched first (金融服务 before 服务).
    """
    if not title:
        return _OTHER_TOPIC
    clause = _CLAUSE_END.split(title.strip(), maxsplit=1)[0] or title
    matches = [(m.start(), m.group()) for m in _TOPIC_RE.finditer(clause)]
    if not matches:
        return _OTHER_TOPIC
    later = [m for m in matches if m[0] > 0]
    return _TOPIC_OF[(later or matches)[0][1]]


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
        ``number``, ``topic`` (see :func:`task_topic`), ``document``,
        ``document_label``, ``document_tasks`` (tasks of that document), ``region``,
        ``date``); one edge per responsibility
        with its ``role`` (``lead``, ``support`` or ``responsible``), ``kind``
        ``responsibility`` and ``weight`` = the department's share of the task
        (1/n for n units on it, so a department's weighted degree is its load).

    Notes
    -----
    One SPARQL query over the union of all graphs.  A body listed twice for one
    task keeps its strongest role (lead > support > responsible).
    """
    G = nx.Graph()
    ref = _Reference(store)
    for row in _responsibility_rows(store):
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
            document_label=_doc_label(
                row["doc_title"], row["doc_number"], doc, row.get("doc_label")
            )
            if doc
            else None,
            region=ref.label(row["doc_area"]),
            date=row["doc_date"],
        )
        role = _ROLES.get(row["role"] or "", "responsible")
        if G.has_edge(body, task):
            old = G.edges[body, task]["role"]
            if ROLE_RANK[role] <= ROLE_RANK[old]:
                continue
        G.add_edge(body, task, role=role, kind="responsibility")
    sizes = _tasks_per_doc(G)
    for node, attrs in G.nodes(data=True):
        attrs.setdefault("label", node.rsplit("/", 1)[-1])
        if attrs["kind"] == "task":
            attrs["document_tasks"] = sizes[attrs.get("document", "")]
            attrs["topic"] = task_topic(attrs.get("label"))
            share = 1.0 / max(G.degree(node), 1)
            for nbr in G[node]:
                G.edges[node, nbr]["weight"] = share
    return G


def _departments(G: nx.Graph) -> list[str]:
    return [n for n, kind in G.nodes(data="kind") if kind == "department"]


def _year(date: object) -> int | None:
    if isinstance(date, str) and len(date) >= 4 and date[:4].isdigit():
        return int(date[:4])
    return None


def restrict_tasks(
    G: nx.Graph,
    region: str | None = None,
    document: str | None = None,
    year: int | None = None,
    topic: str | None = None,
) -> nx.Graph:
    """The part of a department–task graph about some tasks only.

    Parameters
    ----------
    G : networkx.Graph
        From :func:`workload_graph`.
    region : str, optional
        Keep tasks whose document's region has this label.
    document : str, optional
        Keep tasks of this document (IRI, title or 文号).
    year : int, optional
        Keep tasks of documents dated in this year.
    topic : str, optional
        Keep tasks of this topic (see :func:`task_topic`).

    Returns
    -------
    networkx.Graph
        A copy with the kept tasks and all their departments (every unit of a
        kept task stays, so shares 1/n do not change).
    """
    if region is None and document is None and year is None and topic is None:
        return G

    def wanted(attrs: Mapping[str, Any]) -> bool:
        return (
            (region is None or attrs.get("region") == region)
            and (
                document is None or document in (attrs.get("document"), attrs.get("document_label"))
            )
            and (year is None or _year(attrs.get("date")) == year)
            and (topic is None or attrs.get("topic") == topic)
        )

    tasks = [n for n, a in G.nodes(data=True) if a.get("kind") == "task" and wanted(a)]
    keep = set(tasks)
    for task in tasks:
        keep.update(G.neighbors(task))
    return nx.Graph(G.subgraph(keep))


def _tasks_per_doc(G: nx.Graph) -> Counter[str]:
    return Counter(
        attrs.get("document", "") for _, attrs in G.nodes(data=True) if attrs["kind"] == "task"
    )


def _figures(
    G: nx.Graph, dept: str, tasks: Iterable[str], tasks_per_doc: Mapping[str, int]
) -> dict[str, Any]:
    """Workload figures of one department over some of its tasks."""
    load = per_doc = 0.0
    count = led = support = 0
    documents: set[str] = set()
    regions: set[str] = set()
    topics: set[str] = set()
    for task in tasks:
        count += 1
        share = 1.0 / G.degree(task)
        load += share
        task_attrs = G.nodes[task]
        doc = task_attrs.get("document", "")
        # the document's size as built (a restricted graph may hold only part of it)
        doc_size = task_attrs.get("document_tasks") or tasks_per_doc.get(doc, 1)
        per_doc += share / max(doc_size, 1)
        if doc:
            documents.add(doc)
        if "region" in task_attrs:
            regions.add(task_attrs["region"])
        topics.add(task_attrs.get("topic", _OTHER_TOPIC))
        role = G.edges[dept, task]["role"]
        led += role == "lead"
        support += role == "support"
    return {
        "department": G.nodes[dept].get("label", dept),
        "id": dept,
        "tasks": count,
        "tasks_led": led,
        "tasks_support": support,
        "load": round(load, 4),
        "load_per_document": round(per_doc, 6),
        "documents": len(documents),
        "topics": len(topics),
        "regions": "、".join(sorted(regions)),
    }


def _has_role(G: nx.Graph, dept: str, role: str | None, tasks: Iterable[str]) -> bool:
    return role is None or any(G.edges[dept, t]["role"] == role for t in tasks)


def _rank_by_load(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    records.sort(key=lambda r: (-r["load"], -r["tasks"], r["department"], r["id"]))
    for rank, rec in zip(competition_rank(records, "load"), records, strict=True):
        rec["rank"] = rank
    return [{"rank": r.pop("rank"), **r} for r in records]


def department_workload(G: nx.Graph, role: str | None = None) -> list[dict[str, Any]]:
    """Workload per department from a department–task graph, ranked.

    Parameters
    ----------
    G : networkx.Graph
        A graph from :func:`workload_graph` (or :func:`restrict_tasks`).
    role : {"lead", "support", "responsible"}, optional
        Keep only departments holding this role on at least one task (their
        figures still count all their tasks).

    Returns
    -------
    list of dict
        One record per department: ``rank``, ``department`` (label), ``id``
        (IRI), ``tasks``, ``tasks_led``, ``tasks_support``, ``load``,
        ``load_per_document``, ``documents`` (documents its tasks belong to),
        ``topics`` (distinct task topics, see :func:`task_topic`) and ``regions``
        (the documents' regions, joined with ``、``).

    Notes
    -----
    ``load`` shares each task among its responsible units: Σ 1/n over the
    department's tasks, where n is the number of units on the task.

    ``load_per_document`` normalises per document so that large plans do not
    dominate: each task's share is also divided by the number of tasks of its
    document, so every document hands out a total load of exactly 1 whatever
    its length, and a department's figure is the sum over documents of the
    fraction of that document's work it carries.

    Ranking: by ``load`` (descending); ``rank`` is the competition rank
    ("1, 2, 2, 4"): departments with the same load share the better rank and
    the next load's rank skips the shared places.  Within a tie the order is
    by tasks (descending), then label and IRI, so it is fixed.
    """
    per_doc = _tasks_per_doc(G)
    records = [
        _figures(G, dept, G[dept], per_doc)
        for dept in _departments(G)
        if _has_role(G, dept, role, G[dept])
    ]
    return _rank_by_load(records)


#: task attributes :func:`workload_by` groups by
WORKLOAD_GROUPS = ("region", "document", "year", "topic")


def workload_by(G: nx.Graph, key: str = "region", role: str | None = None) -> list[dict[str, Any]]:
    """Department workload broken down by region, document, year or topic.

    Parameters
    ----------
    G : networkx.Graph
        A graph from :func:`workload_graph`.
    key : {"region", "document", "year", "topic"}
        What to group the tasks by: the region of their document, the document
        (its label; ``document_id`` holds the IRI), the year of the document's
        date, or the task topic (:func:`task_topic`).
    role : {"lead", "support", "responsible"}, optional
        As in :func:`department_workload`, within each group.

    Returns
    -------
    list of dict
        Records ``<key>`` (plus ``document_id`` when grouping by document), then
        the fields of :func:`department_workload`, one per (group, department);
        ``rank`` is the competition rank within the group.  Sorted by group,
        then rank.  Tasks without the attribute form a group of their own
        (``None``).
    """
    if key == "document_label":
        key = "document"
    if key not in WORKLOAD_GROUPS:
        raise ValueError(f"unknown grouping {key!r} (one of {', '.join(WORKLOAD_GROUPS)})")
    per_doc = _tasks_per_doc(G)
    groups: dict[Any, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    labels: dict[Any, Any] = {}
    for dept in _departments(G):
        for task in G[dept]:
            attrs = G.nodes[task]
            if key == "year":
                group: Any = _year(attrs.get("date"))
            else:
                group = attrs.get(key)
            if key == "document":
                labels[group] = attrs.get("document_label", group)
            groups[group][dept].append(task)
    records: list[dict[str, Any]] = []
    for group in sorted(groups, key=lambda g: (g is None, str(labels.get(g, g)))):
        members = groups[group]
        ranked = _rank_by_load(
            [
                _figures(G, dept, tasks, per_doc)
                for dept, tasks in members.items()
                if _has_role(G, dept, role, tasks)
            ]
        )
        for rec in ranked:
            head: dict[str, Any] = {key: labels.get(group, group)}
            if key == "document":
                head["document_id"] = group
            records.append({**head, **rec})
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
            label=_doc_label(row["title"], row["number"], doc, row.get("label")),
            doc_number=row["number"],
            start=row["date"],
            stub=row["stub"],
            level=normalize_level(row["level"]) or ref.levels.get(row["region"] or ""),
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
        if attrs["kind"] == "task":
            _set(attrs, start=attrs.get("date"))
            if attrs.get("document") in G:
                G.add_edge(task, attrs["document"], key="part_of", kind="part_of", weight=1.0)
    for doc, attrs in list(G.nodes(data=True)):
        region = attrs.get("region_id")
        if attrs["kind"] == "document" and region:
            if region not in G:
                G.add_node(region, kind="region", label=attrs.get("region", region))
            G.add_edge(doc, region, key="jurisdiction", kind="jurisdiction", weight=1.0)
    for citing, cited, ctype, level in _citation_edges(store):
        for node in (citing, cited):
            if node not in G:
                G.add_node(node, kind="document", label=node.rsplit("/", 1)[-1])
        if level is not None:
            _set(G.nodes[cited], level=level)
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
        _set(
            edge,
            unit=rec["unit"],
            year=rec["year"],
            document=rec["doc"],
            target_kind=rec["target_kind"],
            start=G.nodes[rec["doc"]].get("start") if rec["doc"] in G else None,
        )
        G.add_edge(area, indicator, key=rec["target"], **edge)
    for attrs in G.nodes.values():
        attrs.pop("region_id", None)
    return G


# ---------------------------------------------------------------- co-responsibility network


def co_responsibility_graph(B: nx.Graph, directed: bool = False, dates: bool = True) -> nx.Graph:
    """Departments linked by the tasks they share.

    Parameters
    ----------
    B : networkx.Graph
        A department–task graph from :func:`workload_graph`.
    directed : bool, default False
        If True, return a :class:`networkx.DiGraph` with edges from each task's
        lead unit(s) to the other units on the task only.
    dates : bool, default True
        Set the ``start`` dates below (about half the projection's time on large
        graphs; the analyses do without them).

    Returns
    -------
    networkx.Graph or networkx.DiGraph
        Department nodes with the attributes of ``B`` and ``start`` (the date of
        their first task's document); edge ``weight`` = number of shared tasks,
        ``kind`` = ``co_responsibility`` (undirected) or ``lead_support``
        (directed: lead → the other units of its tasks) and ``start`` (the date
        of the first shared task's document), so Gephi's timeline shows the
        network growing.

    Notes
    -----
    A :class:`collections.Counter` over the department pairs of each task, then
    one ``add_edges_from``: the same weights as
    ``nx.bipartite.weighted_projected_graph`` at a fraction of the time.
    """
    pairs: Counter[tuple[str, str]] = Counter()
    first: dict[tuple[str, str], str] = {}  # earliest date of a shared task, for Gephi
    first_task: dict[str, str] = {}
    tasks = [(n, a.get("date")) for n, a in B.nodes(data=True) if a["kind"] == "task"]
    # latest first, so each dict.update (C speed) leaves the earliest date in place
    tasks.sort(key=lambda t: t[1] if isinstance(t[1], str) else "", reverse=True)
    for task, date in tasks:
        units = sorted(B[task])
        if directed:
            leads = [u for u in units if B.edges[u, task]["role"] == "lead"]
            found = [(lead, u) for lead in leads for u in units if u != lead]
        else:
            found = list(itertools.combinations(units, 2))
        pairs.update(found)
        if dates and isinstance(date, str):
            first.update(dict.fromkeys(found, date))
            first_task.update(dict.fromkeys(units, date))
    P: nx.Graph = nx.DiGraph() if directed else nx.Graph()
    P.add_nodes_from((n, dict(B.nodes[n])) for n in _departments(B))
    for node, attrs in P.nodes(data=True):
        attrs.pop("bipartite", None)
        _set(attrs, start=first_task.get(node))
    kind = "lead_support" if directed else "co_responsibility"
    P.add_edges_from(
        (
            u,
            v,
            {
                "weight": float(w),
                "kind": kind,
                **({"start": first[u, v]} if (u, v) in first else {}),
            },
        )
        for (u, v), w in pairs.items()
    )
    return P


def _undirected(G: nx.Graph) -> nx.Graph:
    """An undirected copy whose edge weights add up over both directions."""
    if not G.is_directed():
        return G
    U = nx.Graph()
    U.add_nodes_from(G.nodes(data=True))
    for u, v, w in G.edges(data="weight", default=1.0):
        if U.has_edge(u, v):
            U.edges[u, v]["weight"] += float(w)
        else:
            U.add_edge(u, v, weight=float(w))
    return U


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


def eigenvector(
    G: nx.Graph, weight: str | None = "weight", tol: float = 1e-10, max_iter: int = 1000
) -> dict[str, float]:
    """Eigenvector centrality, per connected component (disconnected graphs are fine).

    Parameters
    ----------
    G : networkx.Graph or networkx.DiGraph
        A directed graph is read as undirected (weights of both directions
        added): on a lead → support graph most departments would otherwise
        have no incoming path and a centrality of 0.
    weight : str or None, default "weight"
        Edge attribute used as weight (1 when missing or None).
    tol, max_iter
        Power iteration stops when the L1 change is below ``n * tol`` or after
        ``max_iter`` rounds (the last vector is returned, never an exception).

    Returns
    -------
    dict
        Node -> centrality in [0, 1].

    Notes
    -----
    The leading eigenvector of a disconnected graph lives on one component
    only, so it would give every other department 0.  Instead each component
    of two or more nodes gets its own leading eigenvector (power iteration on
    A + I, which converges on bipartite components too, as in
    ``nx.eigenvector_centrality``), scaled to unit Euclidean norm and then by
    sqrt(component size / nodes in such components): the whole vector has unit
    norm, a component's share of it is its share of the nodes, and on a
    connected graph the result equals ``nx.eigenvector_centrality``.
    Isolated nodes get 0.
    """
    U = _undirected(G)
    result: dict[str, float] = dict.fromkeys(U, 0.0)
    parts = [c for c in nx.connected_components(U) if len(c) > 1]
    covered = sum(len(c) for c in parts)
    for part in parts:
        nbrs = {
            u: [(v, float(d.get(weight, 1.0)) if weight else 1.0) for v, d in U[u].items()]
            for u in part
        }
        x = dict.fromkeys(part, 1.0 / len(part))
        for _ in range(max_iter):
            new = dict(x)  # the identity term of A + I
            for u, targets in nbrs.items():
                for v, w in targets:
                    new[v] += x[u] * w
            norm = math.sqrt(sum(value * value for value in new.values())) or 1.0
            new = {u: value / norm for u, value in new.items()}
            delta = sum(abs(new[u] - x[u]) for u in part)
            x = new
            if delta < len(part) * tol:
                break
        scale = math.sqrt(len(part) / covered)
        for u, value in x.items():
            result[u] = value * scale
    return result


def communities(G: nx.Graph, seed: int = 1, resolution: float = 1.0) -> dict[str, int]:
    """Louvain communities with a fixed seed.

    Parameters
    ----------
    G : networkx.Graph
        Weighted by ``weight``; a directed graph is read as undirected.
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
        _undirected(G), weight="weight", seed=seed, resolution=resolution
    )
    ordered = sorted(parts, key=lambda c: (-len(c), min(map(str, c))))
    return {node: i for i, part in enumerate(ordered) for node in part}


def bridging_departments(G: nx.Graph, membership: dict[str, int]) -> list[dict[str, Any]]:
    """Departments whose ties reach into other communities.

    Parameters
    ----------
    G : networkx.Graph
        A co-responsibility graph (a directed one is read as undirected).
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
    U = _undirected(G)
    records = []
    for node in U:
        strengths: Counter[int] = Counter()
        for nbr in U[node]:
            strengths[membership[nbr]] += U.edges[node, nbr].get("weight", 1.0)
        total = sum(strengths.values())
        if len(strengths) < 2 or total == 0:
            continue
        participation = 1.0 - sum((s / total) ** 2 for s in strengths.values())
        records.append(
            {
                "department": U.nodes[node].get("label", node),
                "id": node,
                "community": membership[node],
                "communities_reached": len(strengths),
                "participation": round(participation, 4),
            }
        )
    records.sort(key=lambda r: (-r["participation"], r["department"], r["id"]))
    return records


def community_summary(
    G: nx.Graph, membership: dict[str, int], top: int = 5
) -> list[dict[str, Any]]:
    """One record per community: size, strongest members, ties inside and out.

    Parameters
    ----------
    G : networkx.Graph
        A co-responsibility graph.
    membership : dict
        Node -> community, e.g. from :func:`communities`.
    top : int, default 5
        Members named in ``members`` (strongest first).

    Returns
    -------
    list of dict
        ``community``, ``size``, ``members`` (labels joined with ``、``),
        ``internal_weight`` (shared tasks inside), ``external_weight`` (shared
        tasks with other communities) and ``bridges`` (members with ties to
        another community), by community number.
    """
    U = _undirected(G)
    strength = dict(U.degree(weight="weight"))
    members: dict[int, list[str]] = defaultdict(list)
    for node, comm in membership.items():
        if node in U:
            members[comm].append(node)
    internal: Counter[int] = Counter()
    external: Counter[int] = Counter()
    bridges: dict[int, set[str]] = defaultdict(set)
    for u, v, w in U.edges(data="weight", default=1.0):
        cu, cv = membership[u], membership[v]
        if cu == cv:
            internal[cu] += w
        else:
            external[cu] += w
            external[cv] += w
            bridges[cu].add(u)
            bridges[cv].add(v)
    records = []
    for comm in sorted(members):
        nodes = sorted(members[comm], key=lambda n: (-strength[n], str(U.nodes[n].get("label", n))))
        records.append(
            {
                "community": comm,
                "size": len(nodes),
                "members": "、".join(str(U.nodes[n].get("label", n)) for n in nodes[:top]),
                "internal_weight": float(internal[comm]),
                "external_weight": float(external[comm]),
                "bridges": len(bridges[comm]),
            }
        )
    return records


def network_edges(G: nx.Graph) -> list[dict[str, Any]]:
    """Edges of a co-responsibility graph as records, heaviest first.

    Parameters
    ----------
    G : networkx.Graph or networkx.DiGraph
        From :func:`co_responsibility_graph`.

    Returns
    -------
    list of dict
        ``source``, ``target`` (labels), ``source_id``, ``target_id``, ``weight``
        (shared tasks) and ``kind``.
    """
    records = [
        {
            "source": G.nodes[u].get("label", u),
            "target": G.nodes[v].get("label", v),
            "source_id": u,
            "target_id": v,
            "weight": float(attrs.get("weight", 1.0)),
            "kind": attrs.get("kind", "co_responsibility"),
        }
        for u, v, attrs in G.edges(data=True)
    ]
    records.sort(key=lambda r: (-r["weight"], r["source"], r["target"], r["source_id"]))
    return records


def network_stats(
    P: nx.Graph, seed: int = 1, exact_threshold: int = 1000, k: int = 100
) -> list[dict[str, Any]]:
    """Centralities and communities of a co-responsibility graph, one record per department.

    Parameters
    ----------
    P : networkx.Graph or networkx.DiGraph
        From :func:`co_responsibility_graph` (undirected, or the directed lead →
        support variant).
    seed : int, default 1
        Seed for Louvain and sampled betweenness.
    exact_threshold, k
        See :func:`betweenness`.

    Returns
    -------
    list of dict
        ``department``, ``id``, ``degree``, ``strength`` (Σ weights),
        ``betweenness``, ``eigenvector`` (:func:`eigenvector`), ``pagerank``,
        ``community`` (:func:`communities`); for a directed graph also
        ``out_strength`` (tasks it leads with others on them, counted per
        partner) and ``in_strength`` (tasks on which it works under another's
        lead).  Sorted by strength, degree (descending), label.

    Notes
    -----
    On the directed variant betweenness and PageRank follow lead → support
    edges: PageRank then favours departments called on by many well-connected
    leads.  Eigenvector centrality and communities use the undirected reading.
    """
    btw = betweenness(P, exact_threshold=exact_threshold, k=k, seed=seed)
    pr = pagerank(P)
    eig = eigenvector(P)
    comm = communities(P, seed=seed)
    strength = dict(P.degree(weight="weight"))
    directed = P.is_directed()
    records = []
    for n in P:
        rec: dict[str, Any] = {
            "department": P.nodes[n].get("label", n),
            "id": n,
            "degree": P.degree(n),
            "strength": float(strength[n]),
        }
        if directed:
            rec["out_strength"] = float(P.out_degree(n, weight="weight"))
            rec["in_strength"] = float(P.in_degree(n, weight="weight"))
        rec.update(
            betweenness=round(btw[n], 6),
            eigenvector=round(eig[n], 6),
            pagerank=round(pr[n], 6),
            community=comm[n],
        )
        records.append(rec)
    records.sort(key=lambda r: (-r["strength"], -r["degree"], r["department"], r["id"]))
    return records


# ---------------------------------------------------------------- citation network


def _citation_edges(store: Store) -> Iterable[tuple[str, str, str, str | None]]:
    """(citing, cited, type, cited level) once per typed citation link."""
    seen: set[tuple[str, str, str]] = set()
    for row in _rows(store, CITATION_QUERY):
        edge = (row["citing"], row["cited"], _CITATION_TYPES.get(row["type"] or "", "mentions"))
        if edge not in seen:
            seen.add(edge)
            yield (*edge, normalize_level(row["level"]))


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
        ``kind="citation"``, ``citation_types`` (the types joined with ``;``),
        ``weight`` (number of typed citations) and ``start`` (the citing
        document's date).

    Notes
    -----
    Levels are normalised (:func:`normalize_level`); a document without a level
    of its own (most stubs) takes the level its citations infer for it
    (``pkg:citedLevel``).
    """
    C = nx.DiGraph()
    _document_nodes(store, C)
    for attrs in C.nodes.values():
        attrs.pop("region_id", None)
    for citing, cited, ctype, level in _citation_edges(store):
        for node in (citing, cited):
            if node not in C:
                C.add_node(node, kind="document", label=node.rsplit("/", 1)[-1])
        if level is not None:
            _set(C.nodes[cited], level=level)
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
        count of citations between levels (``unknown`` when a level is not
        known); ``self_citations``: documents citing themselves; ``cycles``:
        citation cycles (up to 6 documents, self-citations aside) as lists of ids.
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
        lu = C.nodes[u].get("level", "unknown")
        lv = C.nodes[v].get("level", "unknown")
        levels[f"{lu}→{lv}"] += 1
    self_citations = sorted(n for n in C if C.has_edge(n, n))
    H = C.copy()
    H.remove_edges_from(nx.selfloop_edges(H))
    cycles = sorted(
        (_rotate(c) for c in nx.simple_cycles(H, length_bound=6)), key=lambda c: (len(c), c)
    )
    return {
        "documents": docs,
        "types": dict(sorted(types.items())),
        "level_links": dict(sorted(levels.items())),
        "self_citations": self_citations,
        "cycles": cycles,
    }


def _rotate(cycle: list[str]) -> list[str]:
    """A cycle starting at its smallest node, order of citation kept."""
    i = cycle.index(min(cycle))
    return cycle[i:] + cycle[:i]


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
        ``source`` (the national document's label), ``target`` (label of the
        last document on the path), ``target_level``, ``length``, ``levels`` and
        ``path`` (labels joined with ``→``, from the national document down),
        ``source_id``, ``target_id`` and ``ids`` (the path's IRIs joined with
        ``;``).  Only maximal paths whose levels never go up (national →
        province → city → county), each reversed citation chain once; the ones
        reaching lowest first.

    Notes
    -----
    A document's level is its ``level`` attribute; documents without one are not
    used as steps.
    """
    level = {
        n: LEVEL_ORDER.get(normalize_level(a.get("level")) or "", -1) for n, a in C.nodes(data=True)
    }
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
                    "source": str(C.nodes[path[0]].get("label", path[0])),
                    "target": str(C.nodes[path[-1]].get("label", path[-1])),
                    "target_level": C.nodes[path[-1]].get("level"),
                    "length": len(path) - 1,
                    "levels": "→".join(str(C.nodes[n].get("level")) for n in path),
                    "path": "→".join(str(C.nodes[n].get("label", n)) for n in path),
                    "source_id": path[0],
                    "target_id": path[-1],
                    "ids": ";".join(path),
                }
            )

    for node in sorted(C):
        if level[node] == 0:
            walk([node])
    depth = {n: LEVEL_ORDER.get(str(C.nodes[n].get("level")), -1) for n in C}
    paths.sort(key=lambda p: (-depth[p["target_id"]], -p["length"], p["path"]))
    return paths


def _label(C: nx.Graph, node: str) -> str:
    return str(C.nodes[node].get("label", node))


def citation_records(C: nx.DiGraph, part: str = "documents") -> list[dict[str, Any]]:
    """One part of the citation analysis as records.

    Parameters
    ----------
    C : networkx.DiGraph
        From :func:`citation_graph`.
    part : {"documents", "paths", "cycles", "self_citations", "types", "levels"}
        ``documents``: per-document degrees and PageRank (:func:`citation_stats`);
        ``paths``: :func:`diffusion_paths`; ``cycles``: ``cycle`` number,
        ``length``, ``documents`` (labels joined with ``→``, back to the first)
        and ``ids``; ``self_citations``: ``document``, ``id``,
        ``citation_types``; ``types``: ``citation_type``, ``citations`` (typed
        links), ``citing_documents``; ``levels``: ``from_level``, ``to_level``,
        ``citations`` (links from documents of one level to the other).

    Returns
    -------
    list of dict
        Records with the same keys in every row.
    """
    part = part.replace("-", "_")
    if part == "documents":
        return list(citation_stats(C)["documents"])
    if part == "paths":
        return diffusion_paths(C)
    if part == "cycles":
        return [
            {
                "cycle": i,
                "length": len(cycle),
                "documents": "→".join(_label(C, n) for n in [*cycle, cycle[0]]),
                "ids": ";".join(cycle),
            }
            for i, cycle in enumerate(citation_stats(C)["cycles"], 1)
        ]
    if part == "self_citations":
        return [
            {
                "document": _label(C, n),
                "id": n,
                "citation_types": C.edges[n, n].get("citation_types", ""),
            }
            for n in sorted(C)
            if C.has_edge(n, n)
        ]
    if part == "types":
        links: Counter[str] = Counter()
        citing: dict[str, set[str]] = defaultdict(set)
        for u, _, types in C.edges(data="citation_types", default="mentions"):
            for ctype in str(types).split(";"):
                links[ctype] += 1
                citing[ctype].add(u)
        return [
            {"citation_type": t, "citations": links[t], "citing_documents": len(citing[t])}
            for t in sorted(links, key=lambda t: (-links[t], t))
        ]
    if part == "levels":
        pairs: Counter[tuple[str, str]] = Counter()
        for u, v in C.edges:
            pairs[
                (str(C.nodes[u].get("level", "unknown")), str(C.nodes[v].get("level", "unknown")))
            ] += 1
        order = {**{k: i for k, i in LEVEL_ORDER.items()}, "unknown": len(LEVEL_ORDER)}
        return [
            {"from_level": a, "to_level": b, "citations": n}
            for (a, b), n in sorted(
                pairs.items(), key=lambda item: (order.get(item[0][0], 9), order.get(item[0][1], 9))
            )
        ]
    raise ValueError(
        f"unknown citation part {part!r} (one of {', '.join(ANALYSIS_PARTS['citations'])})"
    )


# ---------------------------------------------------------------- targets

# comparator concepts (by local name) of targets that state a change, not a level
_CHANGE_KINDS = {
    "Increase": "increase",
    "Decrease": "decrease",
    "PercentIncrease": "growth_rate",
    "PercentDecrease": "growth_rate",
}
# Chinese magnitude prefixes of units (万件, 亿元): the normalised value is in the rest
_MAGNITUDES = (("千万", 1e7), ("百万", 1e6), ("十万", 1e5), ("万", 1e4), ("亿", 1e8), ("千", 1e3))


def _target_kind(comparator: str | None) -> str:
    if not comparator:
        return "level"
    return _CHANGE_KINDS.get(re.split(r"[/#]", comparator)[-1], "level")


def _base_unit(unit: str | None, value: float | None, normalized: float | None) -> str | None:
    """The unit of the normalised value: ``万件`` -> ``件`` when normalised ×10⁴."""
    if not unit or value is None or normalized is None or value == 0:
        return unit
    ratio = normalized / value
    if math.isclose(ratio, 1.0, rel_tol=1e-9):
        return unit
    for prefix, factor in _MAGNITUDES:
        if unit.startswith(prefix) and math.isclose(ratio, factor, rel_tol=1e-6):
            return unit[len(prefix) :] or unit
    return None


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
        row["target_kind"] = _target_kind(row["comparator_concept"])
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
        ``indicator``, ``area``, ``year``, ``target_kind``, ``value``,
        ``value_max``, ``unit``, ``comparator``, ``normalized_value``,
        ``base_unit``, ``year_inferred``, ``document``, ``metric`` (as written)
        and ``id`` (the target's IRI); sorted by indicator, kind, year, area.
        Missing values are ``None`` (records are pandas-friendly).

    Notes
    -----
    ``target_kind`` keeps targets that state a change apart from those that
    state a level: ``increase`` (新增 N: an amount added, comparator
    ``pkg:Increase``), ``growth_rate`` (年均增长 N%: ``pkg:PercentIncrease``)
    and ``level`` (达到/不低于/不超过 N).  ``normalized_value`` is the
    extractor's value in base units (6 万件 -> 60000) when known, else the
    value; ``base_unit`` is its unit (件 for 万件), None when unknown.
    """
    records = []
    for row in _target_rows(store):
        normalized = row["normalized"] if row["normalized"] is not None else row["value"]
        records.append(
            {
                "indicator": row["indicator_label"] or row["indicator"],
                "area": row["area_label"],
                "year": row["year"],
                "target_kind": row["target_kind"],
                "value": row["value"],
                "value_max": row["value_max"],
                "unit": row["unit"],
                "comparator": row["comparator"],
                "normalized_value": normalized,
                "base_unit": _base_unit(row["unit"], row["value"], normalized),
                "year_inferred": bool(row["inferred"]),
                "document": _doc_label(
                    row["doc_title"], row["doc_number"], row["doc"], row.get("doc_label")
                )
                if row["doc"]
                else None,
                "metric": row["metric"],
                "id": row["target"],
            }
        )
    records.sort(
        key=lambda r: (
            r["indicator"],
            r["target_kind"],
            r["year"] or 0,
            r["area"] or "",
            -(r["value"] or 0),
            r["id"],
        )
    )
    return records


_NO_AREA = "(no area)"


def target_pivot(records: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Indicator × area comparison table of targets.

    Parameters
    ----------
    records : sequence of dict
        From :func:`target_table`.

    Returns
    -------
    list of dict
        One row per (indicator, ``target_kind``, unit, year): ``indicator``,
        ``target_kind``, ``unit`` (the base unit of the normalised values),
        ``year``, ``areas`` (how many areas set such a target), then one column
        per area (every area of ``records``, sorted) holding its normalised
        value, ``None`` where it set none.  Rows sorted by indicator, kind,
        unit, year.

    Notes
    -----
    Level and change targets (``increase``, ``growth_rate``) are never mixed in
    one row, nor are values in different units.  Where one area sets several
    targets for the same row (two documents, or a range), the cell holds the
    largest normalised value (the upper bound of a range counts).
    """
    areas = sorted({str(r.get("area") or _NO_AREA) for r in records})
    rows: dict[tuple[str, str, str, Any], dict[str, float]] = {}
    for r in records:
        value = r.get("normalized_value")
        if value is None:
            continue
        unit = r.get("base_unit") or r.get("unit") or ""
        upper = r.get("value_max")
        if upper is not None and r.get("value"):
            value = max(float(value), float(value) * float(upper) / float(r["value"]))
        key = (str(r["indicator"]), str(r.get("target_kind") or "level"), str(unit), r.get("year"))
        area = str(r.get("area") or _NO_AREA)
        cells = rows.setdefault(key, {})
        cells[area] = max(cells.get(area, -math.inf), float(value))
    out = []
    for key in sorted(rows, key=lambda k: (k[0], k[1], k[2], k[3] is None, k[3] or 0)):
        indicator, kind, unit, year = key
        cells = rows[key]
        out.append(
            {
                "indicator": indicator,
                "target_kind": kind,
                "unit": unit or None,
                "year": year,
                "areas": len(cells),
                **{area: cells.get(area) for area in areas},
            }
        )
    return out


# ---------------------------------------------------------------- one entry point per analysis

NETWORKS = ("workload", "co-responsibility", "citation", "full")
ANALYSES = ("workload", "network", "citations", "targets")
#: analysis -> the parts :func:`analyze` can return (the first is the default)
ANALYSIS_PARTS: dict[str, tuple[str, ...]] = {
    "workload": ("departments",),
    "network": ("departments", "communities", "bridges", "edges"),
    "citations": ("documents", "paths", "cycles", "self_citations", "types", "levels"),
    "targets": ("table", "pivot"),
}
_WORKLOAD_NODE_KEYS = (
    "rank",
    "tasks",
    "tasks_led",
    "tasks_support",
    "load",
    "load_per_document",
    "documents",
    "topics",
)
_NETWORK_NODE_KEYS = (
    "degree",
    "strength",
    "out_strength",
    "in_strength",
    "betweenness",
    "eigenvector",
    "pagerank",
    "community",
)


def _annotate_departments(G: nx.Graph, workload: list[dict[str, Any]]) -> None:
    for rec in workload:
        if rec["id"] in G:
            G.nodes[rec["id"]].update({k: rec[k] for k in _WORKLOAD_NODE_KEYS})


def _annotate_network(G: nx.Graph, P: nx.Graph, seed: int) -> None:
    """Put P's centralities, communities and participation on G's department nodes."""
    records = network_stats(P, seed=seed)
    for rec in records:
        if rec["id"] in G:
            G.nodes[rec["id"]].update({k: rec[k] for k in _NETWORK_NODE_KEYS if k in rec})
    membership = {r["id"]: r["community"] for r in records}
    for rec in bridging_departments(P, membership):
        if rec["id"] in G:
            G.nodes[rec["id"]]["participation"] = rec["participation"]


def annotated_network(store: Store, name: str, seed: int = 1, directed: bool = False) -> nx.Graph:
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
    directed : bool, default False
        For ``co-responsibility``: the lead → support variant
        (:func:`co_responsibility_graph` with ``directed=True``); its
        centralities and communities are those of that graph.  Other networks
        ignore it (the citation and full graphs are always directed).

    Returns
    -------
    networkx.Graph
        Departments carry ``rank``, ``tasks``, ``tasks_led``, ``tasks_support``,
        ``load``, ``load_per_document``, ``documents`` and ``topics`` in every
        network, and the co-responsibility figures ``degree``, ``strength``,
        ``betweenness``, ``eigenvector``, ``pagerank``, ``community`` (and
        ``participation`` for bridging departments) in the co-responsibility
        and full networks; citation-network documents carry ``in_degree``,
        ``out_degree`` and ``pagerank``.  Task nodes and responsibility edges
        carry ``start`` (their document's date) for Gephi's timeline.
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
    B = workload_graph(store)
    workload = department_workload(B)
    if name == "full":
        G: nx.Graph = full_graph(store)
        _annotate_departments(G, workload)
        _annotate_network(G, co_responsibility_graph(B), seed)
        return G
    if name == "workload":
        _annotate_departments(B, workload)
        for attrs in B.nodes.values():
            if attrs["kind"] == "task":
                _set(attrs, start=attrs.get("date"))
        for u, v, attrs in B.edges(data=True):  # the assigning document's date, for Gephi
            task = v if B.nodes[v]["kind"] == "task" else u
            _set(attrs, start=B.nodes[task].get("date"))
        return B
    P = co_responsibility_graph(B, directed=directed)
    _annotate_departments(P, workload)
    _annotate_network(P, P, seed)
    return P


def _part(name: str, part: str | None) -> str:
    parts = ANALYSIS_PARTS[name]
    chosen = (part or parts[0]).replace("-", "_")
    if chosen not in parts:
        raise ValueError(f"unknown part {part!r} of {name} (one of {', '.join(parts)})")
    return chosen


def analyze(
    store: Store,
    name: str,
    seed: int = 1,
    *,
    part: str | None = None,
    by: str | None = None,
    region: str | None = None,
    role: str | None = None,
    directed: bool = False,
    workload: nx.Graph | None = None,
) -> list[dict[str, Any]]:
    """Records of one analysis, ready for a table, CSV, JSON or ``pandas.DataFrame``.

    Parameters
    ----------
    store : pyoxigraph.Store
        A policykg store.
    name : {"workload", "network", "citations", "targets"}
        ``workload``: :func:`department_workload` (or :func:`workload_by`);
        ``network``: the co-responsibility network; ``citations``: the citation
        network; ``targets``: target comparison.
    seed : int, default 1
        Seed for Louvain and sampled betweenness.
    part : str, optional
        Which records (:data:`ANALYSIS_PARTS`; the first is the default).
        ``network``: ``departments`` (:func:`network_stats` plus each
        department's ``participation``, 0 when it reaches a single community),
        ``communities`` (:func:`community_summary`), ``bridges``
        (:func:`bridging_departments`), ``edges`` (:func:`network_edges`);
        ``citations``: see :func:`citation_records`; ``targets``: ``table``
        (:func:`target_table`) or ``pivot`` (:func:`target_pivot`).
    by : {"region", "document", "year", "topic"}, optional
        ``workload`` only: break the figures down (:func:`workload_by`).
    region : str, optional
        ``workload`` and ``network``: only tasks of documents of this region
        (its label), see :func:`restrict_tasks`; ``targets``: only this area.
    role : {"lead", "support", "responsible"}, optional
        ``workload`` and ``network`` departments: only those holding this role
        on some task.
    directed : bool, default False
        ``network`` only: the lead → support variant.
    workload : networkx.Graph, optional
        ``workload(store)`` already built (:func:`workload_graph`), to reuse
        for ``workload`` and ``network`` (it is not modified).

    Returns
    -------
    list of dict
        Records with the same keys in every row.
    """
    if name not in ANALYSES:
        raise ValueError(f"unknown analysis {name!r} (one of {', '.join(ANALYSES)})")
    chosen = _part(name, part)
    if name in ("workload", "network"):
        B = restrict_tasks(workload_graph(store) if workload is None else workload, region=region)
    if name == "workload":
        return department_workload(B, role=role) if by is None else workload_by(B, by, role=role)
    if name == "network":
        P = co_responsibility_graph(B, directed=directed, dates=False)
        if chosen == "edges":
            return network_edges(P)
        records = network_stats(P, seed=seed)
        membership = {r["id"]: r["community"] for r in records}
        if chosen == "communities":
            return community_summary(P, membership)
        bridges = bridging_departments(P, membership)
        if chosen == "bridges":
            return bridges
        participation = {r["id"]: r["participation"] for r in bridges}
        keep = None
        if role is not None:
            keep = {d for d in _departments(B) if any(B.edges[d, t]["role"] == role for t in B[d])}
        return [
            {**rec, "participation": participation.get(rec["id"], 0.0)}
            for rec in records
            if keep is None or rec["id"] in keep
        ]
    if name == "citations":
        return citation_records(citation_graph(store), chosen)
    records = target_table(store)
    if region is not None:
        records = [r for r in records if r["area"] == region]
    return target_pivot(records) if chosen == "pivot" else records
