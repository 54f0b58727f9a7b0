"""Tests for policykg.extract.evaluate: the scorer behind ``policykg eval``.

Every expected score below is worked out by hand from the matching rules in
``data/gold/README.md``.
"""

from __future__ import annotations

import json
import random
import time
from pathlib import Path
from typing import Any

import pytest

from policykg.extract.evaluate import (
    EvalReport,
    EvaluationError,
    bigram_dice,
    evaluate_corpus,
    evaluate_records,
    format_report,
    gold_records,
    load_gold,
    norm,
)
from policykg.extract.model import (
    CitationRecord,
    DocumentRecord,
    Evidence,
    ExtractionResult,
    ResponsibilityRecord,
    TargetRecord,
)

ROOT = Path(__file__).resolve().parents[1]
SRC = "a.txt"


def _gold(**sections: list[dict[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {
        "source": SRC,
        "documents": [],
        "responsibilities": [],
        "citations": [],
        "targets": [],
    }
    out.update(sections)
    return out


def _resp(task: str, unit: str, lead: bool = False, doc: str = "d", **kw: Any) -> dict[str, Any]:
    return {
        "document": doc,
        "task_label": "1",
        "task": task,
        "unit": unit,
        "order": 1,
        "lead": lead,
        "evidence": kw.pop("evidence", ""),
        **kw,
    }


def _target(metric: str, value: float, unit: str | None, **kw: Any) -> dict[str, Any]:
    rec = {
        "document": "d",
        "region": "湖州市",
        "metric": metric,
        "value": value,
        "value_max": None,
        "unit": unit,
        "comparator": ">=",
        "year": 2025,
        "evidence": "",
    }
    rec.update(kw)
    return rec


def _pred(type_: str, rec: dict[str, Any], source: str = SRC) -> dict[str, Any]:
    return {"type": type_, "source": source, **rec}


def _score(preds: list[dict[str, Any]], gold: dict[str, Any]) -> EvalReport:
    return evaluate_records(preds, {SRC: gold})


# --------------------------------------------------------------------------- #
# norm and Dice


def test_norm_nfkc_drops_whitespace_punctuation_and_symbols() -> None:
    assert norm("（责任单位：市人社局、 市财政局）") == "责任单位市人社局市财政局"
    assert norm("豫政〔２０２１〕８号") == "豫政20218号"  # NFKC folds full-width digits
    assert norm("件／万人") == norm("件/万人") == "件万人"
    assert norm("1~2＋3%") == "123"  # ~ + are Sm, % is Po
    assert norm("“十四五”\u3000规划\r\n") == "十四五规划"
    assert norm(None) == ""


def test_bigram_dice_by_hand() -> None:
    # 11 and 9 bigrams, 8 shared -> 16 / 20
    assert bigram_dice("每万人有效发明专利拥有量", "每万人发明专利拥有量") == pytest.approx(0.8)
    # 4 + 4 bigrams, 2 shared (高层, 层次) -> exactly 0.5
    assert bigram_dice("高层次人才", "高层次专家") == pytest.approx(0.5)
    assert bigram_dice("技术合同成交额", "专利质押融资额") == 0.0
    assert bigram_dice("", "a") == 0.0
    # multiset: "aaa" has bigrams {aa: 2}, "aa" {aa: 1} -> 2*1/3
    assert bigram_dice("aaa", "aa") == pytest.approx(2 / 3)


# --------------------------------------------------------------------------- #
# responsibilities


def test_bipartite_matching_beats_greedy() -> None:
    # X is compatible with both gold records, Y only with A.  A greedy pass in
    # gold order pairs A-X and leaves B unmatched (TP 1); the maximum matching
    # is A-Y, B-X (TP 2).
    a = _resp("优化人才服务", "市人社局")  # 6 chars: a prefix of both X and Y
    b = _resp("优化人才服务保障体系", "市人社局")  # a prefix of X, diverges from Y
    x = _pred("responsibility", _resp("优化人才服务保障体系建设", "市人社局"))
    y = _pred("responsibility", _resp("优化人才服务中心建设", "市人社局"))
    for preds in ([x, y], [y, x]):
        sc = _score(preds, _gold(responsibilities=[a, b])).sections["responsibilities"]
        assert (sc.tp, sc.fp, sc.fn) == (2, 0, 0)
        assert sc.f1 == 1.0


def test_task_prefix_needs_six_characters() -> None:
    gold = _gold(
        responsibilities=[_resp("建设数字政府", "市大数据局"), _resp("推进改革", "市委编办")]
    )
    preds = [
        _pred("responsibility", _resp("建设数字政府一体化平台", "市大数据局")),  # 6-char prefix
        _pred("responsibility", _resp("推进改革试点", "市委编办")),  # only 4
    ]
    sc = _score(preds, gold).sections["responsibilities"]
    assert (sc.tp, sc.fp, sc.fn) == (1, 1, 1)
    assert sc.precision == 0.5 and sc.recall == 0.5 and sc.f1 == 0.5


def test_unit_must_match_after_norm() -> None:
    gold = _gold(responsibilities=[_resp("深化营商环境改革", "市市场监管局")])
    same = [_pred("responsibility", _resp("深化营商环境改革", " 市市场监管局。"))]
    other = [_pred("responsibility", _resp("深化营商环境改革", "市商务局"))]
    assert _score(same, gold).f1("responsibilities") == 1.0
    assert _score(other, gold).f1("responsibilities") == 0.0


def test_tie_break_prefers_exact_task_and_reports_lead_accuracy() -> None:
    # One gold pair, two compatible predictions; either gives TP 1 / FP 1.
    # The exact-task one is chosen, whatever the input order.
    gold = _gold(responsibilities=[_resp("优化人才服务", "市人社局", lead=True)])
    exact = _pred("responsibility", _resp("优化人才服务", "市人社局", lead=True))
    prefix = _pred("responsibility", _resp("优化人才服务环境", "市人社局", lead=False))
    for preds in ([exact, prefix], [prefix, exact]):
        report = _score(preds, gold)
        sc = report.sections["responsibilities"]
        assert (sc.tp, sc.fp, sc.fn) == (1, 1, 0)
        assert report.accuracy("responsibilities", "lead") == 1.0
        (fp,) = [e for e in report.errors if e.kind == "FP"]
        assert fp.record["task"] == "优化人才服务环境"


def test_tie_break_prefers_the_matched_document() -> None:
    # The same target in two documents of one file (a plan and its schedule);
    # predictions carry the extractor's own document keys.  The document
    # matching maps them, so each target pairs within its own document and the
    # year accuracy is 1.0 (a crossed pairing would give 0.0).
    gold = _gold(
        documents=[
            {
                "key": "plan",
                "title": "健康城市建设行动计划",
                "doc_number": None,
                "region": "宜昌市",
            },
            {"key": "sched", "title": "健康城市建设进度表", "doc_number": None, "region": "宜昌市"},
        ],
        targets=[
            _target("社区卫生服务中心", 30, "个", document="plan", year=2025),
            _target("社区卫生服务中心", 30, "个", document="sched", year=2024),
        ],
    )
    preds = [
        _pred("document", {"key": "doc-2", "title": "健康城市建设进度表", "region": "宜昌市"}),
        _pred("document", {"key": "doc-1", "title": "健康城市建设行动计划", "region": "宜昌市"}),
        _pred("target", _target("社区卫生服务中心", 30, "个", document="doc-2", year=2024)),
        _pred("target", _target("社区卫生服务中心", 30, "个", document="doc-1", year=2025)),
    ]
    for order in (preds, preds[::-1]):
        report = _score(order, gold)
        assert report.f1("documents") == 1.0 and report.f1("targets") == 1.0
        assert report.accuracy("targets", "year") == 1.0
    # The document tier outranks attribute agreement: years swapped between
    # the documents are reported as wrong, not hidden by a crossed pairing.
    preds[2]["year"], preds[3]["year"] = 2025, 2024
    assert _score(preds, gold).accuracy("targets", "year") == 0.0


# --------------------------------------------------------------------------- #
# targets


def test_target_ranges_need_value_max_only_where_gold_has_one() -> None:
    gold = _gold(
        targets=[
            _target("省级重点实验室", 1, "个", value_max=2),
            _target("外贸综合服务企业", 5, "家"),
        ]
    )
    no_max = [_pred("target", _target("省级重点实验室", 1, "个"))]
    assert _score(no_max, gold).sections["targets"].tp == 0
    wrong_max = [_pred("target", _target("省级重点实验室", 1, "个", value_max=3))]
    assert _score(wrong_max, gold).sections["targets"].tp == 0
    ok = [
        _pred("target", _target("省级重点实验室", 1.0, "个", value_max=2.0)),
        # gold has no value_max: the predicted one is not checked
        _pred("target", _target("外贸综合服务企业", 5, "家", value_max=8)),
    ]
    sc = _score(ok, gold).sections["targets"]
    assert (sc.tp, sc.fp, sc.fn) == (2, 0, 0)


def test_target_metric_containment_and_dice() -> None:
    gold = _gold(
        targets=[
            _target("每万人有效发明专利拥有量", 12, "件"),
            _target("高层次人才", 500, "人"),
            _target("技术合同成交额", 30, "亿元"),
            _target("跨境电商进出口额", 15, "%", comparator="pct_increase"),
        ]
    )
    preds = [
        _pred("target", _target("每万人发明专利拥有量", 12, "件")),  # Dice 0.8
        _pred("target", _target("高层次专家", 500, "人")),  # Dice exactly 0.5
        _pred("target", _target("专利质押融资额", 30, "亿元")),  # Dice 0
        _pred("target", _target("跨境电商进出口额年均增长", 15, "％", comparator=">=")),
    ]
    report = _score(preds, gold)
    sc = report.sections["targets"]
    assert (sc.tp, sc.fp, sc.fn) == (3, 1, 1)
    assert report.accuracy("targets", "comparator") == pytest.approx(2 / 3)
    assert report.accuracy("targets", "year") == 1.0
    (attr,) = [e for e in report.errors if e.kind == "ATTR"]
    assert attr.attributes == ("comparator",)


def test_target_value_and_unit_must_agree() -> None:
    gold = _gold(
        targets=[_target("数字经济核心产业增加值", 7.5, "亿元"), _target("覆盖率", 90, "%")]
    )
    preds = [
        _pred("target", _target("数字经济核心产业增加值", 75000, "万元")),
        _pred("target", _target("覆盖率", 90, "‰")),  # symbol-only units compare as written
        _pred("target", _target("覆盖率", 90, None)),
    ]
    sc = _score(preds, gold).sections["targets"]
    assert (sc.tp, sc.fp, sc.fn) == (0, 3, 2)


# --------------------------------------------------------------------------- #
# citations and documents


def test_null_title_citations_match_on_doc_number() -> None:
    gold = _gold(
        citations=[
            {
                "document": "d",
                "cited_title": None,
                "cited_doc_number": "豫政〔2021〕8号",
                "kind": "basis",
            },
            {
                "document": "d",
                "cited_title": "河南省优化营商环境条例",
                "cited_doc_number": None,
                "kind": "implements",
            },
        ]
    )
    preds = [
        # gold title null: matched on the 文号 whatever the predicted title
        _pred(
            "citation",
            {
                "cited_title": "某意见",
                "cited_doc_number": "豫政〔2021〕8号",
                "kind": "basis",
                "document": "x",
            },
        ),
        # gold title set: a different title does not match even with no 文号 clash
        _pred(
            "citation",
            {
                "cited_title": "河南省营商环境条例",
                "cited_doc_number": None,
                "kind": "implements",
                "document": "x",
            },
        ),
    ]
    sc = _score(preds, gold).sections["citations"]
    assert (sc.tp, sc.fp, sc.fn) == (1, 1, 1)
    other_number = [
        _pred(
            "citation",
            {"cited_title": None, "cited_doc_number": "豫政〔2021〕9号", "kind": "basis"},
        ),
        _pred("citation", {"cited_title": "《河南省优化营商环境条例》", "kind": "mentions"}),
    ]
    report = _score(other_number, gold)
    sc = report.sections["citations"]
    assert (sc.tp, sc.fp, sc.fn) == (1, 1, 1)
    assert report.accuracy("citations", "kind") == 0.0


def test_documents_title_doc_number_and_region_only() -> None:
    gold = _gold(
        documents=[
            {
                "key": "a",
                "title": "湖州市数字政府建设实施方案",
                "doc_number": "湖政发〔2022〕3号",
                "region": "湖州市",
            },
            {"key": "b", "title": None, "doc_number": None, "region": "嘉兴市"},
            {"key": "c", "title": None, "doc_number": "柳政办〔2023〕1号", "region": "柳州市"},
        ]
    )
    preds = [
        # title differs, 文号 equal -> matches a
        _pred(
            "document",
            {
                "key": "1",
                "title": "数字政府建设实施方案",
                "doc_number": "湖政发〔2022〕3号",
                "region": "湖州市",
            },
        ),
        # region-only gold b: matches on region whatever the title
        _pred(
            "document",
            {"key": "2", "title": "嘉兴市健康行动方案", "doc_number": None, "region": "嘉兴市"},
        ),
        # c has a 文号, so region alone does not match it
        _pred("document", {"key": "3", "title": None, "doc_number": None, "region": "柳州市"}),
    ]
    sc = _score(preds, gold).sections["documents"]
    assert (sc.tp, sc.fp, sc.fn) == (2, 1, 1)
    # two null titles are not "equal"
    nulls = [_pred("document", {"key": "4", "title": None, "doc_number": None, "region": "x"})]
    gold2 = _gold(documents=[{"key": "z", "title": None, "doc_number": "x号", "region": "y"}])
    assert _score(nulls, gold2).sections["documents"].tp == 0


# --------------------------------------------------------------------------- #
# averaging, empty sections, sources


def test_micro_average_over_files() -> None:
    g1 = _gold(
        responsibilities=[
            _resp("推进乡村振兴示范", "市农业农村局"),
            _resp("发展特色产业", "市农业农村局"),
        ]
    )
    g2 = _gold(
        responsibilities=[
            _resp("建设外贸转型基地", "市商务局"),
            _resp("建设外贸转型基地", "市发改委"),
        ]
    )
    g2["source"] = "b.txt"
    preds = [
        _pred("responsibility", _resp("推进乡村振兴示范", "市农业农村局")),  # a: TP 1, FN 1
        _pred("responsibility", _resp("建设外贸转型基地", "市商务局"), "b.txt"),
        _pred("responsibility", _resp("建设外贸转型基地", "市发改委"), "b.txt"),
        _pred("responsibility", _resp("建设外贸转型基地", "海关"), "b.txt"),
        _pred("responsibility", _resp("建设外贸转型基地", "市财政局"), "b.txt"),  # b: TP 2, FP 2
    ]
    report = evaluate_records(preds, {"a.txt": g1, "b.txt": g2})
    sc = report.sections["responsibilities"]
    assert (sc.tp, sc.fp, sc.fn) == (3, 2, 1)
    assert sc.precision == pytest.approx(3 / 5)
    assert sc.recall == pytest.approx(3 / 4)
    assert sc.f1 == pytest.approx(2 * 0.6 * 0.75 / 1.35)
    assert report.files["a.txt"]["responsibilities"].f1 == pytest.approx(2 / 3)
    assert report.files["b.txt"]["responsibilities"].precision == 0.5


def test_empty_sections() -> None:
    gold = _gold(targets=[_target("外贸进出口总额", 100, "亿元")])
    report = _score([], gold)
    t = report.sections["targets"]
    assert (t.precision, t.recall, t.f1) == (0.0, 0.0, 0.0)  # nothing predicted, gold non-empty
    c = report.sections["citations"]
    assert (c.precision, c.recall, c.f1) == (1.0, 1.0, 1.0)  # empty / empty
    assert report.accuracy("targets", "year") is None  # no matched pair
    spurious = [_pred("citation", {"cited_title": "某办法", "kind": "mentions"})]
    assert _score(spurious, gold).f1("citations") == 0.0  # gold empty, something predicted


def test_sources_are_scored_separately() -> None:
    rec = _resp("推进乡村振兴示范", "市农业农村局")
    gold = {"a.txt": _gold(responsibilities=[rec]), "b.txt": _gold()}
    report = evaluate_records(
        [
            _pred("responsibility", rec, "b.txt"),  # right fact, wrong file: FP in b, FN in a
            _pred("responsibility", rec, "c.txt"),  # no gold for c: not scored
            _pred("responsibility", rec, "some/dir/a.txt"),  # a path is reduced to its name
        ],
        gold,
    )
    assert report.files["a.txt"]["responsibilities"].tp == 1
    assert report.files["b.txt"]["responsibilities"].fp == 1
    assert report.unscored_sources == ["c.txt"]


# --------------------------------------------------------------------------- #
# the development set scored against itself


def test_gold_against_itself_is_perfect_in_any_order_and_fast() -> None:
    gold = load_gold(ROOT / "data" / "gold")
    assert len(gold) >= 5
    preds = [r for src, g in gold.items() for r in gold_records(g, src)]
    # drop what a real extractor would not share with gold: evidence and doc keys
    for r in preds:
        r.pop("evidence", None)
        if r["type"] == "document":
            r["key"] = "pred-" + r["key"]
        else:
            r["document"] = "pred-" + r["document"]
    random.Random(7).shuffle(preds)
    started = time.perf_counter()
    report = evaluate_records(preds, gold)
    assert time.perf_counter() - started < 3.0
    for section, sc in report.sections.items():
        assert (sc.fp, sc.fn) == (0, 0), section
        for name, attr in sc.attributes.items():
            assert attr.accuracy == 1.0, (section, name)
    assert not report.errors


def test_dropping_records_lowers_recall_exactly() -> None:
    gold = load_gold(ROOT / "data" / "gold")
    preds = [r for src, g in gold.items() for r in gold_records(g, src)]
    kept = [r for n, r in enumerate(preds) if not (r["type"] == "target" and n % 2)]
    report = evaluate_records(kept, gold)
    sc = report.sections["targets"]
    n_gold = sum(len(g["targets"]) for g in gold.values())
    n_kept = sum(r["type"] == "target" for r in kept)
    assert (sc.tp, sc.fp, sc.fn) == (n_kept, 0, n_gold - n_kept)


# --------------------------------------------------------------------------- #
# report output and the corpus entry point


def test_format_report_and_json() -> None:
    gold = _gold(
        responsibilities=[
            _resp("深化营商环境改革", "市市场监管局", lead=True, evidence="（市市场监管局牵头）")
        ]
    )
    preds = [
        _pred("responsibility", _resp("深化营商环境改革", "市市场监管局", evidence="牵头")),
        _pred("responsibility", _resp("深化营商环境改革", "市税务局", evidence="（市税务局配合）")),
    ]
    report = _score(preds, gold)
    short = format_report(report, errors=False)
    assert "responsibilities" in short and "0.667" in short  # P .5, R 1 -> F1 .667
    assert "市税务局" not in short
    long = format_report(report, errors=True)
    assert "FP   responsibilities" in long and "（市税务局配合）" in long
    assert "ATTR responsibilities" in long and "lead: gold=True predicted=False" in long
    data = report.to_json()
    assert json.loads(json.dumps(data, ensure_ascii=False)) == data
    assert data["sections"]["responsibilities"]["fp"] == 1
    assert data["files"][SRC]["responsibilities"]["attributes"]["lead"]["accuracy"] == 0.0
    assert report.f1("responsibilities") == pytest.approx(2 / 3)


def _result(source: str) -> ExtractionResult:
    ev = Evidence(source, 0, 4, "外贸方案")
    return ExtractionResult(
        source=source,
        text="外贸方案",
        sha256="",
        documents=[
            DocumentRecord("k", "泉州市外贸提质方案", None, None, "泉州市", "city", None, ev)
        ],
        responsibilities=[
            ResponsibilityRecord("k", "1", "培育外贸新业态", "市商务局", 1, True, "lead", ev)
        ],
        citations=[CitationRecord("k", "对外贸易法", None, "basis", ev)],
        targets=[TargetRecord("k", "泉州市", "外贸进出口总额", 2, None, "千亿元", ">=", 2025, ev)],
    )


def test_evaluate_corpus_with_an_injected_extractor(tmp_path: Path) -> None:
    corpus, gold_dir = tmp_path / "corpus", tmp_path / "gold"
    corpus.mkdir()
    gold_dir.mkdir()
    (corpus / "q.txt").write_text("外贸方案", encoding="utf-8")
    (corpus / "no_gold.txt").write_text("x", encoding="utf-8")
    gold = {
        "source": "q.txt",
        "documents": [{"key": "g", "title": "泉州市外贸提质方案", "doc_number": None}],
        "responsibilities": [_resp("培育外贸新业态", "市商务局", lead=True)],
        "citations": [
            {
                "document": "g",
                "cited_title": "对外贸易法",
                "cited_doc_number": None,
                "kind": "basis",
            }
        ],
        "targets": [_target("外贸进出口总额", 2, "千亿元")],
    }
    (gold_dir / "q.json").write_text(json.dumps(gold, ensure_ascii=False), encoding="utf-8")
    (gold_dir / "missing.json").write_text(json.dumps({"source": "missing.txt"}), encoding="utf-8")
    seen: list[list[Path]] = []

    def extractor(paths: list[Path]) -> list[ExtractionResult]:
        seen.append(paths)
        return [_result(p.name) for p in paths]

    report = evaluate_corpus(corpus, gold_dir, extractor=extractor)
    assert seen == [[corpus / "q.txt"]]  # only files that have gold
    assert all(report.f1(s) == 1.0 for s in report.sections)
    assert list(report.files) == ["q.txt"]
    assert report.extract_seconds is not None


def test_evaluate_corpus_errors(tmp_path: Path) -> None:
    with pytest.raises(EvaluationError):
        evaluate_corpus(tmp_path, tmp_path, extractor=lambda paths: [])
    (tmp_path / "g.json").write_text(json.dumps({"source": "absent.txt"}), encoding="utf-8")
    with pytest.raises(EvaluationError):
        evaluate_corpus(tmp_path, tmp_path, extractor=lambda paths: [])


# --------------------------------------------------------------------------- #
# document attributes


def _document(key: str, title: str, **kw: Any) -> dict[str, Any]:
    rec: dict[str, Any] = {
        "key": key,
        "title": title,
        "doc_number": None,
        "issuer": None,
        "region": None,
        "region_level": None,
        "date": None,
        "evidence": title,
    }
    rec.update(kw)
    return rec


def test_document_attributes_are_scored_on_matched_documents() -> None:
    gold = _gold(
        documents=[
            _document(
                "g1",
                "临江市乡村振兴行动方案",
                doc_number="临政发〔2022〕3号",
                issuer="临江市人民政府",
                region="临江市",
                date="2022-03-18",
            ),
            _document("g2", "临江市人才工作要点", issuer="临江市人才办", region="临江市"),
        ]
    )
    preds = [
        # doc_number written with other brackets: norm-equal; date missing
        _pred(
            "document",
            _document(
                "doc1",
                "临江市乡村振兴行动方案",
                doc_number="临政发(2022)3号",
                issuer="临江市人民政府",
                region="临江市",
            ),
        ),
        # issuer wrong, a bogus date where gold has none
        _pred(
            "document",
            _document(
                "doc2", "临江市人才工作要点", issuer="临江市", region="临江市", date="1900-01-01"
            ),
        ),
    ]
    report = _score(preds, gold)
    assert report.accuracy("documents", "doc_number") == 1.0
    assert report.accuracy("documents", "region") == 1.0
    assert report.accuracy("documents", "issuer") == 0.5
    assert report.accuracy("documents", "date") == 0.0
    attrs = sorted(e.attributes for e in report.errors if e.kind == "ATTR")
    assert attrs == [("date",), ("issuer", "date")]
    data = report.to_json()
    assert data["sections"]["documents"]["attributes"]["issuer"]["correct"] == 1
    assert "documents         issuer" in format_report(report)
