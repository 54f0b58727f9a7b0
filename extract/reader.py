"""Read a source file into text: the one decoding every offset refers to.

Public API
----------
``decode_bytes(data) -> str``
    UTF-8 (a leading BOM is removed), else GB18030 (a superset of GBK/GB2312,
    the usual encoding of Chinese government exports).
``read_text(path) -> str``
    ``decode_bytes(path.read_bytes())``.

The text is returned exactly as decoded: line endings (CRLF, CR, LF),
ideographic spaces and non-breaking spaces are kept, so character offsets
computed by every pipeline stage point into this string and
``text[start:end] == quote`` holds for every piece of evidence.
"""

from __future__ import annotations

import codecs
from pathlib import Path

__all__ = ["SourceDecodeError", "decode_bytes", "read_text"]


class SourceDecodeError(ValueError):
    """The bytes are neither UTF-8 nor GB18030."""


def decode_bytes(data: bytes) -> str:
    """Decode the bytes of a source file.

    Parameters
    ----------
    data : bytes
        Raw file content.

    Returns
    -------
    str
        The decoded text, unchanged apart from a removed UTF-8 BOM.

    Raises
    ------
    SourceDecodeError
        If the bytes decode neither as UTF-8 nor as GB18030.
    """
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError as exc:
        raise SourceDecodeError(f"cannot decode as UTF-8 or GB18030: {exc}") from exc


def read_text(path: Path) -> str:
    """Read and decode a source file (see :func:`decode_bytes`)."""
    return decode_bytes(Path(path).read_bytes())
