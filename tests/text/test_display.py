"""`printable`: no control character or bidi override reaches a terminal or a page as itself."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from samestory.text.display import printable, scrub_surrogates

_DANGEROUS = [chr(c) for c in [*range(0x00, 0x09), *range(0x0B, 0x20), *range(0x7F, 0xA0)]] + [
    chr(c) for c in [*range(0x202A, 0x202F), *range(0x2066, 0x206A)]
]


def test_escape_and_bidi_overrides_are_shown_as_escapes() -> None:
    assert printable("a\x1b[31mb") == "a\\x1b[31mb"
    assert printable("x\u202eevil") == "x\\u202eevil"
    assert printable("line\n\ttab") == "line\n\ttab"
    assert printable("שלום \u200f عربي") == "שלום \u200f عربي"  # marks and RTL text stay


@given(st.text())
def test_nothing_dangerous_survives(text: str) -> None:
    shown = printable(text)
    assert not any(ch in shown for ch in _DANGEROUS)


@given(st.text(st.characters(blacklist_categories=("Cs", "Cc", "Cf"))))
def test_ordinary_text_is_unchanged(text: str) -> None:
    assert printable(text) == text


@given(st.text(st.characters(codec=None)))
def test_scrubbed_text_encodes_and_keeps_its_length(text: str) -> None:
    clean = scrub_surrogates(text)
    clean.encode("utf-8")
    assert len(clean) == len(text)
