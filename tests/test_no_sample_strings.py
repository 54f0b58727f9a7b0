"""The extractors must be rules for the genre, not lists of the sample files' strings.

Distinctive strings are read from ``data/gold/*.json`` at test time (never
listed here): document titles and 文号, cited titles and 文号, metrics of at
least 6 characters, task headings of at least 8, evidence quotes of at least
12, and names of responsible units of at least 6 that are not standard names
(a unit the curated body table resolves, or a collective such as 各县区政府,
is a general name and stays allowed).  None may occur in any file under
``extract/`` or ``graph/`` (code and data).  City names and generic
department names are short or absent from these fields, so they stay allowed.

A copy is caught as written, after NFKC, after ``\\uXXXX``-style escapes are
decoded, and (for strings of at least 10 characters once punctuation is
dropped) with punctuation, whitespace and regular-expression syntax
(``\\s*``, ``.{0,3}``, ``(?:``, escapes) removed from the file.
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
SCANNED_DIRS = (ROOT / "extract", ROOT / "graph")

MIN_METRIC = 6
MIN_EVIDENCE = 12
MIN_TITLE = 6
MIN_TASK = 8
MIN_UNIT = 6
MIN_SQUASHED = 10
_RELATIVE_PREFIX = re.compile(r"^(?:自治区|省|市|州|盟|县|区|旗)")
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
        regions = {d.get("key"): d.get("region") for d in gold.get("documents", [])}
        for resp in gold.get("responsibilities", []):
            if len(norm(resp.get("task") or "")) >= MIN_TASK:
                found.add(resp["task"])
            found.update(
                distinctive_unit_names(resp.get("unit") or "", regions.get(resp["document"]))
            )
        for section in ("documents", "responsibilities", "citations", "targets"):
            for rec in gold.get(section, []):
                if len(rec.get("evidence") or "") >= MIN_EVIDENCE:
                    found.add(rec["evidence"])
    # titles are checked from 6 characters on; shorter ones are not distinctive
    return {s.strip() for s in found if len(s.strip()) >= MIN_TITLE}


def distinctive_unit_names(unit: str, region: str | None) -> list[str]:
    """The unit's name, and the name without its relative prefix (省…, 市…), when it is
    not a standard name: not resolved to a curated body, not a collective."""
    from policykg.extract.resolve import resolve_unit

    resolved = resolve_unit(unit, region)
    if resolved.body is not None or resolved.kind == "collective":
        return []
    names = [unit, _RELATIVE_PREFIX.sub("", unit)]
    return [n for n in dict.fromkeys(names) if len(norm(n)) >= MIN_UNIT]


def _nfkc(s: str) -> str:
    return unicodedata.normalize("NFKC", s)


_ESCAPE = re.compile(r"\\(?:u([0-9a-fA-F]{4})|U([0-9a-fA-F]{8})|x([0-9a-fA-F]{2})|N\{([^}]+)\})")
# regex syntax that would sit between the characters of a copied string
_REGEX_SYNTAX = re.compile(
    r"\\[sSdDwWbBAZ](?:[*+?]|\{\d*,?\d*\})?\??"  # \s*, \d+, \s{0,2}
    r"|\(\?(?:[:=!]|<[=!]|P?<\w+>)"  # (?: (?= (?<name>
    r"|\.[*+?]\??|\.\{\d*,?\d*\}|\{\d*,?\d*\}"  # .*  .{0,3}  {2,}
    r"|\\(?=\W)"  # escapes of punctuation: \( \. \〔
)


def _unescape(text: str) -> str:
    """Decode ``\\uXXXX``, ``\\UXXXXXXXX``, ``\\xXX`` and ``\\N{NAME}`` escapes."""

    def decode(m: re.Match[str]) -> str:
        if m.group(4):
            try:
                return unicodedata.lookup(m.group(4))
            except KeyError:
                return m.group(0)
        return chr(int(m.group(1) or m.group(2) or m.group(3), 16))

    return _ESCAPE.sub(decode, text)


def _without_regex_syntax(text: str) -> str:
    return _REGEX_SYNTAX.sub("", text)


def leaked(text: str, strings: Iterable[str]) -> list[str]:
    """The strings that occur in ``text``.

    As written, after NFKC on both sides (on the text with escapes decoded
    too), or, for strings of at least ``MIN_SQUASHED`` characters, after
    ``norm`` (punctuation, symbols and whitespace dropped) on both sides with
    regular-expression syntax removed from the text first, which also catches a
    regex-escaped ``温政办\\(…\\)`` or ``关于\\s*加强`` style copy or a title split
    over string literals.
    """
    decoded = _unescape(text)
    folded = (_nfkc(text), _nfkc(decoded))
    squashed = (norm(text), norm(_without_regex_syntax(decoded)))
    return sorted(
        s
        for s in strings
        if s in text
        or any(_nfkc(s) in f for f in folded)
        or (len(norm(s)) >= MIN_SQUASHED and any(norm(s) in q for q in squashed))
    )


def extractor_files(root: Path) -> Iterator[Path]:
    for path in sorted(root.rglob("*")):
        skipped = SKIP_DIRS.intersection(path.relative_to(root).parts)
        if path.is_file() and not skipped and path.suffix not in {".pyc", ".pyo"}:
            yield path


STRINGS = distinctive_strings(sorted(GOLD_DIR.glob("*.json")))
FILES = [p for d in SCANNED_DIRS for p in extractor_files(d)]


def test_gold_yields_distinctive_strings() -> None:
    # guard against a vacuous pass (e.g. gold moved or its schema renamed)
    assert len(STRINGS) >= 100
    for d in SCANNED_DIRS:
        assert any(p.is_relative_to(d) for p in FILES), f"no files under {d.name}/"


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


def _gold() -> list[dict[str, object]]:
    return [json.loads(p.read_text(encoding="utf-8")) for p in sorted(GOLD_DIR.glob("*.json"))]


def test_task_headings_are_caught() -> None:
    tasks = sorted(
        str(r["task"])
        for g in _gold()
        for r in g.get("responsibilities", [])  # type: ignore[attr-defined]
        if len(norm(str(r["task"]))) >= MIN_TASK
    )
    assert tasks and all(t in STRINGS for t in tasks)
    assert tasks[0] in leaked(f"HEADINGS = [{tasks[0]!r}]", STRINGS)


def test_distinctive_unit_names_are_caught_and_standard_ones_allowed() -> None:
    found = [
        (str(r["unit"]), name)
        for g in _gold()
        for r in g.get("responsibilities", [])  # type: ignore[attr-defined]
        for name in distinctive_unit_names(str(r["unit"]), None)
    ]
    assert found, "no distinctive unit names in the gold"
    unit, name = found[0]
    assert name in leaked(f"UNITS = {{{name!r}: 'x'}}", STRINGS)
    # the name with its relative prefix dropped is caught too (an alias-table entry)
    bare = _RELATIVE_PREFIX.sub("", unit)
    if bare != unit and len(norm(bare)) >= MIN_UNIT:
        assert bare in leaked(f'"aliases": ["{bare}"]', STRINGS)
    # standard names and collectives are general, never distinctive
    assert distinctive_unit_names("市发展和改革委员会", "某市") == []
    assert distinctive_unit_names("各县（市、区）人民政府", "某市") == []


def test_regex_syntax_inside_a_copy_is_caught() -> None:
    sample = max((s for s in STRINGS if len(norm(s)) >= MIN_SQUASHED), key=len)
    chars = list(norm(sample))
    pieces = [r"\s*", r"\s+", r"\s?", r".{0,3}", r"(?:", r")?", r"\d*", r"\ "]
    planted = "".join(c + pieces[i % len(pieces)] for i, c in enumerate(chars))
    assert sample in leaked(f"PATTERN = re.compile(r{planted!r})", STRINGS)


def test_unicode_escapes_are_caught() -> None:
    sample = min((s for s in STRINGS if len(s) >= MIN_TITLE), key=len)
    escaped = "".join(f"\\u{ord(c):04x}" if ord(c) < 0x10000 else c for c in sample)
    assert sample not in escaped
    assert sample in leaked(f'"name": "{escaped}"', STRINGS)  # JSON / Python string escapes
    named = "".join(f"\\N{{{unicodedata.name(c)}}}" for c in sample)
    assert sample in leaked(f'NAME = "{named}"', STRINGS)


def test_graph_directory_is_scanned(tmp_path: Path) -> None:
    assert any(p.is_relative_to(ROOT / "graph") and p.suffix == ".py" for p in FILES)
    sample = max(STRINGS, key=len)
    planted = tmp_path / "queries.py"
    planted.write_text(f'QUERY = """SELECT * WHERE {{ ?d dcterms:title "{sample}" }}"""\n')
    assert sample in leaked(planted.read_text(encoding="utf-8"), STRINGS)
