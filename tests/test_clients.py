"""Real SPARQL clients against a running server: SPARQLWrapper, rdflib SPARQLStore, roqet."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator

import pytest
import rdflib
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from sparql_support import running_server

SPARQLWrapper = pytest.importorskip("SPARQLWrapper")

SELECT = (
    "PREFIX dct: <http://purl.org/dc/terms/> "
    "SELECT ?doc ?title WHERE { ?doc dct:title ?title } ORDER BY ?doc"
)
CONSTRUCT = (
    "PREFIX dct: <http://purl.org/dc/terms/> "
    "CONSTRUCT { ?doc dct:title ?title } WHERE { ?doc dct:title ?title }"
)
EXPECTED = [
    ("https://w3id.org/policykg/id/doc/a", "示例市关于加快建设知识产权强市的实施意见"),
    ("https://w3id.org/policykg/id/doc/b", "示例市知识产权运营工作方案"),
]


@pytest.fixture(scope="module")
def endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with running_server(tmp_path_factory.mktemp("clients") / "store") as url:
        yield f"{url}/sparql"


@pytest.mark.parametrize("method", ["GET", "POST"])
@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_sparqlwrapper(endpoint: str, method: str, fmt: str) -> None:
    client = SPARQLWrapper.SPARQLWrapper(endpoint)
    client.setQuery(SELECT)
    client.setMethod(method)
    client.setReturnFormat(fmt)
    result = client.query().convert()
    if fmt == "json":
        rows = [(b["doc"]["value"], b["title"]["value"]) for b in result["results"]["bindings"]]
    else:
        rows = [
            (
                r.getElementsByTagName("uri")[0].firstChild.data,
                r.getElementsByTagName("literal")[0].firstChild.data,
            )
            for r in result.getElementsByTagName("result")
        ]
    assert rows == EXPECTED


def test_sparqlwrapper_construct_turtle(endpoint: str) -> None:
    client = SPARQLWrapper.SPARQLWrapper(endpoint)
    client.setQuery(CONSTRUCT)
    client.setReturnFormat("turtle")
    data = client.query().convert()
    graph = rdflib.Graph().parse(data=data, format="turtle")
    assert sorted((str(s), str(o)) for s, _, o in graph) == EXPECTED


def test_rdflib_sparqlstore_select_and_construct_round_trip(endpoint: str) -> None:
    as_json = rdflib.Graph(store=SPARQLStore(endpoint, returnFormat="json"))
    rows = [(str(r[0]), str(r[1])) for r in as_json.query(SELECT)]  # type: ignore[index]
    assert rows == EXPECTED
    # The default store accepts SPARQL XML and RDF/XML, so CONSTRUCT gets RDF/XML.
    graph = rdflib.Graph(store=SPARQLStore(endpoint))
    assert [(str(r[0]), str(r[1])) for r in graph.query(SELECT)] == EXPECTED  # type: ignore[index]
    constructed = graph.query(CONSTRUCT).graph
    assert constructed is not None
    assert sorted((str(s), str(o)) for s, _, o in constructed) == EXPECTED


@pytest.mark.skipif(
    shutil.which("roqet") is None, reason="roqet (Debian rasqal-utils) not installed"
)
def test_roqet(endpoint: str) -> None:
    out = subprocess.run(
        ["roqet", "-p", endpoint, "-e", SELECT, "-r", "csv", "-q"],
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    lines = [line for line in out.stdout.splitlines() if line.strip()]
    assert lines[0].strip() == "doc,title"
    assert [tuple(line.split(",", 1)) for line in lines[1:]] == EXPECTED
