"""Extraction results to RDF quads (ontology v1) and serialisations.

Graph layout (see ``ontology.ttl``):

* **one named graph per source file** (:func:`~policykg.graph.namespaces.graph_iri`) holds
  everything the file states: its documents, tasks, the qualified responsibility,
  citation and target nodes with their evidence, the shortcut triples, stub documents
  for cited documents and the source-text node (sha256).  Re-extracting a file is
  ``DROP GRAPH`` plus a load.
* **the default graph** holds shared reference data: bodies (labels, surface forms as
  ``skos:altLabel``), administrative areas, indicator and unit concepts.  These are
  facts about the world several files share; keeping one copy avoids duplicate rows
  when a query reads the union of all graphs.

Cited documents are resolved inside a file first (by normalised 文号, then normalised
title, then the document's own short names).  Across files the conversion is streaming,
so a cited document that lives in a file converted later is first written as a stub
(``pkg:isStub true``); :func:`link_stub_documents` then rewrites the references in the
store once everything is loaded (文号 first, then title) and removes the stubs.
Likewise an area a file knows only by name is merged into the area with a
division code of the same name (:func:`merge_area_aliases`).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable, Iterator
from decimal import Decimal
from itertools import chain

from pyoxigraph import (
    DefaultGraph,
    Literal,
    NamedNode,
    Quad,
    RdfFormat,
    Store,
    serialize,
)

from policykg.extract.model import (
    CitationRecord,
    DocumentRecord,
    Evidence,
    ExtractionResult,
    ResponsibilityRecord,
    TargetRecord,
)
from policykg.graph.namespaces import (
    DCTERMS,
    ELI,
    NS,
    OA,
    ORG,
    PKG,
    PROV,
    QB,
    RDF,
    SDMX_ATTRIBUTE,
    SDMX_DIMENSION,
    SKOS,
    XSD,
    area_iri,
    body_iri,
    citation_iri,
    doc_number_key,
    document_iri,
    evidence_iri,
    graph_iri,
    indicator_iri,
    norm_text,
    responsibility_iri,
    source_iri,
    target_iri,
    task_iri,
    unit_iri,
)

__all__ = [
    "FORMATS",
    "LINK_STUBS_UPDATES",
    "MERGE_AREAS_UPDATES",
    "link_across_files",
    "link_stub_documents",
    "merge_area_aliases",
    "result_to_quads",
    "serialize_results",
    "serialize_store",
]

ROLE_CONCEPTS = {
    "lead": PKG.LeadRole,
    "support": PKG.SupportRole,
    "responsible": PKG.ResponsibleRole,
}
CITATION_CONCEPTS = {
    "basis": PKG.Basis,
    "implements": PKG.Implements,
    "produces": PKG.Produces,
    "mentions": PKG.Mentions,
}
COMPARATOR_CONCEPTS = {
    ">=": PKG.AtLeast,
    "=": PKG.Exactly,
    "<=": PKG.AtMost,
    "increase": PKG.Increase,
    "pct_increase": PKG.PercentIncrease,
}
LEVELS = {"provincial": "province"}

#: name -> pyoxigraph format, for :func:`serialize_results` and :func:`serialize_store`
FORMATS: dict[str, RdfFormat] = {
    "ttl": RdfFormat.TURTLE,
    "turtle": RdfFormat.TURTLE,
    "nt": RdfFormat.N_TRIPLES,
    "ntriples": RdfFormat.N_TRIPLES,
    "nq": RdfFormat.N_QUADS,
    "nquads": RdfFormat.N_QUADS,
    "trig": RdfFormat.TRIG,
    "jsonld": RdfFormat.JSON_LD,
}

_CONTEXT_CHARS = 24
_EARLIEST_YEAR = 1949  # documents of the PRC; earlier dates are sentinels such as 1900-1-1
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
# names of government bodies; universities, companies and associations are plain org:Organization
_GOVERNMENT = re.compile(r"(政府|委员会|委|局|厅|办公室|办|部|署|法院|检察院|小组|管委会)$")
_NOT_GOVERNMENT = re.compile(r"(大学|学院|学校|公司|集团|协会|学会|银行|商会|联合会)")
# relative names (市科技局, 各县区政府) belong to the document's region
_RELATIVE = re.compile(r"^(市|省|县|区|州|盟|旗|各|本|全)")


def _lit(value: str, lang: str | None = None) -> Literal:
    return Literal(value, language=lang) if lang else Literal(value)


def _int(value: int) -> Literal:
    return Literal(str(int(value)), datatype=XSD.integer)


def _bool(value: bool) -> Literal:
    return Literal("true" if value else "false", datatype=XSD.boolean)


def _decimal(value: float) -> Literal:
    text = format(Decimal(repr(float(value))).normalize(), "f")
    return Literal(text, datatype=XSD.decimal)


def _date(value: str | None) -> Literal | None:
    if not value or not _ISO_DATE.fullmatch(value):
        return None
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        return None
    if day.year < _EARLIEST_YEAR:
        return None
    return Literal(day.isoformat(), datatype=XSD.date)


class _QuadWriter:
    """Collects the quads of one source file; describes each shared node once."""

    def __init__(self, result: ExtractionResult) -> None:
        self.result = result
        self.graph = graph_iri(result.source)
        self.source = source_iri(result.source)
        self.quads: list[Quad] = []
        self._described: set[str] = set()

    def add(self, s: NamedNode, p: NamedNode, o: NamedNode | Literal) -> None:
        self.quads.append(Quad(s, p, o, self.graph))

    def ref(self, s: NamedNode, p: NamedNode, o: NamedNode | Literal) -> None:
        """A reference-data triple (default graph)."""
        self.quads.append(Quad(s, p, o, DefaultGraph()))

    def first(self, node: NamedNode, scope: str = "") -> bool:
        key = scope + node.value
        if key in self._described:
            return False
        self._described.add(key)
        return True

    # -------------------------------------------------------------- provenance

    def fact(self, node: NamedNode, cls: NamedNode, evidence: Evidence, rule: str) -> None:
        """Type a fact node and attach its evidence, source and rule."""
        self.add(node, RDF.type, cls)
        self.add(node, PKG.evidence, self.evidence(evidence))
        self.add(node, PROV.wasDerivedFrom, self.source)
        if rule:
            self.add(node, PKG.rule, _lit(rule))

    def evidence(self, ev: Evidence) -> NamedNode:
        node = evidence_iri(self.result.source, ev.start, ev.end)
        if not self.first(node):
            return node
        quote_sel = NamedNode(node.value + "/quote")
        pos_sel = NamedNode(node.value + "/position")
        self.add(node, RDF.type, OA.SpecificResource)
        self.add(node, OA.hasSource, self.source)
        self.add(node, OA.hasSelector, quote_sel)
        self.add(node, OA.hasSelector, pos_sel)
        self.add(quote_sel, RDF.type, OA.TextQuoteSelector)
        self.add(quote_sel, OA.exact, _lit(ev.quote))
        text = self.result.text
        if text[ev.start : ev.end] == ev.quote:
            prefix = text[max(0, ev.start - _CONTEXT_CHARS) : ev.start]
            suffix = text[ev.end : ev.end + _CONTEXT_CHARS]
            if prefix:
                self.add(quote_sel, OA.prefix, _lit(prefix))
            if suffix:
                self.add(quote_sel, OA.suffix, _lit(suffix))
        self.add(pos_sel, RDF.type, OA.TextPositionSelector)
        self.add(pos_sel, OA.start, Literal(str(ev.start), datatype=XSD.nonNegativeInteger))
        self.add(pos_sel, OA.end, Literal(str(ev.end), datatype=XSD.nonNegativeInteger))
        return node

    def source_text(self) -> None:
        res = self.result
        self.add(self.source, RDF.type, PKG.SourceText)
        self.add(self.source, DCTERMS.identifier, _lit(res.source))
        self.add(self.source, PKG.sha256, _lit(res.sha256))

    # -------------------------------------------------------------- reference data

    def area(self, name: str | None, code: str | None, level: str | None = None) -> NamedNode:
        node = area_iri(name, code)
        if self.first(node):
            self.ref(node, RDF.type, PKG.AdministrativeArea)
            if name:
                self.ref(node, SKOS.prefLabel, _lit(name, "zh"))
            if code:
                self.ref(node, PKG.divisionCode, _lit(code))
        if level and self.first(node, "level:"):
            self.ref(node, PKG.regionLevel, _lit(LEVELS.get(level, level)))
        return node

    def body(
        self, name: str, surface: str | None, region: str | None, area: NamedNode | None
    ) -> NamedNode:
        node = body_iri(name, region)
        if self.first(node):
            self.ref(node, RDF.type, ORG.Organization)
            if _GOVERNMENT.search(name) and not _NOT_GOVERNMENT.search(name):
                self.ref(node, RDF.type, PKG.GovernmentBody)
            self.ref(node, SKOS.prefLabel, _lit(name, "zh"))
            if area is not None:
                self.ref(node, PKG.inArea, area)
        if surface and surface != name and self.first(node, "alt:" + surface):
            self.ref(node, SKOS.altLabel, _lit(surface, "zh"))
        return node

    def concept(self, node: NamedNode, scheme: NamedNode, label: str) -> NamedNode:
        if self.first(node):
            self.ref(node, RDF.type, SKOS.Concept)
            self.ref(node, SKOS.inScheme, scheme)
            self.ref(node, SKOS.prefLabel, _lit(label, "zh"))
        return node


def _body_region(name: str, explicit: str | None, doc_region: str | None) -> str | None:
    """Region of a unit: as resolved upstream, else the document's for relative names."""
    if explicit:
        return explicit
    return doc_region if _RELATIVE.match(name) else None


class _Converter:
    """Turns one :class:`ExtractionResult` into quads."""

    def __init__(self, result: ExtractionResult) -> None:
        self.result = result
        self.w = _QuadWriter(result)
        self.docs: dict[str, DocumentRecord] = {d.key: d for d in result.documents}
        self.doc_iris: dict[str, NamedNode] = {}
        self.by_number: dict[str, NamedNode] = {}
        self.by_title: dict[str, NamedNode] = {}
        self.by_alias: dict[str, NamedNode] = {}
        self.codes: dict[str, str] = {
            d.region: d.region_code for d in result.documents if d.region and d.region_code
        }
        self._mint_documents()

    def _mint_documents(self) -> None:
        # Notices first: an attachment that repeats its notice's 文号 must not take its IRI.
        ordered = sorted(self.result.documents, key=lambda d: d.issued_by_notice is not None)
        taken: set[str] = set()
        for doc in ordered:
            fallback = f"{self.result.source}-{doc.key}"
            node = document_iri(doc.doc_number, doc.title, fallback)
            if node.value in taken:
                node = document_iri(None, doc.title, fallback)
            if node.value in taken:
                node = document_iri(None, None, fallback)
            taken.add(node.value)
            self.doc_iris[doc.key] = node
            number = doc_number_key(doc.doc_number)
            if number:
                self.by_number.setdefault(number, node)
            title = norm_text(doc.title)
            if title:
                self.by_title.setdefault(title, node)
            for alias in doc.aliases:
                self.by_alias.setdefault(norm_text(alias), node)

    def doc(self, key: str) -> NamedNode:
        node = self.doc_iris.get(key)
        if node is None:  # a fact names a document the file did not describe
            node = document_iri(None, None, f"{self.result.source}-{key}")
            self.doc_iris[key] = node
            if self.w.first(node):
                self.w.add(node, RDF.type, PKG.PolicyDocument)
                self.w.add(node, PKG.isStub, _bool(False))
                self.w.add(node, PROV.wasDerivedFrom, self.w.source)
        return node

    def area_for(self, region: str | None, level: str | None = None) -> NamedNode | None:
        if not region:
            return None
        return self.w.area(region, self.codes.get(region), level)

    # -------------------------------------------------------------- facts

    def convert(self) -> list[Quad]:
        self.w.source_text()
        for doc in self.result.documents:
            self.document(doc)
        for resp in self.result.responsibilities:
            self.responsibility(resp)
        for cit in self.result.citations:
            self.citation(cit)
        for tgt in self.result.targets:
            self.target(tgt)
        return self.w.quads

    def document(self, doc: DocumentRecord) -> None:
        w, node = self.w, self.doc_iris[doc.key]
        w.fact(node, PKG.PolicyDocument, doc.evidence, "")
        w.add(node, PKG.isStub, _bool(False))
        if doc.title:
            w.add(node, DCTERMS.title, _lit(doc.title, "zh"))
            w.add(node, PKG.titleKey, _lit(norm_text(doc.title)))
        if doc.doc_number:
            w.add(node, ELI.id_local, _lit(doc.doc_number))
            w.add(node, PKG.docNumberKey, _lit(doc_number_key(doc.doc_number)))
        for alias in doc.aliases:
            w.add(node, SKOS.altLabel, _lit(alias, "zh"))
        area = self.area_for(doc.region, doc.region_level)
        if area is not None:
            w.add(node, ELI.jurisdiction, area)
        if doc.issuer:
            region = _body_region(doc.issuer, None, doc.region)
            issuer = w.body(doc.issuer, None, region, self.area_for(region))
            w.add(node, ELI.passed_by, issuer)
        date = _date(doc.date)
        if date is not None:
            w.add(node, ELI.date_document, date)
        if doc.region_level:
            w.add(node, PKG.regionLevel, _lit(LEVELS.get(doc.region_level, doc.region_level)))
        if doc.issued_by_notice and doc.issued_by_notice in self.docs:
            notice = self.doc_iris[doc.issued_by_notice]
            w.add(node, ELI.is_part_of, notice)
            w.add(notice, ELI.has_part, node)

    def responsibility(self, rec: ResponsibilityRecord) -> None:
        w = self.w
        doc = self.doc(rec.document)
        doc_rec = self.docs.get(rec.document)
        task = task_iri(doc, rec.task_label, rec.task)
        if w.first(task):
            w.add(task, RDF.type, PKG.Task)
            w.add(task, ELI.is_part_of, doc)
            if rec.task_label:
                w.add(task, ELI.number, _lit(rec.task_label))
            if rec.task:
                w.add(task, DCTERMS.title, _lit(rec.task, "zh"))
            w.add(task, PROV.wasDerivedFrom, w.source)
            if 0 <= rec.task_start < rec.task_end <= len(self.result.text):
                quote = self.result.text[rec.task_start : rec.task_end]
                ev = Evidence(self.result.source, rec.task_start, rec.task_end, quote)
                w.add(task, PKG.evidence, w.evidence(ev))
        name = rec.unit_canonical or rec.unit
        doc_region = doc_rec.region if doc_rec else None
        region = _body_region(name, rec.unit_region, doc_region)
        if region is None and rec.unit_canonical:
            region = _body_region(rec.unit, None, doc_region)
        body = w.body(name, rec.unit, region, self.area_for(region))
        node = responsibility_iri(task, body)
        w.fact(node, PKG.Responsibility, rec.evidence, rec.rule)
        w.add(node, PKG.responsibleBody, body)
        w.add(node, PKG.forTask, task)
        w.add(node, PKG.role, ROLE_CONCEPTS.get(rec.role, PKG.ResponsibleRole))
        if rec.order >= 1:
            w.add(node, PKG.listPosition, Literal(str(rec.order), datatype=XSD.positiveInteger))
        w.add(node, PKG.unitAsWritten, _lit(rec.unit))
        w.add(body, PKG.responsibleFor, task)

    def cited(self, rec: CitationRecord) -> NamedNode:
        number = doc_number_key(rec.cited_doc_number)
        title = norm_text(rec.cited_title)
        if number and number in self.by_number:
            return self.by_number[number]
        if title and title in self.by_title:
            return self.by_title[title]
        if title and not number and title in self.by_alias:
            return self.by_alias[title]
        node = document_iri(rec.cited_doc_number, rec.cited_title, f"{self.result.source}-cited")
        w = self.w
        if w.first(node, "stub:"):
            w.add(node, RDF.type, PKG.PolicyDocument)
            w.add(node, PKG.isStub, _bool(True))
            if rec.cited_title:
                w.add(node, DCTERMS.title, _lit(rec.cited_title, "zh"))
                w.add(node, PKG.titleKey, _lit(title))
            if rec.cited_doc_number:
                w.add(node, ELI.id_local, _lit(rec.cited_doc_number))
                w.add(node, PKG.docNumberKey, _lit(number))
            if rec.cited_level:
                w.add(node, PKG.regionLevel, _lit(LEVELS.get(rec.cited_level, rec.cited_level)))
        return node

    def citation(self, rec: CitationRecord) -> None:
        w = self.w
        citing = self.doc(rec.document)
        cited = self.cited(rec)
        node = citation_iri(citing, cited, rec.evidence.start)
        w.fact(node, PKG.Citation, rec.evidence, rec.rule)
        w.add(node, PKG.citingDocument, citing)
        w.add(node, PKG.citedDocument, cited)
        w.add(node, PKG.citationType, CITATION_CONCEPTS.get(rec.kind, PKG.Mentions))
        if rec.cited_title:
            w.add(node, PKG.titleAsWritten, _lit(rec.cited_title))
        if rec.cited_doc_number:
            w.add(node, PKG.docNumberAsWritten, _lit(rec.cited_doc_number))
        if rec.cited_level:
            w.add(node, PKG.citedLevel, _lit(rec.cited_level))
        w.add(citing, ELI.cites, cited)
        if rec.kind == "basis":
            w.add(citing, ELI.based_on, cited)

    def target(self, rec: TargetRecord) -> None:
        if not math.isfinite(rec.value):
            return
        w = self.w
        doc = self.doc(rec.document)
        doc_rec = self.docs.get(rec.document)
        region = rec.region or (doc_rec.region if doc_rec else None)
        node = target_iri(doc, rec.metric, rec.value, rec.evidence.start)
        w.fact(node, PKG.Target, rec.evidence, rec.rule)
        w.add(node, QB.dataSet, PKG.targetsDataset)
        w.add(node, PKG.setBy, doc)
        indicator = w.concept(
            indicator_iri(rec.metric, rec.indicator), PKG.IndicatorScheme, rec.metric
        )
        w.add(node, PKG.indicator, indicator)
        w.add(node, PKG.metricAsWritten, _lit(rec.metric))
        w.add(node, PKG.targetValue, _decimal(rec.value))
        if rec.value_max is not None and math.isfinite(rec.value_max):
            w.add(node, PKG.targetValueMax, _decimal(rec.value_max))
        if rec.normalized_value is not None and math.isfinite(rec.normalized_value):
            w.add(node, PKG.normalizedValue, _decimal(rec.normalized_value))
        if rec.unit:
            unit = w.concept(unit_iri(rec.unit), PKG.UnitScheme, rec.unit)
            w.add(node, SDMX_ATTRIBUTE.unitMeasure, unit)
        w.add(node, PKG.comparator, COMPARATOR_CONCEPTS.get(rec.comparator, PKG.Exactly))
        if rec.year is not None:
            w.add(node, PKG.targetYear, Literal(f"{rec.year:04d}", datatype=XSD.gYear))
        w.add(node, PKG.yearInferred, _bool(rec.year_inferred))
        area = self.area_for(region)
        if area is not None:
            w.add(node, SDMX_DIMENSION.refArea, area)
            w.add(area, PKG.targetsMetric, indicator)


def result_to_quads(result: ExtractionResult) -> Iterator[Quad]:
    """Convert everything extracted from one source file into quads.

    Facts go into the file's named graph (:func:`~policykg.graph.namespaces.graph_iri`),
    shared reference data (bodies, areas, indicator and unit concepts) into the
    default graph.  Cited documents not found in this file become stubs; see
    :func:`link_stub_documents`.
    """
    yield from _Converter(result).convert()


_PKG_PROLOGUE = f"PREFIX pkg: <{NS['pkg']}>\n"

#: SPARQL updates that link stub documents to corpus documents, run in order.
#: Candidates are deduplicated per graph first (DISTINCT subqueries): a national document
#: cited by many files has a stub description in each of their graphs.
LINK_STUBS_UPDATES: tuple[str, ...] = (
    # 1. an IRI that is a corpus document somewhere is no stub anywhere
    _PKG_PROLOGUE
    + """DELETE { GRAPH ?g { ?d ?p ?o } }
WHERE { GRAPH ?g { ?d pkg:isStub true ; ?p ?o } GRAPH ?h { ?d pkg:isStub false } }""",
    # 2. stubs whose normalised 文号 names a corpus document
    _PKG_PROLOGUE
    + """DELETE { GRAPH ?g { ?s ?p ?stub } } INSERT { GRAPH ?g { ?s ?p ?doc } }
WHERE {
  { SELECT ?stub (MIN(STR(?d)) AS ?target) WHERE {
      { SELECT DISTINCT ?stub ?k WHERE {
          GRAPH ?gs { ?stub pkg:isStub true ; pkg:docNumberKey ?k } } }
      { SELECT DISTINCT ?d ?k WHERE { GRAPH ?gd { ?d pkg:isStub false ; pkg:docNumberKey ?k } } }
    } GROUP BY ?stub }
  BIND(IRI(?target) AS ?doc)
  GRAPH ?g { ?s ?p ?stub }
}""",
    # 3. stubs whose normalised title names a corpus document (unless the 文号 differ)
    _PKG_PROLOGUE
    + """DELETE { GRAPH ?g { ?s ?p ?stub } } INSERT { GRAPH ?g { ?s ?p ?doc } }
WHERE {
  { SELECT ?stub (MIN(STR(?d)) AS ?target) WHERE {
      { SELECT DISTINCT ?stub ?t WHERE { GRAPH ?gs { ?stub pkg:isStub true ; pkg:titleKey ?t } } }
      { SELECT DISTINCT ?d ?t WHERE { GRAPH ?gd { ?d pkg:isStub false ; pkg:titleKey ?t } } }
      FILTER NOT EXISTS {
        GRAPH ?g1 { ?stub pkg:docNumberKey ?k1 } GRAPH ?g2 { ?d pkg:docNumberKey ?k2 }
        FILTER(?k1 != ?k2)
      }
    } GROUP BY ?stub }
  BIND(IRI(?target) AS ?doc)
  GRAPH ?g { ?s ?p ?stub }
}""",
    # 4. drop the descriptions of stubs nothing cites any more
    _PKG_PROLOGUE
    + """DELETE { GRAPH ?g { ?stub ?p ?o } }
WHERE {
  GRAPH ?g { ?stub pkg:isStub true ; ?p ?o }
  FILTER NOT EXISTS { GRAPH ?h { ?c pkg:citedDocument ?stub } }
}""",
)


_AREA_MATCH = """
  { SELECT ?alias (MIN(STR(?coded)) AS ?target) WHERE {
      ?alias a pkg:AdministrativeArea ; skos:prefLabel ?label .
      FILTER NOT EXISTS { ?alias pkg:divisionCode ?none }
      ?coded pkg:divisionCode ?code ; skos:prefLabel ?label .
    } GROUP BY ?alias }
  BIND(IRI(?target) AS ?area)"""

#: SPARQL updates that merge areas known only by name into the coded area of that name.
MERGE_AREAS_UPDATES: tuple[str, ...] = tuple(
    _PKG_PROLOGUE + f"PREFIX skos: <{NS['skos']}>\n" + body
    for body in (
        # references in the file graphs (subject and object positions)
        "DELETE { GRAPH ?g { ?s ?p ?alias } } INSERT { GRAPH ?g { ?s ?p ?area } }\n"
        f"WHERE {{ {_AREA_MATCH}\n  GRAPH ?g {{ ?s ?p ?alias }} }}",
        "DELETE { GRAPH ?g { ?alias ?p ?o } } INSERT { GRAPH ?g { ?area ?p ?o } }\n"
        f"WHERE {{ {_AREA_MATCH}\n  GRAPH ?g {{ ?alias ?p ?o }} }}",
        # references in the default graph (bodies' pkg:inArea), then the alias itself
        "DELETE { ?s ?p ?alias } INSERT { ?s ?p ?area }\n"
        f"WHERE {{ {_AREA_MATCH}\n  ?s ?p ?alias }}",
        f"DELETE {{ ?alias ?p ?o }} INSERT {{ ?area ?p ?o }}\n"
        f"WHERE {{ {_AREA_MATCH}\n  ?alias ?p ?o FILTER(?p != skos:prefLabel) }}",
        f"DELETE {{ ?alias ?p ?o }}\nWHERE {{ {_AREA_MATCH}\n  ?alias ?p ?o }}",
    )
)


def link_across_files(store: Store) -> None:
    """Everything that needs all files loaded: stub documents, then area aliases.

    See :func:`link_stub_documents` and :func:`merge_area_aliases`.
    """
    link_stub_documents(store)
    merge_area_aliases(store)


def merge_area_aliases(store: Store) -> None:
    """Merge an area known only by name (``id/area/成都市``) into the coded area of that name.

    A file may name a city it has no division code for (a unit's region); another
    file may know the code.  References move to the coded area, in every graph.
    """
    for update in MERGE_AREAS_UPDATES:
        store.update(update)


def link_stub_documents(store: Store) -> None:
    """Point citations of stub documents at the corpus documents they name.

    Run once after all files are loaded: matching is by normalised 文号 first,
    then by normalised title where the 文号 do not contradict; stubs left
    without references are removed.
    """
    for update in LINK_STUBS_UPDATES:
        store.update(update)


def _format(fmt: str) -> RdfFormat:
    try:
        return FORMATS[fmt.lower()]
    except KeyError:
        raise ValueError(f"unknown RDF format {fmt!r} (one of {', '.join(FORMATS)})") from None


def _subject_order(quad: Quad) -> tuple[str, str]:
    return str(quad.subject), str(quad.predicate)


def serialize_store(store: Store, fmt: str) -> bytes:
    """Serialise a store: datasets (TriG, N-Quads, JSON-LD) keep named graphs;
    triple formats (Turtle, N-Triples) get the union of all graphs, without duplicates."""
    rdf_format = _format(fmt)
    if rdf_format.supports_datasets:
        # graph by graph (default first, then by name) so each TriG block appears once
        graphs = sorted(store.named_graphs(), key=str)
        quads = chain.from_iterable(
            sorted(store.quads_for_pattern(None, None, None, g), key=_subject_order)
            for g in [DefaultGraph(), *graphs]
        )
        data = serialize(quads, format=rdf_format, prefixes=NS)
        assert data is not None  # no output file given: bytes come back
        return data
    union = Store()
    union.extend(Quad(q.subject, q.predicate, q.object) for q in store)
    data = union.dump(format=rdf_format, from_graph=DefaultGraph(), prefixes=NS)
    assert data is not None
    return data


def serialize_results(results: Iterable[ExtractionResult], fmt: str) -> bytes:
    """Serialise extraction results as ``ttl`` (union of graphs) or ``trig`` (named graphs).

    Also accepts ``nt``, ``nq`` and ``jsonld``.  Stub documents are linked across
    the given results as in a store build.
    """
    _format(fmt)  # fail before extracting anything
    store = Store()
    for result in results:
        store.extend(result_to_quads(result))
    link_across_files(store)
    return serialize_store(store, fmt)
