"""Sentence segmentation with exact character spans.

The segmenter is sentencex (maintained, rule-based, 240+ languages, fast native core); see docs/decisions.md
for how it compared with pysbd on the WMT21 gold sentence boundaries. Text is first cut at line breaks (news
pages put one paragraph per line, and a headline has no full stop) and at any extra cut points the caller gives
(debris boundaries), so no sentence straddles a line or a debris edge. Every span is trimmed of surrounding
whitespace, so ``text[start:end]`` is exactly the sentence.
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Callable, Iterable

Boundaries = Callable[[str, str], list[dict[str, object]]]

# sentencex falls back sensibly for languages it has no rules for; "und" gets the English rules.
_FALLBACK = "en"


@functools.cache
def _boundaries() -> Boundaries:
    from sentencex import get_sentence_boundaries

    fn: Boundaries = get_sentence_boundaries
    return fn


def _trim(text: str, start: int, end: int) -> tuple[int, int] | None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return (start, end) if end > start else None


# Quote characters are masked (replaced by spaces, keeping offsets) before sentencex sees a piece: sentencex
# never splits inside quotation marks, so one unbalanced or multi-sentence quote would glue a paragraph into a
# single "sentence". The splits masking adds before a continuation (``"Go!" she said``, ``«Да!» — сказал он``)
# are merged back, and an opening quote left at the end of a sentence is moved to the next one.
_QUOTES = '"“”«»„‟〝〞＂'


def _mask_quotes(piece: str) -> str:
    for q in _QUOTES:
        if q in piece:
            piece = piece.replace(q, " ")
    return piece


_OPENING_TAIL = re.compile(rf"\s([{_QUOTES}'‘‚]+)$")
# a "sentence" that is one short dotted word ("M.", "Gen.", "J.") is an abbreviation or an initial
_LONE_ABBREVIATION = re.compile(r"[^\W\d_]{1,4}\.$")
_QUOTE_TAIL = frozenset(_QUOTES + "'‘‚")
_CONTINUATION = re.compile(r"(?:[,;:)\]]|[-–—]+\s*[^\W\d_]|[^\W\d_])")


def _continues(sentence: str) -> bool:
    """True when ``sentence`` cannot start a sentence: lowercase, punctuation, or a dash then a word."""
    m = _CONTINUATION.match(sentence)
    if m is None:
        return False
    last = m.group(0)[-1]
    return last.islower() if last.isalpha() else True


def split_piece(text: str, start: int, end: int, lang: str) -> list[tuple[int, int]]:
    """Sentence spans of ``text[start:end]`` (one line or part of one), as offsets into ``text``."""
    piece = text[start:end]
    if not piece or piece.isspace():
        return []
    code = lang if lang and lang != "und" else _FALLBACK
    spans: list[tuple[int, int]] = []
    for b in _boundaries()(code, _mask_quotes(piece)):
        if b.get("is_paragraph_break"):
            continue
        s0 = b["start_index"]
        e0 = b["end_index"]
        assert isinstance(s0, int) and isinstance(e0, int)
        span = _trim(text, start + s0, start + e0)
        if span is None:
            continue
        if spans:
            ps, pe = spans[-1]
            tail = _OPENING_TAIL.search(text, max(ps, pe - 8), pe) if text[pe - 1] in _QUOTE_TAIL else None
            if tail is not None and tail.start(1) > ps:
                trimmed = _trim(text, ps, tail.start(1))
                if trimmed is not None:
                    spans[-1] = trimmed
                    span = (tail.start(1), span[1])
            if _continues(text[span[0] : span[1]]) or _LONE_ABBREVIATION.match(text, ps, spans[-1][1]):
                spans[-1] = (spans[-1][0], span[1])
                continue
        spans.append(span)
    return spans


_WRAP_MIN_LINE = 40
_WRAP_MAX_LINE = 100
_SENTENCE_END_CHARS = frozenset(".!?…。！？:;")
_CLOSERS = frozenset(_QUOTES + "'’)]")


def _soft_wrap(text: str, pos: int) -> bool:
    """True when the newline at ``pos`` wraps a paragraph at a fixed width, mid-sentence: the line before is
    40–100 characters and does not end a sentence, the next line goes on in lowercase, is no longer than the
    width, and is either as full as a wrapped line or the end of the sentence. A headline followed by a
    lowercase byline or date ("… Grün-Rot" / "von dpa") is not a wrap."""
    start = text.rfind("\n", 0, pos) + 1
    width = len(text[start:pos].strip())
    if not _WRAP_MIN_LINE <= width <= _WRAP_MAX_LINE:
        return False
    end = pos
    while end > start and text[end - 1] in " \t":
        end -= 1
    while end > start and text[end - 1] in _CLOSERS:
        end -= 1
    if end == start or text[end - 1] in _SENTENCE_END_CHARS:
        return False
    stop = text.find("\n", pos + 1)
    following = text[pos + 1 : len(text) if stop == -1 else stop].strip()
    if not following or not following[0].isalpha() or not following[0].islower():
        return False
    if len(following) > width + 15:
        return False
    return len(following) >= 0.6 * width or following.rstrip("".join(_CLOSERS))[-1:] in _SENTENCE_END_CHARS


def sentence_spans(text: str, lang: str = "en", cuts: Iterable[int] = ()) -> list[tuple[int, int]]:
    """Sentence spans of ``text``: never across a cut point or a line break (except a soft wrap inside a
    sentence: a long line without a sentence end, continued in lowercase); trimmed; in order.

    >>> t = "Gen. Smith of the U.S. Army spoke. He left.\\nHeadline without stop"
    >>> [t[s:e] for s, e in sentence_spans(t, "en")]
    ['Gen. Smith of the U.S. Army spoke.', 'He left.', 'Headline without stop']
    """
    points = {0, len(text)}
    points.update(c for c in cuts if 0 < c < len(text))
    pos = text.find("\n")
    while pos != -1:
        if not _soft_wrap(text, pos):
            points.add(pos)
        pos = text.find("\n", pos + 1)
    ordered = sorted(points)
    spans: list[tuple[int, int]] = []
    for a, b in itertools.pairwise(ordered):
        spans.extend(split_piece(text, a, b, lang))
    return spans
