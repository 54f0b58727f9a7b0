"""Extraction throughput: our extractor vs spaCy char tokenisation vs a bare regex pass.

Variants (each reads every file of the generated corpus inside the timed region;
pipelines are built before the clock starts):

``ours``
    :func:`policykg.extract.pipeline.extract_paths` over the corpus in this
    process, every result turned into its JSON records (what ``policykg
    extract`` writes).
``ours_pool2``
    The same with ``workers=2``: two forked worker processes that return
    :class:`ExtractionResult` objects (facts and text, no Doc), files sent in
    batches of ~64 KiB, results in corpus order.  **Start-up** (forking the
    workers and their first answer) is timed apart from the **steady state**
    (the whole corpus through the running pool); MB/s is the steady state,
    ``total s`` includes the start-up.
``spacy_tokenise``
    ``spacy.blank("zh")`` character segmentation alone (``nlp.pipe``): the
    practical limit of any spaCy pipeline over the same text.
``regex10``
    Ten compiled patterns of the genre, ``finditer`` over every text.

MB/s is UTF-8 input bytes / 10⁶ / wall seconds; "MB/s per core" divides by
the processes doing the work (1, or 2 for the pool).  ``cpu s`` is this
process's CPU time (for the pool: the parent's; ``worker cpu s`` is the
workers'), ``load`` the 1-minute
load average when the measurement started — on a machine whose two cores are
shared, a 2-worker figure is only meaningful at a load well under 2.

Outside ``--quick`` runs the corpus is enlarged to at least :data:`MIN_MB`
(the same generator and seed, so it contains the scale's corpus): the pool's
fixed costs and the last batch's imbalance must not decide a steady-state
ratio.
"""

from __future__ import annotations

import math
import os
import re
import time
from pathlib import Path
from typing import Any

from bench.datasets import corpus_bytes, ensure_corpus
from bench.harness import Benchmark, Column, Ratio, RunConfig

__all__ = ["BENCHMARK", "MIN_MB", "REGEXES", "prepare", "run"]

#: smallest corpus (MB of UTF-8) of a non-quick extraction run
MIN_MB = 20.0

BENCHMARK = Benchmark(
    name="extraction",
    title="Extraction throughput (MB/s of UTF-8 input)",
    variants=("ours", "ours_pool2", "spacy_tokenise", "regex10"),
    columns=(
        Column("mb_per_s", "MB/s", "{:.2f}"),
        Column("mb_per_s_core", "MB/s per core", "{:.2f}"),
        Column("seconds", "s (steady)", "{:.2f}"),
        Column("startup_s", "start-up s", "{:.3f}"),
        Column("total_s", "total s", "{:.2f}"),
        Column("cpu_s", "cpu s", "{:.2f}"),
        Column("worker_cpu_s", "worker cpu s", "{:.2f}"),
        Column("items", "records/tokens/matches", "{:,.0f}"),
        Column("peak_rss_mb", "peak RSS MB", "{:.0f}"),
        Column("load_1m", "load", "{:.1f}"),
    ),
    ratios=(
        Ratio(
            "ours / spaCy char tokenisation (per core)",
            ("ours", "mb_per_s"), ("spacy_tokenise", "mb_per_s"), goal=0.5,
        ),
        Ratio(
            "ours: 2 workers / 1 (steady state)",
            ("ours_pool2", "mb_per_s"), ("ours", "mb_per_s"), goal=1.6,
        ),
        Ratio(
            "ours: 2 workers / 1 (with pool start-up)",
            ("ours_pool2", "mb_per_s_total"), ("ours", "mb_per_s"),
        ),
        Ratio(
            "CPU time: 1 process / 2 workers and their parent",
            ("ours", "all_cpu_s"), ("ours_pool2", "all_cpu_s"),
            note="the pool's overhead whatever the load: near 1 means 2 idle cores give ~2×",
        ),
        Ratio(
            "CPU time: spaCy tokenisation / ours (1 process)",
            ("spacy_tokenise", "cpu_s"), ("ours", "cpu_s"),
            note="the first ratio in CPU time: steadier than wall time on a shared machine",
        ),
        Ratio("ours / 10 compiled regexes", ("ours", "mb_per_s"), ("regex10", "mb_per_s")),
    ),
    notes=(
        "ratios are per round (the variants of a round run back to back); a 2-worker ratio "
        "needs two idle cores: compare it with the load column",
    ),
)

#: ten patterns of the genre (the "bare regex pass" of the performance notes)
REGEXES: tuple[re.Pattern[str], ...] = tuple(
    re.compile(p, re.MULTILINE)
    for p in (
        r"《[^》]{2,80}》",
        r"[（(]责任单位[：:][^）)]+[）)]",
        r"\d+(?:\.\d+)?\s*(?:%|％|亿元|万元|元|件|家|个|项|人|所|次)",
        r"\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日|\d{4}-\d{1,2}-\d{1,2}",
        r"[\u4e00-\u9fff]{1,6}[〔\[(（]\d{4}[〕\])）]\d+号",
        r"(?:市|省|区|县)[\u4e00-\u9fff]{1,12}(?:局|委|办|厅|院|部|会)",
        r"到\d{4}年[^。；]{0,60}?(?:达到|突破|超过|增长)[^。；]{0,20}?\d+",
        r"^[一二三四五六七八九十]+、.{2,40}$",
        r"^\s*(?:\d+[.．、]|[（(][一二三四五六七八九十]+[）)])",
        r"牵头单位|配合单位|责任单位|主办单位|协办单位",
    )
)


def prepare(config: RunConfig) -> dict[str, Any]:
    """Generate (or reuse) the corpus, at least :data:`MIN_MB` outside quick runs."""
    docs = config.docs
    corpus = ensure_corpus(config.work_dir, docs, config.seed)
    size = corpus_bytes(corpus)
    if not config.quick and size < MIN_MB * 1e6:
        docs = math.ceil(docs * MIN_MB * 1e6 / size * 1.02)  # documents vary in length
        corpus = ensure_corpus(config.work_dir, docs, config.seed)
        size = corpus_bytes(corpus)
    return {"corpus": str(corpus), "files": docs, "bytes": size}


def _read(paths: list[Path]) -> list[str]:
    return [p.read_bytes().decode("utf-8") for p in paths]


def run(variant: str, config: RunConfig, prepared: dict[str, Any]) -> dict[str, float]:
    """Time one variant over the whole corpus."""
    load = os.getloadavg()[0]
    corpus = Path(prepared["corpus"])
    paths = sorted(corpus.glob("*.txt"))
    size = prepared["bytes"]
    startup = worker_cpu = 0.0
    cores = 1
    if variant in {"ours", "ours_pool2"}:
        from policykg.extract.pipeline import build_pipeline, extract_file, extract_paths

        nlp = build_pipeline()
        extract_file(paths[0], nlp)  # first call loads lazy resources; not timed
        cores = 1 if variant == "ours" else 2
        cpu = time.process_time()
        begin = time.perf_counter()
        stream = extract_paths([corpus], nlp, workers=cores)  # workers=2: forks and waits here
        start = time.perf_counter()
        startup = start - begin
        items = sum(len(result.records()) for result in stream)
        children = os.times()  # the workers have been joined: their CPU time is counted
        worker_cpu = children.children_user + children.children_system
    elif variant == "spacy_tokenise":
        import spacy

        tok = spacy.blank("zh")
        tok.max_length = 50_000_000
        tok("预热")  # first call initialises the tokenizer; not timed
        cpu = time.process_time()
        start = begin = time.perf_counter()
        items = sum(len(doc) for doc in tok.pipe(_read(paths), batch_size=16))
    elif variant == "regex10":
        cpu = time.process_time()
        start = begin = time.perf_counter()
        items = sum(1 for text in _read(paths) for rx in REGEXES for _ in rx.finditer(text))
    else:
        raise ValueError(f"unknown variant {variant!r}")
    end = time.perf_counter()
    seconds = end - start
    return {
        "seconds": seconds,
        "startup_s": startup,
        "total_s": end - begin,
        "cpu_s": time.process_time() - cpu,
        "worker_cpu_s": worker_cpu,
        "all_cpu_s": time.process_time() - cpu + worker_cpu,
        "mb_per_s": size / 1e6 / seconds,
        "mb_per_s_core": size / 1e6 / seconds / cores,
        "mb_per_s_total": size / 1e6 / (end - begin),
        "items": items,
        "bytes": size,
        "load_1m": load,
    }
