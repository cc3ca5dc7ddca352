"""The embeddings cache: each text is embedded once per encoder, vectors come back unchanged and in order."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest

from samestory.embed import Encoder
from samestory.embed.cache import CachedEncoder, EmbeddingCache, default_cache_path, text_key, with_cache
from samestory.errors import StoreError


class CountingEncoder:
    """A deterministic fake encoder that records every text it is asked to embed."""

    def __init__(self, name: str = "fake/1", dim: int = 8) -> None:
        self.name = name
        self.dim = dim
        self.seen: list[str] = []

    def encode(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        self.seen.extend(texts)
        rows = []
        for t in texts:
            rng = np.random.default_rng(int(text_key(self.name, t)[:8], 16))
            v = rng.normal(size=self.dim).astype(np.float32)
            rows.append(v / np.linalg.norm(v))
        return np.asarray(rows, dtype=np.float32)


def test_texts_are_embedded_once_and_vectors_survive(tmp_path: Path) -> None:
    inner = CountingEncoder()
    enc = CachedEncoder(inner, path=tmp_path / "e.sqlite")
    assert isinstance(enc, Encoder)
    first = enc.encode(["alpha", "beta", "alpha"])
    assert inner.seen == ["alpha", "beta"]
    again = CachedEncoder(CountingEncoder(), path=tmp_path / "e.sqlite")  # a new process, same file
    second = again.encode(["beta", "alpha"])
    assert again.inner.seen == []  # type: ignore[attr-defined]
    np.testing.assert_array_equal(second, first[[1, 0]])
    np.testing.assert_array_equal(first[0], first[2])


def test_encoders_do_not_share_entries(tmp_path: Path) -> None:
    path = tmp_path / "e.sqlite"
    CachedEncoder(CountingEncoder("a"), path=path).encode(["same text"])
    other = CountingEncoder("b")
    CachedEncoder(other, path=path).encode(["same text"])
    assert other.seen == ["same text"]
    assert len(EmbeddingCache(path)) == 2


def test_empty_input_gives_an_empty_matrix(tmp_path: Path) -> None:
    out = CachedEncoder(CountingEncoder(dim=5), path=tmp_path / "e.sqlite").encode([])
    assert out.shape == (0, 5)


def test_cache_location_is_configurable_and_can_be_switched_off(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SAMESTORY_CACHE_DIR", str(tmp_path / "c"))
    assert default_cache_path().parent == tmp_path / "c"
    enc = CountingEncoder()
    cached = with_cache(enc)
    assert isinstance(cached, CachedEncoder) and cached.cache.path.parent == tmp_path / "c"
    assert with_cache(None) is None
    monkeypatch.setenv("SAMESTORY_EMBED_CACHE", "0")
    assert with_cache(enc) is enc


def test_an_unwritable_location_is_a_store_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(StoreError, match="SAMESTORY_CACHE_DIR"):
        EmbeddingCache(blocker / "sub" / "e.sqlite")


def test_encoders_of_one_model_on_different_engines_do_not_share_vectors(tmp_path: Path) -> None:
    native, bundled = CountingEncoder("model/1"), CountingEncoder("model/1")
    native.cache_name = "model/1@native-abc"  # type: ignore[attr-defined]
    cache = EmbeddingCache(tmp_path / "e.sqlite")
    CachedEncoder(native, cache=cache).encode(["alpha"])
    CachedEncoder(bundled, cache=cache).encode(["alpha"])
    CachedEncoder(native, cache=cache).encode(["alpha"])
    assert native.seen == ["alpha"] and bundled.seen == ["alpha"]
