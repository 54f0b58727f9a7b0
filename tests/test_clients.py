"""Real SPARQL clients against a running server: SPARQLWrapper, rdflib SPARQLStore,
roqet (Debian rasqal-utils) and Comunica (npm @comunica/query-sparql, run by node).

Comunica is installed with npm, pinned, into a cache directory outside the
repository (``$POLICYKG_NODE_CACHE``, default ``~/.cache/policykg``); the test
skips only when npm cannot reach its registry.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

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
ASK = "PREFIX dct: <http://purl.org/dc/terms/> ASK { ?doc dct:title ?title }"
# Comunica 5.x needs node >= 22; 4.5.0 runs on the node 20 of Debian.
COMUNICA = "@comunica/query-sparql@4.5.0"
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


@pytest.mark.skipif(
    shutil.which("roqet") is None, reason="roqet (Debian rasqal-utils) not installed"
)
def test_roqet_construct_is_served_rdf_xml(endpoint: str) -> None:
    # roqet sends "Accept: application/sparql-results+xml" for every query
    # form; a CONSTRUCT used to get 406.  It now gets RDF/XML (roqet exits 0;
    # with a 406 it exits 1 with "Resolving URI failed with HTTP status").
    # rasqal 0.9.33 then reads any protocol response as SPARQL XML results, so
    # the triples themselves cannot be checked through roqet.
    out = subprocess.run(
        ["roqet", "-p", endpoint, "-e", CONSTRUCT, "-q"],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert out.returncode == 0, out.stderr
    assert "HTTP status" not in out.stderr
    assert "RDF" in out.stderr  # the RDF/XML root element reached roqet


def _comunica_modules() -> Path:
    cache = Path(os.environ.get("POLICYKG_NODE_CACHE", Path.home() / ".cache" / "policykg"))
    prefix = cache / ("comunica-" + COMUNICA.rsplit("@", 1)[1])
    modules = prefix / "node_modules"
    if (modules / "@comunica" / "query-sparql" / "package.json").is_file():
        return modules
    for tool in ("node", "npm"):
        if shutil.which(tool) is None:
            pytest.fail(f"{tool} is not installed: run `make system-deps` (Debian nodejs npm)")
    prefix.mkdir(parents=True, exist_ok=True)
    install = subprocess.run(
        ["npm", "install", "--prefix", str(prefix), "--no-audit", "--no-fund", COMUNICA],
        capture_output=True,
        text=True,
        timeout=600,
    )
    if install.returncode != 0:
        ping = subprocess.run(["npm", "ping"], capture_output=True, text=True, timeout=60)
        if ping.returncode != 0:
            reason = ping.stderr[-300:]
            pytest.skip(f"npm cannot reach its registry to install {COMUNICA}: {reason}")
        pytest.fail(f"npm install {COMUNICA} failed:\n{install.stderr[-2000:]}")
    return modules


def test_comunica(endpoint: str) -> None:
    modules = _comunica_modules()
    script = Path(__file__).parent / "clients" / "comunica_query.js"
    out = subprocess.run(
        ["node", str(script), endpoint, SELECT, ASK, CONSTRUCT],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "NODE_PATH": str(modules)},
    )
    assert out.returncode == 0, out.stderr[-3000:]
    result = json.loads(out.stdout)
    # The same rows SPARQLWrapper gets (see test_sparqlwrapper).
    assert [(r["doc"], r["title"]) for r in result["select"]] == EXPECTED
    assert result["ask"] is True
    assert sorted((s, o) for s, _, o in result["construct"]) == EXPECTED
