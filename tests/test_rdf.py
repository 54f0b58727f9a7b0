"""Extraction results to quads: named graphs, evidence, shortcuts, stubs and linking."""

from __future__ import annotations

import dataclasses

import pyoxigraph
import pytest
import rdflib
from graph_samples import TEXT_A, result_a, result_b, sample_results
from pyoxigraph import DefaultGraph, NamedNode, Store

from policykg.extract.model import CitationRecord, DocumentRecord, Evidence, ExtractionResult
from policykg.graph.namespaces import BASE, NS, REFERENCE_GRAPH, graph_iri
from policykg.graph.rdf import (
    document_type,
    extractor_version,
    indicator_scheme_quads,
    link_across_files,
    link_stub_documents,
    result_to_quads,
    serialize_results,
)
from policykg.graph.store import ontology_path

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


def test_facts_live_in_the_file_graph_and_reference_data_in_the_reference_graph() -> None:
    quads = list(result_to_quads(result_a()))
    graphs = {q.graph_name for q in quads}
    # nothing in the default graph: the union of the named graphs is the whole store
    assert graphs == {graph_iri("a.txt"), REFERENCE_GRAPH}
    fact_types = {"Responsibility", "Citation", "Target", "PolicyDocument", "Task",
                  "SourceText", "ExtractionRun"}  # fmt: skip
    rdf_type = NamedNode(NS["rdf"] + "type")
    for q in quads:
        if q.predicate == rdf_type and q.object.value.removeprefix(NS["pkg"]) in fact_types:
            assert q.graph_name == graph_iri("a.txt")
        if q.predicate == rdf_type and q.object.value == NS["pkg"] + "Extractor":
            assert q.graph_name == REFERENCE_GRAPH  # one software, shared by the files
        if q.predicate.value == NS["skos"] + "prefLabel":
            assert q.graph_name == REFERENCE_GRAPH
    assert {q.graph_name for q in indicator_scheme_quads()} == {REFERENCE_GRAPH}


def test_linking_keeps_the_default_graph_empty() -> None:
    store = _store(*sample_results())
    store.extend(indicator_scheme_quads())
    link_across_files(store)
    assert list(store.quads_for_pattern(None, None, None, DefaultGraph())) == []


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


def test_the_source_text_is_stored_with_how_it_was_read() -> None:
    res = result_a()
    res.source_format, res.encoding = "html", "gb18030"
    res.warnings = ["encoding_guess: gb18030 or big5", "replaced_bytes: 2 bytes"]
    store = _store(res)
    rows = _select(
        store,
        """SELECT ?text ?fmt ?enc ?sha WHERE { ?s a pkg:SourceText ; rdf:value ?text ;
          pkg:sourceFormat ?fmt ; pkg:encoding ?enc ; pkg:sha256 ?sha }""",
    )
    assert rows == [(TEXT_A, "html", "gb18030", res.sha256)]
    warnings = _select(store, "SELECT ?w WHERE { ?s pkg:warning ?w } ORDER BY ?w")
    assert warnings == [(w,) for w in sorted(res.warnings)]
    # the matching text is stated only when the extractors read another string
    assert _select(store, "SELECT ?m WHERE { ?s pkg:matchingText ?m }") == []
    res.matching_text = TEXT_A.replace("示例", "示範")
    store = _store(res)
    assert _select(store, "SELECT ?m WHERE { ?s pkg:matchingText ?m }") == [(res.matching_text,)]
    res.encoding = None  # PDF and .docx have none
    assert _select(_store(res), "SELECT ?e WHERE { ?s pkg:encoding ?e }") == []


def test_every_evidence_quote_is_the_stored_text_at_its_offsets() -> None:
    store = _store(*sample_results())
    rows = _select(
        store,
        """SELECT ?ev ?text ?exact ?start ?end WHERE {
          ?ev a oa:SpecificResource ; oa:hasSource ?src ;
              oa:hasSelector [ oa:exact ?exact ] , [ oa:start ?start ; oa:end ?end ] .
          ?src rdf:value ?text }""",
    )
    assert len({r[0] for r in rows}) >= 10
    for _, text, exact, start, end in rows:
        assert str(text)[int(str(start)) : int(str(end))] == exact


def test_every_fact_was_generated_by_its_files_extraction_run() -> None:
    store = _store(result_a(), result_b())
    runs = _select(
        store,
        """SELECT ?run ?src ?file ?version WHERE {
          ?run a pkg:ExtractionRun ; prov:used ?src ; prov:wasAssociatedWith ?agent .
          ?src dcterms:identifier ?file .
          ?agent a pkg:Extractor ; schema:softwareVersion ?version } ORDER BY ?file""",
    )
    assert [r[2] for r in runs] == ["a.txt", "b.txt"]
    assert runs[0][0] != runs[1][0] and {r[3] for r in runs} == {extractor_version()}
    # the same bytes and extractor give the same run: rebuilds are reproducible
    again = _select(_store(result_a()), "SELECT ?run WHERE { ?run a pkg:ExtractionRun }")
    assert again[0][0] == runs[0][0]
    missing = _select(
        store,
        """SELECT ?fact WHERE {
          ?fact a ?cls . VALUES ?cls { pkg:Responsibility pkg:Citation pkg:Target
                                       pkg:Task }
          FILTER NOT EXISTS { ?fact prov:wasGeneratedBy ?run . ?run prov:used ?src .
                              ?fact prov:wasDerivedFrom ?src } }""",
    )
    assert missing == []
    # corpus documents are facts of their file; stubs are only what a citation says
    docs = _select(
        store,
        "SELECT ?d ?stub WHERE { ?d a pkg:PolicyDocument ; pkg:isStub ?stub "
        "FILTER NOT EXISTS { ?d prov:wasGeneratedBy ?run } }",
    )
    assert {r[1] for r in docs} == {"true"}
    # the rule stays on the fact
    rules = _select(
        store, "SELECT DISTINCT ?rule WHERE { ?r a pkg:Responsibility ; pkg:rule ?rule }"
    )
    assert rules == [("responsibility.inline",)]


def test_a_run_is_new_for_new_bytes_and_the_same_for_the_same_bytes() -> None:
    def runs(res: ExtractionResult) -> set[str]:
        return {str(q.object) for q in result_to_quads(res) if "wasGeneratedBy" in str(q)}

    first, again = runs(result_a()), runs(result_a())
    changed = result_a()
    changed.sha256 = "0" * 64
    assert len(first) == 1 and first == again and runs(changed) != first
    store = _store(result_a())
    assert _select(store, "SELECT ?t WHERE { ?r prov:startedAtTime ?t }") == []


@pytest.mark.parametrize(
    ("title", "concept"),
    [
        ("某市人民政府关于加快建设知识产权强市的实施意见", "ImplementingOpinion"),
        ("某省关于促进某业发展的指导意见（试行）", "GuidingOpinion"),
        ("国务院关于新形势下加快知识产权强国建设的若干意见", "Opinion"),
        ("某市人民政府办公室关于印发《某市某某行动计划》的通知", "Notice"),
        ("某市某某行动计划（2021—2025年）", "ActionPlan"),
        ("某市某某实施方案(2023-2025年)(征求意见稿)", "ImplementationProgramme"),
        ("某市加强某某工作方案", "Programme"),
        ("某省“十四五”某某规划", "DevelopmentPlan"),
        ("某市2024年某某工作要点", "WorkPoints"),
        ("关于支持某某发展的若干措施", "PolicyMeasures"),
        ("关于支持某某发展的十二条措施", "PolicyMeasures"),
        ("某市某某专项资金管理办法", "AdministrativeMeasures"),
        ("2017年度某某工作任务进度安排表", "TaskTable"),
        ("某某条例", "Regulations"),
        ("某某推进计划》", "WorkPlan"),
    ],
)
def test_document_type_is_the_genre_word_ending_the_title(title: str, concept: str) -> None:
    kind = document_type(title)
    assert kind is not None and kind.value == NS["pkg"] + concept


@pytest.mark.parametrize("title", [None, "", "某某知识产权保护状况", "某某工作机制"])
def test_a_title_without_a_genre_word_has_no_type(title: str | None) -> None:
    assert document_type(title) is None


def test_documents_and_stubs_carry_their_type_in_the_scheme() -> None:
    store = _store(*sample_results())
    rows = _select(
        store,
        """SELECT ?title ?type WHERE { ?d dcterms:title ?title ; eli:type_document ?type }
        ORDER BY ?title""",
    )
    types = dict(rows)
    assert (
        types["示例市人民政府关于加快建设知识产权强市的实施意见"]
        == NS["pkg"] + "ImplementingOpinion"
    )
    assert types["国家知识产权战略纲要"] == NS["pkg"] + "Outline"  # a stub
    onto = rdflib.Graph().parse(ontology_path(), format="turtle")
    scheme = rdflib.URIRef(NS["pkg"] + "DocTypeScheme")
    for _, concept in rows:
        assert (rdflib.URIRef(str(concept)), rdflib.SKOS.inScheme, scheme) in onto


def test_notice_and_attachment_are_linked_by_has_part() -> None:
    res = result_a()
    notice = dataclasses.replace(res.documents[0], key="notice",
                                 title="示例市人民政府关于印发某某实施意见的通知")  # fmt: skip
    res.documents[0].issued_by_notice = "notice"
    res.documents.append(notice)
    store = _store(res)
    parts = _select(store, "SELECT ?n ?a WHERE { ?n eli:has_part ?a . ?a eli:is_part_of ?n }")
    assert len(parts) == 1
    types = _select(
        store,
        "SELECT ?nt ?at WHERE { ?n eli:has_part ?a . "
        "?n eli:type_document ?nt . ?a eli:type_document ?at }",
    )
    assert types == [(NS["pkg"] + "Notice", NS["pkg"] + "ImplementingOpinion")]


def test_aspirational_targets_keep_the_gold_comparator_and_get_a_flag() -> None:
    res = result_a()
    target = res.targets[0]
    quote = target.evidence.quote
    text = res.text.replace(quote, "力争" + quote)
    start = text.index(quote)
    res.text = text
    res.targets[0] = dataclasses.replace(
        target, evidence=Evidence(res.source, start, start + len(quote), quote)
    )
    rows = _select(
        _store(res),
        "SELECT ?cmp ?asp WHERE { ?t a pkg:Target ; pkg:comparator ?cmp ; pkg:aspirational ?asp }",
    )
    assert rows == [(NS["pkg"] + "AtLeast", "true")]
    plain = _select(_store(result_a()), "SELECT ?asp WHERE { ?t pkg:aspirational ?asp }")
    assert plain == [("false",)]


def test_every_target_states_whether_its_year_was_inferred() -> None:
    res = result_a()
    res.targets.append(dataclasses.replace(res.targets[0], year=None, value=11.0))
    rows = _select(
        _store(res),
        "SELECT ?t ?y ?inf WHERE { ?t a pkg:Target OPTIONAL { ?t pkg:targetYear ?y } "
        "OPTIONAL { ?t pkg:yearInferred ?inf } }",
    )
    assert len(rows) == 2
    assert {(r[1] is None, r[2]) for r in rows} == {(False, "false"), (True, "false")}


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
