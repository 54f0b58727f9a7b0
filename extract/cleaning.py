"""Find noise that must not produce facts: page chrome, junk, bogus metadata, duplicates.

Component ``policykg_clean`` (first in the pipeline) records what it finds in
``doc._.pkg_dropped`` as :class:`~policykg.extract.model.Dropped`
``(start, end, reason, text)`` spans, sorted by start.  The text itself is
never changed (offsets stay valid); later components skip anything that
starts inside a dropped span — use :func:`dropped_at`.

Reasons
-------
``page_chrome``
    Site furniture of scraped pages: ``Posted by``, ``相关文章``, ``Leave a
    Reply``, ``返回首页``, ``来源:… | 作者:…`` bars, English-only slogans; and
    any short line holding a widget (view counters ``阅读数：N``, site age
    ``本站已运行N天``, share/follow/scan-code widgets, promotions ``领取…红包``,
    ``上一篇``/``下一篇``, ``打印本页``/``关闭窗口``, ``网站地图``, the legal
    footer ``ICP备``/``公网安备``/``版权所有``); ``字号：大 中 小``, ``您现在的位置：``,
    ``网友留言``, a ``主办单位：…`` footer with site codes at any length, and links
    to interpretations or graphics of a document (``一图读懂《X》``,
    ``《X》政策解读``, ``相关解读``).  Whole-line patterns are only tried on short
    lines and none backtracks over a long one: a 1 MB line cleans in linear time.
``page_timestamp``
    A bare post timestamp such as ``04.02.2017  19:09``.
``page_header``
    Short lines above the first line of real content (site names, menus).
``injected_junk``
    A junk header line repeated elsewhere, alone or glued to the start of a
    paragraph (the paragraph itself is kept, only the junk prefix is dropped).
``bogus_date:<why>``
    A line that is just a date, keyed or not (``生效日期:1900-1-1``, a
    signature date ``2023年2月30日``), whose date cannot be a document's:
    ``sentinel`` (1970-01-01, 1900-01-01, 2099-12-31, 0000-00-00 …),
    ``impossible`` (no such day), ``before_1949`` or ``future`` (see
    :func:`~policykg.extract.genre.date_problem`).  No document takes it.
``duplicate``
    A paragraph repeated verbatim (after dropping a junk prefix and ignoring
    whitespace): the later copy.  Long paragraphs are compared within the
    scope of their document (a formal ``…关于…`` title opens a scope; a title
    seen again returns to its scope), so two cities' plans sharing a template
    paragraph keep both, while a repeated document is still dropped; short
    lines (headings, metadata) are compared only within a few lines, so two
    attachments may both have ``一、总体要求``.  Table cells are never
    duplicates (rows legitimately repeat unit lists and dates).
"""

from __future__ import annotations

import re
import string
from bisect import bisect_right

from spacy.language import Language
from spacy.tokens import Doc

from policykg.extract import doc_attrs
from policykg.extract.genre import (
    DOC_NUMBER_RE,
    LABEL_RE,
    Line,
    date_problem,
    doc_text,
    find_dates,
    hit_lines,
    is_unit_name,
    norm_spans,
    regions_in,
    split_lines,
)
from policykg.extract.model import Dropped
from policykg.extract.segmentation import DECREE_RE, is_issuer_text, is_title_text
from policykg.extract.structure import Table, find_tables

__all__ = ["CleaningComponent", "dropped_at"]

doc_attrs.register()

#: whole lines of site furniture; every alternative is anchored at the line start and a
#: line is only tried when short (:data:`_CHROME_LINE_MAX`): no run of ``.*`` can make a
#: long line (a 1 MB digit run) cost more than a bounded number of steps
_CHROME_RE = re.compile(
    r"^(?:Posted\s+by.*|Leave\s+a\s+(?:Reply|Comment).*"
    r"|相关(?:文章|阅读|链接|新闻|推荐|文件|解读|政策|附件|稿件)(?:[:：].*)?"
    r"|电子邮件地址不会被公开.*|必填项已用.*标注|在线留言|网友留言|我要留言|留言咨询|我要(?:纠错|咨询)"
    r"|返回(?:首页|顶部|列表)|热点资讯|资讯分类"
    r"|首页\s*[>»›].*|(?:您(?:现在|当前)?的|当前)位置\s*(?:[:：].*|.*[>»›].*)"
    r"|分享到\s*[:：]?.*|上一篇\s*[:：].*"
    r"|下一篇\s*[:：].*|【?打印(?:本页|此页)?】?|【?关闭(?:窗口|本页)?】?|扫一扫.*"
    r"|.*(?:字体|字号)\s*[:：]?\s*[【\[]?\s*大.*小.*"
    r"|.*\d\s*次浏览.*|.*(?:浏览次数|阅读次数|点击数|访问量)\s*[:：]\s*\d.*"
    r"|来源\s*[:：].*(?:\||作者|发布时间|浏览).*|版权所有.*|Copyright.*|.*ICP备.*|网站地图.*"
    r"|(?:发表|提交)评论.*|评论\s*[:：]?|姓名\s*[\*＊]|邮箱\s*[\*＊]|网站\s*[:：]?"
    r"|责任编辑\s*[:：].*|(?:原文|信息)?来源\s*[:：]\s*\S{0,20}|[（(]\s*记者.*[）)])$",
    re.IGNORECASE,
)
#: lines longer than this are never whole-line chrome
_CHROME_LINE_MAX = 300
#: a site footer opened by its keys (``主办单位：…　网站标识码：…　ICP备…``), at any length
_FOOTER_RE = re.compile(
    r"^(?:主办|承办|协办|运行维护|维护)(?:单位)?\s*[:：][^\r\n]{0,200}?"
    r"(?:ICP|备案|标识码|公网安备|网站|电话|地址|邮编|版权|承办|维护|技术支持)"
)
#: links to an interpretation or a graphic of a document (``一图读懂《X》``,
#: ``《X》政策解读``, ``图解：《X》``): page furniture, not a citation
_INTERPRETATION_RE = re.compile(
    r"^(?:(?:一图(?:读懂|看懂|了解|解读)|图解|图说|图读|漫画解读|动漫解读|视频解读|文字解读|专家解读"
    r"|政策解读|解读|相关解读|新闻发布会)\s*[:：|｜丨]?\s*(?:《[^《》\r\n]{1,160}》)?"
    r"|《[^《》\r\n]{1,160}》\s*(?:的)?(?:政策解读|解读|图解|一图读懂|一图看懂|问答|政策问答|答记者问"
    r"|新闻发布会|解读材料))$"
)


def _is_chrome_line(t: str) -> bool:
    """A whole line of page furniture (length tested first: the patterns stay linear)."""
    if _FOOTER_RE.match(t):
        return True
    if len(t) > _CHROME_LINE_MAX:
        return False
    return bool(_CHROME_RE.match(t) or _INTERPRETATION_RE.match(t) or _is_widget_line(t))


#: site furniture that marks a whole short line as chrome wherever it sits in it:
#: counters, site age, share and follow widgets, promotions, navigation, legal footer
_WIDGET_RE = re.compile(
    r"(?:阅读|浏览|点击|访问|访客|播放)(?:数|量|次数|人次|人数|总数)\s*[:：]?\s*\d"
    r"|\d+\s*(?:次|人)(?:浏览|阅读|点击|访问)"
    r"|本站(?:已)?(?:安全)?(?:运行|运营|上线|成立)\s*\d+\s*天|今日访问|在线人数"
    r"|扫(?:码|一扫|描二维码)\s*(?:关注|分享|下载|阅读|访问|打开|查看)|关注.{0,8}(?:公众号|微信号|官方微博)"
    r"|分享到|一键分享"
    r"|(?:微信|微博|QQ空间|QQ好友|朋友圈)\s*[|｜/、 ]\s*(?:微信|微博|QQ空间|QQ好友|朋友圈)"
    r"|领取.{0,10}(?:红包|优惠券|礼包)|(?:点击|立即)(?:领取|下载|进入|查看详情|咨询)"
    r"|^(?:上一篇|下一篇|上一条|下一条|上一页|下一页)|打印(?:本页|此页|文章|正文)|关闭(?:窗口|本页)"
    r"|网站地图|返回(?:首页|顶部|列表|上一页)|点击排行|热门(?:文章|推荐|排行)|无障碍(?:浏览|阅读)?\s*[|｜]"
    r"|长者模式|ICP\s*备|公网安备|版权所有|Copyright|©|技术支持\s*[:：]|网站标识码|网站纠错",
    re.IGNORECASE,
)
#: a line longer than this is content even with a widget word in it
_WIDGET_LINE_MAX = 80


def _is_widget_line(t: str) -> bool:
    """A short line, not a numbered item, holding site furniture."""
    return len(t) <= _WIDGET_LINE_MAX and not LABEL_RE.match(t) and bool(_WIDGET_RE.search(t))


_TIMESTAMP_RE = re.compile(r"^\d{1,4}[./\-年]\d{1,2}[./\-月]\d{1,4}日?\s+\d{1,2}:\d{2}(?::\d{2})?$")
_CJK_RE = re.compile(r"[\u4e00-\u9fff]")
#: two Latin words; tried only at word starts and without backtracking into a word,
#: so a 1 MB run of letters is read once
_LATIN_WORDS_RE = re.compile(r"(?<![A-Za-z])[A-Za-z]{2,}+(?:\W++[A-Za-z]{2,}+)+")


#: literals at least one of which every line that the chrome, widget, footer,
#: interpretation, timestamp or Latin-slogan patterns accept contains (each
#: alternative of those patterns requires one; ``tests/test_cleaning.py`` checks it
#: against strings generated from the patterns).  One scan of this over the whole text
#: finds the few candidate lines, so the other lines cost no regex per line.  Plain
#: literals only, none of them whitespace: the engine scans an alternation of literals
#: by their first characters (a character class in it makes it try every branch at
#: every position), and a hit always lies inside one line's text.
_NOISE_HINT_RE = re.compile(
    # _CHROME_RE
    r"相关(?:文章|阅读|链接|新闻|推荐|文件|解读|政策|附件|稿件)|电子邮件|必填项|留言|我要|返回|资讯"
    r"|首页|位置|分享|一篇|打印|关闭|扫一扫|字体|字号|次浏览|浏览次数|阅读次数|点击数|访问量|来源"
    r"|版权所有|网站|评论|姓名|邮箱|责任编辑|记者"
    # _FOOTER_RE
    r"|主办|承办|协办|维护"
    # _INTERPRETATION_RE
    r"|解读|图解|图说|图读|一图|问答|答记者问|新闻发布会"
    # _WIDGET_RE
    r"|阅读|浏览|点击|访问|访客|播放|本站|在线人数|扫码|扫描二维码|公众号|微信号|官方微博"
    r"|微信|微博|朋友圈|领取|立即|上一篇|上一条|上一页|下一篇|下一条|下一页|热门|无障碍|长者模式"
    r"|公网安备|©|技术支持"
    # the colon of _TIMESTAMP_RE's time
    r"|:"
    # any Latin letter: _LATIN_WORDS_RE, and the Latin words of _CHROME_RE/_WIDGET_RE
    # (Posted, Copyright, ICP …: under IGNORECASE a letter may be a look-alike such as
    # ``ſ``, but each of those words keeps a plain ASCII letter)
    r"|" + "|".join(string.ascii_letters)
)
_CONTENT_END_RE = re.compile(r"[。；：:]$|[。；]")
#: two short lines are "near" when at most this many lines apart
_NEAR = 6
#: paragraphs at least this long (normalised) are deduplicated across the whole file
_LONG = 20


#: what may stand around the date of a date line: a short key, brackets, a time
_DATE_LINE_REST_RE = re.compile(
    r"^[【\[（(]?\s*(?:[\u4e00-\u9fff][\u4e00-\u9fff \u3000]{0,9})?\s*[】\]）)]?\s*[:：]?\s*$"
)
_TIME_RE = re.compile(r"\d{1,2}:\d{2}(?::\d{2})?")


#: date lines are short
_DATE_LINE_MAX = 40
#: every date :func:`~policykg.extract.genre.find_dates` reads has one of these
_DATE_HINT_RE = re.compile(r"[年\-/.]")


def _bogus_date_line(t: str) -> str | None:
    """Why a line that is just a date (``2023年2月30日``, ``发布日期：1900-01-01``) is bogus.

    None when the line is no such line or its date is plausible.  A date in
    running text is left alone: only date lines become metadata.
    """
    if len(t) > _DATE_LINE_MAX:
        return None
    dates = find_dates(t)
    if len(dates) != 1:
        return None
    start, end, y, mo, d = dates[0]
    rest = _TIME_RE.sub("", t[:start] + t[end:])
    if not _DATE_LINE_REST_RE.match(rest.strip()):
        return None
    return date_problem(y, mo, d)


def _is_content(ln: Line) -> bool:
    """The first line of real content ends the page header."""
    t = ln.text
    return bool(
        len(t) >= 30
        or "关于" in t
        or (
            regions_in(t)
            and is_unit_name(t)
            and not re.search(r"[\u4e00-\u9fff]\s+[\u4e00-\u9fff]", t)
        )
        # joint issuers above ``关于…的通知`` (a site name has words that name no body)
        or (regions_in(t) and is_issuer_text(t))
        # a decree header (``X人民政府令``) carries the document's number
        or bool((m := DECREE_RE.match(t)) and is_unit_name(m.group("issuer")))
        or _CONTENT_END_RE.search(t)
        or is_title_text(t)
        or DOC_NUMBER_RE.search(t)
        or LABEL_RE.match(t)
        or ("：" in t or ":" in t)
    )


class CleaningComponent:
    """spaCy component: noise spans -> ``doc._.pkg_dropped``."""

    def __init__(self, nlp: Language, name: str, deduplicate: bool = True) -> None:
        self.name = name
        self.deduplicate = deduplicate

    def __call__(self, doc: Doc) -> Doc:
        text = doc_text(doc)
        lines = split_lines(text)
        dropped: list[Dropped] = []
        gone: set[int] = set()

        def drop(ln: Line, reason: str) -> None:
            dropped.append(Dropped(ln.start, ln.end, reason, ln.text))
            gone.add(ln.index)

        # page chrome, timestamps, English slogans, bogus export dates; only lines with a
        # hint can be any of the first three, only short lines with a separator a date line
        hinted = set(hit_lines(text, lines, _NOISE_HINT_RE))
        for ln in lines:
            t = ln.text
            if ln.index in hinted:
                if _is_chrome_line(t):
                    drop(ln, "page_chrome")
                    continue
                if _TIMESTAMP_RE.match(t):
                    drop(ln, "page_timestamp")
                    continue
                if not _CJK_RE.search(t) and _LATIN_WORDS_RE.search(t):
                    drop(ln, "page_chrome")
                    continue
            if len(t) <= _DATE_LINE_MAX and _DATE_HINT_RE.search(t):
                why = _bogus_date_line(t)
                if why is not None:
                    drop(ln, f"bogus_date:{why}")

        # page header: short lines above the first content line
        junk: list[str] = []
        for ln in lines:
            if ln.index in gone:
                continue
            if _is_content(ln):
                break
            drop(ln, "page_header")
            if _CJK_RE.search(ln.text) and len(ln.text) >= 6:
                junk.append(ln.text)

        # the same junk repeated elsewhere, alone or glued to a paragraph start
        prefix_end: dict[int, int] = {}
        line_at = {ln.start: ln for ln in lines} if junk else {}
        for j in junk:
            pat = re.compile(re.escape(j) + r"[。，,；;.．]*")
            # only a line starting with the junk can match: find those, in text order
            found = -1
            while (found := text.find(j, found + 1)) != -1:
                at = line_at.get(found)
                if at is None or at.index in gone:
                    continue
                ln = at
                m = pat.match(text, ln.start, ln.end)
                if not m:
                    continue
                if not text[m.end() : ln.end].strip():
                    drop(ln, "injected_junk")
                else:
                    dropped.append(Dropped(ln.start, m.end(), "injected_junk", m.group()))
                    prefix_end[ln.index] = m.end()

        # tables are found once here and reused by policykg_structure
        tables = find_tables(text, lines)
        doc.user_data["pkg_tables"] = tables
        if self.deduplicate:
            self._duplicates(text, lines, gone, prefix_end, dropped, tables)
        dropped.sort(key=lambda d: (d.start, d.end))
        doc._.pkg_dropped = dropped
        doc.user_data.pop("pkg_dropped_index", None)
        return doc

    @staticmethod
    def _duplicates(
        text: str,
        lines: list[Line],
        gone: set[int],
        prefix_end: dict[int, int],
        dropped: list[Dropped],
        tables: list[Table],
    ) -> None:
        spans = [(t.start, t.end) for t in tables]
        starts = [s for s, _ in spans]
        scopes: dict[str, dict[str, int]] = {}
        seen = scopes.setdefault("", {})
        last: dict[str, int] = {}
        # (line, position among live lines, start after a junk prefix) of non-table lines
        todo: list[tuple[Line, int, int]] = []
        position = 0
        for ln in lines:
            if ln.index in gone:
                continue
            position += 1
            i = bisect_right(starts, ln.start) - 1
            if i >= 0 and spans[i][0] <= ln.start <= spans[i][1]:
                continue
            todo.append((ln, position, prefix_end.get(ln.index, ln.start)))
        keys = norm_spans(text, [(start, ln.end) for ln, _, start in todo])
        for (ln, position, start), key in zip(todo, keys, strict=True):
            if len(key) < 5:
                continue
            if "关于" in key and is_title_text(text[start : ln.end]):
                # a formal title opens the scope of its document: another city's plan
                # may share paragraphs verbatim with the previous one (a provincial
                # template), which are its own; a document repeated later returns to
                # its scope, so its copy still is a duplicate
                seen = scopes.setdefault(key, {})
            before = seen.get(key)
            recent = last.get(key)  # a short line repeated a few lines on: across scopes
            if (before is not None and len(key) >= _LONG) or (
                recent is not None and position - recent <= _NEAR
            ):
                dropped.append(Dropped(start, ln.end, "duplicate", text[start : ln.end]))
                continue
            seen[key] = position
            last[key] = position


def dropped_at(doc: Doc, offset: int) -> Dropped | None:
    """The dropped span containing ``offset``, if any.

    The sorted index lives in ``doc.user_data["pkg_dropped_index"]``; a
    component that replaces ``doc._.pkg_dropped`` must pop that key.
    """
    cache = doc.user_data.get("pkg_dropped_index")
    if cache is None:
        ds: list[Dropped] = doc._.pkg_dropped or []
        if not ds:
            return None
        ordered = sorted(ds, key=lambda d: d.start)
        ends: list[int] = []
        for d in ordered:  # running maximum of ends: spans may nest
            ends.append(max(d.end, ends[-1]) if ends else d.end)
        cache = (ds, len(ds), [d.start for d in ordered], ordered, ends)
        doc.user_data["pkg_dropped_index"] = cache
    _, _, starts, ordered, ends = cache
    i = bisect_right(starts, offset) - 1
    while i >= 0 and ends[i] > offset:
        if ordered[i].start <= offset < ordered[i].end:
            return ordered[i]
        i -= 1
    return None


@Language.factory("policykg_clean", default_config={"deduplicate": True})
def make_cleaning(nlp: Language, name: str, deduplicate: bool) -> CleaningComponent:
    """Factory of the ``policykg_clean`` component."""
    return CleaningComponent(nlp, name, deduplicate)
