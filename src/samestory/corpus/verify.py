"""Pair verification: is this pair the same story, how sure, what kind of version, and on what evidence.

The score is the larger of two readings:
- *reprint*: shared word n-grams (MinHash Jaccard, or containment of the shorter text in the longer);
- *rewrite*: a small logistic model over content-word cosine, name/number overlap and year agreement,
  fitted with cross-validation by ``benchmarks/corpus_fit.py`` (weights in ``pair_model.json``);
- *translation* (only across languages, when both sides carry embeddings): calibrated embedding cosine.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from types import MappingProxyType
from typing import Any

import numpy as np

from samestory.corpus.config import CorpusConfig
from samestory.corpus.features import DocFeatures

MIN_MATCHING_PERMS = 4  # containment from fewer equal MinHash values is noise for very unequal lengths
CROSS_LINGUAL_TERMS = (
    0.05  # below this content-word cosine, texts in unknown languages are treated as cross-lingual
)

#: the pair model's inputs: keys of `pair_details` plus ``tn`` (derived in `pair_vector`)
PAIR_FEATURES: tuple[str, ...] = (
    "terms_cosine",
    "names_overlap",
    "year_conflict",
    "year_match",
    "tn",
    "names_shared",
    "names_containment",
    "numbers_overlap",
    "numbers_both",
)

# used when pair_model.json is absent (same form as the fitted file)
_DEFAULT_MODEL: dict[str, Any] = {
    "features": list(PAIR_FEATURES),
    "coef": [14.92, 1.37, 0.41, 2.18, 6.39, 1.32, 4.11, -0.1, -1.74],
    "intercept": -6.6,
    "translation": {"low": 0.82, "high": 0.9},
}


@dataclass(frozen=True, slots=True)
class PairEvidence:
    """The verdict on one pair: ``score`` in [0, 1], ``same_story``, ``kind`` of version, and the measured
    ``details`` (``jaccard``, ``containment_ab`` = share of a's shingles found in b, ``containment_ba``,
    ``terms_cosine``, ``names_overlap``, ``names_shared`` (log1p of the shared name/number count),
    ``names_containment`` (shared share of the smaller name set), ``numbers_overlap`` / ``numbers_both`` (Jaccard
    of the non-year numbers, and whether both sides have any), ``year_match``, ``year_conflict``, ``cosine`` with
    embeddings).
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


@lru_cache(maxsize=1)
def pair_model() -> Mapping[str, Any]:
    """The fitted pair model (``pair_model.json`` beside this module), or built-in defaults."""
    try:
        text = resources.files("samestory.corpus").joinpath("pair_model.json").read_text(encoding="utf-8")
    except FileNotFoundError:
        return MappingProxyType(_DEFAULT_MODEL)
    return MappingProxyType(json.loads(text))


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
    inter = int(np.intersect1d(a.names, b.names, assume_unique=True).size)
    return inter / (int(a.names.size) + int(b.names.size) - inter)


def pair_details(a: DocFeatures, b: DocFeatures) -> dict[str, float]:
    """Every measured similarity of a pair (cheap ones always; ``cosine`` when both have embeddings)."""
    matches = int(np.count_nonzero(a.signature == b.signature)) if a.n_shingles and b.n_shingles else 0
    j = matches / max(1, int(a.signature.shape[0]))
    c_ab, c_ba = containment(a, b, j) if matches >= MIN_MATCHING_PERMS else (0.0, 0.0)
    shared_years = a.years.size and b.years.size and np.intersect1d(a.years, b.years).size
    shared_names = (
        int(np.intersect1d(a.names, b.names, assume_unique=True).size) if a.names.size and b.names.size else 0
    )
    smaller = min(int(a.names.size), int(b.names.size))
    both_numbers = bool(a.numbers.size and b.numbers.size)
    shared_numbers = int(np.intersect1d(a.numbers, b.numbers, assume_unique=True).size) if both_numbers else 0
    details = {
        "jaccard": j,
        "containment_ab": c_ab,
        "containment_ba": c_ba,
        "terms_cosine": terms_cosine(a, b),
        "names_overlap": names_overlap(a, b),
        "names_shared": math.log1p(shared_names),
        "names_containment": shared_names / smaller if smaller else 0.0,
        "numbers_overlap": (
            shared_numbers / (int(a.numbers.size) + int(b.numbers.size) - shared_numbers)
            if both_numbers
            else 0.0
        ),
        "numbers_both": 1.0 if both_numbers else 0.0,
        "year_match": 1.0 if shared_years else 0.0,
        "year_conflict": 1.0 if (a.years.size and b.years.size and not shared_years) else 0.0,
    }
    if a.embedding is not None and b.embedding is not None:
        details["cosine"] = float(np.dot(a.embedding, b.embedding))
    return details


def _cross_lingual(a: DocFeatures, b: DocFeatures, details: Mapping[str, float]) -> bool:
    known = a.lang not in ("", "und") and b.lang not in ("", "und")
    if known:
        return a.lang.split("-")[0] != b.lang.split("-")[0]
    return details["terms_cosine"] < CROSS_LINGUAL_TERMS


def pair_vector(details: Mapping[str, float], features: Sequence[str] = PAIR_FEATURES) -> list[float]:
    """The model inputs named by ``features``, in order: ``details`` values, the derived ``tn`` (geometric mean
    of content-word cosine and name overlap), and 0.0 for a name neither provides."""
    derived = {"tn": math.sqrt(max(0.0, details["terms_cosine"] * details["names_overlap"]))}
    return [float(details.get(name, derived.get(name, 0.0))) for name in features]


def rewrite_probability(details: Mapping[str, float], model: Mapping[str, Any] | None = None) -> float:
    """The logistic model's probability that a pair with these details tells the same story."""
    model = model or pair_model()
    x = pair_vector(details, model["features"])
    z = float(model["intercept"]) + sum(float(w) * v for w, v in zip(model["coef"], x, strict=True))
    return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, z))))


def score_details(
    details: Mapping[str, float], cross_lingual: bool = False, model: Mapping[str, Any] | None = None
) -> tuple[float, str]:
    """Combine measured similarities into one score in [0, 1] and the kind of version it indicates."""
    model = model or pair_model()
    options = {
        "reprint": max(details["jaccard"], 0.9 * max(details["containment_ab"], details["containment_ba"])),
        "rewrite": rewrite_probability(details, model),
    }
    if "cosine" in details and cross_lingual:
        lo, hi = float(model["translation"]["low"]), float(model["translation"]["high"])
        options["translation"] = float(np.clip((details["cosine"] - lo) / (hi - lo), 0.0, 1.0))
    kind = max(options, key=lambda k: (options[k], k))
    return float(min(1.0, options[kind])), kind


def verify(a: DocFeatures, b: DocFeatures, cfg: CorpusConfig) -> PairEvidence:
    """Decide whether ``a`` and ``b`` are versions of the same story, with the evidence."""
    details = pair_details(a, b)
    score, kind = score_details(details, _cross_lingual(a, b, details), cfg.pair_model)
    return PairEvidence(score, score >= cfg.match_threshold, kind, MappingProxyType(details))
