"""Training on a small SemEval subset: grouped CV beats trivial baselines; the export reproduces scikit-learn."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from samestory.eval.semeval import SemevalPair, groups, load_semeval, pearson
from samestory.match.features import FEATURES, LEXICAL_FEATURES
from samestory.match.model import parse_weights
from samestory.match.train import cross_validate, feature_matrix, train_weights

pytest.importorskip("sklearn")


@pytest.fixture
def subset(semeval_csv: Path) -> list[SemevalPair]:
    return load_semeval(semeval_csv)[::8]  # 161 pairs spread over the file, augmentations included


@pytest.mark.data
def test_grouped_cv_beats_trivial_baselines(subset: list[SemevalPair]) -> None:
    x = feature_matrix(subset, None)
    lexical = [FEATURES.index(f) for f in LEXICAL_FEATURES]
    preds, folds = cross_validate(subset, x[:, lexical])
    gold = [p.scores["Overall"] for p in subset]
    model = pearson(gold, [p["Overall"] for p in preds[0.5]])
    length = abs(pearson(gold, list(x[:, FEATURES.index("length_ratio")])))
    assert model > 0.4
    assert model > length + 0.2
    # an original and its machine translations never straddle folds
    g = groups(subset)
    for i in range(len(subset)):
        for j in range(len(subset)):
            if g[i] == g[j]:
                assert folds[i] == folds[j]


@pytest.mark.data
def test_trained_weights_round_trip_through_json(subset: list[SemevalPair]) -> None:
    weights = train_weights(subset[:80], None, data="subset")
    parsed = parse_weights(json.loads(json.dumps(weights)))
    model = parsed.models["lexical"]
    x = feature_matrix(subset[:5], None)[:, [FEATURES.index(f) for f in model.features]]
    out = model.predict(x)
    assert ((out["overall"] >= 1) & (out["overall"] <= 4)).all()
    assert np.all((out["same_story_probability"] >= 0) & (out["same_story_probability"] <= 1))
    assert weights["models"]["lexical"]["cv"]["overall"]["n"] == 80
