"""policykg_clean: chrome, junk, bogus metadata and duplicates become dropped spans."""

from __future__ import annotations

import pytest
from spacy.language import Language

from policykg.extract.cleaning import dropped_at
from policykg.extract.pipeline import build_pipeline, run_pipeline


@pytest.fixture(scope="module")
def nlp() -> Language:
    return build_pipeline({"components": ["policykg_clean"]})


PAGE = """甲乙市政务网
首页 > 政策文件
甲乙市人民政府关于优化营商环境的实施意见
2021-05-06  10:32
发布日期：1900-1-1
一、总体要求
各区人民政府要把优化营商环境作为一项重要工作，持续推进审批制度改革，提升企业办事便利度。
（一）简化审批。推行企业开办一网通办。
相关阅读
上一篇：关于开展消费券活动的通知
Share this page with friends
各区人民政府要把优化营商环境作为一项重要工作，持续推进审批制度改革，提升企业办事便利度。
"""


def _reasons(nlp: Language, text: str) -> dict[str, str]:
    doc = run_pipeline(nlp, text, "page.txt")
    for d in doc._.pkg_dropped:
        assert text[d.start : d.end] == d.text
    return {d.text: d.reason for d in doc._.pkg_dropped}


def test_page_chrome_timestamp_header_and_bogus_date(nlp: Language) -> None:
    reasons = _reasons(nlp, PAGE)
    assert reasons["甲乙市政务网"] == "page_header"
    assert reasons["首页 > 政策文件"] == "page_chrome"
    assert reasons["2021-05-06  10:32"] == "page_timestamp"
    assert reasons["发布日期：1900-1-1"] == "bogus_date:sentinel"
    assert reasons["相关阅读"] == "page_chrome"
    assert reasons["上一篇：关于开展消费券活动的通知"] == "page_chrome"
    assert reasons["Share this page with friends"] == "page_chrome"
    assert "甲乙市人民政府关于优化营商环境的实施意见" not in reasons
    assert "（一）简化审批。推行企业开办一网通办。" not in reasons


def test_repeated_long_paragraph_is_dropped_once(nlp: Language) -> None:
    doc = run_pipeline(nlp, PAGE, "page.txt")
    dups = [d for d in doc._.pkg_dropped if d.reason == "duplicate"]
    assert len(dups) == 1
    first = PAGE.index("各区人民政府要把")
    assert dups[0].start > first
    assert dropped_at(doc, first) is None
    assert dropped_at(doc, dups[0].start + 3) is dups[0]


def test_injected_junk_line_and_prefix(nlp: Language) -> None:
    text = (
        "某某国样板局 另一国测试局\n"
        "丙丁县人民政府关于推进数字乡村建设的意见\n"
        "一、主要任务\n"
        "某某国样板局 另一国测试局。  1.建设乡村信息服务站。\n"
    )
    doc = run_pipeline(nlp, text, "junk.txt")
    by_reason = [(d.reason, d.text) for d in doc._.pkg_dropped]
    assert ("page_header", "某某国样板局 另一国测试局") in by_reason
    prefix = next(d for d in doc._.pkg_dropped if d.reason == "injected_junk")
    assert prefix.text.startswith("某某国样板局")
    # the paragraph after the junk survives
    assert dropped_at(doc, text.index("1.建设")) is None


def test_short_headings_repeat_far_apart_but_near_copies_go(nlp: Language) -> None:
    body = "\n".join(f"{i}.第{i}项具体工作安排，按季度推进落实。" for i in range(1, 10))
    text = f"一、总体要求\n一、总体要求\n{body}\n一、总体要求\n"
    doc = run_pipeline(nlp, text, "h.txt")
    dups = [d for d in doc._.pkg_dropped if d.reason == "duplicate"]
    assert [d.start for d in dups] == [text.index("一、总体要求", 1)]


def test_table_cells_are_never_duplicates(nlp: Language) -> None:
    text = (
        "序号\n工作任务\n责任单位\n完成时限\n"
        "1\n建设人才公寓。\n市住房城乡建设局、各区\n2023年底完成\n"
        "2\n建设人才驿站。\n市住房城乡建设局、各区\n2023年底完成\n"
    )
    doc = run_pipeline(nlp, text, "t.txt")
    assert not [d for d in doc._.pkg_dropped if d.reason == "duplicate"]


def test_crlf_offsets_hold(nlp: Language) -> None:
    text = PAGE.replace("\n", "\r\n")
    doc = run_pipeline(nlp, text, "crlf.txt")
    assert doc._.pkg_dropped
    for d in doc._.pkg_dropped:
        assert text[d.start : d.end] == d.text
        assert "\r" not in d.text


_SHARED = "一、完善县域商业网络。改造提升县城综合商贸服务中心和乡镇商贸中心。（责任单位：市商务局）"
_BODY = "\n".join(f"{n}、第{n}项任务的具体内容，由各地结合实际组织实施。" for n in "二三四五六七")
TEMPLATE = (
    f"雁南市人民政府关于推进县域商业体系建设的实施意见\n{_SHARED}\n{_SHARED}\n{_BODY}\n"
    f"雁北市人民政府关于推进县域商业体系建设的实施意见\n{_SHARED}\n{_BODY}\n"
)


def test_a_paragraph_shared_by_two_documents_is_no_duplicate(nlp: Language) -> None:
    doc = run_pipeline(nlp, TEMPLATE, "t.txt")
    lines = [TEMPLATE.count("\n", 0, d.start) for d in doc._.pkg_dropped]
    # the repeat inside the first document is dropped; the second city's paragraphs
    # (the shared one and its own copies of the body) are its own
    assert lines == [2]


def test_a_document_repeated_after_another_is_still_a_duplicate(nlp: Language) -> None:
    first, second = TEMPLATE.splitlines()[:9], TEMPLATE.splitlines()[9:]
    text = "\n".join(first + second + first) + "\n"
    doc = run_pipeline(nlp, text, "t.txt")
    lines = [text.count("\n", 0, d.start) for d in doc._.pkg_dropped]
    # the inner repeat, then the whole second copy of the first document
    assert lines == [2, *range(17, 26)]


WIDGETS = """临江市人民政府办公室关于印发临江市养老服务行动计划的通知
发布时间：2023-03-01 09:30　　浏览量：1024
各区人民政府：
　　现将《临江市养老服务行动计划》印发给你们。
热门排行 阅读数：8812次 本站已运行960天
（一）推广“扫码即办”养老服务。（责任单位：市民政局）
长按扫码关注官方公众号，领取50元红包
分享到：微信 | 微博 | QQ空间
【打印本页】【关闭窗口】
下一篇：临江市推进医养结合的通知
网站地图 | 联系我们
主办：临江市人民政府办公室　湘ICP备00000000号
"""


def test_page_widgets_are_chrome_wherever_they_sit_in_a_short_line(nlp: Language) -> None:
    reasons = _reasons(nlp, WIDGETS)
    chrome = {t for t, r in reasons.items() if r == "page_chrome"}
    assert chrome == {
        "发布时间：2023-03-01 09:30　　浏览量：1024",
        "热门排行 阅读数：8812次 本站已运行960天",
        "长按扫码关注官方公众号，领取50元红包",
        "分享到：微信 | 微博 | QQ空间",
        "【打印本页】【关闭窗口】",
        "下一篇：临江市推进医养结合的通知",
        "网站地图 | 联系我们",
        "主办：临江市人民政府办公室　湘ICP备00000000号",
    }
    # a measure naming a scan-code service is content
    assert "（一）推广“扫码即办”养老服务。（责任单位：市民政局）" not in reasons


@pytest.mark.parametrize(
    ("line", "why"),
    [
        ("2023年2月30日", "impossible"),
        ("发布日期：2099-13-45", "impossible"),
        ("【成文日期】0000-00-00", "sentinel"),
        ("更新时间：1970-01-01 08:00", "sentinel"),
        ("有效期至：2099-12-31", "sentinel"),
        ("（1900年1月1日）", "sentinel"),
        ("印发日期：1936-05-01", "before_1949"),
        ("2999年1月1日", "future"),
    ],
)
def test_bogus_date_lines_are_dropped_with_the_reason(nlp: Language, line: str, why: str) -> None:
    text = "临江市人民政府关于加快数字政府建设的实施意见\n" + line + "\n一、总体要求\n"
    assert _reasons(nlp, text)[line] == f"bogus_date:{why}"


def test_a_date_in_running_text_is_not_a_date_line(nlp: Language) -> None:
    text = (
        "临江市人民政府关于加快数字政府建设的实施意见\n本意见自2999年1月1日起施行，有效期五年。\n"
    )
    assert _reasons(nlp, text) == {}


def test_noise_creates_no_fact_and_is_reported() -> None:
    from policykg.extract.pipeline import extract_text

    text = (
        "临江市养老服务行动计划\n一、主要目标\n到2025年，养老机构床位数达到3.5万张。\n"
        "点击排行 阅读数：23456次 本站已运行1200天\n扫码关注公众号，领取100元红包\n"
        "临江市民政局\n2023年2月30日\n"
    )
    res = extract_text(text, "noise.txt")
    assert [(t.metric, t.value) for t in res.targets] == [("养老机构床位数", 3.5)]
    assert [d.date for d in res.documents] == [None]
    reasons = {d.text: d.reason for d in res.dropped}
    assert reasons["2023年2月30日"] == "bogus_date:impossible"
    assert reasons["扫码关注公众号，领取100元红包"] == "page_chrome"


def test_more_page_chrome_lines(nlp: Language) -> None:
    text = (
        "岷山市人民政府 政务公开\n字号：大 中 小\n您现在的位置：首页 > 政务公开 > 政策文件\n"
        "岷山市促进消费扩容提质若干措施\n一图读懂《岷山市促进消费扩容提质若干措施》\n"
        "一、发展新型消费。（责任单位：市商务局）\n相关解读\n"
        "《岷山市促进消费扩容提质若干措施》政策解读\n网友留言\n"
        "主办单位：岷山市人民政府办公室　　承办单位：岷山市大数据中心　　网站标识码：1234000001"
        "　　岷ICP备12345678号　　岷公网安备 12345678901234号　　联系电话：0000-12345678\n"
    )
    reasons = _reasons(nlp, text)
    for line in (
        "字号：大 中 小",
        "您现在的位置：首页 > 政务公开 > 政策文件",
        "一图读懂《岷山市促进消费扩容提质若干措施》",
        "相关解读",
        "《岷山市促进消费扩容提质若干措施》政策解读",
        "网友留言",
    ):
        assert reasons[line] == "page_chrome", line
    footer = next(t for t in reasons if t.startswith("主办单位"))
    assert len(footer) > 80 and reasons[footer] == "page_chrome"
    kept = ("岷山市促进消费扩容提质若干措施", "一、发展新型消费。（责任单位：市商务局）")
    assert not any(t in reasons for t in kept)


_LONG_LINE_SCRIPT = """
import sys
from policykg.extract.pipeline import build_pipeline, run_pipeline
nlp = build_pipeline({"components": sys.argv[1].split(",")})
for line in ("1" * 1_000_000, "a" * 1_000_000, "1次" * 400_000, "字体大" + "小" * 500_000):
    text = "岷山市人民政府关于加强安全生产工作的意见\\n一、总体要求\\n" + line + "\\n"
    run_pipeline(nlp, text, "long.txt")
"""


@pytest.mark.parametrize(
    "components",
    [
        "policykg_clean",
        "policykg_clean,policykg_documents,policykg_structure,policykg_responsibilities,"
        "policykg_citations,policykg_resolve",
    ],
)
def test_a_megabyte_line_cleans_in_linear_time(components: str) -> None:
    """A 1 MB line of digits or letters must not hit a quadratic regex (677 s before).

    Linear work on 4 MB takes a few seconds; the generous timeout only fails
    when some pattern backtracks over the whole line at every position.
    """
    import subprocess
    import sys

    subprocess.run(
        [sys.executable, "-c", _LONG_LINE_SCRIPT, components], check=True, timeout=120
    )


def _noise_patterns() -> list[object]:
    from policykg.extract import cleaning

    return [
        cleaning._FOOTER_RE,
        cleaning._CHROME_RE,
        cleaning._INTERPRETATION_RE,
        cleaning._WIDGET_RE,
        cleaning._TIMESTAMP_RE,
        # possessive quantifiers are no input for from_regex: the same language
        r"(?<![A-Za-z])[A-Za-z]{2,}(?:\W+[A-Za-z]{2,})+",
    ]


@pytest.mark.parametrize("index", range(6))
def test_every_line_a_noise_pattern_accepts_holds_a_hint(index: int) -> None:
    # the hints decide which lines the noise patterns are tried on at all: a line a
    # pattern accepts but no hint finds would silently stay content
    hypothesis = pytest.importorskip("hypothesis")
    st = pytest.importorskip("hypothesis.strategies")
    from policykg.extract.cleaning import _NOISE_HINT_RE

    pattern = _noise_patterns()[index]

    @hypothesis.settings(max_examples=400, deadline=None)
    @hypothesis.given(st.from_regex(pattern, fullmatch=True))
    def check(line: str) -> None:
        hypothesis.assume("\n" not in line and "\r" not in line)
        assert _NOISE_HINT_RE.search(line), line

    check()


def test_hints_are_found_in_line_text_not_in_indentation() -> None:
    from policykg.extract.cleaning import _NOISE_HINT_RE
    from policykg.extract.genre import hit_lines, split_lines

    text = "　　各部门要加强领导。\n　　返回首页\n\n  Share this page\r\n12:30\n正文"
    lines = split_lines(text)
    assert hit_lines(text, lines, _NOISE_HINT_RE) == [1, 2, 3]
