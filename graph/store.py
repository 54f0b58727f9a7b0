"""The on-disk pyoxigraph store: build, update, load and dump it atomically; open, query.

Layout
------
A store path (``var/store``) is a symlink to a *generation* beside it, a complete
store directory (see :mod:`policykg.graph.generations`)::

    var/store -> .store.gen-<stamp>                   published by one rename(2)
    var/.store.gen-<stamp>/
        CURRENT, *.sst, …                             the pyoxigraph (RocksDB) database
        policykg-store.json                           the marker: counts, versions (written last)
        policykg-links/                               per source file, what linking reads
        policykg-sources/<source key>.json.gz         per source file, its extraction result
    var/.store.lock                                   held by the one running build

:func:`build_store`, :func:`update_store` and :func:`load_store` write a new
generation and publish it only when it is complete, so ``kill -9`` at any
moment leaves the previous store intact and queryable; the next build removes
what the killed one left.  :func:`open_store` follows the link and leases the
generation it opened (a shared ``flock``), so a build never removes a
generation still being read.  **A server detects a new generation** by
comparing :func:`current_generation` (one ``readlink``) with the one it opened;
it then opens the new one and calls :func:`release_generation` on the old one.

Incremental builds
------------------
Each source file has its own named graph; its source node records the file's
identity (``dcterms:identifier``, the path relative to the corpus root) and the
SHA-256 of its bytes (``pkg:sha256``).  :func:`update_store` copies the published
generation (``Store.backup``: hard links), re-extracts only new and changed
files, replaces each one's graph in one SPARQL update (``DROP GRAPH`` +
``INSERT DATA``), drops the graphs of removed files and publishes the copy.

The cross-file step (:func:`~policykg.graph.rdf.link_across_files`) is idempotent
but not reversible: it deletes stub descriptions and rewrites references in the
graphs of *other* files, and merges area aliases in the shared reference graph.
So each generation keeps what linking reads, before linking
(``policykg-links/``: every file's reference-graph contributions and stub
descriptions, one graph per file) and every file's extraction result
(``policykg-sources/``).  An update rebuilds the reference graph from the
contributions, restores (re-converts, without extracting) the unchanged files
whose links pointed at documents or areas that changed, and links again: the
result equals a full build of the same corpus.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import gzip
import hashlib
import json
import os
import shutil
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from importlib import metadata
from importlib.resources import files
from pathlib import Path
from typing import IO, Any

from pyoxigraph import (
    BlankNode,
    CanonicalizationAlgorithm,
    Dataset,
    DefaultGraph,
    Literal,
    NamedNode,
    Quad,
    QueryBoolean,
    QuerySolutions,
    QueryTriples,
    RdfFormat,
    Store,
    Triple,
    serialize,
)

from policykg.extract.model import (
    CitationRecord,
    DocumentRecord,
    Dropped,
    Evidence,
    ExtractionResult,
    ResponsibilityRecord,
    TargetRecord,
)
from policykg.graph.generations import (
    GENERATION_MARKER,
    GenerationError,
    adopt_stranded,
    builder_lock,
    current_generation,
    lease,
    leased,
    new_generation,
    pause_for_tests,
    publish,
    release,
    remove_stale,
)
from policykg.graph.namespaces import (
    NS,
    ONTOLOGY_GRAPH,
    PKG,
    REFERENCE_GRAPH,
    SKOS,
    XSD,
    graph_iri,
    source_key,
)
from policykg.graph.rdf import (
    FORMATS,
    indicator_scheme_quads,
    link_across_files,
    result_to_quads,
)

__all__ = [
    "MARKER",
    "QuerySyntaxError",
    "StoreError",
    "UpdateSummary",
    "build_store",
    "count_facts",
    "current_generation",
    "dump_store",
    "graph_digests",
    "is_store",
    "load_ontology",
    "load_store",
    "ontology_path",
    "open_store",
    "read_marker",
    "release_generation",
    "select_rows",
    "term_to_python",
    "update_store",
]

MARKER = GENERATION_MARKER
LINKS_DIR = "policykg-links"
SOURCES_DIR = "policykg-sources"
#: quads per bulk load: bounds the bulk loader's memory (~1 KB per buffered quad)
_BATCH_QUADS = 100_000
#: quads per ``INSERT DATA`` when a graph is replaced
_UPDATE_QUADS = 50_000
FORMAT_VERSION = 2

#: count name -> the pattern whose distinct subjects (``?x``) or objects it counts
_COUNT_PATTERNS = {
    "files": "?x a pkg:SourceText",
    "documents": "?x pkg:isStub false",
    "stub_documents": "?x pkg:isStub true",
    "tasks": "?x a pkg:Task",
    "responsibilities": "?x a pkg:Responsibility",
    "citations": "?x a pkg:Citation",
    "targets": "?x a pkg:Target",
    "bodies": "?r pkg:responsibleBody ?x",
    "areas": "?x a pkg:AdministrativeArea",
}
_TRUE = Literal("true", datatype=XSD.boolean)
_PROLOGUE = "".join(f"PREFIX {k}: <{v}>\n" for k, v in NS.items())


class StoreError(RuntimeError):
    """A directory cannot be used (or replaced) as a policykg store."""


class QuerySyntaxError(ValueError):
    """A SPARQL query that does not parse (pyoxigraph's ``SyntaxError`` as a ``ValueError``)."""


def ontology_path() -> Path:
    """``ontology.ttl`` as shipped with the package (``graph/ontology.ttl``)."""
    return Path(str(files("policykg.graph").joinpath("ontology.ttl")))


def load_ontology(store: Store) -> None:
    """Load the ontology into its own named graph of ``store``."""
    store.load(path=ontology_path(), format=RdfFormat.TURTLE, to_graph=ONTOLOGY_GRAPH)


def read_marker(path: Path | str) -> dict[str, Any] | None:
    """The store's metadata (counts, build time, versions), or ``None`` if absent."""
    marker = Path(path) / MARKER
    try:
        data = json.loads(marker.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and data.get("policykg_store") else None


def is_store(path: Path | str) -> bool:
    """True if ``path`` (or the generation it links to) holds a policykg store."""
    p = Path(path)
    return p.is_dir() and read_marker(p) is not None and (p / "CURRENT").is_file()


def open_store(path: Path | str) -> Store:
    """Open the store's published generation, read-only when possible.

    Follows the store link and leases the generation (see the module docstring);
    nothing on disk changes.  Read-write opening is the fallback when read-only
    opening fails.
    """
    p = Path(path)
    for _attempt in range(5):
        generation = current_generation(p)
        if generation is None or not is_store(generation):
            break
        try:
            lease(generation)
        except FileNotFoundError:
            continue  # removed by a build between readlink and lock: look again
        try:
            return Store.read_only(str(generation))
        except OSError:
            return Store(str(generation))
    raise StoreError(f"{p} is not a policykg store")


def release_generation(generation: Path | str | None = None) -> None:
    """Give up this process's lease on ``generation`` (all, when ``None``).

    Call it after closing the ``Store`` of a generation that is no longer
    published, so the next build may remove it.
    """
    release(None if generation is None else Path(generation))


def _version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "unknown"


def count_facts(store: Store) -> dict[str, int]:
    """Counts per fact type (over the union of graphs) plus files, quads and named graphs."""
    # one single-pattern query per count: ×50 faster than one UNION query at scale
    counts: dict[str, int] = {}
    for name, pattern in _COUNT_PATTERNS.items():
        solutions = store.query(
            f"SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {{ {pattern} }}",
            prefixes=NS,
            use_default_graph_as_union=True,
        )
        assert isinstance(solutions, QuerySolutions)
        row = next(iter(solutions), None)
        term = row["n"] if row is not None else None
        counts[name] = int(term.value) if term is not None else 0
    counts["graphs"] = sum(
        1 for g in store.named_graphs() if g not in (ONTOLOGY_GRAPH, REFERENCE_GRAPH)
    )
    counts["triples"] = len(store)
    return counts


def graph_digests(store: Store) -> dict[str, str]:
    """SHA-256 of every graph's canonical N-Quads, keyed by graph name (``""``: default).

    Graphs with blank nodes (the ontology's) are canonicalised (RDFC-1.0) first,
    so two stores holding isomorphic graphs get the same digests.
    """
    digests: dict[str, str] = {}
    for graph in [DefaultGraph(), *store.named_graphs()]:
        quads = list(store.quads_for_pattern(None, None, None, graph))
        if any(isinstance(t, BlankNode) for q in quads for t in (q.subject, q.object)):
            dataset = Dataset(quads)
            dataset.canonicalize(CanonicalizationAlgorithm.RDFC_1_0)
            quads = list(dataset)
        lines = sorted(f"{q.subject} {q.predicate} {q.object} ." for q in quads)
        digest = hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()
        digests["" if isinstance(graph, DefaultGraph) else graph.value] = digest
    return digests


# --------------------------------------------------------------- the target path


def _check_replaceable(target: Path) -> None:
    # Replacing is destructive: only a link, an empty directory or an earlier store may go.
    if target.is_symlink() or not target.exists():
        return
    if not target.is_dir():
        raise StoreError(f"{target} exists and is not a directory")
    if any(target.iterdir()) and read_marker(target) is None:
        raise StoreError(f"{target} is a non-empty directory that is not a policykg store")


def _write_json(path: Path, data: dict[str, Any]) -> None:
    with path.open("w", encoding="utf-8") as fh:
        fh.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
        fh.flush()
        os.fsync(fh.fileno())


@dataclass
class _Publishing:
    """One build, update or load: the lock, the new generation, then the swap."""

    target: Path
    generation: Path = field(init=False)

    def __post_init__(self) -> None:
        self.generation = new_generation(self.target)

    def publish(self) -> None:
        pause_for_tests("before-swap")
        publish(self.target, self.generation)
        pause_for_tests("after-swap")

    def discard(self) -> None:
        shutil.rmtree(self.generation, ignore_errors=True)


def _run_publishing(target: Path, work: Callable[[_Publishing], bool]) -> None:
    """Lock, clear debris, let ``work`` fill a generation, publish it if it says so."""
    try:
        with builder_lock(target):
            _check_replaceable(target)
            adopt_stranded(target)  # the previous layout's interrupted swap
            remove_stale(target)
            job = _Publishing(target)
            try:
                if work(job):
                    job.publish()
                else:
                    job.discard()
            except BaseException:
                job.discard()  # a killed build's generation goes with the next build
                raise
            remove_stale(target)
    except GenerationError as exc:
        raise StoreError(str(exc)) from exc


# --------------------------------------------------------------- the extraction cache


def _result_to_json(result: ExtractionResult) -> bytes:
    return gzip.compress(
        json.dumps(dataclasses.asdict(result), ensure_ascii=False).encode("utf-8"), 1
    )


def _record(cls: type, data: dict[str, Any]) -> Any:
    names = {f.name for f in dataclasses.fields(cls)}
    values = {k: v for k, v in data.items() if k in names}
    if "evidence" in values:
        values["evidence"] = Evidence(**values["evidence"])
    if "segments" in values:
        values["segments"] = [tuple(s) for s in values["segments"]]
    return cls(**values)


def _result_from_json(data: bytes) -> ExtractionResult:
    raw = json.loads(gzip.decompress(data).decode("utf-8"))
    kinds: dict[str, type] = {
        "documents": DocumentRecord,
        "responsibilities": ResponsibilityRecord,
        "citations": CitationRecord,
        "targets": TargetRecord,
        "dropped": Dropped,
    }
    for name, cls in kinds.items():
        raw[name] = [_record(cls, r) for r in raw.get(name, [])]
    result: ExtractionResult = _record(ExtractionResult, raw)
    return result


# --------------------------------------------------------------- writing a generation


def _link_inputs(quads: Sequence[Quad], graph: NamedNode) -> list[Quad]:
    """What linking reads of one file: its reference-graph quads and stub descriptions.

    Kept in the file's graph of the ``policykg-links`` store, before linking.
    """
    stubs = {q.subject for q in quads if q.predicate == PKG.isStub and q.object == _TRUE}
    return [
        Quad(q.subject, q.predicate, q.object, graph)
        for q in quads
        if q.graph_name == REFERENCE_GRAPH or q.subject in stubs
    ]


def _insert_data(quads: Sequence[Quad], graph: NamedNode) -> str:
    body = " .\n".join(f"{q.subject} {q.predicate} {q.object}" for q in quads)
    return f"INSERT DATA {{ GRAPH {graph} {{\n{body} }} }}"


def _replace_graph(store: Store, graph: NamedNode, quads: Sequence[Quad]) -> None:
    """Replace ``graph`` by ``quads`` (those of that graph) in one SPARQL update."""
    mine = [q for q in quads if q.graph_name == graph]
    head = mine[:_UPDATE_QUADS]
    # DROP + INSERT DATA in one request: one transaction, all or nothing
    store.update(f"DROP SILENT GRAPH {graph} ;\n" + (_insert_data(head, graph) if head else ""))
    for start in range(_UPDATE_QUADS, len(mine), _UPDATE_QUADS):
        # a huge file: the rest in more requests (the generation is not published yet)
        store.update(_insert_data(mine[start : start + _UPDATE_QUADS], graph))


class _Writer:
    """Fills a generation: the database, the link inputs and the extraction cache."""

    def __init__(self, directory: Path, *, fresh: bool) -> None:
        self.directory = directory
        self.store: Store | None = Store(str(directory))
        self.links: Store | None = Store(str(directory / LINKS_DIR))
        self.cache = directory / SOURCES_DIR
        self.cache.mkdir(exist_ok=True)
        self.fresh = fresh
        self._batch: list[Quad] = []
        self._link_batch: list[Quad] = []
        self._keys: dict[str, str] = {}
        self._sources: set[str] = set()

    def claim(self, source: str) -> NamedNode:
        """The graph of ``source``; two identities with one key fail loudly."""
        key = source_key(source)
        first = self._keys.setdefault(key, source)
        if first != source:
            raise StoreError(
                f"the sources {first!r} and {source!r} have the same key {key!r}: "
                "rename one of them"
            )
        return graph_iri(source)

    def known(self, source: str) -> None:
        self._keys.setdefault(source_key(source), source)

    def cache_path(self, graph: NamedNode) -> Path:
        return self.cache / f"{graph.value.rsplit('/', 1)[-1]}.json.gz"

    def cached(self, graph: NamedNode) -> ExtractionResult | None:
        try:
            return _result_from_json(self.cache_path(graph).read_bytes())
        except (OSError, ValueError, TypeError, KeyError):
            return None  # missing or from an incompatible version: extract again

    def _cache_write(self, graph: NamedNode, result: ExtractionResult) -> None:
        path = self.cache_path(graph)
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_bytes(_result_to_json(result))
        os.replace(tmp, path)  # never overwrite a hard link shared with the old generation

    def add(self, result: ExtractionResult) -> None:
        """Full build: queue the file's quads for bulk loading."""
        assert self.store is not None and self.links is not None
        if result.source in self._sources:
            raise StoreError(f"two results for the source {result.source!r}")
        self._sources.add(result.source)
        graph = self.claim(result.source)
        quads = list(result_to_quads(result))
        self._batch.extend(quads)
        self._link_batch.extend(_link_inputs(quads, graph))
        self._cache_write(graph, result)
        if len(self._batch) >= _BATCH_QUADS:
            self.flush_batch()

    def flush_batch(self) -> None:
        assert self.store is not None and self.links is not None
        for start in range(0, len(self._batch), _BATCH_QUADS):
            self.store.bulk_extend(self._batch[start : start + _BATCH_QUADS])
        if self._link_batch:
            self.links.bulk_extend(self._link_batch)
        self._batch, self._link_batch = [], []

    def replace(self, result: ExtractionResult, *, cache: bool = True) -> list[Quad]:
        """Update: replace the file's graph and link inputs; returns its quads."""
        assert self.store is not None and self.links is not None
        graph = self.claim(result.source)
        quads = list(result_to_quads(result))
        _replace_graph(self.store, graph, quads)
        self.links.remove_graph(graph)
        self.links.extend(_link_inputs(quads, graph))
        if cache:
            self._cache_write(graph, result)
        return quads

    def drop(self, graph: NamedNode) -> None:
        assert self.store is not None and self.links is not None
        self.store.remove_graph(graph)
        self.links.remove_graph(graph)
        self.cache_path(graph).unlink(missing_ok=True)

    def rebuild_reference_graph(self) -> None:
        """The reference graph again, from every file's contributions (before linking)."""
        assert self.store is not None and self.links is not None
        triples = self.links.query(
            "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } "
            "FILTER NOT EXISTS { GRAPH ?g { ?s pkg:isStub true } } }",
            prefixes=NS,
        )
        assert isinstance(triples, QueryTriples)
        data = triples.serialize(format=RdfFormat.N_TRIPLES)
        self.store.update(f"CLEAR SILENT GRAPH {REFERENCE_GRAPH}")
        # the curated indicator scheme is reference data of no file: put it back
        self.store.bulk_extend(indicator_scheme_quads())
        if data:
            self.store.load(data, format=RdfFormat.N_TRIPLES, to_graph=REFERENCE_GRAPH)

    def finish(self, started: float, extra: dict[str, Any]) -> dict[str, int]:
        """Link, count, close and write the marker (last: it completes the generation)."""
        assert self.store is not None and self.links is not None
        self.flush_batch()
        pause_for_tests("loaded")
        link_across_files(self.store)
        counts = count_facts(self.store)
        self.store.flush()
        self.links.flush()
        if self.fresh:
            self.store.optimize()
        self.store = self.links = None  # close the databases before the marker
        for path in (self.directory, self.directory / LINKS_DIR):
            Store(str(path))  # reopening deletes the write-ahead logs the flush made obsolete
        marker = {
            "policykg_store": FORMAT_VERSION,
            "built": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "build_seconds": round(time.perf_counter() - started, 3),
            "policykg": _version("policykg"),
            "pyoxigraph": _version("pyoxigraph"),
            "incremental": True,
            **extra,
            "counts": counts,
        }
        _write_json(self.directory / MARKER, marker)
        return counts

    def close(self) -> None:
        self.store = self.links = None


# --------------------------------------------------------------- full build


def build_store(results: Iterable[ExtractionResult], store_dir: Path | str) -> dict[str, int]:
    """Convert results to RDF and load them, with the ontology, into a new generation.

    Results are consumed one at a time (each file's quads are loaded in batches
    and dropped).  The generation is published only when complete, replacing
    whatever ``store_dir`` held (nothing, an empty directory, a store link or a
    store of the previous layout; anything else raises :class:`StoreError`).

    Returns
    -------
    dict
        Counts: files, documents, stub_documents, tasks, responsibilities,
        citations, targets, bodies, areas, graphs and triples.
    """
    target = Path(store_dir).absolute()
    counts: dict[str, int] = {}

    def work(job: _Publishing) -> bool:
        nonlocal counts
        counts = _fill(job.generation, results, "build")
        return True

    _run_publishing(target, work)
    return counts


def _fill(generation: Path, results: Iterable[ExtractionResult], mode: str) -> dict[str, int]:
    started = time.perf_counter()
    writer = _Writer(generation, fresh=True)
    try:
        assert writer.store is not None
        load_ontology(writer.store)
        writer.store.bulk_extend(indicator_scheme_quads())
        for result in results:
            writer.add(result)
        return writer.finish(started, {"mode": mode})
    finally:
        writer.close()  # the traceback keeps this frame alive: close the databases


# --------------------------------------------------------------- incremental build


@dataclass
class UpdateSummary:
    """What :func:`update_store` did, by source identity."""

    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    #: unchanged files whose graphs were restored because their links pointed at a change
    relinked: list[str] = field(default_factory=list)
    #: new or changed files that could not be extracted (their graphs are gone)
    skipped: list[str] = field(default_factory=list)
    #: why a full build was done instead, if it was
    full_build: str | None = None
    #: counts of the published store (of the unchanged one when nothing changed)
    counts: dict[str, int] = field(default_factory=dict)
    published: bool = False


Extractor = Callable[[Sequence[tuple[Path, str]]], Iterable[ExtractionResult]]


def _file_sha256(path: Path) -> str | None:
    digest = hashlib.sha256()
    try:
        with path.open("rb") as fh:
            while chunk := fh.read(1 << 20):
                digest.update(chunk)
    except OSError:
        return None
    return digest.hexdigest()


def _rows(store: Store, sparql: str) -> Iterator[dict[str, Any]]:
    solutions = store.query(_PROLOGUE + sparql)
    assert isinstance(solutions, QuerySolutions)
    names = [v.value for v in solutions.variables]
    for row in solutions:
        yield {n: row[n] for n in names}


def _recorded_sources(store: Store) -> dict[str, tuple[NamedNode, str]]:
    """identity -> (graph, sha256) of every source file in ``store``."""
    out: dict[str, tuple[NamedNode, str]] = {}
    for r in _rows(
        store,
        "SELECT ?g ?id ?sha WHERE { GRAPH ?g { ?s a pkg:SourceText ; "
        "dcterms:identifier ?id ; pkg:sha256 ?sha } }",
    ):
        out[r["id"].value] = (r["g"], r["sha"].value)
    return out


def _incremental_refusal(generation: Path | None) -> str | None:
    """Why ``generation`` cannot be updated in place (a full build is done), or None."""
    if generation is None:
        return "no store yet"
    marker = read_marker(generation)
    if marker is None:
        return "no store yet"
    if marker.get("policykg_store") != FORMAT_VERSION or not marker.get("incremental"):
        return "the store was made by another version or by `policykg load`"
    if marker.get("policykg") != _version("policykg"):
        return f"the store was built by policykg {marker.get('policykg')}"
    if (
        not (generation / LINKS_DIR / "CURRENT").is_file()
        or not (generation / SOURCES_DIR).is_dir()
    ):
        return "the store has no link inputs"
    return None


def _value(term: object) -> str:
    return term.value if isinstance(term, (NamedNode, BlankNode, Literal)) else str(term)


def _documents(quads: Iterable[Quad]) -> tuple[set[str], set[str], set[str]]:
    """IRIs, 文号 keys and title keys of the corpus documents among ``quads``."""
    quads = list(quads)
    docs = {_value(q.subject) for q in quads if q.predicate == PKG.isStub and q.object != _TRUE}
    numbers, titles = set(), set()
    for q in quads:
        if _value(q.subject) in docs:
            if q.predicate == PKG.docNumberKey:
                numbers.add(_value(q.object))
            elif q.predicate == PKG.titleKey:
                titles.add(_value(q.object))
    return docs, numbers, titles


def _coded_labels(quads: Iterable[Quad]) -> set[str]:
    """Labels of the coded areas among (link input) ``quads``: N-Triples terms."""
    quads = list(quads)
    coded = {q.subject for q in quads if q.predicate == PKG.divisionCode}
    return {str(q.object) for q in quads if q.subject in coded and q.predicate == SKOS.prefLabel}


def _coded_set(links: Store, label: str) -> set[str]:
    return {
        r["a"].value
        for r in _rows(
            links,
            f"SELECT DISTINCT ?a WHERE {{ GRAPH ?g {{ ?a skos:prefLabel {label} }} "
            "GRAPH ?h { ?a pkg:divisionCode ?c } }",
        )
    }


def update_store(
    store_dir: Path | str,
    sources: Iterable[tuple[Path, str]],
    extract: Extractor,
) -> UpdateSummary:
    """Bring a store up to date with a corpus, re-extracting only what changed.

    Parameters
    ----------
    store_dir : path-like
        The store (a full build is done when there is none, or when it cannot be
        updated in place: another format, a loaded dump, another policykg version).
    sources : iterable of (path, identity)
        The corpus as it is now (``extract.pipeline.iter_sources``).
    extract : callable
        ``pairs -> results``: extracts the given files (skipping bad ones).

    Returns
    -------
    UpdateSummary
        Files added, changed, removed, unchanged, relinked and skipped.  Nothing
        is written when nothing changed.
    """
    target = Path(store_dir).absolute()
    summary = UpdateSummary()
    corpus = list(sources)

    def work(job: _Publishing) -> bool:
        current = current_generation(target)
        reason = _incremental_refusal(current)
        if reason is not None:
            assert summary.full_build is None
            summary.full_build = reason
            summary.added = [s for _p, s in corpus]
            summary.counts = _fill(job.generation, extract(corpus), "build")
            summary.skipped = sorted(set(summary.added) - set(_sources_of(job.generation)))
            summary.published = True
            return True
        assert current is not None
        return _update(current, job.generation, corpus, extract, summary)

    _run_publishing(target, work)
    return summary


def _sources_of(generation: Path) -> list[str]:
    store = Store.read_only(str(generation))
    return list(_recorded_sources(store))


def _backup(source: Store, directory: Path) -> None:
    # A read-only handle does not copy what is only in its write-ahead log: compare.
    source.backup(str(directory))
    copy = Store.read_only(str(directory))
    if len(copy) != len(source):
        raise StoreError(
            "the store has writes not yet flushed (a server with --update-token?): "
            "stop it, or build without --update"
        )


def _update(
    current: Path,
    generation: Path,
    corpus: list[tuple[Path, str]],
    extract: Extractor,
    summary: UpdateSummary,
) -> bool:
    already = current.absolute() in leased()
    lease(current)  # the copy's source must stay until it is copied
    try:
        return _update_from(
            Store.read_only(str(current)),
            Store.read_only(str(current / LINKS_DIR)),
            current,
            generation,
            corpus,
            extract,
            summary,
        )
    finally:
        if not already:  # the stores above are closed: the next build may remove it
            release(current)


def _update_from(
    old: Store,
    old_links: Store,
    current: Path,
    generation: Path,
    corpus: list[tuple[Path, str]],
    extract: Extractor,
    summary: UpdateSummary,
) -> bool:
    started = time.perf_counter()
    recorded = _recorded_sources(old)
    paths = {s: p for p, s in corpus}
    todo: list[tuple[Path, str]] = []
    for path, source in corpus:
        if source not in recorded:
            summary.added.append(source)
            todo.append((path, source))
        elif _file_sha256(path) != recorded[source][1]:
            summary.changed.append(source)
            todo.append((path, source))
        else:
            summary.unchanged.append(source)
    summary.removed = sorted(set(recorded) - set(paths))
    marker = read_marker(current) or {}
    summary.counts = dict(marker.get("counts", {}))
    if not todo and not summary.removed:
        return False

    gone = [recorded[s][0] for s in (*summary.changed, *summary.removed)]
    # what linking may have drawn from the files that change: their documents, coded areas
    old_quads = [q for g in gone for q in old.quads_for_pattern(None, None, None, g)]
    doc_iris, numbers, titles = _documents(old_quads)
    labels = _coded_labels(
        q for g in gone for q in old_links.quads_for_pattern(None, None, None, g)
    )
    del old_quads

    _backup(old, generation)
    _backup(old_links, generation / LINKS_DIR)
    writer = _Writer(generation, fresh=False)
    try:
        (generation / SOURCES_DIR).mkdir(exist_ok=True)
        for source in summary.unchanged:
            graph = recorded[source][0]
            writer.known(source)
            # hard links: the old generation's files are never written again; a file
            # not cached is re-extracted if it must be restored
            with contextlib.suppress(OSError):
                os.link(
                    current / SOURCES_DIR / writer.cache_path(graph).name,
                    writer.cache_path(graph),
                )
        for source in summary.removed:
            writer.drop(recorded[source][0])
        done: set[str] = set()
        for result in extract(todo):
            quads = writer.replace(result)
            done.add(result.source)
            d, n, t = _documents(quads)
            doc_iris |= d
            numbers |= n
            titles |= t
            graph = graph_iri(result.source)
            labels |= _coded_labels(_link_inputs(quads, graph))
        for _path, source in todo:
            if source not in done:
                summary.skipped.append(source)
                if source in recorded:
                    writer.drop(recorded[source][0])
        assert writer.links is not None
        unchanged = {recorded[s][0].value: s for s in summary.unchanged}
        relink = _dependents(
            old, old_links, writer.links, unchanged, (doc_iris, numbers, titles), labels
        )
        to_extract: list[tuple[Path, str]] = []
        for source in relink:
            cached = writer.cached(graph_iri(source))
            if cached is not None and cached.source == source:
                writer.replace(cached, cache=False)
            else:
                to_extract.append((paths[source], source))
        for result in extract(to_extract) if to_extract else ():
            writer.replace(result)
        summary.relinked = relink
        writer.rebuild_reference_graph()
        summary.counts = writer.finish(
            started,
            {"mode": "update", "previous": current.name, "changes": _changes(summary)},
        )
    finally:
        writer.close()
    summary.published = True
    return True


def _changes(summary: UpdateSummary) -> dict[str, int]:
    return {
        "added": len(summary.added),
        "changed": len(summary.changed),
        "removed": len(summary.removed),
        "unchanged": len(summary.unchanged),
        "relinked": len(summary.relinked),
        "skipped": len(summary.skipped),
    }


def _dependents(
    old: Store,
    old_links: Store,
    links: Store,
    unchanged: dict[str, str],
    documents: tuple[set[str], set[str], set[str]],
    labels: set[str],
) -> list[str]:
    """Unchanged files whose linked graphs may differ from a fresh link of the new corpus.

    Linking replaced a file's stub (``x``) by the corpus document it matched and
    deleted the stub's description; if a document that was, or now is, such a
    match (same IRI, 文号 key or title key) is in a file that changed, the
    file's graph must be restored before linking again.  Likewise a file whose
    area alias was merged into a coded area, when the coded areas of that name
    change.  Stubs never linked are still in place and link forward by themselves.
    """
    doc_iris, numbers, titles = documents
    out: set[str] = set()
    stubs: dict[tuple[str, str], bool] = {}
    for r in _rows(
        links,
        "SELECT ?g ?x ?k ?t WHERE { GRAPH ?g { ?x pkg:isStub true "
        "OPTIONAL { ?x pkg:docNumberKey ?k } OPTIONAL { ?x pkg:titleKey ?t } } }",
    ):
        g = r["g"].value
        if g not in unchanged:
            continue
        x = r["x"].value
        hit = (
            x in doc_iris
            or (r["k"] is not None and r["k"].value in numbers)
            or (r["t"] is not None and r["t"].value in titles)
        )
        stubs[(g, x)] = stubs.get((g, x), False) or hit
    for (g, x), hit in stubs.items():
        if hit and g not in out:
            still_stub = old.query(f"ASK {{ GRAPH <{g}> {{ <{x}> <{PKG.isStub.value}> true }} }}")
            if not bool(still_stub):  # it was linked: restore the graph
                out.add(g)
    for label in labels:
        before = _coded_set(old_links, label)
        if not before or before == _coded_set(links, label):
            continue  # aliases of this name were not merged, or merge as before
        for r in _rows(
            links,
            f"SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?a a pkg:AdministrativeArea ; "
            f"skos:prefLabel {label} }} "
            "FILTER NOT EXISTS { GRAPH ?h { ?a pkg:divisionCode ?c } } }",
        ):
            if r["g"].value in unchanged:
                out.add(r["g"].value)
    return sorted(unchanged[g] for g in out)


# --------------------------------------------------------------- dump and load


def load_store(source: Path | str | IO[bytes], store_dir: Path | str) -> dict[str, int]:
    """Restore a store from N-Quads (:func:`dump_store`) as a new generation, atomically.

    The data is loaded as it is (already linked); the generation has no link
    inputs, so the next ``update_store`` does a full build.
    """
    target = Path(store_dir).absolute()
    counts: dict[str, int] = {}

    def work(job: _Publishing) -> bool:
        nonlocal counts
        started = time.perf_counter()
        store: Store | None = Store(str(job.generation))
        try:
            assert store is not None
            if isinstance(source, (str, Path)):
                store.bulk_load(path=str(source), format=RdfFormat.N_QUADS)
            else:
                store.bulk_load(source, format=RdfFormat.N_QUADS)
            pause_for_tests("loaded")
            counts = count_facts(store)
            store.flush()
            store.optimize()
        finally:
            store = None
        marker = {
            "policykg_store": FORMAT_VERSION,
            "built": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "build_seconds": round(time.perf_counter() - started, 3),
            "policykg": _version("policykg"),
            "pyoxigraph": _version("pyoxigraph"),
            "incremental": False,
            "mode": "load",
            "loaded_from": str(source) if isinstance(source, (str, Path)) else "<stream>",
            "counts": counts,
        }
        _write_json(job.generation / MARKER, marker)
        return True

    _run_publishing(target, work)
    return counts


def dump_store(store: Store, fmt: str, output: Path | str | IO[bytes]) -> None:
    """Write the whole store as RDF, streaming.

    Parameters
    ----------
    store : pyoxigraph.Store
        A store (e.g. from :func:`open_store`).
    fmt : str
        ``turtle``/``ttl``, ``ntriples``/``nt``, ``nquads``/``nq``, ``trig`` or ``jsonld``.
        Dataset formats (N-Quads, TriG, JSON-LD) keep the named graph of each
        source file, the ontology graph and the default graph; triple formats
        get the union of all graphs without duplicates.
    output : path-like or binary file
        Where to write.
    """
    rdf_format = FORMATS.get(fmt.lower())
    if rdf_format is None:
        raise ValueError(f"unknown RDF format {fmt!r} (one of {', '.join(FORMATS)})")
    out: str | IO[bytes] = output if not isinstance(output, (str, Path)) else str(output)
    if rdf_format.supports_datasets:
        store.dump(out, rdf_format, prefixes=NS)
        return
    triples = store.query(
        "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", use_default_graph_as_union=True
    )
    assert isinstance(triples, QueryTriples)
    # CONSTRUCT returns a set of triples: the union without duplicates, streamed
    serialize(triples, out, rdf_format, prefixes=NS)


def term_to_python(term: object) -> object:
    """A query result term as a plain Python value.

    IRIs and plain/language strings become ``str``; xsd numbers and years ``int``/``float``;
    booleans ``bool``; dates and other typed literals their lexical form;
    blank nodes ``"_:id"``; unbound ``None``.
    """
    if term is None:
        return None
    if isinstance(term, NamedNode):
        return term.value
    if isinstance(term, BlankNode):
        return f"_:{term.value}"
    if isinstance(term, Literal):
        datatype = term.datatype.value
        value = term.value
        try:
            if datatype in _INTEGER_TYPES or datatype == _GYEAR:
                return int(value)
            if datatype in _FLOAT_TYPES:
                return float(value)
        except ValueError:
            return value
        if datatype == XSD.boolean.value:
            return value in {"true", "1"}
        return value
    if isinstance(term, Triple):
        return str(term)
    return str(term)


_INTEGER_TYPES = {
    XSD[name].value
    for name in (
        "integer",
        "int",
        "long",
        "short",
        "byte",
        "nonNegativeInteger",
        "positiveInteger",
        "negativeInteger",
        "nonPositiveInteger",
        "unsignedInt",
        "unsignedLong",
        "unsignedShort",
        "unsignedByte",
    )
}
_GYEAR = XSD.gYear.value
_FLOAT_TYPES = {XSD[name].value for name in ("decimal", "double", "float")}


def select_rows(store: Store, sparql: str) -> tuple[list[str], list[list[object]]]:
    """Run a SPARQL query over the union of all graphs; return a header and rows.

    SELECT gives its variables and rows of plain values (:func:`term_to_python`);
    ASK one row ``[True|False]`` under ``ask``; CONSTRUCT/DESCRIBE rows of
    ``subject, predicate, object``.  A query that does not parse raises
    :class:`QuerySyntaxError` (a ``ValueError``) with pyoxigraph's message.
    """
    try:
        result = store.query(sparql, use_default_graph_as_union=True)
    except SyntaxError as exc:
        raise QuerySyntaxError(str(exc)) from exc
    if isinstance(result, QueryBoolean):
        return ["ask"], [[bool(result)]]
    if isinstance(result, QueryTriples):
        rows = [
            [term_to_python(t.subject), term_to_python(t.predicate), term_to_python(t.object)]
            for t in result
        ]
        return ["subject", "predicate", "object"], rows
    assert isinstance(result, QuerySolutions)
    variables = result.variables
    header = [v.value for v in variables]
    return header, [[term_to_python(row[v]) for v in variables] for row in result]
