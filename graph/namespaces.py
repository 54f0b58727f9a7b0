"""Namespaces, vocabulary terms and IRI minting for the policykg graph.

IRIs are minted from what the text says, never from extraction order, so the
same document extracted twice (or from two files) gets the same IRI:

==============================  ==================================================
``id/doc/浙政发-2019-12号``        document with a 文号 (normalised, brackets unified)
``id/doc/t-<sha1(title)[:12]>``  document known only by its title
``id/task/<doc>/<label>-<h>``    task: its number as written plus a hash of its text
``id/body/<code>/<name>``        body, keyed by (GB/T 2260 code of its area, canonical name)
``id/area/<code or name>``       administrative area: GB/T 2260 code when known
``id/indicator/<metric>``        indicator concept (normalised metric)
``id/graph/<source key>``        one source file's facts (:func:`source_key`)
``id/run/<source key>/<h>``      the extraction run of one file (hash of its bytes and
                                 the extractor version: the same input, the same run)
``id/agent/policykg-<version>``  the extractor software
==============================  ==================================================

Two named graphs are not a file's: the ontology (:data:`ONTOLOGY_GRAPH`) and the
reference data several files share (:data:`REFERENCE_GRAPH`: bodies, areas, indicator
and unit concepts).  Nothing is stored in the default graph, so a query's default
graph, the union of all named graphs, holds every triple of the store.

Keys keep CJK characters (IRIs allow them; they stay readable in SPARQL and
Gephi) but contain only word characters and ``-`` (source keys also ``.``), so they
need no escaping.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from functools import lru_cache

from pyoxigraph import NamedNode

__all__ = [
    "BASE",
    "DCTERMS",
    "ELI",
    "NS",
    "OA",
    "ONTOLOGY_GRAPH",
    "ORG",
    "OWL",
    "PKG",
    "PKG_NS",
    "PROV",
    "QB",
    "RDF",
    "RDFS",
    "REFERENCE_GRAPH",
    "SCHEMA",
    "SDMX_ATTRIBUTE",
    "SDMX_DIMENSION",
    "SKOS",
    "XSD",
    "Namespace",
    "agent_iri",
    "area_iri",
    "body_iri",
    "citation_iri",
    "doc_number_key",
    "doc_part",
    "document_iri",
    "evidence_iri",
    "graph_iri",
    "indicator_iri",
    "norm_text",
    "responsibility_iri",
    "run_iri",
    "short_hash",
    "slug",
    "source_iri",
    "source_key",
    "target_iri",
    "task_iri",
    "unit_iri",
]


class Namespace:
    """An IRI prefix; ``ns.term`` and ``ns["term"]`` give a :class:`NamedNode`."""

    # No public attributes: every attribute name is a term (oa:prefix, oa:start …).
    # A term, once made, is stored as an instance attribute, so later lookups are
    # plain attribute reads (the converter does millions of them).

    def __init__(self, iri: str) -> None:
        self._iri = iri

    def __getitem__(self, name: str) -> NamedNode:
        node = self.__dict__.get(name)
        if not isinstance(node, NamedNode):
            node = NamedNode(self._iri + name)
            if not name.startswith("_"):
                self.__dict__[name] = node
        return node

    def __getattr__(self, name: str) -> NamedNode:
        if name.startswith("_"):
            raise AttributeError(name)
        return self[name]

    def __str__(self) -> str:
        return self._iri


PKG_NS = "https://w3id.org/policykg/ontology#"
BASE = "https://w3id.org/policykg/id/"
#: the ontology is loaded into this named graph of a store
ONTOLOGY_GRAPH = NamedNode("https://w3id.org/policykg/ontology")
#: reference data shared by the files' graphs (bodies, areas, indicator and unit concepts);
#: outside ``id/graph/`` so that no source file's graph can take its name
REFERENCE_GRAPH = NamedNode("https://w3id.org/policykg/reference")

PKG = Namespace(PKG_NS)
ELI = Namespace("http://data.europa.eu/eli/ontology#")
ORG = Namespace("http://www.w3.org/ns/org#")
PROV = Namespace("http://www.w3.org/ns/prov#")
DCTERMS = Namespace("http://purl.org/dc/terms/")
SKOS = Namespace("http://www.w3.org/2004/02/skos/core#")
QB = Namespace("http://purl.org/linked-data/cube#")
SDMX_DIMENSION = Namespace("http://purl.org/linked-data/sdmx/2009/dimension#")
SDMX_ATTRIBUTE = Namespace("http://purl.org/linked-data/sdmx/2009/attribute#")
OA = Namespace("http://www.w3.org/ns/oa#")
RDF = Namespace("http://www.w3.org/1999/02/22-rdf-syntax-ns#")
RDFS = Namespace("http://www.w3.org/2000/01/rdf-schema#")
OWL = Namespace("http://www.w3.org/2002/07/owl#")
XSD = Namespace("http://www.w3.org/2001/XMLSchema#")
SCHEMA = Namespace("https://schema.org/")

#: prefix -> namespace IRI, for serialisations and SPARQL prologues
NS: dict[str, str] = {
    "pkg": PKG_NS,
    "eli": str(ELI),
    "org": str(ORG),
    "prov": str(PROV),
    "dcterms": str(DCTERMS),
    "skos": str(SKOS),
    "qb": str(QB),
    "sdmx-dimension": str(SDMX_DIMENSION),
    "sdmx-attribute": str(SDMX_ATTRIBUTE),
    "oa": str(OA),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "owl": str(OWL),
    "xsd": str(XSD),
    "schema": str(SCHEMA),
}

_NON_WORD = re.compile(r"[^\w]+")
_PUNCT_CATEGORIES = ("P", "S", "Z", "C")
# 〔2017〕 (2017) （2017） [2017] ［2017］ 【2017】 → 〔2017〕
_DOCNO_YEAR = re.compile(r"[〔\[(【{]\s*(\d{4})\s*[〕\])】}]")
_SPACE = re.compile(r"\s+")
_MAX_SLUG = 48


def short_hash(*parts: object, length: int = 10) -> str:
    """Stable hex digest of ``parts`` (SHA-1 of their ``|``-joined strings)."""
    data = "|".join("" if p is None else str(p) for p in parts).encode("utf-8")
    return hashlib.sha1(data).hexdigest()[:length]


@lru_cache(maxsize=65536)
def norm_text(text: str | None) -> str:
    """NFKC, then drop whitespace, punctuation and symbols (the gold matching ``norm``)."""
    if not text:
        return ""
    text = unicodedata.normalize("NFKC", text)
    return "".join(ch for ch in text if unicodedata.category(ch)[0] not in _PUNCT_CATEGORIES)


def doc_number_key(doc_number: str | None) -> str:
    """文号 normalised for matching: NFKC, no spaces, year brackets as 〔YYYY〕."""
    if not doc_number:
        return ""
    text = _SPACE.sub("", unicodedata.normalize("NFKC", doc_number))
    return _DOCNO_YEAR.sub(r"〔\1〕", text)


@lru_cache(maxsize=65536)
def slug(text: str | None) -> str:
    """A URL-safe key: word characters (CJK kept) joined by ``-``; long keys get a hash."""
    if not text:
        return ""
    key = _NON_WORD.sub("-", unicodedata.normalize("NFKC", text)).strip("-_")
    if len(key) > _MAX_SLUG:
        key = key[: _MAX_SLUG - 9].rstrip("-") + "-" + short_hash(text, length=8)
    return key


def _iri(*parts: str) -> NamedNode:
    return NamedNode(BASE + "/".join(parts))


#: a source identity that is its own key: a plain file name such as ``000_7d59.txt``
_PLAIN_SOURCE = re.compile(r"\w[\w.-]{0,63}")
_NOT_KEY_CHARS = re.compile(r"[^\w.-]+")
_SOURCE_SLUG = 40


@lru_cache(maxsize=65536)
def source_key(source: str) -> str:
    """Key of a source file, from its identity: the path relative to the corpus root.

    The identity (``extract.pipeline.iter_sources``: ``sub/dir/index.txt``, or a
    file's name when the file itself was given) keeps its extension, so
    ``policy.pdf`` and ``policy.docx`` are two sources.  A plain name (word
    characters, ``.`` and ``-``, at most 64, unchanged by NFKC) is its own key;
    anything else (directories, spaces, long names) is a readable slug plus a
    hash of the whole identity: ``c/a/index.txt`` -> ``c-a-index.txt-<sha1[:10]>``.
    Distinct identities get distinct keys (a build still checks, see
    ``graph.store``).
    """
    if _PLAIN_SOURCE.fullmatch(source) and unicodedata.normalize("NFKC", source) == source:
        return source
    text = _NOT_KEY_CHARS.sub("-", unicodedata.normalize("NFKC", source)).strip("-.")
    head = text[:_SOURCE_SLUG].rstrip("-.")
    digest = short_hash(source, length=10)
    return f"{head}-{digest}" if head else digest


def source_iri(source: str) -> NamedNode:
    """The source text node (a ``pkg:SourceText``) of a source identity."""
    return _iri("source", source_key(source))


def graph_iri(source: str) -> NamedNode:
    """The named graph holding the facts of one source file (by its identity)."""
    return _iri("graph", source_key(source))


def document_iri(
    doc_number: str | None, title: str | None, fallback: str | None = None
) -> NamedNode:
    """Document IRI from the normalised 文号, else a hash of the normalised title.

    ``fallback`` (e.g. ``"<source>-<key>"``) is used when neither is known.
    """
    number = slug(doc_number_key(doc_number))
    if number:
        return _iri("doc", number)
    title_key = norm_text(title)
    if title_key:
        return _iri("doc", "t-" + short_hash(title_key, length=12))
    return _iri("doc", "x-" + (slug(fallback) or short_hash(fallback)))


def doc_part(doc: NamedNode) -> str:
    """The key part of a document IRI (used inside the IRIs of its facts)."""
    return doc.value.rsplit("/", 1)[-1]


def task_iri(doc: NamedNode, label: str | None, task: str | None) -> NamedNode:
    """Task IRI: the document, the task's number as written and a hash of its text."""
    label_key = slug(label) or "t"
    return _iri("task", doc_part(doc), f"{label_key}-{short_hash(norm_text(task), length=6)}")


def responsibility_iri(task: NamedNode, body: NamedNode) -> NamedNode:
    """One responsibility per (task, body)."""
    doc_key, task_key = task.value.rsplit("/", 2)[-2:]
    return _iri("resp", doc_key, task_key, short_hash(body.value, length=8))


def citation_iri(citing: NamedNode, cited: NamedNode, start: int) -> NamedNode:
    """One citation per (citing, cited document, evidence position)."""
    return _iri("cit", doc_part(citing), short_hash(cited.value, start, length=10))


def target_iri(doc: NamedNode, metric: str, value: float, start: int) -> NamedNode:
    """One target per (document, metric, value, evidence position)."""
    return _iri("tgt", doc_part(doc), short_hash(norm_text(metric), value, start, length=10))


def body_iri(name: str, region: str | None) -> NamedNode:
    """Body IRI keyed by (region, canonical name); no region for absolute names.

    ``region`` is the area's GB/T 2260 code when the division table knows it (two
    counties named 鼓楼区 are two keys), else the region's written name.
    """
    name_key = slug(name) or short_hash(name)
    region_key = slug(region)
    return _iri("body", region_key, name_key) if region_key else _iri("body", name_key)


def area_iri(name: str | None, code: str | None = None) -> NamedNode:
    """Area IRI: the GB/T 2260 code when known, else the name."""
    key = slug(code) or slug(name) or short_hash(name)
    return _iri("area", key)


def indicator_iri(metric: str, indicator: str | None = None) -> NamedNode:
    """Indicator concept: the mapped identifier (or IRI) when given, else the normalised metric."""
    if indicator:
        if indicator.startswith(("http://", "https://")):
            return NamedNode(indicator)
        return _iri("indicator", slug(indicator) or short_hash(indicator))
    return _iri("indicator", slug(norm_text(metric)) or short_hash(metric))


def unit_iri(unit: str) -> NamedNode:
    """Unit concept: ``%`` becomes ``percent``, ``/`` becomes ``-per-``."""
    text = unicodedata.normalize("NFKC", unit).replace("%", "percent").replace("/", "-per-")
    return _iri("unit", slug(text) or short_hash(unit))


def evidence_iri(source: str, start: int, end: int) -> NamedNode:
    """The evidence node of a span; facts quoting the same span share it."""
    return _iri("ev", source_key(source), f"{start}-{end}")


def run_iri(source: str, sha256: str, version: str) -> NamedNode:
    """The extraction run of one file: the same bytes and extractor give the same run."""
    return _iri("run", source_key(source), short_hash(sha256, version, length=12))


def agent_iri(version: str) -> NamedNode:
    """The extractor software (policykg) in one version."""
    return _iri("agent", "policykg-" + (slug(version) or short_hash(version)))
