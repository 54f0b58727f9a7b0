"""A remote SPARQL store behind ``policykg serve --store sparql+http://…`` (read-only).

:class:`ServedSparqlStore` adds to :class:`~policykg.graph.remote.SparqlStore`
the parts of the pyoxigraph ``Store`` API that the service uses and the
remote store lacks:

``query(..., substitutions=...)``
    The REST routers bind user values to variables (SEP-0007), which the
    SPARQL Protocol has no equivalent for, so the terms are written into the
    query (:func:`bind_values`): each occurrence of a bound variable in the
    outer ``WHERE`` group becomes the term, as substitution does, and
    ``VALUES ?var { TERM }`` at the start of the group binds the variable for
    the projection (``VALUES`` alone would not do: Virtuoso, for one, drops
    every solution of an ``||`` filter on a ``VALUES`` variable).  ``TERM`` is
    pyoxigraph's serialisation of a ``NamedNode`` (an IRI pyoxigraph validated)
    or a ``Literal`` (N-Triples escaping), and before anything is sent it must
    parse back, in pyoxigraph, as exactly that term (:func:`sparql_term`): a
    value cannot change the query around it.
``query`` dataset
    A query with its own ``FROM`` and no protocol dataset
    (``use_default_graph_as_union=False``, ``default_graph=None``) is sent
    without a dataset, so its ``FROM`` applies on the server.
``quads_for_pattern``, ``__iter__``, ``dump``
    For the Graph Store routes and the web page's exports: one ``SELECT``
    over the graphs the store owns (:data:`~policykg.graph.remote.GRAPH_PREFIX`,
    the ontology and reference graphs).  The default graph is empty, as in a
    local store, whose shared data lives in the reference graph.

Writes are not offered: a remote store is served read-only (HTTP 403), it is
written with ``policykg build --store sparql+http://…``.  Its data can change
under the server at any time (a remote build is not atomic); SIGHUP makes the
server drop its caches (counts, analytics, exports) after such a build.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import pyoxigraph as ox

from policykg.api.evaluation import GraphCounts
from policykg.api.executor import CancelToken
from policykg.graph.namespaces import ONTOLOGY_GRAPH, REFERENCE_GRAPH
from policykg.graph.remote import GRAPH_PREFIX, SparqlLocation, SparqlStore

__all__ = ["ServedSparqlStore", "bind_values", "count_remote_graphs", "sparql_term"]

Term = ox.NamedNode | ox.Literal
_VARIABLE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_WHERE = re.compile(r"\bWHERE\s*\{", re.IGNORECASE)
_SUBQUERY = re.compile(r"\bSELECT\b", re.IGNORECASE)
# What may hold a brace that is not one: strings, IRIs, comments.
_TOKENS = re.compile(
    r'"(?:[^"\\\n]|\\.)*"' r"|'(?:[^'\\\n]|\\.)*'" r'|<[^<>"{}|^`\\\s]*>|#[^\n]*|[{}]'
)
#: SPARQL filter: the graph ?g is one the store owns
OWNED = (
    f'(STRSTARTS(STR(?g), "{GRAPH_PREFIX}") || ?g IN ({ONTOLOGY_GRAPH}, {REFERENCE_GRAPH}))'
)
# An empty in-memory store: parses a rendered term back (never holds data).
_PARSER = ox.Store()


def sparql_term(term: Term) -> str:
    """An IRI or literal as SPARQL text that means exactly that term.

    Raises
    ------
    ValueError
        For other terms (blank nodes, triples), or a rendering that pyoxigraph
        does not read back as the same term.
    """
    if not isinstance(term, ox.NamedNode | ox.Literal):
        raise ValueError(f"only IRIs and literals can be bound remotely, not {term!r}")
    # N-Triples escaping; a parser that decodes \\u escapes before tokenising
    # (SPARQL 1.1 §19.2) still finds the decoded character escaped: each
    # backslash of the value was doubled.
    text = str(term)
    solutions = _PARSER.query(f"SELECT ?v WHERE {{ VALUES ?v {{ {text} }} }}")
    assert isinstance(solutions, ox.QuerySolutions)
    rows = [row["v"] for row in solutions]
    if rows != [term]:
        raise ValueError(f"cannot bind {term!r} safely")
    return text


def _group_end(query: str, start: int) -> int:
    """Index of the ``}`` closing the group whose ``{`` ends at ``start``."""
    depth = 1
    for token in _TOKENS.finditer(query, start):
        text = token.group(0)
        if text == "{":
            depth += 1
        elif text == "}":
            depth -= 1
            if depth == 0:
                return token.start()
    raise ValueError("unbalanced braces in the query")


def bind_values(query: str, bindings: Mapping[str, Term]) -> str:
    """``query`` with each bound variable replaced by its term (SEP-0007 for a remote server).

    Inside the outer ``WHERE`` group every ``?name`` becomes the term, as
    pyoxigraph's substitution does; ``VALUES ?name { TERM }`` at the start of
    the group still binds the variable for the projection and ``GROUP BY``.
    A group with a subquery keeps the variables (the ``VALUES`` joins them).
    The text is scanned once, so a term's own text is never rewritten.

    Parameters
    ----------
    query : str
        A query of the code with a ``WHERE {`` (the first one is the outer group).
    bindings : mapping
        Variable name (without ``?``) -> IRI or literal.

    Returns
    -------
    str
        The query to send.
    """
    if not bindings:
        return query
    match = _WHERE.search(query)
    if match is None:
        raise ValueError("a query with bound values needs a WHERE { … } group")
    terms: dict[str, str] = {}
    for name, term in bindings.items():
        if not _VARIABLE.fullmatch(name):
            raise ValueError(f"not a variable name: {name!r}")
        terms[name] = sparql_term(term)
    start = match.end()
    end = _group_end(query, start)
    body = query[start:end]
    if not _SUBQUERY.search(body):
        names = "|".join(map(re.escape, terms))
        pattern = re.compile(rf"[?$]({names})(?![\w\u00b7\u0300-\u036f\u203f\u2040])")
        body = pattern.sub(lambda m: terms[m.group(1)], body)
    values = " ".join(f"VALUES ?{name} {{ {text} }}" for name, text in terms.items())
    return f"{query[:start]}\n  {values}\n{body}{query[end:]}"


class ServedSparqlStore(SparqlStore):
    """A :class:`~policykg.graph.remote.SparqlStore` with what the service needs (module doc)."""

    def __init__(self, location: SparqlLocation | str, *, timeout: float = 120.0) -> None:
        super().__init__(location, timeout=timeout)

    def query(
        self,
        query: str,
        *,
        prefixes: Mapping[str, str] | None = None,
        base_iri: str | None = None,
        use_default_graph_as_union: bool = False,
        default_graph: Any = None,
        named_graphs: Iterable[ox.NamedNode] | None = None,
        substitutions: Mapping[ox.Variable, Term] | None = None,
    ) -> ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples:
        """Run a query on the server (see the module docstring for ``substitutions``)."""
        if substitutions:
            query = bind_values(query, {v.value: t for v, t in substitutions.items()})
        if not use_default_graph_as_union and default_graph is None:
            # The service asks for this only when the query names its own FROM.
            use_default_graph_as_union = True
        return super().query(
            query,
            prefixes=prefixes,
            base_iri=base_iri,
            use_default_graph_as_union=use_default_graph_as_union,
            default_graph=default_graph,
            named_graphs=named_graphs,
        )

    def quads_for_pattern(
        self,
        subject: Term | None,
        predicate: ox.NamedNode | None,
        object: Term | None,  # pyoxigraph's parameter names
        graph_name: ox.NamedNode | ox.DefaultGraph | None = None,
    ) -> Iterator[ox.Quad]:
        """Quads of the owned graphs matching the pattern (``None``: any)."""
        if isinstance(graph_name, ox.DefaultGraph):
            return iter(())
        bound = {"s": subject, "p": predicate, "o": object, "g": graph_name}
        bindings = {k: v for k, v in bound.items() if v is not None}
        result = super().query(
            bind_values(
                f"SELECT ?s ?p ?o ?g WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER {OWNED} }}", bindings
            ),
            use_default_graph_as_union=True,
        )
        assert isinstance(result, ox.QuerySolutions)
        return iter(
            [ox.Quad(row["s"], row["p"], row["o"], row["g"]) for row in result]
        )

    def __iter__(self) -> Iterator[ox.Quad]:
        return self.quads_for_pattern(None, None, None)

    def dump(
        self,
        output: Any = None,
        format: ox.RdfFormat | None = None,
        *,
        from_graph: ox.NamedNode | ox.DefaultGraph | None = None,
        prefixes: Mapping[str, str] | None = None,
    ) -> bytes | None:
        """Serialise the owned graphs (or ``from_graph``) like ``Store.dump``."""
        if format is None:
            raise ValueError("dump needs a format")
        if from_graph is None:
            quads: list[Any] = list(self)
        else:
            quads = [q.triple for q in self.quads_for_pattern(None, None, None, from_graph)]
        return ox.serialize(quads, output, format=format, prefixes=dict(prefixes or {}))


def _count(result: object) -> int:
    assert isinstance(result, ox.QuerySolutions)
    row = next(iter(result), None)
    term = row[0] if row is not None else None
    return int(term.value) if isinstance(term, ox.Literal) else 0


def count_remote_graphs(store: ox.Store, token: CancelToken) -> GraphCounts:
    """:func:`~policykg.api.evaluation.count_graphs` over the graphs a remote store owns.

    Other graphs of the server (Virtuoso's own, other applications') are not
    counted, and the store's own default graph is empty, as locally.
    """
    named = {g.value: 0 for g in store.named_graphs()}
    result = store.query(
        f"SELECT ?g (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER {OWNED} }} "
        "GROUP BY ?g",
        use_default_graph_as_union=True,
    )
    assert isinstance(result, ox.QuerySolutions)
    for row in result:
        g, n = row["g"], row["n"]
        if isinstance(g, ox.NamedNode) and isinstance(n, ox.Literal):
            named[g.value] = int(n.value)
    token.check()
    total = store.query(
        "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { "
        f"GRAPH ?g {{ ?s ?p ?o }} FILTER {OWNED} }} }}",
        use_default_graph_as_union=True,
    )
    return GraphCounts(_count(total), named, 0)
