"""Tests of extract/citation.py on invented sentences (other cities, other topics)."""

from __future__ import annotations

import random

import pytest
import spacy

from policykg.extract import citation as citation_module  # noqa: F401  (registers the factory)
from policykg.extract.citation import (
    citation_kind,
    cited_level,
    doc_number_key,
    find_aliases,
    find_citations,
    find_doc_numbers,
    find_standards,
    find_titles,
)
from policykg.extract.model import DocumentRecord, Dropped, Evidence


def _cites(text: str, **kw: object) -> dict[str | None, tuple[str | None, str]]:
    recs = find_citations(text, document_key="d", **kw)  # type: ignore[arg-type]
    for r in recs:
        assert text[r.evidence.start : r.evidence.end] == r.evidence.quote
        assert len(r.evidence.quote) <= 200
    return {r.cited_title or r.cited_doc_number: (r.cited_doc_number, r.kind) for r in recs}


# ---------------------------------------------------------------- titles and numbers


def test_titles_nested_brackets_and_line_breaks() -> None:
    text = (
        "落实《西宁市〈促进就业条例〉实施细则》和《关于贯彻《人才法》的若干措施》，"
        "编制《青海省人才\n发展规划》。"
    )
    assert [t.title for t in find_titles(text)] == [
        "西宁市〈促进就业条例〉实施细则",
        "关于贯彻《人才法》的若干措施",
        "青海省人才发展规划",
    ]


def test_stray_brackets_are_skipped() -> None:
    text = "》》《《（（ 依据《营商环境优化办法》。另有《没有结尾的标题。然后继续"
    assert [t.title for t in find_titles(text)] == ["营商环境优化办法"]


def test_adjacent_doc_number_variants() -> None:
    text = (
        "根据《国务院办公厅关于优化营商环境的意见》（国办发〔2019〕39号）、"
        "《黑龙江省人才振兴计划》(黑政发（2018）7号)和"
        "《关于推进医保改革的通知》(人社部发(2017)56号)精神，"
        "按照《关于开展健康城市试点的指导意见》(全爱卫发管字(2016)5号)要求。"
    )
    got = _cites(text)
    assert got["国务院办公厅关于优化营商环境的意见"] == ("国办发〔2019〕39号", "basis")
    assert got["黑龙江省人才振兴计划"] == ("黑政发（2018）7号", "basis")
    assert got["关于推进医保改革的通知"] == ("人社部发(2017)56号", "basis")
    assert got["关于开展健康城市试点的指导意见"] == ("全爱卫发管字(2016)5号", "basis")
    assert len(got) == 4  # the adjacent numbers are not cited a second time


def test_doc_number_alone() -> None:
    text = "依据国办发〔2021〕8号文件精神，推进一网通办。"
    got = _cites(text)
    assert got == {"国办发〔2021〕8号": ("国办发〔2021〕8号", "basis")}
    assert [d.number for d in find_doc_numbers("按照苏政办发〔2020〕3号执行")] == [
        "苏政办发〔2020〕3号"
    ]


def test_doc_number_key_unifies_bracket_variants() -> None:
    assert doc_number_key("闽政(2019)12号") == doc_number_key("闽政〔2019〕12号")
    assert doc_number_key("闽政（2019） 12号") == "闽政〔2019〕12号"


def test_own_doc_number_and_standalone_line_are_not_citations() -> None:
    text = (
        "南宁市人民政府关于促进外贸发展的通知\n南府发〔2022〕5号\n各县区人民政府：\n"
        "参照南府发〔2022〕5号办理。"
    )
    assert _cites(text, own_doc_number="南府发〔2022〕5号") == {}


# ---------------------------------------------------------------- kinds


@pytest.mark.parametrize(
    ("sentence", "kind"),
    [
        ("根据《江西省乡村振兴促进条例》，制定本方案。", "basis"),
        ("按照《数字政府建设指南》要求，推进建设。", "basis"),
        ("依据《医疗机构管理条例》，规范管理。", "basis"),
        ("深入贯彻《人才强省战略纲要》精神。", "basis"),
        ("认真落实《减税降费实施办法》。", "basis"),
        ("按商务部《外贸企业认定办法》要求执行。", "basis"),
        ("组织实施《全民健身计划》。", "implements"),
        ("严格执行《政府采购管理办法》。", "implements"),
        ("全面贯彻实施《优化营商环境条例》。", "implements"),
        ("推动企业贯标《质量管理体系要求》。", "implements"),
        ("制定《青年人才公寓管理办法》。", "produces"),
        ("出台《外贸稳增长若干措施》。", "produces"),
        ("印发《智慧医院建设指南》。", "produces"),
        ("编制《县域商业体系建设规划》。", "produces"),
        ("修订《政务数据共享管理办法》。", "produces"),
        ("发布《营商环境评价报告》。", "produces"),
        ("市卫健委拟制《基层医疗服务提升方案》。", "produces"),
        ("开展《人才评价办法》修订工作。", "produces"),
        ("学习宣传《民法典》。", "mentions"),
        ("过去五年，市政府出台了《人才新政十条》，成效明显。", "mentions"),
    ],
)
def test_kind_from_cue_words(sentence: str, kind: str) -> None:
    recs = find_citations(sentence)
    assert len(recs) == 1
    assert recs[0].kind == kind


def test_cue_governs_a_list_of_titles() -> None:
    text = (
        "按照《A市产业发展规划(2021—2025年)》、《A市招商引资办法》和《A市人才计划》，"
        "结合实际，制定本方案。"
    )
    assert {k for _, k in _cites(text).values()} == {"basis"}


def test_cue_inside_another_title_is_not_a_cue() -> None:
    text = "《关于贯彻落实人才政策的意见》与《某县就业规划》一并公布。"
    assert {k for _, k in _cites(text).values()} == {"mentions"}


def test_strongest_kind_is_kept() -> None:
    text = (
        "宣传《健康中国行动纲要》。\n根据《健康中国行动纲要》，制定本计划。\n"
        "实施《健康中国行动纲要》。"
    )
    assert _cites(text) == {"健康中国行动纲要": (None, "basis")}


def test_notice_produces_its_attachment() -> None:
    title = "贵阳市人民政府办公厅关于印发《贵阳市数字经济发展行动计划》的通知"
    text = (
        title + "\n各区人民政府：\n现将《贵阳市数字经济发展行动计划》印发给你们，请认真贯彻执行。"
    )
    got = _cites(text, own_title=title)
    assert got == {"贵阳市数字经济发展行动计划": (None, "produces")}


def test_standard_kind_is_implements() -> None:
    text = "推动企业贯彻《信息技术服务管理体系》国家标准。"
    assert _cites(text) == {"信息技术服务管理体系": (None, "implements")}


# ---------------------------------------------------------------- aliases and self-references


def test_alias_of_the_document_is_not_a_citation() -> None:
    text = "为优化营商环境，制定本方案（以下简称《方案》）。\n本《方案》自发布之日起施行。"
    record = DocumentRecord("d", "某市营商环境提升方案", None, None, None, None, None,
                            Evidence("s", 0, 0, ""))  # fmt: skip
    _run_component(text, [record])
    assert record.aliases == ["方案"]
    assert [a.alias for a in find_aliases(text)] == ["方案"]
    assert find_citations(text, own_title="某市营商环境提升方案") == []


def test_alias_of_a_cited_document_merges_into_it() -> None:
    text = (
        "根据《国务院关于加快发展养老服务业的若干意见》（以下简称《若干意见》），"
        "制定本办法。\n落实《若干意见》的各项要求。"
    )
    got = _cites(text)
    assert got == {"国务院关于加快发展养老服务业的若干意见": (None, "basis")}


def test_own_title_is_not_cited() -> None:
    text = "《洛阳市人才发展规划》由市人才办负责解释。"
    assert find_citations(text, own_title="洛阳市人才发展规划") == []


# ---------------------------------------------------------------- standards


def test_standard_number_linked_to_title_in_same_paragraph() -> None:
    text = (
        "力争20家企业通过《能源管理体系要求》认证。\n"
        "（八）推行能源管理体系要求。鼓励企业按照GB/T 23331—2020国家标准实施能源管理。"
    )
    got = _cites(text)
    assert got == {"能源管理体系要求": ("GB/T 23331—2020", "implements")}


def test_standard_number_not_linked_stays_separate() -> None:
    text = "宣传《绿色工厂评价通则》。\n执行GB/T 36132—2018。"
    got = _cites(text)
    assert got["绿色工厂评价通则"] == (None, "mentions")
    assert got["GB/T 36132—2018"] == ("GB/T 36132—2018", "implements")
    assert [s.number for s in find_standards("GB 50016-2014和DB11/T 1234—2015")] == [
        "GB 50016-2014",
        "DB11/T 1234—2015",
    ]


# ---------------------------------------------------------------- levels


@pytest.mark.parametrize(
    ("title", "number", "issuer", "level"),
    [
        (None, "国发〔2016〕33号", "", "national"),
        (None, "国办发〔2020〕27号", "", "national"),
        (None, "鲁政发〔2019〕3号", "", "provincial"),
        (None, "粤府办〔2021〕9号", "", "provincial"),
        (None, "GB/T 22239—2019", "", "national"),
        ("国务院关于促进消费的意见", None, "", "national"),
        ("湖南省营商环境条例", None, "", "provincial"),
        ("湖南省长沙市人才计划", None, "", "city"),
        ("长沙市人才计划", None, "", "city"),
        ("关于支持企业发展的意见", None, "国家发展改革委", "national"),
        ("关于支持企业发展的意见", None, "省委", "provincial"),
        ("关于支持企业发展的意见", None, "", None),
    ],
)
def test_cited_level(title: str | None, number: str | None, issuer: str, level: str | None) -> None:
    assert cited_level(title, number, issuer) == level


def test_citation_kind_reports_the_cue() -> None:
    text = "依据《X条例》。"
    assert citation_kind(text, 2, 7, 0, len(text)) == ("basis", "依据")


# ---------------------------------------------------------------- component


def _run_component(
    text: str, documents: list[DocumentRecord] | None, dropped: list[Dropped] | None = None
) -> spacy.tokens.Doc:
    nlp = spacy.blank("zh")
    nlp.add_pipe("policykg_citations")
    doc = nlp.make_doc(text)
    doc._.pkg_source = "invented.txt"
    doc._.pkg_documents = documents
    doc._.pkg_dropped = dropped or []
    for _name, proc in nlp.pipeline:
        doc = proc(doc)
    return doc


def _record(key: str, title: str, start: int, end: int) -> DocumentRecord:
    return DocumentRecord(key, title, None, None, None, None, None,
                          Evidence("invented.txt", start, start, ""), span_start=start,
                          span_end=end)  # fmt: skip


def test_component_attributes_to_documents_and_skips_dropped() -> None:
    first = "根据《甲省数字经济促进条例》，制定本方案。\n"
    noise = "相关文章：依据《广告页面条例》。\n"
    second = "实施《乙市智慧交通规划》。\n"
    text = first + noise + second
    docs = [
        _record("a", "甲方案", 0, len(first) + len(noise)),
        _record("b", "乙方案", len(first) + len(noise), len(text)),
    ]
    dropped = [Dropped(len(first), len(first) + len(noise), "chrome", noise)]
    doc = _run_component(text, docs, dropped)
    got = {(c.document, c.cited_title, c.kind) for c in doc._.pkg_citations}
    assert got == {("a", "甲省数字经济促进条例", "basis"), ("b", "乙市智慧交通规划", "implements")}
    assert len(doc.spans["citations"]) == 2
    for c in doc._.pkg_citations:
        assert text[c.evidence.start : c.evidence.end] == c.evidence.quote
        assert c.evidence.source == "invented.txt"


def test_component_without_segmentation_uses_default_key() -> None:
    doc = _run_component("按照《丙县养老服务办法》执行。", None)
    assert [c.document for c in doc._.pkg_citations] == ["doc"]


def test_component_with_no_policy_document_cites_nothing() -> None:
    doc = _run_component("新闻：按照《丙县养老服务办法》执行。", [])
    assert doc._.pkg_citations == []


# ---------------------------------------------------------------- robustness

_ALPHABET = (
    "《》〈〉（）()〔〕【】“”、，。；：\n 根据按照实施制定印发以下简称号国发政2015〇一123GB/T—-字"
)


def _check_never_raises(text: str) -> None:
    for r in find_citations(text):
        assert 0 <= r.evidence.start <= r.evidence.end <= len(text)
        assert text[r.evidence.start : r.evidence.end] == r.evidence.quote
    for t in find_titles(text):
        assert text[t.start] == "《" and text[t.end - 1] == "》"


def test_random_brackets_never_raise() -> None:
    rng = random.Random(20240601)
    for _ in range(400):
        n = rng.randint(0, 120)
        _check_never_raises("".join(rng.choice(_ALPHABET) for _ in range(n)))
    _check_never_raises("《《（（")
    _check_never_raises("》》））〕〔")


def test_property_random_unicode_never_raises() -> None:
    hypothesis = pytest.importorskip("hypothesis")
    st = pytest.importorskip("hypothesis.strategies")

    @hypothesis.settings(max_examples=200, deadline=None)
    @hypothesis.given(
        st.text(alphabet=st.sampled_from(list(_ALPHABET)) | st.characters(), max_size=200)
    )
    def run(text: str) -> None:
        _check_never_raises(text)

    run()


def test_newspapers_and_journals_are_not_documents() -> None:
    text = "在《江南日报》和《卫生经济》杂志刊发解读，宣传《某省统计公报》。"
    assert list(_cites(text)) == ["某省统计公报"]


def test_crlf_inside_a_title() -> None:
    text = "根据《某省跨境电商综合试验区\r\n建设实施方案》\r\n（某政办发〔2022〕4号），制定本细则。"
    expected = {"某省跨境电商综合试验区建设实施方案": ("某政办发〔2022〕4号", "basis")}
    assert _cites(text) == expected


# ---------------------------------------------------------------- issue 3 forms


def test_alias_declared_after_the_doc_number_in_one_parenthesis() -> None:
    text = (
        "为贯彻《国务院关于促进绿色消费的意见》（国发〔2022〕8号，以下简称《意见》）精神，"
        "制定本方案。\n落实《意见》关于绿色采购的要求。"
    )
    assert [a.alias for a in find_aliases(text)] == ["意见"]
    assert _cites(text) == {"国务院关于促进绿色消费的意见": ("国发〔2022〕8号", "basis")}


def test_a_notice_produces_its_attachment_whatever_verb_names_it() -> None:
    notice = "临江市人民政府办公室关于印发临江市养老服务行动计划的通知"
    body = (
        notice + "\n临政办〔2024〕7号\n各区人民政府：\n"
        "　　《临江市养老服务行动计划》已经市政府同意，现印发给你们。\n"
        "　　市民政局、市财政局联合制定了《临江市养老服务行动计划》，请认真贯彻执行。\n"
    )
    text = body + "临江市养老服务行动计划\n　　一、重点任务\n"
    docs = [
        _record("doc1", notice, 0, len(body)),
        _record("doc2", "临江市养老服务行动计划", len(body), len(text)),
    ]
    docs[1].issued_by_notice = "doc1"
    doc = _run_component(text, docs)
    got = {(c.document, c.cited_title, c.kind) for c in doc._.pkg_citations}
    assert got == {("doc1", "临江市养老服务行动计划", "produces")}
    # a bare 关于印发X的通知 names X as produced even without the attachment record
    assert _cites(body, own_title=notice) == {"临江市养老服务行动计划": (None, "produces")}


def test_the_issuing_notice_number_in_an_attachment_heading_is_no_citation() -> None:
    text = "临江市重点任务清单（临政办字〔2023〕22号附件）\n一、推进项目建设。加快进度。\n"
    assert _cites(text) == {}


def test_a_doc_number_prefix_keeps_an_abbreviation_that_is_a_stop_character() -> None:
    assert [m.number for m in find_doc_numbers("落实和政发〔2021〕3号文件")] == [
        "和政发〔2021〕3号"
    ]
    assert [m.number for m in find_doc_numbers("按照湘政发〔2021〕3号")] == ["湘政发〔2021〕3号"]
    assert [m.number for m in find_doc_numbers("印发的临政发〔2021〕3号")] == ["临政发〔2021〕3号"]


def test_interpretation_links_are_no_citations() -> None:
    text = (
        "为贯彻落实《国务院关于促进消费扩容提质的意见》，制定本措施。\n"
        "相关解读：一图读懂《岷山市促进消费若干措施》 | 《岷山市促进消费若干措施》政策解读\n"
        "图解：《岷山市家电以旧换新实施细则》\n"
        "做好《岷山市消费者权益保护条例》解读工作。\n"
    )
    assert _cites(text) == {
        "国务院关于促进消费扩容提质的意见": (None, "basis"),
        # interpreting a regulation is a task that names it: still a citation
        "岷山市消费者权益保护条例": (None, "mentions"),
    }


def test_doc_number_spans_are_the_pattern_matches() -> None:
    # found from the year brackets: the same matches as the plain pattern's scan
    from policykg.extract.citation import _DOCNO_RE, _docno_spans

    pieces = ["国发", "湘政办", "按照", "市人民政府办公室关于印发", "号", "文", " ", "\u3000",
              "\n", "a", "《", "〔2019〕12号", "(2018) 21号", "【２０21】第 3号", "（2020）",
              "〔19〕1号", "2019", "〕", "第", "（"]  # fmt: skip
    rng = random.Random(11)
    found = long = 0
    for _ in range(3000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randrange(0, 16)))
        start = rng.randrange(0, len(text) // 3 + 1)
        end = rng.randrange(len(text) - len(text) // 3, len(text) + 1)
        expected = [
            (m.start("prefix"), m.end("prefix"), m.end())
            for m in _DOCNO_RE.finditer(text, start, end)
        ]
        assert list(_docno_spans(text, start, end)) == expected, (text, start, end)
        found += bool(expected)
        long += any(b - a == 12 for a, b, _e in expected)
    assert found > 500 and long > 20  # the cases compared do hold 文号, long prefixes too
