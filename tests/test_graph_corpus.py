"""Integration: the sample corpus through the extractor into a store (graph-layer checks)."""

from __future__ import annotations

from pathlib import Path

import pytest
from pyoxigraph import DefaultGraph, Store
from test_reader import POLICY, TRADITIONAL

from policykg.graph import analytics as an
from policykg.graph.namespaces import ONTOLOGY_GRAPH, REFERENCE_GRAPH
from policykg.graph.store import build_store, open_store, select_rows

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "data" / "corpus"
PAGES = Path(__file__).parent / "fixtures" / "inputs" / "pages"
PREFIXES = """PREFIX pkg: <https://w3id.org/policykg/ontology#>
PREFIX oa: <http://www.w3.org/ns/oa#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
"""
# every evidence node, its selectors and the stored text of its source
EVIDENCE_QUERY = (
    PREFIXES
    + """SELECT ?ev ?file ?exact ?start ?end ?text WHERE {
  GRAPH ?g {
    ?ev a oa:SpecificResource ; oa:hasSource ?src ; oa:hasSelector ?q , ?p .
    ?q a oa:TextQuoteSelector ; oa:exact ?exact .
    ?p a oa:TextPositionSelector ; oa:start ?start ; oa:end ?end .
    ?src dcterms:identifier ?file ; rdf:value ?text } }"""
)


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Store:
    from policykg.extract.pipeline import extract_paths

    path = tmp_path_factory.mktemp("corpus") / "kg"
    counts = build_store(extract_paths([CORPUS]), path)
    assert counts["files"] == len(list(CORPUS.glob("*.txt")))
    assert counts["responsibilities"] > 0 and counts["citations"] > 0 and counts["targets"] > 0
    return open_store(path)


@pytest.fixture(scope="module")
def formats_store(tmp_path_factory: pytest.TempPathFactory) -> Store:
    """An HTML page, a GB18030 text and a Big5 (traditional script) text."""
    from policykg.extract.pipeline import extract_paths

    inputs = tmp_path_factory.mktemp("inputs")
    (inputs / "page.html").write_bytes((PAGES / "gov_article.html").read_bytes())
    (inputs / "gb.txt").write_bytes(POLICY.encode("gb18030"))
    (inputs / "big5.txt").write_bytes(TRADITIONAL.encode("big5"))
    path = tmp_path_factory.mktemp("formats") / "kg"
    build_store(extract_paths([inputs]), path)
    return open_store(path)


@pytest.mark.parametrize("name", ["store", "formats_store"])
def test_every_evidence_quotes_the_stored_decoded_text(
    name: str, request: pytest.FixtureRequest
) -> None:
    store = request.getfixturevalue(name)
    _, rows = select_rows(store, EVIDENCE_QUERY)
    evidence = {row[0] for row in rows}
    assert len(evidence) == len(rows)  # one quote, one position and one text each
    files = {row[1] for row in rows}
    assert len(files) >= 3
    for _, _, exact, start, end, text in rows:
        assert str(text)[int(start) : int(end)] == exact  # type: ignore[call-overload]
    # no evidence node without the text it points into
    _, orphans = select_rows(
        store,
        PREFIXES
        + """SELECT ?ev WHERE { ?ev a oa:SpecificResource ; oa:hasSource ?src
          FILTER NOT EXISTS { ?src rdf:value ?text } }""",
    )
    assert orphans == []


def test_the_source_text_records_format_encoding_and_script(formats_store: Store) -> None:
    _, rows = select_rows(
        formats_store,
        PREFIXES
        + """SELECT ?file ?fmt ?enc ?text ?matching WHERE {
          ?s a pkg:SourceText ; dcterms:identifier ?file ; rdf:value ?text ;
             pkg:sourceFormat ?fmt ; pkg:encoding ?enc ; pkg:sha256 ?sha .
          OPTIONAL { ?s pkg:matchingText ?matching } } ORDER BY ?file""",
    )
    by_file = {str(r[0]): r[1:] for r in rows}
    assert by_file["page.html"][:2] == ["html", "utf-8"]
    assert by_file["gb.txt"][:2] == ["text", "gb18030"]
    assert by_file["big5.txt"][:2] == ["text", "big5"]
    assert by_file["gb.txt"][2] == POLICY and by_file["gb.txt"][3] is None
    assert "<" not in str(by_file["page.html"][2])  # the main text, not the markup
    assert by_file["page.html"][3] is None
    # traditional script: rdf:value is the original, the simplified copy is as long
    original, simplified = by_file["big5.txt"][2:]
    assert original == TRADITIONAL
    assert isinstance(simplified, str) and simplified != original
    assert len(simplified) == len(str(original)) and "责任单位" in simplified


@pytest.mark.parametrize("name", ["store", "formats_store"])
def test_every_triple_is_in_a_named_graph(name: str, request: pytest.FixtureRequest) -> None:
    store = request.getfixturevalue(name)
    assert next(iter(store.quads_for_pattern(None, None, None, DefaultGraph())), None) is None
    graphs = set(store.named_graphs())
    assert {ONTOLOGY_GRAPH, REFERENCE_GRAPH} <= graphs
    # reference data is described in the reference graph only
    _, rows = select_rows(
        store,
        PREFIXES
        + """PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
        SELECT DISTINCT ?g WHERE { GRAPH ?g { ?x a pkg:AdministrativeArea } }""",
    )
    assert rows == [[REFERENCE_GRAPH.value]]


def test_every_fact_has_a_run_and_the_extractor(store: Store) -> None:
    _, rows = select_rows(
        store,
        PREFIXES
        + """PREFIX schema: <https://schema.org/>
        SELECT (COUNT(DISTINCT ?fact) AS ?n) WHERE { GRAPH ?g {
          ?fact a ?cls .
          VALUES ?cls { pkg:Responsibility pkg:Citation pkg:Target pkg:Task }
          FILTER NOT EXISTS {
            ?fact prov:wasGeneratedBy ?run . ?run a pkg:ExtractionRun ; prov:used ?src ;
              prov:wasAssociatedWith ?agent . } } }""",
    )
    assert rows == [[0]]
    _, runs = select_rows(
        store,
        PREFIXES
        + """PREFIX schema: <https://schema.org/>
        SELECT ?file ?version WHERE { ?run a pkg:ExtractionRun ; prov:used ?src ;
          prov:wasAssociatedWith ?agent . ?src dcterms:identifier ?file .
          ?agent a pkg:Extractor ; schema:softwareVersion ?version }""",
    )
    assert sorted(r[0] for r in runs) == sorted(p.name for p in CORPUS.glob("*.txt"))


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


def test_an_untitled_document_has_a_readable_name_but_no_title(store: Store) -> None:
    # the text states neither title nor 文号: no dcterms:title is claimed, yet tables
    # and Gephi show its region, date and file rather than an IRI fragment
    _, rows = select_rows(
        store,
        PREFIXES
        + """PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
        SELECT ?label WHERE { ?doc a pkg:PolicyDocument ; pkg:isStub false ;
             rdfs:label ?label FILTER NOT EXISTS { ?doc dcterms:title ?t } }""",
    )
    assert rows and all("文件（" in str(r[0]) and ".txt）" in str(r[0]) for r in rows)
