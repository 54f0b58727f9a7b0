"""Jobs that run on a worker thread: evaluate, then serialize, on that thread.

Each function here is blocking and is only ever called through
:class:`policykg.api.executor.QueryExecutor`; nothing it returns references a
pyoxigraph result iterator (they must not cross threads).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TypeVar

import pyoxigraph as ox

from policykg.api.executor import CancelToken
from policykg.api.negotiation import MediaRange, named, negotiate
from policykg.api.results import (
    BOOLEAN_OFFERS,
    GRAPH_OFFERS,
    SOLUTION_OFFERS,
    Row,
    SerializedResult,
    Syntax,
    serialize_boolean,
    serialize_graph,
    serialize_solutions,
    stream_solutions,
)
from policykg.api.sparql_guard import grammar_check

__all__ = [
    "GraphCounts",
    "NotAcceptableError",
    "QueryJob",
    "count_graphs",
    "execute_query",
    "execute_update",
    "offers_for",
]

ItemT = TypeVar("ItemT")

# Rows between two deadline checks: cheap enough to be invisible, frequent
# enough to stop a runaway result within milliseconds.
_CHECK_EVERY = 256

# Prefixes for readable Turtle / RDF-XML graph results.
PREFIXES = {
    "pkg": "https://w3id.org/policykg/ontology#",
    "eli": "http://data.europa.eu/eli/ontology#",
    "dcterms": "http://purl.org/dc/terms/",
    "org": "http://www.w3.org/ns/org#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "prov": "http://www.w3.org/ns/prov#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}


class NotAcceptableError(ValueError):
    """No result format fits both the query form and the client's Accept."""


def offers_for(form: str) -> dict[str, Syntax]:
    """Media types the endpoint can produce for a query form.

    Parameters
    ----------
    form : str
        ``SELECT``, ``ASK``, ``CONSTRUCT`` or ``DESCRIBE``.

    Returns
    -------
    dict
        Media type -> syntax, in server-preference order.
    """
    if form == "ASK":
        return BOOLEAN_OFFERS
    if form in ("CONSTRUCT", "DESCRIBE"):
        return GRAPH_OFFERS
    return SOLUTION_OFFERS


@dataclass(slots=True)
class QueryJob:
    """A fully validated query request, ready for a worker.

    Plain data only (strings and media ranges), so a job can also be sent to
    a worker process.

    Attributes
    ----------
    text : str
        The query.
    base_iri : str
        Base for relative IRIs (the endpoint URL, as the protocol suggests).
    solution_ranges, graph_ranges : tuple of MediaRange
        What the client accepts for SELECT/ASK and for CONSTRUCT/DESCRIBE
        results (they differ when a ``format`` parameter overrides Accept).
    max_rows : int
        Row cap; the result is flagged when it bites.
    union_default_graph : bool
        Evaluate against the union of all graphs when no dataset is given.
    default_graph, named_graphs : tuple of str, or None
        Protocol dataset (``default-graph-uri`` / ``named-graph-uri``), as
        validated absolute IRIs.
    screen : bool
        Run the grammar check for SERVICE/LOAD (:mod:`policykg.api.sparql_guard`)
        before evaluating, under the query's deadline.  Always True for
        requests; tests turn it off to prove the worker's network isolation.
    """

    text: str
    base_iri: str
    solution_ranges: tuple[MediaRange, ...]
    graph_ranges: tuple[MediaRange, ...]
    max_rows: int
    union_default_graph: bool = True
    default_graph: tuple[str, ...] | None = None
    named_graphs: tuple[str, ...] | None = None
    screen: bool = True
    prefixes: dict[str, str] = field(default_factory=lambda: dict(PREFIXES))

    def choose_format(self, form: str) -> str | None:
        """The negotiated media type for a query form, or None (HTTP 406).

        Graph results have a fallback for clients that only name a *results*
        syntax (roqet always sends ``Accept: application/sparql-results+xml``,
        whatever the query form): naming an XML results type and no graph
        type gets RDF/XML, naming a JSON one gets JSON-LD, unless the client
        refused that syntax outright.
        """
        graph = form in ("CONSTRUCT", "DESCRIBE")
        ranges = self.graph_ranges if graph else self.solution_ranges
        if graph and not any(named(ranges, offer) for offer in GRAPH_OFFERS):
            for family, media in _GRAPH_FALLBACKS:
                if any(named(ranges, m) for m in family) and not _refused(ranges, media):
                    return media
        return negotiate(ranges, list(offers_for(form)))


# Results syntaxes a client may name -> the graph syntax of the same family.
_GRAPH_FALLBACKS = (
    (("application/sparql-results+xml", "application/xml", "text/xml"), "application/rdf+xml"),
    (("application/sparql-results+json",), "application/ld+json"),
)


def _refused(ranges: tuple[MediaRange, ...], media: str) -> bool:
    return any(r.q == 0 and r.specificity() >= 2 and r.matches(media) for r in ranges)


def _capped(items: Iterable[ItemT], cap: int, token: CancelToken) -> tuple[list[ItemT], bool]:
    out: list[ItemT] = []
    for i, item in enumerate(items):
        if i % _CHECK_EVERY == 0:
            token.check()
        if i >= cap:
            return out, True
        out.append(item)
    token.check()
    return out, False


def _truncation_warning(cap: int) -> str:
    return (
        f"result truncated to the first {cap} rows (server row cap); "
        "use LIMIT/OFFSET or ORDER BY to page through the rest"
    )


def execute_query(store: ox.Store, job: QueryJob, token: CancelToken) -> SerializedResult:
    """Evaluate a query and serialize the negotiated format on this thread.

    Parameters
    ----------
    store : pyoxigraph.Store
        The store.
    job : QueryJob
        What to run and how to write it.
    token : CancelToken
        Checked between rows.

    Returns
    -------
    SerializedResult
        Finished bytes.

    Raises
    ------
    SyntaxError
        For a malformed query (pyoxigraph's parser message).
    NotAcceptableError
        If no format fits the (late-detected) query form.
    QueryCancelledError
        When the deadline passes.
    ForbiddenOperationError, UnverifiableQueryError
        From the grammar check.
    """
    if job.screen:
        grammar_check(job.text, "query")
        token.check()
    use_union = job.union_default_graph and job.default_graph is None
    default_graph: list[ox.NamedNode | ox.BlankNode | ox.DefaultGraph] | None = (
        None if job.default_graph is None else [ox.NamedNode(g) for g in job.default_graph]
    )
    named_graphs: list[ox.NamedNode | ox.BlankNode] | None = (
        None if job.named_graphs is None else [ox.NamedNode(g) for g in job.named_graphs]
    )
    result = store.query(
        job.text,
        base_iri=job.base_iri,
        use_default_graph_as_union=use_union,
        default_graph=default_graph,
        named_graphs=named_graphs,
    )
    token.check()
    if isinstance(result, ox.QuerySolutions):
        media = _choose(job, "SELECT")
        syntax = SOLUTION_OFFERS[media]
        streamed = stream_solutions(result, syntax, job.max_rows, token.check)
        if streamed is not None:
            return SerializedResult(streamed[0], media, streamed[1])
        # Possibly over the row cap: evaluate again, capped row by row, with the
        # warning in the body (only results near or over the cap pay for this).
        result = store.query(
            job.text,
            base_iri=job.base_iri,
            use_default_graph_as_union=use_union,
            default_graph=default_graph,
            named_graphs=named_graphs,
        )
        token.check()
        assert isinstance(result, ox.QuerySolutions)
        variables = [v.value for v in result.variables]
        solutions, truncated = _capped(result, job.max_rows, token)
        rows: list[Row] = [tuple(s[i] for i in range(len(variables))) for s in solutions]
        warning = _truncation_warning(job.max_rows) if truncated else None
        body = serialize_solutions(variables, rows, syntax, warning=warning)
        return SerializedResult(body, media, len(rows), truncated)
    if isinstance(result, ox.QueryTriples):
        media = _choose(job, "CONSTRUCT")
        triples, truncated = _capped(result, job.max_rows, token)
        body = serialize_graph(triples, GRAPH_OFFERS[media], job.prefixes)
        return SerializedResult(body, media, len(triples), truncated)
    media = _choose(job, "ASK")
    return SerializedResult(serialize_boolean(bool(result), BOOLEAN_OFFERS[media]), media, 1)


def _choose(job: QueryJob, form: str) -> str:
    media = job.choose_format(form)
    if media is None:
        raise NotAcceptableError(form)
    return media


def execute_update(store: ox.Store, text: str, base_iri: str, token: CancelToken) -> None:
    """Apply a SPARQL update (transactional in pyoxigraph).

    Parameters
    ----------
    store : pyoxigraph.Store
        The store.
    text : str
        The update, already screened (lexer and grammar check) and with
        protocol USING clauses.
    base_iri : str
        Base for relative IRIs.
    token : CancelToken
        Checked before starting (an update cannot be interrupted midway).
    """
    token.check()
    store.update(text, base_iri=base_iri)


@dataclass(frozen=True, slots=True)
class GraphCounts:
    """Triple counts for the service description (VoID).

    Attributes
    ----------
    default_graph : int
        Distinct triples of the default graph as queries see it: the union of
        the store's own default graph and every named graph.
    named : dict
        Named graph IRI (or blank node label) -> triple count.
    store_default : int
        Triples in the store's own default graph (part of that union).
    """

    default_graph: int
    named: dict[str, int]
    store_default: int = 0

    @property
    def named_total(self) -> int:
        """Triples summed over the named graphs (a triple in two graphs counts twice)."""
        return sum(self.named.values())


def count_graphs(store: ox.Store, token: CancelToken) -> GraphCounts:
    """Count triples per named graph and in the union default graph.

    Parameters
    ----------
    store : pyoxigraph.Store
        The store.
    token : CancelToken
        Checked between the two queries.

    Returns
    -------
    GraphCounts
        The counts.
    """
    named: dict[str, int] = {}
    for graph in store.named_graphs():
        named[graph.value] = 0
    result = store.query("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
    assert isinstance(result, ox.QuerySolutions)
    for row in result:
        g, n = row[0], row[1]
        if isinstance(g, ox.NamedNode | ox.BlankNode) and isinstance(n, ox.Literal):
            named[g.value] = int(n.value)
    token.check()
    total = store.query(
        # DISTINCT: a triple stated in two graphs is one triple of the union graph.
        "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } }",
        use_default_graph_as_union=True,
    )
    count = _single_count(total)
    token.check()
    own = store.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    return GraphCounts(count, named, _single_count(own))


def _single_count(result: object) -> int:
    assert isinstance(result, ox.QuerySolutions)
    first = next(iter(result))[0]
    return int(first.value) if isinstance(first, ox.Literal) else 0
