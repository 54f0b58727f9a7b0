"""A corpus with every kind of bad file: each is skipped with a reason, the rest is processed."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from policykg.api.cli import app
from policykg.extract import pipeline, reader
from policykg.extract.corpus_report import EXIT_OK, EXIT_SKIPPED, EXIT_STRICT, CorpusReport
from policykg.extract.pipeline import extract_paths, iter_source_files
from policykg.extract.source_errors import MissingSourceError, SourceError
from policykg.graph.store import read_marker

POLICY = (
    "滨海市人民政府关于推进数字经济发展的实施意见\n"
    "一、加快建设数字基础设施。到2026年，全市5G基站达到3万个以上。"
    "（责任单位：市工业和信息化局、市发展改革委）\n"
    "二、培育数字产业。（责任单位：市科技局）\n"
)
NO_STRUCTURE = "今天天气很好，大家去公园散步，然后回家吃饭。\n"

runner = CliRunner()


def _good_corpus(root: Path) -> Path:
    root.mkdir()
    (root / "good.txt").write_bytes(POLICY.encode("utf-8"))
    (root / "good_gb.txt").write_bytes(POLICY.encode("gb18030"))
    return root


def _bad_corpus(root: Path) -> Path:
    _good_corpus(root)
    (root / "empty.txt").write_bytes(b"")
    (root / "binary.txt").write_bytes(bytes(range(256)) * 20)
    (root / "cut.txt").write_bytes(POLICY.encode("utf-8")[:-2])
    (root / "plain.txt").write_bytes(NO_STRUCTURE.encode("utf-8"))
    with (root / "huge.txt").open("wb") as fh:
        fh.truncate(200 * 1024 * 1024)  # sparse: refused from its size, never read
    sub = root / "sub"
    sub.mkdir()
    (sub / "nested.txt").write_bytes(POLICY.encode("utf-16"))
    (sub / "back").symlink_to(root, target_is_directory=True)  # a loop
    (root / "dangling.txt").symlink_to(root / "nowhere.txt")
    (root / "ignored.png").write_bytes(b"\x89PNG\r\n\x1a\n")  # skipped unread by its suffix
    (root / ".hidden.txt").write_bytes(POLICY.encode("utf-8"))
    return root


def test_every_fault_is_reported_and_the_rest_processed(tmp_path: Path) -> None:
    corpus = _bad_corpus(tmp_path / "corpus")
    report = CorpusReport()
    results = list(extract_paths([corpus, tmp_path / "missing"], report=report))
    processed = sorted(Path(p.path).name for p in report.processed)
    assert processed == ["cut.txt", "good.txt", "good_gb.txt", "nested.txt", "plain.txt"]
    assert [r.source for r in results] == [
        "cut.txt", "good.txt", "good_gb.txt", "plain.txt", "sub/nested.txt"
    ]  # fmt: skip
    reasons = {Path(s.path).name: s.reason for s in report.skipped}
    assert reasons == {
        "binary.txt": "binary",
        "dangling.txt": "missing",
        "empty.txt": "empty",
        "huge.txt": "too_large",
        "back": "symlink_loop",
        "missing": "missing",
        "ignored.png": "unsupported_suffix",
    }
    warnings = dict(report.warnings())
    assert warnings[str(corpus / "cut.txt")].startswith("truncated:")
    assert warnings[str(corpus / "plain.txt")].startswith("no_structure:")
    assert report.facts_per_type()["responsibilities"] >= 3 * 3
    assert report.exit_code() == EXIT_SKIPPED
    for result in results:
        for record in result.responsibilities:
            ev = record.evidence
            assert result.text[ev.start : ev.end] == ev.quote
    text = report.format()
    assert "files processed: 5" in text and "files skipped:   7" in text
    assert "too_large" in text and "limit" in text


def test_a_clean_corpus_exits_zero(tmp_path: Path) -> None:
    report = CorpusReport()
    assert len(list(extract_paths([_good_corpus(tmp_path / "c")], report=report))) == 2
    assert report.exit_code() == EXIT_OK and not report.skipped


def test_without_a_report_skips_are_logged_not_raised(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    corpus = _good_corpus(tmp_path / "c")
    (corpus / "empty.txt").write_bytes(b"")
    assert len(list(extract_paths([corpus]))) == 2
    assert any("empty" in r.getMessage() for r in caplog.records)


def test_pipeline_failure_on_one_file_skips_only_that_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    corpus = _good_corpus(tmp_path / "c")
    real = pipeline.run_pipeline

    def flaky(nlp: object, text: str, source: str) -> object:
        if source == "good.txt":
            raise RuntimeError("component bug")
        return real(nlp, text, source)

    monkeypatch.setattr(pipeline, "run_pipeline", flaky)
    report = CorpusReport()
    assert [r.source for r in extract_paths([corpus], report=report)] == ["good_gb.txt"]
    assert [(Path(s.path).name, s.reason) for s in report.skipped] == [
        ("good.txt", "extraction_error")
    ]
    assert "component bug" in report.skipped[0].message


def test_unreadable_file_is_skipped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    corpus = _good_corpus(tmp_path / "c")
    secret = corpus / "secret.txt"
    secret.write_bytes(POLICY.encode("utf-8"))
    secret.chmod(0)
    if os.geteuid() == 0:  # root reads anyway (CI): make the reader's open refuse this file
        real_open = open

        def guarded_open(path: Path, *args: object, **kwargs: object) -> object:
            if Path(path) == secret:
                raise PermissionError(13, "Permission denied", str(path))
            return real_open(path, *args, **kwargs)  # type: ignore[call-overload]

        monkeypatch.setattr(reader, "open", guarded_open, raising=False)
    try:
        report = CorpusReport()
        assert len(list(extract_paths([corpus], report=report))) == 2
        assert [(Path(s.path).name, s.reason) for s in report.skipped] == [
            ("secret.txt", "unreadable")
        ]
    finally:
        secret.chmod(0o644)


def test_unlistable_directory_is_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    corpus = _good_corpus(tmp_path / "c")
    locked = corpus / "locked"
    locked.mkdir()
    real_scandir = os.scandir

    def guarded(path: object) -> object:
        if Path(str(path)) == locked:
            raise PermissionError(13, "Permission denied")
        return real_scandir(path)  # type: ignore[call-overload]

    monkeypatch.setattr(pipeline.os, "scandir", guarded)
    errors: list[SourceError] = []
    files = list(iter_source_files([corpus], on_error=errors.append))
    assert len(files) == 2
    assert [(e.path, e.reason) for e in errors] == [(locked, "unreadable")]


def test_without_a_handler_a_missing_path_raises(tmp_path: Path) -> None:
    with pytest.raises(MissingSourceError):
        list(iter_source_files([tmp_path / "missing"]))


def test_symlinks_are_followed_once_and_loops_never_followed(tmp_path: Path) -> None:
    corpus = _good_corpus(tmp_path / "c")
    (corpus / "self").symlink_to(corpus, target_is_directory=True)
    (corpus / "alias.txt").symlink_to(corpus / "good.txt")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "x.txt").write_text(POLICY, encoding="utf-8")
    (corpus / "linked").symlink_to(outside, target_is_directory=True)
    (corpus / "linked_again").symlink_to(outside, target_is_directory=True)
    errors: list[SourceError] = []
    files = list(iter_source_files([corpus, corpus / "good.txt"], on_error=errors.append))
    names = [f.relative_to(corpus).as_posix() for f in files]
    # alias.txt sorts first and is the same file as good.txt: read once
    assert names == ["alias.txt", "good_gb.txt", "linked/x.txt"]
    assert [(e.path.name, e.reason) for e in errors] == [("self", "symlink_loop")]


def test_ten_thousand_files_stream_fast(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    corpus = tmp_path / "big"
    for d in range(100):
        sub = corpus / f"d{d:03d}"
        sub.mkdir(parents=True)
        for f in range(100):
            (sub / f"f{f:03d}.txt").write_bytes(b"" if f % 2 else NO_STRUCTURE.encode("utf-8"))
    listed: list[str] = []
    real_scandir = os.scandir

    def counting(path: object) -> object:
        listed.append(str(path))
        return real_scandir(path)  # type: ignore[call-overload]

    monkeypatch.setattr(pipeline.os, "scandir", counting)
    files = iter_source_files([corpus])
    first = next(files)
    # streaming: the first file comes after listing the root and one subdirectory only
    assert first == corpus / "d000" / "f000.txt" and len(listed) == 2
    started = time.perf_counter()
    assert sum(1 for _ in files) == 9_999
    assert time.perf_counter() - started < 10
    report = CorpusReport()
    started = time.perf_counter()
    assert sum(1 for _ in extract_paths([corpus], report=report)) == 5_000
    assert len(report.skipped) == 5_000 and {s.reason for s in report.skipped} == {"empty"}
    assert time.perf_counter() - started < 60


# ---------------------------------------------------------------- the CLI report and exit codes


def test_build_reports_skips_and_exits_3(tmp_path: Path) -> None:
    corpus = _bad_corpus(tmp_path / "corpus")
    store = tmp_path / "store"
    result = runner.invoke(app, ["build", str(corpus), "--store", str(store)])
    assert result.exit_code == EXIT_SKIPPED, result.output
    assert "responsibilities" in result.stdout
    assert "files skipped:   6" in result.stderr
    assert f"skipped  {corpus / 'huge.txt'}: too_large" in result.stderr
    assert "warning" in result.stderr and "no_structure" in result.stderr
    assert read_marker(store) is not None


def test_build_strict_leaves_the_previous_store_untouched(tmp_path: Path) -> None:
    good = _good_corpus(tmp_path / "good")
    store = tmp_path / "store"
    first = runner.invoke(app, ["build", str(good), "--store", str(store)])
    assert first.exit_code == EXIT_OK, first.output
    marker = read_marker(store)
    bad = _bad_corpus(tmp_path / "bad")
    result = runner.invoke(app, ["build", str(bad), "--store", str(store), "--strict"])
    assert result.exit_code == EXIT_STRICT
    assert "was not changed" in result.stderr and "empty" in result.stderr
    assert read_marker(store) == marker
    generations = [p.name for p in tmp_path.iterdir() if p.name.startswith(".store.gen-")]
    assert generations == [os.readlink(store)]  # the refused build left nothing


def test_extract_reports_on_stderr_and_honours_the_size_limit(tmp_path: Path) -> None:
    corpus = _good_corpus(tmp_path / "c")
    (corpus / "z_large.txt").write_bytes((POLICY * 100).encode("utf-8"))
    out = tmp_path / "out.jsonl"
    args = ["extract", str(corpus), "-o", str(out), "--max-file-size", "0.01"]
    result = runner.invoke(app, args)
    assert result.exit_code == EXIT_SKIPPED
    assert "z_large.txt: too_large" in result.stderr
    assert out.read_text(encoding="utf-8").count('"type": "responsibility"') == 6
    out.unlink()
    strict = runner.invoke(app, [*args, "--strict"])
    assert strict.exit_code == EXIT_STRICT and not out.exists()
    clean = runner.invoke(app, ["extract", str(corpus / "good.txt")])
    assert clean.exit_code == EXIT_OK and "files processed: 1" in clean.stderr
