"""Small texts for corpus tests, built from the example pair (no shared data needed)."""

from __future__ import annotations

from pathlib import Path

import pytest


def _sentences(path: Path) -> list[str]:
    import re

    text = path.read_text(encoding="utf-8")
    return [s.strip() for s in re.split(r"(?<=[.!?])\s+", text) if len(s.split()) >= 6]


@pytest.fixture
def sentences_a(example_a: Path) -> list[str]:
    return _sentences(example_a)


@pytest.fixture
def sentences_b(example_b: Path) -> list[str]:
    return _sentences(example_b)
