"""The claims table over real `Article`s built by `from_text` (the extractors of `samestory.diff`)."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

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
