"""Word n-gram shingles, MinHash signatures and LSH band keys, vectorised with numpy and seeded.

Every function here is deterministic: the same text and `FingerprintConfig` give the same hashes on every
machine and run (no use of Python's salted ``hash``).

>>> cfg = FingerprintConfig()
>>> sig = minhash(shingle_hashes("The cat sat on the mat and looked at the dog.", cfg), cfg)
>>> sig.shape, sig.dtype.name
((128,), 'uint32')
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import numpy.typing as npt

_TOKEN = re.compile(r"\w+", re.UNICODE)
_MASK64 = (1 << 64) - 1
_EMPTY64 = np.zeros(0, dtype=np.uint64)
# cache of token -> 64-bit hash; bounded so that a 1M-document run does not grow it without limit
_TOKEN_CACHE: dict[str, int] = {}
_TOKEN_CACHE_MAX = 2_000_000


@dataclass(frozen=True, slots=True)
class FingerprintConfig:
    """How documents are shingled and sketched.

    ``ngram`` words per shingle; ``num_perm`` MinHash functions; ``bands`` LSH bands (``num_perm`` must be a
    multiple of ``bands``; ``num_perm // bands`` rows per band); ``seed`` fixes the hash functions.
    Defaults (5-word shingles, 128 permutations, 32 bands of 4 rows: LSH threshold near Jaccard 0.42) are the
    ones measured in ``benchmarks/corpus_bench.py`` (see docs/benchmarks.md).
    """

    ngram: int = 5
    num_perm: int = 128
    bands: int = 32
    seed: int = 1

    def __post_init__(self) -> None:
        if self.ngram < 1:
            raise ValueError(f"ngram must be >= 1, got {self.ngram}")
        if self.num_perm < 1 or self.bands < 1 or self.num_perm % self.bands:
            raise ValueError(
                f"num_perm ({self.num_perm}) must be a positive multiple of bands ({self.bands}); "
                "choose e.g. num_perm=128, bands=32"
            )

    @property
    def rows(self) -> int:
        return self.num_perm // self.bands


def tokens(text: str) -> list[str]:
    """Lower-cased word tokens (Unicode ``\\w+`` runs) of ``text``."""
    return _TOKEN.findall(text.lower())


def token_hash(token: str) -> int:
    """A stable 64-bit hash of one token."""
    h = _TOKEN_CACHE.get(token)
    if h is None:
        h = int.from_bytes(hashlib.blake2b(token.encode(), digest_size=8).digest(), "little")
        if len(_TOKEN_CACHE) >= _TOKEN_CACHE_MAX:
            _TOKEN_CACHE.clear()
        _TOKEN_CACHE[token] = h
    return h


def token_hashes(toks: list[str]) -> npt.NDArray[np.uint64]:
    """The 64-bit hashes of ``toks``, in order."""
    if not toks:
        return _EMPTY64
    return np.fromiter((token_hash(t) for t in toks), dtype=np.uint64, count=len(toks))


def _mix(x: npt.NDArray[np.uint64]) -> npt.NDArray[np.uint64]:
    """splitmix64 finaliser: spreads the bits of combined n-gram hashes (wrapping uint64 arithmetic)."""
    x = x ^ (x >> np.uint64(30))
    x = x * np.uint64(0xBF58476D1CE4E5B9)
    x = x ^ (x >> np.uint64(27))
    x = x * np.uint64(0x94D049BB133111EB)
    return x ^ (x >> np.uint64(31))


def ngram_hashes(hashes: npt.NDArray[np.uint64], ngram: int) -> npt.NDArray[np.uint64]:
    """Unique sorted hashes of the word n-grams of a token-hash sequence.

    A sequence shorter than ``ngram`` gives one shingle (the whole sequence); an empty one gives none.
    """
    n = len(hashes)
    if n == 0:
        return _EMPTY64
    k = min(ngram, n)
    width = n - k + 1
    acc = hashes[:width].copy()
    mult = np.uint64(0x100000001B3)
    for i in range(1, k):
        acc = acc * mult + hashes[i : i + width]
    return np.unique(_mix(acc))


def shingle_hashes(text: str, cfg: FingerprintConfig) -> npt.NDArray[np.uint64]:
    """Unique, sorted uint64 hashes of the lower-cased word ``cfg.ngram``-grams of ``text``."""
    return ngram_hashes(token_hashes(tokens(text)), cfg.ngram)


@lru_cache(maxsize=16)
def _permutations(num_perm: int, seed: int) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.uint64]]:
    rng = np.random.default_rng(seed)
    # a odd, b uniform over all 64 bits (a b from half the range would bias the order of hashed values)
    a = rng.integers(0, 2**64, size=num_perm, dtype=np.uint64) | np.uint64(1)
    b = rng.integers(0, 2**64, size=num_perm, dtype=np.uint64)
    a.setflags(write=False)
    b.setflags(write=False)
    return a, b


def minhash(hashes: npt.NDArray[np.uint64], cfg: FingerprintConfig) -> npt.NDArray[np.uint32]:
    """The MinHash signature of a set of shingle hashes: ``(num_perm,)`` uint32.

    Each permutation is a seeded multiply-add-shift hash ``(a*x + b) >> 32`` over the (already mixed) 64-bit
    shingle hashes; the signature keeps the minimum per permutation. An empty set gives all ``0xFFFFFFFF``.
    """
    if len(hashes) == 0:
        return np.full(cfg.num_perm, 0xFFFFFFFF, dtype=np.uint32)
    a, b = _permutations(cfg.num_perm, cfg.seed)
    x = np.asarray(hashes, dtype=np.uint64)
    out = np.empty(cfg.num_perm, dtype=np.uint32)
    # chunk the permutations so the (perm, shingle) matrix stays small for long documents
    step = max(1, (1 << 18) // max(1, len(x)))
    for lo in range(0, cfg.num_perm, step):
        hi = min(cfg.num_perm, lo + step)
        m = x[None, :] * a[lo:hi, None]
        m += b[lo:hi, None]
        # the shift is monotone, so it can follow the minimum (one pass over the matrix fewer)
        out[lo:hi] = m.min(axis=1) >> np.uint64(32)
    return out


def jaccard_estimate(sig_a: npt.NDArray[np.uint32], sig_b: npt.NDArray[np.uint32]) -> float:
    """The fraction of equal MinHash values: an unbiased estimate of the Jaccard similarity."""
    if sig_a.shape != sig_b.shape:
        raise ValueError(f"expecting signatures of equal length, got {sig_a.shape[0]} and {sig_b.shape[0]}")
    return float(np.count_nonzero(sig_a == sig_b)) / max(1, int(sig_a.shape[0]))


def band_hashes(signature: npt.NDArray[np.uint32], cfg: FingerprintConfig) -> npt.NDArray[np.uint64]:
    """One 64-bit hash per LSH band of ``signature`` (vectorised)."""
    if signature.shape != (cfg.num_perm,):
        raise ValueError(f"expecting a signature of length {cfg.num_perm}, got {signature.shape}")
    rows = signature.reshape(cfg.bands, cfg.rows).astype(np.uint64)
    acc = np.full(cfg.bands, 0xCBF29CE484222325, dtype=np.uint64) ^ np.arange(cfg.bands, dtype=np.uint64)
    mult = np.uint64(0x100000001B3)
    for r in range(cfg.rows):
        acc = (acc ^ rows[:, r]) * mult
    return _mix(acc)


def band_keys(signature: npt.NDArray[np.uint32], cfg: FingerprintConfig) -> list[bytes]:
    """One 10-byte LSH key per band: the band index (2 bytes, big-endian) then the band's 64-bit hash.

    Two documents share a key only when they agree on every row of that band.
    """
    hashes = band_hashes(signature, cfg)
    return [i.to_bytes(2, "big") + int(h).to_bytes(8, "big") for i, h in enumerate(hashes.tolist())]
