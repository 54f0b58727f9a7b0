"""The fact records: ``to_json`` is written out by hand and must match ``asdict``."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from policykg.extract.model import (
    CitationRecord,
    DocumentRecord,
    Dropped,
    Evidence,
    ExtractionResult,
    ResponsibilityRecord,
    TargetRecord,
)

EV = Evidence("a.txt", 3, 9, "责任单位：市")


def _reference(record: Any) -> dict[str, Any]:
    """What ``to_json`` meant when it was ``asdict`` plus the flattened evidence."""
    d = dataclasses.asdict(record)
    ev = d.pop("evidence")
    kind = type(record).__name__.removesuffix("Record").lower()
    return {"type": kind, "source": ev["source"], **d, "evidence": ev["quote"],
            "evidence_start": ev["start"], "evidence_end": ev["end"]}  # fmt: skip


def _filled(cls: type) -> Any:
    """An instance whose every field has a distinct non-default value."""
    values: dict[str, Any] = {}
    for i, f in enumerate(dataclasses.fields(cls)):
        if f.name == "evidence":
            values[f.name] = EV
        elif f.name == "aliases":
            values[f.name] = ["简称甲", "简称乙"]
        elif f.name == "segments":
            values[f.name] = [(0, 5), (7, 9)]
        elif f.name in {"value", "value_max", "normalized_value"}:
            values[f.name] = 1.5 + i
        elif f.name in {"order", "span_start", "span_end", "task_start", "task_end", "year"}:
            values[f.name] = 10 + i
        elif f.name in {"lead", "year_inferred"}:
            values[f.name] = True
        else:
            values[f.name] = f"v{i}"
    return cls(**values)


@pytest.mark.parametrize(
    "cls", [DocumentRecord, ResponsibilityRecord, CitationRecord, TargetRecord]
)
def test_to_json_matches_asdict_for_every_field(cls: type) -> None:
    record = _filled(cls)
    out = record.to_json()
    assert out == _reference(record)
    assert list(out) == list(_reference(record))  # same key order: JSONL output is stable


def test_to_json_copies_lists() -> None:
    doc = _filled(DocumentRecord)
    out = doc.to_json()
    out["aliases"].append("x")
    out["segments"].append((1, 2))
    assert doc.aliases == ["简称甲", "简称乙"] and doc.segments == [(0, 5), (7, 9)]


def test_dropped_and_records_order() -> None:
    dropped = Dropped(1, 4, "chrome", "首页")
    assert dropped.to_json() == dataclasses.asdict(dropped)
    res = ExtractionResult(
        "a.txt", "text", "0" * 64, documents=[_filled(DocumentRecord)],
        responsibilities=[_filled(ResponsibilityRecord)], citations=[_filled(CitationRecord)],
        targets=[_filled(TargetRecord)],
    )  # fmt: skip
    assert [r["type"] for r in res.records()] == ["document", "responsibility", "citation",
                                                  "target"]  # fmt: skip


def test_results_pickle_as_tuples_and_come_back_equal() -> None:
    import pickle

    res = ExtractionResult(
        "a.txt", "全文", "0" * 64, documents=[_filled(DocumentRecord)],
        responsibilities=[_filled(ResponsibilityRecord), _filled(ResponsibilityRecord)],
        citations=[_filled(CitationRecord)], targets=[_filled(TargetRecord)],
        dropped=[Dropped(0, 2, "page_chrome", "首页")], source_format="html", encoding="gb18030",
        warnings=["encoding_guess: x"],
    )  # fmt: skip
    back = pickle.loads(pickle.dumps(res, protocol=pickle.HIGHEST_PROTOCOL))
    assert back == res
    assert isinstance(back.responsibilities[0].evidence, Evidence)
    assert b"ResponsibilityRecord" not in pickle.dumps(res)  # records travel as tuples
