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
``extract_file(path, nlp=None) -> ExtractionResult``
``iter_source_files(paths) -> Iterator[Path]``
    Files as given, directories walked recursively, sorted, text-like
    suffixes only (.txt .html .htm .md .text .csv .tsv .json .xml).
``extract_paths(paths, nlp=None) -> Iterator[ExtractionResult]``

Each component reads and writes ``doc._.pkg_*`` (see ``doc_attrs.py``);
``doc._.pkg_source`` is set before the first component runs.
"""

from __future__ import annotations

import copy
import hashlib
import importlib
import re
from collections.abc import Iterable, Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any, ClassVar

import spacy
from spacy.language import Language
from spacy.tokens import Doc
from spacy.vocab import Vocab

from policykg.extract import doc_attrs  # noqa: F401  (registers doc._.pkg_*)
from policykg.extract.genre import doc_text
from policykg.extract.model import ExtractionResult
from policykg.extract.reader import read_text

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

SOURCE_SUFFIXES = frozenset(
    {".txt", ".text", ".html", ".htm", ".md", ".csv", ".tsv", ".json", ".xml"}
)

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
    doc = run_pipeline(nlp or _default_pipeline(), text, source)
    return _result(doc, source, hashlib.sha256(text.encode("utf-8")).hexdigest())


def extract_file(path: Path, nlp: Language | None = None) -> ExtractionResult:
    """Read, decode and extract one source file (``source`` is its file name)."""
    path = Path(path)
    data = path.read_bytes()
    text = read_text(path)
    doc = run_pipeline(nlp or _default_pipeline(), text, path.name)
    return _result(doc, path.name, hashlib.sha256(data).hexdigest())


def iter_source_files(paths: Iterable[Path]) -> Iterator[Path]:
    """Source files under ``paths``: files as given, directories walked recursively, sorted."""
    for p in paths:
        p = Path(p)
        if p.is_dir():
            for f in sorted(p.rglob("*")):
                if f.is_file() and f.suffix.lower() in SOURCE_SUFFIXES:
                    yield f
        elif p.is_file():
            yield p
        else:
            raise FileNotFoundError(f"no such file or directory: {p}")


def extract_paths(paths: Iterable[Path], nlp: Language | None = None) -> Iterator[ExtractionResult]:
    """Extract every source file under ``paths`` (see :func:`iter_source_files`)."""
    for f in iter_source_files(paths):
        yield extract_file(f, nlp)
