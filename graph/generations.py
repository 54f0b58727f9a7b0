"""Store generations: complete stores published atomically behind a symlink.

A store path (``var/store``) is a relative symlink to a *generation*, a complete
store directory beside it::

    var/store -> .store.gen-20251204T201500123456Z-4242    the published generation
    var/.store.gen-20251204T201500123456Z-4242/            RocksDB files + marker
    var/.store.gen-20251204T203000654321Z-4343/            a build in progress (no marker)
    var/.store.lock                                        flock()ed by the running build

Publishing is a single ``rename(2)``: a symlink to the new generation is made
under a temporary name and ``os.replace``\\ d over the store path, so at every
instant the path names a complete store — the old one or the new one.  A
build killed at any point leaves the published generation untouched; what it
leaves behind (an unfinished generation, a temporary link) is removed by the
next build (:func:`remove_stale`).

Readers (:func:`lease`) hold a shared ``flock`` on the marker of the generation
they opened, for the life of the process or until :func:`release`; a build only
removes a generation it can lock exclusively, which is not the published one,
and whose RocksDB ``LOCK`` no read-write process holds.  A server detects a new
generation cheaply with :func:`current_generation` (one ``readlink``) or by
comparing ``os.stat(store_path).st_ino``.

Store directories of the previous layout (a real directory) are migrated by
the first build: the new generation's link is swapped with the directory by
``renameat2(RENAME_EXCHANGE)`` (atomic; on systems without it, two renames with
a short gap), and the old directory becomes a stale generation.

Test hook: ``POLICYKG_TEST_PAUSE="stage=seconds[,stage=seconds]"`` makes a build
print ``policykg-test-pause <stage> <pid>`` on stderr and sleep at that stage
(``loaded``, ``before-swap``, ``after-swap``), so a test can kill it there.
"""

from __future__ import annotations

import contextlib
import ctypes
import datetime as dt
import errno
import fcntl
import os
import re
import shutil
import sys
import time
from collections.abc import Iterator
from pathlib import Path

__all__ = [
    "GENERATION_MARKER",
    "GenerationError",
    "adopt_stranded",
    "builder_lock",
    "current_generation",
    "is_generation_of",
    "lease",
    "leased",
    "new_generation",
    "pause_for_tests",
    "publish",
    "release",
    "remove_stale",
]

#: the file whose presence completes a generation (written last) and that readers lock
GENERATION_MARKER = "policykg-store.json"
_STAMP = r"\d{8}T\d{12}Z-\d+"
_RENAME_EXCHANGE = 2
_AT_FDCWD = -100

#: generation directory -> descriptor holding its shared lock (one per process)
_LEASES: dict[Path, int] = {}


class GenerationError(RuntimeError):
    """The store path or its generations cannot be used as asked."""


def _stamp() -> str:
    now = dt.datetime.now(dt.UTC)
    return now.strftime("%Y%m%dT%H%M%S") + f"{now.microsecond:06d}Z-{os.getpid()}"


def _patterns(name: str) -> dict[str, re.Pattern[str]]:
    n = re.escape(name)
    return {
        "gen": re.compile(rf"\.{n}\.gen-(?:legacy-)?{_STAMP}"),
        "link": re.compile(rf"\.{n}\.link-{_STAMP}"),
        # the previous layout's leftovers: .name.building-<pid>-<ns>, .name.old-<pid>-<ns>
        "legacy": re.compile(rf"\.{n}\.(?:building|old)-(\d+)-\d+"),
    }


def is_generation_of(store_path: Path, candidate: Path) -> bool:
    """True if ``candidate`` is named like a generation of ``store_path``."""
    return (
        candidate.parent == store_path.parent
        and _patterns(store_path.name)["gen"].fullmatch(candidate.name) is not None
    )


def new_generation(store_path: Path, legacy: bool = False) -> Path:
    """A fresh generation path beside ``store_path`` (not created)."""
    kind = "gen-legacy" if legacy else "gen"
    return store_path.with_name(f".{store_path.name}.{kind}-{_stamp()}")


def current_generation(store_path: Path | str) -> Path | None:
    """The directory a store path stands for: its link's target, or itself (old layout).

    ``None`` when the path does not exist or its link dangles.  Comparing the
    result over time tells a server that a build published a new generation.
    """
    p = Path(store_path).absolute()
    if p.is_symlink():
        target = p.parent / os.readlink(p)
        return target if target.is_dir() else None
    return p if p.is_dir() else None


# ----------------------------------------------------------------------- locks


def _flock(fd: int, flags: int) -> bool:
    try:
        fcntl.flock(fd, flags)
    except BlockingIOError:
        return False
    return True


@contextlib.contextmanager
def builder_lock(store_path: Path) -> Iterator[None]:
    """Hold the store's build lock (``.name.lock``): one build or load at a time."""
    lock = store_path.with_name(f".{store_path.name}.lock")
    store_path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        if not _flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB):
            holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip() or "?"
            raise GenerationError(f"another build of {store_path} is running (pid {holder})")
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode("ascii"), 0)
        yield
    finally:
        os.close(fd)  # releases the lock, also when the process is killed


def lease(generation: Path) -> None:
    """Take a shared lock on ``generation`` so no build removes it while it is read.

    Held until :func:`release` or the end of the process; taking it twice is a
    no-op.  Raises ``FileNotFoundError`` when the generation has just been
    removed (the caller resolves the store path again).
    """
    generation = generation.absolute()
    if generation in _LEASES:
        return
    marker = generation / GENERATION_MARKER
    fd = os.open(marker, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_SH)  # waits only while a build is removing it
        # removed meanwhile (the remover unlinks the marker first): not this one
        if os.stat(marker).st_ino != os.fstat(fd).st_ino:
            raise FileNotFoundError(errno.ENOENT, "generation removed", str(generation))
    except BaseException:
        os.close(fd)
        raise
    _LEASES[generation] = fd


def leased() -> set[Path]:
    """The generations this process holds a lease on."""
    return set(_LEASES)


def release(generation: Path | None = None) -> None:
    """Release the lease on ``generation`` (all leases when ``None``)."""
    targets = list(_LEASES) if generation is None else [generation.absolute()]
    for g in targets:
        fd = _LEASES.pop(g, None)
        if fd is not None:
            os.close(fd)


def _writer_holds(directory: Path) -> bool:
    # RocksDB opened read-write holds a POSIX record lock on its LOCK file.
    try:
        fd = os.open(directory / "LOCK", os.O_RDWR)
    except OSError:
        return False
    try:
        fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return True
    finally:
        os.close(fd)  # also drops the probe's own lock
    return False


def _remove_generation(directory: Path) -> bool:
    """Remove a generation nobody reads or writes; False (kept) when in use."""
    if directory.absolute() in _LEASES:
        return False
    marker = directory / GENERATION_MARKER
    try:
        fd = os.open(marker, os.O_RDONLY)
    except FileNotFoundError:
        fd = -1  # unfinished: no reader ever opened it
    try:
        if fd >= 0 and not _flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB):
            return False
        if _writer_holds(directory):
            return False
        if fd >= 0:
            marker.unlink()  # late readers now fail their check and look again
        shutil.rmtree(directory, ignore_errors=True)
        return True
    finally:
        if fd >= 0:
            os.close(fd)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def adopt_stranded(store_path: Path) -> Path | None:
    """Publish the store a build of the previous layout stranded, if there is one.

    That layout replaced a store with two renames; a build killed between them
    left no store at the path and the old one in ``.name.old-<pid>-<ns>``.
    Returns the adopted generation.
    """
    if store_path.is_symlink() or store_path.exists() or not store_path.parent.is_dir():
        return None
    legacy = _patterns(store_path.name)["legacy"]
    stranded = sorted(
        (e for e in store_path.parent.iterdir()
         if legacy.fullmatch(e.name) and ".old-" in e.name
         and (e / GENERATION_MARKER).is_file() and (e / "CURRENT").is_file()),
        key=lambda e: e.stat().st_mtime,
    )  # fmt: skip
    if not stranded:
        return None
    generation = new_generation(store_path, legacy=True)
    os.rename(stranded[-1], generation)
    publish(store_path, generation)
    return generation


def remove_stale(store_path: Path, keep: tuple[Path, ...] = ()) -> list[Path]:
    """Remove what killed builds left beside ``store_path``; return what was removed.

    Generations other than the published one and ``keep`` go when nobody uses
    them; temporary links always; the previous layout's ``.building-*`` and
    ``.old-*`` directories when their process is gone.  Call it holding
    :func:`builder_lock`, so no running build's work is taken for debris.
    """
    parent = store_path.parent
    if not parent.is_dir():
        return []
    patterns = _patterns(store_path.name)
    current = current_generation(store_path)
    spared = {p.absolute() for p in keep}
    if current is not None:
        spared.add(current.absolute())
    removed: list[Path] = []
    for entry in sorted(parent.iterdir()):
        name = entry.name
        if entry.absolute() in spared:
            continue
        if patterns["link"].fullmatch(name):
            if entry.is_symlink() or not entry.is_dir():
                entry.unlink(missing_ok=True)
                removed.append(entry)
            elif _remove_generation(entry):  # an old directory a killed migration left here
                removed.append(entry)
        elif patterns["gen"].fullmatch(name) and entry.is_dir() and not entry.is_symlink():
            if _remove_generation(entry):
                removed.append(entry)
        elif (
            (m := patterns["legacy"].fullmatch(name))
            and entry.is_dir()
            and not _pid_alive(int(m.group(1)))
            and _remove_generation(entry)
        ):
            removed.append(entry)
    return removed


# --------------------------------------------------------------------- publish


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths atomically (Linux ``renameat2``); False where unsupported."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    rc = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    if rc == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP, errno.ENOTSUP):
        return False
    raise OSError(err, os.strerror(err), str(b))


def publish(store_path: Path, generation: Path) -> Path | None:
    """Point ``store_path`` at ``generation`` in one atomic step.

    Returns the directory of the previous layout that was moved aside (now a
    stale generation), if ``store_path`` was one.
    """
    if generation.parent != store_path.parent:
        raise GenerationError(f"{generation} is not beside {store_path}")
    link = store_path.with_name(f".{store_path.name}.link-{_stamp()}")
    os.symlink(generation.name, link)  # relative: the tree may be moved as a whole
    moved: Path | None = None
    try:
        if store_path.is_symlink() or not store_path.exists():
            os.replace(link, store_path)
        else:  # the previous layout: a real directory
            moved = new_generation(store_path, legacy=True)
            if _exchange(link, store_path):
                os.rename(link, moved)  # ``link`` is now the old directory
            else:
                os.rename(store_path, moved)  # the only gap, where renameat2 is missing
                os.replace(link, store_path)
    finally:
        if link.is_symlink():
            link.unlink()
    _fsync_dir(store_path.parent)
    return moved


def pause_for_tests(stage: str) -> None:
    """Sleep at ``stage`` when ``POLICYKG_TEST_PAUSE`` asks for it (tests kill builds there)."""
    spec = os.environ.get("POLICYKG_TEST_PAUSE")
    if not spec:
        return
    for item in spec.split(","):
        name, _, seconds = item.partition("=")
        if name.strip() == stage:
            sys.stderr.write(f"policykg-test-pause {stage} {os.getpid()}\n")
            sys.stderr.flush()
            time.sleep(float(seconds or 0))
