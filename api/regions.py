"""REST: targets of an administrative area (``/api/regions/{code}/targets``)."""

from __future__ import annotations

from typing import Annotated

import pyoxigraph as ox
from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel

from policykg.api.dependencies import ServicesDep
from policykg.api.rest_common import (
    CSV_RESPONSE,
    Page,
    PageParams,
    local_id,
    page_params,
    page_response,
    paged_query,
    select,
)

__all__ = ["RegionTarget", "router"]

router = APIRouter(prefix="/api/regions", tags=["regions"])

XSD_GYEAR = ox.NamedNode("http://www.w3.org/2001/XMLSchema#gYear")

# ?region_q matches the area's GB/T 2260 code or its name; ?indicator_q and
# ?year_q are projected even when unused (pyoxigraph binds projected variables only).
_TARGETS = """
SELECT ?target ?area_label ?indicator ?value ?value_max ?unit ?year ?comparator ?doc ?doc_title
       ?region_q ?indicator_q ?year_q
WHERE {
  ?target a pkg:Target ; sdmx-dimension:refArea ?area ; pkg:targetValue ?value ;
          pkg:indicator/skos:prefLabel ?indicator .
  FILTER (LANG(?indicator) = "zh")
  OPTIONAL { ?area pkg:divisionCode ?code }
  OPTIONAL { ?area skos:prefLabel ?area_label }
  FILTER (STR(?code) = ?region_q || STR(?area_label) = ?region_q)
  OPTIONAL { ?target pkg:targetValueMax ?value_max }
  OPTIONAL { ?target sdmx-attribute:unitMeasure/skos:prefLabel ?unit }
  OPTIONAL { ?target pkg:targetYear ?year }
  OPTIONAL { ?target pkg:comparator/skos:notation ?comparator }
  OPTIONAL { ?target pkg:setBy ?doc OPTIONAL { ?doc dcterms:title ?doc_title } }
  #FILTERS#
}
ORDER BY ?indicator ?year ?target"""


class RegionTarget(BaseModel):
    """A quantified target for an area."""

    iri: str
    area: str | None
    indicator: str
    value: float
    value_max: float | None = None
    unit: str | None = None
    year: int | None = None
    comparator: str | None = None
    document_id: str | None = None
    document_title: str | None = None


@router.get(
    "/{code}/targets",
    response_model=Page[RegionTarget],
    responses=CSV_RESPONSE,
    summary="Targets set for an area",
)
async def region_targets(
    request: Request,
    services: ServicesDep,
    code: Annotated[
        str, Path(min_length=1, max_length=100, description="GB/T 2260 code or area name.")
    ],
    params: Annotated[PageParams, Depends(page_params)],
    indicator: Annotated[str | None, Query(max_length=200)] = None,
    year: Annotated[int | None, Query(ge=1900, le=2200)] = None,
) -> Response:
    """Targets whose ``sdmx-dimension:refArea`` is the area (by code or name)."""
    bindings: dict[str, ox.NamedNode | ox.Literal] = {"region_q": ox.Literal(code)}
    filters = []
    if indicator is not None:
        filters.append("FILTER (STR(?indicator) = ?indicator_q)")
        bindings["indicator_q"] = ox.Literal(indicator)
    if year is not None:
        filters.append("FILTER (?year = ?year_q)")
        bindings["year_q"] = ox.Literal(f"{year:04d}", datatype=XSD_GYEAR)
    rows = await select(services, paged_query(_TARGETS, params, filters), bindings)
    items = [
        RegionTarget(
            iri=r["target"],
            area=r["area_label"],
            indicator=r["indicator"],
            value=r["value"],
            value_max=r["value_max"],
            unit=r["unit"],
            year=r["year"],
            comparator=r["comparator"],
            document_id=local_id(r["doc"], "doc"),
            document_title=r["doc_title"],
        )
        for r in rows[: params.limit]
    ]
    return page_response(request, items, params, more=len(rows) > params.limit)
