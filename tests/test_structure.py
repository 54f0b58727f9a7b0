"""policykg_structure: numbered hierarchies and table rows become tasks."""

from __future__ import annotations

import pytest
from spacy.language import Language

from policykg.extract.pipeline import build_pipeline, run_pipeline
from policykg.extract.structure import Task, find_tables, first_sentence, task_at


@pytest.fixture(scope="module")
def nlp() -> Language:
    return build_pipeline(
        {"components": ["policykg_clean", "policykg_documents", "policykg_structure"]}
    )


def _tasks(nlp: Language, text: str) -> list[Task]:
    doc = run_pipeline(nlp, text, "t.txt")
    for t in doc._.pkg_tasks:
        assert text[t.heading_start : t.heading_end] == t.heading
    return list(doc._.pkg_tasks)


HIERARCHY = """金沙市人民政府关于加快数字政府建设的实施意见
一、总体要求
（一）指导思想。坚持整体协同。
二、重点任务
（二）建设政务云平台。统一建设全市政务云。
1.推进数据共享。建立数据目录。
（1）完善共享标准
（2）建设共享平台。按需开放。
2、推进一网通办。
(三)加强安全保障。
"""


def test_numbered_hierarchy_levels_headings_and_parents(nlp: Language) -> None:
    tasks = _tasks(nlp, HIERARCHY)
    got = [(t.label, t.level, t.heading) for t in tasks]
    assert got == [
        ("一、", 1, "总体要求"),
        ("（一）", 2, "指导思想"),
        ("二、", 1, "重点任务"),
        ("（二）", 2, "建设政务云平台"),
        ("1.", 3, "推进数据共享"),
        ("（1）", 4, "完善共享标准"),
        ("（2）", 4, "建设共享平台"),
        ("2、", 3, "推进一网通办"),
        ("(三)", 2, "加强安全保障"),
    ]
    by_label = {t.label: k for k, t in enumerate(tasks)}
    assert tasks[by_label["1."]].parent == by_label["（二）"]
    assert tasks[by_label["（2）"]].parent == by_label["1."]
    # an item ends where the next item of the same or a higher level starts
    assert tasks[by_label["1."]].end == tasks[by_label["2、"]].start


def test_articles(nlp: Language) -> None:
    text = "石门市人才引进办法\n第一条 为吸引人才，制定本办法。\n第二条 本办法适用于全市。\n"
    tasks = _tasks(nlp, text)
    assert [(t.label, t.heading) for t in tasks] == [
        ("第一条", "为吸引人才，制定本办法"),
        ("第二条", "本办法适用于全市"),
    ]


def test_decimal_numbers_are_not_labels(nlp: Language) -> None:
    tasks = _tasks(nlp, "2.5亿元用于人才项目。\n3.0版本上线。\n")
    assert tasks == []


FLAT = """序号

工  作  任  务

责任单位

时间进度

1

建设人才公寓。统筹保障住房。

市住房城乡建设局、各区负责。

2023年

底完成

[bookmark: x]2

建设人才驿站。

市人力资源社会保障局负责。

持续推进
"""


def test_flattened_table_rows_with_split_cells(nlp: Language) -> None:
    tasks = _tasks(nlp, FLAT)
    rows = [t for t in tasks if t.kind == "table_row"]
    assert [r.label for r in rows] == ["1", "2"]
    first = rows[0]
    assert first.heading == "建设人才公寓"
    unit = first.cell("责任单位")
    assert unit is not None and unit.text == "市住房城乡建设局、各区负责。"
    progress = first.cell("时间进度")
    assert progress is not None and progress.text == "2023年\n\n底完成"
    assert rows[1].heading == "建设人才驿站"


def test_inline_and_markdown_tables() -> None:
    tab = (
        "序号\t重点任务\t牵头单位\t配合单位\n1\t建设智慧医院\t市卫生健康委\t市医保局、市大数据局\n"
    )
    (table,) = find_tables(tab)
    assert table.columns == ["序号", "重点任务", "牵头单位", "配合单位"]
    label, _, _, cells = table.rows[0]
    assert label == "1"
    assert [c.text for c in cells] == ["1", "建设智慧医院", "市卫生健康委", "市医保局、市大数据局"]
    md = (
        "| 序号 | 重点任务 | 牵头单位 |\n| --- | --- | --- |\n"
        "| 1 | 推进家庭医生签约 | 市卫生健康委 |\n| 2 | 建设健康档案 | 市大数据局 |\n"
    )
    (table,) = find_tables(md)
    assert [(r[0], r[3][2].text) for r in table.rows] == [
        ("1", "市卫生健康委"),
        ("2", "市大数据局"),
    ]
    for _, _, _, cells in table.rows:
        for c in cells:
            assert md[c.start : c.end] == c.text


def test_first_sentence_drops_trailing_clause() -> None:
    text = "加强人才宣传（责任单位：市委宣传部）"
    assert text[slice(*first_sentence(text, 0, len(text)))] == "加强人才宣传"


def test_task_at_returns_innermost_open_item(nlp: Language) -> None:
    doc = run_pipeline(nlp, HIERARCHY, "t.txt")
    tasks = doc._.pkg_tasks
    key = doc._.pkg_documents[0].key
    inner = task_at(tasks, key, HIERARCHY.index("按需开放"))
    assert inner is not None and inner.label == "（2）"


def test_crlf(nlp: Language) -> None:
    tasks = _tasks(nlp, HIERARCHY.replace("\n", "\r\n"))
    assert len(tasks) == 9
    assert all("\r" not in t.heading for t in tasks)


def test_header_on_one_line_with_flattened_rows() -> None:
    text = (
        "序号\t工作任务\t责任单位\r\n1\r\n建设人才公寓。\r\n市住房城乡建设局\r\n"
        "2\r\n建设人才驿站。\r\n市人力资源社会保障局\r\n"
    )
    (table,) = find_tables(text)
    assert table.columns == ["序号", "工作任务", "责任单位"]
    assert [[c.text for c in r[3]] for r in table.rows] == [
        ["1", "建设人才公寓。", "市住房城乡建设局"],
        ["2", "建设人才驿站。", "市人力资源社会保障局"],
    ]


WRAPPED = """雁城市2025年重点任务清单

序号
工作任务
责任单位
完成时间
1
完善固体废物管理台账制度，推动产废企业
规范申报
市生态环境局、市工信局
2025年6月
2
推进建筑垃圾资源化利用
市住建局
2025年12月
"""


def test_flat_row_with_a_wrapped_task_cell_keeps_the_unit_cell(nlp: Language) -> None:
    rows = [t for t in _tasks(nlp, WRAPPED) if t.kind == "table_row"]
    assert [r.label for r in rows] == ["1", "2"]
    unit = rows[0].cell("责任单位")
    assert unit is not None and unit.text == "市生态环境局、市工信局"
    task = rows[0].cell("工作任务")
    assert task is not None and task.text.replace("\n", "") == (
        "完善固体废物管理台账制度，推动产废企业规范申报"
    )


def test_task_finder_agrees_with_a_scan_from_the_start(nlp: Language) -> None:
    from policykg.extract.structure import task_finder

    tasks = _tasks(nlp, HIERARCHY + WRAPPED)
    find = task_finder(tasks)
    docs = {t.document for t in tasks}
    for offset in range(0, len(HIERARCHY + WRAPPED), 7):
        for d in docs:
            expected = None
            for t in tasks:  # the definition: latest started task of d (rows only inside)
                if t.start > offset:
                    break
                if t.document == d and (t.kind != "table_row" or offset < t.end):
                    expected = t
            assert find(d, offset) is expected
            assert task_at(tasks, d, offset) is expected


def _rows(text: str) -> list[tuple[str, dict[str, str]]]:
    (table,) = find_tables(text)
    return [(label, {c.column: c.text for c in cells}) for label, _s, _e, cells in table.rows]


CONTINUED = """附表
序号
工作任务
责任单位
12
推进证照集成改革
市行政审批局、市市场监管局
13
优化不动产登记
市自然资源局
"""


def test_flattened_rows_may_continue_an_earlier_numbering() -> None:
    assert _rows(CONTINUED) == [
        (
            "12",
            {
                "序号": "12",
                "工作任务": "推进证照集成改革",
                "责任单位": "市行政审批局、市市场监管局",
            },
        ),
        ("13", {"序号": "13", "工作任务": "优化不动产登记", "责任单位": "市自然资源局"}),
    ]


def test_flattened_rows_numbered_with_chinese_numerals() -> None:
    text = CONTINUED.replace("\n12\n", "\n一\n").replace("\n13\n", "\n二\n")
    assert [label for label, _ in _rows(text)] == ["一", "二"]


ALIGNED = (
    "序号  工作任务                    牵头单位        配合单位              完成时限\n"
    "1     建设智慧口岸。              市口岸办        市商务局、市财政局    2025年底\n"
    "2     培育外贸主体，落实          市商务局        市税务局              持续推进\n"
    "      出口退税政策。\n"
    "3     加强人才保障。              市人社局                              2024年底\n"
    "\n"
    "      三、保障措施\n"
)


def test_space_aligned_table_reads_cells_by_column_offset_and_wrapped_lines() -> None:
    rows = _rows(ALIGNED)
    assert [label for label, _ in rows] == ["1", "2", "3"]
    # a wrapped line continues the task cell of row 2, the table goes on after it
    assert rows[1][1]["工作任务"] == "培育外贸主体，落实出口退税政策。"
    assert rows[1][1]["配合单位"] == "市税务局"
    # row 3 has no 配合单位: its date stays under 完成时限
    assert rows[2][1] == {
        "序号": "3",
        "工作任务": "加强人才保障。",
        "牵头单位": "市人社局",
        "完成时限": "2024年底",
    }


def test_wrapped_task_cell_heading_is_its_first_line_piece(nlp: Language) -> None:
    text = "临江市外贸发展行动方案\n\n" + ALIGNED
    rows = [t for t in _tasks(nlp, text) if t.kind == "table_row"]
    assert [t.heading for t in rows] == ["建设智慧口岸", "培育外贸主体，落实", "加强人才保障"]


def test_flattened_table_without_a_number_column() -> None:
    text = (
        "临江市重点任务分工表\n重点任务\n牵头单位\n配合单位\n"
        "推进信用体系建设\n市发改委\n市市场监管局\n"
        "优化水电气报装\n市住建局\n市水利局、各县市区人民政府\n"
        "三、保障措施\n加强组织领导，压实工作责任。\n"
    )
    assert _rows(text) == [
        ("1", {"重点任务": "推进信用体系建设", "牵头单位": "市发改委", "配合单位": "市市场监管局"}),
        (
            "2",
            {
                "重点任务": "优化水电气报装",
                "牵头单位": "市住建局",
                "配合单位": "市水利局、各县市区人民政府",
            },
        ),
    ]


def test_every_possible_first_line_of_a_table_holds_a_hint() -> None:
    # find_tables tries only lines with a hint: a table start without one would be lost
    hypothesis = pytest.importorskip("hypothesis")
    st = pytest.importorskip("hypothesis.strategies")
    from policykg.extract import structure

    spaces = st.text(alphabet=" \t\u3000\xa0", max_size=2)

    @hypothesis.settings(max_examples=300, deadline=None)
    @hypothesis.given(
        st.one_of(
            # _flat_table: a header cell that squashes to 序号/编号/No …
            st.builds(
                lambda cell, gaps: "".join(c + g for c, g in zip(cell, gaps, strict=False)),
                st.sampled_from(sorted(structure._NUMBER_HEADER)),
                st.lists(spaces, min_size=4, max_size=4),
            ),
            st.from_regex(structure._INLINE_SPLIT_RE),  # _inline_table
            st.from_regex(structure._TASK_COLUMN_RE),  # _flat_unnumbered
        )
    )
    def check(line: str) -> None:
        line = line.strip()  # the text of a Line
        hypothesis.assume("\n" not in line and "\r" not in line)
        hypothesis.assume(
            structure._squash(line) in structure._NUMBER_HEADER
            or structure._INLINE_SPLIT_RE.search(line)
            or structure._TASK_COLUMN_RE.search(line)
        )
        assert structure._TABLE_HINT_RE.search(line), line

    check()


def test_every_label_starts_with_a_label_first_character() -> None:
    # the structure loop tries LABEL_RE only where such a character stands
    hypothesis = pytest.importorskip("hypothesis")
    st = pytest.importorskip("hypothesis.strategies")
    import re

    from policykg.extract import structure
    from policykg.extract.genre import LABEL_RE

    digit = re.compile(r"\d")
    assert all(
        bool(digit.match(chr(c))) == chr(c).isdecimal()
        for c in range(0x110000)
        if not 0xD800 <= c < 0xE000
    )

    @hypothesis.settings(max_examples=300, deadline=None)
    @hypothesis.given(st.from_regex(LABEL_RE, fullmatch=True))
    def check(label: str) -> None:
        assert label[0] in structure._LABEL_FIRST or label[0].isdecimal(), label

    check()
