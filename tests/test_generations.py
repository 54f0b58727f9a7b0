"""Store generations: the link, the build lock, leases, stale debris, the old layout."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from graph_samples import result_a, sample_results

from policykg.graph.generations import (
    GenerationError,
    adopt_stranded,
    builder_lock,
    current_generation,
    new_generation,
    publish,
    remove_stale,
)
from policykg.graph.store import (
    StoreError,
    build_store,
    is_store,
    open_store,
    read_marker,
    release_generation,
)


def _gens(directory: Path) -> set[str]:
    return {p.name for p in directory.iterdir() if ".gen-" in p.name}


def test_store_path_is_a_relative_link_to_a_generation(tmp_path: Path) -> None:
    store = tmp_path / "kg"
    build_store(iter(sample_results()), store)
    target = os.readlink(store)
    assert store.is_symlink() and "/" not in target and target.startswith(".kg.gen-")
    assert current_generation(store) == tmp_path / target
    moved = tmp_path / "moved"
    tmp_path.joinpath("x").mkdir()
    os.rename(tmp_path / "x", moved)
    for name in (target, "kg"):  # the link is relative: the pair moves as a whole
        os.rename(tmp_path / name, moved / name)
    assert is_store(moved / "kg")
    assert current_generation(tmp_path / "missing") is None


def test_one_build_at_a_time(tmp_path: Path) -> None:
    store = tmp_path / "kg"
    build_store(iter(sample_results()), store)
    marker = read_marker(store)
    with builder_lock(store), pytest.raises(StoreError, match="another build"):
        build_store(iter([result_a()]), store)
    assert read_marker(store) == marker
    with builder_lock(store), pytest.raises(GenerationError), builder_lock(store):
        pass


def test_a_generation_read_by_another_process_is_kept_until_it_exits(tmp_path: Path) -> None:
    store = tmp_path / "kg"
    build_store(iter(sample_results()), store)
    first = current_generation(store)
    assert first is not None
    reader = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(f"""
            import sys, time
            from policykg.graph.store import open_store
            store = open_store({str(store)!r})
            print(len(store), flush=True)
            sys.stdin.read()
            print(len(store), flush=True)
        """)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert reader.stdout is not None and reader.stdin is not None
    quads = int(reader.stdout.readline())
    build_store(iter([result_a()]), store)
    build_store(iter([result_a()]), store)
    assert first.is_dir() and is_store(first)  # leased: two builds left it alone
    reader.stdin.close()
    assert int(reader.stdout.readline()) == quads  # and the reader still reads it
    reader.wait(timeout=30)
    build_store(iter([result_a()]), store)
    assert not first.exists()
    assert _gens(tmp_path) == {os.readlink(store)}


def test_stale_debris_goes_live_work_stays(tmp_path: Path) -> None:
    store = tmp_path / "kg"
    build_store(iter(sample_results()), store)
    release_generation()
    unfinished = new_generation(store)
    unfinished.mkdir()
    (unfinished / "000001.sst").write_bytes(b"x")
    link = tmp_path / ".kg.link-20250101T000000000000Z-1"
    link.symlink_to(unfinished.name)
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)  # fmt: skip
    old_building = tmp_path / f".kg.building-{dead.stdout.strip()}-1"
    old_building.mkdir()
    alive = tmp_path / f".kg.old-{os.getpid()}-2"
    alive.mkdir()
    other_store = tmp_path / ".kg.gen-foo.gen-20250101T000000000000Z-1"  # not kg's
    other_store.mkdir()
    removed = remove_stale(store)
    assert set(removed) == {unfinished, link, old_building}
    assert alive.is_dir() and other_store.is_dir() and is_store(store)


def test_a_store_directory_of_the_previous_layout_is_migrated(tmp_path: Path) -> None:
    store = tmp_path / "kg"
    build_store(iter([result_a()]), store)
    real = store.parent / os.readlink(store)
    store.unlink()
    real.rename(store)
    assert current_generation(store) == store.absolute()
    small = len(open_store(store))
    release_generation()
    build_store(iter(sample_results()), store)
    assert store.is_symlink() and len(open_store(store)) > small
    release_generation()
    assert _gens(tmp_path) == {os.readlink(store)}  # the old directory is gone too
    empty = tmp_path / "empty"
    empty.mkdir()
    build_store(iter([result_a()]), empty)
    assert empty.is_symlink() and is_store(empty)


def test_a_store_stranded_by_the_previous_layout_is_adopted(tmp_path: Path) -> None:
    store = tmp_path / "kg"
    build_store(iter([result_a()]), store)
    real = store.parent / os.readlink(store)
    store.unlink()
    real.rename(tmp_path / ".kg.old-999999-1")  # killed between its two renames
    generation = adopt_stranded(store)
    assert generation is not None and current_generation(store) == generation
    assert is_store(store)
    assert adopt_stranded(store) is None  # a store is there now


def test_publish_refuses_a_generation_elsewhere(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    with pytest.raises(GenerationError):
        publish(tmp_path / "kg", tmp_path / "a" / ".kg.gen-20250101T000000000000Z-1")
