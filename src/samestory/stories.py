"""What a corpus index answers with (stories, members with explained membership, add reports), how they
are built from store rows, and how memberships and corpus settings are written to and read back from the
store."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from samestory.article import utc_timestamp
from samestory.errors import StoreError
from samestory.store import ArticleRow, MembershipRow

if TYPE_CHECKING:
    from samestory.article import Article
    from samestory.corpus.cluster import Membership
    from samestory.corpus.config import CorpusConfig
    from samestory.corpus.features import DocFeatures
    from samestory.corpus.verify import PairEvidence


@dataclass(frozen=True, slots=True)
class StoryMember:
    """One version in a story: where it came from, which member it matched, how well, and why."""

    id: str
    title: str
    source: str
    url: str
    lang: str
    published: datetime | None
    snippet: str
    matched_id: str | None
    score: float
    evidence: dict[str, Any] | None
    copy_hint: str | None = None

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["published"] = self.published.isoformat() if self.published else None
        out["score"] = round(self.score, 4)
        return out


@dataclass(frozen=True, slots=True)
class Story:
    """A story with explained membership; ``earliest`` is the earliest dated version (a hint of the original)."""

    id: str
    members: tuple[StoryMember, ...]
    earliest: str | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "story_id": self.id,
            "size": len(self.members),
            "earliest": self.earliest,
            "members": [m.to_dict() for m in self.members],
        }


@dataclass(frozen=True, slots=True)
class StorySummary:
    """One line of `Index.stories`: size, earliest version, languages, sources, and the member ids."""

    id: str
    size: int
    earliest: str | None
    title: str
    langs: tuple[str, ...]
    sources: tuple[str, ...]
    members: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "story_id": self.id,
            "size": self.size,
            "earliest": self.earliest,
            "title": self.title,
            "langs": list(self.langs),
            "sources": list(self.sources),
            "members": list(self.members),
        }


@dataclass(slots=True)
class AddReport:
    """What one `Index.add_report` did: memberships of the given articles (input order) and counts."""

    memberships: list[Membership] = field(default_factory=list)
    added: int = 0
    skipped: int = 0
    replaced: int = 0
    resumed: int = 0


def config_to_json(cfg: CorpusConfig) -> str:
    return json.dumps(asdict(cfg), sort_keys=True)


def config_from_json(text: str) -> CorpusConfig:
    from samestory.corpus.config import CorpusConfig
    from samestory.fingerprint import FingerprintConfig

    try:
        data = json.loads(text)
        # settings recorded before feature schemes were named are scheme 1 (refused: the index must be rebuilt)
        fp = FingerprintConfig(**{"scheme": 1, **data.pop("fingerprint")})
        return CorpusConfig(fingerprint=fp, **data)
    except (ValueError, TypeError, KeyError) as exc:
        raise StoreError(
            f"the stored corpus settings cannot be read ({exc}); the database was written by another "
            "samestory version: rebuild the index with a new --db"
        ) from None


def evidence_from_json(text: str | None) -> PairEvidence | None:
    if text is None:
        return None
    from samestory.corpus.verify import PairEvidence

    d = json.loads(text)
    return PairEvidence(
        float(d["score"]), bool(d["same_story"]), str(d["kind"]), MappingProxyType(dict(d["details"]))
    )


def membership_from_row(row: MembershipRow) -> Membership:
    from samestory.corpus.cluster import Membership

    return Membership(
        row.article_id, row.story_id, row.matched_id, row.score, evidence_from_json(row.evidence)
    )


def membership_to_row(m: Membership) -> MembershipRow:
    ev = m.evidence
    # full precision (to_dict rounds for display): a stored membership reads back exactly as computed
    evidence = (
        json.dumps(
            {"score": ev.score, "same_story": ev.same_story, "kind": ev.kind, "details": dict(ev.details)},
            sort_keys=True,
        )
        if ev is not None
        else None
    )
    return MembershipRow(m.article_id, m.story_id, m.matched_id, m.score, evidence)


def summarize_stories(members: Iterable[tuple[str, ArticleRow]]) -> list[StorySummary]:
    """One summary per story of ``(story id, member row)`` pairs, largest first (ties by id), with its
    earliest dated version, languages and sources."""
    groups: dict[str, list[ArticleRow]] = {}
    for story_id, row in members:
        groups.setdefault(story_id, []).append(row)
    out = []
    for story_id, rows in groups.items():
        dated = [(utc_timestamp(r.published), r.id) for r in rows if r.published is not None]
        founder = next((r for r in rows if r.id == story_id), rows[0])
        out.append(
            StorySummary(
                id=story_id,
                size=len(rows),
                earliest=min(dated)[1] if dated else None,
                title=founder.title or founder.snippet[:80],
                langs=tuple(sorted({r.lang for r in rows})),
                sources=tuple(sorted({r.source for r in rows if r.source})),
                members=tuple(r.id for r in rows),
            )
        )
    out.sort(key=lambda s: (-s.size, s.id))
    return out


def explain_story(
    rows: Sequence[MembershipRow], arts: Mapping[str, ArticleRow], feats: Mapping[str, DocFeatures]
) -> Story:
    """The story of membership ``rows`` (one story, in assignment order): each member with the member it
    matched, the score, the evidence and a copy-direction hint; the earliest version."""
    from samestory.corpus.provenance import copy_hint, earliest

    members = []
    for r in rows:
        a = arts[r.article_id]
        ev = evidence_from_json(r.evidence)
        hint = None
        if ev is not None and r.matched_id is not None and r.matched_id in feats and r.article_id in feats:
            hint = copy_hint(feats[r.article_id], feats[r.matched_id], ev)
        members.append(
            StoryMember(
                id=a.id,
                title=a.title,
                source=a.source,
                url=a.url,
                lang=a.lang,
                published=a.published,
                snippet=a.snippet,
                matched_id=r.matched_id,
                score=r.score,
                evidence=ev.to_dict() if ev is not None else None,
                copy_hint=hint,
            )
        )
    ids = [r.article_id for r in rows]
    return Story(
        id=rows[0].story_id,
        members=tuple(members),
        earliest=earliest([feats[i] for i in ids if i in feats]),
    )


def stored_article(row: ArticleRow, text: str | None) -> Article:
    """The `Article` of a stored row and its stored text, built as `samestory.ingest.from_text` builds every
    article (the same sentences and debris as when it was indexed). An article stored before texts were kept
    (``text`` None) is rebuilt from its snippet."""
    from samestory.ingest.build import from_text

    return from_text(
        row.snippet if text is None else text,
        title=row.title,
        id=row.id,
        lang=row.lang,
        published=row.published,
        source=row.source,
        url=row.url,
    )


def content_hash(article: Article) -> str:
    """The hash that tells whether a stored article changed: title, body and publication time."""
    published = article.published.isoformat() if article.published else ""
    data = f"{article.title}\x00{article.text}\x00{published}".encode()
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def article_row(a: Article, digest: str, length: int) -> ArticleRow:
    """The store row of an article: its metadata and a 240-character snippet of its content."""
    snippet = (a.content if a.sentences else a.text)[:240]
    return ArticleRow(
        id=a.id,
        content_hash=digest,
        title=a.title,
        source=a.source,
        url=a.url,
        lang=a.lang,
        published=a.published,
        length=length,
        snippet=" ".join(snippet.split()),
        text=a.text,
    )
