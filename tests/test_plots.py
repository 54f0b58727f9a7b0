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


@pytest.mark.parametrize("font", ["machine's", "no CJK font"])
def test_network_labels_never_overlap(font: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    if font == "no CJK font":
        # glyphs then fall back to DejaVu's boxes, narrower than an em
        monkeypatch.setattr(plots, "cjk_font", lambda: None)

    fig = Figure(figsize=(6, 5))
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    # twelve departments crowded into one spot, with long Chinese names
    pos = {i: (0.5 + 0.002 * i, 0.5 - 0.001 * i) for i in range(12)}
    ax.scatter([p[0] for p in pos.values()], [p[1] for p in pos.values()])
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the missing-font warning and glyph fallbacks
        with plots._style():
            names = [(i, f"示例市第{i}人民政府办公室") for i in pos]
            drawn = plots._place_labels(ax, fig, pos, names, {i: 4.0 for i in pos})
            fig.canvas.draw()
            renderer = fig.canvas.get_renderer()
            # the label's box (an annotation's own extent also spans its leader line)
            boxes = [t.get_bbox_patch().get_window_extent(renderer) for t in ax.texts]
    assert drawn == len(boxes) >= 8
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            assert not a.overlaps(b), (a, b)


def test_network_draws_singletons_apart(tmp_path: Path) -> None:
    P = nx.Graph()
    P.add_edge("a", "b", weight=2)
    P.add_nodes_from(["s1", "s2"])
    pos = plots._component_layout(P.subgraph(["a", "b"]), seed=1)
    assert set(pos) == {"a", "b"}
    assert plot_network(P, tmp_path / "s.png").read_bytes().startswith(PNG_MAGIC)
    only = nx.Graph()
    only.add_nodes_from(["s1", "s2"])  # no shared task at all
    assert plot_network(only, tmp_path / "only.png").read_bytes().startswith(PNG_MAGIC)
    D = nx.DiGraph()
    D.add_edge("lead", "support", weight=1)
    assert plot_network(D, tmp_path / "d.svg").stat().st_size > 1000


def test_target_panels_keep_kinds_and_units_apart() -> None:
    base = {"indicator": "发明专利", "year": 2025, "value_max": None, "comparator": ">="}
    records = [
        {
            **base,
            "area": "甲市",
            "value": 6,
            "unit": "万件",
            "normalized_value": 6e4,
            "base_unit": "件",
            "target_kind": "level",
        },
        {
            **base,
            "area": "乙市",
            "value": 500,
            "unit": "件",
            "normalized_value": 500,
            "base_unit": "件",
            "target_kind": "level",
        },
        {
            **base,
            "area": "甲市",
            "value": 20,
            "unit": "件",
            "normalized_value": 20,
            "base_unit": "件",
            "target_kind": "increase",
            "comparator": "increase",
        },
        {
            **base,
            "area": "乙市",
            "value": 10,
            "unit": "%",
            "normalized_value": 10,
            "base_unit": "%",
            "target_kind": "growth_rate",
            "comparator": "pct_increase",
        },
    ]
    panels = dict(plots._target_panels(records, top=9))
    assert set(panels) == {
        ("发明专利", "level", "件"),
        ("发明专利", "increase", "件"),
        ("发明专利", "growth_rate", "%"),
    }
    level = panels[("发明专利", "level", "件")]
    assert sorted(plots._target_value(r) for r in level) == [500.0, 60000.0]
    twice = [
        dict(records[1]),
        dict(records[1]),
        {**records[1], "year": 2020, "year_inferred": True},
    ]
    labels = plots._target_labels(twice)
    assert labels == ["乙市 2025 ≥500件", "乙市 2025 ≥500件 (2)", "乙市 2020* ≥500件"]
    assert plots._number(7.5e8) == "750,000,000" and plots._number(2.5) == "2.5"
