"""DocFeatures: serialisation round-trips, corrupt blobs are refused, debris does not count."""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from datetime import UTC, datetime

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from samestory.article import Article, Sentence
from samestory.corpus.config import CorpusConfig
from samestory.corpus.features import MAX_TERMS, DocFeatures, featurize, featurize_text, featurize_texts
from samestory.corpus.stopwords import STOPWORDS
from samestory.corpus.verify import shingle_jaccard
from samestory.errors import DataError
from samestory.fingerprint import FingerprintConfig, token_hash, tokens

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


# -- the batch path: the same features as one text at a time, and the definitions it implements -----------

_WORDS = ["Moscow", "said", "the", "42", "0", "2013", "Ленин", "İstanbul", "ẞtraße", "naïve", "don't", "x_y"]
_text = st.lists(
    st.one_of(
        st.sampled_from(_WORDS),
        st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12),
        st.from_regex(r"[A-Z][a-z]{1,8}|[0-9]{1,5}|[a-z]{1,10}", fullmatch=True),
    ),
    max_size=80,
).map(" ".join)


def _same(a: DocFeatures, b: DocFeatures) -> bool:
    dtypes = all(
        getattr(a, k).dtype == getattr(b, k).dtype
        for k in ("signature", "terms", "weights", "term_signature", "names", "years", "numbers")
    )
    return _equal(a, b) and dtypes and a.text_sample == b.text_sample


@settings(max_examples=80, deadline=None, derandomize=True)
@given(st.lists(st.tuples(_text, st.sampled_from(["", "Breaking News", "Путин"])), min_size=1, max_size=12))
def test_a_batch_gives_each_text_the_features_it_gets_alone(docs: list[tuple[str, str]]) -> None:
    cfg = CorpusConfig(
        fingerprint=FingerprintConfig(ngram=3, num_perm=64, bands=16), term_bands=8, term_rows=3
    )
    ids = [f"d{i}" for i in range(len(docs))]
    batch = featurize_texts(ids, [t for t, _ in docs], cfg, titles=[h for _, h in docs])
    for i, (text, title) in enumerate(docs):
        assert _same(batch[i], featurize_text(ids[i], text, cfg, title=title))


def test_batches_larger_than_one_chunk_agree(sentences_a: list[str]) -> None:
    texts = [
        " ".join(sentences_a[i % len(sentences_a) :]) + f" Mr Smith{i} paid {i} roubles" for i in range(700)
    ]
    ids = [str(i) for i in range(len(texts))]
    batch = featurize_texts(ids, texts, CFG)
    for i in (0, 511, 512, 699):
        assert _same(batch[i], featurize_text(ids[i], texts[i], CFG))


#: the token definition: runs of word characters, each CJK ideograph or kana (U+3040-U+9FFF) a token alone
_WORD_RUN = re.compile(r"(?:(?![\u3040-\u9fff])\w)+|(?=\w)[\u3040-\u9fff]")


def test_each_cjk_character_is_a_token_and_cjk_bigrams_are_content_words() -> None:
    assert tokens("中国在2021年 Hello世界、ひらがな") == [
        "中", "国", "在", "2021", "年", "hello", "世", "界", "ひ", "ら", "が", "な",
    ]  # fmt: skip
    doc = featurize_text("zh", "北京大学的学生参加了会议。", CFG)
    # bigrams with a function character (的, 了) are left out: 北京 京大 大学 学生 生参 参加 会议
    assert doc.terms.size == 7
    # a Chinese copy with one character changed per clause still shares most shingles
    a = featurize_text("a", "国家主席会见美国总统并举行会谈，双方讨论了贸易问题和地区安全局势。", CFG)
    b = featurize_text("b", "国家主席会晤美国总统并举行会谈，双方讨论了贸易问题和地区安全形势。", CFG)
    assert shingle_jaccard(a, b) > 0.4


@settings(max_examples=60, deadline=None, derandomize=True)
@given(_text)
def test_tokens_are_the_word_runs_of_the_lower_cased_text(text: str) -> None:
    expected = _WORD_RUN.findall(text.lower())
    if all(not c.isdecimal() or c.isascii() for c in text):  # other scripts' digits are read as ASCII
        assert tokens(text) == expected
    assert len(tokens(text)) == len(expected)


def _reference_names(text: str) -> tuple[set[int], set[int], set[int]]:
    """The definition, token by token: names (capitalised, longer than one character, not a function word)
    and numbers (digit runs other than "0"); years 1800-2099 among the numbers."""
    names: set[int] = set()
    numbers: set[int] = set()
    years: set[int] = set()
    for t in set(tokens_original_case(text)):
        if t[0].isupper() and len(t.lower()) > 1 and t.lower() not in STOPWORDS:
            names.add(token_hash(t.lower()) >> 32)
        elif t.isascii() and t.isdigit() and t != "0":
            names.add(token_hash(t) >> 32)
            if len(t) == 4 and 1800 <= int(t) <= 2099:
                years.add(int(t))
            else:
                numbers.add(token_hash(t) >> 32)
    return names, numbers, years


def tokens_original_case(text: str) -> list[str]:
    return [
        "".join(str(unicodedata.decimal(c)) if c.isdecimal() else c for c in t)
        for t in _WORD_RUN.findall(text)
    ]


@settings(max_examples=80, deadline=None, derandomize=True)
@given(_text, st.booleans())
def test_names_numbers_and_years_follow_their_definition(text: str, force_unicode: bool) -> None:
    # ASCII texts are read from their original-case bytes; a non-ASCII character sends the text through the
    # token-for-token path (or, when lower-casing changes its length or needs context, the per-text one)
    full = text + (" Ж" if force_unicode else "")
    _check_names(full)


def _check_names(text: str) -> None:
    doc = featurize_text("x", text, CFG)
    names, numbers, years = _reference_names(text)
    assert set(doc.names.tolist()) == names
    assert set(doc.numbers.tolist()) == numbers
    assert set(doc.years.tolist()) == years


@pytest.mark.parametrize(
    "text",
    [
        "İstanbul Çelik 12 met Ǆemal",  # "İ" lower-cases to two characters
        "ΟΔΟΣ Αθήνα Σ 5",  # the capital sigma lower-cases by context
        "Москва ẞtraße 1990 Ⅻ ² ١٩ Мая_5 5Мая",
        "Жук " * 3 + "İ",
    ],
)
def test_names_of_texts_that_lower_case_irregularly_follow_their_definition(text: str) -> None:
    _check_names(text)
    batch = featurize_texts(["a", "b", "c"], [text, "Ж Москва 3", text.upper()], CFG)
    for doc, one in zip(batch, (text, "Ж Москва 3", text.upper()), strict=True):
        assert _same(doc, featurize_text(doc.id, one, CFG))


@settings(max_examples=60, deadline=None, derandomize=True)
@given(_text)
def test_content_terms_follow_their_definition(text: str) -> None:
    doc = featurize_text("x", text, CFG)
    counts = Counter(
        token_hash(t) >> 32
        for t in tokens(text)
        if t not in STOPWORDS and (len(t) > 2 or (t.isascii() and t.isdigit()))
    )
    top = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:MAX_TERMS]
    assert doc.terms.tolist() == sorted(h for h, _ in top)
    if top:
        w = np.array([1 + math.log(counts[h]) for h in doc.terms.tolist()])
        assert np.allclose(doc.weights, w / np.linalg.norm(w), atol=1e-6)


def test_a_token_hashes_the_same_in_ascii_and_unicode_texts() -> None:
    plain = featurize_text("a", "Vladimir Putin met officials in 2013", CFG)
    mixed = featurize_text("b", "Vladimir Putin met officials in 2013 — Путин", CFG)
    assert set(plain.names.tolist()) < set(mixed.names.tolist())
    assert set(plain.terms.tolist()) < set(mixed.terms.tolist())
    assert plain.years.tolist() == mixed.years.tolist() == [2013]


def test_featurising_in_worker_processes_gives_the_same_features(sentences_a: list[str]) -> None:
    from samestory.corpus.features import POOL_MIN

    n = POOL_MIN + 300
    texts = [
        f"{sentences_a[i % len(sentences_a)]} Mr Smith{i % 97} paid {i} roubles on May {i % 28 + 1}"
        for i in range(n)
    ]
    ids = [f"d{i}" for i in range(n)]
    when = [datetime(2020, 1, 1 + i % 28, tzinfo=UTC) for i in range(n)]
    alone = featurize_texts(ids, texts, CFG, published=when)
    pooled = featurize_texts(ids, texts, CFG, published=when, workers=2)
    assert len(pooled) == n
    assert all(a.to_bytes() == b.to_bytes() for a, b in zip(alone, pooled, strict=True))
