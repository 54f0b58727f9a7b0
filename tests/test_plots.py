"""Pictures (``graph/plots.py``) and ``policykg plot``."""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import networkx as nx
import pytest
from graph_samples import sample_results
from typer.testing import CliRunner

from policykg.api.cli import app
from policykg.graph import plots
from policykg.graph.plots import CJKFontWarning, cjk_font, plot, plot_network, plot_workload
from policykg.graph.store import build_store, open_store

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("plots") / "store"
    build_store(iter(sample_results()), path)
    return path


def glyph_fonts(svg: str) -> set[str]:
    """Fonts whose glyphs a matplotlib SVG draws (glyph paths are ``<psname>-<glyph>``)."""
    return {m.rsplit("-", 1)[0] for m in re.findall(r'<path id="([^"]+-[0-9a-f]+)"', svg)}


@pytest.mark.parametrize("name", ["workload", "network", "targets"])
def test_each_plot_writes_png_and_svg(store_path: Path, tmp_path: Path, name: str) -> None:
    store = open_store(store_path)
    png = plot(store, name, tmp_path / f"{name}.png")
    svg = plot(store, name, tmp_path / f"{name}.svg")
    assert png.read_bytes().startswith(PNG_MAGIC)
    assert png.stat().st_size > 5000
    text = svg.read_text(encoding="utf-8")
    assert "<svg" in text
    if cjk_font() is not None:  # Chinese labels are drawn with glyphs of the CJK font
        assert any(not font.startswith("DejaVu") for font in glyph_fonts(text))


def test_workload_chart_ranks_and_stacks(tmp_path: Path) -> None:
    records = [
        {"department": "乙局", "tasks": 2, "tasks_led": 0, "tasks_support": 2, "load": 0.5},
        {"department": "甲局", "tasks": 4, "tasks_led": 3, "tasks_support": 0, "load": 3.0},
    ]
    svg = plot_workload(records, tmp_path / "w.svg").read_text(encoding="utf-8")
    # ranked by load: the highest load is labelled first
    first, second = svg.find("load 3.0"), svg.find("load 0.5")
    assert -1 < first < second
    assert plot_workload(records, tmp_path / "top1.svg", top=1).read_text().count("<!-- load ") == 1


def test_network_with_and_without_communities(tmp_path: Path) -> None:
    P = nx.Graph()
    P.add_edge("a", "b", weight=3)
    P.add_edge("b", "c", weight=1)
    P.add_edge("x", "y", weight=2)
    P.add_node("z")
    for n in P:
        P.nodes[n]["label"] = f"部门{n}"
    out = plot_network(P, tmp_path / "n.png")  # no community attribute: Louvain computes it
    assert out.read_bytes().startswith(PNG_MAGIC)
    nx.set_node_attributes(P, {n: i for i, n in enumerate(P)}, "community")
    assert plot_network(P, tmp_path / "n2.svg").stat().st_size > 1000


def test_empty_inputs_still_draw(tmp_path: Path) -> None:
    assert plot_workload([], tmp_path / "e.png").read_bytes().startswith(PNG_MAGIC)
    assert plot_network(nx.Graph(), tmp_path / "e.svg").stat().st_size > 0
    assert plots.plot_targets([], tmp_path / "t.png").stat().st_size > 0


def test_missing_cjk_font_warns_and_renders(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(plots, "cjk_font", lambda: None)
    records = [{"department": "科技局", "tasks": 1, "tasks_led": 1, "tasks_support": 0, "load": 1}]
    with pytest.warns(CJKFontWarning, match="fonts-noto-cjk"):
        out = plot_workload(records, tmp_path / "nofont.png")
    assert out.read_bytes().startswith(PNG_MAGIC)


def test_present_cjk_font_gives_no_warning(tmp_path: Path) -> None:
    if cjk_font() is None:
        pytest.skip("no CJK font installed (apt-get install fonts-noto-cjk)")
    records = [{"department": "科技局", "tasks": 1, "tasks_led": 1, "tasks_support": 0, "load": 1}]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        plot_workload(records, tmp_path / "font.png")


def test_unsupported_suffix_fails_before_work(store_path: Path, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unsupported picture type"):
        plot(open_store(store_path), "workload", tmp_path / "w.jpg")
    with pytest.raises(ValueError, match="unknown plot"):
        plot(open_store(store_path), "pie", tmp_path / "w.png")


def test_cli_plot(store_path: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "workload.svg"
    result = runner.invoke(app, ["plot", "workload", "--store", str(store_path), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "<svg" in out.read_text(encoding="utf-8")
    bad = runner.invoke(app, ["plot", "network", "--store", str(store_path), "-o", "x.gif"])
    assert bad.exit_code == 2
    missing = runner.invoke(app, ["plot", "targets", "--store", str(tmp_path), "-o", "t.png"])
    assert missing.exit_code == 2
