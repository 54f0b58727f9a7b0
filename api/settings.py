"""Configuration of the HTTP service (one immutable, validated object)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

if TYPE_CHECKING:
    from policykg.graph.remote import SparqlLocation

__all__ = ["Settings"]


class Settings(BaseModel):
    """Everything ``create_app`` needs; ``policykg serve`` fills it from flags.

    Attributes
    ----------
    store : Path or str
        The on-disk store (a directory, or the link to the generation a build
        published), or a ``sparql+http(s)://`` URL of a remote SPARQL store
        (:mod:`policykg.graph.remote`), which is served read-only: no update
        token, and queries are evaluated by that server (``isolation`` does
        not apply; the guard still screens them before they are sent).
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
        Queries that may run at once (worker processes or threads), per pool:
        SPARQL queries and REST routes have a pool each.  The default (8)
        with ``queue_wait`` 2 s serves 32 concurrent clients on a 2-core
        machine without a refusal, and a concurrent ``ASK {}`` stays fast
        while a heavy query runs (the load test, ``python -m bench load``).
    queue_wait : float
        Seconds a request waits for a free worker before HTTP 503 with
        ``Retry-After``; a bounded queue, so bursts of clients are served
        rather than refused, while a flood is still shed.
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
    reload_interval : float
        Seconds between two looks at the store link (one ``readlink``) for a
        generation a build published (:mod:`policykg.api.reload`); 0 looks
        only on SIGHUP.
    """

    model_config = ConfigDict(frozen=True)

    store: Path | str
    update_token: str | None = Field(default=None, min_length=1)
    query_timeout: float = Field(default=30.0, gt=0)
    max_rows: int = Field(default=100_000, gt=0)
    max_body_bytes: int = Field(default=1_000_000, gt=0)
    max_upload_bytes: int = Field(default=64_000_000, gt=0)
    max_concurrency: int = Field(default=8, ge=1)
    queue_wait: float = Field(default=2.0, ge=0)
    retry_after: int = Field(default=2, ge=1)
    isolation: Literal["process", "thread"] = "process"
    unknown_graphs: Literal["empty", "reject"] = "empty"
    cors: bool = True
    reload_interval: float = Field(default=1.0, ge=0)

    @model_validator(mode="after")
    def _remote_is_read_only(self) -> Settings:
        if self.update_token is not None and self.remote_location() is not None:
            raise ValueError(
                "a remote SPARQL store is served read-only: write to it with "
                "`policykg build --store sparql+http://…` or on the server itself"
            )
        return self

    def remote_location(self) -> SparqlLocation | None:
        """The remote store ``store`` names, or None for a local directory."""
        from policykg.graph.remote import parse_store_location

        location = parse_store_location(self.store)
        return None if isinstance(location, Path) else location

    def store_path(self) -> Path:
        """``store`` as a local path (raises ``ValueError`` for a remote store)."""
        from policykg.graph.remote import parse_store_location

        location = parse_store_location(self.store)
        if not isinstance(location, Path):
            raise ValueError(f"{location.display()} is a remote store, not a directory")
        return location
