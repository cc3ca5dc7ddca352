"""Monotonic linking with a moved-block pass: the aligner's first linking step when ``AlignConfig.monotonic`` is
set (the repairs of `samestory.align.steps` run on its links after it).

1. A dynamic programme over beads 0–1, 1–0, 1–1, 1–2, 2–1, 2–2, 1–3 and 3–1 (as vecalign and bertalign do)
   maximises the summed gain of its links: a link of ``k`` A and ``l`` B sentences gains ``(k + l) / 2 × (score −
   threshold) − merge_cost × (k + l − 2)``, a deletion nothing; so a sentence stays unaligned when no link scores
   above the (calibrated) threshold, and a merge is taken when the concatenation scores enough above its parts.
   Merged sides are scored as one text (the encoder embeds the concatenation: `Scorer.embed_spans`, one batch).
   Concatenations are screened before they are embedded, as bertalign does around its anchors: the programme
   first runs on one-against-one links alone (no encoder call), and a merge is tried only where that path leaves
   a gap (none of its units firmly linked outside it, one of them unlinked or weakly linked), when its two sides'
   lengths fit and its cheap estimate (mean embedding, `Scorer.mean_score`) reaches the threshold within
   ``merge_screen`` of its best one-against-one part. Long texts run in a band around the path of the mutual
   best links.
2. Shifted boundaries: two neighbouring one-against-one links of the path become one 2–2 link where their
   boundary moved (`shift_boundaries`): a 2–2 concatenation of two good links rarely scores enough above them to
   pay for its merge, so the programme needs evidence besides the score to take it.
3. Moved blocks: the same programme over the sentences left unaligned on both sides (a block moved elsewhere
   leaves its sentences unaligned on both); its links are kept only as runs of ``moved_run``+ neighbouring links
   scoring ``moved_threshold`` on average, or as one link scoring ``moved_single``: the monotonic prior yields to
   strong evidence of a moved block only.
"""

from __future__ import annotations

import bisect
import math
import re
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from samestory.align.config import AlignConfig
from samestory.align.score import Scorer

__all__ = ["BEADS", "continues", "link_monotonic", "shift_boundaries"]

BEADS = ((1, 1), (1, 2), (2, 1), (2, 2), (1, 3), (3, 1))
"""Link types of the programme (A sentences, B sentences); deletions 1–0 and 0–1 besides."""

Bead = tuple[tuple[int, ...], tuple[int, ...]]


def continues(first: str, second: str) -> bool:
    """Whether ``second`` reads as the rest of ``first`` (it starts in lower case: a sentence cut in two)."""
    head = second.lstrip(" \"'“«(—–-")
    return bool(head) and head[0].islower()


def _band(
    dense: npt.NDArray[np.float32], xa: Sequence[int], xb: Sequence[int], width: int
) -> list[tuple[int, int]]:
    """Per position in ``xa``, the range of positions in ``xb`` the programme searches: all of them for short
    texts; else ``width`` either side of the line through the longest increasing run of mutual best links."""
    n, m = len(xa), len(xb)
    sub = dense[np.ix_(list(xa), list(xb))]
    if n * m <= 4 * width * width or n == 0 or m == 0:
        return [(0, m)] * n
    best_b = sub.argmax(axis=1)
    best_a = sub.argmax(axis=0)
    anchors = [(p, int(best_b[p])) for p in range(n) if best_a[best_b[p]] == p]
    # longest increasing subsequence of the anchors' B positions (patience sorting)
    tails: list[int] = []
    tail_at: list[int] = []
    prev: list[int] = [-1] * len(anchors)
    for k, (_, q) in enumerate(anchors):
        pos = bisect.bisect_left(tails, q)
        if pos == len(tails):
            tails.append(q)
            tail_at.append(k)
        else:
            tails[pos] = q
            tail_at[pos] = k
        prev[k] = tail_at[pos - 1] if pos else -1
    chain: list[tuple[int, int]] = []
    k = tail_at[-1] if tail_at else -1
    while k >= 0:
        chain.append(anchors[k])
        k = prev[k]
    chain.reverse()
    chain = [(-1, -1), *chain, (n, m)]
    out: list[tuple[int, int]] = []
    c = 0
    for p in range(n):
        while chain[c + 1][0] < p:
            c += 1
        (p0, q0), (p1, q1) = chain[c], chain[c + 1]
        centre = q0 + (q1 - q0) * (p - p0) / max(1, p1 - p0)
        out.append((max(0, int(centre) - width), min(m, int(centre) + width + 1)))
    return out


def _mergeable(scorer: Scorer, span: Sequence[int], base: int) -> bool:
    """Whether the units ``span`` (one side, offset ``base`` into the scorer's units) may form one side of a
    merge: a short line ("Photo: Reuters", "At the time,") or a page line (`_page_line`) only as a piece of a cut sentence within it (it or its
    next unit continues in lower case); page lines added next to a passage barely move its embedding."""
    if len(span) < 2:
        return True
    for k, u in enumerate(span):
        if not (scorer.short[base + u] or _page_line(scorer.texts[base + u], scorer.config.page_words)):
            continue
        # a head starts the span and a sentence (the unit before it ends one): a page line inserted into a cut
        # sentence ("Follow us on Twitter" before its lower-case tail) is no head
        head = (
            k == 0
            and k + 1 < len(span)
            and continues("", scorer.texts[base + span[k + 1]])
            and (u == 0 or bool(_FINAL.search(scorer.texts[base + u - 1])))
        )
        tail = k > 0 and continues("", scorer.texts[base + u])
        if not (head or tail):
            return False
    return True


_FINAL = re.compile(r"[.!?…\"'»”)\]:;]\s*$")


def _page_line(text: str, words: int) -> bool:
    """Whether ``text`` reads as a page line ("Follow us on Twitter", "Subscribe to our newsletter"): fewer than
    ``words`` words and no final punctuation (a headline of that many words or more may be merged)."""
    return len(text.split()) < words and not _FINAL.search(text)


def _cut(scorer: Scorer, span: Sequence[int], base: int) -> bool:
    """Whether the units ``span`` (offset ``base``) read as one sentence cut into pieces: each after the first
    continues in lower case."""
    return len(span) > 1 and all(continues("", scorer.texts[base + u]) for u in span[1:])


def _runs(xs: Sequence[int]) -> list[bool]:
    """``adj[k]``: whether ``xs[k + 1]`` follows ``xs[k]`` directly (a merge may only join neighbours)."""
    return [xs[k + 1] == xs[k] + 1 for k in range(len(xs) - 1)]


def _path(
    n: int, m: int, gains: dict[tuple[int, int, int, int], tuple[float, float]]
) -> list[tuple[int, int, int, int]]:
    """The bead sequence (keys of ``gains``: start in A, start in B, A length, B length) of largest summed gain
    through an ``n`` × ``m`` grid, deletions gaining nothing."""
    neg = float("-inf")
    best = np.full((n + 1, m + 1), neg)
    back: dict[tuple[int, int], tuple[int, int]] = {}
    best[0, 0] = 0.0
    for p in range(n + 1):
        for q in range(m + 1):
            cur = best[p, q]
            if cur == neg:
                continue
            if p < n and cur > best[p + 1, q]:
                best[p + 1, q] = cur
                back[(p + 1, q)] = (1, 0)
            if q < m and cur > best[p, q + 1]:
                best[p, q + 1] = cur
                back[(p, q + 1)] = (0, 1)
            if p == n:
                continue
            for di, dj in BEADS:
                hit = gains.get((p, q, di, dj))
                if hit is not None and cur + hit[0] > best[p + di, q + dj]:
                    best[p + di, q + dj] = cur + hit[0]
                    back[(p + di, q + dj)] = (di, dj)
    out: list[tuple[int, int, int, int]] = []
    p, q = n, m
    while p or q:
        di, dj = back[(p, q)]
        p, q = p - di, q - dj
        if di and dj:
            out.append((p, q, di, dj))
    out.reverse()
    return out


def dp(
    scorer: Scorer,
    cfg: AlignConfig,
    dense: npt.NDArray[np.float32],
    xa: Sequence[int],
    xb: Sequence[int],
    threshold: float,
) -> list[tuple[Bead, float]]:
    """Best monotonic bead sequence between A units ``xa`` and B units ``xb`` (sorted): its links and scores."""
    n, m = len(xa), len(xb)
    if n == 0 or m == 0:
        return []
    adj_a, adj_b = _runs(xa), _runs(xb)
    band = _band(dense, xa, xb, cfg.band)

    def span(xs: Sequence[int], adj: Sequence[bool], p: int, d: int) -> tuple[int, ...] | None:
        if p + d > len(xs) or not all(adj[p + k] for k in range(d - 1)):
            return None
        return tuple(xs[p : p + d])

    def gain(ga: Sequence[int], gb: Sequence[int], s: float) -> float:
        # a short line needs a higher score alone; inside a merge it is a piece of a cut sentence (`_mergeable`)
        need = scorer.needed(ga[0], gb[0], threshold) if len(ga) == len(gb) == 1 else threshold
        k = len(ga) + len(gb)
        return (
            k / 2 * (s - need) - cfg.merge_cost * (k - 2) - (cfg.cost_22 if len(ga) == len(gb) == 2 else 0.0)
        )

    # 1. anchors: the best path of one-against-one links alone (no encoder call)
    gains: dict[tuple[int, int, int, int], tuple[float, float]] = {}
    for p in range(n):
        lo, hi = band[p]
        for q in range(lo, hi):
            s = float(dense[xa[p], xb[q]])
            g = gain((xa[p],), (xb[q],), s)
            if g > 0.0:
                gains[(p, q, 1, 1)] = (g, s)
    anchor_a: dict[int, tuple[int, float]] = {}
    anchor_b: dict[int, tuple[int, float]] = {}
    for p, q, _, _ in _path(n, m, gains):
        s = gains[(p, q, 1, 1)][1]
        anchor_a[p], anchor_b[q] = (q, s), (p, s)
    # 2. merges, screened before any concatenation is embedded: only where the anchors leave a gap (a merge's
    # units are linked by no anchor outside it, and one of them by none at all; for 2-2, or by a weak one), its
    # two sides' lengths fit, and its estimate reaches the threshold near its best one-against-one part
    ratio = _length_ratio(scorer)
    beads: dict[tuple[int, int, int, int], Bead] = {}
    for p in range(n):
        lo, hi = band[p]
        for q in range(lo, hi):
            for di, dj in BEADS[1:]:
                ga, gb = span(xa, adj_a, p, di), span(xb, adj_b, q, dj)
                if ga is None or gb is None:
                    continue
                links = [anchor_a.get(p + k) for k in range(di)] + [anchor_b.get(q + k) for k in range(dj)]
                firm = [x is not None and x[1] >= cfg.merge_weak for x in links]
                outside = [x is not None and not q <= x[0] < q + dj for x in links[:di]]
                outside += [x is not None and not p <= x[0] < p + di for x in links[di:]]
                if all(firm) or any(f and o for f, o in zip(firm, outside, strict=True)):
                    continue
                if _length_misfit(scorer, ga, gb, ratio) > cfg.merge_length:
                    continue
                if not _mergeable(scorer, ga, 0) or not _mergeable(scorer, gb, scorer.n_a):
                    continue
                parts = max(float(dense[i, j]) for i in ga for j in gb)
                est = scorer.mean_score(ga, gb)
                if est < threshold or est < parts - cfg.merge_screen:
                    continue
                beads[(p, q, di, dj)] = (ga, gb)
    n_a = scorer.n_a
    spans = {ga for ga, _ in beads.values() if len(ga) > 1}
    spans |= {tuple(n_a + j for j in gb) for _, gb in beads.values() if len(gb) > 1}
    scorer.embed_spans(sorted(spans))
    for key, (ga, gb) in beads.items():
        s = scorer.score(ga, gb)
        # a merge must score above its best part (a line added to a passage barely moves its embedding), unless
        # it makes a cut sentence whole (its pieces alone score lower, the whole may score a little lower still)
        cut = _cut(scorer, ga, 0) or _cut(scorer, gb, n_a)
        part, bi, bj = max((float(dense[i, j]), i, j) for i in ga for j in gb)
        floor = -cfg.cut_drop if cut else cfg.merge_gain
        # or when it fits the other side's length much better than its best part does (a paraphrase lost words)
        if (
            _length_misfit(scorer, (bi,), (bj,), ratio) - _length_misfit(scorer, ga, gb, ratio)
            >= cfg.merge_fit
        ):
            floor = min(floor, -cfg.fit_drop)
        if s < part + floor:
            continue
        g = gain(ga, gb, s)
        if g > 0.0:
            gains[key] = (g, s)
    for p in range(n):
        for q in range(band[p][0], band[p][1]):
            beads[(p, q, 1, 1)] = ((xa[p],), (xb[q],))
    return [(beads[key], gains[key][1]) for key in _path(n, m, gains)]


def _shifted(scorer: Scorer, ga: Sequence[int], gb: Sequence[int], ratio: float) -> bool:
    """Whether the A neighbours ``ga`` and the B neighbours ``gb`` (two each) read as one boundary moved: on one
    side the first unit ends without final punctuation while the other side's ends with it, and that side's
    first unit is the longer of the first two and its second the shorter of the second two (lengths relative
    to the texts' ``ratio``): the words after the boundary went with the first unit."""
    ends_a = bool(_FINAL.search(scorer.texts[ga[0]]))
    ends_b = bool(_FINAL.search(scorer.texts[scorer.n_a + gb[0]]))
    if ends_a == ends_b:
        return False

    def log_ratio(i: int, j: int) -> float:
        la, lb = len(scorer.texts[i]), len(scorer.texts[scorer.n_a + j])
        return math.log(max(1, la) / (max(1, lb) * ratio))

    sign = -1.0 if ends_a else 1.0  # the side that runs on: A (+), B (-)
    return sign * log_ratio(ga[0], gb[0]) > 0.0 and sign * log_ratio(ga[1], gb[1]) < 0.0


def shift_boundaries(
    scorer: Scorer, cfg: AlignConfig, beads: Sequence[Bead], dense: npt.NDArray[np.float32]
) -> list[Bead]:
    """``beads`` with pairs of neighbouring one-against-one links (A ``i``, ``i + 1`` to B ``j``, ``j + 1``)
    made one 2–2 link where their boundary shifted (`_shifted`) and the two concatenations score at least the
    mean of the two links less ``shift_margin``; overlapping candidates are taken by that gain, best first."""
    ratio = _length_ratio(scorer)
    ones = {ga[0]: gb[0] for ga, gb in beads if len(ga) == 1 and len(gb) == 1}
    n_a = scorer.n_a
    cands: list[tuple[tuple[int, ...], tuple[int, ...]]] = []
    for i, j in sorted(ones.items()):
        pair_a, pair_b = (i, i + 1), (j, j + 1)
        if ones.get(i + 1) != j + 1 or not _shifted(scorer, pair_a, pair_b, ratio):
            continue
        if _mergeable(scorer, pair_a, 0) and _mergeable(scorer, pair_b, n_a):
            cands.append((pair_a, pair_b))
    if not cands:
        return list(beads)
    scorer.embed_spans(sorted({ga for ga, _ in cands} | {tuple(n_a + j for j in gb) for _, gb in cands}))
    ranked: list[tuple[float, tuple[int, ...], tuple[int, ...]]] = []
    for ca, cb in cands:
        diag = (float(dense[ca[0], cb[0]]) + float(dense[ca[1], cb[1]])) / 2
        gain = scorer.score(ca, cb) - diag
        if gain >= -cfg.shift_margin:
            ranked.append((gain, ca, cb))
    ranked.sort(key=lambda x: (-x[0], x[1], x[2]))
    used: set[int] = set()
    merged: list[Bead] = []
    for _, ca, cb in ranked:
        if ca[0] not in used and ca[1] not in used:
            used.update(ca)
            merged.append((ca, cb))
    kept = [b for b in beads if not (len(b[0]) == 1 and len(b[1]) == 1 and b[0][0] in used)]
    return kept + merged


def _length_ratio(scorer: Scorer) -> float:
    """Characters of A per character of B over the two texts (a translation's typical length ratio)."""
    la = sum(len(t) for t in scorer.texts[: scorer.n_a])
    lb = sum(len(t) for t in scorer.texts[scorer.n_a :])
    return la / lb if la and lb else 1.0


def _length_misfit(scorer: Scorer, ga: Sequence[int], gb: Sequence[int], ratio: float) -> float:
    """|log| of the A side's length over the B side's, relative to the texts' ``ratio``."""
    la = sum(len(scorer.texts[i]) for i in ga)
    lb = sum(len(scorer.texts[scorer.n_a + j]) for j in gb)
    return abs(math.log(max(1, la) / (max(1, lb) * ratio)))


def link_monotonic(scorer: Scorer, cfg: AlignConfig) -> list[Bead]:
    """Links of the monotonic programme plus the moved blocks found among what it left (see the module)."""
    dense = scorer.dense()
    main = dp(scorer, cfg, dense, range(scorer.n_a), range(scorer.n_b), cfg.threshold)
    out = [b for b, _ in main]
    in_a = {i for ga, _ in out for i in ga}
    in_b = {j for _, gb in out for j in gb}
    rest_a = [i for i in range(scorer.n_a) if i not in in_a]
    rest_b = [j for j in range(scorer.n_b) if j not in in_b]
    if cfg.shift:
        out = shift_boundaries(scorer, cfg, out, dense)
    if not rest_a or not rest_b:
        return out
    moved = dp(scorer, cfg, dense, rest_a, rest_b, cfg.threshold)
    # runs: consecutive residual links whose sentences are neighbours (a gap of one allowed) on both sides
    k = 0
    while k < len(moved):
        e = k + 1
        while e < len(moved):
            (pa, pb), (na, nb) = moved[e - 1][0], moved[e][0]
            if 0 < na[0] - pa[-1] <= 2 and 0 < nb[0] - pb[-1] <= 2:
                e += 1
            else:
                break
        run = moved[k:e]
        if (len(run) >= cfg.moved_run and sum(s for _, s in run) / len(run) >= cfg.moved_threshold) or (
            len(run) == 1 and run[0][1] >= cfg.moved_single
        ):
            out.extend(b for b, _ in run)
        k = e
    return out
