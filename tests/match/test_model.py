"""The numpy tree ensemble (all trees walked at once) agrees with a plain walk of each tree, node by node."""

from __future__ import annotations

from typing import Any

import numpy as np

from samestory.match.model import LEXICAL_MODEL, TARGETS, load_weights, parse_model


def _walk(tree: dict[str, Any], row: np.ndarray) -> float:
    node = 0
    while tree["left"][node] >= 0:
        f = tree["feature"][node]
        node = tree["left"][node] if np.float32(row[f]) <= tree["threshold"][node] else tree["right"][node]
    return float(tree["value"][node])


def test_vectorised_trees_match_a_walk_of_each_tree() -> None:
    # a small hand-made ensemble: trees of different depths, one a lone leaf
    ensemble = {
        "init": 2.5,
        "rate": 0.1,
        "trees": [
            {"feature": [0, -2, 1, -2, -2], "threshold": [0.5, -2, 0.25, -2, -2],
             "left": [1, -1, 3, -1, -1], "right": [2, -1, 4, -1, -1], "value": [0, -1.0, 0, 2.0, 3.0]},
            {"feature": [-2], "threshold": [-2], "left": [-1], "right": [-1], "value": [0.7]},
            {"feature": [1, -2, -2], "threshold": [0.0, -2, -2],
             "left": [1, -1, -1], "right": [2, -1, -1], "value": [0, 5.0, -5.0]},
        ],
    }  # fmt: skip
    d = {
        "features": ["f0", "f1"],
        "mean": [0.0, 0.0],
        "scale": [1.0, 1.0],
        "trees": {t: ensemble for t in TARGETS},
        "ridge": {t: {"coef": [0.0, 0.0], "intercept": 2.5} for t in TARGETS},
        "blend": 1.0,
        "same_story": {"coef": [-1.0], "intercept": 2.5},
        "threshold": 2.5,
    }
    model = parse_model("toy", d)
    x = np.random.default_rng(0).uniform(-1, 1, size=(50, 2))
    expected = [2.5 + 0.1 * sum(_walk(t, row) for t in ensemble["trees"]) for row in x]
    assert np.allclose(model.trees["overall"].predict(x), expected)
    assert model.trees["overall"].depth == 2


def test_shipped_trees_match_a_walk_of_each_tree() -> None:
    import json
    from importlib import resources

    raw = json.loads(resources.files("samestory.match").joinpath("similarity_weights.json").read_text())
    spec = raw["models"][LEXICAL_MODEL]["trees"]["overall"]
    model = load_weights().models[LEXICAL_MODEL]
    rng = np.random.default_rng(1)
    x = model.mean + model.scale * rng.normal(size=(20, len(model.features)))
    expected = [spec["init"] + spec["rate"] * sum(_walk(t, row) for t in spec["trees"]) for row in x]
    assert np.allclose(model.trees["overall"].predict(x), expected, atol=1e-9)
