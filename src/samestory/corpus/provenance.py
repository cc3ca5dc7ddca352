"""Provenance hints: the earliest version of a story and the likely copy direction of a pair.

Both are hints drawn from timestamps and containment, never facts: a later timestamp can be a late crawl,
and a shorter version inside a longer one can be either a trimmed reprint or the original that was expanded.
"""

from __future__ import annotations

from collections.abc import Sequence

from samestory.article import utc_timestamp
from samestory.corpus.features import DocFeatures
from samestory.corpus.verify import PairEvidence

CONTAINED = 0.8  # share of the shorter version's shingles found in the longer one to call it "inside"


def earliest(members: Sequence[DocFeatures]) -> str | None:
    """The id of the member with the earliest ``published`` (ties: smallest id); ``None`` when no date is known.

    Naive datetimes are read as UTC.
    """
    dated = [(utc_timestamp(m.published), m.id) for m in members if m.published is not None]
    return min(dated)[1] if dated else None


def copy_hint(a: DocFeatures, b: DocFeatures, evidence: PairEvidence) -> str | None:
    """A one-line hint of who may have copied whom, or ``None`` when the evidence says nothing.

    Uses containment (a shorter text almost wholly inside a longer one) and publication times.
    """
    if not evidence.same_story:
        return None
    c_ab = evidence.details.get("containment_ab", 0.0)
    c_ba = evidence.details.get("containment_ba", 0.0)
    first: DocFeatures | None = None
    if (
        a.published is not None
        and b.published is not None
        and utc_timestamp(a.published) != utc_timestamp(b.published)
    ):
        first = a if utc_timestamp(a.published) < utc_timestamp(b.published) else b
    inside: tuple[DocFeatures, DocFeatures] | None = None
    if c_ab >= CONTAINED and c_ab > c_ba:
        inside = (a, b)
    elif c_ba >= CONTAINED and c_ba > c_ab:
        inside = (b, a)
    if inside is not None:
        short, long = inside
        if first is None:
            return f"{short.id} is mostly contained in {long.id} ({max(c_ab, c_ba):.0%} of its text): one likely copies the other"
        later = long if first is short else short
        if first is long:
            return f"{short.id} may be a shortened reprint of {long.id} (contained {max(c_ab, c_ba):.0%}, published later)"
        return f"{later.id} may expand {first.id} (which it contains and which was published earlier)"
    if first is not None:
        other = b if first is a else a
        verb = "reprint" if evidence.kind == "reprint" else evidence.kind
        return f"{first.id} was published first; {other.id} may be a {verb} of it"
    return None
