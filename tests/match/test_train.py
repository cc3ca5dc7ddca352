"""Training on a small SemEval subset: grouped CV beats trivial baselines; the export reproduces scikit-learn."""

from __future__ import annotations

import json
import zlib
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt
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


class _HashEncoder:
    """A deterministic toy encoder (bag of hashed words), so that the encoder path trains without a model."""

    name = "toy-hash"
    dim = 32

    def encode(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, text in enumerate(texts):
            for word in text.lower().split():
                out[i, zlib.crc32(word.encode()) % self.dim] += 1.0
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.where(norms > 0, norms, 1.0)


@pytest.mark.data
def test_encoder_model_uses_lead_products_and_round_trips(subset: list[SemevalPair]) -> None:
    enc = _HashEncoder()
    weights = train_weights(subset[:80], enc, data="subset", fast_views=())
    model = parse_weights(json.loads(json.dumps(weights))).models[enc.name]
    assert model.product > 0 and model.product_dim == enc.dim
    x_all = feature_matrix(subset[80:90], enc, ("head", "body"))
    assert x_all.shape == (10, len(FEATURES) + 2 * enc.dim)  # lead product, then |a - b|
    x = x_all[:, [FEATURES.index(f) for f in model.features]]
    with_product = model.predict(x, x_all[:, len(FEATURES) :])["overall"]
    without = model.predict(x)["overall"]
    assert ((with_product >= 1) & (with_product <= 4)).all()
    if model.blend < 1:  # the products reach the prediction through the ridge part of the blend
        assert not np.allclose(with_product, without)


@pytest.mark.data
def test_products_come_from_the_views_the_model_embeds(subset: list[SemevalPair]) -> None:
    # the fast model is trained on lead vectors made of the head alone, as it sees them at inference
    from samestory.ingest.build import from_text
    from samestory.match.train import DIFF_SCALE
    from samestory.match.views import views

    enc = _HashEncoder()
    pairs = subset[:6]
    x = feature_matrix(pairs, enc, ("head",))
    for row, p in zip(x, pairs, strict=True):
        a, b = (
            views(from_text(t, lang=lang or None), ("head",))["head"]
            for t, lang in ((p.text1, p.lang1), (p.text2, p.lang2))
        )
        va, vb = enc.encode([a])[0].astype(np.float64), enc.encode([b])[0].astype(np.float64)
        extra = row[len(FEATURES) :]
        assert np.allclose(extra[: enc.dim], va * vb)
        assert np.allclose(extra[enc.dim :], DIFF_SCALE * np.abs(va - vb))
