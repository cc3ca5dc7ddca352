"""Structured differences between two aligned versions: only-in content, debris, quotes, names, numbers, dates.

Statuses: quotes ``same`` / ``reworded`` / ``only_a`` / ``only_b``; names ``same`` / ``variant`` / ``only_a`` /
``only_b``; numbers and dates ``agree`` / ``conflict`` / ``only_a`` / ``only_b``. A conflict is two quantities of the
same kind (a shared context word, e.g. "killed") in aligned sentences that differ ("130 killed" / "129 killed").
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein

from samestory.align import Alignment, tokens
from samestory.article import Article
from samestory.text.mentions import (
    DateMention,
    NameMention,
    NumberMention,
    capitalised_mid_sentence,
    dates,
    group_names,
    name_key,
    names,
    numbers,
    quotes,
)

__all__ = ["Change", "Diff", "Entity", "Locator", "dice", "diff", "same_wording", "surname_key"]


@dataclass(frozen=True, slots=True)
class Change:
    """One quote, name, number or date compared across the versions (``a`` or ``b`` is None when absent)."""

    type: str
    a: str | None
    b: str | None
    status: str
    a_sentences: tuple[int, ...] = ()
    b_sentences: tuple[int, ...] = ()
    detail: str = ""
    changed: tuple[tuple[str, str], ...] = ()
    """For a name ``variant``: the words one side spells differently, as (A's, B's) pairs."""

    def to_dict(self) -> dict[str, object]:
        out: dict[str, object] = {
            "type": self.type,
            "a": self.a,
            "b": self.b,
            "status": self.status,
            "a_sentences": list(self.a_sentences),
            "b_sentences": list(self.b_sentences),
            "detail": self.detail,
        }
        if self.type == "name":
            out["changed"] = [list(p) for p in self.changed]
        return out


@dataclass(frozen=True, slots=True)
class Entity:
    """One named entity and the ways each version writes it."""

    variants_a: tuple[str, ...]
    variants_b: tuple[str, ...]
    status: str
    changed: tuple[tuple[str, str], ...] = ()
    """The words one side spells differently, as (A's, B's) pairs ("Financial" / "Financijal")."""

    @property
    def label(self) -> str:
        return max((*self.variants_a, *self.variants_b), key=lambda v: (len(v.split()), len(v)))

    def to_dict(self) -> dict[str, object]:
        return {
            "name": self.label,
            "a": list(self.variants_a),
            "b": list(self.variants_b),
            "status": self.status,
            "changed": [list(p) for p in self.changed],
        }


@dataclass(frozen=True, slots=True)
class Diff:
    """What each version has alone (content and debris, as sentence indices) and the changes in mentions."""

    only_in_a: tuple[int, ...]
    only_in_b: tuple[int, ...]
    debris_a: tuple[int, ...]
    debris_b: tuple[int, ...]
    changes: tuple[Change, ...]
    entities: tuple[Entity, ...]


class Locator:
    """Maps character offsets of an article to sentence indices; knows which sentences are debris."""

    def __init__(self, article: Article) -> None:
        self.article = article
        self.starts = [s.start for s in article.sentences]
        self.debris = {s.index for s in article.sentences if s.debris}

    def sentences(self, start: int, end: int) -> tuple[int, ...]:
        sents = self.article.sentences
        if not sents:
            return ()
        first = max(0, bisect.bisect_right(self.starts, start) - 1)
        stop = max(first + 1, bisect.bisect_left(self.starts, max(end, start + 1)))
        out = [s.index for s in sents[first:stop] if s.end > start]
        return tuple(out) or (sents[first].index,)

    def content(self, start: int, end: int) -> tuple[int, ...] | None:
        """Sentences of the span, or None when they are all debris."""
        idx = self.sentences(start, end)
        return idx if any(i not in self.debris for i in idx) else None


def _partners(alignment: Alignment) -> tuple[dict[int, int], dict[int, int]]:
    ga: dict[int, int] = {}
    gb: dict[int, int] = {}
    for n, g in enumerate(alignment.groups):
        for i in g.a:
            ga[i] = n
        for j in g.b:
            gb[j] = n
    return ga, gb


def dice(x: str, y: str) -> float:
    """Dice overlap of the word stems of two texts (0 when either has none)."""
    tx, ty = set(tokens(x)), set(tokens(y))
    return 2 * len(tx & ty) / (len(tx) + len(ty)) if tx and ty else 0.0


#: quotes (or sentences) overlapping at least this much (`dice`) may be one quote in other words
QUOTE_LINK = 0.5


def same_wording(x: str, y: str) -> bool:
    """Whether two quotes say the same in the same words (near-equal word stems)."""
    return fuzz.ratio(" ".join(tokens(x, 20)), " ".join(tokens(y, 20))) >= 90


def surname_key(name: str) -> str:
    """The last word of a name's comparable form: spellings of one entity that differ here are variants
    ("de Villiers" / "de Villje"), those that agree are one spelling ("Pierre de Villiers" / "de Villiers")."""
    words = name_key(name).split()
    return words[-1] if words else ""


def _quote_changes(a: Article, b: Article, la: Locator, lb: Locator, alignment: Alignment) -> list[Change]:
    ga, gb = _partners(alignment)
    qa = [(q, s) for q in quotes(a.text) if (s := la.content(q.start, q.end)) is not None]
    qb = [(q, s) for q in quotes(b.text) if (s := lb.content(q.start, q.end)) is not None]
    cands: list[tuple[float, int, int]] = []
    for i, (x, sx) in enumerate(qa):
        groups_x = {ga[k] for k in sx if k in ga}
        for j, (y, sy) in enumerate(qb):
            linked = bool(groups_x & {gb[k] for k in sy if k in gb})
            d = dice(x.text, y.text)
            if linked or d >= QUOTE_LINK:
                cands.append((d + (1.0 if linked else 0.0), i, j))
    used_a: set[int] = set()
    used_b: set[int] = set()
    out: list[Change] = []
    for _score, i, j in sorted(cands, key=lambda c: (-c[0], c[1], c[2])):
        if i in used_a or j in used_b:
            continue
        used_a.add(i)
        used_b.add(j)
        (x, sx), (y, sy) = qa[i], qb[j]
        status = "same" if same_wording(x.text, y.text) else "reworded"
        out.append(Change("quote", x.text, y.text, status, sx, sy))
    out += [Change("quote", q.text, None, "only_a", s) for i, (q, s) in enumerate(qa) if i not in used_a]
    out += [Change("quote", None, q.text, "only_b", (), s) for j, (q, s) in enumerate(qb) if j not in used_b]
    return out


_MIN_LINK_LEN = 4  # shorter words ("Kim" / "Kiy") are too alike by chance to be linked on spelling alone


_DERIVED = (
    "n",
    "an",
    "ian",
    "ns",
    "s",
)  # "Russia" / "Russian", "Korea" / "Koreans": other words, not spellings


def _close_words(x: str, y: str, slack: int = 0) -> bool:
    """Two (transliterated, lower-case) name words one misspelling apart: the same first letter, and one edit
    between words of up to five letters or two between longer ones ("moscow" / "moscaw", "pyotr" / "pyotie",
    "angola" / "angolie"; "austria" / "australia" too, which is why linking needs aligned context), ``slack``
    edits more where the context says they fill the same slot. A word and its derivation ("russia" /
    "russian") are not spellings of one word."""
    if x == y or x[:1] != y[:1] or min(len(x), len(y)) < _MIN_LINK_LEN:
        return False
    short, long_ = sorted((x, y), key=len)
    if long_.startswith(short) and long_[len(short) :] in _DERIVED:
        return False
    limit = (1 if len(short) <= 4 else 2) + slack
    return Levenshtein.distance(x, y, score_cutoff=limit) <= limit


def _words(spellings: Sequence[str]) -> dict[str, str]:
    """The comparable words of a side's spellings (transliterated, lower case) to their first surface form."""
    out: dict[str, str] = {}
    for v in spellings:
        for w in v.split():
            for k in name_key(w).split():
                out.setdefault(k, w.removesuffix("'s").removesuffix("’s"))
    return out


def _changed_words(va: Sequence[str], vb: Sequence[str]) -> tuple[tuple[str, str], ...]:
    """Word pairs that one side spells differently ("Financial" / "Financijal"): a word of one side that the
    other lacks, one misspelling from a word that the other has alone."""
    wa, wb = _words(va), _words(vb)
    only_a = [k for k in wa if k not in wb]
    only_b = [k for k in wb if k not in wa]
    out: list[tuple[str, str]] = []
    used: set[str] = set()
    for x in only_a:
        y = next((y for y in only_b if y not in used and _close_words(x, y)), None)
        if y is not None:
            used.add(y)
            out.append((wa[x], wb[y]))
    return tuple(out)


def _slots(
    text: str, mentions: Sequence[NameMention], loc: Locator, part: dict[int, int]
) -> dict[str, set[str]]:
    """Per spelling, its slots: the aligned group and the word just before or just after the mention."""
    out: dict[str, set[str]] = {}
    for n in mentions:
        before = tokens(text[max(0, n.start - 30) : n.start])[-1:]
        after = tokens(text[n.end : n.end + 30])[:1]
        for g in (part[i] for i in loc.sentences(n.start, n.end) if i in part):
            out.setdefault(n.text, set()).update(f"{g}<{w}" for w in before)
            out[n.text].update(f"{g}>{w}" for w in after)
    return out


def _link_in_context(
    clusters: list[tuple[tuple[str, ...], tuple[str, ...]]],
    where_a: dict[str, list[int]],
    where_b: dict[str, list[int]],
    slots: tuple[dict[str, set[str]], dict[str, set[str]]],
    alignment: Alignment,
) -> list[tuple[tuple[str, ...], tuple[str, ...]]]:
    """Join an entity of A alone with one of B alone when they are written one misspelling apart in aligned
    sentences (the same passage of the story), as MT garbles a name ("Angola" / "Angolie"): each B entity
    joins the A entity closest in spelling; one edit more is allowed where the two fill the same slot (the
    same word before or after them in aligned sentences). Names never in aligned sentences stay apart."""
    ga, gb = _partners(alignment)
    groups_a = [{ga[i] for v in va for i in where_a[v] if i in ga} for va, _ in clusters]
    groups_b = [{gb[j] for v in vb for j in where_b[v] if j in gb} for _, vb in clusters]
    slot_a = [set().union(*(slots[0].get(v, set()) for v in va)) for va, _ in clusters]
    slot_b = [set().union(*(slots[1].get(v, set()) for v in vb)) for _, vb in clusters]
    words = [(set(_words(va)), set(_words(vb))) for va, vb in clusters]
    a_only = [n for n, (va, vb) in enumerate(clusters) if va and not vb]
    by_group: dict[int, list[int]] = {}
    for n in a_only:
        for g in groups_a[n]:
            by_group.setdefault(g, []).append(n)
    partner: dict[int, int] = {}
    for m, (va, vb) in enumerate(clusters):
        if va or not vb:
            continue
        best: tuple[int, int] | None = None
        for n in sorted({n for g in groups_b[m] for n in by_group.get(g, ())}):
            slack = 1 if slot_a[n] & slot_b[m] else 0
            pairs = [(x, y) for x in words[n][0] for y in words[m][1] if _close_words(x, y, slack)]
            if not pairs:
                continue
            cost = min(Levenshtein.distance(x, y) for x, y in pairs)
            if best is None or cost < best[0]:
                best = (cost, n)
        if best is not None:
            partner[m] = best[1]
    joined: dict[int, list[int]] = {}
    for m, n in partner.items():
        joined.setdefault(n, []).append(m)
    gone = set(partner)
    out: list[tuple[tuple[str, ...], tuple[str, ...]]] = []
    for n, (va, vb) in enumerate(clusters):
        if n in gone:
            continue
        extra = tuple(v for m in joined.get(n, ()) for v in clusters[m][1])
        out.append((va, vb + extra))
    return out


def _entities(
    a: Article, b: Article, la: Locator, lb: Locator, alignment: Alignment
) -> tuple[list[Entity], list[Change]]:
    known = capitalised_mid_sentence(a.text) | capitalised_mid_sentence(b.text)
    ma = [n for n in names(a.text, known) if la.content(n.start, n.end) is not None]
    mb = [n for n in names(b.text, known) if lb.content(n.start, n.end) is not None]
    where_a: dict[str, list[int]] = {}
    where_b: dict[str, list[int]] = {}
    for n in ma:
        where_a.setdefault(n.text, []).extend(la.sentences(n.start, n.end))
    for n in mb:
        where_b.setdefault(n.text, []).extend(lb.sentences(n.start, n.end))
    clusters = [
        (tuple(v for v in cluster if v in where_a), tuple(v for v in cluster if v in where_b))
        for cluster in group_names([*where_a, *where_b])
    ]
    entities: list[Entity] = []
    changes: list[Change] = []
    ga, gb = _partners(alignment)
    slots = (_slots(a.text, ma, la, ga), _slots(b.text, mb, lb, gb))
    for va, vb in _link_in_context(clusters, where_a, where_b, slots, alignment):
        changed: tuple[tuple[str, str], ...] = ()
        if va and vb:
            last_a = {surname_key(v) for v in va}
            last_b = {surname_key(v) for v in vb}
            changed = _changed_words(va, vb)
            status = "same" if last_a == last_b and not changed else "variant"
        else:
            status = "only_a" if va else "only_b"
        ent = Entity(va, vb, status, changed)
        entities.append(ent)
        if status != "same":
            sa = tuple(sorted({i for v in va for i in where_a[v]}))
            sb = tuple(sorted({j for v in vb for j in where_b[v]}))
            changes.append(
                Change(
                    "name", " / ".join(va) or None, " / ".join(vb) or None, status, sa, sb, ent.label, changed
                )
            )
    return entities, changes


M = TypeVar("M", NumberMention, DateMention)


def _mention_changes(
    kind: str,
    ma: Sequence[tuple[M, tuple[int, ...]]],
    mb: Sequence[tuple[M, tuple[int, ...]]],
    alignment: Alignment,
    equal: Callable[[M, M], bool],
    same_kind: Callable[[M, M], bool],
    block: Callable[[M], object],
) -> list[Change]:
    """Pair mentions: equal values in aligned sentences, then conflicting values of the same kind in aligned
    sentences, then equal values anywhere; the rest are only in one version. Mentions that can be equal share
    ``block(m)``, so equal values are looked up rather than searched for."""
    ga, gb = _partners(alignment)
    groups_a = [frozenset(ga[k] for k in sx if k in ga) for _, sx in ma]
    groups_b = [frozenset(gb[k] for k in sy if k in gb) for _, sy in mb]
    by_block: dict[object, list[int]] = {}
    by_group: dict[int, list[int]] = {}
    for j, (y, _) in enumerate(mb):
        by_block.setdefault(block(y), []).append(j)
        for g in groups_b[j]:
            by_group.setdefault(g, []).append(j)
    out: list[Change] = []
    used_a: set[int] = set()
    used_b: set[int] = set()
    for stage in (1, 2, 3):
        for i, (x, sx) in enumerate(ma):
            if i in used_a:
                continue
            if stage == 2:
                pool = sorted({j for g in groups_a[i] for j in by_group.get(g, ())})
            else:
                pool = by_block.get(block(x), [])
            for j in pool:
                if j in used_b:
                    continue
                y, sy = mb[j]
                aligned = bool(groups_a[i] & groups_b[j])
                if stage == 1 and aligned and equal(x, y):
                    status = "agree"
                elif stage == 2 and aligned and same_kind(x, y) and not equal(x, y):
                    status = "conflict"
                elif stage == 3 and equal(x, y):
                    status = "agree"
                else:
                    continue
                used_a.add(i)
                used_b.add(j)
                out.append(Change(kind, x.text, y.text, status, sx, sy))
                break
    out += [Change(kind, x.text, None, "only_a", sx) for i, (x, sx) in enumerate(ma) if i not in used_a]
    out += [Change(kind, None, y.text, "only_b", (), sy) for j, (y, sy) in enumerate(mb) if j not in used_b]
    return out


def diff(a: Article, b: Article, alignment: Alignment) -> Diff:
    """Differences between ``a`` and ``b`` given their `Alignment` (sentence indices as in the articles)."""
    la, lb = Locator(a), Locator(b)
    aligned_a = {i for g in alignment.groups for i in g.a}
    aligned_b = {j for g in alignment.groups for j in g.b}
    only_a = tuple(s.index for s in a.sentences if not s.debris and s.index not in aligned_a)
    only_b = tuple(s.index for s in b.sentences if not s.debris and s.index not in aligned_b)
    changes = _quote_changes(a, b, la, lb, alignment)
    entities, name_changes = _entities(a, b, la, lb, alignment)
    changes += name_changes

    found_a, found_b = dates(a.text), dates(b.text)
    nums_a = [
        (n, s)
        for n in numbers(a.text, found_a)
        if n.text.lower() != "one" and (s := la.content(n.start, n.end))
    ]
    nums_b = [
        (n, s)
        for n in numbers(b.text, found_b)
        if n.text.lower() != "one" and (s := lb.content(n.start, n.end))
    ]
    changes += _mention_changes(
        "number",
        nums_a,
        nums_b,
        alignment,
        lambda x, y: abs(x.value - y.value) < 1e-9,
        NumberMention.same_kind,
        lambda m: round(m.value, 6),
    )
    dates_a = [(d, s) for d in found_a if (s := la.content(d.start, d.end))]
    dates_b = [(d, s) for d in found_b if (s := lb.content(d.start, d.end))]
    changes += _mention_changes(
        "date",
        dates_a,
        dates_b,
        alignment,
        DateMention.agrees,
        lambda x, y: (x.month is None) == (y.month is None),
        lambda m: m.month,  # dates that agree name the same month (or are both bare years)
    )
    return Diff(
        only_a,
        only_b,
        tuple(sorted(la.debris)),
        tuple(sorted(lb.debris)),
        tuple(changes),
        tuple(entities),
    )
