"""What happened to every file of a corpus run: processed, skipped (and why), warnings, facts.

``policykg extract`` and ``policykg build`` fill a :class:`CorpusReport` while
they stream the corpus (:func:`policykg.extract.pipeline.extract_paths` with
``report=``) and print it on stderr at the end.  Its exit code says whether
anything was skipped:

=====  =====================================================================
code   meaning
=====  =====================================================================
0      every file was processed (warnings, e.g. ``no_structure``, allowed)
3      some files were skipped; the output/store holds all the others
4      ``--strict`` and some file was skipped: nothing was written, the
       previous store is untouched
=====  =====================================================================
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from policykg.extract.model import ExtractionResult
from policykg.extract.source_errors import SourceError

__all__ = [
    "EXIT_OK",
    "EXIT_SKIPPED",
    "EXIT_STRICT",
    "FACT_TYPES",
    "CorpusReport",
    "ProcessedFile",
    "SkippedFile",
    "StrictModeError",
]

EXIT_OK = 0
EXIT_SKIPPED = 3
EXIT_STRICT = 4
FACT_TYPES = ("documents", "responsibilities", "citations", "targets")


class StrictModeError(RuntimeError):
    """``--strict``: the corpus had skipped files, so the run is aborted before writing."""


@dataclass(frozen=True, slots=True)
class ProcessedFile:
    """A file that was extracted: its facts per type and its warnings."""

    path: str
    source_format: str
    encoding: str | None
    facts: dict[str, int]
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class SkippedFile:
    """A file (or directory) that was skipped, with the reason code and message."""

    path: str
    reason: str
    message: str


@dataclass(slots=True)
class CorpusReport:
    """Outcome of one corpus run, filled while the corpus streams."""

    processed: list[ProcessedFile] = field(default_factory=list)
    skipped: list[SkippedFile] = field(default_factory=list)

    def add_result(self, path: str, result: ExtractionResult) -> None:
        """Record a processed file."""
        facts = {name: len(getattr(result, name)) for name in FACT_TYPES}
        item = ProcessedFile(
            path, result.source_format, result.encoding, facts, tuple(result.warnings)
        )
        self.processed.append(item)

    def add_skip(self, error: SourceError) -> None:
        """Record a skipped file."""
        self.skipped.append(SkippedFile(str(error.path), error.reason, error.message))

    def facts_per_type(self) -> dict[str, int]:
        """Facts extracted per type over all processed files."""
        total: Counter[str] = Counter({name: 0 for name in FACT_TYPES})
        for item in self.processed:
            total.update(item.facts)
        return dict(total)

    def skipped_per_reason(self) -> dict[str, int]:
        """Number of skipped files per reason code."""
        return dict(Counter(item.reason for item in self.skipped))

    def warnings(self) -> list[tuple[str, str]]:
        """``(path, warning)`` for every warning of every processed file."""
        return [(item.path, w) for item in self.processed for w in item.warnings]

    def exit_code(self) -> int:
        """:data:`EXIT_OK` when nothing was skipped, else :data:`EXIT_SKIPPED`."""
        return EXIT_SKIPPED if self.skipped else EXIT_OK

    def guard_strict(self, results: Iterable[ExtractionResult]) -> Iterator[ExtractionResult]:
        """Pass ``results`` through; at their end raise :class:`StrictModeError` if any skip.

        Every file is still processed, so the report lists every problem at once;
        a consumer that writes only after the stream ends (``build_store`` builds
        beside the old store) then writes nothing.
        """
        yield from results
        if self.skipped:
            raise StrictModeError(f"{len(self.skipped)} file(s) skipped in strict mode")

    def to_json(self) -> dict[str, Any]:
        """The report as a JSON-ready dict."""
        return {
            "processed": len(self.processed),
            "skipped": [
                {"path": s.path, "reason": s.reason, "message": s.message} for s in self.skipped
            ],
            "warnings": [{"path": p, "warning": w} for p, w in self.warnings()],
            "facts": self.facts_per_type(),
        }

    def format(self) -> str:
        """A plain-text summary: counts, then one line per skip and per warning."""
        facts = self.facts_per_type()
        lines = [
            f"files processed: {len(self.processed)}",
            f"files skipped:   {len(self.skipped)}"
            + (
                " ("
                + ", ".join(f"{k} {v}" for k, v in sorted(self.skipped_per_reason().items()))
                + ")"
                if self.skipped
                else ""
            ),
            "facts: " + ", ".join(f"{name} {facts[name]}" for name in FACT_TYPES),
        ]
        lines += [f"skipped  {s.path}: {s.reason}: {s.message}" for s in self.skipped]
        lines += [f"warning  {p}: {w}" for p, w in self.warnings()]
        return "\n".join(lines)
