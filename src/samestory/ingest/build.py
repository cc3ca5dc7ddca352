"""Build a fully prepared `Article` (normalised text, debris, dateline, language, sentences) from raw text.

``from_text`` is the one place every article is built, so it is kept fast (about a millisecond for a news
article): normalisation and ftfy only where mojibake is suspected, line-based debris rules, py3langid on the
first 700 content characters, and sentencex for sentences.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import datetime
from types import MappingProxyType
from typing import Any

from samestory.article import Article, Sentence, Span
from samestory.ingest.clean import find_dateline, find_debris, split_lines
from samestory.text.display import scrub_surrogates
from samestory.text.lang import SAMPLE_CHARS, detect_lang, normalize_lang
from samestory.text.normalize import normalize_text
from samestory.text.segment import sentence_spans


def _content_sample(text: str, debris: list[Span], limit: int = SAMPLE_CHARS) -> str:
    if not debris:
        return text[:limit]
    parts: list[str] = []
    size = 0
    pos = 0
    for d in [*debris, Span(len(text), len(text))]:
        chunk = text[pos : d.start]
        parts.append(chunk)
        size += len(chunk)
        if size >= limit:
            break
        pos = max(pos, d.end)
    sample = "\n".join(parts)[:limit]
    return sample if sample.strip() else text[:limit]


def build_sentences(text: str, lang: str, debris: list[Span]) -> tuple[Sentence, ...]:
    """Sentences of ``text``, cut at debris edges, each flagged when it lies inside debris."""
    cuts = [p for d in debris for p in (d.start, d.end)]
    sentences: list[Sentence] = []
    di = 0
    for start, end in sentence_spans(text, lang, cuts):
        while di < len(debris) and debris[di].end <= start:
            di += 1
        inside = di < len(debris) and debris[di].start <= start and end <= debris[di].end
        sentences.append(
            Sentence(index=len(sentences), start=start, end=end, text=text[start:end], debris=inside)
        )
    return tuple(sentences)


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

    The text is normalised (line endings, mojibake, NFC), so ``Article.text`` may differ from ``text`` in
    those respects; every offset refers to ``Article.text``. A lone surrogate (``"\\udfff"``, not a
    Unicode character) in any string becomes U+FFFD (`samestory.text.display.scrub_surrogates`).
    ``from_text`` never guesses a title from the body: a headline left in ``text`` stays body text (the
    ``.txt`` reader is where titles are taken).

    >>> a = from_text("Gen. Smith spoke. He left.", title="News")
    >>> [s.text for s in a.sentences][-1]
    'He left.'
    """
    text, title, id = scrub_surrogates(text), scrub_surrogates(title or ""), scrub_surrogates(id or "")
    source, url = scrub_surrogates(source), scrub_surrogates(url)
    body = normalize_text(text)
    head = normalize_text(title).strip() if title else ""
    lines = split_lines(body)
    debris = find_debris(body, head, lines)
    dateline = find_dateline(body, lines, debris)
    code = normalize_lang(lang) if lang else detect_lang(_content_sample(body, debris))
    ident = id or hashlib.blake2b(f"{head}\n{body}".encode(), digest_size=8).hexdigest()
    return Article(
        id=ident,
        text=body,
        title=head,
        lang=code,
        published=published,
        source=source,
        url=url,
        meta=MappingProxyType(dict(meta or {})),
        sentences=build_sentences(body, code, debris),
        debris=tuple(debris),
        dateline=dateline,
    )
