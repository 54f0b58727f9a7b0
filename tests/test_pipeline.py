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
    DuplicateSourceError,
    UnknownComponentError,
    WorkerDiedError,
    build_pipeline,
    extract_file,
    extract_paths,
    extract_text,
    iter_source_files,
    iter_sources,
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
    assert [r.source for r in results] == ["1.htm", "b/2.txt"]
    assert {r["source"] for r in results[1].records()} == {"b/2.txt"}
    assert len(results[0].responsibilities) == len(results[1].responsibilities) == 6
    single = extract_file(tmp_path / "b" / "2.txt")
    assert single.sha256 == results[1].sha256
    with pytest.raises(FileNotFoundError):
        list(iter_source_files([tmp_path / "missing"]))


def test_identity_is_the_path_below_the_root_given(tmp_path: Path) -> None:
    # three policies all saved as index.txt, and one policy in two formats
    for sub in ("a", "b", "c"):
        (tmp_path / "c" / sub).mkdir(parents=True)
        (tmp_path / "c" / sub / "index.txt").write_text(TEXT.replace("南江", sub), "utf-8")
    (tmp_path / "c" / "policy.txt").write_text(TEXT, "utf-8")
    (tmp_path / "c" / "policy.html").write_text(f"<html><body><pre>{TEXT}</pre></body></html>")
    pairs = [(p.relative_to(tmp_path).as_posix(), s) for p, s in iter_sources([tmp_path / "c"])]
    assert [s for _p, s in pairs] == [
        "a/index.txt", "b/index.txt", "c/index.txt", "policy.html", "policy.txt"
    ]  # fmt: skip
    results = list(extract_paths([tmp_path / "c"]))
    assert len({r.sha256 for r in results}) == 5
    for res in results:
        assert {rec["source"] for rec in res.records()} == {res.source}
        for rec in res.records():  # each file's evidence quotes its own text
            assert res.text[rec["evidence_start"] : rec["evidence_end"]] == rec["evidence"]
    # a file given by itself is known by its name
    assert [s for _p, s in iter_sources([tmp_path / "c" / "a" / "index.txt"])] == ["index.txt"]


def test_two_files_with_one_identity_fail_loudly(tmp_path: Path) -> None:
    for root in ("x", "y"):
        (tmp_path / root).mkdir()
        (tmp_path / root / "same.txt").write_text(TEXT, "utf-8")
    with pytest.raises(DuplicateSourceError, match=r"same\.txt"):
        list(iter_sources([tmp_path / "x", tmp_path / "y"]))
    with pytest.raises(DuplicateSourceError):
        list(extract_paths([tmp_path / "x" / "same.txt", tmp_path / "y" / "same.txt"]))
    # the common parent tells them apart
    assert [s for _p, s in iter_sources([tmp_path])] == ["x/same.txt", "y/same.txt"]


def test_every_file_of_a_walk_is_read_or_reported(tmp_path: Path) -> None:
    (tmp_path / "notice").write_text(TEXT, "utf-8")  # no suffix: sniffed, it is text
    (tmp_path / "page.aspx").write_text(f"<html><body>{TEXT}</body></html>", "utf-8")
    (tmp_path / "scan.dat").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(2000))
    (tmp_path / "photo.jpg").write_bytes(b"\xff\xd8\xff" + bytes(100))
    (tmp_path / "files.zip").write_bytes(b"PK\x03\x04" + bytes(100))
    report = CorpusReport()
    results = list(extract_paths([tmp_path], report=report))
    assert sorted(r.source for r in results) == ["notice", "page.aspx"]
    assert results[1].source_format == "html" and len(results[0].responsibilities) == 6
    reasons = {Path(s.path).name: s.reason for s in report.skipped}
    assert reasons == {
        "scan.dat": "binary",
        "photo.jpg": "unsupported_suffix",
        "files.zip": "unsupported_suffix",
    }
    seen = {Path(p.path).name for p in report.processed} | set(reasons)
    assert seen == {p.name for p in tmp_path.iterdir()}


def test_long_texts_get_line_tokens_and_the_same_facts() -> None:
    text = TEXT * 40
    char = build_pipeline()
    line = build_pipeline()
    line.tokenizer.line_tokens_above = 100  # type: ignore[attr-defined]
    a, b = extract_text(text, "t.txt", char), extract_text(text, "t.txt", line)
    assert a.records() == b.records() and a.responsibilities  # repeats are deduplicated
    doc = line.make_doc(text)
    assert doc.text == text and len(doc) == len(text.splitlines())
    assert len(char.make_doc(text)) > 10 * len(doc)


def test_a_text_too_long_for_the_memory_budget_is_skipped(tmp_path: Path) -> None:
    from policykg.extract.pipeline import BYTES_PER_CHAR_LIMIT
    from policykg.extract.source_errors import SourceError

    path = tmp_path / "long.txt"
    path.write_text(TEXT, "utf-8")
    size = path.stat().st_size
    assert extract_file(path, max_bytes=len(TEXT) * BYTES_PER_CHAR_LIMIT).responsibilities
    with pytest.raises(SourceError, match="characters of text") as caught:
        extract_file(path, max_bytes=size)  # read (not over the byte limit), but too long
    assert caught.value.reason == "too_large"
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
