"""Candidate search: LSH finds reprints and forgets removed documents; embedding search finds neighbours."""

from __future__ import annotations

import numpy as np
import pytest

from samestory.corpus.candidates import EmbeddingIndex, LSHIndex, TermIndex
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


def test_term_index_scores_shared_vocabulary(sentences_a: list[str]) -> None:
    rewrite = featurize_text("w", " ".join(reversed(sentences_a)), CFG)
    index = TermIndex()
    index.add(featurize_text("o", " ".join(sentences_a), CFG))
    index.add(featurize_text("x", OTHER, CFG))
    hits = dict(index.query(rewrite, 0.3))
    assert set(hits) == {"o"} and hits["o"] == pytest.approx(1.0, abs=1e-5)


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
