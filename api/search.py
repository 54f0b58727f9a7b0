"""REST: label search across documents, departments, areas and indicators (``/api/search``)."""

from __future__ import annotations

from typing import Annotated

import pyoxigraph as ox
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel

from policykg.api.dependencies import ServicesDep
from policykg.api.rest_common import (
    CSV_RESPONSE,
    Page,
    PageParams,
    page_params,
    page_response,
    paged_query,
    select,
)

__all__ = ["SearchHit", "router"]

router = APIRouter(prefix="/api/search", tags=["search"])

# CONTAINS, not REGEX: user text is never a pattern (no ReDoS).  Shortest match
# first; the length is projected because some servers (Virtuoso) refuse an
# aggregate's alias inside an ORDER BY expression.
_SEARCH = """
SELECT ?node (SAMPLE(?label) AS ?match) (SAMPLE(?type) AS ?kind)
       (MIN(STRLEN(STR(?label))) AS ?length) ?q WHERE {
  VALUES ?p { dcterms:title skos:prefLabel skos:altLabel eli:id_local }
  ?node ?p ?label .
  FILTER (CONTAINS(LCASE(STR(?label)), LCASE(?q)))
  OPTIONAL { ?node a ?type }
}
GROUP BY ?node ?q
ORDER BY ?length ?node"""

_KINDS = {
    "PolicyDocument": "document",
    "Task": "task",
    "GovernmentBody": "department",
    "Organization": "department",
    "AdministrativeArea": "area",
    "Concept": "concept",
}


class SearchHit(BaseModel):
    """A node whose title or label contains the search text."""

    iri: str
    label: str
    kind: str | None = None


@router.get(
    "",
    response_model=Page[SearchHit],
    responses=CSV_RESPONSE,
    summary="Search titles and labels (Chinese text welcome)",
)
async def search(
    request: Request,
    services: ServicesDep,
    q: Annotated[str, Query(min_length=1, max_length=200, description="Text to look for.")],
    params: Annotated[PageParams, Depends(page_params)],
) -> Response:
    """Nodes whose ``dcterms:title``, ``skos:prefLabel``, ``altLabel`` or document number
    (文号, ``eli:id_local``) contains ``q``."""
    rows = await select(services, paged_query(_SEARCH, params), {"q": ox.Literal(q)})
    items = [
        SearchHit(
            iri=r["node"],
            label=r["match"],
            kind=_KINDS.get(str(r["kind"]).rsplit("#", 1)[-1].rsplit("/", 1)[-1]),
        )
        for r in rows[: params.limit]
    ]
    return page_response(request, items, params, more=len(rows) > params.limit)
