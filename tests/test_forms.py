"""One small invented document per form the genre uses, with its expected facts.

Each ``tests/fixtures/forms/NN_form.txt`` has a gold file ``NN_form.json`` beside
it (the schema of ``data/gold``, written by hand under the guideline in
``data/gold/README.md``).  The extraction pipeline must find exactly those
facts: precision and recall 1.0 in every section, scored with the matcher of
``policykg eval``, and every attribute (lead, kind, year, comparator) right on
the matched pairs.  Every evidence offset must point into the file as decoded.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from policykg.extract.evaluate import SECTIONS, evaluate_records, format_report, gold_records
from policykg.extract.model import ExtractionResult

FORMS_DIR = Path(__file__).resolve().parent / "fixtures" / "forms"
CASES = sorted(FORMS_DIR.glob("*.txt"))
IDS = [p.stem for p in CASES]

COMPARATORS = {">=", "=", "<=", "increase", "pct_increase"}
KINDS = {"basis", "implements", "produces", "mentions"}
FIELDS = {
    "documents": {"key", "title", "doc_number", "issuer", "region", "region_level", "date"},
    "responsibilities": {"document", "task_label", "task", "unit", "order", "lead"},
    "citations": {"document", "cited_title", "cited_doc_number", "kind"},
    "targets": {
        "document",
        "region",
        "metric",
        "value",
        "value_max",
        "unit",
        "comparator",
        "year",
    },
}


def _gold(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
    return data


def _raw_text(path: Path) -> str:
    return path.read_bytes().decode("utf-8")


@cache
def _extract(path: Path) -> ExtractionResult:
    from policykg.extract.pipeline import extract_file

    return extract_file(path)


def test_every_form_has_a_fixture() -> None:
    assert len(CASES) >= 20
    for path in CASES:
        assert path.with_suffix(".json").is_file(), f"{path.name} has no gold file"


@pytest.mark.parametrize("path", CASES, ids=IDS)
def test_fixture_gold_is_well_formed(path: Path) -> None:
    """The fixtures themselves follow the gold schema (runs without the extractor)."""
    gold, text = _gold(path), _raw_text(path)
    assert gold["source"] == path.name
    keys = {d["key"] for d in gold["documents"]}
    assert len(keys) == len(gold["documents"])
    for section in SECTIONS:
        for rec in gold[section]:
            assert FIELDS[section] <= rec.keys(), (section, rec)
            assert rec["evidence"] in text, (section, rec["evidence"])
            if section != "documents":
                assert rec["document"] in keys
    for rec in gold["citations"]:
        assert rec["kind"] in KINDS
        assert rec["cited_title"] or rec["cited_doc_number"]
    for rec in gold["targets"]:
        assert rec["comparator"] in COMPARATORS
        assert isinstance(rec["value"], int | float)
    for rec in gold["responsibilities"]:
        assert isinstance(rec["lead"], bool) and rec["order"] >= 1
    pairs = [(r["document"], r["task_label"], r["unit"]) for r in gold["responsibilities"]]
    assert len(pairs) == len(set(pairs)), "one record per (task, unit)"
    # the gold scored against itself is perfect: no two records compete for a match
    report = evaluate_records(gold_records(gold), {path.name: gold})
    assert all(not s.fp and not s.fn for s in report.sections.values())


@pytest.mark.parametrize("path", CASES, ids=IDS)
def test_form_is_extracted_exactly(path: Path) -> None:
    result = _extract(path)
    report = evaluate_records(result.records(), {path.name: _gold(path)})
    detail = format_report(report, errors=True)
    for section in SECTIONS:
        score = report.sections[section]
        assert (score.precision, score.recall) == (1.0, 1.0), f"{section}\n{detail}"
        for name, attr in score.attributes.items():
            assert attr.accuracy in (None, 1.0), f"{section}.{name}\n{detail}"


@pytest.mark.parametrize("path", CASES, ids=IDS)
def test_form_evidence_offsets_point_into_the_file(path: Path) -> None:
    text = _raw_text(path)
    result = _extract(path)
    assert result.text == text  # the file as decoded: CRLF and all
    for rec in result.records():
        start, end = rec["evidence_start"], rec["evidence_end"]
        assert text[start:end] == rec["evidence"], rec
