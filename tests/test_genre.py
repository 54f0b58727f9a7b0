"""The genre lexicon: normalisation used by deduplication and scoring."""

from __future__ import annotations

import unicodedata

import pytest

from policykg.extract.genre import norm


def _reference(s: str) -> str:
    s = unicodedata.normalize("NFKC", s)
    return "".join(c for c in s if not (c.isspace() or unicodedata.category(c)[0] in "PS"))


@pytest.mark.parametrize(
    "s",
    [
        "《关于印发〈雁城市方案〉的通知》（2021—2025年）",
        "ＡＢＣ　１２３％ ＋－",
        "emoji 😀 and ext-B 𠀀 chars",
        "",
        "\r\n\t\u3000\xa0",
    ],
)
def test_norm_drops_whitespace_punctuation_and_symbols(s: str) -> None:
    assert norm(s) == _reference(s)
