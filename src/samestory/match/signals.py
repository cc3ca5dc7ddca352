"""Per-article signals for pair scoring, computed once per article and reusable across pairs.

Everything here is plain Python + numpy and language-agnostic: words (CJK by character bigrams), 5-letter
stems, character 4-grams over a Latin transliteration (so "Путин" meets "Putin"), capitalised names,
numbers and years, the script mix, and the embeddings of a few views (see `samestory.match.views`).
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from samestory.article import Article
from samestory.embed.base import Encoder
from samestory.match.views import VIEWS, body_text, unit_count, views
from samestory.text.translit import fold

_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff"
_WORD = re.compile(rf"[{_CJK}]+|[^\W\d_]+", re.UNICODE)
_NUMBER = re.compile(r"\d+(?:[.,]\d{3})*(?:[.,]\d+)?")
_YEAR = re.compile(r"(?<!\d)(?:1[89]\d\d|20\d\d)(?!\d)")
_CAP = re.compile(r"(?<![\w])([^\W\d_][^\W_]*)", re.UNICODE)

# scripts that the multilingual encoders we ship weights for were trained on (by Unicode name prefix)
COVERED_SCRIPTS = (
    "LATIN", "CYRILLIC", "GREEK", "ARABIC", "HEBREW", "CJK", "HIRAGANA", "KATAKANA", "HANGUL", "DEVANAGARI",
    "BENGALI", "GURMUKHI", "GUJARATI", "TAMIL", "TELUGU", "KANNADA", "MALAYALAM", "THAI", "GEORGIAN",
    "ARMENIAN", "ETHIOPIC", "SINHALA", "KHMER", "LAO", "MYANMAR", "ORIYA",
)  # fmt: skip


def script_of(ch: str) -> str:
    name = unicodedata.name(ch, "")
    return name.split(" ", 1)[0] if name else ""


def words(text: str) -> list[str]:
    """Lower-cased words; a CJK run becomes its character bigrams (or the single character)."""
    out: list[str] = []
    for m in _WORD.finditer(text):
        w = m.group(0).lower()
        if "\u3040" <= w[0] <= "\ufaff" and not w.isascii():
            out.extend(w[i : i + 2] for i in range(max(1, len(w) - 1)))
        else:
            out.append(w)
    return out


@dataclass(frozen=True, slots=True)
class Signals:
    """What pair scoring needs from one article; build with `article_signals`."""

    lang: str
    units: int
    words: Counter[str]
    stems: frozenset[str]
    grams: frozenset[str]
    names: Counter[str]
    numbers: frozenset[str]
    years: frozenset[str]
    covered: float  # share of letters in a script the encoders cover
    name_forms: dict[str, str] = field(default_factory=dict)  # folded name key -> first surface form
    vectors: dict[str, npt.NDArray[np.float32]] = field(default_factory=dict)


def _names(text: str, lowered_words: set[str], forms: dict[str, str]) -> Counter[str]:
    """Capitalised words that do not also occur lower-cased (so sentence-initial common words drop out),
    keyed by the first 6 letters of their folded form (so inflections and transliterations meet)."""
    names: Counter[str] = Counter()
    for m in _CAP.finditer(text):
        w = m.group(1)
        if len(w) < 2 or not w[0].isupper() or (w.isupper() and len(w) > 5):
            continue
        if w.lower() in lowered_words:
            continue
        key = fold(w)[:6]
        names[key] += 1
        forms.setdefault(key, w)
    return names


def article_signals(
    article: Article, encoder: Encoder | None = None, view_names: tuple[str, ...] = tuple(VIEWS)
) -> Signals:
    """The signals of one article (embeds its views with ``encoder`` unless it is ``None``)."""
    return batch_signals([article], encoder, view_names)[0]


def batch_signals(
    articles: Sequence[Article], encoder: Encoder | None = None, view_names: tuple[str, ...] = tuple(VIEWS)
) -> list[Signals]:
    """Signals of many articles; their views (``view_names``) are embedded in one batch (the slow part)."""
    texts = [body_text(a) for a in articles]
    vectors: list[dict[str, npt.NDArray[np.float32]]] = [{} for _ in articles]
    if encoder is not None:
        names = view_names
        chunks: list[str] = []
        where: list[tuple[int, str]] = []
        for i, a in enumerate(articles):
            for name, view in views(a, names).items():
                if view:
                    chunks.append(view)
                    where.append((i, name))
        if chunks:
            embedded = encoder.encode(chunks)
            for (i, name), vec in zip(where, embedded, strict=True):
                vectors[i][name] = vec
    return [_signals(a, text, vec) for a, text, vec in zip(articles, texts, vectors, strict=True)]


def _signals(article: Article, text: str, vectors: dict[str, npt.NDArray[np.float32]]) -> Signals:
    counts = Counter(words(text))
    folded = fold(text)
    squeezed = " ".join(_WORD.findall(folded))
    grams = frozenset(squeezed[i : i + 4] for i in range(max(0, len(squeezed) - 3)))
    letters = [ch for ch in text if ch.isalpha()]
    sample = letters[:: max(1, len(letters) // 400)] if letters else []
    covered = (
        sum(1 for ch in sample if script_of(ch).startswith(COVERED_SCRIPTS)) / len(sample) if sample else 0.0
    )
    forms: dict[str, str] = {}
    names = _names(text, {w for w in _WORD.findall(text) if w[0].islower()}, forms)
    numbers = frozenset(re.sub(r"[.,]", "", n) for n in _NUMBER.findall(text))
    return Signals(
        lang=article.lang or "und",
        units=unit_count(text),
        words=counts,
        stems=frozenset(fold(w)[:5] for w in counts if len(w) >= 4),
        grams=grams,
        names=names,
        numbers=numbers,
        years=frozenset(_YEAR.findall(text)),
        covered=covered,
        name_forms=forms,
        vectors=vectors,
    )
