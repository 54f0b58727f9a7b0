"""A remote SPARQL 1.1 triple store (Virtuoso, Fuseki, GraphDB, Neptune) as a policykg store.

``--store sparql+http://HOST:PORT/PATH`` (or ``sparql+https://``) names a store
that lives on a SPARQL server instead of a pyoxigraph directory.
:func:`parse_store_location` turns a ``--store`` value into a local
:class:`~pathlib.Path` or a :class:`SparqlLocation`; anything else that looks
like a URL is refused (never silently taken as a directory name).

Location
--------
``sparql+http://[USER:PASSWORD@]HOST[:PORT]/QUERY-PATH[?update=/PATH&gsp=/PATH&auth=digest]``

* ``QUERY-PATH`` is the SPARQL query endpoint; ``update`` the SPARQL Update
  endpoint (default: the query endpoint, as SPARQL 1.1 Protocol allows);
  ``gsp`` the Graph Store Protocol endpoint.  With ``gsp`` graphs are loaded
  with GSP ``POST`` (N-Triples), without it by ``INSERT DATA`` in bounded
  batches.  Prefer GSP on Virtuoso: its SPARQL compiler stores an integral
  ``xsd:decimal`` (``"100"``) as ``xsd:integer`` and some ``xsd:boolean`` as
  ``1``/``0`` (same values, other datatypes; queries still match them).
  Paths only: every request goes to the configured host and port (redirects
  are not followed, proxy variables are ignored).
* Credentials in the URL are sent with HTTP Basic, or Digest with
  ``auth=digest`` (Virtuoso's ``/sparql-auth``).
* Virtuoso: ``sparql+http://HOST:8890/sparql?gsp=/sparql-graph-crud`` once
  ``GRANT SPARQL_UPDATE TO "SPARQL"`` was run, or the authenticated endpoints
  ``sparql+http://dba:PW@HOST:8890/sparql-auth?gsp=/sparql-graph-crud-auth&auth=digest``.
  Raise ``[SPARQL] ResultSetMaxRows`` above the largest result you read: a
  truncated result raises :class:`RemoteStoreError` (Virtuoso says so in the
  ``X-SPARQL-MaxRows`` header) rather than returning rows silently missing.

Dataset mapping
---------------
The same named graphs as a local store: one per source file, the ontology
(:data:`~policykg.graph.namespaces.ONTOLOGY_GRAPH`) and the shared reference data
(:data:`~policykg.graph.namespaces.REFERENCE_GRAPH`: bodies, areas, indicator
concepts); a quad in pyoxigraph's default graph, if any, is sent to the reference
graph.  Nothing relies on a server's default graph, whose meaning differs between
servers (Virtuoso: the union of all graphs).
The store owns the graphs under ``…/id/graph/``, the ontology graph and the
reference graph, and nothing else: :meth:`SparqlStore.clear` drops only those.

Reading
-------
:class:`SparqlStore` has the part of :class:`pyoxigraph.Store` that policykg's
read paths use, returning pyoxigraph's own result types, so
:func:`~policykg.graph.store.select_rows`, :func:`~policykg.graph.store.count_facts`
and the analytics run on it unchanged:

``query(sparql, *, prefixes=None, base_iri=None, use_default_graph_as_union=False,
default_graph=None, named_graphs=None)``
    ``QuerySolutions`` (SELECT), ``QueryBoolean`` (ASK) or ``QueryTriples``
    (CONSTRUCT/DESCRIBE, received as N-Triples and materialised in memory).
    ``use_default_graph_as_union=True`` sends no dataset (servers like Virtuoso
    and GraphDB then read the union of all their graphs, Fuseki needs
    ``tdb:unionDefaultGraph``): what every read of :mod:`policykg.graph` uses.
    ``False`` sends ``default-graph-uri`` = :data:`REFERENCE_GRAPH`; Virtuoso 7.2
    then answers ``GRAPH <iri>`` patterns wrongly (an ASK on a graph that does
    not exist is true), so prefer the union there.  A query the server
    refuses (HTTP 400) raises ``SyntaxError`` with the server's message, as
    pyoxigraph does; other failures :class:`RemoteStoreError`.
``named_graphs()``, ``contains_named_graph(g)``, ``len(store)``
    Over the graphs the store owns (:data:`REFERENCE_GRAPH` excluded, it stands
    for the default graph).
``update(sparql)``
    Sent unchanged (the server's own semantics for graph-less templates).

One :class:`SparqlStore` may be shared by threads (``httpx.Client`` is).

Serving from a remote store (``policykg serve --store sparql+http://…``) is
not wired yet.  What it needs: the services open a :class:`SparqlStore`
instead of :func:`~policykg.graph.store.open_store`; the SPARQL endpoint can
pass queries through (``query`` above); the REST routers bind user values with
pyoxigraph's ``substitutions=`` (SEP-0007), which the SPARQL Protocol has no
equivalent for: they need the values written into the query as terms
(``VALUES`` at the start of the group) or a ``substitutions`` here that does
that; the Graph Store routes need ``quads_for_pattern`` (a ``CONSTRUCT`` per
graph) and ``dump``; the marker file's counts and build time have no remote
home yet (a metadata graph would do).

Writing
-------
:func:`build_remote` is the remote counterpart of
:func:`~policykg.graph.store.build_store`: it clears the store's graphs, loads
the ontology, the indicator scheme and every result (streamed, in batches),
then runs the cross-file linking updates of :mod:`policykg.graph.rdf` on the
server (:func:`link_across_files_remote`).  Unlike a local build it is not
atomic: readers of the server see the store being rebuilt.
"""

from __future__ import annotations

import re
import tempfile
import urllib.parse
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import httpx
from pyoxigraph import (
    BlankNode,
    DefaultGraph,
    NamedNode,
    Quad,
    QueryBoolean,
    QueryResultsFormat,
    QuerySolutions,
    QueryTriples,
    RdfFormat,
    Store,
    Triple,
    parse,
    parse_query_results,
    serialize,
)

from policykg.extract.model import ExtractionResult
from policykg.graph.namespaces import BASE, ONTOLOGY_GRAPH, REFERENCE_GRAPH
from policykg.graph.rdf import (
    LINK_STUBS_UPDATES,
    MERGE_AREAS_UPDATES,
    indicator_scheme_quads,
    result_to_quads,
)
from policykg.graph.store import StoreError, count_facts, load_ontology

__all__ = [
    "GRAPH_PREFIX",
    "REFERENCE_GRAPH",
    "SCHEMES",
    "RemoteStoreError",
    "SparqlLocation",
    "SparqlStore",
    "build_remote",
    "link_across_files_remote",
    "parse_store_location",
]

#: ``--store`` URL scheme -> HTTP scheme
SCHEMES = {"sparql+http": "http", "sparql+https": "https"}
#: IRIs of the source-file graphs (:func:`~policykg.graph.namespaces.graph_iri`)
GRAPH_PREFIX = BASE + "graph/"

_URL_LIKE = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):(//)?")
_RESULTS_XML = "application/sparql-results+xml"
_RESULTS_JSON = "application/sparql-results+json"
# JSON first: pyoxigraph's XML results parser trims whitespace around literal text
_RESULTS_ACCEPT = f"{_RESULTS_JSON}, {_RESULTS_XML};q=0.5"
_RESULTS_FORMATS = {
    _RESULTS_JSON: QueryResultsFormat.JSON,
    "application/json": QueryResultsFormat.JSON,
    _RESULTS_XML: QueryResultsFormat.XML,
    "application/xml": QueryResultsFormat.XML,
    "text/xml": QueryResultsFormat.XML,
}
_NTRIPLES = "application/n-triples"
# triples per GSP request: large enough to amortise HTTP, small enough for any server
_BATCH_TRIPLES = 20_000
# per INSERT DATA request: Virtuoso compiles each to SQL, and refuses more than 10,000 lines
_UPDATE_BATCH_TRIPLES = 500
_PROLOGUE = re.compile(
    r"(?:\s+|#[^\n]*(?:\n|$)|PREFIX\s+[^\s:]*:\s*<[^>]*>|BASE\s*<[^>]*>)*", re.IGNORECASE
)


class RemoteStoreError(StoreError):
    """A remote SPARQL store cannot be reached, refused a request or truncated a result."""


@dataclass(frozen=True, slots=True)
class SparqlLocation:
    """Where a remote store lives: one origin and the paths of its endpoints."""

    scheme: str  # "http" or "https"
    host: str
    port: int | None
    query_path: str
    update_path: str
    gsp_path: str | None = None
    username: str | None = field(default=None, repr=False)
    password: str | None = field(default=None, repr=False)
    auth: str = "basic"

    @property
    def origin(self) -> str:
        """``scheme://host[:port]``: the only place requests go."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{self.scheme}://{host}" + (f":{self.port}" if self.port else "")

    def display(self) -> str:
        """The location as given, without the password."""
        user = f"{self.username}@" if self.username else ""
        extra = {"update": self.update_path} if self.update_path != self.query_path else {}
        if self.gsp_path:
            extra["gsp"] = self.gsp_path
        if self.username and self.auth != "basic":
            extra["auth"] = self.auth
        query = "?" + urllib.parse.urlencode(extra, safe="/") if extra else ""
        origin = self.origin.split("://", 1)[1]
        return f"sparql+{self.scheme}://{user}{origin}{self.query_path}{query}"


def _path_param(params: dict[str, list[str]], name: str, default: str | None) -> str | None:
    values = params.pop(name, None)
    if not values:
        return default
    value = values[-1]
    if not value.startswith("/") or value.startswith("//"):
        raise ValueError(f"{name}= must be a path on the same server (got {value!r})")
    return value


def parse_store_location(value: str | Path) -> Path | SparqlLocation:
    """A ``--store`` value as a local directory or a remote SPARQL store.

    Parameters
    ----------
    value : str or path-like
        A directory, or ``sparql+http(s)://[USER:PW@]HOST[:PORT]/PATH[?update=…&gsp=…&auth=…]``.

    Returns
    -------
    Path or SparqlLocation

    Raises
    ------
    ValueError
        A URL of another scheme (``http://``, ``file://``…), a ``sparql+http:``
        value that lost its ``//`` (a path normalised it), an unknown parameter.
    """
    text = str(value)
    match = _URL_LIKE.match(text)
    if match is None or len(match.group(1)) == 1:  # C:\… is a Windows drive, not a scheme
        return Path(text)
    scheme = match.group(1).lower()
    if scheme not in SCHEMES:
        if not match.group(2):  # "notes:v2" is a directory name
            return Path(text)
        known = ", ".join(f"{s}://" for s in SCHEMES)
        raise ValueError(f"unsupported store URL scheme {scheme!r} in {text!r} (use a directory "
                         f"or {known})")  # fmt: skip
    if not match.group(2):
        raise ValueError(f"{text!r} is not a URL: write {scheme}://HOST:PORT/PATH")
    parts = urllib.parse.urlsplit(text)
    if not parts.hostname:
        raise ValueError(f"no host in store URL {text!r}")
    try:
        port = parts.port
    except ValueError as exc:
        raise ValueError(f"bad port in store URL {text!r}: {exc}") from None
    query_path = parts.path or "/sparql"
    params = urllib.parse.parse_qs(parts.query, keep_blank_values=True)
    update_path = _path_param(params, "update", query_path)
    gsp_path = _path_param(params, "gsp", None)
    auth = (params.pop("auth", None) or ["basic"])[-1].lower()
    if auth not in ("basic", "digest"):
        raise ValueError(f"auth= must be basic or digest (got {auth!r})")
    if params:
        raise ValueError(f"unknown store URL parameter(s): {', '.join(sorted(params))} "
                         "(known: update, gsp, auth)")  # fmt: skip
    assert update_path is not None
    return SparqlLocation(
        scheme=SCHEMES[scheme],
        host=parts.hostname,
        port=port,
        query_path=query_path,
        update_path=update_path,
        gsp_path=gsp_path,
        username=urllib.parse.unquote(parts.username) if parts.username else None,
        password=urllib.parse.unquote(parts.password) if parts.password else None,
        auth=auth,
    )


def _query_form(sparql: str) -> str:
    """``SELECT``, ``ASK``, ``CONSTRUCT`` or ``DESCRIBE``: the keyword after the prologue."""
    rest = sparql[_PROLOGUE.match(sparql).end() :]  # type: ignore[union-attr]
    word = re.match(r"[A-Za-z]+", rest)
    return word.group(0).upper() if word else ""


def _graph_of(quad: Quad) -> NamedNode:
    g = quad.graph_name
    if isinstance(g, DefaultGraph):
        return REFERENCE_GRAPH
    if not isinstance(g, NamedNode):
        raise ValueError(f"blank node graph names cannot be sent to a SPARQL server: {g}")
    return g


def _ntriples(triples: Iterable[Triple]) -> bytes:
    data = serialize(triples, format=RdfFormat.N_TRIPLES)
    assert data is not None
    return data


class SparqlStore:
    """A policykg store on a SPARQL 1.1 server (see the module docstring for the API).

    Parameters
    ----------
    location : SparqlLocation or str
        Where the store is (a ``sparql+http(s)://`` string is parsed).
    timeout : float
        Seconds per HTTP request (connect and each read).
    """

    def __init__(self, location: SparqlLocation | str, *, timeout: float = 120.0) -> None:
        if isinstance(location, str):
            parsed = parse_store_location(location)
            if not isinstance(parsed, SparqlLocation):
                raise ValueError(f"{location!r} is not a sparql+http(s):// URL")
            location = parsed
        self.location = location
        auth: httpx.Auth | None = None
        if location.username is not None:
            cls = httpx.DigestAuth if location.auth == "digest" else httpx.BasicAuth
            auth = cls(location.username, location.password or "")
        # only the configured origin: no redirects, no proxies from the environment
        self._client = httpx.Client(
            base_url=location.origin,
            auth=auth,
            timeout=timeout,
            follow_redirects=False,
            trust_env=False,
        )

    def __repr__(self) -> str:
        return f"SparqlStore({self.location.display()!r})"

    def close(self) -> None:
        """Close the HTTP connections."""
        self._client.close()

    def __enter__(self) -> SparqlStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ HTTP

    def _send(
        self,
        method: str,
        path: str,
        *,
        data: Mapping[str, Any] | None = None,
        content: bytes | None = None,
        params: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        what: str,
    ) -> httpx.Response:
        try:
            response = self._client.request(
                method, path, data=data, content=content, params=params, headers=headers
            )
        except httpx.HTTPError as exc:
            raise RemoteStoreError(
                f"{what}: cannot reach {self.location.origin}{path}: {exc}"
            ) from exc
        if response.status_code >= 400:
            message = response.text
            if "html" in response.headers.get("Content-Type", ""):
                message = re.sub(r"<[^>]*>", " ", message)
            message = re.sub(r"\s+", " ", message).strip()[:1000]
            if what == "query" and response.status_code in (404, 405, 406):
                message += (f" (is {path} the SPARQL query endpoint? a Graph Store endpoint "
                            "goes in ?gsp=/PATH)")  # fmt: skip
            if response.status_code == 400 and what == "query":
                raise SyntaxError(message or "the server refused the query (HTTP 400)")
            raise RemoteStoreError(
                f"{what} at {self.location.origin}{path} failed: HTTP {response.status_code}"
                + (f": {message}" if message else "")
            )
        return response

    # ------------------------------------------------------------------ reads

    def query(
        self,
        query: str,
        *,
        prefixes: Mapping[str, str] | None = None,
        base_iri: str | None = None,
        use_default_graph_as_union: bool = False,
        default_graph: Any = None,
        named_graphs: Iterable[NamedNode] | None = None,
    ) -> QuerySolutions | QueryBoolean | QueryTriples:
        """Run a SPARQL query on the server; pyoxigraph result types (module docstring)."""
        head = "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in (prefixes or {}).items())
        if base_iri:
            head = f"BASE <{base_iri}>\n" + head
        text = head + query
        form = _query_form(text)
        fields: list[tuple[str, str]] = [("query", text)]
        if default_graph is not None:
            graphs = default_graph if isinstance(default_graph, list) else [default_graph]
            for g in graphs:
                g = REFERENCE_GRAPH if isinstance(g, DefaultGraph) else g
                if not isinstance(g, NamedNode):
                    raise ValueError(f"a remote dataset is made of IRIs, not {g!r}")
                fields.append(("default-graph-uri", g.value))
        elif not use_default_graph_as_union:
            fields.append(("default-graph-uri", REFERENCE_GRAPH.value))
        for g in named_graphs or ():
            fields.append(("named-graph-uri", g.value))
        graph_result = form in ("CONSTRUCT", "DESCRIBE")
        accept = _NTRIPLES if graph_result else _RESULTS_ACCEPT
        response = self._send(
            "POST",
            self.location.query_path,
            content=urllib.parse.urlencode(fields).encode("ascii"),
            headers={"Accept": accept, "Content-Type": "application/x-www-form-urlencoded"},
            what="query",
        )
        capped = response.headers.get("X-SPARQL-MaxRows")
        if capped:
            raise RemoteStoreError(
                f"the server cut the result at {capped} rows (raise its result-size limit, "
                "e.g. Virtuoso's [SPARQL] ResultSetMaxRows)"
            )
        media = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
        if graph_result:
            if media not in (_NTRIPLES, "text/plain", "text/turtle", "application/turtle"):
                raise RemoteStoreError(f"query: expected N-Triples, got {media or 'nothing'}")
            fmt = RdfFormat.N_TRIPLES if media != "text/turtle" else RdfFormat.TURTLE
            # a CONSTRUCT result as pyoxigraph's QueryTriples: materialise it in memory
            local = Store()
            local.load(response.content, format=fmt)
            triples = local.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }")
            assert isinstance(triples, QueryTriples)
            return triples
        results_format = _RESULTS_FORMATS.get(media)
        if results_format is None:
            raise RemoteStoreError(f"query: expected SPARQL results, got {media or 'nothing'}")
        return parse_query_results(_bnode_labels(response.content), format=results_format)

    def _graphs(self) -> list[NamedNode]:
        """Every graph the store owns, :data:`REFERENCE_GRAPH` included."""
        result = self.query(
            "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } "
            f"FILTER(STRSTARTS(STR(?g), {_string(GRAPH_PREFIX)}) "
            f"|| ?g IN ({ONTOLOGY_GRAPH}, {REFERENCE_GRAPH})) }}",
            use_default_graph_as_union=True,
        )
        assert isinstance(result, QuerySolutions)
        return sorted((row["g"] for row in result), key=str)

    def named_graphs(self) -> Iterator[NamedNode]:
        """The graphs policykg owns: source files, ontology and reference data (as locally)."""
        return iter(self._graphs())

    def contains_named_graph(self, graph: NamedNode) -> bool:
        """True if ``graph`` holds at least one triple on the server."""
        ask = f"ASK {{ GRAPH {graph} {{ ?s ?p ?o }} }}"
        result = self.query(ask, use_default_graph_as_union=True)
        return bool(result)

    def __len__(self) -> int:
        """Quads in the graphs the store owns (reference graph included)."""
        result = self.query(
            "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } "
            f"FILTER(STRSTARTS(STR(?g), {_string(GRAPH_PREFIX)}) "
            f"|| ?g IN ({ONTOLOGY_GRAPH}, {REFERENCE_GRAPH})) }}",
            use_default_graph_as_union=True,
        )
        assert isinstance(result, QuerySolutions)
        row = next(iter(result), None)
        term = row["n"] if row is not None else None
        return int(term.value) if term is not None else 0

    # ------------------------------------------------------------------ writes

    def update(self, update: str, *, base_iri: str | None = None) -> None:
        """Send a SPARQL Update to the update endpoint, unchanged (server semantics)."""
        text = f"BASE <{base_iri}>\n{update}" if base_iri else update
        self._send(
            "POST",
            self.location.update_path,
            content=urllib.parse.urlencode({"update": text}).encode("utf-8"),
            headers={"Content-Type": "application/x-www-form-urlencoded"},
            what="update",
        )

    def drop_graph(self, graph: NamedNode) -> None:
        """Remove a graph (no error if it does not exist)."""
        self.update(f"DROP SILENT GRAPH {graph}")

    def clear(self) -> None:
        """Drop every graph the store owns; other graphs on the server are left alone."""
        for graph in self._graphs():
            self.drop_graph(graph)

    def add_triples(self, graph: NamedNode, triples: list[Triple]) -> None:
        """Add triples to one graph, in requests of bounded size.

        A graph whose triples contain blank nodes goes in one request: a blank
        node label means one node only within a request.
        """
        if not triples:
            return
        has_blank = any(
            isinstance(t.subject, BlankNode) or isinstance(t.object, BlankNode) for t in triples
        )
        batch = _BATCH_TRIPLES if self.location.gsp_path else _UPDATE_BATCH_TRIPLES
        step = len(triples) if has_blank else batch
        for start in range(0, len(triples), step):
            self._post_triples(graph, _ntriples(triples[start : start + step]))

    def _post_triples(self, graph: NamedNode, body: bytes) -> None:
        if self.location.gsp_path:
            self._send(
                "POST",
                self.location.gsp_path,
                params={"graph": graph.value},
                content=body,
                headers={"Content-Type": _NTRIPLES},
                what="graph store POST",
            )
        else:  # N-Triples is valid SPARQL triple syntax
            # blank nodes are refused in INSERT DATA by some servers (Virtuoso): a template
            # with an empty WHERE inserts them once, as fresh nodes
            form = "INSERT {0} WHERE {{}}" if b"_:" in body else "INSERT DATA {0}"
            triples = f"{{ GRAPH {graph} {{\n{body.decode('utf-8')}\n}} }}"
            self.update(form.format(triples))

    def extend(self, quads: Iterable[Quad]) -> None:
        """Add quads (default-graph quads to :data:`REFERENCE_GRAPH`), batched per graph."""
        pending: dict[NamedNode, list[Triple]] = defaultdict(list)
        size = 0
        for quad in quads:
            pending[_graph_of(quad)].append(quad.triple)
            size += 1
            if size >= _BATCH_TRIPLES:
                self._flush(pending)
                size = 0
        self._flush(pending)

    bulk_extend = extend

    def _flush(self, pending: dict[NamedNode, list[Triple]]) -> None:
        for graph, triples in pending.items():
            self.add_triples(graph, triples)
        pending.clear()

    def load(
        self,
        input: bytes | str | None = None,  # pyoxigraph's parameter names
        format: RdfFormat | None = None,
        *,
        path: str | Path | None = None,
        base_iri: str | None = None,
        to_graph: NamedNode | DefaultGraph | None = None,
    ) -> None:
        """Parse RDF locally and add it to ``to_graph`` (default: the reference graph)."""
        target = to_graph if isinstance(to_graph, NamedNode) else REFERENCE_GRAPH
        parsed = parse(input, format, path=path, base_iri=base_iri)
        self.add_triples(target, [q.triple for q in parsed])

    def flush(self) -> None:
        """Nothing to flush: every write was a request the server acknowledged."""


# Virtuoso labels blank nodes nodeID://b10001, which pyoxigraph's parsers refuse


def _bnode_labels(data: bytes) -> bytes:
    """Blank node labels some servers write (``nodeID://b1``) made valid (``b1``).

    Only where a blank node label can be (``<bnode>`` in XML, ``"value"`` of a
    ``"bnode"`` in JSON): the pattern is not replaced inside literals.
    """
    return re.sub(
        rb'(<bnode>|"type"\s*:\s*"bnode"\s*,\s*"value"\s*:\s*")nodeID://',
        rb"\1",
        data,
    )


def _string(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def link_across_files_remote(store: SparqlStore) -> None:
    """:func:`~policykg.graph.rdf.link_across_files` on the server.

    The same updates (stub documents, then area aliases), sent unchanged: they
    name every graph they read or write (the reference graph for shared data),
    so they mean the same on any SPARQL 1.1 server as in a local store.
    """
    for update in (*LINK_STUBS_UPDATES, *MERGE_AREAS_UPDATES):
        store.update(update)


class _Loader:
    """Streams results' quads to the server: file graphs in batches, reference data deduplicated."""

    def __init__(self, store: SparqlStore) -> None:
        self.store = store
        self.pending: dict[NamedNode, list[Triple]] = defaultdict(list)
        self.size = 0
        self.reference_seen: set[Triple] = set()

    def add(self, quads: Iterable[Quad]) -> None:
        for quad in quads:
            graph = _graph_of(quad)
            if graph == REFERENCE_GRAPH:
                # each file restates the bodies and areas it uses: send each triple once
                if quad.triple in self.reference_seen:
                    continue
                self.reference_seen.add(quad.triple)
            self.pending[graph].append(quad.triple)
            self.size += 1
        if self.size >= _BATCH_TRIPLES:
            self.flush()

    def flush(self) -> None:
        for graph, triples in self.pending.items():
            self.store.add_triples(graph, triples)
        self.pending.clear()
        self.size = 0


def build_remote(
    results: Iterable[ExtractionResult], store: SparqlStore, *, stage: bool = False
) -> dict[str, int]:
    """Load results, with the ontology and indicator scheme, into a remote store (replacing it).

    Parameters
    ----------
    results : iterable of ExtractionResult
        Consumed once, streaming.
    store : SparqlStore
        The remote store; its graphs (and only those) are dropped first.
    stage : bool
        Read the whole stream into a temporary on-disk pyoxigraph store before
        touching the server, so an exception raised by ``results`` (``--strict``)
        leaves the remote store as it was.  Without it, results are sent as
        they arrive and the server is cleared first.

    Returns
    -------
    dict
        The same counts as :func:`~policykg.graph.store.build_store` (files,
        fact types, graphs, triples), counted on the server.
    """
    files = 0
    if stage:
        with tempfile.TemporaryDirectory(prefix="policykg-stage-") as tmp:
            staged: Store | None = Store(str(Path(tmp) / "stage"))
            assert staged is not None
            for result in results:
                staged.bulk_extend(list(result_to_quads(result)))
                files += 1
            _replace(store, lambda loader: loader.add(cast(Store, staged)))
            staged = None  # close the database before the directory goes
    else:
        counter = [0]

        def stream(loader: _Loader) -> None:
            for result in results:
                loader.add(result_to_quads(result))
                counter[0] += 1

        _replace(store, stream)
        files = counter[0]
    return {"files": files, **count_facts(cast(Store, store))}


def _replace(store: SparqlStore, feed: Callable[[_Loader], None]) -> None:
    store.clear()
    load_ontology(cast(Store, store))
    loader = _Loader(store)
    loader.add(indicator_scheme_quads())
    feed(loader)
    loader.flush()
    link_across_files_remote(store)
