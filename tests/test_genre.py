"""The genre lexicon: normalisation used by deduplication and scoring."""

from __future__ import annotations

import unicodedata

import pytest

from policykg.extract.genre import is_unit_name, norm


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
