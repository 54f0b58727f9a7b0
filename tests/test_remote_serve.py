"""``policykg serve --store sparql+http://…``: the API over a remote store (Virtuoso) answers
as over the embedded store built from the same corpus.

Uses the ``virtuoso`` fixture (``tests/conftest.py``), which skips with a reason
where Debian's virtuoso-opensource is not installed; the term-binding tests
need no server.
"""

from __future__ import annotations

import json
import re
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from sparql_support import TestClient
from typer.testing import CliRunner
from virtuoso_support import Virtuoso

from policykg.api.app import create_app
from policykg.api.cli import app as cli
from policykg.api.remote_store import bind_values, sparql_term
from policykg.api.settings import Settings
from policykg.graph.namespaces import XSD
from policykg.graph.queries import EXAMPLE_QUERIES

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "data" / "corpus"
runner = CliRunner()
JSON = {"Accept": "application/sparql-results+json"}

# ---------------------------------------------------------------- no server needed


@pytest.mark.parametrize(
    "term",
    [
        ox.Literal('a"b } ; DROP ALL #'),
        ox.Literal("x\\u0022 } SERVICE <http://127.0.0.1:9/> { ?s ?p ?o }"),
        ox.Literal("\\"),
        ox.Literal("line\nbreak\r\t"),
        ox.Literal("知识产权", language="zh"),
        ox.Literal("2020", datatype=XSD.gYear),
        ox.NamedNode("https://w3id.org/policykg/id/doc/科技局"),
    ],
)
def test_bound_terms_are_written_as_exactly_that_term(term: ox.NamedNode | ox.Literal) -> None:
    query = bind_values("SELECT ?v WHERE { }", {"v": term})
    parsed = ox.Store().query(query)  # one solution: the term itself, nothing else ran
    assert isinstance(parsed, ox.QuerySolutions)
    assert [row["v"] for row in parsed] == [term]
    assert query == f"SELECT ?v WHERE {{\n  VALUES ?v {{ {sparql_term(term)} }}\n }}"


def test_only_iris_and_literals_and_plain_names_are_bound() -> None:
    with pytest.raises(ValueError):
        sparql_term(ox.BlankNode("b"))  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        bind_values("SELECT ?v WHERE { }", {"v } DROP ALL": ox.Literal("x")})
    with pytest.raises(ValueError):
        bind_values("SELECT ?v { }", {"v": ox.Literal("x")})  # no WHERE to put it in


def test_bound_variables_become_terms_in_every_nested_group() -> None:
    query = (
        "SELECT ?q ?n WHERE { ?n ?p ?l . OPTIONAL { ?n ?p2 ?q } "
        "FILTER (STR(?l) = ?q || STR(?n) = $q) FILTER NOT EXISTS { ?n ?p ?q_other } }\n"
        "GROUP BY ?q ?n"
    )
    bound = bind_values(query, {"q": ox.Literal("} ?q {")})
    where = bound.split("\n", 2)[2].rsplit("\nGROUP BY", 1)[0].replace('"} ?q {"', "TERM")
    assert re.findall(r"[?$]q\w*", where) == ["?q_other"]  # every use replaced, no other
    assert bound.startswith("SELECT ?q ?n WHERE") and bound.endswith("GROUP BY ?q ?n")
    assert bound.count('"} ?q {"') == 4  # VALUES, OPTIONAL, both sides of ||
    assert isinstance(ox.Store().query(bound), ox.QuerySolutions)  # it parses


def test_remote_settings_are_read_only() -> None:
    url = "sparql+http://127.0.0.1:9/sparql"
    with pytest.raises(ValueError, match="read-only"):
        Settings(store=url, update_token="secret")
    settings = Settings(store=url)
    assert settings.remote_location() is not None
    result = runner.invoke(cli, ["serve", "--store", url, "--update-token", "t"])
    assert result.exit_code == 2 and "read-only" in result.output


# ---------------------------------------------------------------- against Virtuoso


@pytest.fixture(scope="module")
def local_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("served-local") / "store"
    result = runner.invoke(cli, ["build", str(CORPUS), "--store", str(path)])
    assert result.exit_code == 0, result.output
    return path


@pytest.fixture(scope="module")
def remote_url(virtuoso: Virtuoso, local_store: Path) -> str:
    result = runner.invoke(cli, ["build", str(CORPUS), "--store", virtuoso.store_url])
    assert result.exit_code == 0, result.output
    return virtuoso.store_url


@pytest.fixture(scope="module")
def here(local_store: Path) -> Iterator[TestClient]:
    settings = Settings(store=local_store, isolation="thread", max_concurrency=2)
    with TestClient(create_app(settings)) as client:
        yield client


@pytest.fixture(scope="module")
def there(remote_url: str) -> Iterator[TestClient]:
    with TestClient(create_app(Settings(store=remote_url, max_concurrency=2))) as client:
        yield client


def _term(term: dict[str, str]) -> tuple[str, ...]:
    """A SPARQL JSON term, with what Virtuoso writes differently made one (booleans 1/0,
    integer subtypes, ``typed-literal``)."""
    kind = {"typed-literal": "literal"}.get(term["type"], term["type"])
    if kind == "bnode":
        return ("bnode",)
    value, datatype = term["value"], term.get("datatype", "")
    if datatype == XSD.boolean.value:
        value = {"1": "true", "0": "false"}.get(value, value)
    if datatype in (XSD.nonNegativeInteger.value, XSD.positiveInteger.value, XSD.int.value):
        datatype = XSD.integer.value
    if kind == "literal" and not datatype and "xml:lang" not in term:
        datatype = XSD.string.value
    return (kind, value, datatype, term.get("xml:lang", ""))


def _solutions(client: TestClient, query: str) -> tuple[list[str], Counter[Any]]:
    r = client.get("/sparql", params={"query": query}, headers=JSON)
    assert r.status_code == 200, r.text
    data = r.json()
    names = data["head"]["vars"]
    rows = Counter(
        tuple(_term(b[n]) if n in b else None for n in names) for b in data["results"]["bindings"]
    )
    return names, rows


@pytest.mark.parametrize("name", sorted(EXAMPLE_QUERIES))
def test_readme_queries_through_sparql_answer_the_same(
    name: str, here: TestClient, there: TestClient
) -> None:
    vars_here, rows_here = _solutions(here, EXAMPLE_QUERIES[name])
    vars_there, rows_there = _solutions(there, EXAMPLE_QUERIES[name])
    assert rows_here, f"{name} returns nothing on the sample corpus"
    assert vars_there == vars_here
    assert rows_there == rows_here


def _items(client: TestClient, path: str, **params: str) -> list[dict[str, Any]]:
    r = client.get(path, params={"limit": "1000", **params})
    assert r.status_code == 200, r.text
    items: list[dict[str, Any]] = r.json()["items"]
    return items


def _key(item: dict[str, Any]) -> str:
    return json.dumps(item, sort_keys=True, ensure_ascii=False)


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/api/documents", {}),
        ("/api/documents", {"include_stubs": "true"}),
        ("/api/documents", {"region": "四川省"}),
        ("/api/departments", {}),
        ("/api/departments", {"region": "阜新市"}),
        ("/api/analytics/workload", {}),
        ("/api/citations", {}),
        ("/api/search", {"q": "知识产权"}),
    ],
)
def test_rest_routes_answer_the_same(
    path: str, params: dict[str, str], here: TestClient, there: TestClient
) -> None:
    ours, theirs = _items(here, path, **params), _items(there, path, **params)
    assert ours, f"{path} {params} is empty on the sample corpus"
    if path == "/api/search":  # which label SAMPLE picks may differ: compare the nodes
        assert sorted(i["iri"] for i in theirs) == sorted(i["iri"] for i in ours)
    else:
        assert sorted(map(_key, theirs)) == sorted(map(_key, ours))


@pytest.mark.parametrize(
    ("module", "constant", "bindings"),
    [
        ("documents", "_CITATIONS", {"doc": "doc/川知领-2017-2号"}),
        ("documents", "_TASKS", {"doc": "doc/t-120fe4727a00"}),
        ("departments", "_TASKS", {"body": "body/510000/四川省知识产权局"}),
        ("search", "_SEARCH", {"q": "知识产权"}),
    ],
)
def test_written_terms_mean_what_substitution_means(
    module: str, constant: str, bindings: dict[str, str], local_store: Path
) -> None:
    # the same embedded store, once with pyoxigraph's substitutions, once with the text
    import importlib

    from policykg.graph.namespaces import BASE, NS
    from policykg.graph.store import open_store

    query = getattr(importlib.import_module(f"policykg.api.{module}"), constant)
    terms = {k: ox.Literal(v) if k == "q" else ox.NamedNode(BASE + v) for k, v in bindings.items()}
    store = open_store(local_store)
    substitutions = {ox.Variable(k): t for k, t in terms.items()}
    substituted = store.query(
        query, prefixes=NS, use_default_graph_as_union=True, substitutions=substitutions
    )
    written = store.query(bind_values(query, terms), prefixes=NS, use_default_graph_as_union=True)
    assert isinstance(substituted, ox.QuerySolutions) and isinstance(written, ox.QuerySolutions)
    a, b = [str(list(r)) for r in substituted], [str(list(r)) for r in written]
    assert a and sorted(a) == sorted(b)


def test_detail_routes_bind_ids_and_answer_the_same(here: TestClient, there: TestClient) -> None:
    for kind in ("documents", "departments"):
        for item in _items(here, f"/api/{kind}")[:3]:
            a = here.get(f"/api/{kind}/{item['id']}")
            b = there.get(f"/api/{kind}/{item['id']}")
            assert a.status_code == b.status_code == 200, b.text
            for field in ("tasks", "cites", "cited_by", "targets", "partners"):
                if isinstance(a.json().get(field), list):
                    assert sorted(map(_key, b.json()[field])) == sorted(map(_key, a.json()[field]))
    assert there.get("/api/documents/no-such-doc").status_code == 404


def test_service_description_and_graph_store_reads_agree(
    here: TestClient, there: TestClient
) -> None:
    page = [c.get("/sparql", headers={"Accept": "text/html"}) for c in (here, there)]
    assert page[0].status_code == page[1].status_code == 200
    assert "distinct triples" in page[1].text
    counts = [" ".join(p.text.split("own default graph", 1)[1].split()[:20]) for p in page]
    assert counts[1] == counts[0]  # graphs, triples: the same VoID counts
    dumps = [c.get("/store", headers={"Accept": "application/n-quads"}) for c in (here, there)]
    assert dumps[0].status_code == dumps[1].status_code == 200
    assert len(dumps[1].text.splitlines()) == len(dumps[0].text.splitlines()) > 1000
    graph = "https://w3id.org/policykg/ontology"
    ttl = [c.get("/store", params={"graph": graph}) for c in (here, there)]
    assert ttl[0].status_code == ttl[1].status_code == 200
    parsed = [list(ox.parse(t.content, format=ox.RdfFormat.TURTLE)) for t in ttl]
    assert len(parsed[1]) == len(parsed[0]) > 10
    assert there.head("/store", params={"graph": graph + "/none"}).status_code == 404


def test_the_guard_and_the_time_limit_apply_before_forwarding(there: TestClient) -> None:
    service = "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }"
    assert there.get("/sparql", params={"query": service}).status_code == 403
    nested = "SELECT * WHERE { ?s ?p ?o FILTER EXISTS { SERVICE <http://127.0.0.1:9/> { } } }"
    assert there.get("/sparql", params={"query": nested}).status_code == 403
    bad = there.get("/sparql", params={"query": "ASK { ?s ?p ?o } garbage"})
    assert bad.status_code == 400
    # a query Virtuoso needs seconds for: cut at the request's limit
    slow = ("SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d a <https://w3id.org/policykg/"
            "ontology#Task> FILTER(STRLEN(STR(?c)) + STRLEN(STR(?d)) = 7) }")  # fmt: skip
    started = time.monotonic()
    r = there.get("/sparql", params={"query": slow, "timeout": "1"})
    assert r.status_code == 503 and "time limit" in r.text
    assert time.monotonic() - started < 2.5
    ask = there.get("/sparql", params={"query": "ASK { ?s ?p ?o }"}, headers=JSON)
    assert ask.status_code == 200 and ask.json()["boolean"] is True


def test_writes_are_refused_read_only(there: TestClient) -> None:
    for method, path, kwargs in (
        ("POST", "/sparql", {"data": {"update": "CLEAR ALL"}}),
        ("PUT", "/store", {"params": {"graph": "urn:x"}, "content": b"",
                           "headers": {"Content-Type": "text/turtle"}}),
        ("DELETE", "/store", {"params": {"graph": "urn:x"}}),
    ):  # fmt: skip
        headers = {"Authorization": "Bearer anything", **kwargs.pop("headers", {})}  # type: ignore[dict-item]
        r = there.request(method, path, headers=headers, **kwargs)  # type: ignore[arg-type]
        assert r.status_code == 403, (method, path, r.text)
        assert "remote SPARQL store read-only" in r.text
    # the data is still there
    assert _items(there, "/api/documents")


def test_sighup_drops_the_remote_caches(there: TestClient) -> None:
    reloader = there.app.state.reloader  # type: ignore[attr-defined]
    there.get("/api/analytics/workload")
    there.get("/sparql", headers={"Accept": "text/html"})
    cached = reloader.current
    assert cached.counts is not None and cached.exports
    assert there.portal.call(lambda: reloader.check(adopt=True))  # type: ignore[union-attr]
    fresh = reloader.current
    assert fresh is not cached and fresh.counts is None and not fresh.exports
    assert fresh.store is cached.store  # the same HTTP client, not reopened
    assert there.get("/api/documents").status_code == 200


def test_cli_serve_accepts_a_remote_store(
    remote_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import uvicorn

    import policykg.api.app

    seen: dict[str, Any] = {}
    monkeypatch.setattr(policykg.api.app, "create_app", lambda s: seen.update(settings=s))
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: seen.update(kw))
    result = runner.invoke(cli, ["serve", "--store", remote_url, "--port", "8124"])
    assert result.exit_code == 0, result.output
    assert seen["settings"].store == remote_url
    assert seen["settings"].remote_location() is not None
