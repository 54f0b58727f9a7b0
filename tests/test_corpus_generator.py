"""The scale-corpus generator: deterministic, genre-shaped, free of sample-corpus strings."""

from __future__ import annotations

import re
import sys
from pathlib import Path

from test_no_sample_strings import GOLD_DIR, distinctive_strings, leaked

ROOT = Path(__file__).resolve().parents[1]
# bench/ is run from the repository root (`python -m bench`), not installed
sys.path.insert(0, str(ROOT))

from bench.corpus_generator import PROVINCES, generate_corpus, generate_document  # noqa: E402


def test_same_seed_same_text_and_prefix_property(tmp_path: Path) -> None:
    assert generate_document(7, seed=42) == generate_document(7, seed=42)
    assert generate_document(7, seed=42).text != generate_document(7, seed=43).text
    small = generate_corpus(tmp_path / "a", 3, seed=5)
    large = generate_corpus(tmp_path / "b", 6, seed=5)
    assert [p.read_text() for p in small] == [p.read_text() for p in large[:3]]


def test_documents_have_the_genre_structure() -> None:
    texts = [generate_document(i).text for i in range(30)]
    joined = "\n".join(texts)
    assert re.search(r"〔20\d\d〕\d+号", joined)
    assert re.search(r"^一、", joined, re.MULTILINE)
    assert re.search(r"^（一）", joined, re.MULTILINE)
    assert re.search(r"^\d+\.", joined, re.MULTILINE)
    assert re.search(r"（责任单位[：:][^）]+）", joined)
    assert re.search(r"（牵头单位：[^；]+；配合单位：[^）]+）", joined)
    assert re.search(r"到20\d\d年，全市", joined)
    assert "\t责任单位\t" in joined
    assert re.search(r"《[^》]+》（[^）]*〔\d{4}〕\d+号）", joined)
    cities = {c for _, cs in PROVINCES.values() for c in cs}
    assert len({c for c in cities if c in joined}) >= 10  # many regions


def test_no_sample_corpus_strings_in_generator_or_output() -> None:
    strings = distinctive_strings(sorted(GOLD_DIR.glob("*.json")))
    assert strings
    source = (ROOT / "bench" / "corpus_generator.py").read_text(encoding="utf-8")
    assert not leaked(source, strings)
    output = "\n".join(generate_document(i).text for i in range(200))
    assert not leaked(output, strings)
