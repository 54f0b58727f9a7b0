"""CPU cost of each extraction component, in units of ``spacy.blank("zh")`` over the same texts.

``python -m bench.components [--docs 200] [--rounds 3]`` times the Doc set-up (``make_doc``) and
every component of the default pipeline over the first ``--docs`` files of the
generated ``1m`` corpus (best of ``--rounds``), and prints each as a multiple of
the CPU time spaCy's blank Chinese pipeline takes to tokenise the same texts.
The sum tells how far the extraction benchmark's per-core goal (≥ 0.5×, i.e. a
sum of about 2) is; the largest entries tell where to look.  A diagnostic, not
part of the suite: it prints no ratio against a goal.
"""

from __future__ import annotations

import argparse
import time
from collections import defaultdict
from pathlib import Path

from bench.datasets import ensure_corpus

__all__ = ["component_costs", "main"]


def component_costs(texts: list[str], rounds: int = 3) -> dict[str, float]:
    """Best-of-``rounds`` CPU seconds of ``spacy.blank``, ``make_doc`` and each component."""
    import spacy

    from policykg.extract.pipeline import build_pipeline, make_source_doc, run_pipeline

    nlp = build_pipeline()
    blank = spacy.blank("zh")
    for i, text in enumerate(texts[:5]):  # warm both vocabularies and the lazy tables
        blank(text)
        run_pipeline(nlp, text, f"warm-{i}")
    best: dict[str, float] = defaultdict(lambda: float("inf"))
    for _ in range(rounds):
        start = time.process_time()
        for text in texts:
            blank(text)
        best["spacy.blank"] = min(best["spacy.blank"], time.process_time() - start)
        spent: dict[str, float] = defaultdict(float)
        for i, text in enumerate(texts):
            start = time.process_time()
            doc = make_source_doc(nlp, text, f"doc-{i}")
            spent["make_doc"] += time.process_time() - start
            for name, proc in nlp.pipeline:
                start = time.process_time()
                doc = proc(doc)
                spent[name] += time.process_time() - start
        for name, seconds in spent.items():
            best[name] = min(best[name], seconds)
    return dict(best)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.components", description=__doc__)
    parser.add_argument("--docs", type=int, default=200, help="files of the 1m corpus to use")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--work-dir", type=Path, default=Path("var/bench"))
    args = parser.parse_args(argv)
    corpus = ensure_corpus(args.work_dir, 400, args.seed)
    files = sorted(p for p in corpus.iterdir() if p.is_file())[: args.docs]
    texts = [p.read_text("utf-8") for p in files]
    costs = component_costs(texts, args.rounds)
    base = costs.pop("spacy.blank")
    size = sum(len(t.encode("utf-8")) for t in texts) / 1e6
    print(f"{len(texts)} files, {size:.1f} MB; spacy.blank('zh'): {base:.2f} s CPU (= 1.00)")
    for name, seconds in costs.items():
        print(f"{name:28s} {seconds / base:5.2f}")
    print(f"{'sum':28s} {sum(costs.values()) / base:5.2f}")


if __name__ == "__main__":
    main()
