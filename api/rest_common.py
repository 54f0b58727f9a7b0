"""What the REST routers share: bound SPARQL, pagination, JSON-or-CSV responses.

Every user-supplied value reaches SPARQL only as an RDF term passed through
pyoxigraph's ``substitutions`` (SEP-0007): the query text is a constant of the
code, so quotes, braces, ``\\u0022`` or ``>`` in a parameter cannot change it.
A remote store (``--store sparql+http://…``) writes the terms into the text
instead, each checked to read back as exactly that term
(:mod:`policykg.api.remote_store`).  Identifiers are validated against the IRI
shapes of :mod:`policykg.graph.namespaces` before they become ``NamedNode`` terms.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping, Sequence
from typing import Annotated, Any, Generic, Literal, TypeVar

import pyoxigraph as ox
from fastapi import Query, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field

from policykg.api.dependencies import Services, run_blocking
from policykg.api.errors import ProtocolError, error_responses
from policykg.api.executor import CancelToken
from policykg.api.negotiation import negotiate, parse_accept
from policykg.graph.namespaces import BASE, NS
from policykg.graph.store import term_to_python

__all__ = [
    "CSV_RESPONSE",
    "DETAIL_RESPONSES",
    "PKG",
    "ROLE_IRIS",
    "Level",
    "Page",
    "PageParams",
    "Row",
    "entity_iri",
    "graph_spellings",
    "level_name",
    "local_id",
    "page_params",
    "page_response",
    "paged_query",
    "select",
    "short_name",
]

T = TypeVar("T", bound=BaseModel)
Row = dict[str, Any]
Term = ox.NamedNode | ox.Literal

PKG = NS["pkg"]
ROLE_IRIS = {
    "lead": ox.NamedNode(PKG + "LeadRole"),
    "support": ox.NamedNode(PKG + "SupportRole"),
    "responsible": ox.NamedNode(PKG + "ResponsibleRole"),
}
_SHORT_NAMES = {
    "LeadRole": "lead",
    "SupportRole": "support",
    "ResponsibleRole": "responsible",
    "Basis": "basis",
    "Implements": "implements",
    "Produces": "produces",
    "Mentions": "mentions",
}
#: The one vocabulary of government levels in the REST API (as in extraction).
Level = Literal["national", "provincial", "city", "county"]
# Spellings the graph may use for a level (pkg:regionLevel says "province").
_LEVEL_SPELLINGS: dict[str, tuple[str, ...]] = {"provincial": ("provincial", "province")}
_LEVEL_NAMES = {spelling: level for level, s in _LEVEL_SPELLINGS.items() for spelling in s}


def level_name(value: object) -> str | None:
    """A level as stored in the graph -> the REST vocabulary (``province`` -> ``provincial``)."""
    if value is None:
        return None
    text = str(value)
    return _LEVEL_NAMES.get(text, text)


def graph_spellings(level: str) -> tuple[str, ...]:
    """Every spelling the graph may store for a REST level."""
    return _LEVEL_SPELLINGS.get(level, (level,))


# Keys minted by graph.namespaces: word characters and "-" (CJK included),
# "/"-separated segments for bodies, tasks and areas.
_ID_RE = re.compile(r"^[\w\-.]+(?:/[\w\-.]+)*$")
_MAX_ID = 300


# OpenAPI: list routes also answer text/csv (same items, one row each), and
# every route may answer 406 (Accept) or 503 (busy / time limit).
CSV_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {"content": {"text/csv": {"schema": {"type": "string"}}}},
    **error_responses(406, 503, json=True),
}
#: Responses of a single-resource route: 404 for unknown ids, 503.
DETAIL_RESPONSES: dict[int | str, dict[str, Any]] = error_responses(404, 503, json=True)


class Page(BaseModel, Generic[T]):
    """One page of a list resource."""

    items: list[T]
    limit: int = Field(description="Page size asked for.")
    offset: int = Field(description="Items skipped before this page.")
    next_offset: int | None = Field(
        default=None, description="Offset of the next page, or null on the last page."
    )


class PageParams(BaseModel):
    """Validated ``limit`` / ``offset`` query parameters."""

    limit: int = 100
    offset: int = 0


def page_params(
    limit: Annotated[int, Query(ge=1, le=1000, description="Page size.")] = 100,
    offset: Annotated[int, Query(ge=0, le=1_000_000, description="Items to skip.")] = 0,
) -> PageParams:
    """Dependency for paginated routes."""
    return PageParams(limit=limit, offset=offset)


def short_name(iri: object) -> str | None:
    """``pkg:LeadRole`` -> ``lead``; other IRIs pass through."""
    if not isinstance(iri, str):
        return None
    local = iri.rsplit("#", 1)[-1]
    return _SHORT_NAMES.get(local, iri)


def local_id(iri: object, kind: str) -> str | None:
    """The REST id of an instance IRI (``…/id/doc/X`` -> ``X``), or None."""
    prefix = f"{BASE}{kind}/"
    if isinstance(iri, str) and iri.startswith(prefix):
        return iri[len(prefix) :]
    return None


def entity_iri(kind: str, key: str) -> ox.NamedNode:
    """Validate a REST id and turn it into the instance IRI.

    Raises
    ------
    ProtocolError
        404 for ids that cannot name an instance (wrong characters, too long).
    """
    if len(key) > _MAX_ID or not _ID_RE.match(key):
        raise ProtocolError(404, f"no {kind} with id {key[:80]!r}")
    try:
        return ox.NamedNode(f"{BASE}{kind}/{key}")
    except ValueError:
        raise ProtocolError(404, f"no {kind} with id {key[:80]!r}") from None


def _select_rows(
    store: ox.Store, query: str, bindings: Mapping[str, Term], token: CancelToken
) -> list[Row]:
    solutions = store.query(
        query,
        prefixes=NS,
        use_default_graph_as_union=True,
        substitutions={ox.Variable(k): v for k, v in bindings.items()},
    )
    assert isinstance(solutions, ox.QuerySolutions)
    names = [v.value for v in solutions.variables]
    rows: list[Row] = []
    for i, solution in enumerate(solutions):
        if i % 256 == 0:
            token.check()
        rows.append({n: term_to_python(solution[n]) for n in names})
    return rows


async def select(
    services: Services, query: str, bindings: Mapping[str, Term] | None = None
) -> list[Row]:
    """Run a constant SELECT with bound terms on a worker; rows as Python values.

    Parameters
    ----------
    services : Services
        Shared objects.
    query : str
        Constant query text (prefixes of ``graph.namespaces.NS`` predeclared);
        every bound variable must be projected (pyoxigraph's rule).
    bindings : mapping, optional
        Variable name -> RDF term.

    Returns
    -------
    list of dict
        One dict per solution.
    """
    store = services.store
    values = dict(bindings or {})
    return await run_blocking(services, lambda t: _select_rows(store, query, values, t))


def _csv_value(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return "; ".join(_csv_value(v) for v in value)
    if isinstance(value, dict):
        return str(value.get("label") or value.get("id") or "")
    return str(value)


def page_response(
    request: Request, items: Sequence[BaseModel], params: PageParams, more: bool
) -> Response:
    """JSON (default) or CSV by Accept, for a page of items.

    Parameters
    ----------
    request : Request
        For the Accept header.
    items : sequence of BaseModel
        The page.
    params : PageParams
        Its limit and offset.
    more : bool
        Whether another page follows.

    Returns
    -------
    Response
        ``application/json`` with a :class:`Page` body, or ``text/csv`` with
        one row per item (lists joined with ``; ``); the next page's offset
        travels in a ``Link`` header for CSV.
    """
    media = negotiate(parse_accept(request.headers.get("accept")), ["application/json", "text/csv"])
    if media is None:
        raise ProtocolError(406, "available as application/json or text/csv")
    next_offset = params.offset + params.limit if more else None
    if media == "text/csv":
        buf = io.StringIO()
        rows = [item.model_dump() for item in items]
        fields = list(rows[0]) if rows else []
        writer = csv.writer(buf, lineterminator="\r\n")
        writer.writerow(fields)
        writer.writerows([_csv_value(row[f]) for f in fields] for row in rows)
        headers = {}
        if next_offset is not None:
            url = request.url.include_query_params(offset=next_offset, limit=params.limit)
            headers["Link"] = f'<{url}>; rel="next"'
        return Response(buf.getvalue(), media_type="text/csv; charset=utf-8", headers=headers)
    body = {
        "items": [item.model_dump(mode="json") for item in items],
        "limit": params.limit,
        "offset": params.offset,
        "next_offset": next_offset,
    }
    return JSONResponse(body)


def paged_query(query: str, params: PageParams, filters: Sequence[str] = ()) -> str:
    """Complete a constant query: optional filters, then LIMIT/OFFSET.

    Parameters
    ----------
    query : str
        Constant query text with a ``#FILTERS#`` marker inside its WHERE.
    params : PageParams
        Validated integers; one extra row is fetched to know if a page follows.
    filters : sequence of str
        Constant FILTER clauses of the code, chosen by which parameters were
        given (their values stay in bound variables, never in the text).

    Returns
    -------
    str
        The query to run.
    """
    text = query.replace("#FILTERS#", "\n  ".join(filters))
    return f"{text}\nLIMIT {int(params.limit) + 1} OFFSET {int(params.offset)}"
