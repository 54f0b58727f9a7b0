"""Generalisation: the pipeline on held-out documents written from the guideline only.

The fixtures in ``tests/fixtures/heldout`` (see its README) were annotated before
the extractor was run on them.  Documents and responsibilities are scored over
all of them together with the matcher of ``policykg eval``.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from policykg.extract.evaluate import EvalReport, evaluate_records, format_report, gold_records

HELDOUT_DIR = Path(__file__).resolve().parent / "fixtures" / "heldout"
CASES = sorted(HELDOUT_DIR.glob("*.txt"))


def _gold(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
    return data


@cache
def _report() -> EvalReport:
    from policykg.extract.pipeline import extract_file

    records: list[dict[str, Any]] = []
    gold: dict[str, dict[str, Any]] = {}
    for path in CASES:
        records += extract_file(path).records()
        gold[path.name] = _gold(path)
    return evaluate_records(records, gold)


def test_heldout_fixtures_are_well_formed() -> None:
    assert len(CASES) >= 6
    for path in CASES:
        gold = _gold(path)
        text = path.read_bytes().decode("utf-8")
        assert gold["source"] == path.name
        keys = {d["key"] for d in gold["documents"]}
        for section in ("documents", "responsibilities", "citations", "targets"):
            for rec in gold[section]:
                assert rec["evidence"] in text, (path.name, section, rec["evidence"])
                if section != "documents":
                    assert rec["document"] in keys
        # the gold scored against itself is perfect
        report = evaluate_records(gold_records(gold), {path.name: gold})
        assert all(not s.fp and not s.fn for s in report.sections.values()), path.name


@pytest.mark.parametrize(("section", "minimum"), [("documents", 0.9), ("responsibilities", 0.95)])
def test_heldout_f1(section: str, minimum: float) -> None:
    report = _report()
    assert report.sections[section].f1 >= minimum, format_report(report, errors=True)


def test_heldout_lead_accuracy() -> None:
    report = _report()
    attr = report.sections["responsibilities"].attributes["lead"]
    assert attr.accuracy is not None and attr.accuracy >= 0.95, format_report(report, errors=True)
