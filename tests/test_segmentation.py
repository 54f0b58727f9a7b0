"""policykg_documents: documents, their metadata, attachments and interleaved pages."""

from __future__ import annotations

import pytest
from spacy.language import Language

from policykg.extract.genre import parse_date, region_level, regions_in
from policykg.extract.model import DocumentRecord
from policykg.extract.pipeline import build_pipeline, run_pipeline
from policykg.extract.segmentation import document_at, is_title_text


@pytest.fixture(scope="module")
def nlp() -> Language:
    return build_pipeline({"components": ["policykg_clean", "policykg_documents"]})


def _docs(nlp: Language, text: str) -> list[DocumentRecord]:
    doc = run_pipeline(nlp, text, "t.txt")
    for d in doc._.pkg_documents:
        assert text[d.evidence.start : d.evidence.end] == d.evidence.quote
    return list(doc._.pkg_documents)


NOTICE = """海川省卫生健康委员会关于印发《海川省智慧医院建设三年行动计划》的通知

海卫发〔2022〕9号

各市（州）卫生健康委，委直属各单位：
现将《海川省智慧医院建设三年行动计划》印发给你们，请认真贯彻执行。

海川省卫生健康委员会
二〇二二年三月八日

海川省智慧医院建设
三年行动计划

一、总体要求
（一）指导思想。以数字化转型推动医疗服务高质量发展。
"""


def test_notice_and_its_attachment_are_two_documents(nlp: Language) -> None:
    notice, plan = _docs(nlp, NOTICE)
    assert notice.title == "海川省卫生健康委员会关于印发《海川省智慧医院建设三年行动计划》的通知"
    assert notice.doc_number == "海卫发〔2022〕9号"
    assert notice.issuer == "海川省卫生健康委员会"
    assert notice.date == "2022-03-08"
    assert (notice.region, notice.region_level) == ("海川省", "province")
    # the attachment's title is broken over two lines and joined
    assert plan.title == "海川省智慧医院建设三年行动计划"
    assert plan.evidence.quote == "海川省智慧医院建设\n三年行动计划"
    assert plan.doc_number is None
    assert plan.issued_by_notice == notice.key
    # a 印发 notice passes its issuer and date on to the attachment
    assert (plan.issuer, plan.date) == ("海川省卫生健康委员会", "2022-03-08")
    assert notice.span_end == plan.span_start


def test_document_at_attributes_offsets(nlp: Language) -> None:
    doc = run_pipeline(nlp, NOTICE, "t.txt")
    notice, plan = doc._.pkg_documents
    assert document_at(doc, NOTICE.index("现将")) == notice.key
    assert document_at(doc, NOTICE.index("（一）指导思想")) == plan.key
    assert document_at(doc, 0) == notice.key


def test_comment_notice_does_not_pass_metadata_on(nlp: Language) -> None:
    text = (
        "云岭市商务局关于对《云岭市跨境电商发展方案(2024-2026年)(征求意见稿)》公开征求意见的通知\n"
        "现将方案全文公布，欢迎提出意见。\n"
        "云岭市商务局\n"
        "2024年2月1日\n"
        "云岭市跨境电商发展方案(2024-2026年)\n"
        "\n"
        "(征求意见稿)\n"
        "一、发展目标\n"
    )
    notice, draft = _docs(nlp, text)
    assert notice.date == "2024-02-01"
    assert notice.issuer == "云岭市商务局"
    assert draft.title == "云岭市跨境电商发展方案(2024-2026年)(征求意见稿)"
    assert (draft.issuer, draft.date) == (None, None)
    assert (draft.region, draft.region_level) == ("云岭市", "city")


def test_export_header_with_crlf_and_bogus_date(nlp: Language) -> None:
    text = (
        "标题：海湾市人民政府办公室关于印发海湾市优化营商环境行动方案的通知\r\n"
        "发文字号：海政办发(2020)15号\r\n"
        "发布日期：2020-6-18\r\n"
        "生效日期：1900-1-1\r\n"
        "\r\n"
        "各区人民政府，市政府各部门：\r\n"
        "《海湾市优化营商环境行动方案》已经市政府同意，现印发给你们。\r\n"
    )
    (d,) = _docs(nlp, text)
    assert d.title == "海湾市人民政府办公室关于印发海湾市优化营商环境行动方案的通知"
    assert d.doc_number == "海政办发(2020)15号"
    assert d.date == "2020-06-18"
    assert d.issuer is None or d.issuer.startswith("海湾市")
    assert (d.region, d.region_level) == ("海湾市", "city")


def test_file_without_title_is_one_document_with_its_region(nlp: Language) -> None:
    text = (
        "各县区人民政府，市直各部门：\n"
        "为推动青河市生物医药产业发展，制定本规划。\n"
        "一、发展基础\n"
        "青河市生物医药企业数量稳步增长，青河市创新平台不断完善。\n"
        "2022年9月30日\n"
    )
    (d,) = _docs(nlp, text)
    assert d.title is None
    assert (d.region, d.region_level) == ("青河市", "city")
    assert d.date == "2022-09-30"
    assert d.span_start == 0 and d.span_end == len(text)


def test_appendix_table_stays_in_its_document(nlp: Language) -> None:
    text = (
        "白石市人民政府关于促进就业的实施意见\n"
        "白政发〔2019〕3号\n"
        "一、重点任务\n"
        "（一）扩大就业。\n"
        "附件：2019年度任务分工表\n"
        "附件\n"
        "2019年度任务分工表\n"
    )
    docs = _docs(nlp, text)
    assert len(docs) == 1
    assert docs[0].doc_number == "白政发〔2019〕3号"


INTERLEAVED = """东湖市人民政府关于促进健康产业发展的实施意见
  西岭县人民政府关于推进数字乡村建设的意见
一、总体要求
  一、指导思想
东湖市健康产业规模持续扩大，形成一批龙头企业。
  以数字化驱动乡村振兴，西岭县全面推进乡村信息化。
二、重点任务
  二、主要任务
1.发展健康服务业。扩大健康服务供给。（责任单位：市卫生健康委）
  1.建设数字乡村平台。整合涉农数据资源。
2.培育健康企业。支持企业做大做强。（责任单位：市工业和信息化局）
  2.推进乡村网络覆盖。实现行政村光纤全覆盖。（县农业农村局负责）
3.建设健康园区。
  3.发展农村电商。
"""


def test_interleaved_documents_are_separated_by_layout(nlp: Language) -> None:
    doc = run_pipeline(nlp, INTERLEAVED, "mix.txt")
    city, county = doc._.pkg_documents
    assert city.title == "东湖市人民政府关于促进健康产业发展的实施意见"
    assert county.title == "西岭县人民政府关于推进数字乡村建设的意见"
    assert (county.region, county.region_level) == ("西岭县", "county")
    assert len(city.segments) > 2 and len(county.segments) > 2
    for marker, owner in (
        ("1.发展健康服务业", city.key),
        ("3.建设健康园区", city.key),
        ("1.建设数字乡村平台", county.key),
        ("以数字化驱动", county.key),
        ("3.发展农村电商", county.key),
    ):
        assert document_at(doc, INTERLEAVED.index(marker)) == owner, marker


def test_title_recognition() -> None:
    assert is_title_text("南江市人民政府关于加强人才引进工作的意见")
    assert is_title_text("南江市数字政府建设实施方案（2023—2025年）")
    assert not is_title_text("一、总体要求")
    assert not is_title_text("加快建设人才高地。")
    assert not is_title_text("附件：南江市数字政府建设实施方案")


@pytest.mark.parametrize(
    ("raw", "iso"),
    [
        ("2017年1月25日", "2017-01-25"),
        ("二○○八年五月十四日", "2008-05-14"),
        ("二〇二一年十二月三十一日", "2021-12-31"),
        ("2008-5-14", "2008-05-14"),
        ("1900-1-1", None),
        ("生效日期：1900-1-1", None),
    ],
)
def test_dates(raw: str, iso: str | None) -> None:
    assert parse_date(raw) == iso


def test_regions_and_levels() -> None:
    assert regions_in("江北省临江市人民政府办公室") == ["江北省", "临江市"]
    assert regions_in("某某自治区乌兰市科技局") == ["某某自治区", "乌兰市"]
    assert region_level("江北省") == "province"
    assert region_level("临江市") == "city"
    assert region_level("上海市") == "province"
    assert region_level("安平县") == "county"
    assert regions_in("加快建设人才强省") == []


SEQUENTIAL = """东湖市人民政府关于促进健康产业发展的实施意见
一、总体要求
　　东湖市健康产业规模持续扩大，形成一批龙头企业。
二、重点任务
　　扩大健康服务供给，支持企业做大做强。
三、保障措施
　　加强组织领导，强化资金保障。
　　西岭县人民政府关于推进数字乡村建设的意见
一、指导思想
　　以数字化驱动乡村振兴，全面推进乡村信息化。
二、主要任务
　　整合涉农数据资源，实现行政村光纤全覆盖。
三、组织实施
　　明确责任分工，加强督促检查。
"""


def test_layout_alone_does_not_interleave_sequential_documents(nlp: Language) -> None:
    doc = run_pipeline(nlp, SEQUENTIAL, "seq.txt")
    city, county = doc._.pkg_documents
    assert len(city.segments) == 1 and len(county.segments) == 1
    assert document_at(doc, SEQUENTIAL.index("加强组织领导")) == city.key
    assert document_at(doc, SEQUENTIAL.index("以数字化驱动")) == county.key


def test_attachment_without_its_own_title_line_starts_after_the_notice(nlp: Language) -> None:
    text = (
        "北岸市人民政府办公室关于印发北岸市人才安居办法的通知\n"
        "北政办发〔2023〕4号\n"
        "各区人民政府：\n"
        "《北岸市人才安居办法》已经市政府同意，现印发给你们。\n"
        "北岸市人民政府办公室\n"
        "2023年5月9日\n"
        "附件\n"
        "第一条 为做好人才安居工作，制定本办法。\n"
        "第二条 本办法适用于全市。\n"
        "第三条 本办法自发布之日起施行。\n"
    )
    doc = run_pipeline(nlp, text, "t.txt")
    notice, rules = doc._.pkg_documents
    assert rules.title == "北岸市人才安居办法"
    assert (rules.issuer, rules.date) == ("北岸市人民政府办公室", "2023-05-09")
    assert notice.doc_number == "北政办发〔2023〕4号"
    assert document_at(doc, text.index("第二条")) == rules.key
    assert document_at(doc, text.index("各区人民政府")) == notice.key


def test_a_complete_title_does_not_swallow_the_table_header_below(nlp: Language) -> None:
    text = "雁城市推进无废城市建设工作任务清单\n\n序号\n工作任务\n责任单位\n1\n建设小区\n市城管局\n"
    (d,) = _docs(nlp, text)
    assert d.title == "雁城市推进无废城市建设工作任务清单"


def test_a_title_broken_before_its_type_is_joined(nlp: Language) -> None:
    text = "雁城市人民政府关于印发雁城市数字政府建设实施方案\n的通知\n雁政发〔2025〕3号\n各区："
    (d, *_rest) = _docs(nlp, text)
    assert d.title == "雁城市人民政府关于印发雁城市数字政府建设实施方案的通知"


@pytest.mark.parametrize(
    "title", ["雁城市2025年数字政府建设工作安排", "雁城区2025年优化营商环境重点任务责任分解表"]
)
def test_more_document_types_read_as_titles(title: str) -> None:
    assert is_title_text(title)


def test_region_suffix_inside_a_word_is_no_region() -> None:
    assert regions_in("雁城市推进县域商业体系建设实施方案") == ["雁城市"]
    assert regions_in("雁城市推动市场主体倍增的意见") == ["雁城市"]
    assert regions_in("中共雁城市委办公室") == ["雁城市"]
    assert regions_in("雁城市加快县乡村物流体系建设方案") == ["雁城市"]
    assert regions_in("江北省临江市外贸促进若干措施") == ["江北省", "临江市"]
    assert regions_in("雁城市民营经济发展若干措施") == ["雁城市"]


EXPORT_TWO_FIELDS = """索引号：11360900MB0000000X/2024-00001　　主题分类：卫生、体育
发文机关：雁城市人民政府　　成文日期：2024年08月16日
标　　题：雁城市人民政府关于加强基层医疗卫生服务能力建设的意见
发文字号：雁府发〔2024〕16号　　发布日期：2024年08月20日

一、加强人才培养。（责任单位：市卫健委、市人社局）
"""


def test_export_lines_with_two_fields_each(nlp: Language) -> None:
    (d,) = _docs(nlp, EXPORT_TWO_FIELDS)
    assert d.title == "雁城市人民政府关于加强基层医疗卫生服务能力建设的意见"
    assert (d.doc_number, d.issuer, d.date) == (
        "雁府发〔2024〕16号",
        "雁城市人民政府",
        "2024-08-16",
    )


def test_a_title_broken_inside_its_quoted_attachment_title_is_joined(nlp: Language) -> None:
    text = (
        "关于印发《雁城市人才发展三年行动计划\n（2024—2026年）》的通知\n雁办发〔2024〕5号\n"
        "各县（市、区）人民政府：\n"
        "　　现将《雁城市人才发展三年行动计划（2024—2026年）》印发给你们。\n"
        "雁城市人民政府办公室\n2024年3月1日\n雁城市人才发展三年行动计划\n（2024—2026年）\n"
        "一、实施人才引进工程。（责任单位：市委组织部）\n"
    )
    notice, plan = _docs(nlp, text)
    assert notice.title == "关于印发《雁城市人才发展三年行动计划（2024—2026年）》的通知"
    assert plan.title == "雁城市人才发展三年行动计划（2024—2026年）"
    assert plan.issued_by_notice == notice.key


def _meta(d: DocumentRecord) -> tuple[str | None, str | None, str | None, str | None, str | None]:
    return (d.title, d.doc_number, d.issuer, d.region, d.date)


def test_bracketed_export_keys(nlp: Language) -> None:
    text = (
        "【标　　题】临江县人民政府关于推进乡村振兴的实施意见\r\n"
        "【发文字号】临政发〔2022〕3号\r\n【发文机关】临江县人民政府\r\n"
        "【成文日期】2022-03-18【有 效 性】有效\r\n\r\n"
        "临江县人民政府关于推进乡村振兴的实施意见\r\n各乡镇人民政府：\r\n"
        "　　（一）稳定粮食生产。严格落实责任。\r\n"
    )
    (d,) = _docs(nlp, text)
    assert _meta(d) == (
        "临江县人民政府关于推进乡村振兴的实施意见",
        "临政发〔2022〕3号",
        "临江县人民政府",
        "临江县",
        "2022-03-18",
    )


def test_markdown_title_and_bullet_keys(nlp: Language) -> None:
    text = (
        "# 临江市教育局 临江市财政局关于印发《临江市教育行动计划》的通知\n\n"
        "- 发文字号：临市教〔2023〕18号\n- 发布机构：临江市教育局\n- 成文日期：2023-05-10\n\n"
        "各区教育局：\n现将《临江市教育行动计划》印发给你们。\n\n"
        "## 临江市教育行动计划\n\n（一）扩大学前教育资源。新建幼儿园。\n"
    )
    notice, plan = _docs(nlp, text)
    issuers = "临江市教育局 临江市财政局"
    assert _meta(notice) == (
        f"{issuers}关于印发《临江市教育行动计划》的通知",
        "临市教〔2023〕18号",
        issuers,  # the title names both issuers, the page's 发布机构 only one
        "临江市",
        "2023-05-10",
    )
    assert _meta(plan) == ("临江市教育行动计划", None, issuers, "临江市", "2023-05-10")
    assert plan.issued_by_notice == notice.key


def test_a_link_line_repeating_the_title_is_no_document(nlp: Language) -> None:
    text = (
        "《临江市外贸若干措施》政策解读\n　　近日，市政府办公厅印发《临江市外贸若干措施》。\n"
        "原文链接：临江市人民政府办公厅关于印发临江市外贸若干措施的通知\n\n"
        "临江市人民政府办公厅关于印发临江市外贸若干措施的通知\n临府办〔2023〕6号\n"
        "各区人民政府：\n　　《临江市外贸若干措施》已经市政府同意，现印发给你们。\n"
        "临江市人民政府办公厅\n2023年8月25日\n临江市外贸若干措施\n　　一、培育主体。加大支持。\n"
    )
    titles = [d.title for d in _docs(nlp, text)]
    assert not any(t and t.startswith("原文链接") for t in titles)
    assert "临江市人民政府办公厅关于印发临江市外贸若干措施的通知" in titles
    assert not is_title_text("原文链接：临江市人民政府办公厅关于印发临江市外贸若干措施的通知")


def test_issuers_on_the_line_above_the_title(nlp: Language) -> None:
    text = (
        "临江省卫生健康委员会 临江省财政厅\n关于印发临江省基层卫生行动方案的通知\n\n"
        "临卫基层字〔2023〕3号\n\n各市卫生健康委：\n"
        "    现将《临江省基层卫生行动方案》印发给你们。\n\n"
        "    临江省卫生健康委员会\n    临江省财政厅\n    2023年2月16日\n\n"
        "临江省基层卫生行动方案\n\n    （一）推进标准化建设。加大投入。\n"
    )
    notice, plan = _docs(nlp, text)
    issuers = "临江省卫生健康委员会 临江省财政厅"
    assert _meta(notice) == (
        issuers + "关于印发临江省基层卫生行动方案的通知",
        "临卫基层字〔2023〕3号",
        issuers,
        "临江省",
        "2023-02-16",
    )
    assert plan.issuer == issuers


def test_a_decree_header_gives_number_issuer_and_date(nlp: Language) -> None:
    text = (
        "临江省人民政府令\n\n第253号\n\n"
        "　　《临江省公共数据管理办法》已经省人民政府常务会议审议通过，现予公布。\n\n"
        "省长　王某\n\n2023年1月18日\n\n临江省公共数据管理办法\n\n第一章　总　则\n\n"
        "　　第一条　为了加强公共数据管理，制定本办法。\n"
    )
    (d,) = _docs(nlp, text)
    assert _meta(d) == (
        "临江省公共数据管理办法",
        "临江省人民政府令第253号",
        "临江省人民政府",
        "临江省",
        "2023-01-18",
    )


def test_autonomous_region_and_a_number_year_is_no_date(nlp: Language) -> None:
    assert regions_in("新疆维吾尔自治区人民政府办公厅") == ["新疆维吾尔自治区"]
    assert regions_in("新乡市人民政府") == ["新乡市"]
    assert regions_in("新型城镇化试点县") == []
    text = (
        "新疆维吾尔自治区人民政府办公厅关于推动外贸保稳提质的实施意见\n\n"
        "新政办发〔2023〕27号\n\n各州、市人民政府：\n　　一、总体要求\n　　推动外贸保稳提质。\n"
    )
    (d,) = _docs(nlp, text)
    assert (d.region, d.region_level, d.date) == ("新疆维吾尔自治区", "province", None)


def test_an_attachment_heading_drops_its_notice_number(nlp: Language) -> None:
    text = "临江市2023年重点任务清单（临政办字〔2023〕22号附件）\n\n一、重点任务\n（一）推进。\n"
    (d,) = _docs(nlp, text)
    assert (d.title, d.doc_number) == ("临江市2023年重点任务清单", None)


def test_own_alias_declared_after_the_doc_number(nlp: Language) -> None:
    text = (
        "临江市人民政府关于促进消费的若干措施\n\n临政发〔2023〕2号\n\n"
        "　　现将《临江市人民政府关于促进消费的若干措施》（临政发〔2023〕2号，以下简称《措施》）"
        "印发。\n　　一、扩大消费。\n"
    )
    (d,) = _docs(nlp, text)
    assert d.aliases == ["措施"]


# ---------------------------------------------------------------- round 2


def test_an_issue_note_under_the_title_is_issuer_and_date(nlp: Language) -> None:
    text = (
        "岷山市促进数字经济发展若干措施\n（岷山市人民政府2024年3月15日印发）\n"
        "一、加快数字基础设施建设。\n二、培育数字产业。\n"
    )
    (d,) = _docs(nlp, text)
    assert (d.title, d.issuer, d.date) == (
        "岷山市促进数字经济发展若干措施",
        "岷山市人民政府",
        "2024-03-15",
    )
    # a period or a draft mark stays the title's tail
    (p,) = _docs(nlp, "岷山市数字经济发展规划\n（2024—2026年）\n一、发展目标\n二、主要任务\n")
    assert p.title == "岷山市数字经济发展规划（2024—2026年）"
    passed = "岷山市数字经济规划\n（2024年3月1日市政府第20次常务会议通过）\n一、目标\n二、任务\n"
    (q,) = _docs(nlp, passed)
    assert (q.title, q.date) == ("岷山市数字经济规划", "2024-03-01")


EXPORT_TWO = """【标题】岷山市人民政府关于加强安全生产工作的意见
【发文字号】岷政发〔2024〕1号
【发布机构】岷山市人民政府
【成文日期】2024-01-10
一、总体要求
（一）压实安全责任。
（二）强化隐患排查。
【发文字号】岷政办发〔2024〕2号
【标题】岷山市人民政府办公室关于做好防汛工作的通知
【发布机构】岷山市人民政府办公室
【成文日期】2024-04-02
一、工作任务
（一）加强汛情监测。
"""


def test_a_database_page_with_two_header_blocks_is_two_documents(nlp: Language) -> None:
    first, second = _docs(nlp, EXPORT_TWO)
    assert (first.title, first.doc_number, first.date) == (
        "岷山市人民政府关于加强安全生产工作的意见",
        "岷政发〔2024〕1号",
        "2024-01-10",
    )
    assert (second.title, second.doc_number, second.issuer, second.date) == (
        "岷山市人民政府办公室关于做好防汛工作的通知",
        "岷政办发〔2024〕2号",
        "岷山市人民政府办公室",
        "2024-04-02",
    )
    # the second block's first field (its 文号, above its 标题) is already its own
    start = EXPORT_TWO.index("【发文字号】岷政办发")
    assert document_at(run_pipeline(nlp, EXPORT_TWO, "t.txt"), start) == second.key


@pytest.mark.parametrize(
    "number_line",
    [
        "黔安委〔2024〕3号",
        "（黔安委〔2024〕3号）",
        "黔安委〔２０２４〕３号",
        "黔安委〔2024〕3号　　签发人：张某",
    ],
)
def test_the_doc_number_under_the_title_without_a_key(nlp: Language, number_line: str) -> None:
    text = (
        f"黔安县安全生产委员会关于开展安全生产大检查的通知\n{number_line}\n"
        "各乡镇人民政府，县直有关部门：\n一、检查重点\n（一）危险化学品企业。\n"
    )
    (d,) = _docs(nlp, text)
    assert d.title == "黔安县安全生产委员会关于开展安全生产大检查的通知"
    assert d.doc_number is not None and d.doc_number.startswith("黔安委〔")
    assert d.doc_number.endswith("号") and "签发" not in d.doc_number


def test_a_plan_of_two_bureaus_names_both_issuers(nlp: Language) -> None:
    under = (
        "岷山市养老服务体系建设规划（2024—2030年）\n岷山市民政局　岷山市发展和改革委员会\n"
        "一、发展目标\n二、主要任务\n"
    )
    (d,) = _docs(nlp, under)
    assert d.issuer == "岷山市民政局、岷山市发展和改革委员会"
    stacked = (
        "岷山市养老服务体系建设规划（2024—2030年）\n一、发展目标\n二、主要任务\n"
        "岷山市民政局\n岷山市发展和改革委员会\n2024年6月3日\n"
    )
    (e,) = _docs(nlp, stacked)
    assert (e.issuer, e.date) == ("岷山市民政局、岷山市发展和改革委员会", "2024-06-03")
    # a unit cell above a single signature is no second issuer (no area in its name)
    single = "岷山市养老服务实施方案\n一、目标\n二、任务\n市民政局\n岷山市人民政府\n2024年6月3日\n"
    (f,) = _docs(nlp, single)
    assert f.issuer == "岷山市人民政府"


def test_markdown_key_lines_under_each_title_describe_that_document(nlp: Language) -> None:
    text = (
        "# 株洲市人民政府关于加强安全生产工作的意见\n- 发文字号：株政发〔2024〕3号\n"
        "- 发布机构：株洲市人民政府\n一、任务\n（一）落实责任。\n（二）加强监管。\n"
        "# 株洲市人民政府办公室关于做好防汛工作的通知\n- 发文字号：株政办发〔2024〕7号\n"
        "- 发布机构：株洲市人民政府办公室\n一、任务\n（一）加强监测。\n"
    )
    first, second = _docs(nlp, text)
    assert (first.doc_number, first.issuer) == ("株政发〔2024〕3号", "株洲市人民政府")
    assert (second.doc_number, second.issuer) == ("株政办发〔2024〕7号", "株洲市人民政府办公室")


def test_the_doc_number_below_a_header_without_a_number_field(nlp: Language) -> None:
    text = (
        "【标题】黔安县安全生产委员会关于开展安全生产大检查的通知\n"
        "【发布机构】黔安县安全生产委员会\n黔安委〔2024〕3号\n各乡镇人民政府：\n"
        "一、检查重点\n（一）危险化学品企业。\n"
    )
    (d,) = _docs(nlp, text)
    assert (d.doc_number, d.issuer) == ("黔安委〔2024〕3号", "黔安县安全生产委员会")


def test_every_export_header_line_starts_with_a_meta_first_character() -> None:
    # _meta tries its pattern only on lines opening with one of these characters
    hypothesis = pytest.importorskip("hypothesis")
    st = pytest.importorskip("hypothesis.strategies")
    from policykg.extract import segmentation

    @hypothesis.settings(max_examples=300, deadline=None)
    @hypothesis.given(st.from_regex(segmentation._META_RE, fullmatch=True))
    def check(line: str) -> None:
        assert line[:1] in segmentation._META_FIRST, line

    check()
