"""Facts with evidence: the records every extraction stage produces.

These dataclasses are the contract between ``policykg.extract`` and the
stages downstream (``policykg.graph``, ``policykg.api``).  Field names follow
``data/gold/README.md`` so predictions and gold annotations share one shape.
Offsets are character offsets into the *decoded original* text of the source
file, so ``text[evidence.start:evidence.end] == evidence.quote`` always holds.

``to_json`` is written out field by field: ``dataclasses.asdict`` deep-copies
recursively and took a quarter of the extraction time.  ``tests/test_model.py``
checks every ``to_json`` against ``asdict`` so a new field cannot be forgotten.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from operator import attrgetter
from typing import Any, Literal

__all__ = [
    "CitationKind",
    "CitationRecord",
    "Comparator",
    "DocumentRecord",
    "Dropped",
    "Evidence",
    "ExtractionResult",
    "ResponsibilityRecord",
    "Role",
    "TargetRecord",
]

Role = Literal["lead", "support", "responsible"]
CitationKind = Literal["basis", "implements", "produces", "mentions"]
Comparator = Literal[">=", "=", "<=", "increase", "pct_increase"]


@dataclass(frozen=True, slots=True)
class Evidence:
    """A quote from the source file and where it sits in the decoded text."""

    source: str
    start: int
    end: int
    quote: str

    def to_json(self) -> dict[str, Any]:
        return {"evidence": self.quote, "evidence_start": self.start, "evidence_end": self.end}


@dataclass(slots=True)
class DocumentRecord:
    """One policy document found in a source file (a file may hold several)."""

    key: str
    title: str | None
    doc_number: str | None
    issuer: str | None
    region: str | None
    region_level: str | None
    date: str | None
    evidence: Evidence
    #: key of the notice that issues this document as an attachment, if any
    issued_by_notice: str | None = None
    #: character span of the document's body in the source text
    span_start: int = 0
    span_end: int = 0
    #: GB/T 2260 code of the region, when resolved
    region_code: str | None = None
    #: short names the document gives itself (以下简称《…》)
    aliases: list[str] = field(default_factory=list)
    #: character spans of the body; more than one when a page interleaves documents
    segments: list[tuple[int, int]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        ev = self.evidence
        return {
            "type": "document", "source": ev.source, "key": self.key, "title": self.title,
            "doc_number": self.doc_number, "issuer": self.issuer, "region": self.region,
            "region_level": self.region_level, "date": self.date,
            "issued_by_notice": self.issued_by_notice, "span_start": self.span_start,
            "span_end": self.span_end, "region_code": self.region_code,
            "aliases": list(self.aliases), "segments": list(self.segments),
            "evidence": ev.quote, "evidence_start": ev.start, "evidence_end": ev.end,
        }  # fmt: skip


@dataclass(slots=True)
class ResponsibilityRecord:
    """Department (or other unit) responsible for a numbered task."""

    document: str
    task_label: str
    task: str
    unit: str
    order: int
    lead: bool
    role: Role
    evidence: Evidence
    #: span of the task heading in the source text (for task evidence)
    task_start: int = 0
    task_end: int = 0
    #: canonical name of the unit after resolution (abbreviations unified)
    unit_canonical: str | None = None
    #: region the unit belongs to (document region for relative names like 市科技局)
    unit_region: str | None = None
    rule: str = ""
    #: GB/T 2260 code of ``unit_region``, when resolved
    unit_region_code: str | None = None
    #: what the unit is: government, party, court, collective, university … (resolve.UnitKind)
    unit_kind: str | None = None

    def to_json(self) -> dict[str, Any]:
        ev = self.evidence
        return {
            "type": "responsibility", "source": ev.source, "document": self.document,
            "task_label": self.task_label, "task": self.task, "unit": self.unit,
            "order": self.order, "lead": self.lead, "role": self.role,
            "task_start": self.task_start, "task_end": self.task_end,
            "unit_canonical": self.unit_canonical, "unit_region": self.unit_region,
            "rule": self.rule, "unit_region_code": self.unit_region_code,
            "unit_kind": self.unit_kind,
            "evidence": ev.quote, "evidence_start": ev.start, "evidence_end": ev.end,
        }  # fmt: skip


@dataclass(slots=True)
class CitationRecord:
    """One document citing another (by 《title》 and/or 文号)."""

    document: str
    cited_title: str | None
    cited_doc_number: str | None
    kind: CitationKind
    evidence: Evidence
    #: issuing level of the cited document when it can be inferred
    cited_level: Literal["national", "provincial", "city", "county"] | None = None
    rule: str = ""

    def to_json(self) -> dict[str, Any]:
        ev = self.evidence
        return {
            "type": "citation", "source": ev.source, "document": self.document,
            "cited_title": self.cited_title, "cited_doc_number": self.cited_doc_number,
            "kind": self.kind, "cited_level": self.cited_level, "rule": self.rule,
            "evidence": ev.quote, "evidence_start": ev.start, "evidence_end": ev.end,
        }  # fmt: skip


@dataclass(slots=True)
class TargetRecord:
    """A quantified goal: region targets metric (value, unit, year)."""

    document: str
    region: str | None
    metric: str
    value: float
    value_max: float | None
    unit: str
    comparator: Comparator
    year: int | None
    evidence: Evidence
    #: True when the year comes from context (plan period, section heading)
    year_inferred: bool = False
    #: the value in base units (e.g. 6万件 -> 60000), when computable
    normalized_value: float | None = None
    #: identifier of the indicator concept in the SKOS scheme, when mapped
    indicator: str | None = None
    rule: str = ""

    def to_json(self) -> dict[str, Any]:
        ev = self.evidence
        return {
            "type": "target", "source": ev.source, "document": self.document,
            "region": self.region, "metric": self.metric, "value": self.value,
            "value_max": self.value_max, "unit": self.unit, "comparator": self.comparator,
            "year": self.year, "year_inferred": self.year_inferred,
            "normalized_value": self.normalized_value, "indicator": self.indicator,
            "rule": self.rule,
            "evidence": ev.quote, "evidence_start": ev.start, "evidence_end": ev.end,
        }  # fmt: skip


@dataclass(frozen=True, slots=True)
class Dropped:
    """A piece of text the pipeline dropped, and why (for ``--explain``)."""

    start: int
    end: int
    reason: str
    text: str

    def to_json(self) -> dict[str, Any]:
        return {"start": self.start, "end": self.end, "reason": self.reason, "text": self.text}


@dataclass(slots=True)
class ExtractionResult:
    """Everything extracted from one source file."""

    source: str
    text: str
    sha256: str
    documents: list[DocumentRecord] = field(default_factory=list)
    responsibilities: list[ResponsibilityRecord] = field(default_factory=list)
    citations: list[CitationRecord] = field(default_factory=list)
    targets: list[TargetRecord] = field(default_factory=list)
    dropped: list[Dropped] = field(default_factory=list)
    #: detected format of the source file: text, html, pdf or docx
    source_format: str = "text"
    #: encoding the text was decoded from (None for PDF/.docx and text given as str)
    encoding: str | None = None
    #: problems that did not stop extraction (``code: detail``, see source_errors)
    warnings: list[str] = field(default_factory=list)
    #: what the extractors read when it differs from ``text`` (the same-length
    #: simplified copy of a traditional-script text, radicals unified), else None
    matching_text: str | None = None

    def records(self) -> list[dict[str, Any]]:
        """All facts as JSON-ready dicts, documents first."""
        out: list[dict[str, Any]] = [d.to_json() for d in self.documents]
        out += [r.to_json() for r in self.responsibilities]
        out += [c.to_json() for c in self.citations]
        out += [t.to_json() for t in self.targets]
        return out

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        # pickled as plain tuples (worker processes send results back): half the time of
        # pickling every record and evidence object with its field names, both ways
        return _unpack_result, (_pack_result(self),)


#: the record class of each list of an ExtractionResult
_RECORD_LISTS: dict[str, Any] = {
    "documents": DocumentRecord,
    "responsibilities": ResponsibilityRecord,
    "citations": CitationRecord,
    "targets": TargetRecord,
}
#: per record class: all its fields at once, and where the evidence sits among them
_FIELDS = {cls: (attrgetter(*cls.__slots__), cls.__slots__.index("evidence"))
           for cls in _RECORD_LISTS.values()}  # fmt: skip
_EVIDENCE_FIELDS = attrgetter(*Evidence.__slots__)


def _pack_record(rec: Any) -> tuple[Any, ...]:
    get, i = _FIELDS[type(rec)]
    values = list(get(rec))
    values[i] = _EVIDENCE_FIELDS(values[i])
    return tuple(values)


def _unpack_record(cls: Any, values: tuple[Any, ...]) -> Any:
    args = list(values)
    i = _FIELDS[cls][1]
    args[i] = Evidence(*args[i])
    return cls(*args)


def _pack_result(res: ExtractionResult) -> tuple[Any, ...]:
    out: list[Any] = []
    for name in res.__slots__:
        value = getattr(res, name)
        if name in _RECORD_LISTS:
            value = [_pack_record(r) for r in value]
        elif name == "dropped":
            value = [(d.start, d.end, d.reason, d.text) for d in value]
        out.append(value)
    return tuple(out)


def _unpack_result(values: tuple[Any, ...]) -> ExtractionResult:
    args: list[Any] = []
    for name, value in zip(ExtractionResult.__slots__, values, strict=True):
        if name in _RECORD_LISTS:
            cls = _RECORD_LISTS[name]
            value = [_unpack_record(cls, v) for v in value]
        elif name == "dropped":
            value = [Dropped(*v) for v in value]
        args.append(value)
    return ExtractionResult(*args)
