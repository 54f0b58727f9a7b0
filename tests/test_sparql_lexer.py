"""The guards: SERVICE/LOAD found wherever the grammar allows them, nowhere else.

Two independent layers are tested on the same inputs: the lexical scan
(:mod:`policykg.api.sparql_lexer`) and the grammar check
(:mod:`policykg.api.sparql_guard`).  Every attack vector is first shown to be
live: unguarded pyoxigraph really contacts a loopback probe with it.
"""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from sparql_support import probe_server, ssrf_vectors

from policykg.api.sparql_guard import UnverifiableQueryError, grammar_check
from policykg.api.sparql_lexer import (
    MAX_NESTING,
    ForbiddenOperationError,
    QueryTooComplexError,
    add_using_clauses,
    decode_unicode_escapes,
    inspect_query,
    inspect_update,
    nesting_depth,
    tokenize,
)


def test_every_ssrf_vector_is_live_and_refused_by_each_layer_alone() -> None:
    with probe_server() as probe:
        vectors = ssrf_vectors(probe.url)
        for name, query in vectors.items():
            before = probe.connections
            # No result object kept in a local: pytest's tracebacks would keep it
            # alive until a garbage collection on another thread (unsendable).
            for _ in ox.Store().query(query):  # type: ignore[union-attr]
                pass
            assert probe.connections > before, f"{name}: not a live vector"
            with pytest.raises(ForbiddenOperationError, match="SERVICE"):
                inspect_query(query)
            with pytest.raises(ForbiddenOperationError, match="SERVICE"):
                grammar_check(query, "query")
        # The same trick in the WHERE of an update.
        update = (
            f"INSERT {{ ?s ?s ?s }} WHERE {{ FILTER(1<2)SERVICE#>\n<{probe.url}> {{ ?s ?p ?o }} }}"
        )
        before = probe.connections
        ox.Store().update(update)
        assert probe.connections > before
        with pytest.raises(ForbiddenOperationError):
            inspect_update(update)
        with pytest.raises(ForbiddenOperationError):
            grammar_check(update, "update")


@pytest.mark.parametrize(
    ("query", "angle_kinds"),
    [
        # Less-than after an operand inside an expression: no IRI token.
        ("ASK { FILTER(1<2)SERVICE#> }", ["punct"]),
        ("ASK { FILTER(?x<=?y) }", ["punct"]),
        ("SELECT (?x<3 AS ?y) {}", ["punct"]),
        ("ASK { FILTER(<urn:a> < <urn:b>) }", ["iri", "punct", "iri"]),
        # Where the grammar expects a term, "<" opens an IRI.
        ("ASK { FILTER(?x = <urn:a>) }", ["iri"]),
        ("ASK { ?s ?p (<urn:a> <urn:b>) }", ["iri", "iri"]),
        ("ASK { ?s ?p ?o FILTER(?o IN (<a>, <b>)) }", ["iri", "iri"]),
        ("ASK { VALUES (?x) { (<a>) } }", ["iri"]),
        ("ASK { ?s <p> ?o } ORDER BY ?s <f>(?o)", ["iri", "iri"]),
    ],
)
def test_less_than_is_read_by_context(query: str, angle_kinds: list[str]) -> None:
    tokens = list(tokenize(query))
    assert [t.kind for t in tokens if t.text.startswith("<")] == angle_kinds
    if "SERVICE" in query:
        assert "SERVICE" in [t.text for t in tokens if t.kind == "word"]


def test_nesting_is_capped_before_the_engine_parses() -> None:
    # Thousands of "{" crash the engine's parser; nested collections take
    # exponential time.  Brackets in strings, IRIs and comments do not count.
    ok = "ASK " + "{" * MAX_NESTING + "}" * MAX_NESTING
    assert nesting_depth(ok) == MAX_NESTING
    inspect_query(ok)
    for deep in (
        "ASK " + "{" * (MAX_NESTING + 1) + "}" * (MAX_NESTING + 1),
        "ASK { ?s ?p " + "( 1 " * 40 + ")" * 40 + " }",
        "ASK { FILTER(" + "(" * 5000 + "1" + ")" * 5000 + ") }",
    ):
        with pytest.raises(QueryTooComplexError, match="nested"):
            inspect_query(deep)
        with pytest.raises(QueryTooComplexError):
            inspect_update("INSERT { ?s ?p ?o } WHERE " + deep.removeprefix("ASK "))
    assert nesting_depth("ASK { ?s ?p '" + "(" * 100 + "' } # " + "{" * 100) == 1


@pytest.mark.parametrize(
    "query",
    [
        'SELECT * WHERE { ?s ?p "SERVICE <http://x/> { }" }',
        "SELECT * WHERE { ?s <http://example.org/service/load> ?o }",
        "PREFIX service: <http://x/> SELECT ?service WHERE { ?service service:load ?o }",
        "SELECT * WHERE { ?s ?p ?o } # SERVICE <http://x/>",
        "SELECT * WHERE { ?s ?p ?o FILTER(CONTAINS(STR(?o), 'workload')) }",
        "SELECT * WHERE { ?s ?p ?o }",
    ],
)
def test_grammar_check_allows_lookalikes(query: str) -> None:
    grammar_check(query, "query")


def test_grammar_check_refuses_what_it_cannot_parse_when_the_words_appear() -> None:
    with pytest.raises(UnverifiableQueryError, match="could not parse"):
        grammar_check("SELECT * WHERE { ?s ?p 'service' ", "query")
    # Without the words there is nothing to verify (the engine reports syntax).
    grammar_check("SELECT * WHERE { ?s ?p ", "query")
    with pytest.raises(ForbiddenOperationError, match="LOAD"):
        grammar_check("LOAD <http://127.0.0.1:9/x> INTO GRAPH <urn:g>", "update")


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }",
        "select * where { service silent <http://x/> { ?s ?p ?o } }",
        "SELECT * WHERE { SERVICE ?endpoint { ?s ?p ?o } VALUES ?endpoint { <http://x/> } }",
        "SELECT * WHERE {\n  # comment }\n  SeRvIcE <http://x/> { ?s ?p ?o } }",
        # \\u escapes are legal anywhere in SPARQL text; decoded, this is SERVICE.
        "SELECT * WHERE { \\u0053ERVICE <http://x/> { ?s ?p ?o } }",
        # An escaped quote inside an IRI must not open a string that hides SERVICE.
        "SELECT * WHERE { <http://a/\\u0022> ?p ?o . SERVICE <http://x/> { ?s ?p ?o } . "
        '?s ?p "x" }',
        "SELECT * WHERE { ?s ?p ?o FILTER EXISTS { SERVICE <http://x/> { ?s ?p ?o } } }",
    ],
)
def test_service_is_refused(query: str) -> None:
    with pytest.raises(ForbiddenOperationError, match="SERVICE"):
        inspect_query(query)


@pytest.mark.parametrize(
    "query",
    [
        'SELECT * WHERE { ?s ?p "SERVICE <http://x/> { }" }',
        "SELECT * WHERE { ?s ?p '''LOAD\nSERVICE''' }",
        "SELECT * WHERE { ?s <http://example.org/SERVICE> ?o }",
        "SELECT * WHERE { ?s ?p ?o } # SERVICE <http://x/>",
        "PREFIX service: <http://x/> SELECT ?service WHERE { ?service service:load ?o }",
        "SELECT * WHERE { ?s ?p ?o FILTER(LANG(?o) = 'service') }",
        'SELECT * WHERE { ?s ?p "x"@service }',
        "SELECT * WHERE { ?s ?p _:service }",
    ],
)
def test_lookalikes_are_allowed_and_still_valid_sparql(query: str) -> None:
    info = inspect_query(query)
    assert info.form == "SELECT"
    ox.Store().query(query)  # the same text is valid for the engine


def test_load_is_refused_in_updates() -> None:
    with pytest.raises(ForbiddenOperationError, match="LOAD"):
        inspect_update("LOAD <http://127.0.0.1:9/secret.ttl> INTO GRAPH <urn:g>")
    with pytest.raises(ForbiddenOperationError, match="SERVICE"):
        inspect_update("INSERT { ?s ?p ?o } WHERE { SERVICE <http://x/> { ?s ?p ?o } }")


@pytest.mark.parametrize(
    ("query", "form", "dataset"),
    [
        ("PREFIX a: <http://a/> SELECT * WHERE { ?s ?p ?o }", "SELECT", False),
        ("BASE <http://a/> ASK {}", "ASK", False),
        ("CONSTRUCT WHERE { ?s ?p ?o }", "CONSTRUCT", False),
        ("describe <http://a/>", "DESCRIBE", False),
        ("SELECT * FROM <http://a/g> WHERE { ?s ?p ?o }", "SELECT", True),
        ("ASK FROM NAMED <http://a/g> { GRAPH ?g { ?s ?p ?o } }", "ASK", True),
        ("ASK { {SELECT ?s WHERE { ?s ?p ?o }} }", "ASK", False),
        ("# ASK\nSELECT * {}", "SELECT", False),
    ],
)
def test_form_and_dataset_clause(query: str, form: str, dataset: bool) -> None:
    info = inspect_query(query)
    assert (info.form, info.has_dataset_clause) == (form, dataset)


def test_using_clauses_go_before_each_modify_where() -> None:
    update = (
        "INSERT DATA { <urn:a> <urn:b> <urn:c> } ;\n"
        "DELETE { ?s ?p ?o } INSERT { ?s ?p 1 } WHERE { ?s ?p ?o FILTER EXISTS { ?s ?p ?o } } ;\n"
        "DELETE WHERE { ?s <urn:x> ?o } ;\n"
        "INSERT { GRAPH <urn:g> { ?s ?p ?o } } WHERE { ?s ?p ?o }"
    )
    info = inspect_update(update)
    assert not info.has_using_or_with
    assert len(info.where_offsets) == 2
    rewritten = add_using_clauses(update, info, ["urn:g1"], ["urn:g2"])
    assert rewritten.count("USING <urn:g1> USING NAMED <urn:g2> WHERE") == 2
    assert "DELETE WHERE" in rewritten
    ox.Store().update(rewritten)


def test_using_and_with_are_detected() -> None:
    assert inspect_update("WITH <urn:g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }").has_using_or_with
    assert inspect_update("DELETE { ?s ?p ?o } USING <urn:g> WHERE { ?s ?p ?o }").has_using_or_with
    assert not inspect_update("INSERT DATA { <urn:a> <urn:b> 'with' }").has_using_or_with


def test_decode_unicode_escapes() -> None:
    assert decode_unicode_escapes("\\u0041\\U0001F600x") == "A\U0001f600x"
    assert decode_unicode_escapes("\\UFFFFFFFF") == "\\UFFFFFFFF"


def test_prefixed_name_escapes_do_not_swallow_keywords() -> None:
    # Only PN_LOCAL_ESC characters may follow a backslash in a local name.
    with pytest.raises(ForbiddenOperationError):
        inspect_query("SELECT * WHERE { ?s ex:a\\ SERVICE <http://x/> { ?s ?p ?o } }")
    assert inspect_query("PREFIX ex: <http://x/> SELECT * { ?s ex:a\\,b ?o }").form == "SELECT"


def test_dataset_iris_resolve_prefixes_and_base() -> None:
    info = inspect_query(
        "PREFIX g: <http://ex.org/g/> BASE <http://b.org/x/> "
        "SELECT * FROM g:one FROM NAMED <two> FROM <http://abs/3> WHERE { ?s ?p ?o }"
    )
    assert info.dataset_iris == ["http://ex.org/g/one", "http://b.org/x/two", "http://abs/3"]
    assert inspect_query("SELECT * FROM unknown:x {}").dataset_iris == ["unknown:x"]
