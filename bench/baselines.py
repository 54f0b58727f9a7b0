"""The suite installs its own baselines: rdflib-endpoint from PyPI, ``wrk`` from Debian.

Each ``ensure_*`` returns ``None`` when the tool is ready, or a clear message
saying why it is not (the benchmark then reports that baseline as n/a).
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys

__all__ = ["ensure_rdflib_endpoint", "ensure_wrk"]


def _run(cmd: list[str]) -> tuple[bool, str]:
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, check=False, timeout=900)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return False, str(exc)
    return proc.returncode == 0, (proc.stderr or proc.stdout)[-800:]


def ensure_rdflib_endpoint(install: bool = True) -> str | None:
    """Make ``rdflib_endpoint`` importable (``pip install rdflib-endpoint`` into this venv)."""
    if importlib.util.find_spec("rdflib_endpoint") is not None:
        return None
    if not install:
        return "rdflib-endpoint is not installed (and --no-install was given)"
    ok, out = _run([sys.executable, "-m", "pip", "install", "--quiet", "rdflib-endpoint"])
    importlib.invalidate_caches()
    if ok and importlib.util.find_spec("rdflib_endpoint") is not None:
        return None
    return f"could not pip-install rdflib-endpoint: {out.strip()}"


def ensure_wrk(install: bool = True) -> str | None:
    """Make ``wrk`` available (``apt-get install wrk`` when running as root on Debian)."""
    if shutil.which("wrk"):
        return None
    if not install:
        return "wrk is not installed (and --no-install was given); req/s not measured"
    if shutil.which("apt-get") is None or os.geteuid() != 0:
        return "wrk is missing and cannot be installed here (needs root and apt-get); " \
               "install it with `apt-get install wrk` to measure req/s"
    env_ok, out = _run(["apt-get", "install", "-y", "-q", "wrk"])
    if not env_ok:
        _run(["apt-get", "update", "-q"])
        env_ok, out = _run(["apt-get", "install", "-y", "-q", "wrk"])
    if env_ok and shutil.which("wrk"):
        return None
    return f"could not apt-get install wrk: {out.strip()}"
