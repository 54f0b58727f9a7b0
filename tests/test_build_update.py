"""``build --update``: only changed files are extracted, and the result equals a full build."""

from __future__ import annotations

import hashlib
import shutil
import sys
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import replace
from pathlib import Path

import pytest
from graph_samples import result_a, result_b
from pyoxigraph import NamedNode
from typer.testing import CliRunner

from policykg.api.cli import app
from policykg.extract.model import DocumentRecord, ExtractionResult, ResponsibilityRecord
from policykg.extract.pipeline import extract_sources, iter_sources
from policykg.graph.store import (
    build_store,
    graph_digests,
    open_store,
    read_marker,
    release_generation,
    update_store,
)

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # bench/ is run from the repository root, not installed

from bench.corpus_generator import generate_corpus  # noqa: E402

runner = CliRunner()


class Recorder:
    """The real extractor, remembering which files it was asked for."""

    def __init__(self) -> None:
        self.asked: list[str] = []

    def __call__(self, pairs: Sequence[tuple[Path, str]]) -> Iterator[ExtractionResult]:
        self.asked += [s for _p, s in pairs]
        return extract_sources(pairs)


def _digests(store: Path) -> dict[str, str]:
    try:
        return graph_digests(open_store(store))
    finally:
        release_generation()


def _full(corpus: Path, store: Path) -> dict[str, str]:
    build_store(extract_sources(iter_sources([corpus])), store)
    return _digests(store)


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    # documents cite earlier ones by title and 文号 (gen_000000 is a hub): cross-file links
    root = tmp_path / "corpus"
    generate_corpus(root, 10, seed=7)
    return root


def _update(corpus: Path, store: Path) -> tuple[Recorder, object]:
    recorder = Recorder()
    summary = update_store(store, iter_sources([corpus]), recorder)
    return recorder, summary


def test_unchanged_corpus_changes_nothing(corpus: Path, tmp_path: Path) -> None:
    store = tmp_path / "kg"
    before = _full(corpus, store)
    marker = read_marker(store)
    recorder = Recorder()
    summary = update_store(store, iter_sources([corpus]), recorder)
    assert recorder.asked == [] and not summary.published
    assert len(summary.unchanged) == 10 and not (summary.added or summary.changed)
    assert read_marker(store) == marker  # same generation, same triple count
    assert _digests(store) == before
    # a full rebuild of the same corpus gives the same graphs too
    assert _full(corpus, tmp_path / "again") == before


def test_changed_hub_document_relinks_its_citers_and_equals_a_full_build(
    corpus: Path, tmp_path: Path
) -> None:
    store = tmp_path / "kg"
    _full(corpus, store)
    old = _digests(store)
    hub = corpus / "gen_000000.txt"
    text = hub.read_text(encoding="utf-8")
    number = next(line for line in text.splitlines() if line.startswith("文号："))[3:]
    hub.write_text(text.replace(number, number.replace("号", "0号")), encoding="utf-8")
    recorder = Recorder()
    summary = update_store(store, iter_sources([corpus]), recorder)
    assert summary.changed == ["gen_000000.txt"] and recorder.asked == ["gen_000000.txt"]
    assert summary.relinked, "files citing the hub by 文号 were linked to it"
    assert _digests(store) == _full(corpus, tmp_path / "full")
    assert _digests(store) != old


def test_removed_and_added_files_equal_a_full_build(corpus: Path, tmp_path: Path) -> None:
    store = tmp_path / "kg"
    _full(corpus, store)
    (corpus / "gen_000000.txt").unlink()  # cited by others: their stubs come back
    sub = corpus / "more"
    generate_corpus(sub, 2, seed=7, start=10)
    recorder = Recorder()
    summary = update_store(store, iter_sources([corpus]), recorder)
    assert summary.removed == ["gen_000000.txt"]
    assert summary.added == ["more/gen_000010.txt", "more/gen_000011.txt"]
    assert recorder.asked == summary.added  # the relinked files come from the cache
    assert _digests(store) == _full(corpus, tmp_path / "full")
    counts = read_marker(store)["counts"]  # type: ignore[index]
    assert counts["files"] == 11 and counts["graphs"] == 11


def _area_results() -> tuple[ExtractionResult, ExtractionResult]:
    # ``coded`` knows 示例市's division code; ``alias`` names 示例市 as a unit's region only
    a = result_a()
    coded_doc = replace(a.documents[0], region_code="990100")
    coded = replace(a, source="coded.txt", documents=[coded_doc])
    b = result_b()
    resp: ResponsibilityRecord = replace(b.responsibilities[0], unit_region="示例市")
    doc: DocumentRecord = replace(b.documents[0], region=None, region_code=None)
    alias = replace(b, source="alias.txt", documents=[doc], responsibilities=[resp])
    return coded, alias


def test_area_alias_merged_into_a_removed_file_area_is_restored(tmp_path: Path) -> None:
    corpus = tmp_path / "c"
    corpus.mkdir()
    coded, alias = _area_results()
    results = {r.source: r for r in (coded, alias)}
    for r in results.values():
        (corpus / r.source).write_text(r.text, encoding="utf-8")

    def fake(pairs: Sequence[tuple[Path, str]]) -> Iterable[ExtractionResult]:
        for path, source in pairs:
            res = results[source]
            yield replace(res, sha256=hashlib.sha256(path.read_bytes()).hexdigest())

    store = tmp_path / "kg"
    update_store(store, iter_sources([corpus]), fake)  # no store yet: a full build
    merged = open_store(store).query(
        "PREFIX pkg: <https://w3id.org/policykg/ontology#> "
        "ASK { GRAPH ?g { ?r pkg:responsibleBody ?b } "
        "?b pkg:inArea <https://w3id.org/policykg/id/area/990100> }",
        use_default_graph_as_union=True,
    )
    assert bool(merged)
    release_generation()
    (corpus / "coded.txt").unlink()
    summary = update_store(store, iter_sources([corpus]), fake)
    assert summary.removed == ["coded.txt"] and summary.relinked == ["alias.txt"]
    expected = tmp_path / "full"
    build_store(fake(list(iter_sources([corpus]))), expected)
    assert _digests(store) == _digests(expected)


def test_cli_update_reports_files(corpus: Path, tmp_path: Path) -> None:
    store = tmp_path / "kg"
    first = runner.invoke(app, ["build", str(corpus), "--store", str(store), "--update"])
    assert first.exit_code == 0, first.output
    assert "full build: no store yet" in first.stderr
    (corpus / "gen_000009.txt").write_text("（一）新任务。（责任单位：市科技局）\n", "utf-8")
    shutil.copy(corpus / "gen_000001.txt", corpus / "copy.txt")
    (corpus / "gen_000008.txt").unlink()
    result = runner.invoke(app, ["build", str(corpus), "--store", str(store), "--update"])
    assert result.exit_code == 0, result.output
    assert "files: added 1, changed 1, removed 1, unchanged 8" in result.stderr
    assert "added    copy.txt" in result.stderr and "removed  gen_000008.txt" in result.stderr
    assert "changed  gen_000009.txt" in result.stderr
    assert "files processed: 2" in result.stderr  # only the new and the changed file
    again = runner.invoke(app, ["build", str(corpus), "--store", str(store), "--update"])
    assert "nothing changed" in again.stderr and "files processed: 0" in again.stderr


def test_graph_replacement_keeps_any_literal(tmp_path: Path) -> None:
    # the changed graph goes through a SPARQL update: quotes, escapes and controls survive
    corpus = tmp_path / "c"
    corpus.mkdir()
    a, b = result_a(), result_b()
    odd = '引号"与\'单引号\\反斜杠\n换行\t制表\x01控制\u2028分隔😀 """'
    results = {"a.txt": a, "b.txt": b}
    for name in results:
        (corpus / name).write_text(name, "utf-8")

    def fake(pairs: Sequence[tuple[Path, str]]) -> Iterable[ExtractionResult]:
        for path, source in pairs:
            sha = hashlib.sha256(path.read_bytes()).hexdigest()
            yield replace(results[source], source=source, sha256=sha)

    store = tmp_path / "kg"
    build_store(fake(list(iter_sources([corpus]))), store)
    results["a.txt"] = replace(a, documents=[replace(a.documents[0], title=odd)])
    (corpus / "a.txt").write_text("changed", "utf-8")
    summary = update_store(store, iter_sources([corpus]), fake)
    assert summary.changed == ["a.txt"]
    titles = {
        t.object.value
        for t in open_store(store).quads_for_pattern(
            None, NamedNode("http://purl.org/dc/terms/title"), None, None
        )
    }
    assert odd in titles
    expected = tmp_path / "full"
    build_store(fake(list(iter_sources([corpus]))), expected)
    assert _digests(store) == _digests(expected)


def test_cli_refuses_two_files_with_one_identity(corpus: Path, tmp_path: Path) -> None:
    store = tmp_path / "kg"
    assert runner.invoke(app, ["build", str(corpus), "--store", str(store)]).exit_code == 0
    marker = read_marker(store)
    other = tmp_path / "other"
    other.mkdir()
    shutil.copy(corpus / "gen_000003.txt", other / "gen_000003.txt")
    for extra in ([], ["--update"]):
        args = ["build", str(corpus), str(other), "--store", str(store), *extra]
        result = runner.invoke(app, args)
        assert result.exit_code == 2, result.output
        assert "gen_000003.txt" in result.stderr and "was not changed" in result.stderr
        assert read_marker(store) == marker
