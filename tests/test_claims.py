"""The claims table over real `Article`s built by `from_text` (the extractors of `samestory.diff`)."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from samestory.article import Article
from samestory.claims import Claim, ClaimsTable, claims_table
from samestory.ingest import from_text, load

T0 = datetime(2021, 5, 1, 9, tzinfo=UTC)
LEAD = "A passenger train derailed near the river crossing outside Lyon on Tuesday morning, officials said."
QUOTE = '"We are doing everything we can to reach the last carriages before nightfall," said the regional prefect.'
REWORDED = (
    '"We are doing all we can to get to the final carriages before night falls," the regional prefect said.'
)
TAIL = "Rail operator SNCF suspended services on the line while investigators examined the track."


def version(n: int, killed: int, quote: str | None, hours: int) -> Article:
    parts = [LEAD, f"At least {killed} people were killed in the crash, the interior ministry said."]
    if quote is not None:
        parts.append(quote)
    parts.append(TAIL)
    return from_text(
        " ".join(parts), title="Train derails near Lyon", id=f"v{n}", published=T0 + timedelta(hours=hours)
    )


def story() -> list[Article]:
    """Six versions say 130 killed and one 129; the quote kept in two, reworded in three, dropped in two."""
    quotes = [QUOTE, QUOTE, REWORDED, REWORDED, REWORDED, None, None]
    killed = [130, 130, 130, 129, 130, 130, 130]
    return [version(n, k, q, hours=n) for n, (k, q) in enumerate(zip(killed, quotes, strict=True))]


def _one(table: ClaimsTable, type_: str, text: str) -> Claim:
    found = [c for c in table.claims if c.type == type_ and any(text in v.text for v in c.variants)]
    assert len(found) == 1, [c.to_dict() for c in table.claims if c.type == type_]
    return found[0]


def test_a_changed_number_is_a_conflict_with_who_says_what() -> None:
    arts = story()
    table = claims_table(arts)
    killed = _one(table, "number", "130")
    assert killed.status == "conflict" and killed.changed
    by_text = {v.text: set(v.versions) for v in killed.variants}
    assert by_text == {"130": {"v0", "v1", "v2", "v4", "v5", "v6"}, "129": {"v3"}}
    assert killed.variants[0].text == "130"  # the most carried variant first
    assert killed.first == "v0"
    assert table.conflicts >= 1
    assert table.claims[0].changed  # changed claims come first


def test_a_quote_reworded_in_some_versions_and_dropped_in_others() -> None:
    table = claims_table(story())
    quote = _one(table, "quote", "nightfall")
    assert quote.status == "reworded"
    assert sorted(v.versions for v in quote.variants) == [("v0", "v1"), ("v2", "v3", "v4")]
    assert set(quote.missing_from) == {"v5", "v6"}
    assert quote.first == "v0"


def test_claims_agreeing_everywhere_are_not_changed() -> None:
    table = claims_table(story())
    sncf = _one(table, "name", "SNCF")
    assert sncf.status == "same" and not sncf.changed and sncf.missing_from == ()
    assert len(sncf.carried_by) == 7


def test_first_appearance_follows_publication_not_input_order() -> None:
    arts = story()
    late_first = [*arts[3:], *arts[:3]]
    random.Random(3).shuffle(late_first)
    a = claims_table(arts).to_dict()
    b = claims_table(late_first).to_dict()
    assert a == b  # the input order does not matter
    # re-date: v3 (the one saying 129) published first
    redated = [
        from_text(
            x.text, title=x.title, id=x.id, published=T0 - timedelta(days=1) if x.id == "v3" else x.published
        )
        for x in arts
    ]
    killed = _one(claims_table(redated), "number", "129")
    assert killed.first == "v3"
    assert {v.text: v.first for v in killed.variants} == {"129": "v3", "130": "v0"}


def test_undated_versions_have_no_first_appearance() -> None:
    arts = [from_text(a.text, title=a.title, id=a.id) for a in story()[:2]]
    assert all(c.first is None for c in claims_table(arts).claims)


def test_the_example_pair_shows_the_transliteration_variants_of_one_name(
    example_a: Path, example_b: Path
) -> None:
    table = claims_table([load(example_a), load(example_b)])
    villiers = _one(table, "name", "Villiers")
    assert villiers.status == "variant"
    texts = {v.text for v in villiers.variants}
    assert {"de Villje", "de Villa"} <= texts
    mt = example_a.stem
    assert all(set(v.versions) == {mt} for v in villiers.variants if v.text in ("de Villje", "de Villa"))


def test_mentions_in_page_debris_are_not_claims() -> None:
    body = LEAD + "\n\nSee also: 999 killed in an unrelated flood\n\n" + TAIL
    a = from_text(body, id="a")
    assert any("999" in a.text[d.start : d.end] for d in a.debris)  # the "See also" line is debris
    table = claims_table([a, from_text(LEAD + " 999 people queued. " + TAIL, id="b")])
    numbers = [c for c in table.claims if c.type == "number"]
    assert [(v.text, v.versions) for c in numbers for v in c.variants] == [("999", ("b",))]
    assert any(c.type == "name" and c.label == "SNCF" for c in table.claims)


# -- linking mentions without trying every pair: the same groups as trying every pair ------------------------

_QUOTE_LINK = 0.5  # samestory.diff.QUOTE_LINK, restated: the reference below is the rule as first written


def _pairwise(n: int, versions: list[int], blocks: list[list[object]], link: Any) -> list[list[int]]:
    """Reference: single link over every pair of nodes of other versions sharing a block."""
    parent = list(range(n))

    def find(i: int) -> int:
        while parent[i] != i:
            i = parent[i]
        return i

    for i in range(n):
        for j in range(i):
            if versions[i] != versions[j] and set(blocks[i]) & set(blocks[j]) and link(i, j):
                ri, rj = find(i), find(j)
                parent[max(ri, rj)] = min(ri, rj)
    out: dict[int, list[int]] = {}
    for i in range(n):
        out.setdefault(find(i), []).append(i)
    return list(out.values())


def _dice(x: frozenset[str], y: frozenset[str]) -> float:
    return 2 * len(x & y) / (len(x) + len(y)) if x and y else 0.0


_SENTENCES = [frozenset(s.split()) for s in ("a b c d", "a b c e", "a f g h", "x y", "x y z w v", "q", "")]
_node = st.tuples(
    st.integers(0, 4),  # version
    st.sampled_from([1.0, 2.0, 2.0 + 1e-10, 130.0, 129.0, float("inf")]),
    st.lists(st.sampled_from(["kille", "peopl", "euro"]), max_size=2, unique=True),
    st.sampled_from(range(len(_SENTENCES))),
    st.sampled_from([None, 2020, 2021]),
    st.sampled_from([None, 3, 11]),
    st.sampled_from([None, 1, 14]),
)


@settings(max_examples=400, deadline=None)
@given(st.lists(_node, max_size=40), st.lists(st.sampled_from(["en", "de"]), min_size=5, max_size=5))
def test_numbers_dates_and_quotes_are_linked_as_trying_every_pair_links_them(
    raw: list[tuple[int, float, list[str], int, int | None, int | None, int | None]], langs: list[str]
) -> None:
    from samestory.claims import _date_groups, _Node, _number_groups
    from samestory.claims_link import Links, link_sentences
    from samestory.text.mentions import DateMention, NumberMention

    versions = [r[0] for r in raw]
    sentences = [_SENTENCES[r[3]] for r in raw]
    nums = [
        _Node(v, NumberMention(str(x), k, k + 1, x, tuple(ctx)), k, sentences[k], "")
        for k, (v, x, ctx, *_) in enumerate(raw)
    ]

    def number_link(i: int, j: int) -> bool:
        a, b = nums[i].mention, nums[j].mention
        if abs(a.value - b.value) < 1e-9:
            return a.same_kind(b) or langs[versions[i]] != langs[versions[j]]
        return a.same_kind(b) and _dice(sentences[i], sentences[j]) >= _QUOTE_LINK

    number_blocks: list[list[object]] = [
        [("v", round(n.mention.value, 6)), *(("c", w) for w in n.mention.context)] for n in nums
    ]
    assert _number_groups(nums, langs) == _pairwise(len(raw), versions, number_blocks, number_link)

    found = [(k, r) for k, r in enumerate(raw) if r[4] is not None or r[5] is not None]
    dated = [
        _Node(r[0], DateMention("d", k, k + 1, r[4], r[5], r[6] if r[5] else None), k, sentences[k], "")
        for k, r in found
    ]

    def date_link(i: int, j: int) -> bool:
        a, b = dated[i].mention, dated[j].mention
        if a.agrees(b):
            return True
        return (a.month is None) == (b.month is None) and _dice(dated[i].sentence, dated[j].sentence) >= 0.5

    date_versions = [d.version for d in dated]
    date_blocks: list[list[object]] = [[d.mention.month is None] for d in dated]
    assert _date_groups(dated) == _pairwise(len(dated), date_versions, date_blocks, date_link)

    links = Links(len(raw))
    link_sentences(links, sentences, [(None,)] * len(raw), versions)
    quote_link = lambda i, j: _dice(sentences[i], sentences[j]) >= _QUOTE_LINK  # noqa: E731
    assert links.groups() == _pairwise(len(raw), versions, [[None]] * len(raw), quote_link)


def test_a_story_of_many_near_identical_versions_links_each_claim_across_all_of_them() -> None:
    versions = [version(n, 130 if n % 9 else 129, QUOTE if n % 2 else REWORDED, n) for n in range(120)]
    table = claims_table(versions)
    killed = next(c for c in table.claims if c.type == "number" and c.label in ("130", "129"))
    assert killed.status == "conflict" and len(killed.carried_by) == 120
    quote = next(c for c in table.claims if c.type == "quote")
    assert quote.status == "reworded" and len(quote.carried_by) == 120


def test_joining_two_classes_joins_exactly_the_pieces_of_the_graph_between_them() -> None:
    from samestory.claims_link import Links, join_parts

    def pieces(a: dict[int, list[int]], b: dict[int, list[int]]) -> list[list[int]]:
        links = Links(1 + max(i for side in (a, b) for ns in side.values() for i in ns))
        join_parts(links, a, b)
        return links.groups()

    # nodes 0..3: versions v0 and v1 on both sides: v0 of one side with v1 of the other, and back
    assert pieces({0: [0], 1: [1]}, {0: [2], 1: [3]}) == [[0, 3], [1, 2]]
    # a third version makes it one piece
    assert pieces({0: [0], 1: [1]}, {0: [2], 1: [3], 2: [4]}) == [[0, 1, 2, 3, 4]]
    # one version alone on a side: linked to every other version, never to its own
    assert pieces({0: [0, 1]}, {0: [2], 1: [3]}) == [[0, 1, 3], [2]]
    assert pieces({0: [0]}, {0: [1]}) == [[0], [1]]


# -- mentions kept per article (index add) ---------------------------------------------------------------------


def _story_versions() -> list[Article]:
    return [version(n, 130 if n % 3 else 129, QUOTE if n % 2 else REWORDED, n) for n in range(6)]


def test_kept_mentions_read_back_as_found(example_a: Path, example_b: Path) -> None:
    from samestory.claims import VersionMentions, mentions_of

    for a in [*_story_versions(), load(example_a), load(example_b)]:
        found = mentions_of(a)
        assert found.numbers and found.names
        assert VersionMentions.from_json(found.to_json()) == found
    assert VersionMentions.from_json('{"format": 0}') is None
    assert VersionMentions.from_json("not json") is None
    assert VersionMentions.from_json('{"format": 1, "quotes": 3}') is None


@settings(max_examples=300, deadline=None)
@given(st.lists(st.frozensets(st.sampled_from("abcdefghijklmnop"), max_size=12), max_size=30))
def test_similar_sets_are_the_pairs_a_full_comparison_finds(sets: list[frozenset[str]]) -> None:
    from samestory.claims_link import similar

    every = [(i, j) for j in range(len(sets)) for i in range(j) if _dice(sets[i], sets[j]) >= _QUOTE_LINK]
    assert similar(sets) == sorted(every)
