"""Building, recognising, opening and querying an on-disk store."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from graph_samples import result_a, sample_results
from pyoxigraph import CanonicalizationAlgorithm, Dataset, RdfFormat, Store

from policykg.extract.model import ExtractionResult
from policykg.graph.generations import is_generation_of
from policykg.graph.store import (
    MARKER,
    QuerySyntaxError,
    StoreError,
    build_store,
    dump_store,
    is_store,
    open_store,
    read_marker,
    release_generation,
    select_rows,
)

COUNT_ALL = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"


def _generations(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if ".gen-" in p.name)


@pytest.fixture(scope="module")
def store_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("store") / "kg"
    build_store(iter(sample_results()), path)
    return path


def test_build_counts_facts(tmp_path: Path) -> None:
    counts = build_store(iter(sample_results()), tmp_path / "kg")
    assert counts["files"] == 2
    assert counts["documents"] == 2
    assert counts["stub_documents"] == 2
    assert counts["responsibilities"] == 6
    assert counts["tasks"] == 3
    assert counts["citations"] == 4
    assert counts["targets"] == 2
    assert counts["graphs"] == 2
    assert counts["triples"] > 500
    marker = read_marker(tmp_path / "kg")
    assert marker is not None and marker["counts"] == counts


def test_build_streams_results(tmp_path: Path) -> None:
    consumed: list[str] = []

    def results() -> Iterator[ExtractionResult]:
        for res in sample_results():
            consumed.append(res.source)
            yield res

    build_store(results(), tmp_path / "kg")
    assert consumed == ["a.txt", "b.txt"]


def test_is_store(store_dir: Path, tmp_path: Path) -> None:
    assert is_store(store_dir)
    assert not is_store(tmp_path)
    assert not is_store(tmp_path / "missing")
    (tmp_path / MARKER).write_text(json.dumps({"policykg_store": 1}))
    assert not is_store(tmp_path)  # a marker without a database is not a store


def test_rebuild_replaces_the_store(tmp_path: Path) -> None:
    path = tmp_path / "kg"
    build_store(iter([result_a()]), path)
    small = select_rows(open_store(path), COUNT_ALL)[1][0][0]
    build_store(iter(sample_results()), path)
    full = select_rows(open_store(path), COUNT_ALL)[1][0][0]
    build_store(iter(sample_results()), path)
    again = select_rows(open_store(path), COUNT_ALL)[1][0][0]
    assert small < full == again
    assert path.is_symlink() and is_generation_of(path, path.parent / os.readlink(path))
    # every generation opened above is leased by this process: none is removed under it
    assert len(_generations(tmp_path)) == 3
    release_generation()
    build_store(iter(sample_results()), path)
    assert _generations(tmp_path) == [os.readlink(path)]
    beside = sorted(p.name for p in tmp_path.iterdir())
    assert beside == sorted([".kg.lock", os.readlink(path), "kg"])


def test_build_refuses_to_replace_foreign_data(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("precious")
    with pytest.raises(StoreError):
        build_store(iter(sample_results()), tmp_path)
    assert (tmp_path / "notes.txt").read_text() == "precious"


def test_failed_build_leaves_the_old_store(tmp_path: Path) -> None:
    path = tmp_path / "kg"
    build_store(iter(sample_results()), path)

    def broken() -> Iterator[ExtractionResult]:
        yield result_a()
        raise RuntimeError("extractor crashed")

    with pytest.raises(RuntimeError):
        build_store(broken(), path)
    assert is_store(path)
    assert select_rows(open_store(path), COUNT_ALL)[1][0][0] > 0
    assert _generations(tmp_path) == [os.readlink(path)]  # the failed one is gone


def test_open_store_refuses_non_stores(tmp_path: Path) -> None:
    with pytest.raises(StoreError):
        open_store(tmp_path)


def test_select_rows_gives_plain_values(store_dir: Path) -> None:
    store = open_store(store_dir)
    header, rows = select_rows(
        store,
        """PREFIX pkg: <https://w3id.org/policykg/ontology#>
        SELECT ?t ?v ?year ?inferred ?missing WHERE {
          ?t a pkg:Target ; pkg:targetValue ?v ; pkg:targetYear ?year ; pkg:yearInferred ?inferred
          OPTIONAL { ?t pkg:noSuchProperty ?missing } } ORDER BY ?v""",
    )
    assert header == ["t", "v", "year", "inferred", "missing"]
    assert [r[1:] for r in rows] == [[1.0, 2021, False, None], [10.0, 2020, False, None]]
    assert all(isinstance(r[0], str) for r in rows)


def test_select_rows_ask_and_construct(store_dir: Path) -> None:
    store = open_store(store_dir)
    assert select_rows(store, "ASK { ?s ?p ?o }") == (["ask"], [[True]])
    header, rows = select_rows(
        store,
        """PREFIX pkg: <https://w3id.org/policykg/ontology#>
        CONSTRUCT { ?b pkg:responsibleFor ?t } WHERE { ?b pkg:responsibleFor ?t }""",
    )
    assert header == ["subject", "predicate", "object"]
    assert len(rows) == 6


def test_select_rows_syntax_error_is_a_value_error(store_dir: Path) -> None:
    with pytest.raises(ValueError, match=r"."):
        select_rows(open_store(store_dir), "SELECT WHERE {")
    with pytest.raises(QuerySyntaxError):
        select_rows(open_store(store_dir), "SELECT WHERE {")


def test_store_is_opened_read_only(store_dir: Path) -> None:
    store = open_store(store_dir)
    with pytest.raises((OSError, RuntimeError)):
        store.update("INSERT DATA { <http://e/a> <http://e/b> <http://e/c> }")


@pytest.mark.parametrize("fmt", ["turtle", "ntriples", "nquads", "trig", "jsonld"])
def test_dump_store_formats(fmt: str, store_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / f"dump.{fmt}"
    store = open_store(store_dir)
    dump_store(store, fmt, out)
    rdf_format = {
        "turtle": RdfFormat.TURTLE,
        "ntriples": RdfFormat.N_TRIPLES,
        "nquads": RdfFormat.N_QUADS,
        "trig": RdfFormat.TRIG,
        "jsonld": RdfFormat.JSON_LD,
    }[fmt]
    loaded = Store()
    loaded.load(path=str(out), format=rdf_format)
    if rdf_format.supports_datasets:
        assert len(loaded) == len(store)
        assert set(loaded.named_graphs()) == set(store.named_graphs())
    else:
        assert len(loaded) == len({(q.subject, q.predicate, q.object) for q in store})


def test_nquads_dump_reloads_to_an_isomorphic_dataset(store_dir: Path, tmp_path: Path) -> None:
    store = open_store(store_dir)
    out = tmp_path / "dump.nq"
    dump_store(store, "nquads", out)
    loaded = Store()
    loaded.load(path=str(out), format=RdfFormat.N_QUADS)
    # the ontology has blank nodes: compare canonical forms (RDFC-1.0)
    canonical = []
    for quads in (loaded, store):
        dataset = Dataset(quads)
        dataset.canonicalize(CanonicalizationAlgorithm.RDFC_1_0)
        canonical.append({str(q) for q in dataset})
    assert canonical[0] == canonical[1]
    with pytest.raises(ValueError):
        dump_store(store, "rdfxml", tmp_path / "x")


def test_two_sources_with_one_key_fail_loudly(tmp_path: Path) -> None:
    from dataclasses import replace

    from policykg.graph.namespaces import source_key

    path = tmp_path / "kg"
    build_store(iter(sample_results()), path)
    marker = read_marker(path)
    nested = "c/a/index.txt"
    plain = source_key(nested)  # a plain name that is its own key: the same key
    a, b = sample_results()
    with pytest.raises(StoreError, match="same key"):
        build_store(iter([replace(a, source=nested), replace(b, source=plain)]), path)
    with pytest.raises(StoreError, match="two results"):
        build_store(iter([a, a]), path)
    assert read_marker(path) == marker
