"""Score extracted facts against gold annotations (``policykg eval``).

The matching rules are those of ``data/gold/README.md`` ("How extraction is
scored"), implemented literally:

* ``norm(s)``: Unicode NFKC, then drop whitespace and every character whose
  Unicode category is P* (punctuation) or S* (symbol).
* documents: ``norm(title)`` equal, or both ``doc_number`` equal and not null;
  a gold document with neither title nor ``doc_number`` matches on
  ``norm(region)``.
* responsibilities: ``norm(unit)`` equal and the tasks agree (``norm(task)``
  equal, or one starts with the other and the shorter has at least 6
  characters).
* citations: ``norm(cited_title)`` equal; where the gold title is null,
  ``cited_doc_number`` equal.
* targets: ``value`` equal (and ``value_max`` where gold has one),
  ``norm(unit)`` equal, and the metrics agree (one ``norm(metric)`` contains
  the other, or their character-bigram Dice coefficient is at least 0.5).

Matching happens within one section of one source file; the ``document`` key
is not part of the rule.  Each gold record matches at most one prediction and
vice versa: the pairs are a *maximum* bipartite matching, so the counts do not
depend on the order of the records (a greedy pass can miss pairs when one
prediction fits two gold records).  Among the maximum matchings, ties are
broken by how well a pair agrees beyond the rule (same document, exact rather
than prefix/fuzzy key, same evidence, same attributes); this only decides which
pairs the attribute accuracies are computed on, never how many pairs there are.

Conventions the README leaves open:

* A null or empty key never matches (two null titles are not "equal").
* ``doc_number`` / ``cited_doc_number`` are compared as written (the README
  asks for equality, not ``norm`` equality), after stripping outer whitespace.
* Units are compared with ``norm``; a unit made only of symbols (``%``,
  ``‰``), which ``norm`` empties, is compared after NFKC and whitespace
  removal instead, so ``％`` equals ``%`` but ``‰`` and a missing unit do not.
* Attribute accuracy on matched pairs: ``lead`` (responsibilities), ``kind``
  (citations), ``year`` and ``comparator`` (targets) compared as values;
  ``issuer``, ``doc_number``, ``region`` and ``date`` (documents) compared
  after ``norm`` (so ``2017-01-25`` equals ``2017-1-25`` only if written so:
  dates are ISO), a null equal only to a null.
* Numbers are equal when ``math.isclose`` (relative tolerance 1e-9).
* The Dice coefficient counts bigrams as a multiset; a string shorter than two
  characters has no bigrams and a Dice coefficient of 0.
* Precision, recall and F1 are micro-averaged.  A ratio whose denominator is 0
  is 0, except that a section with neither gold records nor predictions scores
  1.0 on all three (nothing to find, nothing found wrongly).  So F1 is 0 when
  nothing is predicted but gold is non-empty, and 0 when gold is empty but
  something is predicted.
* Predictions for a source without a gold file are not scored; their sources
  are listed in :attr:`EvalReport.unscored_sources`.
"""

from __future__ import annotations

import json
import math
import time
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import networkx as nx

from policykg.extract.model import ExtractionResult

__all__ = [
    "ATTRIBUTES",
    "SECTIONS",
    "AttributeScore",
    "EvalReport",
    "EvaluationError",
    "FactError",
    "SectionScore",
    "bigram_dice",
    "evaluate_corpus",
    "evaluate_records",
    "format_report",
    "gold_records",
    "load_gold",
    "norm",
]

Record = Mapping[str, Any]
Extractor = Callable[[list[Path]], Iterable[ExtractionResult]]

#: the four scored sections, in report order
SECTIONS: tuple[str, ...] = ("documents", "responsibilities", "citations", "targets")
#: record ``type`` -> section
_SECTION_OF_TYPE: dict[str, str] = {
    "document": "documents",
    "responsibility": "responsibilities",
    "citation": "citations",
    "target": "targets",
}
#: attributes whose accuracy is reported on matched pairs, per section
ATTRIBUTES: dict[str, tuple[str, ...]] = {
    "documents": ("issuer", "doc_number", "region", "date"),
    "responsibilities": ("lead",),
    "citations": ("kind",),
    "targets": ("year", "comparator"),
}
#: fields shown for a record in the error listing
_KEY_FIELDS: dict[str, tuple[str, ...]] = {
    "documents": ("key", "title", "doc_number", "region"),
    "responsibilities": ("document", "task_label", "task", "unit", "order", "lead"),
    "citations": ("document", "cited_title", "cited_doc_number", "kind"),
    "targets": ("document", "metric", "value", "value_max", "unit", "comparator", "year"),
}

_MIN_PREFIX = 6  # README: "the shorter has at least 6 characters"
_MIN_DICE = 0.5  # README: "Dice coefficient is at least 0.5"
#: components larger than this use Hopcroft–Karp (maximum, no tie-breaks)
_MAX_WEIGHTED_NODES = 400

# Tie-break weights between maximum matchings (lexicographic tiers: each tier
# outweighs every combination of the tiers below it).
_W_DOCUMENT = 1000  # the pair sits in documents that were matched to each other
_W_EXACT = 100  # exact key equality rather than prefix / containment / Dice
_W_EVIDENCE = 10  # the evidence strings agree
_W_ATTRIBUTE = 1  # per agreeing scored attribute (at most 4 < _W_EVIDENCE)


class EvaluationError(Exception):
    """The evaluation cannot run (no gold files, no corpus file for any gold file)."""


# --------------------------------------------------------------------------- #
# normalisation and similarity


@lru_cache(maxsize=65536)
def _norm_cached(s: str) -> str:
    s = unicodedata.normalize("NFKC", s)
    return "".join(ch for ch in s if not ch.isspace() and unicodedata.category(ch)[0] not in "PS")


def norm(s: object) -> str:
    """NFKC, then drop whitespace and every Unicode P* and S* character.

    ``None`` (or any non-string) normalises to the empty string, which never
    matches anything.
    """
    return _norm_cached(s) if isinstance(s, str) else ""


def _bigrams(s: str) -> Counter[str]:
    return Counter(s[i : i + 2] for i in range(len(s) - 1))


def bigram_dice(a: str, b: str) -> float:
    """Dice coefficient of the character-bigram multisets of ``a`` and ``b``.

    Parameters
    ----------
    a, b : str
        Strings to compare (normalise them first with :func:`norm`).

    Returns
    -------
    float
        ``2 |A ∩ B| / (|A| + |B|)``; 0.0 when neither string has a bigram.
    """
    ba, bb = _bigrams(a), _bigrams(b)
    total = sum(ba.values()) + sum(bb.values())
    if total == 0:
        return 0.0
    return 2 * sum((ba & bb).values()) / total


def _number(v: object) -> float | None:
    if isinstance(v, bool) or not isinstance(v, int | float):
        return None
    return float(v)


def _same_number(a: object, b: object) -> bool:
    x, y = _number(a), _number(b)
    return x is not None and y is not None and math.isclose(x, y, rel_tol=1e-9, abs_tol=1e-12)


def _number_key(v: object) -> float | None:
    x = _number(v)
    return None if x is None else round(x, 6)


def _doc_number(v: object) -> str:
    return v.strip() if isinstance(v, str) else ""


# --------------------------------------------------------------------------- #
# per-section match rules: (gold, pred) -> is it a match, and is it exact?


def _documents_match(g: Record, p: Record) -> tuple[bool, bool]:
    gt, pt = norm(g.get("title")), norm(p.get("title"))
    gn, pn = _doc_number(g.get("doc_number")), _doc_number(p.get("doc_number"))
    if gt and gt == pt:
        return True, bool(not gn or gn == pn)
    if gn and gn == pn:
        return True, False
    if not gt and not gn:
        gr = norm(g.get("region"))
        return bool(gr and gr == norm(p.get("region"))), False
    return False, False


def _tasks_agree(a: str, b: str) -> tuple[bool, bool]:
    if not a or not b:
        return False, False
    if a == b:
        return True, True
    short, long_ = (a, b) if len(a) <= len(b) else (b, a)
    return len(short) >= _MIN_PREFIX and long_.startswith(short), False


def _responsibilities_match(g: Record, p: Record) -> tuple[bool, bool]:
    gu = norm(g.get("unit"))
    if not gu or gu != norm(p.get("unit")):
        return False, False
    return _tasks_agree(norm(g.get("task")), norm(p.get("task")))


def _citations_match(g: Record, p: Record) -> tuple[bool, bool]:
    gt = norm(g.get("cited_title"))
    gn = _doc_number(g.get("cited_doc_number"))
    pn = _doc_number(p.get("cited_doc_number"))
    if g.get("cited_title") is not None:
        return bool(gt and gt == norm(p.get("cited_title"))), gn == pn
    return bool(gn and gn == pn), p.get("cited_title") is None


def _metrics_agree(a: str, b: str) -> tuple[bool, bool]:
    if not a or not b:
        return False, False
    if a == b:
        return True, True
    return (a in b or b in a or bigram_dice(a, b) >= _MIN_DICE), False


def _same_unit(a: object, b: object) -> bool:
    na, nb = norm(a), norm(b)
    if na or nb:
        return na == nb
    # Symbol-only units (%, ‰) normalise to "": compare them as written instead,
    # so that % and ％ agree but % and ‰ (or a missing unit) do not.
    if not isinstance(a, str) or not isinstance(b, str):
        return False
    sa = "".join(unicodedata.normalize("NFKC", a).split())
    return bool(sa) and sa == "".join(unicodedata.normalize("NFKC", b).split())


def _targets_match(g: Record, p: Record) -> tuple[bool, bool]:
    if not _same_number(g.get("value"), p.get("value")):
        return False, False
    gmax = g.get("value_max")
    if gmax is not None and not _same_number(gmax, p.get("value_max")):
        return False, False
    if not _same_unit(g.get("unit"), p.get("unit")):
        return False, False
    ok, exact = _metrics_agree(norm(g.get("metric")), norm(p.get("metric")))
    return ok, exact and (gmax is not None or p.get("value_max") is None)


_RULES: dict[str, Callable[[Record, Record], tuple[bool, bool]]] = {
    "documents": _documents_match,
    "responsibilities": _responsibilities_match,
    "citations": _citations_match,
    "targets": _targets_match,
}


def _candidates(section: str, gold: Sequence[Record], pred: Sequence[Record]) -> list[list[int]]:
    """For each gold record, the indices of predictions that may match it.

    An index on the field every match needs (unit, title, value+unit) keeps
    this linear in practice; the full rule is checked afterwards.
    """
    if section == "documents":  # a handful per file: all pairs
        return [list(range(len(pred))) for _ in gold]
    index: dict[object, list[int]] = defaultdict(list)
    if section == "responsibilities":
        for j, p in enumerate(pred):
            index[norm(p.get("unit"))].append(j)
        return [index.get(norm(g.get("unit")), []) for g in gold]
    if section == "citations":
        for j, p in enumerate(pred):
            index["t", norm(p.get("cited_title"))].append(j)
            index["n", _doc_number(p.get("cited_doc_number"))].append(j)
        return [
            index.get(("t", norm(g.get("cited_title"))), [])
            if g.get("cited_title") is not None
            else index.get(("n", _doc_number(g.get("cited_doc_number"))), [])
            for g in gold
        ]
    for j, p in enumerate(pred):
        index[_number_key(p.get("value")), norm(p.get("unit"))].append(j)
    return [index.get((_number_key(g.get("value")), norm(g.get("unit"))), []) for g in gold]


# --------------------------------------------------------------------------- #
# matching


#: attributes compared after :func:`norm` (names and dates as written may differ in
#: spacing, brackets and punctuation only); a null equals only a null
_NORM_ATTRIBUTES: dict[str, frozenset[str]] = {
    "documents": frozenset({"issuer", "doc_number", "region", "date"}),
}


def _same_attribute(section: str, attribute: str, g: Record, p: Record) -> bool:
    a, b = g.get(attribute), p.get(attribute)
    if attribute in _NORM_ATTRIBUTES.get(section, ()):
        if a is None or b is None:
            return a is None and b is None
        return norm(a) == norm(b)
    return bool(a == b)


def _attribute_agreement(section: str, g: Record, p: Record) -> int:
    return sum(_same_attribute(section, a, g, p) for a in ATTRIBUTES[section])


def _pair_weight(
    section: str, g: Record, p: Record, exact: bool, doc_map: Mapping[str, str]
) -> int:
    weight = _W_ATTRIBUTE * _attribute_agreement(section, g, p)
    if exact:
        weight += _W_EXACT
    ge, pe = norm(g.get("evidence")), norm(p.get("evidence"))
    if ge and pe and (ge in pe or pe in ge):
        weight += _W_EVIDENCE
    if section != "documents" and doc_map.get(str(p.get("document"))) == g.get("document"):
        weight += _W_DOCUMENT
    return weight


def _canonical(r: Record) -> str:
    return json.dumps(r, ensure_ascii=False, sort_keys=True, default=str)


def _match_section(
    section: str, gold: Sequence[Record], pred: Sequence[Record], doc_map: Mapping[str, str]
) -> list[tuple[int, int]]:
    """Maximum matching between ``gold`` and ``pred`` (indices), heaviest among maxima.

    The records are renumbered in a canonical order (sorted by their JSON
    form) before the graph is built, so the result does not depend on the
    order the caller passed them in.
    """
    rule = _RULES[section]
    g_order = sorted(range(len(gold)), key=lambda i: _canonical(gold[i]))
    p_order = sorted(range(len(pred)), key=lambda j: _canonical(pred[j]))
    p_rank = {j: r for r, j in enumerate(p_order)}
    candidates = _candidates(section, gold, pred)
    # nodes: ("g", rank) / ("p", rank), ranks in canonical order
    graph: nx.Graph = nx.Graph()
    for gi, i in enumerate(g_order):
        for j in sorted(candidates[i], key=p_rank.__getitem__):
            ok, exact = rule(gold[i], pred[j])
            if ok:
                w = _pair_weight(section, gold[i], pred[j], exact, doc_map)
                graph.add_edge(("g", gi), ("p", p_rank[j]), weight=w)
    pairs: list[tuple[int, int]] = []
    for component in nx.connected_components(graph):
        nodes = sorted(component)
        if len(nodes) == 2:  # the common case: one gold, one prediction
            pairs.append((nodes[0][1], nodes[1][1]))
            continue
        sub: nx.Graph = nx.Graph()
        sub.add_nodes_from(nodes)
        sub.add_weighted_edges_from(
            sorted((u, v, graph.edges[u, v]["weight"]) for u, v in graph.edges(nodes))
        )
        if len(nodes) <= _MAX_WEIGHTED_NODES:
            matching = nx.max_weight_matching(sub, maxcardinality=True)
        else:
            # Blossom is cubic; a huge ambiguous component (a degenerate
            # prediction set) still gets a maximum matching, without tie-breaks.
            gold_side = [n for n in nodes if n[0] == "g"]
            found = nx.bipartite.hopcroft_karp_matching(sub, top_nodes=gold_side)
            matching = {(u, v) for u, v in found.items() if u[0] == "g"}
        for u, v in matching:
            g_node, p_node = (u, v) if u[0] == "g" else (v, u)
            pairs.append((g_node[1], p_node[1]))
    return sorted((g_order[gi], p_order[pj]) for gi, pj in pairs)


# --------------------------------------------------------------------------- #
# scores


@dataclass(slots=True)
class AttributeScore:
    """Accuracy of one attribute on matched pairs."""

    correct: int = 0
    total: int = 0

    @property
    def accuracy(self) -> float | None:
        """``correct / total``; ``None`` when no pair was matched."""
        return self.correct / self.total if self.total else None

    def add(self, other: AttributeScore) -> None:
        self.correct += other.correct
        self.total += other.total

    def to_json(self) -> dict[str, Any]:
        return {"correct": self.correct, "total": self.total, "accuracy": self.accuracy}


def _ratio(num: int, den: int) -> float:
    return num / den if den else 0.0


@dataclass(slots=True)
class SectionScore:
    """Counts of one section (one file or micro-summed over files)."""

    tp: int = 0
    fp: int = 0
    fn: int = 0
    attributes: dict[str, AttributeScore] = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        """Neither gold records nor predictions."""
        return self.tp == self.fp == self.fn == 0

    @property
    def precision(self) -> float:
        return 1.0 if self.empty else _ratio(self.tp, self.tp + self.fp)

    @property
    def recall(self) -> float:
        return 1.0 if self.empty else _ratio(self.tp, self.tp + self.fn)

    @property
    def f1(self) -> float:
        if self.empty:
            return 1.0
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def add(self, other: SectionScore) -> None:
        self.tp += other.tp
        self.fp += other.fp
        self.fn += other.fn
        for name, score in other.attributes.items():
            self.attributes.setdefault(name, AttributeScore()).add(score)

    def to_json(self) -> dict[str, Any]:
        return {
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
            "precision": self.precision,
            "recall": self.recall,
            "f1": self.f1,
            "attributes": {k: v.to_json() for k, v in self.attributes.items()},
        }


@dataclass(frozen=True, slots=True)
class FactError:
    """A false positive, a false negative, or a matched pair with a wrong attribute."""

    kind: Literal["FP", "FN", "ATTR"]
    section: str
    source: str
    record: Mapping[str, Any]
    #: for "ATTR": the gold record it was matched to
    gold: Mapping[str, Any] | None = None
    #: for "ATTR": the attributes that differ
    attributes: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "kind": self.kind,
            "section": self.section,
            "source": self.source,
            "record": _brief(self.section, self.record),
        }
        if self.gold is not None:
            out["gold"] = _brief(self.section, self.gold)
            out["attributes"] = list(self.attributes)
        return out


def _brief(section: str, r: Mapping[str, Any]) -> dict[str, Any]:
    return {k: r.get(k) for k in (*_KEY_FIELDS[section], "evidence")}


@dataclass(slots=True)
class EvalReport:
    """Scores of one evaluation: totals, per-file scores and every error."""

    sections: dict[str, SectionScore]
    files: dict[str, dict[str, SectionScore]]
    errors: list[FactError]
    unscored_sources: list[str] = field(default_factory=list)
    #: wall-clock seconds spent extracting (``evaluate_corpus`` only)
    extract_seconds: float | None = None

    def f1(self, section: str) -> float:
        """Micro-averaged F1 of ``section`` (one of :data:`SECTIONS`)."""
        return self.sections[section].f1

    def accuracy(self, section: str, attribute: str) -> float | None:
        """Accuracy of ``attribute`` on the matched pairs of ``section``."""
        score = self.sections[section].attributes.get(attribute)
        return score.accuracy if score else None

    def to_json(self) -> dict[str, Any]:
        return {
            "sections": {k: v.to_json() for k, v in self.sections.items()},
            "files": {f: {k: v.to_json() for k, v in s.items()} for f, s in self.files.items()},
            "errors": [e.to_json() for e in self.errors],
            "unscored_sources": list(self.unscored_sources),
            "extract_seconds": self.extract_seconds,
        }


# --------------------------------------------------------------------------- #
# evaluation


def gold_records(gold: Mapping[str, Any], source: str | None = None) -> list[dict[str, Any]]:
    """A gold file as prediction-shaped records (``type`` and ``source`` added).

    Useful to score gold against itself, or to feed gold facts downstream.
    """
    src = source or str(gold.get("source", ""))
    out: list[dict[str, Any]] = []
    for type_, section in _SECTION_OF_TYPE.items():
        out += [{"type": type_, "source": src, **r} for r in gold.get(section, [])]
    return out


def _source_name(r: Record) -> str:
    # Sources are file names; tolerate a path in a prediction.
    return Path(str(r.get("source", ""))).name


def _score_file(
    source: str, gold: Mapping[str, Any], pred: Mapping[str, list[Record]]
) -> tuple[dict[str, SectionScore], list[FactError]]:
    scores: dict[str, SectionScore] = {}
    errors: list[FactError] = []
    doc_map: dict[str, str] = {}
    for section in SECTIONS:  # documents first: their pairs map keys for the rest
        g_recs: list[Record] = list(gold.get(section, []))
        p_recs = pred.get(section, [])
        pairs = _match_section(section, g_recs, p_recs, doc_map)
        if section == "documents":
            doc_map = {str(p_recs[j].get("key")): str(g_recs[i].get("key")) for i, j in pairs}
        score = SectionScore(
            tp=len(pairs), fp=len(p_recs) - len(pairs), fn=len(g_recs) - len(pairs)
        )
        score.attributes = {a: AttributeScore() for a in ATTRIBUTES[section]}
        for i, j in pairs:
            wrong = []
            for a in ATTRIBUTES[section]:
                ok = _same_attribute(section, a, g_recs[i], p_recs[j])
                score.attributes[a].correct += ok
                score.attributes[a].total += 1
                if not ok:
                    wrong.append(a)
            if wrong:
                errors.append(
                    FactError("ATTR", section, source, p_recs[j], g_recs[i], tuple(wrong))
                )
        matched_g = {i for i, _ in pairs}
        matched_p = {j for _, j in pairs}
        errors += [
            FactError("FN", section, source, g) for i, g in enumerate(g_recs) if i not in matched_g
        ]
        errors += [
            FactError("FP", section, source, p) for j, p in enumerate(p_recs) if j not in matched_p
        ]
        scores[section] = score
    return scores, errors


def evaluate_records(
    predictions: Iterable[Record], gold: Mapping[str, Mapping[str, Any]]
) -> EvalReport:
    """Score prediction records against gold files.

    Parameters
    ----------
    predictions : iterable of dict
        Records as produced by :meth:`ExtractionResult.records`: ``type``
        (document / responsibility / citation / target), ``source`` (file
        name) and the fields of the gold README.
    gold : mapping
        Source file name -> gold JSON (``documents``, ``responsibilities``,
        ``citations``, ``targets`` lists).

    Returns
    -------
    EvalReport
        Micro-averaged totals, per-file scores and every FP / FN / attribute error.

    Notes
    -----
    Pure: reads nothing, writes nothing.  See the module docstring for the
    matching rules and the conventions for empty sections.
    """
    by_source: dict[str, dict[str, list[Record]]] = defaultdict(lambda: defaultdict(list))
    unscored: set[str] = set()
    for r in predictions:
        section = _SECTION_OF_TYPE.get(str(r.get("type")))
        if section is None:
            continue
        src = _source_name(r)
        if src in gold:
            by_source[src][section].append(r)
        else:
            unscored.add(src)
    totals = {
        s: SectionScore(attributes={a: AttributeScore() for a in ATTRIBUTES[s]}) for s in SECTIONS
    }
    files: dict[str, dict[str, SectionScore]] = {}
    errors: list[FactError] = []
    for source in sorted(gold):
        scores, errs = _score_file(source, gold[source], by_source.get(source, {}))
        files[source] = scores
        errors += errs
        for s in SECTIONS:
            totals[s].add(scores[s])
    return EvalReport(totals, files, errors, sorted(unscored))


def load_gold(gold_dir: Path) -> dict[str, dict[str, Any]]:
    """Read every ``*.json`` gold file of ``gold_dir``, keyed by source file name."""
    out: dict[str, dict[str, Any]] = {}
    for path in sorted(gold_dir.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        out[str(data.get("source") or path.with_suffix(".txt").name)] = data
    return out


def evaluate_corpus(
    corpus_dir: Path, gold_dir: Path, extractor: Extractor | None = None
) -> EvalReport:
    """Extract the corpus files that have a gold file, then score them.

    Parameters
    ----------
    corpus_dir : Path
        Directory of source files (``*.txt``).
    gold_dir : Path
        Directory of gold JSON files, one per source file.
    extractor : callable, optional
        ``paths -> ExtractionResult``s; defaults to
        :func:`policykg.extract.pipeline.extract_paths`.

    Returns
    -------
    EvalReport

    Raises
    ------
    EvaluationError
        When ``gold_dir`` holds no gold file or none of them has its source in
        ``corpus_dir``.
    """
    gold = load_gold(gold_dir)
    if not gold:
        raise EvaluationError(f"no gold files (*.json) in {gold_dir}")
    present = {s: corpus_dir / s for s in gold if (corpus_dir / s).is_file()}
    if not present:
        raise EvaluationError(f"none of the {len(gold)} gold files has its source in {corpus_dir}")
    if extractor is None:
        from policykg.extract.pipeline import extract_paths

        extractor = extract_paths
    started = time.perf_counter()
    records = [r for res in extractor([present[s] for s in sorted(present)]) for r in res.records()]
    elapsed = time.perf_counter() - started
    report = evaluate_records(records, {s: gold[s] for s in present})
    report.extract_seconds = elapsed
    return report


# --------------------------------------------------------------------------- #
# text report


def _fmt(v: float | None) -> str:
    return "    -" if v is None else f"{v:5.3f}"


def _value_str(v: object) -> str:
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def _describe(section: str, r: Mapping[str, Any]) -> str:
    parts = []
    for k in _KEY_FIELDS[section]:
        v = r.get(k)
        if k == "value_max" and v is None:
            continue
        text = _value_str(v)
        if k == "task" and len(text) > 40:
            text = text[:40] + "…"
        parts.append(f"{k}={text}")
    return " ".join(parts)


def format_report(report: EvalReport, errors: bool = False) -> str:
    """A readable report: per-section P/R/F1, attribute accuracies, per-file F1.

    Parameters
    ----------
    report : EvalReport
    errors : bool
        Also list every false positive, false negative and attribute error
        with its file, key fields and evidence.

    Returns
    -------
    str
    """
    lines = [f"policykg eval: {len(report.files)} file(s)"]
    if report.extract_seconds is not None:
        lines[0] += f", extraction {report.extract_seconds:.2f} s"
    lines += ["", f"{'section':<18}{'P':>7}{'R':>7}{'F1':>7}{'TP':>7}{'FP':>6}{'FN':>6}"]
    for s in SECTIONS:
        sc = report.sections[s]
        lines.append(
            f"{s:<18}{sc.precision:7.3f}{sc.recall:7.3f}{sc.f1:7.3f}{sc.tp:7d}{sc.fp:6d}{sc.fn:6d}"
        )
    lines += ["", "attribute accuracy on matched pairs"]
    for s in SECTIONS:
        for a, score in report.sections[s].attributes.items():
            lines.append(f"  {s:<18}{a:<12}{_fmt(score.accuracy)}  ({score.correct}/{score.total})")
    lines += ["", "per file: F1 (TP/FP/FN)"]
    width = max([len("file"), *map(len, report.files)]) + 2
    lines.append(f"{'file':<{width}}" + "".join(f"{s:>22}" for s in SECTIONS))
    for source, scores in report.files.items():
        cells = "".join(
            f"{f'{sc.f1:.3f} ({sc.tp}/{sc.fp}/{sc.fn})':>22}"
            for sc in (scores[s] for s in SECTIONS)
        )
        lines.append(f"{source:<{width}}{cells}")
    if report.unscored_sources:
        lines += ["", "not scored (no gold file): " + ", ".join(report.unscored_sources)]
    if errors:
        lines += [
            "",
            f"errors ({len(report.errors)}): FP = false positive, "
            "FN = false negative, ATTR = matched with a wrong attribute",
        ]
        order = {s: n for n, s in enumerate(SECTIONS)}
        for e in sorted(report.errors, key=lambda e: (e.source, order[e.section], e.kind)):
            lines.append(
                f"{e.kind:<4} {e.section:<16} {e.source}  {_describe(e.section, e.record)}"
            )
            if e.gold is not None:
                diffs = ", ".join(
                    f"{a}: gold={e.gold.get(a)!r} predicted={e.record.get(a)!r}"
                    for a in e.attributes
                )
                lines.append(f"     {diffs}")
            lines.append(f"     evidence: {e.record.get('evidence')}")
    return "\n".join(lines)
