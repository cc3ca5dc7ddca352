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
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from samestory.align import tokens
from samestory.article import Article, utc_timestamp
from samestory.diff import QUOTE_LINK, Locator, same_wording, surname_key
from samestory.text.mentions import DateMention, NumberMention, dates, group_names, names, numbers, quotes

if TYPE_CHECKING:
    from samestory.store import Store

__all__ = ["Claim", "ClaimVersion", "ClaimsTable", "Variant", "claims_table", "stored_claims"]

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


class _Mentions:
    """Content mentions of one version (mentions inside debris are left out, as in `samestory.diff`)."""

    def __init__(self, index: int, article: Article) -> None:
        self.index = index
        self.article = article
        self.locator = Locator(article)
        self.starts = [s.start for s in article.sentences]
        self._stems: dict[int, frozenset[str]] = {}

    def _sentence(self, start: int) -> frozenset[str]:
        k = max(0, bisect.bisect_right(self.starts, start) - 1)
        got = self._stems.get(k)
        if got is None:
            sents = self.article.sentences
            got = self._stems[k] = frozenset(tokens(sents[k].text)) if sents else frozenset()
        return got

    def nodes(self, found: Sequence[M], span: Callable[[M], tuple[int, int]]) -> list[_Node[M]]:
        out = []
        for m in found:
            start, end = span(m)
            if self.locator.content(start, end) is None:
                continue
            out.append(_Node(self.index, m, start, self._sentence(start), _excerpt(self.article, start, end)))
        return out


# -- linking ---------------------------------------------------------------------------------------------------


class _Links:
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


def _overlap(x: frozenset[str], y: frozenset[str]) -> float:
    return 2 * len(x & y) / (len(x) + len(y)) if x and y else 0.0


def _link_quantities(
    nodes: Sequence[_Node[M]],
    blocks: Callable[[M], Sequence[object]],
    link: Callable[[_Node[M], _Node[M]], bool],
) -> list[list[int]]:
    """Groups of nodes linked by ``link`` (only nodes of other versions that share a block are tried)."""
    links = _Links(len(nodes))
    by_block: dict[object, list[int]] = {}
    for i, n in enumerate(nodes):
        for key in dict.fromkeys(blocks(n.mention)):
            by_block.setdefault(key, []).append(i)
    for members in by_block.values():
        for k, i in enumerate(members):
            for j in members[:k]:
                x, y = nodes[i], nodes[j]
                if x.version != y.version and links.find(i) != links.find(j) and link(x, y):
                    links.join(i, j)
    return links.groups()


# -- the table -------------------------------------------------------------------------------------------------


def _order_key(a: Article) -> tuple[bool, float, str]:
    return (a.published is None, utc_timestamp(a.published) if a.published else 0.0, a.id)


class _Builder:
    def __init__(self, articles: Sequence[Article]) -> None:
        self.articles = sorted(articles, key=_order_key)
        self.ids = [a.id for a in self.articles]
        self.dated = [a.published is not None for a in self.articles]
        self.mentions = [_Mentions(i, a) for i, a in enumerate(self.articles)]

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
        nodes = [
            n for m in self.mentions for n in m.nodes(quotes(m.article.text), lambda q: (q.start, q.end))
        ]
        stems = [frozenset(tokens(n.mention.text)) for n in nodes]
        links = _Links(len(nodes))
        for i in range(len(nodes)):
            for j in range(i):
                if nodes[i].version != nodes[j].version and _overlap(stems[i], stems[j]) >= QUOTE_LINK:
                    links.join(i, j)
        out = []
        for group in links.groups():
            wordings: list[tuple[str, list[int]]] = []
            for i in group:
                text = nodes[i].mention.text
                same = next((w for w in wordings if same_wording(w[0], text)), None)
                if same is None:
                    wordings.append((text, [nodes[i].version]))
                else:
                    same[1].append(nodes[i].version)
            out.append(self.claim("quote", wordings, "same" if len(wordings) == 1 else "reworded"))
        return out

    def names(self) -> list[Claim]:
        where: dict[str, list[int]] = {}
        for m in self.mentions:
            for n in m.nodes(names(m.article.text), lambda x: (x.start, x.end)):
                where.setdefault(n.mention.text, []).append(m.index)
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
        blocks: Callable[[M], Sequence[object]],
        link: Callable[[_Node[M], _Node[M]], bool],
    ) -> list[Claim]:
        out = []
        for group in _link_quantities(nodes, blocks, link):
            by_value: dict[object, tuple[str, list[int]]] = {}
            for i in sorted(group, key=lambda i: (nodes[i].version, nodes[i].start)):
                n = nodes[i]
                shown, versions = by_value.get(value(n.mention), (text(n.mention), []))
                by_value[value(n.mention)] = (shown, [*versions, n.version])
            held = {
                v: {n for n in (nodes[i] for i in group) if value(n.mention) == v} for v in by_value
            }  # the nodes of each value
            per_version: dict[int, set[object]] = {}
            for v, ns in held.items():
                for n in ns:
                    per_version.setdefault(n.version, set()).add(v)
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
        for m in self.mentions:
            found = dates(m.article.text)
            date_nodes += m.nodes(found, lambda d: (d.start, d.end))
            nums = [n for n in numbers(m.article.text, found) if n.text.lower() != "one"]
            num_nodes += m.nodes(nums, lambda n: (n.start, n.end))
        langs = [a.lang for a in self.articles]

        def number_link(x: _Node[NumberMention], y: _Node[NumberMention]) -> bool:
            a, b = x.mention, y.mention
            if abs(a.value - b.value) < 1e-9:
                return a.same_kind(b) or langs[x.version] != langs[y.version]
            return a.same_kind(b) and _overlap(x.sentence, y.sentence) >= QUOTE_LINK

        def date_link(x: _Node[DateMention], y: _Node[DateMention]) -> bool:
            a, b = x.mention, y.mention
            if a.agrees(b):
                return True
            same_kind = (a.month is None) == (b.month is None)
            return same_kind and _overlap(x.sentence, y.sentence) >= QUOTE_LINK

        return [
            *self.quantities(
                "number",
                num_nodes,
                lambda n: round(n.value, 6),
                lambda n: n.text,
                lambda n: [("v", round(n.value, 6)), *(("c", w) for w in n.context)],
                number_link,
            ),
            *self.quantities(
                "date",
                date_nodes,
                lambda d: d.value,
                lambda d: d.text,
                lambda d: [d.month is None],
                date_link,
            ),
        ]


def claims_table(articles: Sequence[Article]) -> ClaimsTable:
    """The claims table of the versions of one story (in any order; the result does not depend on it)."""
    b = _Builder(articles)
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
    versions = tuple(ClaimVersion(a.id, a.published, a.source, a.lang) for a in b.articles)
    return ClaimsTable(versions, tuple(claims))


def stored_claims(store: Store, ids: Sequence[str]) -> ClaimsTable:
    """The claims table of stored articles ``ids`` (the members of a story), read from ``store``."""
    from samestory.stories import stored_article

    rows = store.articles(ids)
    texts = store.texts(ids)
    return claims_table([stored_article(rows[i], texts.get(i)) for i in ids if i in rows])
