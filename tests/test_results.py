"""Result serializers: pyoxigraph's streamed output, its row counts and the row cap."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET

import pyoxigraph as ox
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from policykg.api.evaluation import QueryJob, execute_query
from policykg.api.executor import CancelToken
from policykg.api.negotiation import parse_accept
from policykg.api.results import SOLUTION_OFFERS, Syntax, stream_solutions

EX = "http://example.org/"
# Texts that look like the row markers of the formats, inside literals.
TRICKY = [
    '},{"a":{"type":"uri"}}',
    "},{",
    '},{"',
    "{}",
    '\\"},{"x',
    "<result>",
    "line\nbreak",
    "cr\r\nlf",
    'quote " and, comma',
    "tab\there",
    "",
    "知识产权",
]


def _store(values: list[str]) -> ox.Store:
    store = ox.Store()
    for i, value in enumerate(values):
        s = ox.NamedNode(f"{EX}s{i}")
        store.add(ox.Quad(s, ox.NamedNode(EX + "label"), ox.Literal(value, language="zh")))
        store.add(ox.Quad(s, ox.NamedNode(EX + "n"), ox.Literal(i)))
    return store


QUERY = f"SELECT ?s ?label ?missing WHERE {{ ?s <{EX}label> ?label }} ORDER BY ?s"


def _parsed_rows(body: bytes, syntax: Syntax) -> int:
    if syntax is Syntax.JSON:
        return len(json.loads(body)["results"]["bindings"])
    if syntax is Syntax.XML:
        ns = "{http://www.w3.org/2005/sparql-results#}"
        return len(ET.fromstring(body).findall(f"{ns}results/{ns}result"))
    if syntax is Syntax.CSV:
        return len(list(csv.reader(io.StringIO(body.decode(), newline="")))) - 1
    parsed = ox.parse_query_results(body, format=ox.QueryResultsFormat.TSV)
    assert isinstance(parsed, ox.QuerySolutions)
    return len(list(parsed))


def _never() -> None:
    return None


@pytest.mark.parametrize("syntax", list(Syntax)[:4])
def test_streamed_rows_are_counted_exactly_whatever_the_literals_hold(syntax: Syntax) -> None:
    store = _store(TRICKY)
    out = stream_solutions(store.query(QUERY), syntax, 1000, _never)
    assert out is not None
    body, rows = out
    assert rows == len(TRICKY) == _parsed_rows(body, syntax)


@pytest.mark.parametrize("syntax", list(Syntax)[:4])
def test_rows_without_bindings_and_empty_results(syntax: Syntax) -> None:
    store = ox.Store()
    empty_rows = store.query("SELECT ?x WHERE { VALUES ?x { UNDEF UNDEF UNDEF } }")
    out = stream_solutions(empty_rows, syntax, 10, _never)
    assert out is not None and out[1] == 3
    none = stream_solutions(store.query("SELECT ?x WHERE { FILTER(false) }"), syntax, 10, _never)
    assert none is not None and none[1] == 0


@pytest.mark.parametrize("syntax", list(Syntax)[:4])
def test_a_result_over_the_cap_is_handed_back_not_cut(syntax: Syntax) -> None:
    store = _store([f"v{i}" for i in range(3000)])  # several 8 KB chunks
    assert stream_solutions(store.query(QUERY), syntax, 2999, _never) is None
    assert stream_solutions(store.query(QUERY), syntax, 10, _never) is None
    exact = stream_solutions(store.query(QUERY), syntax, 3000, _never)
    assert exact is not None and exact[1] == 3000


@pytest.mark.parametrize("syntax", list(Syntax)[:4])
@pytest.mark.parametrize("cap", [2999, 3000])
def test_execute_query_caps_exactly_when_literals_look_like_row_markers(
    syntax: Syntax, cap: int
) -> None:
    # "},{" and line breaks inside literals inflate the streamed bound: the
    # result is then written again, capped row by row, and must still be exact.
    store = _store([f"v{i} }},{{\n{i}" for i in range(3000)])
    media = next(m for m, s in SOLUTION_OFFERS.items() if s is syntax)
    ranges = tuple(parse_accept(media))
    job = QueryJob(QUERY, EX, ranges, ranges, max_rows=cap, union_default_graph=False)
    result = execute_query(store, job, CancelToken(30))
    assert result.rows == cap
    assert result.truncated is (cap < 3000)
    assert _parsed_rows(result.body, syntax) == cap


def test_the_deadline_check_stops_the_serializer() -> None:
    class Late(Exception):
        pass

    def late() -> None:
        raise Late

    store = _store(["a", "b"])
    with pytest.raises(Late):
        stream_solutions(store.query(QUERY), Syntax.JSON, 10, late)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(alphabet='{}[],:"\\ab\n\r<>知', max_size=12), min_size=0, max_size=25))
def test_json_row_count_matches_a_parser(values: list[str]) -> None:
    store = _store(values)
    out = stream_solutions(store.query(QUERY), Syntax.JSON, 1000, _never)
    assert out is not None
    assert out[1] == len(json.loads(out[0])["results"]["bindings"]) == len(values)
