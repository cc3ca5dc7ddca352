"""Per-article signals and pair features: transliteration, names, numbers, symmetry, bounds."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from samestory import from_text
from samestory.match.features import (
    FEATURES,
    LEXICAL_FEATURES,
    lead_product,
    pair_features,
    views_for,
)
from samestory.match.signals import article_signals
from samestory.match.views import views
from samestory.text.translit import fold


def test_fold_meets_names_across_scripts() -> None:
    assert fold("Путин") == fold("Putin")
    assert fold("Łódź") == "lodz"
    assert fold("Erdoğan") == "erdogan"


def test_names_numbers_and_years_are_found_across_scripts() -> None:
    ru = article_signals(
        from_text("Владимир Путин прибыл в Сочи 12 марта 2020 года. Путин встретился с Шойгу.")
    )
    en = article_signals(
        from_text("Vladimir Putin arrived in Sochi on March 12, 2020. Putin then met Shoigu.")
    )
    assert {"putin", "sochi"} <= set(ru.names) & set(en.names)
    assert {"12", "2020"} <= ru.numbers & en.numbers
    assert ru.years == en.years == {"2020"}


def test_sentence_initial_common_words_are_not_names() -> None:
    s = article_signals(from_text("The minister spoke. Then the minister left Berlin. the end"))
    assert "berlin" in s.names
    assert "the" not in s.names


def test_identical_articles_overlap_fully_and_disjoint_ones_not() -> None:
    a = article_signals(from_text("Floods hit Jakarta on Monday, killing 12 people, officials said."))
    b = article_signals(from_text("Quantum computers factor small integers using superconducting qubits."))
    same = dict(zip(FEATURES, pair_features(a, a), strict=True))
    diff = dict(zip(FEATURES, pair_features(a, b), strict=True))
    assert same["word_jaccard"] == 1.0 and same["gram_containment"] == 1.0
    assert diff["word_jaccard"] < 0.1 and diff["number_jaccard"] == 0.0


words = st.lists(
    st.sampled_from(["Berlin", "minister", "said", "42", "Paris", "talks", "год", "会谈", "2019"]),
    max_size=40,
)


@settings(max_examples=30, deadline=None)
@given(words, words)
def test_features_are_symmetric_finite_and_bounded(x: list[str], y: list[str]) -> None:
    a, b = article_signals(from_text(" ".join(x))), article_signals(from_text(" ".join(y)))
    ab, ba = pair_features(a, b), pair_features(b, a)
    np.testing.assert_allclose(ab, ba)
    assert np.isfinite(ab).all()
    lexical = ab[: len(LEXICAL_FEATURES) - 1]  # all but log_min_length are shares in [0, 1]
    assert ((lexical >= 0) & (lexical <= 1 + 1e-9)).all()


def test_views_do_not_overlap_and_cover_cjk() -> None:
    text = " ".join(f"w{i}" for i in range(300))
    v = views(from_text(text))
    assert v["head"].split()[-1] == "w47" and v["body"].split()[0] == "w48" and v["tail"].split()[0] == "w252"
    zh = views(from_text("中" * 100))
    assert len(zh["head"]) == 48


def test_a_model_embeds_only_the_views_its_features_use() -> None:
    assert views_for(LEXICAL_FEATURES) == ()
    assert views_for(("cos_head",)) == ("head",)
    assert views_for(FEATURES) == ("head", "body", "tail")


def test_lead_product_sums_to_the_lead_cosine_and_is_zero_without_vectors() -> None:
    rng = np.random.default_rng(0)

    def unit() -> np.ndarray:  # type: ignore[type-arg]
        v = rng.normal(size=16).astype(np.float32)
        return v / np.linalg.norm(v)

    plain = article_signals(from_text("Floods hit Jakarta on Monday, officials said."))
    a = replace(plain, vectors={"head": unit(), "body": unit()})
    b = replace(plain, vectors={"head": unit(), "body": unit()})
    prod = lead_product(a, b, 16)
    cos_lead = dict(zip(FEATURES, pair_features(a, b), strict=True))["cos_lead"]
    assert prod.shape == (16,)
    assert abs(float(prod.sum()) - cos_lead) < 1e-5
    np.testing.assert_allclose(prod, lead_product(b, a, 16))
    assert not lead_product(plain, b, 16).any()
    assert not lead_product(a, b, 32).any()  # vectors of another encoder's size are ignored


def test_fold_is_the_same_character_by_character_as_on_the_whole_string() -> None:
    import unicodedata

    from samestory.text.translit import TRANSLIT as _TRANSLIT
    from samestory.text.translit import fold

    def whole(text: str) -> str:  # the definition: transliterate, decompose, drop combining marks
        out = "".join(_TRANSLIT.get(ch, ch) for ch in text.lower())
        return "".join(c for c in unicodedata.normalize("NFKD", out) if not unicodedata.combining(c))

    for text in (
        "Путин встретился с Эрдоганом",
        "Łódź, Zürich, São Paulo, İstanbul",
        "Ἀθῆναι Αθήνα",
        "e\u0301te\u0301 q\u0307\u0323",
    ):
        assert fold(text) == whole(text)
    assert fold("Путин") == "putin"
