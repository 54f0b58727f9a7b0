"""Example SPARQL queries over a policykg store (ontology v1).

Every query reads the union of all named graphs as its default graph (what
``policykg query``, the ``/sparql`` endpoint and :func:`policykg.graph.store.select_rows`
do), declares its own prefixes and runs unchanged on pyoxigraph and rdflib
(``Dataset.default_union = True``).
"""

from __future__ import annotations

__all__ = ["EXAMPLE_QUERIES", "EXAMPLE_TITLES", "PREFIXES"]

PREFIXES = """PREFIX pkg: <https://w3id.org/policykg/ontology#>
PREFIX eli: <http://data.europa.eu/eli/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX sdmx-dimension: <http://purl.org/linked-data/sdmx/2009/dimension#>
PREFIX sdmx-attribute: <http://purl.org/linked-data/sdmx/2009/attribute#>
"""

# Grouped subquery first, labels joined after: ×3 faster than grouping by label too
# (performance notes §4).  The facts are matched inside one file's graph (GRAPH ?file):
# a document repeated in several files would otherwise multiply the union-graph join.
_WORKLOAD = """PREFIX pkg: <https://w3id.org/policykg/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?department ?name ?tasks ?tasks_led WHERE {
  {
    SELECT ?department (COUNT(DISTINCT ?task) AS ?tasks) (COUNT(DISTINCT ?led) AS ?tasks_led)
    WHERE {
      GRAPH ?file {
        ?r a pkg:Responsibility ; pkg:responsibleBody ?department ; pkg:forTask ?task .
        OPTIONAL { ?r pkg:role pkg:LeadRole ; pkg:forTask ?led }
      }
    }
    GROUP BY ?department
  }
  OPTIONAL { ?department skos:prefLabel ?name }
}
ORDER BY DESC(?tasks) DESC(?tasks_led) ?name
"""

# Oxigraph compares stored strings by reading them from disk at every comparison
# of a sort; a key computed by CONCAT lives in memory for the query.  "|" + the
# value sorts as the value does (Oxigraph orders literals by their lexical form),
# so the forms below with such keys return the same rows in the same order, up
# to rows whose keys are equal (whose order SPARQL leaves open anyway): ×1.5-×2
# faster at 1M triples (bench/README.md).

# The bodies are matched by a joined pattern, not FILTER EXISTS: the engine then
# starts from the few matching labels instead of testing every labelled body
# (×15 at 1M triples; DISTINCT drops the duplicates of a body matched twice).
_DEPARTMENT_TASKS = """PREFIX pkg: <https://w3id.org/policykg/ontology#>
PREFIX eli: <http://data.europa.eu/eli/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX dcterms: <http://purl.org/dc/terms/>
SELECT DISTINCT ?department ?number ?task ?role ?document WHERE {
  ?body skos:prefLabel|skos:altLabel ?name FILTER(CONTAINS(STR(?name), "科技局"))
  ?body skos:prefLabel ?department .
  ?r pkg:responsibleBody ?body ; pkg:forTask ?t ; pkg:role ?roleConcept .
  ?roleConcept skos:prefLabel ?role FILTER(LANG(?role) = "zh")
  ?t dcterms:title ?task ; eli:is_part_of ?doc .
  OPTIONAL { ?t eli:number ?number }
  OPTIONAL { ?doc dcterms:title ?document }
}
# (no computed keys here: ?number and ?document may be unbound, and an unbound
# CONCAT key is an error rdflib cannot sort)
ORDER BY ?department ?document ?number
"""

_CITATION_CHAIN = """PREFIX pkg: <https://w3id.org/policykg/ontology#>
PREFIX eli: <http://data.europa.eu/eli/ontology#>
PREFIX dcterms: <http://purl.org/dc/terms/>
SELECT DISTINCT ?citing ?via ?cited WHERE {
  ?d1 eli:cites ?d2 . ?d2 eli:cites ?d3 .
  FILTER(?d1 != ?d2 && ?d2 != ?d3 && ?d1 != ?d3)
  OPTIONAL { ?d1 dcterms:title ?t1 } OPTIONAL { ?d1 eli:id_local ?n1 }
  OPTIONAL { ?d2 dcterms:title ?t2 } OPTIONAL { ?d2 eli:id_local ?n2 }
  OPTIONAL { ?d3 dcterms:title ?t3 } OPTIONAL { ?d3 eli:id_local ?n3 }
  BIND(COALESCE(?t1, ?n1, STR(?d1)) AS ?citing)
  BIND(COALESCE(?t2, ?n2, STR(?d2)) AS ?via)
  BIND(COALESCE(?t3, ?n3, STR(?d3)) AS ?cited)
}
# sort keys computed once per row (see the note above)
ORDER BY CONCAT("|", ?citing) CONCAT("|", ?via) CONCAT("|", ?cited)
"""

# The indicator filter first: the engine then tests each indicator's label once,
# not once per target (×1.25 at 1M triples).
_TARGETS_BY_INDICATOR = """PREFIX pkg: <https://w3id.org/policykg/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX sdmx-dimension: <http://purl.org/linked-data/sdmx/2009/dimension#>
PREFIX sdmx-attribute: <http://purl.org/linked-data/sdmx/2009/attribute#>
SELECT ?indicator ?area ?value ?value_max ?unit ?year ?comparator WHERE {
  ?ind skos:prefLabel ?indicator .
  FILTER(CONTAINS(STR(?indicator), "专利"))
  ?t pkg:indicator ?ind ; a pkg:Target ; pkg:targetValue ?value .
  FILTER(?value > 0)
  OPTIONAL { ?t sdmx-dimension:refArea/skos:prefLabel ?area }
  OPTIONAL { ?t pkg:targetValueMax ?value_max }
  OPTIONAL { ?t sdmx-attribute:unitMeasure/skos:prefLabel ?unit }
  OPTIONAL { ?t pkg:targetYear ?year }
  OPTIONAL { ?t pkg:comparator/skos:notation ?comparator }
}
ORDER BY ?indicator ?area DESC(?value)
"""

_LABEL_SEARCH = """PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX dcterms: <http://purl.org/dc/terms/>
SELECT DISTINCT ?resource ?label WHERE {
  ?resource skos:prefLabel|skos:altLabel|dcterms:title ?label .
  FILTER(CONTAINS(STR(?label), "知识产权"))
}
# a sort key computed once per row (see the note above)
ORDER BY CONCAT("|", ?label)
LIMIT 100
"""

_CO_RESPONSIBILITY = """PREFIX pkg: <https://w3id.org/policykg/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?lead ?partner (COUNT(DISTINCT ?task) AS ?shared_tasks) WHERE {
  ?r1 pkg:forTask ?task ; pkg:responsibleBody ?b1 ; pkg:role pkg:LeadRole .
  ?r2 pkg:forTask ?task ; pkg:responsibleBody ?b2 .
  FILTER(?b1 != ?b2)
  ?b1 skos:prefLabel ?lead . ?b2 skos:prefLabel ?partner .
}
GROUP BY ?lead ?partner
ORDER BY DESC(?shared_tasks) ?lead ?partner
"""

#: name -> SPARQL query; the README and the web page show these.
EXAMPLE_QUERIES: dict[str, str] = {
    "workload": _WORKLOAD,
    "department_tasks": _DEPARTMENT_TASKS,
    "citation_chain": _CITATION_CHAIN,
    "targets_by_indicator": _TARGETS_BY_INDICATOR,
    "label_search": _LABEL_SEARCH,
    "leads_with": _CO_RESPONSIBILITY,
}

#: name -> (English, Chinese) title of each example
EXAMPLE_TITLES: dict[str, tuple[str, str]] = {
    "workload": ("Department workload: tasks and tasks led", "部门工作量：负责任务数与牵头任务数"),
    "department_tasks": ("Tasks of the science and technology bureaus", "科技局负责的任务"),
    "citation_chain": ("Two-step citation chains", "两级引用链"),
    "targets_by_indicator": ("Patent targets by area, value above 0", "各地区专利类目标"),
    "label_search": ("Search labels and titles for 知识产权", "按名称检索“知识产权”"),
    "leads_with": ("Who leads with whom: shared tasks", "牵头单位与配合单位的共同任务"),
}
