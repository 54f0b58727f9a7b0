"""SPARQL 1.1 Service Description (with VoID counts) for GET /sparql.

Only features the service really has are declared: no
``sd:BasicFederatedQuery`` (SERVICE is refused), no ``sd:DereferencesURIs``
(dataset IRIs only select local graphs), ``sd:SPARQL11Update`` only when an
update token is configured.  ``sd:UnionDefaultGraph`` is declared because the
default graph of a query is the union of the store's own default graph and
all named graphs; the counts say exactly that (distinct triples of the union,
triples per named graph, triples of the store's own default graph).
"""

from __future__ import annotations

from html import escape

import pyoxigraph as ox
from fastapi import Request
from fastapi.responses import HTMLResponse, Response

from policykg.api.dependencies import Services, graph_counts
from policykg.api.errors import ProtocolError
from policykg.api.evaluation import GraphCounts
from policykg.api.negotiation import negotiate, parse_accept
from policykg.api.results import GRAPH_OFFERS, SerializedResult, serialize_graph
from policykg.api.settings import Settings

__all__ = ["SD_OFFERS", "service_description_response", "service_description_triples"]

SD = "http://www.w3.org/ns/sparql-service-description#"
VOID = "http://rdfs.org/ns/void#"
FORMATS = "http://www.w3.org/ns/formats/"
PKGS = "https://w3id.org/policykg/service#"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
XSD_INTEGER = ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")
XSD_DECIMAL = ox.NamedNode("http://www.w3.org/2001/XMLSchema#decimal")

# Turtle first: the default for clients that send no Accept header.
SD_OFFERS = [
    "text/turtle",
    "application/ld+json",
    "application/rdf+xml",
    "application/n-triples",
    "text/html",
]

_RESULT_FORMATS = [
    "SPARQL_Results_JSON",
    "SPARQL_Results_XML",
    "SPARQL_Results_CSV",
    "SPARQL_Results_TSV",
    "Turtle",
    "N-Triples",
    "RDF_XML",
    "JSON-LD",
]

_PREFIXES = {
    "sd": SD,
    "void": VOID,
    "formats": FORMATS,
    "pkgs": PKGS,
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}


def _sd(name: str) -> ox.NamedNode:
    return ox.NamedNode(SD + name)


def service_description_triples(
    endpoint: str, settings: Settings, counts: GraphCounts
) -> list[ox.Triple]:
    """Build the description of the endpoint at ``endpoint``.

    Parameters
    ----------
    endpoint : str
        Absolute URL of the endpoint (``sd:endpoint``).
    settings : Settings
        For the update capability and the declared limits.
    counts : GraphCounts
        Triple counts for VoID.

    Returns
    -------
    list of pyoxigraph.Triple
        The description graph.
    """
    service = ox.NamedNode(endpoint)
    triples = [
        ox.Triple(service, RDF_TYPE, _sd("Service")),
        ox.Triple(service, _sd("endpoint"), ox.NamedNode(endpoint)),
        ox.Triple(service, _sd("supportedLanguage"), _sd("SPARQL11Query")),
        ox.Triple(service, _sd("feature"), _sd("UnionDefaultGraph")),
        ox.Triple(
            service,
            _sd("defaultEntailmentRegime"),
            ox.NamedNode("http://www.w3.org/ns/entailment/Simple"),
        ),
    ]
    if settings.update_token is not None:
        triples.append(ox.Triple(service, _sd("supportedLanguage"), _sd("SPARQL11Update")))
    for name in _RESULT_FORMATS:
        triples.append(ox.Triple(service, _sd("resultFormat"), ox.NamedNode(FORMATS + name)))
    limits = {
        "queryTimeoutSeconds": ox.Literal(f"{settings.query_timeout:g}", datatype=XSD_DECIMAL),
        "maxResultRows": ox.Literal(str(settings.max_rows), datatype=XSD_INTEGER),
        "maxRequestBytes": ox.Literal(str(settings.max_body_bytes), datatype=XSD_INTEGER),
        "maxConcurrentQueries": ox.Literal(str(settings.max_concurrency), datatype=XSD_INTEGER),
    }
    for name, value in limits.items():
        triples.append(ox.Triple(service, ox.NamedNode(PKGS + name), value))
    triples.append(
        ox.Triple(
            service,
            ox.NamedNode(PKGS + "storeDefaultGraphTriples"),
            ox.Literal(str(counts.store_default), datatype=XSD_INTEGER),
        )
    )

    dataset = ox.BlankNode("dataset")
    default_graph = ox.BlankNode("defaultGraph")
    triples += [
        ox.Triple(service, _sd("defaultDataset"), dataset),
        ox.Triple(dataset, RDF_TYPE, _sd("Dataset")),
        ox.Triple(dataset, _sd("defaultGraph"), default_graph),
        ox.Triple(default_graph, RDF_TYPE, _sd("Graph")),
        ox.Triple(
            default_graph,
            ox.NamedNode(VOID + "triples"),
            ox.Literal(str(counts.default_graph), datatype=XSD_INTEGER),
        ),
    ]
    for i, (name, n) in enumerate(sorted(counts.named.items())):
        named = ox.BlankNode(f"ng{i}")
        graph = ox.BlankNode(f"g{i}")
        triples += [
            ox.Triple(dataset, _sd("namedGraph"), named),
            ox.Triple(named, RDF_TYPE, _sd("NamedGraph")),
            ox.Triple(named, _sd("name"), ox.NamedNode(name)),
            ox.Triple(named, _sd("graph"), graph),
            ox.Triple(graph, RDF_TYPE, _sd("Graph")),
            ox.Triple(
                graph, ox.NamedNode(VOID + "triples"), ox.Literal(str(n), datatype=XSD_INTEGER)
            ),
        ]
    return triples


_HTML = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>policykg SPARQL endpoint</title>
<style>body{{font-family:sans-serif;max-width:60em;margin:2em auto}}
textarea{{width:100%;height:12em;font-family:monospace}}</style></head>
<body><h1>policykg SPARQL endpoint</h1>
<p><a href="/">Open the policykg web page</a> (example queries, sortable results, workload chart,
exports, documents with their evidence).</p>
<p>Endpoint: <code>{endpoint}</code>. The default graph of a query is the union of the store's
own default graph ({own} triples) and its {graphs} named graphs ({named_total} triples); that union
holds {triples} distinct triples. Read-only{update}. Results: SPARQL JSON (default), XML, CSV, TSV;
graphs as Turtle (default), N-Triples, RDF/XML, JSON-LD.</p>
<form method="get" action="{endpoint}">
<textarea name="query">SELECT ?g (COUNT(*) AS ?triples) WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}
GROUP BY ?g ORDER BY DESC(?triples) LIMIT 20</textarea>
<p><label>Format <select name="format"><option>json</option><option>xml</option>
<option>csv</option><option>tsv</option></select></label>
<button type="submit">Run query</button></p></form></body></html>
"""


async def service_description_response(request: Request, services: Services) -> Response:
    """Content-negotiated service description (Turtle by default, HTML for browsers).

    Parameters
    ----------
    request : Request
        The GET request without a query.
    services : Services
        Shared objects (settings, cached counts).

    Returns
    -------
    Response
        Turtle, JSON-LD, RDF/XML, N-Triples or an HTML page.
    """
    media = negotiate(parse_accept(request.headers.get("accept")), SD_OFFERS)
    if media is None:
        raise ProtocolError(406, "service description available as " + ", ".join(SD_OFFERS))
    endpoint = str(request.url.replace(query="", fragment=""))
    counts = await graph_counts(services)
    headers = {"Vary": "Accept"}  # CORS: ReadOnlyCORSMiddleware
    if media == "text/html":
        update = " unless a write token is presented" if services.settings.update_token else ""
        page = _HTML.format(
            endpoint=escape(endpoint, quote=True),
            graphs=len(counts.named),
            named_total=counts.named_total,
            own=counts.store_default,
            triples=counts.default_graph,
            update=update,
        )
        return HTMLResponse(page, headers=headers)
    triples = service_description_triples(endpoint, services.settings, counts)
    body = serialize_graph(triples, GRAPH_OFFERS[media], _PREFIXES)
    result = SerializedResult(body, media, len(triples))
    return Response(result.body, media_type=result.content_type, headers=headers)
