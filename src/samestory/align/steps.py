"""The linking steps of the aligner, in the order `link` runs them, over one `Links` state.

1. `link_best_first`: links taken best-first over the candidates (1–1, and 1–2 / 2–1 for two neighbours that read
   as one cut sentence), each ranked by its score plus a bonus for diagonal neighbours that also match; no
   order is assumed, so a moved paragraph is found like any other.
2. `drop_isolated`: weak links with no linked neighbour near their partner are chance matches.
3. `join_pieces`: pieces of cut sentences join the group they complete best, near or far.
4. `fill_gaps` and `fill_windows`: unaligned sentences between linked, in-order neighbours are linked on lower
   thresholds (position is evidence too).
5. `merge_neighbours`: an unaligned neighbour joins a group when the merged text matches better, its length fits
   the other side better, or it matches a sentence inside the other side's passage.
6. `join_far_fragments`: a sentence that matches a distant group's other side well on its own joins it.

With ``AlignConfig.monotonic`` (encoder mode) `samestory.align.monotonic.link_monotonic` replaces steps 1 and 2;
steps 3–6 repair its links as they do the best-first ones.
"""

from __future__ import annotations

import bisect
import math
import re
from collections.abc import Callable, Sequence

from samestory.align.config import AlignConfig
from samestory.align.monotonic import continues, link_monotonic
from samestory.align.score import Scorer

__all__ = ["Links", "continues", "link"]

Candidates = dict[tuple[int, int], float]
Ranked = tuple[float, tuple[int, ...], tuple[int, ...]]

_FINAL = re.compile(r"[.!?…\"'»”)\]]\s*$")


def _fragment(text: str, level: int) -> bool:
    """Whether ``text`` reads as a piece of a sentence cut in two (see `AlignConfig.fragments`)."""
    t = text.strip()
    if not t or level <= 0:
        return False
    return continues("", t) or (level >= 2 and t[-1] in ",;")


class Links:
    """Groups under construction: ``members[g]`` = (A units, B units); ``owner[side][unit]`` = its group."""

    def __init__(self) -> None:
        self.members: list[tuple[list[int], list[int]]] = []
        self.owner: tuple[dict[int, int], dict[int, int]] = ({}, {})

    def add(self, ga: Sequence[int], gb: Sequence[int]) -> None:
        g = len(self.members)
        self.members.append((list(ga), list(gb)))
        for i in ga:
            self.owner[0][i] = g
        for j in gb:
            self.owner[1][j] = g

    def join(self, g: int, side: int, u: int) -> None:
        self.members[g][side].append(u)
        self.members[g][side].sort()
        self.owner[side][u] = g

    def keep(self, groups: Sequence[tuple[list[int], list[int]]]) -> None:
        self.members = []
        self.owner = ({}, {})
        for ga, gb in groups:
            self.add(ga, gb)

    def merged_score(self, scorer: Scorer, g: int, side: int, u: int) -> float:
        """The score of group ``g`` with unit ``u`` added on ``side``."""
        ga, gb = self.members[g]
        return scorer.score(sorted([*ga, u]), gb) if side == 0 else scorer.score(ga, sorted([*gb, u]))


def link(scorer: Scorer, cfg: AlignConfig, texts_a: Sequence[str], texts_b: Sequence[str]) -> Links:
    """Groups of A and B sentences found by the steps above, in that order."""
    texts = (texts_a, texts_b)
    cands = scorer.candidates()
    if cfg.monotonic:
        # the programme replaces the best-first linking; the repairs below run on its links as on theirs
        links = Links()
        for ga, gb in link_monotonic(scorer, cfg):
            links.add(ga, gb)
    else:
        links = link_best_first(scorer, cfg, cands, texts)
        if cfg.isolated_max > 0.0:
            drop_isolated(scorer, cfg, links)
    frags = (
        {i for i, t in enumerate(texts_a) if i and _fragment(t, cfg.fragments)},
        {j for j, t in enumerate(texts_b) if j and _fragment(t, cfg.fragments)},
    )
    if cfg.fragments:
        join_pieces(scorer, cfg, cands, links, frags, texts)
    fill_gaps(scorer, cfg, links, frags)
    fill_windows(scorer, cfg, links, frags)
    merge_neighbours(scorer, cfg, links, texts)
    if cfg.fragment_min <= 1.0:
        join_far_fragments(scorer, cfg, cands, links)
    if cfg.trim:
        trim_groups(scorer, links, texts, cfg.trim_pieces)
    return links


def link_best_first(
    scorer: Scorer, cfg: AlignConfig, cands: Candidates, texts: tuple[Sequence[str], Sequence[str]]
) -> Links:
    """Links taken best-first by (score + ``context_weight`` × the best diagonal neighbour's score)."""

    def ctx(i: int, j: int) -> float:
        around = []
        for di in (-1, 1):
            ii, jj = i + di, j + di
            if 0 <= ii < scorer.n_a and 0 <= jj < scorer.n_b:
                around.append(cands.get((ii, jj), 0.0))
        return max(around, default=0.0)

    ranked: list[Ranked] = [(s + cfg.context_weight * ctx(i, j), (i,), (j,)) for (i, j), s in cands.items()]
    if cfg.piece_pairs:
        ranked += _piece_candidates(scorer, cfg, cands, texts, ctx)
    ranked.sort(key=lambda x: (-x[0], x[1], x[2]))
    links = Links()
    owner_a, owner_b = links.owner
    for boosted, ta, tb in ranked:
        if boosted < cfg.threshold:
            break
        if any(i in owner_a for i in ta) or any(j in owner_b for j in tb):
            continue
        if boosted < max(scorer.needed(i, j, cfg.threshold) for i in ta for j in tb):
            continue
        if cfg.link_length_cost and boosted < cfg.threshold + cfg.link_length_cost * max(
            0.0, _log_ratio(texts, ta, 0, tb) - cfg.link_length_free
        ):
            continue
        links.add(ta, tb)
    return links


def _piece_candidates(
    scorer: Scorer,
    cfg: AlignConfig,
    cands: Candidates,
    texts: tuple[Sequence[str], Sequence[str]],
    ctx: Callable[[int, int], float],
) -> list[Ranked]:
    """1–2 and 2–1 candidates for two neighbours that read as one sentence cut in two (the first ends without
    final punctuation, the second starts in lower case), against the partner candidates of either half."""
    out: list[Ranked] = []
    for side in (0, 1):
        lines = texts[side]
        base = 0 if side == 0 else scorer.n_a
        for k in range(len(lines) - 1):
            if not continues(lines[k], lines[k + 1]) or _FINAL.search(lines[k].strip()):
                continue
            if scorer.short[base + k] or scorer.short[base + k + 1]:  # "Read more:" + a lower-case line
                continue
            pair = (k, k + 1)
            others = sorted({(j if side == 0 else i) for (i, j) in cands if (i if side == 0 else j) in pair})
            for o in others:
                if side == 0:
                    boost = max(ctx(k, o), ctx(k + 1, o))
                    out.append((scorer.score(pair, [o]) + cfg.context_weight * boost, pair, (o,)))
                else:
                    boost = max(ctx(o, k), ctx(o, k + 1))
                    out.append((scorer.score([o], pair) + cfg.context_weight * boost, (o,), pair))
    return out


def drop_isolated(scorer: Scorer, cfg: AlignConfig, links: Links) -> None:
    """Drop links below ``isolated_max`` with no linked neighbour (within ``isolated_reach`` on the A side) whose
    partner lies near their own partner: chance matches, not a moved passage (moved blocks are 2+ sentences)."""
    r = cfg.isolated_reach
    owner_a = links.owner[0]
    keep: list[tuple[list[int], list[int]]] = []
    for ga, gb in links.members:
        i, j = ga[0], gb[0]
        if scorer.score(ga, gb) < cfg.isolated_max:
            near = (
                links.members[owner_a[x]][1][0] for x in range(i - r, i + r + 1) if x != i and x in owner_a
            )
            if not any(abs(y - j) <= r for y in near):
                continue
        keep.append((ga, gb))
    links.keep(keep)


def join_pieces(
    scorer: Scorer,
    cfg: AlignConfig,
    cands: Candidates,
    links: Links,
    frags: tuple[set[int], set[int]],
    texts: tuple[Sequence[str], Sequence[str]],
) -> None:
    """A piece of a cut sentence joins the group whose score it raises most, among the groups of its near
    neighbours and of its candidate partners (the cut may have moved away). With ``piece_head``, a tail whose
    head (the unit before it, ending without final punctuation) is linked looks no further than its near
    neighbours' groups: the head's group is where it belongs (`merge_neighbours` may still join it there)."""
    partners: dict[tuple[int, int], set[int]] = {}
    for i, j in cands:
        partners.setdefault((0, i), set()).add(j)
        partners.setdefault((1, j), set()).add(i)
    for side in (0, 1):
        owner, other_owner = links.owner[side], links.owner[1 - side]
        n = scorer.n_a if side == 0 else scorer.n_b
        for u in sorted(frags[side]):
            if u in owner:
                continue
            near = {owner[x] for x in (u - 2, u - 1, u + 1, u + 2) if x in owner and 0 <= x < n}
            far = {other_owner[v] for v in partners.get((side, u), ()) if v in other_owner}
            if cfg.piece_head and u - 1 in owner and _tail_of(texts[side], u):
                far = set()
            best: tuple[float, int] | None = None
            for g in sorted(near | far):
                gain = links.merged_score(scorer, g, side, u) - scorer.score(*links.members[g])
                if gain > cfg.piece_margin and (best is None or gain > best[0]):
                    best = (gain, g)
            if best is not None:
                links.join(best[1], side, u)


def fill_gaps(scorer: Scorer, cfg: AlignConfig, links: Links, frags: tuple[set[int], set[int]]) -> None:
    """Two unaligned sentences diagonally next to a linked pair are linked on ``fill_threshold`` (on
    ``sandwich_threshold`` when linked pairs are on both sides)."""
    owner_a, owner_b = links.owner
    changed = True
    while changed:
        changed = False
        for i in range(scorer.n_a):
            if i in owner_a or i in frags[0]:
                continue
            for di in (-1, 1):
                g = owner_a.get(i + di)
                if g is None:
                    continue
                gb = links.members[g][1]
                j = (max(gb) + 1) if di == -1 else (min(gb) - 1)
                if not 0 <= j < scorer.n_b or j in owner_b or j in frags[1]:
                    continue
                other = owner_a.get(i - di)
                sandwiched = other is not None and owner_b.get(j - di) == other
                threshold = cfg.sandwich_threshold if sandwiched else cfg.fill_threshold
                if scorer.score([i], [j]) >= scorer.needed(i, j, threshold):
                    links.add([i], [j])
                    changed = True
                    break


def fill_windows(scorer: Scorer, cfg: AlignConfig, links: Links, frags: tuple[set[int], set[int]]) -> None:
    """An unaligned sentence between two linked ones whose partners are in order takes the best unaligned
    sentence between those partners (drops and debris make such gaps longer than one)."""
    owner_a, owner_b = links.owner
    linked = sorted(owner_a)
    for i in range(scorer.n_a):
        if i in owner_a or i in frags[0]:
            continue
        k = bisect.bisect_left(linked, i)
        if k == 0 or k == len(linked):
            continue
        lo = max(links.members[owner_a[linked[k - 1]]][1])
        hi = min(links.members[owner_a[linked[k]]][1])
        window = [j for j in range(lo + 1, hi) if j not in owner_b and j not in frags[1]]
        if not window or hi - lo > cfg.window + 1:
            continue
        score, j = max((scorer.score([i], [j]), -j) for j in window)
        j = -j
        if score > 0.0 and score >= scorer.needed(i, j, cfg.window_threshold):
            links.add([i], [j])


def merge_neighbours(
    scorer: Scorer, cfg: AlignConfig, links: Links, texts: tuple[Sequence[str], Sequence[str]]
) -> None:
    """Merges and splits: an unaligned sentence joins the neighbouring group (next to it, or across one
    unaligned sentence: a merge around a dropped one) it fits best, when the merged text matches better."""
    changed = True
    while changed:
        changed = False
        for side in (0, 1):
            n = scorer.n_a if side == 0 else scorer.n_b
            owner = links.owner[side]
            for u in range(n):
                if u in owner:
                    continue
                best: tuple[float, int] | None = None
                reach = [u - 1, u + 1] + [u + 2 * d for d in (-1, 1) if u + d not in owner and 0 <= u + d < n]
                for nb in reach:
                    g = owner.get(nb)
                    if g is None:
                        continue
                    gain = links.merged_score(scorer, g, side, u) - scorer.score(*links.members[g])
                    if _joins(scorer, cfg, links, texts, side, u, nb, g, gain) and (
                        best is None or gain > best[0]
                    ):
                        best = (gain, g)
                if best is not None:
                    links.join(best[1], side, u)
                    changed = True


def _joins(
    scorer: Scorer,
    cfg: AlignConfig,
    links: Links,
    texts: tuple[Sequence[str], Sequence[str]],
    side: int,
    u: int,
    nb: int,
    g: int,
    gain: float,
) -> bool:
    """Whether unit ``u`` (on ``side``) may join group ``g`` (which holds its neighbour ``nb``)."""
    ga, gb = links.members[g]
    n_a = scorer.n_a
    if side == 0:
        own = max(scorer.score([u], gb), scorer.coverage(u, [n_a + j for j in gb]))
    else:
        own = max(scorer.score(ga, [u]), scorer.coverage(n_a + u, ga))
    # only the pieces of one cut sentence join each other's group this easily
    mine = ga if side == 0 else gb
    # a head joins only a group that starts with its tail: one that starts earlier has its head
    rest = (nb == u - 1 and continues("", texts[side][u])) or (
        (u > nb or min(mine) == nb) and _cut_pair(scorer, texts[side], side, nb, u)
    )
    mine, theirs = (ga, gb) if side == 0 else (gb, ga)
    n_mine = sum(len(texts[side][x]) for x in mine)
    n_theirs = sum(len(texts[1 - side][x]) for x in theirs)
    before = abs(math.log((n_mine + 1) / (n_theirs + 1)))
    after = abs(math.log((n_mine + len(texts[side][u]) + 1) / (n_theirs + 1)))
    # a cut piece needs no score of its own (a four-word head embeds far from its whole translation)
    worse = 0.0 if rest else cfg.length_cost * max(0.0, after - before)
    if gain - worse > (cfg.continuation_margin if rest else cfg.join_margin) and (
        rest or own >= cfg.join_own
    ):
        return True
    if own >= cfg.join_min:
        return True
    # the merged text's length fits the other side much better (a merge whose words were paraphrased away)
    if cfg.length_fit > 0.0 and gain > -cfg.length_drop and before - after >= cfg.length_fit:
        return True
    return cfg.inner_min <= 1.0 and _inner_fit(scorer, cfg, side, u, ga, gb)


def _cut_pair(scorer: Scorer, lines: Sequence[str], side: int, x: int, y: int) -> bool:
    """Whether unit ``y`` may join the group of unit ``x`` (one side) as the other piece of one sentence cut in two, with only short lines (page
    debris, "Advertisement") between them: the earlier ends without final punctuation, the later starts in lower
    case."""
    lo, hi = min(x, y), max(x, y)
    base = 0 if side == 0 else scorer.n_a
    # the tail may be short ("begin their work."): page lines do not start in lower case; a short head may be one
    if scorer.short[base + lo] or _FINAL.search(lines[lo].strip()):
        return False
    if not continues(lines[lo], lines[hi]):
        return False
    prev = next((k for k in range(lo - 1, -1, -1) if not scorer.short[base + k]), None)
    if y == lo and prev is not None and not _FINAL.search(lines[prev].strip()):
        # a head joining its tail must start a sentence: a line that follows an unfinished one (short lines
        # skipped) is more likely a page line inserted into a cut sentence ("Follow us on Twitter") than its head
        return False
    return all(scorer.short[base + k] for k in range(lo + 1, hi))


def _inner_fit(scorer: Scorer, cfg: AlignConfig, side: int, u: int, ga: list[int], gb: list[int]) -> bool:
    """Whether unit ``u`` (on ``side``) matches a sentence inside the group's other side that the group's own
    units on ``u``'s side do not explain: the other version made one passage of the two."""
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


def join_far_fragments(scorer: Scorer, cfg: AlignConfig, cands: Candidates, links: Links) -> None:
    """Split pieces moved away from their other half: an unaligned sentence joins a group none of whose
    sentences is within ``fragment_reach`` when it scores ``fragment_min`` on its own against its other side."""
    for side in (0, 1):
        owner, other_owner = links.owner[side], links.owner[1 - side]
        best_of: dict[int, tuple[float, int]] = {}
        for i, j in cands:
            u, v = (i, j) if side == 0 else (j, i)
            if u in owner or v not in other_owner:
                continue
            g = other_owner[v]
            ga, gb = links.members[g]
            mine = ga if side == 0 else gb
            if min(abs(x - u) for x in mine) <= cfg.fragment_reach:
                continue
            own = scorer.score([u], gb) if side == 0 else scorer.score(ga, [u])
            if own >= cfg.fragment_min and (u not in best_of or (own, -g) > (best_of[u][0], -best_of[u][1])):
                best_of[u] = (own, g)
        for u in sorted(best_of):
            links.join(best_of[u][1], side, u)


def _log_ratio(
    texts: tuple[Sequence[str], Sequence[str]], mine: Sequence[int], side: int, theirs: Sequence[int]
) -> float:
    """|log| of the character-length ratio of units ``mine`` (on ``side``) to units ``theirs`` (other side)."""
    n_mine = sum(len(texts[side][x]) for x in mine)
    n_theirs = sum(len(texts[1 - side][x]) for x in theirs)
    return abs(math.log((n_mine + 1) / (n_theirs + 1)))


def trim_groups(
    scorer: Scorer, links: Links, texts: tuple[Sequence[str], Sequence[str]], pieces: bool = False
) -> None:
    """A unit leaves its group (unaligned) when the group scores more without it *and* the two sides' lengths
    fit better without it: it was linked or merged in place of a sentence the other version dropped (a
    headline next to its lead, a neighbour sharing the topic). With ``pieces``, a piece of a sentence cut in
    two whose other piece is in the group stays (`_cut_within`)."""
    for (
        ga,
        gb,
    ) in links.members:  # a removal changes only its own group's scores: one pass, each group to a fixpoint
        changed = True
        while changed:
            changed = False
            for side, mine, theirs in ((0, ga, gb), (1, gb, ga)):
                if len(mine) < 2:
                    continue
                full = scorer.score(ga, gb)
                ratio = _log_ratio(texts, mine, side, theirs)
                best: tuple[float, int] | None = None
                for u in mine:
                    if pieces and _cut_within(texts[side], mine, u):
                        continue
                    rest = [x for x in mine if x != u]
                    without = scorer.score(rest, gb) if side == 0 else scorer.score(ga, rest)
                    fits = without > full and _log_ratio(texts, rest, side, theirs) < ratio
                    if fits and (best is None or without > best[0]):
                        best = (without, u)
                if best is not None:
                    mine.remove(best[1])
                    del links.owner[side][best[1]]
                    changed = True


def _tail_of(lines: Sequence[str], u: int) -> bool:
    """Whether unit ``u`` reads as the rest of the unit before it (which ends without final punctuation)."""
    return u > 0 and not _FINAL.search(lines[u - 1].strip()) and continues(lines[u - 1], lines[u])


def _cut_within(lines: Sequence[str], mine: Sequence[int], u: int) -> bool:
    """Whether unit ``u`` and a neighbour of it in ``mine`` read as one sentence cut in two: the earlier ends
    without final punctuation, the later starts in lower case."""
    for lo, hi in ((u - 1, u), (u, u + 1)):
        if (
            lo in mine
            and hi in mine
            and not _FINAL.search(lines[lo].strip())
            and continues(lines[lo], lines[hi])
        ):
            return True
    return False
