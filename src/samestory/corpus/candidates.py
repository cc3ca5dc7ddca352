"""Candidate search: LSH over MinHash signatures, a pruned inverted index over each document's key terms, and
nearest neighbours over embeddings (usearch when installed, exact numpy search otherwise).

`lsh_keys` gives every key a document is indexed under: its shingle bands and content-word bands (LSH keys:
one shared key makes a candidate) and its *key terms*, the `CorpusConfig.key_terms` content words it uses
most (a candidate needs ``cfg.key_terms_min`` of them in common). A key term is a posting list, as in passim's
pruned self-join, read in a time window: the documents holding it that count for a document are those
published in the ``cfg.key_term_days`` before it (`key_term_bounds`; all of them for an undated document), and
a term held by more than ``cfg.key_term_max_df`` of those says nothing about one story and is skipped. Same-event
reports appear within days of each other, while a year of unrelated articles shares any common word. `select_candidates` then keeps at most ``cfg.max_candidates``
documents, those sharing the most keys (ties by id). The in-memory `LSHIndex`, the SQLite store and the bulk
engine (`samestory.corpus.bulk`) count the same keys under the same rule, so they find the same candidates.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
import numpy.typing as npt

from samestory.article import utc_timestamp
from samestory.corpus.config import CorpusConfig
from samestory.corpus.features import DocFeatures, term_config
from samestory.errors import MissingDependencyError
from samestory.fingerprint import band_keys

_TERM_KEY = 0x8000  # band-index bit that marks content-word bands, so both kinds share one key space
#: band index of key-term keys (the 8 bytes after it are the term's hash); below `_TERM_KEY`, above any
#: shingle band (``num_perm`` < 65536 and bands < num_perm)
KEY_TERM_BAND = 0x7FFF
_KEY_TERM_PREFIX = KEY_TERM_BAND.to_bytes(2, "big")


def key_terms(doc: DocFeatures, cfg: CorpusConfig) -> npt.NDArray[np.uint32]:
    """The ``cfg.key_terms`` content words ``doc`` uses most (highest weight, ties by hash), ascending."""
    if not cfg.key_terms or not doc.terms.size:
        return np.zeros(0, dtype=np.uint32)
    top = np.lexsort((doc.terms, -doc.weights))[: cfg.key_terms]
    return np.sort(doc.terms[top])


def key_term_bounds(doc: DocFeatures, cfg: CorpusConfig) -> tuple[float, float] | None:
    """``[earliest, end)`` publication times (POSIX seconds) of the documents holding a key term that count
    for ``doc``: the dated ones published in the ``cfg.key_term_days`` before it, in whole seconds (up to the
    end of its own second). ``None``: every holder counts (``doc`` is undated, or ``key_term_days`` is 0)."""
    if not cfg.key_term_days or doc.published is None:
        return None
    second = math.floor(utc_timestamp(doc.published))
    return (float(second - key_term_span(cfg)), float(second + 1))


def key_term_span(cfg: CorpusConfig) -> int:
    """``cfg.key_term_days`` in whole seconds."""
    return round(cfg.key_term_days * 86400)


def in_key_term_bounds(published: float, bounds: tuple[float, float] | None) -> bool:
    """Whether a holder published at ``published`` (NaN: undated) counts within ``bounds`` (`key_term_bounds`)."""
    return bounds is None or bounds[0] <= published < bounds[1]


def key_term_key(term: int) -> bytes:
    """The store key of one key term: `KEY_TERM_BAND` as 2 big-endian bytes, then the hash as 8."""
    return _KEY_TERM_PREFIX + int(term).to_bytes(8, "big")


def is_key_term(key: bytes) -> bool:
    return key[:2] == _KEY_TERM_PREFIX


def lsh_keys(doc: DocFeatures, cfg: CorpusConfig) -> list[bytes]:
    """Every key of ``doc``: its shingle bands, its content-word bands (when enabled), then its key terms.

    Empty documents get no keys (they match nothing).
    """
    keys: list[bytes] = []
    if doc.n_shingles:
        keys.extend(band_keys(doc.signature, cfg.fingerprint))
    if cfg.term_bands and doc.terms.size:
        for key in band_keys(doc.term_signature, term_config(cfg)):
            band = int.from_bytes(key[:2], "big") | _TERM_KEY
            keys.append(band.to_bytes(2, "big") + key[2:])
    keys.extend(key_term_key(t) for t in key_terms(doc, cfg).tolist())
    return keys


def select_candidates(
    order: npt.NDArray[np.generic],
    lsh: npt.NDArray[np.int64],
    terms: npt.NDArray[np.int64],
    cfg: CorpusConfig,
) -> npt.NDArray[np.intp]:
    """Which of some documents are candidates, given per document how many LSH keys (``lsh``) and key terms
    (``terms``) it shares with the one looked up: one LSH key or ``cfg.key_terms_min`` key terms, and of
    those at most ``cfg.max_candidates``, sharing the most keys (ties by ``order``: ids or their ranks).
    Returns their positions, in ``order``."""
    idx = np.flatnonzero((lsh > 0) | (terms >= max(1, cfg.key_terms_min)))
    if cfg.max_candidates and idx.size > cfg.max_candidates:
        top = np.lexsort((order[idx], -(lsh[idx] + terms[idx])))[: cfg.max_candidates]
        idx = idx[top]
    if idx.size < 2:
        return idx
    return idx[np.argsort(order[idx], kind="stable")]


class LSHIndex:
    """In-memory key index: key -> ids of the documents that have it, in the order they were added.

    Buckets hold a bare id until a second document shares the key (most keys are never shared), and keys are
    kept as ints: about half the memory of a dict of lists of byte strings.
    """

    def __init__(self, cfg: CorpusConfig) -> None:
        self.cfg = cfg
        self._buckets: dict[int, str | list[str]] = {}
        self._count = 0
        self._published: dict[str, float] = {}  # POSIX time of each document (NaN: undated)

    def __len__(self) -> int:
        return self._count

    def add(self, doc: DocFeatures, keys: list[bytes] | None = None) -> None:
        """Index ``doc`` under ``keys`` (default: `lsh_keys`; pass them when already computed)."""
        buckets = self._buckets
        self._published[doc.id] = utc_timestamp(doc.published) if doc.published else math.nan
        for k in lsh_keys(doc, self.cfg) if keys is None else keys:
            key = int.from_bytes(k, "big")
            current = buckets.get(key)
            if current is None:
                buckets[key] = doc.id
            elif isinstance(current, str):
                if current != doc.id:
                    buckets[key] = [current, doc.id]
            elif doc.id not in current:
                current.append(doc.id)
        self._count += 1

    def remove(self, doc: DocFeatures) -> None:
        for k in lsh_keys(doc, self.cfg):
            key = int.from_bytes(k, "big")
            current = self._buckets.get(key)
            if current == doc.id:
                del self._buckets[key]
            elif isinstance(current, list) and doc.id in current:
                current.remove(doc.id)
                if len(current) == 1:
                    self._buckets[key] = current[0]
        self._published.pop(doc.id, None)
        self._count -= 1

    def shared(self, doc: DocFeatures, keys: list[bytes] | None = None) -> dict[str, list[int]]:
        """Per indexed document sharing a key with ``doc`` (not ``doc`` itself): ``[LSH keys, key terms]``
        shared, in first-found order; a key term counts with its holders within `key_term_bounds`, and not
        at all when there are more than ``cfg.key_term_max_df`` of them."""
        found: dict[str, list[int]] = {}
        get = self._buckets.get
        cap = self.cfg.key_term_max_df
        bounds = key_term_bounds(doc, self.cfg)
        published: Mapping[str, float] = self._published
        for k in lsh_keys(doc, self.cfg) if keys is None else keys:
            current = get(int.from_bytes(k, "big"))
            if current is None:
                continue
            kind = 1 if is_key_term(k) else 0
            posting = (current,) if isinstance(current, str) else current
            if kind:
                posting = [i for i in posting if i != doc.id and in_key_term_bounds(published[i], bounds)]
                if len(posting) > cap:
                    continue
            for other in posting:
                if other != doc.id:
                    found.setdefault(other, [0, 0])[kind] += 1
        return found

    def query(self, doc: DocFeatures, keys: list[bytes] | None = None) -> list[str]:
        """The candidates of ``doc`` (`select_candidates` over `shared`), by id."""
        found = self.shared(doc, keys)
        if not found:
            return []
        ids = list(found)
        counts = np.array(list(found.values()), dtype=np.int64).reshape(-1, 2)
        keep = select_candidates(np.array(ids), counts[:, 0], counts[:, 1], self.cfg)
        return [ids[int(i)] for i in keep]


class EmbeddingIndex:
    """Nearest neighbours over L2-normalised embeddings (cosine).

    ``backend="numpy"`` is exact; ``"usearch"`` needs the ``ann`` extra and scales to millions of vectors.
    """

    def __init__(self, dim: int, backend: str = "numpy") -> None:
        self.dim = dim
        self.backend = backend
        self._ids: list[str] = []
        self._vecs: list[npt.NDArray[np.float32]] = []
        self._matrix: npt.NDArray[np.float32] | None = None
        self._usearch: object | None = None
        if backend == "usearch":
            try:
                from usearch.index import Index
            except ImportError:
                raise MissingDependencyError("approximate nearest neighbours", "usearch", "ann") from None
            self._usearch = Index(ndim=dim, metric="cos", dtype="f32")
        elif backend != "numpy":
            raise ValueError(f"backend must be 'numpy' or 'usearch', got {backend!r}")

    def __len__(self) -> int:
        return len(self._ids)

    def add(self, doc_id: str, vector: npt.NDArray[np.float32]) -> None:
        key = len(self._ids)
        self._ids.append(doc_id)
        v = np.asarray(vector, dtype=np.float32)
        if self._usearch is not None:
            self._usearch.add(key, v)  # type: ignore[attr-defined]
        else:
            self._vecs.append(v)
            self._matrix = None

    def query(self, vector: npt.NDArray[np.float32], k: int = 10) -> list[tuple[str, float]]:
        """Up to ``k`` (id, cosine) pairs, best first (ties by insertion order)."""
        if not self._ids:
            return []
        v = np.asarray(vector, dtype=np.float32)
        if self._usearch is not None:
            matches = self._usearch.search(v, min(k, len(self._ids)))  # type: ignore[attr-defined]
            return [
                (self._ids[int(key)], 1.0 - float(d))
                for key, d in zip(matches.keys, matches.distances, strict=True)
            ]
        if self._matrix is None:
            self._matrix = np.vstack(self._vecs)
        sims = self._matrix @ v
        top = np.argsort(-sims, kind="stable")[:k]
        return [(self._ids[int(i)], float(sims[i])) for i in top]


__all__ = [
    "KEY_TERM_BAND",
    "EmbeddingIndex",
    "LSHIndex",
    "is_key_term",
    "key_term_key",
    "key_terms",
    "lsh_keys",
    "select_candidates",
]
