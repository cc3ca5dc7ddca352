"""The one text lexicon: transliteration, stopwords and months shared by compare, alignment and the corpus."""

from __future__ import annotations

from samestory.text.mentions import dates, name_key, same_entity
from samestory.text.stopwords import CORPUS_STOPWORDS, STOPWORDS, stopwords
from samestory.text.translit import fold, transliterate


def test_greek_and_cyrillic_names_are_folded_for_compare_as_for_similarity() -> None:
    assert name_key("Αθήνα") == fold("Αθήνα") == "athina"
    assert transliterate("Ђоковић") == "Djokovic"
    assert same_entity("Герасимов", "Gerasimov")


def test_every_semeval_language_has_stopwords() -> None:
    for lang, word in (
        ("pl", "się"),
        ("tr", "ve"),
        ("ar", "في"),
        ("it", "della"),
        ("zh", "的"),
        ("en", "the"),
    ):
        assert word in stopwords(lang), lang
    assert stopwords("xx") == frozenset()
    assert "się" not in CORPUS_STOPWORDS  # the corpus keeps the list its features were built on
    assert frozenset().union(*STOPWORDS.values()) >= CORPUS_STOPWORDS


def test_month_names_of_more_languages_are_dates() -> None:
    found = {(d.text, d.month, d.day) for d in dates("Il 3 marzo, 5 stycznia 2020 и 7 мая.")}
    assert ("3 marzo", 3, 3) in found
    assert ("7 мая", 5, 7) in found
    assert any(m == 1 and day == 5 for _, m, day in found)
