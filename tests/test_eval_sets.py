"""Extraction stays at the quality bar on documents the development set does not hold.

The sets and how each was used (held out or not) are described in
``tests/fixtures/eval/README.md``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from policykg.extract.evaluate import evaluate_corpus

EVAL = Path(__file__).resolve().parent / "fixtures" / "eval"
SETS = sorted(p.name for p in EVAL.iterdir() if (p / "gold").is_dir())
#: the extraction issue's bar: F1 per section, accuracy per attribute on matched pairs
F1_BAR = {"documents": 0.90, "responsibilities": 0.97, "citations": 0.93, "targets": 0.90}
ACCURACY_BAR = {("responsibilities", "lead"): 0.97, ("citations", "kind"): 0.85,
                ("targets", "year"): 0.90}  # fmt: skip


def test_the_sets_are_there() -> None:
    assert SETS == ["heldback_b", "heldback_c", "unseen_a"]
    for name in SETS:
        corpus = sorted(p.stem for p in (EVAL / name / "corpus").iterdir())
        gold = sorted(p.stem for p in (EVAL / name / "gold").glob("*.json"))
        assert corpus and corpus == gold, name


@pytest.mark.parametrize("name", SETS)
def test_extraction_meets_the_bar(name: str) -> None:
    report = evaluate_corpus(EVAL / name / "corpus", EVAL / name / "gold")
    for section, floor in F1_BAR.items():
        assert report.f1(section) >= floor, (name, section, report.f1(section))
    for (section, attribute), floor in ACCURACY_BAR.items():
        accuracy = report.accuracy(section, attribute)
        assert accuracy is not None and accuracy >= floor, (name, section, attribute, accuracy)
