"""The rich terminal summary."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

from rich.console import Console

from samestory.comparison import compare
from samestory.ingest import from_text, load
from samestory.report.terminal import render_terminal


def _render(c: Any) -> str:
    console = Console(record=True, width=140, color_system=None)
    render_terminal(c, console)
    return console.export_text()


def test_summary_shows_verdict_passages_only_in_and_changes(example_a: Path, example_b: Path) -> None:
    c = compare(load(example_a), load(example_b))
    out = _render(c)
    assert "SAME STORY" in out
    assert "Aligned passages" in out
    assert f"Only in A: {len(c.diff.only_in_a)} sentences" in out
    assert "reworded" in out
    assert "de Villje" in out
    assert "Debris in A" in out


def test_markup_in_article_text_is_printed_literally() -> None:
    a = from_text("The [bold]minister[/bold] spoke in Paris on Monday. He left early.")
    b = from_text("The [bold]minister[/bold] spoke in Paris on Monday. Nobody knows why.")
    out = _render(compare(a, b))
    assert "[bold]minister[/bold]" in out


class _Similarity:
    def to_dict(self) -> dict[str, Any]:
        return {"overall": 1.25, "confidence": 0.5, "dimensions": {"narrative": 1.0}}


def test_a_similarity_is_shown_when_present() -> None:
    a = from_text("The minister spoke in Paris on Monday. He left early.")
    c = dataclasses.replace(compare(a, a), similarity=_Similarity())
    out = _render(c)
    assert "overall 1.25" in out
    assert "confidence 0.50" in out
    assert "narrative 1.00" in out
