"""REST: the analyses of ``graph.analytics`` under ``/api/analytics``.

``/workload`` (optionally ``by`` region, document, year or topic),
``/network`` and its parts (``/communities``, ``/bridges``, ``/edges``),
``/citations`` and its parts (``/paths``, ``/cycles``, ``/self-citations``,
``/types``, ``/levels``), ``/targets`` and ``/targets/pivot``.  Every route
pages its records (``limit``/``offset``, ``next_offset``) and answers JSON or
CSV by ``Accept``, like the other list routes; each part has its own response
model, so the OpenAPI document says what comes back.

Records are computed once per store version and parameters, on a worker, and
kept in an :class:`AnalyticsCache` (with the department–task graph they share):
a warm request only pages through them.  The version is a token kept with the
service's cached exports, which every write (SPARQL Update, Graph Store) clears,
so nothing computed before a change is served after it — not even a result
whose computation was still running when the change happened.  A store swap
(reload) calls :meth:`AnalyticsCache.clear` (or ``Services.invalidate_counts``).
"""

from __future__ import annotations

import json
import os
import threading
from collections import OrderedDict
from collections.abc import Callable
from enum import StrEnum
from typing import Annotated, Any, Literal, TypeVar

from fastapi import APIRouter, Depends, FastAPI, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from policykg.api.dependencies import Services, ServicesDep, run_blocking
from policykg.api.executor import CancelToken
from policykg.api.rest_common import CSV_RESPONSE, Page, PageParams, page_params, page_response
from policykg.graph import analytics as an

__all__ = [
    "ANALYSIS_TIMEOUT",
    "AnalyticsCache",
    "Bridge",
    "CitationDocument",
    "CitationLevelLink",
    "CitationType",
    "Community",
    "Cycle",
    "DiffusionPath",
    "NetworkDepartment",
    "NetworkEdge",
    "SelfCitation",
    "TargetPivotRow",
    "TargetRecord",
    "WorkloadGroupRecord",
    "WorkloadRecord",
    "analytics_cache",
    "router",
]

router = APIRouter(prefix="/api/analytics", tags=["analytics"])

Role = Literal["lead", "support", "responsible"]
M = TypeVar("M", bound=BaseModel)


class WorkloadBy(StrEnum):
    region = "region"
    document = "document"
    year = "year"
    topic = "topic"


# ------------------------------------------------------------------ response models


class WorkloadRecord(BaseModel):
    """Workload of one department (see ``graph.analytics.department_workload``)."""

    rank: int = Field(description="Competition rank by load (1, 2, 2, 4): ties share a rank.")
    department: str
    id: str
    tasks: int
    tasks_led: int
    tasks_support: int
    load: float = Field(description="Σ 1/n over its tasks, n = units on the task.")
    load_per_document: float = Field(
        description="Each task's share also divided by its document's task count."
    )
    documents: int
    topics: int = Field(description="Distinct task topics (work areas of the task headings).")
    regions: str


class WorkloadGroupRecord(WorkloadRecord):
    """Workload of one department within one region, document, year or topic."""

    by: str = Field(description="What the tasks are grouped by.")
    group: str | int | None = Field(description="The region, document, year or topic.")
    document_id: str | None = Field(default=None, description="The document's IRI (by=document).")


class NetworkDepartment(BaseModel):
    """Centralities and community of one department in the co-responsibility network."""

    department: str
    id: str
    degree: int
    strength: float = Field(description="Σ shared tasks over its ties.")
    out_strength: float | None = Field(
        default=None, description="Directed variant: ties as lead (None when undirected)."
    )
    in_strength: float | None = Field(
        default=None, description="Directed variant: ties as support (None when undirected)."
    )
    betweenness: float
    eigenvector: float
    pagerank: float
    community: int
    participation: float = Field(description="Participation coefficient (0: one community).")


class Community(BaseModel):
    """A Louvain community of the co-responsibility network."""

    community: int
    size: int
    members: str = Field(description="Strongest members, joined with 、.")
    internal_weight: float
    external_weight: float
    bridges: int


class Bridge(BaseModel):
    """A department whose ties reach into other communities."""

    department: str
    id: str
    community: int
    communities_reached: int
    participation: float


class NetworkEdge(BaseModel):
    """A tie of the co-responsibility network."""

    source: str
    target: str
    source_id: str
    target_id: str
    weight: float = Field(description="Shared tasks.")
    kind: str = Field(description="co_responsibility, or lead_support when directed.")


class CitationDocument(BaseModel):
    """A document (or stub) of the citation network."""

    document: str
    id: str
    stub: bool
    level: str
    in_degree: int
    out_degree: int
    pagerank: float


class DiffusionPath(BaseModel):
    """A chain of citations from a national document down the levels."""

    source: str
    target: str
    target_level: str | None
    length: int
    levels: str
    path: str
    source_id: str
    target_id: str
    ids: str


class Cycle(BaseModel):
    """A citation cycle (documents citing each other round)."""

    cycle: int
    length: int
    documents: str
    ids: str


class SelfCitation(BaseModel):
    """A document citing itself."""

    document: str
    id: str
    citation_types: str


class CitationType(BaseModel):
    """Citations of one type."""

    citation_type: str
    citations: int
    citing_documents: int


class CitationLevelLink(BaseModel):
    """Citations from documents of one level to documents of another."""

    from_level: str
    to_level: str
    citations: int


class TargetRecord(BaseModel):
    """One quantified target."""

    indicator: str
    area: str | None
    year: int | None
    target_kind: str = Field(description="level, increase or growth_rate.")
    value: float
    value_max: float | None
    unit: str | None
    comparator: str | None
    normalized_value: float | None
    base_unit: str | None
    year_inferred: bool
    document: str | None
    metric: str | None
    id: str


class TargetPivotRow(BaseModel):
    """One row of the indicator × area table: one more column per area (its value)."""

    model_config = ConfigDict(extra="allow")

    indicator: str
    target_kind: str
    unit: str | None
    year: int | None
    areas: int = Field(description="Areas with such a target; their columns follow.")


# ------------------------------------------------------------------ computing and caching


#: where the version token lives in ``Services.exports`` (cleared by every write)
_VERSION_KEY = "analytics:version"
#: seconds a request waits for an analysis being computed (at least the query timeout)
ANALYSIS_TIMEOUT = 300.0
Records = list[dict[str, Any]]


class AnalyticsCache:
    """Analysis records and the department–task graph of one store version.

    Parameters
    ----------
    max_entries : int
        Record lists kept (least recently used dropped first): parameters such
        as ``seed`` or ``region`` can take many values.

    Notes
    -----
    Every method is thread-safe; they run on the REST worker threads.  Two
    requests for the same records while they are being computed share one
    computation (the second waits for the first).
    """

    def __init__(self, max_entries: int = 64) -> None:
        self.max_entries = max_entries
        self._lock = threading.Lock()
        self._version: bytes | None = None
        self._records: OrderedDict[str, Records] = OrderedDict()
        self._graph: Any = None
        self._computing: dict[str, threading.Lock] = {}

    @staticmethod
    def version(services: Services) -> bytes:
        """The store version now: a token that every write (or reload) replaces."""
        token = services.exports.get(_VERSION_KEY)
        if token is None:
            token = services.exports.setdefault(_VERSION_KEY, os.urandom(16))
        return token

    def clear(self) -> None:
        """Forget everything (call after swapping the store)."""
        with self._lock:
            self._version = None
            self._records.clear()
            self._graph = None

    def _current(self, version: bytes) -> None:
        # with the lock held: entries of another version are gone for good
        if version != self._version:
            self._version = version
            self._records.clear()
            self._graph = None

    def _get(self, version: bytes, key: str) -> Records | None:
        with self._lock:
            self._current(version)
            hit = self._records.get(key)
            if hit is not None:
                self._records.move_to_end(key)
            return hit

    def _put(self, services: Services, version: bytes, key: str, records: Records) -> None:
        with self._lock:
            # a write during the computation: its result belongs to no version
            if services.exports.get(_VERSION_KEY) != version:
                return
            self._current(version)
            self._records[key] = records
            while len(self._records) > self.max_entries:
                self._records.popitem(last=False)

    def _key_lock(self, key: str) -> threading.Lock:
        with self._lock:
            return self._computing.setdefault(key, threading.Lock())

    def workload_graph(self, services: Services) -> Any:
        """The department–task graph of the current version (built once)."""
        version = self.version(services)
        with self._lock:
            self._current(version)
            if self._graph is not None:
                return self._graph
        with self._key_lock("graph"):
            with self._lock:
                self._current(version)
                if self._graph is not None:
                    return self._graph
            graph = an.workload_graph(services.store)
            with self._lock:
                if services.exports.get(_VERSION_KEY) == version:
                    self._current(version)
                    self._graph = graph
            return graph

    def records(
        self, services: Services, key: str, compute: Callable[[], Records], token: CancelToken
    ) -> Records:
        """The cached records under ``key``, computed by ``compute()`` when missing.

        Parameters
        ----------
        services : Services
            The service (its store and version token).
        key : str
            Analysis and parameters.
        compute : callable
            Builds the records for the current store.
        token : CancelToken
            Checked before computing.

        Returns
        -------
        list of dict
            Shared records: callers must not modify them.
        """
        version = self.version(services)
        hit = self._get(version, key)
        if hit is not None:
            return hit
        with self._key_lock(key):
            # whoever computed it while we waited has stored it
            hit = self._get(version, key)
            if hit is not None:
                return hit
            token.check()
            records = compute()
            self._put(services, version, key, records)
            return records


def analytics_cache(app: FastAPI) -> AnalyticsCache:
    """The app's :class:`AnalyticsCache` (made on first use)."""
    cache: AnalyticsCache | None = getattr(app.state, "analytics_cache", None)
    if cache is None:
        cache = AnalyticsCache()
        app.state.analytics_cache = cache
    return cache


_GRAPH_ANALYSES = frozenset({"workload", "network"})


async def _records(
    request: Request, services: Services, name: str, **options: Any
) -> list[dict[str, Any]]:
    key = json.dumps([name, options], sort_keys=True, ensure_ascii=False)
    cache = analytics_cache(request.app)

    def compute() -> Records:
        graph = cache.workload_graph(services) if name in _GRAPH_ANALYSES else None
        return an.analyze(services.store, name, workload=graph, **options)

    # Computing an analysis of a large store takes longer than a query may
    # (tens of seconds at 10M triples), and it is done once per store version.
    timeout = max(services.settings.query_timeout, ANALYSIS_TIMEOUT)
    return await run_blocking(
        services, lambda token: cache.records(services, key, compute, token), timeout
    )


def _page(
    request: Request, records: list[dict[str, Any]], model: type[M], params: PageParams
) -> Response:
    page = records[params.offset : params.offset + params.limit + 1]
    items = [model.model_validate(r) for r in page[: params.limit]]
    return page_response(request, items, params, more=len(page) > params.limit)


PageDep = Annotated[PageParams, Depends(page_params)]
RegionQuery = Annotated[
    str | None, Query(max_length=100, description="Only tasks of documents of this region.")
]
RoleQuery = Annotated[
    Role | None, Query(description="Only departments holding this role on some task.")
]
DirectedQuery = Annotated[bool, Query(description="The lead → support variant.")]
SeedQuery = Annotated[int, Query(ge=0, le=2**31 - 1, description="Seed of Louvain.")]


# ------------------------------------------------------------------ workload


@router.get(
    "/workload",
    response_model=Page[WorkloadRecord | WorkloadGroupRecord],
    responses=CSV_RESPONSE,
    summary="Department workload",
)
async def workload(
    request: Request,
    services: ServicesDep,
    params: PageDep,
    region: RegionQuery = None,
    role: RoleQuery = None,
    by: Annotated[
        WorkloadBy | None,
        Query(description="Break the figures down by region, document, year or task topic."),
    ] = None,
) -> Response:
    """Tasks, tasks led/support, share-weighted load (Σ 1/n), documents, topics per department.

    ``region`` restricts the tasks (by their document's region) before the
    load is computed; ``role`` keeps the departments that hold that role on at
    least one of those tasks (the load itself always counts every unit of a
    task).  With ``by`` each record is one department within one group
    (``group``), ranked within it.
    """
    records = await _records(
        request,
        services,
        "workload",
        region=region,
        role=role,
        by=None if by is None else by.value,
    )
    if by is None:
        return _page(request, records, WorkloadRecord, params)
    key = by.value
    grouped = [
        {**r, "by": key, "group": r[key], "document_id": r.get("document_id")} for r in records
    ]
    return _page(request, grouped, WorkloadGroupRecord, params)


# ------------------------------------------------------------------ co-responsibility network


@router.get(
    "/network",
    response_model=Page[NetworkDepartment],
    responses=CSV_RESPONSE,
    summary="Co-responsibility network: departments",
)
async def network(
    request: Request,
    services: ServicesDep,
    params: PageDep,
    directed: DirectedQuery = False,
    region: RegionQuery = None,
    role: RoleQuery = None,
    seed: SeedQuery = 1,
) -> Response:
    """Degree, strength, betweenness, eigenvector, PageRank, Louvain community, participation.

    Departments are linked by the tasks they share (weight = shared tasks);
    ``directed`` gives the lead → support variant.  Sorted by strength.
    """
    records = await _records(
        request,
        services,
        "network",
        part="departments",
        directed=directed,
        region=region,
        role=role,
        seed=seed,
    )
    return _page(request, records, NetworkDepartment, params)


@router.get(
    "/network/communities",
    response_model=Page[Community],
    responses=CSV_RESPONSE,
    summary="Co-responsibility network: communities",
)
async def network_communities(
    request: Request,
    services: ServicesDep,
    params: PageDep,
    directed: DirectedQuery = False,
    region: RegionQuery = None,
    seed: SeedQuery = 1,
) -> Response:
    """Louvain communities (fixed seed): size, strongest members, ties inside and out."""
    records = await _records(
        request,
        services,
        "network",
        part="communities",
        directed=directed,
        region=region,
        seed=seed,
    )
    return _page(request, records, Community, params)


@router.get(
    "/network/bridges",
    response_model=Page[Bridge],
    responses=CSV_RESPONSE,
    summary="Co-responsibility network: bridging departments",
)
async def network_bridges(
    request: Request,
    services: ServicesDep,
    params: PageDep,
    directed: DirectedQuery = False,
    region: RegionQuery = None,
    seed: SeedQuery = 1,
) -> Response:
    """Departments with ties into two or more communities, by participation coefficient."""
    records = await _records(
        request, services, "network", part="bridges", directed=directed, region=region, seed=seed
    )
    return _page(request, records, Bridge, params)


@router.get(
    "/network/edges",
    response_model=Page[NetworkEdge],
    responses=CSV_RESPONSE,
    summary="Co-responsibility network: ties",
)
async def network_edges(
    request: Request,
    services: ServicesDep,
    params: PageDep,
    directed: DirectedQuery = False,
    region: RegionQuery = None,
) -> Response:
    """Pairs of departments sharing tasks, heaviest first."""
    records = await _records(
        request, services, "network", part="edges", directed=directed, region=region
    )
    return _page(request, records, NetworkEdge, params)


# ------------------------------------------------------------------ citation network

_CITATION_PARTS: dict[str, tuple[str, type[BaseModel], str]] = {
    "": ("documents", CitationDocument, "documents and stubs: degrees and PageRank"),
    "/paths": ("paths", DiffusionPath, "diffusion paths from national documents down"),
    "/cycles": ("cycles", Cycle, "citation cycles"),
    "/self-citations": ("self_citations", SelfCitation, "documents citing themselves"),
    "/types": ("types", CitationType, "citations by type"),
    "/levels": ("levels", CitationLevelLink, "citations between administrative levels"),
}


def _citation_route(part: str, model: type[BaseModel], what: str) -> Callable[..., Any]:
    async def route(request: Request, services: ServicesDep, params: PageDep) -> Response:
        records = await _records(request, services, "citations", part=part)
        return _page(request, records, model, params)

    route.__name__ = f"citations_{part}"
    route.__doc__ = f"Citation network: {what}."
    return route


for _suffix, (_part, _model, _what) in _CITATION_PARTS.items():
    router.add_api_route(
        "/citations" + _suffix,
        _citation_route(_part, _model, _what),
        methods=["GET"],
        response_model=Page[_model],
        responses=CSV_RESPONSE,
        summary=f"Citation network: {_what}",
    )


# ------------------------------------------------------------------ targets

AreaQuery = Annotated[str | None, Query(max_length=100, description="Only targets of this area.")]


@router.get(
    "/targets",
    response_model=Page[TargetRecord],
    responses=CSV_RESPONSE,
    summary="Targets, one per row",
)
async def targets(
    request: Request, services: ServicesDep, params: PageDep, area: AreaQuery = None
) -> Response:
    """Every quantified target with its kind (level, increase, growth_rate) and normalised value."""
    records = await _records(request, services, "targets", part="table", region=area)
    return _page(request, records, TargetRecord, params)


@router.get(
    "/targets/pivot",
    response_model=Page[TargetPivotRow],
    responses=CSV_RESPONSE,
    summary="Targets: indicator × area comparison table",
)
async def targets_pivot(
    request: Request, services: ServicesDep, params: PageDep, area: AreaQuery = None
) -> Response:
    """One row per indicator, kind, unit and year; one column per area (normalised value).

    Level targets and change targets (increase, growth rate) are never in one
    row; an area without such a target has ``null`` (an empty CSV cell).
    """
    records = await _records(request, services, "targets", part="pivot", region=area)
    return _page(request, records, TargetPivotRow, params)
