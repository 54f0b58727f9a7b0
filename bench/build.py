"""Build throughput and memory: extract + RDF + load into the on-disk store vs ``bulk_load``.

Variants (each writes a fresh store directory, removed afterwards):

``ours``
    :func:`policykg.graph.store.build_store` over
    :func:`policykg.extract.pipeline.extract_paths` of the corpus — the whole
    ``policykg build`` path: read, extract, convert to quads, load, link stub
    documents, count, flush and optimise.
``ours_pool2``
    The same with ``extract_paths(..., workers=2)`` (``policykg build --workers 2``):
    two forked processes extract while this one converts and loads.
``ours_10x``
    The same as ``ours`` over a corpus ten times larger (same seed, so it contains the
    1× corpus): a streaming build must not need ten times the memory.
``rdf_load``
    The RDF half alone: ``build_store`` over extraction results made beforehand
    (pickled by ``prepare``), to show where the time of ``ours`` goes.
``bulk_load``
    pyoxigraph ``Store(dir).bulk_load`` of the same facts dumped as N-Quads,
    then ``flush`` — the store's own limit.

Triples/s divide the store's quad count (the same for all variants) by wall time.
"""

from __future__ import annotations

import pickle
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.datasets import corpus_bytes, ensure_corpus, ensure_nquads, ensure_store
from bench.harness import Benchmark, Column, Ratio, RunConfig

__all__ = ["BENCHMARK", "prepare", "run"]

BENCHMARK = Benchmark(
    name="build",
    title="Build: extract + RDF + load into the on-disk store",
    variants=("ours", "ours_pool2", "ours_10x", "rdf_load", "bulk_load"),
    columns=(
        Column("seconds", "s", "{:.2f}"),
        Column("mb_per_s", "MB/s", "{:.2f}"),
        Column("triples_per_s", "triples/s", "{:,.0f}"),
        Column("triples", "triples", "{:,.0f}"),
        Column("peak_rss_mb", "peak RSS MB", "{:.0f}"),
    ),
    ratios=(
        Ratio(
            "build (extract+RDF+load) / bulk_load, triples/s",
            ("ours", "triples_per_s"), ("bulk_load", "triples_per_s"), goal=0.3,
        ),
        Ratio(
            "build with 2 extraction workers / 1, triples/s",
            ("ours_pool2", "triples_per_s"), ("ours", "triples_per_s"),
        ),
        Ratio(
            "RDF+load only / bulk_load, triples/s",
            ("rdf_load", "triples_per_s"), ("bulk_load", "triples_per_s"),
        ),
        Ratio(
            "peak RSS at 10× corpus / 1×",
            ("ours_10x", "peak_rss_mb"), ("ours", "peak_rss_mb"), goal=2.0, direction="at_most",
            note="streaming build: memory must not grow with the corpus (10× data, < 2× RSS)",
        ),
        Ratio(
            "build throughput at 10× / 1×, triples/s",
            ("ours_10x", "triples_per_s"), ("ours", "triples_per_s"),
        ),
    ),
    notes=(
        "peak RSS is the whole worker process (interpreter, spaCy, pyoxigraph) — VmHWM",
    ),
)


def prepare(config: RunConfig) -> dict[str, Any]:
    """Corpora at 1× and 10×, the reference store, its N-Quads dump, pickled results."""
    from policykg.extract.pipeline import extract_paths

    corpus = ensure_corpus(config.work_dir, config.docs, config.seed)
    corpus10 = ensure_corpus(config.work_dir, config.docs * 10, config.seed)
    store = ensure_store(config.work_dir, config.docs, config.seed)
    nquads = ensure_nquads(config.work_dir, config.docs, config.seed)
    results = Path(config.work_dir) / f"results-s{config.seed}-{config.docs}.pickle"
    if not results.is_file():
        tmp = results.with_suffix(".tmp")
        with tmp.open("wb") as fh:
            pickle.dump(list(extract_paths([corpus])), fh, protocol=pickle.HIGHEST_PROTOCOL)
        tmp.replace(results)
    return {
        "corpus": str(corpus),
        "corpus_10x": str(corpus10),
        "bytes": corpus_bytes(corpus),
        "bytes_10x": corpus_bytes(corpus10),
        "store": str(store),
        "nquads": str(nquads),
        "nquads_bytes": nquads.stat().st_size,
        "results_pickle": str(results),
    }


def run(variant: str, config: RunConfig, prepared: dict[str, Any]) -> dict[str, float]:
    """Build one store the way ``variant`` says; time it and count its triples."""
    # imports per variant: bulk_load's RSS must not include spaCy and the extractor
    scratch = Path(tempfile.mkdtemp(prefix=f"bench-build-{variant}-", dir=config.work_dir))
    target = scratch / "store"
    size = prepared["bytes_10x" if variant == "ours_10x" else "bytes"]
    try:
        if variant in {"ours", "ours_pool2", "ours_10x"}:
            from policykg.extract.pipeline import build_pipeline, extract_paths
            from policykg.graph.store import build_store

            corpus = Path(prepared["corpus_10x" if variant == "ours_10x" else "corpus"])
            nlp = build_pipeline()  # model construction is not part of the build rate
            start = time.perf_counter()
            workers = 2 if variant == "ours_pool2" else 1
            triples = build_store(extract_paths([corpus], nlp, workers=workers), target)["triples"]
        elif variant == "rdf_load":
            from policykg.graph.store import build_store

            with open(prepared["results_pickle"], "rb") as fh:
                results = pickle.load(fh)
            start = time.perf_counter()
            triples = build_store(results, target)["triples"]
        elif variant == "bulk_load":
            from pyoxigraph import RdfFormat, Store

            start = time.perf_counter()
            store = Store(str(target))
            store.bulk_load(path=prepared["nquads"], format=RdfFormat.N_QUADS)
            store.flush()
            seconds = time.perf_counter() - start
            triples = len(store)
            del store
        else:
            raise ValueError(f"unknown variant {variant!r}")
        if variant != "bulk_load":
            seconds = time.perf_counter() - start
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return {
        "seconds": seconds,
        "mb_per_s": size / 1e6 / seconds,
        "triples": triples,
        "triples_per_s": triples / seconds,
        "bytes": size,
    }
