"""Language identification (py3langid, bundled model) and ISO 639-1 normalisation of language codes."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable

UNDETERMINED = "und"

# ISO 639-2/3 and common aliases -> ISO 639-1, for codes given by users or data sets.
_ALIASES: dict[str, str] = {
    "eng": "en", "rus": "ru", "deu": "de", "ger": "de", "fra": "fr", "fre": "fr", "spa": "es", "ita": "it",
    "pol": "pl", "tur": "tr", "ara": "ar", "zho": "zh", "chi": "zh", "cmn": "zh", "ukr": "uk", "por": "pt",
    "nld": "nl", "dut": "nl", "jpn": "ja", "kor": "ko", "ces": "cs", "cze": "cs", "swe": "sv", "fas": "fa",
    "per": "fa", "heb": "he", "iw": "he", "hin": "hi", "ell": "el", "gre": "el", "bul": "bg", "srp": "sr",
    "hrv": "hr", "ron": "ro", "rum": "ro", "hun": "hu", "fin": "fi", "dan": "da", "nor": "no", "nob": "no",
    "ind": "id", "vie": "vi", "tha": "th", "bel": "be", "kaz": "kk",
}  # fmt: skip
_CODE = re.compile(r"[a-z]{2,3}")
_LETTER = re.compile(r"[^\W\d_]")
SAMPLE_CHARS = 700
MIN_LETTERS = 10  # fewer letters than this ("Home", "OK") cannot be identified reliably


def normalize_lang(code: str | None) -> str:
    """An ISO 639-1 code for ``code`` ("en", "EN-us", "eng", "zh_Hans" -> "en", "en", "en", "zh"); else "und".

    >>> normalize_lang("ru-RU"), normalize_lang("deu"), normalize_lang(""), normalize_lang("??")
    ('ru', 'de', 'und', 'und')
    """
    if not code:
        return UNDETERMINED
    head = re.split(r"[-_\s.]", code.strip().lower(), maxsplit=1)[0]
    if not _CODE.fullmatch(head):
        return UNDETERMINED
    if len(head) == 2:
        return head
    return _ALIASES.get(head, UNDETERMINED)


@functools.cache
def _classify() -> Callable[[str], tuple[str, float]]:
    import py3langid

    classify: Callable[[str], tuple[str, float]] = py3langid.classify
    return classify


def detect_lang(text: str) -> str:
    """The ISO 639-1 code of the language ``text`` is written in, or "und" when it has too few letters (< 10).

    Only the first 700 characters are classified: that is enough for a news article and keeps it fast.

    >>> detect_lang("Министр обороны заявил, что армия готова к сотрудничеству.")
    'ru'
    """
    # runs of whitespace make the classifier's automaton crawl: collapse them first
    sample = " ".join(text[:SAMPLE_CHARS].split())
    if len(_LETTER.findall(sample[:200])) < MIN_LETTERS:
        return UNDETERMINED
    code, _score = _classify()(sample)
    return normalize_lang(str(code))
