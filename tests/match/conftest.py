"""Match tests never write to the user's embeddings cache."""

from __future__ import annotations

from collections.abc import Iterator

import pytest


@pytest.fixture(autouse=True)
def _private_cache(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Iterator[None]:
    monkeypatch.setenv("SAMESTORY_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "embed-cache"))
    yield
