"""The genre lexicon: normalisation used by deduplication and scoring."""

from __future__ import annotations

import datetime as dt
import itertools
import unicodedata

import pytest

from policykg.extract.genre import bogus_date, date_problem, is_unit_name, norm, parse_date


def _reference(s: str) -> str:
    s = unicodedata.normalize("NFKC", s)
    return "".join(c for c in s if not (c.isspace() or unicodedata.category(c)[0] in "PS"))


@pytest.mark.parametrize(
    "s",
    [
        "《关于印发〈雁城市方案〉的通知》（2021—2025年）",
        "ＡＢＣ　１２３％ ＋－",
        "emoji 😀 and ext-B 𠀀 chars",
        "",
        "\r\n\t\u3000\xa0",
        "Ａ\u0301，ｅ\u0301\u3000\u0308ｏ\uff10\u20dd（ｌ）\u0327",  # full width next to marks
    ],
)
def test_norm_drops_whitespace_punctuation_and_symbols(s: str) -> None:
    assert norm(s) == _reference(s)


@pytest.mark.parametrize(
    "name",
    [
        "市商务局",
        "省卫生健康委",
        "各县区政府",
        "雁城海关",
        "人民银行雁城市中心支行",
        "中国建设银行雁城支行",
        "州重点项目建设指挥部",
        "州征地拆迁工作专班",
        "雁城市对口帮扶临江州工作队",
        "市委改革办",
        "县农商行",
        "市供销社",
        "市文广新局",
    ],
)
def test_unit_names_are_recognised(name: str) -> None:
    assert is_unit_name(name)


@pytest.mark.parametrize(
    "phrase",
    [
        "优化医疗资源布局",  # a topic heading ending in 局 is no bureau
        "构建新发展格局",
        "服务全省发展大局",
        "开创工作新局面",
        "加强统筹部署",
        "建设区域医疗中心",  # a measure's verb starts a heading, never a name
        "组建产业投资公司",
        "营造良好社会",
        "全面推进",
        "旅行社",  # 行/社 alone need a level or an area
        "市场监管局的",
    ],
)
def test_topic_headings_are_not_units(phrase: str) -> None:
    assert not is_unit_name(phrase)


@pytest.mark.parametrize(
    ("raw", "iso", "why"),
    [
        ("2023年2月28日", "2023-02-28", None),
        ("二〇二一年十二月三十一日", "2021-12-31", None),
        ("2023年2月30日", None, "impossible"),
        ("2023-13-01", None, "impossible"),
        ("1970-01-01", None, "sentinel"),
        ("1900-1-1", None, "sentinel"),
        ("2099-12-31", None, "sentinel"),
        ("0000-00-00", None, "sentinel"),
        ("1937年7月7日", None, "before_1949"),
        ("2031年5月1日", None, "future"),
        ("没有日期", None, None),
    ],
)
def test_parse_date_rejects_implausible_dates(raw: str, iso: str | None, why: str | None) -> None:
    today = dt.date(2030, 1, 1)
    assert parse_date(raw, today) == iso
    assert bogus_date(raw, today) == why


def test_date_problem_is_relative_to_today() -> None:
    assert date_problem(2030, 6, 1, dt.date(2030, 6, 1)) is None
    assert date_problem(2030, 6, 2, dt.date(2030, 6, 1)) == "future"


def test_norm_spans_is_norm_of_each_span() -> None:
    hypothesis = pytest.importorskip("hypothesis")
    st = pytest.importorskip("hypothesis.strategies")
    from policykg.extract.genre import norm, norm_spans, to_halfwidth

    # full-width ASCII, the ideographic space, CJK and punctuation, a compatibility
    # ideograph NFKC maps beyond the BMP, emoji, combining marks, a lone surrogate
    odd = ["\ufa6c", "\U0001f600", "\u0301", "\ud800"]
    alphabet = st.sampled_from([*"Ａｚ０９，。（）\u3000 \t甲乙关于、；：“”-./A1", *odd])

    @hypothesis.settings(max_examples=300, deadline=None)
    @hypothesis.given(st.lists(alphabet, max_size=40).map("".join), st.data())
    def check(text: str, data: st.DataObject) -> None:
        cuts = sorted(data.draw(st.lists(st.integers(0, len(text)), min_size=2, max_size=8)))
        spans = list(itertools.pairwise(cuts))
        assert to_halfwidth(text) == text.translate(
            {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}
        )
        assert norm_spans(text, spans) == [norm(text[a:b]) for a, b in spans]

    check()
