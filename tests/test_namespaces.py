"""IRI minting: stable, readable, URL-safe keys."""

from __future__ import annotations

import re

from policykg.graph.namespaces import (
    BASE,
    OA,
    area_iri,
    body_iri,
    doc_number_key,
    document_iri,
    norm_text,
    slug,
    task_iri,
    unit_iri,
)

SAFE = re.compile(r"^[\w/:.#-]+$")


def test_doc_number_variants_share_one_key() -> None:
    variants = [
        "示政发〔2018〕12号",
        "示政发(2018)12号",
        "示政发（2018）12号",
        "示政发 [2018] 12号",
    ]
    assert {doc_number_key(v) for v in variants} == {"示政发〔2018〕12号"}
    assert len({document_iri(v, None).value for v in variants}) == 1


def test_document_iri_prefers_number_then_title() -> None:
    by_number = document_iri("示政发〔2018〕12号", "某某意见")
    assert by_number.value == BASE + "doc/示政发-2018-12号"
    by_title = document_iri(None, "《某某 意见》")
    assert by_title == document_iri(None, "某某意见")
    assert by_title.value.startswith(BASE + "doc/t-")
    assert document_iri(None, None, "a.txt-k1") != document_iri(None, None, "a.txt-k2")


def test_keys_are_url_safe_and_bounded() -> None:
    nodes = [
        body_iri("市科技局", "示例市"),
        body_iri("国家知识产权局", None),
        area_iri("示例市", "990100"),
        area_iri("示例市"),
        unit_iri("%"),
        unit_iri("件/万人"),
        task_iri(document_iri("示政发〔2018〕12号", None), "（一）", "推动专利转化运用"),
    ]
    for node in nodes:
        assert SAFE.match(node.value), node.value
    assert area_iri("示例市", "990100").value.endswith("/area/990100")
    assert unit_iri("%").value.endswith("/unit/percent")
    long = slug("很长的标题" * 40)
    assert len(long) <= 48 and long != slug("很长的标题" * 41)


def test_norm_text_matches_gold_norm() -> None:
    assert norm_text("《关于 加快，建设》（试行）") == "关于加快建设试行"
    assert norm_text(None) == ""


def test_namespace_attributes_are_terms() -> None:
    # "prefix" and "start" are Web Annotation terms, not Python attributes
    assert OA.prefix.value == "http://www.w3.org/ns/oa#prefix"
    assert OA["start"].value == "http://www.w3.org/ns/oa#start"


def test_source_keys_keep_the_whole_relative_path() -> None:
    from policykg.graph.namespaces import graph_iri, source_iri, source_key

    assert source_key("000_7d59406ed8fa6051.txt") == "000_7d59406ed8fa6051.txt"
    assert graph_iri("a.txt").value == BASE + "graph/a.txt"
    sources = [
        "c/a/index.txt", "c/b/index.txt", "c/c/index.txt", "c-a/index.txt", "c/a-index.txt",
        "policy.pdf", "policy.docx", "policy", "政策 文件.txt", "ｆｕｌｌ.txt", "full.txt",
        "很长的文件名" * 20 + ".txt",
    ]  # fmt: skip
    keys = [source_key(s) for s in sources]
    assert len(set(keys)) == len(sources)
    for key in keys:
        assert SAFE.match(key) and len(key) <= 64, key
    assert keys[0].startswith("c-a-index.txt-") and keys[3].startswith("c-a-index.txt-")
    assert source_iri("policy.pdf") != source_iri("policy.docx")
