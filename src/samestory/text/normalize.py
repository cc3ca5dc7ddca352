"""Text normalisation applied to every article before anything else looks at it.

Only changes that keep the text *as read* are made: line endings become ``\\n``, a leading byte-order
mark goes, mojibake (UTF-8 read as cp1252/latin-1/cp1251) is repaired with ftfy, and the result is NFC.
ftfy runs only when a cheap check finds mojibake-looking character pairs, so clean text costs almost nothing.
"""

from __future__ import annotations

import re
import unicodedata

# Pairs that UTF-8 bytes produce when decoded as cp1252 / latin-1 ("Ã©", "â€™", "Ð¿") or cp1251 ("Р°", "С‚").
_MOJIBAKE = re.compile(
    "[\u00c2\u00c3\u00c5\u00ce\u00cf\u00d0\u00d1\u00d8\u00d9\u00e2\u00e3\u00e4\u00e5\u00e6\u00e7\u00e8\u00ef]"
    "[\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc\u2013\u2014\u2018-\u201e"
    "\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122]"
    "|[\u0420\u0421][\u0400-\u040f\u0450-\u045f\u201a-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2116\u2122\u00a0-\u00bb]"
    "[\u0420\u0421\u0400-\u045f]"
)
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def looks_like_mojibake(text: str) -> bool:
    """True when ``text`` holds character pairs that mis-decoded UTF-8 typically produces."""
    return _MOJIBAKE.search(text) is not None


def fix_mojibake(text: str) -> str:
    """Repair mis-decoded text with ftfy, touching nothing else (quotes, widths, ligatures stay)."""
    import ftfy

    config = ftfy.TextFixerConfig(
        unescape_html=False,
        remove_terminal_escapes=False,
        fix_encoding=True,
        restore_byte_a0=True,
        replace_lossy_sequences=True,
        decode_inconsistent_utf8=True,
        fix_c1_controls=True,
        fix_latin_ligatures=False,
        fix_character_width=False,
        uncurl_quotes=False,
        fix_line_breaks=False,
        fix_surrogates=True,
        remove_control_chars=False,
        normalization=None,
    )
    return str(ftfy.fix_text(text, config))


def normalize_text(text: str) -> str:
    """Normalise line endings, drop a byte-order mark, repair mojibake, NFC; control characters -> spaces.

    >>> normalize_text("caf\\u00c3\\u00a9\\r\\nnext")
    'café\\nnext'
    """
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = text.removeprefix("\ufeff")
    if looks_like_mojibake(text):
        text = fix_mojibake(text)
    if _CONTROL.search(text):
        text = _CONTROL.sub(" ", text)
    if not text.isascii() and not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    return text
