"""The lexical guard: SERVICE/LOAD found wherever the grammar allows them, nowhere else."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from policykg.api.sparql_lexer import (
    ForbiddenOperationError,
    add_using_clauses,
    decode_unicode_escapes,
    inspect_query,
    inspect_update,
)


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
