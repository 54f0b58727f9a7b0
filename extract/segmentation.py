"""Split a source file into policy documents and read their metadata.

Component ``policykg_documents`` (after ``policykg_clean``) fills
``doc._.pkg_documents`` with :class:`~policykg.extract.model.DocumentRecord`
objects in text order.  Keys are ``doc1``, ``doc2`` … (unique per file).

Public API
----------
``document_at(doc, offset) -> str | None``
    Key of the document that owns a character offset.  Use it to attribute
    every fact: a page may *interleave* two documents paragraph by
    paragraph, so a document is a list of ``segments`` (``DocumentRecord.
    segments``, ``[(start, end), …]``), not one span.  Offsets outside every
    segment (chrome, blank runs) go to the nearest preceding document.
``documents_by_key(doc) -> dict[str, DocumentRecord]``

How documents are found (genre conventions, no lexicon of places):

* title lines: ``…关于…的通知/意见/…`` (formal titles) and lines ending in a
  document type (``实施方案``, ``推进计划``, ``进度安排表`` …), joined when a
  title is broken over lines (``…关于加快人才`` / ``高地建设的实施意见``,
  ``…方案(2024-2026年)`` / ``(征求意见稿)``); a title already complete on
  its line (brackets balanced) only takes such a tail or a ``的通知``-like end,
  so a table caption is never joined to the header cells below it;
* database-export headers (``发文标题:`` ``发文单位:`` ``文号:`` ``发布日期:`` …),
  also several fields on one line (``发文字号：…　　发布日期：…``); a page of
  several documents, each under its own header block, gives one document
  per block;
* a notice ``关于印发《X》《Y》的通知`` (or ``现将《X》印发给你们``, ``附件：X``)
  is one document and each attachment X, Y another, found at the line that
  repeats its title.  Attachments of a 印发 notice inherit its issuer and
  date; a notice that only asks for comments (征求意见) passes on nothing;
* a file without any title line is one document (title null, region from
  the areas it names most often).

Metadata: 文号 (``〔〕``/``（）``/``()`` variants, full-width digits) on a line near
the title, issuer (export header, the title's prefix before 关于, an issue
note under the title ``（X市人民政府2024年3月15日印发）`` — never part of the
title —, issuers on the line under the title, or the signature lines above
the closing date; joint issuers joined with 、), ISO date (export header, the
issue note, or a standalone date line;
Chinese numerals with ○/〇; implausible years dropped), region and level from
the issuer/title chain of area names (``江北省临江市人民政府办公室`` → 临江市,
city).

Interleaved pages: when the file holds documents of different families
(not a notice and its own attachments) whose title lines differ in
indentation, and the lines alternate between those styles, each line is
assigned by its style; export-header lines go to the document they
describe; a line of neither style goes to the family whose area it names,
else follows the previous line.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import pairwise

from spacy.language import Language
from spacy.tokens import Doc

from policykg.extract import doc_attrs
from policykg.extract.genre import (
    DATE_RE,
    DOC_NUMBER_RE,
    LABEL_RE,
    Line,
    doc_text,
    indent_style,
    is_unit_name,
    label_kind,
    label_number,
    norm,
    parse_date,
    region_level,
    regions_in,
    split_lines,
)
from policykg.extract.model import DocumentRecord, Dropped, Evidence

__all__ = [
    "DECREE_NUMBER_RE",
    "DECREE_RE",
    "DocumentsComponent",
    "IssueNote",
    "document_at",
    "document_lookup",
    "documents_by_key",
    "find_title_lines",
    "is_issuer_text",
    "is_title_text",
    "issue_note",
]

doc_attrs.register()

# ---------------------------------------------------------------- title lines

_TITLE_TYPES = (
    "实施意见", "指导意见", "意见", "通知", "决定", "批复", "通告", "公告", "报告", "方案",
    "办法", "规定", "细则", "计划", "规划", "措施", "纲要", "条例", "规则", "指引", "指南",
    "要点", "清单", "安排", "安排表", "分工", "分工表", "任务表", "分解表", "责任表", "一览表",
    "台账", "任务书", "函", "任务", "政策", "章程",
)  # fmt: skip
_PAREN_TAIL = r"(?:\s*[（(][^（）()]{1,24}[）)])*"
_TITLE_END_RE = re.compile("(?:" + "|".join(_TITLE_TYPES) + ")" + _PAREN_TAIL + r"$")
#: the character a :data:`_TITLE_END_RE` match ends in: a type's last or a bracket
_TITLE_LAST = frozenset({*(t[-1] for t in _TITLE_TYPES), "）", ")"})
_FORMAL_RE = re.compile(r"关于.{2,}")
_TITLE_BAD_START_RE = re.compile(
    r"^(?:附件|附表|附：|附:|根据|按照|依据|为了|为|各|注|现将|抄送|印发|主题词|关键词|来源|"
    r"发布|联系|地址|电话|邮箱|相关|上一篇|下一篇|表\s*\d|图\s*\d|[（(]?此件)"
)
_SENTENCE_PUNCT_RE = re.compile(r"[。；;！？!?]|[：:]$")
_PAREN_ONLY_RE = re.compile(r"^[（(][^（）()]{1,24}[）)]$")
_YEAR_START_RE = re.compile(r"^(?:19|20)\d{2}(?:[—\-–~～至]\d{2,4})?年")
_ISSUE_RE = re.compile(r"(?:印发|转发|发布|公布)")
#: ``关于印发X的通知`` without 《》 around X
_BARE_ISSUED_RE = re.compile(r"关于(?:印发|转发)([^《》]{4,80})的通知$")


#: ``原文链接：…``, ``来源：…``: a key and its value, not a title (a title has no such prefix)
_KEY_PREFIX_RE = re.compile(r"^[\u4e00-\u9fff]{2,6}\s*[：:]")
#: the first header cell of a table (``序号``, ``编号``): never part of a title above it
_TABLE_HEAD_RE = re.compile(r"^(?:序\s*号|编\s*号)(?:\s|$)")
#: how the tail of a title broken after a complete-looking part begins
_TITLE_JOIN_START_RE = re.compile(r"^(?:的|之|暨|——|—|－)")


def is_title_text(s: str) -> bool:
    """Whether a (joined, stripped) line reads as a policy document title."""
    s = s.strip()
    if s.startswith("《") and s.endswith("》"):
        s = s[1:-1]
    if not 5 <= len(s) <= 160:
        return False
    # the cheap test first: how _TITLE_END_RE's match must end (``$`` also before a final \n)
    if (s[-2] if s[-1] == "\n" else s[-1]) not in _TITLE_LAST or _SENTENCE_PUNCT_RE.search(s):
        return False
    if _TITLE_BAD_START_RE.match(s) or LABEL_RE.match(s) or _KEY_PREFIX_RE.match(s):
        return False
    if not _TITLE_END_RE.search(s):
        return False
    if _FORMAL_RE.search(s):
        return True
    return "，" not in s and "," not in s and len(s) <= 80


def is_issuer_text(s: str) -> bool:
    """One issuing body, or several separated by spaces/、 (a joint notice's issuers)."""
    s = s.strip()
    if is_unit_name(s):
        return True
    parts = [p for p in re.split(r"[\s、]+", s) if p]
    return len(parts) >= 2 and all(is_unit_name(p) for p in parts)


def _balanced(s: str) -> bool:
    return s.count("《") == s.count("》") and (
        s.count("（") + s.count("(") == s.count("）") + s.count(")")
    )


def _starts_like_title(s: str) -> bool:
    return bool(regions_in(s) or _YEAR_START_RE.match(s) or "关于" in s[:20])


@dataclass(slots=True)
class TitleLine:
    """A title found on one or more consecutive lines."""

    title: str
    start: int
    end: int
    first: int  # index of the first line
    last: int  # index of the last line
    indent: str


#: a parenthesised note of its own line under a title
_NOTE_LINE_RE = re.compile(r"^[（(](?P<inner>[^（）()]{4,80})[）)]$")
_ISSUE_VERB_RE = re.compile(
    r"(?:印发|发布|公布|通过|施行|颁布|签发|审议通过|常务会议|办公会议)\s*$"
)


@dataclass(frozen=True, slots=True)
class IssueNote:
    """``（临州市人民政府2024年3月15日印发）``: who issued a document and when."""

    issuer: str | None
    date: str | None
    doc_number: str | None


def issue_note(s: str) -> IssueNote | None:
    """The issue note a line under a title holds, or None.

    A parenthesised line with a full date or a 文号 (``（黔安委〔2024〕3号）``,
    ``（2024年3月15日市政府第20次常务会议通过）``) says how the document was
    issued; a period or a draft mark (``（2024—2026年）``, ``（试行）``) is
    part of the title instead.
    """
    m = _NOTE_LINE_RE.match(s.strip())
    if m is None:
        return None
    inner = m.group("inner").strip()
    date_m = DATE_RE.search(inner)
    number_m = DOC_NUMBER_RE.search(inner)
    if date_m is None and number_m is None:
        return None
    issuer = None
    if date_m is not None:
        before = inner[: date_m.start()].strip(" ，,、\u3000")
        after = _ISSUE_VERB_RE.sub("", inner[date_m.end() :]).strip(" ，,、\u3000")
        for cand in (before, after):
            if cand and is_issuer_text(cand):
                issuer = _joined_issuers(cand)
                break
    return IssueNote(
        issuer,
        parse_date(date_m.group()) if date_m is not None else None,
        number_m.group() if number_m is not None else None,
    )


def _joined_issuers(s: str) -> str:
    """Several issuers written apart by spaces: joined with 、 (one issuer unchanged)."""
    parts = [p for p in re.split(r"[\s、]+", s.strip()) if p]
    if len(parts) >= 2 and all(is_unit_name(p) for p in parts):
        return "、".join(parts)
    return s.strip()


def find_title_lines(lines: list[Line], skip: set[int] | None = None) -> list[TitleLine]:
    """Title lines (and titles broken over up to three lines) in text order."""
    skip = skip or set()
    out: list[TitleLine] = []
    i = 0
    n = len(lines)
    while i < n:
        if i in skip:
            i += 1
            continue
        ln = lines[i]
        if len(ln.text) > 160 or _SENTENCE_PUNCT_RE.search(ln.text):
            i += 1
            continue
        best: tuple[str, int] | None = None
        if is_title_text(ln.text):
            best = (ln.text, i)
        # an open 《 or （ means the title goes on (``…行动计划`` / ``（2024—2026年）》的通知``)
        complete = best is not None and _balanced(ln.text)
        joined = ln.text
        for j in range(i + 1, min(i + 3, n)):
            nxt = lines[j]
            if j in skip or len(nxt.text) > 40 or _SENTENCE_PUNCT_RE.search(nxt.text):
                break
            if issue_note(nxt.text) is not None:
                break  # ``（X市人民政府2024年3月15日印发）``: issuer and date, not the title
            if _TABLE_HEAD_RE.match(nxt.text):
                break  # a table's header cells follow its caption
            if complete and not (
                _PAREN_ONLY_RE.match(nxt.text) or _TITLE_JOIN_START_RE.match(nxt.text)
            ):
                # a title complete on its line only takes a (period)/(draft) tail or
                # a ``的通知``-like end; a short line after it (``工作任务``) is not its tail
                break
            continuation = _PAREN_ONLY_RE.match(nxt.text) or not (
                _starts_like_title(nxt.text) or LABEL_RE.match(nxt.text)
            )
            if not continuation:
                break
            joined += nxt.text
            if is_title_text(joined) and not _TITLE_BAD_START_RE.match(ln.text):
                best = (joined, j)
        if best is not None:
            title, last = best
            if title.startswith("《") and title.endswith("》"):
                title = title[1:-1]
            title = _ATTACHMENT_NUMBER_TAIL_RE.sub("", title)
            first, start = i, ln.start
            prev = lines[i - 1] if i > 0 else None
            if (
                title.startswith("关于")
                and prev is not None
                and i - 1 not in skip
                and (not out or out[-1].last < i - 1)
                and is_issuer_text(prev.text)
            ):
                # issuers on a line of their own above ``关于…的通知``: the title's start
                title, first, start = prev.text + title, i - 1, prev.start
            out.append(TitleLine(title, start, lines[last].end, first, last, lines[first].indent))
            i = last + 1
        else:
            i += 1
    return out


# ---------------------------------------------------------------- export headers

_META_KEYS = (
    r"发\s*文\s*标\s*题|标\s*题|文\s*件\s*名\s*称|发\s*文\s*单\s*位|发\s*文\s*机\s*关|"
    r"发\s*布\s*机\s*构|制\s*发\s*机\s*关|文\s*号|发\s*文\s*字\s*号|发\s*布\s*日\s*期|"
    r"发\s*文\s*日\s*期|成\s*文\s*日\s*期|印\s*发\s*日\s*期|执\s*行\s*日\s*期|实\s*施\s*日\s*期|"
    r"生\s*效\s*日\s*期|失\s*效\s*日\s*期|时\s*效\s*性|有\s*效\s*性|效\s*力\s*级\s*别|索\s*引\s*号|"
    r"主\s*题\s*分\s*类"
)
#: ``key：value``, or ``【key】value`` as database exports write it
_META_RE = re.compile(
    r"^(?:【\s*(?P<bkey>" + _META_KEYS + r")\s*】\s*[:：]?|(?P<key>" + _META_KEYS + r")\s*[:：])"
    r"\s*(?P<value>.*)$"
)
_META_FIELD = {
    "发文标题": "title", "标题": "title", "文件名称": "title",
    "发文单位": "issuer", "发文机关": "issuer", "发布机构": "issuer", "制发机关": "issuer",
    "文号": "doc_number", "发文字号": "doc_number",
    "发布日期": "date", "发文日期": "date", "成文日期": "date", "印发日期": "date",
}  # fmt: skip


#: where a second ``key：value`` field starts on the same line (``发文字号：…　　发布日期：…``)
_NEXT_FIELD_RE = re.compile(
    r"(?:(?:\t|[ \u3000\xa0]{2,}|\u3000|\s*[|｜]\s*)(?=(?:" + _META_KEYS + r")\s*[:：])"
    r"|\s*(?=【\s*(?:" + _META_KEYS + r")\s*】))"
)


#: the first characters of a ``key：value`` line (every key is a plain word, spaced or not)
_META_FIRST = frozenset({"【", *(key[0] for key in _META_KEYS.split("|"))})


def _meta(line: Line) -> list[tuple[str, str, int]] | None:
    """The ``key：value`` export-header fields of a line (several when a line holds several)."""
    if line.text[0] not in _META_FIRST:
        return None
    fields: list[tuple[str, str, int]] = []
    text, offset = line.text, line.start
    while True:
        m = _META_RE.match(text)
        if not m:
            break
        key = re.sub(r"\s+", "", m.group("key") or m.group("bkey"))
        value = m.group("value")
        vstart = offset + m.start("value")
        nxt = _NEXT_FIELD_RE.search(value)
        own = value[: nxt.start()] if nxt else value
        fields.append((key, own.strip(), vstart + len(own) - len(own.lstrip())))
        if nxt is None:
            break
        text, offset = value[nxt.end() :], vstart + nxt.end()
    return fields or None


# ---------------------------------------------------------------- documents


@dataclass(slots=True)
class _Doc:
    title: str | None
    anchor: int
    ev_start: int
    ev_end: int
    title_line: TitleLine | None = None
    notice_of: int | None = None  # index of the issuing notice
    attachments: list[str] = field(default_factory=list)
    issues: bool = False  # the notice 印发 its attachments (they inherit metadata)
    meta: dict[str, str] = field(default_factory=dict)
    meta_lines: set[int] = field(default_factory=set)  # its export-header lines
    family: int = 0


_BRACKET_TITLE_RE = re.compile(r"《((?:[^《》]|《[^《》]*》)+)》")
_NOTICE_BODY_RE = re.compile(r"印发给你|现印发|现予印发|予以印发|印发你们|现将.{0,80}印发")
_ATTACH_LINE_RE = re.compile(r"^附\s*件\s*\d*\s*[:：]\s*(?P<title>.+)$")
_STANDALONE_DATE_RE = re.compile(r"^\s*[（(]?\s*(?:" + DATE_RE.pattern + r")\s*[）)]?\s*$")
#: how a stripped date line ends (besides a digit): the date's 日 or a closing bracket
_DATE_LINE_LAST = frozenset("日）)")


def _is_date_line(t: str) -> bool:
    """:data:`_STANDALONE_DATE_RE` on a line's (stripped) text, its last character tried first."""
    last = t[-1:]
    return (last in _DATE_LINE_LAST or last.isdecimal()) and bool(_STANDALONE_DATE_RE.match(t))
_ALIAS_RE = re.compile(
    r"《([^《》]{4,160})》\s*[（(]"
    # the 文号 may come first in the same parentheses: 《X》（国办发〔2023〕10号，以下简称《意见》）
    r"(?:[^（）()《》\n]{2,30}?[〔\[［（(【][^〕\]］）)】]{4}[〕\]］）)】][^（）()《》\n]{0,8}?[，,；;])?"
    r"\s*以下简称\s*[“《\"]?([^”》\"）)]{1,24})"
)
#: ``（X办字〔2023〕22号附件）`` after an attachment's title: its notice's number, not its title
_ATTACHMENT_NUMBER_TAIL_RE = re.compile(
    r"\s*[（(][^（）()]{0,30}?[〔\[［（(【]\s*(?:19|20)\d{2}\s*[〕\]］）)】]\s*\d{1,5}\s*号\s*"
    r"(?:的)?附\s*件\s*\d*\s*[）)]$"
)


@lru_cache(maxsize=8192)
def _title_key(title: str) -> str:
    return norm(title)


def _title_bucket(title: str) -> str:
    """Titles :func:`_same_title` can match share this key (their first 8 normalised chars)."""
    return _title_key(title)[:8]


def _same_title(a: str, b: str) -> bool:
    na, nb = _title_key(a), _title_key(b)
    if na == nb:
        return True
    if not na or not nb or na[0] != nb[0]:
        return False
    short, long_ = sorted((na, nb), key=len)
    return len(short) >= 8 and long_.startswith(short) and len(long_) - len(short) <= 8


def _header_blocks(
    lines: list[Line], metas: dict[int, list[tuple[str, str, int]]]
) -> list[list[int]]:
    """Export-header lines grouped by the document they describe.

    A database page may hold several documents, each under its own block of
    ``【标题】…`` lines: a block is a run of header lines (a few other lines may
    sit between its fields), and a block opens anew where a field the open
    block already has comes again after body lines (``【标题】`` of the next
    document).
    """
    blocks: list[list[int]] = []
    seen: set[str] = set()
    title: str | None = None
    prev = -1
    for i in sorted(metas):
        fields: set[str] = set()
        new_title = None
        for k, v, _s in metas[i]:
            fld = _META_FIELD.get(k)
            if fld is not None and fld != "date" and v:
                fields.add(fld)
                if fld == "title":
                    new_title = v
        gap = prev >= 0 and i - prev > _HEADER_GAP
        other_title = new_title is not None and title is not None and norm(new_title) != norm(title)
        if not blocks or (fields & seen and (gap or other_title)):
            blocks.append([])
            seen, title = set(), None
        blocks[-1].append(i)
        seen |= fields
        title = title or new_title
        prev = i
    return blocks


#: non-header lines that may stand between two fields of one export header
_HEADER_GAP = 3


class DocumentsComponent:
    """spaCy component: documents and their metadata -> ``doc._.pkg_documents``."""

    def __init__(self, nlp: Language, name: str, interleave: bool = True) -> None:
        self.name = name
        self.interleave = interleave

    # -- helpers over the file ---------------------------------------------------

    def __call__(self, doc: Doc) -> Doc:
        text = doc_text(doc)
        source = doc._.pkg_source or ""
        dropped: list[Dropped] = doc._.pkg_dropped or []
        lines = _live_lines(text, dropped)
        metas = {ln.index: m for ln in lines if (m := _meta(ln)) is not None}

        docs = self._find_documents(text, lines, metas)
        if not docs and _has_policy_structure(lines):
            docs = [self._untitled(text, lines)]
        if not docs:  # e.g. a news report: no policy document, hence no facts
            doc._.pkg_documents = []
            doc.user_data.pop("pkg_segment_index", None)
            return doc
        docs.sort(key=lambda d: d.anchor)
        _families(docs)
        segments = self._segments(text, lines, metas, docs)
        records = [
            self._record(text, source, lines, metas, docs, k, segments[k]) for k in range(len(docs))
        ]
        aliases = _alias_pairs(text)
        for rec in records:
            rec.aliases = _aliases(aliases, rec)
        doc._.pkg_documents = records
        doc.user_data.pop("pkg_segment_index", None)
        return doc

    def _find_documents(
        self, text: str, lines: list[Line], metas: dict[int, list[tuple[str, str, int]]]
    ) -> list[_Doc]:
        docs: list[_Doc] = []
        titles = find_title_lines(lines, skip=set(metas))
        for block in _header_blocks(lines, metas):
            # export header: one document described by its key: value lines
            head: dict[str, tuple[str, int]] = {}
            for i in block:
                for key, value, vstart in metas[i]:
                    fld = _META_FIELD.get(key)
                    if fld is None or not value or fld in head:
                        continue
                    if fld == "date" and parse_date(value) is None:
                        continue
                    head[fld] = (value, vstart)
            if not head:
                continue
            block_start = lines[block[0]].start
            own_title = head["title"][0] if "title" in head else None
            twin = next(
                (x for x in docs if x.title and own_title and _same_title(x.title, own_title)),
                None,
            )
            if twin is not None:
                # the same document's header again (a page repeating it): one document
                for fld, (v, _) in head.items():
                    twin.meta.setdefault(fld, v)
                twin.meta_lines.update(block)
                continue
            if "title" in head:
                title, vstart = head["title"]
                d = _Doc(title, min(block_start, vstart), vstart, vstart + len(title))
            else:
                # key lines right under a title line (``# 标题`` / ``- 发文字号：…``) describe it
                first_line = block[0]
                above = [tl for tl in titles if tl.last < first_line <= tl.last + 3]
                if above and not any(
                    i not in metas for i in range(above[-1].last + 1, first_line)
                ):
                    tl = above[-1]
                    d = _Doc(tl.title, tl.start, tl.start, tl.end, tl)
                elif docs:
                    # fields without a title of their own: the previous header's
                    for fld, (v, _) in head.items():
                        docs[-1].meta.setdefault(fld, v)
                    docs[-1].meta_lines.update(block)
                    continue
                else:
                    first = min(v for _, v in head.values())
                    d = _Doc(None, first, first, first)
            d.meta = {k: v for k, (v, _) in head.items()}
            d.meta_lines = set(block)
            docs.append(d)
        # documents by title bucket: the same title (or one a prefix of the other) shares
        # the bucket, so a file of many documents is not compared pairwise
        by_title: dict[str, list[int]] = {}
        for k, d in enumerate(docs):
            if d.title:
                by_title.setdefault(_title_bucket(d.title), []).append(k)

        def same_doc(title: str) -> _Doc | None:
            for k in by_title.get(_title_bucket(title), []):
                t = docs[k].title
                if t and _same_title(t, title):
                    return docs[k]
            return None

        for tl in titles:
            formal = bool(_FORMAL_RE.search(tl.title))
            existing = same_doc(tl.title)
            if existing is not None:
                if existing.title_line is None:
                    existing.title_line = tl
                continue
            # (no document has attachments yet: they are read from notices below)
            if formal or not docs or self._new_region(docs, tl):
                by_title.setdefault(_title_bucket(tl.title), []).append(len(docs))
                docs.append(_Doc(tl.title, tl.start, tl.start, tl.end, tl))
        # notices: attachments named in the title, in 印发 sentences, in 附件 lines
        for d in docs:
            if d.title and d.title.endswith("通知"):
                d.attachments += _BRACKET_TITLE_RE.findall(d.title)
                bare = _BARE_ISSUED_RE.search(d.title)
                if bare and not d.attachments:
                    d.attachments.append(bare.group(1))
                d.issues = bool(_ISSUE_RE.search(d.title.split("《")[0]))
        # the owning notice of a line: the latest-listed notice anchored at or before it
        notices = sorted(
            (d.anchor, k) for k, d in enumerate(docs) if d.title and d.title.endswith("通知")
        )
        ni, notice_k = 0, None
        for ln in lines:
            while ni < len(notices) and notices[ni][0] <= ln.start:
                k = notices[ni][1]
                notice_k = k if notice_k is None else max(notice_k, k)
                ni += 1
            if notice_k is None:
                continue
            nd = docs[notice_k]
            if _NOTICE_BODY_RE.search(ln.text):
                found = _BRACKET_TITLE_RE.findall(ln.text)
                nd.attachments += found
                nd.issues = nd.issues or bool(found)
            m = _ATTACH_LINE_RE.match(ln.text)
            if m:
                nd.attachments.append(m.group("title").strip().strip("《》"))
        # second pass: attachments announced in bodies may be found only now
        by_attachment: dict[str, list[int]] = {}
        for k, d in enumerate(docs):
            for a in d.attachments:
                ks = by_attachment.setdefault(_title_bucket(a), [])
                if not ks or ks[-1] != k:
                    ks.append(k)
        for tl in titles:
            if same_doc(tl.title) is not None:
                continue
            notice = next(
                (
                    k
                    for k in by_attachment.get(_title_bucket(tl.title), [])
                    if docs[k].anchor < tl.start
                    and any(_same_title(a, tl.title) for a in docs[k].attachments)
                ),
                None,
            )
            if notice is not None:
                by_title.setdefault(_title_bucket(tl.title), []).append(len(docs))
                docs.append(_Doc(tl.title, tl.start, tl.start, tl.end, tl, notice_of=notice))
        docs += _unheaded_attachments(text, lines, docs)
        _decree_headers(lines, docs)
        return docs

    @staticmethod
    def _new_region(docs: list[_Doc], tl: TitleLine) -> bool:
        regions = regions_in(tl.title)
        if not regions:
            return False
        last = docs[-1]
        prev = regions_in(last.title or "") or regions_in(last.meta.get("issuer", ""))
        return bool(prev) and regions[-1] not in prev and prev[-1] not in regions

    @staticmethod
    def _untitled(text: str, lines: list[Line]) -> _Doc:
        start = lines[0].start if lines else 0
        return _Doc(None, start, start, start)

    # -- segments -----------------------------------------------------------------

    def _segments(
        self,
        text: str,
        lines: list[Line],
        metas: dict[int, list[tuple[str, str, int]]],
        docs: list[_Doc],
    ) -> list[list[tuple[int, int]]]:
        n = len(docs)
        families = sorted({d.family for d in docs})
        style_of: dict[int, str] = {}
        for d in docs:
            if d.title_line is not None:
                style_of.setdefault(d.family, indent_style(d.title_line.indent))
        interleaved = False
        if self.interleave and len(families) >= 2 and len(set(style_of.values())) >= 2:
            seq = [indent_style(ln.indent) for ln in lines if ln.index not in metas]
            counts = Counter(seq)
            fam_styles = set(style_of.values())
            shares = [counts[s] / max(1, len(seq)) for s in fam_styles]
            flips = sum(1 for a, b in pairwise(seq) if a != b)
            interleaved = len(seq) >= 10 and min(shares) >= 0.15 and flips >= 0.25 * len(seq)
        anchors = [d.anchor for d in docs]
        owner = [max(0, bisect_right(anchors, ln.start) - 1) for ln in lines]
        if interleaved:
            by_style: dict[str, int] = {}
            for fam, st in style_of.items():
                by_style.setdefault(st, fam)
            meta_family = {i: d.family for d in docs for i in d.meta_lines}
            names = {
                d.family: [r[:-1] for r in regions_in(d.title or d.meta.get("issuer", ""))]
                for d in docs
            }
            prev_fam = docs[0].family
            mixed: list[int] = []
            for ln in lines:
                if ln.index in meta_family:
                    fam = meta_family[ln.index]
                elif indent_style(ln.indent) in by_style:
                    fam = by_style[indent_style(ln.indent)]
                else:
                    hits = [f for f, ns in names.items() if any(x and x in ln.text for x in ns)]
                    fam = hits[0] if len(hits) == 1 else prev_fam
                prev_fam = fam
                members = [k for k in range(n) if docs[k].family == fam]
                k = members[0]
                for m in members:
                    if docs[m].anchor <= ln.start:
                        k = m
                mixed.append(k)
            # numbering must continue better per stream than in one run of text
            if _numbering_breaks(lines, mixed) < _numbering_breaks(lines, owner):
                owner = mixed
        segs: list[list[tuple[int, int]]] = [[] for _ in range(n)]
        for pos, ln in enumerate(lines):
            start = ln.line_start if pos else 0
            end = lines[pos + 1].line_start if pos + 1 < len(lines) else len(text)
            k = owner[pos]
            if segs[k] and segs[k][-1][1] == start:
                segs[k][-1] = (segs[k][-1][0], end)
            else:
                segs[k].append((start, end))
        return segs

    # -- metadata -----------------------------------------------------------------

    def _record(
        self,
        text: str,
        source: str,
        lines: list[Line],
        metas: dict[int, list[tuple[str, str, int]]],
        docs: list[_Doc],
        k: int,
        segs: list[tuple[int, int]],
    ) -> DocumentRecord:
        d = docs[k]
        own = _lines_in(lines, segs)
        notice = docs[d.notice_of] if d.notice_of is not None else None
        inherit = notice is not None and notice.issues

        doc_number = d.meta.get("doc_number")
        if doc_number is None and d.title_line is not None:
            doc_number = _doc_number_near(lines, d.title_line, metas, attachment=notice is not None)
        if doc_number is None and d.title_line is None and d.meta_lines:
            # a header without a 文号 field: the number on a line of its own right below it
            last = max(d.meta_lines)
            block_end = TitleLine("", 0, 0, last, last, "")
            doc_number = _doc_number_near(lines, block_end, metas, attachment=True)

        under = _under_title(lines, d.title_line, metas) if d.title_line is not None else []
        note = next((n for ln in under if (n := issue_note(ln.text)) is not None), None)
        if doc_number is None and note is not None:
            doc_number = note.doc_number
        issuer = _issuer_of(d, docs)
        if issuer is None and note is not None:
            issuer = note.issuer
        if issuer is None:
            # issuers on the line under the title (a plan of two bureaus)
            issuer = next(
                (_joined_issuers(ln.text) for ln in under if _is_signature(ln.text)), None
            )
        if issuer is None:
            issuer = _signature(own)
        if issuer is None and inherit and notice is not None:
            issuer = _issuer_of(notice, docs)

        date = parse_date(d.meta["date"]) if "date" in d.meta else None
        if date is None and note is not None:
            date = note.date
        if date is None:
            date = _standalone_date(own, last=d.title is None)
        if date is None and inherit and notice is not None:
            date = parse_date(notice.meta.get("date", "")) or _standalone_date(
                _lines_in(lines, [(notice.anchor, d.anchor)]),
                last=False,
            )

        region = None
        for src in (issuer, d.title):
            if src and regions_in(src):
                region = regions_in(src)[-1]
                break
        if region is None and notice is not None:
            nd = notice
            for src in (nd.meta.get("issuer"), nd.title):
                if src and regions_in(src):
                    region = regions_in(src)[-1]
                    break
        ev_start, ev_end = d.ev_start, d.ev_end
        if region is None:
            region, span = _frequent_region(text, own)
            if span and d.title is None:
                ev_start, ev_end = span
        if ev_end <= ev_start:
            first = own[0] if own else None
            ev_start, ev_end = (first.start, first.end) if first else (0, 0)
        span_start = min((s for s, _ in segs), default=0)
        span_end = max((e for _, e in segs), default=len(text))
        return DocumentRecord(
            key=f"doc{k + 1}",
            title=d.title,
            doc_number=doc_number,
            issuer=issuer,
            region=region,
            region_level=region_level(region) if region else None,
            date=date,
            evidence=Evidence(source, ev_start, ev_end, text[ev_start:ev_end]),
            issued_by_notice=f"doc{d.notice_of + 1}" if d.notice_of is not None else None,
            span_start=span_start,
            span_end=span_end,
            segments=segs,
        )


_STARTS: list[tuple[list[Line], list[int]]] = []


def _line_starts(lines: list[Line]) -> list[int]:
    """Start offsets of ``lines``, memoised for the last list (holding it keeps it alive)."""
    if _STARTS and _STARTS[0][0] is lines and len(_STARTS[0][1]) == len(lines):
        return _STARTS[0][1]
    starts = [ln.start for ln in lines]
    _STARTS[:] = [(lines, starts)]
    return starts


def _lines_in(lines: list[Line], segs: list[tuple[int, int]]) -> list[Line]:
    """Lines starting inside one of the sorted, disjoint ``segs`` (bisect per segment)."""
    starts = _line_starts(lines)
    out: list[Line] = []
    for s, e in sorted(segs):
        out += lines[bisect_left(starts, s) : bisect_left(starts, e)]
    return out


_ATTACH_MARK_RE = re.compile(r"^附\s*件\s*\d*[:：]?$")


#: lines after a notice searched for the start of an attachment whose title is never repeated
_ATTACHMENT_REACH = 400


def _unheaded_attachments(text: str, lines: list[Line], docs: list[_Doc]) -> list[_Doc]:
    """An issued attachment whose title is never repeated: it starts after the notice's date."""
    out: list[_Doc] = []
    with_attachments = {x.notice_of for x in docs}
    by_title: dict[str, list[str]] = {}
    for x in docs:
        if x.title:
            by_title.setdefault(_title_bucket(x.title), []).append(x.title)
    for k, d in enumerate(docs):
        if not d.issues or k in with_attachments:
            continue
        missing = [
            a
            for a in dict.fromkeys(d.attachments)
            if not any(_same_title(t, a) for t in by_title.get(_title_bucket(a), []))
        ]
        if len(missing) != 1:
            continue
        # the attachment's body follows the notice's date closely: look a bounded way
        after = _lines_in(lines, [(d.anchor + 1, len(text) + 1)])[:_ATTACHMENT_REACH]
        date_at = next(
            (
                i
                for i, ln in enumerate(after)
                if _is_date_line(ln.text) and parse_date(ln.text)
            ),
            None,
        )
        if date_at is None:
            continue
        rest = [
            ln
            for ln in after[date_at + 1 :]
            if not (_ATTACH_LINE_RE.match(ln.text) or _ATTACH_MARK_RE.match(ln.text))
        ]
        if len(rest) < 3 or not any(LABEL_RE.match(ln.text) for ln in rest):
            continue
        if any(d.anchor < x.anchor <= rest[0].start for x in docs):
            continue
        title = missing[0]
        ev = text.find(title, d.anchor)
        ev_start, ev_end = (ev, ev + len(title)) if ev != -1 else (rest[0].start, rest[0].start)
        out.append(_Doc(title, rest[0].line_start, ev_start, ev_end, notice_of=k))
    return out


#: ``江西省人民政府令`` (and its number, on the line or the next: ``第253号``)
DECREE_RE = re.compile(r"^(?P<issuer>[\u4e00-\u9fff]{2,30}?)令\s*(?P<num>第\s*[0-9０-９]+\s*号)?$")
DECREE_NUMBER_RE = re.compile(r"^[（(]?\s*(?P<num>第\s*[0-9０-９]+\s*号)\s*[）)]?$")
#: lines after a decree header within which the decreed document's title follows
_DECREE_REACH = 12


def _decree_headers(lines: list[Line], docs: list[_Doc]) -> None:
    """A government decree (``X令`` / ``第N号``) heads the document whose title follows.

    The decree's number is that document's 文号 (``X令第N号``), X its issuer,
    and the document starts at the header (so the promulgation date above
    the title is its date).
    """
    by_line = {d.title_line.first: d for d in docs if d.title_line is not None}
    for i, ln in enumerate(lines):
        m = DECREE_RE.match(ln.text)
        if m is None or not is_unit_name(m.group("issuer")):
            continue
        num = m.group("num")
        if num is None and i + 1 < len(lines):
            nm = DECREE_NUMBER_RE.match(lines[i + 1].text)
            num = nm.group("num") if nm else None
        if num is None:
            continue
        target = next(
            (by_line[j] for j in range(i + 1, min(i + _DECREE_REACH, len(lines))) if j in by_line),
            None,
        )
        if target is None or any(ln.start < d.anchor < target.anchor for d in docs):
            continue
        issuer = m.group("issuer")
        target.meta.setdefault("doc_number", issuer + "令" + re.sub(r"\s+", "", num))
        target.meta.setdefault("issuer", issuer)
        target.anchor = min(target.anchor, ln.start)


_ADDRESSEE_RE = re.compile(r"^各.{2,80}[：:]$")
_ASSIGNMENT_RE = re.compile(r"(?:责任|牵头|配合)(?:单位|部门)")


def _has_policy_structure(lines: list[Line]) -> bool:
    """A file without a title is a policy text only if it reads like one."""
    labels = sum(1 for ln in lines if LABEL_RE.match(ln.text))
    return (
        labels >= 2
        or any(_ADDRESSEE_RE.match(ln.text) for ln in lines)
        or any(_ASSIGNMENT_RE.search(ln.text) for ln in lines)
    )


def _numbering_breaks(lines: list[Line], owner: list[int]) -> int:
    """Numbered labels that do not continue their document's sequence (1 may restart)."""
    last: dict[tuple[int, str], int] = {}
    breaks = 0
    for ln, k in zip(lines, owner, strict=True):
        m = LABEL_RE.match(ln.text)
        if not m:
            continue
        label = m.group("label")
        number = label_number(label)
        if number is None:
            continue
        key = (k, label_kind(label))
        if number != 1 and last.get(key, 0) + 1 != number:
            breaks += 1
        last[key] = number
    return breaks


def _issuer_of(d: _Doc, docs: list[_Doc]) -> str | None:
    """The export header's issuer, else the title's prefix before 关于.

    A joint title (``A局 B委关于…``) names every issuer while a web page's
    ``发布机构`` names only the one that posted it: the title then wins.
    """
    prefix = None
    if d.title and "关于" in d.title:
        cand = d.title.split("关于")[0].strip()
        if is_issuer_text(cand):
            prefix = cand
    meta = d.meta.get("issuer")
    if meta:
        if prefix and norm(meta) != norm(prefix) and norm(meta) in norm(prefix):
            return prefix
        return meta
    return prefix


def _families(docs: list[_Doc]) -> None:
    for k, d in enumerate(docs):
        d.family = k
    for d in docs:
        if d.notice_of is not None:
            d.family = docs[d.notice_of].family


def _live_lines(text: str, dropped: list[Dropped]) -> list[Line]:
    """Lines not wholly dropped; a dropped prefix (injected junk) is cut off."""
    ds = sorted(dropped, key=lambda x: x.start)
    starts = [x.start for x in ds]
    out: list[Line] = []
    for ln in split_lines(text):
        if starts:
            i = bisect_right(starts, ln.start) - 1
            if i >= 0 and ds[i].start <= ln.start < ds[i].end:
                if ds[i].end >= ln.end:
                    continue
                rest = text[ds[i].end : ln.end]
                body = rest.lstrip()
                start = ln.end - len(body)
                ln = Line(0, ln.line_start, start, ln.end, body, rest[: len(rest) - len(body)])
        mark = _MARKDOWN_MARK_RE.match(ln.text) if ln.text[0] in _MARKDOWN_FIRST else None
        if mark is not None and mark.end() < len(ln.text):
            # ``# 标题`` / ``- 发文字号：…``: the markup is not part of the text
            ln = Line(
                0, ln.line_start, ln.start + mark.end(), ln.end, ln.text[mark.end() :], ln.indent
            )
        if ln.index != len(out):  # renumbered (an unchanged line is reused: Lines are frozen)
            ln = Line(len(out), ln.line_start, ln.start, ln.end, ln.text, ln.indent)
        out.append(ln)
    return out


#: markdown heading, list and quote marks opening a line
_MARKDOWN_MARK_RE = re.compile(r"^(?:#{1,6}|[-*+•]|>)[ \t\u3000]+")
_MARKDOWN_FIRST = frozenset("#-*+•>")  # how a line with one begins (a cheap test first)


_SIGNER_RE = re.compile(r"\s*签\s*发\s*人\s*[:：].{0,20}$")


def _doc_number_near(
    lines: list[Line], tl: TitleLine, metas: dict[int, list[tuple[str, str, int]]], attachment: bool
) -> str | None:
    candidates = list(range(tl.last + 1, min(tl.last + 7, len(lines))))
    if not attachment:
        candidates += list(range(max(0, tl.first - 3), tl.first))
    for i in candidates:
        ln = lines[i]
        if i in metas:
            continue
        m = DOC_NUMBER_RE.search(ln.text)
        # ``黔安委〔2024〕3号　　签发人：张三``: the signer's field may share the line
        rest = _SIGNER_RE.sub("", ln.text)
        if m and len(rest) - len(m.group()) <= 6:
            return m.group()
        if len(ln.text) > 60:
            break
    return None


def _standalone_date(own: list[Line], last: bool) -> str | None:
    found = [parse_date(ln.text) for ln in own if _is_date_line(ln.text)]
    found = [f for f in found if f]
    if not found:
        return None
    return found[-1] if last else found[0]


#: lines under a title searched for its issue note or issuers
_UNDER_TITLE = 2
#: issuers a joint signature block stacks, one per line
_MAX_SIGNATURES = 4


def _under_title(
    lines: list[Line], tl: TitleLine, metas: dict[int, list[tuple[str, str, int]]]
) -> list[Line]:
    """The short lines right under a title, before its body (label, addressee, sentence)."""
    out: list[Line] = []
    for ln in lines[tl.last + 1 : tl.last + 1 + _UNDER_TITLE]:
        if ln.index in metas or LABEL_RE.match(ln.text) or len(ln.text) > 80:
            break
        if _SENTENCE_PUNCT_RE.search(ln.text):
            break
        out.append(ln)
    return out


def _is_signature(s: str) -> bool:
    """A line naming issuing bodies in full (each with its area: ``临州市民政局``)."""
    s = s.strip()
    if s.startswith("各") or not is_issuer_text(s) or s.endswith("代章"):
        return False
    parts = [p for p in re.split(r"[\s、]+", s) if p]
    return all(regions_in(p) for p in parts)


def _signature(own: list[Line]) -> str | None:
    for k, (a, b) in enumerate(pairwise(own)):
        if _is_date_line(b.text) and parse_date(b.text):
            cand = a.text.strip("（）() ")
            if is_unit_name(cand) and not cand.endswith("代章") and not LABEL_RE.match(cand):
                # a joint document stacks its issuers, one per line, above the date
                names = [cand]
                j = k - 1
                while j >= 0 and len(names) < _MAX_SIGNATURES and _is_signature(own[j].text):
                    names.insert(0, own[j].text.strip())
                    j -= 1
                if len(names) > 1 and _is_signature(cand):
                    return "、".join(names)
                return _joined_issuers(cand) if _is_signature(cand) else cand
            # a seal note (（…代章）) may sit between the signature and the date
    for a, b, c in zip(own, own[1:], own[2:], strict=False):
        if (
            _is_date_line(c.text)
            and parse_date(c.text)
            and "代章" in b.text
            and is_unit_name(a.text)
        ):
            return a.text
    return None


_REGION_MENTION_RE = re.compile(r"(?:^|(?<=[\s，,。；;：:、“”\"（()）》《\d]))[\u4e00-\u9fff]")


def _frequent_region(text: str, own: list[Line]) -> tuple[str | None, tuple[int, int] | None]:
    counts: Counter[str] = Counter()
    first_span: dict[str, tuple[int, int]] = {}
    for ln in own:
        for m in _REGION_MENTION_RE.finditer(ln.text):
            regs = regions_in(ln.text[m.start() : m.start() + 20])
            if not regs:
                continue
            name = regs[-1] if len(regs) > 1 else regs[0]
            if len(name) > 8:
                continue
            counts[name] += 1
            if name not in first_span:
                s = ln.start + m.start() + ln.text[m.start() :].find(name)
                first_span[name] = (s, s + len(name))
    if not counts:
        return None, None
    name, c = max(counts.items(), key=lambda kv: (kv[1], -first_span[kv[0]][0]))
    if c < 2:
        return None, None
    # prefer a span on a caption-like short line, else the first mention
    return name, first_span[name]


def _alias_pairs(text: str) -> list[tuple[str, str]]:
    """``(normalised title, short name)`` of every ``《X》（以下简称Y）`` in the text."""
    return [(norm(m.group(1)), m.group(2).strip()) for m in _ALIAS_RE.finditer(text)]


def _aliases(pairs: list[tuple[str, str]], rec: DocumentRecord) -> list[str]:
    if not rec.title:
        return []
    nt = norm(rec.title)
    return list(dict.fromkeys(alias for title, alias in pairs if title == nt))


# ---------------------------------------------------------------- lookup


def _segment_index(
    doc: Doc, records: list[DocumentRecord]
) -> tuple[list[int], list[tuple[int, int, str]]]:
    cache = doc.user_data.get("pkg_segment_index")
    if cache is not None and cache[0] == id(records) and cache[1] == len(records):
        return cache[2], cache[3]
    entries: list[tuple[int, int, str]] = []
    for r in records:
        segs = r.segments or [(r.span_start, r.span_end)]
        entries += [(s, e, r.key) for s, e in segs]
    entries.sort()
    starts = [e[0] for e in entries]
    doc.user_data["pkg_segment_index"] = (id(records), len(records), starts, entries)
    return starts, entries


def document_lookup(doc: Doc) -> Callable[[int], str | None]:
    """:func:`document_at` bound to ``doc``: for components that look up many offsets.

    ``doc._`` builds a new accessor object on every access, so a loop over
    thousands of offsets should take the lookup once and call it.  The
    lookup reflects ``doc._.pkg_documents`` as it is now.
    """
    records: list[DocumentRecord] = doc._.pkg_documents or []
    if not records:
        return lambda offset: None
    starts, entries = _segment_index(doc, records)
    first = entries[0][2] if entries else records[0].key

    def lookup(offset: int) -> str | None:
        i = bisect_right(starts, offset) - 1
        return first if i < 0 else entries[i][2]

    return lookup


def document_at(doc: Doc, offset: int) -> str | None:
    """Key of the document owning ``offset`` (nearest preceding one outside all segments).

    Parameters
    ----------
    doc : spacy.tokens.Doc
        A Doc processed by ``policykg_documents``.
    offset : int
        Character offset into ``doc.text``.

    Returns
    -------
    str or None
        The document key, or None when the file has no documents.

    Notes
    -----
    For many lookups on one Doc use :func:`document_lookup` (one ``doc._``
    access instead of one per call).
    """
    return document_lookup(doc)(offset)


def documents_by_key(doc: Doc) -> dict[str, DocumentRecord]:
    """``{key: DocumentRecord}`` of the Doc's documents."""
    return {r.key: r for r in doc._.pkg_documents or []}


@Language.factory("policykg_documents", default_config={"interleave": True})
def make_documents(nlp: Language, name: str, interleave: bool) -> DocumentsComponent:
    """Factory of the ``policykg_documents`` component."""
    return DocumentsComponent(nlp, name, interleave)
