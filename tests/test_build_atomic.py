"""``kill -9`` a real ``policykg build`` at several points: the previous store stays intact.

The build runs as a subprocess on a generated corpus (a few seconds of work).
``POLICYKG_TEST_PAUSE`` (see ``policykg.graph.generations``) makes it stop and
say so at a named stage — after loading, right before and right after the
swap — where the test kills it; one more kill lands at an arbitrary moment of
the extraction.  After each kill the store must answer queries exactly as
before, and the next build must remove what the killed one left.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from policykg.graph.generations import is_generation_of
from policykg.graph.store import is_store, read_marker

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # bench/ is run from the repository root, not installed

from bench.corpus_generator import generate_corpus  # noqa: E402

COUNT = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"


def _cli(*args: str, pause: str | None = None) -> subprocess.Popen[str]:
    env = dict(os.environ)
    env.pop("POLICYKG_TEST_PAUSE", None)
    if pause:
        env["POLICYKG_TEST_PAUSE"] = pause
    return subprocess.Popen(
        [sys.executable, "-m", "policykg.api.cli", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def _run(*args: str) -> str:
    proc = _cli(*args)
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err
    return out


def _count(store: Path) -> int:
    rows = json.loads(_run("query", COUNT, "--store", str(store), "--format", "json"))
    return int(rows[0]["n"])


def _kill_at(stage: str, *args: str) -> None:
    proc = _cli(*args, pause=f"{stage}=60")
    assert proc.stderr is not None
    deadline = time.monotonic() + 240
    for line in proc.stderr:
        if line.startswith(f"policykg-test-pause {stage} "):
            break
        assert time.monotonic() < deadline
    else:
        pytest.fail(f"the build ended without reaching {stage}: {proc.wait()}")
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL


def _beside(store: Path) -> set[str]:
    return {p.name for p in store.parent.iterdir() if p.name.startswith(f".{store.name}.")}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("atomic") / "corpus"
    generate_corpus(root, 60, seed=11)
    return root


def test_kill_nine_at_every_stage_leaves_the_previous_store(corpus: Path, tmp_path: Path) -> None:
    store = tmp_path / "kg"
    build = ("build", str(corpus), "--store", str(store))
    _run(*build)
    published = os.readlink(store)
    marker = read_marker(store)
    triples = _count(store)
    assert triples > 10_000

    def intact() -> None:
        assert os.readlink(store) == published and read_marker(store) == marker
        assert is_store(store) and _count(store) == triples
        # what the killed build left: its unfinished generation, and nothing older (each
        # build starts by removing what earlier killed builds left)
        leftovers = _beside(store) - {published, f".{store.name}.lock"}
        assert len(leftovers) == 1 and all(".gen-" in n for n in leftovers), leftovers

    # 1. at an arbitrary moment of the extraction: once the new generation exists
    proc = _cli(*build)
    deadline = time.monotonic() + 120
    while len([n for n in _beside(store) if ".gen-" in n]) < 2:
        assert proc.poll() is None and time.monotonic() < deadline
        time.sleep(0.05)
    time.sleep(0.5)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    intact()
    # 2. everything loaded, before linking; 3. marker written, right before the rename;
    # 4. an incremental update, killed after replacing a changed file's graph, and
    # right before its rename
    _kill_at("loaded", *build)
    intact()
    _kill_at("before-swap", *build)
    intact()
    (corpus / "gen_000059.txt").write_text("（一）新任务。（责任单位：市科技局）\n", "utf-8")
    _kill_at("loaded", *build, "--update")
    intact()
    _kill_at("before-swap", *build, "--update")
    intact()

    # 5. right after the rename: the new store is the published one, complete
    _kill_at("after-swap", *build, "--update")
    assert os.readlink(store) != published and is_store(store)
    assert _count(store) < triples  # gen_000059 lost its structure
    # the next build removes every generation no one uses, whatever stage left it
    _run(*build)
    current = os.readlink(store)
    assert is_generation_of(store, store.parent / current)
    assert _beside(store) == {current, f".{store.name}.lock"}


def test_kill_during_the_migration_from_a_store_directory(tmp_path: Path) -> None:
    # the previous layout: the store path is the database directory itself
    corpus = tmp_path / "corpus"
    generate_corpus(corpus, 8, seed=11)
    store = tmp_path / "kg"
    _run("build", str(corpus), "--store", str(store))
    real = store.parent / os.readlink(store)
    store.unlink()
    real.rename(store)
    assert store.is_dir() and not store.is_symlink() and is_store(store)
    triples = _count(store)
    _kill_at("before-swap", "build", str(corpus), "--store", str(store))
    assert store.is_dir() and not store.is_symlink() and _count(store) == triples
    _run("build", str(corpus), "--store", str(store))
    assert store.is_symlink() and _count(store) == triples
    assert _beside(store) == {os.readlink(store), f".{store.name}.lock"}
