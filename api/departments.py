"""REST: responsible departments (``/api/departments``, ``/api/departments/{id}``)."""

from __future__ import annotations

from typing import Annotated

import pyoxigraph as ox
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel

from policykg.api.dependencies import ServicesDep
from policykg.api.errors import ProtocolError
from policykg.api.rest_common import (
    CSV_RESPONSE,
    DETAIL_RESPONSES,
    Page,
    PageParams,
    entity_iri,
    local_id,
    page_params,
    page_response,
    paged_query,
    select,
    short_name,
)

__all__ = ["DepartmentDetail", "DepartmentSummary", "router"]

router = APIRouter(prefix="/api/departments", tags=["departments"])

_LIST = """
SELECT ?body (SAMPLE(?l) AS ?label) (SAMPLE(?rl) AS ?region) (COUNT(DISTINCT ?task) AS ?tasks)
       ?region_q
WHERE {
  ?r a pkg:Responsibility ; pkg:responsibleBody ?body ; pkg:forTask ?task .
  OPTIONAL { ?body skos:prefLabel ?l }
  OPTIONAL { ?body pkg:inArea ?a . OPTIONAL { ?a skos:prefLabel ?rl }
             OPTIONAL { ?a pkg:divisionCode ?rc } }
  #FILTERS#
}
GROUP BY ?body ?region_q
ORDER BY DESC(?tasks) ?body"""

_DETAIL = """
SELECT ?body (SAMPLE(?l) AS ?label) (SAMPLE(?rl) AS ?region)
       (GROUP_CONCAT(DISTINCT ?alt; SEPARATOR="\\u001f") AS ?alt_labels)
WHERE {
  ?body a org:Organization .
  OPTIONAL { ?body skos:prefLabel ?l }
  OPTIONAL { ?body skos:altLabel ?alt }
  OPTIONAL { ?body pkg:inArea/skos:prefLabel ?rl }
}
GROUP BY ?body"""

_TASKS = """
SELECT ?body ?task ?number ?title ?role ?doc ?doc_title WHERE {
  ?r pkg:responsibleBody ?body ; pkg:forTask ?task .
  OPTIONAL { ?r pkg:role ?role }
  OPTIONAL { ?task eli:number ?number }
  OPTIONAL { ?task dcterms:title ?title }
  OPTIONAL { ?task eli:is_part_of ?doc OPTIONAL { ?doc dcterms:title ?doc_title } }
}
ORDER BY ?doc ?task"""

_PARTNERS = """
SELECT ?body ?other (SAMPLE(?l) AS ?label) (COUNT(DISTINCT ?task) AS ?shared) WHERE {
  ?r1 pkg:responsibleBody ?body ; pkg:forTask ?task .
  ?r2 pkg:forTask ?task ; pkg:responsibleBody ?other .
  FILTER (?other != ?body)
  OPTIONAL { ?other skos:prefLabel ?l }
}
GROUP BY ?body ?other
ORDER BY DESC(?shared) ?other"""


class DepartmentSummary(BaseModel):
    """A department (government body) and how many tasks it is responsible for."""

    id: str
    iri: str
    label: str | None = None
    region: str | None = None
    tasks: int = 0


class DepartmentTask(BaseModel):
    """A task of a department, with the department's role in it."""

    iri: str
    number: str | None = None
    title: str | None = None
    role: str | None = None
    document_id: str | None = None
    document_title: str | None = None


class Partner(BaseModel):
    """Another department sharing tasks with this one."""

    id: str | None
    iri: str
    label: str | None = None
    shared_tasks: int


class DepartmentDetail(DepartmentSummary):
    """A department with its tasks (and roles) and co-responsible departments."""

    alt_labels: list[str] = []
    task_list: list[DepartmentTask] = []
    co_responsible: list[Partner] = []


@router.get(
    "",
    response_model=Page[DepartmentSummary],
    responses=CSV_RESPONSE,
    summary="List departments by number of tasks",
)
async def list_departments(
    request: Request,
    services: ServicesDep,
    params: Annotated[PageParams, Depends(page_params)],
    region: Annotated[
        str | None, Query(max_length=100, description="Region name or GB/T 2260 code.")
    ] = None,
) -> Response:
    """Departments with at least one responsibility, most tasks first."""
    bindings = {}
    filters = []
    if region is not None:
        filters.append("FILTER (STR(?rl) = ?region_q || STR(?rc) = ?region_q)")
        bindings["region_q"] = ox.Literal(region)
    rows = await select(services, paged_query(_LIST, params, filters), bindings)
    items = [
        DepartmentSummary(
            id=local_id(r["body"], "body") or r["body"],
            iri=r["body"],
            label=r["label"],
            region=r["region"],
            tasks=r["tasks"],
        )
        for r in rows[: params.limit]
    ]
    return page_response(request, items, params, more=len(rows) > params.limit)


@router.get(
    "/{dept_id:path}",
    response_model=DepartmentDetail,
    responses=DETAIL_RESPONSES,
    summary="One department",
)
async def get_department(dept_id: str, services: ServicesDep) -> DepartmentDetail:
    """Tasks with roles and the departments it shares tasks with."""
    body = entity_iri("body", dept_id)
    bind = {"body": body}
    rows = await select(services, _DETAIL, bind)
    if not rows:
        raise ProtocolError(404, f"no department with id {dept_id[:80]!r}")
    row = rows[0]
    tasks = [
        DepartmentTask(
            iri=t["task"],
            number=t["number"],
            title=t["title"],
            role=short_name(t["role"]),
            document_id=local_id(t["doc"], "doc"),
            document_title=t["doc_title"],
        )
        for t in await select(services, _TASKS, bind)
    ]
    partners = [
        Partner(
            id=local_id(p["other"], "body"),
            iri=p["other"],
            label=p["label"],
            shared_tasks=p["shared"],
        )
        for p in await select(services, _PARTNERS, bind)
    ]
    return DepartmentDetail(
        id=dept_id,
        iri=body.value,
        label=row["label"],
        region=row["region"],
        tasks=len({t.iri for t in tasks}),
        alt_labels=[a for a in (row["alt_labels"] or "").split("\x1f") if a],
        task_list=tasks,
        co_responsible=partners,
    )
