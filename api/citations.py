"""REST: citations between documents (``/api/citations``)."""

from __future__ import annotations

from typing import Annotated, Literal

import pyoxigraph as ox
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field

from policykg.api.dependencies import ServicesDep
from policykg.api.rest_common import (
    CSV_RESPONSE,
    PKG,
    Level,
    Page,
    PageParams,
    graph_spellings,
    level_name,
    local_id,
    page_params,
    page_response,
    paged_query,
    select,
    short_name,
)

__all__ = ["CitationEdge", "router"]

router = APIRouter(prefix="/api/citations", tags=["citations"])

CitationType = Literal["basis", "implements", "produces", "mentions"]
_TYPE_IRIS = {
    "basis": "Basis",
    "implements": "Implements",
    "produces": "Produces",
    "mentions": "Mentions",
}

_CITATIONS = """
SELECT ?citation ?citing ?citing_title ?cited ?cited_title ?type ?level ?level_q ?level_alt ?type_q
WHERE {
  ?citation a pkg:Citation ; pkg:citingDocument ?citing ; pkg:citedDocument ?cited .
  OPTIONAL { ?citation pkg:citationType ?type }
  OPTIONAL { ?citation pkg:citedLevel ?level }
  OPTIONAL { ?citing dcterms:title ?citing_title }
  OPTIONAL { ?cited dcterms:title ?cited_title }
  #FILTERS#
}
ORDER BY ?citation"""


class CitationEdge(BaseModel):
    """One citation: who cites whom, how, and at which government level."""

    iri: str
    citing_id: str | None
    citing_title: str | None = None
    cited_id: str | None
    cited_title: str | None = None
    type: str | None = None
    level: str | None = Field(
        default=None, description="Level of the cited document: national, provincial, city, county."
    )


@router.get("", response_model=Page[CitationEdge], responses=CSV_RESPONSE, summary="List citations")
async def list_citations(
    request: Request,
    services: ServicesDep,
    params: Annotated[PageParams, Depends(page_params)],
    level: Annotated[
        Level | None,
        Query(description="Level of the cited document: national, provincial, city or county."),
    ] = None,
    type: Annotated[CitationType | None, Query(description="Citation type.")] = None,
) -> Response:
    """Citations, optionally by the cited document's level and the citation type."""
    bindings: dict[str, ox.NamedNode | ox.Literal] = {}
    filters = []
    if level is not None:
        spellings = graph_spellings(level)
        filters.append("FILTER (STR(?level) IN (?level_q, ?level_alt))")
        bindings["level_q"] = ox.Literal(spellings[0])
        bindings["level_alt"] = ox.Literal(spellings[-1])
    if type is not None:
        filters.append("FILTER (?type = ?type_q)")
        bindings["type_q"] = ox.NamedNode(PKG + _TYPE_IRIS[type])
    rows = await select(services, paged_query(_CITATIONS, params, filters), bindings)
    items = [
        CitationEdge(
            iri=r["citation"],
            citing_id=local_id(r["citing"], "doc"),
            citing_title=r["citing_title"],
            cited_id=local_id(r["cited"], "doc"),
            cited_title=r["cited_title"],
            type=short_name(r["type"]),
            level=level_name(r["level"]),
        )
        for r in rows[: params.limit]
    ]
    return page_response(request, items, params, more=len(rows) > params.limit)
