"""Start one SPARQL server for the benchmark: ``python -m bench.servers KIND --port P ...``.

Kinds: ``ours`` (``policykg.api.app.create_app`` with the settings ``policykg
serve`` uses), ``ours_c10`` (the same with ``max_concurrency=10``), ``minimal``
(:mod:`bench.minimal_endpoint`) and ``rdflib_endpoint`` (rdflib-endpoint over
an rdflib ``Dataset`` parsed from the same N-Quads, default graph = union, as
our endpoint).  All run one uvicorn worker on 127.0.0.1 without access logs.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

__all__ = ["KINDS", "create", "main"]

KINDS = ("ours", "ours_c10", "minimal", "rdflib_endpoint")


def create(kind: str, store: Path, nquads: Path) -> Any:
    """The ASGI app of one kind of server."""
    if kind in {"ours", "ours_c10"}:
        from policykg.api.app import create_app
        from policykg.api.settings import Settings

        # ours_c10: as many concurrent queries allowed as wrk has connections (no 503s)
        extra = {"max_concurrency": 10} if kind == "ours_c10" else {}
        return create_app(Settings(store=store, **extra))
    if kind == "minimal":
        from bench.minimal_endpoint import create_minimal_app

        return create_minimal_app(store)
    if kind == "rdflib_endpoint":
        from rdflib import Dataset
        from rdflib_endpoint import SparqlEndpoint

        dataset = Dataset(default_union=True)
        dataset.parse(str(nquads), format="nquads")
        return SparqlEndpoint(graph=dataset, path="/sparql", cors_enabled=False)
    raise ValueError(f"unknown server kind {kind!r}")


def main(argv: Sequence[str] | None = None) -> int:
    """Parse arguments and serve until killed."""
    import uvicorn

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("kind", choices=KINDS)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--store", type=Path, required=True)
    parser.add_argument("--nquads", type=Path, required=True)
    args = parser.parse_args(argv)
    app = create(args.kind, args.store, args.nquads)
    uvicorn.run(app, host="127.0.0.1", port=args.port, workers=1, access_log=False,
                log_level="warning")
    return 0


if __name__ == "__main__":
    sys.exit(main())
