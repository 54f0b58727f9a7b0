"""Extraction results to RDF quads (ontology v1) and serialisations.

Graph layout (see ``ontology.ttl``):

* **one named graph per source file** (:func:`~policykg.graph.namespaces.graph_iri`) holds
  everything the file states: its documents, tasks, the qualified responsibility,
  citation and target nodes with their evidence, the shortcut triples, stub documents
  for cited documents, the source-text node (the decoded text itself as ``rdf:value``,
  which every evidence offset indexes, with format, encoding, sha256 and warnings) and
  the file's extraction run (``pkg:ExtractionRun``: the source it used, the extractor,
  the start time; every fact node is ``prov:wasGeneratedBy`` it).
  Re-extracting a file is ``DROP GRAPH`` plus a load.
* **the reference graph** (:data:`~policykg.graph.namespaces.REFERENCE_GRAPH`) holds
  shared reference data: bodies (labels, surface forms as ``skos:altLabel``),
  administrative areas, indicator and unit concepts, the extractor software
  (``pkg:Extractor`` with its version).  These are facts about the world
  several files share; keeping one copy avoids duplicate rows when a query reads the
  union of all graphs.  With the ontology graph it is one of the two named graphs
  that are no file's; the default graph stays empty, so the union of the named graphs
  is exactly what a query sees.

Reference nodes are keyed so that one entity is one node with one ``skos:prefLabel``
per language: areas by GB/T 2260 code (label, code and level from jionlp's division
table, :mod:`policykg.extract.resolve`); bodies by (area code, canonical name), where
issuers are resolved like responsible units (the same node, the written form an
altLabel); a second nameplate (市科技局(市知识产权局)) is a node of its own linked by
``pkg:nameplateOf``, a merged body points at its ``pkg:successor``; indicators are
the curated SKOS scheme's concepts (``extract/data/indicators.json``: labels in
Chinese and English, altLabels, broader groups), an unmapped metric a concept of its
own labelled with the normalised metric; the metric as written stays on the target.

Cited documents are resolved inside a file first (by normalised 文号, then normalised
title, then the document's own short names).  Across files the conversion is streaming,
so a cited document that lives in a file converted later is first written as a stub
(``pkg:isStub true``); :func:`link_stub_documents` then rewrites the references in the
store once everything is loaded and removes the stubs: a stub known by title only
joins the stub with that title and a 文号, then stubs join corpus documents (文号
first, then title).
Likewise an area a file knows only by name is merged into the area with a
division code of the same name (:func:`merge_area_aliases`).
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from importlib import metadata
from importlib.resources import files
from itertools import chain
from typing import TYPE_CHECKING

from pyoxigraph import (
    DefaultGraph,
    Literal,
    NamedNode,
    Quad,
    RdfFormat,
    Store,
    parse,
    serialize,
)

from policykg.extract.indicators import Concept, load_scheme
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
    RDFS,
    REFERENCE_GRAPH,
    SCHEMA,
    SDMX_ATTRIBUTE,
    SDMX_DIMENSION,
    SKOS,
    XSD,
    agent_iri,
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
    run_iri,
    source_iri,
    target_iri,
    task_iri,
    unit_iri,
)

if TYPE_CHECKING:  # resolve imports spaCy: loaded on first conversion, not on import
    from policykg.extract.resolve import Region, ResolvedUnit

__all__ = [
    "FORMATS",
    "LINK_STUBS_UPDATES",
    "MERGE_AREAS_UPDATES",
    "document_type",
    "extractor_version",
    "indicator_scheme_quads",
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
_SPACES = re.compile(r"\s+")
# between the bodies of a joint issuer line
_ISSUER_SEP = re.compile(r"[\s\u3000、，,；;]+")
# a target's sentence starts after the last of these before its evidence
_SENTENCE_END = re.compile(r"[。；;！!？?\n]")
# 力争/争取 (strive to): the goal is aspirational; the gold comparator stays >=
_ASPIRATION = re.compile(r"力争|争取")
# what ends a title after its genre word: 「(2023-2025年)」「（征求意见稿）」, quotes, spaces
_TITLE_TAIL = re.compile(r"(?:\s*[（(【\[][^（）()【】\[\]]{0,40}[）)】\]]|[\s》」』”\"'。.])+$")


def _region_by_code(code: str | None) -> Region | None:
    from policykg.extract.resolve import region_by_code as lookup

    return lookup(code)


def _region_label(region: Region) -> str:
    from policykg.extract.resolve import region_label as label

    return label(region)


def _lit(value: str, lang: str | None = None) -> Literal:
    return Literal(value, language=lang) if lang else Literal(value)


def _int(value: int) -> Literal:
    return Literal(str(int(value)), datatype=XSD.integer)


def _bool(value: bool) -> Literal:
    return Literal("true" if value else "false", datatype=XSD.boolean)


def _decimal(value: float) -> Literal:
    text = format(Decimal(repr(float(value))).normalize(), "f")
    return Literal(text, datatype=XSD.decimal)


def extractor_version() -> str:
    """The installed policykg version (the extractor the runs are associated with)."""
    try:
        return metadata.version("policykg")
    except metadata.PackageNotFoundError:
        return "unknown"


@lru_cache(maxsize=1)
def _document_types() -> dict[str, NamedNode]:
    """Chinese labels (pref and alt) of the document-type scheme in ``ontology.ttl``."""
    path = files("policykg.graph").joinpath("ontology.ttl")
    triples = list(parse(path=str(path), format=RdfFormat.TURTLE))
    in_scheme = {
        t.subject.value
        for t in triples
        if t.predicate == SKOS.inScheme and t.object == PKG.DocTypeScheme
    }
    labels: dict[str, NamedNode] = {}
    for t in triples:
        if (
            t.subject.value in in_scheme
            and t.predicate in (SKOS.prefLabel, SKOS.altLabel)
            and isinstance(t.object, Literal)
            and (t.object.language or "").startswith("zh")
            and isinstance(t.subject, NamedNode)
        ):
            labels.setdefault(t.object.value, t.subject)
    return labels


def document_type(title: str | None) -> NamedNode | None:
    """The document-type concept (``pkg:DocTypeScheme``) a title's genre word names.

    The genre word ends the title (实施意见, 行动计划, 通知 …) once trailing brackets
    (年份, 征求意见稿) and quotes are dropped; the longest label of the scheme that
    ends it wins, so 实施方案 is an implementation programme, not just a 方案.  A
    notice that issues a plan (关于印发《X》的通知) is a 通知.

    Parameters
    ----------
    title : str or None
        The title as written.

    Returns
    -------
    NamedNode or None
        The concept, or None when no label of the scheme ends the title.
    """
    if not title:
        return None
    text = _TITLE_TAIL.sub("", unicodedata.normalize("NFKC", title).strip())
    best: tuple[int, NamedNode] | None = None
    for label, concept in _document_types().items():
        if text.endswith(label) and (best is None or len(label) > best[0]):
            best = (len(label), concept)
    return best[1] if best else None


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
        self.version = extractor_version()
        self.run = run_iri(result.source, result.sha256, self.version)
        self.quads: list[Quad] = []
        self._described: set[str] = set()

    def add(self, s: NamedNode, p: NamedNode, o: NamedNode | Literal) -> None:
        self.quads.append(Quad(s, p, o, self.graph))

    def ref(self, s: NamedNode, p: NamedNode, o: NamedNode | Literal) -> None:
        """A reference-data triple (the reference graph, shared by all files)."""
        self.quads.append(Quad(s, p, o, REFERENCE_GRAPH))

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
        self.add(node, PROV.wasGeneratedBy, self.run)
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
        """The source text, decoded (what evidence offsets index), and its extraction run."""
        res, src = self.result, self.source
        self.add(src, RDF.type, PKG.SourceText)
        self.add(src, DCTERMS.identifier, _lit(res.source))
        self.add(src, PKG.sha256, _lit(res.sha256))
        # the whole text, so a quote can always be shown in its context
        self.add(src, RDF.value, _lit(res.text))
        if res.matching_text is not None and res.matching_text != res.text:
            self.add(src, PKG.matchingText, _lit(res.matching_text))
        self.add(src, PKG.sourceFormat, _lit(res.source_format))
        if res.encoding:
            self.add(src, PKG.encoding, _lit(res.encoding))
        for warning in dict.fromkeys(res.warnings):
            self.add(src, PKG.warning, _lit(warning))
        run, agent = self.run, agent_iri(self.version)
        self.add(run, RDF.type, PKG.ExtractionRun)
        self.add(run, PROV.used, src)
        self.add(run, PROV.wasAssociatedWith, agent)
        # no start time: a build of the same bytes with the same extractor must give the
        # same triples (--update, Dask vs local); the build time is in the store marker
        # the software is shared by every file it read: described once, as reference data
        self.ref(agent, RDF.type, PKG.Extractor)
        self.ref(agent, RDFS.label, _lit("policykg"))
        self.ref(agent, SCHEMA.softwareVersion, _lit(self.version))

    # -------------------------------------------------------------- reference data

    def area(self, area: _Area) -> NamedNode:
        """An administrative area: keyed, labelled and levelled from the division table."""
        node = area_iri(area.label, area.code)
        if self.first(node):
            self.ref(node, RDF.type, PKG.AdministrativeArea)
            self.ref(node, SKOS.prefLabel, _lit(area.label, "zh"))
            if area.code:
                self.ref(node, PKG.divisionCode, _lit(area.code))
            if area.known and area.level:
                # the table's level is the level: only one per area
                self.ref(node, PKG.regionLevel, _lit(LEVELS.get(area.level, area.level)))
        if not area.known and area.level and self.first(node, "level:"):
            self.ref(node, PKG.regionLevel, _lit(LEVELS.get(area.level, area.level)))
        for alt in area.alt_labels:
            if self.first(node, "alt:" + alt):
                self.ref(node, SKOS.altLabel, _lit(alt, "zh"))
        return node

    def body(self, name: str, surface: str | None, area: _Area | None) -> NamedNode:
        """A body keyed by (GB/T 2260 code of its area, canonical name); one prefLabel."""
        label = _clean(name)
        node = body_iri(label, area.key if area is not None else None)
        if self.first(node):
            self.ref(node, RDF.type, ORG.Organization)
            if _GOVERNMENT.search(label) and not _NOT_GOVERNMENT.search(label):
                self.ref(node, RDF.type, PKG.GovernmentBody)
            self.ref(node, SKOS.prefLabel, _lit(label, "zh"))
            if area is not None:
                self.ref(node, PKG.inArea, self.area(area))
        if surface and surface != label and self.first(node, "alt:" + surface):
            self.ref(node, SKOS.altLabel, _lit(surface, "zh"))
        return node

    def concept(self, node: NamedNode, scheme: NamedNode, label: str) -> NamedNode:
        """A concept known only from the text: its one prefLabel is derived from its key."""
        if self.first(node):
            self.ref(node, RDF.type, SKOS.Concept)
            self.ref(node, SKOS.inScheme, scheme)
            self.ref(node, SKOS.prefLabel, _lit(label, "zh"))
        return node

    def alt_label(self, node: NamedNode, label: str, pref: str) -> None:
        if label and label != pref and self.first(node, "alt:" + label):
            self.ref(node, SKOS.altLabel, _lit(label, "zh"))

    def scheme_concept(self, concept: Concept, groups: dict[str, dict[str, str]]) -> NamedNode:
        """A concept of the curated indicator scheme, described from the scheme file."""
        node = indicator_iri("", concept.id)
        if self.first(node):
            self.ref(node, RDF.type, SKOS.Concept)
            self.ref(node, SKOS.inScheme, PKG.IndicatorScheme)
            self.ref(node, SKOS.notation, _lit(concept.id))
            for lang, label in sorted(concept.pref_label.items()):
                self.ref(node, SKOS.prefLabel, _lit(label, lang))
            zh = concept.pref_label.get("zh")
            for alt in concept.alt_labels:
                if alt != zh:
                    self.ref(node, SKOS.altLabel, _lit(alt, "zh"))
            if concept.broader:
                group = indicator_iri("", concept.broader)
                self.ref(node, SKOS.broader, group)
                if self.first(group):
                    self.ref(group, RDF.type, SKOS.Concept)
                    self.ref(group, SKOS.inScheme, PKG.IndicatorScheme)
                    self.ref(group, SKOS.topConceptOf, PKG.IndicatorScheme)
                    self.ref(group, SKOS.notation, _lit(concept.broader))
                    for lang, label in sorted(groups.get(concept.broader, {}).items()):
                        self.ref(group, SKOS.prefLabel, _lit(label, lang))
        return node


@dataclass(frozen=True, slots=True)
class _Area:
    """An area as the graph keys it: by GB/T 2260 code when the division table knows it."""

    label: str
    code: str | None
    level: str | None
    #: in the division table (code, level and label are the table's)
    known: bool = False
    alt_labels: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        """What bodies are keyed by: the table's code, else the written name."""
        return self.code if self.known and self.code else self.label


def _clean(name: str) -> str:
    """A label as stored: NFKC, no whitespace (one prefLabel per node, whatever the width)."""
    return _SPACES.sub("", unicodedata.normalize("NFKC", name))


def _area_of(region: Region) -> _Area:
    label = _region_label(region)
    alts = tuple(dict.fromkeys(a for a in (region.name, region.short) if a and a != label))
    return _Area(label, region.code, region.level, known=True, alt_labels=alts)


def _split_issuers(issuer: str) -> list[str]:
    """A joint issuer line (``某省科学技术厅 某省财政厅``) names several bodies."""
    return [p for p in _ISSUER_SEP.split(issuer.strip()) if p]


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
        self.regions: dict[str, Region | None] = {
            d.key: _document_region(d) for d in result.documents
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

    def region_of(self, key: str) -> Region | None:
        return self.regions.get(key)

    def area_ref(
        self,
        name: str | None,
        code: str | None,
        level: str | None = None,
        near: Region | None = None,
    ) -> _Area | None:
        """The area a (name, code) pair denotes; the document's region ``near`` decides
        between same-named divisions (a 鼓楼区 unit in a 南京 document)."""
        from policykg.extract.resolve import _province_of, normalize_name, resolve_region

        region = _region_by_code(code)
        if region is None and name:
            n = normalize_name(name)
            if near is not None and n in (near.name, _region_label(near)):
                region = near
            else:
                region = resolve_region(n)
                if region is None and near is not None:
                    region = resolve_region(n, within=_province_of(near) or near)
        if region is not None and (region.code is None or _region_by_code(region.code) is None):
            # not a division of the table (an invented example region): keep what is written
            return _Area(_clean(region.name), region.code or code, region.level or level)
        if region is not None:
            return _area_of(region)
        if not name:
            return None
        return _Area(_clean(name), code, level)

    def unit_body(self, unit: ResolvedUnit, surface: str | None, near: Region | None) -> NamedNode:
        """The body node of a resolved unit (issuer, responsible unit, nameplate)."""
        area = self.area_ref(unit.region, unit.region_code, near=near) if unit.region else None
        return self.w.body(unit.canonical, surface, area)

    def related_bodies(self, body: NamedNode, unit: ResolvedUnit, near: Region | None) -> None:
        """Second nameplates (市科技局(市知识产权局)) and successors of a body.

        The second nameplate becomes its own node, linked by ``pkg:nameplateOf``, so a
        later plain 市知识产权局 of the same region (which resolves to that node) is
        tied to the bureau that carries the nameplate.
        """
        from policykg.extract.resolve import resolve_unit

        for other in unit.also:
            plate = self.unit_body(resolve_unit(other, near), None, near)
            if plate != body and self.w.first(plate, "plate:" + body.value):
                self.w.ref(plate, PKG.nameplateOf, body)
        if unit.successor:
            after = self.unit_body(resolve_unit(unit.successor, near), None, near)
            if after != body and self.w.first(body, "successor:" + after.value):
                self.w.ref(body, PKG.successor, after)

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
        kind = document_type(doc.title)
        if kind is not None:
            w.add(node, ELI.type_document, kind)
        if doc.doc_number:
            w.add(node, ELI.id_local, _lit(doc.doc_number))
            w.add(node, PKG.docNumberKey, _lit(doc_number_key(doc.doc_number)))
        if not doc.title and not doc.doc_number:
            # a display name only (tables, Gephi): the text states no title, so none is claimed
            when = doc.date or "无日期"
            name = f"{doc.region or '未知地区'}文件（{when}，{self.result.source}）"
            w.add(node, RDFS.label, _lit(name, "zh"))
        for alias in doc.aliases:
            w.add(node, SKOS.altLabel, _lit(alias, "zh"))
        ctx = self.region_of(doc.key)
        area = self.area_ref(doc.region, doc.region_code, doc.region_level, near=ctx)
        if area is not None:
            w.add(node, ELI.jurisdiction, w.area(area))
        if doc.issuer:
            from policykg.extract.resolve import resolve_unit

            # the issuer is a body like any responsible unit: the same node, its
            # written form (浙江省某市人民政府办公室) an altLabel
            for part in _split_issuers(doc.issuer):
                unit = resolve_unit(part, ctx)
                issuer = self.unit_body(unit, part, ctx)
                w.add(node, ELI.passed_by, issuer)
                self.related_bodies(issuer, unit, ctx)
        date = _date(doc.date)
        if date is not None:
            w.add(node, ELI.date_document, date)
        level = area.level if area is not None and area.known else doc.region_level
        if level:
            w.add(node, PKG.regionLevel, _lit(LEVELS.get(level, level)))
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
            w.add(task, PROV.wasGeneratedBy, w.run)
            if 0 <= rec.task_start < rec.task_end <= len(self.result.text):
                quote = self.result.text[rec.task_start : rec.task_end]
                ev = Evidence(self.result.source, rec.task_start, rec.task_end, quote)
                w.add(task, PKG.evidence, w.evidence(ev))
        from policykg.extract.resolve import resolve_unit

        name = rec.unit_canonical or rec.unit
        ctx = self.region_of(rec.document)
        area: _Area | None = None
        if rec.unit_region:
            area = self.area_ref(rec.unit_region, rec.unit_region_code, near=ctx)
        elif doc_rec is not None and (_RELATIVE.match(name) or _RELATIVE.match(rec.unit)):
            # relative names (市科技局, 各县区政府) belong to the document's region
            area = self.area_ref(doc_rec.region, doc_rec.region_code, doc_rec.region_level, ctx)
        body = w.body(name, rec.unit, area)
        resolved = resolve_unit(rec.unit, ctx)
        if rec.unit_canonical is None or resolved.canonical == rec.unit_canonical:
            self.related_bodies(body, resolved, ctx)
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
                kind = document_type(rec.cited_title)
                if kind is not None:
                    w.add(node, ELI.type_document, kind)
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
        indicator = self.indicator(rec)
        w.add(node, PKG.indicator, indicator)
        w.add(node, PKG.metricAsWritten, _lit(rec.metric))
        w.add(node, PKG.targetValue, _decimal(rec.value))
        if rec.value_max is not None and math.isfinite(rec.value_max):
            w.add(node, PKG.targetValueMax, _decimal(rec.value_max))
        if rec.normalized_value is not None and math.isfinite(rec.normalized_value):
            w.add(node, PKG.normalizedValue, _decimal(rec.normalized_value))
        if rec.unit:
            unit = w.concept(unit_iri(rec.unit), PKG.UnitScheme, _clean(rec.unit))
            w.add(node, SDMX_ATTRIBUTE.unitMeasure, unit)
        w.add(node, PKG.comparator, COMPARATOR_CONCEPTS.get(rec.comparator, PKG.Exactly))
        if rec.year is not None:
            w.add(node, PKG.targetYear, Literal(f"{rec.year:04d}", datatype=XSD.gYear))
        w.add(node, PKG.yearInferred, _bool(rec.year_inferred))
        w.add(node, PKG.aspirational, _bool(self.aspirational(rec)))
        ctx = self.region_of(rec.document)
        same = doc_rec is not None and region == doc_rec.region
        code = doc_rec.region_code if same and doc_rec is not None else None
        target_area = self.area_ref(region, code, near=ctx)
        if target_area is not None:
            area = w.area(target_area)
            w.add(node, SDMX_DIMENSION.refArea, area)
            w.add(area, PKG.targetsMetric, indicator)

    def aspirational(self, rec: TargetRecord) -> bool:
        """True when the target's sentence strives for it (力争/争取) rather than sets it.

        Read in the matching text (力爭 in a traditional-script source is 力争 there),
        from the start of the sentence to the end of the evidence.
        """
        text = self.result.matching_text or self.result.text
        start, end = rec.evidence.start, rec.evidence.end
        if not 0 <= start <= end <= len(text):
            return False
        head = max((m.end() for m in _SENTENCE_END.finditer(text, max(0, start - 200), start)),
                   default=max(0, start - 200))  # fmt: skip
        return _ASPIRATION.search(text, head, end) is not None

    def indicator(self, rec: TargetRecord) -> NamedNode:
        """The indicator concept of a target: the curated scheme's when the metric maps to
        one, else a concept of its own keyed (and labelled) by the normalised metric."""
        scheme = load_scheme()
        concept = scheme.by_id(rec.indicator) if rec.indicator else None
        if concept is not None:
            return self.w.scheme_concept(concept, scheme.groups)
        label = norm_text(rec.metric) or _clean(rec.metric)
        node = self.w.concept(
            indicator_iri(rec.metric, rec.indicator), PKG.IndicatorScheme, rec.indicator or label
        )
        self.w.alt_label(node, _clean(rec.metric), rec.indicator or label)
        return node


def _document_region(doc: DocumentRecord) -> Region | None:
    """A document's region as a :class:`Region` (the table's entry when it has one)."""
    from policykg.extract.resolve import Region, resolve_region

    found = _region_by_code(doc.region_code)
    if found is None and doc.region:
        found = resolve_region(doc.region)
        if found is not None and doc.region_code and found.code != doc.region_code:
            found = None  # the record's code is the authority
    if found is None and doc.region:
        level = doc.region_level if doc.region_level in ("province", "city", "county") else "city"
        found = Region(_clean(doc.region), doc.region_code, level, _clean(doc.region))
    return found


def indicator_scheme_quads() -> list[Quad]:
    """The whole curated indicator scheme as reference data (the reference graph).

    A store build loads it once, so indicators nobody targets yet can be browsed
    and compared; per-file conversions describe the concepts they use, with the
    same triples.
    """
    w = _QuadWriter(ExtractionResult("indicator-scheme", "", "", [], [], [], []))
    scheme = load_scheme()
    for concept in scheme.concepts:
        w.scheme_concept(concept, scheme.groups)
    return w.quads


def result_to_quads(result: ExtractionResult) -> Iterator[Quad]:
    """Convert everything extracted from one source file into quads.

    Facts go into the file's named graph (:func:`~policykg.graph.namespaces.graph_iri`),
    with the source text and the extraction run; shared reference data (bodies, areas,
    indicator and unit concepts) into the reference graph
    (:data:`~policykg.graph.namespaces.REFERENCE_GRAPH`).  Cited documents not found
    in this file become stubs; see :func:`link_stub_documents`.
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
    # 2. a stub known only by its title is the stub that has that title and a 文号
    #    (《X》 in one file, 《X》（N号） in another, N号 alone in a third: one document);
    #    titles shared by stubs of several 文号 are left alone
    _PKG_PROLOGUE
    + """DELETE { GRAPH ?g { ?s ?p ?stub } } INSERT { GRAPH ?g { ?s ?p ?doc } }
WHERE {
  { SELECT ?stub (MIN(STR(?d)) AS ?target) WHERE {
      { SELECT DISTINCT ?stub ?t WHERE {
          GRAPH ?gs { ?stub pkg:isStub true ; pkg:titleKey ?t }
          FILTER NOT EXISTS { GRAPH ?gn { ?stub pkg:docNumberKey ?none } } } }
      { SELECT DISTINCT ?d ?t WHERE {
          GRAPH ?gd { ?d pkg:isStub true ; pkg:titleKey ?t ; pkg:docNumberKey ?k } } }
    } GROUP BY ?stub HAVING (COUNT(DISTINCT ?d) = 1) }
  BIND(IRI(?target) AS ?doc)
  GRAPH ?g { ?s ?p ?stub }
}""",
    # 3. stubs whose normalised 文号 names a corpus document
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
    # 4. stubs whose normalised title names a corpus document (unless the 文号 differ)
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
    # 5. drop the descriptions of stubs nothing cites any more
    _PKG_PROLOGUE
    + """DELETE { GRAPH ?g { ?stub ?p ?o } }
WHERE {
  GRAPH ?g { ?stub pkg:isStub true ; ?p ?o }
  FILTER NOT EXISTS { GRAPH ?h { ?c pkg:citedDocument ?stub } }
}""",
)


_AREA_MATCH = f"""
  {{ SELECT ?alias (MIN(STR(?coded)) AS ?target) WHERE {{
      GRAPH <{REFERENCE_GRAPH.value}> {{
        ?alias a pkg:AdministrativeArea ; skos:prefLabel ?label .
        FILTER NOT EXISTS {{ ?alias pkg:divisionCode ?none }}
        ?coded pkg:divisionCode ?code ; skos:prefLabel ?label .
      }}
    }} GROUP BY ?alias }}
  BIND(IRI(?target) AS ?area)"""

#: SPARQL updates that merge areas known only by name into the coded area of that name,
#: in every named graph (areas are described in the reference graph, referred to in the
#: files' graphs and by the bodies' pkg:inArea in the reference graph).
MERGE_AREAS_UPDATES: tuple[str, ...] = tuple(
    _PKG_PROLOGUE + f"PREFIX skos: <{NS['skos']}>\n" + body
    for body in (
        # references (object position)
        "DELETE { GRAPH ?g { ?s ?p ?alias } } INSERT { GRAPH ?g { ?s ?p ?area } }\n"
        f"WHERE {{ {_AREA_MATCH}\n  GRAPH ?g {{ ?s ?p ?alias }} }}",
        # the alias's own triples go to the coded area, but for a level it has one of
        # (the division table's: one level per area); its prefLabel is the area's already
        "INSERT { GRAPH ?g { ?area ?p ?o } }\n"
        # (OPTIONAL + !BOUND, not NOT EXISTS: Virtuoso refuses NOT EXISTS over a variable
        # bound from an aggregate, "SQ200: Aggregate function not allowed in context")
        f"WHERE {{ {_AREA_MATCH}\n  GRAPH ?g {{ ?alias ?p ?o }}\n"
        "  OPTIONAL { GRAPH ?h { ?area pkg:regionLevel ?l } }\n"
        "  FILTER(?p != pkg:regionLevel || !BOUND(?l)) }",
        "DELETE { GRAPH ?g { ?alias ?p ?o } }\n"
        f"WHERE {{ {_AREA_MATCH}\n  GRAPH ?g {{ ?alias ?p ?o }} }}",
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

    Run once after all files are loaded.  A stub known only by its title is merged
    into the one stub that has that title and a 文号 (stubs of one 文号 share an IRI
    already); then stubs are matched to corpus documents by normalised 文号 first,
    then by normalised title where the 文号 do not contradict; stubs left without
    references are removed.
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
