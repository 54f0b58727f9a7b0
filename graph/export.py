"""Graph files for other tools: GEXF 1.3 (Gephi), GraphML, CSV node/edge tables.

``networkx.write_gexf`` output does not validate against the GEXF 1.3 schema
(``<graph name="">``, a wrong xsi URI, ``timeformat="long"``), crashes on
``None`` and reads lists as dynamic values; :func:`write_gexf` is our own
streaming writer instead, valid against the official XSD and ×20 faster
(performance notes §4).  All writers share one value policy: ``None`` and NaN
are left out, lists/sets/tuples are joined with ``;``, characters XML 1.0
forbids (control characters) are dropped from every string, integers beyond
64 bits are written as strings (no reader's ``long`` holds them), and each
attribute gets one type for the whole file (mixed types fall back to string).
"""

from __future__ import annotations

import csv
import datetime as dt
import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import IO, Any
from xml.sax.saxutils import quoteattr

import networkx as nx

__all__ = [
    "CATEGORY_COLORS",
    "GEXF_NS",
    "GRAPH_FORMATS",
    "KIND_COLORS",
    "add_viz",
    "write_csv",
    "write_gexf",
    "write_graph",
    "write_graphml",
]

GEXF_NS = "http://gexf.net/1.3"
_XSI = "http://www.w3.org/2001/XMLSchema-instance"
_SCHEMA_LOCATION = "http://gexf.net/1.3 http://gexf.net/1.3/gexf.xsd"

#: node kind -> RGB, used by :func:`add_viz`
KIND_COLORS: dict[str, tuple[int, int, int]] = {
    "department": (228, 26, 28),
    "task": (55, 126, 184),
    "document": (77, 175, 74),
    "region": (152, 78, 163),
    "indicator": (255, 127, 0),
}
_DEFAULT_COLOR = (153, 153, 153)
#: categorical palette (ColorBrewer Set1 + Dark2) for communities, see :func:`add_viz`
CATEGORY_COLORS: tuple[tuple[int, int, int], ...] = (
    (228, 26, 28),
    (55, 126, 184),
    (77, 175, 74),
    (152, 78, 163),
    (255, 127, 0),
    (166, 86, 40),
    (247, 129, 191),
    (27, 158, 119),
    (217, 95, 2),
    (117, 112, 179),
    (231, 41, 138),
    (102, 166, 30),
    (230, 171, 2),
    (102, 102, 102),
)

# node/edge keys GEXF represents natively rather than as <attvalue>
_NODE_RESERVED = {"label", "start", "end", "viz"}
_EDGE_RESERVED = {"label", "start", "end", "weight", "kind", "viz"}
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}$")
_ISO_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}[T ][\d:.]+(Z|[+-]\d{2}:\d{2})?$")
_INT64 = (-(2**63), 2**63 - 1)
# characters XML 1.0 forbids (control characters except tab, newline, return; lone
# surrogates, which UTF-8 cannot even encode)
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _clean(value: Any) -> Any:
    """Drop ``None``/NaN, join sequences, ISO dates, XML-safe strings, 64-bit integers."""
    if value is None:
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list | tuple | set | frozenset):
        items = sorted(map(str, value)) if isinstance(value, set | frozenset) else value
        joined = ";".join(_text(v) for v in items if v is not None and v == v)
        return joined or None
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return value if _INT64[0] <= value <= _INT64[1] else str(value)
    if isinstance(value, float):
        return value
    return _text(value) or None


def _text(value: Any) -> str:
    """``str(value)`` without the characters XML 1.0 forbids."""
    return _XML_INVALID.sub("", str(value))


def _gexf_type(values: Iterable[Any]) -> str:
    kinds = {type(v) for v in values}
    if kinds <= {bool}:
        return "boolean"
    if kinds <= {int}:
        return "long"
    if kinds <= {int, float}:
        return "double"
    return "string"


def _format(value: Any, gtype: str) -> str:
    if gtype == "boolean":
        return "true" if value else "false"
    if gtype == "double":
        return repr(float(value))
    return _XML_INVALID.sub("", str(value))


def _attr(value: Any) -> str:
    return quoteattr(_XML_INVALID.sub("", str(value)))


def _time(value: Any) -> str | None:
    """An ISO date, or None.

    Files are written with ``timeformat="date"``, so a datetime (object or ISO
    string) is written as its date: Gephi would otherwise misread it, and a
    timeline of policy documents has no use for the hour.
    """
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    value = _clean(value)
    if isinstance(value, str):
        if _ISO_DATE.match(value):
            return value
        if _ISO_DATETIME.match(value):
            return value[:10]
    return None


def _columns(items: Iterable[Mapping[str, Any]], reserved: set[str]) -> dict[str, str]:
    """Attribute key -> GEXF type over all nodes (or edges)."""
    values: dict[str, list[Any]] = {}
    for attrs in items:
        for key, value in attrs.items():
            if key in reserved:
                continue
            cleaned = _clean(value)
            if cleaned is not None:
                values.setdefault(key, []).append(cleaned)
    return {key: _gexf_type(vals) for key, vals in values.items()}


def _viz(out: IO[str], viz: Any, edge: bool) -> None:
    if not isinstance(viz, Mapping):
        return
    color = viz.get("color")
    if isinstance(color, Mapping) and all(k in color for k in "rgb"):
        alpha = f' a="{float(color["a"])}"' if "a" in color else ""
        out.write(
            f'<color r="{int(color["r"])}" g="{int(color["g"])}" b="{int(color["b"])}"{alpha}/>'
        )
    if edge:
        if viz.get("thickness") is not None:
            out.write(f'<thickness value="{float(viz["thickness"])}"/>')
        return
    pos = viz.get("position")
    if isinstance(pos, Mapping) and "x" in pos and "y" in pos:
        out.write(f'<position x="{float(pos["x"])}" y="{float(pos["y"])}"/>')
    if viz.get("size") is not None:
        out.write(f'<size value="{max(0.0, float(viz["size"]))}"/>')


def _attvalues(out: IO[str], attrs: Mapping[str, Any], columns: dict[str, tuple[str, str]]) -> None:
    parts = []
    for key, (col_id, gtype) in columns.items():
        value = _clean(attrs.get(key))
        if value is not None:
            parts.append(f'<attvalue for="{col_id}" value={_attr(_format(value, gtype))}/>')
    if parts:
        out.write("<attvalues>" + "".join(parts) + "</attvalues>")


def write_gexf(G: nx.Graph, path: Path | str, description: str | None = None) -> None:
    """Write ``G`` as a GEXF 1.3 file that validates against the official schema.

    Parameters
    ----------
    G : networkx.Graph, DiGraph, MultiGraph or MultiDiGraph
        Node/edge attributes become typed ``<attributes>`` (boolean, long,
        double or string; one type per attribute).  Reserved keys: ``label``
        (node/edge label; nodes default to their id), ``start``/``end`` (ISO
        dates; the graph becomes dynamic with ``timeformat="date"``), edge
        ``weight`` and ``kind``, and ``viz`` (a dict with ``color`` {r, g, b[, a]},
        ``size``, ``position`` {x, y}, edge ``thickness``; see :func:`add_viz`).
    path : path-like
        File to write (UTF-8).
    description : str, optional
        Text for ``<meta><description>``.

    Notes
    -----
    Streams node by node; nothing but the attribute tables is held in memory.
    ``None`` values are left out and lists are joined with ``;`` (networkx's
    writer crashes on both).  Colours and sizes are written as GEXF 1.3 defines
    them (``<color>``, ``<size>`` in the GEXF namespace, which the XSD requires;
    Gephi matches these elements by local name).  Non-date ``start`` values
    are not written, so the file never needs an integer time format.
    """
    node_cols = _columns((a for _, a in G.nodes(data=True)), _NODE_RESERVED)
    edge_cols = _columns((a for *_, a in G.edges(data=True)), _EDGE_RESERVED)
    node_columns = {k: (f"n{i}", t) for i, (k, t) in enumerate(node_cols.items())}
    edge_columns = {k: (f"e{i}", t) for i, (k, t) in enumerate(edge_cols.items())}
    dynamic = any(
        _time(a.get("start")) or _time(a.get("end")) for _, a in G.nodes(data=True)
    ) or any(_time(a.get("start")) or _time(a.get("end")) for *_, a in G.edges(data=True))
    # node ids are the nodes themselves (IRIs): readable in Gephi's data laboratory
    ids = {node: _attr(node) for node in G}
    edge_type = "directed" if G.is_directed() else "undirected"
    mode = ' mode="dynamic" timeformat="date"' if dynamic else ' mode="static"'
    with open(path, "w", encoding="utf-8", newline="\n") as out:
        out.write('<?xml version="1.0" encoding="UTF-8"?>\n')
        out.write(
            f'<gexf xmlns="{GEXF_NS}" xmlns:xsi="{_XSI}" '
            f'xsi:schemaLocation="{_SCHEMA_LOCATION}" version="1.3">\n'
        )
        today = dt.date.today().isoformat()
        out.write(f'<meta lastmodifieddate="{today}"><creator>policykg</creator>')
        if description:
            out.write(f"<description>{_attr(description)[1:-1]}</description>")
        out.write("</meta>\n")
        out.write(f'<graph defaultedgetype="{edge_type}"{mode}>\n')
        for cls, columns in (("node", node_columns), ("edge", edge_columns)):
            if columns:
                out.write(f'<attributes class="{cls}" mode="static">\n')
                for key, (col_id, gtype) in columns.items():
                    out.write(f'<attribute id="{col_id}" title={_attr(key)} type="{gtype}"/>\n')
                out.write("</attributes>\n")
        out.write(f'<nodes count="{G.number_of_nodes()}">\n')
        for node, attrs in G.nodes(data=True):
            label = _clean(attrs.get("label"))
            out.write(f"<node id={ids[node]} label={_attr(node if label is None else label)}")
            _write_times(out, attrs)
            out.write(">")
            _attvalues(out, attrs, node_columns)
            _viz(out, attrs.get("viz"), edge=False)
            out.write("</node>\n")
        out.write("</nodes>\n")
        out.write(f'<edges count="{G.number_of_edges()}">\n')
        for i, (u, v, attrs) in enumerate(G.edges(data=True)):
            out.write(f'<edge id="{i}" source={ids[u]} target={ids[v]}')
            weight = _clean(attrs.get("weight"))
            if isinstance(weight, int | float) and not isinstance(weight, bool):
                out.write(f' weight="{float(weight)!r}"')
            for key in ("kind", "label"):
                value = _clean(attrs.get(key))
                if value is not None and str(value).strip():
                    out.write(f" {key}={_attr(value)}")
            _write_times(out, attrs)
            out.write(">")
            _attvalues(out, attrs, edge_columns)
            _viz(out, attrs.get("viz"), edge=True)
            out.write("</edge>\n")
        out.write("</edges>\n</graph>\n</gexf>\n")


def _write_times(out: IO[str], attrs: Mapping[str, Any]) -> None:
    for key in ("start", "end"):
        value = _time(attrs.get(key))
        if value is not None:
            out.write(f' {key}="{value}"')


def add_viz(
    G: nx.Graph,
    size_by: str | None = None,
    min_size: float = 4.0,
    max_size: float = 40.0,
    colors: Mapping[str, tuple[int, int, int]] | None = None,
    color_by: str | None = None,
) -> nx.Graph:
    """Precompute Gephi colours and sizes in each node's ``viz`` attribute.

    Parameters
    ----------
    G : networkx.Graph
        Modified in place and returned.
    size_by : str, optional
        Numeric node attribute scaled linearly to [min_size, max_size]; by
        default the node degree.
    min_size, max_size : float
        Size range.
    colors : mapping, optional
        Kind -> (r, g, b); defaults to :data:`KIND_COLORS`.
    color_by : str, optional
        A categorical node attribute (e.g. ``community``) coloured with
        :data:`CATEGORY_COLORS` (cycled; the most frequent value gets the first
        colour); nodes without it are coloured by ``kind``.  By default all
        nodes are coloured by ``kind``.

    Returns
    -------
    networkx.Graph
        ``G``, for chaining.
    """
    palette = KIND_COLORS if colors is None else colors
    category: dict[Any, tuple[int, int, int]] = {}
    if color_by is not None:
        counts = Counter(
            attrs[color_by] for _, attrs in G.nodes(data=True) if attrs.get(color_by) is not None
        )
        ranked = sorted(counts, key=lambda v: (-counts[v], str(v)))
        category = {v: CATEGORY_COLORS[i % len(CATEGORY_COLORS)] for i, v in enumerate(ranked)}
    raw: dict[Any, float] = {}
    for node, attrs in G.nodes(data=True):
        value = attrs.get(size_by) if size_by else G.degree(node)
        raw[node] = float(value) if isinstance(value, int | float) else 0.0
    lo, hi = (min(raw.values()), max(raw.values())) if raw else (0.0, 0.0)
    span = hi - lo
    for node, attrs in G.nodes(data=True):
        value = attrs.get(color_by) if color_by else None
        if value is not None and value in category:
            r, g, b = category[value]
        else:
            r, g, b = palette.get(str(attrs.get("kind")), _DEFAULT_COLOR)
        scaled = (raw[node] - lo) / span if span else 0.5
        attrs["viz"] = {
            "color": {"r": r, "g": g, "b": b},
            "size": round(min_size + scaled * (max_size - min_size), 3),
        }
    return G


def _plain_copy(G: nx.Graph) -> nx.Graph:
    """A copy whose ids, keys and values are XML-safe str/int/float/bool (no None, lists, viz)."""
    H = G.__class__()
    for node, attrs in G.nodes(data=True):
        H.add_node(_text(node), **_plain(attrs))
    if G.is_multigraph():
        for u, v, key, attrs in G.edges(keys=True, data=True):
            H.add_edge(_text(u), _text(v), key=_text(key), **_plain(attrs))
    else:
        for u, v, attrs in G.edges(data=True):
            H.add_edge(_text(u), _text(v), **_plain(attrs))
    return H


def _plain(attrs: Mapping[str, Any]) -> dict[str, Any]:
    out = {}
    for key, value in attrs.items():
        if key == "viz":
            continue
        cleaned = _clean(value)
        name = _text(key)
        if cleaned is not None and name:
            out[name] = cleaned
    return out


def _unify_types(H: nx.Graph) -> None:
    # GraphML declares one type per key: mixed int/float become float, other mixes str
    for items in (
        [a for _, a in H.nodes(data=True)],
        [a for *_, a in H.edges(data=True)],
    ):
        types: dict[str, set[type]] = {}
        for attrs in items:
            for key, value in attrs.items():
                types.setdefault(key, set()).add(type(value))
        for key, kinds in types.items():
            if len(kinds) < 2:
                continue
            convert: type = float if kinds <= {int, float} else str
            for attrs in items:
                if key in attrs:
                    attrs[key] = convert(attrs[key])


def write_graphml(G: nx.Graph, path: Path | str) -> None:
    """Write ``G`` as GraphML (for tools without GEXF support).

    Parameters
    ----------
    G : networkx.Graph
        Any NetworkX graph.
    path : path-like
        File to write.

    Notes
    -----
    Values are cleaned as for GEXF (``None`` dropped, lists joined, one type per
    key) and ``viz`` is left out; GraphML has no time intervals, use GEXF for
    the timeline.
    """
    H = _plain_copy(G)
    _unify_types(H)
    nx.write_graphml(H, str(path), named_key_ids=True)


def write_csv(G: nx.Graph, nodes_path: Path | str, edges_path: Path | str) -> None:
    """Write node and edge tables (UTF-8 CSV) for pandas and Gephi's spreadsheet import.

    Parameters
    ----------
    G : networkx.Graph
        Any NetworkX graph.
    nodes_path, edges_path : path-like
        Files to write.  Nodes: ``Id``, ``Label``, then every attribute; edges:
        ``Source``, ``Target``, ``Type`` (Directed/Undirected), then every
        attribute (Gephi's column names).

    Notes
    -----
    Missing values are empty cells, lists are joined with ``;``.
    """
    node_rows = [(_text(n), _plain(a)) for n, a in G.nodes(data=True)]
    node_keys = sorted({k for _, a in node_rows for k in a} - {"label"})
    with open(nodes_path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["Id", "Label", *node_keys])
        for node, attrs in node_rows:
            writer.writerow(
                [node, attrs.get("label", node), *(attrs.get(k, "") for k in node_keys)]
            )
    edge_rows = [(_text(u), _text(v), _plain(a)) for u, v, a in G.edges(data=True)]
    edge_keys = sorted({k for *_, a in edge_rows for k in a})
    kind = "Directed" if G.is_directed() else "Undirected"
    with open(edges_path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["Source", "Target", "Type", *edge_keys])
        for u, v, attrs in edge_rows:
            writer.writerow([u, v, kind, *(attrs.get(k, "") for k in edge_keys)])


GRAPH_FORMATS = ("gexf", "graphml", "csv")


def write_graph(G: nx.Graph, path: Path | str, fmt: str, viz: bool = True) -> list[Path]:
    """Write ``G`` in one of :data:`GRAPH_FORMATS`; return the files written.

    Parameters
    ----------
    G : networkx.Graph
        E.g. from :func:`policykg.graph.analytics.annotated_network`.
    path : path-like
        Output file.  For ``csv`` two files are written next to it:
        ``<stem>_nodes.csv`` and ``<stem>_edges.csv``.
    fmt : {"gexf", "graphml", "csv"}
        Output format.
    viz : bool, default True
        For GEXF, precompute colours and sizes with :func:`add_viz`: sized by
        ``strength``, ``load`` or ``pagerank`` when the nodes have it (else
        degree), coloured by ``community`` when every node is of one kind and
        has one (the co-responsibility network), else by ``kind``.  ``G`` is not
        modified.

    Returns
    -------
    list of pathlib.Path
        The files written.
    """
    out = Path(path)
    if fmt == "gexf":
        H = G.copy()
        if viz:
            keys = {k for _, attrs in H.nodes(data=True) for k in attrs}
            size_by = next((k for k in ("strength", "load", "pagerank") if k in keys), None)
            kinds = {attrs.get("kind") for _, attrs in H.nodes(data=True)}
            by_community = len(kinds) == 1 and all(
                attrs.get("community") is not None for _, attrs in H.nodes(data=True)
            )
            add_viz(H, size_by=size_by, color_by="community" if by_community else None)
        write_gexf(H, out)
        return [out]
    if fmt == "graphml":
        write_graphml(G, out)
        return [out]
    if fmt == "csv":
        nodes = out.with_name(out.stem + "_nodes.csv")
        edges = out.with_name(out.stem + "_edges.csv")
        write_csv(G, nodes, edges)
        return [nodes, edges]
    raise ValueError(f"unknown graph format {fmt!r} (one of {', '.join(GRAPH_FORMATS)})")
