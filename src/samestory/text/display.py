"""What is safe to show: article-supplied strings neutralised before they reach a terminal or a page.

Ids, titles, paths and texts come from untrusted input. A raw ESC (or any other C0/C1 control character)
printed on a terminal can move the cursor, recolour or rewrite what was printed before; a bidi override
(U+202A..U+202E, U+2066..U+2069) reverses the display order of what follows it, so a report could show a
different id or name than the one stored. `printable` replaces each such character with a visible escape
(``\\x1b``, ``\\u202e``); tab and newline are kept. Left-to-right and right-to-left *marks* (U+200E, U+200F)
are kept: they occur in ordinary Arabic, Hebrew and Persian text and cannot reorder more than one character.
"""

from __future__ import annotations

import re

_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: str) -> str:
    """``text`` with control characters and bidi overrides shown as escapes, safe for a terminal or a page.

    >>> printable("id\\x1b[2Jx \\u202eevil")
    'id\\\\x1b[2Jx \\\\u202eevil'
    """
    if text.isascii() and text.isprintable():
        return text
    return _UNSAFE.sub(_escape, text)


_SURROGATE = re.compile("[\ud800-\udfff]")


def scrub_surrogates(text: str) -> str:
    """``text`` with every lone surrogate (``"\\udfff"``, e.g. from a JSON escape) replaced by U+FFFD.

    A lone surrogate is not a Unicode character: it cannot be encoded as UTF-8, stored, hashed or printed.
    One code point replaces one, so every character offset into ``text`` stays valid.

    >>> scrub_surrogates("T \\udfff")
    'T \\ufffd'
    """
    if text.isascii():
        return text
    return _SURROGATE.sub("\ufffd", text)
