"""The minimal FastAPI + pyoxigraph SPARQL endpoint: the limit of this stack.

As in the performance notes' appendix (``srv_ox.py``): one sync ``def`` route
(run in the threadpool, so query and serialisation happen on one worker
thread), SPARQL JSON results only, no content negotiation, limits or safety
checks.  It opens the same on-disk store as ``policykg serve``, read-only, with
the union of all graphs as the default graph, so both answer the same rows.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
from fastapi import FastAPI, Response

__all__ = ["create_minimal_app"]


def create_minimal_app(store_path: Path | str) -> FastAPI:
    """A FastAPI app answering ``GET /sparql?query=`` from the store at ``store_path``."""
    store = ox.Store.read_only(str(store_path))
    app = FastAPI()

    @app.get("/sparql")
    def sparql(query: str) -> Response:
        result = store.query(query, use_default_graph_as_union=True)
        if isinstance(result, ox.QueryTriples):
            body = result.serialize(format=ox.RdfFormat.N_TRIPLES)
            return Response(body, media_type="application/n-triples")
        return Response(
            result.serialize(format=ox.QueryResultsFormat.JSON),
            media_type="application/sparql-results+json",
        )

    return app
