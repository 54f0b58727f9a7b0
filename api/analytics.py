"""REST: workload analytics (``/api/analytics/workload``), from ``graph.analytics``."""

from __future__ import annotations

from typing import Annotated, Literal

import networkx as nx
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel

from policykg.api.dependencies import Services, ServicesDep, run_blocking
from policykg.api.executor import CancelToken
from policykg.api.rest_common import CSV_RESPONSE, Page, PageParams, page_params, page_response
from policykg.graph.analytics import department_workload, workload_graph

__all__ = ["WorkloadRecord", "router"]

router = APIRouter(prefix="/api/analytics", tags=["analytics"])

Role = Literal["lead", "support", "responsible"]


class WorkloadRecord(BaseModel):
    """Workload of one department (see ``policykg workload``)."""

    id: str
    department: str
    tasks: int
    tasks_led: int
    tasks_support: int
    load: float
    load_per_document: float
    documents: int
    regions: str


def _workload(
    services: Services, region: str | None, role: str | None, token: CancelToken
) -> list[dict[str, object]]:
    # The department-task graph is built once per store state (writes reset it).
    graph = services.workload_graph
    if graph is None:
        graph = workload_graph(services.store)
        services.workload_graph = graph
    token.check()
    if region is not None:
        tasks = [
            n
            for n, a in graph.nodes(data=True)
            if a.get("kind") == "task" and a.get("region") == region
        ]
        keep = set(tasks)
        for task in tasks:
            keep.update(graph.neighbors(task))
        graph = nx.Graph(graph.subgraph(keep))
    records = department_workload(graph)
    if role is not None:
        roles_of: dict[str, set[str]] = {}
        for u, v, attrs in graph.edges(data=True):
            dept = u if graph.nodes[u].get("kind") == "department" else v
            roles_of.setdefault(dept, set()).add(attrs.get("role", "responsible"))
        records = [r for r in records if role in roles_of.get(str(r["id"]), set())]
    return records


@router.get(
    "/workload",
    response_model=Page[WorkloadRecord],
    responses=CSV_RESPONSE,
    summary="Department workload",
)
async def workload(
    request: Request,
    services: ServicesDep,
    params: Annotated[PageParams, Depends(page_params)],
    region: Annotated[
        str | None, Query(max_length=100, description="Only tasks of documents of this region.")
    ] = None,
    role: Annotated[
        Role | None, Query(description="Only departments holding this role on some task.")
    ] = None,
) -> Response:
    """Tasks, tasks led, share-weighted load (Σ 1/n), documents and regions per department.

    ``region`` restricts the tasks (by their document's region) before the
    load is computed; ``role`` keeps the departments that hold that role on at
    least one of those tasks (the load itself always counts every unit of a
    task).
    """
    records = await run_blocking(services, lambda t: _workload(services, region, role, t))
    page = records[params.offset : params.offset + params.limit + 1]
    items = [WorkloadRecord.model_validate(r) for r in page[: params.limit]]
    return page_response(request, items, params, more=len(page) > params.limit)
