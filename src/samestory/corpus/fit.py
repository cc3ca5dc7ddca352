"""Fit the corpus pair model and its clustering thresholds (`samestory train pair-model`).

The pair model (``pair_model.json``) is a logistic regression on `verify.PAIR_FEATURES`, fitted on the pairs
that clustering has to decide: every pair of documents inside one group (an ECB+ topic, a WMT document; same
story or not), every pair the candidate search proposes (in a large corpus: unrelated texts that share names,
years and common words; a generated corpus of `benchmarks/corpus_gen.py` provides them) and a sample of pairs
across groups (mostly unrelated). Each data set weighs the same in total,
and within it both classes weigh the same. The thresholds (`CorpusConfig.match_threshold`/``join_threshold``,
``cohesion_ratio``, ``regroup_ratio``, ``cohesion_members``) are the point of `GRID` whose clustering
(`bulk.cluster_batch`) has the best mean ARI over the data sets.

Cross-validation: the groups of each data set are dealt into K folds (in sorted order); for each fold the model
is fitted on the pairs of the other folds, the thresholds chosen by clustering the other folds, and the held-out
fold clustered once. The written model is fitted on all pairs, with thresholds chosen on all documents; its
record keeps the held-out figures (``cv``, ``cv_min``). Deterministic: the same files give the same bytes.

scikit-learn (the ``train`` extra) is imported only when a model is fitted.
"""

from __future__ import annotations

import itertools
import json
import random
import statistics
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from samestory.corpus.bulk import BulkClusterer, cluster_batch, key_matrix
from samestory.corpus.cluster import order_key
from samestory.corpus.config import CorpusConfig
from samestory.corpus.features import DocFeatures
from samestory.corpus.verify import PAIR_FEATURES, pair_details, pair_vector
from samestory.errors import InputError, MissingDependencyError
from samestory.eval.clusters import LabelledDoc, adjusted_rand_index, featurize_docs, load_cluster_data

#: (match/join threshold, cohesion ratio of the online join, cohesion ratio of the regrouping, members from
#: which a group's cohesion counts there). The join's cohesion ratio made no difference once the regrouping
#: runs (0 and 0.5 gave the same ARI), so it stays 0.5; cohesion from 5 members on is not offered: a WMT file
#: with 4 versions per document would then merge documents on one event (docs/decisions.md)
Thresholds = tuple[float, float, float, int]
GRID: tuple[Thresholds, ...] = tuple(
    (t, 0.5, r, m) for t in (0.4, 0.5, 0.6) for r in (0.35, 0.4, 0.45, 0.5) for m in (3, 4)
)
#: sampled pairs across groups per data set
OTHER_PAIRS = 20_000
#: inverse L2 strength of the logistic model
C = 1.0
#: the calibration of the translation score (cosine across languages), not fitted here (docs/decisions.md)
TRANSLATION = {"low": 0.82, "high": 0.9}
SEED = 0

Progress = Callable[[str], None]


@dataclass(frozen=True)
class FitSet:
    """One labelled data set prepared for fitting: its documents and features, the fold of each document, and
    the training pairs (``pairs``) with their feature rows ``X``, labels ``y`` (same gold story) and
    ``pair_fold`` (the fold of both documents, -1 when they lie in different folds)."""

    name: str
    docs: list[LabelledDoc]
    feats: list[DocFeatures]
    fold: list[int]
    pairs: list[tuple[int, int]]
    X: npt.NDArray[np.float64]
    y: npt.NDArray[np.bool_]
    pair_fold: npt.NDArray[np.int64]

    def subset(self, keep: Sequence[bool]) -> tuple[list[LabelledDoc], list[DocFeatures]]:
        """The documents and features where ``keep`` is true."""
        return (
            [d for d, k in zip(self.docs, keep, strict=True) if k],
            [f for f, k in zip(self.feats, keep, strict=True) if k],
        )

    def fold_docs(self, fold: int, *, held_out: bool) -> tuple[list[LabelledDoc], list[DocFeatures]]:
        """The documents of ``fold`` (``held_out``) or of every other fold."""
        return self.subset([(f == fold) == held_out for f in self.fold])


@dataclass(frozen=True)
class FoldResult:
    """One fold of the cross-validation: the model fitted without it, the thresholds chosen without it (with
    their mean ARI on the training folds) and the ARI of each data set's held-out fold."""

    fold: int
    model: dict[str, Any]
    thresholds: Thresholds
    train_ari: float
    held_out: dict[str, float]


def training_pairs(
    docs: Sequence[LabelledDoc],
    rng: random.Random,
    feats: Sequence[DocFeatures] | None = None,
    cfg: CorpusConfig | None = None,
) -> list[tuple[int, int]]:
    """Every pair inside a group (ECB+ topic, WMT document), every pair the candidate search proposes when
    ``feats`` (the documents' features, computed with ``cfg``) are given, and `OTHER_PAIRS` sampled across groups. The candidate
    pairs are the hard cases of a large corpus: unrelated texts that share names, years and common words."""
    by_group: dict[str, list[int]] = {}
    for i, d in enumerate(docs):
        by_group.setdefault(d.group, []).append(i)
    inside = {p for members in by_group.values() for p in itertools.combinations(members, 2)}
    if feats is not None:
        inside.update(candidate_index_pairs(feats, cfg))
    n = len(docs)
    other: set[tuple[int, int]] = set()
    limit = min(OTHER_PAIRS, n * (n - 1) // 2 - len(inside))
    while len(other) < limit:
        i, j = sorted(rng.sample(range(n), 2))
        if docs[i].group != docs[j].group and (i, j) not in inside:
            other.add((i, j))
    return sorted(inside) + sorted(other)


def candidate_index_pairs(
    feats: Sequence[DocFeatures], cfg: CorpusConfig | None = None
) -> set[tuple[int, int]]:
    """The pairs (i < j, positions in ``feats``) whose verification clustering reads: each document with the
    candidates `bulk.BulkClusterer.selected` finds for it."""
    cfg = cfg or CorpusConfig()
    order = sorted(range(len(feats)), key=lambda i: order_key(feats[i]))
    ordered = [feats[i] for i in order]
    selected = BulkClusterer(cfg).selected(ordered, key_matrix(ordered, cfg))
    return {
        (min(order[k], order[c]), max(order[k], order[c])) for k, cands in enumerate(selected) for c in cands
    }


def prepare(
    name: str,
    docs: Sequence[LabelledDoc],
    folds: int,
    rng: random.Random,
    cfg: CorpusConfig | None = None,
) -> FitSet:
    """Features, folds (groups dealt in sorted order) and training pairs of one labelled data set."""
    if folds < 2:
        raise InputError(f"--folds: expected at least 2 folds, found {folds}")
    groups = sorted({d.group for d in docs})
    if len(groups) < folds:
        raise InputError(
            f"{name}: {len(groups)} groups (topics / documents) cannot be dealt into {folds} folds; "
            "pass fewer --folds or more data"
        )
    fold_of = {g: k % folds for k, g in enumerate(groups)}
    feats = featurize_docs(docs, cfg or CorpusConfig())
    prs = training_pairs(docs, rng, feats, cfg)
    X = np.array([pair_vector(pair_details(feats[i], feats[j])) for i, j in prs], dtype=np.float64)
    y = np.array([docs[i].gold == docs[j].gold for i, j in prs], dtype=np.bool_)
    fi = [fold_of[docs[i].group] for i, _ in prs]
    fj = [fold_of[docs[j].group] for _, j in prs]
    pf = np.array([a if a == b else -1 for a, b in zip(fi, fj, strict=True)], dtype=np.int64)
    return FitSet(name, list(docs), feats, [fold_of[d.group] for d in docs], prs, X, y, pf)


def load_sets(
    paths: Sequence[Path], folds: int, names: Sequence[str] | None = None, seed: int = SEED
) -> list[FitSet]:
    """Load and prepare each labelled file (`eval.clusters.load_cluster_data`: WMT XML or event JSONL), named
    by ``names`` or by file name; one random stream (``seed``) samples the pairs across groups of all files."""
    rng = random.Random(seed)
    names = list(names) if names is not None else [p.name for p in paths]
    if len(set(names)) != len(names):
        raise InputError(f"--data: each data set must be given once, found {', '.join(names)}")
    return [prepare(n, load_cluster_data(p), folds, rng) for n, p in zip(names, paths, strict=True)]


def _sklearn_logistic() -> Any:
    try:
        from sklearn.linear_model import LogisticRegression
    except ImportError as exc:
        raise MissingDependencyError("fitting the corpus pair model", "scikit-learn", "train") from exc
    return LogisticRegression


def logistic_fit(xs: Sequence[npt.NDArray[np.float64]], ys: Sequence[npt.NDArray[np.bool_]]) -> Any:
    """A logistic regression on the stacked rows where each block (data set) weighs the same in total and,
    within it, both classes weigh the same."""
    ws = []
    for y in ys:
        pos, neg = max(1, int(y.sum())), max(1, int((~y).sum()))
        ws.append(np.where(y, 0.5 / pos, 0.5 / neg))
    w = np.concatenate(ws)
    return _sklearn_logistic()(C=C, max_iter=5000).fit(
        np.vstack(xs), np.concatenate(ys), sample_weight=w * len(w)
    )


def fit_model(sets: Sequence[FitSet], held_out: int | None = None) -> dict[str, Any]:
    """The pair model (weights in the form of ``pair_model.json``) fitted on every training pair outside fold
    ``held_out`` (all pairs when None)."""
    keep = [np.ones(len(s.y), dtype=bool) if held_out is None else s.pair_fold != held_out for s in sets]
    lr = logistic_fit(
        [s.X[k] for s, k in zip(sets, keep, strict=True)], [s.y[k] for s, k in zip(sets, keep, strict=True)]
    )
    return {
        "features": list(PAIR_FEATURES),
        "coef": [round(float(c), 4) for c in lr.coef_[0]],
        "intercept": round(float(lr.intercept_[0]), 4),
        "translation": dict(TRANSLATION),
    }


def with_thresholds(base: CorpusConfig, t: Thresholds) -> CorpusConfig:
    """``base`` with the thresholds ``t`` (the match and join thresholds are one)."""
    return replace(
        base,
        match_threshold=t[0],
        join_threshold=t[0],
        cohesion_ratio=t[1],
        regroup_ratio=t[2],
        cohesion_members=t[3],
    )


def thresholds_of(model: Mapping[str, Any]) -> Thresholds:
    """The thresholds a model record (``pair_model.json``) was fitted with."""
    return (
        float(model["threshold"]),
        float(model["cohesion_ratio"]),
        float(model["regroup_ratio"]),
        int(model["cohesion_members"]),
    )


def ari_of(docs: Sequence[LabelledDoc], feats: Sequence[DocFeatures], cfg: CorpusConfig) -> float:
    """ARI against the gold stories of clustering ``feats`` with ``cfg`` (`bulk.cluster_batch`)."""
    story = {m.article_id: m.story_id for m in cluster_batch(feats, cfg)}
    return adjusted_rand_index([d.gold for d in docs], [story[d.id] for d in docs])


def choose_thresholds(
    sets: Sequence[FitSet],
    model: Mapping[str, Any],
    held_out: int | None = None,
    grid: Sequence[Thresholds] = GRID,
) -> tuple[Thresholds, float]:
    """The grid point (first of equals) with the best mean ARI over the data sets, clustering every fold but
    ``held_out`` (all documents when None) with ``model``; and that mean."""
    base = CorpusConfig(pair_model=model)
    best: tuple[Thresholds, float] = (grid[0], -1.0)
    for t in grid:
        cfg = with_thresholds(base, t)
        parts = [
            s.fold_docs(held_out, held_out=False) if held_out is not None else (s.docs, s.feats) for s in sets
        ]
        score = statistics.mean(ari_of(docs, feats, cfg) for docs, feats in parts)
        if score > best[1]:
            best = (t, score)
    return best


def fold_scores(sets: Sequence[FitSet], cfg: CorpusConfig, folds: int) -> dict[str, list[float]]:
    """The ARI of each data set's folds, each clustered alone with ``cfg`` (e.g. a shipped model on the
    folds the cross-validation holds out)."""
    return {s.name: [ari_of(*s.fold_docs(k, held_out=True), cfg) for k in range(folds)] for s in sets}


def cross_validate(
    sets: Sequence[FitSet],
    folds: int,
    grid: Sequence[Thresholds] = GRID,
    progress: Progress | None = None,
) -> list[FoldResult]:
    """For each fold: fit without it, choose thresholds without it, cluster it (see the module docstring)."""
    out = []
    for k in range(folds):
        model = fit_model(sets, k)
        t, train = choose_thresholds(sets, model, k, grid)
        cfg = with_thresholds(CorpusConfig(pair_model=model), t)
        held = {s.name: ari_of(*s.fold_docs(k, held_out=True), cfg) for s in sets}
        out.append(FoldResult(k, model, t, train, held))
        if progress is not None:
            progress(
                f"fold {k}: thresholds {t} (training folds mean ARI {train:.3f}); held out "
                + ", ".join(f"{n} {v:.3f}" for n, v in held.items())
            )
    return out


def summarise(scores: Mapping[str, Sequence[float]]) -> dict[str, dict[str, float]]:
    """Per data set: ``mean`` and ``min`` of its fold ARIs, rounded to 4 places."""
    return {n: {"mean": round(statistics.mean(v), 4), "min": round(min(v), 4)} for n, v in scores.items()}


def held_out_summary(results: Sequence[FoldResult]) -> dict[str, dict[str, float]]:
    """Per data set: ``mean`` and ``min`` of the held-out-fold ARIs (`summarise`)."""
    names = list(results[0].held_out) if results else []
    return summarise({n: [r.held_out[n] for r in results] for n in names})


def fit_pair_model(
    sets: Sequence[FitSet],
    folds: int,
    grid: Sequence[Thresholds] = GRID,
    progress: Progress | None = None,
    fitted_by: str | None = None,
) -> tuple[dict[str, Any], list[FoldResult]]:
    """Cross-validate, then fit on everything: the model record to write (``pair_model.json``'s form: weights,
    the chosen thresholds, the held-out figures and how it was fitted) and the folds' results."""
    with memoised_pair_details():
        results = cross_validate(sets, folds, grid, progress)
        model = fit_model(sets)
        t, _ = choose_thresholds(sets, model, None, grid)
    summary = held_out_summary(results)
    model.update(
        threshold=t[0],
        cohesion_ratio=t[1],
        regroup_ratio=t[2],
        cohesion_members=t[3],
        cv={n: v["mean"] for n, v in summary.items()},
        cv_min={n: v["min"] for n, v in summary.items()},
        fitted_by=fitted_by or f"samestory train pair-model --folds {folds}",
    )
    return model, results


def model_json(model: Mapping[str, Any]) -> str:
    """The text of a model record as ``pair_model.json`` keeps it."""
    return json.dumps(model, indent=1) + "\n"


def write_model(model: Mapping[str, Any], path: Path) -> None:
    """Write a model record (`model_json`) to ``path``, replacing it only once the whole text is written."""
    tmp = path.with_name(path.name + ".tmp")
    try:
        tmp.write_text(model_json(model), encoding="utf-8")
        tmp.replace(path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise InputError(f"{path}: cannot write the pair model ({exc.strerror or exc})") from None


@contextmanager
def memoised_pair_details() -> Iterator[None]:
    """Within the block, `verify.pair_details` computes each (document, document) pair once: the details do
    not depend on the model or the thresholds, and the grid clusters the same documents many times."""
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
    try:
        yield
    finally:
        verify_mod.pair_details = original


__all__ = [
    "GRID",
    "FitSet",
    "FoldResult",
    "Thresholds",
    "ari_of",
    "candidate_index_pairs",
    "choose_thresholds",
    "cross_validate",
    "fit_model",
    "fit_pair_model",
    "fold_scores",
    "held_out_summary",
    "load_sets",
    "logistic_fit",
    "memoised_pair_details",
    "model_json",
    "prepare",
    "summarise",
    "thresholds_of",
    "training_pairs",
    "with_thresholds",
    "write_model",
]
