"""Grammar check: does a query or update contain ``SERVICE`` or ``LOAD``?

The lexical scan of :mod:`policykg.api.sparql_lexer` is fast but only
approximates the grammar.  Any text that could spell one of the keywords
(after ``\\u`` decoding, Unicode case folding and compatibility
normalisation) is therefore also parsed with rdflib's SPARQL grammar, and the
parse tree is searched for ``ServiceGraphPattern`` and ``Load`` nodes.  Text
that never spells them needs no parse: the engine reads keywords from plain
ASCII letters only.

rdflib is made to read the text the way Oxigraph does:

* Oxigraph decodes ``\\uXXXX`` only *inside* IRIs and strings, while rdflib
  decodes everywhere before parsing; an escaped quote would then open a
  string for rdflib that hides a keyword Oxigraph sees.  Every escape is
  therefore replaced by a neutral letter, which keeps the token boundaries
  Oxigraph sees.
* Oxigraph ends comments at CR as well as LF; rdflib only at LF.  CRs become
  LFs.

A text that mentions the words but that rdflib cannot parse is refused
(:class:`UnverifiableQueryError`): when the check cannot decide, the answer
is no.  Parsing can be slow for very large texts (pyparsing), so it runs
where the query runs, under the query's deadline (a killable worker
process by default).
"""

from __future__ import annotations

import re
import sys
import unicodedata
from collections.abc import Iterator
from typing import Any, Literal

from policykg.api.sparql_lexer import ForbiddenOperationError, decode_unicode_escapes

__all__ = ["UnverifiableQueryError", "grammar_check", "mentions_network_words"]

_WORDS = ("service", "load")
_ESCAPES = re.compile(r"\\\\|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8}")
_NETWORK_NODES = {"ServiceGraphPattern": "SERVICE", "Load": "LOAD"}
# rdflib's grammar recurses ~35 frames per bracket; MAX_NESTING (32) brackets
# need about 1,200.
_RECURSION_LIMIT = 4000


class UnverifiableQueryError(ValueError):
    """The text mentions SERVICE/LOAD-like words and could not be parsed to rule them out."""


def _normalised(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


def mentions_network_words(text: str) -> bool:
    """Whether any reading of ``text`` contains the letters of SERVICE or LOAD.

    Parameters
    ----------
    text : str
        A query or update.

    Returns
    -------
    bool
        False only when neither word appears in the raw text, in the text with
        ``\\u`` escapes decoded, or in their NFKC case-folded forms.
    """
    forms = {text, decode_unicode_escapes(text)}
    return any(word in _normalised(form) for form in forms for word in _WORDS)


def _as_oxigraph_reads(text: str) -> str:
    def neutral(match: re.Match[str]) -> str:
        return match.group(0) if match.group(0) == "\\\\" else "x"

    return _ESCAPES.sub(neutral, text).replace("\r", "\n")


def _node_names(node: Any) -> Iterator[str]:
    from pyparsing import ParseResults
    from rdflib.plugins.sparql.parserutils import CompValue

    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, CompValue):
            yield item.name
            stack.extend(item.values())
        elif isinstance(item, ParseResults | list | tuple):
            stack.extend(item)


def grammar_check(text: str, kind: Literal["query", "update"]) -> None:
    """Refuse a query or update whose parse contains SERVICE or LOAD.

    Parameters
    ----------
    text : str
        The request text (already through the lexical checks).
    kind : {"query", "update"}
        Which grammar to use.

    Raises
    ------
    ForbiddenOperationError
        If the parse tree has a ``SERVICE`` pattern or a ``LOAD`` operation.
    UnverifiableQueryError
        If the text mentions the words but does not parse.
    """
    if not mentions_network_words(text):
        return
    from pyparsing import ParseException
    from rdflib.plugins.sparql.parser import Query, UpdateUnit

    grammar = Query if kind == "query" else UpdateUnit
    if sys.getrecursionlimit() < _RECURSION_LIMIT:
        sys.setrecursionlimit(_RECURSION_LIMIT)
    try:
        tree = grammar.parse_string(_as_oxigraph_reads(text), parse_all=True)
    except (ParseException, RecursionError, ValueError, TypeError):
        raise UnverifiableQueryError(
            "the text mentions SERVICE or LOAD and this endpoint could not parse it to make "
            "sure it makes no outbound request; remove the word (or fix the syntax)"
        ) from None
    found = {_NETWORK_NODES[n] for n in _node_names(tree) if n in _NETWORK_NODES}
    if found:
        names = ", ".join(sorted(found))
        raise ForbiddenOperationError(
            f"{names} is not allowed on this endpoint: queries never contact other servers"
        )
