"""Lexical inspection of SPARQL text before it reaches the engine.

pyoxigraph has no switch to turn off ``SERVICE`` or ``LOAD`` (both make
outbound HTTP requests) and no public algebra API, so the endpoint decides
from the *tokens* of the request: comments, strings and IRIs are skipped, and
a bare keyword is recognised only where the SPARQL grammar could read it as
one.  The scan runs twice — on the raw text and on the text with ``\\uXXXX``
escapes decoded — because SPARQL allows those escapes anywhere and parsers
disagree on when they are applied; a keyword seen by either scan counts.

The same tokens tell the query form (for content negotiation before the query
runs), whether a dataset clause (``FROM``) is present, and where the ``USING``
clauses of the protocol's ``using-graph-uri`` parameters must be inserted.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from urllib.parse import urljoin

__all__ = [
    "ForbiddenOperationError",
    "OperationInfo",
    "Token",
    "add_using_clauses",
    "decode_unicode_escapes",
    "inspect_query",
    "inspect_update",
    "tokenize",
]

# Keywords that make the engine contact another server.
_NETWORK_KEYWORDS = frozenset({"SERVICE", "LOAD"})
_QUERY_FORMS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")

_UCHAR = r"\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8}"
_TOKEN_RE = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<comment>\#[^\n\r]*)
  | (?P<string>'''(?:[^'\\]|\\.|'(?!''))*(?:'''|$)
             |\"\"\"(?:[^"\\]|\\.|"(?!""))*(?:\"\"\"|$)
             |'(?:[^'\\\n\r]|\\.)*'?
             |"(?:[^"\\\n\r]|\\.)*"?)
  | (?P<iri><(?:[^<>"{}|^`\\\x00-\x20]|"""
    + _UCHAR
    + r""")*>)
  | (?P<var>[?$][\w\u00B7\u0300-\u036F\u203F-\u2040]+)
  | (?P<langtag>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)
  | (?P<pname>(?:[^\W\d][\w.\-]*)?:(?:[\w.\-:%]|\\[_~.\-!$&'()*+,;=/?\#@%])*)
  | (?P<word>[^\W\d][\w\-]*)
  | (?P<number>[0-9]+(?:\.[0-9]*)?(?:[eE][+-]?[0-9]+)?)
  | (?P<punct>\^\^|&&|\|\||<=|>=|!=|.)
    """,
    re.VERBOSE | re.DOTALL,
)
_ESCAPE_RE = re.compile(_UCHAR)


class ForbiddenOperationError(ValueError):
    """Raised when a request would make the engine reach outside the store."""


@dataclass(frozen=True, slots=True)
class Token:
    """One lexical token: its kind (regex group), text and offset in the source."""

    kind: str
    text: str
    start: int


@dataclass(slots=True)
class OperationInfo:
    """What the lexical scan learned about a query or update.

    Attributes
    ----------
    form : str or None
        ``SELECT``, ``ASK``, ``CONSTRUCT`` or ``DESCRIBE`` for queries; None if
        not recognisable (the engine then reports the syntax error).
    has_dataset_clause : bool
        The query names its own dataset with ``FROM`` / ``FROM NAMED``.
    has_using_or_with : bool
        The update has ``USING`` or ``WITH`` clauses (conflict with the
        protocol's ``using-graph-uri`` parameters).
    where_offsets : list of int
        Offsets of top-level ``WHERE`` keywords of DELETE/INSERT operations,
        where protocol ``USING`` clauses belong.
    dataset_iris : list of str
        Graph IRIs named by ``FROM`` / ``FROM NAMED`` (prefixed names and
        relative IRIs resolved as far as the prologue allows; unresolvable
        ones are kept as written so a strict check rejects them).
    """

    form: str | None = None
    has_dataset_clause: bool = False
    dataset_iris: list[str] = field(default_factory=list)
    has_using_or_with: bool = False
    where_offsets: list[int] = field(default_factory=list)


def decode_unicode_escapes(text: str) -> str:
    """Replace every ``\\uXXXX`` / ``\\UXXXXXXXX`` escape by its character.

    Parameters
    ----------
    text : str
        SPARQL source text.

    Returns
    -------
    str
        The text with escapes decoded; invalid code points are kept verbatim.
    """

    def _decode(match: re.Match[str]) -> str:
        code = int(match.group(0)[2:], 16)
        return chr(code) if code <= 0x10FFFF else match.group(0)

    return _ESCAPE_RE.sub(_decode, text)


def tokenize(text: str) -> Iterator[Token]:
    """Yield the significant tokens of SPARQL text (no whitespace or comments).

    Parameters
    ----------
    text : str
        SPARQL source text.

    Yields
    ------
    Token
        Tokens in source order.
    """
    for match in _TOKEN_RE.finditer(text):
        kind = match.lastgroup or "punct"
        if kind in ("ws", "comment"):
            continue
        yield Token(kind, match.group(0), match.start())


def _keywords(tokens: Sequence[Token]) -> set[str]:
    return {t.text.upper() for t in tokens if t.kind == "word"}


def _check_network(text: str) -> list[Token]:
    """Tokenize ``text`` and raise if either scan finds SERVICE or LOAD."""
    raw = list(tokenize(text))
    found = _keywords(raw) & _NETWORK_KEYWORDS
    decoded = decode_unicode_escapes(text)
    if decoded != text:
        found |= _keywords(list(tokenize(decoded))) & _NETWORK_KEYWORDS
    if found:
        names = ", ".join(sorted(found))
        raise ForbiddenOperationError(
            f"{names} is not allowed on this endpoint: queries never contact other servers"
        )
    return raw


def inspect_query(text: str) -> OperationInfo:
    """Scan a query: refuse SERVICE/LOAD, find its form and dataset clause.

    Parameters
    ----------
    text : str
        The SPARQL query.

    Returns
    -------
    OperationInfo
        The form and whether ``FROM`` is used.

    Raises
    ------
    ForbiddenOperationError
        If the text contains ``SERVICE`` or ``LOAD`` as a keyword.
    """
    tokens = _check_network(text)
    info = OperationInfo()
    prefixes: dict[str, str] = {}
    base = ""
    for i, token in enumerate(tokens):
        if token.kind != "word":
            continue
        upper = token.text.upper()
        following = tokens[i + 1 : i + 3]
        if upper == "PREFIX" and len(following) == 2 and following[1].kind == "iri":
            prefixes[following[0].text.rstrip(":")] = _resolve(following[1].text[1:-1], base)
        elif upper == "BASE" and following and following[0].kind == "iri":
            base = _resolve(following[0].text[1:-1], base)
        elif info.form is None and upper in _QUERY_FORMS:
            info.form = upper
        elif upper == "FROM":
            info.has_dataset_clause = True
            rest = tokens[i + 1 : i + 3]
            if rest and rest[0].kind == "word" and rest[0].text.upper() == "NAMED":
                rest = rest[1:]
            if rest:
                info.dataset_iris.append(_graph_name(rest[0], prefixes, base))
    return info


def _resolve(iri: str, base: str) -> str:
    return urljoin(base, decode_unicode_escapes(iri)) if base else decode_unicode_escapes(iri)


def _graph_name(token: Token, prefixes: dict[str, str], base: str) -> str:
    if token.kind == "iri":
        return _resolve(token.text[1:-1], base)
    if token.kind == "pname":
        prefix, _, local = token.text.partition(":")
        if prefix in prefixes:
            return prefixes[prefix] + re.sub(r"\\(.)", r"\1", local)
    return token.text


def inspect_update(text: str) -> OperationInfo:
    """Scan an update: refuse SERVICE/LOAD, find USING/WITH and WHERE offsets.

    Parameters
    ----------
    text : str
        The SPARQL update request.

    Returns
    -------
    OperationInfo
        ``has_using_or_with`` and ``where_offsets`` filled in.

    Raises
    ------
    ForbiddenOperationError
        If the text contains ``SERVICE`` or ``LOAD`` as a keyword.
    """
    tokens = _check_network(text)
    info = OperationInfo()
    depth = 0
    previous = ""
    for token in tokens:
        if token.kind == "punct" and token.text == "{":
            depth += 1
        elif token.kind == "punct" and token.text == "}":
            depth -= 1
        elif token.kind == "word" and depth == 0:
            upper = token.text.upper()
            if upper in ("USING", "WITH"):
                info.has_using_or_with = True
            # ``DELETE WHERE {…}`` takes no USING clause; every other
            # top-level WHERE closes a DELETE/INSERT template.
            elif upper == "WHERE" and previous != "DELETE":
                info.where_offsets.append(token.start)
        if token.kind == "word":
            previous = token.text.upper()
        elif token.kind == "punct" and token.text in "{}":
            previous = token.text
    return info


def add_using_clauses(
    text: str, info: OperationInfo, using: Sequence[str], using_named: Sequence[str]
) -> str:
    """Insert protocol ``USING`` / ``USING NAMED`` clauses before each WHERE.

    Parameters
    ----------
    text : str
        The update request.
    info : OperationInfo
        The result of :func:`inspect_update` on ``text``.
    using, using_named : sequence of str
        Absolute IRIs (already validated) from ``using-graph-uri`` and
        ``using-named-graph-uri``.

    Returns
    -------
    str
        The update with the clauses inserted; unchanged if none are given.

    Notes
    -----
    pyoxigraph's ``Store.update`` takes no dataset argument, so the protocol
    dataset is expressed in the update itself, exactly as the SPARQL 1.1
    Protocol defines it (section 2.2.3).
    """
    if not using and not using_named:
        return text
    clause = "".join(f" USING <{iri}>" for iri in using) + "".join(
        f" USING NAMED <{iri}>" for iri in using_named
    )
    parts: list[str] = []
    last = 0
    for offset in info.where_offsets:
        parts.append(text[last:offset])
        parts.append(clause.lstrip() + " ")
        last = offset
    parts.append(text[last:])
    return "".join(parts)
