"""Helpers for the HTTP tests: small on-disk stores, in-process clients, a real server.

Stores are written with pyoxigraph directly (plus the policykg marker file),
so the endpoint tests do not depend on the extractor.
"""

from __future__ import annotations

import http.server
import json
import socket
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import warnings
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import uvicorn

from policykg.api.app import create_app
from policykg.api.settings import Settings
from policykg.graph.store import MARKER

with warnings.catch_warnings():
    # Starlette suggests another httpx package; the bundled TestClient is fine here.
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

ID = "https://w3id.org/policykg/id/"
PKG = "https://w3id.org/policykg/ontology#"
DCT = "http://purl.org/dc/terms/"
RDFS_LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
GRAPH_A = ox.NamedNode(ID + "graph/a.txt")
GRAPH_B = ox.NamedNode(ID + "graph/b.txt")
TOKEN = "s3cret-token"


def _n(local: str) -> ox.NamedNode:
    return ox.NamedNode(ID + local)


def sample_quads() -> list[ox.Quad]:
    """Two documents in two named graphs, with tasks and responsible bodies."""
    quads = []
    for graph, doc, title, bodies in (
        (GRAPH_A, "doc/a", "示例市关于加快建设知识产权强市的实施意见", ["科技局", "财政局"]),
        (GRAPH_B, "doc/b", "示例市知识产权运营工作方案", ["科技局"]),
    ):
        d = _n(doc)
        quads += [
            ox.Quad(d, RDF_TYPE, ox.NamedNode(PKG + "PolicyDocument"), graph),
            ox.Quad(d, ox.NamedNode(DCT + "title"), ox.Literal(title, language="zh"), graph),
        ]
        for i, body in enumerate(bodies):
            task = _n(f"{doc}/task/{i}")
            org = _n(f"body/{body}")
            quads += [
                ox.Quad(task, RDF_TYPE, ox.NamedNode(PKG + "Task"), graph),
                ox.Quad(task, ox.NamedNode(PKG + "isPartOf"), d, graph),
                ox.Quad(org, ox.NamedNode(PKG + "responsibleFor"), task, graph),
                ox.Quad(org, RDFS_LABEL, ox.Literal(body), graph),
            ]
    return quads


def build_store(path: Path, quads: Iterable[ox.Quad] = ()) -> Path:
    """Write ``quads`` into a new on-disk store at ``path`` with the policykg marker."""
    store = ox.Store(str(path))
    store.extend(list(quads))
    store.flush()
    del store  # release the RocksDB lock before the app opens the directory
    (path / MARKER).write_text(json.dumps({"policykg_store": 1}), encoding="utf-8")
    return path


@contextmanager
def make_client(
    path: Path, quads: Iterable[ox.Quad] | None = None, **settings: Any
) -> Iterator[TestClient]:
    """An in-process client for an app over a fresh store (lifespan run)."""
    # Two query workers are plenty for sequential tests and start twice as fast.
    settings.setdefault("max_concurrency", 2)
    build_store(path, sample_quads() if quads is None else quads)
    app = create_app(Settings(store=path, **settings))
    with TestClient(app) as client:
        yield client


@contextmanager
def running_server(
    path: Path, quads: Iterable[ox.Quad] | None = None, **settings: Any
) -> Iterator[str]:
    """A real uvicorn server on 127.0.0.1 (ephemeral port); yields its base URL."""
    settings.setdefault("max_concurrency", 2)
    build_store(path, sample_quads() if quads is None else quads)
    with serve_app(create_app(Settings(store=path, **settings))) as url:
        yield url


@contextmanager
def serve_app(app: Any) -> Iterator[str]:
    """Run an ASGI app under uvicorn on 127.0.0.1 (ephemeral port); yield its base URL."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(app, log_level="warning", lifespan="on")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 10
        while not server.started:
            if time.monotonic() > deadline or not thread.is_alive():
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.02)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


def values_clause(var: str, n: int) -> str:
    """``VALUES ?var { 0 1 … n-1 }``: building block for CPU-heavy test queries."""
    return f"VALUES ?{var} {{ {' '.join(map(str, range(n)))} }}"


def fetch(
    url: str, data: bytes | None = None, headers: dict[str, str] | None = None
) -> tuple[int, dict[str, str], bytes]:
    """Plain urllib request: status, lower-cased headers, body (errors included)."""
    request = urllib.request.Request(url, data=data, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            headers = {k.lower(): v for k, v in response.headers.items()}
            return response.status, headers, response.read()
    except urllib.error.HTTPError as err:
        return err.code, {k.lower(): v for k, v in err.headers.items()}, err.read()


def query_url(base: str, query: str, **params: str) -> str:
    """``base/sparql?query=…&…``."""
    return f"{base}/sparql?" + urllib.parse.urlencode({"query": query, **params})


class _ProbeHandler(http.server.BaseHTTPRequestHandler):
    """Answers anything with one SPARQL JSON row (or a Turtle triple) marked LEAK."""

    def do_GET(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        if length:
            self.rfile.read(length)
        if "sparql" in (self.headers.get("accept") or "") or self.command == "POST":
            row = b'{"s":{"type":"literal","value":"TOP-SECRET"}}'
            body = b'{"head":{"vars":["s"]},"results":{"bindings":[' + row + b"]}}"
            media = "application/sparql-results+json"
        else:
            body = b"<urn:s> <urn:p> 'TOP-SECRET' ."
            media = "text/turtle"
        self.send_response(200)
        self.send_header("Content-Type", media)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_POST = do_GET

    def log_message(self, format: str, *args: Any) -> None:
        pass


class Probe:
    """A loopback HTTP server that counts every TCP connection it accepts."""

    def __init__(self) -> None:
        probe = self

        class Server(http.server.ThreadingHTTPServer):
            def verify_request(self, request: Any, client_address: Any) -> bool:
                probe.connections += 1
                return True

        self.connections = 0
        self.server = Server(("127.0.0.1", 0), _ProbeHandler)
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}/secret"


@contextmanager
def probe_server() -> Iterator[Probe]:
    """Run a :class:`Probe` for the duration of the block."""
    probe = Probe()
    thread = threading.Thread(target=probe.server.serve_forever, daemon=True)
    thread.start()
    try:
        yield probe
    finally:
        probe.server.shutdown()
        probe.server.server_close()


def ssrf_vectors(url: str) -> dict[str, str]:
    """Queries that make an unguarded pyoxigraph contact ``url`` (each one checked live).

    ``url`` must be ``http://127.0.0.1:PORT/path``.
    """
    port = url.split(":")[2].split("/")[0]
    host = f"http://127.0.0.1:{port}/"
    pattern = "{ ?s ?p ?o }"
    return {
        "plain": f"SELECT ?s WHERE {{ SERVICE <{url}> {pattern} }}",
        # "<" is less-than here; a lexer reading <2)SERVICE#> as an IRI misses it.
        "less_than_comment": f"SELECT ?s WHERE {{ FILTER(1<2)SERVICE#>\n<{url}> {pattern} }}",
        "less_equal_comment": f"SELECT ?s WHERE {{ FILTER(1<=2)SERVICE#>\n<{url}> {pattern} }}",
        "silent": f"SELECT ?s WHERE {{ SERVICE SILENT <{url}> {pattern} }}",
        "lower_case": f"select ?s where {{ service <{url}> {pattern} }}",
        # Oxigraph ends a comment at CR; rdflib only at LF.
        "cr_ends_comment": f"SELECT ?s WHERE {{ #x\rSERVICE <{url}> {pattern} }}",
        # Oxigraph reads \\u0027 inside a string as a quote character, not as the
        # end of the string; pre-decoding every escape would hide SERVICE.
        "escaped_quote_strings": (
            f"SELECT ?s WHERE {{ BIND('\\u0027' AS ?z) SERVICE <{url}> {pattern} "
            "BIND('\\u0027' AS ?y) }"
        ),
        "escaped_iri": f"SELECT ?s WHERE {{ SERVICE <http\\u003A//127.0.0.1:{port}/x> {pattern} }}",
        "base_relative": f"BASE <{url}> SELECT ?s WHERE {{ SERVICE <> {pattern} }}",
        "prefixed_name": f"PREFIX r: <{host}> SELECT ?s WHERE {{ SERVICE r:x {pattern} }}",
        "subquery": f"SELECT ?s WHERE {{ {{ SELECT ?s WHERE {{ SERVICE <{url}> {pattern} }} }} }}",
        "optional_union": (
            f"SELECT ?s WHERE {{ {{ BIND(1 AS ?x) }} UNION {{ OPTIONAL {{ SERVICE <{url}> "
            f"{pattern} }} }} }}"
        ),
        "less_than_in_select": (
            f"SELECT (1<2 AS ?t) ?s WHERE {{ FILTER(?t<3)SERVICE#>\n<{url}> {pattern} }}"
        ),
    }
