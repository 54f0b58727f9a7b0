"""ontology.ttl parses in rdflib and pyoxigraph and declares every pkg: term the converter emits."""

from __future__ import annotations

import re
from pathlib import Path

import pyoxigraph
import rdflib
from graph_samples import sample_results
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from policykg.graph.namespaces import PKG_NS
from policykg.graph.rdf import result_to_quads
from policykg.graph.store import ontology_path

ROOT = Path(__file__).resolve().parents[1]
DECLARING_TYPES = {
    OWL.Class,
    OWL.ObjectProperty,
    OWL.DatatypeProperty,
    OWL.AnnotationProperty,
    SKOS.Concept,
    SKOS.ConceptScheme,
}


def _ontology() -> rdflib.Graph:
    graph = rdflib.Graph()
    graph.parse(ROOT / "ontology.ttl", format="turtle")
    return graph


def test_parses_with_rdflib_and_pyoxigraph() -> None:
    graph = _ontology()
    assert len(graph) > 200
    triples = list(
        pyoxigraph.parse(path=str(ROOT / "ontology.ttl"), format=pyoxigraph.RdfFormat.TURTLE)
    )
    assert len(triples) == len(graph)


def test_package_ships_the_same_file() -> None:
    assert ontology_path().read_bytes() == (ROOT / "ontology.ttl").read_bytes()


def test_issue_terms_and_subclasses() -> None:
    graph = _ontology()
    pkg = rdflib.Namespace(PKG_NS)
    eli = rdflib.Namespace("http://data.europa.eu/eli/ontology#")
    org = rdflib.Namespace("http://www.w3.org/ns/org#")
    qb = rdflib.Namespace("http://purl.org/linked-data/cube#")
    assert (pkg.PolicyDocument, RDFS.subClassOf, eli.LegalResource) in graph
    assert (pkg.Task, RDFS.subClassOf, eli.LegalResourceSubdivision) in graph
    assert (pkg.GovernmentBody, RDFS.subClassOf, org.Organization) in graph
    assert (pkg.Target, RDFS.subClassOf, qb.Observation) in graph
    for role in ("LeadRole", "SupportRole", "ResponsibleRole"):
        assert (pkg[role], RDF.type, SKOS.Concept) in graph
    for kind in ("Basis", "Implements", "Produces", "Mentions"):
        assert (pkg[kind], SKOS.inScheme, pkg.CitationTypeScheme) in graph
    assert (pkg.Basis, pkg.shortcut, eli.based_on) in graph


def test_design_note_alignments() -> None:
    graph = _ontology()
    pkg = rdflib.Namespace(PKG_NS)
    schema = rdflib.Namespace("https://schema.org/")
    prov = rdflib.Namespace("http://www.w3.org/ns/prov#")
    assert (pkg.GovernmentBody, RDFS.subClassOf, schema.GovernmentOrganization) in graph
    assert (pkg.AdministrativeArea, RDFS.subClassOf, schema.AdministrativeArea) in graph
    assert (pkg.ExtractionRun, RDFS.subClassOf, prov.Activity) in graph
    assert (pkg.Extractor, RDFS.subClassOf, prov.SoftwareAgent) in graph
    assert (pkg.SourceText, RDFS.subClassOf, prov.Entity) in graph
    for prop in ("matchingText", "sourceFormat", "encoding", "warning", "sha256"):
        assert (pkg[prop], RDFS.domain, pkg.SourceText) in graph, prop
        assert (pkg[prop], RDFS.range, rdflib.XSD.string) in graph, prop
    assert (pkg.aspirational, RDFS.range, rdflib.XSD.boolean) in graph
    # 力争 is no word for "at least": aspiration is the pkg:aspirational flag
    labels = {str(o) for o in graph.objects(pkg.AtLeast, SKOS.altLabel)}
    assert "力争" not in labels


def test_document_type_scheme() -> None:
    graph = _ontology()
    pkg = rdflib.Namespace(PKG_NS)
    concepts = set(graph.subjects(SKOS.inScheme, pkg.DocTypeScheme))
    assert len(concepts) >= 20
    zh_labels: dict[str, rdflib.term.Node] = {}
    for concept in concepts:
        assert (concept, RDF.type, SKOS.Concept) in graph
        langs = {getattr(o, "language", None) for o in graph.objects(concept, SKOS.prefLabel)}
        assert {"en", "zh"} <= langs, concept
        # the converter matches Chinese labels: each names one concept only
        for pred in (SKOS.prefLabel, SKOS.altLabel):
            for label in graph.objects(concept, pred):
                if getattr(label, "language", None) == "zh":
                    assert zh_labels.setdefault(str(label), concept) == concept, label
        broader = set(graph.objects(concept, SKOS.broader))
        top = (concept, SKOS.topConceptOf, pkg.DocTypeScheme) in graph
        assert top != bool(broader), concept  # a top concept, or under one


def test_classes_and_properties_have_english_and_chinese_labels() -> None:
    graph = _ontology()
    for term in set(graph.subjects(RDF.type, None)):
        if not str(term).startswith(PKG_NS):
            continue
        types = set(graph.objects(term, RDF.type))
        if not types & {OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty}:
            continue
        langs = {getattr(lit, "language", None) for lit in graph.objects(term, RDFS.label)}
        assert {"en", "zh"} <= langs, term


def test_every_pkg_term_emitted_is_declared() -> None:
    graph = _ontology()
    declared = {
        str(s)
        for s, o in graph.subject_objects(RDF.type)
        if o in DECLARING_TYPES or str(s).startswith(PKG_NS)
    }
    used: set[str] = set()
    for result in sample_results():
        for quad in result_to_quads(result):
            for term in (quad.predicate, quad.object):
                if isinstance(term, pyoxigraph.NamedNode) and term.value.startswith(PKG_NS):
                    used.add(term.value)
    assert used, "the samples use pkg: terms"
    assert used <= declared, sorted(used - declared)


def test_every_pkg_term_in_the_converter_source_is_declared() -> None:
    # Catches terms on code paths the samples do not reach.
    source = (ROOT / "graph" / "rdf.py").read_text(encoding="utf-8")
    names = set(re.findall(r"\bPKG\.([A-Za-z_0-9]+)", source)) | set(
        re.findall(r'PKG\["([A-Za-z_0-9]+)"\]', source)
    )
    graph = _ontology()
    missing = sorted(n for n in names if (rdflib.URIRef(PKG_NS + n), None, None) not in graph)
    assert not missing
