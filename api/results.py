"""Result formats of the endpoint and their serializers.

SELECT results are written by pyoxigraph's own serializer
(:func:`stream_solutions`, several times faster than building the document in
Python) into a sink that checks the query deadline at every chunk and counts
rows as they stream by, so the row cap is still signalled, never silent: a
result that may exceed the cap is abandoned there and written again by
:func:`serialize_solutions`, which caps row by row and adds the warning to the
body.  Graph results go through ``pyoxigraph.serialize`` after counting.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import IO, cast
from xml.sax.saxutils import escape, quoteattr

import pyoxigraph as ox

__all__ = [
    "BOOLEAN_OFFERS",
    "GRAPH_OFFERS",
    "SOLUTION_OFFERS",
    "Row",
    "SerializedResult",
    "Syntax",
    "format_alias",
    "serialize_boolean",
    "serialize_graph",
    "serialize_solutions",
    "stream_solutions",
]

Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple
Row = Sequence[Term | None]

_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
_RDF_DIR_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#dirLangString"


class Syntax(StrEnum):
    """Concrete syntaxes the endpoint writes."""

    JSON = "json"
    XML = "xml"
    CSV = "csv"
    TSV = "tsv"
    TURTLE = "turtle"
    NTRIPLES = "ntriples"
    RDFXML = "rdfxml"
    JSONLD = "jsonld"


# Offers in server-preference order: the first one is the default when the
# client sends no Accept header (W3C protocol tests 9-12 check exactly that).
SOLUTION_OFFERS: dict[str, Syntax] = {
    "application/sparql-results+json": Syntax.JSON,
    "application/sparql-results+xml": Syntax.XML,
    "text/csv": Syntax.CSV,
    "text/tab-separated-values": Syntax.TSV,
    "application/json": Syntax.JSON,
    "application/xml": Syntax.XML,
    "text/xml": Syntax.XML,
}
BOOLEAN_OFFERS: dict[str, Syntax] = {
    k: v for k, v in SOLUTION_OFFERS.items() if v in (Syntax.JSON, Syntax.XML)
}
GRAPH_OFFERS: dict[str, Syntax] = {
    "text/turtle": Syntax.TURTLE,
    "application/n-triples": Syntax.NTRIPLES,
    "application/rdf+xml": Syntax.RDFXML,
    "application/ld+json": Syntax.JSONLD,
    "application/x-turtle": Syntax.TURTLE,
    # A client asking a CONSTRUCT for plain JSON gets JSON-LD (as Oxigraph does).
    "application/json": Syntax.JSONLD,
}

_RDF_FORMATS = {
    Syntax.TURTLE: ox.RdfFormat.TURTLE,
    Syntax.NTRIPLES: ox.RdfFormat.N_TRIPLES,
    Syntax.RDFXML: ox.RdfFormat.RDF_XML,
    Syntax.JSONLD: ox.RdfFormat.JSON_LD,
}

# SPARQLWrapper (and Fuseki/Virtuoso users) send ``format=`` / ``output=``
# with short names; each maps to the media type for solutions or graphs.
_ALIASES: dict[str, tuple[str | None, str | None]] = {
    "json": ("application/sparql-results+json", "application/ld+json"),
    "xml": ("application/sparql-results+xml", "application/rdf+xml"),
    "csv": ("text/csv", None),
    "tsv": ("text/tab-separated-values", None),
    "turtle": (None, "text/turtle"),
    "ttl": (None, "text/turtle"),
    "n3": (None, "text/turtle"),
    "nt": (None, "application/n-triples"),
    "ntriples": (None, "application/n-triples"),
    "n-triples": (None, "application/n-triples"),
    "rdf": (None, "application/rdf+xml"),
    "rdf+xml": (None, "application/rdf+xml"),
    "rdfxml": (None, "application/rdf+xml"),
    "json-ld": (None, "application/ld+json"),
    "jsonld": (None, "application/ld+json"),
}

_TEXTUAL = ("text/",)

_RESULTS_FORMATS = {
    Syntax.JSON: ox.QueryResultsFormat.JSON,
    Syntax.XML: ox.QueryResultsFormat.XML,
    Syntax.CSV: ox.QueryResultsFormat.CSV,
    Syntax.TSV: ox.QueryResultsFormat.TSV,
}


@dataclass(slots=True)
class SerializedResult:
    """Bytes ready to send, produced on the worker thread.

    Attributes
    ----------
    body : bytes
        The serialized result.
    media_type : str
        The negotiated media type (``Content-Type`` without parameters).
    rows : int
        Solutions or triples written.
    truncated : bool
        True when the row cap cut the result.
    """

    body: bytes
    media_type: str
    rows: int = 0
    truncated: bool = False

    @property
    def content_type(self) -> str:
        """``Content-Type`` header value; textual types carry ``charset=utf-8``."""
        if self.media_type.startswith(_TEXTUAL):
            return f"{self.media_type}; charset=utf-8"
        return self.media_type


def format_alias(value: str, graph: bool) -> str | None:
    """Translate a ``format``/``output`` parameter into a media type.

    Parameters
    ----------
    value : str
        The parameter, a short name (``json``) or a media type.
    graph : bool
        True for CONSTRUCT/DESCRIBE results.

    Returns
    -------
    str or None
        A media type to negotiate with, or None if the name is unknown
        (unknown vendor parameters are ignored, as Fuseki does).
    """
    value = value.strip().lower()
    if "/" in value:
        return value
    pair = _ALIASES.get(value)
    if pair is None:
        return None
    chosen = pair[1] if graph else pair[0]
    # A known name that does not fit this query form cannot be honoured:
    # negotiating for "x-unavailable" turns it into a 406.
    return chosen or "x-unavailable/x-unavailable"


def _json_term(term: Term) -> dict[str, object]:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        out: dict[str, object] = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype.value != _XSD_STRING:
            out["datatype"] = term.datatype.value
        return out
    return {
        "type": "triple",
        "value": {
            "subject": _json_term(term.subject),
            "predicate": _json_term(term.predicate),
            "object": _json_term(term.object),
        },
    }


def _xml_term(term: Term) -> str:
    if isinstance(term, ox.NamedNode):
        return f"<uri>{escape(term.value)}</uri>"
    if isinstance(term, ox.BlankNode):
        return f"<bnode>{escape(term.value)}</bnode>"
    if isinstance(term, ox.Literal):
        attrs = ""
        if term.language:
            attrs = f" xml:lang={quoteattr(term.language)}"
        elif term.datatype.value not in (_XSD_STRING, _RDF_LANG_STRING, _RDF_DIR_LANG_STRING):
            attrs = f" datatype={quoteattr(term.datatype.value)}"
        return f"<literal{attrs}>{escape(term.value)}</literal>"
    return (
        f"<triple><subject>{_xml_term(term.subject)}</subject>"
        f"<predicate>{_xml_term(term.predicate)}</predicate>"
        f"<object>{_xml_term(term.object)}</object></triple>"
    )


def _csv_term(term: Term | None) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, ox.NamedNode | ox.Literal):
        return term.value
    return str(term)


def serialize_solutions(
    variables: Sequence[str],
    rows: Iterable[Row],
    syntax: Syntax,
    *,
    warning: str | None = None,
) -> bytes:
    """Write SELECT solutions as SPARQL JSON, XML, CSV or TSV.

    Parameters
    ----------
    variables : sequence of str
        Projected variable names, without ``?``.
    rows : iterable of Row
        One term (or None for unbound) per variable.
    syntax : Syntax
        ``JSON``, ``XML``, ``CSV`` or ``TSV``.
    warning : str, optional
        A message for clients (the row cap); JSON carries it in a top-level
        ``warning`` member and XML in a comment; CSV/TSV have no place for it,
        so it travels in headers only.

    Returns
    -------
    bytes
        UTF-8 encoded document.
    """
    if syntax is Syntax.JSON:
        bindings = [
            {v: _json_term(t) for v, t in zip(variables, row, strict=True) if t is not None}
            for row in rows
        ]
        doc: dict[str, object] = {
            "head": {"vars": list(variables)},
            "results": {"bindings": bindings},
        }
        if warning:
            doc["warning"] = warning
        return json.dumps(doc, ensure_ascii=False).encode("utf-8")
    if syntax is Syntax.XML:
        out = io.StringIO()
        out.write('<?xml version="1.0" encoding="UTF-8"?>\n')
        out.write('<sparql xmlns="http://www.w3.org/2005/sparql-results#"><head>')
        for v in variables:
            out.write(f"<variable name={quoteattr(v)}/>")
        out.write("</head>")
        if warning:
            out.write(f"<!-- {escape(warning).replace('--', '- -')} -->")
        out.write("<results>")
        for row in rows:
            out.write("<result>")
            for v, t in zip(variables, row, strict=True):
                if t is not None:
                    out.write(f"<binding name={quoteattr(v)}>{_xml_term(t)}</binding>")
            out.write("</result>")
        out.write("</results></sparql>\n")
        return out.getvalue().encode("utf-8")
    if syntax is Syntax.CSV:
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\r\n")
        writer.writerow(variables)
        writer.writerows([_csv_term(t) for t in row] for row in rows)
        return buf.getvalue().encode("utf-8")
    if syntax is Syntax.TSV:
        lines = ["\t".join(f"?{v}" for v in variables)]
        # str(term) is the N-Triples/Turtle form the TSV format requires.
        lines.extend("\t".join("" if t is None else str(t) for t in row) for row in rows)
        return ("\n".join(lines) + "\n").encode("utf-8")
    raise ValueError(f"{syntax} is not a solutions format")


def serialize_boolean(value: bool, syntax: Syntax) -> bytes:
    """Write an ASK result as SPARQL JSON or XML.

    Parameters
    ----------
    value : bool
        The answer.
    syntax : Syntax
        ``JSON`` or ``XML``.

    Returns
    -------
    bytes
        UTF-8 encoded document.
    """
    if syntax is Syntax.JSON:
        return json.dumps({"head": {}, "boolean": value}).encode("utf-8")
    if syntax is Syntax.XML:
        text = "true" if value else "false"
        return (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            '<sparql xmlns="http://www.w3.org/2005/sparql-results#">'
            f"<head/><boolean>{text}</boolean></sparql>\n"
        ).encode()
    raise ValueError(f"{syntax} is not a boolean format")


def serialize_graph(
    triples: Iterable[ox.Triple], syntax: Syntax, prefixes: dict[str, str] | None = None
) -> bytes:
    """Write triples as Turtle, N-Triples, RDF/XML or JSON-LD.

    Parameters
    ----------
    triples : iterable of pyoxigraph.Triple
        The graph.
    syntax : Syntax
        One of the RDF syntaxes.
    prefixes : dict, optional
        Prefix declarations for Turtle/RDF-XML readability.

    Returns
    -------
    bytes
        The document.
    """
    rdf_format = _RDF_FORMATS.get(syntax)
    if rdf_format is None:
        raise ValueError(f"{syntax} is not an RDF syntax")
    data = ox.serialize(triples, format=rdf_format, prefixes=prefixes)
    return data if data is not None else b""


# --------------------------------------------------------------- pyoxigraph's serializer

# Per results syntax: a byte string that occurs at least once per row of
# pyoxigraph's output (so counting it bounds the rows from above, even across
# chunk borders), and what to add to that count to get the rows.  JSON: the
# "},{" between two rows (it can also occur inside a string); XML: the
# "<result>" tag ("<" is always escaped in text); CSV/TSV: the line ends, one
# per row plus the header (a quoted CSV field may hold more).
_ROW_MARKERS: dict[Syntax, tuple[bytes, int]] = {
    Syntax.JSON: (b"},{", 1),
    Syntax.XML: (b"<result>", 0),
    Syntax.CSV: (b"\n", -1),
    Syntax.TSV: (b"\n", -1),
}
# JSON: a "},{" *between rows* is followed by the quote opening the next row's
# first variable name.  Inside a string, every quote is escaped, so a quote
# after "},{" there can only close that string, and what follows a closing
# quote in pyoxigraph's compact output is "}", ",", ":" or "]", never the
# first character of a variable name.
_JSON_ROW_START = re.compile(rb'\},\{"(?![},:\]"])')
_JSON_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"')
_JSON_NO_ROWS = b'"bindings":[]}}'


class _RowCapReached(Exception):
    """Raised from the sink to stop the serializer: the result may exceed the cap."""


class _CountingSink:
    """The file-like target of ``QuerySolutions.serialize``.

    Collects the chunks, checks the deadline before accepting each one, and
    stops the serializer once the chunks hold more rows than the cap allows.
    """

    __slots__ = ("check", "chunks", "marker", "offset", "seen", "stop_at", "tail")

    def __init__(self, syntax: Syntax, max_rows: int, check: Callable[[], None]) -> None:
        self.marker, self.offset = _ROW_MARKERS[syntax]
        self.chunks: list[bytes] = []
        self.check = check
        self.seen = 0
        # rows ≤ seen + offset; more than max_rows possible once seen exceeds this
        self.stop_at = max_rows - self.offset
        self.tail = b""

    def write(self, data: bytes) -> int:
        self.check()
        chunk = bytes(data)
        # the tail of the previous chunk catches a marker split across the border
        self.seen += (self.tail + chunk).count(self.marker)
        if self.seen > self.stop_at:
            raise _RowCapReached
        self.tail = chunk[1 - len(self.marker) :] if len(self.marker) > 1 else b""
        self.chunks.append(chunk)
        return len(chunk)

    def flush(self) -> None:
        """Nothing to flush: the chunks are kept in memory."""


def _count_rows(body: bytes, syntax: Syntax) -> int:
    """The exact number of rows in pyoxigraph's serialization of a SELECT result."""
    if syntax is Syntax.JSON:
        if body.endswith(_JSON_NO_ROWS):
            return 0
        if b"{}" not in body:
            # no row without bindings: each row but the first starts after a "},{"
            return len(_JSON_ROW_START.findall(body)) + 1
        # rows without bindings ("{}"): count the "},{" outside strings
        return _JSON_STRING.sub(b'""', body).count(b"},{") + 1
    if syntax is Syntax.XML:
        return body.count(b"<result>")
    if syntax is Syntax.TSV:
        # TSV escapes line breaks inside terms: one line per row after the header
        return body.count(b"\n") - 1
    if b'"' not in body:
        return body.count(b"\r\n") - 1
    # CSV fields with line breaks are quoted: let the csv module read them
    return sum(1 for _ in csv.reader(io.StringIO(body.decode("utf-8"), newline=""))) - 1


def stream_solutions(
    solutions: ox.QuerySolutions,
    syntax: Syntax,
    max_rows: int,
    check: Callable[[], None],
) -> tuple[bytes, int] | None:
    """Write SELECT solutions with pyoxigraph's serializer, within the row cap.

    Parameters
    ----------
    solutions : pyoxigraph.QuerySolutions
        A fresh result (consumed).
    syntax : Syntax
        ``JSON``, ``XML``, ``CSV`` or ``TSV``.
    max_rows : int
        Row cap.
    check : callable
        Called before each chunk is accepted (the query deadline); whatever it
        raises stops the serializer and propagates.

    Returns
    -------
    tuple of (bytes, int), or None
        The document and its number of rows; None when the result may hold
        more than ``max_rows`` rows (the caller then writes it capped, with
        :func:`serialize_solutions`).
    """
    sink = _CountingSink(syntax, max_rows, check)
    try:
        # the sink has the write/flush that pyoxigraph calls
        solutions.serialize(cast(IO[bytes], sink), format=_RESULTS_FORMATS[syntax])
    except _RowCapReached:
        return None
    check()
    body = b"".join(sink.chunks)
    rows = _count_rows(body, syntax)
    if rows > max_rows:
        return None
    return body, rows
