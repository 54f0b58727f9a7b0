"""The extraction pipeline: a spaCy ``Language`` whose components do the work.

Public API
----------
``DEFAULT_CONFIG``
    ``{"components": [...], "disable": [], "replace": {}, "config": {},
    "tokenizer": "char"}``: ``"char"`` or ``"run"`` use :class:`CharTokenizer`
    (linear time; CJK runs or single characters as tokens), ``"spacy"`` keeps
    spaCy's own zh char segmenter.
``build_pipeline(config=None) -> Language``
    (a component's module is imported when the config names it, see
    ``COMPONENT_MODULES``; a factory registered elsewhere works as well)
    ``spacy.blank("zh")`` plus the registered components in order
    ``policykg_clean`` -> ``policykg_documents`` -> ``policykg_structure`` ->
    ``policykg_responsibilities`` -> ``policykg_citations`` ->
    ``policykg_targets`` -> ``policykg_resolve``.  ``config`` may give another
    ``components`` list, names to ``disable``, ``replace`` a step with another
    registered factory (``{"policykg_targets": "my_targets"}``) and per-step
    ``config`` dicts passed to the factory.
``run_pipeline(nlp, text, source) -> Doc``
    The processed Doc (for components' intermediate results, e.g. tasks).
``extract_text(text, source, nlp=None) -> ExtractionResult``
``extract_file(path, nlp=None, *, max_bytes=DEFAULT_MAX_BYTES) -> ExtractionResult``
    Text, HTML, PDF or .docx (detected by content, see ``reader.read_source``);
    raises ``SourceError`` (with a reason code) for a file that cannot be read.
``iter_source_files(paths, on_error=None) -> Iterator[Path]``
    Files as given, directories walked recursively (streamed, sorted per
    directory, symlink loops reported), suffixes in ``SOURCE_SUFFIXES`` only.
``extract_paths(paths, nlp=None, *, report=None, max_bytes=...) -> Iterator[ExtractionResult]``
    Streams results; a bad file is skipped (recorded in the ``CorpusReport``)
    and the rest of the corpus is processed.

Each component reads and writes ``doc._.pkg_*`` (see ``doc_attrs.py``);
``doc._.pkg_source`` is set before the first component runs.
"""

from __future__ import annotations

import copy
import datetime as dt
import errno
import hashlib
import importlib
import logging
import os
import re
import stat
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from functools import lru_cache
from pathlib import Path
from typing import Any, ClassVar

import spacy
from spacy.language import Language
from spacy.tokens import Doc
from spacy.vocab import Vocab

from policykg.extract import doc_attrs  # noqa: F401  (registers doc._.pkg_*)
from policykg.extract.corpus_report import CorpusReport
from policykg.extract.genre import doc_text
from policykg.extract.model import ExtractionResult
from policykg.extract.reader import DEFAULT_MAX_BYTES, read_source
from policykg.extract.source_errors import MissingSourceError, SourceError

__all__ = [
    "COMPONENT_MODULES",
    "DEFAULT_CONFIG",
    "SOURCE_SUFFIXES",
    "CharTokenizer",
    "UnknownComponentError",
    "build_pipeline",
    "extract_file",
    "extract_paths",
    "extract_text",
    "iter_source_files",
    "run_pipeline",
]

DEFAULT_CONFIG: dict[str, Any] = {
    "components": [
        "policykg_clean",
        "policykg_documents",
        "policykg_structure",
        "policykg_responsibilities",
        "policykg_citations",
        "policykg_targets",
        "policykg_resolve",
    ],
    "disable": [],
    "replace": {},
    "config": {},
    "tokenizer": "char",
}

#: module whose import registers each factory (imported when a config names it)
COMPONENT_MODULES: dict[str, str] = {
    "policykg_clean": "policykg.extract.cleaning",
    "policykg_documents": "policykg.extract.segmentation",
    "policykg_structure": "policykg.extract.structure",
    "policykg_responsibilities": "policykg.extract.responsibility",
    "policykg_citations": "policykg.extract.citation",
    "policykg_targets": "policykg.extract.target",
    "policykg_resolve": "policykg.extract.resolve",
}

#: suffixes picked up when walking a directory (formats are then detected by content;
#: .doc is listed so a legacy Word file is reported, not silently ignored)
SOURCE_SUFFIXES = frozenset(
    {".txt", ".text", ".html", ".htm", ".xhtml", ".shtml", ".md", ".csv", ".tsv", ".json",
     ".xml", ".pdf", ".docx", ".doc"}
)  # fmt: skip

logger = logging.getLogger(__name__)

#: spaCy's default max_length guards memory of parsers; the blank pipeline is linear
_MAX_LENGTH = 50_000_000


class CharTokenizer:
    """Linear-time tokenizer for Chinese text; ``doc.text`` reproduces the input exactly.

    spaCy's built-in ``zh`` char segmenter rebuilds strings while aligning
    tokens and slows down super-linearly on long files.  ``granularity="char"``
    makes one token per CJK character (spaCy's ``char`` segmentation) and per
    run of Latin letters, digits or whitespace; ``granularity="run"`` makes one
    token per run of CJK characters instead (fewer tokens, but every run is a
    new lexeme, so the vocabulary grows with the corpus: ``char`` is the
    default).  Read the text through ``genre.doc_text(doc)``: ``Doc.text`` is
    rebuilt from the tokens on every access.
    """

    _PATTERNS: ClassVar[dict[str, re.Pattern[str]]] = {
        "char": re.compile(r"\s+|[A-Za-z]+|[0-9]+|.", re.DOTALL),
        "run": re.compile(
            r"\s+|[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+|[A-Za-z]+|[0-9]+|.", re.DOTALL
        ),
    }

    def __init__(self, vocab: Vocab, granularity: str = "char") -> None:
        self.vocab = vocab
        self._token_re = self._PATTERNS[granularity]

    def __call__(self, text: str) -> Doc:
        words = self._token_re.findall(text)
        return Doc(self.vocab, words=words, spaces=[False] * len(words))


class UnknownComponentError(ValueError):
    """A configured pipeline step names no registered spaCy factory."""


def build_pipeline(config: dict[str, Any] | None = None) -> Language:
    """Build the extraction pipeline.

    Parameters
    ----------
    config : dict, optional
        Overrides of :data:`DEFAULT_CONFIG` (missing keys take the default).

    Returns
    -------
    spacy.language.Language
        A blank Chinese pipeline with the configured components.
    """
    cfg = copy.deepcopy(DEFAULT_CONFIG)
    cfg.update(config or {})
    nlp = spacy.blank("zh")
    nlp.max_length = _MAX_LENGTH
    tokenizer = cfg.get("tokenizer", "char")
    if tokenizer in ("char", "run"):
        nlp.tokenizer = CharTokenizer(nlp.vocab, tokenizer)
    elif tokenizer != "spacy":
        raise UnknownComponentError(f"unknown tokenizer {tokenizer!r} (char, run or spacy)")
    disabled = set(cfg.get("disable", []))
    for name in cfg["components"]:
        if name in disabled:
            continue
        factory = cfg.get("replace", {}).get(name, name)
        if not Language.has_factory(factory) and factory in COMPONENT_MODULES:
            importlib.import_module(COMPONENT_MODULES[factory])
        if not Language.has_factory(factory):
            raise UnknownComponentError(f"no spaCy factory registered as {factory!r}")
        nlp.add_pipe(factory, name=name, config=cfg.get("config", {}).get(name, {}))
    return nlp


@lru_cache(maxsize=1)
def _default_pipeline() -> Language:
    return build_pipeline()


def run_pipeline(nlp: Language, text: str, source: str) -> Doc:
    """Run every component of ``nlp`` on ``text`` with ``doc._.pkg_source`` set first."""
    doc = nlp.make_doc(text)
    doc._.pkg_source = source
    doc.user_data["pkg_text"] = text  # Doc.text is rebuilt from tokens on every access
    for _name, proc in nlp.pipeline:
        doc = proc(doc)
    return doc


def _result(doc: Doc, source: str, sha256: str) -> ExtractionResult:
    return ExtractionResult(
        source=source,
        text=doc_text(doc),
        sha256=sha256,
        documents=list(doc._.pkg_documents or []),
        responsibilities=list(doc._.pkg_responsibilities or []),
        citations=list(doc._.pkg_citations or []),
        targets=list(doc._.pkg_targets or []),
        dropped=list(doc._.pkg_dropped or []),
    )


def extract_text(text: str, source: str, nlp: Language | None = None) -> ExtractionResult:
    """Extract every fact from ``text`` (already decoded); ``source`` names the file."""
    started = _now()
    doc = run_pipeline(nlp or _default_pipeline(), text, source)
    result = _result(doc, source, hashlib.sha256(text.encode("utf-8")).hexdigest())
    result.started = started
    return result


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def _requote(result: ExtractionResult, text: str) -> None:
    # the extractors read the same-length simplified copy: quote the original script
    for record in (*result.documents, *result.responsibilities, *result.citations,
                   *result.targets):  # fmt: skip
        ev = record.evidence
        record.evidence = replace(ev, quote=text[ev.start : ev.end])
    result.dropped = [replace(d, text=text[d.start : d.end]) for d in result.dropped]
    result.text = text


def extract_file(
    path: Path, nlp: Language | None = None, *, max_bytes: int = DEFAULT_MAX_BYTES
) -> ExtractionResult:
    """Read, decode and extract one source file (``source`` is its file name).

    Parameters
    ----------
    path : path-like
        A text, HTML, PDF or .docx file (detected by content).
    nlp : Language, optional
        The pipeline (default: :func:`build_pipeline` with the default config).
    max_bytes : int
        Files above this size are refused unread.

    Returns
    -------
    ExtractionResult
        ``text`` is the decoded evidence text (original script); ``sha256`` hashes
        the raw bytes; ``warnings`` include ``no_structure`` when nothing was found.

    Raises
    ------
    SourceError
        The file cannot be read as a source (reason code in ``.reason``).
    """
    path = Path(path)
    started = _now()
    source = read_source(path, max_bytes)
    doc = run_pipeline(nlp or _default_pipeline(), source.matching_text, path.name)
    result = _result(doc, path.name, source.sha256)
    if source.converted:
        _requote(result, source.text)
    if source.matching_text != source.text:
        result.matching_text = source.matching_text
    result.started = started
    result.source_format = source.source_format
    result.encoding = source.encoding
    result.warnings = list(source.warnings)
    if not (result.documents or result.responsibilities or result.citations or result.targets):
        result.warnings.append("no_structure: no document, task, citation or target found")
    return result


def _stat_key(st: os.stat_result) -> tuple[int, int]:
    return st.st_dev, st.st_ino


def _stat_error(path: Path, exc: OSError) -> SourceError:
    if isinstance(exc, FileNotFoundError):
        return MissingSourceError(path, "no such file or directory (or a dangling symlink)")
    if exc.errno == errno.ELOOP:
        return SourceError(path, "symlink_loop", "symlink loop")
    return SourceError(path, "unreadable", f"cannot access: {exc.strerror or exc}")


def _walk(
    root: Path,
    root_key: tuple[int, int],
    fail: Callable[[SourceError], None],
    seen: set[tuple[int, int]],
) -> Iterator[Path]:
    # Iterative depth-first walk, entries sorted per directory: streaming (a file is
    # yielded as soon as its directory is listed), no recursion limit, and symlinked
    # directories followed once — a link back to an ancestor is a reported loop.
    def listing(directory: Path) -> Iterator[os.DirEntry[str]]:
        try:
            with os.scandir(directory) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as exc:
            fail(SourceError(directory, "unreadable", f"cannot list directory: {exc.strerror}"))
            return iter(())
        return iter(entries)

    seen.add(root_key)
    stack: list[tuple[Iterator[os.DirEntry[str]], tuple[int, int]]] = [(listing(root), root_key)]
    while stack:
        entries, _key = stack[-1]
        entry = next(entries, None)
        if entry is None:
            stack.pop()
            continue
        if entry.name.startswith("."):  # hidden files, editor and OS droppings
            continue
        path = Path(entry.path)
        try:
            st = entry.stat()  # follows symlinks
        except OSError as exc:
            if entry.is_symlink() and (exc.errno == errno.ELOOP or path.suffix.lower()
                                       in SOURCE_SUFFIXES):  # fmt: skip
                fail(_stat_error(path, exc))
            continue
        key = _stat_key(st)
        if stat.S_ISDIR(st.st_mode):
            if any(key == k for _it, k in stack):
                fail(SourceError(path, "symlink_loop", "symlink to one of its own parents"))
            elif key not in seen:
                seen.add(key)
                stack.append((listing(path), key))
        elif path.suffix.lower() in SOURCE_SUFFIXES and key not in seen:
            seen.add(key)  # the same file reached twice (symlink, hard link) is read once
            yield path


def iter_source_files(
    paths: Iterable[Path], on_error: Callable[[SourceError], None] | None = None
) -> Iterator[Path]:
    """Source files under ``paths``, streamed.

    Files given explicitly are yielded whatever their suffix (the format is
    detected from content); directories are walked recursively, entries sorted
    per directory, keeping files with a suffix in :data:`SOURCE_SUFFIXES` and
    skipping hidden entries.  Symlinks are followed, each file and directory
    once; a symlink loop is reported, not followed.

    Parameters
    ----------
    paths : iterable of path-like
        Files or directories.
    on_error : callable, optional
        Called with a :class:`SourceError` for each path that cannot be walked
        (missing, unreadable directory, symlink loop); the walk goes on.  Without
        it the error is raised (a missing path raises :class:`MissingSourceError`,
        a ``FileNotFoundError``).
    """

    def fail(error: SourceError) -> None:
        if on_error is None:
            raise error
        on_error(error)

    seen: set[tuple[int, int]] = set()
    for p in paths:
        p = Path(p)
        try:
            st = p.stat()
        except OSError as exc:
            fail(_stat_error(p, exc))
            continue
        key = _stat_key(st)
        if stat.S_ISDIR(st.st_mode):
            if key not in seen:
                yield from _walk(p, key, fail, seen)
        elif key not in seen:
            seen.add(key)
            yield p


def extract_paths(
    paths: Iterable[Path],
    nlp: Language | None = None,
    *,
    report: CorpusReport | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> Iterator[ExtractionResult]:
    """Extract every source file under ``paths`` (see :func:`iter_source_files`), streamed.

    A file that cannot be read (:class:`SourceError`) or on which the pipeline
    fails is skipped and the rest of the corpus is processed: the skip is
    recorded in ``report`` when given, and logged (WARNING) otherwise.

    Parameters
    ----------
    paths : iterable of path-like
        Files or directories.
    nlp : Language, optional
        The pipeline.
    report : CorpusReport, optional
        Filled with every processed and skipped file.
    max_bytes : int
        Per-file size limit (larger files are skipped as ``too_large``).
    """

    def skip(error: SourceError) -> None:
        if report is None:
            logger.warning("skipped %s", error)
        else:
            logger.info("skipped %s", error)
            report.add_skip(error)

    for f in iter_source_files(paths, on_error=skip):
        try:
            result = extract_file(f, nlp, max_bytes=max_bytes)
        except SourceError as exc:
            skip(exc)
            continue
        except Exception as exc:  # one file's failure must not lose the corpus
            logger.exception("extraction failed on %s", f)
            skip(SourceError(f, "extraction_error", f"{type(exc).__name__}: {exc}"))
            continue
        if report is not None:
            report.add_result(str(f), result)
        yield result
