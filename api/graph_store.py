"""SPARQL 1.1 Graph Store HTTP Protocol at ``/store``.

Graphs are named indirectly (``/store?graph=IRI``, ``/store?default``) or
directly (``/store/some/path`` names the graph whose IRI is that URL).  GET
and HEAD are always open; PUT, POST and DELETE need the bearer token.
``?default`` is the store's own default graph (queries see the union of all
graphs, GSP addresses graphs one by one).  ``GET /store`` with no target
dumps the whole dataset (N-Quads or TriG).

Writes are expressed as one SPARQL update each (``DROP`` + ``INSERT DATA``),
so a PUT replaces a graph atomically: pyoxigraph applies an update in a
single transaction.
"""

from __future__ import annotations

import asyncio
import email.parser
import email.policy
import uuid
from dataclasses import dataclass
from functools import partial
from typing import Any

import pyoxigraph as ox
from fastapi import APIRouter, Request
from fastapi.responses import Response

from policykg.api.dependencies import (
    ServicesDep,
    require_write_access,
    run_blocking,
    run_write,
)
from policykg.api.errors import ProtocolError, error_responses
from policykg.api.evaluation import PREFIXES
from policykg.api.executor import CancelToken
from policykg.api.negotiation import media_type_of, negotiate, parse_accept
from policykg.api.results import GRAPH_OFFERS, SerializedResult, serialize_graph

__all__ = ["GraphTarget", "router"]

router = APIRouter(tags=["graph store"])

_DATASET_OFFERS = {
    "application/n-quads": ox.RdfFormat.N_QUADS,
    "application/trig": ox.RdfFormat.TRIG,
}
_INPUT_FORMATS = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/x-turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "text/plain": ox.RdfFormat.N_TRIPLES,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "application/ld+json": ox.RdfFormat.JSON_LD,
}
# CORS for these GET/HEAD responses comes from ReadOnlyCORSMiddleware.
_READ_HEADERS = {"Vary": "Accept"}


@dataclass(frozen=True, slots=True)
class GraphTarget:
    """The graph a request addresses; ``graph`` None means the whole dataset."""

    graph: ox.NamedNode | ox.DefaultGraph | None


def _target(request: Request) -> GraphTarget:
    # Direct identification: /store/<path> names the graph <that URL>.
    path = request.path_params.get("path", "")
    params = request.query_params
    has_default = "default" in params
    graphs = params.getlist("graph")
    if path:
        if has_default or graphs:
            raise ProtocolError(400, "a direct graph URL takes no ?graph or ?default")
        return GraphTarget(ox.NamedNode(str(request.url.replace(query="", fragment=""))))
    if has_default and graphs:
        raise ProtocolError(400, "give either ?default or ?graph=IRI, not both")
    if has_default and any(params.getlist("default")):
        raise ProtocolError(400, "?default takes no value")
    if len(graphs) > 1:
        raise ProtocolError(400, "more than one ?graph parameter")
    if has_default:
        return GraphTarget(ox.DefaultGraph())
    if graphs:
        try:
            return GraphTarget(ox.NamedNode(graphs[0]))
        except ValueError:
            raise ProtocolError(
                400, f"graph must be an absolute IRI: {graphs[0][:200]!r}"
            ) from None
    return GraphTarget(None)


def _graph_exists(store: ox.Store, graph: ox.NamedNode | ox.DefaultGraph) -> bool:
    return isinstance(graph, ox.DefaultGraph) or store.contains_named_graph(graph)


def _read_graph(
    store: ox.Store, graph: ox.NamedNode | ox.DefaultGraph, media: str, token: CancelToken
) -> SerializedResult | None:
    if not _graph_exists(store, graph):
        return None
    triples = [q.triple for q in store.quads_for_pattern(None, None, None, graph)]
    token.check()
    body = serialize_graph(triples, GRAPH_OFFERS[media], PREFIXES)
    return SerializedResult(body, media, len(triples))


def _dump(store: ox.Store, media: str, token: CancelToken) -> SerializedResult:
    token.check()
    body = store.dump(format=_DATASET_OFFERS[media])
    return SerializedResult(body or b"", media)


_STRING = {"type": "string"}
_TARGET_PARAMS: list[dict[str, Any]] = [
    {
        "name": "graph",
        "in": "query",
        "description": "IRI of the graph (indirect identification).",
        "schema": {"type": "string", "format": "iri"},
    },
    {
        "name": "default",
        "in": "query",
        "description": "Address the default graph (give it without a value).",
        "schema": {"type": "string", "maxLength": 0},
        "allowEmptyValue": True,
    },
]
_READ_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The graph (Turtle by default), or with no target the whole dataset "
        "(N-Quads or TriG).",
        "content": {m: {"schema": _STRING} for m in [*GRAPH_OFFERS, *_DATASET_OFFERS]},
    },
    **error_responses(400, 404, 406, 503),
}
_WRITE_SECURITY: list[dict[str, list[str]]] = [{"bearerAuth": []}]
_UPLOAD = {
    "required": True,
    "content": {
        **{m: {"schema": _STRING} for m in _INPUT_FORMATS},
        "multipart/form-data": {"schema": {"type": "object"}},
    },
}
_WRITE_RESPONSES: dict[int | str, dict[str, Any]] = {
    201: {"description": "Created (Location names a graph created by POST /store)."},
    204: {"description": "Replaced, extended or deleted."},
    **error_responses(400, 401, 403, 404, 413, 415, 503),
}


@router.get(
    "/store",
    summary="Read a graph (GSP)",
    operation_id="gsp_get",
    response_class=Response,
    openapi_extra={"parameters": _TARGET_PARAMS},
    responses=_READ_RESPONSES,
)
@router.head(
    "/store",
    summary="Check a graph exists (GSP)",
    operation_id="gsp_head",
    response_class=Response,
    openapi_extra={"parameters": _TARGET_PARAMS},
    responses=_READ_RESPONSES,
)
@router.get("/store/{path:path}", include_in_schema=False)
@router.head("/store/{path:path}", include_in_schema=False)
async def read_graph(request: Request, services: ServicesDep) -> Response:
    """GET/HEAD a graph: Turtle by default, N-Triples, RDF/XML, JSON-LD by Accept."""
    target = _target(request)
    ranges = parse_accept(request.headers.get("accept"))
    store = services.store
    if target.graph is None:
        media = negotiate(ranges, list(_DATASET_OFFERS))
        if media is None:
            raise ProtocolError(406, "the dataset is available as " + ", ".join(_DATASET_OFFERS))
        if request.method == "HEAD":
            return Response(headers={**_READ_HEADERS, "Content-Type": media})
        result: SerializedResult = await run_blocking(services, partial(_dump, store, media))
        return Response(result.body, media_type=result.content_type, headers=_READ_HEADERS)
    media = negotiate(ranges, list(GRAPH_OFFERS))
    if media is None:
        raise ProtocolError(406, "graphs are available as " + ", ".join(GRAPH_OFFERS))
    graph = target.graph
    if request.method == "HEAD":
        exists = await run_blocking(services, lambda _t: _graph_exists(store, graph))
        if not exists:
            raise ProtocolError(404, "no such graph")
        content_type = SerializedResult(b"", media).content_type
        return Response(headers={**_READ_HEADERS, "Content-Type": content_type})
    found = await run_blocking(services, partial(_read_graph, store, graph, media))
    if found is None:
        raise ProtocolError(404, "no such graph")
    return Response(found.body, media_type=found.content_type, headers=_READ_HEADERS)


async def _read_upload(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise ProtocolError(413, f"upload larger than {limit} bytes")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise ProtocolError(413, f"upload larger than {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def _parse_rdf(data: bytes, media: str, base_iri: str) -> list[ox.Triple]:
    rdf_format = _INPUT_FORMATS.get(media)
    if rdf_format is None:
        raise ProtocolError(
            415, f"unsupported media type {media or '(none)'}; use " + ", ".join(_INPUT_FORMATS)
        )
    try:
        return [q.triple for q in ox.parse(data, format=rdf_format, base_iri=base_iri)]
    except (SyntaxError, ValueError) as exc:
        raise ProtocolError(400, f"cannot parse the {media} body: {exc}") from None


def _parse_upload(content_type: str, data: bytes, base_iri: str) -> list[ox.Triple]:
    media, params = media_type_of(content_type)
    charset = params.get("charset", "utf-8")
    if charset not in ("utf-8", "utf8"):
        raise ProtocolError(400, f"RDF uploads must be UTF-8, not {charset}")
    if media != "multipart/form-data":
        return _parse_rdf(data, media, base_iri)
    # Each part is one RDF file with its own Content-Type (GSP section 5.5).
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n" + data
    )
    if not message.is_multipart():
        raise ProtocolError(400, "malformed multipart body")
    triples: list[ox.Triple] = []
    for part in message.iter_parts():
        payload = part.get_payload(decode=True)
        if not isinstance(payload, bytes):
            continue
        part_media = part.get_content_type()
        triples += _parse_rdf(payload.rstrip(b"\r\n"), part_media, base_iri)
    return triples


def _graph_ref(graph: ox.NamedNode | ox.DefaultGraph) -> str:
    return "DEFAULT" if isinstance(graph, ox.DefaultGraph) else f"GRAPH {graph}"


def _write_graph(
    store: ox.Store,
    graph: ox.NamedNode | ox.DefaultGraph,
    triples: list[ox.Triple],
    replace: bool,
    token: CancelToken,
) -> bool:
    """Replace or extend a graph in one transaction; return whether it existed."""
    token.check()
    existed = _graph_exists(store, graph)
    # str(term) is the N-Triples form of each term, valid inside INSERT DATA.
    body = " .\n".join(f"{t.subject} {t.predicate} {t.object}" for t in triples)
    parts = []
    if replace:
        parts.append(f"DROP SILENT {_graph_ref(graph)}")
    if isinstance(graph, ox.NamedNode):
        # CREATE makes the graph exist even when the upload is empty.
        parts.append(f"CREATE SILENT GRAPH {graph}")
        if body:
            parts.append(f"INSERT DATA {{ GRAPH {graph} {{ {body} }} }}")
    elif body:
        parts.append(f"INSERT DATA {{ {body} }}")
    if parts:
        store.update(" ;\n".join(parts))
    return existed


def _delete_graph(
    store: ox.Store, graph: ox.NamedNode | ox.DefaultGraph, token: CancelToken
) -> bool:
    token.check()
    if not _graph_exists(store, graph):
        return False
    store.update(f"DROP {_graph_ref(graph)}")
    return True


@router.put(
    "/store",
    summary="Replace a graph (GSP, token)",
    operation_id="gsp_put",
    response_class=Response,
    openapi_extra={
        "parameters": _TARGET_PARAMS,
        "requestBody": _UPLOAD,
        "security": _WRITE_SECURITY,
    },
    responses=_WRITE_RESPONSES,
)
@router.post(
    "/store",
    summary="Add to or create a graph (GSP, token)",
    operation_id="gsp_post",
    response_class=Response,
    openapi_extra={
        "parameters": _TARGET_PARAMS,
        "requestBody": _UPLOAD,
        "security": _WRITE_SECURITY,
    },
    responses=_WRITE_RESPONSES,
)
@router.delete(
    "/store",
    summary="Delete a graph (GSP, token)",
    operation_id="gsp_delete",
    response_class=Response,
    openapi_extra={"parameters": _TARGET_PARAMS, "security": _WRITE_SECURITY},
    responses={k: v for k, v in _WRITE_RESPONSES.items() if k not in (201, 413, 415)},
)
@router.put("/store/{path:path}", include_in_schema=False)
@router.post("/store/{path:path}", include_in_schema=False)
@router.delete("/store/{path:path}", include_in_schema=False)
async def write_graph(request: Request, services: ServicesDep) -> Response:
    """PUT (replace), POST (merge, or create a new graph) and DELETE; token required.

    A write is answered when it has really ended (see
    :func:`policykg.api.dependencies.run_write`): never a 503 for a write
    that then commits.
    """
    require_write_access(request)
    target = _target(request)
    store = services.store
    graph = target.graph
    created_location: str | None = None
    if graph is None:
        if request.method != "POST":
            raise ProtocolError(400, "name a graph with ?graph=IRI or ?default")
        # POST to the store itself creates a new graph (GSP section 5.5).
        created_location = f"{str(request.base_url).rstrip('/')}/store/{uuid.uuid4()}"
        graph = ox.NamedNode(created_location)
    try:
        if request.method == "DELETE":
            deleted = await run_write(services, partial(_delete_graph, store, graph))
            if not deleted:
                raise ProtocolError(404, "no such graph")
            return Response(status_code=204)
        data = await _read_upload(request, services.settings.max_upload_bytes)
        base = graph.value if isinstance(graph, ox.NamedNode) else str(request.url)
        # Parsing a large upload takes seconds: off the event loop, and before
        # the write holds the store.
        triples = await asyncio.to_thread(
            _parse_upload, request.headers.get("content-type", ""), data, base
        )
        replace = request.method == "PUT"
        existed = await run_write(services, partial(_write_graph, store, graph, triples, replace))
    except (OSError, RuntimeError, ValueError) as exc:
        raise ProtocolError(500, f"the write failed (nothing was written): {exc}") from None
    if created_location is not None:
        return Response(status_code=201, headers={"Location": created_location})
    return Response(status_code=204 if existed else 201)


@router.options(
    "/store",
    summary="CORS preflight",
    response_class=Response,
    responses={204: {"description": "Allowed methods and CORS headers."}},
)
@router.options("/store/{path:path}", include_in_schema=False)
async def store_preflight(services: ServicesDep) -> Response:
    """CORS preflight: cross-origin reads (GET, HEAD) only; writes need the
    ``Authorization`` header, which is not allowed cross-origin."""
    headers = {"Allow": "GET, HEAD, PUT, POST, DELETE, OPTIONS"}
    if services.settings.cors:
        headers.update(
            {
                "Access-Control-Allow-Origin": "*",
                "Access-Control-Allow-Methods": "GET, HEAD, OPTIONS",
                "Access-Control-Allow-Headers": "Accept",
                "Access-Control-Max-Age": "600",
            }
        )
    return Response(status_code=204, headers=headers)
