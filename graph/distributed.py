"""Distributed extraction on Dask: the per-file extractor mapped over a dask bag.

``policykg build --engine dask [--scheduler ADDR]`` runs
:func:`~policykg.extract.pipeline.extract_file` (a pure function of one file)
on the workers of a ``dask.distributed`` cluster and streams the results, as
they complete, into the same store build as the local engine.

The output does not depend on the order in which files complete: every file's
quads go to its own named graph or, for shared reference data, to a set (the
default graph), and the cross-file linking run after loading picks its
targets by ``MIN`` over the candidates, never by load order.  The
:class:`~policykg.extract.corpus_report.CorpusReport` is put back in corpus
order once the stream ends, so its text is the same as a local run's.

A file that fails on a worker is skipped and reported as locally (the reason
codes of :mod:`policykg.extract.source_errors`, ``extraction_error`` for any
other exception); a task whose worker died is retried by Dask, then reported
as ``extraction_error`` ("worker lost") for its files.  Workers must see the corpus at the same
absolute paths as the client (one machine or a shared file system) and have
policykg installed.

Requires the ``dask`` extra (``pip install 'policykg[dask]'``).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from policykg.extract import pipeline
from policykg.extract.corpus_report import CorpusReport
from policykg.extract.model import ExtractionResult
from policykg.extract.reader import DEFAULT_MAX_BYTES
from policykg.extract.source_errors import SkipReason, SourceError

if TYPE_CHECKING:
    from distributed import Client

__all__ = [
    "ENGINES",
    "DaskUnavailableError",
    "connect",
    "extract_distributed",
    "extract_one",
    "extract_sources_distributed",
]

ENGINES = ("local", "dask")

logger = logging.getLogger(__name__)

#: one file's outcome as it travels back from a worker (plain data, always picklable)
Outcome = tuple[str, ExtractionResult | None, str | None, str | None]


class DaskUnavailableError(RuntimeError):
    """``--engine dask`` without dask installed (the ``dask`` extra)."""


def extract_one(
    path: str, max_bytes: int = DEFAULT_MAX_BYTES, source: str | None = None
) -> Outcome:
    """Extract one file (on a worker): ``(path, result, None, None)`` or an error tuple.

    An error is ``(path, None, reason, message)``.  ``source`` is the file's
    identity in the corpus (default: its name), as the local engine gives it.

    The same per-file contract as :func:`~policykg.extract.pipeline.extract_sources`:
    a :class:`SourceError` keeps its reason code, any other exception becomes
    ``extraction_error``.  Errors come back as strings (exceptions need not pickle).
    """
    file = Path(path)
    try:
        # looked up on the module at call time, so a worker-side patch (tests) applies
        result = pipeline.extract_source(file, source or file.name, max_bytes=max_bytes)
        return path, result, None, None
    except SourceError as exc:
        return path, None, exc.reason, exc.message
    except Exception as exc:  # one file's failure must not lose the corpus
        logger.exception("extraction failed on %s", path)
        return path, None, "extraction_error", f"{type(exc).__name__}: {exc}"


def _extract_partition(items: list[tuple[str, str]], max_bytes: int) -> list[Outcome]:
    return [extract_one(path, max_bytes, source) for path, source in items]


@contextmanager
def connect(scheduler: str | None = None, *, n_workers: int | None = None) -> Iterator[Client]:
    """A ``distributed.Client``: to ``scheduler`` (``tcp://HOST:PORT``), else a new local cluster.

    The local cluster listens on 127.0.0.1 only, without a dashboard, with
    ``n_workers`` (default: one per core) single-threaded worker processes (the
    extractor holds the GIL).  A context manager: the client, and the local
    cluster, are closed on exit.
    """
    try:
        from distributed import Client, LocalCluster
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise DaskUnavailableError(
            "the dask engine needs dask and distributed: pip install 'policykg[dask]'"
        ) from exc
    if scheduler:
        with Client(scheduler) as client:
            yield client
        return
    with (
        LocalCluster(
            n_workers=n_workers or os.cpu_count() or 1,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
        ) as cluster,
        Client(cluster) as client,
    ):
        yield client


def _sort_report(report: CorpusReport, position: dict[str, int]) -> None:
    # corpus order (walk order), as a local run fills it: completion order is arbitrary
    last = len(position)
    report.processed.sort(key=lambda item: position.get(item.path, last))
    report.skipped.sort(key=lambda item: position.get(item.path, last))


def extract_distributed(
    paths: Iterable[Path],
    client: Client,
    *,
    report: CorpusReport | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    files_per_task: int = 1,
    max_in_flight: int | None = None,
) -> Iterator[ExtractionResult]:
    """Extract every source file under ``paths`` on a Dask cluster, streamed as files complete.

    The files are listed on the client with their identities
    (:func:`~policykg.extract.pipeline.iter_sources`), put in a ``dask.bag`` and
    :func:`extract_one` is mapped over it.

    Parameters
    ----------
    paths : iterable of path-like
        Files or directories.
    client : distributed.Client
        A connected client (:func:`connect`).
    report : CorpusReport, optional
        Filled with every processed and skipped file, in corpus order at the end.
    max_bytes : int
        Per-file size limit (larger files are skipped as ``too_large``).
    files_per_task : int
        Files per bag partition (one task each): 1 attributes a lost worker to
        one file; more amortises scheduling over many tiny files.
    max_in_flight : int, optional
        Tasks submitted but not yet consumed (default: 2 per worker thread):
        results wait on the workers only that far ahead of the store.

    Yields
    ------
    ExtractionResult
        In completion order.
    """
    return _distributed(
        lambda on_error: pipeline.iter_sources(paths, on_error=on_error),
        client,
        report=report,
        max_bytes=max_bytes,
        files_per_task=files_per_task,
        max_in_flight=max_in_flight,
    )


def extract_sources_distributed(
    sources: Iterable[tuple[Path, str]],
    client: Client,
    *,
    report: CorpusReport | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    files_per_task: int = 1,
    max_in_flight: int | None = None,
) -> Iterator[ExtractionResult]:
    """:func:`extract_distributed` over ``(path, identity)`` pairs already listed.

    The Dask counterpart of :func:`~policykg.extract.pipeline.extract_sources`,
    for callers that choose the files themselves (``policykg build --update``
    extracts only the new and changed ones).
    """
    return _distributed(
        lambda on_error: sources,
        client,
        report=report,
        max_bytes=max_bytes,
        files_per_task=files_per_task,
        max_in_flight=max_in_flight,
    )


def _distributed(
    make_sources: Callable[[Callable[[SourceError], None]], Iterable[tuple[Path, str]]],
    client: Client,
    *,
    report: CorpusReport | None,
    max_bytes: int,
    files_per_task: int,
    max_in_flight: int | None,
) -> Iterator[ExtractionResult]:
    import dask.bag as db
    from distributed import as_completed

    position: dict[str, int] = {}

    def skip(error: SourceError) -> None:
        position.setdefault(str(error.path), len(position))
        if report is None:
            logger.warning("skipped %s", error)
        else:
            logger.info("skipped %s", error)
            report.add_skip(error)

    items: list[tuple[str, str]] = []
    given: dict[str, str] = {}
    for f, source in make_sources(skip):
        position.setdefault(str(f), len(position))
        # workers get absolute paths; the report keeps the paths as the walk gave them
        items.append((str(f.absolute()), source))
        given[str(f.absolute())] = str(f)
    if not items:
        return
    size = max(1, files_per_task)
    bag = db.from_sequence(items, partition_size=size)
    parts = bag.map_partitions(_extract_partition, max_bytes).to_delayed()
    members = [[path for path, _ in items[i : i + size]] for i in range(0, len(items), size)]
    threads = sum(client.nthreads().values()) or 1
    window = max(1, max_in_flight or 2 * threads)

    pending = iter(zip(parts, members, strict=True))
    queue = as_completed()
    submitted: dict[Any, list[str]] = {}

    def submit_next() -> bool:
        item = next(pending, None)
        if item is None:
            return False
        part, names = item
        future = client.compute(part)
        submitted[future] = names
        queue.add(future)
        return True

    for _ in range(window):
        if not submit_next():
            break
    def emit(outcome: Outcome) -> ExtractionResult | None:
        path, result, reason, message = outcome
        shown = given.get(path, path)
        if result is None:
            code = cast(SkipReason, reason or "extraction_error")
            skip(SourceError(Path(shown), code, message or ""))
            return None
        if report is not None:
            report.add_result(shown, result)
        return result

    try:
        for future in queue:
            names = submitted.pop(future)
            try:
                outcomes: list[Outcome] = future.result()
            except Exception as exc:  # the task itself failed: its worker died, or Dask gave up
                logger.warning("task for %d file(s) failed: %s", len(names), exc)
                lost = f"worker lost: {type(exc).__name__}: {exc}"
                outcomes = [(n, None, "extraction_error", lost) for n in names]
            future.release()
            submit_next()
            for outcome in outcomes:
                result = emit(outcome)
                if result is not None:
                    yield result
    finally:
        for future in submitted:
            future.cancel()
        if report is not None:
            _sort_report(report, position)
