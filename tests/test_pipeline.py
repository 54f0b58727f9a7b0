"""The configured spaCy pipeline and the file-level entry points."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from spacy.language import Language
from spacy.tokens import Doc

from policykg.extract.corpus_report import CorpusReport
from policykg.extract.pipeline import (
    BATCH_BYTES,
    DEFAULT_CONFIG,
    UnknownComponentError,
    WorkerDiedError,
    build_pipeline,
    extract_file,
    extract_paths,
    extract_text,
    iter_source_files,
    resolve_workers,
)

TEXT = """南江市人民政府关于加快人才发展的实施意见
南政发〔2022〕11号
　　一、重点任务
　　（一）引进高层次人才。实施人才引进工程。（责任单位：市人才办、市人力资源社会保障局）
　　（二）优化人才服务。（牵头单位：市人力资源社会保障局；配合单位：市财政局）
　　（三）优化人才服务。（牵头单位：市人力资源社会保障局；配合单位：市财政局）
南江市人民政府
2022年4月1日
"""


def test_default_pipeline_has_the_components_in_order() -> None:
    nlp = build_pipeline()
    assert nlp.lang == "zh"
    assert nlp.pipe_names == DEFAULT_CONFIG["components"]


def test_components_can_be_disabled_and_swapped() -> None:
    calls: list[str] = []

    @Language.component("test_no_responsibilities")
    def no_resp(doc: Doc) -> Doc:
        calls.append("swapped")
        doc._.pkg_responsibilities = []
        return doc

    nlp = build_pipeline(
        {
            "disable": ["policykg_targets", "policykg_citations", "policykg_resolve"],
            "replace": {"policykg_responsibilities": "test_no_responsibilities"},
        }
    )
    assert "policykg_targets" not in nlp.pipe_names
    res = extract_text(TEXT, "t.txt", nlp)
    assert calls == ["swapped"]
    assert res.responsibilities == []
    assert res.documents


def test_unknown_component_is_a_named_error() -> None:
    with pytest.raises(UnknownComponentError):
        build_pipeline({"components": ["policykg_clean", "no_such_step"]})


def test_component_config_reaches_the_factory() -> None:
    nlp = build_pipeline(
        {
            "components": [
                "policykg_clean",
                "policykg_documents",
                "policykg_structure",
                "policykg_responsibilities",
            ],
            "config": {"policykg_responsibilities": {"headings": False}},
        }
    )
    assert nlp.get_pipe("policykg_responsibilities").headings is False


def test_extract_text_evidence_offsets_hold_for_every_record() -> None:
    for text in (TEXT, TEXT.replace("\n", "\r\n")):
        res = extract_text(text, "t.txt")
        assert res.text == text
        assert len(res.responsibilities) == 6
        for rec in res.records():
            assert text[rec["evidence_start"] : rec["evidence_end"]] == rec["evidence"]
            assert rec["source"] == "t.txt"
        (d,) = res.documents
        assert (d.doc_number, d.date, d.region) == ("南政发〔2022〕11号", "2022-04-01", "南江市")


def test_tokenizer_reproduces_the_text() -> None:
    text = "第1条\u3000ABC 12.5%\r\n（一）"
    for granularity in ("char", "run"):
        nlp = build_pipeline({"components": [], "tokenizer": granularity})
        doc = nlp.make_doc(text)
        assert doc.text == text
        span = doc.char_span(text.index("ABC"), text.index("ABC") + 3, alignment_mode="expand")
        assert span is not None and span.text == "ABC"
    # char: one token per character, so the vocabulary is bounded by the character set
    assert len(build_pipeline({"components": []}).make_doc(text)) == len(text)
    with pytest.raises(UnknownComponentError):
        build_pipeline({"components": [], "tokenizer": "words"})


def test_files_directories_and_encodings(tmp_path: Path) -> None:
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "2.txt").write_bytes(TEXT.replace("\n", "\r\n").encode("gb18030"))
    (tmp_path / "1.htm").write_bytes(b"\xef\xbb\xbf" + TEXT.encode("utf-8"))
    (tmp_path / "skip.bin").write_bytes(b"%PDF")
    files = list(iter_source_files([tmp_path]))
    assert [f.relative_to(tmp_path).as_posix() for f in files] == ["1.htm", "b/2.txt"]
    results = list(extract_paths([tmp_path]))
    assert [r.source for r in results] == ["1.htm", "2.txt"]
    assert len(results[0].responsibilities) == len(results[1].responsibilities) == 6
    single = extract_file(tmp_path / "b" / "2.txt")
    assert single.sha256 == results[1].sha256
    with pytest.raises(FileNotFoundError):
        list(iter_source_files([tmp_path / "missing"]))


# ---------------------------------------------------------------- worker processes


@Language.component("test_fail_on_marker")
def _fail_on_marker(doc: Doc) -> Doc:
    if "故障标记" in doc.user_data["pkg_text"]:
        raise RuntimeError("component failed")
    if "终止标记" in doc.user_data["pkg_text"]:
        os._exit(3)  # a worker killed mid-file (out of memory, signal)
    return doc


def _corpus(tmp_path: Path, files: int) -> Path:
    root = tmp_path / "corpus"
    for i in range(files):
        sub = root / f"d{i % 3}"
        sub.mkdir(parents=True, exist_ok=True)
        city = ["南江市", "北湖市", "西山市"][i % 3]
        body = TEXT.replace("南江市", city).replace("11号", f"{i}号")
        # a few files big enough to fill a batch alone, the rest small
        (sub / f"{i:03d}.txt").write_text(body * (1 + (i % 7 == 0) * BATCH_BYTES // len(body)))
    (root / "d1" / "empty.txt").write_text("   ")
    (root / "d2" / "broken.txt").write_text("故障标记\n" + TEXT)
    return root


def _run(paths: list[Path], workers: int, nlp: Language) -> tuple[list[object], CorpusReport]:
    report = CorpusReport()
    out = [(r.source, r.sha256, r.text, r.records(), r.dropped, r.warnings)
           for r in extract_paths(paths, nlp, report=report, workers=workers)]  # fmt: skip
    return out, report


def test_workers_give_the_results_and_report_of_one_process(tmp_path: Path) -> None:
    root = _corpus(tmp_path, 40)
    nlp = build_pipeline({"components": [*DEFAULT_CONFIG["components"], "test_fail_on_marker"]})
    paths = [tmp_path / "missing.txt", root, root / "d0" / "000.txt", tmp_path / "also-missing"]
    one, report_one = _run(paths, 1, nlp)
    two, report_two = _run(paths, 2, nlp)
    assert len(one) == 40 and one == two
    assert report_one.processed == report_two.processed
    assert report_one.skipped == report_two.skipped  # same skips, in the same order
    assert [s.reason for s in report_one.skipped] == [
        "missing", "empty", "extraction_error", "missing",
    ]  # fmt: skip


def test_workers_option(tmp_path: Path) -> None:
    assert resolve_workers(0) == (os.cpu_count() or 1)
    assert resolve_workers(3) == 3
    with pytest.raises(ValueError):
        resolve_workers(-1)
    (tmp_path / "a.txt").write_text(TEXT)
    # the default pipeline is built in the parent and inherited by the workers
    (res,) = list(extract_paths([tmp_path], workers=2))
    assert len(res.responsibilities) == 6


def test_a_dead_worker_is_a_named_error(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(TEXT)
    (tmp_path / "b.txt").write_text("终止标记\n" + TEXT)
    nlp = build_pipeline({"components": ["policykg_clean", "test_fail_on_marker"]})
    with pytest.raises(WorkerDiedError, match=r"b\.txt"):
        list(extract_paths([tmp_path], nlp, workers=2))
