"""The SPARQL 1.1 Protocol endpoint: ``GET``/``POST /sparql`` (and ``/sparql/``).

Request forms: query via GET, via URL-encoded form POST and via direct POST
(``application/sparql-query``); updates via form POST or direct POST
(``application/sparql-update``), only with the bearer token.  GET without a
query returns the service description.  The default graph is the union of
all named graphs unless the request names a dataset (``FROM`` or the
``default-graph-uri`` / ``named-graph-uri`` parameters, which only ever select
graphs already in the store: nothing is fetched from the network).
"""

from __future__ import annotations

import hashlib
import logging
import re
import time
from collections.abc import Callable
from functools import partial
from typing import Any
from urllib.parse import parse_qsl

import pyoxigraph as ox
from fastapi import APIRouter, Request
from fastapi.responses import Response

from policykg.api.dependencies import (
    Services,
    get_services,
    require_write_access,
    run_blocking,
    run_query,
    run_write,
)
from policykg.api.errors import ProtocolError, error_responses
from policykg.api.evaluation import (
    NotAcceptableError,
    QueryJob,
    execute_update,
    offers_for,
)
from policykg.api.executor import CancelToken
from policykg.api.isolation import WorkerCrashedError
from policykg.api.negotiation import MediaRange, media_type_of, parse_accept
from policykg.api.results import SerializedResult, format_alias
from policykg.api.service_description import service_description_response
from policykg.api.sparql_guard import UnverifiableQueryError, grammar_check
from policykg.api.sparql_lexer import (
    ForbiddenOperationError,
    OperationInfo,
    QueryTooComplexError,
    add_using_clauses,
    inspect_query,
    inspect_update,
)

__all__ = ["SparqlRequest", "engine_error", "read_sparql_request", "router"]

router = APIRouter(tags=["sparql"])
_log = logging.getLogger("policykg.sparql")

FORM = "application/x-www-form-urlencoded"
QUERY_TYPE = "application/sparql-query"
UPDATE_TYPE = "application/sparql-update"
_CORS = {"Access-Control-Allow-Origin": "*"}
_DATASET_PARAMS = (
    "default-graph-uri",
    "named-graph-uri",
    "using-graph-uri",
    "using-named-graph-uri",
)
#: Smallest ``timeout`` parameter accepted, in seconds.
MIN_TIMEOUT = 0.1


class SparqlRequest:
    """The protocol parameters of one request, after validation.

    Attributes
    ----------
    query, update : str or None
        At most one is set.
    params : list of (str, str)
        All parameters (URL and form body), in order.
    """

    __slots__ = ("params", "query", "update")

    def __init__(self, query: str | None, update: str | None, params: list[tuple[str, str]]):
        self.query = query
        self.update = update
        self.params = params

    def values(self, name: str) -> list[str]:
        """All values of a parameter."""
        return [v for k, v in self.params if k == name]

    def last(self, name: str) -> str | None:
        """The last value of a parameter, or None."""
        found = self.values(name)
        return found[-1] if found else None


async def _read_body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise ProtocolError(413, f"request body larger than {limit} bytes")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise ProtocolError(413, f"request body larger than {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


_ASCII_COMPATIBLE = frozenset({"us-ascii", "ascii", "iso-8859-1", "latin-1", "latin1"})


def _decode_body(body: bytes, charset: str, what: str) -> str:
    """Decode a request body that must be UTF-8 (SPARQL 1.1 Protocol 2.1.2).

    A body declared ``ISO-8859-1`` or ``US-ASCII`` that is pure ASCII is the
    same bytes as UTF-8 and is accepted (some form libraries label every
    body that way); anything else gets a 400 that names the problem.
    """
    if charset not in ("utf-8", "utf8"):
        if charset in _ASCII_COMPATIBLE and body.isascii():
            charset = "utf-8"
        else:
            raise ProtocolError(
                400, f"the {what} is declared charset={charset}; send UTF-8 (charset=utf-8)"
            )
    if b"\x00" in body:
        # UTF-16 text of ASCII characters is valid UTF-8 with a NUL after each one.
        raise ProtocolError(
            400, f"the {what} contains NUL bytes (UTF-16 encoded?); send UTF-8 (charset=utf-8)"
        )
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ProtocolError(
            400, f"the {what} is not valid UTF-8 (byte {exc.start}); send UTF-8"
        ) from None


async def read_sparql_request(request: Request, max_body: int) -> SparqlRequest:
    """Parse and check a SPARQL Protocol request (GET or POST).

    Parameters
    ----------
    request : Request
        The HTTP request.
    max_body : int
        Body size cap in bytes (413 above).

    Returns
    -------
    SparqlRequest
        The query or update and all parameters.

    Raises
    ------
    ProtocolError
        400 for malformed or conflicting requests, 413 for large bodies,
        415 for unsupported media types.
    """
    params: list[tuple[str, str]] = list(request.query_params.multi_items())
    direct_query: str | None = None
    direct_update: str | None = None
    if request.method == "POST":
        body = await _read_body(request, max_body)
        media, ct_params = media_type_of(request.headers.get("content-type"))
        charset = ct_params.get("charset", "utf-8")
        if media == FORM:
            text = _decode_body(body, charset, "form body")
            # Percent-escapes of a form are bytes in the declared charset.
            escapes = "latin-1" if charset in ("iso-8859-1", "latin-1", "latin1") else "utf-8"
            escapes = "ascii" if charset in ("us-ascii", "ascii") else escapes
            try:
                params += parse_qsl(text, keep_blank_values=True, encoding=escapes, errors="strict")
            except (UnicodeDecodeError, ValueError):
                raise ProtocolError(
                    400, f"malformed form body (percent-escapes must encode {escapes})"
                ) from None
        elif media == QUERY_TYPE:
            direct_query = _decode_body(body, charset, "query")
        elif media == UPDATE_TYPE:
            direct_update = _decode_body(body, charset, "update")
        elif not media:
            raise ProtocolError(
                400,
                f"POST needs a Content-Type: {QUERY_TYPE}, {UPDATE_TYPE} or {FORM}",
            )
        else:
            raise ProtocolError(
                415,
                f"unsupported media type {media}; use {QUERY_TYPE}, {UPDATE_TYPE} or {FORM}",
            )
    queries = [v for k, v in params if k == "query"]
    updates = [v for k, v in params if k == "update"]
    if direct_query is not None:
        queries.append(direct_query)
    if direct_update is not None:
        updates.append(direct_update)
    if len(queries) > 1:
        raise ProtocolError(400, "more than one query in the request")
    if len(updates) > 1:
        raise ProtocolError(400, "more than one update in the request")
    if queries and updates:
        raise ProtocolError(400, "a request carries either a query or an update, not both")
    if updates and request.method != "POST":
        raise ProtocolError(400, "SPARQL Update must be sent with POST")
    return SparqlRequest(queries[0] if queries else None, updates[0] if updates else None, params)


def _iris(values: list[str], param: str) -> tuple[str, ...]:
    return tuple(node.value for node in _named_nodes(values, param))


def _named_nodes(values: list[str], param: str) -> list[ox.NamedNode]:
    nodes = []
    for value in values:
        try:
            nodes.append(ox.NamedNode(value))
        except ValueError:
            raise ProtocolError(400, f"{param}: not an absolute IRI: {value[:200]!r}") from None
    return nodes


def _missing_graphs(store: ox.Store, iris: list[str], token: CancelToken) -> list[str]:
    missing = []
    for iri in iris:
        token.check()
        try:
            if store.contains_named_graph(ox.NamedNode(iri)):
                continue
        except ValueError:
            pass
        missing.append(iri)
    return missing


async def _check_local_graphs(services: Services, iris: list[str]) -> None:
    """Refuse dataset IRIs that are not graphs of the store (strict mode)."""
    if not iris:
        return
    store = services.store
    missing = await run_blocking(services, partial(_missing_graphs, store, iris))
    if missing:
        raise ProtocolError(
            400,
            "not a graph of this store (this endpoint never fetches remote data): "
            + ", ".join(f"<{m[:200]}>" for m in missing[:5]),
        )


def _timeout(req: SparqlRequest, default: float) -> float:
    raw = req.last("timeout")
    if raw is None or raw == "":
        return default
    try:
        asked = float(raw)
    except ValueError:
        raise ProtocolError(400, f"timeout must be a number of seconds, got {raw[:50]!r}") from None
    if not asked >= MIN_TIMEOUT:
        # Below this a query could not even start, and each expiry costs a
        # worker process (killed and respawned).
        raise ProtocolError(400, f"timeout must be at least {MIN_TIMEOUT:g} seconds")
    # A request may shorten the budget but never extend the server's.
    return min(asked, default)


def _accept_ranges(request: Request, req: SparqlRequest, graph: bool) -> list[MediaRange]:
    override = req.last("format") or req.last("output")
    if override:
        media = format_alias(override, graph)
        if media is not None:
            return parse_accept(media)
    return parse_accept(request.headers.get("accept"))


def _endpoint_iri(request: Request) -> str:
    return str(request.url.replace(query="", fragment=""))


def _result_response(result: SerializedResult, max_rows: int, cors: bool) -> Response:
    # A query is a read even when POSTed, so it gets CORS like a GET does.
    headers = {"Vary": "Accept", **(_CORS if cors else {})}
    if result.truncated:
        headers["X-SPARQL-Truncated"] = "true"
        headers["X-SPARQL-MaxRows"] = str(max_rows)
        headers["X-SPARQL-Warning"] = (
            f"result truncated to the first {max_rows} rows; page with LIMIT/OFFSET"
        )
    return Response(result.body, media_type=result.content_type, headers=headers)


async def _run_query(request: Request, services: Services, req: SparqlRequest) -> Response:
    assert req.query is not None
    settings = services.settings
    if req.values("using-graph-uri") or req.values("using-named-graph-uri"):
        raise ProtocolError(400, "using-graph-uri / using-named-graph-uri apply to updates only")
    info = _screen(inspect_query, req.query)

    defaults = req.values("default-graph-uri")
    named = req.values("named-graph-uri")
    job = QueryJob(
        text=req.query,
        base_iri=_endpoint_iri(request),
        solution_ranges=tuple(_accept_ranges(request, req, graph=False)),
        graph_ranges=tuple(_accept_ranges(request, req, graph=True)),
        max_rows=settings.max_rows,
        # A query's own FROM clause must win over the union default graph
        # (pyoxigraph would otherwise ignore FROM).
        union_default_graph=not info.has_dataset_clause,
    )
    # Negotiate before evaluating when the form is known: a 406 costs nothing.
    if info.form is not None and job.choose_format(info.form) is None:
        raise ProtocolError(
            406,
            f"no acceptable format for a {info.form} result; available: "
            + ", ".join(offers_for(info.form)),
        )
    if settings.unknown_graphs == "reject":
        await _check_local_graphs(services, [*info.dataset_iris, *defaults, *named])
    if defaults or named:
        # Protocol parameters override FROM / FROM NAMED (SPARQL 1.1 Protocol
        # 2.1.4) and name graphs of this store only.
        job.default_graph = _iris(defaults, "default-graph-uri")
        job.named_graphs = _iris(named, "named-graph-uri")
        job.union_default_graph = False
    timeout = _timeout(req, settings.query_timeout)
    started = time.perf_counter()
    status = 500
    result: SerializedResult | None = None
    try:
        result = await run_query(services, job, timeout)
        status = 200
    except SyntaxError as exc:
        status = 400
        raise ProtocolError(400, f"query syntax error: {exc}") from None
    except NotAcceptableError as exc:
        status = 406
        raise ProtocolError(406, f"no acceptable format for a {exc} result") from None
    except ProtocolError as exc:
        status = exc.status
        raise
    except WorkerCrashedError as exc:
        raise ProtocolError(500, str(exc)) from None
    except (OSError, RuntimeError, ValueError) as exc:
        error = engine_error(exc, "query")
        status = error.status
        raise error from None
    finally:
        elapsed = time.perf_counter() - started
        if _log.isEnabledFor(logging.INFO):
            # One line per query: hash (not the text), form, status, rows, time.
            _log.info(
                "query %s %s status=%d rows=%s truncated=%s %.1fms",
                hashlib.sha1(req.query.encode()).hexdigest()[:12],
                info.form or "?",
                status,
                result.rows if result else "-",
                bool(result and result.truncated),
                elapsed * 1000,
            )
    assert result is not None
    response = _result_response(result, settings.max_rows, settings.cors)
    response.headers["Server-Timing"] = f"query;dur={elapsed * 1000:.1f}"
    return response


async def _run_update(request: Request, services: Services, req: SparqlRequest) -> Response:
    assert req.update is not None
    # Authorisation comes before any look at the update text.
    require_write_access(request)
    if req.values("default-graph-uri") or req.values("named-graph-uri"):
        raise ProtocolError(400, "default-graph-uri / named-graph-uri apply to queries only")
    info = _screen(inspect_update, req.update)
    using = _named_nodes(req.values("using-graph-uri"), "using-graph-uri")
    using_named = _named_nodes(req.values("using-named-graph-uri"), "using-named-graph-uri")
    if (using or using_named) and info.has_using_or_with:
        raise ProtocolError(
            400, "using-graph-uri / using-named-graph-uri conflict with USING or WITH in the update"
        )
    text = add_using_clauses(
        req.update, info, [n.value for n in using], [n.value for n in using_named]
    )
    # The grammar check runs before the write is queued, so a slow parse
    # never holds the store exclusively.
    try:
        await run_blocking(services, lambda _t: grammar_check(text, "update"))
    except (ForbiddenOperationError, UnverifiableQueryError) as exc:
        raise engine_error(exc, "update") from None
    except ProtocolError as exc:
        if exc.status == 503:
            message = f"the update was not applied: {exc.message}"
            raise ProtocolError(503, message, exc.headers) from None
        raise
    store = services.store
    try:
        await run_write(services, partial(execute_update, store, text, _endpoint_iri(request)))
    except SyntaxError as exc:
        raise ProtocolError(400, f"update syntax error: {exc}") from None
    except (OSError, RuntimeError, ValueError) as exc:
        raise engine_error(exc, "update") from None
    return Response(status_code=204)


def _screen(inspect: Callable[[str], OperationInfo], text: str) -> OperationInfo:
    try:
        return inspect(text)
    except ForbiddenOperationError as exc:
        raise ProtocolError(403, str(exc)) from None
    except QueryTooComplexError as exc:
        raise ProtocolError(400, str(exc)) from None


# Engine messages that a request (not the server) caused, by HTTP status.
_CLIENT_ERRORS = (
    (re.compile(r"does not exist", re.I), 404),
    (re.compile(r"already exists", re.I), 409),
)
_STORAGE_ERROR = re.compile(r"Corruption|IO error", re.I)
# Messages of the engine's HTTP client: a SERVICE call reached the network
# layer (only possible if every guard missed it; workers have no network).
_NETWORK_ERROR = re.compile(
    r"http|url|service|connect|network|unreachable|resolve|dns|socket|port", re.I
)


def engine_error(exc: Exception, what: str) -> ProtocolError:
    """Map an evaluation error to the HTTP status it deserves.

    Parameters
    ----------
    exc : Exception
        What pyoxigraph (or a guard) raised.
    what : {"query", "update"}
        Used in the message.

    Returns
    -------
    ProtocolError
        403 for refused SERVICE/LOAD (and any error of the engine's HTTP
        client), 400 for unverifiable text and for evaluation errors caused
        by the request (unknown function, unbound SERVICE variable, …), 404
        for a missing graph (``DROP``/``CLEAR``/``MOVE`` without ``SILENT``),
        409 for ``CREATE`` of an existing graph, 500 only for storage errors.
    """
    message = str(exc)
    if isinstance(exc, ForbiddenOperationError):
        return ProtocolError(403, message)
    if isinstance(exc, UnverifiableQueryError | QueryTooComplexError):
        return ProtocolError(400, message)
    failed = "update failed (nothing was written)" if what == "update" else "query failed"
    if isinstance(exc, OSError):
        if _NETWORK_ERROR.search(message):
            return ProtocolError(
                403, "the request tried to contact another server, which this endpoint never does"
            )
        return ProtocolError(500, f"{failed}: storage error: {message}")
    if _STORAGE_ERROR.search(message):
        return ProtocolError(500, f"{failed}: storage error: {message}")
    for pattern, status in _CLIENT_ERRORS:
        if pattern.search(message):
            return ProtocolError(status, f"{failed}: {message}")
    return ProtocolError(400, f"{failed}: {message}")


_STRING = {"type": "string"}
_IRIS = {"type": "array", "items": {"type": "string", "format": "iri"}}
_SOLUTION_TYPES = (
    "application/sparql-results+json",
    "application/sparql-results+xml",
    "text/csv",
    "text/tab-separated-values",
    "application/json",
    "application/xml",
    "text/xml",
)
_GRAPH_TYPES = (
    "text/turtle",
    "application/n-triples",
    "application/rdf+xml",
    "application/ld+json",
    "application/x-turtle",
)
_PROTOCOL_PARAMS = [
    {
        "name": "default-graph-uri",
        "in": "query",
        "description": "Graphs of this store forming the default graph (never fetched).",
        "schema": _IRIS,
        "style": "form",
        "explode": True,
    },
    {
        "name": "named-graph-uri",
        "in": "query",
        "description": "Graphs of this store available to GRAPH (never fetched).",
        "schema": _IRIS,
        "style": "form",
        "explode": True,
    },
    {
        "name": "timeout",
        "in": "query",
        "description": "Seconds; can only lower the server's limit.",
        "schema": {"type": "number", "minimum": MIN_TIMEOUT},
    },
    {
        "name": "format",
        "in": "query",
        "description": "Overrides Accept: json, xml, csv, tsv, turtle, nt, rdfxml, jsonld "
        "or a media type.",
        "schema": _STRING,
    },
    {"name": "output", "in": "query", "description": "Same as format.", "schema": _STRING},
]
_RESULTS: dict[str, Any] = {
    "description": "Query results: SPARQL JSON/XML/CSV/TSV for SELECT and ASK, RDF for "
    "CONSTRUCT and DESCRIBE, chosen by Accept (q-values honoured). Headers "
    "X-SPARQL-Truncated / X-SPARQL-MaxRows flag a result cut by the row cap.",
    "content": {media: {"schema": _STRING} for media in (*_SOLUTION_TYPES, *_GRAPH_TYPES)},
}
_GET_OPENAPI: dict[str, Any] = {
    "parameters": [
        {
            "name": "query",
            "in": "query",
            "description": "A SPARQL 1.1 query. Without it, the service description.",
            "schema": _STRING,
        },
        *_PROTOCOL_PARAMS,
    ],
}
_FORM_SCHEMA = {
    # Exactly one of query (with its dataset) or update (with its USING dataset).
    "oneOf": [
        {
            "type": "object",
            "properties": {
                "query": _STRING,
                "default-graph-uri": _IRIS,
                "named-graph-uri": _IRIS,
            },
            "required": ["query"],
            "additionalProperties": False,
        },
        {
            "type": "object",
            "properties": {
                "update": _STRING,
                "using-graph-uri": _IRIS,
                "using-named-graph-uri": _IRIS,
            },
            "required": ["update"],
            "additionalProperties": False,
        },
    ]
}
_POST_OPENAPI: dict[str, Any] = {
    "parameters": [
        *_PROTOCOL_PARAMS,
        {"name": "using-graph-uri", "in": "query", "schema": _IRIS, "explode": True},
        {"name": "using-named-graph-uri", "in": "query", "schema": _IRIS, "explode": True},
    ],
    # Queries need no token; updates do.
    "security": [{}, {"bearerAuth": []}],
    "requestBody": {
        "required": True,
        "description": "A query or (with the bearer token) an update, as UTF-8.",
        "content": {
            QUERY_TYPE: {"schema": _STRING},
            UPDATE_TYPE: {"schema": _STRING},
            FORM: {"schema": _FORM_SCHEMA},
        },
    },
}
_SD_TYPES = ("text/turtle", "application/ld+json", "application/rdf+xml", "application/n-triples")


@router.get(
    "/sparql",
    summary="SPARQL query via GET, or the service description",
    openapi_extra=_GET_OPENAPI,
    response_class=Response,
    responses={
        200: {
            **_RESULTS,
            "description": _RESULTS["description"] + " Without a query: the service "
            "description (Turtle, JSON-LD, RDF/XML, N-Triples or an HTML page).",
            "content": {
                **_RESULTS["content"],
                "text/html": {"schema": _STRING},
                **{m: {"schema": _STRING} for m in _SD_TYPES},
            },
        },
        **error_responses(400, 403, 406, 503),
    },
)
@router.get("/sparql/", include_in_schema=False)
@router.post(
    "/sparql",
    summary="SPARQL query or update via POST (form or direct)",
    openapi_extra=_POST_OPENAPI,
    response_class=Response,
    responses={
        200: _RESULTS,
        204: {"description": "The update was applied."},
        **error_responses(400, 401, 403, 404, 406, 409, 413, 415, 503),
    },
)
@router.post("/sparql/", include_in_schema=False)
async def sparql_endpoint(request: Request) -> Response:
    """Answer one SPARQL Protocol request.

    The handler only parses and awaits: evaluation and serialization happen in
    a worker process or thread (see :mod:`policykg.api.isolation`).
    """
    # Looked up directly, not through Depends: FastAPI runs a sync dependency
    # on its threadpool, a thread hop per request on the hot path.
    services = get_services(request)
    req = await read_sparql_request(request, services.settings.max_body_bytes)
    # Bad parameter values are a 400 on every request, service description included.
    _timeout(req, services.settings.query_timeout)
    for name in _DATASET_PARAMS:
        _named_nodes(req.values(name), name)
    if req.query is not None:
        return await _run_query(request, services, req)
    if req.update is not None:
        return await _run_update(request, services, req)
    if request.method == "POST":
        raise ProtocolError(400, "POST needs a 'query' or 'update'")
    return await service_description_response(request, services)


@router.options(
    "/sparql",
    summary="CORS preflight",
    response_class=Response,
    responses={204: {"description": "Allowed methods and CORS headers."}},
)
@router.options("/sparql/", include_in_schema=False)
async def sparql_preflight(request: Request) -> Response:
    """CORS preflight for read requests; ``Authorization`` is not allowed
    cross-origin, so browsers on other sites can never send the write token."""
    services = get_services(request)
    headers = {"Allow": "GET, POST, OPTIONS"}
    if services.settings.cors:
        headers.update(
            {
                **_CORS,
                "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
                "Access-Control-Allow-Headers": "Accept, Content-Type",
                "Access-Control-Max-Age": "600",
            }
        )
    return Response(status_code=204, headers=headers)
