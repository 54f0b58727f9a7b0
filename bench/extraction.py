"""Extraction throughput: our extractor vs spaCy char tokenisation vs a bare regex pass.

Variants (each reads every file of the generated corpus inside the timed region;
pipelines are built before the clock starts):

``ours``
    :func:`policykg.extract.pipeline.extract_file` over every file, one process.
``ours_pool2``
    The same in a fork ``multiprocessing.Pool(2)`` whose workers return only the
    records (JSON dicts), not Docs; the pipeline is built before forking, pool
    start-up is timed.
``spacy_tokenise``
    ``spacy.blank("zh")`` character segmentation alone (``nlp.pipe``): the
    practical limit of any spaCy pipeline over the same text.
``regex10``
    Ten compiled patterns of the genre, ``finditer`` over every text.

MB/s is UTF-8 input bytes / 10⁶ / seconds.
"""

from __future__ import annotations

import multiprocessing as mp
import re
import time
from pathlib import Path
from typing import Any

from bench.datasets import corpus_bytes, ensure_corpus
from bench.harness import Benchmark, Column, Ratio, RunConfig

__all__ = ["BENCHMARK", "REGEXES", "prepare", "run"]

BENCHMARK = Benchmark(
    name="extraction",
    title="Extraction throughput (MB/s of UTF-8 input)",
    variants=("ours", "ours_pool2", "spacy_tokenise", "regex10"),
    columns=(
        Column("mb_per_s", "MB/s", "{:.2f}"),
        Column("seconds", "s", "{:.2f}"),
        Column("items", "records/tokens/matches", "{:,.0f}"),
        Column("peak_rss_mb", "peak RSS MB", "{:.0f}"),
    ),
    ratios=(
        Ratio(
            "ours / spaCy char tokenisation (per core)",
            ("ours", "mb_per_s"), ("spacy_tokenise", "mb_per_s"), goal=0.5,
        ),
        Ratio("ours: 2 workers / 1", ("ours_pool2", "mb_per_s"), ("ours", "mb_per_s"), goal=1.6),
        Ratio("ours / 10 compiled regexes", ("ours", "mb_per_s"), ("regex10", "mb_per_s")),
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

# the pipeline a forked pool worker inherits from the parent (built before forking)
_POOL_NLP: Any = None


def prepare(config: RunConfig) -> dict[str, Any]:
    """Generate (or reuse) the corpus; describe it."""
    corpus = ensure_corpus(config.work_dir, config.docs, config.seed)
    return {"corpus": str(corpus), "files": config.docs, "bytes": corpus_bytes(corpus)}


def _records_of(path: str) -> list[dict[str, Any]]:
    from policykg.extract.pipeline import extract_file

    return extract_file(Path(path), _POOL_NLP).records()


def _read(paths: list[Path]) -> list[str]:
    return [p.read_bytes().decode("utf-8") for p in paths]


def run(variant: str, config: RunConfig, prepared: dict[str, Any]) -> dict[str, float]:
    """Time one variant over the whole corpus."""
    global _POOL_NLP
    paths = sorted(Path(prepared["corpus"]).glob("*.txt"))
    size = prepared["bytes"]
    if variant in {"ours", "ours_pool2"}:
        from policykg.extract.pipeline import build_pipeline, extract_file

        nlp = build_pipeline()
        extract_file(paths[0], nlp)  # first call loads lazy resources; not timed
        start = time.perf_counter()
        if variant == "ours":
            items = sum(len(extract_file(p, nlp).records()) for p in paths)
        else:
            _POOL_NLP = nlp
            chunk = max(1, len(paths) // 16)
            with mp.get_context("fork").Pool(2) as pool:
                items = sum(
                    len(r) for r in pool.imap_unordered(_records_of, map(str, paths), chunk)
                )
    elif variant == "spacy_tokenise":
        import spacy

        tok = spacy.blank("zh")
        tok.max_length = 50_000_000
        tok("预热")  # first call initialises the tokenizer; not timed
        start = time.perf_counter()
        items = sum(len(doc) for doc in tok.pipe(_read(paths), batch_size=16))
    elif variant == "regex10":
        start = time.perf_counter()
        items = sum(1 for text in _read(paths) for rx in REGEXES for _ in rx.finditer(text))
    else:
        raise ValueError(f"unknown variant {variant!r}")
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "mb_per_s": size / 1e6 / seconds, "items": items, "bytes": size}
