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
``make_source_doc(nlp, text, source) -> Doc``
    The tokenised Doc before any component (to run or time them one by one).
``extract_text(text, source, nlp=None) -> ExtractionResult``
``extract_file(path, nlp=None, *, max_bytes=DEFAULT_MAX_BYTES, source=None) -> ExtractionResult``
    Text, HTML, PDF or .docx (detected by content, see ``reader.read_source``);
    raises ``SourceError`` (with a reason code) for a file that cannot be read.
``iter_sources(paths, on_error=None) -> Iterator[tuple[Path, str]]``
    Files as given, directories walked recursively (streamed, sorted per
    directory, symlink loops and dangling links reported, non-document suffixes
    such as images skipped as ``unsupported_suffix``), each with its identity:
    the path relative to the directory given (``sub/x.txt``), or the name of a
    file given.  Two files with one identity raise ``DuplicateSourceError``.
    ``iter_source_files`` gives the paths only.
``extract_paths(paths, nlp=None, *, report=None, max_bytes=...) -> Iterator[ExtractionResult]``
    Streams results (``source`` = identity); a bad file is skipped (recorded in
    the ``CorpusReport``) and the rest of the corpus is processed.
    ``extract_sources(pairs, ...)`` does the same for ``(path, identity)`` pairs.

Memory: a text over ``LINE_TOKENS_ABOVE`` characters is tokenized by line
(components read the text, not the tokens), which bounds the spaCy Doc of a
10 MB file at ~30 MB instead of ~500 MB (one token per character); a text of
more than ``max_bytes // BYTES_PER_CHAR_LIMIT`` characters is skipped as
``too_large`` (a PDF of images and little text is not).

Each component reads and writes ``doc._.pkg_*`` (see ``doc_attrs.py``);
``doc._.pkg_source`` is set before the first component runs.
"""

from __future__ import annotations

import contextlib
import copy
import errno
import gc
import hashlib
import importlib
import itertools
import logging
import multiprocessing as mp
import os
import re
import stat
import weakref
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import replace
from functools import lru_cache
from pathlib import Path
from typing import Any, ClassVar, TypeAlias

import spacy
from spacy.language import Language
from spacy.strings import StringStore
from spacy.tokens import Doc
from spacy.vocab import Vocab

from policykg.extract import doc_attrs  # noqa: F401  (registers doc._.pkg_*)
from policykg.extract.corpus_report import CorpusReport
from policykg.extract.formats import sniff_container
from policykg.extract.genre import doc_text
from policykg.extract.model import ExtractionResult
from policykg.extract.reader import DEFAULT_MAX_BYTES, read_source
from policykg.extract.source_errors import MissingSourceError, SkipReason, SourceError

__all__ = [
    "BATCH_BYTES",
    "BYTES_PER_CHAR_LIMIT",
    "COMPONENT_MODULES",
    "DEFAULT_CONFIG",
    "LINE_TOKENS_ABOVE",
    "NON_DOCUMENT_SUFFIXES",
    "SOURCE_SUFFIXES",
    "CharTokenizer",
    "DuplicateSourceError",
    "UnknownComponentError",
    "WorkerDiedError",
    "build_pipeline",
    "extract_file",
    "extract_paths",
    "extract_source",
    "extract_sources",
    "extract_text",
    "iter_source_files",
    "iter_sources",
    "make_source_doc",
    "resolve_workers",
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

#: suffixes of documents (formats are detected by content all the same); a file with
#: another suffix, or none, is sniffed from its first bytes before it is read
SOURCE_SUFFIXES = frozenset(
    {".txt", ".text", ".html", ".htm", ".xhtml", ".shtml", ".md", ".csv", ".tsv", ".json",
     ".xml", ".pdf", ".docx", ".doc"}
)  # fmt: skip

#: suffixes that are never policy documents: skipped unread in a directory walk
#: (reason ``unsupported_suffix``), so a folder of scans or downloads costs nothing
NON_DOCUMENT_SUFFIXES: dict[str, str] = {
    **dict.fromkeys((".png", ".jpg", ".jpeg", ".gif", ".bmp", ".tif", ".tiff", ".webp",
                     ".ico", ".svg", ".heic", ".psd"), "an image"),
    **dict.fromkeys((".mp3", ".wav", ".m4a", ".ogg", ".flac", ".mp4", ".avi", ".mov",
                     ".mkv", ".wmv", ".flv", ".webm"), "audio or video"),
    **dict.fromkeys((".zip", ".rar", ".7z", ".tar", ".gz", ".tgz", ".bz2", ".xz", ".zst",
                     ".iso", ".dmg"), "an archive"),
    **dict.fromkeys((".exe", ".dll", ".so", ".dylib", ".bin", ".class", ".jar", ".pyc",
                     ".o"), "a program or binary"),
    **dict.fromkeys((".xls", ".xlsx", ".ppt", ".pptx", ".odt", ".ods", ".odp", ".wps",
                     ".et", ".dps", ".rtf"), "an office format policykg does not read"),
    **dict.fromkeys((".ttf", ".otf", ".woff", ".woff2", ".eot"), "a font"),
    **dict.fromkeys((".css", ".js", ".map"), "a web page asset"),
    **dict.fromkeys((".db", ".sqlite", ".parquet", ".pkl", ".npy"), "a data file"),
}  # fmt: skip

logger = logging.getLogger(__name__)

#: texts longer than this (characters) get one token per line: see :class:`CharTokenizer`
LINE_TOKENS_ABOVE = 200_000

#: a text may have one character per this many bytes of the size limit: extraction plus
#: loading peak at ~200 bytes per character (10 MB of Chinese text, 3.8 M characters:
#: 800 MB), so the default 64 MB limit admits 5.6 M characters, ~1.2 GB
BYTES_PER_CHAR_LIMIT = 12

#: spaCy's default max_length guards memory of parsers; the blank pipeline is linear
_MAX_LENGTH = 50_000_000


class CharTokenizer:
    """Linear-time tokenizer for Chinese text; ``doc.text`` reproduces the input exactly.

    ``granularity="char"`` (the default) makes one token per character, as
    spaCy's ``zh`` char segmenter does, without its per-character Python
    alignment of white space (white space characters are tokens too): the
    vocabulary stays bounded by the character set, so after the first few files
    every lexeme exists and building the Doc is the only cost (about 0.15× the
    time of ``spacy.blank("zh")`` itself: the Doc is given each character's
    string id, kept per tokenizer, rather than the string to hash).  ``granularity="run"`` makes one
    token per run of CJK characters, Latin letters, digits or white space:
    fewer tokens, but nearly every run of real text is a new lexeme, so the
    vocabulary grows with the corpus and creating lexemes makes it slower than
    ``char`` on unseen text.  The components read the text, not the tokens
    (tokens only anchor ``doc.spans``): read it through ``genre.doc_text(doc)``,
    as ``Doc.text`` is rebuilt from the tokens on every access.

    A text over ``line_tokens_above`` characters is tokenized by line instead (at
    most 256 characters a token): a token costs ~200 bytes (its string, TokenC,
    lexeme), 80x the input of a long file when made per character.
    """

    _PATTERNS: ClassVar[dict[str, re.Pattern[str]]] = {
        "run": re.compile(
            r"\s+|[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+|[A-Za-z]+|[0-9]+|.", re.DOTALL
        ),
    }
    #: long texts: one token per line (at most 256 characters), see ``line_tokens_above``
    _LINES = re.compile(r"[^\n]{1,256}\n?|\n")

    def __init__(
        self,
        vocab: Vocab,
        granularity: str = "char",
        line_tokens_above: int = LINE_TOKENS_ABOVE,
    ) -> None:
        if granularity not in ("char", "run"):
            raise ValueError(f"unknown granularity {granularity!r} (char or run)")
        self.vocab = vocab
        self._token_re = self._PATTERNS.get(granularity)
        self.line_tokens_above = line_tokens_above
        self._orth_of = _CharOrths(vocab.strings).__getitem__

    def __call__(self, text: str) -> Doc:
        if len(text) > self.line_tokens_above:
            words = self._LINES.findall(text)
        elif self._token_re is not None:
            words = self._token_re.findall(text)
        elif self.vocab.in_memory_zone:  # type: ignore[attr-defined]
            words = list(text)  # a memory zone (not in the stub): its strings are transient
        else:
            # characters as their string ids (``Doc`` takes either, the stub says str
            # only): spaCy then skips hashing every token's string, 2.5x faster
            orths: Any = list(map(self._orth_of, text))
            return Doc(self.vocab, words=orths, spaces=[False] * len(text))
        return Doc(self.vocab, words=words, spaces=[False] * len(words))


class _CharOrths(dict[str, int]):
    """Character -> its id in a string store, added (for good) when first seen.

    Looked up through the bound ``__getitem__`` (a C method: no Python frame per
    character); a new character goes through ``__missing__`` once.  It is added
    as permanent, so its id stays valid after any memory zone.
    """

    def __init__(self, strings: StringStore) -> None:
        super().__init__()
        self._strings = strings

    def __missing__(self, char: str) -> int:
        orth: int = self._strings.add(char, allow_transient=False)  # type: ignore[call-arg]
        self[char] = orth
        return orth


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


def make_source_doc(nlp: Language, text: str, source: str) -> Doc:
    """The tokenised Doc of ``text`` as the components expect it: source and text set."""
    doc = nlp.make_doc(text)
    doc._.pkg_source = source
    doc.user_data["pkg_text"] = text  # Doc.text is rebuilt from tokens on every access
    return doc


def run_pipeline(nlp: Language, text: str, source: str) -> Doc:
    """Run every component of ``nlp`` on ``text`` with ``doc._.pkg_source`` set first."""
    doc = make_source_doc(nlp, text, source)
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


def _run(nlp: Language, text: str, source: str, sha256: str) -> ExtractionResult:
    tokenizer = nlp.tokenizer
    if isinstance(tokenizer, CharTokenizer) and len(text) > tokenizer.line_tokens_above:
        # line tokens are new lexemes: free them with the Doc (the result keeps no Doc)
        with nlp.memory_zone():
            return _result(run_pipeline(nlp, text, source), source, sha256)
    return _result(run_pipeline(nlp, text, source), source, sha256)


def extract_text(text: str, source: str, nlp: Language | None = None) -> ExtractionResult:
    """Extract every fact from ``text`` (already decoded); ``source`` names the file."""
    sha256 = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return _run(nlp or _default_pipeline(), text, source, sha256)


def _requote(result: ExtractionResult, text: str) -> None:
    # the extractors read the same-length simplified copy: quote the original script
    for record in (*result.documents, *result.responsibilities, *result.citations,
                   *result.targets):  # fmt: skip
        ev = record.evidence
        record.evidence = replace(ev, quote=text[ev.start : ev.end])
    result.dropped = [replace(d, text=text[d.start : d.end]) for d in result.dropped]
    result.text = text


def extract_file(
    path: Path,
    nlp: Language | None = None,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    source: str | None = None,
) -> ExtractionResult:
    """Read, decode and extract one source file.

    Parameters
    ----------
    path : path-like
        A text, HTML, PDF or .docx file (detected by content).
    nlp : Language, optional
        The pipeline (default: :func:`build_pipeline` with the default config).
    max_bytes : int
        Files above this size are refused unread, and texts of more than
        ``max_bytes // BYTES_PER_CHAR_LIMIT`` characters once read (memory).
    source : str, optional
        The file's identity in the corpus (see :func:`iter_sources`); default its name.

    Returns
    -------
    ExtractionResult
        ``source`` is the identity; ``text`` the decoded evidence text (original
        script); ``sha256`` hashes the raw bytes; ``warnings`` include
        ``no_structure`` when nothing was found.

    Raises
    ------
    SourceError
        The file cannot be read as a source (reason code in ``.reason``).
    """
    path = Path(path)
    name = path.name if source is None else source
    text = read_source(path, max_bytes)
    max_chars = max_bytes // BYTES_PER_CHAR_LIMIT
    if len(text.text) > max_chars:
        raise SourceError(
            path,
            "too_large",
            f"{len(text.text):,} characters of text is over the limit of {max_chars:,} "
            f"(1 per {BYTES_PER_CHAR_LIMIT} bytes of the size limit: extracting and "
            "loading a text needs ~200 bytes of memory per character; raise it with "
            "--max-file-size)",
        )
    result = _run(nlp or _default_pipeline(), text.matching_text, name, text.sha256)
    if text.converted:
        _requote(result, text.text)
    if text.matching_text != text.text:
        result.matching_text = text.matching_text
    result.source_format = text.source_format
    result.encoding = text.encoding
    result.warnings = list(text.warnings)
    if not (result.documents or result.responsibilities or result.citations or result.targets):
        result.warnings.append("no_structure: no document, task, citation or target found")
    return result


class DuplicateSourceError(ValueError):
    """Two files of one run have the same identity (relative path); the run must stop.

    Their facts would share one named graph and one source node: give the
    common parent directory instead, or rename one of them.
    """

    def __init__(self, source: str, first: Path, second: Path) -> None:
        super().__init__(
            f"{first} and {second} both have the source identity {source!r} "
            "(the path relative to the corpus root given): pass their common parent "
            "directory instead, or rename one"
        )
        self.source = source
        self.paths = (first, second)


def _stat_key(st: os.stat_result) -> tuple[int, int]:
    return st.st_dev, st.st_ino


def _stat_error(path: Path, exc: OSError) -> SourceError:
    if isinstance(exc, FileNotFoundError):
        return MissingSourceError(path, "no such file or directory (or a dangling symlink)")
    if exc.errno == errno.ELOOP:
        return SourceError(path, "symlink_loop", "symlink loop")
    return SourceError(path, "unreadable", f"cannot access: {exc.strerror or exc}")


def _not_a_document(path: Path) -> SourceError | None:
    kind = NON_DOCUMENT_SUFFIXES.get(path.suffix.lower())
    if kind is None:
        return None
    return SourceError(path, "unsupported_suffix", f"{kind} ({path.suffix}), not a policy document")


def _walk(
    root: Path,
    root_key: tuple[int, int],
    fail: Callable[[SourceError], None],
    seen: set[tuple[int, int]],
    note: Callable[[SourceError], None] | None,
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
            fail(_stat_error(path, exc))  # a dangling symlink or a loop: reported, not lost
            continue
        key = _stat_key(st)
        if stat.S_ISDIR(st.st_mode):
            if any(key == k for _it, k in stack):
                fail(SourceError(path, "symlink_loop", "symlink to one of its own parents"))
            elif key not in seen:
                seen.add(key)
                stack.append((listing(path), key))
        elif key not in seen:
            seen.add(key)  # the same file reached twice (symlink, hard link) is read once
            skip = _not_a_document(path)
            if skip is None:
                yield path
            elif note is None:
                logger.info("skipped %s", skip)
            else:
                note(skip)


def iter_sources(
    paths: Iterable[Path], on_error: Callable[[SourceError], None] | None = None
) -> Iterator[tuple[Path, str]]:
    """Source files under ``paths`` with their identities, streamed.

    The identity of a file is its path relative to the directory given on the
    command line (``sub/dir/index.txt``, ``/`` separated, extension kept), or its
    name when the file itself was given.  It is the ``source`` of every fact and
    keys the file's named graph (:func:`policykg.graph.namespaces.source_key`).

    Files given explicitly are yielded whatever their suffix.  Directories are
    walked recursively, entries sorted per directory, hidden entries skipped.
    Every other file is yielded and its format is detected from its content
    (the reader refuses images, archives and binaries with a reason), except
    the suffixes of :data:`NON_DOCUMENT_SUFFIXES`, reported as
    ``unsupported_suffix`` unread.  Symlinks are followed, each file and
    directory once; a symlink loop or a dangling symlink is reported.

    Parameters
    ----------
    paths : iterable of path-like
        Files or directories.
    on_error : callable, optional
        Called with a :class:`SourceError` for each path that is skipped (missing,
        unreadable directory, symlink loop, unsupported suffix); the walk goes on.
        Without it the error is raised (a missing path raises
        :class:`MissingSourceError`, a ``FileNotFoundError``), except an
        unsupported suffix, which is only logged.

    Raises
    ------
    DuplicateSourceError
        Two files have the same identity (e.g. ``a/x.txt`` and ``b/x.txt`` given
        as files, or two roots both holding ``x.txt``).
    """

    def fail(error: SourceError) -> None:
        if on_error is None:
            raise error
        on_error(error)

    seen: set[tuple[int, int]] = set()
    identities: dict[str, Path] = {}

    def identify(path: Path, source: str) -> tuple[Path, str]:
        first = identities.setdefault(source, path)
        if first != path:
            raise DuplicateSourceError(source, first, path)
        return path, source

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
                for f in _walk(p, key, fail, seen, on_error):
                    yield identify(f, f.relative_to(p).as_posix())
        elif key not in seen:
            seen.add(key)
            yield identify(p, p.name)


def iter_source_files(
    paths: Iterable[Path], on_error: Callable[[SourceError], None] | None = None
) -> Iterator[Path]:
    """The files of :func:`iter_sources`, without their identities."""
    for path, _source in iter_sources(paths, on_error):
        yield path


def _sniff_head(path: Path) -> None:
    # A file whose suffix says nothing: refuse images, archives and executables from
    # their first bytes before reading (up to the size limit) the whole file.
    try:
        with open(path, "rb") as fh:
            head = fh.read(1024)
    except OSError:
        return  # the reader reports it with its reason
    try:
        sniff_container(head)
    except SourceError as exc:
        raise SourceError(path, exc.reason, exc.message) from exc


def extract_source(
    path: Path,
    source: str,
    nlp: Language | None = None,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> ExtractionResult:
    """Extract one file of a walk under its identity (see :func:`iter_sources`).

    As :func:`extract_file`, except that a file whose suffix names no source
    format is first sniffed, so images, archives and executables are refused
    from their first bytes.  Every engine (local, Dask) extracts through this.

    Raises
    ------
    SourceError
        The file cannot be read as a source (reason code in ``.reason``).
    """
    if path.suffix.lower() not in SOURCE_SUFFIXES:
        _sniff_head(path)
    return extract_file(path, nlp, max_bytes=max_bytes, source=source)


def resolve_workers(workers: int) -> int:
    """Worker processes for ``workers``: ``0`` means one per CPU core, otherwise at least 1."""
    if workers < 0:
        raise ValueError("workers must be 0 (one per core) or a positive number")
    return (os.cpu_count() or 1) if workers == 0 else workers


def _skipper(
    report: CorpusReport | None, on_skip: Callable[[SourceError], None] | None = None
) -> Callable[[SourceError], None]:
    def skip(error: SourceError) -> None:
        if report is None:
            logger.warning("skipped %s", error)
        else:
            logger.info("skipped %s", error)
            report.add_skip(error)
        if on_skip is not None:
            on_skip(error)

    return skip


def extract_sources(
    sources: Iterable[tuple[Path, str]],
    nlp: Language | None = None,
    *,
    report: CorpusReport | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    on_skip: Callable[[SourceError], None] | None = None,
    workers: int = 1,
) -> Iterator[ExtractionResult]:
    """Extract ``(path, identity)`` pairs (see :func:`iter_sources`), streamed.

    A file that cannot be read (:class:`SourceError`) or on which the pipeline
    fails is skipped and the rest is processed: the skip is recorded in
    ``report`` when given, and logged (WARNING) otherwise; ``on_skip`` is also
    told.  Results are yielded one at a time: nothing holds the whole corpus.
    ``workers`` as for :func:`extract_paths`.
    """
    return _extract(sources, [], nlp, report, max_bytes, _skipper(report, on_skip), workers)


def extract_paths(
    paths: Iterable[Path],
    nlp: Language | None = None,
    *,
    report: CorpusReport | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    workers: int = 1,
) -> Iterator[ExtractionResult]:
    """Extract every source file under ``paths`` (see :func:`iter_sources`), streamed.

    A file that cannot be read (:class:`SourceError`) or on which the pipeline
    fails is skipped and the rest of the corpus is processed: the skip is
    recorded in ``report`` when given, and logged (WARNING) otherwise.  Each
    result's ``source`` is the file's identity (path relative to the directory
    given, or the name of a file given).

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
    workers : int
        Processes that extract (default 1: in this process; 0: one per CPU
        core).  With more than one, the worker processes are forked from this
        one when extraction starts (so they inherit ``nlp``, built here
        first), files go to them in batches of about :data:`BATCH_BYTES`, and
        results, skips and report entries come back in exactly the order, and
        with exactly the content, of ``workers=1``.  Where ``fork`` is not
        available the files are extracted in this process.

    Raises
    ------
    DuplicateSourceError
        Two files have the same identity.
    WorkerDiedError
        A worker process died (killed, out of memory); an exception inside the
        pipeline only skips its file, as with one process.

    Notes
    -----
    The worker processes return :class:`ExtractionResult` objects (facts and
    text, no spaCy Doc).
    """
    skip = _skipper(report)
    n = _usable_workers(workers)
    if n == 1:
        # one process: walk errors are reported as the walk meets them
        return _extract(iter_sources(paths, on_error=skip), [], nlp, report, max_bytes, skip, 1)
    # workers: walk errors wait with the batch they precede, to keep the serial order
    walk_errors: list[SourceError] = []
    sources = iter_sources(paths, on_error=walk_errors.append)
    return _extract(sources, walk_errors, nlp, report, max_bytes, skip, n)


def _usable_workers(workers: int) -> int:
    n = resolve_workers(workers)
    if n > 1 and "fork" not in mp.get_all_start_methods():
        logger.info("no fork start method here: extracting in one process")
        n = 1
    return n


def _extract(
    sources: Iterable[tuple[Path, str]],
    walk_errors: list[SourceError],
    nlp: Language | None,
    report: CorpusReport | None,
    max_bytes: int,
    skip: Callable[[SourceError], None],
    workers: int,
) -> Iterator[ExtractionResult]:
    def emit(f: Path, outcome: ExtractionResult | SourceError) -> ExtractionResult | None:
        if isinstance(outcome, SourceError):
            skip(outcome)
            return None
        if report is not None:
            report.add_result(str(f), outcome)
        return outcome

    n = _usable_workers(workers)
    if n == 1:
        return _extract_serial(sources, nlp, max_bytes, emit)
    pipeline = nlp or _default_pipeline()
    return _extract_parallel(sources, walk_errors, pipeline, max_bytes, n, skip, emit)


def _extract_one(
    f: Path, source: str, nlp: Language | None, max_bytes: int
) -> ExtractionResult | SourceError:
    """One file's result, or the :class:`SourceError` that skips it."""
    try:
        return extract_source(f, source, nlp, max_bytes=max_bytes)
    except SourceError as exc:
        return exc
    except Exception as exc:  # one file's failure must not lose the corpus
        logger.exception("extraction failed on %s", f)
        return SourceError(f, "extraction_error", f"{type(exc).__name__}: {exc}")


def _extract_serial(
    sources: Iterable[tuple[Path, str]],
    nlp: Language | None,
    max_bytes: int,
    emit: Callable[[Path, ExtractionResult | SourceError], ExtractionResult | None],
) -> Iterator[ExtractionResult]:
    for f, source in sources:
        result = emit(f, _extract_one(f, source, nlp, max_bytes))
        if result is not None:
            yield result


# ---------------------------------------------------------------- worker processes

#: bytes of source files per task sent to a worker process: ~30 ms of work, small
#: enough that two workers end together, large enough that messaging costs ~nothing
BATCH_BYTES = 64 * 1024
#: most files per task (many tiny files)
_BATCH_FILES = 64
#: tasks in flight per worker: the workers never wait for the consumer to ask, and
#: results waiting for a slow consumer stay bounded
_IN_FLIGHT_PER_WORKER = 4

#: pipeline and size limit of each parallel run, inherited by the forked workers
_FORK_JOBS: dict[int, tuple[Language, int]] = {}
_job_ids = itertools.count(1)


class WorkerDiedError(RuntimeError):
    """An extraction worker process died (killed, out of memory) during a batch."""


def _worker_ready(job: int) -> int:
    if job not in _FORK_JOBS:  # not forked from the process that registered the job
        raise RuntimeError("extraction worker has no pipeline (not started by fork)")
    return os.getpid()


#: what a worker sends back per file: the result, or a skip as (path, reason, message)
#: (SourceError's constructors take other arguments than its pickled state)
_Outcome: TypeAlias = ExtractionResult | tuple[str, SkipReason, str]


def _worker_batch(job: int, files: list[tuple[Path, str]]) -> list[_Outcome]:
    nlp, max_bytes = _FORK_JOBS[job]
    out: list[_Outcome] = []
    for f, source in files:
        outcome = _extract_one(f, source, nlp, max_bytes)
        if isinstance(outcome, SourceError):
            out.append((str(outcome.path), outcome.reason, outcome.message))
        else:
            out.append(outcome)
    return out


#: files of one task with their identities, each with the walk errors met just before
#: it, and the walk errors met after the last file (so skips are reported where one
#: process reports them)
_Batch = tuple[list[tuple[list[SourceError], Path, str]], list[SourceError]]


def _batches(sources: Iterable[tuple[Path, str]], pending: list[SourceError]) -> Iterator[_Batch]:
    """Files in batches of about :data:`BATCH_BYTES` (and at most ``_BATCH_FILES``).

    ``pending`` is where the walk behind ``sources`` puts the errors it meets.
    """
    files: list[tuple[list[SourceError], Path, str]] = []
    size = 0
    for f, source in sources:
        files.append((pending[:], f, source))
        pending.clear()
        with contextlib.suppress(OSError):  # a file that vanished: the worker reports it
            size += f.stat().st_size
        if size >= BATCH_BYTES or len(files) >= _BATCH_FILES:
            yield files, []
            files, size = [], 0
    if files or pending:
        yield files, pending


def _extract_parallel(
    sources: Iterable[tuple[Path, str]],
    walk_errors: list[SourceError],
    nlp: Language,
    max_bytes: int,
    workers: int,
    skip: Callable[[SourceError], None],
    emit: Callable[[Path, ExtractionResult | SourceError], ExtractionResult | None],
) -> Iterator[ExtractionResult]:
    # lazy resources (tables, converters) are loaded once here and shared by the forks
    run_pipeline(nlp, "一、总体要求\n", "<warm-up>")
    job = next(_job_ids)
    _FORK_JOBS[job] = (nlp, max_bytes)
    pool = ProcessPoolExecutor(workers, mp_context=mp.get_context("fork"))
    try:
        # the first submit forks every worker now, before the caller opens stores or threads;
        # frozen, the inherited objects are never scanned by a worker's garbage collector,
        # whose writes would copy every page of the parent's heap into each worker
        gc.freeze()
        try:
            ready = [pool.submit(_worker_ready, job) for _ in range(workers)]
        finally:
            gc.unfreeze()
        for future in ready:
            future.result()
    except BaseException:
        pool.shutdown(wait=False, cancel_futures=True)
        _FORK_JOBS.pop(job, None)
        raise

    def results() -> Iterator[ExtractionResult]:
        window: deque[tuple[_Batch, Future[list[_Outcome]]]] = deque()
        batches = _batches(sources, walk_errors)
        try:
            while True:
                while len(window) < workers * _IN_FLIGHT_PER_WORKER:
                    batch = next(batches, None)
                    if batch is None:
                        break
                    names = [(f, source) for _errors, f, source in batch[0]]
                    window.append((batch, pool.submit(_worker_batch, job, names)))
                if not window:
                    break
                (files, trailing), future = window.popleft()
                try:
                    outcomes = future.result()
                except BrokenProcessPool as exc:
                    listed = ", ".join(str(f) for _e, f, _s in files[:5])
                    raise WorkerDiedError(
                        f"an extraction worker died while extracting one of {listed}"
                        + (" …" if len(files) > 5 else "")
                    ) from exc
                for (errors, f, _source), outcome in zip(files, outcomes, strict=True):
                    for error in errors:
                        skip(error)
                    if isinstance(outcome, tuple):
                        result = emit(f, SourceError(*outcome))
                    else:
                        result = emit(f, outcome)
                    if result is not None:
                        yield result
                for error in trailing:
                    skip(error)
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
            _FORK_JOBS.pop(job, None)

    stream = results()
    # an iterator that is dropped unstarted still stops its workers
    weakref.finalize(stream, _stop_pool, pool, job)
    return stream


def _stop_pool(pool: ProcessPoolExecutor, job: int) -> None:
    pool.shutdown(wait=False, cancel_futures=True)
    _FORK_JOBS.pop(job, None)
