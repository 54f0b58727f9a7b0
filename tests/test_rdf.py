"""Extraction results to quads: named graphs, evidence, shortcuts, stubs and linking."""

from __future__ import annotations

import dataclasses

import pyoxigraph
import pytest
import rdflib
from graph_samples import TEXT_A, result_a, result_b, sample_results
from pyoxigraph import DefaultGraph, NamedNode, Store

from policykg.extract.model import CitationRecord, DocumentRecord, Evidence, ExtractionResult
from policykg.graph.namespaces import BASE, NS, graph_iri
from policykg.graph.rdf import (
    link_across_files,
    link_stub_documents,
    result_to_quads,
    serialize_results,
)

PREFIXES = "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in NS.items())


def _store(*results: object) -> Store:
    store = Store()
    for result in results:
        store.extend(result_to_quads(result))
    return store


def _select(store: Store, query: str) -> list[tuple[object, ...]]:
    solutions = store.query(PREFIXES + query, use_default_graph_as_union=True)
    names = [v.value for v in solutions.variables]  # type: ignore[union-attr]
    return [
        tuple(None if s[n] is None else s[n].value for n in names)
        for s in solutions  # type: ignore[union-attr]
    ]


def test_facts_live_in_the_file_graph_and_reference_data_in_the_default_graph() -> None:
    quads = list(result_to_quads(result_a()))
    graphs = {q.graph_name for q in quads}
    assert graphs == {graph_iri("a.txt"), DefaultGraph()}
    fact_types = {"Responsibility", "Citation", "Target", "PolicyDocument", "Task"}
    rdf_type = NamedNode(NS["rdf"] + "type")
    for q in quads:
        if q.predicate == rdf_type and q.object.value.removeprefix(NS["pkg"]) in fact_types:
            assert q.graph_name == graph_iri("a.txt")
        if q.predicate.value == NS["skos"] + "prefLabel":
            assert q.graph_name == DefaultGraph()


def test_every_fact_carries_quote_and_position_evidence_matching_the_text() -> None:
    store = _store(result_a())
    rows = _select(
        store,
        """SELECT ?fact ?exact ?start ?end ?src WHERE {
          ?fact a ?cls ; pkg:evidence ?ev ; prov:wasDerivedFrom ?src .
          VALUES ?cls { pkg:Responsibility pkg:Citation pkg:Target pkg:PolicyDocument }
          ?ev a oa:SpecificResource ; oa:hasSource ?src ;
              oa:hasSelector [ a oa:TextQuoteSelector ; oa:exact ?exact ] ,
                             [ a oa:TextPositionSelector ; oa:start ?start ; oa:end ?end ] .
        }""",
    )
    facts = {r[0] for r in rows}
    assert len(facts) == 4 + 2 + 1 + 1
    for _, exact, start, end, src in rows:
        assert TEXT_A[int(start) : int(end)] == exact  # type: ignore[call-overload]
        assert src == BASE + "source/a.txt"
    sha = _select(store, "SELECT ?sha WHERE { ?s a pkg:SourceText ; pkg:sha256 ?sha }")
    assert sha == [(result_a().sha256,)]


def test_responsibility_node_and_shortcut() -> None:
    store = _store(result_a())
    rows = _select(
        store,
        """SELECT ?label ?title ?role ?pos WHERE {
          ?r a pkg:Responsibility ; pkg:responsibleBody ?b ; pkg:forTask ?t ; pkg:role ?role ;
             pkg:listPosition ?pos .
          ?b skos:prefLabel ?label ; pkg:responsibleFor ?t . ?t dcterms:title ?title }
        ORDER BY ?title ?pos""",
    )
    assert ("示例市市场监督管理局", "加强商标品牌保护", NS["pkg"] + "LeadRole", "1") in rows
    assert ("市科技局", "加强商标品牌保护", NS["pkg"] + "SupportRole", "2") in rows
    assert len(rows) == 4
    alt = _select(store, 'SELECT ?b WHERE { ?b skos:altLabel "市市场监管局"@zh }')
    assert len(alt) == 1


def test_citation_shortcuts_and_stub() -> None:
    store = _store(result_a())
    based = _select(store, "SELECT ?a ?b WHERE { ?a eli:based_on ?b }")
    cites = _select(store, "SELECT ?a ?b WHERE { ?a eli:cites ?b }")
    assert len(based) == 1 and len(cites) == 2
    stub = _select(store, "SELECT ?d ?n WHERE { ?d pkg:isStub true ; eli:id_local ?n }")
    assert stub == [(BASE + "doc/示省政发-2017-5号", "示省政发〔2017〕5号")]


def test_target_is_a_data_cube_observation_with_shortcut() -> None:
    store = _store(result_b())
    rows = _select(
        store,
        """SELECT ?v ?max ?norm ?year ?unit ?cmp WHERE {
          ?t a pkg:Target ; qb:dataSet pkg:targetsDataset ; pkg:targetValue ?v ;
             pkg:targetValueMax ?max ; pkg:normalizedValue ?norm ; pkg:targetYear ?year ;
             sdmx-attribute:unitMeasure/skos:prefLabel ?unit ; pkg:comparator ?cmp ;
             sdmx-dimension:refArea ?area ; pkg:indicator ?ind .
          ?area pkg:targetsMetric ?ind }""",
    )
    assert rows == [("1", "2", "100000000", "2021", "亿元", NS["pkg"] + "AtLeast")]


def test_cross_file_stub_is_linked_after_loading() -> None:
    store = _store(*sample_results())
    query = """SELECT ?cited WHERE {
      ?c pkg:citedDocument ?cited ; pkg:titleAsWritten "示例市知识产权运营工作方案" }"""
    before = _select(store, query)
    assert str(before[0][0]).startswith(BASE + "doc/t-")
    link_stub_documents(store)
    assert _select(store, query) == [(BASE + "doc/示知发-2019-3号",)]
    stubs = {r[0] for r in _select(store, "SELECT ?d WHERE { ?d pkg:isStub true }")}
    # the provincial basis and the national strategy are outside the corpus
    assert len(stubs) == 2
    # b.txt cites a.txt by 文号 written with ASCII brackets: same IRI, no stub
    linked = _select(
        store,
        f"SELECT ?a WHERE {{ ?a eli:based_on <{BASE}doc/示政发-2018-12号> }}",
    )
    assert linked == [(BASE + "doc/示知发-2019-3号",)]


def test_area_known_only_by_name_is_merged_into_the_coded_area() -> None:
    store = _store(*sample_results())
    areas = "SELECT DISTINCT ?a WHERE { ?a a pkg:AdministrativeArea }"
    assert len(_select(store, areas)) == 2  # area/990100 (a.txt) and area/示例市 (b.txt)
    link_across_files(store)
    assert _select(store, areas) == [(BASE + "area/990100",)]
    refs = _select(store, f"SELECT DISTINCT ?p WHERE {{ ?s ?p <{BASE}area/示例市> }}")
    assert refs == []
    # the target of b.txt and the bodies now point at the coded area
    rows = _select(
        store,
        "SELECT DISTINCT ?a WHERE { ?t pkg:normalizedValue ?n ; sdmx-dimension:refArea ?a . "
        "?a pkg:targetsMetric ?i }",
    )
    assert rows == [(BASE + "area/990100",)]
    bodies = _select(store, "SELECT DISTINCT ?a WHERE { ?b pkg:inArea ?a }")
    assert bodies == [(BASE + "area/990100",)]


def test_conversion_is_deterministic() -> None:
    first = sorted(str(q) for q in result_to_quads(result_a()))
    second = sorted(str(q) for q in result_to_quads(result_a()))
    assert first == second


def test_attachment_repeating_its_notice_number_gets_its_own_iri() -> None:
    res = result_a()
    notice = res.documents[0]
    attachment = dataclasses.replace(
        notice, key="attachment", title="示例市知识产权工作要点", issued_by_notice=notice.key
    )
    res.documents.append(attachment)
    store = _store(res)
    rows = _select(store, "SELECT ?a ?n WHERE { ?a eli:is_part_of ?n . ?a a pkg:PolicyDocument }")
    assert len(rows) == 1 and rows[0][0] != rows[0][1]


def test_bogus_dates_are_dropped() -> None:
    res = result_a()
    res.documents[0].date = "1900-01-01"
    store = _store(res)
    assert _select(store, "SELECT ?d WHERE { ?x eli:date_document ?d }") == []


@pytest.mark.parametrize("fmt", ["ttl", "trig", "nt", "nq", "jsonld"])
def test_serialisations_parse(fmt: str) -> None:
    data = serialize_results(sample_results(), fmt)
    rdflib_format = {
        "ttl": "turtle",
        "nt": "nt",
        "nq": "nquads",
        "trig": "trig",
        "jsonld": "json-ld",
    }
    if fmt in {"trig", "nq", "jsonld"}:
        ds = rdflib.Dataset()
        ds.parse(data=data, format=rdflib_format[fmt])
        names = {str(g.identifier) for g in ds.graphs()}
        assert {BASE + "graph/a.txt", BASE + "graph/b.txt"} <= names
    else:
        graph = rdflib.Graph()
        graph.parse(data=data, format=rdflib_format[fmt])
        assert len(graph) > 100


def test_turtle_is_the_duplicate_free_union() -> None:
    trig = Store()
    trig.load(serialize_results(sample_results(), "trig"), format=pyoxigraph.RdfFormat.TRIG)
    union = {(q.subject, q.predicate, q.object) for q in trig}
    ttl = list(
        pyoxigraph.parse(
            serialize_results(sample_results(), "ttl"), format=pyoxigraph.RdfFormat.TURTLE
        )
    )
    assert len(ttl) == len(union)


def test_nquads_round_trip_is_isomorphic() -> None:
    data = serialize_results(sample_results(), "nq")
    store = Store()
    store.load(data, format=pyoxigraph.RdfFormat.N_QUADS)
    again = serialize_results(sample_results(), "nq")
    assert sorted(data.splitlines()) == sorted(again.splitlines())
    assert len(store) == len(data.splitlines())


def test_unknown_format_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown RDF format"):
        serialize_results([], "xml")


# ---------------------------------------------------------------- resolution in the graph


def _doc_only(source: str, **fields: object) -> ExtractionResult:
    text = str(fields.pop("text", "某某文件"))
    doc = DocumentRecord(
        key="d",
        title=str(fields.pop("title", "某某文件")),
        doc_number=fields.pop("doc_number", None),  # type: ignore[arg-type]
        issuer=fields.pop("issuer", None),  # type: ignore[arg-type]
        region=fields.pop("region", None),  # type: ignore[arg-type]
        region_level=fields.pop("region_level", None),  # type: ignore[arg-type]
        date=None,
        evidence=Evidence(source, 0, 2, text[:2]),
        region_code=fields.pop("region_code", None),  # type: ignore[arg-type]
        span_end=len(text),
    )
    cits = [
        CitationRecord("d", title, number, "basis", Evidence(source, 0, 2, text[:2]))
        for title, number in fields.pop("cites", [])  # type: ignore[attr-defined]
    ]
    return ExtractionResult(source, text, "0" * 64, [doc], [], cits, [])


def test_joint_issuers_are_two_bodies_and_the_table_gives_the_level() -> None:
    res = _doc_only(
        "j.txt",
        issuer="衡阳市科学技术局 衡阳市财政局",
        region="耒阳市",
        region_level="city",  # as a title's 市 suggests; the division table says county
        region_code="430481",
    )
    store = _store(res)
    issuers = _select(store, "SELECT ?l WHERE { ?d eli:passed_by/skos:prefLabel ?l } ORDER BY ?l")
    assert issuers == [("衡阳市科学技术局",), ("衡阳市财政局",)]
    levels = _select(
        store,
        """SELECT ?doc ?area WHERE {
          ?d pkg:regionLevel ?doc ; eli:jurisdiction/pkg:regionLevel ?area }""",
    )
    assert levels == [("county", "county")]


def test_title_only_stub_joins_the_numbered_stub_across_files() -> None:
    title, number = "某省关于促进某业发展的意见", "某政发〔2018〕1号"
    store = _store(
        _doc_only("x.txt", title="甲文件", cites=[(title, None)]),
        _doc_only("y.txt", title="乙文件", cites=[(None, number)]),
        _doc_only(
            "z.txt", title="丙文件", cites=[(title, number.replace("〔", "(").replace("〕", ")"))]
        ),
    )
    before = _select(store, "SELECT DISTINCT ?d WHERE { ?c pkg:citedDocument ?d }")
    assert len(before) == 2  # the number written two ways is one IRI already
    link_stub_documents(store)
    after = _select(store, "SELECT DISTINCT ?d WHERE { ?c pkg:citedDocument ?d }")
    assert after == [(BASE + "doc/某政发-2018-1号",)]
    assert len(_select(store, "SELECT DISTINCT ?d WHERE { ?d pkg:isStub true }")) == 1


def test_width_variants_of_a_unit_are_one_node_with_one_label() -> None:
    first, second = result_a(), dataclasses.replace(result_a(), source="c.txt")
    for res, unit in ((first, "市科技局（牵头）"), (second, "市科技局(牵头)")):
        res.responsibilities[0].unit = unit
    store = _store(first, second)
    labels = _select(
        store,
        """SELECT ?b (COUNT(DISTINCT ?l) AS ?n) WHERE { ?b skos:prefLabel ?l
          FILTER(CONTAINS(?l, "牵头")) } GROUP BY ?b""",
    )
    assert labels == [(BASE + "body/示例市/市科技局-牵头", "1")]
