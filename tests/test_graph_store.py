"""Graph Store Protocol at /store: reads, token-gated writes, and the 13 W3C GSP tests.

The W3C vectors (``data/w3c_gsp_vectors.json``, from w3c/rdf-tests @ ad541a5
manifest-direct/-indirect, Appendix B of the design notes) address ``/gsp``;
the runner maps that prefix to ``/store``, resets the store before each test,
adds the bearer token to every request (writes are closed by default) and
compares graphs by isomorphism.
"""

from __future__ import annotations

import json
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.compare import isomorphic
from sparql_support import GRAPH_A, TOKEN, TestClient, make_client

VECTORS = json.loads(
    (Path(__file__).parent / "data" / "w3c_gsp_vectors.json").read_text(encoding="utf-8")
)
STATUS = {"OK": {200}, "Created": {201}, "NoContent": {204}, "NotFound": {404}}
STATUS["StatusCode2xx"] = set(range(200, 300))
AUTH = {"Authorization": f"Bearer {TOKEN}"}
TTL = {"Content-Type": "text/turtle; charset=utf-8"}


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    with make_client(tmp_path_factory.mktemp("gsp") / "store", update_token=TOKEN) as c:
        yield c


@pytest.fixture(scope="module")
def read_only(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    with make_client(tmp_path_factory.mktemp("gsp-ro") / "store") as c:
        yield c


def _graph(text: str, fmt: str = "turtle") -> rdflib.Graph:
    return rdflib.Graph().parse(data=text, format=fmt)


@pytest.mark.parametrize("vector", VECTORS, ids=[v["id"] for v in VECTORS])
def test_w3c_graph_store_protocol(client: TestClient, vector: dict[str, Any]) -> None:
    assert client.post("/sparql", data={"update": "DROP ALL"}, headers=AUTH).status_code == 204
    location = ""
    for step in vector["requests"]:
        path = "/store" + step["path"].removeprefix("/gsp")
        path = path.replace("$LOCATION$", urllib.parse.quote(location, safe=""))
        headers = {**step.get("headers", {}), **AUTH}
        body = step.get("body")
        r = client.request(
            step["method"], path, content=body.encode() if body else None, headers=headers
        )
        allowed = set().union(*(STATUS[s] for s in step["expect_status"]))
        assert r.status_code in allowed, (step["method"], path, r.status_code, r.text)
        for name, value in step.get("expect_headers", {}).items():
            assert r.headers[name] == value
        if "capture_location" in step:
            location = r.headers["location"]
        if "expect_graph_turtle" in step:
            assert isomorphic(_graph(r.text), _graph(step["expect_graph_turtle"]))


def test_all_13_vectors_are_present() -> None:
    assert len(VECTORS) == 13


def test_get_named_graph_in_each_format(read_only: TestClient) -> None:
    for accept, fmt in (
        ("text/turtle", "turtle"),
        ("application/n-triples", "nt"),
        ("application/rdf+xml", "xml"),
        ("application/ld+json", "json-ld"),
    ):
        r = read_only.get("/store", params={"graph": GRAPH_A.value}, headers={"Accept": accept})
        assert r.status_code == 200
        assert r.headers["access-control-allow-origin"] == "*"
        assert len(_graph(r.text, fmt)) == 10
    assert read_only.get("/store", params={"graph": "urn:none"}).status_code == 404
    assert read_only.head("/store", params={"graph": "urn:none"}).status_code == 404
    assert read_only.get("/store", params={"graph": "no iri"}).status_code == 400
    refused = read_only.get(
        "/store", params={"graph": GRAPH_A.value}, headers={"Accept": "text/csv"}
    )
    assert refused.status_code == 406


def test_dataset_dump(read_only: TestClient) -> None:
    r = read_only.get("/store")
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/n-quads"
    quads = list(ox.parse(r.content, format=ox.RdfFormat.N_QUADS))
    assert len(quads) == 16
    trig = read_only.get("/store", headers={"Accept": "application/trig"})
    assert trig.headers["content-type"] == "application/trig"


def test_writes_are_closed_by_default(read_only: TestClient) -> None:
    data = b"<urn:a> <urn:b> <urn:c> ."
    for method in ("PUT", "POST", "DELETE"):
        r = read_only.request(
            method, "/store", params={"graph": "urn:g"}, content=data, headers=TTL
        )
        assert r.status_code == 401 and "read-only" in r.text
        r = read_only.request(
            method, "/store", params={"graph": "urn:g"}, content=data, headers={**TTL, **AUTH}
        )
        assert r.status_code == 403 and "read-only" in r.text
    assert read_only.get("/store", params={"graph": "urn:g"}).status_code == 404
    assert read_only.get("/store", params={"graph": GRAPH_A.value}).status_code == 200


def test_writes_need_the_token_and_valid_bodies(client: TestClient) -> None:
    data = b"<urn:a> <urn:b> <urn:c> ."
    assert (
        client.put("/store", params={"graph": "urn:g"}, content=data, headers=TTL).status_code
        == 401
    )
    bad_type = client.put(
        "/store",
        params={"graph": "urn:g"},
        content=data,
        headers={**AUTH, "Content-Type": "text/csv"},
    )
    assert bad_type.status_code == 415
    bad_body = client.put(
        "/store", params={"graph": "urn:g"}, content=b"<urn:a> <urn:b", headers={**AUTH, **TTL}
    )
    assert bad_body.status_code == 400
    both = client.get("/store", params={"graph": "urn:g", "default": ""})
    assert both.status_code == 400
    r = client.put("/store", params={"graph": "urn:g"}, content=data, headers={**AUTH, **TTL})
    assert r.status_code == 201
    ask = client.get(
        "/sparql", params={"query": "ASK { GRAPH <urn:g> { <urn:a> <urn:b> <urn:c> } }"}
    )
    assert ask.json()["boolean"] is True
    # The service description's VoID counts follow writes.
    assert "urn:g" in client.get("/sparql").text


def test_upload_cap_is_413(tmp_path: Path) -> None:
    with make_client(tmp_path / "store", update_token=TOKEN, max_upload_bytes=100) as c:
        big = b"<urn:a> <urn:b> '" + b"x" * 200 + b"' ."
        r = c.put("/store", params={"graph": "urn:g"}, content=big, headers={**AUTH, **TTL})
        assert r.status_code == 413


def test_rdfxml_external_entities_are_not_resolved(client: TestClient, tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-FILE", encoding="utf-8")
    body = (
        '<?xml version="1.0"?>\n'
        f'<!DOCTYPE rdf:RDF [ <!ENTITY xxe SYSTEM "file://{secret}"> ]>\n'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
        'xmlns:ex="http://example.org/">'
        '<rdf:Description rdf:about="http://example.org/s"><ex:p>&xxe;</ex:p>'
        "</rdf:Description></rdf:RDF>"
    )
    r = client.put(
        "/store",
        params={"graph": "urn:xxe"},
        content=body.encode(),
        headers={**AUTH, "Content-Type": "application/rdf+xml"},
    )
    assert r.status_code == 400
    assert "TOP-SECRET" not in r.text
    assert "TOP-SECRET" not in client.get("/store").text


def test_cors_preflight_allows_cross_origin_reads_only(read_only: TestClient) -> None:
    r = read_only.options(
        "/store", headers={"Origin": "https://example.org", "Access-Control-Request-Method": "GET"}
    )
    assert r.status_code == 204
    methods = {"GET", "HEAD", "PUT", "POST", "DELETE", "OPTIONS"}
    assert set(r.headers["allow"].split(", ")) == methods
    assert r.headers["access-control-allow-origin"] == "*"
    assert "PUT" not in r.headers["access-control-allow-methods"]
    assert "authorization" not in r.headers["access-control-allow-headers"].lower()
    assert read_only.get("/store", params={"default": "x"}).status_code == 400
