"""W3C SPARQL 1.1 Protocol conformance: the 34 tests of ``sparql11/protocol/manifest.ttl``.

Vectors (``data/w3c_protocol_vectors.json``) come from w3c/rdf-tests @ ad541a5,
as listed in the design notes (Appendix A): paths are relative to the
endpoint and already percent-encoded, no request carries an Accept header,
and some carry no Content-Type at all.  Before each test the store is reset
and the listed graphs are preloaded from ``dataN.nt`` (one triple each).

The endpoint is closed for writes by default, so the app runs with an update
token and the runner sends ``Authorization: Bearer`` on every request (the
manifest cannot know about it); every other header is as the manifest says.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pyoxigraph as ox
import pytest
from sparql_support import TOKEN, TestClient, make_client

VECTORS = json.loads(
    (Path(__file__).parent / "data" / "w3c_protocol_vectors.json").read_text(encoding="utf-8")
)
FOAF_DOCUMENT = ox.NamedNode("http://xmlns.com/foaf/0.1/Document")
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
BOOLEAN_TYPES = {"application/sparql-results+json", "application/sparql-results+xml"}
TABULAR_TYPES = BOOLEAN_TYPES | {"text/csv", "text/tab-separated-values"}
RDF_TYPES = {"application/rdf+xml", "text/turtle", "application/n-triples", "application/xhtml+xml"}


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    with make_client(tmp_path_factory.mktemp("w3c") / "store", quads=[], update_token=TOKEN) as c:
        # The manifest's requests carry no Accept header; httpx adds */* by default.
        c.headers.pop("accept", None)
        yield c


def _reset(client: TestClient, preload: list[str]) -> None:
    # Through the protocol, like any writer: the query workers must let go of
    # the store and reopen it after the write.
    data = " ".join(f"GRAPH <{iri}> {{ <{iri}> {RDF_TYPE} {FOAF_DOCUMENT} }}" for iri in preload)
    update = "DROP ALL" + (f" ; INSERT DATA {{ {data} }}" if data else "")
    r = client.post(
        "/sparql",
        content=update.encode(),
        headers={"Content-Type": "application/sparql-update", "Authorization": f"Bearer {TOKEN}"},
    )
    assert r.status_code == 204, r.text


def _status_ok(status: int, classes: list[str]) -> bool:
    return any(status // 100 == int(c[0]) for c in classes)


def _boolean(response: Any) -> bool:
    media = response.headers["content-type"].split(";")[0]
    if media == "application/sparql-results+json":
        value = json.loads(response.content)["boolean"]
        assert isinstance(value, bool)
        return value
    root = ElementTree.fromstring(response.content)
    element = root.find("{http://www.w3.org/2005/sparql-results#}boolean")
    assert element is not None
    return element.text == "true"


@pytest.mark.parametrize("vector", VECTORS, ids=[v["id"] for v in VECTORS])
def test_protocol(client: TestClient, vector: dict[str, Any]) -> None:
    _reset(client, vector.get("preload", []))
    for step in vector["requests"]:
        headers = {"Authorization": f"Bearer {TOKEN}"}
        if "content_type" in step:
            headers["Content-Type"] = step["content_type"]
        body = step.get("body")
        content = body.encode(step.get("body_encoding", "utf-8")) if body is not None else None
        r = client.request(
            step["method"], "/sparql" + step["path"], content=content, headers=headers
        )
        assert _status_ok(r.status_code, step["expect_status"]), (r.status_code, r.text)
        fmt = step.get("expect_format")
        if fmt is None:
            continue
        media = r.headers["content-type"].split(";")[0].strip()
        allowed = {"boolean": BOOLEAN_TYPES, "tabular": TABULAR_TYPES, "RDF": RDF_TYPES}[fmt]
        assert media in allowed
        if fmt == "boolean":
            assert _boolean(r) is step.get("expect_boolean", _boolean(r))


def test_all_34_vectors_are_present() -> None:
    assert len(VECTORS) == 34
