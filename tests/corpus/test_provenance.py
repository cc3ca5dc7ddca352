"""Provenance: earliest by date, copy direction from containment and time, as hints only."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from samestory.corpus.config import CorpusConfig
from samestory.corpus.features import featurize_text
from samestory.corpus.provenance import copy_hint, earliest
from samestory.corpus.verify import verify

CFG = CorpusConfig()
T0 = datetime(2021, 3, 1, 9, 0, tzinfo=UTC)


def test_earliest_uses_dates_and_ignores_undated(sentences_a: list[str]) -> None:
    text = " ".join(sentences_a)
    docs = [
        featurize_text("late", text, CFG, published=T0 + timedelta(hours=5)),
        featurize_text("undated", text, CFG),
        featurize_text("early", text, CFG, published=T0),
    ]
    assert earliest(docs) == "early"
    assert earliest([docs[1]]) is None


def test_copy_hint_points_from_the_longer_earlier_original(sentences_a: list[str]) -> None:
    original = featurize_text("orig", " ".join(sentences_a), CFG, published=T0)
    short = featurize_text("short", " ".join(sentences_a[:4]), CFG, published=T0 + timedelta(hours=2))
    ev = verify(short, original, CFG)
    hint = copy_hint(short, original, ev)
    assert hint is not None and hint.index("short") < hint.index("orig") and "may" in hint


def test_no_hint_for_different_stories(sentences_a: list[str]) -> None:
    a = featurize_text("a", " ".join(sentences_a), CFG, published=T0)
    b = featurize_text("b", "Bus fares will rise by ten percent from March in the northern suburbs.", CFG)
    assert copy_hint(a, b, verify(a, b, CFG)) is None
