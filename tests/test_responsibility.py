"""policykg_responsibilities: every assignment form of the genre, with roles and lead."""

from __future__ import annotations

import pytest
from spacy.language import Language

from policykg.extract.model import ResponsibilityRecord
from policykg.extract.pipeline import build_pipeline, run_pipeline
from policykg.extract.responsibility import parse_verb_clause, split_units


@pytest.fixture(scope="module")
def nlp() -> Language:
    return build_pipeline(
        {
            "components": [
                "policykg_clean",
                "policykg_documents",
                "policykg_structure",
                "policykg_responsibilities",
            ]
        }
    )


def _resp(nlp: Language, text: str) -> list[ResponsibilityRecord]:
    doc = run_pipeline(nlp, text, "t.txt")
    out = list(doc._.pkg_responsibilities)
    for r in out:
        assert text[r.evidence.start : r.evidence.end] == r.evidence.quote
        assert text[r.task_start : r.task_end] == r.task
    return out


def _rows(rs: list[ResponsibilityRecord]) -> list[tuple[str, str, str, int, bool, str]]:
    return [(r.task_label, r.task, r.unit, r.order, r.lead, r.role) for r in rs]


INLINE = """江城市人民政府关于加快人才发展的实施意见
江政发〔2021〕7号
　　一、重点任务
　　（一）引进高层次人才。实施人才引进工程。（责任单位：市人才办、市人力资源社会保障局，各区县政府）
　　（二）优化人才服务。建设人才服务中心。（牵头单位：市人力资源社会保障局；配合单位：市财政局、市住房城乡建设局）
　　（三）加强人才激励。落实奖励政策（市委组织部牵头，市财政局、市税务局配合）。完善评价机制（市人力资源社会保障局负责）。
　　（四）营造良好环境。加强宣传（企业负责）。开展评选（以下简称评选）。
"""


def test_inline_clauses_roles_and_orders(nlp: Language) -> None:
    assert _rows(_resp(nlp, INLINE)) == [
        ("（一）", "引进高层次人才", "市人才办", 1, False, "responsible"),
        ("（一）", "引进高层次人才", "市人力资源社会保障局", 2, False, "responsible"),
        ("（一）", "引进高层次人才", "各区县政府", 3, False, "responsible"),
        ("（二）", "优化人才服务", "市人力资源社会保障局", 1, True, "lead"),
        ("（二）", "优化人才服务", "市财政局", 2, False, "support"),
        ("（二）", "优化人才服务", "市住房城乡建设局", 3, False, "support"),
        ("（三）", "加强人才激励", "市委组织部", 1, True, "lead"),
        ("（三）", "加强人才激励", "市财政局", 2, False, "support"),
        ("（三）", "加强人才激励", "市税务局", 3, False, "support"),
        ("（三）", "加强人才激励", "市人力资源社会保障局", 1, False, "responsible"),
    ]


def test_crlf_gives_the_same_facts(nlp: Language) -> None:
    plain = _rows(_resp(nlp, INLINE))
    assert _rows(_resp(nlp, INLINE.replace("\n", "\r\n"))) == plain


def test_clause_on_its_own_line(nlp: Language) -> None:
    text = "1.建设健康档案。推进电子健康卡应用。\n责任单位：市卫生健康委、市医保局\n"
    assert [(r.unit, r.order) for r in _resp(nlp, text)] == [("市卫生健康委", 1), ("市医保局", 2)]


SECTIONS = """河阳省数字政府建设2022年工作要点
一、省政务服务数据管理局
1.推进政务数据共享。建设数据共享平台。
2.完善一网通办。
二、省财政厅
3.保障建设资金。
三、组织保障
4.加强督促检查。
"""


def test_department_section_headings_lead_their_tasks(nlp: Language) -> None:
    assert _rows(_resp(nlp, SECTIONS)) == [
        ("1", "推进政务数据共享", "省政务服务数据管理局", 1, True, "lead"),
        ("2", "完善一网通办", "省政务服务数据管理局", 1, True, "lead"),
        ("3", "保障建设资金", "省财政厅", 1, True, "lead"),
    ]


FLAT = """序号

工作任务

责任单位

完成时限

1

优化营商环境评价。逐年开展。

省发展改革委、省市场监管局，青州市、白山市人民政府负责。列第一位为牵头单位，下同。

2022年

底完成

2

推行证照分离改革。

省市场监管局、各区、县级市负责。

持续推进
"""


def test_flattened_table_first_listed_leads_and_shared_parts(nlp: Language) -> None:
    assert _rows(_resp(nlp, FLAT)) == [
        ("1", "优化营商环境评价", "省发展改革委", 1, True, "lead"),
        ("1", "优化营商环境评价", "省市场监管局", 2, False, "support"),
        ("1", "优化营商环境评价", "青州市人民政府", 3, False, "support"),
        ("1", "优化营商环境评价", "白山市人民政府", 4, False, "support"),
        ("2", "推行证照分离改革", "省市场监管局", 1, True, "lead"),
        ("2", "推行证照分离改革", "各区", 2, False, "support"),
        ("2", "推行证照分离改革", "各县级市", 3, False, "support"),
    ]


def test_plain_table_list_without_note_is_not_lead(nlp: Language) -> None:
    text = FLAT.replace("列第一位为牵头单位，下同。", "")
    assert not any(r.lead for r in _resp(nlp, text))


def test_table_with_lead_and_support_columns(nlp: Language) -> None:
    text = (
        "序号\t重点任务\t牵头单位\t配合单位\n"
        "1\t建设智慧医院\t市卫生健康委\t市医保局、市大数据局\n"
        "2\t推进家庭医生签约\t市卫生健康委\t各区、县级市\n"
    )
    assert _rows(_resp(nlp, text)) == [
        ("1", "建设智慧医院", "市卫生健康委", 1, True, "lead"),
        ("1", "建设智慧医院", "市医保局", 2, False, "support"),
        ("1", "建设智慧医院", "市大数据局", 3, False, "support"),
        ("2", "推进家庭医生签约", "市卫生健康委", 1, True, "lead"),
        ("2", "推进家庭医生签约", "各区", 2, False, "support"),
        ("2", "推进家庭医生签约", "各县级市", 3, False, "support"),
    ]


def test_table_cell_with_verb_clause(nlp: Language) -> None:
    text = (
        "| 序号 | 工作任务 | 责任单位 |\n| --- | --- | --- |\n"
        "| 1 | 建设外贸综合服务平台 | 市商务局牵头，市税务局、海口海关配合 |\n"
    )
    assert [(r.unit, r.lead, r.role) for r in _resp(nlp, text)] == [
        ("市商务局", True, "lead"),
        ("市税务局", False, "support"),
        ("海口海关", False, "support"),
    ]


def test_repeated_paragraph_gives_facts_once(nlp: Language) -> None:
    para = "（一）建设人才市场，完善人才服务体系和配套政策。（责任单位：市人力资源社会保障局）"
    text = f"一、重点任务\n{para}\n{para}\n"
    assert len(_resp(nlp, text)) == 1


def test_split_units_expands_shared_parts() -> None:
    assert split_units("青州市、白山市、临江市人民政府") == [
        "青州市人民政府",
        "白山市人民政府",
        "临江市人民政府",
    ]
    assert split_units("各区、县级市") == ["各区", "各县级市"]
    assert split_units("市科技局(市知识产权局)、各县(市、区)人民政府等") == [
        "市科技局(市知识产权局)",
        "各县(市、区)人民政府",
    ]
    assert split_units("市科技局、安平县、高新开发区") == ["市科技局", "安平县", "高新开发区"]


def test_verb_clause_needs_units() -> None:
    assert parse_verb_clause("企业负责") is None
    assert parse_verb_clause("以下简称方案") is None
    got = parse_verb_clause("市发展改革委、市财政局按职责分工负责")
    assert got is not None and [m.unit for m in got] == ["市发展改革委", "市财政局"]


def test_marked_lead_items_bracketed_keys_and_generic_departments(nlp: Language) -> None:
    text = (
        "一、重点任务\n"
        "（一）建设数字档案馆。推进档案数字化。【责任单位】市档案馆（牵头）、市财政局\n"
        "（二）推进政务公开。（市政府办公室牵头，各有关部门、相关单位配合）\n"
    )
    assert _rows(_resp(nlp, text)) == [
        ("（一）", "建设数字档案馆", "市档案馆", 1, True, "lead"),
        # the unmarked item of a list with a marked lead supports it
        ("（一）", "建设数字档案馆", "市财政局", 2, False, "support"),
        ("（二）", "推进政务公开", "市政府办公室", 1, True, "lead"),
        ("（二）", "推进政务公开", "各有关部门", 2, False, "support"),
        ("（二）", "推进政务公开", "相关单位", 3, False, "support"),
    ]


def test_list_note_is_not_a_unit(nlp: Language) -> None:
    text = (
        "一、重点任务\n（一）建设人才港。（责任单位：市人才办、市科技局，列第一位的为牵头单位）\n"
    )
    assert _rows(_resp(nlp, text)) == [
        ("（一）", "建设人才港", "市人才办", 1, True, "lead"),
        ("（一）", "建设人才港", "市科技局", 2, False, "support"),
    ]


def test_table_sub_rows_repeat_the_unit_columns(nlp: Language) -> None:
    text = (
        "序号\n重点任务\n牵头单位\n配合单位\n完成时限\n"
        "1\n推进智慧养老。\n市民政局\n市卫生健康委\n2025年底\n"
        "各县区人民政府\n市财政局\n2025年底\n"
        "2\n建设养老服务中心。\n市民政局\n市住房城乡建设局\n2026年底\n"
    )
    assert _rows(_resp(nlp, text)) == [
        ("1", "推进智慧养老", "市民政局", 1, True, "lead"),
        ("1", "推进智慧养老", "市卫生健康委", 2, False, "support"),
        ("1", "推进智慧养老", "各县区人民政府", 1, True, "lead"),
        ("1", "推进智慧养老", "市财政局", 2, False, "support"),
        ("2", "建设养老服务中心", "市民政局", 1, True, "lead"),
        ("2", "建设养老服务中心", "市住房城乡建设局", 2, False, "support"),
    ]


def test_news_report_without_policy_structure_gives_nothing(nlp: Language) -> None:
    text = (
        "第十届农民丰收节开幕\n"
        "　　9月23日，丰收节在南湖广场开幕，现场观众超过3万人次。\n"
        "　　责任编辑：李明\n"
    )
    doc = run_pipeline(nlp, text, "news.txt")
    assert doc._.pkg_documents == []
    assert doc._.pkg_responsibilities == []


def test_other_fields_in_a_clause_are_not_units(nlp: Language) -> None:
    text = "一、重点任务\n（一）建设人才港。（责任单位：市人才办、市科技局；完成时限：2024年底）\n"
    assert [r.unit for r in _resp(nlp, text)] == ["市人才办", "市科技局"]


WRAPPED_AND_UNNUMBERED = """雁城市促进消费扩容提质行动方案
一、重点任务
（一）提升消费便利度。完善便民生活圈。（责任单位：市商务局、
市住建局）
二、活动安排
重点活动\t牵头单位\t配合单位
1.举办美食消费节\t市商务局\t市文旅局、雁南区人民政府
"""


def test_hard_wrapped_clause_and_a_table_numbering_its_task_cells(nlp: Language) -> None:
    rows = _rows(_resp(nlp, WRAPPED_AND_UNNUMBERED))
    assert rows == [
        ("（一）", "提升消费便利度", "市商务局", 1, False, "responsible"),
        ("（一）", "提升消费便利度", "市住建局", 2, False, "responsible"),
        ("1", "举办美食消费节", "市商务局", 1, True, "lead"),
        ("1", "举办美食消费节", "市文旅局", 2, False, "support"),
        ("1", "举办美食消费节", "雁南区人民政府", 3, False, "support"),
    ]


def test_an_unclosed_bracket_over_lines_is_no_clause(nlp: Language) -> None:
    text = "雁城市行动方案\n（一）推进改革。（注意：市商务局负责\n\n（二）加强保障。\n"
    assert _resp(nlp, text) == []


def test_a_unit_cell_written_as_a_key_clause(nlp: Language) -> None:
    text = (
        "雁城市2025年重点任务分工\n序号\n重点任务\n责任单位\n1\n深化改革\n"
        "牵头单位：市政务服务中心；配合单位：市公安局、市人社局\n"
    )
    assert _rows(_resp(nlp, text)) == [
        ("1", "深化改革", "市政务服务中心", 1, True, "lead"),
        ("1", "深化改革", "市公安局", 2, False, "support"),
        ("1", "深化改革", "市人社局", 3, False, "support"),
    ]


SENTENCES = """临江市稳就业若干措施
一、重点任务
（一）扩大技能培训。开展职业技能培训。由市人社局牵头，市财政局、市总工会配合。
（二）压缩审批时间。精简审批环节，由市住建局负责，市自然资源局、市发改委按职责分工负责。
（三）推进智慧监管。市数据局牵头；各县市区人民政府、临江高新区管委会落实。
（四）维护治安秩序。市公安局负责加强重点场所巡查。
"""


def test_unbracketed_assignment_sentences(nlp: Language) -> None:
    assert _rows(_resp(nlp, SENTENCES)) == [
        ("（一）", "扩大技能培训", "市人社局", 1, True, "lead"),
        ("（一）", "扩大技能培训", "市财政局", 2, False, "support"),
        ("（一）", "扩大技能培训", "市总工会", 3, False, "support"),
        ("（二）", "压缩审批时间", "市住建局", 1, False, "responsible"),
        ("（二）", "压缩审批时间", "市自然资源局", 2, False, "responsible"),
        ("（二）", "压缩审批时间", "市发改委", 3, False, "responsible"),
        ("（三）", "推进智慧监管", "市数据局", 1, True, "lead"),
        ("（三）", "推进智慧监管", "各县市区人民政府", 2, False, "responsible"),
        ("（三）", "推进智慧监管", "临江高新区管委会", 3, False, "responsible"),
        # （四）: a department as the subject of a sentence is not an assignment
    ]


NOTICE_RULE = """临江市人民政府办公室关于印发临江市外贸促进措施的通知
临政办〔2023〕6号
各区人民政府：
　　《临江市外贸促进措施》已经市政府同意，现印发给你们。各项措施的责任单位中，排在第一位的为牵头单位。
临江市人民政府办公室
2023年8月25日
临江市外贸促进措施
　　一、培育外贸主体。加大支持力度。（责任单位：市商务局、市财政局、临江海关）
"""


def test_first_listed_rule_of_a_notice_covers_its_attachment(nlp: Language) -> None:
    rs = _resp(nlp, NOTICE_RULE)
    assert _rows(rs) == [
        ("一", "培育外贸主体", "市商务局", 1, True, "lead"),
        ("一", "培育外贸主体", "市财政局", 2, False, "support"),
        ("一", "培育外贸主体", "临江海关", 3, False, "support"),
    ]
    assert {r.document for r in rs} == {"doc2"}


TABLE_NOTE = """临江市营商环境行动方案
一、重点任务
1.推行企业开办一网通办。（责任单位：市市场监管局、市税务局）
附件
重点任务分工表
（列第一位的为牵头单位）
序号
工作任务
责任单位
完成时限
2
推进信用体系建设
市发改委、人行临江市中心支行
2023年12月
"""


def test_first_listed_note_at_a_table_covers_only_that_table(nlp: Language) -> None:
    assert _rows(_resp(nlp, TABLE_NOTE)) == [
        ("1", "推行企业开办一网通办", "市市场监管局", 1, False, "responsible"),
        ("1", "推行企业开办一网通办", "市税务局", 2, False, "responsible"),
        ("2", "推进信用体系建设", "市发改委", 1, True, "lead"),
        ("2", "推进信用体系建设", "人行临江市中心支行", 2, False, "support"),
    ]


def test_topic_heading_ending_in_ju_is_no_department(nlp: Language) -> None:
    text = (
        "临江市卫生健康发展方案\n　　三、重点任务\n　　（一）优化医疗资源布局\n"
        "　　1.推进区域医疗中心建设。支持医院提升能力。（责任单位：市卫生健康委）\n"
        "　　（二）构建新发展格局\n　　2.扩大有效投资。加快项目建设。\n"
        "　　（三）市发展改革委\n　　3.推进重大项目。\n"
    )
    assert _rows(_resp(nlp, text)) == [
        ("1", "推进区域医疗中心建设", "市卫生健康委", 1, False, "responsible"),
        ("3", "推进重大项目", "市发展改革委", 1, True, "lead"),
    ]


def test_markdown_cell_breaks_and_units_without_common_suffixes(nlp: Language) -> None:
    text = (
        "临江州重点任务清单\n\n"
        "| 序号 | 工作任务 | 牵头单位 | 配合单位 |\n| --- | --- | --- | --- |\n"
        "| 1 | 保障建设用地。 | 州自然资源局<br>州财政局 | 州住建局 |\n"
        "| 2 | 深化东西部协作。 | 州乡村振兴局 | 雁城市对口帮扶临江州工作队 |\n"
        "| 3 | 推进项目落地。 | 州发展改革委 | 州征地拆迁工作专班 |\n"
    )
    assert [(r.task_label, r.unit, r.order, r.lead) for r in _resp(nlp, text)] == [
        ("1", "州自然资源局", 1, True),
        ("1", "州财政局", 2, True),
        ("1", "州住建局", 3, False),
        ("2", "州乡村振兴局", 1, True),
        ("2", "雁城市对口帮扶临江州工作队", 2, False),
        ("3", "州发展改革委", 1, True),
        ("3", "州征地拆迁工作专班", 2, False),
    ]


def test_shared_organ_across_levels() -> None:
    assert split_units("雁城市、临江市、金沙县人民政府") == [
        "雁城市人民政府",
        "临江市人民政府",
        "金沙县人民政府",
    ]
    # a collective before a zone's 管委会 takes nothing from it
    assert split_units("各县市区、临江高新区管委会") == ["各县市区", "临江高新区管委会"]


# ---------------------------------------------------------------- round 2 forms

MIXED = """岷山市人民政府关于推进文旅融合发展的实施意见
一、重点任务
（一）打造精品线路。整合文旅资源。（市文旅局、市林草局，甲县、乙县人民政府负责）
（二）治理河湖水系。（市水务局牵头，城关区、七里河区、西固区人民政府配合）
（三）建设研学基地。（市教育局、市住建局，鲤城区、丰泽区人民政府按职责分工负责）
（四）规范旅游市场。（州文化和旅游局牵头，州公安局、州市场监管局，各县市人民政府配合）
（五）整治农村水系。（责任单位：市水务局，晋江市、石狮市人民政府）
（六）保护古村落。（市住建局牵头，城关区、七里河区配合）
"""


def test_departments_and_named_governments_mixed_in_one_clause(nlp: Language) -> None:
    rows = [(label, unit, order, lead, role) for label, _t, unit, order, lead, role in _rows(
        _resp(nlp, MIXED)
    )]
    assert rows == [
        ("（一）", "市文旅局", 1, False, "responsible"),
        ("（一）", "市林草局", 2, False, "responsible"),
        ("（一）", "甲县人民政府", 3, False, "responsible"),
        ("（一）", "乙县人民政府", 4, False, "responsible"),
        ("（二）", "市水务局", 1, True, "lead"),
        ("（二）", "城关区人民政府", 2, False, "support"),
        ("（二）", "七里河区人民政府", 3, False, "support"),
        ("（二）", "西固区人民政府", 4, False, "support"),
        ("（三）", "市教育局", 1, False, "responsible"),
        ("（三）", "市住建局", 2, False, "responsible"),
        ("（三）", "鲤城区人民政府", 3, False, "responsible"),
        ("（三）", "丰泽区人民政府", 4, False, "responsible"),
        # 州 prefixes a department as 市 does; the middle part takes the verb after it
        ("（四）", "州文化和旅游局", 1, True, "lead"),
        ("（四）", "州公安局", 2, False, "support"),
        ("（四）", "州市场监管局", 3, False, "support"),
        ("（四）", "各县市人民政府", 4, False, "support"),
        ("（五）", "市水务局", 1, False, "responsible"),
        ("（五）", "晋江市人民政府", 2, False, "responsible"),
        ("（五）", "石狮市人民政府", 3, False, "responsible"),
        # districts named alone (confirmed by the division table) are units too
        ("（六）", "市住建局", 1, True, "lead"),
        ("（六）", "城关区", 2, False, "support"),
        ("（六）", "七里河区", 3, False, "support"),
    ]


def test_a_part_without_a_verb_needs_a_verb_after_it() -> None:
    assert parse_verb_clause("市文旅局、市林草局，甲县人民政府") is None
    assert parse_verb_clause("市文旅局，企业负责") is None
    got = parse_verb_clause("市人社局，各县（市，区）人民政府负责") or []
    assert [(m.unit, m.role) for m in got] == [
        ("市人社局", "responsible"),
        ("各县（市，区）人民政府", "responsible"),
    ]


@pytest.mark.parametrize(
    ("written", "units"),
    [
        ("各区、市人民政府", ["各区人民政府", "各市人民政府"]),
        ("各市（州）、县（市、区）人民政府", ["各市（州）人民政府", "各县（市、区）人民政府"]),
        ("各盟市、旗县（市、区）人民政府", ["各盟市人民政府", "各旗县（市、区）人民政府"]),
        ("各区、县级市", ["各区", "各县级市"]),
        ("阜平市各县、区人民政府", ["阜平市各县人民政府", "阜平市各区人民政府"]),
        ("各镇人民政府、街道办事处", ["各镇人民政府", "各街道办事处"]),
        ("各区、开发区管委会", ["各区", "各开发区管委会"]),
        ("松山湖、滨海湾新区管委会", ["松山湖管委会", "滨海湾新区管委会"]),
        ("高新区、经开区管委会", ["高新区管委会", "经开区管委会"]),
        ("市商务局、经开区管委会", ["市商务局", "经开区管委会"]),
        ("甲县、乙县人民政府", ["甲县人民政府", "乙县人民政府"]),
        ("各县区、市直有关部门", ["各县区", "市直有关部门"]),
        ("我市、各县人民政府", ["我市", "各县人民政府"]),
    ],
)
def test_shared_parts_of_collective_and_zone_lists(written: str, units: list[str]) -> None:
    assert split_units(written) == units


WRAPPED = """岷山市养老服务体系建设实施方案
一、重点任务
（一）完善养老设施。新建社区养老服务中心。（市发展改革委、市民政局、市市场监管局
按职责分工负责）
（二）培养护理人才。（市人社局牵头，市民政局、
　　市卫生健康委配合）
（三）规范服务收费。（市市场监管局负责
（四）加强医养结合。（市卫生健康委负责）
"""


def test_a_verb_clause_hard_wrapped_over_lines(nlp: Language) -> None:
    rows = [(label, unit, order, role) for label, _t, unit, order, _l, role in _rows(
        _resp(nlp, WRAPPED)
    )]
    assert rows == [
        ("（一）", "市发展改革委", 1, "responsible"),
        ("（一）", "市民政局", 2, "responsible"),
        ("（一）", "市市场监管局", 3, "responsible"),
        ("（二）", "市人社局", 1, "lead"),
        ("（二）", "市民政局", 2, "support"),
        ("（二）", "市卫生健康委", 3, "support"),
        # （三）'s bracket never closes: the next task's line is no continuation of it,
        # and the clause left open still names its unit
        ("（三）", "市市场监管局", 1, "responsible"),
        ("（四）", "市卫生健康委", 1, "responsible"),
    ]


OFFICE_PLAN = """岷山市自然资源局2025年重点工作任务分工方案
一、重点工作
（一）编制国土空间规划。（责任领导：分管副局长；责任科室：规划计划科、财务审计科）
（二）加强耕地保护。（牵头科室：耕地保护科；配合科室：执法监察支队、法规股）
（三）推进不动产登记。（责任处室：不动产登记中心；协办单位：信息中心）
（四）强化督查督办。（主责部门：办公室；参与部门：机关党委；责任人：张某）
（五）完善制度建设。（承办单位：政策法规科；完成时限：2025年6月）
（六）开展宣传培训。（法规股牵头，财务股配合）
"""


def test_internal_units_and_the_label_family(nlp: Language) -> None:
    rows = [(label, unit, order, lead, role) for label, _t, unit, order, lead, role in _rows(
        _resp(nlp, OFFICE_PLAN)
    )]
    assert rows == [
        ("（一）", "规划计划科", 1, False, "responsible"),
        ("（一）", "财务审计科", 2, False, "responsible"),
        ("（二）", "耕地保护科", 1, True, "lead"),
        ("（二）", "执法监察支队", 2, False, "support"),
        ("（二）", "法规股", 3, False, "support"),
        ("（三）", "不动产登记中心", 1, False, "responsible"),
        ("（三）", "信息中心", 2, False, "support"),
        ("（四）", "办公室", 1, True, "lead"),
        ("（四）", "机关党委", 2, False, "support"),
        ("（五）", "政策法规科", 1, False, "responsible"),
        ("（六）", "法规股", 1, True, "lead"),
        ("（六）", "财务股", 2, False, "support"),
    ]


def test_a_table_column_of_sections(nlp: Language) -> None:
    text = (
        "岷山市统计局2025年工作要点分工表\n序号\n工作任务\n责任科室\n完成时限\n"
        "1\n开展经济普查\n综合科（牵头）、普查中心\n2025年12月\n"
    )
    assert _rows(_resp(nlp, text)) == [
        ("1", "开展经济普查", "综合科", 1, True, "lead"),
        ("1", "开展经济普查", "普查中心", 2, False, "support"),
    ]


def test_a_cell_with_a_marked_lead(nlp: Language) -> None:
    text = (
        "岷山市制造业高质量发展任务分工表\n序号\n重点任务\n责任单位\n"
        "1\n培育专精特新企业\n市经信局（牵头）、市科技局\n"
    )
    assert _rows(_resp(nlp, text)) == [
        ("1", "培育专精特新企业", "市经信局", 1, True, "lead"),
        ("1", "培育专精特新企业", "市科技局", 2, False, "support"),
    ]


def test_a_note_before_the_verb_is_no_unit_list() -> None:
    assert parse_verb_clause("以下简称市工作专班，由市发展改革委负责") is None
    assert parse_verb_clause("含各县区，市农业农村局负责") is None


def test_verb_sentences_are_the_sentences_holding_a_role_verb() -> None:
    # the fast finder starts from the verbs; it must give exactly the sentences
    # (maximal runs without 。！？ or a line break) that a plain scan finds with a verb
    import random
    import re

    from policykg.extract.responsibility import _verb_sentences

    pieces = ["市发改委", "牵头", "负责", "配合", "。", "！", "？", "!", "?", "\n", "\r\n",
              "，", "参与", "协助", "协办", "落实", "（一）", " ", "由", "市财政局"]  # fmt: skip
    rng = random.Random(7)
    verb = re.compile(r"牵头|负责|配合|参与|协助|协办")
    for _ in range(500):
        text = "".join(rng.choice(pieces) for _ in range(rng.randrange(0, 30)))
        expected = [
            (m.start(), m.end())
            for m in re.finditer(r"[^。！？!?\r\n]+", text)
            if verb.search(m.group())
        ]
        assert list(_verb_sentences(text)) == expected, text


def test_unit_list_items_are_cleaned_as_before() -> None:
    # prefilters in front of the item regexes: notes dropped, 由/请 and endings stripped
    assert split_units("由市发改委牵头、请市财政局负责、市科技局等单位") == [
        "市发改委", "市财政局", "市科技局"
    ]  # fmt: skip
    assert split_units("列第一位的为牵头单位、市教育局， 市民政局。") == ["市教育局", "市民政局"]
    assert split_units("青州市、白山市人民政府、各区、县级市") == [
        "青州市人民政府", "白山市人民政府", "各区", "各县级市"
    ]  # fmt: skip


def test_line_keys_are_the_pattern_matches() -> None:
    # found from the role words: the same matches as scanning with the pattern itself
    import random

    from policykg.extract.responsibility import _LINE_KEY_RE, _line_keys

    pieces = ["责任单位：", "牵头部门:", "【配合单位】", "【责任处室】：", "主要责任单位：", "负责",
              "市发改委", "、", "。", "；", ";", "\n", " ", "\u3000", "【", "】", "（", "）",
              "实施", "单位", "：", "负责任单位："]  # fmt: skip
    rng = random.Random(5)
    found = 0
    for _ in range(3000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randrange(0, 14)))
        expected = [m.span() for m in _LINE_KEY_RE.finditer(text)]
        assert [m.span() for m in _line_keys(text)] == expected, text
        found += len(expected)
    assert found > 1000
