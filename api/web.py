"""The researchers' web page: SPARQL editor, workload chart, exports, document pages.

Everything is served by this app (no CDN): HTML from Jinja2 templates with
autoescaping always on, one script and one stylesheet from ``api/static``.  The
script writes data into the page with ``textContent`` only, and a strict
Content-Security-Policy forbids inline scripts, so a label such as
``<script>`` in the data is shown as text, never run.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any

import jinja2
from fastapi import APIRouter
from fastapi import Path as PathParam
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from policykg.api.dependencies import Services, ServicesDep, run_blocking
from policykg.api.errors import ProtocolError
from policykg.api.executor import CancelToken
from policykg.api.rest_common import entity_iri, local_id, select, short_name
from policykg.graph.namespaces import BASE
from policykg.graph.queries import EXAMPLE_QUERIES, EXAMPLE_TITLES

__all__ = [
    "ANALYSIS_LINKS",
    "DOCUMENT_LIST_LIMIT",
    "EXPORTS",
    "WEB_EXAMPLES",
    "EvidenceSpan",
    "ExportFile",
    "WebExample",
    "router",
]

router = APIRouter(tags=["web page"], include_in_schema=False)

_HERE = Path(__file__).parent
_STATIC_TYPES = {".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8"}
# Scripts only from this origin, no inline script, no plugins, no framing elsewhere.
_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'self'; form-action 'self'"
)
_PAGE_HEADERS = {
    "Content-Security-Policy": _CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}

# ------------------------------------------------------------------ example queries

_TARGETS_BY_CITY = """PREFIX pkg: <https://w3id.org/policykg/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX sdmx-dimension: <http://purl.org/linked-data/sdmx/2009/dimension#>
PREFIX sdmx-attribute: <http://purl.org/linked-data/sdmx/2009/attribute#>
# One row per target, however many labels its indicator, area, unit or document has.
SELECT (MIN(?area_label) AS ?area) (MIN(?indicator_label) AS ?indicator)
       (SAMPLE(?v) AS ?value) (SAMPLE(?vmax) AS ?value_max) (MIN(?unit_label) AS ?unit)
       (SAMPLE(?y) AS ?year) (MIN(?title) AS ?document) WHERE {
  ?t a pkg:Target ; pkg:indicator ?i ; pkg:targetValue ?v ; sdmx-dimension:refArea ?a .
  ?i skos:prefLabel ?indicator_label FILTER (LANG(?indicator_label) = "zh")
  ?a skos:prefLabel ?area_label .
  OPTIONAL { ?t pkg:targetValueMax ?vmax }
  OPTIONAL { ?t sdmx-attribute:unitMeasure/skos:prefLabel ?unit_label }
  OPTIONAL { ?t pkg:targetYear ?y }
  OPTIONAL { ?t pkg:setBy/dcterms:title ?title }
}
GROUP BY ?t
ORDER BY ?area ?indicator ?year
"""

# The order of the page's menu: the researchers' four questions first.
_ORDER = ("workload", "leads_with", "citation_chain", "targets_by_city")


@dataclass(frozen=True, slots=True)
class WebExample:
    """An example query of the page's menu."""

    name: str
    title_en: str
    title_zh: str
    query: str


def _web_examples() -> list[WebExample]:
    queries = {**EXAMPLE_QUERIES, "targets_by_city": _TARGETS_BY_CITY}
    titles = {
        **EXAMPLE_TITLES,
        "targets_by_city": ("Targets by city: indicator, value, year", "各城市目标：指标与目标值"),
    }
    names = [n for n in _ORDER if n in queries] + [n for n in queries if n not in _ORDER]
    examples = []
    for name in names:
        title_en, title_zh = titles.get(name, (name, name))
        examples.append(WebExample(name, title_en, title_zh, queries[name]))
    return examples


#: the example queries the page offers (graph.queries plus the page's own)
WEB_EXAMPLES: list[WebExample] = _web_examples()

# ------------------------------------------------------------------ exports


@dataclass(frozen=True, slots=True)
class ExportFile:
    """A downloadable file: a network (GEXF/GraphML/CSV) or an RDF dump."""

    name: str
    kind: str  # "graph" or "rdf"
    source: str  # network name or RDF format
    fmt: str  # graph format, or the CSV part ("nodes"/"edges")
    media_type: str
    label: str


_NETWORK_LABELS = {
    "full": "full typed graph",
    "workload": "department–task (bipartite)",
    "co-responsibility": "co-responsibility (departments)",
    "co-responsibility-directed": "lead → support (directed co-responsibility)",
    "citation": "citation network",
}
_DIRECTED_SUFFIX = "-directed"
_RDF_FILES = (
    ("turtle", "policykg.ttl", "text/turtle; charset=utf-8", "Turtle (union of graphs)"),
    ("ntriples", "policykg.nt", "application/n-triples", "N-Triples (union of graphs)"),
    ("nquads", "policykg.nq", "application/n-quads", "N-Quads (named graph per file)"),
    ("trig", "policykg.trig", "application/trig; charset=utf-8", "TriG (named graph per file)"),
    ("jsonld", "policykg.jsonld", "application/ld+json", "JSON-LD"),
)


def _exports() -> dict[str, ExportFile]:
    files: list[ExportFile] = []
    for network, label in _NETWORK_LABELS.items():
        files += [
            ExportFile(f"{network}.gexf", "graph", network, "gexf", "application/gexf+xml", label),
            ExportFile(
                f"{network}.graphml", "graph", network, "graphml", "application/graphml+xml", label
            ),
            ExportFile(
                f"{network}_nodes.csv", "graph", network, "nodes", "text/csv; charset=utf-8", label
            ),
            ExportFile(
                f"{network}_edges.csv", "graph", network, "edges", "text/csv; charset=utf-8", label
            ),
        ]
    files += [
        ExportFile(name, "rdf", fmt, fmt, media, label) for fmt, name, media, label in _RDF_FILES
    ]
    return {f.name: f for f in files}


#: file name -> export; served at ``/export/{name}``
EXPORTS: dict[str, ExportFile] = _exports()
# short names (``/export/gexf``, ``/export/nquads``) for scripts and the README
_ALIASES = {"gexf": "full.gexf", "graphml": "full.graphml"} | {
    fmt: name for fmt, name, _, _ in _RDF_FILES
}


#: the analysis routes the page links to (url, label)
ANALYSIS_LINKS: tuple[tuple[str, str], ...] = (
    ("/api/analytics/workload", "department workload · 部门工作量"),
    ("/api/analytics/workload?by=year", "workload by year · 按年份"),
    ("/api/analytics/network", "co-responsibility centralities · 协同网络中心性"),
    ("/api/analytics/network/communities", "communities · 社群"),
    ("/api/analytics/network/bridges", "bridging departments · 桥接部门"),
    ("/api/analytics/citations", "citation network · 引用网络"),
    ("/api/analytics/citations/paths", "diffusion paths · 扩散路径"),
    ("/api/analytics/citations/levels", "citations between levels · 层级引用"),
    ("/api/analytics/targets/pivot", "target comparison · 目标对比"),
)


def _build_export(services: Services, export: ExportFile, token: CancelToken) -> bytes:
    from policykg.graph.analytics import annotated_network
    from policykg.graph.export import write_graph
    from policykg.graph.rdf import serialize_store

    if export.kind == "rdf":
        return serialize_store(services.store, export.source)
    network = export.source.removesuffix(_DIRECTED_SUFFIX)
    directed = export.source.endswith(_DIRECTED_SUFFIX)
    graph = annotated_network(services.store, network, directed=directed)
    token.check()
    with tempfile.TemporaryDirectory(prefix="policykg-export-") as tmp:
        if export.fmt in ("nodes", "edges"):
            written = write_graph(graph, Path(tmp) / "graph.csv", "csv")
            part = next(p for p in written if p.stem.endswith("_" + export.fmt))
            return part.read_bytes()
        written = write_graph(graph, Path(tmp) / f"graph.{export.fmt}", export.fmt)
        return written[0].read_bytes()


async def _export_bytes(services: Services, export: ExportFile) -> bytes:
    cached = services.exports.get(export.name)
    if cached is None:
        # Whole-store work: allow more than one query's time, still bounded.
        timeout = max(services.settings.query_timeout, 300.0)
        cached = await run_blocking(services, lambda t: _build_export(services, export, t), timeout)
        services.exports[export.name] = cached
    return cached


# ------------------------------------------------------------------ templates and static files


@lru_cache(maxsize=1)
def _templates() -> jinja2.Environment:
    # autoescape=True for every template: values are HTML-escaped unless marked safe,
    # and nothing in these templates marks data safe.
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(_HERE / "templates"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )


def _page(template: str, status: int = 200, **context: Any) -> HTMLResponse:
    html = _templates().get_template(template).render(**context)
    return HTMLResponse(html, status_code=status, headers=_PAGE_HEADERS)


@lru_cache(maxsize=8)
def _static(name: str) -> bytes:
    return (_HERE / "static" / name).read_bytes()


_STATIC_FILES = frozenset(p.name for p in (_HERE / "static").glob("*") if p.suffix in _STATIC_TYPES)

# ------------------------------------------------------------------ queries of the pages

#: documents listed on the main page (the rest are reachable through SPARQL and /api/documents)
DOCUMENT_LIST_LIMIT = 500

_DOCUMENTS = """
SELECT ?doc (SAMPLE(?t) AS ?title) (SAMPLE(?n) AS ?number) (SAMPLE(?d) AS ?date)
       (SAMPLE(?rl) AS ?region) (COUNT(DISTINCT ?task) AS ?tasks) WHERE {
  ?doc a pkg:PolicyDocument .
  FILTER NOT EXISTS { ?doc pkg:isStub true }
  OPTIONAL { ?doc dcterms:title ?t }
  OPTIONAL { ?doc eli:id_local ?n }
  OPTIONAL { ?doc eli:date_document ?d }
  OPTIONAL { ?doc eli:jurisdiction/skos:prefLabel ?rl }
  OPTIONAL { ?task eli:is_part_of ?doc ; a pkg:Task }
}
GROUP BY ?doc
ORDER BY DESC(?tasks) ?title
LIMIT #LIMIT#"""

_DOCUMENT = """
SELECT ?doc (SAMPLE(?t) AS ?title) (SAMPLE(?n) AS ?number) (SAMPLE(?d) AS ?date)
       (SAMPLE(?rl) AS ?region) (SAMPLE(?il) AS ?issuer) (SAMPLE(?lev) AS ?level)
       (SAMPLE(?s) AS ?stub) WHERE {
  ?doc a pkg:PolicyDocument .
  OPTIONAL { ?doc dcterms:title ?t }
  OPTIONAL { ?doc eli:id_local ?n }
  OPTIONAL { ?doc eli:date_document ?d }
  OPTIONAL { ?doc eli:jurisdiction/skos:prefLabel ?rl }
  OPTIONAL { ?doc eli:passed_by/skos:prefLabel ?il }
  OPTIONAL { ?doc pkg:regionLevel ?lev }
  OPTIONAL { ?doc pkg:isStub ?s }
}
GROUP BY ?doc"""

# Evidence of every fact about the document (and of the document itself).
_EVIDENCE = """
SELECT ?doc ?fact ?exact ?prefix ?suffix ?start ?end ?file WHERE {
  { ?fact pkg:forTask/eli:is_part_of ?doc } UNION { ?fact pkg:citingDocument ?doc }
  UNION { ?fact pkg:setBy ?doc } UNION { ?fact eli:is_part_of ?doc ; a pkg:Task }
  UNION { ?doc pkg:evidence [] . BIND(?doc AS ?fact) }
  ?fact pkg:evidence ?ev .
  ?ev oa:hasSelector ?qs . ?qs a oa:TextQuoteSelector ; oa:exact ?exact .
  OPTIONAL { ?qs oa:prefix ?prefix }
  OPTIONAL { ?qs oa:suffix ?suffix }
  OPTIONAL { ?ev oa:hasSelector ?ps . ?ps a oa:TextPositionSelector ; oa:start ?start ;
             oa:end ?end }
  OPTIONAL { ?ev oa:hasSource/dcterms:identifier ?file }
}"""

# The fact queries group by the fact: a body, concept or document with several labels
# (or titles) must not repeat the fact on the page.
_RESPONSIBILITIES = """
SELECT ?doc ?task (MIN(?n) AS ?number) (MIN(?t) AS ?title) ?fact (SAMPLE(?b) AS ?body)
       (MIN(?l) AS ?label) (SAMPLE(?r) AS ?role) (MIN(?p) AS ?position) WHERE {
  ?task eli:is_part_of ?doc ; a pkg:Task .
  OPTIONAL { ?task eli:number ?n }
  OPTIONAL { ?task dcterms:title ?t }
  OPTIONAL {
    ?fact pkg:forTask ?task ; pkg:responsibleBody ?b .
    OPTIONAL { ?fact pkg:role ?r }
    OPTIONAL { ?fact pkg:listPosition ?p }
    OPTIONAL { ?b skos:prefLabel ?l }
  }
}
GROUP BY ?doc ?task ?fact
ORDER BY ?task ?position ?label"""

_CITATIONS = """
SELECT ?doc ?fact (SAMPLE(?c) AS ?cited) (SAMPLE(?ty) AS ?type) (MIN(?t) AS ?title)
       (MIN(?n) AS ?number) (MIN(?tw) AS ?title_written) (MIN(?nw) AS ?number_written) WHERE {
  ?fact pkg:citingDocument ?doc ; pkg:citedDocument ?c .
  OPTIONAL { ?fact pkg:citationType ?ty }
  OPTIONAL { ?c dcterms:title ?t }
  OPTIONAL { ?c eli:id_local ?n }
  OPTIONAL { ?fact pkg:titleAsWritten ?tw }
  OPTIONAL { ?fact pkg:docNumberAsWritten ?nw }
}
GROUP BY ?doc ?fact
ORDER BY ?fact"""

_CITED_BY = """
SELECT ?doc ?citing (MIN(?t) AS ?title) WHERE {
  ?fact pkg:citedDocument ?doc ; pkg:citingDocument ?citing .
  OPTIONAL { ?citing dcterms:title ?t }
}
GROUP BY ?doc ?citing
ORDER BY ?title"""

_TARGETS = """
SELECT ?doc ?fact (MIN(?il) AS ?indicator) (SAMPLE(?v) AS ?value) (SAMPLE(?vmax) AS ?value_max)
       (MIN(?ul) AS ?unit) (SAMPLE(?y) AS ?year) (MIN(?cmp) AS ?comparator) (MIN(?al) AS ?area)
       (MIN(?w) AS ?written) WHERE {
  ?fact pkg:setBy ?doc ; pkg:targetValue ?v .
  OPTIONAL { ?fact pkg:indicator/skos:prefLabel ?il FILTER (LANG(?il) = "zh") }
  OPTIONAL { ?fact pkg:targetValueMax ?vmax }
  OPTIONAL { ?fact sdmx-attribute:unitMeasure/skos:prefLabel ?ul }
  OPTIONAL { ?fact pkg:targetYear ?y }
  OPTIONAL { ?fact pkg:comparator/skos:notation ?cmp }
  OPTIONAL { ?fact sdmx-dimension:refArea/skos:prefLabel ?al }
  OPTIONAL { ?fact pkg:metricAsWritten ?w }
}
GROUP BY ?doc ?fact
ORDER BY ?indicator ?year ?fact"""


@dataclass(frozen=True, slots=True)
class EvidenceSpan:
    """One evidence span: the quote with the context the store keeps around it."""

    exact: str
    prefix: str
    suffix: str
    file: str | None
    start: int | None
    end: int | None


def _evidence_by_fact(rows: list[dict[str, Any]]) -> dict[str, list[EvidenceSpan]]:
    found: dict[str, list[EvidenceSpan]] = {}
    for row in rows:
        ev = EvidenceSpan(
            exact=row["exact"],
            prefix=row["prefix"] or "",
            suffix=row["suffix"] or "",
            file=row["file"],
            start=row["start"],
            end=row["end"],
        )
        spans = found.setdefault(row["fact"], [])
        if ev not in spans:
            spans.append(ev)
    for spans in found.values():
        spans.sort(key=lambda e: (e.file or "", e.start or 0))
    return found


def _doc_link(iri: str) -> str | None:
    key = local_id(iri, "doc")
    return None if key is None else "/documents/" + key


def _unique(spans: list[EvidenceSpan]) -> list[EvidenceSpan]:
    out: list[EvidenceSpan] = []
    for ev in spans:
        if ev not in out:
            out.append(ev)
    return out


# ------------------------------------------------------------------ routes


@router.get("/", response_class=HTMLResponse)
async def index(services: ServicesDep) -> HTMLResponse:
    """The page: SPARQL editor with examples, workload chart, exports, documents."""
    rows = await select(services, _DOCUMENTS.replace("#LIMIT#", str(DOCUMENT_LIST_LIMIT + 1)))
    more = len(rows) > DOCUMENT_LIST_LIMIT
    rows = rows[:DOCUMENT_LIST_LIMIT]
    documents = [
        {
            "link": _doc_link(r["doc"]),
            "title": r["title"] or r["number"] or r["doc"],
            "number": r["number"],
            "date": None if r["date"] is None else str(r["date"]),
            "region": r["region"],
            "tasks": r["tasks"],
        }
        for r in rows
    ]
    examples = [
        {"name": e.name, "title_en": e.title_en, "title_zh": e.title_zh, "query": e.query}
        for e in WEB_EXAMPLES
    ]
    networks = [
        (label, [f for f in EXPORTS.values() if f.kind == "graph" and f.source == network])
        for network, label in _NETWORK_LABELS.items()
    ]
    rdf = [f for f in EXPORTS.values() if f.kind == "rdf"]
    return _page(
        "index.html",
        examples=examples,
        documents=documents,
        more_documents=more,
        networks=networks,
        rdf=rdf,
        analyses=ANALYSIS_LINKS,
        doc_base=BASE + "doc/",
    )


@router.get("/documents/{doc_id:path}", response_class=HTMLResponse)
async def document_page(
    doc_id: Annotated[str, PathParam(max_length=300)], services: ServicesDep
) -> HTMLResponse:
    """One document: metadata and every fact with its highlighted evidence."""
    try:
        doc = entity_iri("doc", doc_id)
    except ProtocolError:
        return _page("not_found.html", 404, what=doc_id)
    bind = {"doc": doc}
    meta = await select(services, _DOCUMENT, bind)
    if not meta:
        return _page("not_found.html", 404, what=doc_id)
    evidence = _evidence_by_fact(await select(services, _EVIDENCE, bind))

    tasks: dict[str, dict[str, Any]] = {}
    for row in await select(services, _RESPONSIBILITIES, bind):
        task = tasks.setdefault(
            row["task"],
            {
                "number": row["number"],
                "title": row["title"],
                "responsible": [],
                "evidence": [],
            },
        )
        if row["fact"] is not None:
            task["responsible"].append(
                {"label": row["label"] or row["body"], "role": short_name(row["role"])}
            )
            task["evidence"] += evidence.get(row["fact"], [])
    for iri, task in tasks.items():
        # the task's own heading when no responsibility clause was found
        task["evidence"] = _unique(task["evidence"] or evidence.get(iri, []))
        # reading order: where the task (else its first clause) sits in the source file
        spans = evidence.get(iri) or task["evidence"]
        task["order"] = min(((e.file or "", e.start or 0) for e in spans), default=("", 0))

    citations = [
        {
            "type": short_name(row["type"]),
            "link": _doc_link(row["cited"]),
            "title": row["title"] or row["title_written"],
            "number": row["number"] or row["number_written"],
            "evidence": evidence.get(row["fact"], []),
        }
        for row in await select(services, _CITATIONS, bind)
    ]
    cited_by = [
        {"link": _doc_link(row["citing"]), "title": row["title"] or row["citing"]}
        for row in await select(services, _CITED_BY, bind)
    ]
    targets = [
        {
            "indicator": row["indicator"] or row["written"],
            "value": row["value"],
            "value_max": row["value_max"],
            "unit": row["unit"],
            "year": row["year"],
            "comparator": row["comparator"],
            "area": row["area"],
            "evidence": evidence.get(row["fact"], []),
        }
        for row in await select(services, _TARGETS, bind)
    ]
    m = meta[0]
    document = {
        "iri": doc.value,
        "title": m["title"] or m["number"] or doc_id,
        "number": m["number"],
        "date": None if m["date"] is None else str(m["date"]),
        "region": m["region"],
        "issuer": m["issuer"],
        "level": m["level"],
        "stub": bool(m["stub"]),
        "evidence": evidence.get(doc.value, []),
    }
    return _page(
        "document.html",
        document=document,
        tasks=sorted(tasks.values(), key=lambda t: t["order"]),
        citations=citations,
        cited_by=cited_by,
        targets=targets,
    )


@router.get("/documents", response_class=HTMLResponse)
async def documents_page() -> RedirectResponse:
    """The document list lives on the main page."""
    return RedirectResponse("/#documents", status_code=307)


@router.get("/export/{name}")
async def export_file(name: str, services: ServicesDep) -> Response:
    """Download one export (see :data:`EXPORTS`), built once per store state."""
    export = EXPORTS.get(_ALIASES.get(name, name))
    if export is None:
        raise ProtocolError(404, f"no export named {name[:80]!r}; see the list on /")
    body = await _export_bytes(services, export)
    headers = {"Content-Disposition": f'attachment; filename="{export.name}"'}
    return Response(body, media_type=export.media_type, headers=headers)


@router.get("/static/{name}")
async def static_file(name: str) -> Response:
    """The page's script and stylesheet (a fixed list of files, read once)."""
    if name not in _STATIC_FILES:
        raise ProtocolError(404, "no such static file")
    media = _STATIC_TYPES[Path(name).suffix]
    headers = {"Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff"}
    return Response(_static(name), media_type=media, headers=headers)
