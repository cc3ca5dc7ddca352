"""Fit the corpus pair model (``src/samestory/corpus/pair_model.json``) with cross-validation.

Data: ECB+ (JSONL, gold = event; folds by topic) and WMT21 English versions (gold = document; folds by
document). For each of K folds: fit a logistic model on the pairs of the other folds, choose the clustering
thresholds that maximise ARI when clustering the other folds, then cluster the held-out fold and report its ARI.
The shipped model is fitted on everything, with the median of the per-fold thresholds.

    /work/venv/bin/python benchmarks/corpus_fit.py [--folds 5] [--write]
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import statistics
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.linear_model import LogisticRegression

from samestory.corpus.cluster import cluster_batch
from samestory.corpus.config import CorpusConfig
from samestory.corpus.features import DocFeatures
from samestory.corpus.verify import PAIR_FEATURES, pair_details, pair_vector
from samestory.eval.clusters import LabelledDoc, adjusted_rand_index, featurize_docs, load_cluster_data
from samestory.eval.data import data_file

GRID = [(t, a) for t in (0.4, 0.5, 0.6) for a in (0.0, 0.35, 0.5, 0.65, 0.8)]
OUT = Path(__file__).resolve().parents[1] / "src" / "samestory" / "corpus" / "pair_model.json"


def pairs(
    docs: list[LabelledDoc], feats: list[DocFeatures], rng: random.Random
) -> list[tuple[int, int, bool]]:
    """All same-story pairs and the different-story pairs (all of them up to 60k, else a sample)."""
    n = len(docs)
    same = [(i, j, True) for i, j in itertools.combinations(range(n), 2) if docs[i].gold == docs[j].gold]
    total = n * (n - 1) // 2
    if total <= 60_000:
        diff = [(i, j, False) for i, j in itertools.combinations(range(n), 2) if docs[i].gold != docs[j].gold]
    else:
        diff = []
        while len(diff) < 60_000:
            i, j = sorted(rng.sample(range(n), 2))
            if docs[i].gold != docs[j].gold:
                diff.append((i, j, False))
    return same + diff


def model_dict(lr: LogisticRegression) -> dict[str, Any]:
    return {
        "features": list(PAIR_FEATURES),
        "coef": [round(float(c), 4) for c in lr.coef_[0]],
        "intercept": round(float(lr.intercept_[0]), 4),
        "translation": {"low": 0.82, "high": 0.9},
    }


def ari_of(docs: list[LabelledDoc], feats: list[DocFeatures], cfg: CorpusConfig) -> float:
    ms = cluster_batch(feats, cfg)
    story = {m.article_id: m.story_id for m in ms}
    return adjusted_rand_index([d.gold for d in docs], [story[d.id] for d in docs])


def _memoise_pair_details() -> None:
    # pair details do not depend on the model or thresholds: compute each pair once across the grid
    import samestory.corpus.verify as verify_mod

    original = verify_mod.pair_details
    cache: dict[tuple[int, int], dict[str, float]] = {}

    def cached(a: DocFeatures, b: DocFeatures) -> dict[str, float]:
        key = (id(a), id(b))
        value = cache.get(key)
        if value is None:
            value = cache[key] = original(a, b)
        return value

    verify_mod.pair_details = cached


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--write", action="store_true", help=f"write the model fitted on all data to {OUT}")
    args = ap.parse_args(argv)
    rng = random.Random(0)
    _memoise_pair_details()
    sets = []
    for name, parts in (
        ("ecb", ("ecbplus", "topics-01-22.jsonl")),
        ("wmt", ("wmt21-ru-en", "newstest2021.ru-en.all.xml")),
    ):
        path = data_file(*parts)
        if path is None:
            print(f"skipping {name}: data not found", file=sys.stderr)
            continue
        docs = load_cluster_data(path)
        groups = sorted({d.group for d in docs})
        fold_of = {g: k % args.folds for k, g in enumerate(groups)}
        feats = featurize_docs(docs, CorpusConfig())
        prs = pairs(docs, feats, rng)
        X = np.array([pair_vector(pair_details(feats[i], feats[j])) for i, j, _ in prs])
        y = np.array([s for _, _, s in prs])
        pf = np.array(
            [
                fold_of[docs[i].group] if fold_of[docs[i].group] == fold_of[docs[j].group] else -1
                for i, j, _ in prs
            ]
        )
        sets.append((name, docs, feats, X, y, pf, [fold_of[d.group] for d in docs]))
        print(f"{name}: {len(docs)} docs, {len(prs)} pairs", file=sys.stderr)
    held: dict[str, list[float]] = {name: [] for name, *_ in sets}
    chosen: list[tuple[float, float]] = []
    for k in range(args.folds):
        Xtr = np.vstack([X[(pf != k)] for _, _, _, X, _, pf, _ in sets])
        ytr = np.concatenate([y[(pf != k)] for _, _, _, _, y, pf, _ in sets])
        lr = LogisticRegression(C=10.0, max_iter=2000, class_weight="balanced").fit(Xtr, ytr)
        base = CorpusConfig(pair_model=model_dict(lr))
        best_t, best = GRID[0], -1.0
        for t in GRID:
            cfg = replace(base, match_threshold=t[0], join_threshold=t[0], cohesion_ratio=t[1])
            score = statistics.mean(
                ari_of(
                    [d for d, f in zip(docs, fo, strict=True) if f != k],
                    [x for x, f in zip(feats, fo, strict=True) if f != k],
                    cfg,
                )
                for _, docs, feats, _, _, _, fo in sets
            )
            if score > best:
                best_t, best = t, score
        chosen.append(best_t)
        cfg = replace(base, match_threshold=best_t[0], join_threshold=best_t[0], cohesion_ratio=best_t[1])
        for name, docs, feats, _, _, _, fo in sets:
            a = ari_of(
                [d for d, f in zip(docs, fo, strict=True) if f == k],
                [x for x, f in zip(feats, fo, strict=True) if f == k],
                cfg,
            )
            held[name].append(a)
        print(
            f"fold {k}: threshold {best_t} (train mean ARI {best:.3f}); held-out "
            + ", ".join(f"{n} {v[-1]:.3f}" for n, v in held.items())
        )
    for name, v in held.items():
        print(f"{name}: held-out-fold ARI mean {statistics.mean(v):.3f} (min {min(v):.3f})")
    Xall = np.vstack([X for *_, X, _, _, _ in [(s[0], s[1], s[2], s[3], s[4], s[5], s[6]) for s in sets]])
    yall = np.concatenate([s[4] for s in sets])
    lr = LogisticRegression(C=10.0, max_iter=2000, class_weight="balanced").fit(Xall, yall)
    model = model_dict(lr)
    model["threshold"] = float(statistics.median(t for t, _ in chosen))
    model["cohesion_ratio"] = float(statistics.median(a for _, a in chosen))
    model["cv"] = {name: round(statistics.mean(v), 4) for name, v in held.items()}
    model["fitted_by"] = "benchmarks/corpus_fit.py"
    print(json.dumps(model))
    if args.write:
        OUT.write_text(json.dumps(model, indent=1) + "\n", encoding="utf-8")
        print(f"wrote {OUT}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
