"""Task structure: numbered measures and table rows of each document.

Component ``policykg_structure`` (after ``policykg_documents``) fills
``doc._.pkg_tasks`` with :class:`Task` records, in text order:

* numbered items: ``一、`` / ``（一）`` / ``(一)`` / ``1.`` / ``1、`` / ``（1）`` /
  ``①`` / ``第X条`` / ``第X章`` at the start of a line.  ``level`` is the rank
  of the label style in the order the styles first appear in the document
  (how drafters nest them), starting at 1.
* table rows (``kind == "table_row"``): tables with a header row (``序号`` /
  ``工作任务`` / ``责任单位`` …), written either one row per line (cells
  separated by tabs, ``|`` or runs of spaces) or *flattened*, one cell per
  line as scraped pages and database exports render them.  Cells split over
  two lines (``2017年`` / ``底完成``, a long task cell wrapped) are merged
  back; a line that reads as a whole cell (a unit list, a date) is not a
  fragment.  Each row's cells are in ``Task.cells`` with their column header.
  A task cell that carries its own number (``1.开展…`` in a table without a
  序号 column) gives the row its label and loses the number from its heading.

``Task.heading`` is the first sentence of the item (or of the task cell),
without the label and the final ``。``; ``heading_start/heading_end`` locate
it, ``start/end`` the whole item (label to the next item of the same or a
higher level in the same document).

Helpers other components use: :func:`find_tables` (cleaning uses it to leave
table cells alone when it removes duplicated lines), :func:`first_sentence`,
:func:`task_at` (the innermost task of a document containing an offset).
Lines inside ``doc._.pkg_dropped`` spans are ignored.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from spacy.language import Language
from spacy.tokens import Doc

from policykg.extract import doc_attrs
from policykg.extract.genre import (
    LABEL_RE,
    Line,
    cn_to_int,
    doc_text,
    hit_lines,
    is_unit_name,
    label_kind,
    split_lines,
)
from policykg.extract.model import Dropped
from policykg.extract.segmentation import document_lookup

__all__ = [
    "Cell",
    "StructureComponent",
    "Table",
    "Task",
    "find_tables",
    "first_sentence",
    "task_at",
    "task_finder",
]

doc_attrs.register()


@dataclass(frozen=True, slots=True)
class Cell:
    """A table cell: ``column`` is its header with inner whitespace removed.

    A cell wrapped over lines of a space-aligned table is made of ``pieces``
    (spans on successive lines, other columns between them); ``text`` is
    their concatenation and ``start``/``end`` span the first to the last.
    A one-piece cell has ``pieces == ()`` and ``text == original[start:end]``.
    """

    column: str
    start: int
    end: int
    text: str
    pieces: tuple[tuple[int, int], ...] = ()

    @property
    def first_end(self) -> int:
        """End of the cell's first piece (its text on the row's own line)."""
        return self.pieces[0][1] if self.pieces else self.end


@dataclass(slots=True)
class Task:
    """A numbered measure or a table row of one document."""

    document: str | None
    label: str
    heading: str
    level: int
    start: int
    end: int
    heading_start: int = 0
    heading_end: int = 0
    kind: str = "numbered"
    #: index of the enclosing task in ``doc._.pkg_tasks`` (None at top level)
    parent: int | None = None
    #: for table rows: the row's cells under their column headers
    cells: list[Cell] = field(default_factory=list)

    def cell(self, *names: str) -> Cell | None:
        """The first cell whose column header contains one of ``names``."""
        for name in names:
            for c in self.cells:
                if name in c.column:
                    return c
        return None


@dataclass(slots=True)
class Table:
    """A table found in the text: header columns and rows of cells."""

    columns: list[str]
    start: int
    end: int
    rows: list[tuple[str, int, int, list[Cell]]]  # (row label, start, end, cells)


# ---------------------------------------------------------------- sentences

_SENTENCE_END_RE = re.compile(r"[。！？；;!?]")
_TRAILING_CLAUSE_RE = re.compile(r"[（(][^（()）]*(?:单位|牵头|负责|配合)[^（()）]*[）)]\s*$")


def first_sentence(text: str, start: int, end: int) -> tuple[int, int]:
    """Span of the first sentence of ``text[start:end]``, final punctuation excluded."""
    m = _SENTENCE_END_RE.search(text, start, end)
    stop = m.start() if m else end
    nl = text.find("\n", start, stop)
    if nl != -1 and nl - start >= 6:
        stop = nl
    seg = text[start:stop]
    clause = _TRAILING_CLAUSE_RE.search(seg)
    if clause and clause.start() > 0:
        stop = start + clause.start()
    while stop > start and text[stop - 1] in " \t\r\n\u3000\xa0。：:，,":
        stop -= 1
    return start, stop


# ---------------------------------------------------------------- tables

_HEADER_WORD_RE = re.compile(
    r"任务|单位|部门|处室|科室|股室|目标|内容|措施|事项|时间|进度|指标|形式|成果|要求|举措|备注|分工"
    r"|项目|政策"
)
_NUMBER_HEADER = frozenset({"序号", "编号", "序", "No", "NO", "no"})
_ROW_JUNK_RE = re.compile(r"\[[^\]]*\]|【[^】]*】")
_INLINE_SPLIT_RE = re.compile(r"\t+|\s*[|｜│]\s*|[ \u3000\xa0]{2,}")


def _squash(s: str) -> str:
    return re.sub(r"\s+", "", s)


_CN_ROW_RE = re.compile(r"^[一二三四五六七八九十]{1,3}$")


def _row_number(text: str) -> int | None:
    """The number of a 序号 cell: ``12``, ``[3]`` or a Chinese numeral ``十一``."""
    core = _ROW_JUNK_RE.sub("", text).strip().rstrip("、.．")
    if core.isdigit() and len(core) <= 4:
        return int(core)
    if _CN_ROW_RE.match(core):
        return cn_to_int(core)
    return None


def _is_header_cell(s: str) -> bool:
    sq = _squash(s)
    return 0 < len(sq) <= 14 and not re.search(r"[。，,；;]", sq)


def _merge_cells(text: str, cells: list[tuple[int, int]], n: int) -> list[tuple[int, int]]:
    """Merge cells split over lines until the row has ``n`` cells."""
    cells = list(cells)
    while len(cells) > n >= 2:
        best, best_key = 1, (2, 2, 10**9)
        for i in range(1, len(cells) - 1):
            a, b = text[cells[i][0] : cells[i][1]], text[cells[i + 1][0] : cells[i + 1][1]]
            cont = 0 if a.endswith(("、", "，", ",", "；")) else 1
            # a cell ending in 。 is complete; a line that reads as a whole cell
            # (a unit list, a date) starts a new one: neither is a wrapped fragment
            whole = 0 if cont == 0 else int(a.endswith("。")) + int(_is_whole_cell(b))
            key = (cont, whole, len(a) + len(b))
            if key < best_key:
                best, best_key = i, key
        cells[best : best + 2] = [(cells[best][0], cells[best + 1][1])]
    return cells


_CELL_DATE_RE = re.compile(r"^(?:19|20)\d{2}\s*年|^(?:持续|长期|按年度|每年|年底|年内)")


def _is_whole_cell(s: str) -> bool:
    """A line that is a complete cell by itself: a date/period or a list of units."""
    if _CELL_DATE_RE.match(s):
        return True
    items = [x for x in re.split(r"[、，,；;]", s) if x.strip()]
    return bool(items) and all(is_unit_name(x) for x in items)


#: a unit column: ``责任单位``, ``牵头部门``, and a department's own ``责任科室``/``处室``
_UNIT_COLUMN_RE = re.compile(r"单位|部门|主体|处室|科室|股室")
_TASK_COLUMN_RE = re.compile(r"任务|内容|措施|事项|目标|举措|项目|活动")
#: columns that never hold the task: numbers, units, deadlines, remarks
_NOT_TASK_COLUMN_RE = re.compile(
    r"单位|部门|主体|处室|科室|股室|领导|责任人|时间|时限|进度|日期|备注|序号|编号"
)


def _default_task_cell(cells: list[Cell]) -> Cell:
    """The task cell of a row whose header names no task column: the first other column."""
    for c in cells:
        if c.column and c.column not in _NUMBER_HEADER and not _NOT_TASK_COLUMN_RE.search(c.column):
            return c
    return cells[1] if len(cells) > 1 else cells[0]


def _split_subrows(
    row_lines: Sequence[Line], columns: list[str]
) -> tuple[Sequence[Line], list[Sequence[Line]]]:
    """A row followed by sub-rows that repeat its unit columns (and those after them)."""
    n = len(columns)
    extra = len(row_lines) - n
    unit_cols = [c for c, col in enumerate(columns) if _UNIT_COLUMN_RE.search(col)]
    if extra < 2 or not unit_cols:
        return row_lines, []
    g = n - unit_cols[0]
    if g < 1 or extra % g:
        return row_lines, []
    subs = [row_lines[n + j : n + j + g] for j in range(0, extra, g)]
    for sub in subs:
        items = [x for x in re.split(r"[、，,；;]", sub[0].text) if x.strip()]
        if not items or not all(is_unit_name(x) for x in items):
            return row_lines, []
    return row_lines[:n], subs


def _flat_table(text: str, lines: Sequence[Line], i: int) -> tuple[Table, int] | None:
    """A flattened table whose header starts at ``lines[i]`` (one cell per line)."""
    if len(lines[i].text) > 8 or _squash(lines[i].text) not in _NUMBER_HEADER:
        return None
    j = i + 1
    while j < len(lines) and j - i < 12 and _row_number(lines[j].text) is None:
        if not _is_header_cell(lines[j].text):
            return None
        j += 1
    columns = [_squash(ln.text) for ln in lines[i:j]]
    if len(columns) < 2 or not any(_HEADER_WORD_RE.search(c) for c in columns):
        return None
    return _flat_rows(text, lines, i, j, columns)


def _flat_rows(
    text: str, lines: Sequence[Line], i: int, j: int, columns: list[str]
) -> tuple[Table, int] | None:
    """Rows written one cell per line from ``lines[j]`` on, under ``columns``."""
    n = len(columns)
    rows: list[tuple[str, int, int, list[Cell]]] = []
    # numbering may continue an earlier table (10, 11 …): start where it starts
    first = _row_number(lines[j].text) if j < len(lines) else None
    if first is None:
        return None
    expected = first
    k = j
    while k < len(lines) and _row_number(lines[k].text) == expected:
        start_k = k
        k += 1
        limit = start_k + 2 * n + 2
        while k < len(lines) and k < limit and _row_number(lines[k].text) != expected + 1:
            k += 1
        if k < len(lines) and _row_number(lines[k].text) == expected + 1:
            row_lines = lines[start_k:k]
        else:
            # last row: its cells, plus one extra per short fragment (a split cell)
            extra = sum(
                1
                for a, b in zip(lines[start_k + 2 : k], lines[start_k + 3 : k], strict=False)
                if len(a.text) <= 6 and len(b.text) <= 6
            )
            row_lines = lines[start_k : min(k, start_k + n + extra)]
            k = start_k + len(row_lines)
        label = _ROW_JUNK_RE.sub("", row_lines[0].text).strip()
        row_lines, subrows = _split_subrows(row_lines, columns)
        spans = _merge_cells(text, [(ln.start, ln.end) for ln in row_lines], n)
        cells = [Cell(columns[c], s, e, text[s:e]) for c, (s, e) in enumerate(spans) if c < n]
        rows.append((label, row_lines[0].start, row_lines[-1].end, cells))
        for sub in subrows:
            first = n - len(sub)
            sub_cells = [
                Cell(columns[first + c], ln.start, ln.end, ln.text) for c, ln in enumerate(sub)
            ]
            rows.append((label, sub[0].start, sub[-1].end, sub_cells))
        expected += 1
    if not rows:
        return None
    return Table(columns, lines[i].start, rows[-1][2], rows), k


def _is_unit_list(s: str) -> bool:
    items = [x for x in re.split(r"[、，,；;]", s) if x.strip()]
    return bool(items) and all(is_unit_name(x) for x in items)


#: headers of unit columns (``牵头单位`` reads as a unit name by its suffix)
_UNIT_COLUMN_NAME_RE = re.compile(
    r"^(?:牵头|配合|责任|主责|协办|参与|实施|承办|负责|主办|协同|具体)?"
    r"(?:单位|部门|主体|处室|科室|股室)$"
)


def _flat_unnumbered(text: str, lines: Sequence[Line], i: int) -> tuple[Table, int] | None:
    """A flattened table without a 序号 column: header cells, then rows of as many lines.

    With no row numbers to anchor on, the header must name a task column
    and a unit column, every header cell must read as one, and a row is
    taken only while its unit cells read as unit lists and its task cell
    does not; the first row that does not fit ends the table.
    """
    if not _TASK_COLUMN_RE.search(lines[i].text) or not _is_header_cell(lines[i].text):
        return None
    j = i
    while j < len(lines) and j - i < 6:
        t = lines[j].text
        if not _is_header_cell(t) or not _HEADER_WORD_RE.search(t):
            break
        if _is_unit_list(t) and not _UNIT_COLUMN_NAME_RE.match(_squash(t)):
            break
        j += 1
    columns = [_squash(ln.text) for ln in lines[i:j]]
    n = len(columns)
    unit_cols = [c for c, col in enumerate(columns) if _UNIT_COLUMN_RE.search(col)]
    if n < 2 or not unit_cols or any(_UNIT_COLUMN_RE.search(col) for col in columns[:1]):
        return None
    rows: list[tuple[str, int, int, list[Cell]]] = []
    k = j
    while k + n <= len(lines):
        group = lines[k : k + n]
        if (
            # a task cell is neither a unit list nor a bare header word (a new header)
            _is_unit_list(group[0].text)
            or _HEADER_WORD_RE.fullmatch(_squash(group[0].text)) is not None
        ):
            break
        if not all(_is_unit_list(group[c].text) for c in unit_cols):
            break
        cells = [Cell(columns[c], ln.start, ln.end, ln.text) for c, ln in enumerate(group)]
        rows.append((str(len(rows) + 1), group[0].start, group[-1].end, cells))
        k += n
    if not rows:
        return None
    return Table(columns, lines[i].start, rows[-1][2], rows), k


def _display_width(s: str) -> int:
    """Columns ``s`` takes in a monospaced layout (CJK and full-width characters take two)."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)


def _separated_cells(text: str, ln: Line) -> list[tuple[int, int]] | None:
    """Cells of a tab/bar separated line by position, empty ones included (None: no separator)."""
    raw = text[ln.start : ln.end]
    if "\t" not in raw and not re.search(r"[|｜│]", raw):
        return None
    body_start = ln.start
    body = raw
    # markdown rows open and close with a bar
    if body[:1] in "|｜│":
        body, body_start = body[1:], body_start + 1
    if body[-1:] in "|｜│":
        body = body[:-1]
    out: list[tuple[int, int]] = []
    pos = 0
    for m in re.finditer(r"\t|[|｜│]", body + "\t"):
        seg_s, seg_e = body_start + pos, body_start + m.start()
        while seg_s < seg_e and text[seg_s] in " \u3000\xa0":
            seg_s += 1
        while seg_e > seg_s and text[seg_e - 1] in " \u3000\xa0":
            seg_e -= 1
        out.append((seg_s, seg_e))
        pos = m.end()
    return out


def _aligned_cells(text: str, ln: Line) -> list[tuple[int, int, int]]:
    """Cells of a space-aligned line: ``(display column, start, end)``; runs of 2+ spaces split."""
    out: list[tuple[int, int, int]] = []
    raw = text[ln.start : ln.end]
    for m in re.finditer(r"\S+(?:(?:[ \xa0]|\u3000(?!\u3000))\S+)*", raw):
        s = ln.start + m.start()
        out.append((_display_width(text[ln.line_start : s]), s, ln.start + m.end()))
    return out


def _column_of(starts: list[int], col: int) -> int:
    """The header column a cell starting at display ``col`` falls under (left aligned)."""
    c = 0
    for k, st in enumerate(starts):
        if st <= col + 2:
            c = k
    return c


def _inline_table(text: str, lines: Sequence[Line], i: int) -> tuple[Table, int] | None:
    """A table written one row per line, cells separated by tabs, bars or spaces.

    Space-aligned tables are read by column offsets (display width: a CJK
    character takes two columns), so a row with an empty cell keeps its
    cells under the right headers; a wrapped line under the previous row
    (nothing in the first column, no blank line before it) continues that
    row's cells.  Tab and bar separated rows are read by position, empty
    cells included.
    """
    head = lines[i]
    raw = text[head.start : head.end]
    if len(raw) > 200 or not _INLINE_SPLIT_RE.search(raw):
        return None
    parts = [p for p in _INLINE_SPLIT_RE.split(raw.strip("|｜│ ")) if p.strip()]
    if len(parts) < 2 or not all(_is_header_cell(p) for p in parts):
        return None
    columns = [_squash(p) for p in parts]
    if not (columns[0] in _NUMBER_HEADER or any(_UNIT_COLUMN_RE.search(c) for c in columns)):
        return None
    if sum(1 for c in columns if _HEADER_WORD_RE.search(c)) < 1:
        return None
    if (
        i + 1 < len(lines)
        and _row_number(lines[i + 1].text) is not None
        and columns[0] in _NUMBER_HEADER
        and len(_aligned_cells(text, lines[i + 1])) == 1
    ):
        # header on one line, rows flattened one cell per line below it
        return _flat_rows(text, lines, i, i + 1, columns)
    n = len(columns)
    separated = _separated_cells(text, head) is not None
    head_starts = [c for c, _, _ in _aligned_cells(text, head)] if not separated else []
    if not separated and len(head_starts) != n:
        return None
    numbered = columns[0] in _NUMBER_HEADER
    rows: list[tuple[str, int, int, list[list[tuple[int, int]]]]] = []
    k = i + 1
    prev_end = head.end
    while k < len(lines):
        ln = lines[k]
        if re.fullmatch(r"[|｜│:\-\s]+", ln.text):  # markdown separator row
            prev_end = ln.end
            k += 1
            continue
        slots: list[list[tuple[int, int]]] = [[] for _ in range(n)]
        if separated:
            spans = _separated_cells(text, ln)
            if spans is None or len(spans) > n + 1:
                break
            for c, (cs, ce) in enumerate(spans[:n]):
                if ce > cs:
                    slots[c].append((cs, ce))
        else:
            aligned = _aligned_cells(text, ln)
            if len(aligned) > n + 1:
                break
            for col, cs, ce in aligned:
                slots[_column_of(head_starts, col)].append((cs, ce))
        filled = [c for c in range(n) if slots[c]]
        adjacent = text.count("\n", prev_end, ln.line_start) <= 1
        if rows and not slots[0] and filled and adjacent and not LABEL_RE.match(ln.text):
            # a wrapped line: its pieces continue the previous row's cells
            for c in filled:
                rows[-1][3][c].extend(slots[c])
            rows[-1] = (rows[-1][0], rows[-1][1], ln.end, rows[-1][3])
            prev_end = ln.end
            k += 1
            continue
        if len(filled) < 2 or not slots[0]:
            break
        if numbered and _row_number(text[slots[0][0][0] : slots[0][-1][1]]) is None:
            break
        label = text[slots[0][0][0] : slots[0][-1][1]] if numbered else str(len(rows) + 1)
        rows.append((label, ln.start, ln.end, slots))
        prev_end = ln.end
        k += 1
    if not rows:
        return None
    out_rows: list[tuple[str, int, int, list[Cell]]] = []
    for label, rs, re_, slots in rows:
        cells: list[Cell] = []
        for c, pieces in enumerate(slots):
            if not pieces:
                continue
            joined = "".join(text[a:b] for a, b in pieces)
            cells.append(
                Cell(
                    columns[c],
                    pieces[0][0],
                    pieces[-1][1],
                    joined,
                    tuple(pieces) if len(pieces) > 1 else (),
                )
            )
        out_rows.append((label, rs, re_, cells))
    return Table(columns, head.start, out_rows[-1][2], out_rows), k


#: what a table's first line must hold, found in one scan of the whole text so that
#: only those lines are tried: a 序号/编号/No header cell (:func:`_flat_table`), a
#: cell separator (:data:`_INLINE_SPLIT_RE`: a tab, a bar, two spaces; for
#: :func:`_inline_table`) or a task column word (:data:`_TASK_COLUMN_RE`, for
#: :func:`_flat_unnumbered`).  Plain literals only, which the engine scans fast.
_TABLE_HINT_RE = re.compile(
    r"序|编|N|n|\t|\||｜|│|"
    + "|".join(a + b for a in " \u3000\xa0" for b in " \u3000\xa0")
    + "|"
    + _TASK_COLUMN_RE.pattern
)


def find_tables(text: str, lines: Sequence[Line] | None = None) -> list[Table]:
    """Tables in ``text`` (flattened one-cell-per-line or one-row-per-line)."""
    lines = split_lines(text) if lines is None else lines
    out: list[Table] = []
    i = 0
    for c in hit_lines(text, list(lines), _TABLE_HINT_RE):
        if c < i:
            continue  # inside the table found last
        found = (
            _flat_table(text, lines, c)
            or _inline_table(text, lines, c)
            or _flat_unnumbered(text, lines, c)
        )
        if found:
            out.append(found[0])
            i = max(found[1], c + 1)
    return out


# ---------------------------------------------------------------- numbered items


#: the characters a :data:`~policykg.extract.genre.LABEL_RE` label starts with,
#: besides a digit (``\d``: any decimal digit, ``str.isdecimal``)
_CIRCLED = "".join(map(chr, range(0x2460, 0x2474)))  # ①-⑳
_LABEL_FIRST = frozenset("第一二三四五六七八九十百零〇（(" + _CIRCLED)


def _dropped_index(dropped: Sequence[Dropped]) -> tuple[list[int], list[Dropped]]:
    ds = sorted(dropped, key=lambda d: d.start)
    return [d.start for d in ds], ds


def task_finder(tasks: Sequence[Task]) -> Callable[[str | None, int], Task | None]:
    """``task_at`` over ``tasks`` (in text order, as ``doc._.pkg_tasks`` holds them).

    The innermost numbered task is the latest one started, so the answer is
    the last task at or before ``offset`` that belongs to ``document``
    (a table row only while ``offset`` is inside it): a bisection and a short
    walk back instead of a scan from the start for every lookup.
    """
    starts = [t.start for t in tasks]

    def find(document: str | None, offset: int) -> Task | None:
        i = bisect_right(starts, offset) - 1
        while i >= 0:
            t = tasks[i]
            if t.document == document and (t.kind != "table_row" or offset < t.end):
                return t
            i -= 1
        return None

    return find


def task_at(tasks: Sequence[Task], document: str | None, offset: int) -> Task | None:
    """The innermost task of ``document`` that starts at or before ``offset``.

    Numbered items nest in text order, so the latest one started is the
    innermost open item.  Table rows are matched by their span only.  For
    many lookups over the same tasks use :func:`task_finder`.
    """
    return task_finder(tasks)(document, offset)


class StructureComponent:
    """spaCy component: numbered tasks and table rows -> ``doc._.pkg_tasks``."""

    def __init__(self, nlp: Language, name: str, tables: bool = True) -> None:
        self.name = name
        self.tables = tables

    def __call__(self, doc: Doc) -> Doc:
        text = doc_text(doc)
        lines = split_lines(text)
        document_at = document_lookup(doc)
        starts, ds = _dropped_index(doc._.pkg_dropped or [])
        tables: list[Table] = []
        if self.tables:
            cached = doc.user_data.get("pkg_tables")
            tables = cached if cached is not None else find_tables(text, lines)
        table_spans = [(t.start, t.end) for t in tables]

        tasks: list[Task] = []
        ti = 0
        di = -1  # the last dropped span starting at or before the line (lines are in order)
        for li, ln in enumerate(lines):
            while ti < len(table_spans) and table_spans[ti][1] < ln.start:
                ti += 1
            if ti < len(table_spans) and table_spans[ti][0] <= ln.start <= table_spans[ti][1]:
                continue
            start = ln.start
            while di + 1 < len(starts) and starts[di + 1] <= start:
                di += 1
            if di >= 0 and start < ds[di].end:
                hit = ds[di]
                if hit.end >= ln.end:
                    continue
                start = hit.end
                while start < ln.end and text[start] in " \t\u3000\xa0。，,":
                    start += 1
            if start >= ln.end:
                continue
            first = text[start]
            if first not in _LABEL_FIRST and not first.isdecimal():
                continue  # no label can start here (the pattern is tried on the rest)
            m = LABEL_RE.match(text, start, ln.end)
            if not m:
                continue
            label = m.group("label").strip()
            hs = m.end()
            while hs < ln.end and text[hs] in " \t\u3000\xa0":
                hs += 1
            if hs >= ln.end and li + 1 < len(lines):
                # a bare label line ("一、"): the heading is on the next line
                nxt = lines[li + 1]
                if not LABEL_RE.match(nxt.text) and len(nxt.text) <= 80:
                    hs, h_end = nxt.start, nxt.end
                else:
                    h_end = ln.end
            else:
                h_end = ln.end
            h0, h1 = first_sentence(text, hs, h_end)
            tasks.append(
                Task(
                    document=document_at(start),
                    label=re.sub(r"\s+", "", label),
                    heading=text[h0:h1],
                    level=0,
                    start=start,
                    end=ln.end,
                    heading_start=h0,
                    heading_end=h1,
                )
            )
        for table in tables:
            previous: tuple[str, int, int] | None = None
            for label, rs, re_, cells in table.rows:
                task_cell = next((c for c in cells if _TASK_COLUMN_RE.search(c.column)), None)
                if task_cell is None and previous is not None and previous[0] == label:
                    h0, h1 = previous[1], previous[2]  # a sub-row of the same task
                else:
                    if task_cell is None:
                        task_cell = _default_task_cell(cells)
                    # a wrapped cell's heading is read from its first line's piece
                    cell_end = task_cell.first_end
                    numbered = LABEL_RE.match(text, task_cell.start, cell_end)
                    if numbered is not None:
                        # a task cell numbered itself (``1.开展…``) in a table without 序号
                        if table.columns[0] not in _NUMBER_HEADER:
                            label = re.sub(r"[\s、.．]", "", numbered.group("label"))
                        start = numbered.end()
                        while start < cell_end and text[start] in " \t\u3000\xa0":
                            start += 1
                        h0, h1 = first_sentence(text, start, cell_end)
                    else:
                        h0, h1 = first_sentence(text, task_cell.start, cell_end)
                previous = (label, h0, h1)
                tasks.append(
                    Task(
                        document=document_at(rs),
                        label=label,
                        heading=text[h0:h1],
                        level=0,
                        start=rs,
                        end=re_,
                        heading_start=h0,
                        heading_end=h1,
                        kind="table_row",
                        cells=cells,
                    )
                )
        tasks.sort(key=lambda t: t.start)
        _assign_levels(tasks, doc)
        doc._.pkg_tasks = tasks
        return doc


def _assign_levels(tasks: list[Task], doc: Doc) -> None:
    """Levels by first appearance of each label style per document; parents and ends."""
    order: dict[str | None, list[str]] = {}
    for t in tasks:
        if t.kind == "table_row":
            continue
        kinds = order.setdefault(t.document, [])
        kind = label_kind(t.label)
        if kind not in kinds:
            kinds.append(kind)
        t.level = kinds.index(kind) + 1
    doc_end: dict[str | None, int] = {}
    for d in doc._.pkg_documents or []:
        doc_end[d.key] = d.span_end
    stacks: dict[str | None, list[int]] = {}
    for i, t in enumerate(tasks):
        if t.kind == "table_row":
            t.level = max((len(k) for k in order.values()), default=0) + 1
            continue
        stack = stacks.setdefault(t.document, [])
        while stack and tasks[stack[-1]].level >= t.level:
            tasks[stack.pop()].end = t.start
        t.parent = stack[-1] if stack else None
        stack.append(i)
    text_end = len(doc_text(doc))
    for key, stack in stacks.items():
        for i in stack:
            tasks[i].end = max(tasks[i].end, doc_end.get(key, text_end))


@Language.factory("policykg_structure", default_config={"tables": True})
def make_structure(nlp: Language, name: str, tables: bool) -> StructureComponent:
    """Factory of the ``policykg_structure`` component."""
    return StructureComponent(nlp, name, tables)
