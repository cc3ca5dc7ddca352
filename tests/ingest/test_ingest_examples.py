"""Acceptance of issue 2 on the example pair: the listed debris is marked, and no body paragraph is."""

from __future__ import annotations

from pathlib import Path

from samestory.article import Article
from samestory.ingest import from_text, load


def _read_txt(path: Path) -> Article:
    return load(path)


def _lines(article: Article) -> list[tuple[int, int, str]]:
    out = []
    pos = 0
    for raw in article.text.split("\n"):
        stripped = raw.strip()
        if stripped:
            start = pos + raw.index(stripped)
            out.append((start, start + len(stripped), stripped))
        pos += len(raw) + 1
    return out


def _check(article: Article, debris_lines: set[str], debris_prefixes: tuple[str, ...] = ()) -> None:
    found_debris = set()
    for start, end, line in _lines(article):
        covered = sum(max(0, min(end, d.end) - max(start, d.start)) for d in article.debris)
        expected = line in debris_lines or line.startswith(debris_prefixes)
        if expected:
            assert covered >= len(line) * 0.9, f"should be debris: {line!r}"
            found_debris.add(line)
        else:
            assert covered == 0, f"body line marked as debris: {line!r}"
    assert debris_lines <= found_debris, debris_lines - found_debris


def test_example_a_debris_both_directions(example_a: Path) -> None:
    article = _read_txt(example_a)
    debris = {
        "The Russian General staff: France and Russia should be allies in the fight against terrorism",
        "SPECIAL project",
        "From Russia with support",
        "As the aircraft of the Russian Federation helps to fight with terrorists in Syria",
        "See also",
        "French defense Minister discussed with his colleague from USA plans for their upcoming talks in the Russian Federation",
        "Hollande: the destruction of ISIS is a shared objective of France and Russia",
        "Elysee Palace: France highly appreciates cooperation with Russia in the fight against IG in Syria",
    }
    _check(article, debris)
    kinds = {d.kind for d in article.debris}
    assert {"repeated_title", "promo", "related"} <= kinds


def test_example_a_dateline_and_language(example_a: Path) -> None:
    article = _read_txt(example_a)
    assert article.dateline is not None
    assert article.dateline.place == "MOSCOW"
    assert article.dateline.date == "December 23"
    assert article.text[article.dateline.start : article.dateline.end].startswith("MOSCOW, December 23")
    assert article.lang == "en"


def test_example_b_debris_both_directions(example_b: Path) -> None:
    article = _read_txt(example_b)
    lead = "The Russian military is prepared to combine efforts with their French colleagues"
    lines = [line for _, _, line in _lines(article) if line.startswith(lead)]
    assert len(lines) == 2
    first_start = article.text.index(lines[0])
    second_start = article.text.index(lines[1], first_start + 1)
    # the first copy of the lead is body, the second copy is debris
    assert not article.is_debris(first_start, first_start + len(lines[0]))
    assert article.is_debris(second_start, second_start + len(lead))
    debris = {
        "Russia and France military forces to combine efforts against international terrorism TASS 12412151",
        "Defence & Security News - France/Russia",
        "Russia and France military forces to combine efforts against international terrorism.",
    }
    for start, end, line in _lines(article):
        if start in (first_start, second_start):
            continue
        covered = sum(max(0, min(end, d.end) - max(start, d.start)) for d in article.debris)
        if line in debris:
            assert covered == len(line), line
        else:
            assert covered == 0, f"body line marked as debris: {line!r}"
    assert "TASS" not in article.title
    assert [d.kind for d in article.debris if article.text[d.start : d.end].startswith("TASS 12412151")] == [
        "feed"
    ]


def test_example_b_agency_header_is_debris_without_a_title(example_b: Path) -> None:
    article = from_text(example_b.read_text(encoding="utf-8"))
    start = article.text.index("TASS 12412151")
    assert article.is_debris(start, start + len("TASS 12412151"))
    first_line_end = article.text.index("\n")
    assert not article.is_debris(0, start - 1), "the headline itself is not debris"
    assert article.text[:first_line_end].startswith("Russia and France")


def test_sentence_spans_are_exact_and_never_straddle_debris(example_a: Path, example_b: Path) -> None:
    for path in (example_a, example_b):
        article = _read_txt(path)
        assert [s.index for s in article.sentences] == list(range(len(article.sentences)))
        for s in article.sentences:
            assert article.text[s.start : s.end] == s.text
            for d in article.debris:
                inside = d.start <= s.start and s.end <= d.end
                outside = s.end <= d.start or s.start >= d.end
                assert inside or outside, (s, d)
            assert s.debris == any(d.start <= s.start and s.end <= d.end for d in article.debris)
