"""Tokens, token hashes, word n-gram shingles, MinHash signatures and LSH band keys, vectorised with numpy.

Everything here works on many documents at once (a batch is one byte buffer and one array per quantity, so
numpy, not Python, loops over tokens and shingles) and is deterministic: the same text and
`FingerprintConfig` give the same hashes on every machine and run (no use of Python's salted ``hash``).

- **Tokens** are the ``\\w+`` runs of the lower-cased text, decimal digits of any script read as ASCII digits,
  and each CJK ideograph or kana is a token of its own (Chinese and Japanese do not put spaces between
  words: a run of them would be a whole clause).
- **Token hash**: a seeded linear hash of the token's UTF-8 bytes (a random 64-bit multiplier per byte
  position) with a splitmix64 finaliser; computed for a whole batch with one `np.add.reduceat`.
- **Signatures** are one-permutation MinHash (OPH) with optimal densification (Shrivastava, ICML 2017): one
  seeded 64-bit hash per element picks a bin (its high bits) and the bin keeps its smallest element; an empty
  bin borrows the value of the first non-empty bin along its own seeded probe order. Each bin of two
  signatures agrees with probability equal to the Jaccard similarity, like a ``num_perm``-permutation MinHash,
  for one hash per element instead of ``num_perm``.

>>> cfg = FingerprintConfig()
>>> sig = minhash(shingle_hashes("The cat sat on the mat and looked at the dog.", cfg), cfg)
>>> sig.shape, sig.dtype.name
((128,), 'uint32')
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import numpy.typing as npt

#: the feature scheme: 3 = one token per CJK character (2 = CJK runs as one token; 1 = blake2b + 128-permutation
#: MinHash)
SCHEME = 3
_EMPTY64 = np.zeros(0, dtype=np.uint64)
_M1, _M2 = np.uint64(0xBF58476D1CE4E5B9), np.uint64(0x94D049BB133111EB)
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_LEN_MIX = np.uint64(0xD6E8FEB86659FD93)
_NGRAM_MULT = np.uint64(0x100000001B3)
_SPACE = 32


@dataclass(frozen=True, slots=True)
class FingerprintConfig:
    """How documents are shingled and sketched.

    ``ngram`` words per shingle; ``num_perm`` MinHash values (bins) per signature; ``bands`` LSH bands
    (``num_perm`` must be a multiple of ``bands``; ``num_perm // bands`` rows per band); ``seed`` fixes the hash
    functions; ``scheme`` names the feature definitions (only `SCHEME` is computed; an index recorded with
    another scheme must be rebuilt).
    Defaults (5-word shingles, 128 values, 32 bands of 4 rows: LSH threshold near Jaccard 0.42) are the
    ones measured in ``benchmarks/corpus_bench.py`` (see docs/benchmarks.md).
    """

    ngram: int = 5
    num_perm: int = 128
    bands: int = 32
    seed: int = 1
    scheme: int = SCHEME

    def __post_init__(self) -> None:
        if self.ngram < 1:
            raise ValueError(f"ngram must be >= 1, got {self.ngram}")
        if self.num_perm < 1 or self.bands < 1 or self.num_perm % self.bands or self.num_perm >= 1 << 16:
            raise ValueError(
                f"num_perm ({self.num_perm}) must be a positive multiple of bands ({self.bands}) below 65536; "
                "choose e.g. num_perm=128, bands=32"
            )
        if self.scheme != SCHEME:
            raise ValueError(
                f"feature scheme {self.scheme} was written by an older samestory (this one computes scheme "
                f"{SCHEME}); rebuild the index with a new --db"
            )

    @property
    def rows(self) -> int:
        return self.num_perm // self.bands


# -- tokens ------------------------------------------------------------------------------------------------


class _WordTable(dict[int, int]):
    """`str.translate` table: word characters (``\\w``: alphanumeric or ``_``) kept, decimal digits of any
    script mapped to ASCII digits, everything else to a space. Filled lazily, one entry per character seen."""

    def __missing__(self, code: int) -> int:
        c = chr(code)
        if c.isalnum() or c == "_":
            digit = unicodedata.decimal(c, None)
            value = code if digit is None else 48 + digit
        else:
            value = _SPACE
        self[code] = value
        return value


_WORDS = _WordTable()
# the same for ASCII text as a bytes table (about 10x faster than str.translate); _LOWER_BYTES lower-cases too
_KEEP_BYTES = (
    bytes(c if (chr(c).isalnum() or c == 95) else _SPACE for c in range(128)) + bytes([_SPACE]) * 128
)
_LOWER_BYTES = _KEEP_BYTES.lower()


def word_bytes(text: str, *, lower: bool = True) -> bytes:
    """``text`` as UTF-8 bytes in which every run of non-word characters is spaces: its tokens are the runs of
    non-space bytes (lower-cased first when ``lower``)."""
    if text.isascii():
        return text.encode("ascii").translate(_LOWER_BYTES if lower else _KEEP_BYTES)
    return (text.lower() if lower else text).translate(_WORDS).encode("utf-8")


def tokens(text: str, *, lower: bool = True) -> list[str]:
    """The word tokens of ``text`` (lower-cased when ``lower``), as `tokenize_bytes` cuts them."""
    buf = word_bytes(text, lower=lower)
    if text.isascii():
        return buf.decode("ascii").split()
    toks = tokenize_bytes(buf)
    return [
        buf[s : s + k].decode("utf-8")
        for s, k in zip(toks.starts.tolist(), toks.lengths.tolist(), strict=True)
    ]


def _cjk_leads(b: npt.NDArray[np.uint8]) -> npt.NDArray[np.bool_]:
    """Which bytes of UTF-8 bytes ``b`` start a CJK ideograph or kana (U+3040-U+9FFF: lead byte 0xE3 with a
    second byte from 0x81, or 0xE4-0xE9)."""
    lead: npt.NDArray[np.bool_] = (b >= 0xE4) & (b <= 0xE9)
    e3 = np.flatnonzero(b[:-1] == 0xE3)
    lead[e3[b[e3 + 1] >= 0x81]] = True
    return lead


@lru_cache(maxsize=8)
def _position_multipliers(n: int) -> npt.NDArray[np.uint64]:
    # odd random 64-bit multipliers, one per byte position; a prefix of a longer table (R[i] depends on i only)
    x = np.arange(1, n + 1, dtype=np.uint64) * _GOLDEN
    r = _mix(x) | np.uint64(1)
    r.setflags(write=False)
    return r


def _multipliers(n: int) -> npt.NDArray[np.uint64]:
    size = 64
    while size < n:
        size *= 2
    return _position_multipliers(size)


@dataclass(frozen=True, slots=True)
class TokenArrays:
    """The tokens of a byte buffer (see `word_bytes`): ``hashes`` (uint64), ``starts`` (byte offset of each
    token), ``lengths`` (bytes), ``chars`` (characters) and ``digits`` (all ASCII digits), in order."""

    hashes: npt.NDArray[np.uint64]
    starts: npt.NDArray[np.int64]
    lengths: npt.NDArray[np.int64]
    chars: npt.NDArray[np.int64]
    digits: npt.NDArray[np.bool_]


def tokenize_bytes(buf: bytes, *, cjk: bool = True) -> TokenArrays:
    """Hash every token of ``buf`` at once: every run of non-space bytes, each CJK character of it a token
    of its own unless ``cjk`` is false."""
    a = np.frombuffer(buf, dtype=np.uint8)
    w = np.flatnonzero(a != _SPACE)
    if w.size == 0:
        empty = np.zeros(0, dtype=np.int64)
        return TokenArrays(_EMPTY64, empty, empty, empty, np.zeros(0, dtype=np.bool_))
    brk = np.empty(w.size, dtype=np.bool_)
    brk[0] = True
    np.not_equal(np.diff(w), 1, out=brk[1:])
    b = a[w]
    if cjk and int(b.max()) >= 0xE3:
        # a CJK character is a token of its own: it starts one and the byte after it (3 bytes on) starts one
        leads = np.flatnonzero(_cjk_leads(b))
        brk[leads] = True
        after = leads + 3
        brk[after[after < w.size]] = True
    first = np.flatnonzero(brk)
    lengths = np.diff(first, append=w.size)
    last = first + lengths - 1
    # position of each byte inside its token (a cumulative sum that restarts at every token)
    step = np.ones(w.size, dtype=np.int32)
    step[0] = 0
    step[first[1:]] = 1 - lengths[:-1]
    pos = np.cumsum(step, dtype=np.int32)
    vals = _multipliers(int(lengths.max()))[pos]
    vals *= b.astype(np.uint64) + np.uint64(1)
    # per-token sums as differences of one running sum (wrapping uint64 arithmetic keeps them exact)
    run = np.cumsum(vals)
    h = run[last]
    h[1:] -= run[first[1:] - 1]
    h = _mix(h ^ (lengths.astype(np.uint64) * _LEN_MIX))
    chars = lengths.copy()
    if int(b.max()) >= 0x80:  # characters = bytes that do not continue a UTF-8 sequence
        chars -= _segment_sums((b & 0xC0) == 0x80, first, last)
    digits = _segment_sums((b - 48) >= 10, first, last) == 0  # uint8 wraps: True for every non-digit
    return TokenArrays(h, w[first], lengths, chars, digits)


def cjk_bigrams(
    buf: bytes, toks: TokenArrays, skip: npt.NDArray[np.bool_]
) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.int64]]:
    """The hashes of the character bigrams of CJK text (two CJK character tokens with nothing between them,
    neither one flagged in ``skip``: a function character), Chinese and Japanese's nearest thing to content
    words; and the index of each bigram's first token."""
    a = np.frombuffer(buf, dtype=np.uint8)
    three = np.flatnonzero(toks.lengths == 3)
    if three.size == 0 or int(a.max()) < 0xE3:
        return _EMPTY64, np.zeros(0, dtype=np.int64)
    cjk = np.zeros(toks.starts.size + 1, dtype=np.bool_)
    cjk[three] = _cjk_leads(np.concatenate([a, np.zeros(1, dtype=np.uint8)]))[toks.starts[three]]
    cjk[:-1] &= ~skip
    at = np.flatnonzero(cjk[:-2] & cjk[1:-1])
    at = at[toks.starts[at] + 3 == toks.starts[at + 1]]
    return _mix(toks.hashes[at] * _NGRAM_MULT + toks.hashes[at + 1]), at.astype(np.int64)


def char_spans(
    buf: bytes, toks: TokenArrays, doc_start: npt.NDArray[np.int64], tok_doc: npt.NDArray[np.int64]
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Each token's start and end as character offsets in its own text, for a buffer of texts' word bytes
    joined by single spaces (text ``d`` from byte ``doc_start[d]``; ``tok_doc``: each token's text). A
    character offset is the byte offset less the UTF-8 continuation bytes before it."""
    a = np.frombuffer(buf, dtype=np.uint8)
    starts, end = toks.starts, toks.starts + toks.lengths
    if not (a.size and int(a.max()) >= 0x80):
        base = doc_start[tok_doc]
        return starts - base, end - base
    lead = np.zeros(a.size + 1, dtype=np.int64)
    np.cumsum((a & 0xC0) != 0x80, out=lead[1:])
    base = lead[doc_start[tok_doc]]
    return lead[starts] - base, lead[end] - base


def _segment_sums(
    flags: npt.NDArray[np.bool_], first: npt.NDArray[np.intp], last: npt.NDArray[np.intp]
) -> npt.NDArray[np.int64]:
    cum = np.cumsum(flags, dtype=np.int32)
    out = cum[last].astype(np.int64)
    out[1:] -= cum[first[1:] - 1]
    return out


def token_hashes(toks: Sequence[str]) -> npt.NDArray[np.uint64]:
    """The 64-bit hashes of ``toks`` (strings without spaces, each one token), in order."""
    if not toks:
        return _EMPTY64
    return tokenize_bytes(" ".join(toks).encode("utf-8"), cjk=False).hashes


def token_hash(token: str) -> int:
    """The stable 64-bit hash of one token."""
    return int(token_hashes([token])[0])


class HashSet:
    """A fixed set of token hashes with a vectorised membership test: a direct-address table on as many low
    bits as it takes for no two members to share a slot (one look-up and one comparison a hash)."""

    def __init__(self, hashes: npt.NDArray[np.uint64]) -> None:
        members = np.unique(np.asarray(hashes, dtype=np.uint64))
        for bits in range(8, 25):
            slots = (members & np.uint64((1 << bits) - 1)).astype(np.int64)
            if members.size == 0 or np.unique(slots).size == members.size:
                table = np.zeros(1 << bits, dtype=np.int32)
                table[slots] = np.arange(1, members.size + 1, dtype=np.int32)
                self._table, self._mask = table, np.uint64((1 << bits) - 1)
                self._padded = np.concatenate([np.zeros(1, dtype=np.uint64), members])  # slot 0: none
                return
        raise ValueError(f"no collision-free table for {members.size} hashes")  # pragma: no cover

    def contains(self, hashes: npt.NDArray[np.uint64]) -> npt.NDArray[np.bool_]:
        slot = self._table[(hashes & self._mask).astype(np.intp)]
        found: npt.NDArray[np.bool_] = (slot > 0) & (self._padded[slot] == hashes)
        return found


# -- shingles ----------------------------------------------------------------------------------------------


def _mix(x: npt.NDArray[np.uint64]) -> npt.NDArray[np.uint64]:
    """splitmix64 finaliser: spreads the bits of combined hashes (wrapping uint64 arithmetic)."""
    x = x ^ (x >> np.uint64(30))
    x = x * _M1
    x = x ^ (x >> np.uint64(27))
    x = x * _M2
    return x ^ (x >> np.uint64(31))


def ngram_hashes(hashes: npt.NDArray[np.uint64], ngram: int) -> npt.NDArray[np.uint64]:
    """Unique sorted hashes of the word n-grams of one token-hash sequence.

    A sequence shorter than ``ngram`` gives one shingle (the whole sequence); an empty one gives none.
    """
    values, _ = ngram_hashes_batch(hashes, np.array([0, len(hashes)], dtype=np.int64), ngram)
    values.sort()
    keep = np.ones(values.size, dtype=np.bool_)
    np.not_equal(values[1:], values[:-1], out=keep[1:])
    return values[keep]


def ngram_hashes_batch(
    hashes: npt.NDArray[np.uint64], offsets: npt.NDArray[np.int64], ngram: int
) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.int64]]:
    """The word n-gram hashes of many documents at once (not deduplicated), and the document of each.

    ``hashes`` are the token hashes of all documents end to end, document ``d`` owning
    ``hashes[offsets[d]:offsets[d + 1]]``; no n-gram crosses a document boundary.
    """
    n_docs = len(offsets) - 1
    counts = np.diff(offsets)
    total = int(offsets[-1])
    parts: list[npt.NDArray[np.uint64]] = []
    owners: list[npt.NDArray[np.int64]] = []
    if total >= ngram:
        width = total - ngram + 1
        acc = hashes[:width].copy()
        for i in range(1, ngram):
            acc *= _NGRAM_MULT
            acc += hashes[i : i + width]
        doc = np.repeat(np.arange(n_docs, dtype=np.int64), counts)[:width]
        valid = np.arange(width, dtype=np.int64) + ngram <= offsets[1:][doc]
        parts.append(_mix(acc[valid]))
        owners.append(doc[valid])
    for d in np.flatnonzero((counts > 0) & (counts < ngram)).tolist():
        # shorter than ngram: the whole sequence is the one shingle
        seq = hashes[offsets[d] : offsets[d + 1]]
        acc1 = seq[:1].copy()
        for i in range(1, len(seq)):
            acc1 = acc1 * _NGRAM_MULT + seq[i : i + 1]
        parts.append(_mix(acc1))
        owners.append(np.array([d], dtype=np.int64))
    if not parts:
        return _EMPTY64, np.zeros(0, dtype=np.int64)
    values, owner = np.concatenate(parts), np.concatenate(owners)
    if len(parts) > 1:  # keep the documents in order (short documents were appended last)
        order = np.argsort(owner, kind="stable")
        values, owner = values[order], owner[order]
    return values, owner


def shingle_hashes(text: str, cfg: FingerprintConfig) -> npt.NDArray[np.uint64]:
    """Unique, sorted uint64 hashes of the lower-cased word ``cfg.ngram``-grams of ``text``."""
    return ngram_hashes(tokenize_bytes(word_bytes(text)).hashes, cfg.ngram)


# -- one-permutation MinHash -------------------------------------------------------------------------------


@lru_cache(maxsize=16)
def _sketch_params(num_perm: int, seed: int) -> tuple[np.uint64, npt.NDArray[np.intp]]:
    rng = np.random.default_rng(seed)
    salt = np.uint64(rng.integers(0, 2**64, dtype=np.uint64))
    # each bin's probe order for densification: a seeded permutation of all bins (so it always ends)
    probes = np.argsort(rng.random((num_perm, num_perm)), axis=1).astype(np.intp)
    probes.setflags(write=False)
    return salt, probes


def sketch_batch(
    values: npt.NDArray[np.uint64], owner: npt.NDArray[np.int64], n_docs: int, cfg: FingerprintConfig
) -> tuple[npt.NDArray[np.uint32], npt.NDArray[np.int64]]:
    """One signature per document, ``(n_docs, num_perm)`` uint32, of the sets ``values[owner == d]``, and
    the number of distinct values of each document. ``owner`` must be sorted (documents one after the other).

    A document with no values gets all ``0xFFFFFFFF``.
    """
    k = cfg.num_perm
    salt, probes = _sketch_params(k, cfg.seed)
    y = _mix(np.asarray(values, dtype=np.uint64) ^ salt)  # a bijection: distinct values stay distinct
    off = np.searchsorted(owner, np.arange(n_docs + 1, dtype=np.int64))
    for d in np.flatnonzero(np.diff(off) > 1).tolist():
        y[off[d] : off[d + 1]].sort()
    # sorted y: the bin (a monotone function of the high 32 bits) runs in order, its first element is its
    # minimum, and the signature keeps that element's low 32 bits
    binned = owner * k + (((y >> np.uint64(32)) * np.uint64(k)) >> np.uint64(32)).astype(np.int64)
    new = np.ones(y.size, dtype=np.bool_)
    np.not_equal(binned[1:], binned[:-1], out=new[1:])
    distinct = np.ones(y.size, dtype=np.bool_)
    np.not_equal(y[1:], y[:-1], out=distinct[1:])
    distinct |= new
    sig = np.full(n_docs * k, 0xFFFFFFFF, dtype=np.uint32)
    sig[binned[new]] = (y[new] & np.uint64(0xFFFFFFFF)).astype(np.uint32)
    filled = np.zeros(n_docs * k, dtype=np.bool_)
    filled[binned[new]] = True
    sig2, filled2 = sig.reshape(n_docs, k), filled.reshape(n_docs, k)
    holes_d, holes_b = np.nonzero(~filled2 & (np.diff(off) > 0)[:, None])
    if holes_d.size:
        order = probes[holes_b]  # (holes, k): bins to borrow from, in each hole's own order
        first = np.argmax(filled2[holes_d[:, None], order], axis=1)
        sig2[holes_d, holes_b] = sig2[holes_d, order[np.arange(holes_d.size), first]]
    return sig2, np.bincount(owner[distinct], minlength=n_docs).astype(np.int64)


def minhash_batch(
    values: npt.NDArray[np.uint64], owner: npt.NDArray[np.int64], n_docs: int, cfg: FingerprintConfig
) -> npt.NDArray[np.uint32]:
    """`sketch_batch` without the distinct counts."""
    return sketch_batch(values, owner, n_docs, cfg)[0]


def minhash(hashes: npt.NDArray[np.uint64], cfg: FingerprintConfig) -> npt.NDArray[np.uint32]:
    """The signature of one set of 64-bit hashes: ``(num_perm,)`` uint32 (all ``0xFFFFFFFF`` when empty)."""
    x = np.asarray(hashes, dtype=np.uint64)
    sig: npt.NDArray[np.uint32] = minhash_batch(x, np.zeros(x.size, dtype=np.int64), 1, cfg)[0]
    return sig


def jaccard_estimate(sig_a: npt.NDArray[np.uint32], sig_b: npt.NDArray[np.uint32]) -> float:
    """The fraction of equal signature values: an unbiased estimate of the Jaccard similarity."""
    if sig_a.shape != sig_b.shape:
        raise ValueError(f"expecting signatures of equal length, got {sig_a.shape[0]} and {sig_b.shape[0]}")
    return float(np.count_nonzero(sig_a == sig_b)) / max(1, int(sig_a.shape[0]))


# -- LSH bands ---------------------------------------------------------------------------------------------


def band_hashes_batch(signatures: npt.NDArray[np.uint32], cfg: FingerprintConfig) -> npt.NDArray[np.uint64]:
    """One 64-bit hash per LSH band of each signature: ``(n, num_perm)`` -> ``(n, bands)``."""
    if signatures.ndim != 2 or signatures.shape[1] != cfg.num_perm:
        raise ValueError(f"expecting signatures of length {cfg.num_perm}, got shape {signatures.shape}")
    rows = signatures.reshape(signatures.shape[0], cfg.bands, cfg.rows).astype(np.uint64)
    acc = np.full(cfg.bands, 0xCBF29CE484222325, dtype=np.uint64) ^ np.arange(cfg.bands, dtype=np.uint64)
    acc = np.broadcast_to(acc, rows.shape[:2]).copy()
    for r in range(cfg.rows):
        acc ^= rows[:, :, r]
        acc *= _NGRAM_MULT
    return _mix(acc)


def band_hashes(signature: npt.NDArray[np.uint32], cfg: FingerprintConfig) -> npt.NDArray[np.uint64]:
    """One 64-bit hash per LSH band of ``signature`` (vectorised)."""
    if signature.shape != (cfg.num_perm,):
        raise ValueError(f"expecting a signature of length {cfg.num_perm}, got {signature.shape}")
    out: npt.NDArray[np.uint64] = band_hashes_batch(signature[None, :], cfg)[0]
    return out


def band_keys(signature: npt.NDArray[np.uint32], cfg: FingerprintConfig, offset: int = 0) -> list[bytes]:
    """One 10-byte LSH key per band: the band index plus ``offset`` (2 bytes, big-endian) then the band's
    64-bit hash. Two documents share a key only when they agree on every row of that band.
    """
    hashes = band_hashes(signature, cfg)
    return [(i + offset).to_bytes(2, "big") + h.to_bytes(8, "big") for i, h in enumerate(hashes.tolist())]
