"""The graph layer: facts with evidence → RDF (ontology v1) → pyoxigraph store → analytics, exports.

Modules: :mod:`~policykg.graph.namespaces` (vocabularies, IRI minting),
:mod:`~policykg.graph.rdf` (extraction results to quads, serialisation),
:mod:`~policykg.graph.store` (build, open, query the on-disk store),
:mod:`~policykg.graph.queries` (example SPARQL), :mod:`~policykg.graph.analytics`
(NetworkX graphs and analyses) and :mod:`~policykg.graph.export` (GEXF, GraphML, CSV).
"""
