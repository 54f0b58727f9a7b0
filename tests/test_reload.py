"""api/reload.py: ``policykg serve`` follows the generation a build publishes, without a failure.

In-process tests publish generations made with pyoxigraph directly (fast); the
end-to-end tests run ``policykg serve`` and ``policykg build`` as processes on
127.0.0.1 with a client loop going on all the time.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pyoxigraph as ox
import pytest
from sparql_support import TOKEN, TestClient, build_store, fetch, query_url, serve_app
from virtuoso_support import free_port

from policykg.api.app import create_app
from policykg.api.reload import StoreReloader
from policykg.api.settings import Settings
from policykg.graph.generations import leased, new_generation, publish, remove_stale

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "data" / "corpus"
ID = "https://w3id.org/policykg/id/"
PKG = "https://w3id.org/policykg/ontology#"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
TITLE = ox.NamedNode("http://purl.org/dc/terms/title")
COUNT_DOCS = f"SELECT (COUNT(DISTINCT ?d) AS ?n) WHERE {{ ?d a <{PKG}PolicyDocument> }}"
JSON = {"Accept": "application/sparql-results+json"}


def documents(n: int, tag: str) -> list[ox.Quad]:
    """``n`` policy documents, one named graph each."""
    quads = []
    for i in range(n):
        doc, graph = ox.NamedNode(f"{ID}doc/{tag}-{i}"), ox.NamedNode(f"{ID}graph/{tag}-{i}.txt")
        quads += [
            ox.Quad(doc, RDF_TYPE, ox.NamedNode(PKG + "PolicyDocument"), graph),
            ox.Quad(doc, TITLE, ox.Literal(f"文件 {tag} {i}", language="zh"), graph),
        ]
    return quads


def publish_quads(store: Path, quads: list[ox.Quad]) -> Path:
    """A complete generation beside ``store``, published as a build does."""
    generation = new_generation(store)
    build_store(generation, quads)
    publish(store, generation)
    return generation.absolute()


def sparql_count(get: Callable[..., Any]) -> int:
    r = get("/sparql", params={"query": COUNT_DOCS}, headers=JSON)
    assert r.status_code == 200, r.text
    return int(r.json()["results"]["bindings"][0]["n"]["value"])


def rest_count(get: Callable[..., Any]) -> int:
    r = get("/api/documents", params={"limit": "1000", "include_stubs": "true"})
    assert r.status_code == 200, r.text
    return len(r.json()["items"])


def void_triples(client: TestClient) -> str:
    r = client.get("/sparql", headers={"Accept": "application/n-triples"})
    assert r.status_code == 200
    line = next(x for x in r.text.splitlines() if "void#triples" in x and "/sparql" not in x[:60])
    return line


def wait_for(check: Callable[[], bool], seconds: float = 15.0) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def reloader_of(client: TestClient) -> StoreReloader:
    reloader = client.app.state.reloader  # type: ignore[attr-defined]
    assert isinstance(reloader, StoreReloader)
    return reloader


# ------------------------------------------------------------------ in process


def test_a_published_generation_is_served_with_fresh_caches(tmp_path: Path) -> None:
    store = tmp_path / "store"
    first = publish_quads(store, documents(2, "a"))
    settings = Settings(store=store, max_concurrency=1, reload_interval=0.05)
    with TestClient(create_app(settings)) as client:
        assert (sparql_count(client.get), rest_count(client.get)) == (2, 2)
        counted = void_triples(client)  # cached from now on
        old = reloader_of(client).current
        assert old.generation == first and first in leased()
        second = publish_quads(store, documents(3, "b"))
        wait_for(lambda: sparql_count(client.get) == 3)
        assert rest_count(client.get) == 3  # the REST routes moved with /sparql
        assert void_triples(client) != counted  # the service description's counts too
        services = reloader_of(client).current
        assert services.generation == second and services is not old
        assert old.retired and reloader_of(client).swaps == 1
        # the old generation is let go once idle: its workers stop, the next build removes it
        wait_for(lambda: first not in leased())
        assert old.query_pool is not None and old.query_pool._closed
        assert remove_stale(store) == [first]
        assert sparql_count(client.get) == 3


def test_a_request_running_during_the_swap_finishes_on_the_old_store(tmp_path: Path) -> None:
    store = tmp_path / "store"
    first = publish_quads(store, documents(2, "a"))
    # counts documents × 7 M combinations (a second or so): long enough to span the swap
    values = " ".join(f"VALUES ?{v} {{ {' '.join(map(str, range(190)))} }}" for v in "xyz")
    slow = f"SELECT (COUNT(*) AS ?n) WHERE {{ ?d a <{PKG}PolicyDocument> . {values} }}"
    app = create_app(Settings(store=store, max_concurrency=1, reload_interval=0.05))
    with serve_app(app) as url:
        result: dict[str, Any] = {}
        running = threading.Thread(target=lambda: result.update(r=fetch(query_url(url, slow))))
        running.start()
        time.sleep(0.3)
        second = publish_quads(store, documents(3, "b"))
        reloader: StoreReloader = app.state.reloader
        wait_for(lambda: reloader.current.generation == second)
        # a new request reads the new store, on the new workers, while the old one still runs
        assert sparql_count(lambda p, **kw: httpx.get(url + p, **kw)) == 3
        swapped_while_running = running.is_alive()
        running.join(60)
        wait_for(lambda: first not in leased())
    status, _, body = result["r"]
    assert status == 200, body
    assert swapped_while_running, "the slow query ended before the swap: make it slower"
    n = int(json.loads(body)["results"]["bindings"][0]["n"]["value"])
    assert n == 2 * 190**3  # the old store's two documents


def test_a_respawned_worker_reads_the_generation_the_rest_routes_read(tmp_path: Path) -> None:
    # Workers open the generation's directory, not the link: one killed at its
    # deadline and respawned after a build (not yet adopted) reads the old store too.
    store = tmp_path / "store"
    publish_quads(store, documents(2, "a"))
    runaway = "SELECT (COUNT(*) AS ?n) WHERE { " + " ".join(
        f"VALUES ?{v} {{ {' '.join(map(str, range(400)))} }}" for v in "abc"
    ) + " }"
    settings = Settings(store=store, max_concurrency=1, reload_interval=0)
    with TestClient(create_app(settings)) as client:
        pool = reloader_of(client).current.query_pool
        assert pool is not None
        before = {w.process.pid for w in pool._workers}
        publish_quads(store, documents(3, "b"))
        cut = client.get("/sparql", params={"query": runaway, "timeout": "0.3"})
        assert cut.status_code == 503
        wait_for(lambda: bool(pool._workers) and {w.process.pid for w in pool._workers} != before)
        wait_for(lambda: pool.idle == 1)
        assert (sparql_count(client.get), rest_count(client.get)) == (2, 2)


def test_a_writable_server_refuses_writes_after_a_rebuild_until_sighup(tmp_path: Path) -> None:
    store = tmp_path / "store"
    first = publish_quads(store, documents(2, "a"))
    settings = Settings(
        store=store, update_token=TOKEN, isolation="thread", max_concurrency=2, reload_interval=0.05
    )
    auth = {"Authorization": f"Bearer {TOKEN}"}
    new_doc = f"<{ID}doc/new> a <{PKG}PolicyDocument>"
    insert = f"INSERT DATA {{ GRAPH <{ID}graph/new.txt> {{ {new_doc} }} }}"
    with TestClient(create_app(settings)) as client:
        reloader = reloader_of(client)
        second = publish_quads(store, documents(3, "b"))
        wait_for(lambda: reloader.current.superseded == second)
        refused = client.post("/sparql", data={"update": insert}, headers=auth)
        assert refused.status_code == 409
        assert "SIGHUP" in refused.text and second.name in refused.text
        assert sparql_count(client.get) == 2  # reads go on from the store it has
        client.portal.call(reloader.poke)  # what SIGHUP does  # type: ignore[union-attr]
        wait_for(lambda: sparql_count(client.get) == 3)
        assert reloader.current.generation == second and reloader.current.superseded is None
        applied = client.post("/sparql", data={"update": insert}, headers=auth)
        assert applied.status_code == 204, applied.text
        assert sparql_count(client.get) == 4
        wait_for(lambda: first not in leased())
    # the write went to the published generation
    reopened = ox.Store.read_only(str(second))
    assert len(list(reopened.quads_for_pattern(ox.NamedNode(f"{ID}doc/new"), None, None))) == 1


def test_a_store_path_that_disappears_keeps_the_last_store(tmp_path: Path) -> None:
    store = tmp_path / "store"
    publish_quads(store, documents(2, "a"))
    settings = Settings(store=store, isolation="thread", reload_interval=0.05)
    with TestClient(create_app(settings)) as c:
        store.unlink()
        time.sleep(0.3)
        assert sparql_count(c.get) == 2
        publish_quads(store, documents(1, "b"))
        wait_for(lambda: sparql_count(c.get) == 1)


# ------------------------------------------------------------------ policykg serve, for real


def _serve(store: Path, log: Path, *args: str) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    cmd = [sys.executable, "-m", "policykg.api.cli", "serve", "--store", str(store),
           "--host", "127.0.0.1", "--port", str(port), "--max-concurrency", "2", *args]  # fmt: skip
    with log.open("wb") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=out)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        assert proc.poll() is None, log.read_text()
        assert time.monotonic() < deadline, log.read_text()
        try:
            if httpx.get(url + "/sparql", params={"query": "ASK {}"}, timeout=5).status_code == 200:
                return proc, url
        except httpx.HTTPError:
            pass
        time.sleep(0.1)


@pytest.fixture()
def server_process() -> Iterator[list[subprocess.Popen[bytes]]]:
    procs: list[subprocess.Popen[bytes]] = []
    yield procs
    for proc in procs:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


class ClientLoop:
    """Threads sending SPARQL, REST and README queries back to back; every answer recorded."""

    def __init__(self, url: str) -> None:
        from policykg.graph.queries import EXAMPLE_QUERIES

        self.url = url
        self.stop = threading.Event()
        self.failures: list[str] = []
        self.seen: dict[str, list[int]] = {"sparql": [], "rest": []}
        self.requests = 0
        self.workload = EXAMPLE_QUERIES["workload"]
        self.threads = [threading.Thread(target=self._run, args=(kind,)) for kind in
                        ("sparql", "rest", "readme")]  # fmt: skip

    def _run(self, kind: str) -> None:
        with httpx.Client(base_url=self.url, timeout=30) as client:
            while not self.stop.is_set():
                try:
                    if kind == "readme":
                        r = client.get("/sparql", params={"query": self.workload}, headers=JSON)
                        ok = r.status_code == 200
                    else:
                        count = sparql_count if kind == "sparql" else rest_count
                        value = count(client.get)
                        if not self.seen[kind] or self.seen[kind][-1] != value:
                            self.seen[kind].append(value)
                        ok = True
                except (AssertionError, httpx.HTTPError) as exc:
                    ok, r = False, exc  # type: ignore[assignment]
                self.requests += 1
                if not ok:
                    self.failures.append(f"{kind}: {str(r)[:300]}")

    def __enter__(self) -> ClientLoop:
        for t in self.threads:
            t.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        for t in self.threads:
            t.join(60)


def _policykg(*args: str) -> None:
    result = subprocess.run([sys.executable, "-m", "policykg.api.cli", *args],
                            capture_output=True, text=True, check=False)  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]


def _documents_in(store: Path) -> int:
    from policykg.graph.store import current_generation

    generation = current_generation(store)
    assert generation is not None
    db = ox.Store.read_only(str(generation))
    return sparql_count_store(db)


def sparql_count_store(db: ox.Store) -> int:
    rows = db.query(COUNT_DOCS, use_default_graph_as_union=True)
    assert isinstance(rows, ox.QuerySolutions)
    return int(next(iter(rows))["n"].value)  # type: ignore[union-attr]


def test_serve_follows_builds_and_updates_with_zero_failed_requests(
    tmp_path: Path, server_process: list[subprocess.Popen[bytes]]
) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    files = sorted(CORPUS.glob("*.txt"))
    for f in files[:3]:
        shutil.copy(f, corpus / f.name)
    store = tmp_path / "var" / "store"
    _policykg("build", str(corpus), "--store", str(store))
    expected = [_documents_in(store)]
    proc, url = _serve(store, tmp_path / "serve.log")
    server_process.append(proc)
    with ClientLoop(url) as loop:
        time.sleep(0.5)
        for f in files[3:]:  # full build: more files
            shutil.copy(f, corpus / f.name)
        _policykg("build", str(corpus), "--store", str(store))
        expected.append(_documents_in(store))
        wait_for(lambda: loop.seen["sparql"][-1:] == expected[-1:] == loop.seen["rest"][-1:])
        (corpus / files[0].name).unlink()  # incremental: a file removed
        _policykg("build", str(corpus), "--store", str(store), "--update")
        expected.append(_documents_in(store))
        wait_for(lambda: loop.seen["sparql"][-1:] == expected[-1:] == loop.seen["rest"][-1:])
        time.sleep(0.3)
    assert not loop.failures, loop.failures[:5]
    assert loop.requests > 20
    assert len(set(expected)) == 3, expected  # each build changed what is served
    # both the SPARQL endpoint and the REST routes went through every store, in order
    assert loop.seen["sparql"] == expected and loop.seen["rest"] == expected
    assert proc.poll() is None
    # the superseded generations were released: all but the published one can go
    removed = remove_stale(store)
    generations = [p for p in store.parent.iterdir() if p.name.startswith(".store.gen-")]
    assert len(generations) == 1, (generations, removed)


def test_sighup_reloads_at_once_and_does_not_stop_the_server(
    tmp_path: Path, server_process: list[subprocess.Popen[bytes]]
) -> None:
    store = tmp_path / "store"
    publish_quads(store, documents(2, "a"))
    log = tmp_path / "serve.log"
    proc, url = _serve(store, log, "--reload-interval", "0", "--isolation", "thread")
    server_process.append(proc)

    def count() -> int:
        return sparql_count(lambda p, **kw: httpx.get(url + p, **kw))

    os.kill(proc.pid, signal.SIGHUP)  # nothing new: a no-op
    time.sleep(0.3)
    assert proc.poll() is None and count() == 2
    publish_quads(store, documents(3, "b"))
    time.sleep(1.5)
    assert count() == 2  # no polling with --reload-interval 0
    os.kill(proc.pid, signal.SIGHUP)
    wait_for(lambda: count() == 3, 10)
    os.kill(proc.pid, signal.SIGHUP)
    os.kill(proc.pid, signal.SIGHUP)
    time.sleep(0.3)
    assert proc.poll() is None and count() == 3 and rest_count(
        lambda p, **kw: httpx.get(url + p, **kw)
    ) == 3
