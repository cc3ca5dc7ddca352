"""The trained pair model: loaded from a small JSON weights file, evaluated with numpy only.

A model (one per encoder, plus ``lexical`` for lexical-only mode) holds, for each target dimension, a
gradient-boosted tree ensemble and a ridge model on standardised features whose predictions are blended,
and a logistic model for the same-story probability. Trees are stored as flat arrays
(feature, threshold, left, right, value) exactly as scikit-learn grew them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from samestory.errors import ModelError

WEIGHTS_FILE = "similarity_weights.json"
FORMAT_VERSION = 1
LEXICAL_MODEL = "lexical"
FAST_SUFFIX = "#fast"  # key suffix of an encoder's faster variant (fewer embedded views)
TARGETS: tuple[str, ...] = ("overall", "geography", "entities", "time", "narrative")

Array = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class Trees:
    """A boosted ensemble, every tree's nodes concatenated into flat arrays (children as global indices)
    so that prediction walks all trees at once, one depth level per step: a Python loop per tree cost
    ~25 ms a pair for 5 targets x 250 trees, more than the features."""

    init: float
    rate: float
    roots: npt.NDArray[np.int64]  # first node of each tree
    feature: npt.NDArray[np.int64]
    threshold: Array
    left: npt.NDArray[np.int64]  # -1 at a leaf
    right: npt.NDArray[np.int64]
    value: Array
    depth: int  # the deepest leaf's depth: this many steps reach every leaf

    def predict(self, x: Array) -> Array:
        x = x.astype(np.float32).astype(np.float64)  # scikit-learn grows and applies trees on float32 inputs
        node = np.broadcast_to(self.roots, (x.shape[0], self.roots.shape[0])).copy()
        rows = np.arange(x.shape[0])[:, None]
        for _ in range(self.depth):
            lo = self.left[node]
            go_left = x[rows, self.feature[node]] <= self.threshold[node]
            node = np.where(lo < 0, node, np.where(go_left, lo, self.right[node]))
        leaves = np.ascontiguousarray(self.rate * self.value[node])
        return np.asarray(self.init + leaves.sum(axis=1), dtype=np.float64)


@dataclass(frozen=True, slots=True)
class Linear:
    coef: Array
    intercept: float

    def predict(self, z: Array) -> Array:
        return np.asarray(z @ self.coef + self.intercept, dtype=np.float64)


@dataclass(frozen=True, slots=True)
class PairModel:
    """One trained model: features used, scaler, per-target regressors, same-story classifier."""

    name: str
    features: tuple[str, ...]
    mean: Array
    scale: Array
    trees: dict[str, Trees]
    ridge: dict[str, Linear]
    blend: float  # weight of the trees in the blend (ridge gets 1 - blend)
    same_story: Linear  # Platt scaling of the predicted Overall: sigmoid(overall * coef + intercept)
    threshold: float  # Overall score below which a pair counts as the same story (training label)
    cv: dict[str, Any]
    # > 0: the ridge models also weigh the lead-vector product (`features.lead_product`) times this factor
    product: float = 0.0
    product_dim: int = 0
    # > 0: after the product come the absolute differences of the lead vectors times this factor
    diff: float = 0.0
    # the trees also see every target's ridge prediction (columns after ``features``, in `TARGETS` order)
    stack: bool = False

    def predict(self, x: Array, product: Array | None = None) -> dict[str, Array]:
        """Predicted scores (1–4 scale) per target, and ``same_story_probability``, for rows of ``x``
        (and of ``product``, `features.lead_product` of each pair with this model's ``diff``, when the model
        uses them; zeros if not given)."""
        z = (x - self.mean) / self.scale
        if self.product > 0:
            width = self.product_dim * (2 if self.diff > 0 else 1)
            p = np.zeros((x.shape[0], width)) if product is None else np.atleast_2d(product)
            z = np.hstack([z, self.product * p])
        lin = {t: self.ridge[t].predict(z) for t in TARGETS}
        xt = np.hstack([x, np.stack([lin[t] for t in TARGETS], axis=1)]) if self.stack else x
        out: dict[str, Array] = {}
        for target in TARGETS:
            value = self.blend * self.trees[target].predict(xt) + (1 - self.blend) * lin[target]
            out[target] = np.clip(value, 1.0, 4.0)
        logit = self.same_story.predict(out["overall"][:, None])
        out["same_story_probability"] = 1.0 / (1.0 + np.exp(-np.clip(logit, -30, 30)))
        return out


def _trees(d: dict[str, Any]) -> Trees:
    roots, feature, threshold, left, right, value = [], [], [], [], [], []
    offset, depth = 0, 0
    for t in d["trees"]:
        lo = np.asarray(t["left"], dtype=np.int64)
        hi = np.asarray(t["right"], dtype=np.int64)
        roots.append(offset)
        feature.append(np.maximum(np.asarray(t["feature"], dtype=np.int64), 0))  # leaves: -2 -> 0 (unused)
        threshold.append(np.asarray(t["threshold"], dtype=np.float64))
        left.append(np.where(lo < 0, -1, lo + offset))
        right.append(np.where(hi < 0, -1, hi + offset))
        value.append(np.asarray(t["value"], dtype=np.float64))
        depth = max(depth, _depth(lo, hi))
        offset += lo.shape[0]

    def cat(parts: list[Any], dtype: Any) -> Any:
        return np.concatenate(parts).astype(dtype) if parts else np.zeros(0, dtype=dtype)

    return Trees(
        float(d["init"]),
        float(d["rate"]),
        np.asarray(roots, dtype=np.int64),
        cat(feature, np.int64),
        cat(threshold, np.float64),
        cat(left, np.int64),
        cat(right, np.int64),
        cat(value, np.float64),
        depth,
    )


def _depth(left: npt.NDArray[np.int64], right: npt.NDArray[np.int64]) -> int:
    """Depth of the deepest leaf of one tree (0 for a lone root)."""
    depth, level = 0, [0]
    while True:
        nxt = [c for n in level if left[n] >= 0 for c in (int(left[n]), int(right[n]))]
        if not nxt:
            return depth
        depth, level = depth + 1, nxt


def _linear(d: dict[str, Any]) -> Linear:
    return Linear(np.asarray(d["coef"], dtype=np.float64), float(d["intercept"]))


def parse_model(name: str, d: dict[str, Any]) -> PairModel:
    return PairModel(
        name=name,
        features=tuple(d["features"]),
        mean=np.asarray(d["mean"], dtype=np.float64),
        scale=np.asarray(d["scale"], dtype=np.float64),
        trees={t: _trees(d["trees"][t]) for t in TARGETS},
        ridge={t: _linear(d["ridge"][t]) for t in TARGETS},
        blend=float(d["blend"]),
        same_story=_linear(d["same_story"]),
        threshold=float(d["threshold"]),
        cv=dict(d.get("cv", {})),
        product=float(d.get("product", 0.0)),
        product_dim=int(d.get("product_dim", 0)),
        diff=float(d.get("diff", 0.0)),
        stack=bool(d.get("stack", False)),
    )


@dataclass(frozen=True, slots=True)
class Weights:
    """All models of one weights file, by encoder name (``lexical`` for lexical-only mode)."""

    models: dict[str, PairModel]
    meta: dict[str, Any]

    def for_encoder(self, encoder_name: str | None, fast: bool = False) -> PairModel | None:
        """The model for ``encoder_name``; ``fast`` prefers its variant that embeds fewer views."""
        name = encoder_name or LEXICAL_MODEL
        if fast and f"{name}{FAST_SUFFIX}" in self.models:
            return self.models[f"{name}{FAST_SUFFIX}"]
        return self.models.get(name)


def parse_weights(data: dict[str, Any], where: str = "weights") -> Weights:
    if data.get("format") != FORMAT_VERSION:
        raise ModelError(
            f"{where}: weights format {data.get('format')!r}, expected {FORMAT_VERSION}; "
            "rebuild them with `samestory train similarity`"
        )
    try:
        models = {name: parse_model(name, m) for name, m in data["models"].items()}
    except (KeyError, TypeError, ValueError) as exc:
        raise ModelError(
            f"{where}: malformed similarity weights ({exc!r}); rebuild them with `samestory train similarity`"
        ) from None
    if LEXICAL_MODEL not in models:
        raise ModelError(
            f"{where}: no {LEXICAL_MODEL!r} model; rebuild them with `samestory train similarity`"
        )
    return Weights(models, {k: v for k, v in data.items() if k != "models"})


@lru_cache(maxsize=4)
def load_weights(path: str | None = None) -> Weights:
    """The shipped weights (``samestory/match/similarity_weights.json``), or those at ``path``."""
    try:
        if path is None:
            text = resources.files("samestory.match").joinpath(WEIGHTS_FILE).read_text(encoding="utf-8")
            where = f"samestory/match/{WEIGHTS_FILE}"
        else:
            text = Path(path).read_text(encoding="utf-8")
            where = path
        data = json.loads(text)
    except (OSError, json.JSONDecodeError) as exc:
        raise ModelError(
            f"cannot read similarity weights {path or WEIGHTS_FILE}: {exc}; "
            "rebuild them with `samestory train similarity --data train.csv --out FILE`"
        ) from None
    return parse_weights(data, where)
