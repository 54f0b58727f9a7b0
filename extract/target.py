"""City targets metric: quantified goals with value, unit, comparator and year.

A target is a number the document commits to reach: ``每万人口发明专利数达到
12件``, ``新增5—8个重点实验室``, ``政务服务事项网上可办率达到95%以上``.  The
rules read the clause around every number with a measure word:

* value: Arabic or Chinese numerals (before or after the object: ``新建…
  五万亩``), ranges (``1~2``, ``5—8``, ``五至八``, with the unit on both ends
  ``2.5%-3%``, ``50亿~60亿元``), magnitudes kept as written (``6万件`` -> 6,
  unit ``万件``, ``normalized_value`` 60000; also 千), per-capita and per-year
  units (``件/万人``, ``/10万``, ``人/千人``, ``人次/年``, ``场次``; a base before
  the number, ``达到每万人30个``, gives ``个/万人``), ``%`` and ``个百分点``,
  units in Latin letters right after the number (``30GWh``, ``10Gbps``,
  ``120km``; not ``5G``/``4K`` nor letters glued to a noun, ``220kV变电站``) and
  technical ones (``吨标准煤/万元``, ``立方米/秒``); in ``由A增加到B`` the value is B;
  a sentence hard-wrapped over lines is read as one (``…护理型床位`` with
  ``6000张`` on the next line);
* metric: what is measured, as written, without number, comparator, the
  leading verb or time word (``全年新增``); written before the number
  (``X达到N件``) or after it (``培育N家X``); a growth rate with an elided
  subject (``X达到N亿元，年均增长M%``) is the growth of the same metric; a
  threshold inside the counted thing (``超10亿元项目不少于40个``) is part of the
  metric, not a goal; list labels (``（一）``, ``一是``) are no part of it;
* comparator: ``>=`` (达到/超过/不低于/力争/以上 …), ``<=`` (以下/不超过/
  以内/控制在/压缩至 …, also a cap on an added amount), ``increase``
  (新增/新建/新+verb/再+verb … by an amount), ``pct_increase`` (增长/提高 … by
  a percentage), else ``=`` (also 稳定在…左右); a ``其中`` part of an added
  amount is ``increase`` too;
* year: a year in the sentence (``到2020年``, ``“十四五”末``) wins; else a
  scope opened by an earlier paragraph of the same document (``主要目标。到
  2020年，…`` until the next heading of its level, a table heading ``2017年
  目标``), else the plan period of the document (title ``(2021—2025年)``,
  ``郑州市2023年…方案``, ``“十四五”…规划``; periods of 《cited》 titles do
  not count); a plan period the sentence names (``“十四五”期间``, ``2024—2026年
  期间``, ``三年行动期间``) gives its end year; recurring goals (``每年…``,
  ``全年…`` in a plan longer than a year) have year None and a ``/年`` unit.
* indicator tables (序号/指标/单位/2020年现状/2025年目标/属性, one row per line
  or flattened one cell per line): one goal per row and target column, the
  year from the column header, ``≥``/``≤`` as comparators, the baseline
  columns ignored; a table of past figures only (``2023年完成``, ``现状``, a year
  before the document's) gives no goal.

Not targets: history (a background section such as ``现有基础``, ``截至``,
``已``, ``了``, a past plan period ``“十三五”时期…``, a year before the
document's issue or plan start ``2022年，…`` in a 2023 plan), another
document's goals restated (``《X》提出…``), dates, 文号, list and cell
numbering, hotlines, durations (``通过3年努力``, ``提供7天免费住宿``),
rankings (``前10位``), references (``围绕22条产业链``), a document's size
(``共8条``), subsidies and rules (``给予…奖励``, ``补贴每人500元``,
``不得低于``, ``按…比例``; a subsidy word inside the metric, ``补贴性培训``,
is no rule), pools (``从200项…中``), attributes (``投入超过1000万元的企
业``), forecasts of the situation (``老年人口将超过110万人``, ``据预测…``),
phases and names (``二期``, ``两个维护``, ``15分钟生活圈``), page chrome (view
counters, QR-code promotions).  A restated goal
(same value, unit, year and a similar metric) is one record per document.

Public API
----------
``parse_number(s)``, ``parse_quantity(s)``, ``Quantity``
``plan_period(title, opening="", *, not_before=None)``, ``plan_year(...)``
``find_targets(text, start=0, end=None, *, document_key, region, ...)``
``TargetExtractor``: the ``policykg_targets`` spaCy component.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import chain

from spacy.language import Language
from spacy.tokens import Doc, Span

from policykg.extract import doc_attrs
from policykg.extract.attribution import (
    CLAUSE_BREAK,
    MAX_CLAUSE_REACH,
    DocumentIndex,
    SpanSet,
    clause_bounds,
    trimmed_evidence,
)
from policykg.extract.citation import find_titles
from policykg.extract.genre import LABEL_RE, cn_to_int, doc_text, label_kind
from policykg.extract.indicators import match_indicator
from policykg.extract.model import Comparator, DocumentRecord, TargetRecord

__all__ = [
    "Quantity",
    "TargetExtractor",
    "bigram_dice",
    "find_targets",
    "make_target_extractor",
    "parse_number",
    "parse_quantity",
    "plan_period",
    "plan_year",
]

doc_attrs.register()

# ---------------------------------------------------------------- numbers

_CN_NUM = "零〇○一二两三四五六七八九十百千"
_MAGNITUDE = {"万亿": 1e12, "千亿": 1e11, "百亿": 1e10, "亿": 1e8, "千万": 1e7, "百万": 1e6,
              "十万": 1e5, "万": 1e4, "千": 1e3}  # fmt: skip


_FULL_WIDTH_DIGITS = str.maketrans("０１２３４５６７８９．", "0123456789.")


def parse_number(s: str) -> float | None:
    """``17`` / ``2.88`` / ``１２`` / ``十五`` / ``二点五`` -> float; None if not a number."""
    s = s.strip().replace(",", "").replace("，", "")
    if not s:
        return None
    s = s.translate(_FULL_WIDTH_DIGITS)
    try:
        return float(s)
    except ValueError:
        pass
    if "点" in s:
        whole, _, frac = s.partition("点")
        w = cn_to_int(whole) if whole else 0
        digits = "".join(str(cn_to_int(c)) if cn_to_int(c) is not None else "" for c in frac)
        if w is None or len(digits) != len(frac):
            return None
        return float(f"{w}.{digits}")
    v = cn_to_int(s)
    return float(v) if v is not None else None


# Measure words, longest first.  Magnitudes (万/亿 …) are read separately and
# kept in the unit as written (6万件 -> unit 万件).
_UNITS = (
    "个百分点", "百分点", "个工作日", "工作日", "人年", "平方公里", "平方米", "立方米", "万千瓦",
    "千瓦时", "千瓦", "微克/立方米", "毫克/立方米", "毫克/升",
    "亿元", "万元", "千元", "美元", "元", "公里", "千米", "公顷", "小时", "分钟", "学时", "课时",
    "%", "％", "‰",
    "个", "家", "项", "件", "人", "名", "户", "种", "门", "次", "所", "座", "条", "套", "台", "处",
    "批", "支", "场", "篇", "部", "本", "册", "天", "年", "倍", "张", "床", "辆", "亩", "吨",
    "位", "款", "株", "头", "只", "间", "期", "届", "站", "村", "镇", "宗", "笔", "份", "组", "队",
    "级", "星", "列", "趟", "班", "架", "艘", "分", "斤", "公斤", "千克", "克", "米", "延米",
    "标箱", "标准箱", "兆瓦", "吉瓦", "千伏安", "平方千米",
    "园", "片", "盏", "棵", "标", "例", "余人", "岁", "起", "秒", "毫秒",
    # energy and emissions: 吨标准煤 (tce), 兆瓦时, 千伏
    "吨标准煤", "吨标煤", "吨二氧化碳", "兆瓦时", "吉瓦时", "千伏",
)  # fmt: skip
# a count of events: 人次, 场次, 架次, 班次 … (a measure word + 次)
_TIMES_UNIT = r"[人件户家批场架车班航台辆艘课]次"
_UNIT_ALT = (
    _TIMES_UNIT + "|" + "|".join(re.escape(u) for u in sorted(set(_UNITS), key=len, reverse=True))
)
_MAG_ALT = "|".join(sorted(_MAGNITUDE, key=len, reverse=True))
_NUM_PAT = rf"(?:\d+(?:\.\d+)?|[{_CN_NUM}]+(?:点[{_CN_NUM}]+)?)"
# no tab or line break inside a quantity: in a table they separate cells
_GAP = r"[ \u00a0\u3000]?"
_RANGE_SEP = rf"{_GAP}(?:~|～|〜|—{{1,2}}|–|-|－|至|到){_GAP}"
# what a rate is counted per: 件/万人, 人/10万人, /千人, 人次/年, 元/平方米
_PER_BASE = (
    r"(?:常住人口|人口|人|户|家|企业|年|季度|月|周|日|天|小时|秒|平方公里|平方米|立方米|公里|亩|床|"
    r"万元|元|吨|辆|升)"
)
_PER_SCALE = r"(?:\d+|[十百千])?(?:万|千|百)"
_PER = (
    rf"(?:[/／](?:{_PER_SCALE})?{_PER_BASE}"
    rf"|每(?:{_PER_SCALE})?(?:人口|人|户|年|月|家|企业|平方公里))"
)
# a unit in Latin letters (30GWh, 10Gbps, 120km, 500TB, 10000PFlops, 220kV): a bounded
# run of letters right after the number, one letter only for an SI symbol (5G, 4K, 3D,
# 5A name generations and grades); it must end the phrase (30GWh以上, 10Gbps，), for
# letters glued to a noun (5GA网络, 220kV变电站) are part of a name
_LATIN_UNIT = (
    rf"(?:[μµ][A-Za-z]{{1,3}}|[A-Za-z]{{2,8}}|[mgtWVLh])[²³]?"
    rf"(?:[/／](?:[A-Za-z]{{1,4}}[²³]?|{_PER_BASE}))?"
    r"(?![A-Za-z\d])(?![\u4e00-\u9fff](?<![以左及之的、和或与至到每]))"
)
# the first number: _NUM_PAT written to open with one character class, so that the
# regex engine skips ahead to the next digit or numeral in C instead of trying the
# whole pattern at every character.  A number starts where its run of digits (or
# Chinese numerals) starts: never try it from inside the run (each such try rescans
# the run: quadratic on long runs); the lookbehinds see the opening character and
# the one before it.
_FIRST_NUM_PAT = (
    rf"[\d{_CN_NUM}](?:(?<=\d)(?<![\d.]\d)\d*(?:\.\d+)?"
    rf"|(?<=[{_CN_NUM}])(?<![{_CN_NUM}][{_CN_NUM}])[{_CN_NUM}]*(?:点[{_CN_NUM}]+)?)"
)
QUANTITY_RE = re.compile(
    rf"(?P<v1>{_FIRST_NUM_PAT})(?:(?P<u1>(?:{_MAG_ALT})?(?:{_UNIT_ALT}|{_LATIN_UNIT})?){_RANGE_SEP}"
    rf"(?P<v2>{_NUM_PAT}))?"
    rf"{_GAP}(?P<mag>{_MAG_ALT})?"
    rf"(?:(?P<unit>{_UNIT_ALT})(?P<per>{_PER})?|(?P<rate>[/／]{_PER_SCALE}{_PER_BASE}?)"
    rf"|{_GAP}(?P<latin>{_LATIN_UNIT}))"
)


@dataclass(frozen=True, slots=True)
class Quantity:
    """A number with its unit as written (``6万件``: value 6, unit ``万件``)."""

    value: float
    value_max: float | None
    unit: str
    normalized_value: float | None
    start: int = 0
    end: int = 0
    chinese: bool = False


# the same few numbers (1, 10, 2025, 三) recur on every page
_number = lru_cache(maxsize=4096)(parse_number)


def _quantity_from_match(m: re.Match[str]) -> Quantity | None:
    v1 = _number(m.group("v1"))
    v2 = _number(m.group("v2")) if m.group("v2") else None
    if v1 is None or (m.group("v2") and v2 is None):
        return None
    mag = m.group("mag") or ""
    base = m.group("unit") or m.group("latin") or ""
    per = m.group("per") or m.group("rate") or ""
    unit = mag + base + per.replace("／", "/").replace("每", "/")
    unit = unit.replace("％", "%")
    u1 = (m.group("u1") or "").replace("％", "%")
    if u1 and not unit.startswith(u1):
        return None  # 5家—10个: two quantities, not a range
    factor = _MAGNITUDE.get(mag, 1.0)
    if base == "亿元":
        factor *= 1e8
    elif base == "万元":
        factor *= 1e4
    chinese = not m.group("v1")[0].isdigit()
    return Quantity(v1, v2, unit, v1 * factor, m.start(), m.end(), chinese)


def parse_quantity(s: str) -> Quantity | None:
    """The first quantity in ``s``: ``6万件`` -> Quantity(6, None, '万件', 60000)."""
    m = QUANTITY_RE.search(s)
    return _quantity_from_match(m) if m else None


# ---------------------------------------------------------------- years

_PERIOD_END = {"十五": 2005, "十一五": 2010, "十二五": 2015, "十三五": 2020, "十四五": 2025,
               "十五五": 2030, "十六五": 2035}  # fmt: skip
_FYP = r"[“\"‘]?(?P<fyp>十[一二三四五六]?五)[”\"’]?"
_PERIOD_RE = re.compile(
    r"(?P<start>(?:19|20)\d{2})\s*年?\s*[—\-–~～至到]+\s*(?P<end>(?:19|20)\d{2})\s*年"
)
# a year in a title: 2017年…计划, 郑州市2023年…方案, …建设2023年工作要点 (not a date
# 2023年3月, not a long-range vision 2035年远景目标)
_TITLE_YEAR_RE = re.compile(r"(?P<y>(?:19|20)\d{2})\s*年(?:度)?(?!\s*\d{1,2}\s*月|远景|愿景)")
_FYP_RE = re.compile(_FYP + r"(?:时期|期间|末|期末|规划|计划|发展规划)?")
_FYP_PLAN_RE = re.compile(_FYP + r"(?:时期|规划|发展规划)")
# 第十四个五年规划 -> 十四五
_NTH_FYP_RE = re.compile(r"第(?P<n>十[一二三四五六]?)个五年")
_CITED_TITLE_RE = re.compile(r"《[^《》\n]{0,120}》")


def _mask_cited(s: str) -> str:
    """Blank the 《titles》 a text cites: their periods are not its own."""
    if "《" not in s:
        return s
    return _CITED_TITLE_RE.sub(lambda m: " " * len(m.group()), s)


def _fyp_period(fyp: str) -> tuple[int, int] | None:
    end = _PERIOD_END.get(fyp)
    return (end - 4, end) if end else None


def _reports_figures(text: str, pos: int) -> bool:
    """Whether the sentence at ``pos`` reports figures (“十三五”时期，…增加到4.2万元): history."""
    a = max(text.rfind(c, 0, pos) for c in "。；;\n")
    ends = [k for k in (text.find(c, pos) for c in "。；;\n") if k != -1]
    sentence = text[a + 1 : min(ends) if ends else len(text)]
    return any(m.group("v1")[0].isdigit() for m in QUANTITY_RE.finditer(sentence))


def plan_period(
    title: str | None, opening: str = "", *, not_before: int | None = None
) -> tuple[int, int] | None:
    """``(start, end)`` years of the document's plan period, if its title or opening states one.

    ``…实施方案(2023-2025年)`` -> (2023, 2025); ``郑州市2023年…方案`` -> (2023, 2023);
    ``…“十四五”…规划`` -> (2021, 2025); an untitled plan whose opening says
    ``“十四五”时期`` or ``(2021—2025年)`` -> (2021, 2025).  Titles the opening cites
    in 《》 do not count, nor (with ``not_before``, the year the document was issued)
    an opening period that ended before the document: that is its history.
    """
    if title:
        # a title naming 《X（2023—2025年）》 (关于印发/贯彻…) works to X's period
        t = title
        m = _PERIOD_RE.search(t)
        if m:
            return int(m.group("start")), int(m.group("end"))
        m = _TITLE_YEAR_RE.search(t)
        if m:
            y = int(m.group("y"))
            return y, y
        m = _FYP_RE.search(t)
        if m:
            return _fyp_period(m.group("fyp"))
        m = _NTH_FYP_RE.search(t)
        if m:
            return _fyp_period(m.group("n") + "五")
    if opening:
        op = _mask_cited(opening)
        found: list[tuple[int, int]] = []
        for m in _FYP_PLAN_RE.finditer(op):
            p = _fyp_period(m.group("fyp"))
            if p and not _reports_figures(op, m.start()):
                found.append(p)
        if not found:
            found = [(int(m.group("start")), int(m.group("end"))) for m in _PERIOD_RE.finditer(op)]
        found = [p for p in found if not_before is None or p[1] >= not_before]
        if found:
            return found[0]
    return None


def plan_year(title: str | None, opening: str = "", *, not_before: int | None = None) -> int | None:
    """End year of the document's plan period, if its title or opening states one.

    ``…实施方案(2023-2025年)`` -> 2025; ``2017年…推进计划`` -> 2017;
    ``…“十四五”…规划`` -> 2025; an untitled plan whose opening says
    ``“十四五”时期`` or ``(2021—2025年)`` -> 2025.  See :func:`plan_period`.
    """
    p = plan_period(title, opening, not_before=not_before)
    return p[1] if p else None


# a year stated in the sentence before the number
_EXPLICIT_YEAR_RE = re.compile(
    r"(?:(?:(?<![截止])到|(?<![截止])至|在|于)\s*(?P<y1>(?:19|20)\d{2})\s*年(?:底|末)?"
    r"|(?P<y2>(?:19|20)\d{2})\s*年(?:底|末)?前"
    r"|(?P<y3>(?:19|20)\d{2})\s*年(?:底|末)"
    r"|(?:^|[，,；;。])\s*(?P<y4>(?:19|20)\d{2})\s*年\s*(?:[，,]|(?=[全我本该各]))"
    r"|(?:到|在|至)?" + _FYP + r"(?:期末|末))"
)
# a paragraph that opens a year scope for what follows (到2020年 …)
_SCOPE_YEAR_RE = re.compile(
    r"(?<![截止])(?:到|至)\s*(?P<y>(?:19|20)\d{2})\s*年(?:底|末)?|(?:到|至)?"
    + _FYP
    + r"(?:期末|末)"
)
# a table heading or caption naming the year of the rows below
_TABLE_YEAR_RE = re.compile(
    r"^(?P<y>(?:19|20)\d{2})\s*年度?[^。；;，,]{0,16}(?:目标|任务|计划|安排|分工)[^。；;，,]{0,8}$"
)
_BACKGROUND_RE = re.compile(
    r"(?:发展背景|现有基础|发展基础|工作基础|发展现状|基本现状|现状分析|工作回顾|发展回顾|"
    r"取得的成效|主要成效|工作成效|发展成就|主要成就|取得的成绩|基本情况)"
)
_PAST_SENTENCE_RE = re.compile(
    r"(?:截至|截止|(?<![而不])已|同比|比上年|较上年|上年度|去年|前三季度|上半年)"
)
# a cited document as the subject: 《X》提出/明确/要求… restates X's goals
_CITED_SAYS_RE = re.compile(
    r"(?:^|[，,：:])\s*(?:该|这份)?《[^《》]{1,60}》[^；;。《》]{0,16}?(?:提出|明确|指出|强调|规定)"
)
# 了 marks a completed action (not 为了/除了/了解)
_PERFECT_RE = re.compile(r"(?<![为除])了(?!解)")
_ALREADY_RE = re.compile(r"(?<![而不])已(?:经|有|实现|建成|完成|达到|覆盖|形成)")
_PAST_PERIOD_RE = re.compile(_FYP + r"(?:期间|时期|以来)")

# ---------------------------------------------------------------- metric and comparator

_GE_CUES = ("达到", "达", "超过", "超", "不低于", "不少于", "至少", "突破", "力争", "高于", "多于",
            "大于", "≥", "＞",
            "提高到", "提高至", "提升到", "提升至", "增加到", "增加至", "增长到", "增长至",
            "增至", "升至", "保持在", "稳定在", "争取", "扩大到", "扩大至", "上升到",
            "上升至")  # fmt: skip
_LE_CUES = ("不超过", "不高于", "不多于", "不大于", "小于", "≤", "＜", "控制在", "低于", "少于",
            "压缩至", "压缩到", "缩短至", "缩短到",
            "降至", "降低到", "降低至", "下降到", "下降至", "减少到", "减少至", "压减至",
            "控制到", "缩减至", "缩减到", "压降至", "压降到", "减至", "缩至", "降到")  # fmt: skip
_INCREASE_CUES = ("新增", "增加", "新建", "新聚集", "增设", "新培育", "新引进", "新认定", "净增",
                  "新设立", "新建成", "新开工", "新招引", "新组建", "新发展", "新创建", "新获批",
                  "新落地", "扩容")  # fmt: skip
_GROWTH_CUES = ("增长", "提高", "提升", "增加", "增速")
#: words between a metric and its number that are not part of the metric
_TRAIL_WORDS = (
    "年均", "累计", "总计", "共计", "共", "约", "近", "将", "要", "应", "为", "是", "在", "有",
    "可", "下降", "降低", "减少", "左右", "以上", "以下", "以内", "逐步", "分别", "力争", "努力",
    "确保", "实现", "达成", "基本", "每年", "每季度", "每月", "平均", "压缩", "缩短", "压减",
    "进一步", "持续", "稳步", "逐年", "再", "更", "拥有",
)  # fmt: skip
_TRAIL_RE = re.compile(
    "(?:"
    + "|".join(
        re.escape(c)
        for c in sorted(
            {*_GE_CUES, *_LE_CUES, *_INCREASE_CUES, *_GROWTH_CUES, *_TRAIL_WORDS},
            key=len,
            reverse=True,
        )
    )
    + r")$"
)

# a comparison base after the metric: 较“十三五”, 比2020年, 较上年 (not 比重/比例/比率)
_COMPARE_BASE_RE = re.compile(
    r"(?:(?:较|比)(?![重例率])(?:[“\"][^”\"]{1,8}[”\"](?:末|时期|期末)?|(?:19|20)\d{2}年(?:底|末)?"
    r"|上年|上一年|去年|基期|现有水平|目前)|同比|环比)$"
)
# verbs that introduce a counted object (培育N家X) and fillers before a metric
_VERBS = (
    "培育", "培植", "培养", "引进", "引入", "新增", "增加", "增设", "新建", "建成", "建设", "打造",
    "设立", "形成", "创建", "认定", "推动", "支持", "完成", "组织实施", "启动实施", "实施", "开展",
    "举办", "组织", "推进", "扶持", "推介", "编写", "开发", "配备", "遴选", "优选", "评选", "选树",
    "发展", "招引", "吸引", "带动", "培训", "提升", "建立", "成立", "申报", "获批", "孵化", "认证",
    "新登记", "新注册", "新设", "设置", "配置", "推出", "新招聘", "新招录", "新录用", "新聘用",
    "新招收", "开行", "新建成", "改扩建", "共建",
    "资助", "安排", "争创", "新聚集", "聚集", "集聚", "新认定", "创办", "举行", "召开", "制定",
    "出台", "达成", "实现", "提供", "帮扶", "救助", "筛查", "接种", "覆盖", "改造", "新开工",
    "开工",
    "竣工", "签约", "开通", "落户", "入驻", "投产", "上线", "开设", "引育", "储备", "新培育",
    "新引进", "力争", "确保", "努力", "着力", "鼓励",
    "引导", "争取", "探索", "打造提升", "打造形成", "扶持推介", "重点", "择优", "累计", "新设立",
    "服务", "助推", "促成", "挂牌", "布局", "部署", "创作", "出版", "制作", "录制", "降低",
    "减少", "下降", "压减", "压缩", "再", "共", "约", "近", "总计", "使", "让", "把", "将", "对",
    "全市", "全省", "全区",
    "全县", "全州", "全旗", "全盟", "我市", "我省", "本市", "本省", "各地", "每年", "年均",
    "每季度", "全年", "年内", "当年", "今年",
    "其中", "同时", "并", "且", "和", "及", "以及", "与", "或", "或者", "、", "基本", "进一步",
    "逐步", "分别", "在此基础上", "以上",
)  # fmt: skip
_VERB_ALT = "|".join(re.escape(v) for v in sorted(set(_VERBS), key=len, reverse=True))
# a plan period named before the goal: 2024—2026年期间, 三年行动期间, 规划期内
_SPAN_PERIOD = (
    r"(?P<ps>(?:19|20)\d{2})\s*年?\s*[—\-–~～至到]+\s*(?P<pe>(?:19|20)\d{2})\s*年"
    r"(?:期间|时期|期内|内)?"
)
_PLAN_TERM = (
    r"(?:(?<![去近前])(?:[一二两三四五六七八九十]|\d{1,2})年(?:行动|攻坚|计划|规划)?|(?:本|该)?(?:规划|计划|行动|方案)"
    r"(?:实施)?)(?:期间|期内|时期|期末)|(?:今后|未来)(?:[一二两三四五]|\d)年(?:内|间)?"
)
_LEAD_RE = re.compile(
    rf"(?:\s|(?:新|再)?(?:{_VERB_ALT})|(?:到|至|在)?(?:19|20)\d{{2}}年(?:底|末)?(?:前)?"
    rf"|(?:到|在|至)?{_FYP}(?:规划)?(?:期末|末|期间|时期|期内)?"
    rf"|{_SPAN_PERIOD.replace('?P<ps>', '').replace('?P<pe>', '')}|{_PLAN_TERM}"
    # a time frame: 3年内, 用两年时间
    r"|(?:用|通过|经过)?(?:\d{1,2}|[一二两三四五六七八九十]{1,2})(?:年|个月)(?:内|时间|左右))"
)
# a list label opening the clause: （一）, 1., ①, 一是, 其一
_ITEM_LABEL_RE = re.compile(
    r"\s*(?:"
    + LABEL_RE.pattern.replace("?P<label>", "")
    + r"|[一二三四五六七八九十]是|其[一二三四五])\s*"
)
_FILLERS = frozenset(
    ("使", "让", "把", "将", "对", "全市", "全省", "全区", "全县", "全州", "全旗", "全盟", "我市",
     "我省", "本市", "本省", "各地", "每年", "年均", "每季度", "全年", "年内", "当年", "今年",
     "其中", "同时", "并", "且", "和",
     "及", "以及", "与", "或", "或者", "、", "基本", "进一步", "逐步", "分别", "在此基础上",
     "以上", "再", "共", "约", "近", "总计", "累计", "重点", "力争", "确保", "努力",
     "着力", "争取")
)  # fmt: skip
_ACTION_ALT = "|".join(re.escape(v) for v in sorted(set(_VERBS) - _FILLERS, key=len, reverse=True))
_VERB_END_RE = re.compile(rf"(?:{_ACTION_ALT})$")
# 新招聘 / 再推出 N: a verb marked as adding to what exists
_NEW_VERB_RE = re.compile(r"(?:新|再)[\u4e00-\u9fff]")
_R_LEAD_RE = re.compile(r"^(?:\s|以上|及以上|左右|以下|以内|余|多|的)+")
# clauses that state rules, subsidies or pools, not goals
_RULE_RE = re.compile(
    r"(?:给予|不得|按照?[^，,。；;]{0,12}比例|最高|一次性|罚款|处以|期限为|有效期|"
    r"从[^，,。；;]{0,20}中)"
)
# a subsidy word governs the number (补贴每人500元, 奖励50万元) only when it stands
# right before it; inside a metric (补贴性培训, 补助资金…的比例) it names the measured thing
_SUBSIDY_WORD = r"(?:奖励|补助|补贴|资助|奖补|扶持资金|补偿)"
_SUBSIDY_BEFORE_RE = re.compile(
    _SUBSIDY_WORD
    + r"(?:标准|金额|额度|资金)?(?:为|按|达)?(?:每[\u4e00-\u9fff]{1,3}?)?(?:最高|不超过)?\s*$"
)
# 1000元求职补贴 / 500万元项目资助: a money amount that is the subsidy itself
_SUBSIDY_AFTER_RE = re.compile(r"(?:的)?[\u4e00-\u9fff]{0,4}?" + _SUBSIDY_WORD)
# a money amount per item (单个项目不超过100万元, 每家企业最高…): a subsidy's cap
_PER_ITEM_RE = re.compile(r"\s*(?:单(?:个|笔|项|家|户|次|人)|每(?:个|家|户|人|项|笔|次))")
_MONEY_UNIT_RE = re.compile(r"^(?:[万亿千百]+)?(?:元|万元|亿元|美元)")
# the number counts something the goal refers to, not a goal (围绕22条产业链)
_REFERENCE_BEFORE_RE = re.compile(
    r"(?:围绕|聚焦|针对|依托|立足|瞄准|对照|面向|对接|根据|按照|结合)\s*$"
)
# the size of a document (《措施》共8条, 本方案分为5个部分)
_ARTICLE_COUNT_RE = re.compile(
    r"(?:》|本(?:措施|方案|办法|意见|规定|条例|细则|计划|规划|通知|政策)|措施|方案|办法|意见|细则|"
    r"规定|条例|政策)\s*(?:共|共计|总计|包括|包含|分为|分|含|涵盖|主要包括|从)\s*"
    r"(?:[\d一二三四五六七八九十]+\s*[章节条款篇个]、?)*\s*$"
)
_ARTICLE_UNITS = frozenset(("条", "章", "节", "款", "部分", "个方面", "方面", "篇", "项"))
# web page chrome on a short line: view counters, site uptime, QR-code promotions
_CHROME_LINE_RE = re.compile(
    r"(?:阅读数|阅读量|阅读次数|浏览次数|浏览量|浏览数|点击量|点击数|点击排行|访问量|访问次数|"
    r"访客数|本站|扫码关注|扫一扫|关注微信|关注公众号|领取[^，,。]{0,8}红包|抢红包|字号[：:]|"
    r"打印本页|关闭窗口)"
)
# 从300个储备项目中: a pool (从业/从事 are words of their own)
_FROM_POOL_RE = re.compile(r"从(?![业事])[^，,。；;]{0,6}$")
_RANK_BEFORE_RE = re.compile(r"(?:前|第|排名|位列|位居|进入|居)\s*$")
_DURATION_AFTER_RE = re.compile(r"^(?:努力|时间|内|来|之内|以来|左右时间|间|月|的时间|后|前)")
_DURATION_BEFORE_RE = re.compile(r"(?:通过|用|经过|利用|历时|近|连续|每隔|再用)\s*$")
# a number at the start of a line or a table cell
_CELL_SEPARATORS = "\t|｜│"
_CELL_SPACES = " \u3000\xa0"


def _opens_cell(text: str, ls: int, s: int) -> bool:
    """True if ``s`` opens the line ``ls`` starts, or a cell (after a tab, a bar, 2 spaces).

    Looks back over the spaces before ``s`` only (a long line is not rescanned for
    each number on it).
    """
    i = s
    while i > ls and text[i - 1] in _CELL_SPACES:
        i -= 1
    if i == ls or s - i >= 2:
        return text.find("\n", ls, i) == -1
    return text[i - 1] in _CELL_SEPARATORS and text.find("\n", ls, i) == -1


# 由8520元增加到12860元: the first number is where the change starts
_CHANGE_TO = r"(?:增加|提高|提升|增长|上升|扩大|下降|降低|减少|缩短|压缩|缩减|降|升|增)(?:到|至)"
_FROM_BEFORE_RE = re.compile(r"(?:由|从)\s*\Z")
_FROM_VALUE_AFTER_RE = re.compile(r"[ \u3000]*(?:以上|左右)?[^，,；;。\d]{0,5}?" + _CHANGE_TO)
_FROM_TO_LEFT_RE = re.compile(r"(?:由|从)[^，,；;。由从]{1,30}?(?=" + _CHANGE_TO + r"\Z)")
# a year named as the base of a comparison (较2020年末, 比2020年)
_COMPARED_YEAR_RE = re.compile(r"(?:较|比|与|同)\s*\Z")
_DURATION_UNITS = frozenset(("年", "天", "个工作日", "工作日", "小时", "分钟"))
# a metric that measures time (办理时限, 优良天数, 平均用时)
_DURATION_METRIC_RE = re.compile(r"(?:时间|时限|时长|用时|周期|天数|期限|工作日|办结|耗时)")
# goal verbs that let a Chinese numeral count something (新建…五万亩, 达到十五万人)
_CN_CUES = (r"(?:达到|达|超过|突破|新增|增加|新建|力争|不低于|不少于|培育|建成|建设|打造|设立|"
            r"引进|培养|举办|开展|支持|创建|招引|建立|组建)")  # fmt: skip
_CN_CUE_END_RE = re.compile(_CN_CUES + r"\s*\Z")
_CN_CUE_RE = re.compile(_CN_CUES)
# nothing but a closing word after the quantity (…示范村二十个；), unlike 三位一体的
_CLAUSE_END_RE = re.compile(r"(?:以上|左右|及以上)?[ \u3000]*(?:[，,。；;、）)]|\Z|$)")


@dataclass(slots=True)
class _Prev:
    """The previous goal of the line: what a list item or an elided subject refers to."""

    end: int
    comparator: Comparator
    orientation: str
    metric: str
    sentence: int


_LIST_CONNECT_RE = re.compile(r"^[\s、，,和及与以及或者并且、]*$")
_QUOTE_SPAN_RE = re.compile(r"[“\"'‘][^”\"'’\n]{0,20}[”\"'’]")
_SENTENCE_BREAK_RE = re.compile(r"[。；;！？!?\n\r]")
# inside a paragraph wrapped over lines the line breaks end nothing
_WRAPPED_SENTENCE_BREAK_RE = re.compile(r"[。；;！？!?]")
_WRAPPED_CLAUSE_BREAK = CLAUSE_BREAK - {"\n", "\r"}
_LINE_WRAP_RE = re.compile(r"[ \t\u3000\xa0]*\r?\n[ \t\u3000\xa0]*")


@dataclass(slots=True)
class _DocState:
    """Per-document context while reading paragraphs in order."""

    default_year: int | None = None
    #: first year of the plan period (None when the document states none)
    plan_start: int | None = None
    #: a stated year before this one is history (the plan start or the issue year)
    ref_year: int | None = None
    section_level: int = 99
    scope_year: int | None = None
    scope_level: int = -1
    past_level: int | None = None
    table_year: int | None = None
    #: goals already recorded, by (value, value_max, unit, year)
    seen: dict[tuple[float, float | None, str, int | None], list[TargetRecord]] = field(
        default_factory=dict
    )


_DATE_YEAR_RE = re.compile(r"^\s*((?:19|20)\d{2})")


def _new_state(
    title: str | None, opening: str, date: str | None, default_year: int | None = None
) -> _DocState:
    """The year context of a document from its title, opening and issue date."""
    dm = _DATE_YEAR_RE.match(date or "")
    issued = int(dm.group(1)) if dm else None
    period = plan_period(title, opening, not_before=issued)
    year = default_year if default_year is not None else (period[1] if period else None)
    start = period[0] if period else None
    refs = [y for y in (start, issued) if y is not None]
    return _DocState(default_year=year, plan_start=start, ref_year=max(refs) if refs else None)


_LEVELS = {"chapter": 0, "article": 1, "cn": 1, "cn_paren": 2, "num": 3, "num_paren": 4,
           "circled": 5}  # fmt: skip


@lru_cache(maxsize=4096)
def _label_level(label: str) -> int | None:
    # labels repeat (一、, （二）, 3.) on nearly every heading line: classify each once
    return _LEVELS.get(label_kind(label))


def _heading_level(line: str, m: re.Match[str] | None = None) -> int | None:
    """Level of the heading ``line`` opens with a list label (``m``: its LABEL_RE match)."""
    m = m or LABEL_RE.match(line)
    return _label_level(m.group("label")) if m else None


_HEAD_CORE_RE = re.compile(r"^[^，,。；;：:！!？?\s]{1,30}")


def _is_background_heading(line: str, m: re.Match[str] | None = None) -> bool:
    """``一、发展背景`` / ``（一）现有基础``: a section of history, not of goals."""
    m = m or LABEL_RE.match(line)
    rest = line[m.end() :].strip() if m else line
    core = _HEAD_CORE_RE.match(rest)
    if core is None:
        return False
    bm = _BACKGROUND_RE.search(core.group())
    return bm is not None and bm.end() == len(core.group()) and bm.start() <= 8


# metrics too thin to stand alone (融资金额超过1.5亿元): borrow the sentence's topic
_THIN_METRIC_RE = re.compile(
    r"^(?:融资|金额|总额|数量|总量|规模|比例|比重|占比|人数|件数|收入|产值|增加值|交易额|满意度|"
    r"覆盖率|增速|增幅)[\u4e00-\u9fff]{0,2}$"
)
_TOPIC_END_RE = re.compile(
    r"(?:取得|实现|显著|明显|稳步|不断|持续|进一步|大幅|得到|有所|更加|全面|基本|逐步|加快|工作)"
)


def _topic_before(text: str, clause_start: int, sentence_start: int) -> str:
    """The noun phrase opening the previous clause of the sentence (专利商标质押取得新进展)."""
    if clause_start - 1 <= sentence_start:
        return ""
    prev_clause = text[sentence_start : clause_start - 1]
    k = prev_clause.rfind("，")
    k = max(k, prev_clause.rfind(","))
    prev_clause = prev_clause[k + 1 :].strip()
    m = _TOPIC_END_RE.search(prev_clause)
    topic = prev_clause[: m.start()] if m else ""
    return topic if 2 <= len(topic) <= 10 else ""


@lru_cache(maxsize=8192)
def _strip_lead(s: str) -> tuple[str, str]:
    """Remove a list label and leading verbs/fillers; return (removed prefix, rest)."""
    lm = _ITEM_LABEL_RE.match(s)
    stops = [lm.end() if lm else 0]
    while True:
        m = _LEAD_RE.match(s, stops[-1])
        if not m or m.end() == stops[-1]:
            break
        stops.append(m.end())
    # a verb that leaves a one-character noun was part of it: 孵化器, 招聘会
    for pos in reversed(stops):
        rest = s[pos:].strip()
        if len(_plain(_strip_trail(rest)[0])) != 1:
            return s[:pos], s[pos:]
    return s[: stops[0]], s[stops[0] :]


# a change verb not in the cue lists, by its direction: 缩小至 / 压降到 (<=), 扩增至 (>=)
_DOWN_TO_RE = re.compile(r"[缩减降压控低下][\u4e00-\u9fff]?(?:至|到)$")
_UP_TO_RE = re.compile(r"[增提升扩高上][\u4e00-\u9fff]?(?:至|到)$")
_CHANGE_TO_END_RE = re.compile(r"[缩减降压控低下增提升扩高上][\u4e00-\u9fff]?(?:至|到)$")


# a per-capita base between the metric and its number (密度达到每万人30个): the
# unit's denominator, as the 每年 of a recurring goal is
_PER_BEFORE_RE = re.compile(
    r"每(?P<base>(?:\d+|[十百千])?[万千百]?(?:常住人口|人口|人|户|百户))\s*$"
)


@lru_cache(maxsize=8192)
def _strip_trail(s: str) -> tuple[str, str]:
    """Remove trailing comparator cues and comparison bases; return (rest, removed)."""
    end = len(s)
    while True:
        changed = False
        mp = _PER_BEFORE_RE.search(s, max(0, end - 8), end)
        if mp and mp.start() > 0:
            end = mp.start()
            changed = True
        m3 = _CHANGE_TO_END_RE.search(s, max(0, end - 3), end)
        if m3 and m3.start() > 0:
            end = m3.start()
            changed = True
        m = _TRAIL_RE.search(s, max(0, end - 8), end)
        if m and m.start() < end:
            end = m.start()
            changed = True
        m2 = _COMPARE_BASE_RE.search(s, max(0, end - 16), end)
        if m2 and m2.start() > 0:
            end = m2.start()
            changed = True
        while end > 0 and s[end - 1] in " \t\u3000\r\n":
            end -= 1
            changed = True
        if not changed:
            break
    return s[:end], s[end:]


def _any_of(words: tuple[str, ...]) -> re.Pattern[str]:
    """A pattern that finds any of ``words`` (one C search instead of a loop of ``in``)."""
    return re.compile("|".join(re.escape(w) for w in words))


_LE_CUE_RE = _any_of(_LE_CUES)
_GE_CUE_RE = _any_of(_GE_CUES)
_INCREASE_CUE_RE = _any_of(_INCREASE_CUES)
_GROWTH_CUE_RE = _any_of(_GROWTH_CUES)
_HOLD_CUE_RE = _any_of(("保持在", "稳定在"))
_GROW_TO_CUE_RE = _any_of(("增加到", "增加至", "增长到", "增长至", "增至"))
_PCT_GROWTH_CUE_RE = _any_of(("增加", "增长", "提高", "提升"))
_RAISE_TO_CUE_RE = _any_of(
    ("提高到", "提高至", "提升到", "提升至", "增加到", "增长到", "增至", "升至")
)
_PCT_RATE_CUE_RE = _any_of(("增长", "提高", "提升", "增速", "年均"))
_FLOOR_CUE_RE = _any_of(("不低于", "不少于", "不小于"))


def _comparator(before: str, after: str, unit: str, whole_before: str) -> Comparator:
    """Comparator from the cue words before the number and the words right after it."""
    tail = before[-8:]
    is_pct = unit.startswith(("%", "‰"))
    floor_tail = tail.replace("不少于", "").replace("不低于", "").replace("不小于", "")
    capped = after.startswith(("以下", "以内")) or _LE_CUE_RE.search(floor_tail) is not None
    added = _INCREASE_CUE_RE.search(before) is not None
    if capped and added:
        return "<="  # 新增…不超过2个: a cap on the added amount
    if after.startswith("左右") and _HOLD_CUE_RE.search(tail):
        return "="  # 稳定在45万亩左右: held about level, no floor
    if added and not _GROW_TO_CUE_RE.search(tail):
        if is_pct and _PCT_GROWTH_CUE_RE.search(before):
            return "pct_increase"
        return "increase"
    if _RAISE_TO_CUE_RE.search(tail):
        return ">="
    if unit.endswith("百分点") and _GROWTH_CUE_RE.search(tail):
        return "increase"
    if is_pct and _PCT_RATE_CUE_RE.search(tail):
        return "pct_increase"
    if _FLOOR_CUE_RE.search(tail):
        return ">="
    if after.startswith(("以下", "以内")) or _LE_CUE_RE.search(tail):
        return "<="
    if _DOWN_TO_RE.search(tail):
        return "<="
    if _UP_TO_RE.search(tail):
        return ">="
    if after.startswith(("以上", "及以上")) or _GE_CUE_RE.search(tail):
        return ">="
    if "力争" in whole_before or "至少" in whole_before:
        return ">="
    return "="


def bigram_dice(a: str, b: str) -> float:
    """Character-bigram Dice coefficient (multiset) of two strings."""
    ba = [a[i : i + 2] for i in range(len(a) - 1)]
    bb = [b[i : i + 2] for i in range(len(b) - 1)]
    if not ba or not bb:
        return 0.0
    rest = list(bb)
    common = 0
    for g in ba:
        if g in rest:
            rest.remove(g)
            common += 1
    return 2 * common / (len(ba) + len(bb))


def _same_goal(a: TargetRecord, b: TargetRecord) -> bool:
    if (a.value, a.value_max, a.unit, a.year) != (b.value, b.value_max, b.unit, b.year):
        return False
    ma, mb = _plain(a.metric), _plain(b.metric)
    if ma in mb or mb in ma:
        return True
    # a restatement may reword the metric; the same indicator lowers the bar
    threshold = 0.4 if a.indicator and a.indicator == b.indicator else 0.5
    return bigram_dice(ma, mb) >= threshold


_PLAIN_RE = re.compile(r"[\s\W_]+", re.UNICODE)


def _plain(s: str) -> str:
    return _PLAIN_RE.sub("", s)


# ---------------------------------------------------------------- indicator tables
#
# A plan's table of main indicators: a header row (序号 / 指标 / 单位 / 2020年(现状) /
# 2025年(目标) / 属性) and one indicator per row, written one row per line (TAB,
# runs of spaces, markdown pipes) or flattened one cell per line.  Each row gives
# one goal per target column: the year from the column header, the value from the
# cell (≥71, ≤22, 4以下), the unit from a 单位 column or the metric cell's
# parentheses (森林覆盖率（%）).  Baseline columns (现状/基期/2020年) are history.

_CELL_SPLIT_RE = re.compile(r"\t+|[ \u3000\xa0]*[|｜│][ \u3000\xa0]*|[ \u3000\xa0]{2,}")
_NUMBER_COLUMN = frozenset(("序号", "编号", "序", "No", "NO", "no", "No.", "#"))
_METRIC_COLUMN_RE = re.compile(r"指标|^(?:项目|名称)(?:名称)?$")
_UNIT_COLUMN_RE = re.compile(r"^(?:计量)?单位$")
_YEAR_COLUMN_RE = re.compile(r"(?P<y>(?:19|20)\d{2})\s*年")
_BASE_COLUMN_RE = re.compile(r"现状|基期|基数|基准|基础|实际|完成|现值|上年")
_GOAL_COLUMN_RE = re.compile(r"目标|预期|规划|计划")
_TIME_COLUMN_RE = re.compile(r"时限|时间|日期|期限|进度")
_CELL_VALUE_RE = re.compile(
    r"(?P<pre>≥|≤|>=|<=|＞|＜|>|<|不低于|不少于|不超过|不高于|达到|超过)?[ \u3000]*"
    r"(?P<v1>\d+(?:\.\d+)?)"
    r"(?:[ \u3000]*(?:~|～|〜|—{1,2}|–|-|－|至)[ \u3000]*(?P<v2>\d+(?:\.\d+)?))?"
    r"[ \u3000]*(?P<unit>[^\d\s≥≤<>＜＞（）()]{0,8}?)[ \u3000]*(?P<post>以上|以下|以内|左右)?"
)
_UNIT_PARENS_RE = re.compile(r"[（(](?P<u>[^（）()]{1,12})[）)]\s*$")
_UNIT_LIKE_RE = re.compile(
    rf"(?:{_MAG_ALT})?(?:{_UNIT_ALT})(?:{_PER})?|(?:{_MAG_ALT})"
    r"|[^\d\s（）()]{1,6}/[^\d\s（）()]{1,6}"
)
_TABLE_GE = ("≥", ">=", "＞", ">", "不低于", "不少于", "达到", "超过")
_TABLE_LE = ("≤", "<=", "＜", "<", "不超过", "不高于")


@dataclass(frozen=True, slots=True)
class _Cell:
    start: int
    end: int
    text: str


@dataclass(frozen=True, slots=True)
class _IndicatorTable:
    """An indicator table: its span, and its rows as lists of cells under the header."""

    start: int
    end: int
    columns: list[str]
    rows: list[list[_Cell]]


# a non-blank line with its outer spaces stripped: its first to its last other character
_LINE_RE = re.compile(r"[^\n \t\r\u3000\xa0](?:[^\n]*[^\n \t\r\u3000\xa0])?")


def _text_lines(text: str, start: int, end: int) -> list[_Cell]:
    """Non-blank lines of ``text[start:end]``, outer whitespace stripped."""
    return [_Cell(m.start(), m.end(), m.group()) for m in _LINE_RE.finditer(text, start, end)]


_PIPE_RE = re.compile(r"[|｜│]")


def _split_cells(line: _Cell) -> list[_Cell]:
    """The cells of a one-row-per-line table row (TAB, pipes or runs of spaces).

    Between pipes an empty cell is kept (a merged 类别 cell), so that the
    cells stay under their headers; elsewhere empty gaps are just spacing.
    """
    body = line.text
    piped = bool(_PIPE_RE.search(body))
    splitter = _PIPE_RE if piped else _CELL_SPLIT_RE
    if piped:
        body = body.rstrip()
    cells: list[_Cell] = []
    pos = 0
    bounds = [*splitter.finditer(body), None]
    for k, m in enumerate(bounds):
        stop = m.start() if m is not None else len(body)
        seg = body[pos:stop]
        edge = piped and ((k == 0 and body.startswith(("|", "｜", "│"))) or m is None)
        if seg.strip() or (piped and not edge):
            lead = len(seg) - len(seg.lstrip())
            start = line.start + pos + lead
            cells.append(_Cell(start, start + len(seg.strip()), seg.strip()))
        if m is not None:
            pos = m.end()
    return cells


_Roles = tuple[int, int | None, list[tuple[int, int | None]]]


def _value_columns(columns: list[str]) -> tuple[int, int | None, list[int]] | None:
    """(metric column, unit column, value columns) of a table of figures, or None.

    Value columns are named by a year (2025年, 2023年完成), a goal (目标, 预期,
    计划) or a baseline (现状, 完成情况, 实际完成); a deadline column (完成时限)
    holds dates, not values.
    """
    if len(columns) < 2 or any(len(c) > 16 or re.search(r"[。，,；;]", c) for c in columns):
        return None
    metric = next((i for i, c in enumerate(columns) if _METRIC_COLUMN_RE.search(c)), None)
    if metric is None:
        return None
    unit = next((i for i, c in enumerate(columns) if _UNIT_COLUMN_RE.match(c)), None)
    values = [
        i
        for i, c in enumerate(columns)
        if i not in (metric, unit)
        and (_YEAR_COLUMN_RE.search(c) or _GOAL_COLUMN_RE.search(c) or _BASE_COLUMN_RE.search(c))
        and not _TIME_COLUMN_RE.search(c)
    ]
    return (metric, unit, values) if values else None


def _header_roles(columns: list[str], ref_year: int | None = None) -> _Roles | None:
    """(metric column, unit column, [(target column, its year)]) of an indicator header.

    Columns named 目标/预期/规划/计划 hold goals; without such names, the latest
    year column does, and so does every year column from ``ref_year`` (the
    document's plan start or issue year) on: a plan 2023—2025 with columns
    2022年/2023年/2024年/2025年.  A column of a year before ``ref_year`` (2023年目标
    in a 2024 plan) and a baseline column (现状, 2023年完成, 实际完成) report the
    past: a table of such columns only gives no goal.
    """
    found = _value_columns(columns)
    if found is None:
        return None
    metric, unit, values = found
    years = {i: int(m.group("y")) for i in values if (m := _YEAR_COLUMN_RE.search(columns[i]))}

    def current(i: int) -> bool:
        return ref_year is None or i not in years or years[i] >= ref_year

    goals: list[tuple[int, int | None]] = [
        (i, years.get(i))
        for i in values
        if _GOAL_COLUMN_RE.search(columns[i]) and not _BASE_COLUMN_RE.search(columns[i])
        and current(i)
    ]  # fmt: skip
    labelled = any(_GOAL_COLUMN_RE.search(columns[i]) for i in values)
    if not labelled:
        # 2020年 / 2025年 with no label: the latest year is the goal, the others the base
        plain = {i: y for i, y in years.items() if not _BASE_COLUMN_RE.search(columns[i])}
        # 2022年 / 2023年完成: a year before a reported one is no goal either
        reported = [y for i, y in years.items() if i not in plain]
        plain = {i: y for i, y in plain.items() if not reported or y > max(reported)}
        if plain:
            last = max(plain.values())
            goals = [
                (i, y)
                for i, y in plain.items()
                if (y == last or (ref_year is not None and y >= ref_year)) and current(i)
            ]
    return (metric, unit, goals)


def _flat_indicator_rows(lines: list[_Cell], j: int, n: int) -> tuple[list[list[_Cell]], int]:
    """Rows written one cell per line from ``lines[j]`` (first cell the row number)."""
    rows: list[list[_Cell]] = []
    expected = 1
    while j + n <= len(lines) and lines[j].text == str(expected):
        rows.append(lines[j : j + n])
        j += n
        expected += 1
    return rows, j


def _inline_indicator_rows(
    lines: list[_Cell], j: int, columns: list[str]
) -> tuple[list[list[_Cell]], int]:
    """Rows written one per line from ``lines[j]``, cells split as in the header."""
    rows: list[list[_Cell]] = []
    n = len(columns)
    while j < len(lines):
        if re.fullmatch(r"[|｜│:：\-—\s]+", lines[j].text):  # markdown separator row
            j += 1
            continue
        cells = _split_cells(lines[j])
        if not (n - 1 <= len(cells) <= n) or len(cells) < 2:
            break
        shifted = len(cells) == n - 1 and len(columns) > 1 and columns[1] in _NUMBER_COLUMN
        if shifted and re.fullmatch(r"\d{1,3}", cells[0].text):
            # a merged first cell (类别) left blank: the row starts at 序号
            cells = [_Cell(cells[0].start, cells[0].start, ""), *cells]
        rows.append(cells)
        j += 1
    return rows, j


def _holds_values(columns: list[str], rows: list[list[_Cell]]) -> bool:
    """Most rows have a plain value under a value column (not a task sentence)."""
    found = _value_columns(columns)
    if found is None or not rows:
        return False
    values = found[2]
    valued = sum(
        1 for row in rows if any(c < len(row) and _cell_value(row[c].text) for c in values)
    )
    return valued * 2 >= len(rows)


# a header has a metric column (_METRIC_COLUMN_RE on a cell with its spaces removed)
_HEADER_HINT_RE = re.compile(r"指\s*标|项\s*目|名\s*称")
# what a header line (above) or a flattened header's first cell (_NUMBER_COLUMN) holds
_TABLE_HINT_RE = re.compile(r"指\s*标|项\s*目|名\s*称|序|编号|No|NO|no|#")


def _find_indicator_tables(text: str, start: int, end: int) -> list[_IndicatorTable]:
    """Indicator tables in ``text[start:end]``."""
    # a table starts at a header line: none before the first hint of one (most text)
    hint = _TABLE_HINT_RE.search(text, start, end)
    if hint is None:
        return []
    lines = _text_lines(text, max(start, text.rfind("\n", start, hint.start()) + 1), end)
    out: list[_IndicatorTable] = []
    i = 0
    while i < len(lines):
        if lines[i].text not in _NUMBER_COLUMN and not _HEADER_HINT_RE.search(lines[i].text):
            i += 1  # no metric column can be cut from this line: no header
            continue
        found: tuple[list[str], list[list[_Cell]], int] | None = None
        head = _split_cells(lines[i])
        if len(head) >= 2:
            columns = [re.sub(r"\s+", "", c.text) for c in head]
            if _value_columns(columns):
                flat = i + 1 < len(lines) and lines[i + 1].text == "1"
                if flat and columns[0] in _NUMBER_COLUMN:
                    rows, k = _flat_indicator_rows(lines, i + 1, len(columns))
                else:
                    rows, k = _inline_indicator_rows(lines, i + 1, columns)
                found = (columns, rows, k)
        elif lines[i].text in _NUMBER_COLUMN:
            # a flattened header: one short cell per line up to the first row number
            k = i + 1
            while k < len(lines) and k - i <= 12 and lines[k].text != "1":
                k += 1
            columns = [re.sub(r"\s+", "", c.text) for c in lines[i:k]]
            if k < len(lines) and _value_columns(columns):
                rows, k = _flat_indicator_rows(lines, k, len(columns))
                found = (columns, rows, k)
        if found and _holds_values(found[0], found[1]):
            columns, rows, k = found
            out.append(_IndicatorTable(lines[i].start, lines[k - 1].end, columns, rows))
            i = k
        else:
            i += 1
    return out


def _cell_value(cell: str) -> tuple[float, float | None, str, Comparator] | None:
    """``≥71`` -> (71, None, '', '>='); ``4以下`` -> (4, None, '', '<='); ``—`` -> None."""
    m = _CELL_VALUE_RE.fullmatch(cell.strip())
    if m is None:
        return None
    unit = m.group("unit") or ""
    if unit and not _UNIT_LIKE_RE.fullmatch(unit):
        return None  # 完成市下达任务, 3个百分点以内 … as a phrase: not a plain value
    pre, post = m.group("pre") or "", m.group("post") or ""
    comparator: Comparator = "="
    if pre in _TABLE_GE or post == "以上":
        comparator = ">="
    elif pre in _TABLE_LE or post in ("以下", "以内"):
        comparator = "<="
    v2 = float(m.group("v2")) if m.group("v2") else None
    return float(m.group("v1")), v2, unit.replace("％", "%"), comparator


def _unit_factor(unit: str) -> float:
    """The magnitude a unit carries (万人 -> 1e4, 亿元 -> 1e8; 千米 is a unit of its own)."""
    if unit in ("千米", "千瓦", "千瓦时"):
        return 1.0
    for mag in sorted(_MAGNITUDE, key=len, reverse=True):
        if unit.startswith(mag) and len(unit) > len(mag):
            return _MAGNITUDE[mag]
    return 1.0


def _table_targets(
    table: _IndicatorTable,
    text: str,
    source: str,
    owner_of: Callable[[int], _Ctx | None],
    is_dropped: Callable[[int], bool],
    out: list[TargetRecord],
) -> None:
    for row in table.rows:
        ctx = owner_of(row[0].start)
        if ctx is None or is_dropped(row[0].start):
            continue
        roles = _header_roles(table.columns, ctx.state.ref_year)
        if roles is None:
            continue
        metric_col, unit_col, goals = roles
        if metric_col >= len(row):
            continue
        metric_cell = row[metric_col]
        metric = metric_cell.text
        unit = ""
        pm = _UNIT_PARENS_RE.search(metric)
        if pm and _UNIT_LIKE_RE.fullmatch(pm.group("u").strip()):
            unit = pm.group("u").strip()
            metric = metric[: pm.start()].rstrip()
        if unit_col is not None and unit_col < len(row):
            u = row[unit_col].text.strip()
            if u and not re.fullmatch(r"[—\-–/／\s]+", u):
                unit = u
        if len(_plain(metric)) < 2:
            continue
        for col, col_year in goals:
            if col >= len(row):
                continue
            parsed = _cell_value(row[col].text)
            if parsed is None:
                continue
            value, value_max, cell_unit, comparator = parsed
            hm = _UNIT_PARENS_RE.search(table.columns[col])  # 2025年目标（%）
            head_unit = hm.group("u") if hm and _UNIT_LIKE_RE.fullmatch(hm.group("u")) else ""
            rec_unit = (cell_unit or unit or head_unit).replace("％", "%")
            year = col_year if col_year is not None else ctx.state.default_year
            rec = TargetRecord(
                document=ctx.key,
                region=ctx.region,
                metric=metric,
                value=value,
                value_max=value_max,
                unit=rec_unit,
                comparator=comparator,
                year=year,
                evidence=trimmed_evidence(
                    source, text, row[0].start, row[col].end, metric_cell.start, row[col].end
                ),
                year_inferred=col_year is None and year is not None,
                normalized_value=value * _unit_factor(rec_unit),
                indicator=match_indicator(metric, rec_unit),
                rule="table:indicator",
            )
            _add(ctx.state, rec, out)


# ---------------------------------------------------------------- extraction core


@dataclass(slots=True)
class _Ctx:
    key: str
    region: str | None
    state: _DocState


def _extract(
    text: str,
    start: int,
    end: int,
    source: str,
    owner_of: Callable[[int], _Ctx | None],
    is_dropped: Callable[[int], bool],
) -> list[TargetRecord]:
    titles = find_titles(text, start, end)
    masks = SpanSet((t.start, t.end) for t in titles)
    tables = {t.start: t for t in _find_indicator_tables(text, start, end)}
    in_table = SpanSet((t.start, t.end) for t in tables.values())
    out: list[TargetRecord] = []
    pos = start
    while pos < end:
        nl = text.find("\n", pos, end)
        line_end = end if nl == -1 else nl
        span = (
            in_table.find(pos) or in_table.find(line_end - 1) if tables and line_end > pos else None
        )
        if span is None:
            line_end = _wrapped_end(text, pos, line_end, end, in_table, owner_of, is_dropped)
            _read_line(text, pos, line_end, source, owner_of, is_dropped, masks, out)
        else:
            # an indicator table: its rows are read by column, not as sentences
            for t in [t for t in tables.values() if pos <= t.start < line_end + 1]:
                _table_targets(t, text, source, owner_of, is_dropped, out)
        pos = line_end + 1
    return out


# a line that goes on: prose (it holds a clause mark) with no closing mark at its end
_PROSE_MARK_RE = re.compile(r"[，,。；;]")
#: the marks that close a line (a line ending with one does not go on)
_LINE_CLOSERS = "。；;！？!?：:）)】》"
# a table row or an aligned layout line: never part of a wrapped sentence
_LAYOUT_RE = re.compile(r"\t|[|｜│]|\S[ \u3000\xa0]{2,}\S")
#: at most this many line breaks are read through in one sentence
_MAX_WRAPS = 2


def _wrapped_end(
    text: str,
    ls: int,
    le: int,
    end: int,
    in_table: SpanSet,
    owner_of: Callable[[int], _Ctx | None],
    is_dropped: Callable[[int], bool],
) -> int:
    """End of the paragraph that starts at ``text[ls:le]``, across hard line wraps.

    A line of prose that stops without a closing mark goes on in the next line
    when that line starts with a quantity (``…新增护理型床位\n6000张``) or is prose
    itself; headings, table rows, aligned layouts and other documents' text stop it.
    """
    line_start = ls
    for _ in range(_MAX_WRAPS):
        line = text[line_start:le].strip(" \t\r\u3000\xa0")
        if le >= end or not line or line[-1] in _LINE_CLOSERS or _LAYOUT_RE.search(line):
            break
        if not _PROSE_MARK_RE.search(text[ls:le]):
            break
        nxt_start = le + 1
        nl = text.find("\n", nxt_start, end)
        nxt_end = end if nl == -1 else nl
        nxt = text[nxt_start:nxt_end].strip(" \t\r\u3000\xa0")
        if not nxt or _LAYOUT_RE.search(nxt) or in_table.find(nxt_start) is not None:
            break
        first = nxt_start + text[nxt_start:nxt_end].index(nxt[0])
        if owner_of(first) is not owner_of(ls) or is_dropped(first):
            break
        starts_with_quantity = QUANTITY_RE.match(nxt) is not None
        if not starts_with_quantity and (LABEL_RE.match(nxt) or not _PROSE_MARK_RE.search(nxt)):
            break
        line_start, le = nxt_start, nxt_end
    return le


def _read_line(
    text: str,
    ls: int,
    le: int,
    source: str,
    owner_of: Callable[[int], _Ctx | None],
    is_dropped: Callable[[int], bool],
    masks: SpanSet,
    out: list[TargetRecord],
) -> None:
    raw = text[ls:le]
    stripped = raw.strip(" \t\r\u3000\xa0")
    if not stripped:
        return
    first = ls + raw.index(stripped[0])
    ctx = owner_of(first)
    if ctx is None or is_dropped(first):
        return  # noise changes no context either
    st = ctx.state
    label = LABEL_RE.match(stripped)
    level = _heading_level(stripped, label)
    if level is not None:
        # a heading closes the scopes opened at its level or deeper
        if st.scope_level >= level:
            st.scope_year, st.scope_level = None, -1
        if st.past_level is not None and st.past_level >= level:
            st.past_level = None
        if level <= 1:
            st.table_year = None
        st.section_level = level
        if _is_background_heading(stripped, label):
            st.past_level = level
    tm = _TABLE_YEAR_RE.match(stripped)
    if tm:
        st.table_year = int(tm.group("y"))
        return
    head = stripped[:60]
    # a scope names 到/至 a year or a period's 末: most lines hold neither
    sm = _SCOPE_YEAR_RE.search(head) if "到" in head or "至" in head or "末" in head else None
    # the year must lead the paragraph (（二）主要目标。到2025年，…), not close a task
    if sm and (sm.start() <= 20 or "目标" in stripped[: sm.start()]):
        y = int(sm.group("y")) if sm.group("y") else _PERIOD_END.get(sm.group("fyp") or "")
        if y:
            st.scope_year = y
            st.scope_level = level if level is not None else st.section_level
    if st.past_level is not None:
        return
    if len(stripped) <= 80 and _CHROME_LINE_RE.search(stripped):
        return  # a page's view counter or promotion, not the document's text
    _read_quantities(text, ls, le, source, ctx, is_dropped, masks, out)


def _sentence_bounds(
    text: str, s: int, e: int, lo: int, hi: int, breaks: re.Pattern[str] = _SENTENCE_BREAK_RE
) -> tuple[int, int]:
    lo = max(lo, s - MAX_CLAUSE_REACH)
    hi = min(hi, e + MAX_CLAUSE_REACH)
    a = lo
    for m in breaks.finditer(text, lo, s):
        a = m.end()
    m2 = breaks.search(text, e, hi)
    return a, (m2.start() if m2 else hi)


def _stated_year(sentence_left: str) -> re.Match[str] | None:
    """The last year the sentence states before the number (a comparison base is none)."""
    found = None
    for m in _EXPLICIT_YEAR_RE.finditer(sentence_left):
        if _COMPARED_YEAR_RE.search(sentence_left, 0, m.start()):
            continue  # 较2020年末增长: the base of a comparison, not the goal's year
        found = m
    return found


def _year_of(m: re.Match[str]) -> int | None:
    y = m.group("y1") or m.group("y2") or m.group("y3") or m.group("y4")
    return int(y) if y else _PERIOD_END.get(m.group("fyp") or "")


def _is_noise(q: Quantity, text: str, s: int, e: int, ls: int, le: int) -> bool:
    """Numbers that are never goals, whatever their clause: numbering, names, idioms."""
    unit = q.unit
    before_char = text[s - 1] if s > ls else ""
    if before_char and ((before_char.isascii() and before_char.isalnum()) or before_char in "./"):
        return True
    if before_char == "第" or (q.chinese and (before_char in _CN_NUM or before_char in "每前")):
        return True  # ordinals (第3批) and idioms (每一个)
    if _opens_cell(text, ls, s) and re.match(r"\d+[ \t\u3000\xa0]", text[s:e]):
        return True  # a number opening a line or a cell, then a space: list numbering
    if before_char in " \t\u3000\xa0" and re.match(r"[\d.]+[ \t\u3000\xa0]", text[s:e]):
        return True  # 健康水平 1 人均预期寿命 …: a spaced-out row, not a quantity
    after = text[e : min(le, e + 6)]
    if unit.startswith(("年", "天")) and q.value >= 1900:
        return True  # a year or a date
    if unit == "个" and after.startswith(("月", "工作日")):
        return True
    if unit in ("次", "期", "届", "标") and after.startswith(("会议", "全会", "代表")):
        return True
    if unit == "分" and (q.chinese or re.match(r"[\u4e00-\u9fff](?<![以左及])", after[:1])):
        return True  # 百分之, 十分, 3分类: not a score
    # 列入, 列为: a verb, not trains
    return unit == "列" and after[:1] in ("入", "为", "出", "举", "车")


# a threshold inside a name: 超10亿元项目, 投资10亿元以上项目 (not 10亿元，/的)
_THRESHOLD_BEFORE_RE = re.compile(r"(?:超过|超|逾|高于|大于)\s*\Z")
_ABOVE_RE = re.compile(r"及?以上|及?以下")
_CUE_ALT = "|".join(
    re.escape(c)
    for c in sorted({*_GE_CUES, *_LE_CUES, *_INCREASE_CUES, *_GROWTH_CUES}, key=len, reverse=True)
)
# what follows a quantity that is a noun, not a cue, a connector or a closing word
_NOUN_AFTER_RE = re.compile(
    rf"(?!{_CUE_ALT}|以上|以下|以内|左右|的|和|及|与|或|等|为|在|内|之|后|前|中)[\u4e00-\u9fff]"
)
_LIST_SEP_RE = re.compile(r"[、，,；;和及与或]")
# a time or a distance naming a service radius: 15分钟生活圈, 1小时经济圈
_RADIUS_UNITS = frozenset(("分钟", "小时", "公里", "千米", "km", "米", "m"))
_RADIUS_AFTER_RE = re.compile(r"[\u4e00-\u9fff]{0,6}圈")


def _names_a_thing(q: Quantity, text: str, s: int, e: int, hi: int) -> bool:
    """A number that is part of a name: 二期, 第二批 phases, 15分钟生活圈."""
    if q.chinese and q.unit in ("期", "批"):
        return True  # 二期工程, 两批试点: a phase or a batch, not a count to reach
    return q.unit in _RADIUS_UNITS and _RADIUS_AFTER_RE.match(text, e, hi) is not None


def _inner_threshold(text: str, s: int, e: int, hi: int, lo: int) -> bool:
    """超10亿元项目 / 投资10亿元以上项目: a quantity that qualifies the noun after it."""
    after = _ABOVE_RE.match(text, e, hi)
    k = after.end() if after else e
    if _THRESHOLD_BEFORE_RE.search(text, max(lo, s - 3), s):
        # 超50亿元项目, 超50亿元的重大项目
        k += text.startswith("的", k)
        return _NOUN_AFTER_RE.match(text, k, hi) is not None
    if not _NOUN_AFTER_RE.match(text, k, hi):
        return False
    # 5个以上B after a list mark is the next item of a list, not a threshold
    return after is not None and s > lo and text[s - 1] not in "、，,和及与或；;："


def _qualifies_next(text: str, s: int, e: int, ce: int, lo: int) -> bool:
    """Whether the quantity at ``text[s:e]`` qualifies the thing a later one counts.

    ``其中超10亿元项目不少于40个``: 10亿元 names which projects (超…, …以上 before a
    noun) and 40个 is the goal, when no list mark stands between them.
    """
    if not _inner_threshold(text, s, e, ce, lo):
        return False
    for nxt in QUANTITY_RE.finditer(text, e, ce):
        between = text[e : nxt.start()]
        am = _ABOVE_RE.match(between)
        rest = between[am.end() :] if am else between
        if not rest or _LIST_SEP_RE.search(rest):
            return False
        # 10家以上营收超1亿元企业: the later number is the threshold, this one the goal
        return _THRESHOLD_BEFORE_RE.search(rest) is None
    return False


# a forecast of the situation, not a commitment: 预计/预测…, 届时…, …将超过 + a
# population figure (老年人口将超过110万人)
_FORECAST_RE = re.compile(
    r"预测|预估|预计|届时|将会"
    r"|(?<![即并])将(?=[\u4e00-\u9fff]{0,3}(?:达到|超过|突破|增至|增加|减少|降至|升至|下降|上升|增长|保持))"
)
# 据预测/预估到2025年…: a projection, whatever it counts (not 预测预警系统)
_PURE_FORECAST_RE = re.compile(
    r"(?:据|经)预(?:测|估)|预(?:测|估)(?=[，,到至显表未今]|\s*(?:19|20)\d{2})"
)
_DEMOGRAPHIC_RE = re.compile(r"人口|老年人|老龄|出生|适龄|学龄")
_SHARE_END_RE = re.compile(r"(?:占比|比重|比例|老龄化率|出生率|增长率|抚养比)$")


def _is_forecast(sentence_left: str, metric: str, unit: str) -> bool:
    """``全市老年人口将超过110万人``: what the document expects, not what it commits to."""
    if not _FORECAST_RE.search(sentence_left):
        return False
    if _PURE_FORECAST_RE.search(sentence_left):
        return True
    demographic = _DEMOGRAPHIC_RE.search(metric) is not None
    counted = unit.endswith(("人", "人口", "户")) or _SHARE_END_RE.search(metric) is not None
    return demographic and counted


# a plan period the sentence names: “十四五”期间 / 2024—2026年期间 / 三年行动期间
_FYP_SPAN_RE = re.compile(_FYP + r"(?:规划)?(?:期间|时期|期内)")
_SPAN_PERIOD_RE = re.compile(_SPAN_PERIOD)
_PLAN_TERM_RE = re.compile(_PLAN_TERM)
# a goal word that a report of the past does not use
_GOAL_WORD_RE = re.compile(r"力争|确保|争取|以上|不低于|不少于|不超过|控制在|努力|目标")


def _period_year(sentence: str, st: _DocState) -> tuple[int | None, bool]:
    """(end year of a plan period the sentence names, whether it is the past).

    ``“十四五”期间…`` -> 2025; ``2024—2026年期间`` -> 2026; ``三年行动期间`` /
    ``规划期内`` -> the document's own period end.  A period that ended before the
    document (``“十三五”期间`` in a 2021 plan) is its history; without any year
    to compare with, only a goal word (力争, 以上, 不低于 …) makes it a goal.
    """
    found: int | None = None
    fm = _FYP_SPAN_RE.search(sentence)
    if fm:
        found = _PERIOD_END.get(fm.group("fyp"))
    else:
        sm = _SPAN_PERIOD_RE.search(sentence)
        if sm and re.search(r"期间|时期|期内|内", sm.group()):
            found = int(sm.group("pe"))
        elif _PLAN_TERM_RE.search(sentence):
            return st.default_year, False
    if found is None:
        return None, False
    bar = st.ref_year if st.ref_year is not None else st.default_year
    if bar is None:
        return found, _GOAL_WORD_RE.search(sentence) is None
    return found, found < bar


#: characters of context read either side of a number (see _read_quantities)
_CONTEXT = 300

# 其中，… opening the clause: a part of what the previous goal counts
_OF_WHICH_BEFORE_RE = re.compile(r"其中\s*[，,：:]\s*\Z")


def _read_quantities(
    text: str,
    ls: int,
    le: int,
    source: str,
    ctx: _Ctx,
    is_dropped: Callable[[int], bool],
    masks: SpanSet,
    out: list[TargetRecord],
) -> None:
    st = ctx.state
    found = QUANTITY_RE.finditer(text, ls, le)
    first = next(found, None)
    if first is None:
        return  # most lines hold no number
    quotes = SpanSet((m.start(), m.end()) for m in _QUOTE_SPAN_RE.finditer(text, ls, le))
    wrapped = text.find("\n", ls, le) != -1
    clause_breaks = _WRAPPED_CLAUSE_BREAK if wrapped else CLAUSE_BREAK
    sentence_breaks = _WRAPPED_SENTENCE_BREAK_RE if wrapped else _SENTENCE_BREAK_RE
    cursor = ls
    prev: _Prev | None = None
    for m in chain((first,), found):
        q = _quantity_from_match(m)
        if q is None or masks.contains(m.start()) or is_dropped(m.start()):
            continue
        s, e = m.start(), m.end()
        if s < cursor:
            continue  # inside the previous goal's words (引进10个超10亿元项目)
        if quotes.contains(s) or _is_noise(q, text, s, e, ls, le):
            continue
        if _names_a_thing(q, text, s, e, le):
            continue
        unit = q.unit
        after = text[e : min(le, e + 6)]
        # the context a number is read in stops _CONTEXT chars either side: what a goal
        # says of it is that near, and a run-on "sentence" (a table flattened into one
        # line, a page of noise) must not make each number rescan all of it
        ws, we = max(ls, s - _CONTEXT), min(le, e + _CONTEXT)
        cs, ce = clause_bounds(text, s, e, ws, we, masks, clause_breaks)
        ss, se = _sentence_bounds(text, s, e, ws, we, sentence_breaks)
        if _qualifies_next(text, s, e, ce, cs):
            continue  # 超10亿元项目不少于40个: 10亿元 says which projects
        left_start = max(cs, cursor)
        left = text[left_start:s]
        whole_left = text[cs:s]
        sentence_left = text[ss:s]
        if _RANK_BEFORE_RE.search(left) or _FROM_POOL_RE.search(whole_left):
            continue
        if _REFERENCE_BEFORE_RE.search(left):
            continue  # 围绕22条产业链: counts what the goal refers to
        article_like = unit in _ARTICLE_UNITS or (
            unit == "个" and after.startswith(("部分", "方面"))
        )
        if article_like and _ARTICLE_COUNT_RE.search(whole_left):
            continue  # 《措施》共8条: the size of a document
        if _FROM_BEFORE_RE.search(left) and _FROM_VALUE_AFTER_RE.match(text, e, le):
            continue  # 由8520元增加到…: the starting value, not the goal
        time_limit = _LE_CUE_RE.search(left[-6:]) is not None  # 压缩至5个工作日内: a goal
        if unit in _DURATION_UNITS:
            if _DURATION_BEFORE_RE.search(left) or (
                _DURATION_AFTER_RE.match(after) and not time_limit
            ):
                continue  # 通过3年努力, 30天内: a duration
            if unit == "年":
                if not re.search(r"(?:年限|寿命|年龄|年数|周期|受教育)", whole_left):
                    continue
            elif not time_limit and not _DURATION_METRIC_RE.search(whole_left):
                continue  # 提供7天免费住宿: how long a service lasts, not a goal
        elif unit.endswith(("级", "星")):
            # 达到4级以上 is a goal; 三级/五级/千亿级 alone name tiers or scales
            cue = _GE_CUE_RE.search(left[-6:]) is not None or after.startswith("以上")
            if q.chinese or len(unit) > 1 or not cue:
                continue
        elif unit == "岁":
            if not re.search(r"(?:寿命|年龄)", whole_left):
                continue  # 60岁以上老年人: an age group, not a goal
        elif _DURATION_AFTER_RE.match(after) and unit == "个":
            continue
        if _RULE_RE.search(text[cs:ce]) or _SUBSIDY_BEFORE_RE.search(left):
            continue
        if _MONEY_UNIT_RE.match(unit) and (
            _SUBSIDY_AFTER_RE.match(text, e, ce) or _PER_ITEM_RE.match(text, cs, s)
        ):
            continue  # 1000元求职补贴, 单个项目不超过100万元: a subsidy amount or its cap
        # ---- history: 截至/已…, a past plan period, a year before the document's
        if _PAST_SENTENCE_RE.search(sentence_left) or _PERFECT_RE.search(sentence_left):
            continue
        if _CITED_SAYS_RE.search(sentence_left):
            continue  # 《措施》提出到2025年…: another document's goal, restated
        if _ALREADY_RE.search(text, e, ce):
            continue  # 80%的行政村已实现…: a state reached, not a goal
        pm = _PAST_PERIOD_RE.search(sentence_left)
        if pm and pm.group().endswith("以来"):
            continue  # “十三五”以来…: what has been done since
        period_end, past = _period_year(_mask_cited(text[ss:se]), st)
        if past:
            continue  # 十三五期间… in a 十四五 plan: history
        ym = _stated_year(sentence_left)
        stated = _year_of(ym) if ym is not None else None
        if stated is None and period_end is not None:
            stated = period_end  # “十四五”期间…年均增长15%: the period's end year
        if stated is not None and st.ref_year is not None and stated < st.ref_year:
            continue  # 2022年，…达到… in a 2023 plan: the last year's result

        # ---- metric: before the number (X达到N件) or after it (培育N家X)
        # 由A增加到B: the metric is what stands before 由
        metric_left = _FROM_TO_LEFT_RE.sub("", left)
        lead, core = _strip_lead(metric_left)
        core_metric, trail = _strip_trail(core)
        if q.chinese:
            # Chinese numerals are idiomatic (两个屏障, 六个方面): need a goal cue, right
            # before the number (达到十五万人) or opening the clause (新建高标准农田五万亩)
            cue_near = _CN_CUE_END_RE.search(left) or (
                _CN_CUE_RE.search(lead)
                and 2 <= len(core_metric) <= 16
                and _CLAUSE_END_RE.match(text, e, ce if ce > e else e)
            )
            if not cue_near or (q.value < 2 and q.value_max is None):
                continue
        right_end = ce
        # the object ends where the next list item starts (培育A 3家、B 5家); a
        # Chinese numeral glued to words (千亿级, 一流) starts no item, nor does a
        # threshold or a name inside the object (10个超10亿元项目, 20个15分钟生活圈)
        for nxt in QUANTITY_RE.finditer(text, e, ce):
            nq = _quantity_from_match(nxt)
            if nq is not None and (
                _names_a_thing(nq, text, nxt.start(), nxt.end(), ce)
                or _inner_threshold(text, nxt.start(), nxt.end(), ce, cs)
            ):
                continue
            if nxt.group("v1")[0].isdigit() or text[nxt.start() - 1] in "、，,和及与":
                right_end = nxt.start()
                break
        right = text[e:right_end]
        r_lead = _R_LEAD_RE.match(right)
        r_off = r_lead.end() if r_lead else 0
        r_metric = right[r_off:].rstrip("、，,和及与 ")
        if r_metric.endswith("以及"):
            r_metric = r_metric[:-2]
        if right[r_off:].startswith(("对", "为", "在")) and "的" in text[e:se]:
            # 新增N家对…有影响力的X: the object is after the last 的 of the sentence
            tail_text = text[e:se]
            r_metric = tail_text[tail_text.rfind("的") + 1 :].strip("，,。；;、 ")
        r_metric = r_metric.strip()
        left_is_empty = not core_metric.strip()
        verb_before = bool(_VERB_END_RE.search(core.rstrip()))
        if re.match(r"(?:以上|及以上|以下)?的", right) and not left_is_empty and not verb_before:
            continue  # 投入超过1000万元的企业 / …的，给予: an attribute or condition, not a goal
        measured = core_metric.endswith(("量", "率", "额"))  # 拥有量/办理率/交易额 name a metric
        if left_is_empty or (r_metric and verb_before and not measured):
            orientation = "after"
            metric = r_metric
        else:
            orientation = "before"
            metric = core_metric
        # a metric wrapped over lines is one word (…护理\n型床位)
        metric = _LINE_WRAP_RE.sub("", metric).strip(" \t，,、；;：:（(")
        growth = metric_left.strip(" \t，,、；;")
        if (
            left_is_empty
            and not metric
            and prev is not None
            and prev.sentence == ss
            and prev.orientation == "before"
            and unit.startswith(("%", "‰"))
            and _GROWTH_CUE_RE.search(growth) is not None
        ):
            # X达到400亿元，年均增长10%: the growth rate of the same metric
            orientation = "before"
            metric = prev.metric + growth
            trail = growth
        if orientation == "before" and _THIN_METRIC_RE.match(metric):
            metric = _topic_before(text, cs, ss) + metric
        if orientation == "after" and metric.startswith("的"):
            metric = metric[1:]
        if len(_plain(metric)) < 2 or (orientation == "after" and len(_plain(metric)) < 3):
            continue
        if re.fullmatch(r"[\d\W]+", metric):
            continue
        if _is_forecast(sentence_left, metric, unit):
            continue  # 老年人口将超过110万人: the expected situation, not a goal

        # ---- comparator
        gap = text[prev.end : s] if prev is not None else ""
        # cue words sit before the metric (新增X N个) or between metric and number (X达到N)
        cues = lead + "|" + (trail if orientation == "before" else core)
        if _NEW_VERB_RE.search(lead) and not (orientation == "before" and trail.strip()):
            cues = "新增" + cues  # 新招聘/再推出 N: an added amount (新登记X达到N: >=)
        comparator = _comparator(cues, right[:6].lstrip(), unit, whole_left)
        # 新建3个A、5个以上B: the 以上 after an added amount is not recorded
        only_above = comparator == ">=" and _comparator(cues, "", unit, whole_left) == "="
        if (comparator == "=" or only_above) and prev is not None and prev.comparator == "increase":
            # 新增A 3个、B 2个 / 新建3个A、5个B，8家C: the verb governs the list
            same_clause = prev.end >= cs
            chained = orientation == "after" and left_is_empty and prev.orientation == "after"
            listed = (same_clause or chained) and _LIST_CONNECT_RE.match(gap or "、")
            same_form = same_clause and orientation == "before" and prev.orientation == "before"
            if listed or same_form:
                comparator = "increase"
        sub_clause = "其中" in lead or _OF_WHICH_BEFORE_RE.search(text, max(ss, cs - 4), cs)
        if sub_clause and prev is not None and prev.comparator == "increase":
            comparator = "increase"  # 新引进项目100个，其中…不少于40个: part of the added amount

        # ---- year
        # 全年 in a one-year plan is that year; in a longer (or unknown) period, every year
        whole_year = (
            "全年" in whole_left
            and stated is None
            and not (st.plan_start is not None and st.plan_start == st.default_year)
        )
        recurring = "每年" in whole_left or "每年" in sentence_left[-20:] or whole_year
        year: int | None
        inferred = True
        pb = _PER_BEFORE_RE.search(trail) if orientation == "before" else None
        if pb and "/" not in unit:
            unit = f"{unit}/{pb.group('base')}"
        if recurring:
            year = None
            inferred = False
            if "/" not in unit:
                unit = unit + "/年"
        elif stated is not None:
            year = stated
            inferred = False
        elif st.table_year is not None:
            year = st.table_year
        elif st.scope_year is not None:
            year = st.scope_year
        else:
            year = st.default_year
        if year is None:
            inferred = False

        if orientation == "after":
            k = text.find(metric, e, ce) if metric else -1
            fact_end = k + len(metric) if k != -1 else e
        else:
            fact_end = e + (r_lead.end() if r_lead and right[: r_lead.end()].strip() else 0)
        rec = TargetRecord(
            document=ctx.key,
            region=ctx.region,
            metric=metric,
            value=q.value,
            value_max=q.value_max,
            unit=unit,
            comparator=comparator,
            year=year,
            evidence=trimmed_evidence(source, text, cs, ce, min(left_start, s), fact_end),
            year_inferred=inferred and year is not None,
            normalized_value=q.normalized_value,
            # the verb stripped from the metric can name the indicator (引进N名X)
            indicator=match_indicator(metric, unit) or match_indicator(lead + metric, unit),
            rule=f"quantity:{orientation}",
        )
        cursor = max(cursor, fact_end)
        prev = _Prev(fact_end, comparator, orientation, metric, ss)
        _add(st, rec, out)


def _add(st: _DocState, rec: TargetRecord, out: list[TargetRecord]) -> None:
    """Record ``rec`` unless the document already states the same goal."""
    bucket = st.seen.setdefault((rec.value, rec.value_max, rec.unit, rec.year), [])
    dup = next((r for r in bucket if _same_goal(r, rec)), None)
    if dup is not None:
        if dup.comparator == "=" and rec.comparator != "=":
            dup.comparator = rec.comparator
        return
    bucket.append(rec)
    out.append(rec)


def find_targets(
    text: str,
    start: int = 0,
    end: int | None = None,
    *,
    document_key: str = "doc",
    region: str | None = None,
    title: str | None = None,
    default_year: int | None = None,
    date: str | None = None,
    source: str = "",
) -> list[TargetRecord]:
    """Quantified goals of one document whose text is ``text[start:end]``.

    Parameters
    ----------
    text : str
        The whole source text (evidence offsets point into it).
    start, end : int
        The document's span.
    document_key, region : str
        Copied into every record.
    title : str, optional
        The document's title (its plan period gives the default year).
    default_year : int, optional
        Overrides the year read from ``title`` / the opening text.
    date : str, optional
        The document's issue date (ISO); a year stated before it is history.
    source : str
        File name put into the evidence.

    Returns
    -------
    list of TargetRecord
    """
    end = len(text) if end is None else end
    state = _new_state(title, text[start : start + 800], date, default_year)
    ctx = _Ctx(document_key, region, state)
    return _extract(text, start, end, source, lambda _pos: ctx, lambda _pos: False)


# ---------------------------------------------------------------- spaCy component


def _opening(text: str, d: DocumentRecord) -> str:
    segs = getattr(d, "segments", None) or [(d.span_start, d.span_end)]
    s, e = segs[0]
    return text[s : min(e, s + 800)]


class TargetExtractor:
    """``policykg_targets``: fills ``doc._.pkg_targets`` and ``doc.spans[spans_key]``.

    Each paragraph is read in the context of the document that owns it
    (interleaved documents keep separate year scopes); matches starting in a
    dropped span are skipped.  Without segmentation (``doc._.pkg_documents``
    is None) the text is one document keyed ``default_key``; an empty list
    means no policy document, hence no target.
    """

    def __init__(self, nlp: Language, name: str, spans_key: str, default_key: str) -> None:
        self.name = name
        self.spans_key = spans_key
        self.default_key = default_key

    def __call__(self, doc: Doc) -> Doc:
        text = doc_text(doc)  # Doc.text is rebuilt from the tokens on every access
        source = doc._.pkg_source or ""
        index = DocumentIndex(doc)
        # an undated document of a page (a 政策解读 before the notice) shares the
        # page's time frame: the earliest date of the others bounds its history
        dates = sorted(d.date for d in index.documents if d.date)
        ctxs = {
            d.key: _Ctx(
                d.key,
                d.region,
                _new_state(d.title, _opening(text, d), d.date or (dates[0] if dates else None)),
            )
            for d in index.documents
        }
        # None: no segmentation ran, the text is one document; []: no policy document
        fallback = (
            _Ctx(self.default_key, None, _new_state(None, text[:800], None))
            if doc._.pkg_documents is None
            else None
        )

        def owner_of(pos: int) -> _Ctx | None:
            if not ctxs:
                return fallback
            d = index.owner(pos)
            return ctxs.get(d.key) if d is not None else None

        records = _extract(text, 0, len(text), source, owner_of, index.is_dropped)
        doc._.pkg_targets = records
        spans: list[Span] = []
        for r in records:
            span = doc.char_span(r.evidence.start, r.evidence.end, label=r.comparator,
                                 alignment_mode="expand")  # fmt: skip
            if span is not None:
                spans.append(span)
        doc.spans[self.spans_key] = spans
        return doc


@Language.factory(
    "policykg_targets",
    default_config={"spans_key": "targets", "default_key": "doc"},
)
def make_target_extractor(
    nlp: Language, name: str, spans_key: str, default_key: str
) -> TargetExtractor:
    """Factory of the ``policykg_targets`` component."""
    return TargetExtractor(nlp, name, spans_key, default_key)
