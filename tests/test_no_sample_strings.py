"""The extractors must be rules for the genre, not lists of the sample files' strings.

Distinctive strings are read from ``data/gold/*.json`` at test time (never
listed here): document titles and 文号, cited titles and 文号, metrics of at
least 6 characters and evidence quotes of at least 12.  None may occur in any
file under ``extract/`` (code and data).  City names and generic department
names are short or absent from these fields, so they stay allowed.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest

from policykg.extract.evaluate import norm

ROOT = Path(__file__).resolve().parents[1]
GOLD_DIR = ROOT / "data" / "gold"
EXTRACT_DIR = ROOT / "extract"

MIN_METRIC = 6
MIN_EVIDENCE = 12
MIN_TITLE = 6
MIN_SQUASHED = 10
SKIP_DIRS = {"__pycache__", ".mypy_cache", ".ruff_cache", ".pytest_cache"}


def distinctive_strings(gold_files: Iterable[Path]) -> set[str]:
    """Strings from gold files that no extractor may contain."""
    found: set[str] = set()
    for path in gold_files:
        gold = json.loads(path.read_text(encoding="utf-8"))
        for doc in gold.get("documents", []):
            found.update(s for s in (doc.get("title"), doc.get("doc_number")) if s)
        for cit in gold.get("citations", []):
            found.update(s for s in (cit.get("cited_title"), cit.get("cited_doc_number")) if s)
        for tgt in gold.get("targets", []):
            if len(tgt.get("metric") or "") >= MIN_METRIC:
                found.add(tgt["metric"])
        for section in ("documents", "responsibilities", "citations", "targets"):
            for rec in gold.get(section, []):
                if len(rec.get("evidence") or "") >= MIN_EVIDENCE:
                    found.add(rec["evidence"])
    # titles are checked from 6 characters on; shorter ones are not distinctive
    return {s.strip() for s in found if len(s.strip()) >= MIN_TITLE}


def _nfkc(s: str) -> str:
    return unicodedata.normalize("NFKC", s)


def leaked(text: str, strings: Iterable[str]) -> list[str]:
    """The strings that occur in ``text``.

    As written, after NFKC on both sides, or, for strings of at least
    ``MIN_SQUASHED`` characters, after ``norm`` (punctuation, symbols and
    whitespace dropped) on both sides, which also catches a regex-escaped
    ``温政办\\(…\\)`` style copy or a title split over string literals.
    """
    folded, squashed = _nfkc(text), norm(text)
    return sorted(
        s
        for s in strings
        if s in text or _nfkc(s) in folded or (len(norm(s)) >= MIN_SQUASHED and norm(s) in squashed)
    )


def extractor_files(root: Path) -> Iterator[Path]:
    for path in sorted(root.rglob("*")):
        skipped = SKIP_DIRS.intersection(path.relative_to(root).parts)
        if path.is_file() and not skipped and path.suffix not in {".pyc", ".pyo"}:
            yield path


STRINGS = distinctive_strings(sorted(GOLD_DIR.glob("*.json")))
FILES = list(extractor_files(EXTRACT_DIR))


def test_gold_yields_distinctive_strings() -> None:
    # guard against a vacuous pass (e.g. gold moved or its schema renamed)
    assert len(STRINGS) >= 100
    assert FILES, "no files under extract/"


@pytest.mark.parametrize("path", FILES, ids=[str(p.relative_to(ROOT)) for p in FILES])
def test_extractor_file_has_no_sample_strings(path: Path) -> None:
    text = path.read_bytes().decode("utf-8", errors="replace")
    hits = leaked(text, STRINGS)
    assert not hits, f"{path.relative_to(ROOT)} contains sample-corpus strings: {hits[:5]}"


def test_scanner_catches_a_planted_string(tmp_path: Path) -> None:
    sample = max(STRINGS, key=len)
    planted = tmp_path / "rules.py"
    # full-width digits/brackets in the plant are folded by NFKC
    planted.write_text(f"PATTERN = {_nfkc(sample)!r}\n", encoding="utf-8")
    assert sample in leaked(planted.read_text(encoding="utf-8"), STRINGS)
    numbers = sorted(s for s in STRINGS if "(" in s and len(norm(s)) >= MIN_SQUASHED)
    if numbers:  # a regex-escaped copy is caught too
        escaped = re.escape(numbers[0])
        assert numbers[0] in leaked(f"RULE = re.compile(r{escaped!r})", STRINGS)
    assert not leaked("市科技局 阜新市 责任单位", STRINGS)
