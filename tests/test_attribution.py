"""attribution: span sets, clause bounds and trimmed evidence shared by citations and targets."""

from __future__ import annotations

import random

from policykg.extract.attribution import MAX_EVIDENCE, SpanSet, clause_bounds, trimmed_evidence


def test_span_set_merges_overlapping_and_touching_spans() -> None:
    spans = SpanSet([(10, 20), (0, 5), (15, 30), (30, 32), (40, 41), (12, 14)])
    assert len(spans) == 3
    assert spans.find(0) == (0, 5) and spans.find(31) == (10, 32) and spans.find(40) == (40, 41)
    assert spans.find(5) is None and spans.find(32) is None and spans.find(-1) is None
    assert spans.overlapping(4, 11) == [(0, 5), (10, 32)]
    assert not SpanSet([]).contains(0) and SpanSet([]).find(0) is None


def test_span_set_contains_is_membership_in_some_span() -> None:
    rng = random.Random(3)
    for _ in range(300):
        raw = [(a, a + rng.randrange(0, 6)) for a in (rng.randrange(0, 40) for _ in range(5))]
        spans = SpanSet(raw)
        for pos in range(-2, 48):
            inside = any(s <= pos < e for s, e in raw)
            assert spans.contains(pos) is inside
            assert (spans.find(pos) is not None) is inside


def test_clause_bounds_skip_masked_punctuation_and_trim_spaces() -> None:
    text = "根据《关于A，B的意见》要求， 落实责任。"
    title = (text.index("《"), text.index("》") + 1)
    s, e = clause_bounds(text, title[0], title[1], masks=SpanSet([title]))
    assert text[s:e] == "根据《关于A，B的意见》要求"
    s, e = clause_bounds(text, text.index("落"), text.index("落") + 2)
    assert text[s:e] == "落实责任"


def test_trimmed_evidence_keeps_the_anchor_within_the_limit() -> None:
    text = "字" * 1000
    ev = trimmed_evidence("t.txt", text, 0, 1000, 500, 510)
    assert ev.end - ev.start <= MAX_EVIDENCE and ev.start <= 500 and ev.end >= 510
    assert ev.quote == text[ev.start : ev.end]
