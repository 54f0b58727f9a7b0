"""The SKOS indicator scheme that target metrics are mapped to.

``data/indicators.json`` holds general indicators of Chinese policy plans
(patents per 10,000 people, trademarks, pledge financing, GDP growth, R&D
intensity, talent, business environment, digital government, health, trade
…).  Each concept has SKOS ``prefLabel``/``altLabels``, an optional
``broader`` group, and ``match`` keyword groups read against the normalised
metric text plus its unit, so that differently worded metrics of one
indicator (``每万人口有效发明专利数`` / ``万人发明专利数``) map to one
concept while a more specific one (高价值) stays separate.

Public API
----------
``Concept``, ``IndicatorScheme``
``load_scheme(path=None) -> IndicatorScheme`` (cached for the default file)
``match_indicator(metric, unit="") -> str | None``
    Concept id of the best-matching indicator, or None.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from policykg.extract.genre import norm

__all__ = ["Concept", "IndicatorScheme", "load_scheme", "match_indicator"]

_MEMO_SIZE = 16_384


@dataclass(frozen=True, slots=True)
class Concept:
    """One indicator: SKOS labels plus the keyword groups that recognise it."""

    id: str
    pref_label: dict[str, str]
    alt_labels: tuple[str, ...] = ()
    broader: str | None = None
    all_groups: tuple[tuple[str, ...], ...] = ()
    none_of: tuple[str, ...] = ()
    # derived in __post_init__: most concepts miss a metric, and one alternation
    # search per group rejects them in C instead of a Python loop over the words
    _none_re: re.Pattern[str] | None = field(init=False, repr=False, compare=False)
    _group_res: tuple[re.Pattern[str], ...] = field(init=False, repr=False, compare=False)
    _labels: frozenset[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        def alternation(words: tuple[str, ...]) -> re.Pattern[str]:
            # an empty group matches nothing (no word of it occurs)
            return re.compile("|".join(map(re.escape, words)) if words else "(?!)")

        object.__setattr__(self, "_none_re", alternation(self.none_of) if self.none_of else None)
        object.__setattr__(self, "_group_res", tuple(alternation(g) for g in self.all_groups))
        labels = (*self.pref_label.values(), *self.alt_labels)
        object.__setattr__(self, "_labels", frozenset(norm(label) for label in labels))

    def score(self, haystack: str) -> int:
        """Matched keyword length (0 when a group is missing or an excluded word occurs)."""
        if self._none_re is not None and self._none_re.search(haystack):
            return 0
        for group_re in self._group_res:
            if group_re.search(haystack) is None:
                return 0
        total = 0
        for group in self.all_groups:
            total += max(len(w) for w in group if w in haystack)
        if haystack.split("|", 1)[0] in self._labels:
            total += 100  # an exact label beats keyword evidence
        return total


@dataclass(slots=True)
class IndicatorScheme:
    """The concepts of the scheme, in file order (earlier wins ties)."""

    concepts: list[Concept]
    info: dict[str, Any] = field(default_factory=dict)
    groups: dict[str, dict[str, str]] = field(default_factory=dict)
    #: (metric, unit) -> concept id; metrics recur across a corpus and scoring every
    #: concept is a Python loop (cleared when full, so memory stays bounded)
    _memo: dict[tuple[str, str], str | None] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )
    #: a concept scores only if a word of its first keyword group occurs: the first
    #: one or two characters of each such word -> indices of the concepts it opens
    _openers: dict[str, list[int]] = field(init=False, repr=False, compare=False)
    #: concepts scored whatever the text (no keyword group, or an empty word)
    _always: list[int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._openers, self._always = {}, []
        for i, c in enumerate(self.concepts):
            if not c.all_groups or "" in c.all_groups[0]:
                self._always.append(i)
                continue
            for w in {w[:2] for w in c.all_groups[0]}:
                self._openers.setdefault(w, []).append(i)

    def _candidates(self, haystack: str) -> list[int]:
        """Indices, in file order, of the concepts that can score on ``haystack``."""
        found = set(self._always)
        openers = self._openers
        for k in range(len(haystack)):
            for key in (haystack[k], haystack[k : k + 2]):
                hit = openers.get(key)
                if hit is not None:
                    found.update(hit)
        return sorted(found)

    def match(self, metric: str, unit: str = "") -> str | None:
        """Id of the concept that best fits ``metric`` (with ``unit``), or None."""
        if not metric:
            return None
        key = (metric, unit)
        try:
            return self._memo[key]
        except KeyError:
            pass
        haystack = norm(metric) + "|" + unit
        best, best_score = None, 0
        for i in self._candidates(haystack):
            c = self.concepts[i]
            s = c.score(haystack)
            if s > best_score:
                best, best_score = c.id, s
        if len(self._memo) >= _MEMO_SIZE:
            self._memo.clear()
        self._memo[key] = best
        return best

    def by_id(self, concept_id: str) -> Concept | None:
        return next((c for c in self.concepts if c.id == concept_id), None)


def _parse(data: dict[str, Any]) -> IndicatorScheme:
    concepts = []
    for raw in data.get("concepts", []):
        m = raw.get("match", {})
        concepts.append(
            Concept(
                id=raw["id"],
                pref_label=dict(raw.get("prefLabel", {})),
                alt_labels=tuple(raw.get("altLabels", ())),
                broader=raw.get("broader"),
                all_groups=tuple(tuple(g) for g in m.get("all", ())),
                none_of=tuple(m.get("none", ())),
            )
        )
    return IndicatorScheme(concepts, dict(data.get("scheme", {})), dict(data.get("broader", {})))


@lru_cache(maxsize=1)
def _default_scheme() -> IndicatorScheme:
    ref = resources.files("policykg.extract").joinpath("data/indicators.json")
    return _parse(json.loads(ref.read_text(encoding="utf-8")))


def load_scheme(path: Path | None = None) -> IndicatorScheme:
    """The scheme in ``path`` (default: the packaged ``data/indicators.json``)."""
    if path is None:
        return _default_scheme()
    return _parse(json.loads(Path(path).read_text(encoding="utf-8")))


def match_indicator(metric: str, unit: str = "") -> str | None:
    """Concept id for ``metric`` in the default scheme, or None."""
    return _default_scheme().match(metric, unit)
