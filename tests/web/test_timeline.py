"""The timeline's geometry: time runs left to right, the earliest version is marked, hints point from the
earlier to the later version and have no direction when a date is missing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from samestory.stories import Story, StoryMember
from samestory.web.timeline import MAX_ROWS, timeline

T0 = datetime(2021, 4, 1, 8, tzinfo=UTC)


def member(i: str, hours: float | None, matched: str | None = None, hint: str | None = None) -> StoryMember:
    return StoryMember(
        id=i, title=i, source="", url="", lang="en",
        published=None if hours is None else T0 + timedelta(hours=hours),
        snippet="", matched_id=matched, score=1.0, evidence=None, copy_hint=hint,
    )  # fmt: skip


def test_positions_follow_time_and_the_earliest_is_marked() -> None:
    story = Story(
        "b",
        (member("b", 5), member("a", 0, "b", "a was published first"), member("c", 10, "b", "c copies b"),
         member("u", None, "a", "u is contained in a")),
        earliest="a",
    )  # fmt: skip
    tl = timeline(story)
    dots = {d.id: d for d in tl.dots}
    assert [d.id for d in tl.dots] == ["a", "b", "c", "u"]  # publication order, undated last
    assert dots["a"].x < dots["b"].x < dots["c"].x < dots["u"].x
    assert [d.id for d in tl.dots if d.earliest] == ["a"]
    assert not dots["u"].dated and tl.undated_x == dots["u"].x
    arrows = {a.hint: a for a in tl.arrows}
    first = arrows["a was published first"]  # a matched b: drawn from a (earlier) to b
    assert (first.x1, first.x2) == (dots["a"].x, dots["b"].x) and first.directed
    later = arrows["c copies b"]
    assert (later.x1, later.x2) == (dots["b"].x, dots["c"].x) and later.directed
    assert not arrows["u is contained in a"].directed  # no date: no direction
    assert tl.ticks[0][0] == dots["a"].x and tl.ticks[-1][0] == dots["c"].x


def test_members_without_a_hint_get_no_arrow_and_big_stories_are_cut() -> None:
    n = MAX_ROWS + 7
    members = tuple(member(f"m{k:04d}", k, "m0000" if k else None) for k in range(n))
    tl = timeline(Story("m0000", members, earliest="m0000"))
    assert tl.arrows == ()
    assert len(tl.dots) == MAX_ROWS and tl.left_out == 7
