"""Schemathesis against the OpenAPI document of a running server: no generated request gets a 5xx.

The operations are driven directly with Hypothesis (schemathesis' pytest
plugin does not support the pytest version used here).
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from typing import Any

import pytest
from graph_samples import sample_results
from hypothesis import HealthCheck, given, settings
from sparql_support import serve_app

from policykg.api.app import create_app
from policykg.api.settings import Settings
from policykg.graph.store import build_store

schemathesis = pytest.importorskip("schemathesis")


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    path = tmp_path_factory.mktemp("fuzz") / "store"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        build_store(sample_results(), path)
    app = create_app(Settings(store=path, isolation="thread", max_concurrency=2))
    with serve_app(app) as url:
        yield url


def test_no_generated_request_gets_a_server_error(base_url: str) -> None:
    schema = schemathesis.openapi.from_url(f"{base_url}/openapi.json")
    failures: list[str] = []
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 12

    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=10,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def check(case: Any) -> None:
            response = case.call(base_url=base_url)
            if response.status_code >= 500:
                failures.append(f"{case.method} {case.formatted_path}: {response.status_code}")

        check()
    assert failures == []
