"""Shingling, MinHash and LSH keys: estimates track true Jaccard, results are seeded and deterministic."""

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
