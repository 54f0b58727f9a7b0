"""REST: policy documents (``/api/documents``, ``/api/documents/{id}``)."""

from __future__ import annotations

from typing import Annotated

import pyoxigraph as ox
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field

from policykg.api.dependencies import ServicesDep
from policykg.api.errors import ProtocolError
from policykg.api.rest_common import (
    CSV_RESPONSE,
    DETAIL_RESPONSES,
    Page,
    PageParams,
    Row,
    entity_iri,
    level_name,
    local_id,
    page_params,
    page_response,
    paged_query,
    select,
    short_name,
)

__all__ = ["DocumentDetail", "DocumentSummary", "router"]

router = APIRouter(prefix="/api/documents", tags=["documents"])

_LIST = """
SELECT ?doc (SAMPLE(?t) AS ?title) (SAMPLE(?n) AS ?number) (SAMPLE(?d) AS ?date)
       (SAMPLE(?rl) AS ?region) (SAMPLE(?rc) AS ?region_code) (SAMPLE(?s) AS ?stub) ?region_q
WHERE {
  ?doc a pkg:PolicyDocument .
  OPTIONAL { ?doc dcterms:title ?t }
  OPTIONAL { ?doc eli:id_local ?n }
  OPTIONAL { ?doc eli:date_document ?d }
  OPTIONAL { ?doc eli:jurisdiction ?a . OPTIONAL { ?a skos:prefLabel ?rl }
             OPTIONAL { ?a pkg:divisionCode ?rc } }
  OPTIONAL { ?doc pkg:isStub ?s }
  #FILTERS#
}
GROUP BY ?doc ?region_q
ORDER BY ?doc"""

_DETAIL = """
SELECT ?doc (SAMPLE(?t) AS ?title) (SAMPLE(?n) AS ?number) (SAMPLE(?d) AS ?date)
       (SAMPLE(?rl) AS ?region) (SAMPLE(?rc) AS ?region_code) (SAMPLE(?s) AS ?stub)
       (SAMPLE(?il) AS ?issuer) (SAMPLE(?lev) AS ?level)
WHERE {
  ?doc a pkg:PolicyDocument .
  OPTIONAL { ?doc dcterms:title ?t }
  OPTIONAL { ?doc eli:id_local ?n }
  OPTIONAL { ?doc eli:date_document ?d }
  OPTIONAL { ?doc eli:jurisdiction ?a . OPTIONAL { ?a skos:prefLabel ?rl }
             OPTIONAL { ?a pkg:divisionCode ?rc } }
  OPTIONAL { ?doc pkg:isStub ?s }
  OPTIONAL { ?doc pkg:regionLevel ?lev }
  OPTIONAL { ?doc eli:passed_by/skos:prefLabel ?il }
}
GROUP BY ?doc"""

_TASKS = """
SELECT ?doc ?task ?number ?title ?body ?label ?role ?position WHERE {
  ?task eli:is_part_of ?doc ; a pkg:Task .
  OPTIONAL { ?task eli:number ?number }
  OPTIONAL { ?task dcterms:title ?title }
  OPTIONAL {
    ?r pkg:forTask ?task ; pkg:responsibleBody ?body .
    OPTIONAL { ?r pkg:role ?role }
    OPTIONAL { ?r pkg:listPosition ?position }
    OPTIONAL { ?body skos:prefLabel ?label }
  }
}
ORDER BY ?task ?position ?label"""

_CITATIONS = """
SELECT ?doc ?citation ?citing ?cited ?type ?other_title WHERE {
  { ?citation pkg:citingDocument ?doc ; pkg:citedDocument ?cited . BIND(?doc AS ?citing)
    OPTIONAL { ?cited dcterms:title ?other_title } }
  UNION
  { ?citation pkg:citedDocument ?doc ; pkg:citingDocument ?citing . BIND(?doc AS ?cited)
    OPTIONAL { ?citing dcterms:title ?other_title } }
  OPTIONAL { ?citation pkg:citationType ?type }
}
ORDER BY ?citation"""

_TARGETS = """
SELECT ?doc ?target ?indicator ?value ?value_max ?unit ?year ?comparator ?area WHERE {
  ?target pkg:setBy ?doc ; pkg:indicator/skos:prefLabel ?indicator ; pkg:targetValue ?value .
  FILTER (LANG(?indicator) = "zh")
  OPTIONAL { ?target pkg:targetValueMax ?value_max }
  OPTIONAL { ?target sdmx-attribute:unitMeasure/skos:prefLabel ?unit }
  OPTIONAL { ?target pkg:targetYear ?year }
  OPTIONAL { ?target pkg:comparator/skos:notation ?comparator }
  OPTIONAL { ?target sdmx-dimension:refArea/skos:prefLabel ?area }
}
ORDER BY ?target"""


class DocumentSummary(BaseModel):
    """A policy document as listed."""

    id: str
    iri: str
    title: str | None = None
    doc_number: str | None = None
    date: str | None = None
    region: str | None = None
    region_code: str | None = None
    stub: bool = False


class Responsible(BaseModel):
    """A department responsible for a task, with its role."""

    department_id: str | None
    department: str | None
    role: str | None
    position: int | None = None


class TaskItem(BaseModel):
    """A numbered task of a document and who is responsible for it."""

    iri: str
    number: str | None = None
    title: str | None = None
    responsible: list[Responsible] = []


class CitationItem(BaseModel):
    """A citation from or to the document."""

    iri: str
    type: str | None
    document_id: str | None
    document_iri: str
    document_title: str | None = None


class TargetItem(BaseModel):
    """A quantified target the document sets."""

    iri: str
    indicator: str
    value: float
    value_max: float | None = None
    unit: str | None = None
    year: int | None = None
    comparator: str | None = None
    area: str | None = None


class DocumentDetail(DocumentSummary):
    """A document with its tasks, citations in both directions and targets."""

    issuer: str | None = None
    level: str | None = Field(
        default=None, description="Government level: national, provincial, city or county."
    )
    tasks: list[TaskItem] = []
    cites: list[CitationItem] = []
    cited_by: list[CitationItem] = []
    targets: list[TargetItem] = []


def _summary(row: Row, cls: type[DocumentSummary] = DocumentSummary) -> DocumentSummary:
    return cls(
        id=local_id(row["doc"], "doc") or row["doc"],
        iri=row["doc"],
        title=row.get("title"),
        doc_number=row.get("number"),
        date=None if row.get("date") is None else str(row["date"]),
        region=row.get("region"),
        region_code=row.get("region_code"),
        stub=bool(row.get("stub")),
    )


@router.get(
    "",
    response_model=Page[DocumentSummary],
    responses=CSV_RESPONSE,
    summary="List documents (JSON page by default, CSV by Accept)",
)
async def list_documents(
    request: Request,
    services: ServicesDep,
    params: Annotated[PageParams, Depends(page_params)],
    region: Annotated[
        str | None, Query(max_length=100, description="Region name or GB/T 2260 code.")
    ] = None,
    include_stubs: Annotated[
        bool, Query(description="Also list documents only known from citations.")
    ] = False,
) -> Response:
    """Documents ordered by IRI, optionally restricted to a region."""
    filters = [] if include_stubs else ["FILTER (!BOUND(?s) || ?s = false)"]
    bindings = {}
    if region is not None:
        filters.append("FILTER (STR(?rl) = ?region_q || STR(?rc) = ?region_q)")
        bindings["region_q"] = ox.Literal(region)
    query = paged_query(_LIST, params, filters)
    rows = await select(services, query, bindings)
    items = [_summary(r) for r in rows[: params.limit]]
    return page_response(request, items, params, more=len(rows) > params.limit)


@router.get(
    "/{doc_id}",
    response_model=DocumentDetail,
    responses=DETAIL_RESPONSES,
    summary="One document in full",
)
async def get_document(doc_id: str, services: ServicesDep) -> DocumentDetail:
    """Metadata, tasks with responsible departments, citations in/out, targets."""
    doc = entity_iri("doc", doc_id)
    bind = {"doc": doc}
    rows = await select(services, _DETAIL, bind)
    if not rows:
        raise ProtocolError(404, f"no document with id {doc_id[:80]!r}")
    detail = _summary(rows[0], DocumentDetail)
    assert isinstance(detail, DocumentDetail)
    detail.issuer = rows[0].get("issuer")
    detail.level = level_name(rows[0].get("level"))
    tasks: dict[str, TaskItem] = {}
    for row in await select(services, _TASKS, bind):
        task = tasks.setdefault(
            row["task"], TaskItem(iri=row["task"], number=row["number"], title=row["title"])
        )
        if row["body"] is not None:
            task.responsible.append(
                Responsible(
                    department_id=local_id(row["body"], "body"),
                    department=row["label"],
                    role=short_name(row["role"]),
                    position=row["position"],
                )
            )
    detail.tasks = list(tasks.values())
    for row in await select(services, _CITATIONS, bind):
        outgoing = row["citing"] == doc.value
        other = row["cited"] if outgoing else row["citing"]
        item = CitationItem(
            iri=row["citation"],
            type=short_name(row["type"]),
            document_id=local_id(other, "doc"),
            document_iri=other,
            document_title=row["other_title"],
        )
        (detail.cites if outgoing else detail.cited_by).append(item)
    detail.targets = [
        TargetItem(
            iri=row["target"],
            indicator=row["indicator"],
            value=row["value"],
            value_max=row["value_max"],
            unit=row["unit"],
            year=row["year"],
            comparator=row["comparator"],
            area=row["area"],
        )
        for row in await select(services, _TARGETS, bind)
    ]
    return detail
