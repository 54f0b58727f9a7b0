"""Lexical inspection of SPARQL text before it reaches the engine.

pyoxigraph has no switch to turn off ``SERVICE`` or ``LOAD`` (both make
outbound HTTP requests) and no public algebra API, so the endpoint decides
from the *tokens* of the request: comments, strings and IRIs are skipped, and
a bare keyword is recognised only where the SPARQL grammar could read it as
one.  The scan runs twice — on the raw text and on the text with ``\\uXXXX``
escapes decoded — because SPARQL allows those escapes anywhere and parsers
disagree on when they are applied; a keyword seen by either scan counts.

This is the first of three independent barriers against outbound requests:
the grammar check of :mod:`policykg.api.sparql_guard` parses any text that
mentions the words at all, and query worker processes run without network
access (:mod:`policykg.api.isolation`).  A lexer alone was fooled once
(``FILTER(1<2)SERVICE#>`` read as one IRI), hence the layers.

The same tokens tell the query form (for content negotiation before the query
runs), whether a dataset clause (``FROM``) is present, how deep brackets nest
(the engine's parser must never see thousands of them), and where the
``USING`` clauses of the protocol's ``using-graph-uri`` parameters go.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from urllib.parse import urljoin

__all__ = [
    "MAX_NESTING",
    "ForbiddenOperationError",
    "OperationInfo",
    "QueryTooComplexError",
    "Token",
    "add_using_clauses",
    "decode_unicode_escapes",
    "inspect_query",
    "inspect_update",
    "nesting_depth",
    "tokenize",
]

# Keywords that make the engine contact another server.
_NETWORK_KEYWORDS = frozenset({"SERVICE", "LOAD"})
_QUERY_FORMS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")
#: Deepest bracket nesting accepted (real queries stay far below).
MAX_NESTING = 32

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


class QueryTooComplexError(ValueError):
    """Raised for text nested deeper than :data:`MAX_NESTING` brackets."""


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

    ``<`` is the one character SPARQL reads two ways: it opens an IRI, or it
    is the less-than operator (``FILTER(1<2)``).  Like the grammar, the
    scanner decides by context: inside an expression, right after an operand,
    it is an operator; anywhere else it opens an IRI.  Reading
    ``FILTER(1<2)SERVICE#>`` as one IRI would hide the keyword (the engine
    reads less-than, ``2)``, ``SERVICE`` and a comment).

    Parameters
    ----------
    text : str
        SPARQL source text.

    Yields
    ------
    Token
        Tokens in source order.
    """
    yield from _Scanner(text).tokens()


# Words after which "(" opens a variable list or collection, not an argument list.
_LIST_OPENERS = frozenset({"A", "VALUES"})
# Words after which "(" opens an expression (besides function names).
_CLAUSE_WORDS = {"SELECT": "select", "HAVING": "modifier", "BY": "modifier"}
_CLAUSE_ENDS = frozenset(
    {"WHERE", "FROM", "LIMIT", "OFFSET", "VALUES", "CONSTRUCT", "DESCRIBE", "ASK"}
)
_OPERAND_KINDS = frozenset({"var", "number", "string", "langtag", "iri", "pname"})


class _Scanner:
    """Tokenizer state: open brackets (and what they open) and the last tokens."""

    def __init__(self, text: str) -> None:
        self.text = text
        # One entry per open bracket: "group" ({), "node" ([), "expr" or "list" (().
        self.stack: list[str] = []
        # The clause being read at each group level (None: triple patterns).
        self.clauses: list[str | None] = [None]
        self.prev: Token | None = None
        self.prev2: Token | None = None
        self.max_depth = 0

    def _operand_ended(self) -> bool:
        prev = self.prev
        if prev is None:
            return False
        if prev.kind in _OPERAND_KINDS:
            return True
        if prev.kind == "word":
            return prev.text.upper() in ("TRUE", "FALSE")
        return prev.text in (")", "*") and prev.kind == "punct"

    def _paren_kind(self) -> str:
        prev, clause = self.prev, self.clauses[-1]
        if self.stack and self.stack[-1] == "expr":
            return "expr"
        if prev is None:
            return "list"
        if prev.kind == "word":
            return "list" if prev.text.upper() in _LIST_OPENERS else "expr"
        if clause is not None and not (self.stack and self.stack[-1] in ("list", "node")):
            return "expr"  # SELECT (… AS ?x), ORDER BY (…), GROUP BY f(…)
        before = self.prev2
        after_filter = before is not None and before.text.upper() == "FILTER"
        if prev.kind in ("iri", "pname") and after_filter:
            return "expr"  # FILTER <f>(…)
        return "list"

    def _track(self, token: Token) -> None:
        if token.kind == "punct":
            if token.text == "{":
                self.stack.append("group")
                self.clauses.append(None)
            elif token.text == "[":
                self.stack.append("node")
            elif token.text == "(":
                self.stack.append(self._paren_kind())
            elif token.text in ("}", "]", ")") and self.stack:
                closed = self.stack.pop()
                if closed == "group" and len(self.clauses) > 1:
                    self.clauses.pop()
            self.max_depth = max(self.max_depth, len(self.stack))
        elif token.kind == "word":
            upper = token.text.upper()
            if upper in _CLAUSE_WORDS:
                self.clauses[-1] = _CLAUSE_WORDS[upper]
            elif upper in _CLAUSE_ENDS:
                self.clauses[-1] = None
        self.prev2, self.prev = self.prev, token

    def tokens(self) -> Iterator[Token]:
        text, pos = self.text, 0
        while pos < len(text):
            token: Token | None = None
            in_expression = bool(self.stack) and self.stack[-1] == "expr"
            if text[pos] == "<" and in_expression and self._operand_ended():
                op = "<=" if text.startswith("<=", pos) else "<"
                token = Token("punct", op, pos)
            if token is None:
                match = _TOKEN_RE.match(text, pos)
                assert match is not None  # the punct group matches any character
                kind = match.lastgroup or "punct"
                if kind in ("ws", "comment"):
                    pos = match.end()
                    continue
                token = Token(kind, match.group(0), pos)
            pos = token.start + len(token.text)
            self._track(token)
            yield token


def nesting_depth(text: str) -> int:
    """The deepest bracket nesting (``{``, ``[``, ``(``) of SPARQL text.

    Parameters
    ----------
    text : str
        SPARQL source text.

    Returns
    -------
    int
        Brackets inside strings, IRIs and comments do not count.
    """
    scanner = _Scanner(text)
    for _ in scanner.tokens():
        pass
    return scanner.max_depth


def _keywords(tokens: Sequence[Token]) -> set[str]:
    return {t.text.upper() for t in tokens if t.kind == "word"}


def _check_network(text: str) -> list[Token]:
    """Tokenize ``text``; raise if either scan finds SERVICE or LOAD or deep nesting."""
    scanner = _Scanner(text)
    raw = list(scanner.tokens())
    if scanner.max_depth > MAX_NESTING:
        # The engine's parser recurses per bracket: thousands of "{" overflow
        # its stack (the process dies) and nested collections take
        # exponential time, so depth is capped before the text reaches it.
        raise QueryTooComplexError(
            f"brackets nested {scanner.max_depth} deep; this endpoint accepts at most "
            f"{MAX_NESTING}"
        )
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
