"""Configuration of the HTTP service (one immutable, validated object)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["Settings"]


class Settings(BaseModel):
    """Everything ``create_app`` needs; ``policykg serve`` fills it from flags.

    Attributes
    ----------
    store : Path
        Directory of the on-disk pyoxigraph store.
    update_token : str or None
        Bearer token that enables SPARQL Update and Graph Store writes; None
        (the default) keeps the service read-only.
    query_timeout : float
        Default and maximum query time in seconds; a request's ``timeout``
        parameter can only lower it.
    max_rows : int
        Row cap for SELECT solutions and CONSTRUCT/DESCRIBE triples; a cut
        result is always flagged (headers and, where the format allows, body).
    max_body_bytes : int
        Largest accepted query/update request body (HTTP 413 above).
    max_upload_bytes : int
        Largest accepted Graph Store upload.
    max_concurrency : int
        Queries that may run at once (worker processes or threads).
    queue_wait : float
        Seconds a request waits for a free worker before HTTP 503 with
        ``Retry-After``; a short queue, so a client sending a few requests in
        parallel is served rather than refused, while a flood is still shed.
    retry_after : int
        Seconds suggested to clients refused for load.
    isolation : {"process", "thread"}
        Where SPARQL queries run: ``process`` (default) uses worker processes
        that are killed at the deadline, so a runaway query cannot keep a CPU
        busy, and that have no network access; with an update token they
        close and reopen their read-only handle around every write.
        ``thread`` uses threads of the server (lower memory, but a timed-out
        query finishes in the background holding its slot, and the grammar
        check is the last line against outbound requests).
    unknown_graphs : {"empty", "reject"}
        What a dataset IRI (``FROM``, ``FROM NAMED``, ``default-graph-uri``,
        ``named-graph-uri``) that is not a graph of the store means.  Either
        way nothing is ever fetched.  ``empty`` (default, SPARQL/Oxigraph
        semantics; the W3C protocol tests name an absent graph and expect
        success) treats it as an empty graph; ``reject`` refuses the query
        with HTTP 400 before evaluation.
    cors : bool
        Send ``Access-Control-Allow-Origin: *`` (never with credentials) on
        read routes.
    """

    model_config = ConfigDict(frozen=True)

    store: Path
    update_token: str | None = Field(default=None, min_length=1)
    query_timeout: float = Field(default=30.0, gt=0)
    max_rows: int = Field(default=100_000, gt=0)
    max_body_bytes: int = Field(default=1_000_000, gt=0)
    max_upload_bytes: int = Field(default=64_000_000, gt=0)
    max_concurrency: int = Field(default=4, ge=1)
    queue_wait: float = Field(default=1.0, ge=0)
    retry_after: int = Field(default=2, ge=1)
    isolation: Literal["process", "thread"] = "process"
    unknown_graphs: Literal["empty", "reject"] = "empty"
    cors: bool = True
