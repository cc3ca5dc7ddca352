"""Pair verification: is this pair the same story, how sure, what kind of version, and on what evidence.

The score is the larger of two readings:
- *reprint*: shared word n-grams (MinHash Jaccard, or containment of the shorter text in the longer);
- *rewrite*: a small logistic model over content-word cosine, name/number overlap (also weighted by how often
  each text repeats a name), year agreement and event cues (days, numbers with units: `corpus.cues`),
  fitted with cross-validation by ``samestory train pair-model`` (`samestory.corpus.fit`; weights in
  ``pair_model.json``);
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
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from samestory.corpus.config import CorpusConfig
from samestory.corpus.cues import compare_cues
from samestory.corpus.features import DocFeatures
from samestory.errors import DataError

if TYPE_CHECKING:
    from samestory.corpus.cascade import SimilarityStage

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
    "names_cosine",
    "top_names",
    "date_match",
    "date_conflict",
    "quantity_agree",
    "quantity_conflict",
)


@dataclass(frozen=True, slots=True)
class PairEvidence:
    """The verdict on one pair: ``score`` in [0, 1], ``same_story``, ``kind`` of version, and the measured
    ``details`` (``jaccard``, ``containment_ab`` = share of a's shingles found in b, ``containment_ba``,
    ``terms_cosine``, ``names_overlap``, ``names_shared`` (log1p of the shared name/number count),
    ``names_containment`` (shared share of the smaller name set), ``names_both`` (whether both sides have
    any), ``names_cosine`` / ``top_names`` (`names_cosine`, `top_names`), ``date_match`` / ``date_conflict`` /
    ``quantity_agree`` / ``quantity_conflict`` (`cues.compare_cues`), ``numbers_overlap`` / ``numbers_both`` (Jaccard
    of the non-year numbers, and whether both sides have any), ``year_match``, ``year_conflict``, ``cosine`` with
    embeddings).
    """

    score: float
    same_story: bool
    kind: str
    details: Mapping[str, float] = field(default_factory=lambda: MappingProxyType({}))

    def __reduce__(self) -> tuple[Any, ...]:
        # pickled as a plain dict (a worker process sends evidence back; a mappingproxy cannot be pickled)
        return (_unpickle_evidence, (self.score, self.same_story, self.kind, dict(self.details)))

    def to_dict(self) -> dict[str, Any]:
        return {
            "score": round(self.score, 4),
            "same_story": self.same_story,
            "kind": self.kind,
            "details": {k: round(v, 4) for k, v in sorted(self.details.items())},
        }


def _unpickle_evidence(score: float, same_story: bool, kind: str, details: dict[str, float]) -> PairEvidence:
    return PairEvidence(score, same_story, kind, MappingProxyType(details))


@lru_cache(maxsize=1)
def pair_model() -> Mapping[str, Any]:
    """The fitted pair model (``pair_model.json`` beside this module, written by ``samestory train pair-model``).

    Raises `DataError` when it is missing or unreadable: the thresholds are fitted with it, and no other
    weights may silently take its place.
    """
    name = "pair_model.json"
    try:
        text = resources.files("samestory.corpus").joinpath(name).read_text(encoding="utf-8")
        model = json.loads(text)
        if list(model["features"]) != list(PAIR_FEATURES) or len(model["coef"]) != len(PAIR_FEATURES):
            raise ValueError(f"expected the features {list(PAIR_FEATURES)}")
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise DataError(
            f"samestory/corpus/{name}: the corpus pair model cannot be read ({exc}); reinstall samestory, "
            "or refit it with `samestory train pair-model --data FILE --out PATH` (see its --help)"
        ) from None
    return MappingProxyType(model)


def containment(a: DocFeatures, b: DocFeatures, jaccard: float) -> tuple[float, float]:
    """Estimated shares of a's and b's shingles that the other contains, from Jaccard and set sizes."""
    na, nb = a.n_shingles, b.n_shingles
    if na == 0 or nb == 0:
        return 0.0, 0.0
    inter = jaccard * (na + nb) / (1.0 + jaccard)
    return min(1.0, inter / na), min(1.0, inter / nb)


def common(
    a: npt.NDArray[np.uint32], b: npt.NDArray[np.uint32]
) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.intp]]:
    """Where the values two sorted, duplicate-free arrays share sit in each, in ascending order of value (what
    ``np.intersect1d(..., return_indices=True)`` gives, with a binary search instead of a sort: called for
    every pair)."""
    if a.size == 0 or b.size == 0:
        empty = np.zeros(0, dtype=np.intp)
        return empty, empty
    pos = np.minimum(np.searchsorted(b, a), b.size - 1)
    hit = b[pos] == a
    return np.flatnonzero(hit), pos[hit]


def terms_cosine(a: DocFeatures, b: DocFeatures) -> float:
    """Cosine of the weighted content-word vectors."""
    if a.terms.size == 0 or b.terms.size == 0:
        return 0.0
    ia, ib = common(a.terms, b.terms)
    return float(np.dot(a.weights[ia], b.weights[ib]))


def names_overlap(a: DocFeatures, b: DocFeatures) -> float:
    """Jaccard of the name/number sets."""
    if a.names.size == 0 or b.names.size == 0:
        return 0.0
    inter = int(common(a.names, b.names)[0].size)
    return inter / (int(a.names.size) + int(b.names.size) - inter)


TOP_NAMES = 3  # a text's main actors: its most repeated names


def names_cosine(a: DocFeatures, b: DocFeatures) -> float:
    """Cosine of the ``1 + log count`` name vectors (0.0 when either side lacks weights)."""
    if a.name_weights.size == 0 or b.name_weights.size == 0:
        return 0.0
    ia, ib = common(a.names, b.names)
    return float(np.dot(a.name_weights[ia], b.name_weights[ib]))


def _top(doc: DocFeatures) -> npt.NDArray[np.uint32]:
    order = np.lexsort((doc.names, -doc.name_weights))[:TOP_NAMES]
    return doc.names[order]


def top_names(a: DocFeatures, b: DocFeatures) -> float:
    """The smaller of the two shares of one text's `TOP_NAMES` most repeated names found in the other."""
    if a.name_weights.size == 0 or b.name_weights.size == 0:
        return 0.0
    ta, tb = _top(a), _top(b)
    return min(float(np.isin(ta, b.names).mean()), float(np.isin(tb, a.names).mean()))


def _matches(a: DocFeatures, b: DocFeatures) -> int:
    return int(np.count_nonzero(a.signature == b.signature)) if a.n_shingles and b.n_shingles else 0


def shingle_jaccard(a: DocFeatures, b: DocFeatures) -> float:
    """MinHash estimate of the Jaccard similarity of the two word n-gram shingle sets."""
    return _matches(a, b) / max(1, int(a.signature.shape[0]))


def _top_share(
    names: npt.NDArray[np.uint32], weights: npt.NDArray[np.float32], found: npt.NDArray[np.bool_]
) -> float:
    # share of the `TOP_NAMES` most repeated names (ties by hash, as `_top`) that are ``found`` in the other text
    order = np.lexsort((names, -weights))[:TOP_NAMES]
    return float(found[order].mean())


def pair_details(a: DocFeatures, b: DocFeatures) -> dict[str, float]:
    """Every measured similarity of a pair (cheap ones always; ``cosine`` when both have embeddings).

    Called for every candidate pair, so the name measures share one intersection (the same values as
    `names_overlap`, `names_cosine` and `top_names`)."""
    matches = _matches(a, b)
    j = matches / max(1, int(a.signature.shape[0]))
    c_ab, c_ba = containment(a, b, j) if matches >= MIN_MATCHING_PERMS else (0.0, 0.0)
    shared_years = bool(
        a.years.size and b.years.size and set(a.years.tolist()).intersection(b.years.tolist())
    )
    n_a, n_b = int(a.names.size), int(b.names.size)
    shared_names = 0
    overlap = cosine = top = 0.0
    if n_a and n_b:
        ia, ib = common(a.names, b.names)
        shared_names = int(ia.size)
        overlap = shared_names / (n_a + n_b - shared_names)
        if a.name_weights.size and b.name_weights.size:
            cosine = float(np.dot(a.name_weights[ia], b.name_weights[ib]))
            in_b = np.zeros(n_a, dtype=np.bool_)
            in_b[ia] = True
            in_a = np.zeros(n_b, dtype=np.bool_)
            in_a[ib] = True
            top = min(_top_share(a.names, a.name_weights, in_b), _top_share(b.names, b.name_weights, in_a))
    smaller = min(n_a, n_b)
    both_numbers = bool(a.numbers.size and b.numbers.size)
    shared_numbers = int(common(a.numbers, b.numbers)[0].size) if both_numbers else 0
    details = {
        "jaccard": j,
        "containment_ab": c_ab,
        "containment_ba": c_ba,
        "terms_cosine": terms_cosine(a, b),
        "names_overlap": overlap,
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
        "names_both": 1.0 if n_a and n_b else 0.0,
        "names_cosine": cosine,
        "top_names": top,
        **compare_cues(a.cues, b.cues),
    }
    if a.embedding is not None and b.embedding is not None:
        details["cosine"] = float(np.dot(a.embedding, b.embedding))
    return details


def cross_lingual(a: DocFeatures, b: DocFeatures, details: Mapping[str, float]) -> bool:
    """Whether ``a`` and ``b`` are in different languages (by their codes; unknown codes: by a near-zero
    content-word cosine)."""
    known = a.lang not in ("", "und") and b.lang not in ("", "und")
    if known:
        return a.lang.split("-")[0] != b.lang.split("-")[0]
    return details["terms_cosine"] < CROSS_LINGUAL_TERMS


def informative(a: DocFeatures, b: DocFeatures, ev: PairEvidence) -> bool:
    """Whether ``ev`` says anything about ``a`` and ``b``: not a *failed* lexical match across two known,
    different languages (no shared words is no evidence there; shared word runs still are). With unknown
    languages a near-zero word overlap is far more often two unrelated texts than a translation, so it counts."""
    return "cosine" in ev.details or ev.same_story or not known_languages_differ(a, b)


def known_languages_differ(a: DocFeatures, b: DocFeatures) -> bool:
    """Whether both language codes are known and name different languages."""
    if a.lang in ("", "und") or b.lang in ("", "und"):
        return False
    return a.lang.split("-")[0] != b.lang.split("-")[0]


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


#: content-word cosine below which a pair is no rewrite: the pairs the rewrite model was fitted on (candidates
#: of an exhaustive term index) all had at least this much vocabulary in common
REWRITE_MIN_COSINE = 0.2


def reprint_score(details: Mapping[str, float]) -> float:
    """How much of one text the other repeats word for word: the shingle Jaccard, or 0.9 x the larger
    containment (a truncated copy is contained in its original)."""
    return max(details["jaccard"], 0.9 * max(details["containment_ab"], details["containment_ba"]))


def describe(kind: str, details: Mapping[str, float]) -> str:
    """The evidence of a pair in words, e.g. "rewrite: shares 52% of the names, 2% of the word runs, 61%
    vocabulary cosine; dates agree" (the figures themselves are in `PairEvidence.to_dict`)."""
    parts: list[str] = []
    runs = max(details.get("containment_ab", 0.0), details.get("containment_ba", 0.0))
    if kind == "translation" and "cosine" in details:
        parts.append(f"embedding cosine {details['cosine']:.2f} across languages")
    if details.get("names_both"):
        parts.append(f"shares {details.get('names_overlap', 0.0):.0%} of the names")
    parts.append(f"{runs:.0%} of the word runs" if parts else f"shares {runs:.0%} of the word runs")
    if "terms_cosine" in details:
        parts.append(f"vocabulary cosine {details['terms_cosine']:.2f}")
    if kind != "translation" and "cosine" in details:
        parts.append(f"embedding cosine {details['cosine']:.2f}")
    cues = []
    if details.get("date_conflict") or details.get("year_conflict"):
        cues.append("dates conflict")
    elif details.get("date_match") or details.get("year_match"):
        cues.append("dates agree")
    if details.get("quantity_conflict"):
        cues.append("figures conflict")
    elif details.get("quantity_agree"):
        cues.append("figures agree")
    return f"{kind}: " + ", ".join(parts) + (f"; {', '.join(cues)}" if cues else "")


def score_details(
    details: Mapping[str, float],
    cross_lingual: bool = False,
    model: Mapping[str, Any] | None = None,
    *,
    rewrite: float | None = None,
) -> tuple[float, str]:
    """Combine measured similarities into one score in [0, 1] and the kind of version it indicates
    (``rewrite``: the rewrite probability when already computed)."""
    model = model or pair_model()
    options = {
        "reprint": reprint_score(details),
        "rewrite": rewrite_probability(details, model) if rewrite is None else rewrite,
    }
    if details["terms_cosine"] < REWRITE_MIN_COSINE:
        # the rewrite model was fitted on pairs that share vocabulary; below that it says nothing
        options["rewrite"] = min(options["rewrite"], details["terms_cosine"])
    if "cosine" in details and cross_lingual:
        lo, hi = float(model["translation"]["low"]), float(model["translation"]["high"])
        options["translation"] = float(np.clip((details["cosine"] - lo) / (hi - lo), 0.0, 1.0))
    kind = max(options, key=lambda k: (options[k], k))
    return float(min(1.0, options[kind])), kind


def verify(
    a: DocFeatures, b: DocFeatures, cfg: CorpusConfig, stage: SimilarityStage | None = None
) -> PairEvidence:
    """Decide whether ``a`` and ``b`` are versions of the same story, with the evidence; with a similarity
    ``stage``, the similarity model decides the pairs the cheap rewrite model is unsure about."""
    details = pair_details(a, b)
    cross = cross_lingual(a, b, details)
    model = cfg.pair_model or pair_model()
    rewrite = rewrite_probability(details, model)
    if stage is not None and not cross:
        rewrite = stage.refine(a.id, b.id, details, rewrite)
    score, kind = score_details(details, cross, model, rewrite=rewrite)
    return PairEvidence(score, score >= cfg.match_threshold, kind, MappingProxyType(details))
