"""Tests of extract/target.py and extract/indicators.py on invented sentences."""

from __future__ import annotations

import random

import pytest
import spacy

from policykg.extract import target as target_module  # registers the factory
from policykg.extract.indicators import load_scheme, match_indicator
from policykg.extract.model import DocumentRecord, Dropped, Evidence, TargetRecord
from policykg.extract.target import (
    find_targets,
    parse_number,
    parse_quantity,
    plan_period,
    plan_year,
)


def _targets(text: str, **kw: object) -> list[TargetRecord]:
    recs = find_targets(text, document_key="d", **kw)  # type: ignore[arg-type]
    for r in recs:
        assert text[r.evidence.start : r.evidence.end] == r.evidence.quote
        assert len(r.evidence.quote) <= 200
    return recs


def _one(text: str, **kw: object) -> TargetRecord:
    recs = _targets(text, **kw)
    assert len(recs) == 1, [(r.metric, r.value, r.unit) for r in recs]
    return recs[0]


# ---------------------------------------------------------------- numbers


@pytest.mark.parametrize(
    ("s", "value"),
    [("17", 17), ("2.88", 2.88), ("１２", 12), ("十五", 15), ("两", 2), ("三百", 300),
     ("二点五", 2.5), ("一万", None)],
)  # fmt: skip
def test_parse_number(s: str, value: float | None) -> None:
    got = parse_number(s)
    assert got == value or (value is None and got in (None, 10000.0))


@pytest.mark.parametrize(
    ("s", "value", "value_max", "unit", "normalized"),
    [
        ("6万件", 6, None, "万件", 60000),
        ("7.5亿元", 7.5, None, "亿元", 7.5e8),
        ("300万元", 300, None, "万元", 3e6),
        ("1~2个", 1, 2, "个", 1),
        ("5—8家", 5, 8, "家", 5),
        ("1-2项", 1, 2, "项", 1),
        ("五至八个", 5, 8, "个", 5),
        ("2.88件/万人", 2.88, None, "件/万人", 2.88),
        ("95%", 95, None, "%", 95),
        ("3个百分点", 3, None, "个百分点", 3),
        ("500人次/年", 500, None, "人次/年", 500),
    ],
)
def test_parse_quantity(
    s: str, value: float, value_max: float | None, unit: str, normalized: float
) -> None:
    q = parse_quantity(s)
    assert q is not None
    assert (q.value, q.value_max, q.unit) == (value, value_max, unit)
    assert q.normalized_value == pytest.approx(normalized)


# ---------------------------------------------------------------- metric, value, comparator


@pytest.mark.parametrize(
    ("sentence", "metric", "value", "unit", "comparator"),
    [
        ("到2025年，政务服务事项网上可办率达到98%。", "政务服务事项网上可办率", 98, "%", ">="),
        ("到2025年，全市高新技术企业达1200家。", "高新技术企业", 1200, "家", ">="),
        ("到2025年，技能人才总量超过30万人。", "技能人才总量", 30, "万人", ">="),
        ("到2025年，居民健康素养水平不低于28%。", "居民健康素养水平", 28, "%", ">="),
        ("到2025年，力争培育跨境电商龙头企业10家。", "跨境电商龙头企业", 10, "家", ">="),
        ("到2025年，市场主体总量达到80万户以上。", "市场主体总量", 80, "万户", ">="),
        ("到2025年，城镇调查失业率控制在5.5%以内。", "城镇调查失业率", 5.5, "%", "<="),
        ("到2025年，企业开办时间不超过2个工作日。", "企业开办时间", 2, "个工作日", "<="),
        ("到2025年，孕产妇死亡率降至10/10万以下。", None, None, None, None),
        ("到2025年，新增城镇就业岗位5万个。", "城镇就业岗位", 5, "万个", "increase"),
        ("到2025年，新建社区养老服务中心30个。", "社区养老服务中心", 30, "个", "increase"),
        ("到2025年，外贸进出口总额年均增长8%。", "外贸进出口总额", 8, "%", "pct_increase"),
        ("到2025年，数字经济核心产业增加值占比提高3个百分点。",
         "数字经济核心产业增加值占比", 3, "个百分点", "increase"),
        ("到2025年，培育市级工业互联网平台15个。", "市级工业互联网平台", 15, "个", "="),
        ("到2025年，建成5G基站8000个。", "5G基站", 8000, "个", "="),
        ("到2025年，每千人口医疗卫生机构床位数6.5张。", "医疗卫生机构床位数", 6.5, "张", "="),
    ],
)  # fmt: skip
def test_goal_forms(
    sentence: str, metric: str | None, value: float | None, unit: str | None, comparator: str | None
) -> None:
    recs = _targets(sentence)
    if metric is None:
        return  # only: never raises, evidence exact
    assert len(recs) == 1, [(r.metric, r.value, r.unit) for r in recs]
    r = recs[0]
    assert metric in r.metric or r.metric in metric
    assert (r.value, r.unit, r.comparator, r.year) == (value, unit, comparator, 2025)
    assert r.year_inferred is False


def test_ranges_and_list_share_the_verb() -> None:
    recs = _targets("到2024年，新建3—5个市级实验室、2~3个工程中心，10-20家企业技术中心。")
    got = [(r.metric, r.value, r.value_max, r.unit, r.comparator) for r in recs]
    assert got == [
        ("市级实验室", 3, 5, "个", "increase"),
        ("工程中心", 2, 3, "个", "increase"),
        ("企业技术中心", 10, 20, "家", "increase"),
    ]


def test_chinese_numeral_range() -> None:
    r = _one("到2024年，培育五至八家数字化转型服务商。")
    assert (r.metric, r.value, r.value_max, r.unit) == ("数字化转型服务商", 5, 8, "家")


def test_metric_list_without_comparator_is_equal() -> None:
    recs = _targets("到2023年，外资企业数量达到600家，外资研发中心12个，跨国公司地区总部5家。")
    assert [(r.metric, r.value, r.comparator) for r in recs] == [
        ("外资企业数量", 600, ">="),
        ("外资研发中心", 12, "="),
        ("跨国公司地区总部", 5, "="),
    ]


def test_object_after_number() -> None:
    r = _one("到2025年，推动60%以上的规模以上企业实现数字化改造。")
    assert r.metric.startswith("规模以上企业实现数字化改造")
    assert (r.value, r.unit, r.comparator) == (60, "%", ">=")


# ---------------------------------------------------------------- years


def test_year_scope_from_goal_paragraph_until_next_heading() -> None:
    text = (
        "一、总体要求\n（二）发展目标。到2026年，营商环境显著优化。\n"
        "市场主体活跃。新增市场主体2万户。\n"
        "二、重点任务\n（一）培育主体。培育专精特新企业50家。\n"
    )
    recs = _targets(text)
    assert [(r.metric, r.year, r.year_inferred) for r in recs] == [
        ("市场主体", 2026, True),
        ("专精特新企业", None, False),
    ]


def test_plan_period_from_title() -> None:
    text = "三、重点任务\n（一）人才引育。引进博士以上人才200名。\n"
    r = _one(text, title="某市人才发展行动计划(2022—2024年)")
    assert (r.year, r.year_inferred) == (2024, True)
    assert plan_year("2024年全省数字政府建设工作要点") == 2024
    assert plan_year("某县“十四五”卫生健康发展规划") == 2025
    assert plan_year("某市国民经济和社会发展第十四个五年规划纲要") == 2025
    assert plan_year(None, "“十五五”时期是关键五年，制定本规划。") == 2030
    assert plan_year("关于优化营商环境的实施意见") is None


def test_five_year_plan_end_in_sentence() -> None:
    r = _one("在“十四五”末，全市跨境电商交易额达到50亿元。")
    assert (r.year, r.year_inferred, r.unit) == (2025, False, "亿元")


def test_table_heading_year() -> None:
    text = (
        "附件\n2024年度工作目标分解表\n序号\n2024年目标\n责任单位\n1\n"
        "家庭医生签约率达到75%\n市卫健委\n"
    )
    r = _one(text)
    assert (r.metric, r.value, r.year) == ("家庭医生签约率", 75, 2024)


def test_recurring_goal_has_no_year_and_a_per_year_unit() -> None:
    r = _one("到2025年前，每年举办招才引智活动10场以上。")
    assert (r.year, r.unit, r.comparator) == (None, "场/年", ">=")


# ---------------------------------------------------------------- not targets


@pytest.mark.parametrize(
    "text",
    [
        "“十三五”期间，全市累计引进人才3.2万人。",
        "截至2022年底，全市共有养老机构120家。",
        "目前已建成智慧社区45个。",
        "去年全市完成出口额300亿元，同比增长12%。",
        "会议于2023年5月18日召开。",
        "依据湘政发〔2021〕9号文件，落实各项政策。",
        "1.加强统筹协调。2.强化资金保障。",
        "开通12345政务服务热线。",
        "组织开展4.23世界读书日活动。",
        "力争通过3年努力，基本建成现代化医疗体系。",
        "对新认定的总部企业给予最高200万元奖励。",
        "企业研发投入超过500万元的，按照不低于10%的比例给予补助。",
        "从300个储备项目中遴选优质项目。",
        "进入全国前10位。",
        "紧紧围绕“两个中心”“三大体系”建设。",
    ],
)
def test_not_targets(text: str) -> None:
    assert _targets(text, default_year=2025) == []


def test_history_section_is_skipped() -> None:
    text = (
        "一、发展基础\n（一）主要成效\n全市高新技术企业达到900家。\n"
        "二、主要目标\n到2025年，全市高新技术企业达到1500家。\n"
    )
    assert [(r.value, r.year) for r in _targets(text)] == [(1500, 2025)]


def test_restated_goal_is_one_record() -> None:
    text = (
        "二、主要目标\n到2025年，每万人口高价值发明专利数4.5件。\n"
        "三、重点任务\n到2025年，实现万人高价值发明专利数量超过4.5件。\n"
    )
    recs = _targets(text)
    assert len(recs) == 1
    assert recs[0].comparator == ">="  # the restatement's comparator is kept


# ---------------------------------------------------------------- indicators


def test_indicator_variants_share_a_concept() -> None:
    a = match_indicator("每万人口有效发明专利数", "件")
    b = match_indicator("万人发明专利持有量", "件")
    c = match_indicator("有效发明专利数", "件/万人")
    assert a == b == c == "invention-patents-per-10k"
    assert (
        match_indicator("每万人口高价值发明专利数", "件") == "high-value-invention-patents-per-10k"
    )
    assert match_indicator("地区生产总值", "%") == "gdp-growth"
    assert match_indicator("研发经费投入强度", "%") == "rd-intensity"
    assert match_indicator("政务服务事项全程网办率", "%") == "online-government-services"
    assert match_indicator("人均预期寿命", "岁") == "life-expectancy"
    assert match_indicator("龙舟比赛场次", "场") is None


def test_scheme_has_skos_labels() -> None:
    scheme = load_scheme()
    ids = [c.id for c in scheme.concepts]
    assert len(ids) == len(set(ids)) >= 40
    for c in scheme.concepts:
        assert c.pref_label.get("zh") and c.pref_label.get("en")
        assert c.all_groups
        assert c.broader is None or c.broader in scheme.groups


def test_target_carries_indicator_and_region() -> None:
    text = "到2025年，研发经费投入强度达到3%。"
    r = _one(text, region="示例市")
    assert (r.indicator, r.region) == ("rd-intensity", "示例市")


# ---------------------------------------------------------------- component


def _record(key: str, title: str, region: str, start: int, end: int) -> DocumentRecord:
    return DocumentRecord(key, title, None, None, region, "city", None,
                          Evidence("invented.txt", start, start, ""), span_start=start,
                          span_end=end)  # fmt: skip


def test_component_attributes_documents_and_skips_dropped() -> None:
    first = "某市养老服务规划(2021—2025年)\n新建养老服务中心20个。\n"
    noise = "广告：注册会员超过100万人。\n"
    second = "2024年某县招商工作要点\n引进亿元以上项目30个。\n"
    text = first + noise + second
    docs = [
        _record("a", "某市养老服务规划(2021—2025年)", "某市", 0, len(first) + len(noise)),
        _record("b", "2024年某县招商工作要点", "某县", len(first) + len(noise), len(text)),
    ]
    nlp = spacy.blank("zh")
    nlp.add_pipe("policykg_targets")
    doc = nlp.make_doc(text)
    doc._.pkg_source = "invented.txt"
    doc._.pkg_documents = docs
    doc._.pkg_dropped = [Dropped(len(first), len(first) + len(noise), "chrome", noise)]
    for _name, proc in nlp.pipeline:
        doc = proc(doc)
    got = [(t.document, t.region, t.metric, t.value, t.year) for t in doc._.pkg_targets]
    assert got == [
        ("a", "某市", "养老服务中心", 20, 2025),
        ("b", "某县", "亿元以上项目", 30, 2024),
    ]
    assert len(doc.spans["targets"]) == 2


# ---------------------------------------------------------------- robustness

_ALPHABET = "0123456789.%~—-至万亿个家件人年到达超过新增以上以下每“”《》（）()，。、\n一二三十"


def _check(text: str) -> None:
    for r in find_targets(text, default_year=2025):
        assert text[r.evidence.start : r.evidence.end] == r.evidence.quote
        assert r.metric


def test_random_text_never_raises() -> None:
    rng = random.Random(7)
    for _ in range(400):
        _check("".join(rng.choice(_ALPHABET) for _ in range(rng.randint(0, 150))))


def test_property_random_unicode_never_raises() -> None:
    hypothesis = pytest.importorskip("hypothesis")
    st = pytest.importorskip("hypothesis.strategies")

    @hypothesis.settings(max_examples=200, deadline=None)
    @hypothesis.given(
        st.text(alphabet=st.sampled_from(list(_ALPHABET)) | st.characters(), max_size=200)
    )
    def run(text: str) -> None:
        _check(text)

    run()


def test_grade_goal_needs_a_comparator_and_scales_are_not_counts() -> None:
    r = _one("到2025年，三级医院电子病历应用水平平均达到5级以上。")
    assert (r.metric, r.value, r.unit, r.comparator) == ("三级医院电子病历应用水平", 5, "级", ">=")
    r = _one("到2025年，打造2个千亿级先进制造业集群。")
    assert (r.metric, r.value, r.unit) == ("千亿级先进制造业集群", 2, "个")


def test_component_with_no_policy_document_finds_nothing() -> None:
    nlp = spacy.blank("zh")
    nlp.add_pipe("policykg_targets")
    doc = nlp.make_doc("音乐节现场观众超过3万人次。")
    doc._.pkg_documents = []
    for _name, proc in nlp.pipeline:
        doc = proc(doc)
    assert doc._.pkg_targets == []


def test_crlf_text() -> None:
    text = "二、主要目标\r\n到2027年，全市外贸企业达到3000家。\r\n每年新增外贸企业200家。\r\n"
    recs = _targets(text)
    assert [(r.metric, r.value, r.unit, r.year, r.comparator) for r in recs] == [
        ("外贸企业", 3000, "家", 2027, ">="),
        ("外贸企业", 200, "家/年", None, "increase"),
    ]


def test_increase_verb_governs_a_list_and_a_closing_deadline_opens_no_scope() -> None:
    text = (
        "（三）加强平台建设。新增省级工作站3个、市级工作站5个，到2023年底前建成创业园1个。\n"
        "（四）其他。建成孵化器2家。\n"
    )
    recs = _targets(text, default_year=2025)
    assert [(r.metric, r.value, r.comparator, r.year) for r in recs] == [
        ("省级工作站", 3, "increase", 2025),
        ("市级工作站", 5, "increase", 2025),
        ("创业园", 1, "=", 2023),
        ("孵化器", 2, "=", 2025),
    ]


# ---------------------------------------------------------------- issue 3: general target rules


def _got(text: str, **kw: object) -> list[tuple[object, ...]]:
    return [
        (r.metric, r.value, r.value_max, r.unit, r.comparator, r.year) for r in _targets(text, **kw)
    ]


def test_subsidy_words_inside_a_metric_do_not_make_a_rule() -> None:
    # the word names the measured thing: still goals
    assert _got("到2026年，新能源汽车占新车销量的比例达到40%。") == [
        ("新能源汽车占新车销量的比例", 40, None, "%", ">=", 2026)
    ]
    assert _got("到2026年，每年开展补贴性创业培训5万人次以上。") == [
        ("补贴性创业培训", 5, None, "万人次/年", ">=", None)
    ]
    assert _got("到2026年，乡村振兴补助资金用于基础设施的比例不低于40%。") == [
        ("乡村振兴补助资金用于基础设施的比例", 40, None, "%", ">=", 2026)
    ]


@pytest.mark.parametrize(
    "text",
    [
        "对来本市就业的应届毕业生，发放求职补贴每人2000元。",
        "对新落户的研发机构，补助标准为每家最高300万元。",
        "为返乡创业人员提供3000元创业补贴。",
        "给予每人每月800元生活补助。",
        "按照实际投资额的20%比例奖励，单个项目不超过100万元。",
    ],
)
def test_subsidy_amounts_are_not_targets(text: str) -> None:
    assert _targets(text, default_year=2026) == []


def test_a_year_before_the_document_is_history() -> None:
    text = (
        "二、主要目标\n2023年，全市快递业务量达到5.2亿件，同比增长12%。"
        "到2026年，全市快递业务量达到8亿件。\n"
    )
    assert _got(text, date="2024-03-01") == [("快递业务量", 8, None, "亿件", ">=", 2026)]
    # the plan period's first year also bounds it, without an issue date
    assert _got(text, title="某市邮政快递业发展三年行动计划（2024—2026年）") == [
        ("快递业务量", 8, None, "亿件", ">=", 2026)
    ]
    # a year of the plan itself is a goal
    this_year = "2024年，全市快递业务量达到6亿件。"
    assert _got(this_year, date="2024-03-01") == [("快递业务量", 6, None, "亿件", ">=", 2024)]


def test_past_five_year_period_is_history_without_a_plan_title() -> None:
    text = "“十三五”时期，全市城镇居民人均可支配收入由3.1万元增加到4.2万元，建成公园12个。"
    assert _targets(text, date="2021-06-01") == []
    assert _targets(text) == []
    # an opening that looks back on a past period gives the document no plan year
    assert plan_year(None, "“十三五”时期，全市经济稳步增长。", not_before=2021) is None


def test_change_from_a_to_b_targets_b() -> None:
    assert _got("到2026年，城镇居民人均可支配收入由4.2万元增加到5.5万元。") == [
        ("城镇居民人均可支配收入", 5.5, None, "万元", ">=", 2026)
    ]
    assert _got("到2026年，单位产值能耗由0.6吨标准煤下降到0.45吨标准煤。") == [
        ("单位产值能耗", 0.45, None, "吨标准煤", "<=", 2026)
    ]


def test_plan_year_from_a_year_anywhere_in_the_title() -> None:
    assert plan_year("洛阳市2024年优化营商环境工作方案") == 2024
    assert plan_year("浙江省数字经济2024年工作要点") == 2024
    assert plan_year("某市“十四五”规划和2035年远景目标纲要") == 2025
    assert plan_year("关于2024年3月召开现场会的通知") is None
    assert plan_period("某县乡村振兴三年行动方案（2024—2026年）") == (2024, 2026)
    assert plan_period("某市“十五五”交通发展规划") == (2026, 2030)


def test_plan_year_ignores_periods_of_cited_titles() -> None:
    opening = "为落实《某省数字政府建设规划（2023—2027年）》，结合我市实际，制定本方案。"
    assert plan_year(None, opening) is None
    assert plan_year(None, "本规划期为2024—2028年。") == 2028
    # a title naming a plan works to its period
    assert plan_year("关于印发《某市养老服务规划（2024—2028年）》的通知") == 2028


def test_chinese_numerals_after_the_object() -> None:
    text = (
        "到2026年，新建高标准农田八万亩，打造省级美丽庭院示范村三十个，"
        "新增幼儿园学位六万个，引进博士后四百名。"
    )
    assert _got(text) == [
        ("高标准农田", 8, None, "万亩", "increase", 2026),
        ("省级美丽庭院示范村", 30, None, "个", "=", 2026),
        ("幼儿园学位", 6, None, "万个", "increase", 2026),
        ("博士后", 400, None, "名", "=", 2026),
    ]
    # an idiom glued to words after it is no count
    assert _targets("探索建立政府、企业、社会三位一体的协同机制。", default_year=2026) == []


def test_thousand_magnitude() -> None:
    assert _got("到2026年，引进青年人才1~2千名。") == [("青年人才", 1, 2, "千名", "=", 2026)]
    q = parse_quantity("3千米")
    assert q is not None and q.unit == "千米"


def test_growth_rate_with_an_elided_subject() -> None:
    got = _got("到2026年，社会消费品零售总额达到900亿元，年均增长7%以上。")
    assert got[0] == ("社会消费品零售总额", 900, None, "亿元", ">=", 2026)
    assert got[1][0].startswith("社会消费品零售总额")  # type: ignore[union-attr]
    assert got[1][1:] == (7, None, "%", "pct_increase", 2026)
    got = _got("到2026年，农民人均纯收入达到2.4万元、年均增长6.5%。")
    assert [g[4] for g in got] == [">=", "pct_increase"]


@pytest.mark.parametrize(
    ("text", "metric", "value", "unit"),
    [
        ("到2026年，全年开行中亚货运班列不少于500列。", "中亚货运班列", 500, "列"),
        ("到2026年，开通国际客运航线达到12趟。", "国际客运航线", 12, "趟"),
        ("到2026年，营商环境满意度不低于90分。", "营商环境满意度", 90, "分"),
        ("到2026年，新生儿死亡率控制在3/10万以下。", "新生儿死亡率", 3, "/10万"),
        ("到2026年，传染病报告发病率控制在150人/10万人以下。", "传染病报告发病率", 150,
         "人/10万人"),
        ("到2026年，每千人口托位数达到4.5个/千人。", "托位数", 4.5, "个/千人"),
        ("到2026年，农村宽带接入用户达到60户/百户。", "农村宽带接入用户", 60, "户/百户"),
        ("到2026年，举办人才招聘会不少于30场次。", "人才招聘会", 30, "场次"),
        ("到2026年，公交线路日均发车达到900班次。", "公交线路日均发车", 900, "班次"),
    ],
)  # fmt: skip
def test_more_units(text: str, metric: str, value: float, unit: str) -> None:
    r = _one(text)
    assert (r.value, r.unit) == (value, unit)
    assert metric in r.metric or r.metric in metric


def test_recurring_event_count_keeps_its_unit() -> None:
    assert _got("到2026年前，每年举办人才招聘会不少于30场次。") == [
        ("人才招聘会", 30, None, "场次/年", ">=", None)
    ]


@pytest.mark.parametrize(
    "text",
    ["推行生活垃圾4分类投放。", "百分之九十的群众表示满意。", "将重点项目列入清单，3列入计划。"],
)
def test_measure_words_that_are_not_units(text: str) -> None:
    assert _targets(text, default_year=2026) == []


@pytest.mark.parametrize(
    ("text", "value", "value_max", "unit"),
    [
        ("到2026年，研发经费投入强度达到2.5%-3%。", 2.5, 3, "%"),
        ("到2026年，文旅产业营业收入达到50亿~60亿元。", 50, 60, "亿元"),
        ("到2026年，数字经济增加值占比达到12%—15%。", 12, 15, "%"),
        ("到2026年，有效注册商标达到1.2万—1.5万件。", 1.2, 1.5, "万件"),
    ],
)
def test_ranges_with_the_unit_on_both_ends(
    text: str, value: float, value_max: float, unit: str
) -> None:
    r = _one(text)
    assert (r.value, r.value_max, r.unit, r.comparator) == (value, value_max, unit, ">=")
    assert not r.metric.endswith(("~", "—", "-", "达到"))


def test_time_word_before_the_verb() -> None:
    one_year = "某市2024年新型基础设施建设工作要点"
    assert _got("全年新增充电桩1200个。", title=one_year) == [
        ("充电桩", 1200, None, "个", "increase", 2024)
    ]
    assert _got("年内新增“一码通办”事项80项。", title=one_year) == [
        ("“一码通办”事项", 80, None, "项", "increase", 2024)
    ]
    # in a longer period, 全年 recurs every year
    assert _got("全年新增充电桩1200个。", title="某市充电设施建设规划（2024—2026年）") == [
        ("充电桩", 1200, None, "个/年", "increase", None)
    ]


def test_longest_verb_and_kept_metric_words() -> None:
    assert _got("到2026年，新建成智慧工厂30个。") == [
        ("智慧工厂", 30, None, "个", "increase", 2026)
    ]
    assert _got("到2026年，全县存贷比提高到75%。") == [("存贷比", 75, None, "%", ">=", 2026)]
    assert _got("到2026年，每个社区至少配置1名专职社会工作者。") == [
        ("专职社会工作者", 1, None, "名", ">=", 2026)
    ]
    for text in (
        "到2026年，不动产登记时间压缩至1个工作日以内。",
        "到2026年，不动产登记时间进一步缩减至1个工作日。",
    ):
        r = _one(text)
        assert (r.metric, r.comparator) == ("不动产登记时间", "<=")
    # a cap on an added amount
    assert _got("到2026年，新增数据中心机柜不超过3000个。")[0][4] == "<="
    # 新 / 再 before a verb adds to what exists
    assert _got("到2026年，每年新招录社区工作者500名以上。")[0][4] == "increase"
    assert _got("到2026年，再推出“一件事”服务15项。")[0][4] == "increase"
    # 稳定在…左右: held about level
    assert _got("到2026年，全市生猪存栏稳定在80万头左右。")[0][4] == "="


@pytest.mark.parametrize(
    "text",
    [
        "为来访人才提供5天免费住宿。",
        "聚焦12条重点产业链，开展精准招商。",
        "围绕8个主导产业，绘制产业图谱。",
        "《办法》共6章30条，自发布之日起施行。",
        "本方案分为4个部分。",
        "点击排行 阅读数：2341次 本站已运行900天",
        "扫码关注政务公众号，领取50元红包",
    ],
)
def test_noise_numbers_are_not_targets(text: str) -> None:
    assert _targets(text, default_year=2026) == []


def test_numbers_opening_a_cell_or_line_are_numbering() -> None:
    text = "序号\t工作任务\t责任单位\n2\t组织开展技能培训。\t市人社局\n3 组织开展招聘。\n"
    assert _targets(text, default_year=2026) == []


# ---------------------------------------------------------------- indicator tables

_TABLE_TITLE = "某州交通运输发展“十四五”规划"
_INDICATOR_ROWS = [
    ("高速公路通车里程", 900, None, "公里", ">=", 2025),
    ("城市公交分担率", 35, None, "%", "=", 2025),
    ("交通事故死亡率", 2.1, None, "人/万车", "<=", 2025),
]


@pytest.mark.parametrize(
    "table",
    [
        # TAB, units in a 单位 column
        "序号\t指标\t单位\t2020年现状\t2025年目标\t属性\n"
        "1\t高速公路通车里程\t公里\t610\t≥900\t预期性\n"
        "2\t城市公交分担率\t%\t28\t35\t预期性\n"
        "3\t交通事故死亡率\t人/万车\t2.6\t≤2.1\t约束性\n",
        # aligned with runs of spaces, units in the metric cell's parentheses
        "序号  指标                        2020年现状    2025年目标    属性\n"
        "1     高速公路通车里程（公里）    610           900以上       预期性\n"
        "2     城市公交分担率（%）         28            35            预期性\n"
        "3     交通事故死亡率（人/万车）   2.6           2.1以下       约束性\n",
        # markdown pipes, no 序号 column, bare year columns
        "| 指标 | 单位 | 2020年 | 2025年 |\n|---|---|---|---|\n"
        "| 高速公路通车里程 | 公里 | 610 | ≥900 |\n"
        "| 城市公交分担率 | % | 28 | 35 |\n"
        "| 交通事故死亡率 | 人/万车 | 2.6 | ≤2.1 |\n",
        # flattened, one cell per line
        "序号\n指标\n单位\n2020年\n2025年目标\n"
        "1\n高速公路通车里程\n公里\n610\n≥900\n"
        "2\n城市公交分担率\n%\n28\n35\n"
        "3\n交通事故死亡率\n人/万车\n2.6\n≤2.1\n",
        # header on one line, rows flattened below it
        "序号\t指标\t单位\t2020年\t2025年目标\n"
        "1\n高速公路通车里程\n公里\n610\n≥900\n"
        "2\n城市公交分担率\n%\n28\n35\n"
        "3\n交通事故死亡率\n人/万车\n2.6\n≤2.1\n",
    ],
    ids=["tab", "spaces", "markdown", "flat", "flat-rows"],
)
def test_indicator_table_rows(table: str) -> None:
    text = "二、主要指标\n表1　主要指标\n" + table + "三、重点任务\n"
    got = _got(text, title=_TABLE_TITLE)
    assert got == _INDICATOR_ROWS
    for r in _targets(text, title=_TABLE_TITLE):
        assert r.rule == "table:indicator" and r.year_inferred is False


def test_indicator_table_target_year_and_missing_values() -> None:
    text = (
        "指标名称\t2022年基期\t2024年目标\t2026年目标\n"
        "村级集体经济收入（万元）\t8\t12\t15\n"
        "农村卫生厕所普及率（%）\t80\t—\t完成省下达任务\n"
        "备注：数据来源于统计部门。\n"
    )
    assert _got(text) == [
        ("村级集体经济收入", 12, None, "万元", "=", 2024),
        ("村级集体经济收入", 15, None, "万元", "=", 2026),
    ]


def test_task_table_with_a_target_column_is_read_as_sentences() -> None:
    # the target column holds sentences, not values: not an indicator table
    text = (
        "序号\t重点任务\t2024年目标\t牵头单位\n"
        "1\t发展农村电商\t农村电商销售额达到30亿元\t市商务局\n"
    )
    assert [(r.metric, r.value, r.rule) for r in _targets(text)] == [
        ("农村电商销售额", 30, "quantity:before")
    ]


@pytest.mark.parametrize(
    "text",
    [
        "会议听取了经济运行情况汇报，全市工业投资增长9.3%。",
        "全市75%的社区已实现家庭医生签约服务全覆盖。",
    ],
)
def test_reported_facts_are_not_targets(text: str) -> None:
    assert _targets(text, default_year=2026) == []


def test_a_sentence_opening_year_without_a_comma() -> None:
    text = "2023年全市实现旅游收入420亿元。2024年全市旅游收入力争达到480亿元。"
    assert _got(text, date="2024-02-20") == [("旅游收入", 480, None, "亿元", ">=", 2024)]
    # 为了 states a purpose, not a completed action
    assert _got("为了稳住就业基本盘，到2026年，城镇新增就业达到6万人。")[0][1] == 6


def test_indicator_table_year_columns_within_the_plan_are_goals() -> None:
    text = (
        "指标\t2022年\t2023年\t2024年\t2025年\n数字经济核心产业增加值（亿元）\t300\t340\t380\t420\n"
    )
    got = _got(text, title="某市数字经济发展三年行动计划（2023—2025年）")
    assert [(g[1], g[5]) for g in got] == [(340, 2023), (380, 2024), (420, 2025)]
    # without a plan period only the latest year is a goal
    assert [(g[1], g[5]) for g in _got(text)] == [(420, 2025)]


@pytest.mark.parametrize(
    ("text", "metric", "comparator"),
    [
        ("到2026年，项目审批时间压降到15个工作日。", "项目审批时间", "<="),
        ("到2026年，企业开办时间缩小至半个工作日，登记时间缩短至1个工作日。", "登记时间", "<="),
        ("到2026年，城市建成区面积扩增至90平方公里。", "城市建成区面积", ">="),
    ],
)
def test_change_verbs_by_direction(text: str, metric: str, comparator: str) -> None:
    r = _targets(text)[-1]
    assert (r.metric, r.comparator) == (metric, comparator)


def test_a_cited_document_restating_its_goals_gives_no_target() -> None:
    text = "《实施方案》共六个部分，提出到2026年全市冷链物流总额达到900亿元，培育冷链企业30家。"
    assert _targets(text) == []
    text = "《某省冷链物流规划》明确，到2026年全省冷库容量达到500万吨。"
    assert _targets(text) == []
    # a document the text rests on (按照《X》要求) does not make it a restatement
    assert _got("按照《规划》要求，到2026年新增冷链仓储设施不超过5个。")[0][1:] == (
        5, None, "个", "<=", 2026
    )  # fmt: skip


def test_an_undated_document_of_a_page_shares_the_page_dates() -> None:
    first = "某市冷链物流若干措施政策解读\n2023年，我市冷链物流总额达到600亿元。\n"
    second = "某市促进冷链物流发展若干措施\n到2026年，全市冷链物流总额达到900亿元。\n"
    text = first + second
    docs = [
        _record("a", "某市冷链物流若干措施政策解读", "某市", 0, len(first)),
        _record("b", "某市促进冷链物流发展若干措施", "某市", len(first), len(text)),
    ]
    docs[1].date = "2024-05-06"
    nlp = spacy.blank("zh")
    nlp.add_pipe("policykg_targets")
    doc = nlp.make_doc(text)
    doc._.pkg_documents = docs
    for _name, proc in nlp.pipeline:
        doc = proc(doc)
    assert [(t.document, t.value) for t in doc._.pkg_targets] == [("b", 900)]


def test_markdown_indicator_table_with_merged_category_cells() -> None:
    text = (
        "| 类别 | 序号 | 主要指标 | 单位 | 2020年 | 2025年 | 属性 |\n"
        "| --- | --- | --- | --- | --- | --- | --- |\n"
        "| 生态环境 | 1 | 地表水达到或好于Ⅲ类水体比例 | % | 88 | ≥90 | 约束性 |\n"
        "|  | 2 | 城市生活污水集中收集率 | % | 60 | 70 | 预期性 |\n"
        "| | 3 | 受污染耕地安全利用率 | % | 92 | ＞93 | 约束性 |\n"
    )
    assert _got(text) == [
        ("地表水达到或好于Ⅲ类水体比例", 90, None, "%", ">=", 2025),
        ("城市生活污水集中收集率", 70, None, "%", "=", 2025),
        ("受污染耕地安全利用率", 93, None, "%", ">=", 2025),
    ]


def test_a_spaced_out_row_is_no_quantity() -> None:
    assert _targets("生态环境 1 人均公园绿地面积 平方米 14 15 预期性", default_year=2025) == []


def test_indicator_table_unit_in_the_target_header() -> None:
    text = "指标\t2022年基数\t2025年目标（%）\n农村集中供水率\t85\t≥95\n"
    assert _got(text) == [("农村集中供水率", 95, None, "%", ">=", 2025)]


# ---------------------------------------------------------------- issue 3, round 2: general rules


@pytest.mark.parametrize(
    ("text", "metric", "value", "unit", "comparator"),
    [
        ("到2027年，储能电池产能达到45GWh。", "储能电池产能", 45, "GWh", ">="),
        ("到2027年，全省智能算力达到8000PFlops以上。", "智能算力", 8000, "PFlops", ">="),
        ("到2027年，分布式光伏装机达到350MW。", "分布式光伏装机", 350, "MW", ">="),
        ("到2027年，政务数据汇聚量超过800TB。", "政务数据汇聚量", 800, "TB", ">="),
        ("到2027年，城域网出口带宽达到40Gbps，家庭宽带接入能力达到1000Mbps。",
         "城域网出口带宽", 40, "Gbps", ">="),
        ("到2027年，新建骑行绿道85km。", "骑行绿道", 85, "km", "increase"),
        ("到2027年，算力规模达到3 EFLOPS。", "算力规模", 3, "EFLOPS", ">="),
        ("到2027年，风电装机容量达到260万kW。", "风电装机容量", 260, "万kW", ">="),
        ("到2027年，抽水蓄能装机容量达到120万千瓦。", "抽水蓄能装机容量", 120, "万千瓦", ">="),
        ("到2027年，单位工业增加值能耗降至0.62吨标准煤/万元。", "单位工业增加值能耗", 0.62,
         "吨标准煤/万元", "<="),
        ("到2027年，城市应急供水能力达到15立方米/秒。", "城市应急供水能力", 15, "立方米/秒",
         ">="),
        ("到2027年，主干路平均车速不低于30公里/小时。", "主干路平均车速", 30, "公里/小时", ">="),
    ],
)  # fmt: skip
def test_latin_letter_and_technical_units(
    text: str, metric: str, value: float, unit: str, comparator: str
) -> None:
    r = _targets(text)[0]
    assert (r.metric, r.value, r.unit, r.comparator, r.year) == (
        metric, value, unit, comparator, 2027
    )  # fmt: skip


def test_letters_glued_to_a_noun_name_it() -> None:
    got = _got("到2027年，建设5G、千兆光网，建成4K、8K超高清频道3个，创建5A级景区2个。")
    assert [(g[0], g[1], g[3]) for g in got] == [
        ("4K、8K超高清频道", 3, "个"),
        ("5A级景区", 2, "个"),
    ]
    # 220kV is a voltage class of the substations, not their number
    assert _got("到2027年，新建220kV变电站6座。") == [
        ("220kV变电站", 6, None, "座", "increase", 2027)
    ]


def test_a_per_capita_base_before_the_number_joins_the_unit() -> None:
    assert _got("到2027年，全市5G基站密度达到每万人26个。") == [
        ("5G基站密度", 26, None, "个/万人", ">=", 2027)
    ]
    # written before the metric, it is part of the metric (as the annotators keep it)
    assert _got("到2027年，每万人拥有高价值发明专利8件。")[0][:4] == (
        "每万人拥有高价值发明专利", 8, None, "件"
    )  # fmt: skip


@pytest.mark.parametrize(
    ("text", "metric", "value", "unit"),
    [
        ("到2027年，全市较大火灾事故起数控制在3起以内。", "较大火灾事故起数", 3, "起"),
        ("到2027年，道路交通事故起数下降到260起以下。", "道路交通事故起数", 260, "起"),
        ("到2027年，工矿商贸事故死亡人数不超过12人。", "工矿商贸事故死亡人数", 12, "人"),
        ("到2027年，单位产值用水量降低到18立方米以下。", "单位产值用水量", 18, "立方米"),
        ("到2027年，工程建设项目审批时间控制在40个工作日之内。", "工程建设项目审批时间", 40,
         "个工作日"),
        ("到2027年，年度新增建设用地规模不多于600公顷。", "建设用地规模", 600, "公顷"),
        ("到2027年，城市噪声投诉量不大于800件。", "城市噪声投诉量", 800, "件"),
    ],
)  # fmt: skip
def test_caps_are_at_most(text: str, metric: str, value: float, unit: str) -> None:
    r = _one(text)
    assert metric in r.metric or r.metric in metric
    assert (r.value, r.unit, r.comparator) == (value, unit, "<=")


def test_recurring_training_goal_and_words_with_cong() -> None:
    assert _got("每年培训家政服务从业人员3000人次以上。") == [
        ("家政服务从业人员", 3000, None, "人次/年", ">=", None)
    ]
    assert _got("到2027年，从事文旅服务的技能人才达到2万人。")[0][1:4] == (2, None, "万人")
    # 从…中 is still a pool
    assert _targets("从120个申报项目中择优支持。", default_year=2027) == []


def test_a_number_on_the_next_line_continues_the_sentence() -> None:
    text = "二、主要目标\n到2027年，全市新增普惠性托位\n4500个，社区嵌入式托育点达到\n120个。\n"
    assert _got(text) == [
        ("普惠性托位", 4500, None, "个", "increase", 2027),
        ("社区嵌入式托育点", 120, None, "个", ">=", 2027),
    ]
    # the metric itself may be wrapped; CRLF line ends count as line ends
    crlf = "到2027年，全市新增护理\r\n型床位2600张。\r\n"
    r = _one(crlf)
    assert (r.metric, r.value, r.unit, r.comparator, r.year) == (
        "护理型床位", 2600, "张", "increase", 2027
    )  # fmt: skip
    assert "\n" in r.evidence.quote


def test_line_wraps_stop_at_headings_cells_and_closed_sentences() -> None:
    # a flattened table: the unit cell after a value cell is not part of its sentence
    cells = "1\n对监测户做到应帮尽帮，风险消除率达到75%以上\n县乡村振兴局\n2027年12月底\n"
    r = _one(cells, default_year=2027)
    assert r.metric == "风险消除率" and "县乡村振兴局" not in r.evidence.quote
    # a heading line and a closed sentence do not run on
    text = "一、主要目标\n3年内新建产业园区2个。\n全市新增就业岗位5000个。\n"
    got = _got(text, default_year=2027)
    assert [g[0] for g in got] == ["产业园区", "就业岗位"]


def test_a_sub_clause_of_an_added_amount() -> None:
    assert _got("到2027年，全市新引进超亿元产业项目80个，其中超20亿元项目不少于15个。") == [
        ("超亿元产业项目", 80, None, "个", "increase", 2027),
        ("超20亿元项目", 15, None, "个", "increase", 2027),
    ]
    assert _got("到2027年，新签约投资5亿元以上项目30个。") == [
        ("投资5亿元以上项目", 30, None, "个", "increase", 2027)
    ]
    # a threshold after the count is part of the counted thing
    assert _got("到2027年，引进12个总投资超50亿元的重大项目。")[0][:4] == (
        "总投资超50亿元的重大项目", 12, None, "个"
    )  # fmt: skip
    assert _got("到2027年，培育8家以上营收超1亿元企业。") == [
        ("营收超1亿元企业", 8, None, "家", ">=", 2027)
    ]
    # 其中 under a goal that is not an addition keeps its own comparator
    got = _got("到2027年，高新技术企业达到900家，其中营收超10亿元企业不少于20家。")
    assert [(g[0], g[1], g[4]) for g in got] == [
        ("高新技术企业", 900, ">="),
        ("营收超10亿元企业", 20, ">="),
    ]


@pytest.mark.parametrize(
    ("text", "metric"),
    [
        ("（一）全市新引进高层次人才团队12个。", "高层次人才团队"),
        ("1.新培育省级专精特新企业40家。", "省级专精特新企业"),
        ("一是新招聘乡村医生150名。", "乡村医生"),
        ("（3）新改扩建公办幼儿园18所。", "公办幼儿园"),
        ("①新建成社区食堂25个。", "社区食堂"),
    ],
)
def test_new_verbs_add_and_list_labels_are_no_metric(text: str, metric: str) -> None:
    r = _one(text, default_year=2027)
    assert (r.metric, r.comparator) == (metric, "increase")


@pytest.mark.parametrize(
    "table",
    [
        "指标（单位）\t2023年完成\n引进超亿元项目（个）\t260\n新增市场主体（万户）\t3.2\n",
        "指标\t2023年完成情况\n引进超亿元项目\t260个\n新增市场主体\t3.2万户\n",
        "指标\t实际完成\n引进超亿元项目（个）\t260\n",
        "| 指标 | 现状 |\n|---|---|\n"
        "| 引进超亿元项目（个） | 260 |\n| 新增市场主体（万户） | 3.2 |\n",
        # years before the document's plan year are its past, even unlabelled
        "指标\t2022年\t2023年\n引进超亿元项目（个）\t230\t260\n",
        "序号\n指标\n2023年完成\n1\n引进超亿元项目（个）\n260\n2\n新增市场主体（万户）\n3.2\n",
    ],
    ids=["tab", "tab-units-in-cells", "actual", "markdown-status", "past-years", "flat"],
)
def test_tables_of_past_figures_give_no_targets(table: str) -> None:
    title = "某市2024年招商引资工作要点"
    assert _targets("附件\n" + table + "三、保障措施\n", title=title) == []


def test_target_columns_of_a_table_next_to_past_ones() -> None:
    title = "某市2024年招商引资工作要点"
    text = "指标\t2023年目标\t2023年完成\t2024年目标\n引进超亿元项目（个）\t240\t260\t280\n"
    assert _got(text, title=title) == [("引进超亿元项目", 280, None, "个", "=", 2024)]
    # a lone future year column is the goal
    text = "指标\t2026年\n引进超亿元项目（个）\t300\n"
    assert _got(text, title=title) == [("引进超亿元项目", 300, None, "个", "=", 2026)]
    # a deadline column holds no values: a task table stays sentences
    text = "序号\t工作指标\t完成时限\n1\t新增市场主体3万户\t2024年\n"
    assert [g[:4] for g in _got(text, title=title)] == [("市场主体", 3, None, "万户")]


@pytest.mark.parametrize(
    "text",
    [
        "到2027年，全市60岁及以上老年人口将超过95万人。",
        "预计到2027年，全市常住人口达到680万人左右。",
        "届时，全市老年人口占比将达到26%。",
        "据预测，到2027年全市机动车保有量达到240万辆。",
    ],
)
def test_forecasts_of_the_situation_are_not_targets(text: str) -> None:
    assert _targets(text, default_year=2027) == []


def test_goals_stated_with_jiang_remain_goals() -> None:
    assert _got("到2027年，常住人口城镇化率将达到72%。") == [
        ("常住人口城镇化率", 72, None, "%", ">=", 2027)
    ]
    # 预测 naming a system is no forecast
    assert _got("到2027年，建成气象灾害预测预警平台3个。")[0][:4] == (
        "气象灾害预测预警平台", 3, None, "个"
    )  # fmt: skip


@pytest.mark.parametrize(
    "text",
    [
        "加快建设滨江科学城二期，谋划三期。",
        "推进第二批未来社区试点，开展两批省级示范评选。",
        "坚决做到两个维护，增强四个意识。",
        "打造十五分钟便民生活圈。",
        "构建15分钟健康服务圈和1小时应急救援圈。",
    ],
)
def test_phases_slogans_and_radius_names_are_not_quantities(text: str) -> None:
    assert _targets(text, default_year=2027) == []


def test_a_radius_name_inside_a_goal() -> None:
    assert _got("到2027年，建成24个15分钟生活圈。") == [("15分钟生活圈", 24, None, "个", "=", 2027)]
    assert _got("到2027年，城区15分钟生活圈覆盖率达到100%。") == [
        ("城区15分钟生活圈覆盖率", 100, None, "%", ">=", 2027)
    ]


def test_a_plan_period_goal_takes_the_period_end() -> None:
    dated = {"date": "2022-04-10"}
    assert _got("“十四五”期间市级财政科技支出年均增长12%以上。", **dated) == [
        ("市级财政科技支出", 12, None, "%", "pct_increase", 2025)
    ]
    assert _got("“十四五”时期，全市新增城市绿地600公顷。", **dated) == [
        ("城市绿地", 600, None, "公顷", "increase", 2025)
    ]
    assert _got("2024—2026年期间，全市新建中小学校20所。", date="2024-02-01") == [
        ("中小学校", 20, None, "所", "increase", 2026)
    ]
    title = {"title": "某市制造业数字化转型三年行动方案（2024—2026年）"}
    assert _got("三年行动期间，累计培育数字化车间60个。", **title) == [
        ("数字化车间", 60, None, "个", "=", 2026)
    ]
    # a stated year wins over the period
    assert _got("“十四五”期间，到2023年新增城市绿地200公顷。", **dated)[0][5] == 2023
    # a past period, or what was done since a period began, is history
    assert _targets("“十三五”期间，全市新增城市绿地900公顷。", **dated) == []
    assert _targets("“十四五”以来，全市新增城市绿地300公顷。", **dated) == []
    # without any year to compare with, a goal word makes the period a goal
    assert _got("“十四五”期间，全市研发投入年均增长10%以上。")[0][5] == 2025
    assert _targets("“十三五”期间，全市累计新增城市绿地900公顷。") == []


def test_more_unit_and_comparator_forms() -> None:
    assert _got("到2027年，细颗粒物平均浓度降至26μg/m³以下。") == [
        ("细颗粒物平均浓度", 26, None, "μg/m³", "<=", 2027)
    ]
    assert _got("到2027年，港口集装箱吞吐量达到260万TEU，新增公园绿地40万m²。") == [
        ("港口集装箱吞吐量", 260, None, "万TEU", ">=", 2027),
        ("公园绿地", 40, None, "万m²", "increase", 2027),
    ]
    got = _got("到2027年，城镇调查失业率≤5.5%，农产品抽检合格率≥98%，房屋空置率小于6%。")
    assert [(g[0], g[4]) for g in got] == [
        ("城镇调查失业率", "<="),
        ("农产品抽检合格率", ">="),
        ("房屋空置率", "<="),
    ]


def test_qizhong_after_a_comma_or_a_full_stop() -> None:
    for text in (
        "到2027年，新签约亿元以上项目90个，其中，超10亿元项目20个。",
        "到2027年，新签约亿元以上项目90个。其中超10亿元项目20个。",
    ):
        got = _got(text)
        assert [(g[0], g[1], g[4]) for g in got] == [
            ("亿元以上项目", 90, "increase"),
            ("超10亿元项目", 20, "increase"),
        ]


def test_new_plus_verb_adds_unless_a_level_is_named() -> None:
    got = _got("到2027年，新开通国际货运航线6条，新落户区域总部企业12家。")
    assert [(g[0], g[4]) for g in got] == [
        ("国际货运航线", "increase"),
        ("区域总部企业", "increase"),
    ]
    # 新登记X达到N names the level reached
    assert _got("到2027年，新登记经营主体达到12万户。")[0][4] == ">="


def test_more_period_forms() -> None:
    assert _got("“十四五”规划期内，全市新增城市绿地500公顷以上。", date="2023-02-01") == [
        ("城市绿地", 500, None, "公顷", "increase", 2025)
    ]
    title = "某县农村人居环境整治提升行动方案（2024—2026年）"
    assert _got("未来三年，全县新建农村公厕120座。", title=title) == [
        ("农村公厕", 120, None, "座", "increase", 2026)
    ]
    # a past span is history
    assert _targets("2019—2021年期间，全县新建农村公厕300座。", title=title) == []


def test_a_plain_year_before_a_reported_one_is_past() -> None:
    # no document year to compare with: the 2023年完成 column dates the table
    text = "指标（单位）\t2022年\t2023年完成\n引进超亿元项目（个）\t230\t260\n"
    assert _targets(text) == []
    # a 项目 column names the indicator as 指标 does
    text = "项目\t2023年完成\t2024年目标\n引进超亿元项目（个）\t260\t280\n"
    assert _got(text) == [("引进超亿元项目", 280, None, "个", "=", 2024)]


_LONG_RUN_SCRIPT = """
from policykg.extract.pipeline import extract_text
head = "某市人民政府关于印发某市某某行动计划的通知\\n一、主要目标\\n到2025年，"
for body in ("1" * 200_000, "12次" * 20_000, "一" * 200_000):
    extract_text(head + body + "。\\n（一）加强某某工作。\\n", "x.txt")
"""


def test_long_number_runs_and_run_on_sentences_read_in_linear_time() -> None:
    """200k digits in one sentence took hours (each number rescanned its run and line).

    Linear work on these texts takes a few seconds; the generous timeout fails only
    when reading a number rescans the whole run or line again.
    """
    import subprocess
    import sys

    subprocess.run([sys.executable, "-c", _LONG_RUN_SCRIPT], check=True, timeout=120)


def test_quantity_regex_matches_its_plain_form() -> None:
    """QUANTITY_RE opens with one character class (the engine skips to the next digit
    in C); it finds exactly what the plain form, with the run-start assertions in front
    of the number, finds: numbers start where their run of digits or numerals starts."""
    import re

    t = target_module
    head = f"(?P<v1>{t._FIRST_NUM_PAT})"
    assert t.QUANTITY_RE.pattern.startswith(head)
    plain = re.compile(
        rf"(?:(?<![\d.])(?=\d)|(?<![{t._CN_NUM}])(?=[{t._CN_NUM}]))"
        rf"(?P<v1>{t._NUM_PAT})" + t.QUANTITY_RE.pattern[len(head) :]
    )
    alphabet = "0123456789１２.．点零〇一二两三十百千万亿%％个件人/年-~至—、 GWhk元第"
    rng = random.Random(11)
    for _ in range(20_000):
        s = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 12)))
        pos = rng.randint(0, len(s))
        for a in (0, pos):
            got = [(m.span(), m.groupdict()) for m in t.QUANTITY_RE.finditer(s, a)]
            assert got == [(m.span(), m.groupdict()) for m in plain.finditer(s, a)], (s, a)
    # 12 has no unit (三 opens a number of its own), 十二 is inside the run 三十二
    found = [m.group("v1") for m in t.QUANTITY_RE.finditer("第1.5个、12三件、三十二人")]
    assert found == ["1.5", "三", "三十二"]


def test_text_lines_are_the_stripped_non_blank_lines() -> None:
    text = "  序号\t指标 \r\n\n\u3000\u3000 \n1\u3000\n\xa0a  b\t"
    got = [(c.start, c.end, c.text) for c in target_module._text_lines(text, 0, len(text))]
    assert got == [(2, 7, "序号\t指标"), (15, 16, "1"), (19, 23, "a  b")]
    assert [c.text for c in target_module._text_lines(text, 3, 12)] == ["号\t指标"]
