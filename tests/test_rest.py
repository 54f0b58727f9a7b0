"""The REST routers (/api/...) over a store built by the graph layer from hand-made results."""

from __future__ import annotations

import csv
import io
import json
import warnings
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from graph_samples import sample_results
from sparql_support import TOKEN, TestClient

from policykg.api.analytics import AnalyticsCache, analytics_cache
from policykg.api.app import create_app
from policykg.api.executor import CancelToken
from policykg.api.settings import Settings
from policykg.graph import analytics as an
from policykg.graph.store import build_store

DOC_A = "示政发-2018-12号"
DOC_B = "示知发-2019-3号"


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    path = tmp_path_factory.mktemp("rest") / "store"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        build_store(sample_results(), path)
    with TestClient(create_app(Settings(store=path, max_concurrency=2))) as c:
        yield c


def _triples(client: TestClient) -> int:
    r = client.get("/sparql", params={"query": "SELECT (COUNT(*) AS ?n) { GRAPH ?g { ?s ?p ?o } }"})
    return int(r.json()["results"]["bindings"][0]["n"]["value"])


def test_documents_list_pagination_and_csv(client: TestClient) -> None:
    page = client.get("/api/documents").json()
    assert [d["id"] for d in page["items"]] == [DOC_A, DOC_B]
    assert page["next_offset"] is None
    first = client.get("/api/documents", params={"limit": 1}).json()
    assert [d["id"] for d in first["items"]] == [DOC_A] and first["next_offset"] == 1
    second = client.get("/api/documents", params={"limit": 1, "offset": 1}).json()
    assert [d["id"] for d in second["items"]] == [DOC_B] and second["next_offset"] is None
    with_stubs = client.get("/api/documents", params={"include_stubs": True}).json()
    assert len(with_stubs["items"]) == 4
    r = client.get("/api/documents", params={"limit": 1}, headers={"Accept": "text/csv"})
    assert r.headers["content-type"] == "text/csv; charset=utf-8"
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert rows[0]["id"] == DOC_A and rows[0]["region"] == "示例市"
    assert 'rel="next"' in r.headers["link"]
    assert client.get("/api/documents", headers={"Accept": "image/png"}).status_code == 406


@pytest.mark.parametrize(("region", "count"), [("示例市", 2), ("990100", 2), ("其他市", 0)])
def test_documents_by_region(client: TestClient, region: str, count: int) -> None:
    items = client.get("/api/documents", params={"region": region}).json()["items"]
    assert len(items) == count


def test_document_detail(client: TestClient) -> None:
    doc = client.get(f"/api/documents/{DOC_A}").json()
    assert doc["doc_number"] == "示政发〔2018〕12号"
    assert doc["issuer"] == "示例市人民政府"
    roles = {(r["department"], r["role"]) for task in doc["tasks"] for r in task["responsible"]}
    assert ("示例市市场监督管理局", "lead") in roles
    assert {c["type"] for c in doc["cites"]} == {"basis", "mentions"}
    assert [c["document_id"] for c in doc["cited_by"]] == [DOC_B]
    assert [(t["indicator"], t["value"], t["year"]) for t in doc["targets"]] == [
        ("每万人发明专利拥有量", 10.0, 2020)
    ]
    assert client.get("/api/documents/不存在").status_code == 404
    assert client.get("/api/documents/a%3Eb").status_code == 404


def test_departments(client: TestClient) -> None:
    items = client.get("/api/departments").json()["items"]
    assert items[0]["label"] == "市科技局" and items[0]["tasks"] == 3
    assert client.get("/api/departments", params={"region": "别处"}).json()["items"] == []
    detail = client.get(f"/api/departments/{items[0]['id']}").json()
    assert len(detail["task_list"]) == 3
    assert {t["role"] for t in detail["task_list"]} >= {"support"}
    partners = {p["label"]: p["shared_tasks"] for p in detail["co_responsible"]}
    assert partners["市财政局"] == 1
    assert client.get("/api/departments/示例市/没有这个局").status_code == 404


def test_region_targets_filters(client: TestClient) -> None:
    by_code = client.get("/api/regions/990100/targets").json()["items"]
    by_name = client.get("/api/regions/示例市/targets").json()["items"]
    assert by_code == by_name and len(by_code) == 2
    year = client.get("/api/regions/990100/targets", params={"year": 2021}).json()["items"]
    assert [t["indicator"] for t in year] == ["知识产权质押融资金额"]
    indicator = client.get(
        "/api/regions/990100/targets", params={"indicator": "每万人发明专利拥有量"}
    ).json()["items"]
    assert [t["year"] for t in indicator] == [2020]
    assert client.get("/api/regions/990100/targets", params={"year": "soon"}).status_code == 422


def test_citations_filters(client: TestClient) -> None:
    assert len(client.get("/api/citations").json()["items"]) == 4
    national = client.get("/api/citations", params={"level": "national"}).json()["items"]
    assert [c["cited_title"] for c in national] == ["国家知识产权战略纲要"]
    basis = client.get("/api/citations", params={"type": "basis"}).json()["items"]
    assert {c["type"] for c in basis} == {"basis"} and len(basis) == 3
    assert client.get("/api/citations", params={"type": "likes"}).status_code == 422


def test_one_level_vocabulary_everywhere(client: TestClient) -> None:
    # Documents and citations speak national / provincial / city / county,
    # whatever spelling the graph stores (pkg:regionLevel says "province").
    levels = {
        d["id"]: client.get(f"/api/documents/{d['id']}").json()["level"]
        for d in client.get("/api/documents", params={"include_stubs": True}).json()["items"]
    }
    assert "provincial" in levels.values() and "province" not in levels.values()
    provincial = [d for d, level in levels.items() if level == "provincial"]
    cited = client.get("/api/citations", params={"level": "provincial"}).json()["items"]
    assert [c["cited_id"] for c in cited] == provincial
    assert {c["level"] for c in client.get("/api/citations").json()["items"]} <= {
        "national",
        "provincial",
        "city",
        "county",
        None,
    }
    for bogus in ("bogus", "province", ""):
        assert client.get("/api/citations", params={"level": bogus}).status_code == 422


def test_region_codes_are_validated_not_truncated(client: TestClient) -> None:
    assert client.get("/api/regions/" + "9" * 100 + "/targets").status_code == 200
    assert client.get("/api/regions/" + "9" * 101 + "/targets").status_code == 422


def test_search_finds_document_numbers(client: TestClient) -> None:
    hits = client.get("/api/search", params={"q": "2018〕12"}).json()["items"]
    assert [(h["label"], h["kind"]) for h in hits] == [("示政发〔2018〕12号", "document")]


def test_search_chinese_text(client: TestClient) -> None:
    hits = client.get("/api/search", params={"q": "运营"}).json()["items"]
    kinds = {h["label"]: h["kind"] for h in hits}
    assert kinds["示例市知识产权运营工作方案"] == "document"
    assert kinds["建设知识产权运营平台"] == "task"


def test_workload(client: TestClient) -> None:
    records = client.get("/api/analytics/workload").json()["items"]
    assert records[0]["department"] == "市科技局"
    assert records[0]["load"] == pytest.approx(1.5)
    support = client.get("/api/analytics/workload", params={"role": "support"}).json()["items"]
    assert [r["department"] for r in support] == ["市科技局"]
    region = client.get("/api/analytics/workload", params={"region": "示例市"}).json()["items"]
    assert len(region) == len(records)
    assert client.get("/api/analytics/workload", params={"region": "别处"}).json()["items"] == []


HOSTILE = [
    '"',
    "'",
    "}",
    "\\u0022",
    ">",
    '" } ; DROP ALL ; #',
    '\\" . } SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } #',
    "<http://evil/> } UNION { ?s ?p ?o",
    "x" * 100,
]


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_parameters_are_bound_terms_not_query_text(client: TestClient, value: str) -> None:
    before = _triples(client)
    for url, params in (
        ("/api/search", {"q": value}),
        ("/api/documents", {"region": value}),
        ("/api/departments", {"region": value}),
        ("/api/regions/990100/targets", {"indicator": value}),
        ("/api/analytics/workload", {"region": value}),
    ):
        r = client.get(url, params=params)
        assert r.status_code == 200, (url, r.text)
        assert r.json()["items"] == []
    for url in (f"/api/regions/{value}/targets",):
        r = client.get(url)
        assert r.status_code in (200, 404)
    assert client.get("/api/documents/" + value.replace("/", "")).status_code in (404, 405)
    assert _triples(client) == before


def test_long_inputs_are_rejected_by_validation(client: TestClient) -> None:
    assert client.get("/api/search", params={"q": "x" * 201}).status_code == 422
    assert client.get("/api/search", params={"q": ""}).status_code == 422
    assert client.get("/api/documents", params={"limit": 5000}).status_code == 422
    assert client.get("/api/documents/" + "x" * 400).status_code == 404


def test_openapi_lists_the_rest_routes(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    for path in (
        "/api/documents",
        "/api/documents/{doc_id}",
        "/api/departments",
        "/api/regions/{code}/targets",
        "/api/citations",
        "/api/search",
        "/api/analytics/workload",
        "/sparql",
        "/store",
    ):
        assert path in paths


def test_cors_on_read_routes_only(client: TestClient) -> None:
    for url in ("/api/documents", f"/api/documents/{DOC_A}", "/store", "/sparql"):
        r = client.get(url)
        assert r.headers["access-control-allow-origin"] == "*"
        assert "access-control-allow-credentials" not in r.headers
    write = client.put("/store", params={"graph": "urn:g"}, content=b"", headers={"Origin": "x"})
    assert write.status_code == 401
    assert "access-control-allow-origin" not in write.headers


# ---------------------------------------------------------------- analytics


def test_workload_rank_topics_and_grouping(client: TestClient) -> None:
    records = client.get("/api/analytics/workload").json()["items"]
    assert [r["rank"] for r in records][:1] == [1]
    assert all(r["topics"] >= 1 for r in records)
    for by in ("region", "document", "year", "topic"):
        page = client.get("/api/analytics/workload", params={"by": by}).json()
        assert page["items"] and all(r["by"] == by for r in page["items"])
        groups = {r["group"] for r in page["items"]}
        assert None not in groups or by == "topic"
    years = client.get("/api/analytics/workload", params={"by": "year"}).json()["items"]
    assert {r["group"] for r in years} == {2018, 2019}
    docs = client.get("/api/analytics/workload", params={"by": "document"}).json()["items"]
    assert all(r["document_id"].startswith("https://") for r in docs)
    assert client.get("/api/analytics/workload", params={"by": "colour"}).status_code == 422


def _counting(monkeypatch: pytest.MonkeyPatch, name: str) -> list[int]:
    calls = [0]
    real = getattr(an, name)

    def counted(*args: Any, **kwargs: Any) -> Any:
        calls[0] += 1
        return real(*args, **kwargs)

    monkeypatch.setattr(an, name, counted)
    return calls


def test_analytics_are_computed_once_per_store_version(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "store"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        build_store(sample_results(), path)
    analyses, graphs = _counting(monkeypatch, "analyze"), _counting(monkeypatch, "workload_graph")
    settings = Settings(store=path, update_token=TOKEN, isolation="thread", max_concurrency=2)
    auth = {"Authorization": f"Bearer {TOKEN}"}
    with TestClient(create_app(settings)) as c:
        first = c.get("/api/analytics/workload").json()["items"]
        assert c.get("/api/analytics/workload").json()["items"] == first
        assert (analyses[0], graphs[0]) == (1, 1)
        # other parameters: computed once more, on the same department–task graph
        c.get("/api/analytics/workload", params={"role": "lead"})
        c.get("/api/analytics/network")
        assert (analyses[0], graphs[0]) == (3, 1)
        # a SPARQL Update is a new store version: recomputed, and it shows
        pkg = "PREFIX pkg: <https://w3id.org/policykg/ontology#> "
        find = pkg + "SELECT ?t WHERE { ?r a pkg:Responsibility ; pkg:forTask ?t } LIMIT 1"
        task = c.get("/sparql", params={"query": find}).json()["results"]["bindings"][0]
        update = (
            pkg + "PREFIX skos: <http://www.w3.org/2004/02/skos/core#> "
            "INSERT DATA { GRAPH <urn:x:added> { _:r a pkg:Responsibility ; "
            f"pkg:responsibleBody <urn:x:new-body> ; pkg:forTask <{task['t']['value']}> . "
            '<urn:x:new-body> skos:prefLabel "新设单位"@zh } }'
        )
        r = c.post("/sparql", data={"update": update}, headers=auth)
        assert r.status_code == 204, r.text
        after = c.get("/api/analytics/workload").json()["items"]
        assert "新设单位" in {x["department"] for x in after}
        assert (analyses[0], graphs[0]) == (4, 2)
        # a Graph Store write too
        r = c.delete("/store", params={"graph": "urn:x:added"}, headers=auth)
        assert r.status_code in (200, 204), r.text
        assert c.get("/api/analytics/workload").json()["items"] == first
        assert (analyses[0], graphs[0]) == (5, 3)
        # and an explicit clear (what a store swap calls)
        analytics_cache(c.app).clear()  # type: ignore[arg-type]
        c.get("/api/analytics/workload")
        assert (analyses[0], graphs[0]) == (6, 4)


def test_a_result_computed_across_a_write_is_not_kept() -> None:
    services = SimpleNamespace(exports={}, store=None)
    cache = AnalyticsCache()
    token = CancelToken(10)
    runs = [0]

    def compute_during_a_write() -> list[dict[str, Any]]:
        runs[0] += 1
        services.exports.clear()  # what every write does meanwhile
        return [{"n": runs[0]}]

    assert cache.records(services, "k", compute_during_a_write, token) == [{"n": 1}]  # type: ignore[arg-type]
    assert cache.records(services, "k", lambda: [{"n": 0}], token) == [{"n": 0}]  # type: ignore[arg-type]
    assert cache.records(services, "k", compute_during_a_write, token) == [{"n": 0}]  # type: ignore[arg-type]
    assert runs[0] == 1


def test_the_record_cache_is_bounded() -> None:
    services = SimpleNamespace(exports={}, store=None)
    cache = AnalyticsCache(max_entries=2)
    token = CancelToken(10)
    for key in ("a", "b", "c"):
        cache.records(services, key, lambda: [], token)  # type: ignore[arg-type]
    recomputed = []
    cache.records(services, "a", lambda: recomputed.append(1) or [], token)  # type: ignore[arg-type]
    assert recomputed == [1]


@pytest.mark.parametrize(
    ("route", "keys"),
    [
        ("/api/analytics/network", {"eigenvector", "pagerank", "community", "participation"}),
        ("/api/analytics/network/communities", {"community", "size", "members"}),
        ("/api/analytics/network/bridges", set()),
        ("/api/analytics/network/edges", {"source", "target", "weight", "kind"}),
        ("/api/analytics/citations", {"document", "in_degree", "pagerank", "level"}),
        ("/api/analytics/citations/paths", {"path", "levels", "target_level"}),
        ("/api/analytics/citations/cycles", {"cycle", "documents"}),
        ("/api/analytics/citations/self-citations", set()),
        ("/api/analytics/citations/types", {"citation_type", "citations"}),
        ("/api/analytics/citations/levels", {"from_level", "to_level", "citations"}),
        ("/api/analytics/targets", {"indicator", "target_kind", "normalized_value", "base_unit"}),
        ("/api/analytics/targets/pivot", {"indicator", "target_kind", "unit", "year", "示例市"}),
    ],
)
def test_analytics_routes_json_csv_and_paging(
    client: TestClient, route: str, keys: set[str]
) -> None:
    page = client.get(route).json()
    items = page["items"]
    if keys:
        assert items and keys <= set(items[0])
    r = client.get(route, headers={"Accept": "text/csv"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert len(rows) == len(items)
    if len(items) > 1:
        first = client.get(route, params={"limit": 1}).json()
        assert first["items"] == items[:1] and first["next_offset"] == 1
        rest = client.get(route, params={"limit": 1, "offset": 1}).json()
        assert rest["items"] == items[1:2]
    assert client.get(route, headers={"Accept": "image/png"}).status_code == 406


def test_network_directed_and_filters(client: TestClient) -> None:
    undirected = client.get("/api/analytics/network").json()["items"]
    assert all(r["out_strength"] is None for r in undirected)
    directed = client.get("/api/analytics/network", params={"directed": "true"}).json()["items"]
    market = next(r for r in directed if r["department"] == "示例市市场监督管理局")
    assert market["out_strength"] == 1.0
    edges = client.get("/api/analytics/network/edges", params={"directed": "true"}).json()
    assert {e["kind"] for e in edges["items"]} == {"lead_support"}
    assert client.get("/api/analytics/network", params={"region": "别处"}).json()["items"] == []
    support = client.get("/api/analytics/network", params={"role": "support"}).json()["items"]
    assert [r["department"] for r in support] == ["市科技局"]


def test_citations_and_targets_content(client: TestClient) -> None:
    cycles = client.get("/api/analytics/citations/cycles").json()["items"]
    assert len(cycles) == 1 and cycles[0]["length"] == 2  # a.txt and b.txt cite each other
    paths = client.get("/api/analytics/citations/paths").json()["items"]
    assert paths and all(p["levels"].startswith("national") for p in paths)
    pivot = client.get("/api/analytics/targets/pivot").json()["items"]
    assert {r["indicator"] for r in pivot} == {"每万人发明专利拥有量", "知识产权质押融资金额"}
    loan = next(r for r in pivot if r["indicator"] == "知识产权质押融资金额")
    assert loan["unit"] == "元" and loan["示例市"] == pytest.approx(2e8)  # upper bound of 1~2亿元
    assert client.get("/api/analytics/targets", params={"area": "别处"}).json()["items"] == []


def test_openapi_documents_each_analysis_model(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    paths = spec["paths"]
    for route, model in (
        ("/api/analytics/network", "NetworkDepartment"),
        ("/api/analytics/network/communities", "Community"),
        ("/api/analytics/citations/paths", "DiffusionPath"),
        ("/api/analytics/citations/levels", "CitationLevelLink"),
        ("/api/analytics/targets/pivot", "TargetPivotRow"),
    ):
        schema = json.dumps(paths[route]["get"]["responses"]["200"])
        assert model in schema, route
        assert "text/csv" in paths[route]["get"]["responses"]["200"]["content"]
    pivot = spec["components"]["schemas"]["TargetPivotRow"]
    assert pivot.get("additionalProperties") is True  # one column per area


def test_openapi_declares_protocol_parameters_bodies_and_errors(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    get = paths["/sparql"]["get"]
    assert {p["name"] for p in get["parameters"]} >= {"query", "default-graph-uri", "timeout"}
    assert "application/sparql-results+json" in get["responses"]["200"]["content"]
    assert "text/turtle" in get["responses"]["200"]["content"]
    assert {"400", "406", "503"} <= set(get["responses"])
    assert "retry-after" in {h.lower() for h in get["responses"]["503"]["headers"]}
    body = paths["/sparql"]["post"]["requestBody"]
    assert set(body["content"]) == {
        "application/sparql-query",
        "application/sparql-update",
        "application/x-www-form-urlencoded",
    }
    assert {"401", "413", "415"} <= set(paths["/sparql"]["post"]["responses"])
    assert paths["/store"]["put"]["security"] == [{"bearerAuth": []}]
    assert "options" in paths["/store"]
    assert "404" in paths["/api/documents/{doc_id}"]["get"]["responses"]
    assert {"406", "422", "503"} <= set(paths["/api/documents"]["get"]["responses"])
