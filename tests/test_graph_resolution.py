"""Graph-level resolution: one entity, one node (bodies, areas, issuers, stubs, indicators).

Small documents written for these tests go through the real pipeline
(``extract_text``), the converter and the cross-file linking; the checks are
SPARQL over the resulting store.  A last test applies the invariants to the
graph of the sample corpus.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from pyoxigraph import Store

from policykg.extract.pipeline import extract_paths, extract_text
from policykg.extract.resolve import _division_zip
from policykg.graph.namespaces import BASE, NS
from policykg.graph.rdf import link_across_files, result_to_quads

pytestmark = pytest.mark.skipif(
    _division_zip() is None, reason="jionlp's division table is not installed"
)

ROOT = Path(__file__).resolve().parents[1]
PREFIXES = "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in NS.items())

# Two counties named 鼓楼区 (南京, 福州), each with a relative 区发改局.
NANJING = """南京市鼓楼区人民政府关于推进社区养老服务提质增效的实施方案

一、工作任务
（一）完善养老服务设施布局。（责任单位：区发改局、区民政局）
（二）加强养老护理人才培养。（责任单位：区人社局）

南京市鼓楼区人民政府
2023年4月10日
"""
FUZHOU = """福州市鼓楼区人民政府关于推进社区养老服务提质增效的实施方案

一、工作任务
（一）完善养老服务设施布局。（责任单位：区发改局、区民政局）

福州市鼓楼区人民政府
2023年6月2日
"""
# A province names a city government as a responsible unit; the city issues its own plan.
PROVINCE = """江西省人民政府关于支持赣南苏区振兴发展的若干措施
赣府发〔2019〕21号

各设区市人民政府，省政府各部门：
一、重点任务
（一）支持赣州建设区域性物流枢纽。（责任单位：赣州市人民政府、省商务厅）
（二）建设现代农业示范园。（责任单位：省农业农村厅）

江西省人民政府
2019年8月1日
"""
# Cites a national document by title only; a combined name, then the second name alone.
CITY = """赣州市人民政府关于建设区域性物流枢纽的实施意见
赣市府发〔2020〕5号

各县（市、区）人民政府，市政府各部门：
根据《国务院关于促进乡村旅游提档升级的指导意见》，结合我市实际，提出如下意见。

一、发展目标
到2025年，全市每万人口有效发明专利拥有量达到8件，冷链物流仓储规模达到50万吨。

二、重点任务
（一）建设物流园区。（责任单位：市科技局（市知识产权局）、市商务局）
（二）培育物流企业。（责任单位：市知识产权局、市工商局）
（三）强化资金保障。（责任单位：市财政局、中国银行赣州分行、市委党校）

赣州市人民政府
2020年3月9日
"""
# Cites the same national document by 文号 only; the issuer carries its province.
NUMBER_ONLY = """江西省吉安市人民政府办公室关于推进乡村旅游发展的通知

根据国发〔2019〕33号文件精神，结合我市实际，现就有关事项通知如下。
一、工作任务
（一）打造乡村旅游精品线路。（责任单位：市文旅广电局、市资规局）

江西省吉安市人民政府办公室
2020年5月6日
"""
# Cites it by title and 文号; a county-level city; the indicator written another way; a
# provincial body of a province no document here is from.
BOTH = """义乌市人民政府关于推进乡村旅游发展的实施意见
义政发〔2020〕12号

根据《国务院关于促进乡村旅游提档升级的指导意见》（国发〔2019〕33号），结合我市实际，提出如下意见。
一、发展目标
到2025年，每万人发明专利拥有量达到12件。

二、工作任务
（一）建设乡村旅游示范村。（责任单位：市农业农村局、市自然资源规划局、省知识产权局）

义乌市人民政府
2020年7月1日
"""
DOCS = {
    "nanjing.txt": NANJING,
    "fuzhou.txt": FUZHOU,
    "province.txt": PROVINCE,
    "city.txt": CITY,
    "number.txt": NUMBER_ONLY,
    "both.txt": BOTH,
}


def _select(store: Store, query: str) -> list[tuple[str | None, ...]]:
    solutions = store.query(PREFIXES + query, use_default_graph_as_union=True)
    names = [v.value for v in solutions.variables]  # type: ignore[union-attr]
    return [
        tuple(None if s[n] is None else s[n].value for n in names)
        for s in solutions  # type: ignore[union-attr]
    ]


def _build(texts: dict[str, str]) -> Store:
    store = Store()
    for name, text in texts.items():
        store.extend(result_to_quads(extract_text(text, name)))
    link_across_files(store)
    return store


@pytest.fixture(scope="module")
def store() -> Store:
    return _build(DOCS)


def _bodies_labelled(store: Store, label: str) -> list[tuple[str | None, ...]]:
    return _select(
        store,
        f"""SELECT DISTINCT ?b ?code WHERE {{
          ?b a org:Organization ; skos:prefLabel|skos:altLabel "{label}"@zh .
          OPTIONAL {{ ?b pkg:inArea/pkg:divisionCode ?code }} }} ORDER BY ?code""",
    )


# ---------------------------------------------------------------- invariants


def _one_pref_label_per_language(store: Store) -> None:
    rows = _select(
        store,
        """SELECT ?n (COUNT(DISTINCT ?l) AS ?k) WHERE {
          ?n a ?cls ; skos:prefLabel ?l .
          VALUES ?cls { org:Organization pkg:AdministrativeArea skos:Concept }
        } GROUP BY ?n (LANG(?l)) HAVING (COUNT(DISTINCT ?l) > 1)""",
    )
    assert rows == []
    # and SKOS S13: no label is both preferred and alternative on one node
    clash = _select(store, "SELECT ?n WHERE { ?n skos:prefLabel ?l ; skos:altLabel ?l }")
    assert clash == []


def _every_area_coded_and_levelled(store: Store) -> None:
    rows = _select(
        store,
        """SELECT ?a (COUNT(DISTINCT ?code) AS ?codes) (COUNT(DISTINCT ?lv) AS ?levels) WHERE {
          ?a a pkg:AdministrativeArea .
          OPTIONAL { ?a pkg:divisionCode ?code } OPTIONAL { ?a pkg:regionLevel ?lv }
        } GROUP BY ?a""",
    )
    assert rows
    assert all((codes, levels) == ("1", "1") for _, codes, levels in rows), rows


def test_one_pref_label_per_body_area_and_concept(store: Store) -> None:
    _one_pref_label_per_language(store)


def test_every_area_has_a_division_code_and_one_level(store: Store) -> None:
    _every_area_coded_and_levelled(store)


# ---------------------------------------------------------------- bodies and areas


def test_same_county_name_in_two_cities_gives_two_bodies(store: Store) -> None:
    rows = _bodies_labelled(store, "区发改局")
    assert [code for _, code in rows] == ["320106", "350102"]
    labels = _select(
        store,
        """SELECT ?l WHERE { ?b skos:altLabel "区发改局"@zh ; skos:prefLabel ?l } ORDER BY ?l""",
    )
    # the county name is not unique, so the labels carry the city
    assert labels == [("南京市鼓楼区发展和改革局",), ("福州市鼓楼区发展和改革局",)]
    areas = _select(
        store,
        """SELECT ?a ?l WHERE { ?a pkg:divisionCode "320106" ; skos:prefLabel ?l }""",
    )
    assert areas == [(BASE + "area/320106", "南京市鼓楼区")]
    in_two = _select(
        store,
        """SELECT ?b WHERE { ?b pkg:inArea ?a1 , ?a2 FILTER(?a1 != ?a2) }""",
    )
    assert in_two == []


def test_issuer_is_the_node_of_the_same_unit(store: Store) -> None:
    rows = _select(
        store,
        """SELECT DISTINCT ?b WHERE {
          ?doc eli:id_local "赣市府发〔2020〕5号" ; eli:passed_by ?b .
          ?b pkg:responsibleFor ?task . ?task eli:is_part_of ?other .
          ?other eli:id_local "赣府发〔2019〕21号" }""",
    )
    assert rows == [(BASE + "body/360700/赣州市人民政府",)]
    # an issuer written with its province resolves to the city's office; the form is kept
    office = _select(
        store,
        """SELECT ?l ?code WHERE {
          ?doc eli:passed_by ?b . ?b skos:altLabel "江西省吉安市人民政府办公室"@zh ;
             skos:prefLabel ?l ; pkg:inArea/pkg:divisionCode ?code }""",
    )
    assert office == [("吉安市人民政府办公室", "360800")]
    unresolved = _select(
        store,
        "SELECT ?b WHERE { ?d eli:passed_by ?b FILTER NOT EXISTS { ?b pkg:inArea ?a } }",
    )
    assert unresolved == []


def test_county_level_city_is_a_county(store: Store) -> None:
    rows = _select(
        store,
        """SELECT ?doc_level ?area_level WHERE {
          ?doc eli:id_local "义政发〔2020〕12号" ; pkg:regionLevel ?doc_level ;
               eli:jurisdiction ?a .
          ?a pkg:divisionCode "330782" ; pkg:regionLevel ?area_level }""",
    )
    assert rows == [("county", "county")]
    # 市… in a county-level city's document is the city itself
    assert [c for _, c in _bodies_labelled(store, "市农业农村局")] == ["330782"]


def test_second_nameplate_is_its_own_node_linked_to_the_bureau(store: Store) -> None:
    bureau = _bodies_labelled(store, "市科技局（市知识产权局）")
    assert bureau == [(BASE + "body/360700/赣州市科学技术局", "360700")]
    plate = _select(
        store,
        """SELECT ?p ?l WHERE { ?p pkg:nameplateOf ?b ; skos:prefLabel ?l }""",
    )
    assert plate == [(BASE + "body/360700/赣州市知识产权局", "赣州市知识产权局")]
    # the later plain 市知识产权局 is that node, so its tasks reach the bureau in one hop
    plain = _select(
        store,
        """SELECT ?b WHERE { ?b skos:altLabel "市知识产权局"@zh ; pkg:nameplateOf ?bureau .
          ?bureau skos:altLabel "市科技局（市知识产权局）"@zh }""",
    )
    assert plain == [(BASE + "body/360700/赣州市知识产权局",)]


def test_merged_bodies_point_at_their_successor(store: Store) -> None:
    rows = _select(
        store,
        """SELECT ?new WHERE { ?old skos:altLabel "市工商局"@zh ; pkg:successor ?s .
          ?s skos:prefLabel ?new }""",
    )
    assert rows == [("赣州市市场监督管理局",)]


def test_organisations_keep_the_region_their_name_states(store: Store) -> None:
    bank = _select(
        store,
        """SELECT ?l ?code WHERE { ?b skos:prefLabel ?l ; pkg:inArea/pkg:divisionCode ?code
          FILTER(CONTAINS(?l, "中国银行")) }""",
    )
    assert bank == [("中国银行赣州分行", "360700")]  # not prefixed with the city again
    school = _select(
        store, """SELECT ?l WHERE { ?b skos:altLabel "市委党校"@zh ; skos:prefLabel ?l }"""
    )
    assert school == [("赣州市委党校",)]


def test_standard_abbreviations_reach_the_graph(store: Store) -> None:
    rows = _select(
        store,
        """SELECT ?alt ?l WHERE { ?b skos:altLabel ?alt ; skos:prefLabel ?l
          VALUES ?alt { "市文旅广电局"@zh "市资规局"@zh "市自然资源规划局"@zh } } ORDER BY ?alt""",
    )
    assert rows == [
        ("市文旅广电局", "吉安市文化广电旅游局"),
        ("市自然资源规划局", "义乌市自然资源局"),
        ("市资规局", "吉安市自然资源局"),
    ]


# ---------------------------------------------------------------- cited documents


def test_cited_document_written_three_ways_is_one_stub(store: Store) -> None:
    rows = _select(
        store,
        """SELECT DISTINCT ?cited WHERE {
          ?c pkg:citedDocument ?cited . ?cited pkg:isStub true }""",
    )
    assert rows == [(BASE + "doc/国发-2019-33号",)]
    citing = _select(
        store,
        f"""SELECT (COUNT(DISTINCT ?citing) AS ?n) WHERE {{
          ?citing eli:cites <{BASE}doc/国发-2019-33号> }}""",
    )
    assert citing == [("3",)]
    level = _select(
        store, f"SELECT DISTINCT ?lv WHERE {{ <{BASE}doc/国发-2019-33号> pkg:regionLevel ?lv }}"
    )
    assert level == [("national",)]


def test_title_shared_by_stubs_of_two_numbers_is_not_merged() -> None:
    cite = "人民政府关于某事的通知\n\n根据《某省促进某业发展的意见》{}，通知如下。\n"
    a = "甲市" + cite.format("（某政发〔2018〕1号）")
    b = "乙市" + cite.format("（某政发〔2019〕2号）")
    c = "丙市" + cite.format("")
    store = _build({"a.txt": a, "b.txt": b, "c.txt": c})
    stubs = _select(store, "SELECT DISTINCT ?d WHERE { ?x pkg:citedDocument ?d }")
    assert len(stubs) == 3  # the title-only citation cannot tell which of the two it means


# ---------------------------------------------------------------- indicators


def test_targets_use_the_curated_indicator_scheme(store: Store) -> None:
    rows = _select(
        store,
        """SELECT ?written ?zh ?en ?group WHERE {
          ?t a pkg:Target ; pkg:metricAsWritten ?written ; pkg:indicator ?c .
          ?c skos:prefLabel ?zh , ?en ; skos:inScheme pkg:IndicatorScheme ;
             skos:broader/skos:prefLabel ?group .
          FILTER(LANG(?zh) = "zh" && LANG(?en) = "en" && LANG(?group) = "zh") }""",
    )
    # two cities, two wordings, one concept with the scheme's labels
    label = ("每万人口发明专利数", "Invention patents per 10,000 population", "专利")
    assert sorted(rows) == [
        ("每万人发明专利拥有量", *label),
        ("每万人口有效发明专利拥有量", *label),
    ]
    alt = _select(
        store,
        f"""SELECT ?alt WHERE {{ <{BASE}indicator/invention-patents-per-10k> skos:altLabel ?alt }}
        ORDER BY ?alt""",
    )
    assert ("万人发明专利数",) in alt  # the scheme's altLabels, not the written metric
    # an unmapped metric is a concept of its own, labelled as written
    own = _select(
        store,
        """SELECT ?l WHERE {
          ?t pkg:metricAsWritten "冷链物流仓储规模" ; pkg:indicator/skos:prefLabel ?l }""",
    )
    assert own == [("冷链物流仓储规模",)]


# ---------------------------------------------------------------- the sample corpus


@pytest.fixture(scope="module")
def corpus_store() -> Store:
    store = Store()
    for result in extract_paths([ROOT / "data" / "corpus"]):
        store.extend(result_to_quads(result))
    link_across_files(store)
    return store


def test_corpus_graph_keeps_the_invariants(corpus_store: Store) -> None:
    _one_pref_label_per_language(corpus_store)
    _every_area_coded_and_levelled(corpus_store)
    # every issuer is a body with an area
    loose = _select(
        corpus_store,
        "SELECT ?b WHERE { ?d eli:passed_by ?b FILTER NOT EXISTS { ?b pkg:inArea ?a } }",
    )
    assert loose == []
    # no cited title-only stub shares its title with a numbered stub (the corpus has
    # no title shared by two 文号, the case left alone)
    unmerged = _select(
        corpus_store,
        """SELECT ?s WHERE {
          ?s pkg:isStub true ; pkg:titleKey ?t FILTER NOT EXISTS { ?s pkg:docNumberKey ?n }
          ?d pkg:isStub true ; pkg:titleKey ?t ; pkg:docNumberKey ?k .
          ?c pkg:citedDocument ?s }""",
    )
    assert unmerged == []


def test_store_build_loads_the_whole_indicator_scheme(tmp_path: Path) -> None:
    from policykg.extract.indicators import load_scheme
    from policykg.graph.store import build_store, open_store

    build_store([extract_text(CITY, "city.txt")], tmp_path / "kg")
    store = open_store(tmp_path / "kg")
    rows = _select(
        store,
        """SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE {
          ?c skos:inScheme pkg:IndicatorScheme ; skos:notation ?id }""",
    )
    scheme = load_scheme()
    assert rows == [(str(len(scheme.concepts) + len(scheme.groups)),)]
    _one_pref_label_per_language(store)
