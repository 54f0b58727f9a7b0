"""graph/remote.py: ``--store sparql+http://…`` against a real Virtuoso on 127.0.0.1.

The URL parsing and update scoping tests need no server; the others use the
``virtuoso`` fixture (``tests/conftest.py``), which skips with a reason where
Debian's virtuoso-opensource is not installed.
"""

from __future__ import annotations

import json
import shutil
from collections import Counter
from decimal import Decimal
from pathlib import Path
from typing import Any, cast

import pyoxigraph as ox
import pytest
from rdflib.plugins.sparql.algebra import translateUpdate
from rdflib.plugins.sparql.parser import parseUpdate
from typer.testing import CliRunner
from virtuoso_support import Virtuoso, free_port

from policykg.api.cli import app
from policykg.graph.namespaces import ONTOLOGY_GRAPH, XSD
from policykg.graph.queries import EXAMPLE_QUERIES
from policykg.graph.rdf import LINK_STUBS_UPDATES, MERGE_AREAS_UPDATES
from policykg.graph.remote import (
    GRAPH_PREFIX,
    REFERENCE_GRAPH,
    RemoteStoreError,
    SparqlLocation,
    SparqlStore,
    _bnode_labels,
    _query_form,
    parse_store_location,
)
from policykg.graph.store import open_store, select_rows

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "data" / "corpus"
runner = CliRunner()

# ---------------------------------------------------------------- no server needed


def test_directories_stay_paths() -> None:
    assert parse_store_location("var/store") == Path("var/store")
    assert parse_store_location(Path("/tmp/x")) == Path("/tmp/x")
    assert parse_store_location("C:/stores/x") == Path("C:/stores/x")  # a drive, not a scheme
    assert parse_store_location("odd:name") == Path("odd:name")  # no //: still a path


def test_sparql_url_is_parsed() -> None:
    loc = parse_store_location(
        "sparql+https://ann:s%40cret@db.example.org:8443/ds/query?update=/ds/update&gsp=/ds/data"
        "&auth=digest"
    )
    assert loc == SparqlLocation(
        scheme="https",
        host="db.example.org",
        port=8443,
        query_path="/ds/query",
        update_path="/ds/update",
        gsp_path="/ds/data",
        username="ann",
        password="s@cret",
        auth="digest",
    )
    assert isinstance(loc, SparqlLocation)
    assert loc.origin == "https://db.example.org:8443"
    assert "s@cret" not in loc.display() and "cret" not in repr(loc)
    simple = parse_store_location("sparql+http://127.0.0.1:8890/sparql")
    assert isinstance(simple, SparqlLocation)
    assert simple.update_path == "/sparql" and simple.gsp_path is None
    assert simple.display() == "sparql+http://127.0.0.1:8890/sparql"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("http://127.0.0.1:8890/sparql", "unsupported store URL scheme 'http'"),
        ("file:///tmp/store", "unsupported store URL scheme 'file'"),
        ("sparql+http:/127.0.0.1:8890/sparql", "is not a URL"),
        ("sparql+http:///sparql", "no host"),
        ("sparql+http://h:99999/sparql", "bad port"),
        ("sparql+http://h/sparql?gsp=http://elsewhere/data", "same server"),
        ("sparql+http://h/sparql?update=//elsewhere/u", "same server"),
        ("sparql+http://h/sparql?auth=ntlm", "basic or digest"),
        ("sparql+http://h/sparql?graph=x", "unknown store URL parameter"),
    ],
)
def test_bad_store_urls_are_refused(value: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_store_location(value)


def test_query_form_skips_the_prologue() -> None:
    text = "# a comment with SELECT\nPREFIX ex: <http://ex/#x>\nBASE <http://b/>\n construct {}"
    assert _query_form(text) == "CONSTRUCT"
    assert _query_form("PREFIX : <http://e/> ASK {}") == "ASK"
    assert _query_form("describe <x>") == "DESCRIBE"


def test_linking_updates_name_every_graph_they_touch() -> None:
    # sent to a server unchanged, so no pattern or template may rely on a default graph
    for update in (*LINK_STUBS_UPDATES, *MERGE_AREAS_UPDATES):
        parsed = translateUpdate(parseUpdate(update))
        for op in parsed.algebra:
            for name in ("insert", "delete"):
                template = getattr(op, name, None) or {}
                assert not template.get("triples"), (name, update[:80])

def test_virtuoso_blank_node_labels_are_made_valid() -> None:
    xml = b"<bnode>nodeID://b10001</bnode><literal>nodeID://b1</literal>"
    assert _bnode_labels(xml) == b"<bnode>b10001</bnode><literal>nodeID://b1</literal>"
    js = b'{"type": "bnode", "value": "nodeID://b7"}, {"type": "literal", "value": "nodeID://b8"}'
    assert _bnode_labels(js) == (
        b'{"type": "bnode", "value": "b7"}, {"type": "literal", "value": "nodeID://b8"}'
    )


def test_cli_refuses_other_url_schemes_without_creating_a_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    one = str(sorted(CORPUS.glob("*.txt"))[0])
    result = runner.invoke(app, ["build", one, "--store", "http://127.0.0.1:9/sparql"])
    assert result.exit_code == 2
    assert "unsupported store URL scheme 'http'" in result.output
    assert list(tmp_path.iterdir()) == []


def test_cli_unreachable_sparql_store_fails_without_local_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    one = str(sorted(CORPUS.glob("*.txt"))[0])
    url = f"sparql+http://127.0.0.1:{free_port()}/sparql"
    result = runner.invoke(app, ["build", one, "--store", url])
    assert result.exit_code == 2
    assert "cannot reach" in result.output
    assert list(tmp_path.iterdir()) == []  # never a ./sparql+http:/… directory
    query = runner.invoke(app, ["query", "ASK {}", "--store", url])
    assert query.exit_code == 2 and "cannot reach" in query.output
    other = runner.invoke(app, ["workload", "--store", url])
    assert other.exit_code == 2 and "supported by `build`, `query` and `serve` only" in other.output


# ---------------------------------------------------------------- against Virtuoso


@pytest.fixture(scope="module")
def local_build(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """The corpus built into an embedded store; its path and the CLI's stdout (the counts)."""
    path = tmp_path_factory.mktemp("local") / "store"
    result = runner.invoke(app, ["build", str(CORPUS), "--store", str(path)])
    assert result.exit_code == 0, result.output
    return path, result.stdout


@pytest.fixture(scope="module")
def local_store(local_build: tuple[Path, str]) -> Path:
    return local_build[0]


@pytest.fixture(scope="module")
def remote_build(virtuoso: Virtuoso, local_store: Path) -> str:
    """The corpus built into Virtuoso through the CLI; the CLI's stdout (the counts)."""
    result = runner.invoke(app, ["build", str(CORPUS), "--store", virtuoso.store_url])
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.fixture()
def remote(virtuoso: Virtuoso, remote_build: str) -> Any:
    with SparqlStore(virtuoso.store_url) as store:
        yield store


def _term(term: Any) -> tuple[str, ...]:
    """A term compared across stores: the lexical forms the two stores write differently
    made one (Virtuoso writes booleans 1/0; pyoxigraph stores xsd:nonNegativeInteger as
    xsd:integer)."""
    if isinstance(term, ox.Literal):
        datatype, value = term.datatype.value, term.value
        if datatype == XSD.boolean.value:
            value = {"1": "true", "0": "false"}.get(value, value)
        if datatype in (XSD.nonNegativeInteger.value, XSD.positiveInteger.value):
            datatype = XSD.integer.value
        return ("literal", value, datatype, term.language or "")
    if isinstance(term, ox.BlankNode):
        return ("blank",)
    return ("iri", term.value)


def _remote_quads(store: SparqlStore) -> Counter[tuple[Any, ...]]:
    rows = store.query(
        "SELECT ?g ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } "
        f'FILTER(STRSTARTS(STR(?g), "{GRAPH_PREFIX}") || ?g IN ({ONTOLOGY_GRAPH}, '
        f"{REFERENCE_GRAPH})) }}",
        use_default_graph_as_union=True,
    )
    assert isinstance(rows, ox.QuerySolutions)
    return Counter((r["g"].value, _term(r["s"]), _term(r["p"]), _term(r["o"])) for r in rows)


def _local_quads(path: Path) -> Counter[tuple[Any, ...]]:
    out: Counter[tuple[Any, ...]] = Counter()
    for q in open_store(path):
        graph = REFERENCE_GRAPH if isinstance(q.graph_name, ox.DefaultGraph) else q.graph_name
        out[(graph.value, _term(q.subject), _term(q.predicate), _term(q.object))] += 1
    return out


def _canonical_ontology(quads: list[ox.Quad]) -> set[str]:
    dataset = ox.Dataset(quads)
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    return {str(q) for q in dataset}


def test_remote_build_counts_match_local(local_build: tuple[Path, str], remote_build: str) -> None:
    assert "responsibilities" in remote_build
    assert remote_build == local_build[1]  # documents, stubs, tasks, …, graphs, triples


def test_remote_store_holds_the_same_quads(local_store: Path, remote: SparqlStore) -> None:
    local, far = _local_quads(local_store), _remote_quads(remote)
    assert sum(local.values()) == len(remote) == len(open_store(local_store))
    assert far == local  # every graph, after the cross-file linking ran on the server
    # the ontology's blank-node structure too (isomorphic, not only the same count)
    onto = remote.query(
        f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH {ONTOLOGY_GRAPH} {{ ?s ?p ?o }} }}",
        use_default_graph_as_union=True,
    )
    assert isinstance(onto, ox.QueryTriples)
    here = open_store(local_store).quads_for_pattern(None, None, None, ONTOLOGY_GRAPH)
    assert _canonical_ontology([ox.Quad(t.subject, t.predicate, t.object) for t in onto]) == (
        _canonical_ontology([ox.Quad(q.subject, q.predicate, q.object) for q in here])
    )


def test_linking_ran_on_the_server(remote: SparqlStore) -> None:
    # stubs that name a corpus document are gone: citations point at the document itself
    rows = remote.query(
        "PREFIX pkg: <https://w3id.org/policykg/ontology#>\n"
        "ASK { ?c pkg:citedDocument ?d . ?d pkg:isStub true . ?d2 pkg:isStub false . "
        "?d pkg:docNumberKey ?k . ?d2 pkg:docNumberKey ?k }",
        use_default_graph_as_union=True,
    )
    assert bool(rows) is False
    linked = remote.query(
        "PREFIX pkg: <https://w3id.org/policykg/ontology#>\n"
        "ASK { ?c pkg:citedDocument ?d . ?d pkg:isStub false }",
        use_default_graph_as_union=True,
    )
    assert bool(linked) is True


@pytest.mark.parametrize("name", sorted(EXAMPLE_QUERIES))
def test_readme_queries_same_rows_through_the_cli(
    name: str, local_store: Path, virtuoso: Virtuoso, remote_build: str
) -> None:
    query = EXAMPLE_QUERIES[name]
    here = runner.invoke(app, ["query", query, "--store", str(local_store), "-f", "json"])
    there = runner.invoke(app, ["query", query, "--store", virtuoso.store_url, "-f", "json"])
    assert here.exit_code == 0, here.output
    assert there.exit_code == 0, there.output
    rows_here, rows_there = json.loads(here.stdout), json.loads(there.stdout)
    assert rows_here, f"{name} returns nothing on the sample corpus"
    assert [list(r) for r in rows_there[:1]] == [list(r) for r in rows_here[:1]]  # header
    # order-insensitive, numbers compared as numbers (json gives int/float either way)
    key = lambda r: json.dumps(r, sort_keys=True, ensure_ascii=False)  # noqa: E731
    assert Counter(map(key, rows_there)) == Counter(map(key, rows_here))


def test_store_api_subset(local_store: Path, remote: SparqlStore) -> None:
    local = open_store(local_store)
    assert sorted(remote.named_graphs(), key=str) == sorted(local.named_graphs(), key=str)
    assert REFERENCE_GRAPH in list(remote.named_graphs())
    some = next(g for g in local.named_graphs() if g != ONTOLOGY_GRAPH)
    assert remote.contains_named_graph(some)
    assert not remote.contains_named_graph(ox.NamedNode(GRAPH_PREFIX + "no-such-file"))
    ask = remote.query("ASK { ?s a <https://w3id.org/policykg/ontology#Task> }",
                       use_default_graph_as_union=True)  # fmt: skip
    assert isinstance(ask, ox.QueryBoolean) and bool(ask)
    # without the union the default graph is the reference data only, as in pyoxigraph
    query = "SELECT (COUNT(*) AS ?n) WHERE { ?s a <https://w3id.org/policykg/ontology#Task> }"
    for union in (False, True):
        ours = next(iter(cast(ox.QuerySolutions, remote.query(
            query, use_default_graph_as_union=union))))["n"].value  # fmt: skip
        theirs = next(iter(cast(ox.QuerySolutions, local.query(
            query, use_default_graph_as_union=union))))["n"].value  # fmt: skip
        assert ours == theirs
    with pytest.raises(SyntaxError):
        remote.query("SELECT * WHERE { ?s ?p }")


def test_select_rows_on_both_stores(local_store: Path, remote: SparqlStore) -> None:
    text = ("PREFIX pkg: <https://w3id.org/policykg/ontology#>\n"
            "CONSTRUCT { ?t a pkg:Target } WHERE { ?t a pkg:Target }")  # fmt: skip
    h1, r1 = select_rows(open_store(local_store), text)
    h2, r2 = select_rows(cast(ox.Store, remote), text)
    assert h1 == h2 == ["subject", "predicate", "object"]
    assert sorted(map(tuple, r1)) == sorted(map(tuple, r2)) and r1
    assert select_rows(cast(ox.Store, remote), "ASK { ?s ?p ?o }") == (["ask"], [[True]])


def test_strict_build_with_a_skip_leaves_the_remote_store_untouched(
    virtuoso: Virtuoso, remote_build: str, remote: SparqlStore, tmp_path: Path
) -> None:
    before = len(remote)
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(sorted(CORPUS.glob("*.txt"))[0], corpus)
    (corpus / "binary.txt").write_bytes(bytes(range(256)) * 4)
    result = runner.invoke(app, ["build", str(corpus), "--store", virtuoso.store_url, "--strict"])
    assert result.exit_code == 4, result.output
    assert "was not changed" in result.output
    assert len(remote) == before


def _by_value(quads: Counter[tuple[Any, ...]]) -> Counter[tuple[Any, ...]]:
    """Numbers and booleans (as 1/0) by value, whatever their datatype."""
    numeric = {XSD[n].value for n in ("integer", "decimal", "double", "float", "boolean")}
    out: Counter[tuple[Any, ...]] = Counter()
    for (g, s, p, o), n in quads.items():
        if o[0] == "literal" and o[2] in numeric:
            o = ("number", Decimal({"true": "1", "false": "0"}.get(o[1], o[1])))
        out[(g, s, p, o)] += n
    return out


def test_build_without_graph_store_protocol(
    virtuoso: Virtuoso, local_store: Path, remote_build: str
) -> None:
    # INSERT DATA batches on the SPARQL Update endpoint instead of GSP POSTs
    url = f"sparql+http://127.0.0.1:{virtuoso.http_port}/sparql"
    result = runner.invoke(app, ["build", str(CORPUS), "--store", url])
    assert result.exit_code == 0, result.output
    assert result.stdout == remote_build
    with SparqlStore(url) as store:
        far, local = _remote_quads(store), _local_quads(local_store)
        # Virtuoso's SPARQL compiler stores an integral xsd:decimal ("100") as xsd:integer,
        # some booleans as 1/0: the same values, other datatypes (GSP loads keep them)
        assert far != local
        assert _by_value(far) == _by_value(local)


def test_digest_authenticated_endpoints(virtuoso: Virtuoso, remote_build: str) -> None:
    with SparqlStore(virtuoso.auth_store_url) as store:
        assert bool(store.query("ASK { ?s ?p ?o }", use_default_graph_as_union=True))
        store.drop_graph(ox.NamedNode(GRAPH_PREFIX + "no-such-file"))  # an authorised update
    wrong = virtuoso.auth_store_url.replace("dba:dba@", "dba:wrong@")
    with SparqlStore(wrong) as store, pytest.raises(RemoteStoreError, match="HTTP 401"):
        store.query("ASK { ?s ?p ?o }")


def test_query_endpoint_mistaken_for_gsp_fails_clearly(
    virtuoso: Virtuoso, remote_build: str
) -> None:
    url = f"sparql+http://127.0.0.1:{virtuoso.http_port}/sparql-graph-crud"
    result = runner.invoke(app, ["build", str(CORPUS), "--store", url])
    assert result.exit_code == 2
    assert "the SPARQL query endpoint?" in result.output


def test_clear_leaves_other_graphs_alone(virtuoso: Virtuoso, remote_build: str) -> None:
    other = ox.NamedNode("http://example.org/someone-elses-graph")
    with SparqlStore(virtuoso.store_url) as store:
        triple = '<http://example.org/a> <http://example.org/b> "c"'
        store.update(f"INSERT DATA {{ GRAPH {other} {{ {triple} }} }}")
        result = runner.invoke(app, ["build", str(CORPUS), "--store", virtuoso.store_url])
        assert result.exit_code == 0, result.output
        assert result.stdout == remote_build
        assert store.contains_named_graph(other)
        store.drop_graph(other)
