"""Build a fully prepared `Article` (sentences, language, debris) from raw text."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from datetime import datetime
from types import MappingProxyType
from typing import Any

from samestory.article import Article, Sentence

_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"'”»)]*\s+|\n+")


def _naive_sentences(text: str) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    pos = 0
    for m in _SENTENCE_END.finditer(text):
        if text[pos : m.start()].strip():
            spans.append((pos, m.start()))
        pos = m.end()
    if text[pos:].strip():
        spans.append((pos, len(text)))
    return spans


def from_text(
    text: str,
    *,
    title: str | None = None,
    id: str | None = None,
    lang: str | None = None,
    published: datetime | None = None,
    source: str = "",
    url: str = "",
    meta: Mapping[str, Any] | None = None,
) -> Article:
    """Build an article from its body text; the title, when given, is kept apart from the body.

    >>> a = from_text("Gen. Smith spoke. He left.", title="News")
    >>> [s.text for s in a.sentences][-1]
    'He left.'
    """
    ident = id or hashlib.blake2b(f"{title}\n{text}".encode(), digest_size=8).hexdigest()
    sentences = tuple(
        Sentence(index=i, start=s, end=e, text=text[s:e].strip())
        for i, (s, e) in enumerate(_naive_sentences(text))
    )
    return Article(
        id=ident,
        text=text,
        title=title or "",
        lang=lang or "und",
        published=published,
        source=source,
        url=url,
        meta=MappingProxyType(dict(meta or {})),
        sentences=sentences,
    )
