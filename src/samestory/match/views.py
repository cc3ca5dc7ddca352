"""The few short passages of an article that get embedded ("views"): head, body and tail.

Embedding every sentence is too slow on a CPU (multilingual-e5-small: 1,500–4,000 tokens a second on 2
cores), so an article is represented by a handful of windows. Windows count *units*: a whitespace word, or
one CJK / kana / hangul / Thai character (scripts written without spaces), and slice the original string so
that the text embedded is exactly what the reader wrote.
"""

from __future__ import annotations

import re

from samestory.article import Article

_UNIT = re.compile(
    r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\u0e00-\u0e7f\uf900-\ufaff]"
    r"|[^\s\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\u0e00-\u0e7f\uf900-\ufaff]+"
)

# view name -> (first unit, end unit); negative = counted from the end. The views do not overlap (except in
# short texts, where tail may repeat head), so that the lead of an article is the mean of head and body.
VIEWS: dict[str, tuple[int, int | None]] = {
    "head": (0, 48),
    "body": (48, 160),
    "tail": (-48, None),
}

# the views the shipped encoder model embeds (CV: tail adds nothing; see docs/decisions.md)
SHIPPED_VIEWS: tuple[str, ...] = ("head", "body")


def body_text(article: Article) -> str:
    """Title and content (debris skipped; the raw body when every sentence is debris)."""
    content = article.content.strip() if article.sentences else ""
    if not content:
        content = article.text.strip()
    title = article.title.strip()
    return f"{title}\n{content}" if title else content


def window(text: str, start: int, end: int | None) -> str:
    """Units ``start`` to ``end`` of ``text`` (Python slice semantics over units), as a slice of the string."""
    spans = [m.span() for m in _UNIT.finditer(text)][start:end]
    if not spans:
        return ""
    return text[spans[0][0] : spans[-1][1]]


def views(article: Article, names: tuple[str, ...] = tuple(VIEWS)) -> dict[str, str]:
    """The texts to embed for ``article``, by view name (empty strings for an empty article)."""
    text = body_text(article)
    return {name: window(text, *VIEWS[name]) for name in names}


def unit_count(text: str) -> int:
    return sum(1 for _ in _UNIT.finditer(text))
