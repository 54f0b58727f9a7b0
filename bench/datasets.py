"""Benchmark data, built once per (seed, documents) and cached under the work directory.

- ``corpus-s<seed>-<docs>/``: the generated scale corpus (:mod:`bench.corpus_generator`);
- ``store-s<seed>-<docs>/``: that corpus built into a policykg store by the
  project's own extractor and :func:`policykg.graph.store.build_store`;
- ``data-s<seed>-<docs>.nq``: the store's quads dumped as N-Quads (the same
  facts, for the baselines that load RDF themselves).

Each is written under a temporary name and renamed when complete, so an
interrupted run never leaves a half-built cache entry behind.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from bench.corpus_generator import generate_corpus

__all__ = ["corpus_bytes", "ensure_corpus", "ensure_nquads", "ensure_store"]


def _entry(work_dir: Path | str, kind: str, seed: int, docs: int, suffix: str = "") -> Path:
    return Path(work_dir) / f"{kind}-s{seed}-{docs}{suffix}"


def ensure_corpus(work_dir: Path | str, docs: int, seed: int) -> Path:
    """Directory of the generated corpus of ``docs`` documents (generated if missing)."""
    target = _entry(work_dir, "corpus", seed, docs)
    if target.is_dir():
        return target
    tmp = target.with_name(target.name + f".tmp{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    generate_corpus(tmp, docs, seed)
    os.replace(tmp, target)
    return target


def corpus_bytes(corpus: Path | str) -> int:
    """Total size in bytes of the files of a corpus directory."""
    return sum(p.stat().st_size for p in Path(corpus).iterdir() if p.is_file())


def ensure_store(work_dir: Path | str, docs: int, seed: int) -> Path:
    """Directory of the policykg store built from the corpus (built if missing)."""
    from policykg.extract.pipeline import extract_paths
    from policykg.graph.store import build_store, is_store

    target = _entry(work_dir, "store", seed, docs)
    if is_store(target):
        return target
    build_store(extract_paths([ensure_corpus(work_dir, docs, seed)]), target)
    return target


def ensure_nquads(work_dir: Path | str, docs: int, seed: int) -> Path:
    """N-Quads file of every quad in the store (dumped if missing)."""
    from pyoxigraph import RdfFormat

    from policykg.graph.store import open_store

    target = _entry(work_dir, "data", seed, docs, ".nq")
    if target.is_file():
        return target
    store = open_store(ensure_store(work_dir, docs, seed))
    tmp = target.with_name(target.name + f".tmp{os.getpid()}")
    store.dump(output=str(tmp), format=RdfFormat.N_QUADS)
    os.replace(tmp, target)
    return target
