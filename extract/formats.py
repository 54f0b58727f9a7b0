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
``extract_html(html) -> (str, warnings)``
    Main text of a page with lxml: scripts, forms, navigation, banners and
    hidden blocks are dropped by tag and ARIA role; share widgets, comment
    boxes, tool bars and site footers by their class/id words (split at
    hyphens and camel case, pinyin names of Chinese CMSs included); link lists
    by link density.  The main block is found by scoring paragraphs on their
    sentence punctuation and length (Chinese running text is dense in ，。；),
    and the page around it is kept only where it reads as the document's
    header (title, number, date) or as text.  Blocks become lines (no blank
    lines), table cells are separated by tabs.  A page nested deeper than
    libxml2 can parse is read by the stdlib's streaming parser, with a
    ``markup_recovered`` warning.
``html_to_text(html) -> str``
    ``extract_html(html)[0]``.
``pdf_to_text(data) -> (str, warnings)``
    The text layer with pypdf, pages separated by a form feed line; radicals
    mapped to ideographs (:func:`unify_radicals`) and layout wraps inside
    Chinese sentences rejoined (:func:`join_wrapped_lines`); pypdf's own
    warnings become ``pdf_warning`` warnings of the file.
``docx_to_text(data) -> str``
    Body paragraphs and tables (cells tab-separated) in document order with
    python-docx; page headers and footers are page chrome and are left out.

Why lxml and not trafilatura: on Chinese government pages (breadcrumb, info
table, 字号/打印/关闭 bars, share widgets, comment boxes, 主办单位/ICP
footers, table layouts, content in a ``right`` column) trafilatura 2.3 lost
the ``<h1>`` title of an article page and kept every menu and footer of
table-layout and two-column pages, and it brings some twenty packages
(dateparser, babel, regex, courlan, htmldate, …).  Scoring and pruning the
lxml tree does better on that genre; the output is only the input of the
extractors, which still drop remaining chrome lines (``cleaning.py``).
"""

from __future__ import annotations

import io
import logging
import re
import threading
import unicodedata
import warnings as warnings_module
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from html.parser import HTMLParser
from importlib import resources
from itertools import pairwise
from typing import Literal

from lxml import etree
from lxml import html as lxml_html

from policykg.extract.source_errors import SourceError

__all__ = [
    "SourceFormat",
    "detect_container",
    "docx_to_text",
    "extract_html",
    "html_to_text",
    "join_wrapped_lines",
    "looks_like_html",
    "pdf_to_text",
    "sniff_container",
    "unify_radicals",
]

logger = logging.getLogger(__name__)

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
_DROP_TAGS = frozenset({
    "script", "style", "noscript", "template", "iframe", "object", "embed", "svg", "canvas",
    "form", "button", "select", "textarea", "input", "label", "nav", "aside", "menu", "dialog",
    "map", "audio", "video",
})  # fmt: skip
#: page banners and footers, unless they head or close an <article>/<main> (HTML5 sections)
_SECTION_CHROME_TAGS = frozenset({"header", "footer"})
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
#: class/id words of page chrome, matched as whole words of the attribute (``top-bar`` and
#: ``topBar`` give ``top``, ``bar`` and the joined ``topbar``), including the pinyin names
#: of Chinese CMSs: pinglun 评论, liuyan 留言, xgwz/xglj 相关文章/链接, fenxiang 分享,
#: daohang 导航, weizhi/dqwz 当前位置, ewm/erweima 二维码, dayin 打印, guanbi 关闭,
#: zihao 字号, wza 无障碍; sohucs/changyan are the ids of a common comment widget
_CHROME_WORDS = frozenset({
    "nav", "navbar", "navigation", "menu", "breadcrumb", "breadcrumbs", "crumb", "crumbs",
    "footer", "foot", "sidebar", "share", "sharing", "social", "bdshare", "jiathis",
    "comment", "comments", "reply", "replies", "related", "recommend", "advert", "ads",
    "advertisement", "login", "search", "toolbar", "pagination", "pager", "copyright",
    "qrcode", "cookie", "popup", "modal", "gotop", "backtop", "topbar", "skip", "print",
    "close", "fontsize", "pinglun", "liuyan", "sohucs", "changyan", "xgwz", "xglj",
    "fenxiang", "daohang", "weizhi", "dqwz", "ewm", "erweima", "dayin", "guanbi", "zihao",
    "wza", "bottombar",
})  # fmt: skip
#: glued class names (bdsharebuttonbox, commentlist, pinglunqu) carry a distinctive stem
_CHROME_STEMS = ("share", "comment", "breadcrumb", "footer", "sidebar", "navbar", "advert",
                 "copyright", "qrcode", "pagination", "toolbar", "pinglun", "fenxiang",
                 "daohang", "erweima")  # fmt: skip
#: positional words: chrome outside the main text only when the block does not read as text
_WEAK_WORDS = frozenset({
    "bottom", "top", "head", "header", "left", "right", "side", "dy", "links", "tools",
    "banner", "logo",
})  # fmt: skip
#: words of main-text containers (zw 正文, TRS_Editor and UCAP-CONTENT of common CMSs)
_CONTENT_WORDS = frozenset({
    "content", "article", "zw", "zhengwen", "detail", "main", "text", "trs", "ucap", "zoom",
    "body", "post", "entry",
})  # fmt: skip
_NEVER_CHROME = frozenset({"html", "body", "main", "article"})
_WORD_SPLIT = re.compile(r"[^a-z0-9]+")
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_BLOCK_TAGS = frozenset({
    "p", "div", "section", "article", "main", "h1", "h2", "h3", "h4", "h5", "h6", "li",
    "ul", "ol", "dl", "dt", "dd", "table", "thead", "tbody", "tfoot", "tr", "td", "th",
    "blockquote", "pre", "center", "address", "figure", "figcaption", "hr", "body", "caption",
    "header", "footer",
})  # fmt: skip
#: blocks that are not lines of their own in the output (cells are tab-separated)
_CELL_TAGS = frozenset({"td", "th"})
_HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")
_LINK_BLOCKS = ("div", "ul", "ol", "dl", "td", "table", "section", "span", "p")
_SPACES = re.compile(r"[ \t\r\n\f\v]+")  # HTML white space; U+3000 and U+00A0 are content
_BLANK_LINES = re.compile(r"\n(?:[ \t]*\n)+")
#: sentence punctuation: running text has it, menus, bars and site footers do not
_SENTENCE_PUNCT = frozenset("，。；！？,;")
_CJK_CHAR = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
#: what separates the items of a menu, a breadcrumb or a tool bar
_MENU_SEPARATORS = re.compile(r"[\s|｜/／>＞»›·•【】\[\]]+")
_DOC_LINK = re.compile(r"\.(?:pdf|docx?|xlsx?|wps|ofd|zip|rar|txt|et)(?:[?#]|$)", re.I)
#: a paragraph shorter than this (non-space characters) scores nothing
_MIN_PARAGRAPH = 10
#: a heading at least this long is a document title, not a column label
_TITLE_CHARS = 8
#: libxml2 refuses deeper trees even with ``huge_tree`` (2048 levels)
_MARKUP_RECOVERED = "markup_recovered"


@dataclass(slots=True)
class _Stats:
    """Text measures of a subtree: characters, CJK, sentence punctuation, link text."""

    chars: int = 0
    cjk: int = 0
    punct: int = 0
    linked: int = 0

    def add(self, text: str | None) -> None:
        if text:
            self.chars += sum(1 for ch in text if not ch.isspace())
            self.cjk += len(_CJK_CHAR.findall(text))
            self.punct += sum(1 for ch in text if ch in _SENTENCE_PUNCT)

    def merge(self, other: _Stats) -> None:
        self.chars += other.chars
        self.cjk += other.cjk
        self.punct += other.punct
        self.linked += other.linked

    @property
    def link_density(self) -> float:
        return self.linked / self.chars if self.chars else 0.0


def _class_words(el: etree._Element) -> set[str]:
    words: set[str] = set()
    for attr in ("class", "id"):
        value = el.get(attr)
        if value:
            parts = [w for w in _WORD_SPLIT.split(_CAMEL.sub(" ", value).lower()) if w]
            words.update(parts)
            # top-bar, bread_crumb, fontSize: the joined pair is the chrome word
            words.update(a + b for a, b in pairwise(parts))
    return words


def _is_dropped_tag(el: etree._Element) -> bool:
    """Never text: scripts, forms, navigation, hidden blocks, banners outside articles."""
    if not isinstance(el.tag, str):  # comments, processing instructions
        return True
    if el.tag in _DROP_TAGS or (el.get("role") or "").lower() in _DROP_ROLES:
        return True
    if el.get("hidden") is not None or "display:none" in (el.get("style") or "").replace(" ", ""):
        return True
    if el.tag in _SECTION_CHROME_TAGS:
        return not any(a.tag in ("article", "main") for a in el.iterancestors())
    return False


def _is_chrome(el: etree._Element) -> bool:
    """Chrome by its class/id words (share widgets, comment boxes, footers, bars)."""
    if el.tag in _NEVER_CHROME:
        return False
    words = _class_words(el)
    return bool(words & _CHROME_WORDS) or any(stem in w for w in words for stem in _CHROME_STEMS)


def _is_weak_chrome(el: etree._Element) -> bool:
    return el.tag not in _NEVER_CHROME and bool(_class_words(el) & _WEAK_WORDS)


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


def _measure(root: etree._Element) -> dict[etree._Element, _Stats]:
    """Stats of every subtree, children before parents (no recursion: trees may be deep)."""
    stats: dict[etree._Element, _Stats] = {}
    for el in reversed(list(root.iter())):
        own = _Stats()
        own.add(el.text)
        for child in el:
            own.add(child.tail)  # a child's tail is text of this element
            own.merge(stats[child])
        if el.tag == "a":
            own.linked = own.chars
        stats[el] = own
    return stats


def _inline_stats(el: etree._Element, stats: dict[etree._Element, _Stats]) -> _Stats:
    """Text of ``el`` outside its block children: the paragraph it is itself."""
    own = _Stats()
    own.add(el.text)
    for child in el:
        own.add(child.tail)
        if child.tag not in _BLOCK_TAGS:
            own.merge(stats[child])
    return own


def _main_block(
    root: etree._Element, stats: dict[etree._Element, _Stats], chrome: set[etree._Element]
) -> etree._Element | None:
    """The block holding the main text: paragraphs vote for themselves and their ancestors.

    A paragraph scores 1 + its sentence punctuation + up to 3 for its length (Chinese
    running text is dense in ，。；); the score goes to the paragraph, its parent and half
    to its grandparent, so the container of many paragraphs wins over any one of them.
    A candidate's score is cut by its link density and raised by a content class word.
    """
    scores: dict[etree._Element, float] = {}
    skip: set[etree._Element] = set()
    for el in root.iter():
        if el in skip or el in chrome:
            skip.update(el.iterdescendants())
            continue
        if el.tag not in _BLOCK_TAGS or el.tag in ("ul", "ol", "dl", "table", "tr"):
            continue
        own = _inline_stats(el, stats)
        if own.chars < _MIN_PARAGRAPH:
            continue
        score = 1.0 + own.punct + min(own.chars / 50, 3.0)
        scores[el] = scores.get(el, 0.0) + score
        parent = el.getparent()
        if parent is not None:
            scores[parent] = scores.get(parent, 0.0) + score
            grand = parent.getparent()
            if grand is not None:
                scores[grand] = scores.get(grand, 0.0) + score / 2
    best: etree._Element | None = None
    best_score = 0.0
    for el in root.iter():  # document order: on a tie the outer block wins
        if el not in scores or not isinstance(el.tag, str):
            continue
        score = scores[el] * (1.0 - stats[el].link_density)
        if _class_words(el) & _CONTENT_WORDS:
            score *= 1.25
        if score > best_score:
            best, best_score = el, score
    return best


def _reads_as_text(st: _Stats, el: etree._Element) -> bool:
    """Running text (sentences, few links) or a block offering a document for download."""
    if st.punct >= 2 and st.chars >= 20 and st.punct * 80 >= st.chars and st.link_density < 0.3:
        return True
    return _offers_document(el)


def _offers_document(el: etree._Element) -> bool:
    return any(_DOC_LINK.search(a.get("href") or "") for a in el.iter("a"))


def _is_menu(el: etree._Element, st: _Stats) -> bool:
    """A bar of short items (menu, breadcrumb, ``字号 大 中 小``, ``【打印】【关闭】``)."""
    if st.chars == 0:
        return True
    if st.punct or _offers_document(el):
        return False
    if st.link_density >= 0.5:
        return True
    text = "".join(el.itertext())
    if text.count("：") + text.count(":") >= 2:  # labelled fields (发文字号：… 发布日期：…)
        return False
    items = [item for item in _MENU_SEPARATORS.split(text) if item]
    if len(items) < 2:
        return False
    lengths = sorted(len(item) for item in items)
    return lengths[len(lengths) // 2] <= 6 and lengths[-1] <= 12


def _has_title(el: etree._Element) -> bool:
    heads = [el] if el.tag in _HEADINGS else list(el.iter(*_HEADINGS))
    return any(len("".join(h.itertext()).strip()) >= _TITLE_CHARS for h in heads)


def _select_region(main: etree._Element) -> None:
    """Drop the page around the main block, level by level up to ``<body>``.

    Before the main block (title, document number, date line, metadata table) a
    block is kept unless it is a menu or bar; after it, only next to the main
    block (signature, attachments) — further out (comments, related lists, site
    footers), only blocks that read as text.  Positional class words (``left``,
    ``bottom``…) and the other cells of a layout table's row (side columns) ask
    for text anywhere.
    """
    node = main
    level = 0
    while True:
        parent = node.getparent()
        if parent is None or node.tag in ("body", "html"):
            return
        siblings = [c for c in parent if c is not node and isinstance(c.tag, str)]
        if siblings:
            level += 1
        drop: list[etree._Element] = []
        before = True
        for child in parent:
            if child is node:
                before = False
                continue
            if not isinstance(child.tag, str) or child.tag == "br":
                continue
            st = _measure(child)[child]
            if _is_weak_chrome(child) or (node.tag in _CELL_TAGS and child.tag in _CELL_TAGS):
                keep = _reads_as_text(st, child) or (before and _has_title(child))
            elif before:
                keep = _has_title(child) or not _is_menu(child, st)
            elif level == 1:
                keep = not _is_menu(child, st)
            else:
                keep = _reads_as_text(st, child)
            if not keep:
                drop.append(child)
        _drop_all(drop)
        node = parent


def _prune(root: etree._Element) -> None:
    _drop_all([el for el in root.iter() if _is_dropped_tag(el)])
    stats = _measure(root)
    # a wrapper holding most of the running text (id="printContent") is no widget
    most = stats[root].punct / 2
    chrome = {
        el
        for el in root.iter()
        if isinstance(el.tag, str) and _is_chrome(el) and not (most and stats[el].punct > most)
    }
    main = _main_block(root, stats, chrome)
    # the main block and its ancestors are never chrome, whatever their class says
    protected = set() if main is None else {main, *main.iterancestors()}
    _drop_all([el for el in root.iter() if el in chrome and el not in protected])
    # link lists (menus, "related" lists): several links and little text of their own;
    # a block with one or two links (an attachment, a cited document) is kept.  Innermost
    # blocks first, each removed at once, so an outer block is judged without them.
    for el in reversed(list(root.iter(*_LINK_BLOCKS))):
        if el in protected:
            continue
        links = list(el.iter("a"))
        if len(links) < 3:
            continue
        total = _text_len(el)
        if not total:
            continue
        linked = sum(_text_len(a) for a in links)
        if linked / total > 0.6 and total - linked < 40:
            _drop_all([el])
    if main is not None and main.getparent() is not None:
        _select_region(main)


def _text_len(el: etree._Element) -> int:
    return len("".join(el.itertext()).strip())


def _render(root: etree._Element, out: list[str]) -> None:
    """Blocks become lines, cells are tab-separated (an explicit stack: no depth limit)."""
    stack: list[tuple[etree._Element, bool]] = [(root, False)]
    while stack:
        el, closing = stack.pop()
        tag = el.tag if isinstance(el.tag, str) else ""
        block = tag in _BLOCK_TAGS and tag not in _CELL_TAGS
        if closing:
            if block:
                out.append("\n")
            if el.tail:
                out.append(_SPACES.sub(" ", el.tail))
            if tag in _CELL_TAGS:
                out.append("\t")
            continue
        if block:
            out.append("\n")
        if tag == "br":
            out.append("\n")
        if el.text:
            out.append(_SPACES.sub(" ", el.text))
        stack.append((el, True))
        stack.extend((child, False) for child in reversed(el))


def _lines(raw: str) -> str:
    lines = [line.strip(" \t") for line in raw.split("\n")]
    return _BLANK_LINES.sub("\n", "\n".join(lines)).strip("\n")


class _StreamText(HTMLParser):
    """Text of a page too deep for a tree, from the stdlib's event parser.

    Dropped tags and chrome class words are skipped; the main-block selection
    needs a tree and is not done.
    """

    _VOID = frozenset({"br", "hr", "img", "input", "meta", "link", "area", "base", "col",
                       "embed", "source", "track", "wbr", "param"})  # fmt: skip

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.stack: list[str] = []
        self.open: dict[str, int] = {}
        self.skip_from: int | None = None  # stack depth of the skipped element

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._VOID:
            if tag in ("br", "hr") and self.skip_from is None:
                self.out.append("\n")
            return
        self.stack.append(tag)
        self.open[tag] = self.open.get(tag, 0) + 1
        if self.skip_from is None:
            if self._is_skipped(tag, attrs):
                self.skip_from = len(self.stack)
            elif tag in _BLOCK_TAGS and tag not in _CELL_TAGS:
                self.out.append("\n")

    @staticmethod
    def _is_skipped(tag: str, attrs: list[tuple[str, str | None]]) -> bool:
        kept = {k: v or "" for k, v in attrs if k in ("class", "id", "role", "hidden", "style")}
        try:
            el = etree.Element(tag, kept)
        except ValueError:  # not an XML name: an unknown inline element
            return False
        return _is_dropped_tag(el) or _is_chrome(el)

    def handle_endtag(self, tag: str) -> None:
        if not self.open.get(tag):
            return  # a stray end tag
        while self.stack:  # close what was left open inside it
            top = self.stack.pop()
            self.open[top] -= 1
            if self.skip_from is not None and len(self.stack) < self.skip_from:
                self.skip_from = None
            if top == tag:
                break
        if self.skip_from is None and tag in _BLOCK_TAGS:
            self.out.append("\t" if tag in _CELL_TAGS else "\n")

    def handle_data(self, data: str) -> None:
        if self.skip_from is None:
            self.out.append(_SPACES.sub(" ", data))


def _stream_text(html: str) -> str:
    parser = _StreamText()
    parser.feed(html)
    parser.close()
    return _lines("".join(parser.out))


def extract_html(html: str) -> tuple[str, list[str]]:
    """Main text of an HTML page and the parser's warnings.

    Parameters
    ----------
    html : str
        The decoded page.

    Returns
    -------
    (str, list of str)
        Lines of text (one per block, table cells tab-separated, no blank-line
        runs), and warnings: ``markup_recovered`` when libxml2 gave up on the
        page (nesting deeper than its 2048-level limit) and the text was read
        by the stdlib's streaming parser instead.
    """
    # lxml refuses str input that declares an encoding; the text is already decoded
    html = re.sub(r"^\s*<\?xml[^>]*\?>", "", html, count=1)
    parser = lxml_html.HTMLParser(huge_tree=True, remove_comments=True, remove_pis=True)
    warnings: list[str] = []
    try:
        root = lxml_html.document_fromstring(html, parser=parser)
    except (etree.ParserError, ValueError):
        root = None  # no element at all ("Document is empty")
    fatal = [e for e in parser.error_log if e.level_name == "FATAL"]
    if fatal:
        # libxml2's hint names the option already in use: it is not advice here
        reason = re.sub(r",?\s*use XML_PARSE_HUGE option", "", fatal[0].message).strip()
        warnings.append(
            f"{_MARKUP_RECOVERED}: the HTML parser stopped ({reason}); "
            "text read by a streaming parser, page chrome dropped by tag and class only"
        )
        text = _stream_text(html)
    elif root is None:
        text = ""
    else:
        body = root.find("body")
        title = (root.findtext(".//title") or "").strip()
        _prune(root)
        out: list[str] = []
        _render(body if body is not None else root, out)
        text = _lines("".join(out))
        if not text and title:
            text = title
    return (text + "\n" if text else ""), warnings


def html_to_text(html: str) -> str:
    """Main text of an HTML page: ``extract_html(html)[0]`` (see :func:`extract_html`)."""
    return extract_html(html)[0]


# ---------------------------------------------------------------- PDF

#: Kangxi radicals (NFKC) and CJK Radicals Supplement (a table derived from the glyphs
#: the Noto CJK fonts share) → unified ideographs; one character for one, offsets stay
_RADICALS_TABLE = "cjk_radicals.tsv"


@lru_cache(maxsize=1)
def _radical_map() -> dict[int, str]:
    mapping: dict[int, str] = {}
    for cp in range(0x2F00, 0x2FD6):
        target = unicodedata.normalize("NFKC", chr(cp))
        if len(target) == 1 and target != chr(cp):
            mapping[cp] = target
    data = resources.files("policykg.extract").joinpath("data", _RADICALS_TABLE)
    for line in data.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            source, target = line.split("\t")[:2]
            mapping[int(source, 16)] = chr(int(target, 16))
    return mapping


def unify_radicals(text: str) -> str:
    """Radical characters (U+2E80–U+2FD5) → the ideographs they stand for; same length.

    PDF text layers written from CJK fonts name a shared glyph by its radical
    code point (``⼈⺠`` for ``人民``); nothing else in the text changes.
    """
    if _radical_re().search(text) is None:  # nearly always: skip the translate copy
        return text
    return text.translate(_radical_map())


@lru_cache(maxsize=1)
def _radical_re() -> re.Pattern[str]:
    return re.compile("[" + "".join(re.escape(chr(c)) for c in sorted(_radical_map())) + "]")


#: sentence ends: a line ending with one of these is not continued by the next line
_LINE_END_PUNCT = frozenset("。；：！？…;:!?")
#: the next line starts a new item: a heading or enumeration label, an attachment
_NEW_ITEM = re.compile(
    r"[一二三四五六七八九十百零〇]+[、．.]|[（(][一二三四五六七八九十百零〇\d]+[）)]"
    r"|第[一二三四五六七八九十百零〇\d]+[编章节条款部分篇]|[①-⑳]|附[件表录]"
)
_WRAP_START = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff（《“「〔【、，。）》”」〕】]")


def _width(line: str) -> int:
    """Rendered width in half-width cells: CJK characters and punctuation take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WFA" else 1 for ch in line)


def join_wrapped_lines(page: str) -> str:
    """Rejoin lines that the page layout wrapped, inside Chinese running text.

    A line break is a layout wrap when the line is about as wide as the widest
    line of the page (within two CJK characters or a tenth), does not end a
    sentence (。；：！？ — unless a bracket is still open: no paragraph ends
    inside ``（…）``), and the next line starts with a CJK character that is
    not a heading or enumeration label (``一、``, ``（二）``, ``第三条``).  Short
    lines (titles, headings, signatures, dates) are never joined.
    """
    lines = page.split("\n")
    if len(lines) < 2:
        return page
    widths = [_width(line.rstrip()) for line in lines]
    widest = max(widths)
    if widest < 20:
        return page
    full = widest - max(4, widest // 10)
    out = [lines[0]]
    for i in range(1, len(lines)):
        prev, line = lines[i - 1].rstrip(), lines[i]
        if (
            widths[i - 1] >= full
            and prev
            and (prev[-1] not in _LINE_END_PUNCT or _open_bracket(out[-1]))
            and _WRAP_START.match(line)
            and not _NEW_ITEM.match(line)
        ):
            out[-1] = out[-1].rstrip() + line
        else:
            out.append(line)
    return "\n".join(out)


def _open_bracket(text: str) -> bool:
    return text.count("（") + text.count("(") > text.count("）") + text.count(")")


class _PypdfMessages(logging.Handler):
    """pypdf's warnings (``EOF marker not found``…) go to the file being read.

    Installed once on the ``pypdf`` logger, which then no longer prints to
    stderr; messages of a thread that is reading a PDF are kept for that file,
    any other message goes on to this module's logger.
    """

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.boxes: dict[int, list[str]] = {}

    def emit(self, record: logging.LogRecord) -> None:
        box = self.boxes.get(record.thread or 0)
        if box is not None:
            box.append(record.getMessage())
        else:
            logger.warning("pypdf: %s", record.getMessage())


@lru_cache(maxsize=1)
def _pypdf_handler() -> _PypdfMessages:
    handler = _PypdfMessages()
    pypdf_logger = logging.getLogger("pypdf")
    pypdf_logger.addHandler(handler)
    pypdf_logger.propagate = False
    return handler


@contextmanager
def _pypdf_messages() -> Iterator[list[str]]:
    handler = _pypdf_handler()
    box: list[str] = []
    thread = threading.get_ident()
    handler.boxes[thread] = box
    try:
        with warnings_module.catch_warnings(record=True) as caught:
            warnings_module.simplefilter("always")
            yield box
        box.extend(str(w.message) for w in caught)
    finally:
        handler.boxes.pop(thread, None)


def pdf_to_text(data: bytes) -> tuple[str, list[str]]:
    """The text layer of a PDF with pypdf.

    Radicals are mapped to ideographs (:func:`unify_radicals`) and layout wraps
    inside Chinese sentences rejoined (:func:`join_wrapped_lines`): the text
    returned is the evidence text, offsets index it.

    Returns
    -------
    (str, list of str)
        Page texts joined by a form-feed line, and warnings: ``page_failed``
        (a page that could not be extracted), ``pdf_warning`` (what pypdf had
        to repair, e.g. a missing EOF marker).

    Raises
    ------
    SourceError
        ``corrupt`` (pypdf cannot open it), ``encrypted`` (a password is needed)
        or ``no_text`` (no page has a text layer: scanned images need OCR first).
    """
    from pypdf import PdfReader

    warnings: list[str] = []
    texts: list[str] = []
    with _pypdf_messages() as messages:
        try:
            reader = PdfReader(io.BytesIO(data))
            if reader.is_encrypted and not reader.decrypt(""):
                raise SourceError("<bytes>", "encrypted", "password-protected PDF")
            pages = list(reader.pages)
        except SourceError:
            raise
        except NotImplementedError as exc:  # an encryption pypdf does not implement
            message = f"PDF encryption not supported: {exc}"
            raise SourceError("<bytes>", "encrypted", message) from exc
        except Exception as exc:  # any failure to parse a damaged file means: corrupt
            said = "; ".join(dict.fromkeys(m.strip() for m in messages if m.strip()))
            detail = f"{exc} (pypdf: {said})" if said else str(exc)
            raise SourceError("<bytes>", "corrupt", f"PDF cannot be read: {detail}") from exc
        for number, page in enumerate(pages, 1):
            try:
                texts.append(page.extract_text() or "")
            except Exception as exc:  # one bad page must not lose the others
                warnings.append(f"page_failed: page {number}: {type(exc).__name__}: {exc}")
                texts.append("")
    for message in dict.fromkeys(m.strip() for m in messages):
        if message:
            warnings.append(f"pdf_warning: pypdf: {message}")
    text = "\n\f\n".join(join_wrapped_lines(unify_radicals(t).strip("\n")) for t in texts)
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
