"""The similarity-model stage of corpus verification (opt-in: ``cluster_batch(..., similarity=stage)``).

The cheap verifier (`corpus.verify`) scores every candidate pair in ~0.02 ms. A pair whose rewrite
probability falls in the uncertain band ``[low, high]`` is passed to the graded similarity model
(`samestory.match`, trained on SemEval-2022 Task 8: Overall, Geography, Entities, Time, Narrative), and a
second logistic model over the cheap features plus those five predictions decides it. Both models are fitted
by ``benchmarks/corpus_fit.py --similarity ...`` with the same folds as the pair model (ECB+ topic / WMT
document); the weights are kept in ``pair_model.json`` under ``similarity``.

The stage needs each article's `match.signals.Signals` (words, stems, character n-grams, names, numbers
and, with an encoder, the embedded views), which are built from the text. A store keeps only `DocFeatures`,
so the persistent `Index` does not run this stage; it is for batch clustering and evaluation
(``samestory eval clusters --similarity lexical``). Measured figures and cost: docs/benchmarks.md.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from samestory.corpus.verify import pair_model, pair_vector
from samestory.errors import ModelError

if TYPE_CHECKING:
    from samestory.article import Article
    from samestory.embed.base import Encoder
    from samestory.match.model import PairModel
    from samestory.match.signals import Signals

#: the similarity model's predictions added to the pair details (1 = very similar ... 4 = very dissimilar)
SIMILARITY_FEATURES: tuple[str, ...] = (
    "sim_overall",
    "sim_geography",
    "sim_entities",
    "sim_time",
    "sim_narrative",
)


@dataclass
class SimilarityStage:
    """Prepared articles (by id) and the models of the stage; ``calls`` counts the pairs it scored."""

    signals: dict[str, Signals]
    model: PairModel
    weights: Mapping[str, Any] | None = None
    calls: int = 0
    _cache: dict[tuple[str, str], dict[str, float]] = field(default_factory=dict)

    @classmethod
    def prepare(
        cls,
        articles: Sequence[Article],
        encoder: Encoder | str | None = None,
        weights: Mapping[str, Any] | None = None,
    ) -> SimilarityStage:
        """Signals of ``articles`` for the similarity model of ``encoder`` (lexical when ``None``) and the
        stage weights (``weights``; default: those fitted for that model in ``pair_model.json``, if any)."""
        from samestory.match.score import choose_model, prepare, resolve_encoder

        enc = resolve_encoder(encoder)
        model, _ = choose_model(enc)
        signals = prepare(articles, enc)
        if weights is None:
            weights = pair_model().get("similarity", {}).get(model.name)
        return cls({a.id: s for a, s in zip(articles, signals, strict=True)}, model, weights)

    def predictions(self, a_id: str, b_id: str) -> dict[str, float] | None:
        """The five predictions for a pair of prepared articles (``None`` when either is unknown); cached."""
        key = (a_id, b_id) if a_id <= b_id else (b_id, a_id)
        got = self._cache.get(key)
        if got is not None:
            return got
        sa, sb = self.signals.get(key[0]), self.signals.get(key[1])
        if sa is None or sb is None:
            return None
        from samestory.match.features import lead_product, pair_features
        from samestory.match.score import predict_features

        x = pair_features(sa, sb)
        product = lead_product(sa, sb, self.model.product_dim) if self.model.product > 0 else None
        pred = predict_features(x, self.model, product)
        got = {
            f"sim_{t}": float(pred[t][0]) for t in ("overall", "geography", "entities", "time", "narrative")
        }
        self.calls += 1
        self._cache[key] = got
        return got

    def refine(self, a_id: str, b_id: str, details: dict[str, float], probability: float) -> float:
        """The stage's probability for a pair whose cheap rewrite probability is ``probability``: unchanged
        outside the uncertain band; inside it, the second model's (``details`` gain the predictions)."""
        w = self.weights
        if w is None:
            raise ModelError(
                f"no similarity-stage weights for model {self.model.name!r}; fit them with "
                "`python benchmarks/corpus_fit.py --similarity ... --write`"
            )
        if not float(w["low"]) <= probability <= float(w["high"]):
            return probability
        pred = self.predictions(a_id, b_id)
        if pred is None:
            return probability
        details.update(pred)
        x = pair_vector(details, w["features"])
        z = float(w["intercept"]) + float(np.dot(np.asarray(w["coef"], dtype=np.float64), x))
        return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, z))))


__all__ = ["SIMILARITY_FEATURES", "SimilarityStage"]
