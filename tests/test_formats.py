"""Format detection by content and main-text extraction: HTML, PDF, .docx."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import docx
import pytest
from pypdf import PdfWriter

from policykg.extract.formats import (
    detect_container,
    docx_to_text,
    html_to_text,
    looks_like_html,
    pdf_to_text,
    sniff_container,
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
