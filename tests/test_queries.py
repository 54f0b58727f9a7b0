"""The README's example queries run against a store and return rows."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from graph_samples import sample_results

from policykg.graph.queries import EXAMPLE_QUERIES, EXAMPLE_TITLES
from policykg.graph.rdf import serialize_results
from policykg.graph.store import build_store, open_store, select_rows


@pytest.fixture(scope="module")
def store_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("queries") / "kg"
    build_store(iter(sample_results()), path)
    return path


@pytest.mark.parametrize("name", sorted(EXAMPLE_QUERIES))
def test_example_returns_rows(name: str, store_dir: Path) -> None:
    header, rows = select_rows(open_store(store_dir), EXAMPLE_QUERIES[name])
    assert header and rows, name
    assert name in EXAMPLE_TITLES


def test_workload_counts(store_dir: Path) -> None:
    header, rows = select_rows(open_store(store_dir), EXAMPLE_QUERIES["workload"])
    records = [dict(zip(header, r, strict=True)) for r in rows]
    assert records[0]["name"] == "市科技局" and records[0]["tasks"] == 3
    led = {r["name"]: r["tasks_led"] for r in records}
    assert led["示例市市场监督管理局"] == 1
    assert [r["tasks"] for r in records] == sorted((r["tasks"] for r in records), reverse=True)


def test_targets_filter_applies(store_dir: Path) -> None:
    _, rows = select_rows(open_store(store_dir), EXAMPLE_QUERIES["targets_by_indicator"])
    assert [r[0] for r in rows] == ["每万人发明专利拥有量"]


def test_workload_query_runs_unchanged_on_rdflib() -> None:
    ds = rdflib.Dataset(default_union=True)
    ds.parse(data=serialize_results(sample_results(), "trig"), format="trig")
    rows = list(ds.query(EXAMPLE_QUERIES["workload"]))
    assert int(rows[0][2]) == 3  # type: ignore[index, arg-type]


def _key(value: object) -> tuple[int, str]:
    # ORDER BY puts unbound values first; literals then sort by their lexical form
    return (0, "") if value is None else (1, str(value))


@pytest.mark.parametrize(
    ("name", "columns"),
    [
        ("label_search", ("label",)),
        ("citation_chain", ("citing", "via", "cited")),
        ("department_tasks", ("department", "document", "number")),
    ],
)
def test_computed_sort_keys_sort_as_the_values(
    name: str, columns: tuple[str, ...], store_dir: Path
) -> None:
    header, rows = select_rows(open_store(store_dir), EXAMPLE_QUERIES[name])
    keys = [tuple(_key(r[header.index(c)]) for c in columns) for r in rows]
    assert len(rows) > 1 and keys == sorted(keys)


@pytest.fixture(scope="module")
def same_data_in_rdflib(store_dir: Path) -> rdflib.Dataset:
    ds = rdflib.Dataset(default_union=True)
    dump = open_store(store_dir).dump(format=ox.RdfFormat.N_QUADS)
    assert dump is not None
    ds.parse(data=dump.decode("utf-8"), format="nquads")
    return ds


@pytest.mark.parametrize("name", sorted(EXAMPLE_QUERIES))
def test_examples_give_the_same_rows_on_rdflib(
    name: str, store_dir: Path, same_data_in_rdflib: rdflib.Dataset
) -> None:
    # the benchmark compares rdflib-endpoint with our endpoint on these queries
    _, ours = select_rows(open_store(store_dir), EXAMPLE_QUERIES[name])
    theirs = list(same_data_in_rdflib.query(EXAMPLE_QUERIES[name]))
    assert len(theirs) == len(ours), name
