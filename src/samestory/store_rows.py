"""The rows the store hands out (`ArticleRow`, `MembershipRow`) and how a stored row is read back: a damaged
field is reported (``Damage``) and read as missing, never raised mid-listing."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from samestory.article import utc_timestamp
from samestory.errors import StoreError

#: ``damage(article_id, what, value)``: note a damaged field of a stored row
Damage = Callable[[object, str, object], None]


@dataclass(frozen=True, slots=True)
class ArticleRow:
    """What the store keeps of one article besides its features: enough to list and explain a story."""

    id: str
    content_hash: str
    title: str = ""
    source: str = ""
    url: str = ""
    lang: str = "und"
    published: datetime | None = None
    length: int = 0
    snippet: str = ""
    #: the body as read; written to ``article_text`` by `Store.stage`, left empty in rows read back (the text
    #: is read on demand with `Store.text`)
    text: str = ""


@dataclass(frozen=True, slots=True)
class MembershipRow:
    """One stored membership; ``evidence`` is the JSON text of `PairEvidence.to_dict` (or ``None``)."""

    article_id: str
    story_id: str
    matched_id: str | None
    score: float
    evidence: str | None


def published_ts(published: datetime | None) -> float | None:
    """The ``published_ts`` column: `samestory.article.utc_timestamp` (naive = UTC), None when undated."""
    return None if published is None else utc_timestamp(published)


def article_row(r: Sequence[object], damage: Damage) -> ArticleRow:
    """An `ArticleRow` of the `ROW_COLUMNS` of one row; an unreadable date is reported to ``damage`` and read
    as missing."""
    published: datetime | None = None
    if r[6] is not None:
        try:
            published = datetime.fromisoformat(str(r[6]))
        except ValueError:
            damage(r[0], "publication date (articles.published)", r[6])
    return ArticleRow(
        id=str(r[0]),
        content_hash=str(r[1]),
        title=str(r[2]),
        source=str(r[3]),
        url=str(r[4]),
        lang=str(r[5]),
        published=published,
        length=as_int(r[7]),
        snippet=str(r[8]),
    )


def membership_row(r: Sequence[object], damage: Damage) -> MembershipRow:
    """A `MembershipRow` of (article id, story id, matched id, score, evidence); damaged evidence or score is
    reported to ``damage`` and read as none."""
    evidence = None if r[4] is None else str(r[4])
    if evidence is not None and not evidence_ok(evidence):
        damage(r[0], "evidence (memberships.evidence)", evidence)
        evidence = None
    try:
        score = float(r[3])  # type: ignore[arg-type]
    except (TypeError, ValueError):
        damage(r[0], "score (memberships.score)", r[3])
        score = 0.0
    return MembershipRow(
        article_id=str(r[0]),
        story_id=str(r[1]),
        matched_id=None if r[2] is None else str(r[2]),
        score=score,
        evidence=evidence,
    )


#: the columns `article_row` reads, in order
ROW_COLUMNS = "id, content_hash, title, source, url, lang, published, length, snippet"


def evidence_ok(text: str) -> bool:
    """Whether stored evidence is what `PairEvidence.to_dict` writes: score, same_story, kind, and numeric
    details (anything else is damage, and is read as no evidence)."""
    try:
        d = json.loads(text)
    except (ValueError, RecursionError):
        return False
    if (
        not isinstance(d, dict)
        or not isinstance(d.get("details"), dict)
        or not isinstance(d.get("kind"), str)
    ):
        return False
    numbers = [d.get("score"), *d["details"].values()]
    return isinstance(d.get("same_story"), bool) and all(
        isinstance(v, int | float) and not isinstance(v, bool) for v in numbers
    )


def as_int(value: object) -> int:
    if not isinstance(value, int):
        raise StoreError(f"expected an integer in the database, found {value!r}; the file may be damaged")
    return value
