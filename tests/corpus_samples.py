"""Seeded synthetic news corpora for the corpus-store tests: stories of unrelated pseudo-words, each published
in several versions (reprint with page debris, truncation, dropped sentence, reordered sentences).

Gold stories are known by construction; no expected output of samestory is hard-coded.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from samestory.article import Article
from samestory.ingest import from_text

_SYLLABLES = [
    "ka", "lo", "mir", "te", "ras", "vo", "bel", "un", "dor", "si", "pa", "gre", "nu", "tal", "qui", "zen",
    "ob", "ri", "fal", "mo", "esk", "ti", "har", "ul", "pen", "dri", "co", "vas", "lem", "ax",
]  # fmt: skip


@dataclass(frozen=True)
class Version:
    id: str
    story: int
    title: str
    text: str
    published: datetime | None
    source: str


def _word(rng: random.Random) -> str:
    return "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 3)))


def _sentence(rng: random.Random, vocab: list[str]) -> str:
    words = [rng.choice(vocab) for _ in range(rng.randint(10, 16))]
    words.insert(rng.randint(1, 5), _word(rng).capitalize())  # a name
    words.insert(rng.randint(1, 8), str(rng.randint(2, 9999)))  # a number
    return words[0].capitalize() + " " + " ".join(words[1:]) + "."


def synthetic_versions(stories: int, *, seed: int = 7, dated: bool = True) -> list[Version]:
    """``stories`` stories with 2-5 versions each, in a shuffled (seeded) order."""
    rng = random.Random(seed)
    vocab = sorted({_word(rng) for _ in range(4000)})
    base_time = datetime(2024, 3, 1, 8, 0, tzinfo=UTC)
    out: list[Version] = []
    for s in range(stories):
        sentences = [_sentence(rng, vocab) for _ in range(rng.randint(7, 10))]
        title = " ".join(_word(rng) for _ in range(5)).capitalize()
        t0 = base_time + timedelta(hours=rng.randint(0, 24 * 60))
        variants = [("orig", sentences)]
        variants.append(("reprint", [*sentences, "Read more: subscribe to our newsletter today."]))
        variants.append(("trunc", sentences[: max(4, len(sentences) - 3)]))
        dropped = list(sentences)
        del dropped[rng.randrange(1, len(dropped))]
        variants.append(("drop", dropped))
        moved = [sentences[0], *sentences[1:][::-1]]
        variants.append(("reorder", moved))
        keep = rng.randint(2, 5)
        for k, (kind, sents) in enumerate(variants[:keep]):
            published = t0 + timedelta(minutes=37 * k) if dated else None
            out.append(Version(f"s{s:04d}-{kind}", s, title, " ".join(sents), published, f"outlet{k}"))
    rng.shuffle(out)
    return out


def articles(versions: list[Version]) -> list[Article]:
    return [
        from_text(v.text, title=v.title, id=v.id, published=v.published, source=v.source, lang="en")
        for v in versions
    ]


def write_jsonl(path: Path, versions: list[Version]) -> Path:
    with path.open("w", encoding="utf-8") as fh:
        for v in versions:
            record = {
                "id": v.id,
                "title": v.title,
                "text": v.text,
                "published": v.published.isoformat() if v.published else None,
                "source": v.source,
                "lang": "en",
            }
            fh.write(json.dumps(record) + "\n")
    return path


def gold(versions: list[Version]) -> dict[str, int]:
    return {v.id: v.story for v in versions}


def partition(pairs: dict[str, str]) -> set[frozenset[str]]:
    """article -> cluster label, as a set of member sets (labels do not matter)."""
    groups: dict[str, set[str]] = {}
    for article, label in pairs.items():
        groups.setdefault(label, set()).add(article)
    return {frozenset(g) for g in groups.values()}
