"""The claims table of a story: every fact its versions state, how each version states it, and where they differ.

A *claim* is one quote, named entity, number or date found in the content (not the debris) of at least one
version. Mentions come from the extractors `samestory.diff` uses (`samestory.text.mentions`), and are linked
across versions by the same rules, without aligning every pair of versions (one pass over the mentions):

- quotes: word overlap (`samestory.diff.dice`) of at least `samestory.diff.QUOTE_LINK`; variants are wordings
  (`samestory.diff.same_wording`): status ``same`` or ``reworded``;
- names: one entity by `samestory.text.mentions.group_names` (transliteration and MT spellings included);
  variants are the surname spellings (`samestory.diff.surname_key`): status ``same`` or ``variant``;
- numbers and dates: equal values that count the same thing (a shared context word; for numbers in two
  languages, equal values suffice), and *differing* values of the same kind in sentences that overlap as much
  as linked quotes do; variants are the values: status ``agree`` or ``conflict``. A conflict is two versions
  each stating a value the other does not ("130 killed" / "129 killed"); a version that states fewer values
  has dropped some, it does not conflict.

A claim that one version alone states has status ``only``. Versions not carrying a claim are listed in
``missing_from`` (dropped, or never there); ``first`` is the
earliest published version carrying it (``None`` when none of them is dated).

>>> from samestory.ingest import from_text
>>> a = from_text("Officials said 130 people were killed in the blast.", id="a")
>>> b = from_text("Officials said 129 people were killed in the blast.", id="b")
>>> [(c.type, c.status, [v.text for v in c.variants]) for c in claims_table([a, b]).claims if c.type == "number"]
[('number', 'conflict', ['130', '129'])]
"""

from __future__ import annotations

import bisect
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Generic, TypeVar

from samestory.align import tokens
from samestory.article import Article, utc_timestamp
from samestory.claims_link import (
    Links,
    Parts,
    join_parts,
    join_within,
    link_sentences,
    link_values,
    near_pairs,
)
from samestory.diff import Locator, same_wording, surname_key
from samestory.text.mentions import DateMention, NumberMention, dates, group_names, names, numbers, quotes

__all__ = [
    "MENTIONS_FORMAT",
    "Claim",
    "ClaimVersion",
    "ClaimsTable",
    "Variant",
    "VersionMentions",
    "claims_table",
    "mentions_of",
    "table_of",
]

#: the order claims of equal standing are listed in (as in the comparison report)
TYPE_ORDER = {"quote": 0, "name": 1, "number": 2, "date": 3}
CHANGED = frozenset({"conflict", "reworded", "variant"})
_EXCERPT = 90  # characters of context shown around a number or date


@dataclass(frozen=True, slots=True)
class ClaimVersion:
    """A version of the story as the claims table refers to it."""

    id: str
    published: datetime | None
    source: str
    lang: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "published": self.published.isoformat() if self.published else None,
            "source": self.source,
            "lang": self.lang,
        }


@dataclass(frozen=True, slots=True)
class Variant:
    """One way the versions state a claim: ``text`` as first written, the ``versions`` that state it so."""

    text: str
    versions: tuple[str, ...]
    first: str | None

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "versions": list(self.versions), "first": self.first}


@dataclass(frozen=True, slots=True)
class Claim:
    """One fact across the versions; ``changed`` when its variants disagree (conflict, reworded, variant)."""

    type: str
    label: str
    status: str
    variants: tuple[Variant, ...]
    carried_by: tuple[str, ...]
    missing_from: tuple[str, ...]
    first: str | None
    context: str = ""

    @property
    def changed(self) -> bool:
        return self.status in CHANGED

    def to_dict(self) -> dict[str, Any]:
        return {
            "type": self.type,
            "label": self.label,
            "status": self.status,
            "changed": self.changed,
            "variants": [v.to_dict() for v in self.variants],
            "carried_by": list(self.carried_by),
            "missing_from": list(self.missing_from),
            "first": self.first,
            "context": self.context,
        }


@dataclass(frozen=True, slots=True)
class ClaimsTable:
    """The claims of a story's versions: changed claims first, then by type and by how many versions carry
    them. ``versions`` are in publication order (undated last, ties by id)."""

    versions: tuple[ClaimVersion, ...]
    claims: tuple[Claim, ...]

    @property
    def conflicts(self) -> int:
        return sum(c.status == "conflict" for c in self.claims)

    def to_dict(self) -> dict[str, Any]:
        return {
            "versions": [v.to_dict() for v in self.versions],
            "conflicts": self.conflicts,
            "claims": [c.to_dict() for c in self.claims],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ClaimsTable:
        """The table of `to_dict` (raises ``KeyError``, ``TypeError`` or ``ValueError`` on another layout)."""

        def variant(v: dict[str, Any]) -> Variant:
            return Variant(str(v["text"]), tuple(v["versions"]), v["first"])

        return cls(
            versions=tuple(
                ClaimVersion(
                    v["id"],
                    datetime.fromisoformat(v["published"]) if v["published"] else None,
                    v["source"],
                    v["lang"],
                )
                for v in data["versions"]
            ),
            claims=tuple(
                Claim(
                    c["type"],
                    c["label"],
                    c["status"],
                    tuple(variant(v) for v in c["variants"]),
                    tuple(c["carried_by"]),
                    tuple(c["missing_from"]),
                    c["first"],
                    c["context"],
                )
                for c in data["claims"]
            ),
        )


# -- mentions of one version ---------------------------------------------------------------------------------

M = TypeVar("M")


@dataclass(frozen=True, slots=True)
class _Node(Generic[M]):
    """One mention in one version, with the word stems of the sentence it stands in."""

    version: int
    mention: M
    start: int
    sentence: frozenset[str]
    excerpt: str


def _excerpt(article: Article, start: int, end: int) -> str:
    lo = max(0, start - _EXCERPT // 2)
    hi = min(len(article.text), end + _EXCERPT // 2)
    text = " ".join(article.text[lo:hi].split())
    return ("…" if lo else "") + text + ("…" if hi < len(article.text) else "")


#: the layout of `VersionMentions.to_json`; raise it whenever what `mentions_of` finds changes, so that mentions
#: kept by an older samestory are found again instead of read
MENTIONS_FORMAT = 1


@dataclass(frozen=True, slots=True)
class VersionMentions:
    """What the claims table needs of one version, found in it alone (`mentions_of`): its content quotes (text,
    offset, word stems), names, numbers and dates (each with the word stems of its sentence and an excerpt).

    `samestory.index.Index` keeps them per article (`to_json`), so that a story's table links the stored
    mentions instead of reading and searching every version's text again."""

    quotes: tuple[tuple[str, int, frozenset[str]], ...]
    names: tuple[str, ...]
    numbers: tuple[tuple[NumberMention, frozenset[str], str], ...]
    dates: tuple[tuple[DateMention, frozenset[str], str], ...]

    def to_json(self) -> str:
        sentences: dict[frozenset[str], int] = {}

        def ref(sentence: frozenset[str]) -> int:
            return sentences.setdefault(sentence, len(sentences))

        data = {
            "format": MENTIONS_FORMAT,
            "quotes": [[t, start, sorted(stems)] for t, start, stems in self.quotes],
            "names": list(self.names),
            "numbers": [
                [n.text, n.start, n.end, n.value, list(n.context), ref(sent), excerpt]
                for n, sent, excerpt in self.numbers
            ],
            "dates": [
                [d.text, d.start, d.end, d.year, d.month, d.day, ref(sent), excerpt]
                for d, sent, excerpt in self.dates
            ],
        }
        data["sentences"] = [sorted(x) for x in sentences]
        return json.dumps(data, ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str) -> VersionMentions | None:
        """The mentions of `to_json`; ``None`` for another `MENTIONS_FORMAT` or a damaged value."""
        try:
            data = json.loads(text)
            if not isinstance(data, dict) or data.get("format") != MENTIONS_FORMAT:
                return None
            sents = [frozenset(x) for x in data["sentences"]]
            return cls(
                quotes=tuple((str(t), int(start), frozenset(stems)) for t, start, stems in data["quotes"]),
                names=tuple(str(x) for x in data["names"]),
                numbers=tuple(
                    (NumberMention(t, start, end, float(v), tuple(ctx)), sents[k], excerpt)
                    for t, start, end, v, ctx, k, excerpt in data["numbers"]
                ),
                dates=tuple(
                    (DateMention(t, start, end, y, m, d), sents[k], excerpt)
                    for t, start, end, y, m, d, k, excerpt in data["dates"]
                ),
            )
        except (ValueError, TypeError, KeyError, IndexError):
            return None


def mentions_of(article: Article) -> VersionMentions:
    """The content mentions of one version (mentions inside debris are left out, as in `samestory.diff`)."""
    locator = Locator(article)
    starts = [s.start for s in article.sentences]
    stems: dict[int, frozenset[str]] = {}

    def sentence(start: int) -> frozenset[str]:
        k = max(0, bisect.bisect_right(starts, start) - 1)
        got = stems.get(k)
        if got is None:
            sents = article.sentences
            got = stems[k] = frozenset(tokens(sents[k].text)) if sents else frozenset()
        return got

    def content(found: Sequence[M], span: Callable[[M], tuple[int, int]]) -> list[M]:
        return [m for m in found if locator.content(*span(m)) is not None]

    text = article.text
    found_dates = dates(text)
    nums = [n for n in numbers(text, found_dates) if n.text.lower() != "one"]
    return VersionMentions(
        quotes=tuple(
            (q.text, q.start, frozenset(tokens(q.text)))
            for q in content(quotes(text), lambda q: (q.start, q.end))
        ),
        names=tuple(n.text for n in content(names(text), lambda n: (n.start, n.end))),
        numbers=tuple(
            (n, sentence(n.start), _excerpt(article, n.start, n.end))
            for n in content(nums, lambda n: (n.start, n.end))
        ),
        dates=tuple(
            (d, sentence(d.start), _excerpt(article, d.start, d.end))
            for d in content(found_dates, lambda d: (d.start, d.end))
        ),
    )


# -- the table -------------------------------------------------------------------------------------------------


def _order_key(v: tuple[ClaimVersion, VersionMentions]) -> tuple[bool, float, str]:
    a = v[0]
    return (a.published is None, utc_timestamp(a.published) if a.published else 0.0, a.id)


class _Builder:
    def __init__(self, versions: Sequence[tuple[ClaimVersion, VersionMentions]]) -> None:
        ordered = sorted(versions, key=_order_key)
        self.versions = tuple(v for v, _ in ordered)
        self.mentions = [m for _, m in ordered]
        self.ids = [v.id for v in self.versions]
        self.dated = [v.published is not None for v in self.versions]

    def _first(self, versions: Sequence[int]) -> str | None:
        dated = [v for v in versions if self.dated[v]]
        return self.ids[min(dated)] if dated else None

    def claim(
        self, type_: str, variants: Sequence[tuple[str, Sequence[int]]], status: str, context: str = ""
    ) -> Claim:
        """A claim from its variants (text, versions); variants listed by how many carry them, then first."""
        ranked = sorted(variants, key=lambda v: (-len(set(v[1])), min(v[1])))
        carried = sorted({v for _, vs in variants for v in vs})
        if len(carried) == 1 and len(self.ids) > 1:
            status = "only"
        out = tuple(
            Variant(text, tuple(self.ids[v] for v in sorted(set(vs))), self._first(sorted(set(vs))))
            for text, vs in ranked
        )
        return Claim(
            type=type_,
            label=out[0].text,
            status=status,
            variants=out,
            carried_by=tuple(self.ids[v] for v in carried),
            missing_from=tuple(i for v, i in enumerate(self.ids) if v not in set(carried)),
            first=self._first(carried),
            context=context,
        )

    def quotes(self) -> list[Claim]:
        nodes = [(v, text, stems) for v, m in enumerate(self.mentions) for text, _, stems in m.quotes]
        # quotes of other versions whose words overlap by QUOTE_LINK or more
        links = Links(len(nodes))
        link_sentences(links, [n[2] for n in nodes], [(None,)] * len(nodes), [n[0] for n in nodes])
        out = []
        for group in links.groups():
            wordings: list[tuple[str, list[int]]] = []
            for i in group:
                version, text, _ = nodes[i]
                same = next((w for w in wordings if same_wording(w[0], text)), None)
                if same is None:
                    wordings.append((text, [version]))
                else:
                    same[1].append(version)
            out.append(self.claim("quote", wordings, "same" if len(wordings) == 1 else "reworded"))
        return out

    def names(self) -> list[Claim]:
        where: dict[str, list[int]] = {}
        for v, m in enumerate(self.mentions):
            for name in m.names:
                where.setdefault(name, []).append(v)
        out = []
        for entity in group_names(where):
            spellings: dict[str, tuple[str, list[int]]] = {}
            for form in entity:
                key = surname_key(form)
                text, versions = spellings.get(key, (form, []))
                # a variant is named by its fullest spelling ("Pierre de Villiers" over "de Villiers")
                best = max((text, form), key=lambda f: (len(f.split()), len(f)))
                spellings[key] = (best, versions + where[form])
            variants = list(spellings.values())
            out.append(self.claim("name", variants, "same" if len(variants) == 1 else "variant"))
        return out

    def quantities(
        self,
        type_: str,
        nodes: Sequence[_Node[M]],
        value: Callable[[M], object],
        text: Callable[[M], str],
        groups: list[list[int]],
    ) -> list[Claim]:
        """Claims of the groups of linked quantities."""
        out = []
        for group in groups:
            by_value: dict[object, tuple[str, list[int]]] = {}
            for i in sorted(group, key=lambda i: (nodes[i].version, nodes[i].start)):
                n = nodes[i]
                shown, versions = by_value.get(value(n.mention), (text(n.mention), []))
                by_value[value(n.mention)] = (shown, [*versions, n.version])
            per_version: dict[int, set[object]] = {}  # the values each version states
            for i in group:
                per_version.setdefault(nodes[i].version, set()).add(value(nodes[i].mention))
            sets = list(per_version.values())
            conflict = any(x - y and y - x for k, x in enumerate(sets) for y in sets[:k])
            first = nodes[min(group, key=lambda i: (nodes[i].version, nodes[i].start))]
            out.append(
                self.claim(type_, list(by_value.values()), "conflict" if conflict else "agree", first.excerpt)
            )
        return out

    def numbers_and_dates(self) -> list[Claim]:
        num_nodes: list[_Node[NumberMention]] = []
        date_nodes: list[_Node[DateMention]] = []
        for v, m in enumerate(self.mentions):
            date_nodes += [_Node(v, d, d.start, sentence, excerpt) for d, sentence, excerpt in m.dates]
            num_nodes += [_Node(v, n, n.start, sentence, excerpt) for n, sentence, excerpt in m.numbers]
        langs = [v.lang for v in self.versions]
        # numbers and dates mostly stand in the same sentences: which overlap is found once for both
        near = near_pairs(
            [n.sentence for n in num_nodes if n.sentence] + [d.sentence for d in date_nodes if d.sentence]
        )
        return [
            *self.quantities("number", num_nodes, lambda n: round(n.value, 6), lambda n: n.text,
                             _number_groups(num_nodes, langs, near)),
            *self.quantities("date", date_nodes, lambda d: d.value, lambda d: d.text,
                             _date_groups(date_nodes, near)),
        ]  # fmt: skip


def _number_groups(
    nodes: Sequence[_Node[NumberMention]],
    langs: Sequence[str],
    near: Sequence[tuple[frozenset[str], frozenset[str]]] | None = None,
) -> list[list[int]]:
    """Numbers of two versions are linked when they count the same thing (a shared context word) and are
    equal (within 1e-9) or stand in sentences that overlap as linked quotes do; or when they are equal, in
    two languages (the same rounded value)."""
    links = Links(len(nodes))
    by_word: dict[str, dict[float, Parts]] = {}
    by_rounded: dict[float, dict[float, Parts]] = {}
    for i, n in enumerate(nodes):
        v = n.mention.value
        for w in dict.fromkeys(n.mention.context):
            by_word.setdefault(w, {}).setdefault(v, {}).setdefault(n.version, []).append(i)
        by_rounded.setdefault(round(v, 6), {}).setdefault(v, {}).setdefault(langs[n.version], []).append(i)
    link_values(links, by_word.values())
    link_values(links, by_rounded.values())  # colours are languages here: two languages are two versions
    link_sentences(
        links,
        [n.sentence for n in nodes],
        [n.mention.context for n in nodes],
        [n.version for n in nodes],
        near,
    )
    return links.groups()


def _date_groups(
    nodes: Sequence[_Node[DateMention]], near: Sequence[tuple[frozenset[str], frozenset[str]]] | None = None
) -> list[list[int]]:
    """Dates of two versions, both with a month or both without, are linked when they agree
    (`DateMention.agrees`) or stand in sentences that overlap as linked quotes do."""
    links = Links(len(nodes))
    by_kind: dict[bool, dict[DateMention, Parts]] = {}
    for i, n in enumerate(nodes):
        d = replace(n.mention, text="", start=0, end=0)
        by_kind.setdefault(d.month is None, {}).setdefault(d, {}).setdefault(n.version, []).append(i)
    for by_date in by_kind.values():
        found = list(by_date)
        for k, d in enumerate(found):
            if d.agrees(d):
                join_within(links, by_date[d])
            for e in found[:k]:
                if d.agrees(e):
                    join_parts(links, by_date[e], by_date[d])
    link_sentences(
        links,
        [n.sentence for n in nodes],
        [(n.mention.month is None,) for n in nodes],
        [n.version for n in nodes],
        near,
    )
    return links.groups()


def claims_table(articles: Sequence[Article]) -> ClaimsTable:
    """The claims table of the versions of one story (in any order; the result does not depend on it)."""
    return table_of([(ClaimVersion(a.id, a.published, a.source, a.lang), mentions_of(a)) for a in articles])


def table_of(versions: Sequence[tuple[ClaimVersion, VersionMentions]]) -> ClaimsTable:
    """The claims table of versions whose mentions are already found (in any order)."""
    b = _Builder(versions)
    claims = [*b.quotes(), *b.names(), *b.numbers_and_dates()]
    position = {i: k for k, i in enumerate(b.ids)}
    claims.sort(
        key=lambda c: (
            not c.changed,
            TYPE_ORDER[c.type],
            -len(c.carried_by),
            position[c.carried_by[0]],
            c.label,
        )
    )
    return ClaimsTable(b.versions, tuple(claims))
