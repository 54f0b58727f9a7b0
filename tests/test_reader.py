"""Reading source files: encodings, script conversion, size limits and file faults."""

from __future__ import annotations

import codecs
import hashlib
import logging
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from policykg.extract import reader
from policykg.extract.reader import (
    SourceDecodeError,
    SourceError,
    decode_bytes,
    decode_text,
    read_source,
    read_text,
    to_simplified,
)

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


# ---------------------------------------------------------------- encodings

POLICY = (
    "滨海市人民政府关于推进数字经济发展的实施意见\n"
    "一、加快建设数字基础设施。到2026年，全市5G基站达到3万个以上。"
    "（责任单位：市工业和信息化局、市发展改革委）\n"
)
TRADITIONAL = (
    "臺北市政府關於推進數位轉型的實施方案\n"
    "一、加強資訊基礎建設。到2025年，全市光纖覆蓋率達到百分之九十五。"
    "（責任單位：市經濟發展局、市資訊局）\n"
)


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (POLICY.encode("gbk"), "gb18030"),
        (POLICY.encode("gb18030"), "gb18030"),
        (codecs.BOM_UTF16_LE + POLICY.encode("utf-16-le"), "utf-16-le"),
        (codecs.BOM_UTF16_BE + POLICY.encode("utf-16-be"), "utf-16-be"),
        (POLICY.encode("utf-16-le"), "utf_16_le"),
        (POLICY.encode("utf-16-be"), "utf_16_be"),
        (TRADITIONAL.encode("big5"), "big5"),
    ],
)
def test_chinese_encodings_are_detected(data: bytes, encoding: str) -> None:
    decoded = decode_text(data)
    assert decoded.text in (POLICY, TRADITIONAL)
    assert decoded.encoding == encoding
    assert decoded.warnings == []


def test_detection_decision_is_logged(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="policykg.extract.reader"):
        decode_text(POLICY.encode("gb18030"), "x.txt")
    assert any("x.txt: decoded as gb18030" in r.getMessage() for r in caplog.records)


def test_truncated_utf8_keeps_the_valid_part_and_warns() -> None:
    data = POLICY.encode("utf-8")[:-2]  # cut inside the last character
    decoded = decode_text(data)
    assert decoded.text == POLICY[:-2]  # the newline and the cut "）"
    assert decoded.warnings and decoded.warnings[0].startswith("truncated:")


def test_a_few_bad_bytes_in_utf8_are_replaced_with_a_warning() -> None:
    body = (POLICY * 10).encode("utf-8")
    cut = len(POLICY.encode("utf-8")) * 3  # a character boundary
    data = body[:cut] + b"\xff" + body[cut:]
    decoded = decode_text(data)
    assert decoded.encoding == "utf-8"
    assert decoded.text.count("\ufffd") == 1
    assert decoded.warnings[0].startswith("replaced_bytes:")


def test_declared_charset_of_a_page_is_used() -> None:
    page = '<html><head><meta charset="gbk"></head><body><p>' + POLICY + "</p></body></html>"
    decoded = decode_text(page.encode("gbk"))
    assert decoded.encoding == "gb18030" and POLICY in decoded.text


def test_binary_content_is_refused() -> None:
    data = bytes(range(256)) * 40
    with pytest.raises(SourceError) as info:
        decode_text(data)
    assert info.value.reason == "binary"


def test_to_simplified_keeps_length_and_converts() -> None:
    simplified = to_simplified(TRADITIONAL)
    assert len(simplified) == len(TRADITIONAL)
    assert simplified.startswith("台北市政府关于推进数位转型的实施方案")
    assert to_simplified(POLICY) == POLICY


def test_to_simplified_falls_back_when_a_phrase_changes_length(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    class LengthChanging:
        def convert(self, text: str) -> str:
            # a phrase rule that shortens text, and a 1:1 map for single characters
            return text.replace("關於", "关") if len(text) > 1 else text.replace("關", "关")

    monkeypatch.setattr(reader, "_t2s", lambda: LengthChanging())
    simplified = to_simplified(TRADITIONAL)
    assert len(simplified) == len(TRADITIONAL)
    assert simplified.startswith("臺北市政府关於")


# ---------------------------------------------------------------- read_source


def test_big5_source_keeps_the_original_and_matches_on_simplified(tmp_path: Path) -> None:
    path = tmp_path / "tw.txt"
    path.write_bytes(TRADITIONAL.encode("big5"))
    source = read_source(path)
    assert source.text == TRADITIONAL
    assert source.converted and len(source.matching_text) == len(source.text)
    assert "责任单位" in source.matching_text
    assert source.encoding == "big5" and source.source_format == "text"


def test_traditional_utf8_is_converted_too(tmp_path: Path) -> None:
    path = tmp_path / "hk.txt"
    path.write_bytes(TRADITIONAL.encode("utf-8"))
    assert read_source(path).converted
    path.write_bytes(POLICY.encode("utf-8"))
    assert not read_source(path).converted


def test_sha256_is_of_the_raw_bytes(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    data = POLICY.encode("gb18030")
    path.write_bytes(data)
    assert read_source(path).sha256 == hashlib.sha256(data).hexdigest()


@pytest.mark.parametrize(("content", "reason"), [(b"", "empty"), (b" \r\n\t\n", "empty")])
def test_empty_files_are_refused(tmp_path: Path, content: bytes, reason: str) -> None:
    path = tmp_path / "e.txt"
    path.write_bytes(content)
    with pytest.raises(SourceError) as info:
        read_source(path)
    assert info.value.reason == reason and info.value.path == path


def test_a_file_over_the_limit_is_refused_without_being_opened(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "big.txt"
    with path.open("wb") as fh:
        fh.truncate(200 * 1024 * 1024)  # sparse: no 200 MB written

    def no_open(*args: object, **kwargs: object) -> None:
        raise AssertionError("a file over the limit must not be opened")

    monkeypatch.setattr("builtins.open", no_open)
    with pytest.raises(SourceError) as info:
        read_source(path)
    assert info.value.reason == "too_large"
    assert "over the limit" in info.value.message


def test_the_size_limit_is_configurable(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_bytes(POLICY.encode("utf-8"))
    with pytest.raises(SourceError, match="too_large"):
        read_source(path, max_bytes=10)
    assert read_source(path, max_bytes=10_000).text == POLICY


def test_a_fifo_is_not_read(tmp_path: Path) -> None:
    path = tmp_path / "pipe.txt"
    os.mkfifo(path)
    with pytest.raises(SourceError) as info:
        read_source(path)
    assert info.value.reason == "not_regular"


def test_unreadable_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "secret.txt"
    path.write_bytes(POLICY.encode("utf-8"))
    path.chmod(0)
    try:
        if os.geteuid() == 0:  # root reads anyway (CI): simulate the refusal

            def refuse(*args: object, **kwargs: object) -> None:
                raise PermissionError(13, "Permission denied")

            monkeypatch.setattr("builtins.open", refuse)
        with pytest.raises(SourceError) as info:
            read_source(path)
        assert info.value.reason == "unreadable"
        assert "Permission denied" in info.value.message
    finally:
        path.chmod(0o644)


def test_symlink_loop_file(tmp_path: Path) -> None:
    (tmp_path / "a.txt").symlink_to(tmp_path / "b.txt")
    (tmp_path / "b.txt").symlink_to(tmp_path / "a.txt")
    with pytest.raises(SourceError) as info:
        read_source(tmp_path / "a.txt")
    assert info.value.reason == "symlink_loop"


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(SourceError) as info:
        read_source(tmp_path / "nope.txt")
    assert info.value.reason == "missing"


def test_read_text_is_the_evidence_text(tmp_path: Path) -> None:
    path = tmp_path / "tw.txt"
    path.write_bytes(TRADITIONAL.encode("big5"))
    assert read_text(path) == TRADITIONAL


# ---------------------------------------------------------------- short and ambiguous bytes


@pytest.mark.parametrize(
    "text", ["關於印發實施方案的通知", "一、總體目標", "臺北市", "關於", "通知", "一、总体目标",
             "关于印发实施方案的通知", "附件"],
)  # fmt: skip
@pytest.mark.parametrize("encoding", ["big5", "gb18030"])
def test_short_chinese_texts_decode_in_their_encoding(text: str, encoding: str) -> None:
    try:
        data = text.encode(encoding)
    except UnicodeEncodeError:
        pytest.skip(f"{text} has no {encoding} encoding")
    decoded = decode_text(data)
    assert decoded.text == text
    assert decoded.encoding in ({"big5", "cp950"} if encoding == "big5" else {encoding})


def test_utf16_without_bom_needs_nul_bytes() -> None:
    data = "關於印發實施方案的通知".encode("big5")  # even length, "valid" UTF-16 too
    assert data.decode("utf-16-be")  # garbage, but decodable
    assert b"\x00" not in data
    assert decode_text(data).encoding == "big5"
    with_nul = (POLICY * 3).encode("utf-16-le")  # newlines and digits give NUL bytes
    assert decode_text(with_nul).encoding == "utf_16_le"


def test_the_encoding_decision_and_its_reasons_are_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.INFO, logger="policykg.extract.reader"):
        decode_text("一、總體目標".encode("big5"), "h.txt")
    message = next(r.getMessage() for r in caplog.records if "h.txt: decoded as" in r.getMessage())
    assert "decoded as big5" in message and "Chinese-character score" in message


def test_a_close_call_is_a_warning() -> None:
    # these GB18030 bytes are also valid Big5: the reading is a guess, and says so
    decoded = decode_text("臺北市".encode("gb18030"))
    assert decoded.text == "臺北市"
    assert decoded.warnings and decoded.warnings[0].startswith("encoding_guess:")


def test_gb_bytes_that_are_valid_utf8_by_chance() -> None:
    data = "通知".encode("gb18030")
    assert data.decode("utf-8") != "通知"  # two combining marks
    decoded = decode_text(data)
    assert decoded.text == "通知" and decoded.encoding == "gb18030"
    assert decoded.warnings[0].startswith("encoding_guess:")
    for text in ("Ελληνικά κείμενο", "café", "日本語のテキスト", "e\u0301"):  # real UTF-8 stays
        assert decode_text(text.encode("utf-8")).encoding == "utf-8"


def test_radicals_are_read_as_ideographs_in_the_matching_copy(tmp_path: Path) -> None:
    # text copied out of a PDF keeps the producer's radicals: evidence quotes them as they are
    copied = "各区⼈⺠政府，市政府各部⻔：\n一、加强管理。（责任单位：市⺠政局）\n"
    path = tmp_path / "copied.txt"
    path.write_text(copied, encoding="utf-8")
    source = read_source(path)
    assert source.text == copied and source.converted
    assert source.matching_text == (
        "各区人民政府，市政府各部门：\n一、加强管理。（责任单位：市民政局）\n"
    )
    from policykg.extract.pipeline import extract_file

    result = extract_file(path)
    assert [r.unit for r in result.responsibilities] == ["市民政局"]
    ev = result.responsibilities[0].evidence
    assert result.text[ev.start : ev.end] == ev.quote and "⺠" in ev.quote


def test_html_parser_warnings_reach_the_source(tmp_path: Path) -> None:
    depth = 2500
    paragraphs = "".join(f"<p>{line}</p>" for line in POLICY.splitlines())
    page = "<html><body>" + "<div>" * depth + paragraphs + "</div>" * depth
    path = tmp_path / "deep.html"
    path.write_text(page + "</body></html>", encoding="utf-8")
    source = read_source(path)
    assert source.source_format == "html" and source.text == POLICY
    assert [w.split(":")[0] for w in source.warnings] == ["markup_recovered"]


# ---------------------------------------------------------------- real permissions

_PROBE = """
import sys
from policykg.extract.reader import SourceError, read_source
try:
    read_source(sys.argv[1])
except SourceError as exc:
    print(exc.reason, exc.message)
else:
    print("read")
"""


def test_unreadable_file_with_real_permissions() -> None:
    """No monkeypatching: a mode-000 file, read by a user who is not its owner."""
    directory = Path(tempfile.mkdtemp(prefix="policykg-perm-"))
    try:
        directory.chmod(0o755)
        path = directory / "secret.txt"
        path.write_bytes(POLICY.encode("utf-8"))
        path.chmod(0)
        if os.geteuid() != 0:
            with pytest.raises(SourceError) as info:
                read_source(path)
            assert info.value.reason == "unreadable"
            assert "Permission denied" in info.value.message
            return
        setpriv = shutil.which("setpriv")
        if setpriv is None:
            pytest.skip("running as root without setpriv (util-linux): cannot drop privileges")
        nobody = [setpriv, "--reuid=65534", "--regid=65534", "--clear-groups", sys.executable]
        env = {"PATH": os.environ.get("PATH", ""), "HOME": str(directory)}
        probe = subprocess.run([*nobody, "-c", "import policykg.extract.reader"],
                               capture_output=True, text=True, env=env, timeout=120)  # fmt: skip
        if probe.returncode != 0:
            reason = probe.stderr[-200:]
            pytest.skip(f"the unprivileged user cannot import the package here: {reason}")
        run = subprocess.run([*nobody, "-c", _PROBE, str(path)],
                             capture_output=True, text=True, env=env, timeout=120)  # fmt: skip
        assert run.returncode == 0, run.stderr
        assert run.stdout.strip() == "unreadable cannot read: Permission denied"
    finally:
        for child in directory.iterdir():
            child.chmod(0o644)
            child.unlink()
        directory.rmdir()
