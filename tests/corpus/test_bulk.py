"""The bulk engine (candidates from one sort per band) gives exactly the memberships of the online engine."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from corpus_samples import articles, synthetic_versions
from samestory.corpus import bulk
from samestory.corpus.bulk import candidate_pairs, cluster_bulk, key_matrix
from samestory.corpus.candidates import LSHIndex, lsh_keys
from samestory.corpus.cluster import Membership, cluster_batch, order_key
from samestory.corpus.config import CorpusConfig
from samestory.corpus.features import DocFeatures, featurize_articles, featurize_text

CFG = CorpusConfig(exhaustive_below=0)  # the batch engine with LSH candidates only


def _key(ms: list[Membership]) -> list[tuple[str, str, str | None, float]]:
    return [(m.article_id, m.story_id, m.matched_id, m.score) for m in ms]


@pytest.fixture(scope="module")
def docs() -> list[DocFeatures]:
    return featurize_articles(articles(synthetic_versions(80, seed=21)), CFG)


def test_bulk_equals_cluster_batch_on_synthetic_versions(docs: list[DocFeatures]) -> None:
    assert _key(cluster_bulk(docs, CFG)) == _key(cluster_batch(docs, CFG))


def test_bulk_equals_cluster_batch_on_ecb_events(ecb_jsonl: Path) -> None:
    rows = [json.loads(line) for line in ecb_jsonl.read_text(encoding="utf-8").splitlines() if line.strip()]
    docs = [featurize_text(r["id"], r["text"], CFG) for r in rows[:250]]
    assert _key(cluster_bulk(docs, CFG)) == _key(cluster_batch(docs, CFG))


def test_verifying_in_worker_processes_gives_the_same_memberships(
    docs: list[DocFeatures], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bulk, "POOL_PAIRS", 1)  # the pool for any number of pairs
    monkeypatch.setattr(bulk, "_PAIRS_PER_JOB", 7)  # many jobs, so order across jobs matters
    alone = cluster_bulk(docs, CFG)
    pooled = cluster_bulk(docs, CFG, workers=2)
    assert _key(pooled) == _key(alone)
    assert [m.evidence for m in pooled] == [m.evidence for m in alone]


def test_evidence_survives_pickling(docs: list[DocFeatures]) -> None:
    import pickle

    evidence = [m.evidence for m in cluster_bulk(docs, CFG) if m.evidence is not None]
    assert evidence and pickle.loads(pickle.dumps(evidence)) == evidence


def test_candidates_are_the_earlier_documents_sharing_a_key(
    docs: list[DocFeatures], monkeypatch: pytest.MonkeyPatch
) -> None:
    ordered = sorted(docs, key=order_key)
    keys = key_matrix(ordered, CFG)
    for i in (0, 7, len(ordered) - 1):
        assert keys.keys_of(i) == lsh_keys(ordered[i], CFG)
    monkeypatch.setattr(bulk, "_PAIR_CHUNK", 3)  # pairs materialised a few at a time give the same answer
    offsets, earlier, shared = candidate_pairs(keys)
    index = LSHIndex(CFG)
    for i, doc in enumerate(ordered):
        got = [ordered[j].id for j in earlier[offsets[i] : offsets[i + 1]]]
        assert sorted(got) == sorted(index.query(doc))
        for j, count in zip(
            earlier[offsets[i] : offsets[i + 1]], shared[offsets[i] : offsets[i + 1]], strict=True
        ):
            assert count == len(set(lsh_keys(doc, CFG)) & set(lsh_keys(ordered[j], CFG)))
        index.add(doc)


def test_documents_without_keys_found_their_own_stories() -> None:
    empty = [featurize_text(f"e{i}", "...", CFG) for i in range(3)]
    assert [m.story_id for m in cluster_bulk(empty, CFG)] == ["e0", "e1", "e2"]
    assert all(not k for k in (key_matrix(empty, CFG).present.any(axis=1)))


def test_without_term_bands_only_shingle_keys_count(docs: list[DocFeatures]) -> None:
    cfg = replace(CFG, term_bands=0)
    assert key_matrix(docs, cfg).hashes.shape[1] == cfg.fingerprint.bands
    assert _key(cluster_bulk(docs, cfg)) == _key(cluster_batch(docs, cfg))
    assert np.array_equal(key_matrix(docs, cfg).bands, np.arange(cfg.fingerprint.bands))
