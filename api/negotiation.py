"""HTTP content negotiation (RFC 9110 §12.5.1) over a server's ordered offers.

Each offer gets the quality of the *most specific* media range that matches it
(``type/subtype;params`` beats ``type/subtype`` beats ``type/*`` beats
``*/*``); a quality of 0 means "not acceptable".  Among acceptable offers the
highest quality wins; at equal quality an offer the client *named* beats one
it only covered by a wildcard (``application/sparql-results+xml, */*`` means
XML, not whatever the server likes best), and remaining ties go to the
server's order, so the first offer is the default when the client says
nothing or accepts anything.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["MediaRange", "media_type_of", "named", "negotiate", "parse_accept"]

_TOKEN = r"[!#$%&'*+.^_`|~0-9A-Za-z-]+"
_RANGE_RE = re.compile(rf"^\s*({_TOKEN})\s*/\s*({_TOKEN})\s*$")
_PARAM_RE = re.compile(rf"^\s*({_TOKEN})\s*=\s*(\"(?:[^\"\\]|\\.)*\"|{_TOKEN})\s*$")


@dataclass(frozen=True, slots=True)
class MediaRange:
    """One element of an Accept header.

    Attributes
    ----------
    type, subtype : str
        Lower-cased; either may be ``*``.
    params : tuple of (str, str)
        Media-type parameters other than ``q`` (names lower-cased).
    q : float
        Quality in [0, 1].
    """

    type: str
    subtype: str
    params: tuple[tuple[str, str], ...]
    q: float

    def specificity(self) -> int:
        """Rank for RFC 9110 precedence: more specific ranges override."""
        if self.type == "*":
            return 0
        if self.subtype == "*":
            return 1
        return 2 + len(self.params)

    def matches(self, offer: str) -> bool:
        """Whether this range covers the offered media type."""
        main, _, rest = offer.partition(";")
        otype, _, osub = main.strip().lower().partition("/")
        if self.type != "*" and self.type != otype:
            return False
        if self.subtype != "*" and self.subtype != osub:
            return False
        if not self.params:
            return True
        offered = dict(_split_params(rest))
        # charset=utf-8 is implied for every textual format we produce, so a
        # client asking for it explicitly must still match.
        offered.setdefault("charset", "utf-8")
        return all(offered.get(k) == v for k, v in self.params)


def _split_params(text: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for part in text.split(";"):
        if not part.strip():
            continue
        m = _PARAM_RE.match(part)
        if m is None:
            continue
        value = m.group(2)
        if value.startswith('"'):
            value = re.sub(r"\\(.)", r"\1", value[1:-1])
        out.append((m.group(1).lower(), value.lower()))
    return out


def _split_elements(header: str) -> list[str]:
    # Commas inside quoted parameter values do not separate elements.
    parts: list[str] = []
    buf: list[str] = []
    quoted = False
    escaped = False
    for ch in header:
        if escaped:
            escaped = False
        elif ch == "\\" and quoted:
            escaped = True
        elif ch == '"':
            quoted = not quoted
        elif ch == "," and not quoted:
            parts.append("".join(buf))
            buf = []
            continue
        buf.append(ch)
    parts.append("".join(buf))
    return parts


def parse_accept(header: str | None) -> list[MediaRange]:
    """Parse an Accept header into media ranges.

    Parameters
    ----------
    header : str or None
        The raw header value; None or blank means "anything".

    Returns
    -------
    list of MediaRange
        In header order.  Malformed elements are skipped (clients such as old
        browsers send odd values; ignoring them is more useful than a 400).
    """
    if header is None or not header.strip():
        return [MediaRange("*", "*", (), 1.0)]
    ranges: list[MediaRange] = []
    for element in _split_elements(header):
        media, _, rest = element.partition(";")
        m = _RANGE_RE.match(media)
        if m is None:
            continue
        mtype, subtype = m.group(1).lower(), m.group(2).lower()
        if mtype == "*" and subtype != "*":
            continue
        q = 1.0
        params: list[tuple[str, str]] = []
        for name, value in _split_params(rest):
            if name == "q":
                try:
                    q = min(max(float(value), 0.0), 1.0)
                except ValueError:
                    q = 0.0
                # Parameters after q are accept-extensions, not media params.
                break
            params.append((name, value))
        ranges.append(MediaRange(mtype, subtype, tuple(params), q))
    return ranges


def media_type_of(content_type: str | None) -> tuple[str, dict[str, str]]:
    """Split a Content-Type header into the bare media type and its parameters.

    Parameters
    ----------
    content_type : str or None
        The header value.

    Returns
    -------
    tuple of (str, dict)
        Lower-cased media type (``""`` when absent) and parameters.
    """
    if not content_type:
        return "", {}
    main, _, rest = content_type.partition(";")
    return main.strip().lower(), dict(_split_params(rest))


def negotiate(ranges: Sequence[MediaRange], offers: Sequence[str]) -> str | None:
    """Pick the best offer for the client's media ranges.

    Parameters
    ----------
    ranges : sequence of MediaRange
        From :func:`parse_accept`.
    offers : sequence of str
        Media types the server can produce, in order of server preference.

    Returns
    -------
    str or None
        The chosen offer, or None when nothing is acceptable (HTTP 406).
    """
    best: str | None = None
    best_rank = (0.0, -1)
    for offer in offers:
        matching = [r for r in ranges if r.matches(offer)]
        if not matching:
            continue
        chosen = max(matching, key=MediaRange.specificity)
        # Rank by quality, then by whether the client named the type.
        rank = (chosen.q, min(chosen.specificity(), 2))
        if chosen.q > 0 and rank > best_rank:
            best, best_rank = offer, rank
    return best


def named(ranges: Sequence[MediaRange], media: str) -> bool:
    """Whether the client named ``media`` itself (no wildcard) with a quality above 0.

    Parameters
    ----------
    ranges : sequence of MediaRange
        From :func:`parse_accept`.
    media : str
        A media type.

    Returns
    -------
    bool
        True for ``media`` listed explicitly and acceptable.
    """
    return any(r.type != "*" and r.subtype != "*" and r.q > 0 and r.matches(media) for r in ranges)
