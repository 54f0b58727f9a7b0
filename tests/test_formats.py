"""Format detection by content and main-text extraction: HTML, PDF, .docx."""

from __future__ import annotations

import importlib.util
import io
import re
import shutil
import unicodedata
import zipfile
from pathlib import Path
from types import ModuleType

import docx
import pytest
from lxml import html as lxml_html
from pypdf import PdfReader, PdfWriter

from policykg.extract.formats import (
    _is_chrome,
    _stream_text,
    detect_container,
    docx_to_text,
    extract_html,
    html_to_text,
    join_wrapped_lines,
    looks_like_html,
    pdf_to_text,
    sniff_container,
    unify_radicals,
)
from policykg.extract.pipeline import extract_file
from policykg.extract.reader import read_source
from policykg.extract.source_errors import SourceError

FIXTURES = Path(__file__).parent / "fixtures" / "inputs"
TITLE = "滨海市人民政府关于推进数字经济发展的实施意见"
TASK = "一、加快建设数字基础设施。（责任单位：市发展改革委、市科技局）"

PAGE = f"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>滨海市人民政府门户网站</title>
<script>var tracker = "首页";</script><style>.x{{color:red}}</style></head>
<body>
<div class="top-nav"><ul><li><a href="/">首页</a></li><li><a href="/gk">政务公开</a></li>
<li><a href="/hd">互动交流</a></li></ul></div>
<nav><a href="/">网站地图</a></nav>
<div class="breadcrumb">当前位置：<a href="/">首页</a> &gt; <a href="/wj">文件</a></div>
<div class="main-content">
<h1>{TITLE}</h1>
<p>各区人民政府，市政府各部门：</p>
<p>\u3000\u3000{TASK}</p>
<table><tr><td>序号</td><td>任务</td><td>责任单位</td></tr>
<tr><td>1</td><td>建设5G基站</td><td>市通信管理办</td></tr></table>
<div class="bdsharebuttonbox"><a class="bds_weixin">分享到微信</a><a>分享到微博</a></div>
<div id="commentBox"><p>发表评论</p><textarea></textarea><button>提交</button></div>
</div>
<div class="related-links"><a href="/1">相关文件一</a><a href="/2">相关文件二</a></div>
<footer>版权所有：滨海市人民政府办公室</footer>
<div class="site-footer">主办单位：滨海市人民政府 备案号：123456</div>
</body></html>
"""


# ---------------------------------------------------------------- HTML


def test_html_main_text_drops_page_chrome() -> None:
    text = html_to_text(PAGE)
    assert TITLE in text and TASK in text
    for chrome in ("首页", "政务公开", "当前位置", "分享到", "发表评论", "提交", "相关文件",
                   "版权所有", "主办单位", "tracker", "color"):  # fmt: skip
        assert chrome not in text, chrome


def test_html_blocks_become_lines_and_cells_tabs() -> None:
    lines = html_to_text(PAGE).splitlines()
    assert lines[0] == TITLE
    assert "序号\t任务\t责任单位" in lines
    assert "1\t建设5G基站\t市通信管理办" in lines
    assert "" not in lines  # no blank lines


def test_html_text_outside_blocks_and_br_are_kept() -> None:
    text = html_to_text(
        "<html><body>第一行<br>第二行<b>加粗</b>尾<script>x</script>后</body></html>"
    )
    assert text == "第一行\n第二行加粗尾后\n"


def test_attachment_links_are_kept_link_lists_dropped() -> None:
    page = (
        "<html><body><div><p>现将实施方案印发给你们。</p>"
        '<div class="attach"><a href="/f.pdf">附件：滨海市数字经济实施方案.pdf</a></div>'
        '<div><a href="/a">机构</a><a href="/b">政策</a><a href="/c">服务</a>'
        '<a href="/d">互动</a></div></div></body></html>'
    )
    text = html_to_text(page)
    assert "附件：滨海市数字经济实施方案.pdf" in text
    assert "机构" not in text and "互动" not in text


def test_looks_like_html() -> None:
    assert looks_like_html(PAGE)
    assert looks_like_html("  <?xml version='1.0'?><html><body>x</body></html>")
    assert looks_like_html("<div><p>a</p><p>b</p><span>c</span><a>d</a><br></div>")
    assert not looks_like_html(TITLE + "\n" + TASK)
    assert not looks_like_html("《条例》<附件一>说明")


def test_html_saved_as_txt_is_detected_by_content(tmp_path: Path) -> None:
    path = tmp_path / "page.txt"
    path.write_bytes(PAGE.encode("gb18030"))
    source = read_source(path)
    assert source.source_format == "html"
    assert "首页" not in source.text and TASK in source.text
    result = extract_file(path)
    assert result.source_format == "html"
    units = {r.unit for r in result.responsibilities}
    assert {"市发展改革委", "市科技局"} <= units
    for r in result.responsibilities:
        ev = r.evidence
        assert result.text[ev.start : ev.end] == ev.quote


# ---------------------------------------------------------------- PDF


def test_pdf_text_layer_is_extracted() -> None:
    text, warnings = pdf_to_text((FIXTURES / "policy_text_layer.pdf").read_bytes())
    assert warnings == []
    assert text.splitlines()[0] == TITLE
    assert TASK in text and "\f" in text  # pages separated by a form feed line
    assert "到2026年，全市数字经济核心产业增加值达到1000亿元。" in text


def test_pdf_is_detected_by_content_not_suffix(tmp_path: Path) -> None:
    path = tmp_path / "download.dat"
    path.write_bytes((FIXTURES / "policy_text_layer.pdf").read_bytes())
    result = extract_file(path)
    assert result.source_format == "pdf" and result.encoding is None
    assert {r.unit for r in result.responsibilities} >= {"市发展改革委", "市科技局"}
    assert any(t.value == 1000 for t in result.targets)
    for record in [*result.responsibilities, *result.targets, *result.documents]:
        ev = record.evidence
        assert result.text[ev.start : ev.end] == ev.quote


def _pdf_bytes(writer: PdfWriter) -> bytes:
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def test_pdf_without_text_layer_is_reported() -> None:
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    with pytest.raises(SourceError) as info:
        pdf_to_text(_pdf_bytes(writer))
    assert info.value.reason == "no_text"


def test_encrypted_pdf_is_reported() -> None:
    writer = PdfWriter(clone_from=io.BytesIO((FIXTURES / "policy_text_layer.pdf").read_bytes()))
    writer.encrypt(user_password="secret", algorithm="RC4-128")
    with pytest.raises(SourceError) as info:
        pdf_to_text(_pdf_bytes(writer))
    assert info.value.reason == "encrypted"


def test_corrupt_pdf_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "broken.pdf"
    path.write_bytes(b"%PDF-1.7\n" + b"\x00garbage" * 20)
    with pytest.raises(SourceError) as info:
        read_source(path)
    assert info.value.reason in {"corrupt", "no_text"}
    assert info.value.path == path


# ---------------------------------------------------------------- DOCX


def _docx_bytes() -> bytes:
    document = docx.Document()
    document.sections[0].header.paragraphs[0].text = "滨海市人民政府办公室 页眉"
    document.sections[0].footer.paragraphs[0].text = "第 1 页 共 3 页"
    document.add_paragraph(TITLE)
    document.add_paragraph("各区人民政府，市政府各部门：")
    document.add_paragraph(TASK)
    table = document.add_table(rows=2, cols=3)
    for cell, value in zip(table.rows[0].cells, ["序号", "任务", "责任单位"], strict=True):
        cell.text = value
    for cell, value in zip(table.rows[1].cells, ["1", "建设5G基站", "市通信管理办"], strict=True):
        cell.text = value
    document.add_paragraph("二、到2026年，全市5G基站达到3万个。")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_docx_body_and_tables_in_order_without_page_headers() -> None:
    text = docx_to_text(_docx_bytes())
    lines = text.splitlines()
    assert lines[0] == TITLE
    assert (
        lines.index(TASK)
        < lines.index("序号\t任务\t责任单位")
        < lines.index("二、到2026年，全市5G基站达到3万个。")
    )
    assert "页眉" not in text and "共 3 页" not in text


def test_docx_is_detected_by_content(tmp_path: Path) -> None:
    path = tmp_path / "exported.txt"
    path.write_bytes(_docx_bytes())
    assert detect_container(path.read_bytes()) == "docx"
    result = extract_file(path)
    assert result.source_format == "docx"
    assert {r.unit for r in result.responsibilities} >= {"市发展改革委", "市科技局"}
    for r in result.responsibilities:
        assert result.text[r.evidence.start : r.evidence.end] == r.evidence.quote


# ---------------------------------------------------------------- other containers


def _zip(names: list[str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in names:
            archive.writestr(name, "<x/>")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (_zip(["xl/workbook.xml"]), "unsupported_format"),
        (_zip(["readme.txt"]), "unsupported_format"),
        (b"PK\x03\x04" + b"\x00" * 40, "corrupt"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "unsupported_format"),
        (b"{\\rtf1\\ansi hello}", "unsupported_format"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, "binary"),
        (b"\x7fELF" + b"\x00" * 100, "binary"),
    ],
)
def test_unsupported_containers_are_named(data: bytes, reason: str, tmp_path: Path) -> None:
    path = tmp_path / "thing.txt"
    path.write_bytes(data)
    with pytest.raises(SourceError) as info:
        read_source(path)
    assert info.value.reason == reason
    assert info.value.path == path


def test_sniff_container() -> None:
    assert sniff_container(b"%PDF-1.4\n") == "pdf"
    assert sniff_container(b"\r\n%PDF-1.4\n") == "pdf"
    assert sniff_container(b"PK\x03\x04rest") == "docx"
    assert sniff_container(TITLE.encode("utf-8")) is None


# ---------------------------------------------------------------- realistic pages

PAGES = FIXTURES / "pages"
#: page → (lines that must be in the main text, strings that must not)
PAGE_EXPECTATIONS = {
    "gov_article.html": (
        [
            "滨海市人民政府关于加快推进新型工业化的实施意见",
            "发文字号：\t滨政发〔2024〕9号\t发布日期：\t2024年05月06日",
            "　　（一）培育先进制造业集群。聚焦新能源、新材料、高端装备等领域，打造三个千亿级"
            "产业集群。（责任单位：市经济和信息化局、市发展改革委）",
            "滨海市人民政府",
            "2024年4月28日",
            "附件：滨海市新型工业化重点任务清单.pdf",
        ],
        ["无障碍", "长者模式", "请输入关键词", "政务公开", "当前位置", "大 中 小", "打印本页",
         "关闭窗口", "分享到", "扫一扫", "相关链接", "制造业高质量发展规划", "主办单位",
         "承办单位", "ICP备", "公网安备", "网站标识码", "联系电话", "网站地图"],
    ),
    "table_layout.htm": (
        [
            "江北县人民政府办公室关于印发江北县农村人居环境整治提升行动方案的通知",
            "各乡镇人民政府，县政府各部门：",
            "　　（二）加快推进生活污水治理。优先治理人口集中村庄的生活污水。"
            "（责任单位：县生态环境局；配合单位：各乡镇人民政府）",
            "　　2023年9月8日",
        ],
        ["网站首页", "政民互动", "公开指南", "扫码关注", "您现在的位置", "【打印】", "【关闭】",
         "版权所有", "ICP备", "技术支持"],
    ),
    "right_column.html": (
        [
            "南湖区人民政府办公室关于进一步优化营商环境的若干措施",
            "发文字号：南政办〔2024〕4号　发布日期：2024-02-20",
            "二、降低企业经营成本。落实减税降费政策，清理规范涉企收费。（责任单位：区财政局、区税务局）",
            "南湖区人民政府办公室",  # signature blocks with class="right" inside the main text
            "2024年2月18日",
        ],
        ["繁体", "English", "要闻动态", "区政府文件", "扫一扫", "首页 /", "打印", "关闭",
         "主办", "ICP备"],
    ),
    "no_classes.html": (
        [
            "西山市卫生健康委员会关于做好2024年基本公共卫生服务工作的通知",
            "二、加强资金管理。各地要及时足额拨付补助资金，不得截留挪用。"
            "（责任单位：财务处；配合单位：疾病预防控制处）",
            "西山市卫生健康委员会",
            "2024年5月30日",
        ],
        # no class names at all: the menu, the tool bar and the site footer go by their text
        ["机构概况", "新闻中心", "收藏", "主办单位", "ICP备"],
    ),
}


@pytest.mark.parametrize("name", sorted(PAGE_EXPECTATIONS))
def test_realistic_pages_keep_the_document_and_drop_the_site(name: str) -> None:
    kept, dropped = PAGE_EXPECTATIONS[name]
    text, warnings = extract_html((PAGES / name).read_text(encoding="utf-8"))
    assert warnings == []
    lines = text.splitlines()
    for line in kept:
        assert line in lines, line
    for chrome in dropped:
        assert chrome not in text, chrome


def test_site_footer_does_not_become_a_responsibility(tmp_path: Path) -> None:
    path = tmp_path / "page.html"
    path.write_bytes((PAGES / "gov_article.html").read_bytes())
    result = extract_file(path)
    units = {r.unit for r in result.responsibilities}
    assert units == {"市经济和信息化局", "市发展改革委", "市科技局", "市财政局",
                     "市自然资源和规划局"}  # fmt: skip
    for r in result.responsibilities:
        assert result.text[r.evidence.start : r.evidence.end] == r.evidence.quote


@pytest.mark.parametrize(
    ("attrs", "chrome"),
    [
        ('class="top-bar"', True),  # hyphenated: top + bar → topbar
        ('class="topBar"', True),  # camel case
        ('id="SOHUCS" class="pinglun"', True),
        ('class="xgwz"', True),
        ('class="bdsharebuttonbox"', True),  # a glued stem
        ('class="font-size"', True),
        ('class="article-content"', False),
        ('class="bottom"', False),  # positional: chrome only where it does not read as text
    ],
)
def test_chrome_class_words(attrs: str, chrome: bool) -> None:
    el = lxml_html.fromstring(f"<div {attrs}>x</div>")
    assert _is_chrome(el) is chrome


def test_a_positional_class_keeps_text_but_drops_a_footer() -> None:
    body = "<p>各单位：现将有关事项通知如下，请认真执行，确保按期完成。</p>" * 3
    page = (
        f'<html><body><div class="main"><div class="content">{body}</div></div>'
        '<div class="bottom">主办单位：某某市人民政府办公室 网站标识码 1234</div>'
        f'<div class="right">{body.replace("各单位", "二是")}</div></body></html>'
    )
    text = html_to_text(page)
    assert "主办单位" not in text
    assert "二是：现将有关事项通知如下" in text  # text after the main block that reads as text


def test_a_wrapper_with_a_chrome_name_holding_the_text_is_kept() -> None:
    paragraphs = "".join(f"<p>第{i}条，各地要落实责任，加强监督检查。</p>" for i in range(1, 6))
    page = (
        f'<html><body><div id="printContent"><div class="txt">{paragraphs}</div>'
        '<div class="share">分享到：微信，微博</div></div></body></html>'
    )
    text = html_to_text(page)
    assert "第5条，各地要落实责任，加强监督检查。" in text
    assert "分享到" not in text


# ---------------------------------------------------------------- deep pages


@pytest.mark.parametrize("depth", [300, 1500])
def test_deep_nesting_within_libxml2s_limit_keeps_the_text(depth: int) -> None:
    page = "<html><body>" + "<div>" * depth + f"<p>{TASK}</p>" + "</div>" * depth + "</body></html>"
    text, warnings = extract_html(page)
    assert TASK in text and warnings == []


def test_deeper_nesting_is_read_by_the_streaming_parser_and_said_so(tmp_path: Path) -> None:
    depth = 3000  # over libxml2's 2048 levels even with huge_tree
    page = (
        "<html><body>" + '<div class="share">分享到微信</div>' + "<span>" * depth
        + f"<p>{TITLE}</p><p>{TASK}</p>" + "</span>" * depth + "</body></html>"
    )  # fmt: skip
    text, warnings = extract_html(page)
    assert TITLE in text and TASK in text
    assert "分享到" not in text  # chrome classes still apply
    assert len(warnings) == 1 and warnings[0].startswith("markup_recovered:")
    assert "2048" in warnings[0] and "XML_PARSE_HUGE" not in warnings[0]
    path = tmp_path / "deep.html"
    path.write_text(page, encoding="utf-8")
    result = extract_file(path)  # not "empty": the text and the warning reach the result
    assert {r.unit for r in result.responsibilities} == {"市发展改革委", "市科技局"}
    assert any(w.startswith("markup_recovered:") for w in result.warnings)


def test_stream_parser_handles_stray_and_unclosed_tags() -> None:
    text = _stream_text("<div>一<p>二<span>三</div></p><td>甲</td><td>乙</td><script>x</script>")
    assert text.splitlines() == ["一", "二三", "甲\t乙"]


# ---------------------------------------------------------------- PDF from real producers

CHROMIUM_UNITS = {"市住房城乡建设局", "市城市管理局", "市民政局", "市卫生健康委", "市商务局",
                  "各区人民政府"}  # fmt: skip


def _generator(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, FIXTURES / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _assert_chromium_text(path: Path) -> None:
    raw = PdfReader(path).pages[0].extract_text()
    assert re.search(r"[\u2e80-\u2fdf]", raw), "the producer should write radicals"
    text, warnings = pdf_to_text(path.read_bytes())
    assert warnings == []
    assert not re.search(r"[\u2e80-\u2fdf]", text)
    lines = text.splitlines()
    paragraphs = _generator("make_chromium_pdf").PARAGRAPHS
    # every paragraph is one line again: wraps rejoined, short lines left alone
    assert lines == [p.replace("戶", "户") for p in paragraphs]
    result = extract_file(path)
    assert {r.unit for r in result.responsibilities} == CHROMIUM_UNITS
    assert {r.unit for r in result.responsibilities if r.role == "lead"} == {"市民政局"}
    assert {t.value for t in result.targets} >= {600, 10, 1000}
    assert result.documents[0].title == paragraphs[0]
    for record in [*result.responsibilities, *result.targets, *result.documents]:
        assert result.text[record.evidence.start : record.evidence.end] == record.evidence.quote


def test_chromium_pdf_fixture_radicals_and_wraps() -> None:
    _assert_chromium_text(FIXTURES / "chromium_cjk.pdf")


@pytest.mark.skipif(shutil.which("chromium") is None, reason="chromium is not installed")
def test_chromium_pdf_printed_now(tmp_path: Path) -> None:
    # the full producer output, embedded fonts and all
    _assert_chromium_text(_generator("make_chromium_pdf").chromium_pdf(tmp_path / "p.pdf"))


@pytest.mark.skipif(
    shutil.which("soffice") is None and shutil.which("libreoffice") is None,
    reason="LibreOffice is not installed (a large package: not part of the test tools)",
)
def test_libreoffice_pdf(tmp_path: Path) -> None:
    path = _generator("make_chromium_pdf").libreoffice_pdf(tmp_path / "lo.pdf")
    result = extract_file(path)
    assert {r.unit for r in result.responsibilities} == CHROMIUM_UNITS


def test_unify_radicals_is_one_for_one() -> None:
    assert unify_radicals("⼈⺠政府各部⻔，⻓效管理，⼀⽉⽇") == "人民政府各部门，长效管理，一月日"
    assert unify_radicals("⼾") == "户"  # the Simplified Chinese glyph, not NFKC's 戶
    every = "".join(chr(cp) for cp in range(0x2E80, 0x2FD6))
    unified = unify_radicals(every)
    assert len(unified) == len(every)
    for before, after in zip(every, unified, strict=True):
        if before != after:
            assert "CJK UNIFIED IDEOGRAPH" in unicodedata.name(after), before
    assert unify_radicals(TITLE + TASK) == TITLE + TASK


@pytest.mark.parametrize(
    ("page", "expected"),
    [
        # a label wrapped mid-word
        ("一、加快建设数字基础设施，推进网络建设。（责任单\n位：市发展改革委）\n二、短行",
         "一、加快建设数字基础设施，推进网络建设。（责任单位：市发展改革委）\n二、短行"),
        # a sentence end, a heading, and a short line are no wraps
        ("一、加快建设数字基础设施，推进网络建设工作到位。\n这是下一段的开头文字内容",
         "一、加快建设数字基础设施，推进网络建设工作到位。\n这是下一段的开头文字内容"),
        ("一、加快建设数字基础设施，推进网络建设工作到位\n（二）下一项任务的内容文字",
         "一、加快建设数字基础设施，推进网络建设工作到位\n（二）下一项任务的内容文字"),
        ("一、总体目标\n到2026年，全市数字经济核心产业增加值达到一千亿元以上规模以上",
         "一、总体目标\n到2026年，全市数字经济核心产业增加值达到一千亿元以上规模以上"),
        # a semicolon inside an open bracket does not end the paragraph
        ("（牵头单位：市经济和信息化局；配合单位：市科技局；\n市财政局）\n短",
         "（牵头单位：市经济和信息化局；配合单位：市科技局；市财政局）\n短"),
        # the next line does not start with a CJK character
        ("到2026年，全市数字经济核心产业增加值达到一千亿元以上规模以上达\n2026年",
         "到2026年，全市数字经济核心产业增加值达到一千亿元以上规模以上达\n2026年"),
    ],
)  # fmt: skip
def test_join_wrapped_lines(page: str, expected: str) -> None:
    assert join_wrapped_lines(page) == expected


def test_pypdf_messages_become_warnings_of_the_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = (FIXTURES / "policy_text_layer.pdf").read_bytes()
    repaired = data[: data.rfind(b"%%EOF")] + b"%%EO\n"  # a damaged end-of-file marker
    path = tmp_path / "repaired.pdf"
    path.write_bytes(repaired)
    source = read_source(path)
    assert "pdf_warning: pypdf: EOF marker seems truncated" in source.warnings
    assert TASK in source.text
    # an unreadable one names what pypdf said, in the file's error
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(data[:3000] if len(data) > 3000 else data[: len(data) // 2])
    with pytest.raises(SourceError) as info:
        read_source(broken)
    assert info.value.reason == "corrupt" and info.value.path == broken
    assert "EOF marker not found" in info.value.message
    captured = capsys.readouterr()
    assert "EOF marker" not in captured.err  # nothing unnamed on stderr
