"""Linking the mentions of a story's versions into claims (`samestory.claims`): a union-find over mention nodes,
and the exact groupings that stand for pairwise tests without trying every pair (equal values, one colour —
version or language — against the others, sentences that can reach `samestory.diff.QUOTE_LINK` overlap)."""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Mapping, Sequence

from samestory.diff import QUOTE_LINK

__all__ = [
    "Links",
    "Parts",
    "join_all",
    "join_parts",
    "join_within",
    "link_sentences",
    "link_values",
    "near_pairs",
    "overlap",
    "similar",
]


class Links:
    """Union-find over mention nodes (single link)."""

    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def join(self, i: int, j: int) -> None:
        ri, rj = self.find(i), self.find(j)
        if ri != rj:
            self.parent[max(ri, rj)] = min(ri, rj)

    def groups(self) -> list[list[int]]:
        out: dict[int, list[int]] = {}
        for i in range(len(self.parent)):
            out.setdefault(self.find(i), []).append(i)
        return list(out.values())


def overlap(x: frozenset[str], y: frozenset[str]) -> float:
    return 2 * len(x & y) / (len(x) + len(y)) if x and y else 0.0


def join_all(links: Links, nodes: Iterable[int]) -> None:
    it = iter(nodes)
    first = next(it, None)
    if first is not None:
        for i in it:
            links.join(first, i)


def join_within(links: Links, parts: Mapping[Hashable, Sequence[int]]) -> None:
    """Nodes (by colour: version or language, colour → nodes) each linked to all those of other colours: one
    group when there are two colours or more, no link otherwise."""
    if len(parts) > 1:
        join_all(links, (i for nodes in parts.values() for i in nodes))


def join_parts(
    links: Links, a: Mapping[Hashable, Sequence[int]], b: Mapping[Hashable, Sequence[int]]
) -> None:
    """The nodes of ``a`` each linked to those of ``b`` but of its own colour (colour → nodes): a complete
    bipartite graph less a matching of colours, whose pieces are joined. Nodes of one colour on one side have
    the same neighbours, so the colours stand for them: one colour on a side links every other colour of the
    other; {v, w} against {v, w} is two pieces (v with w, w with v); any other graph is connected."""
    if len(b) == 1:
        a, b = b, a
    if len(a) == 1:
        ((colour, mine),) = a.items()
        for other, theirs in b.items():
            if other != colour:
                join_all(links, (*mine, *theirs))
    elif len(a) == 2 and a.keys() == b.keys():
        v, w = a
        join_all(links, (*a[v], *b[w]))
        join_all(links, (*a[w], *b[v]))
    else:
        join_all(links, (i for side in (a, b) for nodes in side.values() for i in nodes))


def similar(sets: Sequence[frozenset[str]]) -> list[tuple[int, int]]:
    """The pairs ``(i, j)``, ``i < j``, of ``sets`` whose overlap (`overlap`) is at least `QUOTE_LINK`, found
    without trying every pair (prefix filtering, smallest sets first). Two sets x, y with Dice overlap >= t,
    |y| <= |x|, share I >= t·|x|/(2 - t) words and I >= t·|y|; so the first |x| - ⌈t·|x|/(2 - t)⌉ + 1 words
    of x and the first |y| - ⌈t·|y|⌉ + 1 words of y, rarest first, share one (both prefixes are at least as
    long as the first |·| - I + 1 words, which share one), and |y| >= t·|x|/(2 - t)."""
    t = QUOTE_LINK
    freq: dict[str, int] = {}
    for x in sets:
        for w in x:
            freq[w] = freq.get(w, 0) + 1
    index: dict[str, list[int]] = {}
    out: list[tuple[int, int]] = []
    for j in sorted((j for j, x in enumerate(sets) if x), key=lambda j: len(sets[j])):
        x = sets[j]
        n = len(x)
        ranked = sorted(x, key=lambda w: (freq[w], w))
        least = t * n / (2 - t) - 1e-9  # the fewest shared words, and the smallest partner
        seen: set[int] = set()
        for w in ranked[: n - max(1, math.ceil(least)) + 1]:
            for i in index.get(w, ()):
                if i not in seen:
                    seen.add(i)
                    if len(sets[i]) >= least and overlap(sets[i], x) >= t:
                        out.append((min(i, j), max(i, j)))
        for w in ranked[: n - max(1, math.ceil(t * n - 1e-9)) + 1]:
            index.setdefault(w, []).append(j)
    return sorted(out)


Parts = dict[Hashable, list[int]]  # colour (version or language) → node indices


def link_sentences(
    links: Links,
    sentences: Sequence[frozenset[str]],
    kinds: Sequence[Iterable[Hashable]],
    versions: Sequence[int],
    near: Sequence[tuple[frozenset[str], frozenset[str]]] | None = None,
) -> None:
    """Link nodes of other versions that share a kind (a context word, a kind of date) and stand in sentences
    that overlap by `QUOTE_LINK` or more (the same sentence included). ``near``: the pairs of overlapping
    sentences (`near_pairs`) when the caller has them, for these sentences or more."""
    where: dict[frozenset[str], dict[Hashable, Parts]] = {}
    for i, (sentence, ks) in enumerate(zip(sentences, kinds, strict=True)):
        if sentence:
            by_kind = where.setdefault(sentence, {})
            for k in dict.fromkeys(ks):
                by_kind.setdefault(k, {}).setdefault(versions[i], []).append(i)
    distinct = list(where)
    for s in distinct:
        for parts in where[s].values():
            join_within(links, parts)
    for a, b in near_pairs(distinct) if near is None else near:
        x, y = where.get(a), where.get(b)
        if x is not None and y is not None:
            for k in x.keys() & y.keys():
                join_parts(links, x[k], y[k])


def near_pairs(sentences: Sequence[frozenset[str]]) -> list[tuple[frozenset[str], frozenset[str]]]:
    """The pairs of distinct ``sentences`` that overlap by `QUOTE_LINK` or more (`similar`)."""
    distinct = list(dict.fromkeys(sentences))
    return [(distinct[i], distinct[j]) for i, j in similar(distinct)]


def link_values(links: Links, groups: Iterable[Mapping[float, Parts]]) -> None:
    """Link nodes of other colours with equal values (within 1e-9) in each group (value → colour → nodes)."""
    for by_value in groups:
        values = sorted(by_value)
        for k, v in enumerate(values):
            if abs(v - v) < 1e-9:  # not for an infinite value (an absurdly long number)
                join_within(links, by_value[v])
            for w in values[k + 1 :]:
                if not w - v < 1e-9:
                    break
                join_parts(links, by_value[v], by_value[w])
