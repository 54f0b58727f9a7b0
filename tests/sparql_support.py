"""Helpers for the HTTP tests: small on-disk stores, in-process clients, a real server.

Stores are written with pyoxigraph directly (plus the policykg marker file),
so the endpoint tests do not depend on the extractor.
"""

from __future__ import annotations

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
