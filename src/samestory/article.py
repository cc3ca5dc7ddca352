"""The one record that flows through every stage: `Article`, with its `Sentence`s and debris `Span`s.

Offsets are character offsets into `Article.text`. Debris (repeated headlines, "See also" blocks,
feed headers, promo labels, …) is *marked* with spans, never deleted, so reports can always show
exactly what a page contained.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Any

from samestory.text.display import scrub_surrogates

_EMPTY: Mapping[str, Any] = MappingProxyType({})
_STRINGS = ("id", "text", "title", "source", "url", "lang")


def _scrub(value: Any) -> Any:
    """`scrub_surrogates` through strings, lists and dicts (JSON-like metadata); other values as they are."""
    if isinstance(value, str):
        return scrub_surrogates(value)
    if isinstance(value, list | tuple):
        return type(value)(_scrub(v) for v in value)
    if isinstance(value, Mapping):
        return {_scrub(k): _scrub(v) for k, v in value.items()}
    return value


def utc_timestamp(dt: datetime) -> float:
    """POSIX time of ``dt``; a naive datetime is taken as UTC (the same rule for the processing order, time
    windows, the store and provenance)."""
    return (dt if dt.tzinfo else dt.replace(tzinfo=UTC)).timestamp()


@dataclass(frozen=True, slots=True)
class Span:
    """A half-open character range ``[start, end)`` of `Article.text`, with the kind of debris it is."""

    start: int
    end: int
    kind: str = ""

    def __post_init__(self) -> None:
        if not 0 <= self.start <= self.end:
            raise ValueError(f"Span needs 0 <= start <= end, got start={self.start}, end={self.end}")

    def __len__(self) -> int:
        return self.end - self.start

    def overlaps(self, start: int, end: int) -> bool:
        return self.start < end and start < self.end


@dataclass(frozen=True, slots=True)
class Sentence:
    """One sentence: its index in the article, its span in `Article.text`, and whether it is debris."""

    index: int
    start: int
    end: int
    text: str
    debris: bool = False


@dataclass(frozen=True, slots=True)
class Dateline:
    """A wire-copy dateline such as ``MOSCOW, December 23.``: the place and the date as printed."""

    place: str
    date: str | None
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Article:
    """One version of a news story, as read, with sentences and debris marked.

    ``text`` is the body as read (the title is kept apart in ``title``); ``sentences`` cover the body
    in order; ``debris`` lists the spans of ``text`` that are page furniture rather than content.
    """

    id: str
    text: str
    title: str = ""
    lang: str = "und"
    published: datetime | None = None
    source: str = ""
    url: str = ""
    meta: Mapping[str, Any] = field(default_factory=lambda: _EMPTY, compare=False)
    sentences: tuple[Sentence, ...] = ()
    debris: tuple[Span, ...] = ()
    dateline: Dateline | None = None

    def __post_init__(self) -> None:
        # Every article passes here however it was built (a reader, from_text, a caller's own code): a lone
        # surrogate (not a character; it cannot be encoded, stored or printed) becomes U+FFFD, one code
        # point for one, so offsets stay valid. Clean strings cost one isascii() or one regex scan.
        for name in _STRINGS:
            value = getattr(self, name)
            if isinstance(value, str) and not value.isascii():
                clean = scrub_surrogates(value)
                if clean != value:
                    object.__setattr__(self, name, clean)
                    if name == "text":
                        sentences = tuple(replace(s, text=scrub_surrogates(s.text)) for s in self.sentences)
                        object.__setattr__(self, "sentences", sentences)
        if self.meta:
            clean_meta = _scrub(self.meta)
            if clean_meta != dict(self.meta):
                object.__setattr__(self, "meta", MappingProxyType(clean_meta))

    @property
    def content_sentences(self) -> tuple[Sentence, ...]:
        """The sentences that are not debris, in order."""
        return tuple(s for s in self.sentences if not s.debris)

    @property
    def content(self) -> str:
        """The body without debris: content sentences joined by single spaces."""
        return " ".join(s.text for s in self.content_sentences)

    def is_debris(self, start: int, end: int) -> bool:
        """True when ``[start, end)`` lies mostly inside marked debris."""
        if end <= start:
            return False
        covered = sum(max(0, min(end, d.end) - max(start, d.start)) for d in self.debris)
        return covered * 2 > end - start
