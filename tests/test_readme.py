"""The README's commands and example outputs are true of the code and the sample corpus."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from typer.main import get_command

from policykg.api.cli import app
from policykg.graph.queries import EXAMPLE_QUERIES
from policykg.graph.store import build_store, open_store, select_rows

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _between(marker: str) -> str:
    m = re.search(rf"<!-- {marker} -->\n(.*?)<!-- /{marker} -->", README, re.S)
    assert m, f"README has no <!-- {marker} --> block"
    return m.group(1)


def test_the_two_commands_come_first() -> None:
    first_block = re.search(r"```sh\n(.*?)```", README, re.S)
    assert first_block is not None
    lines = [ln.split("#")[0].strip() for ln in first_block.group(1).splitlines()]
    assert [ln for ln in lines if ln] == ["make run", "make test"]


def test_every_policykg_command_in_the_readme_exists() -> None:
    root = get_command(app)
    commands = set(root.commands)  # type: ignore[attr-defined]
    export = set(root.commands["export"].commands)  # type: ignore[attr-defined]
    # commands as typed: after a shell prompt or opening inline code
    used = re.findall(r"(?:\$ |`)policykg ([a-z]+)(?: ([a-z]+))?", README)
    assert used
    for command, sub in used:
        assert command in commands, command
        if command == "export" and sub:
            assert sub in export, sub
    for needed in ("extract", "eval", "build", "query", "serve", "workload", "analyze",
                   "export", "plot", "dump", "load"):  # fmt: skip
        assert f"policykg {needed}" in README, needed


def test_every_serve_flag_in_the_readme_exists() -> None:
    serve = get_command(app).commands["serve"]  # type: ignore[attr-defined]
    options = {o for p in serve.params for o in getattr(p, "opts", [])}
    section = README.split("### `policykg serve", 1)[1].split("\n### ", 1)[0]
    for flag in re.findall(r"`(--[a-z-]+)", section):
        assert flag in options, flag


def test_readme_workload_query_is_the_library_query() -> None:
    block = _between("workload-query")
    query = block.split("query=\n", 1)[1].rsplit("'\n", 1)[0]
    assert query.strip() == EXAMPLE_QUERIES["workload"].strip()


@pytest.fixture(scope="module")
def sample_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from policykg.extract.pipeline import extract_paths

    path = tmp_path_factory.mktemp("readme") / "store"
    build_store(extract_paths([ROOT / "data" / "corpus"]), path)
    return path


def test_readme_workload_output_is_what_the_query_returns(sample_store: Path) -> None:
    after = README.split("<!-- /workload-query -->", 1)[1]
    shown = re.search(r"```text\n(.*?)```", after, re.S)
    assert shown is not None
    rows = [r for r in csv.reader(io.StringIO(shown.group(1))) if r and r[0] != "..."]
    header, data = rows[0], rows[1:]
    got_header, got = select_rows(open_store(sample_store), EXAMPLE_QUERIES["workload"])
    assert header == got_header
    assert data == [[str(v) for v in row] for row in got[: len(data)]]


def test_readme_build_counts_are_the_sample_corpus_counts(sample_store: Path) -> None:
    section = README.split("$ policykg build data/corpus --store var/store", 1)[1]
    shown = dict(re.findall(r"^\s+([a-z_]+)\s+(\d+)$", section.split("```", 1)[0], re.M))
    from policykg.graph.store import read_marker

    marker = read_marker(sample_store)
    assert marker is not None
    counts = {k: str(v) for k, v in marker["counts"].items()}
    assert shown and {k: counts.get(k) for k in shown} == shown
