"""The geometry of a story's timeline (drawn as SVG by the story page): who published when, the earliest
version marked, and the copy-direction hints of `samestory.corpus.provenance` as arrows labelled "hint".

An arrow joins a member to the member it matched when `copy_hint` said something about the pair; it points
from the earlier to the later version when both are dated (the direction every hint of `copy_hint` implies),
and is drawn without a head when the dates cannot tell.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from samestory.article import utc_timestamp
from samestory.stories import Story

MAX_ROWS = 200
ROW = 26
LEFT = 230  # room for the labels
RIGHT = 90  # room for the undated column
TOP = 34
BOTTOM = 16


@dataclass(frozen=True, slots=True)
class Dot:
    id: str
    label: str
    when: str
    x: float
    y: float
    earliest: bool
    dated: bool


@dataclass(frozen=True, slots=True)
class Arrow:
    x1: float
    y1: float
    x2: float
    y2: float
    hint: str
    directed: bool

    @property
    def mid(self) -> tuple[float, float]:
        return ((self.x1 + self.x2) / 2, (self.y1 + self.y2) / 2)


@dataclass(frozen=True, slots=True)
class Timeline:
    width: int
    height: int
    dots: tuple[Dot, ...]
    arrows: tuple[Arrow, ...]
    ticks: tuple[tuple[float, str], ...]
    undated_x: float | None
    left_out: int  # members not drawn (beyond MAX_ROWS)


def _label(dt: datetime, span: float) -> str:
    u = dt if dt.tzinfo else dt.replace(tzinfo=UTC)
    u = u.astimezone(UTC)
    return u.strftime("%Y-%m-%d %H:%M" if span < 3 * 86400 else "%Y-%m-%d")


def timeline(story: Story, width: int = 940) -> Timeline:
    """Positions of the members of ``story`` on a time axis, in publication order (undated last)."""
    members = sorted(
        story.members,
        key=lambda m: (m.published is None, utc_timestamp(m.published) if m.published else 0.0, m.id),
    )
    shown = members[:MAX_ROWS]
    stamps = [utc_timestamp(m.published) for m in shown if m.published is not None]
    has_undated = any(m.published is None for m in shown)
    x0, x1 = LEFT, width - (RIGHT if has_undated else 30)
    t0, t1 = (min(stamps), max(stamps)) if stamps else (0.0, 0.0)
    span = t1 - t0

    def x_of(ts: float) -> float:
        return (x0 + x1) / 2 if span <= 0 else x0 + (ts - t0) / span * (x1 - x0)

    undated_x = width - RIGHT / 2 if has_undated else None
    dots = []
    for k, m in enumerate(shown):
        dated = m.published is not None
        x = x_of(utc_timestamp(m.published)) if m.published is not None else float(undated_x or 0.0)
        dots.append(
            Dot(
                id=m.id,
                label=m.id if len(m.id) <= 30 else m.id[:29] + "…",
                when=_label(m.published, span) if m.published is not None else "undated",
                x=round(x, 1),
                y=TOP + k * ROW,
                earliest=m.id == story.earliest,
                dated=dated,
            )
        )
    where = {d.id: d for d in dots}
    by_id = {m.id: m for m in shown}
    arrows = []
    for m in shown:
        if not m.copy_hint or m.matched_id not in where:
            continue
        a, b = where[m.matched_id], where[m.id]
        other = by_id[m.matched_id]
        directed = m.published is not None and other.published is not None and a.x != b.x
        if directed and b.x < a.x:
            a, b = b, a
        arrows.append(Arrow(a.x, a.y, b.x, b.y, m.copy_hint, directed))
    ticks: list[tuple[float, str]] = []
    if stamps:
        n = 1 if span <= 0 else 4
        for i in range(n + 1 if n > 1 else 1):
            ts = t0 + span * i / n if n > 1 else t0
            ticks.append((round(x_of(ts), 1), _label(datetime.fromtimestamp(ts, UTC), span)))
    height = TOP + len(shown) * ROW + BOTTOM
    return Timeline(
        width, height, tuple(dots), tuple(arrows), tuple(ticks), undated_x, len(members) - len(shown)
    )
