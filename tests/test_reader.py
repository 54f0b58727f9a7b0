"""Decoding source files: UTF-8 with or without BOM, GB18030, line endings kept."""

from __future__ import annotations

from pathlib import Path

import pytest

from policykg.extract.reader import SourceDecodeError, decode_bytes, read_text

TEXT = "滨海市人民政府关于支持人才发展的若干措施\r\n（责任单位：市人才办）\r\n"


def test_utf8_without_bom_is_returned_as_is() -> None:
    assert decode_bytes(TEXT.encode("utf-8")) == TEXT


def test_utf8_bom_is_removed_and_offsets_start_at_the_text() -> None:
    decoded = decode_bytes(b"\xef\xbb\xbf" + TEXT.encode("utf-8"))
    assert decoded == TEXT
    assert decoded[0] == "滨"


def test_gb18030_fallback() -> None:
    assert decode_bytes(TEXT.encode("gb18030")) == TEXT


def test_crlf_and_special_spaces_are_kept(tmp_path: Path) -> None:
    raw = "一、总体要求\r\n\u3000\u3000（一）指导思想。\xa0\r\n"
    path = tmp_path / "crlf.txt"
    path.write_bytes(raw.encode("utf-8"))
    text = read_text(path)
    assert text == raw
    assert text.count("\r\n") == 2


def test_undecodable_bytes_raise_a_named_error() -> None:
    with pytest.raises(SourceDecodeError):
        decode_bytes(b"\xff\xfe\xfa\x80\x81")
