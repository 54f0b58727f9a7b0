"""Read a source file into text: the one decoded text every evidence offset refers to.

Public API
----------
``read_source(path, max_bytes=DEFAULT_MAX_BYTES) -> SourceText``
    Size-checked read (a file over the limit is refused from its ``stat``, never
    read), format detection by content (:mod:`policykg.extract.formats`: PDF,
    .docx, HTML, plain text, whatever the suffix), decoding, and the simplified
    matching copy.  Raises :class:`SourceError` with a reason code.
``decode_text(data) -> DecodedText``
    Text, encoding and warnings: a BOM (UTF-8, UTF-16, UTF-32) decides; else
    strict UTF-8; else UTF-8 whose only fault is an incomplete character at the
    end (kept, warning ``truncated``); else UTF-8 with a handful of bad bytes
    (U+FFFD, warning ``replaced_bytes``); else the charset an HTML page declares;
    else charset-normalizer restricted to the encodings Chinese documents come in
    (GB18030 — a superset of GBK/GB2312 — and Big5; UTF-16 without a BOM only
    when there are NUL bytes, as ASCII in UTF-16 has), checked against the
    reading in the other one: when both decode, the one whose characters are
    mostly common Chinese characters (GB2312 level 1, after traditional →
    simplified) and punctuation wins — short texts (a title, a heading) fool
    statistical detection, and both byte ranges overlap; a close call or an
    overruled detector is warned (``encoding_guess``); else strict GB18030.
    The decision is logged (``policykg.extract.reader``, INFO).  Text with many
    control characters is ``binary``; no fitting encoding is ``undecodable``.
``decode_bytes(data) -> str``
    ``decode_text(data).text`` (raises :class:`SourceDecodeError`).
``to_simplified(text) -> str``
    Traditional → simplified characters with OpenCC (``t2s``), **same length**.
``read_text(path) -> str``
    ``read_source(path).text``.

Offsets
-------
``SourceText.text`` is the evidence text: exactly the decoded characters (line
endings, ideographic and non-breaking spaces kept; for HTML, PDF and .docx the
extracted main text), in the original script.  The extractors run on
``SourceText.matching_text``: the same string, or for traditional-script
sources (Big5, or any text whose characters are mostly traditional) its
simplified copy, and with radical characters (``⺠`` U+2EA0) read as the
ideographs they stand for (:func:`~policykg.extract.formats.unify_radicals`,
one character for one; PDF text has them unified already).  OpenCC's t2s
conversion maps one character to one character for every code point (phrase
rules too, almost always); the conversion is done line by line and a line whose
length would change is converted character by character, keeping any character whose conversion has
another length.  So both strings have the same length, an offset means the
same in both, and the pipeline re-quotes every evidence from ``text``:
``text[start:end] == quote`` holds in the original script.
"""

from __future__ import annotations

import codecs
import errno
import hashlib
import logging
import re
import stat
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from policykg.extract.formats import (
    SourceFormat,
    detect_container,
    docx_to_text,
    extract_html,
    looks_like_html,
    pdf_to_text,
    sniff_container,
    unify_radicals,
)
from policykg.extract.source_errors import SourceDecodeError, SourceError

__all__ = [
    "DEFAULT_MAX_BYTES",
    "DecodedText",
    "SourceDecodeError",
    "SourceError",
    "SourceText",
    "decode_bytes",
    "decode_text",
    "read_source",
    "read_text",
    "to_simplified",
]

logger = logging.getLogger(__name__)

#: files above this size are refused unread (configurable: ``max_bytes``, ``--max-file-size``)
DEFAULT_MAX_BYTES = 64 * 1024 * 1024

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),  # before UTF-16 LE: it starts with the same bytes
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
#: what charset-normalizer may choose from: the encodings Chinese documents come in;
#: UTF-16 only when NUL bytes show it (any even-length bytes are "valid" UTF-16)
_CANDIDATES = ["gb18030", "big5"]
_CANDIDATES_NUL = ["utf_16_le", "utf_16_be", "gb18030", "big5"]
#: a reading this much more Chinese than the detector's choice overrules it
_SCORE_MARGIN = 0.15
#: a losing reading at least this Chinese makes the decision a guess worth a warning
_PLAUSIBLE = 0.6
#: another reading at least this Chinese replaces an implausible UTF-8 reading
_CLEARLY_CHINESE = 0.9
_MARKS = frozenset({"Mn", "Mc", "Me"})
#: declared charsets read as their supersets
_SUPERSETS = {"gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "big5": "big5hkscs"}
_BIG5 = frozenset({"big5", "big5hkscs", "cp950"})
_DECLARED_CHARSET = re.compile(rb"""<meta[^>]{0,200}?charset\s*=\s*["']?([A-Za-z0-9_.:-]{2,40})""",
                               re.IGNORECASE)  # fmt: skip
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
#: share of UTF-8 errors (per character) still read as damaged UTF-8, not another encoding
_MAX_REPLACED = 0.001
#: share of control characters above which decoded "text" is binary
_MAX_CONTROL = 0.01
_TEXT_CONTROLS = frozenset("\t\n\r\f\v\x1b")
_TEXT_CONTROL_BYTES = frozenset(b"\t\n\r\f\v\x1b")
_SAMPLE = 65_536


@dataclass(slots=True)
class DecodedText:
    """Decoded characters, the encoding used and any warnings (``code: detail``)."""

    text: str
    encoding: str
    warnings: list[str] = field(default_factory=list)


@dataclass(slots=True)
class SourceText:
    """A source file read for extraction (see the module docstring for offsets)."""

    #: the evidence text (original script): offsets and quotes refer to it
    text: str
    #: what the extractors read: ``text``, or its same-length simplified copy
    matching_text: str
    source_format: SourceFormat
    encoding: str | None
    #: SHA-256 of the raw file bytes
    sha256: str
    warnings: list[str] = field(default_factory=list)

    @property
    def converted(self) -> bool:
        """True when the extractors read a simplified copy of a traditional text."""
        return self.matching_text is not self.text


def _strict(data: bytes, encoding: str) -> str | None:
    try:
        return data.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return None


def _utf8(data: bytes, warnings: list[str]) -> str | None:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        first_error = exc
    # a download cut short: only the last, incomplete character is wrong
    if first_error.start >= len(data) - 3 and first_error.reason == "unexpected end of data":
        kept = _strict(data[: first_error.start], "utf-8")
        if kept is not None:
            warnings.append(
                f"truncated: incomplete UTF-8 character at byte {first_error.start} dropped"
            )
            return kept
    text = data.decode("utf-8", errors="replace")
    bad = text.count("\ufffd") - data.count(b"\xef\xbf\xbd")
    if 0 < bad <= max(3.0, len(text) * _MAX_REPLACED) and len(text) >= 200:
        warnings.append(f"replaced_bytes: {bad} invalid UTF-8 sequence(s) replaced by U+FFFD")
        return text
    return None


def _declared(data: bytes) -> str | None:
    match = _DECLARED_CHARSET.search(data[:4096])
    if not match:
        return None
    name = match.group(1).decode("ascii").lower()
    try:
        name = codecs.lookup(_SUPERSETS.get(name, name)).name
    except LookupError:
        return None
    return name


def _detected(data: bytes, candidates: list[str] = _CANDIDATES) -> str | None:
    from charset_normalizer import from_bytes

    best = from_bytes(data, cp_isolation=candidates).best()
    return None if best is None else str(best.encoding)


@lru_cache(maxsize=65536)
def _char_weight(ch: str) -> float:
    """How ordinary ``ch`` is in Chinese text: 1 common, 0.5 less common, 0 rare or foreign."""
    if ch.isascii():
        return 1.0 if ch.isprintable() else 0.0
    if "\u3000" <= ch <= "\u303f" or "\uff01" <= ch <= "\uff5e" or ch in "“”‘’…—·":
        return 1.0  # CJK and full-width punctuation
    try:
        code = ch.encode("gb2312")
    except UnicodeEncodeError:
        return 0.0
    if len(code) != 2:
        return 0.0
    return 1.0 if 0xB0 <= code[0] <= 0xD7 else 0.5 if 0xD8 <= code[0] <= 0xF7 else 0.25


#: blocks of ordinary text (Latin-1 and Latin Extended, punctuation and symbols, kana, CJK,
#: full-width forms) scanned once for the characters they hold that are *not* controls,
#: surrogates, private-use, unassigned or combining marks
_PLAIN_BLOCKS = ((0x00A0, 0x024F), (0x2000, 0x2BFF), (0x3000, 0x9FFF), (0xF900, 0xFAFF),
                 (0xFE30, 0xFE4F), (0xFF00, 0xFFEF))  # fmt: skip


def _ranges(codes: list[int]) -> str:
    out, start, prev = [], codes[0], codes[0]
    for c in [*codes[1:], -2]:
        if c != prev + 1:
            out.append(re.escape(chr(start)) + ("-" + re.escape(chr(prev)) if prev > start else ""))
            start = c
        prev = c
    return "".join(out)


@lru_cache(maxsize=2)
def _unusual_re(ascii_ok: bool) -> re.Pattern[str]:
    """Characters that are neither ASCII (printable ASCII and text controls unless
    ``ascii_ok``) nor plain: the only candidates for the per-character checks below,
    so a page of ordinary Chinese is scanned by one regex instead of a Python loop."""
    odd = {"Cc", "Cs", "Co", "Cn", *_MARKS}
    plain = [c for lo, hi in _PLAIN_BLOCKS for c in range(lo, hi + 1)
             if unicodedata.category(chr(c)) not in odd]  # fmt: skip
    ascii_part = r"\x00-\x7f" if ascii_ok else r"\x20-\x7e\t\n\r\f\v\x1b"
    return re.compile(f"[^{ascii_part}{_ranges(plain)}]")


def _chinese_score(text: str) -> float:
    """Share of ordinary Chinese characters and punctuation (after t2s) in a reading."""
    sample = "".join(ch for ch in text[:4000] if not ch.isspace())
    if not sample:
        return 0.0
    simplified = _t2s().convert(sample)
    return sum(_char_weight(ch) for ch in simplified) / max(len(simplified), 1)


def _implausible(text: str) -> bool:
    """Most non-ASCII characters are combining marks on no letter, or controls.

    No writing has that; two-byte GB18030/Big5 pairs that happen to be valid UTF-8
    decode to exactly such marks (U+0300–U+07FF).  Unassigned and private-use
    characters are not counted: newer Unicode and 造字 fonts use them.
    """
    sample = text[:4000]
    wide = len(sample) - len(sample.encode("ascii", "ignore"))
    odd = 0
    # only the few characters outside the plain blocks can be controls or marks
    for m in _unusual_re(ascii_ok=True).finditer(sample):
        category = unicodedata.category(m.group())
        i = m.start()
        if category == "Cc" or (
            category in _MARKS and not (i and unicodedata.category(sample[i - 1])[0] in "LN")
        ):
            odd += 1
    return wide > 0 and odd * 2 >= wide


def _strict_reading(data: bytes, encoding: str) -> tuple[str, str] | None:
    text = _strict(data, encoding)
    if text is None and encoding in _BIG5:
        encoding = "cp950"  # Microsoft's Big5 has the extension characters
        text = _strict(data, encoding)
    return None if text is None else (encoding, text)


def _choose_chinese(
    data: bytes, detected: str | None, warnings: list[str]
) -> tuple[str, str, str] | None:
    """GB18030 or Big5: the detector's choice unless the other reads far more Chinese."""
    readings = [r for enc in ("gb18030", "big5") if (r := _strict_reading(data, enc))]
    if not readings:
        return None
    scored = sorted(((_chinese_score(t), e, t) for e, t in readings), reverse=True)
    best_score, best_enc, best_text = scored[0]
    family = "big5" if detected in _BIG5 else detected
    chosen = next((r for r in scored if (r[1] in _BIG5 and family == "big5") or r[1] == family),
                  None)  # fmt: skip
    if chosen is not None and chosen[0] >= best_score - _SCORE_MARGIN:
        best_score, best_enc, best_text = chosen
    scores = ", ".join(f"{e} {sc:.2f}" for sc, e, _t in scored)
    how = f"charset-normalizer: {detected or 'none'}; Chinese-character score {scores}"
    others = [sc for sc, e, _t in scored if e != best_enc]
    overruled = detected is not None and chosen is not None and chosen[1] != best_enc
    if overruled or (others and others[0] >= _PLAUSIBLE and len(scored) > 1):
        warnings.append(
            f"encoding_guess: the bytes read as {' and '.join(e for _s, e, _t in scored)}; "
            f"{best_enc} chosen ({scores})"
        )
    return best_text, best_enc, how


def _control_share(text: str) -> float:
    sample = text[:_SAMPLE]
    if not sample:
        return 0.0
    controls = sum(
        1
        for m in _unusual_re(ascii_ok=False).finditer(sample)
        if m.group() not in _TEXT_CONTROLS
        and unicodedata.category(m.group()) in ("Cc", "Cs", "Co", "Cn")
    )
    return controls / len(sample)


def decode_text(data: bytes, source: Path | str = "<bytes>") -> DecodedText:
    """Decode the bytes of a text or HTML source file (see the module docstring).

    Parameters
    ----------
    data : bytes
        Raw file content.
    source : path-like, optional
        Named in log messages and errors.

    Returns
    -------
    DecodedText
        The text, unchanged apart from a removed BOM, and the encoding used.

    Raises
    ------
    SourceDecodeError
        No supported encoding fits (``reason="undecodable"``).
    SourceError
        ``binary``: the bytes decode, but to control characters, not text.
    """
    warnings: list[str] = []
    text: str | None = None
    encoding = ""
    how = ""
    for bom, name in _BOMS:
        if data.startswith(bom):
            text = _strict(data[len(bom) :], name)
            if text is None:
                raise SourceDecodeError(f"{name} byte-order mark, but the bytes are not {name}",
                                        source)  # fmt: skip
            encoding, how = name, "byte-order mark"
            break
    if text is None and b"\x00" in data[:_SAMPLE]:
        # ASCII-heavy UTF-16 without a BOM is valid UTF-8 too: NUL bytes decide for UTF-16
        detected = _detected(data, _CANDIDATES_NUL)
        if detected in ("utf_16_le", "utf_16_be"):
            text = _strict(data, detected)
            encoding, how = detected, "charset-normalizer (NUL bytes)"
    if text is None:
        text = _utf8(data, warnings)
        encoding, how = "utf-8", "valid UTF-8" if not warnings else warnings[0].split(":")[0]
        if text is not None and not warnings and _implausible(text):
            # a few GB/Big5 bytes can be valid UTF-8 by chance (通知 → two combining marks)
            other = _choose_chinese(data, None, [])
            if other is not None and _chinese_score(other[0]) >= _CLEARLY_CHINESE:
                warnings.append(
                    f"encoding_guess: valid UTF-8, but it reads as Chinese only in {other[1]}"
                )
                text, encoding, how = other[0], other[1], "Chinese-character score over UTF-8"
    if text is None:
        declared = _declared(data)
        if declared and (text := _strict(data, declared)) is not None:
            encoding, how = declared, "declared by the page"
    if text is None:
        detected = _detected(data)
        chosen = _choose_chinese(data, detected, warnings)
        if chosen is not None:
            text, encoding, how = chosen
        elif detected:
            text = data.decode(detected, errors="replace")
            warnings.append("replaced_bytes: undecodable sequences replaced by U+FFFD")
            encoding, how = detected, "charset-normalizer"
    if text is None:
        sample = data[:_SAMPLE]
        if sum(1 for b in sample if b < 0x20 and b not in _TEXT_CONTROL_BYTES) > 0.01 * len(sample):
            raise SourceError(source, "binary", "binary content, not text")
        raise SourceDecodeError("not UTF-8, UTF-16, GB18030 or Big5 text", source)
    if _control_share(text) > _MAX_CONTROL:
        raise SourceError(source, "binary", f"binary content (no text in {encoding} either)")
    logger.info("%s: decoded as %s (%s)", source, encoding, how)
    return DecodedText(text, encoding, warnings)


def decode_bytes(data: bytes) -> str:
    """Decode the bytes of a source file: ``decode_text(data).text``.

    Raises
    ------
    SourceDecodeError
        If no supported encoding fits.
    """
    return decode_text(data).text


@lru_cache(maxsize=1)
def _t2s() -> Any:
    import opencc

    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    """Traditional → simplified Chinese, with the result exactly as long as ``text``.

    Notes
    -----
    Converted line by line; a line whose converted length differs (a phrase
    rule that changes length) is converted character by character, keeping a
    character whose own conversion has another length.  Offsets into the
    result are therefore offsets into ``text``.
    """
    converter = _t2s()
    out: list[str] = []
    for line in text.splitlines(keepends=True):
        converted = converter.convert(line)
        if len(converted) != len(line):
            chars = (converter.convert(ch) for ch in line)
            converted = "".join(c if len(c) == 1 else ch for ch, c in zip(line, chars, strict=True))
        out.append(converted)
    return "".join(out)


def _is_traditional(text: str, encoding: str | None) -> bool:
    if encoding in _BIG5:
        return True
    sample = text[:5000]
    simplified = _t2s().convert(sample)
    if simplified == sample:  # the usual case: nothing to count
        return False
    cjk = len(_CJK.findall(sample))
    if cjk < 20:
        return False
    if len(simplified) != len(sample):
        return True
    changed = sum(1 for a, b in zip(sample, simplified, strict=True) if a != b)
    return changed / cjk > 0.05


def _read_bytes(path: Path, max_bytes: int) -> bytes:
    try:
        info = path.stat()
    except FileNotFoundError as exc:
        raise SourceError(path, "missing", "no such file (or a dangling symlink)") from exc
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise SourceError(path, "symlink_loop", "symlink loop") from exc
        raise SourceError(path, "unreadable", f"cannot stat: {exc.strerror or exc}") from exc
    if not stat.S_ISREG(info.st_mode):
        raise SourceError(path, "not_regular", "not a regular file (FIFO, device or socket)")
    if info.st_size > max_bytes:
        raise SourceError(
            path,
            "too_large",
            f"{info.st_size:,} bytes is over the limit of {max_bytes:,} bytes "
            "(raise it with --max-file-size)",
        )
    try:
        with open(path, "rb") as fh:
            data = fh.read(max_bytes + 1)  # the file may have grown since stat
    except OSError as exc:
        raise SourceError(path, "unreadable", f"cannot read: {exc.strerror or exc}") from exc
    if len(data) > max_bytes:
        raise SourceError(path, "too_large", f"over the limit of {max_bytes:,} bytes")
    return data


def read_source(path: Path | str, max_bytes: int = DEFAULT_MAX_BYTES) -> SourceText:
    """Read one source file for extraction.

    Parameters
    ----------
    path : path-like
        The file; its format is detected from its content, not its suffix.
    max_bytes : int
        Size limit: a larger file is refused without being read.

    Returns
    -------
    SourceText
        Evidence text, matching text, format, encoding, hash and warnings.

    Raises
    ------
    SourceError
        With ``reason`` one of :data:`~policykg.extract.source_errors.SKIP_REASONS`.
    """
    path = Path(path)
    data = _read_bytes(path, max_bytes)
    if not data.strip():
        raise SourceError(path, "empty", "empty file" if not data else "only white space")
    sha256 = hashlib.sha256(data).hexdigest()
    warnings: list[str] = []
    encoding: str | None = None
    try:
        container = sniff_container(data[:1024])
        if container == "docx":
            container = detect_container(data)
        if container == "pdf":
            text, warnings = pdf_to_text(data)
            fmt: SourceFormat = "pdf"
        elif container == "docx":
            text, fmt = docx_to_text(data), "docx"
        else:
            decoded = decode_text(data, path)
            encoding, warnings = decoded.encoding, decoded.warnings
            fmt = "html" if looks_like_html(decoded.text) else "text"
            text = decoded.text
            if fmt == "html":
                text, html_warnings = extract_html(decoded.text)
                warnings = [*warnings, *html_warnings]
    except SourceError as exc:
        if exc.path == Path("<bytes>"):  # raised by a format helper that has no path
            raise SourceError(path, exc.reason, exc.message) from exc
        raise
    if not text.strip():
        raise SourceError(path, "empty", f"no text in this {fmt} file")
    matching = text
    if _is_traditional(text, encoding):
        matching = to_simplified(text)
        logger.info("%s: traditional script, extractors read a simplified copy", path)
    unified = unify_radicals(matching)
    if unified != matching:
        matching = unified
        logger.info("%s: radical characters read as ideographs in the matching copy", path)
    logger.info("%s: %s, %d characters", path, fmt, len(text))
    for warning in warnings:
        logger.info("%s: %s", path, warning)
    return SourceText(text, matching, fmt, encoding, sha256, warnings)


def read_text(path: Path | str) -> str:
    """Read and decode a source file: ``read_source(path).text``."""
    return read_source(path).text
