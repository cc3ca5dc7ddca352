"""Tokens, shingling, one-permutation MinHash and LSH keys: estimates track true Jaccard, batches equal one
set at a time, results are seeded and deterministic."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from samestory.fingerprint import (
    FingerprintConfig,
    band_keys,
    jaccard_estimate,
    minhash,
    shingle_hashes,
    sketch_batch,
    token_hash,
    tokenize_bytes,
)

CFG = FingerprintConfig(ngram=3, num_perm=256, bands=64, seed=7)


def _hashes(values: set[int]) -> np.ndarray:
    return np.unique(np.array(sorted(values), dtype=np.uint64) * np.uint64(0x9E3779B97F4A7C15))


@settings(max_examples=60, deadline=None, derandomize=True)
@given(
    shared=st.sets(st.integers(0, 10**9), min_size=0, max_size=300),
    only_a=st.sets(st.integers(10**9 + 1, 2 * 10**9), min_size=0, max_size=300),
    only_b=st.sets(st.integers(2 * 10**9 + 1, 3 * 10**9), min_size=0, max_size=300),
)
def test_minhash_estimate_tracks_true_jaccard(shared: set[int], only_a: set[int], only_b: set[int]) -> None:
    a, b = shared | only_a, shared | only_b
    if not a or not b:
        return
    true = len(shared) / len(a | b)
    est = jaccard_estimate(minhash(_hashes(a), CFG), minhash(_hashes(b), CFG))
    # 5 standard deviations of the binomial estimate, plus slack for the hash family
    assert abs(est - true) <= 5 * math.sqrt(true * (1 - true) / CFG.num_perm) + 0.03


def test_identical_texts_have_identical_signatures_and_keys() -> None:
    text = "Russian general Gerasimov met his South African counterpart in Moscow on Tuesday."
    s1, s2 = minhash(shingle_hashes(text, CFG), CFG), minhash(shingle_hashes(text, CFG), CFG)
    assert np.array_equal(s1, s2)
    assert band_keys(s1, CFG) == band_keys(s2, CFG)
    assert len(band_keys(s1, CFG)) == CFG.bands


def test_seed_changes_the_hash_functions() -> None:
    text = "one two three four five six seven eight nine ten"
    other = FingerprintConfig(ngram=3, num_perm=256, bands=64, seed=8)
    assert not np.array_equal(
        minhash(shingle_hashes(text, CFG), CFG), minhash(shingle_hashes(text, other), other)
    )


def test_shingles_follow_ngram_size_and_ignore_case() -> None:
    text = "Alpha beta gamma delta epsilon"
    assert len(shingle_hashes(text, FingerprintConfig(ngram=1))) == 5
    assert len(shingle_hashes(text, FingerprintConfig(ngram=3))) == 3
    assert np.array_equal(shingle_hashes(text, CFG), shingle_hashes(text.upper(), CFG))
    # shorter than n: the whole text is one shingle; nothing at all: no shingle
    assert len(shingle_hashes("two words", FingerprintConfig(ngram=5))) == 1
    assert len(shingle_hashes("  ...  ", CFG)) == 0


def test_band_keys_are_shared_only_where_bands_agree() -> None:
    cfg = FingerprintConfig(ngram=1, num_perm=8, bands=4, seed=1)
    sig = np.arange(8, dtype=np.uint32)
    changed = sig.copy()
    changed[0] = 99  # only band 0 differs
    ka, kb = band_keys(sig, cfg), band_keys(changed, cfg)
    assert ka[0] != kb[0]
    assert ka[1:] == kb[1:]


def test_bad_configs_are_refused_with_a_reason() -> None:
    with pytest.raises(ValueError, match="multiple of bands"):
        FingerprintConfig(num_perm=100, bands=32)
    with pytest.raises(ValueError, match="ngram"):
        FingerprintConfig(ngram=0)


@settings(max_examples=40, deadline=None, derandomize=True)
@given(st.lists(st.sets(st.integers(0, 2**64 - 1), max_size=300), min_size=1, max_size=8))
def test_batch_signatures_equal_one_set_at_a_time(sets: list[set[int]]) -> None:
    values = np.array([v for s in sets for v in sorted(s)], dtype=np.uint64)
    owner = np.repeat(np.arange(len(sets), dtype=np.int64), [len(s) for s in sets])
    sigs, distinct = sketch_batch(values, owner, len(sets), CFG)
    for i, s in enumerate(sets):
        assert np.array_equal(sigs[i], minhash(np.array(sorted(s), dtype=np.uint64), CFG))
        assert distinct[i] == len(s)
    # duplicates and order do not matter
    twice = np.concatenate([values, values[::-1]])
    assert np.array_equal(minhash(twice, CFG), minhash(np.unique(values), CFG))


def test_signatures_have_no_empty_bins_unless_the_set_is() -> None:
    small = minhash(np.array([11, 12, 13], dtype=np.uint64), CFG)
    assert len(set(small.tolist())) == 3  # every bin holds one of the three values
    assert (minhash(np.zeros(0, dtype=np.uint64), CFG) == 0xFFFFFFFF).all()


@settings(max_examples=40, deadline=None, derandomize=True)
@given(
    st.lists(
        st.text(
            alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Zs", "Cc")),
            min_size=1,
            max_size=30,
        ),
        max_size=40,
    )
)
def test_token_hashes_in_a_buffer_equal_one_token_at_a_time(toks: list[str]) -> None:
    toks = [t.replace(" ", "") for t in toks if t.replace(" ", "")]
    got = tokenize_bytes(b"  ".join(t.encode() for t in toks), cjk=False)  # the hash arithmetic
    assert got.hashes.tolist() == [token_hash(t) for t in toks]
    assert got.chars.tolist() == [len(t) for t in toks]
    assert got.digits.tolist() == [t.isascii() and t.isdigit() for t in toks]


def test_old_feature_schemes_are_refused_with_a_reason() -> None:
    with pytest.raises(ValueError, match="rebuild the index"):
        FingerprintConfig(scheme=1)


def test_a_hash_set_contains_exactly_its_members() -> None:
    from samestory.fingerprint import HashSet

    rng = np.random.default_rng(4)
    members = rng.integers(0, 2**63, 300, dtype=np.uint64)
    # probes: the members, random hashes, and hashes that share a member's low bits but differ above them
    near = members ^ (np.uint64(1) << np.uint64(40))
    probes = np.concatenate([members, rng.integers(0, 2**63, 1000, dtype=np.uint64), near])
    assert HashSet(members).contains(probes).tolist() == np.isin(probes, members).tolist()
    assert not HashSet(np.zeros(0, dtype=np.uint64)).contains(probes).any()
