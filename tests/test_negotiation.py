"""RFC 9110 Accept parsing and offer selection."""

from __future__ import annotations

import pytest

from policykg.api.negotiation import media_type_of, named, negotiate, parse_accept

OFFERS = ["application/sparql-results+json", "application/sparql-results+xml", "text/csv"]


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (None, "application/sparql-results+json"),
        ("", "application/sparql-results+json"),
        ("*/*", "application/sparql-results+json"),
        ("text/csv", "text/csv"),
        ("TEXT/CSV", "text/csv"),
        ("text/*;q=0.9, application/sparql-results+xml;q=0.8", "text/csv"),
        ("application/*;q=0.5, application/sparql-results+xml", "application/sparql-results+xml"),
        # The more specific range overrides the wildcard, even with a lower q.
        ("*/*;q=0.9, application/sparql-results+json;q=0.1", "application/sparql-results+xml"),
        (
            "*/*, application/sparql-results+json;q=0, application/sparql-results+xml;q=0",
            "text/csv",
        ),
        ("text/csv;charset=utf-8", "text/csv"),
        ("text/csv;charset=latin-1", None),
        ("image/png", None),
        ("text/csv;q=0", None),
        ("text/csv; q=0.5; foo=bar, bogus, */*;q=0.1", "text/csv"),
        (
            'text/csv;x="a,b";q=0.4, application/sparql-results+xml;q=0.3',
            "application/sparql-results+xml",
        ),
        (
            "text/csv;q=nonsense, application/sparql-results+xml;q=0.2",
            "application/sparql-results+xml",
        ),
    ],
)
def test_negotiate(accept: str | None, expected: str | None) -> None:
    assert negotiate(parse_accept(accept), OFFERS) == expected


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        # SPARQLWrapper / rdflib SPARQLStore style: a named type beats */* at equal q.
        ("application/sparql-results+xml, application/rdf+xml, */*", OFFERS[1]),
        ("text/csv, */*", "text/csv"),
        ("text/*, */*", "text/csv"),
        # ... but quality still comes first.
        ("application/sparql-results+xml;q=0.5, */*", OFFERS[0]),
    ],
)
def test_named_types_beat_wildcards_at_equal_quality(accept: str, expected: str) -> None:
    assert negotiate(parse_accept(accept), OFFERS) == expected


def test_named() -> None:
    ranges = parse_accept("application/sparql-results+xml, text/*;q=0.5, text/csv;q=0")
    assert named(ranges, "application/sparql-results+xml")
    assert not named(ranges, "text/tab-separated-values")  # only through a wildcard
    assert not named(ranges, "text/csv")  # refused


def test_ties_go_to_server_order() -> None:
    ranges = parse_accept("text/csv, application/sparql-results+xml")
    assert negotiate(ranges, OFFERS) == "application/sparql-results+xml"


def test_parse_accept_keeps_quoted_commas_and_clamps_q() -> None:
    ranges = parse_accept('a/b;p="x,y";q=2, c/d;q=-1')
    assert [(r.type, r.subtype, r.params, r.q) for r in ranges] == [
        ("a", "b", (("p", "x,y"),), 1.0),
        ("c", "d", (), 0.0),
    ]


def test_media_type_of() -> None:
    assert media_type_of("Application/SPARQL-Query; Charset=UTF-16") == (
        "application/sparql-query",
        {"charset": "utf-16"},
    )
    assert media_type_of(None) == ("", {})
