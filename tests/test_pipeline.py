"""The configured spaCy pipeline and the file-level entry points."""

from __future__ import annotations

from pathlib import Path

import pytest
from spacy.language import Language
from spacy.tokens import Doc

from policykg.extract.pipeline import (
    DEFAULT_CONFIG,
    UnknownComponentError,
    build_pipeline,
    extract_file,
    extract_paths,
    extract_text,
    iter_source_files,
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
    nlp = build_pipeline({"components": []})
    text = "第1条\u3000ABC 12.5%\r\n（一）"
    doc = nlp.make_doc(text)
    assert doc.text == text
    span = doc.char_span(text.index("ABC"), text.index("ABC") + 3, alignment_mode="expand")
    assert span is not None and span.text == "ABC"


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
