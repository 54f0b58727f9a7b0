"""Integration: the sample corpus through the extractor into a store (graph-layer checks)."""

from __future__ import annotations

from pathlib import Path

import pytest
from pyoxigraph import Store

from policykg.graph import analytics as an
from policykg.graph.store import build_store, open_store, select_rows

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "data" / "corpus"
PREFIXES = """PREFIX pkg: <https://w3id.org/policykg/ontology#>
PREFIX oa: <http://www.w3.org/ns/oa#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX dcterms: <http://purl.org/dc/terms/>
"""


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Store:
    from policykg.extract.pipeline import extract_paths

    path = tmp_path_factory.mktemp("corpus") / "kg"
    counts = build_store(extract_paths([CORPUS]), path)
    assert counts["files"] == len(list(CORPUS.glob("*.txt")))
    assert counts["responsibilities"] > 0 and counts["citations"] > 0 and counts["targets"] > 0
    return open_store(path)


def test_every_evidence_span_quotes_its_file(store: Store) -> None:
    _, rows = select_rows(
        store,
        PREFIXES
        + """SELECT DISTINCT ?file ?exact ?start ?end WHERE {
          GRAPH ?g {
            ?fact pkg:evidence ?ev . ?ev oa:hasSource ?src ;
              oa:hasSelector ?q , ?p . ?q oa:exact ?exact . ?p oa:start ?start ; oa:end ?end .
            ?src dcterms:identifier ?file } }""",
    )
    assert rows
    texts = {p.name: p.read_text(encoding="utf-8-sig") for p in CORPUS.glob("*.txt")}
    for file, exact, start, end in rows:
        assert texts[str(file)][int(start) : int(end)] == exact


def test_every_fact_has_evidence_and_provenance(store: Store) -> None:
    _, rows = select_rows(
        store,
        PREFIXES
        + """SELECT (COUNT(DISTINCT ?fact) AS ?n) WHERE { GRAPH ?g {
            ?fact a ?cls . VALUES ?cls { pkg:Responsibility pkg:Citation pkg:Target }
            FILTER NOT EXISTS { ?fact pkg:evidence ?ev ; prov:wasDerivedFrom ?src } } }""",
    )
    assert rows == [[0]]


def test_no_stub_duplicates_a_corpus_document(store: Store) -> None:
    _, rows = select_rows(
        store,
        PREFIXES
        + """SELECT ?stub WHERE {
          ?stub pkg:isStub true ; pkg:titleKey ?t . ?doc pkg:isStub false ; pkg:titleKey ?t }""",
    )
    assert rows == []


def test_workload_adds_up(store: Store) -> None:
    B = an.workload_graph(store)
    records = an.department_workload(B)
    tasks = sum(1 for _, kind in B.nodes(data="kind") if kind == "task")
    # every task hands out a total load of 1
    assert sum(r["load"] for r in records) == pytest.approx(tasks, abs=0.01)
