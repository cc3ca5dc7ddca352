"""The similarity-model stage: only uncertain pairs reach the similarity model; outside the band it changes
nothing; a pair it scores carries the five predictions as evidence."""

from __future__ import annotations

from samestory.corpus.cascade import SIMILARITY_FEATURES, SimilarityStage
from samestory.corpus.config import CorpusConfig
from samestory.corpus.features import featurize
from samestory.corpus.verify import PAIR_FEATURES, rewrite_probability, verify
from samestory.ingest import from_text

CFG = CorpusConfig()
A = "Ten people were killed on Sunday when an earthquake of magnitude 6.1 hit Qeshm island off Iran's coast."
B = "An earthquake of magnitude 6.1 struck Qeshm island on Sunday, killing ten people, Iranian media said."
C = "The central bank raised interest rates by half a point on Thursday, citing inflation in services."


def _stage(low: float, high: float) -> tuple[SimilarityStage, list]:
    arts = [from_text(t, id=i, lang="en") for i, t in (("a", A), ("b", B), ("c", C))]
    # weights that ignore the cheap features and say "different" whatever the predictions: easy to observe
    features = [*PAIR_FEATURES, *SIMILARITY_FEATURES]
    weights = {
        "features": features,
        "coef": [0.0] * len(features),
        "intercept": -5.0,
        "low": low,
        "high": high,
    }
    stage = SimilarityStage.prepare(arts, None, weights)
    return stage, [featurize(a, CFG) for a in arts]


def test_pairs_inside_the_band_are_decided_by_the_second_model() -> None:
    stage, (a, b, _) = _stage(0.0, 1.0)
    ev = verify(a, b, CFG, stage)
    assert stage.calls == 1
    assert set(SIMILARITY_FEATURES) <= set(ev.details)
    assert 1.0 <= ev.details["sim_overall"] <= 4.0
    assert ev.details["sim_overall"] < stage.predictions("a", "c")["sim_overall"]  # type: ignore[index]


def test_pairs_outside_the_band_never_reach_the_similarity_model() -> None:
    stage, (a, b, c) = _stage(0.4, 0.6)
    p_ab = rewrite_probability(dict(verify(a, b, CFG).details))
    p_ac = rewrite_probability(dict(verify(a, c, CFG).details))
    assert not 0.4 <= p_ab <= 0.6 and not 0.4 <= p_ac <= 0.6  # the staged pairs are outside the band
    assert verify(a, b, CFG, stage).score == verify(a, b, CFG).score
    assert verify(a, c, CFG, stage).score == verify(a, c, CFG).score
    assert stage.calls == 0
