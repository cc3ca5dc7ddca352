"""The HTML report: self-contained, escaped, side by side with linked groups."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

from samestory.comparison import compare
from samestory.ingest import from_text, load
from samestory.report.html import to_html

HOSTILE = '<script>alert("x")</script>'


class _Collect(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def test_article_text_is_escaped() -> None:
    a = from_text(f"The minister spoke in Paris on Monday. {HOSTILE} He left <b>early</b>.", title=HOSTILE)
    b = from_text("The minister spoke in Paris on Monday. He left early. <img src=x onerror=alert(1)>")
    page = to_html(compare(a, b))
    assert HOSTILE not in page
    assert "<img" not in page and "<b>early" not in page
    assert "&lt;script&gt;" in page
    parser = _Collect()
    parser.feed(page)
    assert [t for t, _ in parser.tags].count("script") == 1  # the page's own script only


def test_report_is_self_contained_and_links_groups(example_a: Path, example_b: Path) -> None:
    c = compare(load(example_a), load(example_b))
    page = to_html(c)
    parser = _Collect()
    parser.feed(page)
    for tag, attrs in parser.tags:
        for key in ("src", "href"):
            assert not attrs.get(key), f"external resource in <{tag} {key}=…>"
    assert not re.search(r"@import|url\(", page)
    spans = {attrs.get("id"): attrs for tag, attrs in parser.tags if tag == "span" and attrs.get("id")}
    for s in c.a.sentences:
        assert f"a-{s.index}" in spans
    for s in c.b.sentences:
        assert f"b-{s.index}" in spans
    for n, g in enumerate(c.alignment.groups):
        for i in g.a:
            assert spans[f"a-{i}"].get("data-g") == str(n)
        for j in g.b:
            assert spans[f"b-{j}"].get("data-g") == str(n)
    for i in c.diff.only_in_a:
        assert "only" in (spans[f"a-{i}"].get("class") or "").split()
    for i in c.diff.debris_a:
        assert "debris" in (spans[f"a-{i}"].get("class") or "").split()
    assert "reworded" in page and "de Villje" in page


class _Similarity:
    def to_dict(self) -> dict[str, object]:
        return {
            "overall": 1.25,
            "confidence": 0.5,
            "model": "lexical",
            "dimensions": {"narrative": 1.0},
            "warnings": [f"odd script {HOSTILE}"],
        }


def test_graded_similarity_is_shown_as_figures_and_escaped() -> None:
    import dataclasses

    a = from_text("The minister spoke in Paris on Monday. He left early.")
    page = to_html(dataclasses.replace(compare(a, a), similarity=_Similarity()))
    assert "overall 1.25" in page and "confidence 0.50" in page and "narrative 1.00" in page
    assert HOSTILE not in page and "odd script &lt;script&gt;" in page
