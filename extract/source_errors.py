"""Named errors for source files that cannot be read, with a reason code per kind of fault.

A corpus build never stops at one bad file: the file is skipped with a
:class:`SourceError` whose ``reason`` says why (see :data:`SKIP_REASONS`), the
rest of the corpus is processed, and the build report lists every skip.
Warnings (a file that was processed, but not cleanly) use the codes in
:data:`WARNING_REASONS`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal, get_args

__all__ = [
    "SKIP_REASONS",
    "WARNING_REASONS",
    "MissingSourceError",
    "SkipReason",
    "SourceDecodeError",
    "SourceError",
    "WarningReason",
]

SkipReason = Literal[
    "missing",  # the path does not exist (or is a dangling symlink)
    "not_regular",  # a FIFO, device or socket: reading could block or never end
    "unreadable",  # permission denied or another OS error while reading
    "symlink_loop",  # a symlink cycle (directory walk or a file symlink chain)
    "too_large",  # above the configured size limit; refused without being read
    "empty",  # no bytes, or only whitespace after decoding/text extraction
    "binary",  # not text: NUL bytes, control characters, an image, an archive
    "unsupported_format",  # a known container we do not read (legacy .doc, .xlsx, RTF)
    "unsupported_suffix",  # a directory walk's image, archive, media file …: skipped unread
    "undecodable",  # text in no supported encoding
    "corrupt",  # a PDF or .docx that its library cannot open
    "encrypted",  # a password-protected PDF
    "no_text",  # a PDF without a text layer (scanned pages)
    "extraction_error",  # the extraction pipeline failed on this file (a bug: report it)
]

WarningReason = Literal[
    "truncated",  # an incomplete character at the end was dropped, the rest kept
    "replaced_bytes",  # a few invalid bytes became U+FFFD, the rest kept
    "no_structure",  # processed, but no document, task, citation or target was found
    "page_failed",  # one PDF page could not be extracted, the others were
    "pdf_warning",  # pypdf repaired something while reading (e.g. a missing EOF marker)
    "markup_recovered",  # libxml2 gave up on the page (too deep); read by a streaming parser
    "encoding_guess",  # GB18030 and Big5 both decode the bytes; the more Chinese reading won
]

SKIP_REASONS: tuple[str, ...] = get_args(SkipReason)
WARNING_REASONS: tuple[str, ...] = get_args(WarningReason)


class SourceError(Exception):
    """A source file that is skipped, and why.

    Parameters
    ----------
    path : path-like
        The file (or directory) concerned.
    reason : str
        One of :data:`SKIP_REASONS`.
    message : str
        A sentence for the person running the build.
    """

    def __init__(self, path: Path | str, reason: SkipReason, message: str) -> None:
        super().__init__(f"{path}: {message} [{reason}]")
        self.path = Path(path)
        self.reason: SkipReason = reason
        self.message = message


class SourceDecodeError(SourceError, ValueError):
    """The bytes are text in no supported encoding (``reason="undecodable"``)."""

    def __init__(self, message: str, path: Path | str = "<bytes>") -> None:
        super().__init__(path, "undecodable", message)


class MissingSourceError(SourceError, FileNotFoundError):
    """A path given to the extractor does not exist (``reason="missing"``)."""

    def __init__(self, path: Path | str, message: str = "no such file or directory") -> None:
        super().__init__(path, "missing", message)
