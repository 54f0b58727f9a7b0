"""Where a fact sits: its owning document, its clause, and whether it is noise.

The citation and target components share these helpers.  They read what the
segmentation component left on the Doc (``doc._.pkg_documents`` and
``doc._.pkg_dropped``) and never change it, except that a document's
``aliases`` list may grow.

Public API
----------
``DocumentIndex(doc)``
    Owner lookup by character offset and a dropped-span test.
``clause_bounds(text, pos, end, lo, hi, masks)``
    The clause around ``[pos, end)``: delimited by sentence/clause punctuation
    and line breaks, ignoring punctuation inside masked spans (titles).
``trimmed_evidence(source, text, start, end, anchor_start, anchor_end)``
    An :class:`~policykg.extract.model.Evidence` of at most
    :data:`MAX_EVIDENCE` characters that still contains the anchor.
``SpanSet``
    Sorted, non-overlapping spans with a fast ``contains(pos)``.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Sequence

from spacy.tokens import Doc

from policykg.extract.model import DocumentRecord, Evidence

__all__ = [
    "CLAUSE_BREAK",
    "MAX_CLAUSE_REACH",
    "MAX_EVIDENCE",
    "DocumentIndex",
    "SpanSet",
    "clause_bounds",
    "trimmed_evidence",
]

#: evidence quotes stay short (the gold guideline asks for at most ~200 chars)
MAX_EVIDENCE = 200
#: a clause search never looks further than this (keeps long unpunctuated lines linear)
MAX_CLAUSE_REACH = 400
#: characters that end a clause (a comma ends it, 、 does not: it joins list items)
CLAUSE_BREAK = frozenset("。；;！？!?，,：:\n\r|\t")


class SpanSet:
    """Sorted non-overlapping ``(start, end)`` spans; ``contains`` is O(log n)."""

    def __init__(self, spans: Iterable[tuple[int, int]]) -> None:
        # built per line by the target reader: merged straight into the two lists
        starts: list[int] = []
        ends: list[int] = []
        for s, e in sorted(spans):
            if ends and s <= ends[-1]:
                if e > ends[-1]:
                    ends[-1] = e
            else:
                starts.append(s)
                ends.append(e)
        self._starts = starts
        self._ends = ends

    def find(self, pos: int) -> tuple[int, int] | None:
        """The span containing ``pos`` (start inclusive, end exclusive), if any."""
        i = bisect.bisect_right(self._starts, pos) - 1
        if i >= 0 and pos < self._ends[i]:
            return self._starts[i], self._ends[i]
        return None

    def contains(self, pos: int) -> bool:
        if not self._starts:  # the usual case of many sets (no quotes on a line)
            return False
        i = bisect.bisect_right(self._starts, pos) - 1
        return i >= 0 and pos < self._ends[i]

    def overlapping(self, start: int, end: int) -> list[tuple[int, int]]:
        """Spans that intersect ``[start, end)``, in order."""
        i = max(bisect.bisect_right(self._starts, start) - 1, 0)
        out: list[tuple[int, int]] = []
        while i < len(self._starts) and self._starts[i] < end:
            if self._ends[i] > start:
                out.append((self._starts[i], self._ends[i]))
            i += 1
        return out

    def __len__(self) -> int:
        return len(self._starts)


def _segmentation_lookup(doc: Doc) -> object | None:
    # segmentation.py is written by another stage; use its lookup when present, bound
    # to this Doc once (document_at reads doc._ and rebuilds the lookup on every call)
    try:
        from policykg.extract import segmentation
    except Exception:  # pragma: no cover - segmentation missing or broken: use spans
        return None
    bind = getattr(segmentation, "document_lookup", None)
    if bind is not None:
        return bind(doc)
    at = getattr(segmentation, "document_at", None)
    return None if at is None else (lambda offset: at(doc, offset))


class DocumentIndex:
    """Which document owns an offset, and which offsets are noise.

    Uses ``segmentation.document_at(doc, offset)`` (a document key) when that
    function exists (it knows about interleaved documents); otherwise the
    ``span_start``/``span_end`` of ``doc._.pkg_documents``.
    """

    def __init__(self, doc: Doc) -> None:
        self.doc = doc
        self.documents: list[DocumentRecord] = list(doc._.pkg_documents or [])
        dropped = doc._.pkg_dropped or []
        self.dropped = SpanSet((d.start, d.end) for d in dropped)
        self._by_key = {d.key: d for d in self.documents}
        self._lookup = _segmentation_lookup(doc) if self.documents else None

    def owner(self, offset: int) -> DocumentRecord | None:
        """The document whose body holds ``offset`` (None outside every document)."""
        if not self.documents:
            return None
        if self._lookup is not None:
            try:
                found = self._lookup(offset)  # type: ignore[operator]
            except Exception:  # a helper's bug must not lose every fact
                found = None
            else:
                if isinstance(found, DocumentRecord):
                    return found
                if isinstance(found, str):
                    return self._by_key.get(found)
                return None
        best: DocumentRecord | None = None
        for d in self.documents:
            if d.span_start <= offset < d.span_end and (
                best is None or d.span_end - d.span_start < best.span_end - best.span_start
            ):
                best = d
        return best

    def is_dropped(self, offset: int) -> bool:
        return self.dropped.contains(offset)


def clause_bounds(
    text: str,
    pos: int,
    end: int,
    lo: int = 0,
    hi: int | None = None,
    masks: SpanSet | None = None,
    breaks: frozenset[str] = CLAUSE_BREAK,
) -> tuple[int, int]:
    """Start and end of the clause holding ``text[pos:end]``.

    Punctuation inside a masked span (a 《title》) does not end the clause.
    The search never leaves ``[lo, hi)`` nor goes further than
    :data:`MAX_CLAUSE_REACH` characters from the anchor.
    """
    hi = len(text) if hi is None else hi
    lo = max(lo, pos - MAX_CLAUSE_REACH)
    hi = min(hi, end + MAX_CLAUSE_REACH)
    break_re = _BREAK_RE if breaks is CLAUSE_BREAK else _break_re(breaks)
    s = lo
    for m in reversed(list(break_re.finditer(text, lo, pos))):
        if masks is None or not masks.contains(m.start()):
            s = m.end()
            break
    e = hi
    k = end
    while True:
        fm = break_re.search(text, k, hi)
        if fm is None:
            break
        span = masks.find(fm.start()) if masks is not None else None
        if span is None:
            e = fm.start()
            break
        k = span[1]
    # no leading/trailing whitespace in quotes
    while s < pos and text[s].isspace():
        s += 1
    while e > end and text[e - 1].isspace():
        e -= 1
    return s, e


def _break_re(breaks: frozenset[str]) -> re.Pattern[str]:
    return re.compile("[" + "".join(re.escape(c) for c in sorted(breaks)) + "]")


_BREAK_RE = _break_re(CLAUSE_BREAK)
_WS_RE = re.compile(r"\s+")


def trimmed_evidence(
    source: str, text: str, start: int, end: int, anchor_start: int, anchor_end: int
) -> Evidence:
    """Evidence for ``text[start:end]``, cut to :data:`MAX_EVIDENCE` around the anchor."""
    start = min(start, anchor_start)
    end = max(end, anchor_end)
    if end - start > MAX_EVIDENCE:
        width = anchor_end - anchor_start
        if width >= MAX_EVIDENCE:
            start, end = anchor_start, anchor_end
        else:
            room = MAX_EVIDENCE - width
            left = min(anchor_start - start, room * 2 // 3)
            start = anchor_start - left
            end = min(end, anchor_end + (room - left))
    return Evidence(source=source, start=start, end=end, quote=text[start:end])


def spans_of(items: Sequence[tuple[int, int]]) -> SpanSet:
    """Convenience: a :class:`SpanSet` of ``(start, end)`` pairs."""
    return SpanSet(items)
