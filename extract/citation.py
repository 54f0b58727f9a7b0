"""Plan cites plan: 《titles》, 文号 and national standards named in a document.

A cited document is named in 《》 (nested 〈〉 or 《》 belong to the title, the
title may run over a line break), optionally followed by its 文号 in
parentheses (``（国发〔2019〕12号）``, ``(国知发管字(2011)88号)``), or by a
文号 alone, or by a standard number (``GB/T 19001—2016``).  The kind of
citation comes from the cue verb governing it (see ``data/gold/README.md``):

* ``basis``       根据 / 按照 / 依据 / 贯彻 / 落实 / 按 …
* ``implements``  实施 / 执行 / 贯彻实施 / 贯标 …
* ``produces``    制定 / 出台 / 印发 / 编制 / 修订 / 发布 / 拟制 … (a title the
  document's own title names, e.g. ``关于印发《X》的通知``, is produced too)
* ``mentions``    anything else, and past achievements (``出台了《X》``).

Standards are applied, not rested on: a basis cue on a standard gives
``implements``.  ``（以下简称《X》）`` declares an alias, never a citation; an
alias of the document itself (or its own title, or its own 文号) is a
self-reference and is skipped.  One record per (document, cited document)
with the strongest kind (basis > implements > produces > mentions).

Public API
----------
``find_titles(text, start=0, end=None)``
``find_doc_numbers(text, start=0, end=None)``
``find_standards(text, start=0, end=None)``
``find_aliases(text, start=0, end=None)``
``citation_kind(text, start, end, ...)`` and ``cited_level(...)``
``find_citations(text, start=0, end=None, *, document_key, ...)``
    All citations of one document in ``text[start:end]`` (no Doc needed).
``CitationExtractor``: the ``policykg_citations`` spaCy component.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Literal

from spacy.language import Language
from spacy.tokens import Doc, Span

from policykg.extract import doc_attrs
from policykg.extract.attribution import (
    DocumentIndex,
    SpanSet,
    clause_bounds,
    trimmed_evidence,
)
from policykg.extract.genre import doc_text, norm, region_level, regions_in
from policykg.extract.model import CitationKind, CitationRecord, DocumentRecord

__all__ = [
    "KIND_RANK",
    "CitationExtractor",
    "DocNumberMatch",
    "TitleMatch",
    "citation_kind",
    "cited_level",
    "doc_number_key",
    "find_aliases",
    "find_citations",
    "find_doc_numbers",
    "find_standards",
    "find_titles",
    "make_citation_extractor",
]

doc_attrs.register()

Level = Literal["national", "provincial", "city", "county"]

#: strength order used when one document cites the same title twice
KIND_RANK: dict[str, int] = {"basis": 3, "implements": 2, "produces": 1, "mentions": 0}

#: a 《 whose 》 does not come within this many characters is a stray bracket
MAX_TITLE = 160
_MAX_TITLE_NEWLINES = 2

# ---------------------------------------------------------------- titles


@dataclass(frozen=True, slots=True)
class TitleMatch:
    """A 《title》: ``start``/``end`` cover the brackets, ``title`` is the cleaned inside."""

    start: int
    end: int
    title: str


_INNER_WS_RE = re.compile(r"\s+")


def find_titles(text: str, start: int = 0, end: int | None = None) -> list[TitleMatch]:
    """Outermost 《…》 titles in ``text[start:end]``.

    Nested 《》 and 〈〉 stay inside the outer title; whitespace (line breaks of
    a wrapped title) is removed from the title; an unmatched 《 or 》 is
    skipped (scanning resumes at the next 《); a 《 with no 》 within
    :data:`MAX_TITLE` characters, or with a
    sentence end (。) or a blank line before it, is not a title.
    """
    end = len(text) if end is None else end
    out: list[TitleMatch] = []
    i = text.find("《", start, end)
    while i != -1:
        depth, j, newlines = 0, i, 0
        close = -1
        limit = min(end, i + MAX_TITLE)
        while j < limit:
            c = text[j]
            if c == "《":
                depth += 1
            elif c == "》":
                depth -= 1
                if depth == 0:
                    close = j
                    break
            elif c == "。" or (c == "\n" and (newlines := newlines + 1) > _MAX_TITLE_NEWLINES):
                break
            j += 1
        if close != -1:
            inner = _INNER_WS_RE.sub("", text[i + 1 : close])
            if inner:
                out.append(TitleMatch(i, close + 1, inner))
            i = text.find("《", close + 1, end)
        else:
            i = text.find("《", i + 1, end)
    return out


# ---------------------------------------------------------------- 文号 and standards


@dataclass(frozen=True, slots=True)
class DocNumberMatch:
    """A 文号 (or standard number) as written, with its span."""

    start: int
    end: int
    number: str


# prefix chars of a 文号 are CJK; the year bracket takes every bracket variant
_DOCNO_RE = re.compile(
    r"(?P<prefix>[\u4e00-\u9fff]{1,12})\s*[〔\[［（(【]\s*(?P<year>(?:19|20|１９|２０)\d{2})\s*"
    r"[〕\]］）)】]\s*(?:第\s*)?(?P<num>\d{1,5})\s*号"
)
# words that end the text before a 文号 prefix (cue verbs, conjunctions, particles)
_PREFIX_STOP_RE = re.compile(
    r".*(?:根据|按照|依据|依照|贯彻|落实|印发|转发|参照|执行|实施|文件|精神|要求|规定|通知|"
    r"意见|办法|方案|字号|文号|编号|的|和|及|与|或|见|即|以|按|是|为|在|将|由|于|据|照|经|等)"
)


#: what a 文号 prefix ends with (document type); no prefix starts with it
_GENERIC_PREFIX_RE = re.compile(r"^(?:政|府|办|发|函|字|委|令)")


def _trim_prefix(prefix: str) -> str:
    """Drop the words before a 文号's prefix (``按照湘政发`` -> ``湘政发``).

    A one-character stop that is the issuer's abbreviation itself stays: in
    ``和政发`` trimming ``和`` would leave the generic ``政发``.
    """
    m = _PREFIX_STOP_RE.match(prefix)
    if not m:
        return prefix
    rest = prefix[m.end() :]
    if (
        rest
        and _GENERIC_PREFIX_RE.match(rest)
        and prefix[m.end() - 1] != "的"
        and not _WORD_STOP_END_RE.search(prefix, 0, m.end())
    ):
        return prefix[m.end() - 1 :]
    return rest


#: the stops of ``_PREFIX_STOP_RE`` that are words (never an abbreviation)
_WORD_STOP_END_RE = re.compile(
    r"(?:根据|按照|依据|依照|贯彻|落实|印发|转发|参照|执行|实施|文件|精神|要求|规定|通知|"
    r"意见|办法|方案|字号|文号|编号)$"
)


def find_doc_numbers(text: str, start: int = 0, end: int | None = None) -> list[DocNumberMatch]:
    """文号 such as ``国发〔2019〕12号``, ``湘政办(2018)21号`` in ``text[start:end]``."""
    end = len(text) if end is None else end
    out: list[DocNumberMatch] = []
    for p, w, e in _docno_spans(text, start, end):
        prefix = _trim_prefix(text[p:w])
        if not prefix:
            continue
        s = w - len(prefix)
        out.append(DocNumberMatch(s, e, text[s:e]))
    return out


#: what follows a 文号's prefix, from its year bracket on (see :data:`_DOCNO_RE`)
_DOCNO_TAIL_RE = re.compile(
    r"[〔\[［（(【]\s*(?:19|20|１９|２０)\d{2}\s*[〕\]］）)】]\s*(?:第\s*)?\d{1,5}\s*号"
)


def _docno_spans(text: str, start: int, end: int) -> Iterator[tuple[int, int, int]]:
    """``(prefix start, prefix end, end)`` of each :data:`_DOCNO_RE` match in ``text[start:end]``.

    The same matches as ``_DOCNO_RE.finditer(text, start, end)``, found from
    the year brackets (a literal the scan skips to) instead of trying the
    prefix's CJK run at every character: a prefix is the up to 12 CJK
    characters right before the bracket (spaces between them allowed), not
    reaching back before the previous match.
    """
    floor = start  # where the previous match ended: matches do not overlap
    for m in _DOCNO_TAIL_RE.finditer(text, start, end):
        w = m.start()
        while w > floor and text[w - 1].isspace():  # \s, as the pattern reads it
            w -= 1
        p = w
        while p > floor and w - p < 12 and "\u4e00" <= text[p - 1] <= "\u9fff":
            p -= 1
        if p < w:
            yield p, w, m.end()
            floor = m.end()


_STANDARD_RE = re.compile(
    r"(?<![A-Za-z])(?:GB|DB\d{0,2})(?:\s*/\s*[TZ])?\s*\d{2,6}(?:\.\d{1,3})?"
    r"\s*[—\-–－]{1,2}\s*(?:19|20)\d{2}(?!\d)"
)


def find_standards(text: str, start: int = 0, end: int | None = None) -> list[DocNumberMatch]:
    """National/local standard numbers such as ``GB/T 19001—2016``."""
    end = len(text) if end is None else end
    return [
        DocNumberMatch(m.start(), m.end(), m.group())
        for m in _STANDARD_RE.finditer(text, start, end)
    ]


_BRACKET_TRANS = str.maketrans("（([［【）)]］】", "〔〔〔〔〔〕〕〕〕〕")


def doc_number_key(number: str) -> str:
    """Comparable form of a 文号: 〔〕/（）/() variants unified, spaces dropped."""
    number = unicodedata.normalize("NFKC", number)
    return _INNER_WS_RE.sub("", number).translate(_BRACKET_TRANS).replace("第", "")


_OPEN_PAREN = "（("
_CLOSE_PAREN = "）)"


def adjacent_doc_number(text: str, pos: int, end: int) -> DocNumberMatch | None:
    """A parenthesised 文号 or standard number right after a title ending at ``pos``.

    Parentheses may nest: ``(国知发管字(2011)88号)``.
    """
    j = pos
    while j < end and j - pos < 4 and text[j] in " \t\u3000\r\n":
        j += 1  # a wrapped line may put the 文号 on the next line
    if j >= end or text[j] not in _OPEN_PAREN:
        return None
    depth, k = 0, j
    limit = min(end, j + 40)
    while k < limit:
        if text[k] in _OPEN_PAREN:
            depth += 1
        elif text[k] in _CLOSE_PAREN:
            depth -= 1
            if depth == 0:
                break
        k += 1
    else:
        return None
    inner_start, inner_end = j + 1, k
    for finder in (find_doc_numbers, find_standards):
        found = finder(text, inner_start, inner_end)
        if found:
            m = found[0]
            before = text[inner_start : m.start].strip()
            if not before:
                return DocNumberMatch(m.start, k + 1, m.number)
    return None


# ---------------------------------------------------------------- aliases


@dataclass(frozen=True, slots=True)
class AliasMatch:
    """``（以下简称《X》）``: the parenthesis span and the alias ``X``."""

    start: int
    end: int
    alias: str


_ALIAS_RE = re.compile(
    # the alias may follow the 文号 in one parenthesis: （国办发〔2023〕10号，以下简称《意见》）
    r"[（(](?:[^（）()《》\n]{2,30}?[〔\[［（(【][^〕\]］）)】]{4}[〕\]］）)】][^（）()《》\n]{0,8}?[，,；;]\s*)?"
    r"\s*(?:以下|下文|下同)?\s*[，,]?\s*(?:简称|称)\s*[为:：]?\s*"
    r"(?P<q>[《“\"「『])(?P<alias>[^》”\"」』（）()\n]{1,40})[》”\"」』]\s*[）)]"
)


def find_aliases(text: str, start: int = 0, end: int | None = None) -> list[AliasMatch]:
    """Alias declarations such as ``（以下简称《实施意见》）``."""
    end = len(text) if end is None else end
    return [
        AliasMatch(m.start(), m.end(), _INNER_WS_RE.sub("", m.group("alias")))
        for m in _ALIAS_RE.finditer(text, start, end)
    ]


# ---------------------------------------------------------------- kind

# longest alternatives first: 印发实施 is produces, 贯彻实施 implements, 贯彻落实 basis
_CUES: tuple[tuple[str, CitationKind], ...] = (
    ("贯彻落实", "basis"), ("认真落实", "basis"), ("根据", "basis"), ("按照", "basis"),
    ("依据", "basis"), ("依照", "basis"), ("遵照", "basis"), ("遵循", "basis"),
    ("贯彻实施", "implements"), ("贯彻执行", "implements"), ("组织实施", "implements"),
    ("推进实施", "implements"), ("全面实施", "implements"), ("深入实施", "implements"),
    ("印发实施", "produces"), ("制定实施", "produces"), ("出台实施", "produces"),
    ("研究制定", "produces"), ("制定出台", "produces"), ("研究出台", "produces"),
    ("制定", "produces"), ("出台", "produces"), ("印发", "produces"), ("编制", "produces"),
    ("修订", "produces"), ("修改", "produces"), ("发布", "produces"), ("拟制", "produces"),
    ("拟定", "produces"), ("起草", "produces"), ("颁布", "produces"), ("编写", "produces"),
    ("贯彻", "basis"), ("落实", "basis"),
    ("实施", "implements"), ("执行", "implements"), ("贯标", "implements"),
    ("施行", "implements"), ("推行", "implements"), ("遵照执行", "implements"),
)  # fmt: skip
_CUE_KIND = dict(_CUES)
_CUE_RE = re.compile(
    "|".join(re.escape(c) for c, _ in sorted(_CUES, key=lambda x: -len(x[0])))
    # 按 alone (按教育部《…》要求) but not 按期/按时/按需/按职责/按年 …
    + r"|按(?![期时需职月年季日照要规比])"
)
# cues written after the title: 《X》修订, 《X》立法工作, 《X》国家标准贯彻执行, …印发给你们
_POST_CUE_RE = re.compile(
    r"^[^，,。；;：:]{0,8}?(?P<cue>贯彻执行|贯彻实施|贯标|执行|实施|修订|修改|立法|制定|编制|印发|发布)"
)
_POST_KIND: dict[str, CitationKind] = {
    "贯彻执行": "implements", "贯彻实施": "implements", "贯标": "implements",
    "执行": "implements", "实施": "implements", "修订": "produces", "修改": "produces",
    "立法": "produces", "制定": "produces", "编制": "produces", "印发": "produces",
    "发布": "produces",
}  # fmt: skip
_STANDARD_CONTEXT_RE = re.compile(r"^\s*(?:国家标准|行业标准|地方标准|标准)")
_STANDARD_BEFORE_RE = re.compile(r"(?:国家标准|行业标准|地方标准)\s*$")


def citation_kind(
    text: str,
    start: int,
    end: int,
    clause_start: int,
    clause_end: int,
    masks: SpanSet | None = None,
    is_standard: bool = False,
) -> tuple[CitationKind, str]:
    """Kind of the citation at ``text[start:end]`` and the cue that decided it.

    The nearest cue before the title inside its clause wins (other titles in
    the clause are masked so their words are not cues); else a cue written
    right after it.  A produces-cue followed by 了 reports a past act:
    ``mentions``.
    """
    before = _masked(text, clause_start, start, masks)
    cue_m = None
    for m in _CUE_RE.finditer(before):
        cue_m = m
    kind: CitationKind = "mentions"
    cue = ""
    if cue_m is not None:
        cue = cue_m.group()
        kind = _CUE_KIND.get(cue, "basis")
        if kind == "produces" and before[cue_m.end() : cue_m.end() + 1] == "了":
            return "mentions", cue + "了"
    else:
        after = _masked(text, end, clause_end, masks)
        pm = _POST_CUE_RE.match(after)
        if pm is not None:
            cue = pm.group("cue")
            kind = _POST_KIND[cue]
            if kind == "produces" and after[pm.end() : pm.end() + 1] == "了":
                return "mentions", cue + "了"
    if is_standard and kind == "basis":
        kind = "implements"
    return kind, cue


def _masked(text: str, s: int, e: int, masks: SpanSet | None) -> str:
    """``text[s:e]`` with every masked span replaced by ``□`` (same length)."""
    if s >= e:
        return ""
    if masks is None:
        return text[s:e]
    parts: list[str] = []
    i = s
    for a, b in masks.overlapping(s, e):
        a, b = max(a, s), min(b, e)
        parts.append(text[i:a])
        parts.append("□" * (b - a))
        i = b
    parts.append(text[i:e])
    return "".join(parts)


# ---------------------------------------------------------------- issuing level

_NATIONAL_TITLE_RE = re.compile(
    r"^(?:中共中央|中央|国务院|全国人民代表大会|全国人大|全国|国家|最高人民法院|最高人民检察院|"
    r"中华人民共和国|中国共产党|[\u4e00-\u9fff]{1,8}部(?:关于|、)|[\u4e00-\u9fff]{2,6}总局)"
)
_NOT_AREA_RE = re.compile(r"^(?:关于|加快|推进|进一步|深入|全面|促进|加强|建设|支持)")
_LEVEL_NAME: dict[str, Level] = {"province": "provincial", "city": "city", "county": "county"}
_NATIONAL_ISSUER_RE = re.compile(
    r"(?:^(?:中共中央|国务院|国家|中央|最高人民|全国|中国)|(?:部|总局|署|国务院|中央)$)"
)
_PROVINCIAL_ISSUER_RE = re.compile(
    r"(?:省委|省政府|省人民政府|自治区|省[\u4e00-\u9fff]{0,10}[厅局委办])$"
)
_CITY_ISSUER_RE = re.compile(r"(?:市委|市政府|市人民政府|市[\u4e00-\u9fff]{0,10}[局委办])$")
# 文号 prefixes of central bodies: 国发, 国办发, 国知发, 中发, 中办发, 财税, 教高, 发改 …
_NATIONAL_DOCNO_RE = re.compile(
    r"^(?:国|中[发办共]|财|教|发改|工信|人社|商务|商服|公通|农业|科技|司法|交通|卫健|文旅|住建|"
    r"自然资|环|海关|税总)"
)


def _province_abbreviations() -> frozenset[str]:
    from importlib import resources

    chars: set[str] = set()
    try:
        data = resources.files("policykg.extract").joinpath("data/province_abbreviations.tsv")
        for line in data.read_text(encoding="utf-8").splitlines():
            if not line.strip() or line.startswith("#"):
                continue
            cols = line.split("\t")
            if len(cols) >= 4:
                chars.update(a.strip() for a in cols[3].split(",") if a.strip())
    except (FileNotFoundError, OSError):  # pragma: no cover - data ships with the package
        pass
    return frozenset(chars)


_PROVINCE_ABBR = _province_abbreviations()


def cited_level(title: str | None, doc_number: str | None, issuer: str = "") -> Level | None:
    """Issuing level of a cited document from its 文号, title or the issuer before it.

    ``国发〔2019〕12号`` -> national; ``鲁政发〔2020〕5号`` -> provincial (a
    province abbreviation starts it); ``GB/T …`` -> national; a title starting
    ``XX省`` -> provincial, ``XX市`` -> city; an issuer written before the
    title (``国家知识产权局《…》``, ``省委《…》``) decides when the rest cannot.
    """
    if doc_number:
        dn = doc_number.strip()
        if dn.upper().startswith("GB"):
            return "national"
        if dn.upper().startswith("DB"):
            return "provincial"
        prefix = re.split(r"[〔\[［（(【]", dn, maxsplit=1)[0]
        if _NATIONAL_DOCNO_RE.match(prefix):
            return "national"
        if prefix[:1] in _PROVINCE_ABBR:
            return "provincial"
        if re.search(r"[政府办委]", prefix):
            return "city"
    if title:
        if _NATIONAL_TITLE_RE.match(title):
            return "national"
        areas = [a for a in regions_in(title) if len(a) <= 8 and not _NOT_AREA_RE.match(a)]
        if areas:
            return _LEVEL_NAME[region_level(areas[-1])]
    issuer = issuer.strip()
    if issuer:
        if _NATIONAL_ISSUER_RE.search(issuer) and not issuer.startswith(("省", "市")):
            return "national"
        if _PROVINCIAL_ISSUER_RE.search(issuer) or issuer.startswith("省"):
            return "provincial"
        if _CITY_ISSUER_RE.search(issuer) or issuer.startswith("市"):
            return "city"
    return None


_ISSUER_RE = re.compile(r"[\u4e00-\u9fff、]{2,40}$")


def _issuer_before(before: str) -> str:
    """The body named right before a title (``国家知识产权局《…》``), after the last cue."""
    last: re.Match[str] | None = None
    for cm in _CUE_RE.finditer(before):
        last = cm
    tail = before[last.end() :] if last else before[-16:]
    m = _ISSUER_RE.search(tail)
    return m.group() if m else ""


# ---------------------------------------------------------------- extraction core


@dataclass(slots=True)
class _Owner:
    key: str
    titles: set[str] = field(default_factory=set)  # norm() of own title and aliases
    numbers: set[str] = field(default_factory=set)  # doc_number_key of own 文号
    produced: set[str] = field(default_factory=set)  # norm() of 《X》 named in own title
    record: DocumentRecord | None = None


# 《》 also names newspapers, journals and programmes, which are not documents
_NOT_DOCUMENT_RE = re.compile(
    r"(?:(?<![公简情])报|日报|晚报|时报|杂志|周刊|月刊|学报|期刊|专栏|栏目|节目|频道|之声|新闻联播)$"
)


_MEDIA_AFTER_RE = re.compile(
    r"\s*(?:杂志|期刊|周刊|月刊|报社|栏目|节目|频道|专栏|电视|广播|网站|公众号)"
)


#: what introduces a link to a graphic or an interpretation of a document
_INTERPRETATION_BEFORE_RE = re.compile(
    r"(?:一图(?:读懂|看懂|了解|解读)|图解|图说|图读|(?:视频|动漫|漫画|文字|专家|政策|相关)解读)"
    r"\s*[:：|｜丨]?\s*$"
)
_INTERPRETATION_AFTER_RE = re.compile(
    r"\s*(?:的)?(?:政策解读|图解|一图读懂|一图看懂|政策问答|答记者问)\s*(?:$|[|｜丨\s]|[\r\n])"
)


def _is_interpretation_link(text: str, t: TitleMatch) -> bool:
    """``一图读懂《X》``, ``图解：《X》``, ``《X》政策解读``: page chrome naming a document."""
    line_start = text.rfind("\n", max(0, t.start - 40), t.start) + 1 or max(0, t.start - 40)
    if _INTERPRETATION_BEFORE_RE.search(text, line_start, t.start):
        return True
    return bool(_INTERPRETATION_AFTER_RE.match(text, t.end, min(len(text), t.end + 12)))


#: ``关于印发X的通知`` without 《》: X is what the notice issues
_BARE_ISSUED_RE = re.compile(r"关于(?:印发|转发|发布|公布)([^《》]{4,80})的通知$")


def _owner_from_record(d: DocumentRecord) -> _Owner:
    o = _Owner(d.key, record=d)
    if d.title:
        o.titles.add(norm(d.title))
        o.produced.update(norm(t.title) for t in find_titles(d.title))
        bare = _BARE_ISSUED_RE.search(d.title)
        if bare is not None:
            o.produced.add(norm(bare.group(1)))
    o.titles.update(norm(a) for a in d.aliases)
    if d.doc_number:
        o.numbers.add(doc_number_key(d.doc_number))
    return o


def _line_bounds(text: str, start: int, end: int, reach: int = 400) -> tuple[int, int]:
    """The line around ``[start, end)``, at most ``reach`` characters each way."""
    lo = max(0, start - reach)
    hi = min(len(text), end + reach)
    ls = text.rfind("\n", lo, start)
    le = text.find("\n", end, hi)
    return (lo if ls == -1 else ls + 1), (hi if le == -1 else le)


_ATTACHMENT_OF_RE = re.compile(r"\s*(?:的)?附\s*件\s*\d*\s*[）)]")
_META_LINE_RE = re.compile(r"(?:文号|字号|编号|索引号)\s*[:：]?\s*$")


def _extract(
    text: str,
    start: int,
    end: int,
    source: str,
    owner_of: Callable[[int], _Owner | None],
    is_dropped: Callable[[int], bool],
    all_numbers: set[str],
) -> list[CitationRecord]:
    titles = find_titles(text, start, end)
    masks = SpanSet((t.start, t.end) for t in titles)
    aliases = find_aliases(text, start, end)
    alias_spans = SpanSet((a.start, a.end) for a in aliases)
    title_ends = [t.end for t in titles]  # sorted: titles do not overlap
    # the text with every title blanked (same offsets): cue words inside a
    # title are not cues, and slicing it is cheaper than masking per use
    masked = _masked(text, 0, len(text), masks)

    # alias -> the title it abbreviates (the title, and its 文号, right before it)
    alias_target: dict[tuple[str, str], str | None] = {}
    for a in aliases:
        o = owner_of(a.start)
        if o is None:
            continue
        target: str | None = None
        k = bisect.bisect_right(title_ends, a.start)
        prev = titles[k - 1 : k] if k else []
        if prev:
            gap_end = prev[-1].end
            adj = adjacent_doc_number(text, gap_end, a.start)
            if adj is not None:
                gap_end = adj.end
            if not text[gap_end : a.start].strip():
                target = prev[-1].title
        if target is None or norm(target) in o.titles:
            o.titles.add(norm(a.alias))
            if o.record is not None and a.alias not in o.record.aliases:
                o.record.aliases.append(a.alias)
        else:
            alias_target[(o.key, norm(a.alias))] = target

    found: dict[tuple[str, str], CitationRecord] = {}
    order: list[tuple[str, str]] = []
    standard_titles: dict[str, set[str]] = {}  # owner key -> norm titles used as standards
    consumed_numbers: list[tuple[int, int]] = []

    def add(rec: CitationRecord, key: tuple[str, str]) -> None:
        old = found.get(key)
        if old is None:
            found[key] = rec
            order.append(key)
            return
        if KIND_RANK[rec.kind] > KIND_RANK[old.kind]:
            rec.cited_doc_number = rec.cited_doc_number or old.cited_doc_number
            rec.cited_level = rec.cited_level or old.cited_level
            found[key] = rec
        else:
            old.cited_doc_number = old.cited_doc_number or rec.cited_doc_number
            old.cited_level = old.cited_level or rec.cited_level

    for t in titles:
        if alias_spans.contains(t.start) or is_dropped(t.start):
            continue
        o = owner_of(t.start)
        if o is None:
            continue
        nt = norm(t.title)
        if not nt or nt in o.titles or _NOT_DOCUMENT_RE.search(t.title):
            continue
        if _MEDIA_AFTER_RE.match(text, t.end):
            continue  # 《X》杂志 / 《X》栏目
        if _is_interpretation_link(text, t):
            continue  # 一图读懂《X》 / 《X》政策解读: a link of the page, not a citation
        title = alias_target.get((o.key, nt), t.title)
        nt = norm(title)
        if nt in o.titles:
            continue
        adj = adjacent_doc_number(text, t.end, end)
        number = adj.number if adj else None
        if adj is not None:
            consumed_numbers.append((adj.start, adj.end))
            if doc_number_key(adj.number) in o.numbers:
                continue
        anchor_end = adj.end if adj else t.end
        cs, ce = clause_bounds(text, t.start, anchor_end, start, end, masks)
        tail = text[anchor_end:ce]
        is_std = bool(
            (number and number.upper().startswith(("GB", "DB")))
            or _STANDARD_CONTEXT_RE.match(tail)
            or _STANDARD_BEFORE_RE.search(text[max(cs, t.start - 6) : t.start])
        )
        if is_std:
            standard_titles.setdefault(o.key, set()).add(nt)
        if nt in o.produced:
            kind: CitationKind = "produces"
            rule = "title-of-own-notice"
        else:
            kind, cue = citation_kind(masked, t.start, anchor_end, cs, ce, None, is_std)
            rule = f"title:{cue or 'none'}"
        before = masked[cs : t.start]
        level = cited_level(title, number, _issuer_before(before))
        rec = CitationRecord(
            document=o.key,
            cited_title=title,
            cited_doc_number=number,
            kind=kind,
            evidence=trimmed_evidence(source, text, cs, ce, t.start, anchor_end),
            cited_level=level,
            rule=rule,
        )
        add(rec, (o.key, "t:" + nt))

    # a standard used anywhere as a standard is one in every use (贯彻 it = implement it)
    for (okey, tkey), rec in found.items():
        if tkey[2:] in standard_titles.get(okey, set()) and rec.kind == "basis":
            rec.kind = "implements"

    consumed = SpanSet(consumed_numbers)
    # 文号 alone (not inside a title, not the adjacent number of one)
    for dn in find_doc_numbers(text, start, end):
        if masks.contains(dn.start) or consumed.contains(dn.start) or is_dropped(dn.start):
            continue
        key = doc_number_key(dn.number)
        o = owner_of(dn.start)
        if o is None or key in o.numbers or key in all_numbers:
            continue
        line_start, line_end = _line_bounds(text, dn.start, dn.end)
        if not text[line_start : dn.start].strip() and not text[dn.end : line_end].strip():
            continue  # a 文号 on a line of its own is a document's own number
        if _META_LINE_RE.search(text[line_start : dn.start]):
            continue
        if _ATTACHMENT_OF_RE.match(text, dn.end):
            continue  # ``（X办字〔2023〕22号附件）``: the number of the notice issuing it
        if any(
            r.cited_doc_number and doc_number_key(r.cited_doc_number) == key
            for (k, _), r in found.items()
            if k == o.key
        ):
            continue
        cs, ce = clause_bounds(text, dn.start, dn.end, start, end, masks)
        kind, cue = citation_kind(masked, dn.start, dn.end, cs, ce)
        before = masked[cs : dn.start]
        rec = CitationRecord(
            document=o.key,
            cited_title=None,
            cited_doc_number=dn.number,
            kind=kind,
            evidence=trimmed_evidence(source, text, cs, ce, dn.start, dn.end),
            cited_level=cited_level(None, dn.number, _issuer_before(before)),
            rule=f"doc-number:{cue or 'none'}",
        )
        add(rec, (o.key, "n:" + key))

    # standard numbers: one record with the standard's title when the text links them
    paragraphs: dict[tuple[int, int], str] = {}
    for sd in find_standards(text, start, end):
        if masks.contains(sd.start) or consumed.contains(sd.start) or is_dropped(sd.start):
            continue
        o = owner_of(sd.start)
        if o is None:
            continue
        cs, ce = clause_bounds(text, sd.start, sd.end, start, end, masks)
        kind, cue = citation_kind(masked, sd.start, sd.end, cs, ce, is_standard=True)
        line_start, line_end = _line_bounds(text, sd.start, sd.end)
        # linked: the title written out (not as a 《》 citation) in the same
        # paragraph, or right after the number (GB/T 19001—2016《…》)
        if (line_start, line_end) not in paragraphs:
            paragraphs[(line_start, line_end)] = norm(masked[line_start:line_end])
        paragraph = paragraphs[(line_start, line_end)]
        right_after = norm(text[sd.end : min(line_end, sd.end + MAX_TITLE)])
        linked = [
            r for (k, tk), r in found.items()
            if k == o.key and tk.startswith("t:") and r.cited_title
            and len(norm(r.cited_title)) >= 4
            and (norm(r.cited_title) in paragraph or right_after.startswith(norm(r.cited_title)))
        ]  # fmt: skip
        rec = CitationRecord(
            document=o.key,
            cited_title=linked[0].cited_title if linked else None,
            cited_doc_number=sd.number,
            kind=kind,
            evidence=trimmed_evidence(source, text, cs, ce, sd.start, sd.end),
            cited_level="national" if sd.number.upper().startswith("GB") else "provincial",
            rule=f"standard:{cue or 'none'}",
        )
        if linked:
            link_key = (o.key, "t:" + norm(linked[0].cited_title or ""))
            old = found[link_key]
            old.cited_doc_number = old.cited_doc_number or sd.number
            old.cited_level = old.cited_level or rec.cited_level
            if KIND_RANK[kind] > KIND_RANK[old.kind]:
                old.kind = kind
                old.evidence = rec.evidence
                old.rule = rec.rule
        else:
            add(rec, (o.key, "n:" + doc_number_key(sd.number)))

    return [found[k] for k in order]


def find_citations(
    text: str,
    start: int = 0,
    end: int | None = None,
    *,
    document_key: str = "doc",
    own_title: str | None = None,
    own_doc_number: str | None = None,
    aliases: Iterable[str] = (),
    source: str = "",
) -> list[CitationRecord]:
    """Citations made by one document whose text is ``text[start:end]``.

    Parameters
    ----------
    text : str
        The whole source text (offsets in the records point into it).
    start, end : int
        The document's span.
    document_key : str
        ``CitationRecord.document`` of every record.
    own_title, own_doc_number, aliases
        The citing document's own names: never cited by itself.
    source : str
        File name put into the evidence.

    Returns
    -------
    list of CitationRecord
        One per cited document, in order of first mention.
    """
    end = len(text) if end is None else end
    record = DocumentRecord(
        key=document_key, title=own_title, doc_number=own_doc_number, issuer=None,
        region=None, region_level=None, date=None,
        evidence=trimmed_evidence(source, text, start, start, start, start),
        span_start=start, span_end=end, aliases=list(aliases),
    )  # fmt: skip
    owner = _owner_from_record(record)
    numbers = set(owner.numbers)
    return _extract(text, start, end, source, lambda _pos: owner, lambda _pos: False, numbers)


# ---------------------------------------------------------------- spaCy component


class CitationExtractor:
    """``policykg_citations``: fills ``doc._.pkg_citations`` and ``doc.spans[spans_key]``.

    Each citation goes to the document that owns the offset of its title (or
    文号); matches starting inside a dropped span are skipped.  When no
    segmentation ran (``doc._.pkg_documents`` is None) the whole text is one
    document keyed ``default_key``; an empty list means the text holds no
    policy document, hence no citation.
    """

    def __init__(self, nlp: Language, name: str, spans_key: str, default_key: str) -> None:
        self.name = name
        self.spans_key = spans_key
        self.default_key = default_key

    def __call__(self, doc: Doc) -> Doc:
        text = doc_text(doc)  # Doc.text is rebuilt from the tokens on every access
        source = doc._.pkg_source or ""
        index = DocumentIndex(doc)
        owners = {d.key: _owner_from_record(d) for d in index.documents}
        # a notice produces the attachments it issues, whatever verb names them
        # (``《X》已经市政府同意，现印发给你们``, ``联合制定了《X》``)
        for d in index.documents:
            notice = owners.get(d.issued_by_notice or "")
            if notice is not None and d.title:
                notice.produced.add(norm(d.title))
        all_numbers = {n for o in owners.values() for n in o.numbers}
        # None: no segmentation ran, the text is one document; []: no policy document
        fallback = _Owner(self.default_key) if doc._.pkg_documents is None else None

        def owner_of(pos: int) -> _Owner | None:
            if not owners:
                return fallback
            d = index.owner(pos)
            return owners.get(d.key) if d is not None else None

        records = _extract(text, 0, len(text), source, owner_of, index.is_dropped, all_numbers)
        doc._.pkg_citations = records
        spans: list[Span] = []
        for r in records:
            span = doc.char_span(r.evidence.start, r.evidence.end, label=r.kind,
                                 alignment_mode="expand")  # fmt: skip
            if span is not None:
                spans.append(span)
        doc.spans[self.spans_key] = spans
        return doc


@Language.factory(
    "policykg_citations",
    default_config={"spans_key": "citations", "default_key": "doc"},
)
def make_citation_extractor(
    nlp: Language, name: str, spans_key: str, default_key: str
) -> CitationExtractor:
    """Factory of the ``policykg_citations`` component."""
    return CitationExtractor(nlp, name, spans_key, default_key)
