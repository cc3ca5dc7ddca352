"""Group-level alignment evaluation: merged and split sentences, moved blocks, strict and lax F1.

The development set is built from WMT's segment-aligned versions (`build_merge_pairs`): consecutive documents
are chained into texts of at least ``min_units`` segments; per text three pair types — ``src_vs_ref`` (the source,
Russian in WMT21 ru-en, as side A against reference A), ``ref_vs_ref`` (reference B against reference A) and
``mt_vs_ref`` (one MT system, a seeded choice per document, against reference A). Both sides are edited with a
seeded RNG, segment by segment: neighbours merged on one side (link types 1–2, 2–1, 1–3, 3–1), a sentence split on
one side (2–1, 1–2), two sentences whose boundary sits elsewhere on one side (2–2), a sentence deleted on one
side (1–0, 0–1, gold unaligned). Every text gives a ``monotonic`` pair and a ``moved`` one (the same edits, then a
block of 2–4 units of side B moved elsewhere).

Gold groups are the connected components of the units that share a segment id; a unit with no partner is a
deletion. Figures follow vecalign's and bertalign's scorer: **strict** — a predicted group counts when it equals
a gold group exactly (deletions included on the precision side); **lax** — when it overlaps a gold group on both
sides; recall is computed the same way from the gold side, with predicted deletions left out (so a gold deletion
is never recalled, as in their scorer). Per link type (``"2-1"`` = two A units, one B unit), recall counts by the
gold group's type and precision by the predicted group's.
"""

from __future__ import annotations

import itertools
import random
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from samestory.align import AlignConfig, Alignment, align_texts
from samestory.embed.base import Encoder
from samestory.eval.align import _columns, _rng, _split
from samestory.eval.wmt import Document, Version

__all__ = [
    "MERGE_PAIR_TYPES",
    "GroupPair",
    "GroupScores",
    "build_merge_pairs",
    "evaluate_groups",
    "predicted_groups",
]

MERGE_PAIR_TYPES = ("src_vs_ref", "ref_vs_ref", "mt_vs_ref")

Bead = tuple[tuple[int, ...], tuple[int, ...]]
Unit = tuple[str, frozenset[str]]

# probability of each edit per segment (the rest stay 1-1)
_EDITS = (
    ("del_a", 0.04),
    ("del_b", 0.04),
    ("merge_b2", 0.07),  # 2-1
    ("merge_a2", 0.07),  # 1-2
    ("merge_b3", 0.02),  # 3-1
    ("merge_a3", 0.02),  # 1-3
    ("split_a", 0.04),  # 2-1
    ("split_b", 0.04),  # 1-2
    ("shift_a", 0.03),  # 2-2
)


@dataclass(frozen=True, slots=True)
class GroupPair:
    """Two unit lists with gold segment ids per unit, plus whether side B has a moved block."""

    doc_id: str
    pair_type: str
    moved: bool
    a: tuple[str, ...]
    b: tuple[str, ...]
    ids_a: tuple[frozenset[str], ...]
    ids_b: tuple[frozenset[str], ...]

    def gold(self) -> list[Bead]:
        """Gold groups (connected components of shared segment ids) and deletions, in order of A."""
        parent = list(range(len(self.a) + len(self.b)))

        def find(x: int) -> int:
            while parent[x] != x:
                parent[x] = parent[parent[x]]
                x = parent[x]
            return x

        by_id: dict[str, list[int]] = defaultdict(list)
        for i, ids in enumerate(self.ids_a):
            for s in ids:
                by_id[s].append(i)
        for j, ids in enumerate(self.ids_b):
            for s in ids:
                by_id[s].append(len(self.a) + j)
        for members in by_id.values():
            for x in members[1:]:
                parent[find(x)] = find(members[0])
        comps: dict[int, tuple[list[int], list[int]]] = {}
        for u in range(len(parent)):
            side = 0 if u < len(self.a) else 1
            comps.setdefault(find(u), ([], []))[side].append(u if side == 0 else u - len(self.a))
        return sorted(
            ((tuple(ga), tuple(gb)) for ga, gb in comps.values()), key=lambda g: (g[0] or (-1,), g[1])
        )

    def non_monotonic_steps(self, beads: Sequence[Bead]) -> int:
        """Links (in order of A) whose B side goes back before the previous link's: moved-block steps."""
        links = sorted((min(ga), min(gb)) for ga, gb in beads if ga and gb)
        return sum(1 for (_, y0), (_, y1) in itertools.pairwise(links) if y1 < y0)


def predicted_groups(alignment: Alignment) -> list[Bead]:
    """An alignment as groups plus one deletion per unaligned unit (vecalign's output format)."""
    beads: list[Bead] = [(g.a, g.b) for g in alignment.groups]
    beads += [((i,), ()) for i in alignment.unaligned_a]
    beads += [((), (j,)) for j in alignment.unaligned_b]
    return beads


def _kind(bead: Bead) -> str:
    return f"{len(bead[0])}-{len(bead[1])}"


def _match(gold: Sequence[Bead], test: Sequence[Bead]) -> list[tuple[str, bool, bool]]:
    """Per test bead: its type, whether it is in ``gold`` exactly, and whether it overlaps a gold group on both
    sides (vecalign's ``_precision``)."""
    gold_set = {g for g in gold if g[0] or g[1]}
    to_b: dict[int, set[int]] = defaultdict(set)
    for ga, gb in gold_set:
        for i in ga:
            to_b[i].update(gb)
    out = []
    for bead in test:
        if not bead[0] and not bead[1]:
            continue
        if bead in gold_set:
            out.append((_kind(bead), True, True))
            continue
        targets = {j for i in bead[0] for j in to_b[i]}
        out.append((_kind(bead), False, bool(targets & set(bead[1]))))
    return out


@dataclass(slots=True)
class GroupScores:
    """Strict and lax counts, overall and per link type (precision by predicted type, recall by gold type)."""

    pairs: int = 0
    p_strict: dict[str, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0]))
    p_lax: dict[str, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0]))
    r_strict: dict[str, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0]))
    r_lax: dict[str, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0]))
    steps_gold: int = 0
    steps_pred: int = 0

    def add(self, pair: GroupPair, alignment: Alignment) -> None:
        gold, test = pair.gold(), predicted_groups(alignment)
        self.pairs += 1
        self.steps_gold += pair.non_monotonic_steps(gold)
        self.steps_pred += pair.non_monotonic_steps(test)
        for kind, strict, lax in _match(gold, test):
            self.p_strict[kind][0 if strict else 1] += 1
            self.p_lax[kind][0 if lax else 1] += 1
        test_links = [t for t in test if t[0] and t[1]]
        for kind, strict, lax in _match(test_links, gold):
            self.r_strict[kind][0 if strict else 1] += 1
            self.r_lax[kind][0 if lax else 1] += 1

    @staticmethod
    def _prf(
        p: dict[str, list[int]], r: dict[str, list[int]], kinds: Iterable[str]
    ) -> tuple[float, float, float]:
        kinds = list(kinds)
        ptp = sum(p[k][0] for k in kinds if k in p)
        pn = ptp + sum(p[k][1] for k in kinds if k in p)
        rtp = sum(r[k][0] for k in kinds if k in r)
        rn = rtp + sum(r[k][1] for k in kinds if k in r)
        prec = ptp / pn if pn else 0.0
        rec = rtp / rn if rn else 0.0
        return prec, rec, (2 * prec * rec / (prec + rec) if prec + rec else 0.0)

    def to_dict(self) -> dict[str, Any]:
        kinds = sorted(set(self.p_strict) | set(self.r_strict))
        sp, sr, sf = self._prf(self.p_strict, self.r_strict, kinds)
        lp, lr, lf = self._prf(self.p_lax, self.r_lax, kinds)
        per_type = {}
        for k in kinds:
            n_gold = sum(self.r_strict[k]) if k in self.r_strict else 0
            n_pred = sum(self.p_strict[k]) if k in self.p_strict else 0
            per_type[k] = {
                "gold": n_gold,
                "predicted": n_pred,
                "strict_recall": round(self.r_strict[k][0] / n_gold, 4) if n_gold else None,
                "strict_precision": round(self.p_strict[k][0] / n_pred, 4) if n_pred else None,
            }
        return {
            "pairs": self.pairs,
            "strict": {"precision": round(sp, 4), "recall": round(sr, 4), "f1": round(sf, 4)},
            "lax": {"precision": round(lp, 4), "recall": round(lr, 4), "f1": round(lf, 4)},
            "non_monotonic_steps": {"gold": self.steps_gold, "predicted": self.steps_pred},
            "per_type": per_type,
        }


def _units(doc: Document, version: Version) -> list[Unit]:
    """Units of one version; segment ids carry the document id (chained texts repeat seg ids)."""
    return [(text, frozenset([f"{doc.id}#{sid}"])) for sid, text in version.segments if text.strip()]


def _chain(docs: Sequence[Document], min_units: int) -> list[list[Document]]:
    """Consecutive documents joined until each text has at least ``min_units`` source segments."""
    out: list[list[Document]] = []
    cur: list[Document] = []
    for d in docs:
        if not d.refs:
            continue
        cur.append(d)
        if sum(len(x.source.segments) for x in cur) >= min_units:
            out.append(cur)
            cur = []
    if cur:
        if out:
            out[-1].extend(cur)
        else:
            out.append(cur)
    return out


def _side_units(chain: Sequence[Document], kind: str, seed: int) -> tuple[list[Unit], list[Unit]] | None:
    a: list[Unit] = []
    b: list[Unit] = []
    for doc in chain:
        rng = _rng(seed, doc.id, kind, "version")
        if kind == "src_vs_ref":
            va, vb = doc.source, doc.refs[0]
        elif kind == "ref_vs_ref" and len(doc.refs) > 1:
            va, vb = doc.refs[1], doc.refs[0]
        elif kind == "mt_vs_ref" and doc.hyps:
            va, vb = doc.hyps[rng.randrange(len(doc.hyps))], doc.refs[0]
        else:
            return None
        a += _units(doc, va)
        b += _units(doc, vb)
    return a, b


def _pieces(text: str, rng: random.Random) -> tuple[str, str] | None:
    return _split(text, rng)


def edit_pair(a: Sequence[Unit], b: Sequence[Unit], rng: random.Random) -> tuple[list[Unit], list[Unit]]:
    """Seeded merges, splits, shifted boundaries and deletions on two segment-aligned unit lists."""
    by_id_b = {next(iter(ids)): (t, ids) for t, ids in b}
    seq = [(u, by_id_b[next(iter(u[1]))]) for u in a if next(iter(u[1])) in by_id_b]
    out_a: list[Unit] = []
    out_b: list[Unit] = []
    k = 0
    while k < len(seq):
        ua, ub = seq[k]
        r = rng.random()
        edit = None
        acc = 0.0
        for name, p in _EDITS:
            acc += p
            if r < acc:
                edit = name
                break
        size = 3 if edit in ("merge_a3", "merge_b3") else 2
        if edit and edit.startswith("merge") and k + size <= len(seq):
            group = seq[k : k + size]
            side = 0 if edit.startswith("merge_a") else 1
            merged = (" ".join(g[side][0] for g in group), frozenset().union(*(g[side][1] for g in group)))
            if side == 0:
                out_a.append(merged)
                out_b.extend(g[1] for g in group)
            else:
                out_a.extend(g[0] for g in group)
                out_b.append(merged)
            k += size
            continue
        if edit in ("split_a", "split_b"):
            side = 0 if edit == "split_a" else 1
            parts = _pieces(seq[k][side][0], rng)
            if parts is not None:
                ids = seq[k][side][1]
                pieces = [(parts[0], ids), (parts[1], ids)]
                if side == 0:
                    out_a.extend(pieces)
                    out_b.append(ub)
                else:
                    out_a.append(ua)
                    out_b.extend(pieces)
                k += 1
                continue
        if edit == "shift_a" and k + 2 <= len(seq):
            parts = _pieces(seq[k + 1][0][0], rng)
            if parts is not None:
                (ta, ia), (_, ib) = seq[k][0], seq[k + 1][0]
                out_a += [(f"{ta} {parts[0]}", ia | ib), (parts[1], ib)]
                out_b += [seq[k][1], seq[k + 1][1]]
                k += 2
                continue
        if edit == "del_a":
            out_b.append(ub)
        elif edit == "del_b":
            out_a.append(ua)
        else:
            out_a.append(ua)
            out_b.append(ub)
        k += 1
    return out_a, out_b


def move_block(units: Sequence[Unit], rng: random.Random) -> list[Unit]:
    """A block of 2–4 units moved to another place (at least its own length away)."""
    out = list(units)
    if len(out) < 8:
        return out
    size = rng.randint(2, 4)
    start = rng.randrange(len(out) - size + 1)
    block = out[start : start + size]
    del out[start : start + size]
    dest = rng.choice([p for p in range(len(out) + 1) if abs(p - start) >= size])
    out[dest:dest] = block
    return out


def build_merge_pairs(
    docs: Sequence[Document],
    *,
    seed: int = 0,
    min_units: int = 30,
    pair_types: Sequence[str] = MERGE_PAIR_TYPES,
) -> list[GroupPair]:
    """A monotonic and a moved-block pair per chained text and pair type (see the module docstring)."""
    pairs: list[GroupPair] = []
    for chain in _chain(docs, min_units):
        name = "+".join(d.id for d in chain)
        for kind in pair_types:
            sides = _side_units(chain, kind, seed)
            if sides is None:
                continue
            a, b = edit_pair(*sides, _rng(seed, name, kind, "edits"))
            if not a or not b:
                continue
            for moved in (False, True):
                bb = move_block(b, _rng(seed, name, kind, "move")) if moved else b
                pairs.append(GroupPair(name, kind, moved, *_columns(a, bb)))
    return pairs


def evaluate_groups(
    pairs: Iterable[GroupPair],
    *,
    encoder: Encoder | None = None,
    config: AlignConfig | None = None,
    aligner: Callable[[Sequence[str], Sequence[str]], Alignment] | None = None,
) -> dict[str, dict[str, Any]]:
    """Figures per pair type and ``all`` (keys of `GroupScores.to_dict`); ``aligner`` replaces `align_texts`."""
    scores: dict[str, GroupScores] = defaultdict(GroupScores)
    for pair in pairs:
        if aligner is not None:
            alignment = aligner(pair.a, pair.b)
        else:
            alignment = align_texts(pair.a, pair.b, encoder=encoder, config=config)
        for key in (pair.pair_type, "moved" if pair.moved else "monotonic", "all"):
            scores[key].add(pair, alignment)
    order = [*MERGE_PAIR_TYPES, "monotonic", "moved", "all"]
    return {k: scores[k].to_dict() for k in order if k in scores}
