"""Candidate search: LSH finds reprints and forgets removed documents; embedding search finds neighbours."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from samestory.corpus.candidates import EmbeddingIndex, LSHIndex, select_candidates
from samestory.corpus.config import CorpusConfig
from samestory.corpus.features import featurize_text

CFG = CorpusConfig()
OTHER = "Bus fares will rise by ten percent from March, while tram lines in the north get new vehicles soon."


def test_lsh_finds_a_reprint_and_forgets_removed_documents(sentences_a: list[str]) -> None:
    original = featurize_text("o", " ".join(sentences_a), CFG)
    reprint = featurize_text("r", "Advertisement. " + " ".join(sentences_a[:-1]), CFG)
    other = featurize_text("x", OTHER, CFG)
    index = LSHIndex(CFG)
    index.add(original)
    index.add(other)
    assert index.query(reprint) == ["o"]
    index.remove(original)
    assert index.query(reprint) == [] and len(index) == 1


def test_a_rewrite_is_found_by_its_key_terms(sentences_a: list[str]) -> None:
    # the same sentences in another order share no 5-word run... but the words they use most
    rewrite = featurize_text("w", " ".join(reversed(sentences_a)), CFG)
    index = LSHIndex(CFG)
    index.add(featurize_text("o", " ".join(sentences_a), CFG))
    index.add(featurize_text("x", OTHER, CFG))
    shared = index.shared(rewrite)
    assert shared["o"][1] >= CFG.key_terms_min and shared.get("x", [0, 0])[1] < CFG.key_terms_min
    assert index.query(rewrite) == ["o"]


def test_a_frequent_key_term_is_skipped() -> None:
    cfg = replace(CFG, key_term_max_df=2, key_terms_min=1, term_bands=0)
    docs = [featurize_text(f"d{i}", f"Zanzibar ferry number {i} sailed at dawn.", cfg) for i in range(5)]
    index = LSHIndex(cfg)
    found = []
    for d in docs:
        found.append(set(index.shared(d)))
        index.add(d)
    # the third document still finds the two before it; from the fourth on its words' postings hold too many
    assert found[:3] == [set(), {"d0"}, {"d0", "d1"}]
    assert found[3:] == [set(), set()]


def test_a_key_term_counts_its_holders_of_the_days_before() -> None:
    cfg = replace(CFG, key_term_max_df=2, key_terms_min=1, term_bands=0, key_term_days=2.0)
    t0 = datetime(2024, 5, 1, tzinfo=UTC)
    days = [0.001, 0.5, 1.0, 1.5, 4.0, 4.2, None, 4.3]
    docs = [
        featurize_text(
            f"d{i}",
            f"Zanzibar ferry number {i} sailed at dawn.",
            cfg,
            published=t0 + timedelta(days=d) if d else None,
        )
        for i, d in enumerate(days)
    ]
    index = LSHIndex(cfg)
    found = []
    for d in docs:
        found.append(set(index.shared(d)))
        index.add(d)
    # d3 has three holders in its two days (too many); d4 none; d5 only d4; the undated d6 counts all six
    # holders (too many); d7 counts the dated holders of its window only
    assert found == [set(), {"d0"}, {"d0", "d1"}, set(), set(), {"d4"}, set(), {"d4", "d5"}]


def test_select_candidates_keeps_the_most_shared_then_orders_by_id() -> None:
    cfg = replace(CFG, max_candidates=2, key_terms_min=3)
    order = np.array(["c", "a", "b", "d"])
    lsh = np.array([0, 1, 0, 0])
    terms = np.array([5, 0, 2, 3])
    # b shares too few key terms and no LSH key; of c (5), d (3) and a (1) the two sharing most stay
    assert [order[i] for i in select_candidates(order, lsh, terms, cfg)] == ["c", "d"]
    assert [order[i] for i in select_candidates(order, lsh, terms, replace(cfg, max_candidates=0))] == [
        "a",
        "c",
        "d",
    ]


@pytest.mark.parametrize("backend", ["numpy", "usearch"])
def test_embedding_index_returns_nearest_first(backend: str) -> None:
    if backend == "usearch":
        pytest.importorskip("usearch")
    rng = np.random.default_rng(0)
    vecs = rng.normal(size=(50, 16)).astype(np.float32)
    vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
    index = EmbeddingIndex(16, backend=backend)
    for i, v in enumerate(vecs):
        index.add(f"d{i}", v)
    query = vecs[7] + 0.05 * rng.normal(size=16).astype(np.float32)
    query /= np.linalg.norm(query)
    hits = index.query(query, k=3)
    assert hits[0][0] == "d7" and hits[0][1] > 0.9
    assert [s for _, s in hits] == sorted((s for _, s in hits), reverse=True)
