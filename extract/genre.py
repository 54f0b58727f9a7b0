"""The lexicon of the genre: patterns shared by the extraction components.

Chinese policy documents follow national drafting conventions (GB/T 9704 and
common practice): numbering labels, 文号 shapes, date forms, the suffixes of
government bodies and document types.  This module holds those conventions
as compiled regexes and small pure functions so every component reads text
the same way.  Nothing here knows any particular city or document.

Public API
----------
``Line``, ``split_lines(text)``
    Non-blank lines with their offsets into the original text (CRLF safe).
``hit_lines(text, lines, pattern)``
    Which lines hold a match (one scan of the whole text).
``cn_to_int(s)``
    Chinese or Arabic numeral -> int (``二十三`` -> 23, ``○八`` digits too).
``parse_date(s)``, ``bogus_date(s)``, ``date_problem(y, m, d)``
    ``2017年1月25日`` / ``二○○八年五月十四日`` / ``2008-5-14`` -> ISO date,
    ``None`` when absent or implausible (``1900-1-1``, ``2023-02-30``, a day
    after today); ``bogus_date`` tells why a written date was rejected.
``DOC_NUMBER_RE``
    文号 such as ``江政发〔2021〕7号``, ``海政办(2019)12号``.
``LABEL_RE``, ``label_kind(label)``
    Numbering labels at the start of a line and their style.
``is_unit_name(s)``, ``UNIT_SUFFIX``
    Does a string look like the name of a responsible unit?
``regions_in(s)``, ``region_level(name)``
    Leading administrative-area names of an issuer/title and their level.
``norm(s)``, ``norm_spans(text, spans)``, ``to_halfwidth(text)``
    NFKC, whitespace and punctuation removed (the scorer's normalisation);
    of many spans of one text at once.
``doc_text(doc)``
    ``doc.text``, cached: spaCy rebuilds ``Doc.text`` from its tokens on every
    access (about 1 MB/s), so components should read the text through this.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np

__all__ = [
    "CN_DIGITS",
    "DOC_NUMBER_RE",
    "DOC_TYPE_SUFFIX",
    "LABEL_RE",
    "SENTINEL_DATES",
    "UNIT_SUFFIX",
    "Line",
    "bogus_date",
    "cn_to_int",
    "date_problem",
    "doc_text",
    "find_dates",
    "hit_lines",
    "indent_style",
    "is_unit_name",
    "label_kind",
    "label_number",
    "norm",
    "norm_spans",
    "parse_date",
    "region_level",
    "regions_in",
    "split_lines",
    "to_halfwidth",
]

# ---------------------------------------------------------------- lines


@dataclass(frozen=True, slots=True)
class Line:
    """A non-blank line: ``text`` is ``original[start:end]`` (outer whitespace stripped)."""

    index: int
    line_start: int
    start: int
    end: int
    text: str
    indent: str


_RAW_LINE_RE = re.compile(r"[^\r\n]+")


_LINES_CACHE: dict[int, tuple[str, list[Line]]] = {}


def split_lines(text: str) -> list[Line]:
    """Non-blank lines of ``text`` with offsets; ``\\r\\n``, ``\\r`` and ``\\n`` all end a line.

    The last result is memoised (every component splits the same text); the
    returned list is shared, so treat it as read-only.
    """
    hit = _LINES_CACHE.get(len(text))
    if hit is not None and hit[0] is text:
        return hit[1]
    out = _split_lines(text)
    _LINES_CACHE.clear()
    _LINES_CACHE[len(text)] = (text, out)
    return out


def _split_lines(text: str) -> list[Line]:
    out: list[Line] = []
    for m in _RAW_LINE_RE.finditer(text):
        raw = m.group()
        stripped = raw.strip()
        if not stripped:
            continue
        lead = len(raw) - len(raw.lstrip())
        start = m.start() + lead
        out.append(Line(len(out), m.start(), start, start + len(stripped), stripped, raw[:lead]))
    return out


def hit_lines(text: str, lines: list[Line], pattern: re.Pattern[str]) -> list[int]:
    """Indexes of the ``lines`` (of ``text``) whose text holds a match of ``pattern``.

    One scan of the whole text instead of a search per line (a line with a hit
    is left at its first).  A match starting outside every line's text (in
    indentation, between lines) counts for none, so ``pattern`` should match no
    line break: a match belongs to the line it starts in.

    Parameters
    ----------
    text : str
        The text ``lines`` were split from (:func:`split_lines`).
    lines : list of Line
    pattern : re.Pattern
        Best an alternation of plain literals, which the regex engine scans by
        their first characters instead of trying it at every position.

    Returns
    -------
    list of int
        ``Line.index`` of every line with a hit, ascending.
    """
    starts = [ln.start for ln in lines]
    out: list[int] = []
    pos = 0
    search = pattern.search
    while (m := search(text, pos)) is not None:
        hit = m.start()
        i = bisect_right(starts, hit) - 1
        if i >= 0 and hit < lines[i].end:
            out.append(i)
            pos = lines[i].end
        elif i + 1 < len(lines):
            pos = starts[i + 1]  # a hit in indentation: go on at the line's text
        else:
            break
    return out


def indent_style(indent: str) -> str:
    """Coarse class of a line's leading whitespace (interleaved pages differ in it)."""
    if not indent:
        return "none"
    if "\t" in indent:
        return "tab"
    if "\u3000" in indent:
        return "ideographic"
    return "space"


# ---------------------------------------------------------------- numbers and dates

CN_DIGITS = "零〇○Ｏ一二两三四五六七八九"
_DIGIT_VALUE = {
    "零": 0, "〇": 0, "○": 0, "Ｏ": 0, "O": 0, "o": 0,
    "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9,
}  # fmt: skip
_UNIT_VALUE = {"十": 10, "百": 100, "千": 1000}


def cn_to_int(s: str) -> int | None:
    """Arabic or Chinese numeral to int; digit strings such as ``二○○八`` read positionally."""
    s = unicodedata.normalize("NFKC", s).strip()
    if not s:
        return None
    if s.isdigit():
        return int(s)
    if all(c in _DIGIT_VALUE for c in s):
        return int("".join(str(_DIGIT_VALUE[c]) for c in s))
    total, current = 0, 0
    for c in s:
        if c in _DIGIT_VALUE:
            current = _DIGIT_VALUE[c]
        elif c in _UNIT_VALUE:
            total += (current or 1) * _UNIT_VALUE[c]
            current = 0
        else:
            return None
    return total + current


_NUM = rf"[0-9０-９{CN_DIGITS}十]"
DATE_RE = re.compile(
    rf"(?P<y>(?:[0-9０-９]{{4}}|[{CN_DIGITS}]{{4}}))\s*年\s*(?P<m>{_NUM}{{1,3}})\s*月"
    rf"\s*(?P<d>{_NUM}{{1,3}})\s*日"
    r"|(?P<y2>(?:19|20)\d{2})\s*[-/.]\s*(?P<m2>\d{1,2})\s*[-/.]\s*(?P<d2>\d{1,2})(?!\d)"
)


#: placeholder dates of databases and content systems (epoch, "never", empty)
SENTINEL_DATES = frozenset({"1970-01-01", "1900-01-01", "1899-12-30", "2099-12-31", "9999-12-31"})
#: a date-like string, also one no calendar has (``2099-13-45``, ``0000-00-00``)
_DATEISH_RE = re.compile(
    r"(?P<y>\d{4})\s*[-/.年]\s*(?P<m>\d{1,2})\s*[-/.月]\s*(?P<d>\d{1,2})(?!\d)\s*日?"
)


def date_problem(y: int, mo: int, d: int, today: dt.date | None = None) -> str | None:
    """Why ``y-mo-d`` cannot be a policy document's date, or None if it can.

    ``sentinel`` (a placeholder such as 1970-01-01 or 2099-12-31), ``impossible``
    (no such day: 2023-02-30, month 13), ``before_1949`` or ``future`` (after
    ``today``).
    """
    iso = f"{y:04d}-{mo:02d}-{d:02d}"
    if iso in SENTINEL_DATES or y == 0 or mo == 0 or d == 0:
        return "sentinel"
    try:
        day = dt.date(y, mo, d)
    except ValueError:
        return "impossible"
    if y < 1949:
        return "before_1949"
    if day > (today or dt.date.today()):
        return "future"
    return None


def find_dates(s: str) -> list[tuple[int, int, int, int, int]]:
    """``(start, end, y, m, d)`` of every date-like string in ``s``, valid or not.

    Chinese numerals too (``二○○八年五月十四日``), and strings no calendar
    has (``2099-13-45``, ``0000-00-00``): :func:`date_problem` judges them.
    """
    out: list[tuple[int, int, int, int, int]] = []
    for m in DATE_RE.finditer(s):
        if m.group("y"):
            y, mo, d = cn_to_int(m.group("y")), cn_to_int(m.group("m")), cn_to_int(m.group("d"))
        else:
            y, mo, d = int(m.group("y2")), int(m.group("m2")), int(m.group("d2"))
        if y is not None and mo is not None and d is not None:
            out.append((m.start(), m.end(), y, mo, d))
    seen = {start for start, *_ in out}
    for m in _DATEISH_RE.finditer(s):
        if m.start() not in seen:  # years outside 19xx/20xx: 0000-00-00
            y, mo, d = int(m.group("y")), int(m.group("m")), int(m.group("d"))
            out.append((m.start(), m.end(), y, mo, d))
    return sorted(out)


def parse_date(s: str, today: dt.date | None = None) -> str | None:
    """First plausible date in ``s`` as ISO ``YYYY-MM-DD``.

    Implausible dates give None: see :func:`date_problem` (placeholders,
    impossible days, years before 1949, days after ``today``).
    """
    for _start, _end, y, mo, d in find_dates(s):
        if date_problem(y, mo, d, today) is None:
            return f"{y:04d}-{mo:02d}-{d:02d}"
    return None


def bogus_date(s: str, today: dt.date | None = None) -> str | None:
    """Why the date written in ``s`` is rejected; None when ``s`` has a plausible one or none."""
    problems = [date_problem(y, mo, d, today) for _s, _e, y, mo, d in find_dates(s)]
    if not problems or any(p is None for p in problems):
        return None
    return problems[0]


# ---------------------------------------------------------------- 文号

DOC_NUMBER_RE = re.compile(
    # full-width digits too (``〔２０２４〕３号``): \d matches them, the year's start must as well
    r"[\u4e00-\u9fff]{1,12}\s*[〔\[［（(【]\s*(?:19|20|１９|２０)\d{2}\s*[〕\]］）)】]\s*(?:第\s*)?\d{1,5}\s*号"
)

# ---------------------------------------------------------------- numbering labels

_CN = "一二三四五六七八九十百零〇"
LABEL_RE = re.compile(
    rf"(?P<label>第[{_CN}\d]+[章节条]"
    rf"|[{_CN}]+\s*[、.．]"
    rf"|[（(]\s*[{_CN}]+\s*[）)]"
    r"|\d{1,3}\s*[、.．](?!\d)"
    r"|[（(]\s*\d{1,3}\s*[）)]"
    r"|\d{1,3}\s*[）)](?![\d%])"
    r"|[①-⑳])"
)


def label_kind(label: str) -> str:
    """Label style: chapter, article, cn, cn_paren, num, num_paren, num_close, circled."""
    if label.startswith("第"):
        return "chapter" if label.endswith(("章", "节")) else "article"
    if label[0] in "（(":
        return "num_paren" if any(c.isdigit() for c in label) else "cn_paren"
    if label[0] in "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳":
        return "circled"
    if label[0].isdigit():
        return "num_close" if label.endswith(("）", ")")) else "num"
    return "cn"


def label_number(label: str) -> int | None:
    """The integer a label counts (``（十二）`` -> 12, ``3.`` -> 3, ``②`` -> 2)."""
    if label[0] in "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳":
        return ord(label[0]) - ord("①") + 1
    core = re.sub(r"[第章节条、.．（()）\s]", "", label)
    return cn_to_int(core)


# ---------------------------------------------------------------- units

#: endings of government bodies and other responsible units
UNIT_SUFFIX = (
    "人民政府", "政府", "管委会", "委员会", "办公室", "领导小组", "小组", "联席会议",
    "局", "委", "厅", "办", "部", "署", "院", "室", "会", "处", "科", "所", "站", "馆",
    "中心", "集团", "公司", "银行", "分行", "支行", "海关", "法院", "检察院", "大学", "学院",
    "学校", "党校", "协会", "商会", "学会", "联合会", "总工会", "团市委", "团省委", "妇联",
    "科协", "工商联", "残联", "侨联", "文联", "社联", "税务局", "监管局", "分局", "银保监局",
    "证监局", "人行", "大队", "支队", "总队", "管理处", "园区", "开发区", "新区", "高新区",
    "各县区", "县区", "县市区", "旗县市区", "市区", "区县", "乡镇", "街道", "各地",
    "部门", "单位", "机构", "指挥部", "工作队", "工作组", "专班", "服务队", "合作社", "供销社",
    "社", "行", "股", "股室",
)  # fmt: skip
_UNIT_END_RE = re.compile(
    "(?:" + "|".join(sorted((re.escape(s) for s in UNIT_SUFFIX), key=len, reverse=True)) + ")"
    r"(?:[（(][^（）()]{1,12}[）)])?$"
)
_UNIT_BAD_RE = re.compile(r"[。；;！？!?“”《》:：]|\d{3,}")
#: collective units: 各县区, 各区、县级市, 各市(州)人民政府, 各有关部门
_COLLECTIVE_RE = re.compile(r"^各[\u4e00-\u9fff（()）]{1,14}$")
#: common words that end in a unit suffix character but name no body: a topic heading
#: (``优化医疗资源布局``, ``构建新发展格局``) is not a department
_NOT_UNIT_WORD_RE = re.compile(
    r"(?:布局|格局|大局|全局|结局|开局|变局|时局|定局|破局|当局|残局|僵局|棋局|局面"
    r"|全部|内部|外部|局部|东部|西部|南部|北部|中部|干部|底部|顶部|头部|总部基地|部署"
    r"|机会|社会|大会|体会|盛会|峰会|年会|博览会|交易会|展会|运动会|洽谈会|推介会|座谈会|发布会"
    r"|好处|益处|长处|短处|到处|之处|各处|深处|场所|住所|处所|网站|车站|场馆|展馆|教室"
    r"|学科|专科|本科|全科|大厅|展厅|举办|创办|督办|开办|兴办|合办|代办|包办|帮办"
    r"|入股|参股|控股|持股|配股|炒股|新股|个股|股份|国有股|优先股"
    r"|旅行|银行卡|执行|运行|试行|推行|施行|实行|进行|先行|通行|出行|同行|可行|发行"
    r"|流行|履行|力行|践行|并行|例行|现行|暂行|言行|品行|德行|步行|航行|飞行|平行)"
    r"(?:[（(][^（）()]{1,12}[）)])?$"
)
#: a unit's name never starts with a measure's verb (``推进…中心``, ``组建…公司``):
#: such a line is a task heading; names that do (``建设银行``) are handled below
_TASK_VERB_RE = re.compile(
    r"^(?:优化|构建|推进|推动|加快|加强|加大|完善|健全|提升|提高|深化|实施|开展|打造|建立|建成"
    r"|建设(?!银行)|促进|支持|强化|落实|做好|创新|扩大|保障|坚持|统筹|营造|培育|持续|全面|大力"
    r"|积极|着力|切实|稳定|巩固|拓展|增强|规范|严格|探索|鼓励|引导|组织|实行|形成|夯实|筑牢"
    r"|激发|释放|畅通|深入|进一步|努力|加速|发挥|鼓励|组建|设立|成立|设置|引进|招引|发展壮大)"
)
#: single characters that end many common words besides names (``行``, ``社``): a name
#: ending in one of them must state a level or area (``县农商行``, ``市供销社``)
_WEAK_END_RE = re.compile(r"(?<![银分支商])行$|(?<![报作销版联])社$")
_LEVEL_START_RE = re.compile(r"^(?:[省市县区州盟旗乡镇]|自治区|国家|中共|中国|中央|全国|各)")


def is_unit_name(s: str) -> bool:
    """Whether ``s`` reads as one responsible unit (``市科技局``, ``各县区政府``, ``青岛海关``).

    A unit is a name ending in a body's suffix (``局``, ``委``, ``中心``,
    ``工作队`` …), optionally with a bracketed note, whose stem is not a
    common word ending in that suffix (``布局``, ``格局``, ``社会`` …) and
    which does not start with a measure's verb (``优化医疗资源布局`` is a
    heading, not a department).
    """
    s = s.strip()
    if not 2 <= len(s) <= 30 or _UNIT_BAD_RE.search(s):
        return False
    if _COLLECTIVE_RE.match(s):
        return True
    if _TASK_VERB_RE.match(s) or _NOT_UNIT_WORD_RE.search(s) or "的" in s:
        return False
    if _WEAK_END_RE.search(s) and not (_LEVEL_START_RE.match(s) or regions_in(s)):
        return False
    return bool(_UNIT_END_RE.search(s))


# ---------------------------------------------------------------- regions

_REGION_PATTERN = (
    r"[\u4e00-\u9fff]{2,8}?(?:自治区|特别行政区|自治州|自治县|自治旗)"
    r"|[\u4e00-\u9fff]{2,4}?(?:省|市|州|盟|地区|县|区|旗)"
)
_REGION_RE = re.compile(_REGION_PATTERN)
#: a further area in a chain: its suffix must not start a word (县域, 县级, 市直, 区属 …),
#: else ``遵义市推进县域…`` would read ``推进县`` as a county
_CHAINED_REGION_RE = re.compile(r"(?:" + _REGION_PATTERN + r")(?![域级块直属场])")
#: nor may it start with a verb of the title (``…市推动市场…``, ``…市加快县乡…``)
_TITLE_VERB_RE = re.compile(
    r"^(?:推进|推动|加快|加强|建设|打造|促进|实施|提升|深化|优化|支持|完善|健全|发展|开展"
    r"|创建|培育|做好|全面|进一步|关于|印发|转发)"
)
_MUNICIPALITIES = ("北京市", "天津市", "上海市", "重庆市")
#: strings ending in a region suffix that name no region
_NOT_IN_REGION = re.compile(r"[我本全该各每其此等和与及的在对]")
_NOT_REGION = re.compile(
    r"^(?:各|全|本|我|该|城|地|县|市|省|区|新(?:时代|发展|型|一代|兴|增|区|城)|高新|开发|园|社|小|校)"
)


def regions_in(s: str) -> list[str]:
    """Administrative areas named in a chain at the start of ``s``.

    ``江北省临江市人民政府办公室`` -> ``['江北省', '临江市']``.
    """
    out: list[str] = []
    pos = 0
    if s.startswith("中共"):
        pos = 2  # party committees: 中共某市委 governs 某市
    while True:
        m = (_CHAINED_REGION_RE if out else _REGION_RE).match(s, pos)
        if not m or _NOT_REGION.match(m.group()) or _NOT_IN_REGION.search(m.group()):
            break
        if out and _TITLE_VERB_RE.match(m.group()):
            break
        out.append(m.group())
        pos = m.end()
    return out


def region_level(name: str) -> str:
    """``province``, ``city`` or ``county`` for an area name (by its suffix)."""
    if name.endswith(("省", "自治区", "特别行政区")) or name in _MUNICIPALITIES:
        return "province"
    if name.endswith(("市", "州", "盟", "地区")):
        return "city"
    return "county"


# ---------------------------------------------------------------- documents

#: endings of policy document titles
DOC_TYPE_SUFFIX = (
    "通知", "意见", "决定", "批复", "通告", "公告", "函", "报告", "方案", "办法", "规定",
    "细则", "计划", "规划", "措施", "纲要", "条例", "规则", "指引", "指南", "要点", "清单",
    "安排", "安排表", "分工表", "任务表", "分解表", "责任表", "一览表", "台账", "任务书",
    "目录", "标准", "规范", "制度", "战略", "行动", "若干政策", "政策", "章程", "守则",
)  # fmt: skip


# ---------------------------------------------------------------- normalisation


class _DropTable(dict[int, int | None]):
    """``str.translate`` table deleting whitespace, punctuation and symbols (memoised)."""

    def __missing__(self, code: int) -> int | None:
        c = chr(code)
        value = None if c.isspace() or unicodedata.category(c)[0] in ("P", "S") else code
        self[code] = value
        return value


_DROP = _DropTable()


@lru_cache(maxsize=1)
def _drop_bmp_re() -> re.Pattern[str]:
    """One character class of every BMP whitespace/P*/S* character (built on first use).

    ``re.sub`` with it is about 2.5x faster than ``str.translate`` with a dict;
    characters beyond the BMP (rare: emoji, extension CJK) go through the table.
    """
    drop = [chr(c) for c in range(0x10000) if not 0xD800 <= c < 0xE000 and _DROP[c] is None]
    return re.compile("[" + "".join(re.escape(c) for c in drop) + "]+")


_ASTRAL_RE = re.compile("[\U00010000-\U0010ffff]")


#: full-width ASCII and the ideographic space -> what NFKC makes of them; mapped first,
#: a line of full-width punctuation passes NFKC's quick check instead of being rebuilt
_HALF_WIDTH = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}


def norm(s: str) -> str:
    """NFKC, then drop whitespace, punctuation and symbols (the gold README's ``norm``)."""
    s = unicodedata.normalize("NFKC", s.translate(_HALF_WIDTH))
    if _ASTRAL_RE.search(s):
        return s.translate(_DROP)
    return _drop_bmp_re().sub("", s)


def to_halfwidth(text: str) -> str:
    """``text`` with full-width ASCII and the ideographic space mapped as NFKC maps them.

    Character for character (offsets hold), so ``to_halfwidth(t)[a:b]`` is
    ``text[a:b]`` mapped.  On code points in numpy: ``str.translate`` with a
    dict costs a lookup per character, ten times as much on a long text.
    """
    codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32).copy()
    codes[(codes >= 0xFF01) & (codes <= 0xFF5E)] -= 0xFEE0
    codes[codes == 0x3000] = 0x20
    return codes.tobytes().decode("utf-32-le", "surrogatepass")


def norm_spans(text: str, spans: Iterable[tuple[int, int]]) -> list[str]:
    """``[norm(text[a:b]) for a, b in spans]``, with the per-text work done once.

    The half-width mapping is applied once to the whole text
    (:func:`to_halfwidth`) instead of per span.
    """
    narrow = to_halfwidth(text)
    drop = _drop_bmp_re().sub
    normalize = unicodedata.normalize
    out: list[str] = []
    for a, b in spans:
        s = normalize("NFKC", narrow[a:b])
        # NFKC maps some BMP characters (compatibility ideographs) beyond it
        out.append(s.translate(_DROP) if _ASTRAL_RE.search(s) else drop("", s))
    return out


def doc_text(doc: Any) -> str:
    """``doc.text`` cached in ``doc.user_data['pkg_text']`` (spaCy rebuilds it per access)."""
    cached = doc.user_data.get("pkg_text")
    if cached is None:
        cached = doc.text
        doc.user_data["pkg_text"] = cached
    return str(cached)
