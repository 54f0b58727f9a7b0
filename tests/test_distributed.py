"""graph/distributed.py: extraction on a dask.distributed LocalCluster (127.0.0.1, 2 processes)."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("dask.bag", reason="the dask extra is not installed")
distributed = pytest.importorskip("distributed", reason="the dask extra is not installed")

import dask  # noqa: E402
import pyoxigraph as ox  # noqa: E402
from typer.testing import CliRunner  # noqa: E402

from policykg.api.cli import app  # noqa: E402
from policykg.extract import pipeline  # noqa: E402
from policykg.extract.corpus_report import CorpusReport  # noqa: E402
from policykg.extract.model import ExtractionResult  # noqa: E402
from policykg.graph.distributed import connect, extract_distributed, extract_one  # noqa: E402
from policykg.graph.store import build_store, open_store  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "data" / "corpus"
runner = CliRunner()


@pytest.fixture(scope="module")
def client() -> Iterator[distributed.Client]:
    with (
        distributed.LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            host="127.0.0.1",
            processes=True,
            dashboard_address=None,
        ) as cluster,
        distributed.Client(cluster) as c,
    ):
        yield c


@pytest.fixture(scope="module")
def local_results() -> list[ExtractionResult]:
    return list(pipeline.extract_paths([CORPUS]))


def canonical_quads(store_dir: Path) -> set[str]:
    """The store as a set of N-Quads lines, blank nodes canonicalised (RDFC-1.0)."""
    dataset = ox.Dataset(open_store(store_dir))
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    return {str(q) for q in dataset}


def _corpus_with_faults(tmp_path: Path) -> Path:
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    (corpus / "empty.txt").write_text("")
    (corpus / "binary.txt").write_bytes(bytes(range(256)) * 8)
    (corpus / "sub").mkdir()
    shutil.copy(next(CORPUS.glob("*.txt")), corpus / "sub" / "copy.txt")
    return corpus


def test_same_store_as_local_build(
    client: distributed.Client, local_results: list[ExtractionResult], tmp_path: Path
) -> None:
    local_counts = build_store(local_results, tmp_path / "local")
    report = CorpusReport()
    results = extract_distributed([CORPUS], client, report=report)
    dask_counts = build_store(results, tmp_path / "dask")
    assert dask_counts == local_counts
    assert len(report.processed) == len(local_results) and not report.skipped
    local, remote = canonical_quads(tmp_path / "local"), canonical_quads(tmp_path / "dask")
    assert len(local) == local_counts["triples"]
    assert local == remote


def test_store_does_not_depend_on_result_order(
    local_results: list[ExtractionResult], tmp_path: Path
) -> None:
    # completion order on a cluster is arbitrary: the build must not care
    build_store(local_results, tmp_path / "forward")
    build_store(list(reversed(local_results)), tmp_path / "backward")
    assert canonical_quads(tmp_path / "forward") == canonical_quads(tmp_path / "backward")


def _slow_first_file(first: str) -> None:
    # runs on the workers: the first file of the corpus completes last
    import time
    from pathlib import Path as P

    from policykg.extract import pipeline as pl

    original = pl.extract_file

    def slow(path: P, *args: object, **kwargs: object) -> object:
        if P(path).name == first:
            time.sleep(1.5)
        return original(path, *args, **kwargs)  # type: ignore[arg-type]

    slow.original = original  # type: ignore[attr-defined]
    pl.extract_file = slow  # type: ignore[assignment]


def _restore() -> None:
    from policykg.extract import pipeline as pl

    pl.extract_file = getattr(pl.extract_file, "original", pl.extract_file)


def test_faulty_files_reported_like_local(client: distributed.Client, tmp_path: Path) -> None:
    corpus = _corpus_with_faults(tmp_path)
    local_report, dask_report = CorpusReport(), CorpusReport()
    local = [r.source for r in pipeline.extract_paths([corpus], report=local_report)]
    client.run(_slow_first_file, local[0])
    try:
        remote = [r.source for r in extract_distributed([corpus], client, report=dask_report)]
    finally:
        client.run(_restore)
    assert remote.index(local[0]) > 0  # completion order differs from corpus order…
    assert sorted(remote) == sorted(local)
    assert {s.reason for s in dask_report.skipped} == {"empty", "binary"}
    # …but the report is put back in corpus order: the same as a local run's
    assert dask_report.processed == local_report.processed
    assert dask_report.skipped == local_report.skipped
    assert dask_report.format() == local_report.format()
    assert dask_report.exit_code() == local_report.exit_code() == 3


def test_exception_on_worker_is_a_per_file_skip(client: distributed.Client) -> None:
    victim = sorted(CORPUS.glob("*.txt"))[1].name

    def patch() -> None:
        from pathlib import Path as P

        from policykg.extract import pipeline as pl

        original = pl.extract_file

        def failing(path: P, *args: object, **kwargs: object) -> object:
            if P(path).name == victim:
                raise RuntimeError("boom on a worker")
            return original(path, *args, **kwargs)  # type: ignore[arg-type]

        failing.original = original  # type: ignore[attr-defined]
        pl.extract_file = failing  # type: ignore[assignment]

    def unpatch() -> None:
        from policykg.extract import pipeline as pl

        pl.extract_file = getattr(pl.extract_file, "original", pl.extract_file)

    client.run(patch)
    try:
        report = CorpusReport()
        sources = [r.source for r in extract_distributed([CORPUS], client, report=report)]
    finally:
        client.run(unpatch)
    assert victim not in sources and len(sources) == len(list(CORPUS.glob("*.txt"))) - 1
    [skipped] = report.skipped
    assert skipped.reason == "extraction_error"
    assert Path(skipped.path).name == victim
    assert "RuntimeError: boom on a worker" in skipped.message


def test_extract_one_mirrors_extract_paths(tmp_path: Path) -> None:
    good = sorted(CORPUS.glob("*.txt"))[0]
    path, result, reason, _ = extract_one(str(good))
    assert path == str(good) and result is not None and reason is None
    assert result.source == good.name
    big = tmp_path / "big.txt"
    big.write_text("十" * 100)
    assert extract_one(str(big), max_bytes=10)[2] == "too_large"
    assert extract_one(str(tmp_path / "missing.txt"))[2] == "missing"


def test_dead_worker_is_reported_for_its_file(tmp_path: Path) -> None:
    victim = sorted(CORPUS.glob("*.txt"))[2].name

    def patch() -> None:
        import os as o
        from pathlib import Path as P

        from policykg.extract import pipeline as pl

        original = pl.extract_file

        def dying(path: P, *args: object, **kwargs: object) -> object:
            if P(path).name == victim:
                o._exit(13)  # the worker process dies mid-task
            return original(path, *args, **kwargs)  # type: ignore[arg-type]

        pl.extract_file = dying  # type: ignore[assignment]

    # no retries: the first death of its worker fails the task; one task per worker at a
    # time, so no other task is processing on the worker that dies
    with (
        dask.config.set(
            {"distributed.scheduler.allowed-failures": 0,
             "distributed.scheduler.worker-saturation": 1.0}
        ),  # fmt: skip
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, host="127.0.0.1", processes=True,
            dashboard_address=None,
        ) as cluster,
        distributed.Client(cluster) as c,
    ):  # fmt: skip
        c.run(patch)
        report = CorpusReport()
        sources = [r.source for r in extract_distributed([CORPUS], c, report=report)]
    assert victim not in sources
    assert len(sources) == len(list(CORPUS.glob("*.txt"))) - 1
    [skipped] = report.skipped
    assert Path(skipped.path).name == victim
    assert skipped.reason == "extraction_error" and "worker lost" in skipped.message


def test_cli_build_engine_dask_with_scheduler(client: distributed.Client, tmp_path: Path) -> None:
    local = runner.invoke(app, ["build", str(CORPUS), "--store", str(tmp_path / "a")])
    assert local.exit_code == 0, local.output
    address = client.scheduler.address
    assert address.startswith("tcp://127.0.0.1:")
    result = runner.invoke(
        app,
        ["build", str(CORPUS), "--store", str(tmp_path / "b"), "--engine", "dask",
         "--scheduler", address],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert result.stdout == local.stdout  # the counts
    assert canonical_quads(tmp_path / "a") == canonical_quads(tmp_path / "b")
    query = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
    rows = runner.invoke(app, ["query", query, "--store", str(tmp_path / "b"), "-f", "json"])
    assert json.loads(rows.stdout)[0]["n"] > 0


def test_cli_unreachable_scheduler_fails_clearly(tmp_path: Path) -> None:
    with dask.config.set({"distributed.comm.timeouts.connect": "2s"}):
        result = runner.invoke(
            app,
            ["build", str(CORPUS), "--store", str(tmp_path / "s"), "--engine", "dask",
             "--scheduler", "tcp://127.0.0.1:9"],
        )  # fmt: skip
    assert result.exit_code == 2
    assert "cannot reach the Dask scheduler tcp://127.0.0.1:9" in result.output
    assert not (tmp_path / "s").exists()


def test_connect_starts_a_loopback_cluster() -> None:
    with connect(n_workers=1) as c:
        assert c.scheduler.address.startswith("tcp://127.0.0.1:")
        workers = c.scheduler_info()["workers"]
        assert len(workers) == 1
        assert all(w.startswith("tcp://127.0.0.1:") for w in workers)
        assert c.submit(os.getpid).result() != os.getpid()  # a worker process of its own
