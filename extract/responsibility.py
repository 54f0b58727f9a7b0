"""Who is responsible for which task: department–responsible-for–task facts.

Component ``policykg_responsibilities`` (after ``policykg_structure``) fills
``doc._.pkg_responsibilities`` with
:class:`~policykg.extract.model.ResponsibilityRecord` objects, one per
(task, unit) pair, from explicit assignments only:

``clause``
    ``（责任单位：A、B，C）``, ``（牵头单位：X；配合单位：Y、Z）`` and the other keys
    (a role word — 牵头/责任/配合/协办/参与/主责/承办 … — and a kind of unit —
    单位/部门/处室/科室/股室 …: a department's own plan assigns its 科 and 股),
    several keys in one clause, several clauses in one task; also a line of
    its own that starts with such a key.  Keys naming a person (``责任领导：``,
    ``责任人：``) are skipped with their values.
``verb_clause``
    ``（X牵头，Y、Z配合）``, ``（X负责）``, ``（X、Y按职责分工负责）`` — every item must
    read as a unit (or be a county named alone, confirmed by the division
    table), so ``（企业负责）``-like asides are not taken.  A part without a verb
    takes the verb of the part after it: ``（市文旅局、市林草局，甲县、乙县人民政府负责）``
    gives four responsible units.  Clauses of either kind may be hard-wrapped
    over up to three lines (text extracted from PDF pages).
``section_heading``
    A numbered heading that is just a unit name (``二、省发展改革委``) assigns
    its direct sub-items to that unit as lead.
``table``
    Table rows with ``牵头单位`` / ``责任单位`` / ``配合单位`` columns (also
    flattened, one cell per line), including inline ``X牵头，Y配合`` cells and
    cells written as a key clause (``牵头单位：X；配合单位：Y``).

Roles: 牵头/主责 → ``lead`` (``lead=True``); 配合/协办/参与 → ``support``;
责任/负责 → ``responsible``.  A note such as ``列第一位为牵头单位`` makes the
first unit of every list of its document lead.  ``order`` is the 1-based
position in the clause (continuing across its keys).  Shared name parts are
expanded: ``青州市、白山市、临江市人民政府`` gives three ``…人民政府`` (any proper
name before the level: ``城关区、七里河区人民政府``); ``松山湖、滨海湾新区管委会``
two 管委会; ``各区、县级市`` gives ``各区`` and ``各县级市``, ``各区、市人民政府``
``各区人民政府`` and ``各市人民政府``.  An item marked ``（牵头）`` in a plain list
leads and the others support it.  Evidence is the clause (with its brackets),
the heading line, or the unit cell.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache

from spacy.language import Language
from spacy.tokens import Doc

from policykg.extract import doc_attrs
from policykg.extract.cleaning import dropped_at
from policykg.extract.genre import LABEL_RE, doc_text, is_unit_name, regions_in, split_lines
from policykg.extract.model import Evidence, ResponsibilityRecord, Role
from policykg.extract.resolve import is_division_name
from policykg.extract.segmentation import document_lookup
from policykg.extract.structure import Task, find_tables, task_finder

__all__ = [
    "FIRST_IS_LEAD_RE",
    "ResponsibilityComponent",
    "UnitMention",
    "mentions_of",
    "parse_unit_list",
    "parse_verb_clause",
    "split_units",
]

doc_attrs.register()

#: role words and the kinds of unit a key names (``责任单位``, ``牵头处室``, ``配合科室`` …):
#: a department's own work plan assigns its 科/处/室/股, a government's plan its 单位/部门
_KEY_ROLE = (
    r"(?:主要责任|具体责任|其他责任|牵头|主责|主办|责任|负责|承办|实施|落实|配合|协办|协同|协助|参与)"
)
_KEY_KIND = r"(?:单位|部门|处室|科室|股室|处站|主体|机构|司局|处|科|室|股)"
_KEY = r"(?:" + _KEY_ROLE + _KEY_KIND + r")"
#: keys naming a person, not a unit (``责任领导：分管副局长``): their values are skipped
_PERSON_KEY = (
    r"(?:(?:责任|牵头|分管|联系|主要|包保|挂点|主管)(?:市|县|区|局|省)?(?:领导|负责人)"
    r"|责任人|联系人|负责人|经办人)"
)
_KEY_RE = re.compile(
    r"【?\s*(?:(?P<key>" + _KEY + r")|(?P<person>" + _PERSON_KEY + r"))\s*(?:】\s*[：:]?|[：:])"
)
_OPEN = "（("
_CLOSE = "）)"
_CLOSE_ENDS = ("）", ")")
_VERB_RE = re.compile(
    r"^(?P<units>.+?)(?P<verb>牵头负责|牵头落实|牵头|按职责分工负责|按职责分别负责|按职责负责|"
    r"按职责分工落实|分别负责|共同负责|负责落实|具体负责|负责|配合|参与|协助|协办|"
    r"组织落实|具体落实|共同落实|分别落实|抓好落实|落实)$"
)
FIRST_IS_LEAD_RE = re.compile(
    r"(?:列|排|排名|位列)(?:在)?(?:第一位|第一|首位)(?:的|者)?(?:单位|部门)?(?:为|是)牵头"
    r"|第一(?:个|家)?(?:单位|部门)(?:为|是)牵头"
)
_LIST_SPLIT = "、，,；;"
_OTHER_FIELD_RE = re.compile(r"[，,；;]\s*[\u4e00-\u9fff]{2,8}\s*[：:]")
_NOT_UNIT_RE = re.compile(r"[：:]|\d{4}\s*年|^\d+$")
_TRAILING_RE = re.compile(
    r"(?:按职责分工负责|按职责分别负责|按职责负责|分别负责|共同负责|牵头负责|负责落实|负责|牵头|"
    r"等单位|等部门|等)$"
)
#: a line break inside a table cell as scraped pages write it
_CELL_BREAK_RE = re.compile(r"<br\s*/?>", re.IGNORECASE)
#: a table column of units (a department's own plan: ``责任科室``)
_UNIT_COLUMN_RE = re.compile(r"单位|部门|主体|处室|科室|股室")
#: organs a list of places or zones shares (``甲县、乙县人民政府``, ``A、B新区管委会``)
_ORGAN = r"(?:人民政府|政府|党委|党工委|管委会|管理委员会|委员会|办事处|行政公署)"
_ZONE_ORGANS = ("管委会", "管理委员会", "党工委")
#: how a name ending in one of the :data:`_ORGAN` words ends (a cheap test first)
_ORGAN_ENDS = ("政府", "党委", "党工委", "管委会", "委员会", "办事处", "行政公署")
#: a place named bare in a shared-suffix list: any stem (proper names are free) + level
_BARE_PLACE_RE = re.compile(r"^[\u4e00-\u9fff]{1,8}(?:省|市|县|区|州|盟|旗)$")
#: zone names that take a shared 管委会 even though they read as units alone
_ZONE_END_RE = re.compile(
    r"(?:新区|开发区|高新区|经开区|园区|示范区|试验区|片区|功能区|保税区|港区)$"
)
_BRACKET_CHAR_RE = re.compile(f"[{re.escape(_OPEN + _CLOSE)}]")
_LIST_SPLIT_RE = re.compile(f"[{re.escape(_LIST_SPLIT)}]")
_PLACE_SUFFIX_RE = re.compile(
    r"^(?P<place>[\u4e00-\u9fff]{1,10}?(?:省|市|县|区|州|盟|旗))(?P<suffix>" + _ORGAN + r")$"
)
_ZONE_SUFFIX_RE = re.compile(
    r"^(?P<place>[\u4e00-\u9fff]{2,14}?)(?P<suffix>管委会|管理委员会|党工委)$"
)
#: characters no place name holds (``我市``, ``全区``, ``相关县``)
_NOT_PLACE_RE = re.compile(r"^[各全本该每其此我]|[等与及的]|有关|相关")
_LEVELS = (
    r"(?:县级市|设区市|地级市|旗县市区|旗县区|县市区|县区|区县|市县|旗县|市州|盟市|乡镇|街道"
    r"|开发区|园区|功能区|县|区|市|旗|州|盟|镇|乡)"
)
_LEVEL_NOTE = r"(?:[（(][^（()）]{1,10}[）)])?"
#: ``各区``, ``阜新市各县``, ``各市（州）人民政府``: the head of a collective list
_COLLECTIVE_HEAD_RE = re.compile(
    r"^(?P<head>(?:[\u4e00-\u9fff]{2,10}?(?:省|市|州|盟|县|区|旗))?(?:全?[省市县区州]?[直属]?)?各)"
    r"(?P<level>" + _LEVELS + r")(?P<note>" + _LEVEL_NOTE + r")(?P<organ>" + _ORGAN + r")?$"
)
#: a later item of such a list: ``县级市``, ``县（市、区）人民政府``
_LEVEL_WORD_RE = re.compile(
    r"^(?P<level>" + _LEVELS + r")(?P<note>" + _LEVEL_NOTE + r")(?P<organ>" + _ORGAN + r")?$"
)
_ZONE_LEVELS = ("开发区", "园区", "功能区")


@dataclass(frozen=True, slots=True)
class UnitMention:
    """A unit in a list, with its role and whether the text marks it lead."""

    unit: str
    role: Role
    lead: bool


def split_units(s: str) -> list[str]:
    """Split a unit list on 、，,；; outside brackets; strip 负责/牵头/等 endings."""
    return list(_split_units(s))


#: distinct clause bodies and unit lists remembered by the parsers (a plan repeats
#: the same lists over its tasks); the parsers are pure functions of the string
_MEMO = 4096

#: :func:`~policykg.extract.genre.is_unit_name` (pure) remembered: the same
#: departments are tested in every list of a plan
_unit_name = lru_cache(maxsize=_MEMO)(is_unit_name)


@lru_cache(maxsize=_MEMO)
def _split_units(s: str) -> tuple[str, ...]:
    items: list[str] = []
    depth = 0
    cur: list[str] = []
    if "<" in s:
        s = _CELL_BREAK_RE.sub("、", s)
    if _BRACKET_CHAR_RE.search(s) is None:  # the usual list: no brackets to keep whole
        items = _LIST_SPLIT_RE.split(s)
    else:
        for ch in s:
            if ch in _OPEN:
                depth += 1
            elif ch in _CLOSE:
                depth = max(0, depth - 1)
            if depth == 0 and ch in _LIST_SPLIT:
                items.append("".join(cur))
                cur = []
            else:
                cur.append(ch)
        items.append("".join(cur))
    out = [u for u in map(_clean_item, items) if u]
    if "各" not in s and not any(u.endswith(_ORGAN_ENDS) for u in out):
        return tuple(out)  # no organ to share, no 各 list: _expand_shared changes nothing
    return tuple(_expand_shared(out))


_SPACE_RE = re.compile(r"\s+")
#: endings of a :data:`_TRAILING_RE` match (the regex is only run on items ending so)
_TRAILING_ENDS = ("负责", "落实", "牵头", "等", "单位", "部门")


@lru_cache(maxsize=_MEMO)
def _clean_item(it: str) -> str:
    """One item of a unit list, cleaned; ``""`` when it is a note or nothing is left.

    A pure function of the item: the same departments recur in every list of a
    plan, so it is memoised.
    """
    it = _SPACE_RE.sub("", it).strip("。.．:：")
    if (
        ("牵头" in it and FIRST_IS_LEAD_RE.search(it))  # every alternative ends in 牵头
        or it in ("下同", "同上")
        or _NOT_UNIT_RE.search(it)
    ):
        return ""  # a note about the list, not a unit
    it = _unbalanced_trimmed(it)
    if it[:1] in ("由", "请"):
        it = it[1:]
    if it.endswith(_TRAILING_ENDS):
        it = _TRAILING_RE.sub("", it)
    return it


def _unbalanced_trimmed(item: str) -> str:
    """An item without the bracket of a clause left open or closed elsewhere (``（市局``)."""
    opens = sum(item.count(c) for c in _OPEN)
    closes = sum(item.count(c) for c in _CLOSE)
    if opens > closes and item[:1] in _OPEN:
        item = item[1:]
    elif closes > opens and item[-1:] in _CLOSE:
        item = item[:-1]
    return item


def _bare_place(item: str, organ: str) -> bool:
    """Whether ``item`` is a name written bare before the ``organ`` it shares."""
    if _NOT_PLACE_RE.search(item) or not re.fullmatch(r"[\u4e00-\u9fff]{2,14}", item):
        return False
    if organ in _ZONE_ORGANS:
        # 松山湖、滨海湾新区管委会; 高新区、经开区管委会
        return not is_unit_name(item) or bool(_ZONE_END_RE.search(item))
    if not _BARE_PLACE_RE.match(item) or is_unit_name(item):
        return False
    return not _LEVEL_WORD_RE.match(item)


def _expand_shared(items: list[str]) -> list[str]:
    """Distribute shared name parts over a list.

    ``青州市、白山市、临江市人民政府`` and ``城关区、七里河区人民政府`` give three and two
    governments (place names are proper names: any stem before the level); a
    zone list ``松山湖、滨海湾新区管委会`` shares its 管委会; a collective list
    ``各区、县级市`` gives ``各区`` and ``各县级市``, and ``各区、市人民政府`` or
    ``各市（州）、县（市、区）人民政府`` shares the organ as well.
    """
    items = list(items)
    for j, it in enumerate(items):
        if not it.endswith(_ORGAN_ENDS):  # both patterns end in an organ
            continue
        m = _PLACE_SUFFIX_RE.match(it) or _ZONE_SUFFIX_RE.match(it)
        if not m or _NOT_PLACE_RE.match(it):
            continue
        last = m.group("place")[-1]
        suffix = m.group("suffix")
        i = j - 1
        # 耒阳市、常宁市、衡南县人民政府: the organ is shared across levels too
        while (
            i >= 0
            and _bare_place(items[i], suffix)
            and (
                suffix in _ZONE_ORGANS
                or items[i].endswith(last)
                or suffix in ("人民政府", "政府", "党委")
            )
        ):
            items[i] = items[i] + suffix
            i -= 1
    j = 0
    while j < len(items):
        head = _COLLECTIVE_HEAD_RE.match(items[j]) if "各" in items[j] else None
        if head is None:
            j += 1
            continue
        run = [(j, head)]
        k = j + 1
        while k < len(items) and len(items[k]) <= 12:
            m = _LEVEL_WORD_RE.match(items[k])
            if m is None:
                break
            items[k] = head.group("head") + items[k]
            run.append((k, m))
            k += 1
        organ = run[-1][1].group("organ")
        zone = run[-1][1].group("level") in _ZONE_LEVELS
        if organ and len(run) > 1:
            # 各区、市人民政府: the organ closing the list belongs to every member
            for i, m in run[:-1]:
                if m.group("organ") is None and (m.group("level") in _ZONE_LEVELS) == zone:
                    items[i] = items[i] + organ
        j = k
    return items


_MARKED_RE = re.compile(r"^(?P<unit>.+?)[（(](?P<mark>牵头|主责|配合|协办|参与)[）)]$")


def mentions_of(units: Sequence[str], role: Role) -> list[UnitMention]:
    """Mentions with ``role``; a ``（牵头）``/``（配合）`` mark on an item overrides it.

    When an item is marked lead (``市经信局（牵头）、市科技局``), the unmarked
    items of a plain list support it.
    """
    return list(_mentions_of(tuple(units), role))


@lru_cache(maxsize=_MEMO)
def _mentions_of(units: tuple[str, ...], role: Role) -> tuple[UnitMention, ...]:
    if not any(u.endswith(_CLOSE_ENDS) for u in units):
        return tuple([_mention(u, role) for u in units])  # only a bracket can mark a role
    marks = [_MARKED_RE.match(u) if u.endswith(_CLOSE_ENDS) else None for u in units]
    marked_lead = any(m is not None and m.group("mark") in ("牵头", "主责") for m in marks)
    out: list[UnitMention] = []
    for u, m in zip(units, marks, strict=True):
        r = role
        if m:
            u = m.group("unit")
            r = "lead" if m.group("mark") in ("牵头", "主责") else "support"
        elif marked_lead and role == "responsible":
            r = "support"
        out.append(_mention(u, r))
    return tuple(out)


@lru_cache(maxsize=_MEMO)
def _mention(unit: str, role: Role) -> UnitMention:
    # frozen, so one object per (unit, role) serves every list that names it
    return UnitMention(unit, role, role == "lead")


@lru_cache(maxsize=256)
def _key_role(key: str) -> Role:
    if key.startswith(("牵头", "主责", "主办")):
        return "lead"
    if key.startswith(("配合", "协办", "协同", "协助", "参与")):
        return "support"
    return "responsible"


def parse_unit_list(body: str) -> list[UnitMention]:
    """Units of a ``key：list；key：list`` body, roles from the keys.

    A key naming a person (``责任领导：分管副局长``) is skipped with its value.
    """
    return list(_parse_unit_list(body))


@lru_cache(maxsize=_MEMO)
def _parse_unit_list(body: str) -> tuple[UnitMention, ...]:
    if "\n" in body or "\r" in body:
        body = _WRAP_RE.sub("", body)
    keys = list(_KEY_RE.finditer(body))
    out: list[UnitMention] = []
    for k, m in enumerate(keys):
        if m.group("key") is None:
            continue  # 责任领导 / 责任人: a person, not a unit
        end = keys[k + 1].start() if k + 1 < len(keys) else len(body)
        seg = body[m.end() : end]
        seg = seg.partition("。")[0]
        other = _OTHER_FIELD_RE.search(seg)
        if other:  # （责任单位：X，完成时限：2024年底）: stop at the next field
            seg = seg[: other.start()]
        role = _key_role(m.group("key"))
        verb = _parse_verb_clause(seg) if role == "responsible" else None
        if verb:
            out += verb
            continue
        out += _mentions_of(_split_units(seg), role)
    return tuple(out)


#: a hard line break inside a clause (text extracted from PDF pages)
_WRAP_RE = re.compile(r"[ \t\u3000\xa0]*[\r\n]+[ \t\u3000\xa0]*")


def _split_parts(s: str) -> list[str]:
    """Comma parts of a clause, not splitting inside brackets (``各县（市，区）``)."""
    parts: list[str] = []
    if _BRACKET_CHAR_RE.search(s) is None:  # the usual clause: no brackets to keep whole
        parts = _PART_SPLIT_RE.split(s)
    else:
        depth = 0
        cur: list[str] = []
        for ch in s:
            if ch in _OPEN:
                depth += 1
            elif ch in _CLOSE:
                depth = max(0, depth - 1)
            if depth == 0 and ch in "，,；;。":
                parts.append("".join(cur))
                cur = []
            else:
                cur.append(ch)
        parts.append("".join(cur))
    return [p.strip() for p in parts if p.strip()]


_PART_SPLIT_RE = re.compile("[，,；;。]")


def _named_place(item: str) -> bool:
    """A county or district named alone (``城关区``): its government, by the division table."""
    return bool(_BARE_PLACE_RE.match(item)) and not _NOT_PLACE_RE.search(item) and (
        regions_in(item) == [item] or is_division_name(item)
    )


#: words of a note inside a clause, never of a unit list
_ASIDE_RE = re.compile(r"简称|包括|其中|例如|比如|^含|^如")


#: how every verb of :data:`_VERB_RE` ends
_VERB_ENDS = ("负责", "落实", "牵头", "配合", "参与", "协助", "协办")


def _verb_role(verb: str) -> Role:
    if verb.startswith("牵头"):
        return "lead"
    if verb in ("配合", "参与", "协助", "协办"):
        return "support"
    return "responsible"


def parse_verb_clause(body: str) -> list[UnitMention] | None:
    """``X牵头，Y、Z配合`` / ``X负责``: units with roles, or None if not such a clause.

    A part without a verb shares the verb of the next part
    (``市文旅局、市林草局，甲县、乙县人民政府负责``: all four are responsible); the
    last part must end in a verb and every item must read as a unit.
    """
    found = _parse_verb_clause(body)
    return None if found is None else list(found)


def _parse_verb_clause(body: str) -> tuple[UnitMention, ...] | None:
    if "\n" in body or "\r" in body:
        body = _WRAP_RE.sub("", body)
    # the last part must end in a role verb: most bodies fail this without being split
    # (and without taking a place in the memo)
    tail = body
    while True:
        stripped = tail.rstrip().rstrip("，,；;。")
        if stripped == tail:
            break
        tail = stripped
    if not tail.endswith(_VERB_ENDS):
        return None
    return _parse_verb_parts(body)


@lru_cache(maxsize=_MEMO)
def _parse_verb_parts(body: str) -> tuple[UnitMention, ...] | None:
    parts = _split_parts(body)
    if not parts:
        return None
    out: list[UnitMention] = []
    pending: list[tuple[str, ...]] = []
    for p in parts:
        m = _VERB_RE.match(p)
        units = _split_units(m.group("units") if m else p)
        if not units or not all(_unit_name(u) or _named_place(u) for u in units):
            return None
        if m is None:
            if _ASIDE_RE.search(p):
                return None  # （以下简称市专班，由市发改委负责）: a note, not units
            pending.append(units)
            continue
        role = _verb_role(m.group("verb"))
        for waiting in pending:
            out += _mentions_of(waiting, role)
        pending = []
        out += _mentions_of(units, role)
    if pending:
        return None
    return tuple(out)


_IN_BRACKET = r"[^（()）\r\n]"
_NESTED = r"[（(]" + _IN_BRACKET + r"*[）)]"
#: a bracketed span on one line, closing the bracket it opens with, up to three levels deep
_BRACKETED_RE = re.compile(
    r"[（(](?:" + _IN_BRACKET + r"|[（(](?:" + _IN_BRACKET + "|" + _NESTED + r")*[）)])*[）)]"
)
#: the same across line breaks (a clause hard-wrapped over lines)
_WRAPPED_CLAUSE_RE = re.compile(r"[（(](?:[^（()）]|[（(][^（()）]*[）)]){1,280}?[）)]")
#: lines a wrapped clause may run over
_WRAP_LINES = 3


def _wrap_ok(span: str) -> bool:
    """A wrapped clause runs over at most :data:`_WRAP_LINES` lines, none blank or numbered.

    A line opening with a label (``（二）…``) is the next task, not the
    clause's continuation.
    """
    lines = _WRAP_RE.split(span)
    if len(lines) > _WRAP_LINES or any(b.count("\n") > 1 for b in _WRAP_RE.findall(span)):
        return False
    return not any(LABEL_RE.match(ln) for ln in lines[1:])


_VERB_WORD_RE = re.compile(r"牵头|负责|配合|参与|协助|协办")


_OPEN_RE = re.compile(r"[（(]")
#: a key clause without brackets: at a line start, after a sentence, or as 【key】
_LINE_KEY_RE = re.compile(
    r"(?m)(?:(?:^[ \t\u3000\xa0]*|(?<=[。；;]))【?\s*" + _KEY + r"\s*(?:】\s*[：:]?|[：:])"
    r"|【\s*" + _KEY + r"\s*】\s*[：:]?)[^\r\n]+"
)

#: the role word every key starts with (its alternatives start with literals: a fast scan)
_KEY_ROLE_RE = re.compile(_KEY_ROLE)


def _line_keys(text: str) -> Iterator[re.Match[str]]:
    """The matches of ``_LINE_KEY_RE.finditer(text)``, found from the role words.

    A match starts a few characters before its key's role word, after nothing
    but spaces and a 【: at a line start, after 。；; or at the 【.  Role
    words are rare; trying the pattern at every character is not.
    """
    floor = 0  # end of the previous match: matches do not overlap
    for r in _KEY_ROLE_RE.finditer(text):
        at = r.start()
        if at < floor:
            continue
        back = at
        while back > floor and (text[back - 1].isspace() or text[back - 1] == "【"):
            back -= 1
        for a in range(back, at + 1):
            if not (a == 0 or text[a - 1] in "\n。；;" or text[a] == "【"):
                continue  # no match starts here: not a line start, after 。；; nor a 【
            m = _LINE_KEY_RE.match(text, a)
            if m is not None:
                yield m
                floor = m.end()
                break


#: what ends a sentence: 。！？ or the end of its line
_SENTENCE_ENDS = "。！？!?\r\n"
_SENTENCE_END_RE = re.compile(f"[{_SENTENCE_ENDS}]")


def _verb_sentences(text: str) -> Iterator[tuple[int, int]]:
    """The sentences (maximal runs without 。！？ or a line break) holding a role verb.

    Found from the verbs, which are few, instead of visiting every sentence:
    each sentence reaches back to the last end before its first verb (searched
    only back to the previous sentence given) and on to the next end.
    """
    n = len(text)
    done = 0  # end of the last sentence given: no sentence starts before it
    for v in _VERB_WORD_RE.finditer(text):
        at = v.start()
        if at < done:
            continue  # a further verb of the same sentence
        start = done
        for ch in _SENTENCE_ENDS:
            k = text.rfind(ch, start, at)
            if k != -1:
                start = k + 1
        stop = _SENTENCE_END_RE.search(text, at)
        end = n if stop is None else stop.start()
        yield start, end
        done = end


#: comma parts of a sentence (brackets are not split: names may carry a note)
_PART_RE = re.compile(r"(?:[（(][^（()）]*[）)]|[^，,；;（(])+")
#: lines around a table within which a first-listed-lead note belongs to it
_NOTE_REACH = 3

#: an assignment found: (position, task, mentions, evidence start, evidence end, rule)
_Found = tuple[int, Task, Sequence[UnitMention], int, int, str]


class ResponsibilityComponent:
    """spaCy component: responsibility facts -> ``doc._.pkg_responsibilities``."""

    def __init__(
        self, nlp: Language, name: str, headings: bool = True, tables: bool = True
    ) -> None:
        self.name = name
        self.headings = headings
        self.tables = tables

    def __call__(self, doc: Doc) -> Doc:
        text = doc_text(doc)
        source = doc._.pkg_source or ""
        tasks: list[Task] = doc._.pkg_tasks or []
        document_at = document_lookup(doc)
        find_task = task_finder(tasks)
        first_docs, first_tables = self._first_listed_scopes(doc, text)
        found: list[_Found] = []
        mentions: Sequence[UnitMention]

        # bracketed clauses: key clauses and verb clauses
        for m in _OPEN_RE.finditer(text):
            i = m.start()
            closed = _BRACKETED_RE.match(text, i, i + 600)
            if closed is None:
                # a clause hard-wrapped over lines (text extracted from PDF pages): the
                # bracket closes within a few lines; the parse below must accept it whole
                closed = _WRAPPED_CLAUSE_RE.match(text, i, i + 300)
                if closed is not None and not _wrap_ok(closed.group()):
                    closed = None
            if closed is None:
                continue
            end = closed.end()
            body = text[i + 1 : end - 1]
            stripped = body.strip()
            if _KEY_RE.match(stripped):
                rule = "clause"
            elif _VERB_WORD_RE.search(body):
                rule = "verb_clause"
            else:
                continue
            if dropped_at(doc, i) is not None:
                continue
            if rule == "clause":
                mentions = _parse_unit_list(stripped)
            else:
                mentions = _parse_verb_clause(body) or ()
            task = find_task(document_at(i), i)
            if mentions and task is not None:
                found.append((i, task, mentions, i, end, rule))
        # a key clause without brackets (not one inside a bracketed clause)
        inside = sorted((f[3], f[4]) for f in found)
        for m in _line_keys(text):
            s = m.start() + len(m.group()) - len(m.group().lstrip(" \t\u3000\xa0"))
            k = bisect_right(inside, (s, len(text))) - 1
            if dropped_at(doc, s) is not None or (k >= 0 and inside[k][0] <= s < inside[k][1]):
                continue
            stop = text.find("。", s, m.end())
            e = m.end() if stop == -1 else stop
            mentions = _parse_unit_list(text[s:e])
            task = find_task(document_at(s), s)
            if mentions and task is not None:
                found.append((s, task, mentions, s, e, "clause_line"))
        # unbracketed sentences: 由X牵头，Y、Z配合。 / X牵头；Y落实。
        found += self._sentences(doc, text, find_task, document_at, found)
        if self.headings:
            found += self._headings(text, tasks)
        if self.tables:
            found += self._tables(doc, text, tasks)

        found.sort(key=lambda f: f[0])
        records: list[ResponsibilityRecord] = []
        seen: set[tuple[int, str]] = set()
        for _pos, task, mentions, es, ee, rule in found:
            rule_first = task.document in first_docs or (
                task.kind == "table_row" and any(a <= task.start < b for a, b in first_tables)
            )
            # one (frozen) evidence and task label for every unit of the assignment
            evidence = Evidence(source, es, ee, text[es:ee])
            document, label = task.document or "", task.label.rstrip("、.．")
            order = 0
            for mention in mentions:
                order += 1
                if (task.start, mention.unit) in seen:
                    continue
                seen.add((task.start, mention.unit))
                role, lead = mention.role, mention.lead
                if rule_first and role == "responsible":
                    # the units listed after the lead support it (pkg:SupportRole)
                    lead = order == 1
                    role = "lead" if lead else "support"
                # positional (keywords cost a third of the record): document, task_label,
                # task, unit, order, lead, role, evidence, task_start, task_end,
                # unit_canonical, unit_region, rule
                record = ResponsibilityRecord(
                    document, label, task.heading, mention.unit, order, lead, role,
                    evidence, task.heading_start, task.heading_end, None, None, rule,
                )  # fmt: skip
                records.append(record)
        doc._.pkg_responsibilities = records
        return doc

    @staticmethod
    def _first_listed_scopes(doc: Doc, text: str) -> tuple[set[str | None], list[tuple[int, int]]]:
        """Where a ``列第一位为牵头单位`` note applies: documents, or single tables.

        A note written at a table (inside it, in the caption lines just above
        its header, or right below its last row) covers that table's rows; a
        note elsewhere covers its document, and a covering notice's note the
        attachments it issues as well.
        """
        docs: set[str | None] = set()
        spans: list[tuple[int, int]] = []
        if "为牵头" not in text and "是牵头" not in text:
            return docs, spans  # every note reads …为牵头 or …是牵头: most plans have none
        tables = doc.user_data.get("pkg_tables")
        if tables is None:
            tables = find_tables(text)
        lines = split_lines(text)
        starts = [ln.start for ln in lines]
        records = doc._.pkg_documents or []
        document_at = document_lookup(doc)
        for m in FIRST_IS_LEAD_RE.finditer(text):
            if dropped_at(doc, m.start()) is not None:
                continue
            li = bisect_right(starts, m.start()) - 1
            table = None
            for t in tables:
                t_first = bisect_right(starts, t.start) - 1
                t_last = bisect_right(starts, max(t.start, t.end - 1)) - 1
                if t_first - _NOTE_REACH <= li <= t_last + _NOTE_REACH:
                    table = t
                    break
            if table is not None:
                spans.append((table.start, table.end))
                continue
            key = document_at(m.start())
            docs.add(key)
            docs.update(r.key for r in records if r.issued_by_notice == key)
        return docs, spans

    @staticmethod
    def _sentences(
        doc: Doc,
        text: str,
        find_task: Callable[[str | None, int], Task | None],
        document_at: Callable[[int], str | None],
        found: list[_Found],
    ) -> list[_Found]:
        """Assignments written as sentences of their own, outside brackets.

        A sentence is an assignment when every comma part is units followed by
        a role verb and nothing else (``市人社局牵头，市总工会配合``), or from a
        part starting with 由 on (``……，由市住建局负责``).  A sentence whose
        subject is a department and which goes on with an object
        (``市公安局负责加强治安管理``) is not one.
        """
        out: list[_Found] = []
        spans = sorted((f[3], f[4]) for f in found)
        for s, e in _verb_sentences(text):
            label = LABEL_RE.match(text, s, e)
            if label is not None and (s == 0 or text[s - 1] in "\r\n \t\u3000\xa0"):
                s = label.end()
            while s < e and text[s] in " \t\u3000\xa0":
                s += 1
            while e > s and text[e - 1] in " \t\u3000\xa0":
                e -= 1
            if e - s < 4 or not _VERB_WORD_RE.search(text, s, e):
                continue
            k = bisect_right(spans, (e, len(text))) - 1
            if k >= 0 and spans[k][1] > s:
                continue  # overlaps a bracketed clause already read
            if dropped_at(doc, s) is not None:
                continue
            parts = [p for p in _PART_RE.finditer(text, s, e)]
            tried = [s] + [p.start() for p in parts[1:] if text.startswith("由", p.start())]
            for ps in tried:
                mentions = _parse_verb_clause(text[ps:e])
                if not mentions:
                    continue
                task = find_task(document_at(ps), ps)
                if task is not None:
                    out.append((ps, task, mentions, ps, e, "verb_sentence"))
                break
        return out

    @staticmethod
    def _headings(
        text: str, tasks: list[Task]
    ) -> list[_Found]:
        out: list[_Found] = []
        children: dict[int, list[Task]] = {}
        for c in tasks:
            if c.parent is not None and c.kind == "numbered":
                children.setdefault(c.parent, []).append(c)
        for k, t in enumerate(tasks):
            if t.kind != "numbered" or not t.heading:
                continue
            line_end = text.find("\n", t.heading_start)
            line_end = len(text) if line_end == -1 else line_end
            if text[t.heading_end : line_end].strip(" \t\r\u3000\xa0。"):
                continue  # the heading is a sentence with more after it, not a name
            units = _split_units(t.heading)
            if not units or not all(_unit_name(u) for u in units):
                continue
            mentions = [UnitMention(u, "lead", True) for u in units]
            for c in children.get(k, []):
                out.append((c.start, c, mentions, t.start, t.heading_end, "section_heading"))
        return out

    @staticmethod
    def _tables(
        doc: Doc, text: str, tasks: list[Task]
    ) -> list[_Found]:
        out: list[_Found] = []
        for t in tasks:
            if t.kind != "table_row":
                continue
            mentions: list[UnitMention] = []
            ev: tuple[int, int] | None = None
            for cell in t.cells:
                col = cell.column
                if not _UNIT_COLUMN_RE.search(col):
                    continue
                role: Role = (
                    _key_role(col)
                    if re.match(r"牵头|主责|主办|配合|协办|协同|协助|参与", col)
                    else "responsible"
                )
                first = re.split(r"[。]", cell.text)[0]
                verb = _parse_verb_clause(first)
                key = _KEY_RE.search(first)
                items: Sequence[UnitMention]
                if key is not None:
                    # a cell written as a clause: 牵头单位：X；配合单位：Y
                    items = _parse_unit_list(first[key.start() :])
                elif verb:
                    items = verb
                else:
                    units = _split_units(first)
                    if not units or sum(_unit_name(u) for u in units) * 2 < len(units):
                        continue
                    if any(len(u) > 30 for u in units):
                        continue
                    items = _mentions_of(units, role)
                mentions += items
                end = cell.start + len(first.rstrip("。. \r\n"))
                ev = (cell.start, end) if ev is None else (ev[0], end)
            if mentions and ev is not None:
                out.append((t.start, t, mentions, ev[0], ev[1], "table"))
        return out


@Language.factory("policykg_responsibilities", default_config={"headings": True, "tables": True})
def make_responsibilities(
    nlp: Language, name: str, headings: bool, tables: bool
) -> ResponsibilityComponent:
    """Factory of the ``policykg_responsibilities`` component."""
    return ResponsibilityComponent(nlp, name, headings, tables)
