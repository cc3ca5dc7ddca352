"""Alignment evaluation on WMT-format XML: seeded, realistic perturbations and strict link P/R/F1.

For every document three pair types are built: ``mt_vs_ref`` (a machine translation against human reference A),
``ref_vs_ref`` (reference B against reference A) and ``src_vs_ref`` (the source, Russian in WMT21 ru-en, against
reference A). Side B is perturbed with a seeded RNG: ~15% of sentences dropped, neighbours merged or split, a
block of 2–4 sentences moved, debris lines ("See also", "Advertisement", …) inserted. Gold links are the sentence
pairs that share a ``seg id``; a sentence with no partner is gold "added" (debris) or "dropped".

Figures are micro-averaged per pair type: ``precision``, ``recall``, ``f1`` of aligned sentence pairs (strict: a
link counts only when its two sentences share a segment) and ``added_dropped_f1`` of unaligned-sentence detection.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from samestory.align import AlignConfig, Alignment, align_texts
from samestory.embed.base import Encoder
from samestory.eval.wmt import Document, Version

__all__ = [
    "PAIR_TYPES",
    "AlignPair",
    "AlignScores",
    "CachedEncoder",
    "build_pairs",
    "evaluate",
    "perturb",
    "split_documents",
]

PAIR_TYPES = ("mt_vs_ref", "ref_vs_ref", "src_vs_ref")

_DEBRIS_LINES = (
    "See also",
    "Advertisement",
    "Read more:",
    "Share this article",
    "Subscribe to our newsletter",
    "Photo: Reuters",
    "SPECIAL project",
    "Related news",
    "Follow us on Twitter",
    "Comments (0)",
)


@dataclass(frozen=True, slots=True)
class AlignPair:
    """Two unit lists with gold segment ids per unit; an empty id set marks an inserted debris line."""

    doc_id: str
    pair_type: str
    a: tuple[str, ...]
    b: tuple[str, ...]
    ids_a: tuple[frozenset[str], ...]
    ids_b: tuple[frozenset[str], ...]

    def gold_links(self) -> set[tuple[int, int]]:
        return {(i, j) for i, x in enumerate(self.ids_a) for j, y in enumerate(self.ids_b) if x & y}

    def gold_unaligned(self) -> set[tuple[str, int]]:
        linked = self.gold_links()
        la = {i for i, _ in linked}
        lb = {j for _, j in linked}
        return {("a", i) for i in range(len(self.a)) if i not in la} | {
            ("b", j) for j in range(len(self.b)) if j not in lb
        }


@dataclass(slots=True)
class AlignScores:
    """Micro-averaged counts and figures for one pair type."""

    pairs: int = 0
    tp: int = 0
    fp: int = 0
    fn: int = 0
    ud_tp: int = 0
    ud_fp: int = 0
    ud_fn: int = 0
    exact_groups: int = field(default=0)

    def add(self, pair: AlignPair, alignment: Alignment) -> None:
        gold, pred = pair.gold_links(), alignment.links()
        self.pairs += 1
        self.tp += len(gold & pred)
        self.fp += len(pred - gold)
        self.fn += len(gold - pred)
        g_un = pair.gold_unaligned()
        p_un = {("a", i) for i in alignment.unaligned_a} | {("b", j) for j in alignment.unaligned_b}
        self.ud_tp += len(g_un & p_un)
        self.ud_fp += len(p_un - g_un)
        self.ud_fn += len(g_un - p_un)

    @staticmethod
    def _f1(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
        p = tp / (tp + fp) if tp + fp else 1.0
        r = tp / (tp + fn) if tp + fn else 1.0
        return p, r, (2 * p * r / (p + r) if p + r else 0.0)

    def to_dict(self) -> dict[str, float | int]:
        p, r, f = self._f1(self.tp, self.fp, self.fn)
        _, _, ud = self._f1(self.ud_tp, self.ud_fp, self.ud_fn)
        return {
            "pairs": self.pairs,
            "precision": round(p, 4),
            "recall": round(r, 4),
            "f1": round(f, 4),
            "added_dropped_f1": round(ud, 4),
        }


class CachedEncoder:
    """Wraps an encoder so that a text seen before is not encoded again (evaluation re-uses many sentences)."""

    def __init__(self, inner: Encoder) -> None:
        self.inner = inner
        self.name = inner.name
        self.dim = inner.dim
        self._cache: dict[str, npt.NDArray[np.float32]] = {}

    def encode(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        missing = list(dict.fromkeys(t for t in texts if t not in self._cache))
        if missing:
            for t, v in zip(missing, self.inner.encode(missing), strict=True):
                self._cache[t] = v
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.stack([self._cache[t] for t in texts]).astype(np.float32)


Units = list[tuple[str, frozenset[str]]]


def _columns(
    a: Units, b: Units
) -> tuple[tuple[str, ...], tuple[str, ...], tuple[frozenset[str], ...], tuple[frozenset[str], ...]]:
    """The texts of ``a`` and ``b``, then their gold segment ids: the four columns of a pair."""
    return tuple(t for t, _ in a), tuple(t for t, _ in b), tuple(i for _, i in a), tuple(i for _, i in b)


def _units(version: Version) -> Units:
    return [(text, frozenset([sid])) for sid, text in version.segments if text.strip()]


def _split(text: str, rng: random.Random) -> tuple[str, str] | None:
    words = text.split()
    if len(words) < 8:
        return None
    mid = len(words) // 2
    cut = next(
        (
            k
            for k in sorted(range(3, len(words) - 3), key=lambda k: abs(k - mid))
            if words[k - 1].endswith(",")
        ),
        mid + rng.randint(-1, 1),
    )
    return " ".join(words[:cut]), " ".join(words[cut:])


def perturb(
    units: Sequence[tuple[str, frozenset[str]]], rng: random.Random
) -> list[tuple[str, frozenset[str]]]:
    """Seeded, realistic edits of one version: drop ~15%, merge/split neighbours, move a block, insert debris."""
    out = [u for u in units if rng.random() >= 0.15]
    if len(out) < 2:
        out = list(units[:2])
    # merge or split neighbours (about one edit per eight sentences, at least one)
    for _ in range(max(1, len(out) // 8)):
        k = rng.randrange(len(out))
        if rng.random() < 0.5 and k + 1 < len(out):
            (ta, ia), (tb, ib) = out[k], out[k + 1]
            out[k : k + 2] = [(f"{ta} {tb}", ia | ib)]
        else:
            parts = _split(out[k][0], rng)
            if parts is not None:
                out[k : k + 1] = [(parts[0], out[k][1]), (parts[1], out[k][1])]
    # move a block of 2-4 sentences elsewhere
    if len(out) >= 6:
        size = rng.randint(2, 4)
        start = rng.randrange(len(out) - size + 1)
        block = out[start : start + size]
        del out[start : start + size]
        dest = rng.choice([p for p in range(len(out) + 1) if p != start])
        out[dest:dest] = block
    # debris lines
    for _ in range(rng.randint(1, 3)):
        out.insert(rng.randrange(len(out) + 1), (rng.choice(_DEBRIS_LINES), frozenset()))
    return out


def _rng(seed: int, *parts: str) -> random.Random:
    digest = hashlib.blake2b(":".join((str(seed), *parts)).encode(), digest_size=8).digest()
    return random.Random(int.from_bytes(digest, "big"))


def build_pairs(
    docs: Iterable[Document], *, seed: int = 0, pair_types: Sequence[str] = PAIR_TYPES
) -> list[AlignPair]:
    """Perturbed pairs for every document that has what a pair type needs (references, MT outputs)."""
    pairs: list[AlignPair] = []
    for doc in docs:
        if not doc.refs:
            continue
        ref = doc.refs[0]
        for kind in pair_types:
            rng = _rng(seed, doc.id, kind)
            if kind == "mt_vs_ref" and doc.hyps:
                other = doc.hyps[rng.randrange(len(doc.hyps))]
            elif kind == "ref_vs_ref" and len(doc.refs) > 1:
                other = doc.refs[1]
            elif kind == "src_vs_ref":
                other = doc.source
            else:
                continue
            a = _units(ref)
            b = perturb(_units(other), rng)
            if not a or not b:
                continue
            pairs.append(AlignPair(doc.id, kind, *_columns(a, b)))
    return pairs


def split_documents(
    docs: Sequence[Document], *, test_share: float = 0.5
) -> tuple[list[Document], list[Document]]:
    """Deterministic train/test split by document id (a hash, so it is stable on any WMT year)."""
    train: list[Document] = []
    test: list[Document] = []
    for d in docs:
        h = int.from_bytes(hashlib.blake2b(d.id.encode(), digest_size=4).digest(), "big") / 2**32
        (test if h < test_share else train).append(d)
    return train, test


def evaluate(
    pairs: Iterable[AlignPair],
    *,
    encoder: Encoder | None = None,
    config: AlignConfig | None = None,
    progress: Callable[[int], Any] | None = None,
) -> dict[str, dict[str, float | int]]:
    """Figures per pair type (keys ``precision``, ``recall``, ``f1``, ``added_dropped_f1``, ``pairs``)."""
    scores: dict[str, AlignScores] = {}
    for n, pair in enumerate(pairs, 1):
        alignment = align_texts(pair.a, pair.b, encoder=encoder, config=config)
        scores.setdefault(pair.pair_type, AlignScores()).add(pair, alignment)
        if progress is not None:
            progress(n)
    return {kind: scores[kind].to_dict() for kind in PAIR_TYPES if kind in scores}
