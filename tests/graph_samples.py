"""Small hand-made extraction results for the graph-layer tests (no extractor involved).

Two invented files: ``a.txt`` (a city opinion with inline responsibility
clauses, a basis citation of a provincial document and a target) and ``b.txt``
(a work plan that cites ``a.txt``'s document by its 文号 written with ASCII
brackets, and a national strategy that is in neither file).  ``a.txt`` cites
``b.txt``'s plan by title only, so linking it needs the cross-file step.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from pyoxigraph import Literal, NamedNode, Quad, Store

from policykg.extract.model import (
    CitationRecord,
    DocumentRecord,
    Evidence,
    ExtractionResult,
    ResponsibilityRecord,
    TargetRecord,
)

TEXT_A = (
    "示例市人民政府关于加快建设知识产权强市的实施意见\n"
    "示政发〔2018〕12号\n"
    "为贯彻落实《示例省人民政府关于知识产权强省建设的实施意见》（示省政发〔2017〕5号），"
    "结合我市实际，提出如下意见。\n"
    "（一）推动专利转化运用。（责任单位：市科技局、市财政局）\n"
    "（二）加强商标品牌保护。（责任单位：市市场监管局牵头，市科技局配合）\n"
    "按照《示例市知识产权运营工作方案》要求开展运营。\n"
    "到2020年，每万人发明专利拥有量达到10件。\n"
)

TEXT_B = (
    "示例市知识产权局关于印发示例市知识产权运营工作方案的通知\n"
    "示知发〔2019〕3号\n"
    "根据《示例市人民政府关于加快建设知识产权强市的实施意见》(示政发(2018)12号)和"
    "《国家知识产权战略纲要》，制定本方案。\n"
    "1.建设知识产权运营平台。（责任单位：市科技局、市金融办）\n"
    "到2021年，知识产权质押融资金额达到1~2亿元。\n"
)


def _ev(source: str, text: str, quote: str) -> Evidence:
    start = text.index(quote)
    return Evidence(source, start, start + len(quote), quote)


def _span(text: str, quote: str) -> tuple[int, int]:
    start = text.index(quote)
    return start, start + len(quote)


def result_a() -> ExtractionResult:
    src, text = "a.txt", TEXT_A
    doc = DocumentRecord(
        key="demo-2018",
        title="示例市人民政府关于加快建设知识产权强市的实施意见",
        doc_number="示政发〔2018〕12号",
        issuer="示例市人民政府",
        region="示例市",
        region_level="city",
        date="2018-03-01",
        evidence=_ev(src, text, "示例市人民政府关于加快建设知识产权强市的实施意见"),
        region_code="990100",
        span_end=len(text),
    )
    clause1 = "（责任单位：市科技局、市财政局）"
    clause2 = "（责任单位：市市场监管局牵头，市科技局配合）"
    t1 = _span(text, "（一）推动专利转化运用")
    t2 = _span(text, "（二）加强商标品牌保护")
    resps = [
        ResponsibilityRecord(
            "demo-2018",
            "（一）",
            "推动专利转化运用",
            "市科技局",
            1,
            False,
            "responsible",
            _ev(src, text, clause1),
            t1[0],
            t1[1],
            rule="responsibility.inline",
        ),
        ResponsibilityRecord(
            "demo-2018",
            "（一）",
            "推动专利转化运用",
            "市财政局",
            2,
            False,
            "responsible",
            _ev(src, text, clause1),
            t1[0],
            t1[1],
            rule="responsibility.inline",
        ),
        ResponsibilityRecord(
            "demo-2018",
            "（二）",
            "加强商标品牌保护",
            "市市场监管局",
            1,
            True,
            "lead",
            _ev(src, text, clause2),
            t2[0],
            t2[1],
            unit_canonical="示例市市场监督管理局",
            unit_region="示例市",
            rule="responsibility.inline",
        ),
        ResponsibilityRecord(
            "demo-2018",
            "（二）",
            "加强商标品牌保护",
            "市科技局",
            2,
            False,
            "support",
            _ev(src, text, clause2),
            t2[0],
            t2[1],
            rule="responsibility.inline",
        ),
    ]
    cits = [
        CitationRecord(
            "demo-2018",
            "示例省人民政府关于知识产权强省建设的实施意见",
            "示省政发〔2017〕5号",
            "basis",
            _ev(
                src,
                text,
                "为贯彻落实《示例省人民政府关于知识产权强省建设的实施意见》（示省政发〔2017〕5号）",
            ),
            cited_level="provincial",
            rule="citation.brackets",
        ),
        CitationRecord(
            "demo-2018",
            "示例市知识产权运营工作方案",
            None,
            "mentions",
            _ev(src, text, "按照《示例市知识产权运营工作方案》"),
            rule="citation.brackets",
        ),
    ]
    tgts = [
        TargetRecord(
            "demo-2018",
            "示例市",
            "每万人发明专利拥有量",
            10.0,
            None,
            "件",
            ">=",
            2020,
            _ev(src, text, "到2020年，每万人发明专利拥有量达到10件"),
            rule="target.reach",
        )
    ]
    return ExtractionResult(
        src, text, hashlib.sha256(text.encode()).hexdigest(), [doc], resps, cits, tgts
    )


def result_b() -> ExtractionResult:
    src, text = "b.txt", TEXT_B
    doc = DocumentRecord(
        key="demo-plan",
        title="示例市知识产权运营工作方案",
        doc_number="示知发〔2019〕3号",
        issuer="示例市知识产权局",
        region="示例市",
        region_level="city",
        date="2019-05-06",
        evidence=_ev(src, text, "示例市知识产权局关于印发示例市知识产权运营工作方案的通知"),
        span_end=len(text),
    )
    clause = "（责任单位：市科技局、市金融办）"
    t1 = _span(text, "1.建设知识产权运营平台")
    resps = [
        ResponsibilityRecord(
            "demo-plan",
            "1",
            "建设知识产权运营平台",
            unit,
            i,
            False,
            "responsible",
            _ev(src, text, clause),
            t1[0],
            t1[1],
            rule="responsibility.inline",
        )
        for i, unit in enumerate(["市科技局", "市金融办"], start=1)
    ]
    cits = [
        CitationRecord(
            "demo-plan",
            "示例市人民政府关于加快建设知识产权强市的实施意见",
            "示政发(2018)12号",
            "basis",
            _ev(
                src,
                text,
                "根据《示例市人民政府关于加快建设知识产权强市的实施意见》(示政发(2018)12号)",
            ),
        ),
        CitationRecord(
            "demo-plan",
            "国家知识产权战略纲要",
            None,
            "basis",
            _ev(src, text, "《国家知识产权战略纲要》"),
            cited_level="national",
        ),
    ]
    tgts = [
        TargetRecord(
            "demo-plan",
            None,
            "知识产权质押融资金额",
            1.0,
            2.0,
            "亿元",
            ">=",
            2021,
            _ev(src, text, "到2021年，知识产权质押融资金额达到1~2亿元"),
            normalized_value=100000000.0,
        )
    ]
    return ExtractionResult(
        src, text, hashlib.sha256(text.encode()).hexdigest(), [doc], resps, cits, tgts
    )


def sample_results() -> list[ExtractionResult]:
    """Both files, in the order that needs cross-file stub linking."""
    return [result_a(), result_b()]


def add_second_labels(store_dir: str | Path) -> int:
    """Give every labelled resource a second ``skos:prefLabel`` and every titled one a
    second ``dcterms:title``, in a named graph of their own (as a store that merged two
    spellings of one body, area or indicator would hold them).  Returns the quads added.

    Queries that join labels must still give one row per fact.
    """
    store = Store(str(store_dir))  # read-write; closed when this function returns
    graph = NamedNode("https://w3id.org/policykg/id/graph/second-labels")
    added = []
    for pred, suffix in (
        ("http://www.w3.org/2004/02/skos/core#prefLabel", "（别称）"),
        ("http://purl.org/dc/terms/title", "（另题）"),
    ):
        for q in store.quads_for_pattern(None, NamedNode(pred), None):
            if isinstance(q.object, Literal) and q.object.language == "zh":
                label = Literal(q.object.value + suffix, language="zh")
                added.append(Quad(q.subject, q.predicate, label, graph))
    store.extend(added)
    store.flush()
    del store
    return len(added)
