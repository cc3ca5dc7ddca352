"""Candidate search: LSH over MinHash signatures, a content-word inverted index, and nearest neighbours over
embeddings (usearch when installed, exact numpy search otherwise).

`lsh_keys` gives the keys a store must index for a document; two documents are candidates when they share a
key. The in-memory `LSHIndex` and a store that indexes the same keys therefore find the same candidates.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

import numpy as np
import numpy.typing as npt

from samestory.corpus.config import CorpusConfig
from samestory.corpus.features import DocFeatures, term_config
from samestory.errors import MissingDependencyError
from samestory.fingerprint import band_keys

_TERM_KEY = 0x8000  # band-index bit that marks content-word bands, so both kinds share one key space


def lsh_keys(doc: DocFeatures, cfg: CorpusConfig) -> list[bytes]:
    """Every LSH key of ``doc``: its shingle bands, then its content-word bands (when enabled).

    Empty documents get no keys (they match nothing).
    """
    keys: list[bytes] = []
    if doc.n_shingles:
        keys.extend(band_keys(doc.signature, cfg.fingerprint))
    if cfg.term_bands and doc.terms.size:
        for key in band_keys(doc.term_signature, term_config(cfg)):
            band = int.from_bytes(key[:2], "big") | _TERM_KEY
            keys.append(band.to_bytes(2, "big") + key[2:])
    return keys


class LSHIndex:
    """In-memory LSH: key -> ids of the documents that have it.

    Buckets hold a bare id until a second document shares the key (most keys are never shared), and keys are
    kept as ints: about half the memory of a dict of lists of byte strings.
    """

    def __init__(self, cfg: CorpusConfig) -> None:
        self.cfg = cfg
        self._buckets: dict[int, str | list[str]] = {}
        self._count = 0

    def __len__(self) -> int:
        return self._count

    def add(self, doc: DocFeatures, keys: list[bytes] | None = None) -> None:
        """Index ``doc`` under ``keys`` (default: `lsh_keys`; pass them when already computed)."""
        buckets = self._buckets
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
        self._count -= 1

    def query(self, doc: DocFeatures, keys: list[bytes] | None = None) -> list[str]:
        """Ids sharing at least one key with ``doc`` (excluding ``doc`` itself), in first-added order."""
        seen: dict[str, None] = {}
        get = self._buckets.get
        for k in lsh_keys(doc, self.cfg) if keys is None else keys:
            current = get(int.from_bytes(k, "big"))
            if current is None:
                continue
            for other in (current,) if isinstance(current, str) else current:
                if other != doc.id:
                    seen[other] = None
        return list(seen)


class TermIndex:
    """Inverted index over content words: finds documents whose term cosine with a query reaches a floor.

    Exhaustive (no sampling), so small batches get every rewrite candidate; postings longer than ``max_df``
    are skipped (a word in that many documents says little about one story).
    """

    def __init__(self, max_df: int = 5000) -> None:
        self.max_df = max_df
        self._postings: dict[int, list[tuple[str, float]]] = defaultdict(list)

    def add(self, doc: DocFeatures) -> None:
        for t, w in zip(doc.terms.tolist(), doc.weights.tolist(), strict=True):
            self._postings[t].append((doc.id, w))

    def query(self, doc: DocFeatures, floor: float) -> list[tuple[str, float]]:
        acc: dict[str, float] = defaultdict(float)
        for t, w in zip(doc.terms.tolist(), doc.weights.tolist(), strict=True):
            posting = self._postings.get(t)
            if posting is None or len(posting) > self.max_df:
                continue
            for other, w2 in posting:
                acc[other] += w * w2
        return [(o, s) for o, s in acc.items() if s >= floor and o != doc.id]


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


def all_ids(docs: Iterable[DocFeatures]) -> list[str]:
    return [d.id for d in docs]
