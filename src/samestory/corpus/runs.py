"""Per-document runs in the arrays of a featurised batch: which slice of a flat array belongs to which document,
distinct values per document with their counts, ``1 + log count`` weights normalised per document; and the
function words by hash, which content words and names both leave out."""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

from samestory.corpus.stopwords import STOPWORDS
from samestory.fingerprint import HashSet, token_hashes

EMPTY64 = np.zeros(0, dtype=np.uint64)

#: the stopwords by token hash (a token is a function word when its hash is one of these)
STOPWORD_HASHES = HashSet(token_hashes(sorted(STOPWORDS)))
# 1 + log(tf) as float32, by term frequency (a table, so weights do not depend on numpy's SIMD log)
_TF_WEIGHTS = np.array([0.0] + [1.0 + math.log(tf) for tf in range(1, 4096)], dtype=np.float32)


def tf_weights(tf: npt.NDArray[np.int64]) -> npt.NDArray[np.float32]:
    if tf.size and int(tf.max()) >= _TF_WEIGHTS.size:
        return np.array([1.0 + math.log(t) for t in tf.tolist()], dtype=np.float32)
    return _TF_WEIGHTS[tf]


def segments(owner: npt.NDArray[np.int64], n_docs: int) -> npt.NDArray[np.int64]:
    """Offsets (n_docs + 1) of each document's run in an array sorted by ``owner``."""
    return np.searchsorted(owner, np.arange(n_docs + 1, dtype=np.int64)).astype(np.int64)


def unique_per_doc(
    owner: npt.NDArray[np.int64], values: npt.NDArray[np.uint64], bits: int, n_docs: int
) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Per document, the sorted distinct ``values`` (each < 2**bits) with their counts; and the offsets."""
    key = (owner.astype(np.uint64) << np.uint64(bits)) | values
    uniq, counts = np.unique(key, return_counts=True)
    doc = (uniq >> np.uint64(bits)).astype(np.int64)
    vals = uniq & np.uint64((1 << bits) - 1)
    return vals, counts.astype(np.int64), segments(doc, n_docs)


def log_weights(counts: npt.NDArray[np.int64], off: npt.NDArray[np.int64]) -> npt.NDArray[np.float32]:
    """``1 + log count`` of each value, L2-normalised per document (``off``: the documents' offsets)."""
    w = tf_weights(counts).astype(np.float64)
    n = off.size - 1
    norm = np.ones(n)
    filled = np.diff(off) > 0
    if w.size:
        norm[filled] = np.sqrt(np.add.reduceat(w * w, off[:-1][filled]))
    owner = np.repeat(np.arange(n, dtype=np.int64), np.diff(off))
    weights: npt.NDArray[np.float32] = (w / norm[owner]).astype(np.float32)
    return weights
