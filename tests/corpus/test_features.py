"""DocFeatures: serialisation round-trips, corrupt blobs are refused, debris does not count."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pytest

from samestory.article import Article, Sentence
from samestory.corpus.config import CorpusConfig
from samestory.corpus.features import DocFeatures, featurize, featurize_text
from samestory.errors import DataError

CFG = CorpusConfig()


def _equal(a: DocFeatures, b: DocFeatures) -> bool:
    arrays = (
        "signature", "terms", "weights", "term_signature", "names", "years", "numbers", "name_weights", "cues"
    )  # fmt: skip
    same_arrays = all(np.array_equal(getattr(a, k), getattr(b, k)) for k in arrays)
    same_emb = (a.embedding is None and b.embedding is None) or (
        a.embedding is not None and b.embedding is not None and np.array_equal(a.embedding, b.embedding)
    )
    scalars = ("id", "published", "lang", "length", "n_shingles", "source")
    return same_arrays and same_emb and all(getattr(a, k) == getattr(b, k) for k in scalars)


def test_round_trip_with_and_without_embedding(sentences_a: list[str]) -> None:
    doc = featurize_text(
        "a1", " ".join(sentences_a), CFG, title="Т", lang="en", published=datetime(2020, 1, 2, tzinfo=UTC)
    )
    assert _equal(DocFeatures.from_bytes(doc.to_bytes()), doc)
    vec = np.linspace(-1, 1, 16, dtype=np.float32)
    with_emb = doc.with_embedding(vec / np.linalg.norm(vec))
    assert _equal(DocFeatures.from_bytes(with_emb.to_bytes()), with_emb)


def test_corrupt_blobs_raise_data_error(sentences_a: list[str]) -> None:
    blob = featurize_text("a1", " ".join(sentences_a), CFG).to_bytes()
    with pytest.raises(DataError, match="rebuild"):
        DocFeatures.from_bytes(b"JUNK" + blob[4:])
    with pytest.raises(DataError, match="truncated"):
        DocFeatures.from_bytes(blob[:-10])


def test_debris_sentences_do_not_change_the_features(sentences_a: list[str]) -> None:
    body = sentences_a[:6]
    promo = "Subscribe to our newsletter for the latest breaking stories and exclusive offers today."
    text = " ".join([*body, promo])
    spans, pos = [], 0
    for i, s in enumerate([*body, promo]):
        start = text.index(s, pos)
        spans.append(Sentence(i, start, start + len(s), s, debris=(s == promo)))
        pos = start + len(s)
    with_debris = Article(id="x", text=text, sentences=tuple(spans))
    clean_text = " ".join(body)
    clean = Article(id="x", text=clean_text, sentences=(Sentence(0, 0, len(clean_text), clean_text),))
    assert np.array_equal(featurize(with_debris, CFG).signature, featurize(clean, CFG).signature)


def test_names_and_years_are_extracted() -> None:
    doc = featurize_text("n", "In 2013 Lindsay Lohan checked into the Betty Ford Center.", CFG)
    other = featurize_text("m", "In 2008 Tara Reid checked into Promises.", CFG)
    assert doc.years.tolist() == [2013]
    assert np.intersect1d(doc.names, other.names).size == 0


def test_numbers_exclude_years_and_tell_quantities_apart() -> None:
    a = featurize_text("a", "In 2013 the quake killed 42 people and injured 300.", CFG)
    b = featurize_text("b", "In 2013 the quake killed 17 people and injured 300.", CFG)
    assert a.numbers.size == 2  # 42 and 300; the year 2013 is kept apart
    assert np.intersect1d(a.numbers, b.numbers).size == 1  # only 300 is shared
    assert DocFeatures.from_bytes(a.to_bytes()).numbers.tolist() == a.numbers.tolist()
