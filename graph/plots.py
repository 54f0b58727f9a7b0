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
from matplotlib.ticker import FuncFormatter
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
    every community readable.  Components of two or three departments share a
    row below; departments without any shared task (singletons) are not laid
    out here (:func:`plot_network` lists them in a strip of their own).
    """
    U = P.to_undirected(as_view=True) if P.is_directed() else P
    parts = sorted(nx.connected_components(U), key=lambda c: (-len(c), min(map(str, c))))
    big = [c for c in parts if len(c) > 3]
    small = [c for c in parts if 1 < len(c) <= 3]
    cols = max(1, math.ceil(math.sqrt(len(big))))
    largest = max((len(c) for c in parts), default=1)
    pos: dict[Any, tuple[float, float]] = {}
    for i, nodes in enumerate(big):
        sub = U.subgraph(nodes)
        layout = nx.spring_layout(
            sub, weight="weight", seed=seed, k=2.0 / math.sqrt(len(nodes)), iterations=100
        )
        radius = 0.42 * math.sqrt(len(nodes) / largest) + 0.05
        cx, cy = i % cols, -(i // cols)
        for n, (x, y) in layout.items():
            pos[n] = (cx + radius * float(x), cy + radius * float(y))
    row = -(math.ceil(len(big) / cols)) if big else 0
    slots = max(cols * 3, 3)
    for j, comp in enumerate(small):
        x0 = (j % slots) * cols / slots
        y0 = row - 0.35 * (j // slots) + 0.2
        for k, n in enumerate(sorted(comp, key=str)):
            pos[n] = (x0 + 0.08 * k, y0 + (0.05 if k % 2 else 0.0))
    return pos


def _text_size(
    text: str, fontsize: float, dpi: float, renderer: Any | None = None
) -> tuple[float, float]:
    """(width, height) in pixels of a one-line label with its rounded box.

    Measured with ``renderer`` when given, so the box is the one drawn whatever
    font the machine has (a missing CJK font makes glyphs wider or narrower than
    an em); estimated from character widths otherwise.
    """
    px = fontsize * dpi / 72.0
    pad = 2 * 0.15 * px + 2.0  # the label's rounded box
    if renderer is not None:
        w, h, _ = renderer.get_text_width_height_descent(
            text, font_manager.FontProperties(size=fontsize), ismath=False
        )
        return float(w) + pad + 4.0, max(float(h), px * 1.35) + pad
    ems = sum(1.0 if ord(c) > 0x2E80 else 0.62 for c in text)
    return ems * px + pad + 4.0, px * 1.35 + pad


def _place_labels(
    ax: Any,
    fig: Figure,
    pos: dict[Any, tuple[float, float]],
    labels: list[tuple[Any, str]],
    radius_px: dict[Any, float],
    fontsize: float = 7.0,
) -> int:
    """Annotate nodes with labels that do not overlap each other, strongest first.

    Each label tries offsets around its node (above, below, right, left, the
    diagonals), then the same ring farther out, one label height at a time, so
    labels of a crowded spot stack above and below it; the first position whose
    box is free of other labels (and clear of the label's own marker) is used,
    with a thin leader line when it sits away from the node.  Labels with no
    free position are left out.  Returns the number of labels drawn.
    """
    dpi = fig.dpi
    get_renderer = getattr(fig.canvas, "get_renderer", None)
    renderer = get_renderer() if get_renderer is not None else None
    placed: list[tuple[float, float, float, float]] = []
    drawn = 0
    directions = ((0, 1), (0, -1), (1, 0), (-1, 0), (1, 1), (-1, 1), (1, -1), (-1, -1))
    for node, text in labels:
        x, y = (float(v) for v in ax.transData.transform(pos[node]))
        w, h = _text_size(text, fontsize, dpi, renderer)
        gap = radius_px.get(node, 4.0) + 2.0
        for ring in range(8):
            found = None
            for dx, dy in directions:
                cx = x + dx * (gap + ring * h * 1.05 + w / 2)
                cy = y + dy * (gap + ring * h * 1.05 + h / 2)
                box = (cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2)
                if all(
                    box[2] < b[0] or box[0] > b[2] or box[3] < b[1] or box[1] > b[3] for b in placed
                ):
                    found = (cx, cy, box)
                    break
            if found is not None:
                break
        if found is None:
            continue
        cx, cy, box = found
        placed.append(box)
        points = 72.0 / dpi
        ax.annotate(
            text,
            pos[node],
            xytext=((cx - x) * points, (cy - y) * points),
            textcoords="offset points",
            ha="center",
            va="center",
            fontsize=fontsize,
            zorder=4,
            bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.75},
            arrowprops=None
            if ring == 0
            else {"arrowstyle": "-", "color": "#667085", "lw": 0.4, "shrinkA": 0, "shrinkB": 2},
        )
        drawn += 1
    return drawn


def plot_network(P: nx.Graph, path: Path | str, seed: int = 1, labels: int = 20) -> Path:
    """The co-responsibility network, nodes coloured by community.

    Parameters
    ----------
    P : networkx.Graph or networkx.DiGraph
        Departments linked by shared tasks (``weight``), e.g. from
        :func:`policykg.graph.analytics.annotated_network` with
        ``"co-responsibility"``; a ``community`` node attribute colours the
        nodes (computed with Louvain, ``seed``, when missing).  A directed graph
        (the lead → support variant) is drawn with arrows.
    path : path-like
        Output file.
    seed : int, default 1
        Seed of the layout (and of Louvain when needed): same graph, same picture.
    labels : int, default 20
        Label only the ``labels`` strongest departments (by weighted degree),
        placed so that labels never overlap (see :func:`_place_labels`): a
        large network stays readable.

    Returns
    -------
    pathlib.Path
        The file written.

    Notes
    -----
    Connected components are laid out one by one and packed on a grid; pairs
    and triples share a row below them.  Departments with no shared task at
    all (singletons; in the directed variant: no lead → support tie) carry no
    information in a network picture: they are not drawn as dots but counted
    and named (up to 8) in a caption.
    The legend names each large community by its strongest member.
    """
    with _style():
        fig = Figure(figsize=(13, 10))
        if P.number_of_nodes() == 0:
            _empty(fig, "no co-responsibility network · 无协同网络")
            return _save(fig, path)
        community = nx.get_node_attributes(P, "community")
        if len(community) < P.number_of_nodes():
            U = P.to_undirected() if P.is_directed() else P
            parts = nx.community.louvain_communities(U, weight="weight", seed=seed)
            ordered = sorted(parts, key=lambda c: (-len(c), min(map(str, c))))
            community = {n: i for i, part in enumerate(ordered) for n in part}
        strength = dict(P.degree(weight="weight"))
        singletons = sorted(
            (n for n in P if P.degree(n) == 0), key=lambda n: str(P.nodes[n].get("label", n))
        )
        drawn = [n for n in P if P.degree(n) > 0]
        ax = fig.add_subplot()
        ax.axis("off")
        if not drawn:
            _empty(fig, "no shared tasks · 无协同任务")
        pos = _component_layout(P.subgraph(drawn), seed)
        max_w = max((w for _, _, w in P.edges(data="weight", default=1.0)), default=1.0)
        for u, v, w in P.edges(data="weight", default=1.0):
            (x0, y0), (x1, y1) = pos[u], pos[v]
            style = {
                "color": "#98a2b3",
                "alpha": 0.25 + 0.5 * w / max_w,
                "linewidth": 0.4 + 2.5 * w / max_w,
            }
            if P.is_directed():
                ax.annotate(
                    "",
                    (x1, y1),
                    xytext=(x0, y0),
                    arrowprops={"arrowstyle": "-|>", "shrinkA": 4, "shrinkB": 6, **style},
                    zorder=1,
                )
            else:
                ax.plot([x0, x1], [y0, y1], zorder=1, **style)
        sizes = {n: 30 + 25 * math.sqrt(strength[n]) for n in drawn}
        ax.scatter(
            [pos[n][0] for n in drawn],
            [pos[n][1] for n in drawn],
            s=[sizes[n] for n in drawn],
            c=[community[n] % 20 for n in drawn],
            cmap="tab20",
            vmin=0,
            vmax=19,
            edgecolors="white",
            linewidths=0.6,
            zorder=2,
        )
        if drawn:
            xs = [p[0] for p in pos.values()]
            ys = [p[1] for p in pos.values()]
            pad_x = 0.08 * (max(xs) - min(xs) or 1.0)
            pad_y = 0.08 * (max(ys) - min(ys) or 1.0)
            ax.set_xlim(min(xs) - pad_x, max(xs) + pad_x)
            ax.set_ylim(min(ys) - pad_y, max(ys) + pad_y)
        ranked = sorted(drawn, key=lambda n: (-strength[n], str(P.nodes[n].get("label", n))))
        radius = {n: math.sqrt(sizes[n]) * fig.dpi / 72.0 / 2 for n in drawn}
        shown = _place_labels(
            ax, fig, pos, [(n, str(P.nodes[n].get("label", n))) for n in ranked[:labels]], radius
        )
        _community_legend(ax, P, community, strength, drawn)
        count = len({community[n] for n in drawn})
        kind = "lead → support" if P.is_directed() else "shared tasks"
        ax.set_title(
            f"部门协同网络 Co-responsibility network ({kind}): {len(drawn)} departments with "
            f"shared tasks in {count} communities (colour); size = strength; "
            f"{shown} strongest labelled"
        )
        if singletons:
            names = "、".join(str(P.nodes[n].get("label", n)) for n in singletons[:8])
            more = f" … (+{len(singletons) - 8})" if len(singletons) > 8 else ""
            fig.text(
                0.5,
                0.02,
                f"{len(singletons)} departments without a tie · 无协同关系的部门: {names}{more}",
                ha="center",
                fontsize=7,
                color="#475467",
                wrap=True,
            )
        return _save(fig, path)


def _community_legend(
    ax: Any, P: nx.Graph, community: dict[Any, int], strength: dict[Any, float], drawn: list[Any]
) -> None:
    """Legend: the largest communities, each named by its strongest member."""
    from matplotlib import colormaps
    from matplotlib.lines import Line2D

    members: dict[int, list[Any]] = {}
    for n in drawn:
        members.setdefault(community[n], []).append(n)
    biggest = sorted(members, key=lambda c: (-len(members[c]), c))[:8]
    cmap = colormaps["tab20"]
    handles = []
    for c in biggest:
        top = max(members[c], key=lambda n: (strength[n], str(n)))
        label = f"{len(members[c])} · {P.nodes[top].get('label', top)}"
        handles.append(
            Line2D([], [], marker="o", linestyle="", color=cmap((c % 20) / 19), label=label)
        )
    if handles:
        ax.legend(
            handles=handles,
            title="communities · 社群 (size · strongest)",
            loc="upper right",
            fontsize=7,
            title_fontsize=7,
            frameon=False,
        )


_KIND_TITLES = {"level": "", "increase": " · 新增 increase", "growth_rate": " · 增长率 growth"}
_COMPARATOR_SIGNS = {">=": "≥", "<=": "≤", "=": "", "increase": "+", "pct_increase": "+"}


def _target_panels(
    records: Sequence[dict[str, Any]], top: int
) -> list[tuple[tuple[str, str, str], list[dict[str, Any]]]]:
    """(indicator, kind, unit) -> its targets; level and change targets never share a panel."""
    panels: dict[tuple[str, str, str], list[dict[str, Any]]] = {}
    for r in records:
        if r.get("value") is None:
            continue
        unit = str(r.get("base_unit") or r.get("unit") or "")
        key = (str(r["indicator"]), str(r.get("target_kind") or "level"), unit)
        panels.setdefault(key, []).append(dict(r))
    # indicators compared across the most areas first
    ranked = sorted(
        panels.items(),
        key=lambda item: (-len({r.get("area") for r in item[1]}), -len(item[1]), item[0]),
    )
    return ranked[:top]


def _target_value(r: dict[str, Any]) -> float:
    value = r.get("normalized_value")
    return float(r["value"] if value is None else value)


def _target_labels(items: list[dict[str, Any]]) -> list[str]:
    """Area, year, comparator and value as written: repeated areas stay distinguishable."""
    names = []
    for r in items:
        sign = _COMPARATOR_SIGNS.get(str(r.get("comparator") or ""), "")
        value = f"{float(r['value']):g}"
        if r.get("value_max") is not None:
            value += f"–{float(r['value_max']):g}"
        year = f"{r.get('year')}{'*' if r.get('year_inferred') else ''}" if r.get("year") else ""
        names.append(
            " ".join(
                p
                for p in (str(r.get("area") or "?"), year, f"{sign}{value}{r.get('unit') or ''}")
                if p
            )
        )
    seen: Counter[str] = Counter()
    unique = []
    for name in names:
        seen[name] += 1
        unique.append(name if seen[name] == 1 else f"{name} ({seen[name]})")
    return unique


def _number(value: float) -> str:
    """Readable axis and bar numbers: 750,000,000 rather than 7.5e+08."""
    return f"{value:,.0f}" if abs(value) >= 10_000 else f"{value:g}"


def plot_targets(records: Sequence[dict[str, Any]], path: Path | str, top: int = 9) -> Path:
    """Target comparison: one panel per indicator, kind and unit; one bar per target.

    Parameters
    ----------
    records : sequence of dict
        From :func:`policykg.graph.analytics.target_table` (``indicator``,
        ``area``, ``year``, ``target_kind``, ``value``, ``value_max``, ``unit``,
        ``comparator``, ``normalized_value``, ``base_unit``).
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
    Level targets (达到 N) and change targets (新增 N, 年均增长 N%) get separate
    panels, and so do different units.  Bars are the normalised values in the
    panel's unit (万件 targets are drawn in 件; the x axis names the unit); a
    range (``value``–``value_max``) adds a lighter segment up to its upper
    bound.  Each bar's label gives area, year (``*`` when inferred from the
    plan period), comparator and the value as written, so two targets of one
    area are told apart.
    """
    panels = _target_panels(records, top)
    with _style():
        cols = 3 if len(panels) > 4 else max(1, min(len(panels), 2))
        rows = max(1, math.ceil(len(panels) / cols))
        fig = Figure(figsize=(5.6 * cols, 0.6 + 2.8 * rows))
        if not panels:
            _empty(fig, "no targets · 无目标数据")
            return _save(fig, path)
        axes = fig.subplots(rows, cols, squeeze=False)
        for ax, ((indicator, kind, unit), items) in zip(axes.flat, panels, strict=False):
            items.sort(
                key=lambda r: (str(r.get("area") or ""), r.get("year") or 0, _target_value(r))
            )
            values = [_target_value(r) for r in items]
            ax.barh(range(len(items)), values, color="#3538cd")
            extra = [
                max(v * float(r["value_max"]) / float(r["value"]) - v, 0.0)
                if r.get("value_max") is not None and r.get("value")
                else 0.0
                for r, v in zip(items, values, strict=True)
            ]
            if any(extra):
                ax.barh(range(len(items)), extra, left=values, color="#a4bcfd")
            for i, (v, e) in enumerate(zip(values, extra, strict=True)):
                ax.text(v + e, i, " " + _number(v + e), va="center", fontsize=6)
            ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _: _number(x)))
            ax.set_yticks(range(len(items)), _target_labels(items), fontsize=7)
            ax.invert_yaxis()
            title = indicator if len(indicator) <= 22 else indicator[:21] + "…"
            ax.set_title(title + _KIND_TITLES.get(kind, f" · {kind}"), fontsize=9)
            ax.set_xlabel(unit or "(no unit · 无单位)", fontsize=7)
            ax.tick_params(axis="x", labelsize=7)
        for ax in list(axes.flat)[len(panels) :]:
            ax.axis("off")
        fig.suptitle("目标对比 Targets by indicator, area and year (* year inferred)")
        fig.tight_layout()
        return _save(fig, path)


def plot(
    store: Store,
    name: str,
    path: Path | str,
    seed: int = 1,
    top: int | None = None,
    directed: bool = False,
) -> Path:
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
    directed : bool, default False
        ``network``: draw the lead → support variant, with arrows.

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
        P = annotated_network(store, "co-responsibility", seed=seed, directed=directed)
        return plot_network(P, path, seed=seed, **({} if top is None else {"labels": top}))
    if name == "targets":
        return plot_targets(target_table(store), path, **({} if top is None else {"top": top}))
    raise ValueError(f"unknown plot {name!r} (one of {', '.join(PLOTS)})")
