"""Property-based tests: no input makes an extractor fail or cite text that is not there.

Arbitrary Unicode, huge numbers, unbalanced and deeply nested brackets and
enumerations go through the whole pipeline (``extract_text``); every fact's
evidence must lie inside the text and quote it exactly.  Arbitrary bytes go
through the reader, which either decodes them or raises a named
``SourceError``.  The format extractors get generated PDFs and .docx files of
arbitrary Unicode (their text comes back), damaged ones (a named
``SourceError`` or text, nothing else), and HTML nested thousands deep.
Example counts are bounded so the suite stays fast.
"""

from __future__ import annotations

import html
import importlib.util
import io
from pathlib import Path
from typing import Any

import docx
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from pypdf._text_extraction import RTL_CHARACTER_PATTERN  # the runs pypdf puts in logical order

from policykg.extract.formats import (
    docx_to_text,
    extract_html,
    html_to_text,
    pdf_to_text,
    unify_radicals,
)
from policykg.extract.model import ExtractionResult
from policykg.extract.pipeline import extract_text
from policykg.extract.reader import decode_text, to_simplified
from policykg.extract.source_errors import SKIP_REASONS, WARNING_REASONS, SourceError

BOUNDED = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

#: pieces of the genre: brackets (balanced or not), enumerations, clauses, numbers, units
PIECES = [
    "《", "》", "（", "）", "(", ")", "〔", "〕", "[", "]", "【", "】", "“", "”",
    "一、", "二、", "（一）", "（二）", "1.", "2．", "（1）", "①", "第一条", "第二章",
    "责任单位：", "牵头单位：", "配合单位：", "市科技局", "市发展改革委", "、", "，", "。", "；",
    "到2025年", "到", "年", "达到", "以上", "不低于", "增长", "%", "亿元", "万个", "个百分点",
    "关于", "实施意见", "的通知", "政府", "人民政府", "办公厅", "〔2023〕", "号", "发〔",
    "附件", "印发", "\n", "\r\n", "\u3000", "\xa0", " ", "\t", "|", "\f",
]  # fmt: skip
huge_numbers = st.one_of(
    st.integers(min_value=0, max_value=10**60).map(str),
    st.floats(allow_nan=False, allow_infinity=False).map(lambda f: f"{f:f}"),
    st.integers(min_value=1, max_value=10**30).map(lambda n: f"{n}.{n}"),
)
genre_text = st.lists(
    st.one_of(st.sampled_from(PIECES), huge_numbers, st.text(max_size=6)), max_size=80
).map("".join)


def _nested(depth: int, inner: str, opening: str, closing: str, balanced: bool) -> str:
    return opening * depth + inner + (closing * depth if balanced else closing * (depth // 3))


nested_text = st.builds(
    _nested,
    st.integers(min_value=1, max_value=400),
    genre_text,
    st.sampled_from(["《", "（", "(", "〔", "【", "“"]),
    st.sampled_from(["》", "）", ")", "〕", "】", "”"]),
    st.booleans(),
)
LABELS = ["一、", "（一）", "1.", "（1）", "①"]
deep_enumeration = st.integers(min_value=1, max_value=200).map(
    lambda n: "".join(
        f"{'　' * (i % 8)}{LABELS[i % 5]}任务{i}。（责任单位：市科技局）\n" for i in range(n)
    )
)


def _assert_evidence_inside(result: ExtractionResult, text: str) -> None:
    assert result.text == text
    records = [*result.documents, *result.responsibilities, *result.citations, *result.targets]
    for record in records:
        ev = record.evidence
        assert 0 <= ev.start <= ev.end <= len(text), record
        assert text[ev.start : ev.end] == ev.quote, record
        assert ev.quote, record
    for r in result.responsibilities:
        assert 0 <= r.task_start <= r.task_end <= len(text)
    for d in result.documents:
        assert 0 <= d.span_start <= d.span_end <= len(text)
    for dropped in result.dropped:
        assert text[dropped.start : dropped.end] == dropped.text


@BOUNDED
@given(st.text(max_size=400))
def test_arbitrary_unicode(text: str) -> None:
    _assert_evidence_inside(extract_text(text, "prop.txt"), text)


@BOUNDED
@given(genre_text)
@example(
    "一、加快建设。（责任单位：市科技局、市发展改革委）\n到2025年，全市5G基站达到3万个以上。\n"
    "依据《滨海市促进条例》（滨政发〔2023〕1号）制定。"
)
def test_genre_fragments_and_huge_numbers(text: str) -> None:
    _assert_evidence_inside(extract_text(text, "prop.txt"), text)


@BOUNDED
@given(nested_text)
@example("《《（（关于印发《滨海市实施意见》的通知（（责任单位：市科技局）")
def test_unbalanced_and_deeply_nested_brackets(text: str) -> None:
    _assert_evidence_inside(extract_text(text, "prop.txt"), text)


@settings(max_examples=15, deadline=None)
@given(deep_enumeration)
def test_deeply_nested_enumerations(text: str) -> None:
    _assert_evidence_inside(extract_text(text, "prop.txt"), text)


@BOUNDED
@given(st.binary(max_size=2000))
def test_reader_decodes_or_names_the_fault(data: bytes) -> None:
    try:
        decoded = decode_text(data)
    except SourceError as exc:
        assert exc.reason in SKIP_REASONS
    else:
        assert isinstance(decoded.text, str)


@BOUNDED
@given(st.text(max_size=300))
def test_reader_round_trips_utf8_and_decodes_gb18030(text: str) -> None:
    try:
        decoded = decode_text(text.encode("utf-8"))
    except SourceError as exc:  # only control characters are refused (as binary)
        assert exc.reason == "binary"
    else:
        # NUL bytes make UTF-16 a fair reading of the same bytes; combining marks on no
        # letter read as GB18030/Big5 Chinese (the bytes of 通知 are valid UTF-8), said so
        guessed = any(w.startswith("encoding_guess:") for w in decoded.warnings)
        if "\x00" not in text and not guessed:
            assert decoded.text == (text[1:] if text.startswith("\ufeff") else text)
        if guessed:
            assert decoded.encoding in ("gb18030", "big5", "cp950")
    try:
        decode_text(text.encode("gb18030"))
    except SourceError as exc:
        assert exc.reason in ("binary", "undecodable")


@BOUNDED
@given(st.text(max_size=300))
def test_simplified_copy_has_the_same_length(text: str) -> None:
    assert len(to_simplified(text)) == len(text)


@BOUNDED
@given(st.text(max_size=300))
def test_html_extraction_never_fails(text: str) -> None:
    assert isinstance(html_to_text(f"<html><body><p>{text}</p></body></html>"), str)
    assert isinstance(html_to_text(text), str)


# ---------------------------------------------------------------- format extractors


def _load_generator(name: str) -> Any:
    path = Path(__file__).parent / "fixtures" / "inputs" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


make_pdf = _load_generator("make_policy_pdf").make_pdf
FORMAT_ERRORS = (SourceError,)  # the only exception a format extractor may raise

#: printable characters of any script (no controls, surrogates, separators but the space)
printable = st.characters(
    blacklist_categories=("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"), blacklist_characters="\x85"
)
#: what an XML document (.docx) can hold: no C0 controls except tab and newline
xml_text = st.text(
    st.characters(blacklist_categories=("Cs", "Cn"), blacklist_characters="\ufffe\uffff")
    .filter(lambda ch: ch in "\t\n" or ord(ch) >= 0x20),
    max_size=60,
)


def _squash(text: str) -> str:
    return "".join(unify_radicals(text).split())


@BOUNDED
@given(st.lists(st.lists(st.text(printable, min_size=1, max_size=40), min_size=1, max_size=6),
                min_size=1, max_size=3))  # fmt: skip
def test_pdf_text_layer_of_arbitrary_unicode(pages: list[list[str]]) -> None:
    try:
        text, warnings = pdf_to_text(make_pdf(pages))
    except FORMAT_ERRORS as exc:
        assert exc.reason == "no_text"  # only pages of white space have no text
        assert not "".join("".join(p) for p in pages).strip()
        return
    assert isinstance(warnings, list)
    squashed = _squash(text)
    for lines in pages:
        for line in lines:  # each line's characters, in order (wraps may join lines)
            if RTL_CHARACTER_PATTERN.search(line):  # pypdf reorders right-to-left runs
                assert set(_squash(line)) <= set(squashed)
            else:
                assert _squash(line) in squashed


@BOUNDED
@given(st.binary(min_size=1, max_size=64), st.integers(min_value=0, max_value=2900))
def test_damaged_pdfs_raise_only_named_errors(junk: bytes, at: int) -> None:
    data = (Path(__file__).parent / "fixtures" / "inputs" / "policy_text_layer.pdf").read_bytes()
    for damaged in (data[:at] + junk + data[at + len(junk) :], data[:at], data[:at] + junk):
        try:
            text, _warnings = pdf_to_text(damaged)
        except FORMAT_ERRORS as exc:
            assert exc.reason in SKIP_REASONS
        else:
            assert isinstance(text, str)


def _docx(paragraphs: list[str], cells: list[str]) -> bytes:
    document = docx.Document()
    for paragraph in paragraphs:
        document.add_paragraph(paragraph)
    if cells:
        table = document.add_table(rows=1, cols=len(cells))
        for cell, value in zip(table.rows[0].cells, cells, strict=True):
            cell.text = value
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


@BOUNDED
@given(st.lists(xml_text, max_size=8), st.lists(xml_text, max_size=4))
def test_docx_of_arbitrary_unicode(paragraphs: list[str], cells: list[str]) -> None:
    text = docx_to_text(_docx(paragraphs, cells))
    for paragraph in paragraphs:
        assert paragraph.strip("\n") in text
    for cell in cells:
        assert cell.replace("\n", " ").strip("\n") in text


@BOUNDED
@given(st.binary(min_size=1, max_size=64), st.integers(min_value=0, max_value=40_000))
def test_damaged_docx_raise_only_named_errors(junk: bytes, at: int) -> None:
    data = _docx(["一、加强管理。（责任单位：市科技局）"], ["序号", "任务"])
    at %= len(data)
    for damaged in (data[:at] + junk + data[at + len(junk) :], data[:at]):
        try:
            text = docx_to_text(damaged)
        except FORMAT_ERRORS as exc:
            assert exc.reason in SKIP_REASONS
        else:
            assert isinstance(text, str)


TAGS = ["div", "span", "p", "table", "td", "li", "b", "section", "font", "center", "a"]


@settings(max_examples=25, deadline=None)
@given(
    st.integers(min_value=1, max_value=4000),
    st.lists(st.sampled_from(TAGS), min_size=1, max_size=5),
    st.text(printable, min_size=1, max_size=80),
    st.booleans(),
)
def test_html_deep_nesting_keeps_the_text(
    depth: int, tags: list[str], inner: str, closed: bool
) -> None:
    opening = "".join(f"<{tags[i % len(tags)]}>" for i in range(depth))
    closing = "".join(f"</{tags[i % len(tags)]}>" for i in reversed(range(depth))) if closed else ""
    page = f"<html><body>{opening}<p>{html.escape(inner)}</p>{closing}</body></html>"
    text, warnings = extract_html(page)
    assert all(w.split(":")[0] in WARNING_REASONS for w in warnings)
    if inner.strip() and "a" not in tags:  # text only inside links is a link list: dropped
        assert "".join(inner.split()) in "".join(text.split())
