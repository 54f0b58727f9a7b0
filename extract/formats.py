"""Source formats: detect a file's format by its content, and extract its main text.

Public API
----------
``SourceFormat``
    ``"text" | "html" | "pdf" | "docx"``.
``sniff_container(head) -> "pdf" | "docx" | None``
    Binary containers by magic bytes (``%PDF-``; a zip holding ``word/document.xml``
    needs the whole file, see :func:`detect_container`); raises :class:`SourceError`
    (``unsupported_format`` or ``binary``) for formats we recognise but do not read.
``detect_container(data) -> "pdf" | "docx" | None``
``looks_like_html(text) -> bool``
    Markup sniffed in the first few KB of decoded text (doctype, ``<html>``,
    ``<body>``, or several block tags): a page saved as ``.txt`` is still HTML.
``html_to_text(html) -> str``
    Main text of a page with lxml: scripts, navigation, headers/footers, share
    widgets, comment boxes, forms and link lists are dropped; blocks become lines
    (no blank lines), table cells are separated by tabs.
``pdf_to_text(data) -> (str, warnings)``
    The text layer with pypdf, pages separated by a form feed line.
``docx_to_text(data) -> str``
    Body paragraphs and tables (cells tab-separated) in document order with
    python-docx; page headers and footers are page chrome and are left out.

Why lxml and not trafilatura: trafilatura brings eleven more packages
(dateparser, babel, regex, courlan, htmldate, …) for a task that pruning the
lxml tree by tag, ARIA role, class/id vocabulary and link density does well
on government pages; the output is only the input of the extractors, which
already drop remaining chrome lines (``cleaning.py``).
"""

from __future__ import annotations

import io
import re
import zipfile
from typing import Literal

from lxml import etree
from lxml import html as lxml_html

from policykg.extract.source_errors import SourceError

__all__ = [
    "SourceFormat",
    "detect_container",
    "docx_to_text",
    "html_to_text",
    "looks_like_html",
    "pdf_to_text",
    "sniff_container",
]

SourceFormat = Literal["text", "html", "pdf", "docx"]

_PDF_MAGIC = b"%PDF-"
_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .doc/.xls/.ppt
#: formats recognised by their first bytes that are never policy text
_BINARY_MAGICS: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"Rar!\x1a\x07", "a RAR archive"),
    (b"\x7fELF", "an executable"),
    (b"MZ", "a Windows executable"),
    (b"SQLite format 3\x00", "an SQLite database"),
)


def sniff_container(head: bytes) -> SourceFormat | None:
    """The container format announced by a file's first bytes.

    Parameters
    ----------
    head : bytes
        The first bytes of the file (1 KB is enough).

    Returns
    -------
    ``"pdf"``, ``"docx"`` (a zip: confirm with :func:`detect_container`) or
    ``None`` for anything that may be text.

    Raises
    ------
    SourceError
        ``unsupported_format`` for legacy Office and RTF files, ``binary`` for
        images, archives and executables.
    """
    # the PDF header may follow a little junk (the spec allows it within 1 KB)
    if _PDF_MAGIC in head[:1024]:
        return "pdf"
    if head.startswith(_ZIP_MAGIC):
        return "docx"
    if head.startswith(_OLE_MAGIC):
        raise SourceError(
            "<bytes>",
            "unsupported_format",
            "legacy Office file (.doc/.xls): save it as .docx first",
        )
    if head.lstrip().startswith(b"{\\rtf"):
        raise SourceError("<bytes>", "unsupported_format", "RTF file: save it as .docx first")
    for magic, what in _BINARY_MAGICS:
        if head.startswith(magic):
            raise SourceError("<bytes>", "binary", f"{what}, not a text document")
    return None


def detect_container(data: bytes) -> SourceFormat | None:
    """:func:`sniff_container` plus a look inside zips (a .docx has ``word/document.xml``)."""
    fmt = sniff_container(data[:1024])
    if fmt != "docx":
        return fmt
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise SourceError("<bytes>", "corrupt", f"broken zip archive: {exc}") from exc
    if "word/document.xml" in names:
        return "docx"
    kind = "a spreadsheet (.xlsx)" if "xl/workbook.xml" in names else "a zip archive"
    raise SourceError("<bytes>", "unsupported_format", f"{kind}, not a Word .docx document")


_HTML_START = re.compile(
    r"^\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body)\b",
    re.IGNORECASE | re.DOTALL,
)
_HTML_BLOCK_TAG = re.compile(r"<(?:div|p|table|br|span|a|meta|title|script|style)\b[^>]*>", re.I)


def looks_like_html(text: str) -> bool:
    """True when decoded text is markup: a doctype/``<html>``/``<body>`` start or many tags."""
    head = text[:4096]
    if _HTML_START.match(head):
        return True
    # a fragment saved without <html>: many tags in the head, and it starts with one
    return head.lstrip().startswith("<") and len(_HTML_BLOCK_TAG.findall(head)) >= 5


# ---------------------------------------------------------------- HTML

#: elements whose content is never running text
_DROP_TAGS = (
    "script", "style", "noscript", "template", "iframe", "object", "embed", "svg", "canvas",
    "form", "button", "select", "textarea", "input", "label", "nav", "header", "footer",
    "aside", "menu", "dialog", "map", "audio", "video",
)  # fmt: skip
_DROP_ROLES = frozenset(
    {
        "navigation",
        "banner",
        "contentinfo",
        "complementary",
        "search",
        "menu",
        "menubar",
        "toolbar",
        "dialog",
    }
)
#: class/id words of page chrome (matched as whole words of the attribute)
_CHROME_WORDS = frozenset({
    "nav", "navbar", "navigation", "menu", "breadcrumb", "breadcrumbs", "crumb", "crumbs",
    "footer", "foot", "sidebar", "share", "sharing", "social", "bdshare", "jiathis",
    "comment", "comments", "reply", "replies", "related", "recommend", "advert", "ads",
    "advertisement", "login", "search", "toolbar", "pagination", "pager", "copyright",
    "qrcode", "cookie", "popup", "modal", "gotop", "backtop", "topbar", "skip",
})  # fmt: skip
_CHROME_STEMS = ("share", "comment", "breadcrumb", "footer", "sidebar", "navbar", "advert",
                 "copyright", "qrcode", "pagination", "toolbar")  # fmt: skip
_NEVER_CHROME = frozenset({"html", "body", "main", "article"})
_WORD_SPLIT = re.compile(r"[^a-z0-9]+")
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_BLOCK_TAGS = frozenset({
    "p", "div", "section", "article", "main", "h1", "h2", "h3", "h4", "h5", "h6", "li",
    "ul", "ol", "dl", "dt", "dd", "table", "thead", "tbody", "tfoot", "tr", "blockquote",
    "pre", "center", "address", "figure", "figcaption", "hr", "body", "caption",
})  # fmt: skip
_LINK_BLOCKS = ("div", "ul", "ol", "dl", "td", "table", "section", "span")
_SPACES = re.compile(r"[ \t\r\n\f\v]+")  # HTML white space; U+3000 and U+00A0 are content
_BLANK_LINES = re.compile(r"\n(?:[ \t]*\n)+")


def _chrome_words(el: etree._Element) -> set[str]:
    words: set[str] = set()
    for attr in ("class", "id"):
        value = el.get(attr)
        if value:
            words.update(w for w in _WORD_SPLIT.split(_CAMEL.sub(" ", value).lower()) if w)
    return words


def _text_len(el: etree._Element) -> int:
    return len("".join(el.itertext()).strip())


def _is_chrome(el: etree._Element) -> bool:
    if not isinstance(el.tag, str):  # comments, processing instructions
        return True
    if el.tag in _DROP_TAGS or (el.get("role") or "").lower() in _DROP_ROLES:
        return True
    if el.get("hidden") is not None or "display:none" in (el.get("style") or "").replace(" ", ""):
        return True
    if el.tag in _NEVER_CHROME:
        return False
    words = _chrome_words(el)
    # glued class names (bdsharebuttonbox, commentlist) carry a distinctive stem
    return bool(words & _CHROME_WORDS) or any(stem in w for w in words for stem in _CHROME_STEMS)


def _prune(root: etree._Element) -> None:
    _drop_all([el for el in root.iter() if _is_chrome(el)])
    # link lists (menus, "related" lists): several links and little text of their own;
    # a block with one or two links (an attachment, a cited document) is kept.  Innermost
    # blocks first, each removed at once, so an outer block is judged without them.
    for el in reversed(list(root.iter(*_LINK_BLOCKS))):
        links = list(el.iter("a"))
        total = _text_len(el)
        if len(links) < 3 or not total:
            continue
        linked = sum(_text_len(a) for a in links)
        if linked / total > 0.6 and total - linked < 40:
            _drop_all([el])


def _drop_all(elements: list[etree._Element]) -> None:
    for el in elements:
        parent = el.getparent()
        if parent is None:
            continue
        # keep the tail: it is text of the parent, not of the dropped element
        tail = el.tail
        previous = el.getprevious()
        parent.remove(el)
        if tail:
            if previous is not None:
                previous.tail = (previous.tail or "") + tail
            else:
                parent.text = (parent.text or "") + tail


def _render(el: etree._Element, out: list[str]) -> None:
    tag = el.tag if isinstance(el.tag, str) else ""
    block = tag in _BLOCK_TAGS
    if block:
        out.append("\n")
    if tag == "br":
        out.append("\n")
    if el.text:
        out.append(_SPACES.sub(" ", el.text))
    for child in el:
        _render(child, out)
        if isinstance(child.tag, str) and child.tag in ("td", "th"):
            out.append("\t")
    if block:
        out.append("\n")
    if el.tail:
        out.append(_SPACES.sub(" ", el.tail))


def html_to_text(html: str) -> str:
    """Main text of an HTML page (see the module docstring).

    Parameters
    ----------
    html : str
        The decoded page.

    Returns
    -------
    str
        Lines of text: one per block, table cells tab-separated, no blank-line runs.
    """
    # lxml refuses str input that declares an encoding; the text is already decoded
    html = re.sub(r"^\s*<\?xml[^>]*\?>", "", html, count=1)
    try:
        root = lxml_html.document_fromstring(html)
    except (etree.ParserError, ValueError):
        return ""
    body = root.find("body")
    title = root.findtext(".//title") or ""
    _prune(root)
    out: list[str] = []
    _render(body if body is not None else root, out)
    lines = [line.strip(" \t") for line in "".join(out).split("\n")]
    text = _BLANK_LINES.sub("\n", "\n".join(lines)).strip("\n")
    if not text and title.strip():
        text = title.strip()
    return text + "\n" if text else ""


# ---------------------------------------------------------------- PDF


def pdf_to_text(data: bytes) -> tuple[str, list[str]]:
    """The text layer of a PDF with pypdf.

    Returns
    -------
    (str, list of str)
        Page texts joined by a form-feed line, and warnings (pages that failed).

    Raises
    ------
    SourceError
        ``corrupt`` (pypdf cannot open it), ``encrypted`` (a password is needed)
        or ``no_text`` (no page has a text layer: scanned images need OCR first).
    """
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise SourceError("<bytes>", "encrypted", "password-protected PDF")
        pages = list(reader.pages)
    except SourceError:
        raise
    except (PdfReadError, OSError, ValueError, KeyError, TypeError, AssertionError) as exc:
        raise SourceError("<bytes>", "corrupt", f"PDF cannot be read: {exc}") from exc
    texts: list[str] = []
    warnings: list[str] = []
    for number, page in enumerate(pages, 1):
        try:
            texts.append(page.extract_text() or "")
        except Exception as exc:  # one bad page must not lose the others
            warnings.append(f"page_failed: page {number}: {type(exc).__name__}: {exc}")
            texts.append("")
    text = "\n\f\n".join(t.strip("\n") for t in texts)
    if not text.replace("\f", "").strip():
        raise SourceError(
            "<bytes>", "no_text", f"PDF of {len(pages)} page(s) has no text layer (scanned? OCR it)"
        )
    return text + "\n", warnings


# ---------------------------------------------------------------- DOCX


def docx_to_text(data: bytes) -> str:
    """Body paragraphs and tables of a ``.docx`` in document order (python-docx).

    Raises
    ------
    SourceError
        ``corrupt`` when python-docx cannot open the package.
    """
    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises zip, KeyError and XML errors alike
        raise SourceError("<bytes>", "corrupt", f".docx cannot be read: {exc}") from exc
    lines: list[str] = []
    body = document.element.body
    for child in body.iterchildren():
        if child.tag.endswith("}p"):
            lines.append(Paragraph(child, document).text)
        elif child.tag.endswith("}tbl"):
            for row in Table(child, document).rows:
                cells: list[str] = []
                seen: set[int] = set()
                for cell in row.cells:
                    # a merged cell is returned once per grid column it spans
                    if id(cell._tc) in seen:
                        continue
                    seen.add(id(cell._tc))
                    cells.append(cell.text.replace("\n", " "))
                lines.append("\t".join(cells))
    text = "\n".join(lines).strip("\n")
    return text + "\n" if text else ""
