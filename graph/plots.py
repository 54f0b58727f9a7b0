"""Pictures of the analyses: workload bars, the co-responsibility network, target comparison.

Figures are drawn on plain :class:`matplotlib.figure.Figure` objects (Agg
canvas, no pyplot state), so plotting works headless and from threads; the
file type follows the suffix (``.png``, ``.svg``, ``.pdf``).

Chinese labels need a CJK font.  :func:`cjk_font` looks for one among the
installed fonts (Noto Sans CJK from Debian ``fonts-noto-cjk`` first, then
WenQuanYi, Source Han, and the usual macOS/Windows families); text falls back
glyph by glyph from DejaVu Sans to it.  Without one, a :class:`CJKFontWarning`
is issued once and the picture is still written (Chinese glyphs then show as
boxes).  SVG output stores glyphs as paths, so the file looks the same on
machines without the font.
"""

from __future__ import annotations

import math
import shutil
import subprocess
import warnings
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any

import networkx as nx
from matplotlib import font_manager, rc_context
from matplotlib.figure import Figure
from pyoxigraph import Store

__all__ = [
    "CJK_FAMILIES",
    "PLOTS",
    "CJKFontWarning",
    "cjk_font",
    "plot",
    "plot_network",
    "plot_targets",
    "plot_workload",
]

#: preferred CJK font families, best first
CJK_FAMILIES = (
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "Source Han Sans SC",
    "Source Han Sans CN",
    "WenQuanYi Micro Hei",
    "WenQuanYi Zen Hei",
    "Noto Sans CJK JP",
    "Noto Sans CJK TC",
    "Droid Sans Fallback",
    "AR PL UMing CN",
    "PingFang SC",
    "Heiti SC",
    "Microsoft YaHei",
    "SimHei",
)
#: the pictures :func:`plot` draws
PLOTS = ("workload", "network", "targets")

_ROLE_COLORS = {"lead": "#b42318", "support": "#f79009", "other": "#98a2b3"}
_SUFFIXES = {".png", ".svg", ".pdf"}


class CJKFontWarning(UserWarning):
    """No CJK font was found; Chinese labels will not render."""


@lru_cache(maxsize=1)
def cjk_font() -> str | None:
    """The family name of an installed font with Chinese glyphs, or None.

    Returns
    -------
    str or None
        The first of :data:`CJK_FAMILIES` that matplotlib's font manager
        knows, else any installed family whose name says CJK/SC/Hei, else None.

    Notes
    -----
    The font list is matplotlib's cache, built once per installation: a font
    installed after it (``apt-get install fonts-noto-cjk`` after the first
    plot) is missing there, so fontconfig is asked for a Chinese font file,
    which is then registered with matplotlib.  The answer is cached for the
    process.
    """
    found = _known_cjk_family()
    if found is None and _register_fontconfig_cjk():
        found = _known_cjk_family()
    return found


def _known_cjk_family() -> str | None:
    installed = {f.name for f in font_manager.fontManager.ttflist}
    for family in CJK_FAMILIES:
        if family in installed:
            return family
    for family in sorted(installed):
        if any(key in family for key in ("CJK", " SC", "Hei", "Han Sans", "Ming")):
            return family
    return None


def _register_fontconfig_cjk() -> bool:
    """Add the font files fontconfig knows for Chinese to matplotlib's manager."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return False
    try:
        listing = subprocess.run(
            [fc_list, ":lang=zh-cn", "file"], capture_output=True, text=True, timeout=10
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return False
    added = False
    for line in sorted(listing.splitlines()):
        path = line.strip().rstrip(":")
        if path.lower().endswith((".ttf", ".otf", ".ttc")):
            try:
                font_manager.fontManager.addfont(path)
                added = True
            except (OSError, RuntimeError, ValueError):
                continue  # an unreadable or unsupported file: try the next one
    return added


@contextmanager
def _style() -> Iterator[None]:
    """Fonts and sizes for one figure; warns (once) when no CJK font exists."""
    family = cjk_font()
    families = ["DejaVu Sans"] if family is None else ["DejaVu Sans", family]
    with (
        rc_context(
            {
                "font.family": families,
                "font.size": 9,
                "axes.titlesize": 11,
                "axes.spines.top": False,
                "axes.spines.right": False,
                "svg.fonttype": "path",
            }
        ),
        warnings.catch_warnings(),
    ):
        if family is None:
            warnings.warn(
                "no CJK font found (install fonts-noto-cjk or fonts-wqy-microhei); "
                "Chinese labels will show as boxes",
                CJKFontWarning,
                stacklevel=4,
            )
            # one warning from us instead of one per missing glyph from matplotlib
            warnings.filterwarnings("ignore", message="Glyph .* missing from")
        yield


def _check_suffix(path: Path | str) -> Path:
    out = Path(path)
    if out.suffix.lower() not in _SUFFIXES:
        raise ValueError(f"unsupported picture type {out.suffix!r} (use .png, .svg or .pdf)")
    return out


def _save(fig: Figure, path: Path | str) -> Path:
    out = _check_suffix(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=150, bbox_inches="tight")
    return out


def _empty(fig: Figure, message: str) -> None:
    ax = fig.add_subplot()
    ax.axis("off")
    ax.text(0.5, 0.5, message, ha="center", va="center", fontsize=12)


def plot_workload(records: Sequence[dict[str, Any]], path: Path | str, top: int = 25) -> Path:
    """Ranked bar chart of department load, lead and support stacked.

    Parameters
    ----------
    records : sequence of dict
        From :func:`policykg.graph.analytics.department_workload` (needs
        ``department``, ``tasks``, ``tasks_led``, ``tasks_support``, ``load``).
    path : path-like
        Output file (``.png``, ``.svg`` or ``.pdf``).
    top : int, default 25
        Departments shown, ranked by share-weighted ``load`` (ties by tasks).

    Returns
    -------
    pathlib.Path
        The file written.

    Notes
    -----
    Each bar is a department's tasks split into led, support and other
    (responsible without a lead/support distinction); the load is written at
    the bar's end.
    """
    ranked = sorted(records, key=lambda r: (-float(r["load"]), -int(r["tasks"])))[:top]
    with _style():
        fig = Figure(figsize=(9, 1.2 + 0.32 * max(len(ranked), 3)))
        if not ranked:
            _empty(fig, "no responsibilities · 无责任数据")
            return _save(fig, path)
        ax = fig.add_subplot()
        labels = [str(r["department"]) for r in ranked]
        led = [int(r["tasks_led"]) for r in ranked]
        support = [int(r.get("tasks_support") or 0) for r in ranked]
        other = [
            max(int(r["tasks"]) - a - b, 0) for r, a, b in zip(ranked, led, support, strict=True)
        ]
        y = range(len(ranked))
        ax.barh(y, led, color=_ROLE_COLORS["lead"], label="牵头 lead")
        ax.barh(y, support, left=led, color=_ROLE_COLORS["support"], label="配合 support")
        ax.barh(
            y,
            other,
            left=[a + b for a, b in zip(led, support, strict=True)],
            color=_ROLE_COLORS["other"],
            label="负责 responsible",
        )
        for i, r in enumerate(ranked):
            ax.text(
                int(r["tasks"]) + 0.3, i, f"load {float(r['load']):.1f}", va="center", fontsize=7
            )
        ax.set_yticks(list(y), labels)
        ax.invert_yaxis()
        ax.set_xlabel("tasks · 任务数")
        ax.set_title("部门工作量 Department workload (ranked by share-weighted load)")
        ax.legend(loc="lower right", frameon=False)
        return _save(fig, path)


def _component_layout(P: nx.Graph, seed: int) -> dict[Any, tuple[float, float]]:
    """Spring layout per connected component, components packed on a grid.

    One spring layout of a disconnected graph pushes the components to the
    edges and crushes each into a blob; laying them out one by one keeps
    every community readable.  Components of up to three departments share
    the last row.
    """
    parts = sorted(nx.connected_components(P), key=lambda c: (-len(c), min(map(str, c))))
    big = [c for c in parts if len(c) > 3]
    small = [c for c in parts if len(c) <= 3]
    cols = max(1, math.ceil(math.sqrt(len(big))))
    largest = max((len(c) for c in parts), default=1)
    pos: dict[Any, tuple[float, float]] = {}
    for i, nodes in enumerate(big):
        sub = P.subgraph(nodes)
        layout = nx.spring_layout(
            sub, weight="weight", seed=seed, k=2.0 / math.sqrt(len(nodes)), iterations=100
        )
        radius = 0.42 * math.sqrt(len(nodes) / largest) + 0.05
        cx, cy = i % cols, -(i // cols)
        for n, (x, y) in layout.items():
            pos[n] = (cx + radius * float(x), cy + radius * float(y))
    row = -(math.ceil(len(big) / cols)) if big else 0
    per_row = max(cols * 4, 4)
    flat = [n for c in small for n in sorted(c, key=str)]
    for j, n in enumerate(flat):
        pos[n] = ((j % per_row) * cols / per_row, row - 0.5 * (j // per_row) + 0.2)
    return pos


def plot_network(P: nx.Graph, path: Path | str, seed: int = 1, labels: int = 30) -> Path:
    """The co-responsibility network, nodes coloured by community.

    Parameters
    ----------
    P : networkx.Graph
        Departments linked by shared tasks (``weight``), e.g. from
        :func:`policykg.graph.analytics.annotated_network` with
        ``"co-responsibility"``; a ``community`` node attribute colours the
        nodes (computed with Louvain, ``seed``, when missing).
    path : path-like
        Output file.
    seed : int, default 1
        Seed of the layout (and of Louvain when needed): same graph, same picture.
    labels : int, default 30
        Label only the ``labels`` strongest departments, so large networks stay readable.

    Returns
    -------
    pathlib.Path
        The file written.
    """
    with _style():
        fig = Figure(figsize=(13, 10))
        if P.number_of_nodes() == 0:
            _empty(fig, "no co-responsibility network · 无协同网络")
            return _save(fig, path)
        community = nx.get_node_attributes(P, "community")
        if len(community) < P.number_of_nodes():
            parts = nx.community.louvain_communities(P, weight="weight", seed=seed)
            community = {n: i for i, part in enumerate(parts) for n in part}
        strength = dict(P.degree(weight="weight"))
        pos = _component_layout(P, seed)
        ax = fig.add_subplot()
        ax.axis("off")
        max_w = max((w for _, _, w in P.edges(data="weight", default=1.0)), default=1.0)
        for u, v, w in P.edges(data="weight", default=1.0):
            (x0, y0), (x1, y1) = pos[u], pos[v]
            ax.plot(
                [x0, x1],
                [y0, y1],
                color="#98a2b3",
                alpha=0.25 + 0.5 * w / max_w,
                linewidth=0.4 + 2.5 * w / max_w,
                zorder=1,
            )
        nodes = list(P)
        sizes = [30 + 25 * math.sqrt(strength[n]) for n in nodes]
        colours = [community[n] % 20 for n in nodes]
        ax.scatter(
            [pos[n][0] for n in nodes],
            [pos[n][1] for n in nodes],
            s=sizes,
            c=colours,
            cmap="tab20",
            vmin=0,
            vmax=19,
            edgecolors="white",
            linewidths=0.6,
            zorder=2,
        )
        for n in sorted(nodes, key=lambda n: -strength[n])[:labels]:
            ax.annotate(
                str(P.nodes[n].get("label", n)),
                pos[n],
                fontsize=7,
                ha="center",
                xytext=(0, 6),
                textcoords="offset points",
                zorder=3,
            )
        count = len(set(community.values()))
        ax.set_title(
            f"部门协同网络 Co-responsibility network: {P.number_of_nodes()} departments, "
            f"{count} communities (colour), size = shared tasks"
        )
        return _save(fig, path)


def _target_panels(
    records: Sequence[dict[str, Any]], top: int
) -> list[tuple[str, list[dict[str, Any]]]]:
    by_indicator: dict[str, list[dict[str, Any]]] = {}
    for r in records:
        if r.get("value") is not None:
            by_indicator.setdefault(str(r["indicator"]), []).append(dict(r))
    # indicators compared across the most areas first
    ranked = sorted(
        by_indicator.items(),
        key=lambda item: (-len({r.get("area") for r in item[1]}), -len(item[1]), item[0]),
    )
    return ranked[:top]


def plot_targets(records: Sequence[dict[str, Any]], path: Path | str, top: int = 9) -> Path:
    """Target comparison: one panel per indicator, one bar per area and year.

    Parameters
    ----------
    records : sequence of dict
        From :func:`policykg.graph.analytics.target_table` (``indicator``,
        ``area``, ``year``, ``value``, ``value_max``, ``unit``,
        ``normalized_value``).
    path : path-like
        Output file.
    top : int, default 9
        Panels drawn: the indicators targeted by the most areas, then by most targets.

    Returns
    -------
    pathlib.Path
        The file written.

    Notes
    -----
    Within a panel the bars use the written value when all targets share one
    unit, else ``normalized_value`` (base units), so bars are comparable.  A
    range (``value``–``value_max``) is drawn as the bar to ``value`` plus a
    lighter segment up to ``value_max``.
    """
    panels = _target_panels(records, top)
    with _style():
        cols = 3 if len(panels) > 4 else max(1, min(len(panels), 2))
        rows = max(1, math.ceil(len(panels) / cols))
        fig = Figure(figsize=(5.2 * cols, 0.6 + 2.6 * rows))
        if not panels:
            _empty(fig, "no targets · 无目标数据")
            return _save(fig, path)
        axes = fig.subplots(rows, cols, squeeze=False)
        for ax, (indicator, items) in zip(axes.flat, panels, strict=False):
            units = Counter(r.get("unit") for r in items)
            same_unit = len(units) == 1
            key = "value" if same_unit else "normalized_value"
            unit = (next(iter(units)) or "") if same_unit else "base units"
            items.sort(key=lambda r: (str(r.get("area") or ""), r.get("year") or 0))
            names = [f"{r.get('area') or '?'} {r.get('year') or ''}".strip() for r in items]
            values = [float(r.get(key) or r["value"]) for r in items]
            ax.barh(range(len(items)), values, color="#3538cd")
            for i, v in enumerate(values):
                ax.text(v, i, f" {v:g}", va="center", fontsize=6)
            if same_unit:
                extra = [
                    max(float(r["value_max"]) - float(r["value"]), 0.0)
                    if r.get("value_max") is not None
                    else 0.0
                    for r in items
                ]
                if any(extra):
                    ax.barh(range(len(items)), extra, left=values, color="#a4bcfd")
            ax.set_yticks(range(len(items)), names, fontsize=7)
            ax.invert_yaxis()
            ax.set_title(indicator if len(indicator) <= 24 else indicator[:23] + "…", fontsize=9)
            ax.set_xlabel(unit, fontsize=7)
            ax.tick_params(axis="x", labelsize=7)
        for ax in list(axes.flat)[len(panels) :]:
            ax.axis("off")
        fig.suptitle("目标对比 Targets by indicator, area and year")
        fig.tight_layout()
        return _save(fig, path)


def plot(store: Store, name: str, path: Path | str, seed: int = 1, top: int | None = None) -> Path:
    """Draw one of :data:`PLOTS` from a store.

    Parameters
    ----------
    store : pyoxigraph.Store
        A policykg store.
    name : {"workload", "network", "targets"}
        ``workload``: :func:`plot_workload`; ``network``: :func:`plot_network` of
        the annotated co-responsibility network; ``targets``: :func:`plot_targets`.
    path : path-like
        Output file (``.png``, ``.svg`` or ``.pdf``).
    seed : int, default 1
        Seed for Louvain and the network layout.
    top : int, optional
        Departments (workload), labelled nodes (network) or indicator panels
        (targets); each plot's default when None.

    Returns
    -------
    pathlib.Path
        The file written.
    """
    from policykg.graph.analytics import (
        annotated_network,
        department_workload,
        target_table,
        workload_graph,
    )

    _check_suffix(path)  # fail before the analysis
    if name == "workload":
        records = department_workload(workload_graph(store))
        return plot_workload(records, path, **({} if top is None else {"top": top}))
    if name == "network":
        P = annotated_network(store, "co-responsibility", seed=seed)
        return plot_network(P, path, seed=seed, **({} if top is None else {"labels": top}))
    if name == "targets":
        return plot_targets(target_table(store), path, **({} if top is None else {"top": top}))
    raise ValueError(f"unknown plot {name!r} (one of {', '.join(PLOTS)})")
