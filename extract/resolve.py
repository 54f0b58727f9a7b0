"""Entity resolution: one department, region or cited document, one node.

Responsibility units are written in many ways (``市发改委`` / ``市发展改革委`` /
``市发展和改革委员会``; ``科技厅`` in a provincial plan; ``某某市人民政府``), regions by
full or short names, cited documents by 文号 with 〔〕/（）/() variants.  This module
turns each written form into a canonical key without touching the surface form,
which the gold scorer compares and which becomes a SKOS label downstream.

Data (all offline):

* ``data/government_bodies.json`` — curated table of standard names and
  abbreviations of government bodies per administrative level (see its ``about``).
* ``data/province_abbreviations.tsv`` — province-level divisions with GB/T 2260
  codes and their one-character 简称 (used for 文号 prefixes).
* ``data/city_abbreviations.tsv`` — 文号 简称 of cities that differ from their
  first character (穗 广州, 甬 宁波, 宁 南京 …); a 简称 shared with a province is
  decided by the citing document's province, else left unknown.
* The GB/T 2260 division table shipped inside the ``jionlp`` distribution
  (``jionlp/dictionary/china_location.zip``).  It is read directly with
  :mod:`zipfile` — importing ``jionlp`` itself costs ~0.5 s and prints a banner —
  lazily on first use and cached.  Without ``jionlp`` installed, only the
  province-level divisions from the TSV are known.

The spaCy component ``policykg_resolve`` runs last and fills
``DocumentRecord.region_code`` (and ``region``/``region_level`` when missing),
``ResponsibilityRecord.unit_canonical``/``unit_region`` (and ``unit_region_code``/``unit_kind``),
``CitationRecord.cited_level`` and ``TargetRecord.region`` when missing.  Units
resolve against the document's :class:`Region` itself, not its name: ``鼓楼区``
names four counties, and a name shared by several divisions is written with its
city in canonical names (``南京市鼓楼区发展和改革局``, see :func:`region_label`).
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import re
import unicodedata
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache, lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from spacy.language import Language
from spacy.tokens import Doc

from policykg.extract import doc_attrs
from policykg.extract.genre import doc_text
from policykg.extract.model import DocumentRecord

__all__ = [
    "BodyTableError",
    "CitedLevel",
    "DivisionTableError",
    "Region",
    "RegionLevel",
    "ResolveEntities",
    "ResolvedUnit",
    "UnitKind",
    "canonical_key",
    "infer_level",
    "is_division_name",
    "normalize_doc_number",
    "normalize_name",
    "normalize_title",
    "region_by_code",
    "region_label",
    "region_of_text",
    "resolve_region",
    "resolve_unit",
]

RegionLevel = Literal["province", "city", "county"]
CitedLevel = Literal["national", "provincial", "city", "county"]
UnitKind = Literal[
    "government",
    "party",
    "court",
    "procuratorate",
    "mass_organisation",
    "regulator",
    "zone",
    "collective",
    "university",
    "research",
    "company",
    "association",
    "organisation",
]

_LEVELS: tuple[RegionLevel, ...] = ("province", "city", "county")
_LEVEL_RANK = {"province": 0, "city": 1, "county": 2}


class DivisionTableError(RuntimeError):
    """The division table shipped by jionlp exists but cannot be read."""


# --------------------------------------------------------------------------- #
# Text normalisation
# --------------------------------------------------------------------------- #

_SPACE_RE = re.compile(r"[\s\u3000\u00a0\u200b\ufeff]+")
_OPEN_BRACKETS = "([［【〖｛{〔"
_CLOSE_BRACKETS = ")]］】〗｝}〕"
_YEAR_BRACKET_RE = re.compile(
    "[" + re.escape(_OPEN_BRACKETS) + r"]((?:19|20)\d{2})[" + re.escape(_CLOSE_BRACKETS) + "]"
)
_DASH_RE = re.compile("[\u2010-\u2015\u2212\u2500\u2501\uff0d\ufe58\ufe63~\u301c\uff5e]")
_QUOTE_RE = re.compile("[《》〈〉<>\u300c\u300d\u300e\u300f\"'\u2018\u2019\u201c\u201d]")


def normalize_name(text: str) -> str:
    """NFKC, no whitespace, ASCII parentheses: the form names are matched in."""
    s = unicodedata.normalize("NFKC", text)
    s = _SPACE_RE.sub("", s)
    return s.replace("〔", "(").replace("〕", ")").replace("[", "(").replace("]", ")")


def normalize_doc_number(s: str) -> str:
    """Normalise a 文号 for matching: ``川府发(2016)7号`` → ``川府发〔2016〕7号``.

    Full/half width (NFKC), whitespace dropped, any bracket pair around a year
    becomes 〔YYYY〕, ``第`` and leading zeros before the serial number are
    dropped, dashes (—, –, －) become ``-`` (standards: ``GB/T 19001—2016``).
    """
    t = unicodedata.normalize("NFKC", s)
    t = _SPACE_RE.sub("", t)
    t = _YEAR_BRACKET_RE.sub(r"〔\1〕", t)
    t = re.sub(r"〕第?0*(\d)", r"〕\1", t)
    return _DASH_RE.sub("-", t)


def normalize_title(s: str) -> str:
    """Normalise a document title for matching.

    NFKC, whitespace and quotation marks (《》〈〉“”…) dropped, brackets made
    ASCII, dashes unified, a final 。 dropped.  Markers such as ``(试行)`` stay:
    they distinguish documents.
    """
    t = normalize_name(s)
    t = _QUOTE_RE.sub("", t)
    t = _DASH_RE.sub("-", t)
    return t.rstrip("。.")


# --------------------------------------------------------------------------- #
# Regions (GB/T 2260)
# --------------------------------------------------------------------------- #


@dataclass(frozen=True, slots=True)
class Region:
    """An administrative division with its GB/T 2260 code."""

    name: str
    code: str | None
    level: RegionLevel
    short: str
    parent_code: str | None = None
    province: str | None = None
    province_code: str | None = None

    @property
    def is_municipality(self) -> bool:
        """Province-level city (北京/天津/上海/重庆): its bodies use city names."""
        return self.level == "province" and self.name.endswith("市")


@dataclass(frozen=True, slots=True)
class _ProvinceRow:
    code: str
    name: str
    short: str
    abbreviations: tuple[str, ...]


@cache
def _provinces() -> tuple[_ProvinceRow, ...]:
    text = resources.files("policykg.extract").joinpath("data/province_abbreviations.tsv")
    rows: list[_ProvinceRow] = []
    for line in text.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        code, name, short, abbrs = line.split("\t")
        rows.append(_ProvinceRow(code, name, short, tuple(a for a in abbrs.split(",") if a)))
    return tuple(rows)


@cache
def _province_abbreviations() -> dict[str, _ProvinceRow]:
    """简称 → province, longest first when iterated."""
    out: dict[str, _ProvinceRow] = {}
    for row in _provinces():
        for a in row.abbreviations:
            out.setdefault(a, row)
    return dict(sorted(out.items(), key=lambda kv: -len(kv[0])))


def _division_zip() -> Path | None:
    """Path of jionlp's division table, found without importing jionlp."""
    spec = importlib.util.find_spec("jionlp")
    if spec is None or not spec.submodule_search_locations:
        return None
    for root in spec.submodule_search_locations:
        p = Path(root) / "dictionary" / "china_location.zip"
        if p.is_file():
            return p
    return None


# one division per line, indented by level: "name<TAB>code<TAB>short[/alt]"
_DIVISION_LINE_RE = re.compile(r"^(\t{0,2})([^\t\r\n]+)\t(\d{6})\t?([^\t\r\n]*)\r?$", re.M)
# pseudo-divisions grouping county-level units directly under a province
_PSEUDO_DIVISIONS = ("省直辖", "自治区直辖", "市辖区", "县")


@dataclass(slots=True)
class _Divisions:
    by_code: dict[str, Region] = field(default_factory=dict)
    by_name: dict[str, list[Region]] = field(default_factory=dict)
    by_short: dict[str, list[Region]] = field(default_factory=dict)
    children: dict[str, list[Region]] = field(default_factory=dict)
    max_len: int = 0

    def add(self, region: Region, shorts: Iterable[str] = ()) -> None:
        assert region.code is not None
        self.by_code[region.code] = region
        self.by_name.setdefault(region.name, []).append(region)
        for s in {region.short, *shorts}:
            if s and s != region.name:
                self.by_short.setdefault(s, []).append(region)
        if region.parent_code:
            self.children.setdefault(region.parent_code, []).append(region)
        self.max_len = max(self.max_len, len(region.name))


@cache
def _divisions() -> _Divisions:
    table = _Divisions()
    path = _division_zip()
    rows: list[tuple[int, str, str, str]] = []
    if path is not None:
        try:
            with zipfile.ZipFile(path) as zf:
                data = zf.read(zf.namelist()[0]).decode("utf-8")
        except (OSError, zipfile.BadZipFile, KeyError, UnicodeDecodeError) as exc:
            raise DivisionTableError(f"cannot read division table {path}: {exc}") from exc
        rows = [(len(m[0]), m[1], m[2], m[3]) for m in _DIVISION_LINE_RE.findall(data)]
    if not rows:  # fallback: province level only, from our own TSV
        rows = [(0, p.name, p.code, p.short) for p in _provinces()]
    province: Region | None = None
    city: Region | None = None
    for depth, name, code, short in rows:
        shorts = [s for s in short.split("/") if s]
        if depth == 0:
            province = Region(
                name, code, "province", shorts[0] if shorts else name, None, name, code
            )
            city = None
            table.add(province, shorts)
        elif depth == 1 and province is not None:
            if code == province.code or name.startswith(_PSEUDO_DIVISIONS):
                city = None  # municipality's own row, or a pseudo grouping
                continue
            city = Region(
                name,
                code,
                "city",
                shorts[0] if shorts else name,
                province.code,
                province.name,
                province.code,
            )
            extra = list(shorts)
            if name.endswith("自治州") and shorts:
                extra.append(shorts[0] + "州")  # 甘孜州, 延边州 …
            table.add(city, extra)
        elif depth == 2 and province is not None:
            parent = city.code if city is not None else province.code
            if code == parent or name.endswith("直辖行政区划"):
                continue  # a city without counties lists itself again (东莞, 中山, 儋州 …)
            table.add(
                Region(
                    name,
                    code,
                    "county",
                    shorts[0] if shorts else name,
                    parent,
                    province.name,
                    province.code,
                ),
                shorts,
            )
    if path is not None:
        _add_former_names(table, path.with_name("china_location_change.txt"))
    # autonomous-prefecture short forms (甘孜州) are names people write in full
    for s, regions in list(table.by_short.items()):
        if s.endswith("州") and any(r.name.endswith("自治州") for r in regions):
            table.by_name.setdefault(s, []).extend(r for r in regions if r.name.endswith("自治州"))
    return table


def _add_former_names(table: _Divisions, path: Path) -> None:
    """Names before a renaming (襄樊市 → 襄阳市) resolve to today's division.

    jionlp's change list has lines ``date, approval, old province, short, old
    city, short[, old county, short]=>new province, new city[, new county]``.
    Older policy documents use the old names, so they are kept as names of the
    current division; a former name that is still in use elsewhere is skipped.
    """
    if not path.is_file():
        return
    for line in path.read_text(encoding="utf-8").splitlines():
        old, sep, new = line.partition("=>")
        if not sep:
            continue
        old_fields = old.split("\t")[2:]
        new_names = [n for n in new.strip().split("\t") if n]
        if len(old_fields) < 2 or not new_names:
            continue
        old_name, old_short = old_fields[-2], old_fields[-1]
        current = table.by_name.get(new_names[-1], [])
        if new_names[0] in table.by_name:
            province = table.by_name[new_names[0]][0]
            current = [r for r in current if r.province_code == province.code]
        if len(current) != 1 or old_name in table.by_name:
            continue
        table.by_name[old_name] = [current[0]]
        if old_short and old_short not in table.by_short and old_short != old_name:
            table.by_short[old_short] = [current[0]]


def _pick(candidates: list[Region], within: Region | None) -> Region | None:
    """Most plausible region among same-named ones (higher level first)."""
    if within is not None and within.code:
        inside = [r for r in candidates if _is_within(r, within)]
        if inside:
            candidates = inside
    if not candidates:
        return None
    best = min(_LEVEL_RANK[r.level] for r in candidates)
    top = [r for r in candidates if _LEVEL_RANK[r.level] == best]
    return top[0] if len(top) == 1 else None


def _is_within(region: Region, ancestor: Region) -> bool:
    if region.code == ancestor.code:
        return True
    parent = region.parent_code
    table = _divisions()
    while parent:
        if parent == ancestor.code:
            return True
        up = table.by_code.get(parent)
        parent = up.parent_code if up else None
    return False


_LEVEL_SUFFIXES: tuple[tuple[str, tuple[RegionLevel, ...]], ...] = (
    ("特别行政区", ("province",)),
    ("自治区", ("province",)),
    ("自治州", ("city",)),
    ("自治县", ("county",)),
    ("自治旗", ("county",)),
    ("地区", ("city",)),
    ("省", ("province",)),
    ("市", ("province", "city", "county")),
    ("州", ("city",)),
    ("盟", ("city",)),
    ("县", ("county",)),
    ("区", ("county",)),
    ("旗", ("county",)),
)


def resolve_region(name: str, within: Region | None = None) -> Region | None:
    """The division a full or short name denotes, with its GB/T 2260 code.

    Parameters
    ----------
    name : str
        ``洛阳市``, ``洛阳``, ``甘孜州``, ``锡林郭勒盟``, ``四川``, ``北京`` …
    within : Region, optional
        Prefer divisions inside this one (for county names used in several
        provinces).

    Returns
    -------
    Region or None
        ``None`` when the name is unknown or ambiguous.

    Notes
    -----
    A short name shared by several levels resolves to the highest one
    (``吉林`` → 吉林省); write ``吉林市`` for the city.
    """
    n = normalize_name(name)
    if not n:
        return None
    table = _divisions()
    if n in table.by_name:
        return _pick(table.by_name[n], within)
    if n in table.by_short:
        return _pick(table.by_short[n], within)
    for suffix, levels in _LEVEL_SUFFIXES:
        if n.endswith(suffix) and len(n) > len(suffix):
            cands = [r for r in table.by_short.get(n[: -len(suffix)], []) if r.level in levels]
            if cands:
                return _pick(cands, within)
    return None


def is_division_name(name: str) -> bool:
    """Whether ``name`` is the full name of a division in the table (``城关区``, ``晋江市``).

    Place names are proper names that no suffix rule can tell from words
    (``城关区`` starts like ``城区``); the table confirms them.
    """
    return normalize_name(name) in _divisions().by_name


def _parent(region: Region) -> Region | None:
    return _divisions().by_code.get(region.parent_code) if region.parent_code else None


def _province_of(region: Region) -> Region | None:
    if region.level == "province":
        return region
    return _divisions().by_code.get(region.province_code) if region.province_code else None


def region_by_code(code: str | None) -> Region | None:
    """The division with this GB/T 2260 code, or ``None`` when the table lacks it."""
    return _divisions().by_code.get(code) if code else None


@cache
def region_label(region: Region) -> str:
    """The name that identifies a division on its own: ``南京市鼓楼区`` for a 鼓楼区.

    Names shared by several divisions (鼓楼区, 朝阳区, 永定区 …) are prefixed with
    the parent's label; unique names are returned as they are.
    """
    if region.code is None:
        return region.name
    same = {r.code for r in _divisions().by_name.get(region.name, ())}
    if len(same) <= 1:
        return region.name
    parent = _parent(region)
    if parent is None or parent.code == region.code:
        return region.name
    return region_label(parent) + region.name


@cache
def _scan_names() -> tuple[dict[str, list[Region]], dict[str, list[Region]], int]:
    """Names searched in running text: full names (counties ≥ 3 chars) and short names
    of provinces and prefectures (short names only where a region chain may start)."""
    table = _divisions()
    full = {
        n: rs
        for n, rs in table.by_name.items()
        if len(n) >= 3 or any(r.level != "county" for r in rs)
    }
    short: dict[str, list[Region]] = {}
    for s, rs in table.by_short.items():
        keep = [r for r in rs if r.level != "county"]
        if keep and len(s) >= 2:
            short[s] = keep
    return full, short, max(table.max_len, 2)


def _pick_near(candidates: list[Region], near: Region | None) -> Region | None:
    """Like :func:`_pick` without a bound; a name shared by several divisions
    (鼓楼区) goes to the one closest to ``near`` (same city, then same province)."""
    picked = _pick(candidates, None)
    if picked is not None or near is None or near.code is None:
        return picked
    for anchor in (near, _parent(near), _province_of(near)):
        if anchor is None:
            continue
        inside = [r for r in candidates if _is_within(r, anchor)]
        if inside:
            return _pick(inside, None)
    return None


def _match_at(
    text: str,
    i: int,
    allow_short: bool,
    within: Region | None,
    near: Region | None = None,
) -> tuple[Region, int] | None:
    full, short, max_len = _scan_names()
    for n in range(min(max_len, len(text) - i), 1, -1):
        piece = text[i : i + n]
        cands = full.get(piece)
        if cands is None and allow_short:
            cands = short.get(piece)
        if cands:
            picked = _pick(cands, within) if within is not None else _pick_near(cands, near)
            if picked is None and within is None:
                return None  # ambiguous full name (several 朝阳区): no guess
            if picked is not None and (within is None or _is_within(picked, within)):
                return picked, i + n
            if picked is not None and within is not None:
                return None
    return None


def _region_chain(
    text: str, start: int, allow_short: bool, near: Region | None = None
) -> tuple[Region, int] | None:
    """Longest chain of nested region names at ``start`` (浙江省温州市 → 温州市).

    ``near`` (the document's region) decides between divisions of the same
    name (鼓楼区 in a 南京 document is 南京's).
    """
    first = _match_at(text, start, allow_short, None, near)
    if first is None:
        return None
    region, end = first
    while end < len(text):
        nxt = _match_at(text, end, True, region)
        if nxt is None or nxt[0].code == region.code:
            break
        region, end = nxt
    return region, end


def region_of_text(text: str) -> Region | None:
    """The governing region named in a title or issuer (the first one, most specific).

    ``浙江省温州市人民政府办公室`` → 温州市; ``内蒙古自治区人民政府关于…`` → 内蒙古自治区.
    Full names are found anywhere; short names (``大连``) only at the start or
    right after another region name, because two-character short names are
    often ordinary words elsewhere.
    """
    t = normalize_name(text)
    for i in range(len(t)):
        hit = _region_chain(t, i, allow_short=(i == 0))
        if hit is not None:
            return hit[0]
    return None


# --------------------------------------------------------------------------- #
# Government bodies
# --------------------------------------------------------------------------- #


@dataclass(frozen=True, slots=True)
class _Body:
    id: str
    kind: UnitKind
    templates: dict[str, str]
    national: str | None
    successor: str | None
    note: str | None


@dataclass(frozen=True, slots=True)
class _BodyTable:
    bodies: dict[str, _Body]
    #: name written without region → (body id, level the name implies)
    aliases: dict[str, tuple[str, RegionLevel | None]]
    #: national names → body id
    national: dict[str, str]
    #: names that denote another body after a relative prefix (市金融监管局) → body id
    relative: dict[str, str] = field(default_factory=dict)


class BodyTableError(ValueError):
    """The curated government-body table is inconsistent."""


@cache
def _body_table() -> _BodyTable:
    raw: dict[str, Any] = json.loads(
        resources.files("policykg.extract")
        .joinpath("data/government_bodies.json")
        .read_text(encoding="utf-8")
    )
    bodies: dict[str, _Body] = {}
    aliases: dict[str, tuple[str, RegionLevel | None]] = {}
    national: dict[str, str] = {}
    for entry in raw["bodies"]:
        bid: str = entry["id"]
        canonical = entry["canonical"]
        templates = (
            {lvl: canonical for lvl in _LEVELS} if isinstance(canonical, str) else dict(canonical)
        )
        for lvl in _LEVELS:
            templates.setdefault(lvl, templates.get("city") or next(iter(templates.values())))
        nat: list[str] = entry.get("national", [])
        bodies[bid] = _Body(
            bid,
            entry["kind"],
            templates,
            nat[0] if nat else None,
            entry.get("successor"),
            entry.get("note"),
        )
        names = [s + x for s in entry.get("stems", []) for x in entry.get("suffixes", [])]
        names += entry.get("aliases", [])
        for written in names:
            alias, _, lvl = written.partition("@")
            level: RegionLevel | None = lvl or ("province" if alias.endswith("厅") else None)
            prev = aliases.get(alias)
            if prev is not None and prev[0] != bid:
                raise BodyTableError(f"alias {alias!r} names both {prev[0]} and {bid}")
            aliases[alias] = (bid, level)
        for n in nat:
            if national.get(n, bid) != bid:
                raise BodyTableError(f"national name {n!r} names two bodies")
            national[n] = bid
    for b in bodies.values():
        if b.successor and b.successor not in bodies:
            raise BodyTableError(f"{b.id}: unknown successor {b.successor!r}")
    relative: dict[str, str] = dict(raw.get("relative", {}).get("names", {}))
    for name, bid in relative.items():
        if bid not in bodies:
            raise BodyTableError(f"relative name {name!r}: unknown body {bid!r}")
    return _BodyTable(bodies, aliases, national, relative)


@dataclass(frozen=True, slots=True)
class ResolvedUnit:
    """A responsible unit after resolution.

    ``canonical`` + ``region`` identify the entity; ``labels`` are the surface
    forms seen for it (the written one first).
    """

    canonical: str
    region: str | None
    kind: UnitKind
    labels: tuple[str, ...]
    #: id in the curated body table, when the unit is a known body type
    body: str | None = None
    region_code: str | None = None
    #: administrative level of the body ("national" for central bodies)
    level: str | None = None
    #: canonical names of the other bodies in a combined name 市科技局(市知识产权局)
    also: tuple[str, ...] = ()
    #: canonical name of the body that took over after a merger (工商局 → 市场监督管理局)
    successor: str | None = None
    note: str | None = None

    @property
    def key(self) -> str:
        """Stable ASCII key: ``<region code>-<body id>``, else a hash of the canonical name."""
        if self.body is not None and (self.region_code or self.level == "national"):
            return f"{self.region_code or 'cn'}-{self.body.replace('_', '-')}"
        digest = hashlib.sha1(self.canonical.encode("utf-8")).hexdigest()[:12]
        return f"{self.region_code or 'x'}-{self.kind}-{digest}"


_RELATIVE_PREFIXES: tuple[tuple[str, RegionLevel], ...] = (
    ("自治区", "province"),
    ("省", "province"),
    ("市", "city"),
    ("州", "city"),
    ("盟", "city"),
    ("县", "county"),
    ("区", "county"),
    ("旗", "county"),
)
# national/vertical prefixes written before a region: 国家税务总局四川省税务局
_VERTICAL_PREFIXES = (
    "中国共产党",
    "中共",
    "国家税务总局",
    "国家金融监督管理总局",
    "中国银行保险监督管理委员会",
    "中国银行业监督管理委员会",
    "中国银保监会",
    "中国银监会",
    "中国证券监督管理委员会",
    "中国证监会",
    "中国国际贸易促进委员会",
    "共青团",
)
_YOUTH_LEAGUE_RE = re.compile(r"^(?:共青团(.+?)委(?:员会)?|(?:共青)?团([省市县区州旗])委)$")
_PBOC_RE = re.compile(r"^(?:中国人民银行|人民银行|人行)(.+?)(分行|营业管理部|市?中心支行|支行)$")
_COMBINED_RE = re.compile(r"^(.+?)\((.+)\)$")

_UNIVERSITY_RE = re.compile(r"(大学|学院|工大|师大|农大|医大|科大|理工|职院|高等专科学校|高校)$")
_RESEARCH_RE = re.compile(
    r"(科学院|工程院|社会科学院|研究院|研究所|研究中心|设计院|实验室|党校|行政学院)$"
)
_FALLBACK_KINDS: tuple[tuple[re.Pattern[str], UnitKind], ...] = (
    (re.compile(r"(法院|法庭)$"), "court"),
    (re.compile(r"检察院$"), "procuratorate"),
    (re.compile(r"(公司|集团|银行|分行|支行|营业部|企业)$"), "company"),
    (re.compile(r"(协会|学会|商会|联合会|联盟|促进会|研究会|基金会)$"), "association"),
    (re.compile(r"(开发区|高新区|园区|新区|试验区|示范区|保税区)$"), "zone"),
    (
        re.compile(r"(局|委|厅|办|办公室|委员会|署|部|政府|领导小组|小组|管委会|工作组)$"),
        "government",
    ),
)


def _fill(template: str, region: Region | None, fallback_prefix: str) -> str:
    if "{" not in template:
        template = "{region}" + template
    if region is None:
        return template.format(region=fallback_prefix, short=fallback_prefix)
    short = region.short or region.name
    return template.format(region=region_label(region), short=short)


def _ancestor_at(ctx: Region | None, level: RegionLevel) -> Region | None:
    """The region a relative prefix (省/市/县) refers to from a document of ``ctx``."""
    if ctx is None:
        return None
    if level == "province":
        return _province_of(ctx)
    if level == "city":
        if ctx.level == "city" or ctx.is_municipality:
            return ctx
        if ctx.level == "county":
            if ctx.name.endswith("市"):  # a county-level city calls itself 市
                return ctx
            up = _parent(ctx)
            return up if up is not None and up.level == "city" else None
        return None
    return ctx if ctx.level == "county" else None


def _template_level(
    region: Region | None, implied: RegionLevel | None, fallback: RegionLevel
) -> str:
    if implied is not None:
        return implied
    if region is None:
        return fallback
    if region.is_municipality:
        return "city"  # 北京市科学技术局, not …厅
    return region.level


def _context(region: Region | str | None, region_level: str | None) -> Region | None:
    if isinstance(region, Region):
        return region
    if not region:
        return None
    found = resolve_region(region)
    if found is not None:
        return found
    level: RegionLevel = region_level if region_level in _LEVELS else "city"
    return Region(normalize_name(region), None, level, normalize_name(region))


def _match_body(rest: str) -> tuple[str, RegionLevel | None] | None:
    """Alias lookup for a name with its region removed; handles 委/党委 before party organs."""
    table = _body_table()
    hit = table.aliases.get(rest)
    if hit is not None and (len(rest) > 1 or rest == "委"):
        return hit
    for marker in ("党委", "委"):
        if rest.startswith(marker) and len(rest) > len(marker):
            inner = table.aliases.get(rest[len(marker) :])
            if inner is not None and table.bodies[inner[0]].kind == "party":
                return inner
    for marker in ("人民政府", "政府"):
        # 市政府国资委, 县政府金融办: a government department named with its government
        if rest.startswith(marker) and len(rest) > len(marker) + 1:
            inner = table.aliases.get(rest[len(marker) :])
            if (
                inner is not None
                and inner[0] not in ("people_government", "government_office")
                and table.bodies[inner[0]].kind == "government"
            ):
                return inner
    return None


def _truncated_match(rest: str) -> tuple[str, RegionLevel | None] | None:
    """A name cut short (``知识产权`` for 知识产权局): unique alias it begins."""
    if len(rest) < 4:
        return None
    hits = {
        v[0]: v
        for a, v in _body_table().aliases.items()
        if a.startswith(rest) and len(a) > len(rest)
    }
    return next(iter(hits.values())) if len(hits) == 1 else None


def _county_by_abbreviation(rest: str, ctx: Region | None) -> Region | None:
    """``X蒙县`` style abbreviations of a county inside the document's city."""
    if ctx is None or ctx.code is None or ctx.level != "city" or len(rest) < 2:
        return None
    if rest[-1] not in "县区市旗":
        return None
    head = rest[:-1]
    found: list[Region] = []
    for child in _divisions().children.get(ctx.code, []):
        if child.name[-1] != rest[-1] or child.name[0] != head[0]:
            continue
        it = iter(child.name[:-1])
        if all(ch in it for ch in head):
            found.append(child)
    return found[0] if len(found) == 1 else None


def _build(
    surface: str,
    body: _Body,
    region: Region | None,
    level: str,
    prefix: str,
) -> ResolvedUnit:
    table = _body_table()
    successor = table.bodies[body.successor] if body.successor else None
    tmpl_level = level if level in body.templates else "city"
    return ResolvedUnit(
        canonical=_fill(body.templates[tmpl_level], region, prefix),
        region=region.name if region else None,
        kind=body.kind,
        labels=(surface,),
        body=body.id,
        region_code=region.code if region else None,
        level=level,
        successor=_successor_name(successor, tmpl_level, region, prefix),
        note=body.note,
    )


def _successor_name(
    successor: _Body | None, level: str, region: Region | None, prefix: str
) -> str | None:
    if successor is None:
        return None
    template = successor.templates[level]
    if "{short}" in template and region is not None and region.level == "province":
        return None  # e.g. customs districts are named after cities, not provinces
    return _fill(template, region, prefix)


def _resolve_body(surface: str, text: str, ctx: Region | None) -> ResolvedUnit | None:
    table = _body_table()
    if text in table.national:
        body = table.bodies[table.national[text]]
        assert body.national is not None
        return ResolvedUnit(
            body.national,
            None,
            body.kind,
            (surface,),
            body=body.id,
            level="national",
            note=body.note,
        )
    m = _YOUTH_LEAGUE_RE.match(text)
    if m:  # 团市委 → 市团委, 共青团X市委 → X市团委
        text = (m.group(1) or m.group(2)) + "团委"
    m = _PBOC_RE.match(text)
    if m:  # 人行X分行 → X + 人行分行, so the region is found as a prefix
        suffix = {"分行": "分行", "营业管理部": "分行"}.get(m.group(2), m.group(2).lstrip("市"))
        text = m.group(1) + "人行" + suffix
    for vp in _VERTICAL_PREFIXES:
        if text.startswith(vp) and len(text) > len(vp):
            text = text[len(vp) :]
            break

    # 1. bare name: 科技局, 公安厅, 市场监管局 (before relative prefixes: 市场… is not 市+场…)
    hit = _match_body(text)
    if hit is not None:
        bid, implied = hit
        region = _ancestor_at(ctx, implied) if implied else ctx
        if implied == "province" and region is None and ctx is not None:
            region = _province_of(ctx)
        lvl = _template_level(region, implied, "city")
        return _build(
            surface, table.bodies[bid], region, lvl, "省" if implied == "province" else ""
        )

    # 2. explicit region: 四川省科技厅, 大连海关, 浙江省温州市人民政府办公室
    chain = _region_chain(text, 0, allow_short=True, near=ctx)
    if chain is not None:
        region, end = chain
        rest = text[end:]
        if not rest:  # a division named alone (某县) stands for its government
            return _build(surface, table.bodies["people_government"], region, region.level, "")
        hit = _match_body(rest) or _truncated_match(rest)
        if hit is not None:
            bid, implied = hit
            return _build(
                surface, table.bodies[bid], region, _template_level(region, implied, "city"), ""
            )
        return _fallback(surface, region_label(region) + rest, region, rest)

    # 3. relative prefix: 市科技局, 省委宣传部, 县人社局
    for prefix, level in _RELATIVE_PREFIXES:
        if not text.startswith(prefix) or len(text) == len(prefix):
            continue
        rest = text[len(prefix) :]
        own = table.relative.get(rest)
        hit = (own, None) if own else (_match_body(rest) or _truncated_match(rest))
        if hit is None:
            continue
        bid, implied = hit
        region = _ancestor_at(ctx, level)
        lvl = implied if implied and implied != level and implied == "province" else level
        if region is not None and region.is_municipality:
            lvl = "city"
        return _build(surface, table.bodies[bid], region, lvl, prefix)

    # 4. relative prefix + a name outside the table: 省XX工作领导小组办公室
    for prefix, level in _RELATIVE_PREFIXES:
        if text.startswith(prefix) and len(text) > len(prefix) + 1:
            region = _ancestor_at(ctx, level)
            rest = text[len(prefix) :]
            label = region_label(region) if region else prefix
            return _fallback(surface, label + rest, region, rest)

    # 5. a county named in short inside the document's city: X蒙县 → the county government
    county = _county_by_abbreviation(text, ctx)
    if county is not None:
        return _build(surface, table.bodies["people_government"], county, "county", "")
    return None


def _fallback(surface: str, canonical: str, region: Region | None, rest: str) -> ResolvedUnit:
    kind = _kind_of(rest or canonical)
    return ResolvedUnit(
        canonical,
        region.name if region else None,
        kind,
        (surface,),
        region_code=region.code if region else None,
        level=region.level if region else None,
    )


def _kind_of(name: str) -> UnitKind:
    if _RESEARCH_RE.search(name):
        return "research"
    if _UNIVERSITY_RE.search(name):
        return "university"
    for pattern, kind in _FALLBACK_KINDS:
        if pattern.search(name):
            return kind
    return "organisation"


# --- collectives ------------------------------------------------------------

_COLLECTIVE_WORDS = (
    "地级以上市",
    "地级市",
    "设区市",
    "县级市",
    "开发区",
    "园区",
    "乡镇",
    "街道",
    "县",
    "市",
    "区",
    "州",
    "盟",
    "旗",
    "乡",
    "镇",
)
_COLLECTIVE_ORDER = {
    w: i
    for i, w in enumerate(
        (
            "地级以上市", "地级市", "设区市", "市", "州", "盟", "县", "县级市", "区", "旗",
            "开发区", "园区", "乡镇", "乡", "镇", "街道",
        )
    )
}  # fmt: skip
_COLLECTIVE_RE = re.compile(
    r"^(?:全?[省市县区州]?(?:直|属)?)?各(?P<body>.+)$|^(?P<dept>(?:[省市县区]直)?(?:有关|相关)(?:部门|单位)(?:和单位|、单位)?)$"
)
#: a region written before the collective (``四川省各市(州)人民政府``, ``阜新市各县、区人民政府``)
_COLLECTIVE_REGION_RE = re.compile(
    r"^(?P<region>[\u4e00-\u9fff]{2,12}?(?:特别行政区|自治区|自治州|地区|省|市|州|盟|县|区|旗))"
    r"(?=(?:全?[省市县区州]?(?:直|属)?)?各)"
)
_ORGAN_SUFFIXES = (
    ("人民政府", "人民政府"),
    ("政府", "人民政府"),
    ("行政公署", "行政公署"),
    ("党工委", "党工委"),
    ("党委", "党委"),
    ("管委会", "管委会"),
    ("管理委员会", "管委会"),
    ("办事处", "办事处"),
)
#: a bracketed second organ after the first: 各地州市人民政府（行政公署）
_ORGAN_NOTE_RE = re.compile(r"\((?:行政公署|管委会|党工委)\)$")


def _resolve_collective(surface: str, text: str, ctx: Region | None) -> ResolvedUnit | None:
    """``各县（市、区）人民政府``, ``四川省各市（州）人民政府``, ``市直各部门``: one collective.

    A region written before 各 is the collective's region; division kinds are
    sorted into a canonical list (``各市、县、区人民政府``); departments
    (``市直各行政执法部门``) keep their written name after the region.  A list
    of organisations (``各高校``) is no collective of governments: None.
    """
    lead = _COLLECTIVE_REGION_RE.match(text)
    if lead is not None:
        named = resolve_region(lead.group("region"), _province_of(ctx) if ctx else None)
        if named is None:
            named = region_of_text(lead.group("region"))
        if named is not None:
            ctx = named
            text = text[lead.end() :]
    m = _COLLECTIVE_RE.match(text)
    if m is None:
        return None
    body = m.group("body") or ""
    prefix = region_label(ctx) if ctx else ""
    dept = m.group("dept")
    if dept is not None or re.fullmatch(r"(?:有关|相关|成员|责任)?(?:部门|单位)(?:和单位)?", body):
        written = dept or body
        if "成员" in written:
            canonical = f"{prefix}各成员单位"
        else:
            kind_word = "单位" if written.endswith("单位") and "部门" not in written else "部门"
            canonical = f"{prefix}各有关{kind_word}"
    else:
        kinds = _division_kinds(body)
        if kinds is not None:
            words, organ = kinds
            canonical = f"{prefix}各{'、'.join(words)}{organ}"
        elif body.endswith(("部门", "单位")):
            canonical = f"{prefix}各{body}"  # 市直各行政执法部门: departments of the region
        else:
            return None  # a list of organisations (各高校, 各金融机构), not of governments
    return ResolvedUnit(
        canonical,
        ctx.name if ctx else None,
        "collective",
        (surface,),
        region_code=ctx.code if ctx else None,
        level=ctx.level if ctx else None,
    )


def _division_kinds(body: str) -> tuple[list[str], str] | None:
    """``县(市、区)人民政府`` → (['市', '县', '区'], '人民政府'); None if not division kinds."""
    body = _ORGAN_NOTE_RE.sub("", body)
    organ = "人民政府"
    for written, canon in _ORGAN_SUFFIXES:
        if body.endswith(written):
            body, organ = body[: -len(written)], canon
            break
    words: list[str] = []
    rest = re.sub(r"[()、,，/和及]", "", body)
    while rest:
        for w in _COLLECTIVE_WORDS:
            if rest.startswith(w):
                words.append(w)
                rest = rest[len(w) :]
                break
        else:
            return None  # not a list of division kinds: 各高校, 各金融机构 …
    if not words:
        return None
    return sorted(dict.fromkeys(words), key=_COLLECTIVE_ORDER.__getitem__), organ


@lru_cache(maxsize=16384)
def resolve_unit(
    surface: str, region: Region | str | None = None, region_level: str | None = None
) -> ResolvedUnit:
    """Resolve a responsible unit as written to its canonical entity.

    Parameters
    ----------
    surface : str
        The unit exactly as written (``市发改委``, ``省知识产权局``, ``各县区政府`` …).
    region : Region or str, optional
        The region of the document that names the unit; relative names
        (``市科技局``) resolve against it.  Pass the :class:`Region` when it is
        known: a name such as ``鼓楼区`` is shared by several counties.
    region_level : str, optional
        ``province``, ``city`` or ``county``; only used when ``region`` is not in
        the division table.

    Returns
    -------
    ResolvedUnit
        Never fails: an unknown unit keeps its written name as canonical name
        (prefixed with its region when it has a relative prefix).

    Notes
    -----
    A combined name ``A(B)`` where both parts are known bodies
    (``市科技局（市知识产权局）``, one bureau carrying two nameplates) resolves to
    ``A``; ``B``'s canonical name goes to ``also``.  The first name is the one
    the organisation chart lists, so responsibility counts go to one node and
    the second nameplate stays searchable.
    """
    ctx = _context(region, region_level)
    text = normalize_name(surface).strip("、，,;；。:：")
    if not text:
        return ResolvedUnit(surface, None, "organisation", (surface,))
    m = _COMBINED_RE.match(text)
    if m is not None:
        first = _resolve_body(surface, m.group(1), ctx)
        second = _resolve_body(m.group(2), m.group(2), ctx)
        if first is not None and first.body and (second is None or not second.body):
            # 市科技局（牵头）: an annotation, not a second nameplate
            return first
        if first is not None and second is not None and first.body and second.body:
            return ResolvedUnit(
                first.canonical,
                first.region,
                first.kind,
                (surface,),
                body=first.body,
                region_code=first.region_code,
                level=first.level,
                also=(second.canonical,),
                successor=first.successor,
                note=first.note,
            )
    collective = _resolve_collective(surface, text, ctx)
    if collective is not None:
        return collective
    kind = _kind_of(text)
    if kind in ("university", "research", "company"):
        # banks' regulators and vertical offices first: 人行某市中心支行 is no company
        known = _resolve_body(surface, text, ctx)
        if known is not None and known.body is not None:
            return known
        return _organisation(surface, text, kind, ctx)
    found = _resolve_body(surface, text, ctx)
    if found is not None:
        return found
    named = _region_in_name(text, ctx)
    if named is None and ctx is not None and text.startswith((ctx.name, region_label(ctx))):
        named = ctx  # a region outside the division table, written out in full
    if named is not None or text.startswith(_NATIONAL_NAME_PREFIXES):
        # the name states its own region (国家开发银行某省分行) or a national scope
        return _fallback(surface, text, named, text)
    # unknown, no region in the name: it belongs to the document's region
    return _fallback(surface, (region_label(ctx) if ctx else "") + text, ctx, text)


# names that begin with these are national in scope: never prefixed with a region
_NATIONAL_NAME_PREFIXES = ("中国", "中华", "国家", "全国", "中央", "国务院")
# relative prefixes that are really the first character of a word (市场…, 市政…, 区域…)
_NOT_RELATIVE = ("市场", "市政", "市民", "区域", "县域", "省级", "市级", "县级", "区级")
# words after a short region name inside an organisation's name (中国银行某地分行)
_BRANCH_RE = re.compile(
    r"(?:市?中心支行|分行|支行|分公司|子公司|分局|分院|分校|分中心|分社|分会|营业部|营业管理部|"
    r"监管局|监管分局|办事处)"
)


def _region_in_name(text: str, near: Region | None = None) -> Region | None:
    """The region an organisation's own name states, anywhere in it.

    Full names count anywhere (国家开发银行湖南省分行 → 湖南省); short names at
    the start (湖南工业大学) or right before a branch word (中国银行株洲分行).
    """
    chain = _region_chain(text, 0, allow_short=True, near=near)
    if chain is not None:
        return chain[0]
    for i in range(1, len(text) - 1):
        hit = _region_chain(text, i, allow_short=False, near=near)
        if hit is None:
            hit = _region_chain(text, i, allow_short=True, near=near)
            if hit is not None and not _BRANCH_RE.match(text, hit[1]):
                hit = None
        if hit is not None:
            return hit[0]
    return None


def _organisation(surface: str, text: str, kind: UnitKind, ctx: Region | None) -> ResolvedUnit:
    """Universities, research institutes, companies: a relative name (市委党校,
    省社会科学院, 市城投集团) is the document region's; otherwise only a region the
    name itself states counts, never the document's (四川大学 in a 成都 plan)."""
    if not text.startswith(_NOT_RELATIVE):
        for prefix, level in _RELATIVE_PREFIXES:
            if text.startswith(prefix) and len(text) > len(prefix) + 1:
                region = _ancestor_at(ctx, level)
                if region is None:
                    break
                return ResolvedUnit(
                    region_label(region) + text[len(prefix) :],
                    region.name,
                    kind,
                    (surface,),
                    region_code=region.code,
                    level=region.level,
                )
    reg = _region_in_name(text, ctx)
    return ResolvedUnit(
        text,
        reg.name if reg else None,
        kind,
        (surface,),
        region_code=reg.code if reg else None,
        level=reg.level if reg else None,
    )


def canonical_key(surface: str, region: str | None = None, region_level: str | None = None) -> str:
    """Stable ASCII key of the entity a unit names (``210900-science-technology``).

    Two surface forms share a key exactly when they resolve to the same entity.
    """
    return resolve_unit(surface, region, region_level).key


# --------------------------------------------------------------------------- #
# Cited documents: issuing level
# --------------------------------------------------------------------------- #

_DOCNO_PREFIX_RE = re.compile(r"^(.+?)〔(?:19|20)\d{2}〕")
# central issuers' 文号 prefixes: the State Council, the Party centre, ministries and agencies
_CENTRAL_DOCNO_RE = re.compile(r"^(?:国|中发|中办|中共中央|中宣|中组|全国|最高|法发|法释|高检)")
# ministries' prefixes (财税, 教高, 科发, 人社部发, 商服贸发, 银发 …); never X政发/X府发,
# which are local governments' (商政发 is 商丘's)
_MINISTRY_DOCNO_RE = re.compile(
    r"^(?:财|教|科|工信|人社|商|农|公通|司发|发改|建|交|环|水|卫|文旅|海关|税总|银|证监|保监|市监|"
    r"民发|审|统|安监|应急|自然资|林|体|广发|知)(?![政府])"
)
_STANDARD_RE = re.compile(r"^(?:GB|GB/T|GB/Z|DB|SB|JB|HG|YY)[/\dA-Z]", re.I)
_NATIONAL_TITLE_RE = re.compile(
    r"^(?:中共中央|国务院|中华人民共和国|全国人民代表大会|全国人大|国家|最高人民法院|最高人民检察院|"
    r"中央|[^省市县区委关]{1,8}部(?:关于|、|办公厅))|中华人民共和国[^《]{0,20}(?:法|条例)$"
)
_NATIONAL_WORD_RE = re.compile(r"中共中央|国务院|中华人民共和国|国家知识产权局|全国")
_PERIOD_PREFIX_RE = re.compile(
    r"(?:(?:19|20)\d{2}(?:-(?:19|20)?\d{2})?年(?:度)?|[一二三四五六七八九十]{1,3}五(?:时期|期间)?|"
    r"新时代|新形势下|新时期)+"
)


def infer_level(
    title: str | None,
    doc_number: str | None,
    context: Region | str | None = None,
) -> CitedLevel | None:
    """Issuing level of a cited document from its 文号 prefix, else its title.

    Parameters
    ----------
    title : str, optional
        The cited title (without 《》).
    doc_number : str, optional
        The cited 文号 (``国发〔2016〕43号``, ``川府发(2016)7号``, ``GB/T 19001-2016``).
    context : Region or str, optional
        The citing document's region; a 文号 beginning with the first character
        of a prefecture in the same province is read as that city's.

    Returns
    -------
    {"national", "provincial", "city", "county"} or None

    Notes
    -----
    Province 简称 (川, 辽, 浙, 粤 …) followed by 政/府/办… give ``provincial``; some
    简称 are also the first character of a city (宁 = 宁夏 and 南京), so the
    citing document's province decides between the two when it is known.
    """
    ctx = resolve_region(context) if isinstance(context, str) else context
    if doc_number:
        level = _level_from_doc_number(normalize_doc_number(doc_number), ctx)
        if level is not None:
            return level
    if title:
        return _level_from_title(normalize_title(title))
    return None


@cache
def _city_initials(province_code: str | None) -> dict[str, Region]:
    table = _divisions()
    out: dict[str, Region] = {}
    for r in table.by_code.values():
        if r.level == "city" and (province_code is None or r.province_code == province_code):
            out.setdefault(r.name[0], r)
    return out


@cache
def _city_abbreviations() -> dict[str, tuple[Region, ...]]:
    """文号 简称 of cities that differ from their first character (穗 → 广州市)."""
    ref = resources.files("policykg.extract").joinpath("data/city_abbreviations.tsv")
    out: dict[str, list[Region]] = {}
    for line in ref.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        code, name, abbrs = line.split("\t")
        region = _divisions().by_code.get(code) or Region(
            name, code, "city", name, None, None, code[:2] + "0000"
        )
        for a in abbrs.split(","):
            if a:
                out.setdefault(a, []).append(region)
    return {a: tuple(rs) for a, rs in sorted(out.items(), key=lambda kv: -len(kv[0]))}


def _province_by_prefix(prefix: str) -> _ProvinceRow | None:
    return next((row for a, row in _province_abbreviations().items() if prefix.startswith(a)), None)


def _level_from_doc_number(number: str, ctx: Region | None) -> CitedLevel | None:
    if _STANDARD_RE.match(number):
        return "national"
    m = _DOCNO_PREFIX_RE.match(number)
    prefix = m.group(1) if m else number
    if not prefix:
        return None
    if _CENTRAL_DOCNO_RE.match(prefix) or (
        _MINISTRY_DOCNO_RE.match(prefix) and not _starts_with_province(prefix)
    ):
        return "national"
    if "市" in prefix[1:3] or prefix[1:2] == "市":
        return "city"
    province = _province_of(ctx) if ctx else None
    own = _province_by_prefix(prefix)
    named = [r for a, rs in _city_abbreviations().items() if prefix.startswith(a) for r in rs]
    if province is not None and province.code:
        # the citing document's province decides: 青政发 in a 山东 document is 青岛's,
        # 宁政发 in a 江苏 one 南京's, in a 宁夏 one the region's own
        if any(r.province_code == province.code for r in named):
            return "city"
        if own is not None and own.code == province.code:
            return "provincial"
        if _city_initials(province.code).get(prefix[0]) is not None:
            return "city"
    if own is not None:
        # 宁 is 宁夏's and 南京's: without a deciding context, no guess
        return None if named else "provincial"
    if named or prefix[0] in _city_initials(None):
        return "city"
    return None


def _starts_with_province(prefix: str) -> bool:
    return any(prefix.startswith(a) for a in _province_abbreviations())


def _level_from_title(title: str) -> CitedLevel | None:
    region_hit = None
    for i in range(len(title)):
        hit = _region_chain(title, i, allow_short=(i == 0))
        if hit is not None:
            region_hit = (i, hit[0])
            break
    # a period marker may come first: “十四五”国家…规划, 2021-2025年全国…纲要
    lead = _PERIOD_PREFIX_RE.match(title)
    offset = lead.end() if lead else 0
    nat_at: int | None = None
    for pattern, start in ((_NATIONAL_TITLE_RE, offset), (_NATIONAL_WORD_RE, 0)):
        found = pattern.search(title[start:])
        if found is not None:
            nat_at = start + found.start()
            break
    nat = nat_at is not None
    if region_hit is not None and (not nat or region_hit[0] <= (nat_at or 0)):
        level = region_hit[1].level
        if region_hit[1].is_municipality:
            return "provincial"
        return "provincial" if level == "province" else level
    if nat:
        return "national"
    # 我省/本省 … in the cited title: a document of the citing region's own level
    if title.startswith("省") or re.search(r"[我本全]省", title):
        return "provincial"
    if title.startswith("市") or re.search(r"[我本全]市", title):
        return "city"
    return None


# --------------------------------------------------------------------------- #
# spaCy component
# --------------------------------------------------------------------------- #


class ResolveEntities:
    """Pipeline component: resolve regions, units and cited levels on the Doc's records.

    Reads and updates ``doc._.pkg_documents``, ``pkg_responsibilities``,
    ``pkg_citations`` and ``pkg_targets`` in place; any of them may be ``None``.
    Surface fields (``unit``, ``cited_title`` …) are never changed.
    """

    def __init__(
        self,
        nlp: Language,
        name: str = "policykg_resolve",
        *,
        overwrite: bool = False,
        fill_target_region: bool = True,
    ) -> None:
        self.name = name
        self.overwrite = overwrite
        self.fill_target_region = fill_target_region
        doc_attrs.register()

    def __call__(self, doc: Doc) -> Doc:
        records = doc._.pkg_documents or []
        text = doc_text(doc) if records else ""
        regions: dict[str, Region | None] = {
            r.key: self._resolve_document(r, text) for r in records
        }
        self._inherit_regions(records, regions)
        for resp in doc._.pkg_responsibilities or []:
            ctx = regions.get(resp.document)
            if resp.unit_canonical and not self.overwrite:
                continue
            # the Region itself, not its name: 鼓楼区 names counties in several cities
            unit = resolve_unit(resp.unit, ctx)
            resp.unit_canonical = unit.canonical
            resp.unit_region = unit.region
            resp.unit_region_code = unit.region_code
            resp.unit_kind = unit.kind
        for cit in doc._.pkg_citations or []:
            if cit.cited_level is None or self.overwrite:
                cit.cited_level = infer_level(
                    cit.cited_title, cit.cited_doc_number, regions.get(cit.document)
                )
        if self.fill_target_region:
            for tgt in doc._.pkg_targets or []:
                ctx = regions.get(tgt.document)
                if tgt.region is None and ctx is not None:
                    tgt.region = ctx.name
        return doc

    def _inherit_regions(
        self, records: list[DocumentRecord], regions: dict[str, Region | None]
    ) -> None:
        """A document whose text names no region takes its notice's, else the file's only one.

        An attachment (关于印发《X》的通知 → X) governs the notice's region; a
        file whose documents all name the same region lends it to the rest.
        Files holding documents of different regions lend nothing.
        """
        known = {r.code or r.name: r for r in regions.values() if r is not None}
        only = next(iter(known.values())) if len(known) == 1 else None
        for record in records:
            if regions.get(record.key) is not None:
                continue
            found = regions.get(record.issued_by_notice or "") or only
            if found is None:
                continue
            regions[record.key] = found
            if record.region is None:
                record.region = found.name
            if record.region_level is None:
                record.region_level = found.level
            if record.region_code is None:
                record.region_code = found.code

    def _resolve_document(self, record: DocumentRecord, text: str = "") -> Region | None:
        """The region a document governs, with its official full name in ``record.region``.

        A short written form (``黔东南州``, ``内蒙古``) becomes the division's
        name (``黔东南苗族侗族自治州``); a bare level word (``自治区人民政府关于…``)
        is decided by the 文号's province abbreviation (``内政发``), else by the
        full names of that level the document's own text uses.
        """
        found: Region | None = None
        written = normalize_name(record.region) if record.region else ""
        bare = written if written in _BARE_LEVEL_WORDS else ""
        if written and not bare:
            found = resolve_region(written)
        if found is None:
            for source in (record.issuer, record.title):
                if source:
                    found = region_of_text(source)
                    if found is not None:
                        break
        if found is None and bare:
            found = _region_of_level_word(bare, record, text)
        if found is None:
            return _context(record.region, record.region_level) if record.region else None
        short = found.code is not None and _short_form_of(written, found)
        if record.region is None or self.overwrite or bare or short:
            record.region = found.name
        if found.code is not None:
            # the division table knows the level: 耒阳市 is a county-level city
            record.region_level = found.level
        elif record.region_level is None or self.overwrite:
            record.region_level = found.level
        if record.region_code is None or self.overwrite:
            record.region_code = found.code
        return found


#: level words a document names its own region by (``自治区人民政府``, ``省政府``)
_BARE_LEVEL_WORDS = frozenset({"自治区", "省", "市", "自治州", "州", "盟", "县", "区", "旗"})
_FULL_NAME_RE = re.compile(
    r"[\u4e00-\u9fff]{2,10}?(?:特别行政区|自治区|自治州|自治县|自治旗|省|市|州|盟|县|区|旗)"
)


def _short_form_of(written: str, region: Region) -> bool:
    """``黔东南州``/``内蒙古``/``广西`` written for the division's longer official name.

    Only a name the table itself lists for the division counts: ``南江市`` is
    no short form of 南江县, though the suffix rule resolves it there.
    """
    if written == region.name:
        return False
    table = _divisions()
    listed = table.by_name.get(written, []) + table.by_short.get(written, [])
    if all(r.code != region.code for r in listed):
        return False
    stem = written
    for suffix, _levels in _LEVEL_SUFFIXES:
        if stem.endswith(suffix) and len(stem) > len(suffix):
            stem = stem[: -len(suffix)]
            break
    return len(stem) >= 2 and region.name.startswith(stem)


def _region_of_level_word(word: str, record: DocumentRecord, text: str) -> Region | None:
    """The division a bare ``自治区``/``省`` of a document stands for.

    The 文号 prefix names the province (``内政发`` → 内蒙古自治区); else the
    full names ending in that word which the document's text writes, the
    most frequent one.
    """
    levels = [lv for sfx, lvs in _LEVEL_SUFFIXES if word.endswith(sfx) for lv in lvs][:3]
    if record.doc_number and "province" in levels:
        row = _province_by_prefix(normalize_name(record.doc_number))
        if row is not None and row.name.endswith(word):
            return _divisions().by_code.get(row.code) or resolve_region(row.name)
    segments = record.segments or [(record.span_start, record.span_end)]
    counts: dict[str, int] = {}
    for start, end in segments:
        for m in _FULL_NAME_RE.finditer(text, start, min(end, len(text))):
            name = m.group()
            if name.endswith(word) and name != word:
                counts[name] = counts.get(name, 0) + 1
    for name, _n in sorted(counts.items(), key=lambda kv: -kv[1]):
        region = resolve_region(name)
        if region is not None and region.level in levels and region.name.endswith(word):
            return region
    return None


@Language.factory(
    "policykg_resolve",
    default_config={"overwrite": False, "fill_target_region": True},
)
def make_resolve(
    nlp: Language, name: str, overwrite: bool, fill_target_region: bool
) -> ResolveEntities:
    """Factory for :class:`ResolveEntities` (``nlp.add_pipe("policykg_resolve", last=True)``)."""
    return ResolveEntities(nlp, name, overwrite=overwrite, fill_target_region=fill_target_region)
