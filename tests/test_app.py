"""The app behind a real uvicorn on 127.0.0.1: stdlib clients, limits, no outbound requests."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sparql_support import (
    TOKEN,
    fetch,
    probe_server,
    query_url,
    running_server,
    ssrf_vectors,
    values_clause,
)


def heavy_count(n: int) -> str:
    """A COUNT over an n³ cartesian product: pure engine CPU, one result row."""
    return (
        f"SELECT (COUNT(*) AS ?n) WHERE {{ {values_clause('a', n)} {values_clause('b', n)} "
        f"{values_clause('c', n)} }}"
    )


# About a second of engine CPU.
HEAVY_COUNT = heavy_count(250)
MANY_ROWS = (
    f"SELECT * WHERE {{ {values_clause('a', 400)} {values_clause('b', 400)} "
    f"{values_clause('c', 20)} }}"
)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    path = tmp_path_factory.mktemp("server") / "store"
    with running_server(path, update_token=TOKEN, max_rows=3, max_body_bytes=4000) as url:
        yield url


def test_real_server_answers_urllib(server: str) -> None:
    status, headers, body = fetch(query_url(server, "SELECT ?s WHERE { ?s a ?t } LIMIT 2"))
    assert status == 200
    assert headers["content-type"] == "application/sparql-results+json"
    assert len(json.loads(body)["results"]["bindings"]) == 2
    status, headers, body = fetch(f"{server}/sparql", headers={"Accept": "text/turtle"})
    assert status == 200
    assert f"<{server}/sparql>".encode() in body  # absolute sd:endpoint


def test_row_cap_is_signalled_never_silent(server: str) -> None:
    status, headers, body = fetch(query_url(server, "SELECT * WHERE { ?s ?p ?o }"))
    assert status == 200
    data = json.loads(body)
    assert len(data["results"]["bindings"]) == 3
    assert headers["x-sparql-truncated"] == "true"
    assert headers["x-sparql-maxrows"] == "3"
    assert "truncated" in data["warning"]
    status, headers, _ = fetch(query_url(server, "SELECT * WHERE { ?s ?p ?o } LIMIT 3"))
    assert "x-sparql-truncated" not in headers


def test_request_body_cap_is_413(server: str) -> None:
    query = "ASK {} #" + "x" * 5000
    status, _, body = fetch(
        f"{server}/sparql", query.encode(), {"Content-Type": "application/sparql-query"}
    )
    assert status == 413
    assert b"larger than 4000 bytes" in body


def test_timeout_is_503_with_a_message_never_a_cut_200(tmp_path: Path) -> None:
    with running_server(tmp_path / "store") as url:
        start = time.monotonic()
        status, headers, body = fetch(query_url(url, MANY_ROWS, timeout="0.3"))
    assert status == 503
    assert b"time limit" in body
    assert "retry-after" in headers
    assert time.monotonic() - start < 5


def test_heavy_query_does_not_block_a_concurrent_ask(server: str) -> None:
    heavy: dict[str, Any] = {}

    def run_heavy() -> None:
        heavy["result"] = fetch(query_url(server, HEAVY_COUNT))

    thread = threading.Thread(target=run_heavy)
    thread.start()
    time.sleep(0.2)
    latencies: list[float] = []
    while thread.is_alive() and len(latencies) < 20:
        start = time.monotonic()
        status, _, body = fetch(query_url(server, "ASK {}"))
        latencies.append(time.monotonic() - start)
        assert status == 200 and json.loads(body)["boolean"] is True
    thread.join()
    assert heavy["result"][0] == 200
    assert json.loads(heavy["result"][2])["results"]["bindings"][0]["n"]["value"] == str(250**3)
    assert latencies, "the heavy query finished before any ASK was sent"
    latencies.sort()
    assert latencies[int(0.95 * (len(latencies) - 1))] < 0.5


def test_concurrency_cap_is_503_with_retry_after(tmp_path: Path) -> None:
    with running_server(tmp_path / "store", max_concurrency=1, queue_wait=0) as url:
        heavy: dict[str, Any] = {}
        # A few hundred milliseconds of work: enough to occupy the only worker.
        busy = heavy_count(180)
        thread = threading.Thread(target=lambda: heavy.update(r=fetch(query_url(url, busy))))
        thread.start()
        time.sleep(0.2)
        status, headers, body = fetch(query_url(url, "ASK {}"))
        thread.join()
        assert heavy["r"][0] == 200
    assert status == 503
    assert headers["retry-after"] == "2"
    assert b"too many concurrent queries" in body


def test_no_query_or_update_ever_contacts_another_server(server: str) -> None:
    auth = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/sparql-update"}
    with probe_server() as probe:
        remote = probe.url
        # Queries: every live vector (see sparql_support.ssrf_vectors), by GET and POST.
        refused = [(query_url(server, q), None, {}) for q in ssrf_vectors(remote).values()]
        refused += [
            (f"{server}/sparql", q.encode(), {"Content-Type": "application/sparql-query"})
            for q in ssrf_vectors(remote).values()
        ]
        refused += [
            (
                query_url(server, f"SELECT * WHERE {{ \\u0053ERVICE <{remote}> {{ ?s ?p ?o }} }}"),
                None,
                {},
            ),
            (f"{server}/sparql", f"LOAD <{remote}> INTO GRAPH <urn:g>".encode(), auth),
            (
                f"{server}/sparql",
                f"INSERT {{ ?s ?p ?o }} WHERE {{ SERVICE <{remote}> {{ ?s ?p ?o }} }}".encode(),
                auth,
            ),
            (
                f"{server}/sparql",
                (
                    f"INSERT {{ ?s ?p ?o }} WHERE {{ FILTER(1<2)SERVICE#>\n<{remote}> "
                    "{ ?s ?p ?o } }"
                ).encode(),
                auth,
            ),
        ]
        # Dataset IRIs just name (empty) local graphs: answered, never fetched.
        answered = [
            (query_url(server, f"SELECT ?o FROM <{remote}> WHERE {{ ?s ?p ?o }}"), None, {}),
            (
                query_url(
                    server, f"SELECT ?o FROM NAMED <{remote}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}"
                ),
                None,
                {},
            ),
            (query_url(server, f"SELECT ?o WHERE {{ GRAPH <{remote}> {{ ?s ?p ?o }} }}"), None, {}),
            (
                query_url(server, "SELECT ?o WHERE { ?s ?p ?o }", **{"default-graph-uri": remote}),
                None,
                {},
            ),
            (
                query_url(
                    server,
                    "SELECT ?o WHERE { GRAPH ?g { ?s ?p ?o } }",
                    **{"named-graph-uri": remote},
                ),
                None,
                {},
            ),
        ]
        statuses = []
        for url, data, headers in refused + answered:
            status, _, body = fetch(url, data, headers)
            statuses.append(status)
            assert b"TOP-SECRET" not in body
        time.sleep(0.2)
        assert probe.connections == 0
        assert statuses == [403] * len(refused) + [200] * len(answered)


def test_a_short_queue_serves_a_few_parallel_clients(tmp_path: Path) -> None:
    # One worker, a query of a few hundred ms: the ASK waits for the slot
    # (up to queue_wait) instead of being refused at once.
    with running_server(tmp_path / "store", max_concurrency=1, queue_wait=5) as url:
        heavy: dict[str, Any] = {}
        thread = threading.Thread(
            target=lambda: heavy.update(r=fetch(query_url(url, heavy_count(180))))
        )
        thread.start()
        time.sleep(0.2)
        status, _, body = fetch(query_url(url, "ASK {}"))
        thread.join()
    assert heavy["r"][0] == 200
    assert status == 200 and json.loads(body)["boolean"] is True


RUNAWAY = (
    f"SELECT (COUNT(*) AS ?n) WHERE {{ {values_clause('a', 400)} {values_clause('b', 400)} "
    f"{values_clause('c', 400)} }}"
)


def test_with_writes_enabled_timed_out_queries_are_killed_and_rest_stays_up(
    tmp_path: Path,
) -> None:
    with running_server(
        tmp_path / "store", update_token=TOKEN, max_concurrency=3, query_timeout=1.0
    ) as url:
        results: list[tuple[int, dict[str, str], bytes]] = []
        threads = [
            threading.Thread(target=lambda: results.append(fetch(query_url(url, RUNAWAY))))
            for _ in range(3)
        ]
        start = time.monotonic()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert time.monotonic() - start < 4
        assert [r[0] for r in results] == [503, 503, 503]
        assert all(b"worker was stopped" in r[2] for r in results)
        # The killed workers burn no CPU: REST and queries answer at once.
        start = time.monotonic()
        status, _, _ = fetch(f"{url}/api/documents")
        assert status == 200 and time.monotonic() - start < 1.0
        deadline = time.monotonic() + 10
        while (status := fetch(query_url(url, "ASK {}"))[0]) == 503 and time.monotonic() < deadline:
            time.sleep(0.05)  # replacement workers start
        assert status == 200
        # Workers see writes: they reopen the store after each one.
        insert = b"INSERT DATA { GRAPH <urn:g:w> { <urn:a> <urn:b> <urn:c> } }"
        headers = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/sparql-update"}
        assert fetch(f"{url}/sparql", insert, headers)[0] == 204
        for _ in range(6):  # every worker, not just one
            _, _, body = fetch(query_url(url, "ASK { GRAPH <urn:g:w> { <urn:a> ?p ?o } }"))
            assert json.loads(body)["boolean"] is True


def test_a_slow_write_is_answered_when_it_commits_never_503(tmp_path: Path) -> None:
    triples = "".join(f'<urn:s{i}> <urn:p> "value {i}" .\n' for i in range(40_000)).encode()
    headers = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/n-triples"}
    with running_server(
        tmp_path / "store", update_token=TOKEN, query_timeout=0.3, max_upload_bytes=10**8
    ) as url:
        write: dict[str, Any] = {}
        thread = threading.Thread(
            target=lambda: write.update(r=fetch(f"{url}/store?graph=urn:big", triples, headers))
        )
        start = time.monotonic()
        thread.start()
        time.sleep(0.5)
        # Reads stay available while the write holds the worker processes.
        during = []
        while thread.is_alive() and len(during) < 5:
            during.append(fetch(query_url(url, "ASK { ?s ?p ?o }"))[0])
        thread.join()
        took = time.monotonic() - start
        status, _, body = write["r"]
        assert status == 201, body
        assert took > 0.3  # longer than the query timeout, yet no 503
        assert during and set(during) == {200}
        # Committed: first and last triple are there (a cheap check, within 0.3 s).
        for s in ("urn:s0", "urn:s39999"):
            status, _, body = fetch(query_url(url, f"ASK {{ GRAPH <urn:big> {{ <{s}> ?p ?o }} }}"))
            assert status == 200, body
            assert json.loads(body)["boolean"] is True


def test_serve_flags_reach_the_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import uvicorn
    from sparql_support import build_store, sample_quads
    from typer.testing import CliRunner

    import policykg.api.app
    from policykg.api.cli import app as cli
    from policykg.api.settings import Settings

    build_store(tmp_path / "store", sample_quads())
    seen: dict[str, Any] = {}
    monkeypatch.setattr(policykg.api.app, "create_app", lambda s: seen.update(settings=s))
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: seen.update(kw))
    args = ["serve", "--store", str(tmp_path / "store"), "--port", "8123", "--max-rows", "7"]
    args += ["--max-body-bytes", "1234", "--max-upload-bytes", "5678", "--max-concurrency", "3"]
    args += ["--queue-wait", "0.5", "--isolation", "thread", "--unknown-graphs", "reject"]
    result = CliRunner().invoke(cli, [*args, "--timeout", "9"])
    assert result.exit_code == 0, result.output
    settings = seen["settings"]
    assert isinstance(settings, Settings)
    limits = (settings.max_rows, settings.max_body_bytes, settings.max_upload_bytes)
    assert limits == (7, 1234, 5678)
    assert (settings.max_concurrency, settings.queue_wait, settings.query_timeout) == (3, 0.5, 9.0)
    assert (settings.isolation, settings.unknown_graphs) == ("thread", "reject")
    assert seen["host"] == "127.0.0.1" and seen["port"] == 8123
    defaults = CliRunner().invoke(cli, ["serve", "--store", str(tmp_path / "store")])
    assert defaults.exit_code == 0
    assert seen["settings"].unknown_graphs == "empty"
