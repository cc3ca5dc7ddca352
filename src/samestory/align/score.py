"""Pairwise sentence scores for the aligner: lexical (TF-IDF of word stems) and, where embedded, an encoder's.

Scores are calibrated to [0, 1]: the lexical score is the TF-IDF cosine of word stems (Cyrillic transliterated, so
names and numbers match across scripts, IDF from the two texts' sentences); an encoder's cosine is mapped linearly
from ``enc_low`` (unrelated text, 0) to ``enc_high`` (a translation, 1) and the larger of the two counts.
Embeddings may be partial (the hybrid mode embeds only some sentences): a pair gets an encoder score only when all
its sentences are embedded. Candidates are computed block by block and only the top ``top_k`` per row and per
column are kept, so memory stays linear in the article length.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from samestory.align.config import AlignConfig
from samestory.embed.base import Encoder
from samestory.text.stopwords import ALIGN_STOPWORDS
from samestory.text.translit import transliterate

__all__ = ["WORD", "Scorer", "tokens"]

Vector = dict[int, float]

_STOP = ALIGN_STOPWORDS
WORD = re.compile(r"\w+", re.UNICODE)
# a sentence end inside a passage: final punctuation (and a closing quote) before a capital or a digit
_SENT_SPLIT = re.compile(r"(?<=[.!?…])[\"'»”)]?\s+(?=[\"'«“(]?[A-ZА-ЯЁ0-9])")


def tokens(text: str, stem: int = 5) -> list[str]:
    """Comparable word stems of ``text``: transliterated, lower-cased, stop words dropped, cut to ``stem`` letters."""
    words = WORD.findall(text.lower())
    kept = [w for w in words if w not in _STOP] or words  # "So here it is." still has something to match
    return [w[:stem] for w in transliterate(" ".join(kept)).split()]


class Scorer:
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
        self._span_emb: dict[tuple[int, ...], npt.NDArray[np.float32]] = {}
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
        self.short = [len(WORD.findall(t)) < config.short_tokens for t in (*texts_a, *texts_b)]

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
        """The TF-IDF vector of any text (a piece of a unit) on this pair's vocabulary; stems the pair has not
        seen get ids of their own (below zero) that match nothing, with the largest IDF."""
        unseen: dict[str, int] = {}
        counts: dict[int, int] = {}
        for t in tokens(text, self.config.stem):
            k = self._vocab.get(t)
            if k is None:
                k = unseen.setdefault(t, -1 - len(unseen))
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

    def embed_spans(self, spans: Sequence[tuple[int, ...]]) -> int:
        """Embed the concatenated texts of ``spans`` (tuples of neighbouring global units, all embedded one by
        one already) in one batch, for ``concat`` scoring; returns how many were new."""
        if self.encoder is None or not self.config.concat:
            return 0
        todo = [s for s in spans if len(s) > 1 and s not in self._span_emb and all(self.has[u] for u in s)]
        if not todo:
            return 0
        vectors = self.encoder.encode([" ".join(self.texts[u] for u in s) for s in todo])
        for s, v in zip(todo, vectors, strict=True):
            self._span_emb[s] = np.asarray(v, dtype=np.float32)
        return len(todo)

    def _emb(self, units: Sequence[int], mean: bool = False) -> npt.NDArray[np.float32]:
        assert self.emb is not None
        if self.config.concat and len(units) > 1 and self.encoder is not None and not mean:
            key = tuple(units)
            if key not in self._span_emb:
                self.embed_spans([key])
            hit = self._span_emb.get(key)
            if hit is not None:
                return hit
        v = np.sum([self.emb[u] * self.weights[u] for u in units], axis=0)
        norm = float(np.linalg.norm(v))
        return np.asarray(v / norm if norm else v, dtype=np.float32)

    def _encodable(self, a: Sequence[int], bb: Sequence[int]) -> bool:
        """Whether the pair gets an encoder score: every unit embedded, and one against one unless
        ``enc_groups``."""
        if self.emb is None or not all(self.has[u] for u in a) or not all(self.has[u] for u in bb):
            return False
        return self.config.enc_groups or self.config.concat or (len(a) == 1 and len(bb) == 1)

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

    def mean_score(self, a: Sequence[int], b: Sequence[int]) -> float:
        """`score` with merged sides embedded as the token-weighted mean of their sentences' embeddings (no
        encoder call): a cheap estimate of a merge's score."""
        bb = [self.n_a + j for j in b]
        s = self._cos(self._vec(a), self._vec(bb))
        if self._encodable(a, bb):
            s = max(s, float(self.calibrate(float(self._emb(a, True) @ self._emb(bb, True)))))
        return min(1.0, max(0.0, s))

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

    def dense(self) -> npt.NDArray[np.float32]:
        """Every one-against-one score (n_a × n_b): lexical, and the calibrated encoder cosine where both
        sentences are embedded (the larger counts)."""
        n_a, n_b = self.n_a, self.n_b
        out = np.zeros((n_a, n_b), dtype=np.float32)
        if n_a == 0 or n_b == 0:
            return out
        mat = np.zeros((len(self.vectors), max(1, len(self._vocab))), dtype=np.float32)
        for u, vec in enumerate(self.vectors):
            if vec:
                mat[u, list(vec)] = list(vec.values())
        norms = np.linalg.norm(mat, axis=1, keepdims=True)
        mat /= np.where(norms > 0, norms, 1.0)
        out = mat[:n_a] @ mat[n_a:].T
        if self.emb is not None:
            cos = self.emb[:n_a] @ self.emb[n_a:].T
            enc = np.asarray(self.calibrate(cos), dtype=np.float32)
            enc[~self.has[:n_a]] = 0.0
            enc[:, ~self.has[n_a:]] = 0.0
            out = np.maximum(out, enc)
        return np.clip(out, 0.0, 1.0)

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
