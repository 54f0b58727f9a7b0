"""Shared fixtures: a real Virtuoso server for the remote-store tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from virtuoso_support import Virtuoso, find_executable, find_isql


@pytest.fixture(scope="session")
def virtuoso(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Virtuoso]:
    """A Virtuoso on free 127.0.0.1 ports with SPARQL_UPDATE granted; stopped at the end."""
    if find_executable() is None or find_isql() is None:
        pytest.skip(
            "virtuoso-t/isql-vt not installed and not installable here: `make system-deps` "
            "installs Debian's virtuoso-opensource (needs root and apt-get)"
        )
    server = Virtuoso(Path(tmp_path_factory.mktemp("virtuoso")))
    server.start()
    try:
        yield server
    finally:
        server.stop()
