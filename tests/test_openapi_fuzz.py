"""Fuzzing a running server: schemathesis over the OpenAPI document, then raw bytes.

The operations are driven directly with Hypothesis (schemathesis' pytest
plugin does not support the pytest version used here).  Every generated
request is validated with schemathesis' default checks (no 5xx, documented
status codes, content types and headers, response schemas), in the default
``process`` isolation.  The CLI equivalent is ``schemathesis run
URL/openapi.json --checks all`` (see ``schemathesis.toml`` for the two
protocol rules OpenAPI cannot express).  Then /sparql gets random bytes,
near-megabyte queries and deep nesting: always a 4xx, and the server lives.
"""

from __future__ import annotations

import socket
import urllib.parse
import warnings
from collections.abc import Iterator
from typing import Any

import pytest
from graph_samples import sample_results
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sparql_support import fetch, query_url, serve_app

from policykg.api.app import create_app
from policykg.api.settings import Settings
from policykg.graph.store import build_store

schemathesis = pytest.importorskip("schemathesis")

MAX_BODY = 1_000_000


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    path = tmp_path_factory.mktemp("fuzz") / "store"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        build_store(sample_results(), path)
    app = create_app(Settings(store=path, max_concurrency=2, max_body_bytes=MAX_BODY))
    with serve_app(app) as url:
        yield url


def _alive(base_url: str) -> None:
    status, _, body = fetch(query_url(base_url, "ASK {}"))
    assert status == 200 and b"true" in body


def test_no_generated_request_fails_a_schemathesis_check(base_url: str) -> None:
    schema = schemathesis.openapi.from_url(f"{base_url}/openapi.json")
    failures: list[str] = []
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 14

    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=40,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def check(case: Any) -> None:
            response = case.call(base_url=base_url)
            if response.status_code >= 500:
                failures.append(f"{case.method} {case.formatted_path}: {response.status_code}")
            try:
                case.validate_response(response)
            except AssertionError as exc:  # schemathesis' FailureGroup
                failures.append(f"{case.method} {case.formatted_path}: {str(exc)[:300]}")

        check()
    assert failures == []
    _alive(base_url)


def _post(base_url: str, body: bytes, media: str = "application/sparql-query") -> int:
    status, _, _ = fetch(f"{base_url}/sparql", body, {"Content-Type": media})
    return status


@settings(max_examples=60, deadline=None, derandomize=True, database=None)
@given(body=st.binary(max_size=2000))
def test_random_bytes_are_4xx(base_url: str, body: bytes) -> None:
    for media in ("application/sparql-query", "application/x-www-form-urlencoded"):
        status = _post(base_url, body, media)
        assert 400 <= status < 500 or status == 200, (media, body[:80], status)
    # As a GET parameter too (percent-encoded bytes, decoded leniently).
    status, _, _ = fetch(f"{base_url}/sparql?query=" + urllib.parse.quote(body))
    assert 400 <= status < 500 or status == 200


def test_huge_and_deeply_nested_queries_are_4xx_and_the_server_lives(base_url: str) -> None:
    just_under = MAX_BODY - 100
    # Over the body cap: 413 from the declared length, before the body is read.
    host, port = base_url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(
            b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
            + f"Content-Length: {MAX_BODY + 1}\r\n\r\n".encode()
            + b"ASK {} #"
        )
        assert sock.recv(100).startswith(b"HTTP/1.1 413")
    cases = [
        # Just under the cap: a long flat query that does not parse.
        ("SELECT * WHERE { " + "?s ?p ?o . " * (just_under // 11)).encode()[:just_under],
        # A near-megabyte comment mentioning SERVICE: the grammar check must
        # not be left to choke on it when a 4xx can be given first.
        ("ASK { FILTER(" + "(" * 40_000 + "1" + ")" * 40_000 + ") } # SERVICE").encode(),
        ("SELECT * WHERE " + "{ " * 50_000 + "?s ?p ?o" + " }" * 50_000).encode(),
        ("ASK { ?s ?p " + "( 1 " * 2_000 + ")" * 2_000 + " }").encode(),
        ("ASK { ?s ?p " + "[ ?p " * 2_000 + "1" + " ]" * 2_000 + " }").encode(),
        (
            "ASK { " + "OPTIONAL { " * 3_000 + "?s ?p ?o" + " }" * 3_000 + " } # service"
        ).encode(),
    ]
    for body in cases:
        status = _post(base_url, body)
        assert 400 <= status < 500, (body[:60], status)
    status, _, _ = fetch(f"{base_url}/sparql?query=" + urllib.parse.quote("{" * 5000))
    assert 400 <= status < 500
    _alive(base_url)
