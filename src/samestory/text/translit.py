"""Transliteration to Latin: the one table (Cyrillic, Greek, Arabic, a few special Latin letters) for names,
alignment tokens and similarity features.

`fold` lower-cases and transliterates (the similarity model's features are computed on it, so its output for
any text must not change without retraining the shipped weights); `transliterate` keeps the case ("Αθήνα" ->
"Athina", "Герасимов" -> "Gerasimov"). Both drop accents (NFKD, combining marks removed).

>>> transliterate("Герасимов"), transliterate("Αθήνα"), fold("Łódź")
('Gerasimov', 'Athina', 'lodz')
"""

from __future__ import annotations

import unicodedata

__all__ = ["TRANSLIT", "fold", "transliterate"]

_CYR = dict(
    zip(
        "абвгдеёжзийклмнопрстуфхцчшщъыьэюяіїєґўђјљњћџ",
        [
            "a",
            "b",
            "v",
            "g",
            "d",
            "e",
            "e",
            "zh",
            "z",
            "i",
            "y",
            "k",
            "l",
            "m",
            "n",
            "o",
            "p",
            "r",
            "s",
            "t",
            "u",
            "f",
            "kh",
            "ts",
            "ch",
            "sh",
            "shch",
            "",
            "y",
            "",
            "e",
            "yu",
            "ya",
            "i",
            "yi",
            "ye",
            "g",
            "u",
            "dj",
            "j",
            "lj",
            "nj",
            "c",
            "dz",
        ],
        strict=True,
    )
)
_GREEK = dict(
    zip(
        "αβγδεζηθικλμνξοπρσςτυφχψωάέήίόύώ",
        [
            "a",
            "v",
            "g",
            "d",
            "e",
            "z",
            "i",
            "th",
            "i",
            "k",
            "l",
            "m",
            "n",
            "x",
            "o",
            "p",
            "r",
            "s",
            "s",
            "t",
            "y",
            "f",
            "ch",
            "ps",
            "o",
            "a",
            "e",
            "i",
            "i",
            "o",
            "y",
            "o",
        ],
        strict=True,
    )
)
_ARABIC = dict(
    zip(
        "ابتثجحخدذرزسشصضطظعغفقكلمنهوي",
        [
            "a",
            "b",
            "t",
            "th",
            "j",
            "h",
            "kh",
            "d",
            "dh",
            "r",
            "z",
            "s",
            "sh",
            "s",
            "d",
            "t",
            "z",
            "a",
            "gh",
            "f",
            "q",
            "k",
            "l",
            "m",
            "n",
            "h",
            "w",
            "y",
        ],
        strict=True,
    )
)
_SPECIAL = {"ł": "l", "ı": "i", "ß": "ss", "ø": "o", "æ": "ae", "đ": "d", "þ": "th", "œ": "oe"}
TRANSLIT: dict[str, str] = {**_CYR, **_GREEK, **_ARABIC, **_SPECIAL}

"""Lower-case letter -> Latin spelling (BGN-like for Cyrillic, ELOT-like for Greek, simple for Arabic)."""


class _FoldTable(dict[int, str]):
    """``str.translate`` table, filled on first sight of each character: its transliteration, decomposed
    (NFKD) with combining marks dropped. Folding character by character equals folding the whole string,
    because canonical reordering only moves combining marks, and those are all dropped."""

    def __missing__(self, code: int) -> str:
        out = TRANSLIT.get(chr(code), chr(code))
        folded = "".join(c for c in unicodedata.normalize("NFKD", out) if not unicodedata.combining(c))
        self[code] = folded
        return folded


_FOLD = _FoldTable()


def fold(text: str) -> str:
    """Lower-case, strip accents, transliterate Cyrillic/Greek/Arabic letters to Latin."""
    return text.lower().translate(_FOLD)


def _cased(table: dict[str, str]) -> dict[int, str]:
    out = {ord(k): v for k, v in table.items()}
    for k, v in table.items():
        up = k.upper()
        if len(up) == 1 and up != k and ord(up) not in out:
            out[ord(up)] = v.capitalize()
    return out


_CASED = _cased(TRANSLIT)


def transliterate(text: str) -> str:
    """Latin-script form of ``text``, case kept: Cyrillic, Greek and Arabic romanised, accents stripped."""
    if text.isascii():
        return text
    text = text.translate(_CASED)
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
