"""The SPARQL 1.1 Protocol endpoint in-process: request forms, formats, errors, writes."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path
from xml.etree import ElementTree

import pyoxigraph as ox
import pytest
import rdflib
from sparql_support import GRAPH_A, TOKEN, TestClient, make_client, sample_quads

SELECT_TITLES = (
    "PREFIX dct: <http://purl.org/dc/terms/> "
    "SELECT ?doc ?title WHERE { ?doc dct:title ?title } ORDER BY ?doc"
)
CONSTRUCT = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"
SRX = "{http://www.w3.org/2005/sparql-results#}"
_WRAPPER_ACCEPT = "application/sparql-results+xml, application/rdf+xml, */*"


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    with make_client(tmp_path_factory.mktemp("sparql") / "store") as c:
        yield c


@pytest.fixture()
def writable(tmp_path: Path) -> Iterator[TestClient]:
    with make_client(tmp_path / "store", update_token=TOKEN) as c:
        yield c


def _titles(response_json: dict) -> list[str]:
    return [b["title"]["value"] for b in response_json["results"]["bindings"]]


def test_get_select_defaults_to_sparql_json_over_the_union_graph(client: TestClient) -> None:
    r = client.get("/sparql", params={"query": SELECT_TITLES})
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/sparql-results+json"
    data = r.json()
    assert data["head"]["vars"] == ["doc", "title"]
    # The titles live in two named graphs; the default graph is their union.
    assert _titles(data) == [
        "示例市关于加快建设知识产权强市的实施意见",
        "示例市知识产权运营工作方案",
    ]
    assert data["results"]["bindings"][0]["title"]["xml:lang"] == "zh"
    assert r.headers["access-control-allow-origin"] == "*"
    assert "access-control-allow-credentials" not in r.headers


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        ("application/sparql-results+xml", "application/sparql-results+xml"),
        ("text/csv", "text/csv; charset=utf-8"),
        ("text/tab-separated-values", "text/tab-separated-values; charset=utf-8"),
        ("text/csv;q=0.5, application/sparql-results+xml;q=0.9", "application/sparql-results+xml"),
        ("*/*;q=0.1, text/tab-separated-values", "text/tab-separated-values; charset=utf-8"),
        ("text/*", "text/csv; charset=utf-8"),
        ("application/sparql-results+json;q=0, */*", "application/sparql-results+xml"),
        ("application/json", "application/json"),
        ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "application/xml"),
    ],
)
def test_select_content_negotiation(client: TestClient, accept: str, expected: str) -> None:
    r = client.get("/sparql", params={"query": SELECT_TITLES}, headers={"Accept": accept})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == expected
    assert "accept" in r.headers["vary"].lower()


def test_select_bodies_in_every_format_carry_the_same_rows(client: TestClient) -> None:
    def get(accept: str) -> str:
        return client.get(
            "/sparql", params={"query": SELECT_TITLES}, headers={"Accept": accept}
        ).text

    root = ElementTree.fromstring(get("application/sparql-results+xml"))
    xml_titles = [e.text for e in root.iter(f"{SRX}literal")]
    csv_rows = list(csv.reader(io.StringIO(get("text/csv"))))
    tsv_lines = get("text/tab-separated-values").splitlines()
    json_titles = _titles(json.loads(get("application/sparql-results+json")))
    assert xml_titles == json_titles
    assert csv_rows[0] == ["doc", "title"]
    assert [row[1] for row in csv_rows[1:]] == json_titles
    assert tsv_lines[0] == "?doc\t?title"
    assert tsv_lines[1].endswith(f'\t"{json_titles[0]}"@zh')


def test_nothing_acceptable_is_406_before_evaluation(client: TestClient) -> None:
    r = client.get("/sparql", params={"query": SELECT_TITLES}, headers={"Accept": "image/png"})
    assert r.status_code == 406
    assert "application/sparql-results+json" in r.text
    ask = client.get("/sparql", params={"query": "ASK {}"}, headers={"Accept": "text/csv"})
    assert ask.status_code == 406
    graph = client.get("/sparql", params={"query": CONSTRUCT}, headers={"Accept": "text/csv"})
    assert graph.status_code == 406


def test_ask_in_json_and_xml(client: TestClient) -> None:
    r = client.get("/sparql", params={"query": "ASK { ?s ?p ?o }"})
    assert r.headers["content-type"] == "application/sparql-results+json"
    assert r.json() == {"head": {}, "boolean": True}
    x = client.get(
        "/sparql",
        params={"query": "ASK { <urn:x:none> ?p ?o }"},
        headers={"Accept": "application/sparql-results+xml"},
    )
    assert ElementTree.fromstring(x.text).find(f"{SRX}boolean").text == "false"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("accept", "media", "rdflib_format"),
    [
        (None, "text/turtle; charset=utf-8", "turtle"),
        ("application/n-triples", "application/n-triples", "nt"),
        ("application/rdf+xml", "application/rdf+xml", "xml"),
        ("application/ld+json", "application/ld+json", "json-ld"),
        ("text/turtle;q=0.2, application/rdf+xml;q=0.8", "application/rdf+xml", "xml"),
    ],
)
def test_construct_formats_parse_to_the_same_graph(
    client: TestClient, accept: str | None, media: str, rdflib_format: str
) -> None:
    headers = {"Accept": accept} if accept else {}
    r = client.get("/sparql", params={"query": CONSTRUCT}, headers=headers)
    assert r.status_code == 200
    assert r.headers["content-type"] == media
    graph = rdflib.Graph().parse(data=r.text, format=rdflib_format)
    assert len(graph) == 15  # the distinct triples of both named graphs (union default graph)


@pytest.mark.parametrize(
    ("query", "accept", "media"),
    [
        # SPARQLWrapper's and rdflib SPARQLStore's default Accept, no format=.
        (SELECT_TITLES, _WRAPPER_ACCEPT, "application/sparql-results+xml"),
        (CONSTRUCT, _WRAPPER_ACCEPT, "application/rdf+xml"),
        # Oxigraph's reading of a plain JSON request for a graph: JSON-LD.
        (CONSTRUCT, "application/json", "application/json"),
        # roqet names SPARQL XML results whatever the form: RDF/XML for graphs.
        (CONSTRUCT, "application/sparql-results+xml", "application/rdf+xml"),
        (CONSTRUCT, "application/sparql-results+xml, */*", "application/rdf+xml"),
        (CONSTRUCT, "application/xml", "application/rdf+xml"),
        (CONSTRUCT, "application/sparql-results+json", "application/ld+json"),
        ("DESCRIBE <https://w3id.org/policykg/id/doc/a>", "text/xml", "application/rdf+xml"),
    ],
)
def test_named_types_and_results_syntax_fallbacks(
    client: TestClient, query: str, accept: str, media: str
) -> None:
    r = client.get("/sparql", params={"query": query}, headers={"Accept": accept})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == media
    if media == "application/rdf+xml":
        assert len(rdflib.Graph().parse(data=r.text, format="xml")) > 0
    elif media in ("application/json", "application/ld+json") and query != SELECT_TITLES:
        assert len(rdflib.Graph().parse(data=r.text, format="json-ld")) > 0


def test_a_refused_fallback_is_406(client: TestClient) -> None:
    accept = "application/sparql-results+xml, application/rdf+xml;q=0"
    r = client.get("/sparql", params={"query": CONSTRUCT}, headers={"Accept": accept})
    assert r.status_code == 406


def test_describe_returns_turtle(client: TestClient) -> None:
    r = client.get("/sparql", params={"query": "DESCRIBE <https://w3id.org/policykg/id/doc/a>"})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/turtle")
    assert len(rdflib.Graph().parse(data=r.text, format="turtle")) == 2


@pytest.mark.parametrize(
    ("query", "fmt", "media"),
    [
        (SELECT_TITLES, "json", "application/sparql-results+json"),
        (SELECT_TITLES, "xml", "application/sparql-results+xml"),
        (SELECT_TITLES, "csv", "text/csv; charset=utf-8"),
        (CONSTRUCT, "json", "application/ld+json"),
        (CONSTRUCT, "turtle", "text/turtle; charset=utf-8"),
        (CONSTRUCT, "xml", "application/rdf+xml"),
        (SELECT_TITLES, "text/tab-separated-values", "text/tab-separated-values; charset=utf-8"),
    ],
)
def test_sparqlwrapper_format_parameter_overrides_accept(
    client: TestClient, query: str, fmt: str, media: str
) -> None:
    r = client.get(
        "/sparql", params={"query": query, "format": fmt}, headers={"Accept": "image/png"}
    )
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == media
    out = client.get("/sparql", params={"query": query, "output": fmt})
    assert out.headers["content-type"] == media


def test_format_parameter_edge_cases(client: TestClient) -> None:
    # A known name that does not fit the form is a 406; an unknown one is ignored.
    assert client.get("/sparql", params={"query": CONSTRUCT, "format": "csv"}).status_code == 406
    r = client.get("/sparql", params={"query": SELECT_TITLES, "format": "fancy"})
    assert r.headers["content-type"] == "application/sparql-results+json"


def test_form_post_direct_post_and_trailing_slash(client: TestClient) -> None:
    form = client.post("/sparql", data={"query": SELECT_TITLES})
    direct = client.post(
        "/sparql/",
        content=SELECT_TITLES.encode(),
        headers={"Content-Type": "application/sparql-query"},
    )
    slash = client.get("/sparql/", params={"query": SELECT_TITLES})
    # Blazegraph-style callers put the query in the URL of a form POST.
    url_form = client.post(
        "/sparql",
        params={"query": SELECT_TITLES},
        content=b"",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    for r in (form, direct, slash, url_form):
        assert r.status_code == 200, r.text
        assert len(r.json()["results"]["bindings"]) == 2


def test_relative_iris_resolve_against_the_endpoint(client: TestClient) -> None:
    r = client.post(
        "/sparql",
        content=b"CONSTRUCT { <s> <p> 1 } WHERE {}",
        headers={"Content-Type": "application/sparql-query", "Accept": "application/n-triples"},
    )
    assert r.status_code == 200
    assert r.text.startswith("<http://testserver/s> <http://testserver/p> ")


@pytest.mark.parametrize(
    ("kwargs", "status", "message"),
    [
        ({"method": "GET", "params": {"query": "SELECT * WHERE { ?s ?p "}}, 400, "syntax error"),
        ({"method": "GET", "params": [("query", "ASK {}"), ("query", "ASK {}")]}, 400, "more than"),
        ({"method": "GET", "params": {"update": "CLEAR ALL"}}, 400, "POST"),
        ({"method": "PUT", "params": {"query": "ASK {}"}}, 405, ""),
        ({"method": "DELETE", "params": {"query": "ASK {}"}}, 405, ""),
        (
            {"method": "POST", "content": b"ASK {}", "headers": {"Content-Type": "text/plain"}},
            415,
            "unsupported media type",
        ),
        ({"method": "POST", "content": b"ASK {}"}, 400, "Content-Type"),
        (
            {
                "method": "POST",
                "content": "ASK {}".encode("utf-16"),
                "headers": {"Content-Type": "application/sparql-query; charset=UTF-16"},
            },
            400,
            "UTF-8",
        ),
        (
            {
                "method": "POST",
                "content": b"ASK {} \xff",
                "headers": {"Content-Type": "application/sparql-query"},
            },
            400,
            "UTF-8",
        ),
        (
            {"method": "POST", "data": {"query": "ASK {}", "update": "CLEAR ALL"}},
            400,
            "either",
        ),
        ({"method": "POST", "data": {"foo": "bar"}}, 400, "query"),
        (
            {"method": "GET", "params": {"query": "ASK {}", "default-graph-uri": "not an iri"}},
            400,
            "absolute IRI",
        ),
        ({"method": "GET", "params": {"query": "ASK {}", "timeout": "soon"}}, 400, "timeout"),
    ],
)
def test_protocol_errors(client: TestClient, kwargs: dict, status: int, message: str) -> None:
    method = kwargs.pop("method")
    r = client.request(method, "/sparql", **kwargs)
    assert r.status_code == status, r.text
    assert message in r.text


def test_updates_are_refused_without_a_configured_token(client: TestClient) -> None:
    # No credentials: 401 (and the message says why writes cannot work here);
    # credentials sent to a read-only service: 403.
    for r, status in (
        (
            client.post(
                "/sparql",
                content=b"INSERT DATA { <urn:a> <urn:b> <urn:c> }",
                headers={"Content-Type": "application/sparql-update"},
            ),
            401,
        ),
        (client.post("/sparql", data={"update": "DROP ALL"}), 401),
        (
            client.post(
                "/sparql",
                data={"update": "DROP ALL"},
                headers={"Authorization": f"Bearer {TOKEN}"},
            ),
            403,
        ),
    ):
        assert r.status_code == status
        assert "read-only" in r.text
    assert client.get("/sparql", params={"query": "ASK { ?s ?p ?o }"}).json()["boolean"] is True


def test_updates_need_the_bearer_token(writable: TestClient) -> None:
    insert = "INSERT DATA { GRAPH <urn:g:new> { <urn:a> <urn:b> <urn:c> } }"
    ask = {"query": "ASK { <urn:a> <urn:b> <urn:c> }"}
    # A cross-site form post cannot carry an Authorization header: 401, nothing written.
    assert writable.post("/sparql", data={"update": insert}).status_code == 401
    wrong = writable.post(
        "/sparql", data={"update": insert}, headers={"Authorization": "Bearer nope"}
    )
    assert wrong.status_code == 401
    assert wrong.headers["www-authenticate"] == "Bearer"
    assert writable.get("/sparql", params=ask).json()["boolean"] is False
    ok = writable.post(
        "/sparql",
        content=insert.encode(),
        headers={"Content-Type": "application/sparql-update", "Authorization": f"Bearer {TOKEN}"},
    )
    assert ok.status_code == 204
    assert "access-control-allow-origin" not in ok.headers
    assert writable.get("/sparql", params=ask).json()["boolean"] is True
    bad = writable.post(
        "/sparql", data={"update": "CLEAR XYZ"}, headers={"Authorization": f"Bearer {TOKEN}"}
    )
    assert bad.status_code == 400
    assert "syntax error" in bad.text


def test_dataset_clauses_select_local_graphs_only(client: TestClient) -> None:
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"

    def n(query: str, **params: str) -> int:
        r = client.get("/sparql", params={"query": query, **params})
        assert r.status_code == 200, r.text
        return int(r.json()["results"]["bindings"][0]["n"]["value"])

    assert n(count) == 16  # bag semantics: a triple in two graphs matches twice
    from_a = f"SELECT (COUNT(*) AS ?n) FROM <{GRAPH_A.value}> WHERE {{ ?s ?p ?o }}"
    assert n(from_a) == 10
    assert n(count, **{"default-graph-uri": GRAPH_A.value}) == 10
    # An IRI that is not a graph of this store is an empty graph, never fetched.
    assert n(count, **{"default-graph-uri": "http://127.0.0.1:9/remote.ttl"}) == 0
    named = "SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
    assert n(named) == 2
    assert n(named, **{"named-graph-uri": GRAPH_A.value}) == 1


def test_service_description_turtle_by_default(client: TestClient) -> None:
    r = client.get("/sparql")
    assert r.status_code == 200
    assert r.headers["content-type"] == "text/turtle; charset=utf-8"
    g = rdflib.Graph().parse(data=r.text, format="turtle")
    sd = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")
    void = rdflib.Namespace("http://rdfs.org/ns/void#")
    endpoints = list(g.objects(None, sd.endpoint))
    assert endpoints == [rdflib.URIRef("http://testserver/sparql")]
    features = set(g.objects(None, sd.feature))
    assert features == {sd.UnionDefaultGraph}  # no federation, no dereferencing
    assert sd.SPARQL11Update not in set(g.objects(None, sd.supportedLanguage))
    counts = {
        str(name): int(str(g.value(g.value(ng, sd.graph), void.triples)))
        for ng in g.subjects(sd.name, None)
        for name in g.objects(ng, sd.name)
    }
    assert counts == {GRAPH_A.value: 10, "https://w3id.org/policykg/id/graph/b.txt": 6}
    default = g.value(next(g.objects(None, sd.defaultDataset)), sd.defaultGraph)
    assert int(str(g.value(default, void.triples))) == 15


@pytest.mark.parametrize(
    ("accept", "media", "fmt"),
    [
        ("application/ld+json", "application/ld+json", "json-ld"),
        ("application/rdf+xml", "application/rdf+xml", "xml"),
    ],
)
def test_service_description_negotiation(
    client: TestClient, accept: str, media: str, fmt: str
) -> None:
    r = client.get("/sparql/", headers={"Accept": accept})
    assert r.headers["content-type"] == media
    g = rdflib.Graph().parse(data=r.text, format=fmt)
    sd = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")
    assert rdflib.URIRef("http://testserver/sparql/") in set(g.objects(None, sd.endpoint))


def test_service_description_html_for_browsers(client: TestClient) -> None:
    r = client.get("/sparql", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert r.headers["content-type"].startswith("text/html")
    assert "<form" in r.text
    assert client.get("/sparql", headers={"Accept": "image/png"}).status_code == 406


def test_update_capability_is_declared_only_when_enabled(writable: TestClient) -> None:
    g = rdflib.Graph().parse(data=writable.get("/sparql").text, format="turtle")
    sd = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")
    assert sd.SPARQL11Update in set(g.objects(None, sd.supportedLanguage))


def test_cors_preflight_does_not_allow_the_authorization_header(client: TestClient) -> None:
    r = client.options(
        "/sparql",
        headers={"Origin": "https://example.org", "Access-Control-Request-Method": "POST"},
    )
    assert r.headers["access-control-allow-origin"] == "*"
    assert "authorization" not in r.headers["access-control-allow-headers"].lower()


def test_strict_mode_rejects_dataset_iris_that_are_not_local_graphs(tmp_path: Path) -> None:
    with make_client(tmp_path / "store", unknown_graphs="reject", isolation="thread") as strict:
        local = f"SELECT * FROM <{GRAPH_A.value}> WHERE {{ ?s ?p ?o }} LIMIT 1"
        assert strict.get("/sparql", params={"query": local}).status_code == 200
        prefixed = (
            "PREFIX g: <https://w3id.org/policykg/id/graph/> "
            "SELECT * FROM NAMED g:a.txt WHERE { GRAPH ?g { ?s ?p ?o } } LIMIT 1"
        )
        assert strict.get("/sparql", params={"query": prefixed}).status_code == 200
        for params in (
            {"query": "SELECT * FROM <http://127.0.0.1:9/x.ttl> WHERE { ?s ?p ?o }"},
            {"query": "SELECT * FROM NAMED <relative> WHERE { GRAPH ?g { ?s ?p ?o } }"},
            {"query": "ASK {}", "default-graph-uri": "http://127.0.0.1:9/x.ttl"},
            {"query": "ASK {}", "named-graph-uri": "urn:nowhere"},
        ):
            r = strict.get("/sparql", params=params)
            assert r.status_code == 400, params
            assert "never fetches" in r.text


def test_queries_are_timed_and_logged_without_their_text(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level("INFO", logger="policykg.sparql"):
        r = client.get("/sparql", params={"query": "ASK { ?secret ?p ?o }"})
    assert r.headers["server-timing"].startswith("query;dur=")
    (line,) = [m for m in caplog.messages if m.startswith("query ")]
    assert "ASK status=200 rows=1" in line
    assert "secret" not in line


def _update(client: TestClient, text: str) -> tuple[int, str]:
    r = client.post(
        "/sparql",
        content=text.encode(),
        headers={"Content-Type": "application/sparql-update", "Authorization": f"Bearer {TOKEN}"},
    )
    return r.status_code, r.text


def test_update_errors_caused_by_the_request_are_4xx(writable: TestClient) -> None:
    missing = "GRAPH <urn:g:missing>"
    # SPARQL 1.1 Update: without SILENT a missing graph is an error; with it, not.
    for text in (f"DROP {missing}", f"CLEAR {missing}", "MOVE <urn:g:missing> TO <urn:g:x>"):
        status, body = _update(writable, text)
        assert status == 404, (text, body)
        assert "does not exist" in body and "nothing was written" in body
    for text in (f"DROP SILENT {missing}", f"CLEAR SILENT {missing}", "CLEAR ALL"):
        assert _update(writable, text)[0] == 204, text
    assert _update(writable, "CREATE GRAPH <urn:g:c>")[0] == 204
    status, body = _update(writable, "CREATE GRAPH <urn:g:c>")
    assert status == 409 and "already exists" in body
    assert _update(writable, "CREATE SILENT GRAPH <urn:g:c>")[0] == 204


def test_query_errors_caused_by_the_request_are_4xx(client: TestClient) -> None:
    r = client.get("/sparql", params={"query": "SELECT (<urn:f>(1) AS ?x) {}"})
    assert r.status_code == 400
    assert "custom function" in r.text
    r = client.get("/sparql", params={"query": "SELECT * { SERVICE ?e { ?s ?p ?o } }"})
    assert r.status_code == 403


def test_engine_errors_from_the_http_client_map_to_403() -> None:
    from policykg.api.sparql import engine_error

    assert engine_error(OSError("Network is unreachable (os error 101)"), "query").status == 403
    assert engine_error(OSError("Not supported URL scheme: ftp"), "query").status == 403
    assert engine_error(OSError("IO error: disk full"), "update").status == 500
    assert engine_error(RuntimeError("The graph <urn:x> does not exist"), "update").status == 404
    assert engine_error(RuntimeError("Corruption: bad block"), "query").status == 500


@pytest.mark.parametrize(
    ("content_type", "body", "status", "message"),
    [
        ("application/x-www-form-urlencoded; charset=ISO-8859-1", b"query=ASK%20%7B%7D", 200, ""),
        ("application/x-www-form-urlencoded; charset=US-ASCII", b"query=ASK+%7B%7D", 200, ""),
        ("application/sparql-query; charset=iso-8859-1", b"ASK {}", 200, ""),
        # Declared Latin-1 with non-ASCII bytes: not the same bytes as UTF-8.
        ("application/sparql-query; charset=iso-8859-1", b"ASK { ?s ?p '\xe9' }", 400, "UTF-8"),
        (
            "application/x-www-form-urlencoded; charset=UTF-16LE",
            "query=ASK%20%7B%7D".encode("utf-16-le"),
            400,
            "charset=utf-16le",
        ),
        # UTF-16 without a charset: NUL bytes, not a silently empty form.
        (
            "application/x-www-form-urlencoded",
            "query=ASK%20%7B%7D".encode("utf-16-le"),
            400,
            "UTF-16",
        ),
        ("application/sparql-query", "ASK {}".encode("utf-16"), 400, "UTF-8"),
    ],
)
def test_body_encodings(
    client: TestClient, content_type: str, body: bytes, status: int, message: str
) -> None:
    r = client.post("/sparql", content=body, headers={"Content-Type": content_type})
    assert r.status_code == status, r.text
    assert message in r.text
    if status == 200:
        assert r.json()["boolean"] is True


def test_service_description_counts_what_it_claims(tmp_path: Path) -> None:
    # A store with triples in its own default graph, one of them also in a
    # named graph: the page and the VoID counts must add up.
    extra = [
        ox.Quad(ox.NamedNode("urn:s"), ox.NamedNode("urn:p"), ox.Literal("in default only")),
        ox.Quad(ox.NamedNode("urn:s"), ox.NamedNode("urn:p"), ox.Literal("in both")),
        ox.Quad(ox.NamedNode("urn:s"), ox.NamedNode("urn:p"), ox.Literal("in both"), GRAPH_A),
    ]
    with make_client(tmp_path / "store", quads=sample_quads() + extra) as c:
        page = c.get("/sparql", headers={"Accept": "text/html"}).text
        g = rdflib.Graph().parse(data=c.get("/sparql").text, format="turtle")
        count = c.get(
            "/sparql",
            params={"query": "SELECT (COUNT(*) AS ?n) { SELECT DISTINCT * { ?s ?p ?o } }"},
        ).json()["results"]["bindings"][0]["n"]["value"]
    # 10 + 6 triples in the named graphs plus the new one in graph A; 2 in the
    # store's default graph; 15 + 2 distinct triples in the union.
    assert "own default graph (2 triples)" in page
    assert "2 named graphs (17 triples)" in page
    assert "holds 17 distinct triples" in page
    assert count == "17"
    sd = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")
    void = rdflib.Namespace("http://rdfs.org/ns/void#")
    default = g.value(next(g.objects(None, sd.defaultDataset)), sd.defaultGraph)
    assert int(str(g.value(default, void.triples))) == 17
    pkgs = rdflib.Namespace("https://w3id.org/policykg/service#")
    own = next(g.objects(None, pkgs.storeDefaultGraphTriples))
    assert int(str(own)) == 2
