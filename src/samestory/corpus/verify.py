"""Pair verification: is this pair the same story, how sure, what kind of version, and on what evidence."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import numpy as np

from samestory.corpus.config import CorpusConfig
from samestory.corpus.features import DocFeatures
from samestory.fingerprint import jaccard_estimate


@dataclass(frozen=True, slots=True)
class PairEvidence:
    """The verdict on one pair: ``score`` in [0, 1], ``same_story``, ``kind`` of version, and the measured
    ``details`` (``jaccard``, ``containment_ab`` = share of a's shingles found in b, ``containment_ba``,
    ``terms_cosine``, ``names_overlap``, ``cosine`` when both have embeddings).
    """

    score: float
    same_story: bool
    kind: str
    details: Mapping[str, float] = field(default_factory=lambda: MappingProxyType({}))

    def to_dict(self) -> dict[str, Any]:
        return {
            "score": round(self.score, 4),
            "same_story": self.same_story,
            "kind": self.kind,
            "details": {k: round(v, 4) for k, v in sorted(self.details.items())},
        }


def containment(a: DocFeatures, b: DocFeatures, jaccard: float) -> tuple[float, float]:
    """Estimated shares of a's and b's shingles that the other contains, from Jaccard and set sizes."""
    na, nb = a.n_shingles, b.n_shingles
    if na == 0 or nb == 0:
        return 0.0, 0.0
    inter = jaccard * (na + nb) / (1.0 + jaccard)
    return min(1.0, inter / na), min(1.0, inter / nb)


def terms_cosine(a: DocFeatures, b: DocFeatures) -> float:
    """Cosine of the weighted content-word vectors."""
    if a.terms.size == 0 or b.terms.size == 0:
        return 0.0
    _, ia, ib = np.intersect1d(a.terms, b.terms, assume_unique=True, return_indices=True)
    return float(np.dot(a.weights[ia], b.weights[ib]))


def names_overlap(a: DocFeatures, b: DocFeatures) -> float:
    """Jaccard of the name/number sets."""
    if a.names.size == 0 or b.names.size == 0:
        return 0.0
    inter = np.intersect1d(a.names, b.names, assume_unique=True).size
    return inter / (a.names.size + b.names.size - inter)


def pair_details(a: DocFeatures, b: DocFeatures) -> dict[str, float]:
    """Every measured similarity of a pair (cheap ones always; ``cosine`` when both have embeddings)."""
    j = jaccard_estimate(a.signature, b.signature) if a.n_shingles and b.n_shingles else 0.0
    c_ab, c_ba = containment(a, b, j)
    details = {
        "jaccard": j,
        "containment_ab": c_ab,
        "containment_ba": c_ba,
        "terms_cosine": terms_cosine(a, b),
        "names_overlap": names_overlap(a, b),
    }
    if a.embedding is not None and b.embedding is not None:
        details["cosine"] = float(np.dot(a.embedding, b.embedding))
    return details


def score_details(details: Mapping[str, float]) -> tuple[float, str]:
    """Combine measured similarities into one score in [0, 1] and the kind of version it indicates."""
    reprint = max(details["jaccard"], min(details["containment_ab"], details["containment_ba"]) * 0 + 0.0)
    reprint = max(reprint, max(details["containment_ab"], details["containment_ba"]) * 0.9)
    rewrite = details["terms_cosine"] * (0.6 + 0.8 * details["names_overlap"])
    options = {"reprint": reprint, "rewrite": min(1.0, rewrite)}
    if "cosine" in details:
        options["translation"] = float(np.clip((details["cosine"] - 0.80) / 0.10, 0.0, 1.0))
    kind = max(options, key=lambda k: (options[k], k))
    return float(min(1.0, options[kind])), kind


def verify(a: DocFeatures, b: DocFeatures, cfg: CorpusConfig) -> PairEvidence:
    """Decide whether ``a`` and ``b`` are versions of the same story, with the evidence."""
    details = pair_details(a, b)
    score, kind = score_details(details)
    return PairEvidence(score, score >= cfg.match_threshold, kind, MappingProxyType(details))
