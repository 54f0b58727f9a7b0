"""``policykg dump`` / ``policykg load``: a lossless, atomic round trip through N-Quads."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import rdflib
from graph_samples import sample_results
from rdflib.compare import isomorphic
from typer.testing import CliRunner

from policykg.api.cli import app
from policykg.graph.namespaces import ONTOLOGY_GRAPH
from policykg.graph.store import (
    build_store,
    graph_digests,
    is_store,
    load_store,
    open_store,
    read_marker,
    release_generation,
    update_store,
)

runner = CliRunner()


@pytest.fixture
def store(tmp_path: Path) -> Path:
    path = tmp_path / "kg"
    build_store(iter(sample_results()), path)
    return path


def _digests(path: Path) -> dict[str, str]:
    try:
        return graph_digests(open_store(path))
    finally:
        release_generation()


def test_dump_then_load_into_an_empty_directory_is_isomorphic(store: Path, tmp_path: Path) -> None:
    dump = tmp_path / "backup.nq"
    out = runner.invoke(app, ["dump", "--store", str(store), "-o", str(dump)])
    assert out.exit_code == 0, out.output
    assert not [p for p in tmp_path.iterdir() if ".partial-" in p.name]
    (tmp_path / "empty").mkdir()
    restored = tmp_path / "empty" / "kg"
    loaded = runner.invoke(app, ["load", str(dump), "--store", str(restored)])
    assert loaded.exit_code == 0, loaded.output
    original, copy = _digests(store), _digests(restored)
    # the (empty) default graph, the ontology, the reference data, a and b
    assert set(copy) == set(original) and len(original) == 5
    assert copy == original  # per graph, blank nodes canonicalised (RDFC-1.0)
    before, after = read_marker(store), read_marker(restored)
    assert before is not None and after is not None
    assert after["counts"] == before["counts"] and after["mode"] == "load"
    # the ontology's blank nodes, independently: rdflib's isomorphism of that graph
    graphs = []
    for path in (store, restored):
        g = rdflib.Graph()
        for q in open_store(path).quads_for_pattern(None, None, None, ONTOLOGY_GRAPH):
            line = f"{q.subject} {q.predicate} {q.object} .\n"
            g.parse(data=line, format="nt")
        graphs.append(g)
    release_generation()
    assert any(isinstance(t, rdflib.BNode) for t in graphs[0].subjects())
    assert isomorphic(graphs[0], graphs[1])


def test_dump_to_stdout_and_load_from_stdin(store: Path, tmp_path: Path) -> None:
    out = runner.invoke(app, ["dump", "--store", str(store)])
    assert out.exit_code == 0 and out.stdout_bytes.count(b"\n") == len(open_store(store))
    restored = tmp_path / "kg2"
    loaded = runner.invoke(app, ["load", "-", "--store", str(restored)], input=out.stdout_bytes)
    assert loaded.exit_code == 0, loaded.output
    assert _digests(restored) == _digests(store)


def test_load_replaces_a_store_atomically_and_a_bad_dump_changes_nothing(
    store: Path, tmp_path: Path
) -> None:
    other = tmp_path / "other"
    build_store(iter(sample_results()[:1]), other)
    dump = tmp_path / "full.nq"
    assert runner.invoke(app, ["dump", "--store", str(store), "-o", str(dump)]).exit_code == 0
    before = os.readlink(other)
    load_store(dump, other)
    assert os.readlink(other) != before and _digests(other) == _digests(store)
    marker = read_marker(other)
    broken = tmp_path / "broken.nq"
    broken.write_bytes(dump.read_bytes()[:-200] + b"<not a quad\n")
    result = runner.invoke(app, ["load", str(broken), "--store", str(other)])
    assert result.exit_code == 2 and "was not changed" in result.stderr
    assert read_marker(other) == marker and is_store(other)
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".other.gen-") and
                p.name != os.readlink(other)]  # fmt: skip


def test_update_after_load_is_a_full_build(store: Path, tmp_path: Path) -> None:
    dump = tmp_path / "d.nq"
    runner.invoke(app, ["dump", "--store", str(store), "-o", str(dump)])
    restored = tmp_path / "r"
    load_store(dump, restored)
    # a loaded store has no link inputs and no extraction cache: nothing to update from
    summary = update_store(restored, [], lambda pairs: iter(()))
    assert summary.full_build is not None and "load" in summary.full_build
    assert summary.counts["files"] == 0 and read_marker(restored)["mode"] == "build"  # type: ignore[index]
