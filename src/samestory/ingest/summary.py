"""A JSON-ready description of what was read from an article (the schema of ``samestory inspect --format json``)."""

from __future__ import annotations

from typing import Any

from samestory.article import Article


def article_summary(article: Article) -> dict[str, Any]:
    """``{id, source, url, title, lang, published, dateline, sentences, debris}`` for one article.

    ``sentences`` is a list of ``{index, text, start, end, debris}`` (``debris`` true/false) and ``debris`` a
    list of ``{start, end, text, kind}``; offsets are character offsets into the article's body text.
    """
    dl = article.dateline
    return {
        "id": article.id,
        "source": article.source,
        "url": article.url,
        "title": article.title,
        "lang": article.lang,
        "published": article.published.isoformat() if article.published else None,
        "dateline": None
        if dl is None
        else {"place": dl.place, "date": dl.date, "start": dl.start, "end": dl.end},
        "sentences": [
            {"index": s.index, "text": s.text, "start": s.start, "end": s.end, "debris": s.debris}
            for s in article.sentences
        ],
        "debris": [
            {"start": d.start, "end": d.end, "text": article.text[d.start : d.end], "kind": d.kind}
            for d in article.debris
        ],
    }
