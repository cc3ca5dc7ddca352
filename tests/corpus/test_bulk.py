"""The bulk engine: candidates from one sort per key column are those a key index finds, and workers change nothing."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from corpus_samples import articles, synthetic_versions
from samestory.corpus import bulk
from samestory.corpus.bulk import candidate_pairs, cluster_batch, key_matrix
from samestory.corpus.candidates import LSHIndex, is_key_term, lsh_keys
from samestory.corpus.cluster import Membership, order_key
from samestory.corpus.config import CorpusConfig
from samestory.corpus.features import DocFeatures, featurize_articles, featurize_text

CFG = CorpusConfig()


def _key(ms: list[Membership]) -> list[tuple[str, str, str | None, float]]:
    return [(m.article_id, m.story_id, m.matched_id, m.score) for m in ms]


@pytest.fixture(scope="module")
def docs() -> list[DocFeatures]:
    return featurize_articles(articles(synthetic_versions(80, seed=21)), CFG)


def test_verifying_in_worker_processes_gives_the_same_memberships(
    docs: list[DocFeatures], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bulk, "POOL_PAIRS", 1)  # the pool for any number of pairs
    monkeypatch.setattr(bulk, "_PAIRS_PER_JOB", 7)  # many jobs, so order across jobs matters
    alone = cluster_batch(docs, CFG)
    pooled = cluster_batch(docs, CFG, workers=2)
    assert _key(pooled) == _key(alone)
    assert [m.evidence for m in pooled] == [m.evidence for m in alone]


def test_evidence_survives_pickling(docs: list[DocFeatures]) -> None:
    import pickle

    evidence = [m.evidence for m in cluster_batch(docs, CFG) if m.evidence is not None]
    assert evidence and pickle.loads(pickle.dumps(evidence)) == evidence


@pytest.mark.parametrize(
    ("cap", "days", "undated"),
    [(256, 2.0, False), (2, 2.0, False), (2, 0.1, True), (3, 30.0, True), (2, 0.0, False)],
)
def test_candidates_are_the_earlier_documents_a_key_index_finds(
    docs: list[DocFeatures], monkeypatch: pytest.MonkeyPatch, cap: int, days: float, undated: bool
) -> None:
    # cap 2: most key terms are skipped as too frequent; days: the key-term window (0: none); undated: every
    # fifth document has no date (processed after the dated ones, seeing every earlier holder)
    cfg = replace(CFG, key_term_max_df=cap, key_term_days=days)
    if undated:
        docs = [replace(d, published=None) if k % 5 == 0 else d for k, d in enumerate(docs)]
    ordered = sorted(docs, key=order_key)
    keys = key_matrix(ordered, cfg)
    for i in (0, 7, len(ordered) - 1):
        assert keys.keys_of(i) == lsh_keys(ordered[i], cfg)
    monkeypatch.setattr(bulk, "_PAIR_CHUNK", 3)  # pairs materialised a few at a time give the same answer
    offsets, earlier, lsh, terms = candidate_pairs(keys, cfg)
    index = LSHIndex(cfg)
    any_terms = False
    for i, doc in enumerate(ordered):
        lo, hi = offsets[i], offsets[i + 1]
        got = {
            ordered[j].id: [int(a), int(b)]
            for j, a, b in zip(earlier[lo:hi], lsh[lo:hi], terms[lo:hi], strict=True)
        }
        assert got == index.shared(doc)
        own = lsh_keys(doc, cfg)
        for j in earlier[lo:hi]:
            common = set(own) & set(lsh_keys(ordered[j], cfg))
            assert got[ordered[j].id][0] == sum(not is_key_term(k) for k in common)
            any_terms |= got[ordered[j].id][1] > 0
        index.add(doc)
    assert any_terms


def test_documents_without_keys_found_their_own_stories() -> None:
    empty = [featurize_text(f"e{i}", "...", CFG) for i in range(3)]
    assert [m.story_id for m in cluster_batch(empty, CFG)] == ["e0", "e1", "e2"]
    assert all(not k for k in (key_matrix(empty, CFG).present.any(axis=1)))


def test_without_term_bands_only_shingle_keys_count(docs: list[DocFeatures]) -> None:
    cfg = replace(CFG, term_bands=0)
    assert key_matrix(docs, cfg).hashes.shape[1] == cfg.fingerprint.bands
    assert _key(cluster_batch(docs, cfg)) == _key(cluster_batch(docs, cfg))
    assert np.array_equal(key_matrix(docs, cfg).bands, np.arange(cfg.fingerprint.bands))
