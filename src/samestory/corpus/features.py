"""`DocFeatures`: everything verification needs about one article, computed once by `featurize`.

A `DocFeatures` is small (a few KB), immutable and serialisable (`to_bytes` / `from_bytes`), so a store can
keep it as a blob and never touch the article again.
"""

from __future__ import annotations

import json
import math
import re
import struct
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, TypeVar

import numpy as np
import numpy.typing as npt

from samestory.article import Article
from samestory.corpus.config import CorpusConfig
from samestory.corpus.cues import cue_strings_many, pack_many
from samestory.corpus.stopwords import STOPWORDS
from samestory.embed.base import Encoder
from samestory.engines.local import LocalEngine
from samestory.errors import DataError
from samestory.fingerprint import (
    _WORDS,
    FingerprintConfig,
    HashSet,
    TokenArrays,
    char_spans,
    minhash_batch,
    ngram_hashes_batch,
    sketch_batch,
    token_hashes,
    tokenize_bytes,
    word_bytes,
)

_MAGIC = b"SSF1"
_EMPTY64 = np.zeros(0, dtype=np.uint64)
MAX_TERMS = 128
#: documents per internal batch of `featurize_texts` (at most 2**_DOC_BITS)
CHUNK = 512
#: fewer texts than this are featurised in-process whatever ``workers`` says (starting workers costs ~0.5 s)
POOL_MIN = 8 * CHUNK
_DOC_BITS = 12
_TF_CAP = (1 << (32 - _DOC_BITS)) - 1  # frequencies above this rank as equal (ties by hash)


def batch_for(workers: int, alone: int = CHUNK) -> int:
    """How many texts a caller that streams its input should gather per `featurize_texts` call: ``alone``
    in one process, else enough for the pool to start (twice `POOL_MIN`)."""
    return alone if workers == 1 else 2 * POOL_MIN


@dataclass(frozen=True, slots=True)
class DocFeatures:
    """The features of one article that corpus mode works on.

    - ``signature``: MinHash (uint32) of the word n-gram shingles; ``n_shingles`` their count (for containment).
    - ``terms`` / ``weights``: up to 128 content-word hashes (uint32, sorted) with L2-normalised
      ``1 + log tf`` weights; ``term_signature``: MinHash of the content-word set (rewrite candidates).
    - ``names``: sorted uint32 hashes of capitalised words and numbers (who / how many), which tell
      same-topic different-event articles apart; ``years``: the years the text mentions (when); ``numbers``:
      sorted uint32 hashes of the other numbers (how many); ``name_weights``: L2-normalised ``1 + log count``
      of each of ``names`` (the names a text keeps repeating are its main actors); ``cues``: event cues (days,
      numbers with units; `samestory.corpus.cues`).
    - ``embedding``: optional L2-normalised float32 vector (translations, rewrites).
    """

    id: str
    published: datetime | None
    lang: str
    length: int
    n_shingles: int
    signature: npt.NDArray[np.uint32]
    terms: npt.NDArray[np.uint32]
    weights: npt.NDArray[np.float32]
    term_signature: npt.NDArray[np.uint32]
    names: npt.NDArray[np.uint32]
    years: npt.NDArray[np.uint16] = field(default_factory=lambda: np.zeros(0, dtype=np.uint16))
    numbers: npt.NDArray[np.uint32] = field(default_factory=lambda: np.zeros(0, dtype=np.uint32))
    embedding: npt.NDArray[np.float32] | None = None
    source: str = ""
    name_weights: npt.NDArray[np.float32] = field(default_factory=lambda: np.zeros(0, dtype=np.float32))
    cues: npt.NDArray[np.uint64] = field(default_factory=lambda: np.zeros(0, dtype=np.uint64))
    text_sample: str = ""

    def with_embedding(self, vector: npt.NDArray[np.float32]) -> DocFeatures:
        """A copy carrying ``vector`` as its embedding."""
        return replace(self, embedding=np.asarray(vector, dtype=np.float32), text_sample="")

    def to_bytes(self) -> bytes:
        """A compact binary form (magic, JSON header, raw little-endian arrays) for a database blob."""
        arrays: list[tuple[str, npt.NDArray[Any]]] = [
            ("signature", self.signature.astype("<u4")),
            ("terms", self.terms.astype("<u4")),
            ("weights", self.weights.astype("<f4")),
            ("term_signature", self.term_signature.astype("<u4")),
            ("names", self.names.astype("<u4")),
            ("years", self.years.astype("<u2")),
            ("numbers", self.numbers.astype("<u4")),
            ("name_weights", self.name_weights.astype("<f4")),
            ("cues", self.cues.astype("<u8")),
        ]
        if self.embedding is not None:
            arrays.append(("embedding", self.embedding.astype("<f4")))
        header = {
            "id": self.id,
            "published": self.published.isoformat() if self.published else None,
            "lang": self.lang,
            "length": self.length,
            "n_shingles": self.n_shingles,
            "source": self.source,
            "text_sample": self.text_sample,
            "arrays": [[name, arr.dtype.str, int(arr.shape[0])] for name, arr in arrays],
        }
        head = json.dumps(header, ensure_ascii=False, separators=(",", ":")).encode()
        return b"".join([_MAGIC, struct.pack("<I", len(head)), head, *(a.tobytes() for _, a in arrays)])

    @classmethod
    def from_bytes(cls, data: bytes) -> DocFeatures:
        """Read back what `to_bytes` wrote; raises `DataError` on anything else."""
        if len(data) < 8 or data[:4] != _MAGIC:
            raise DataError(
                f"expected a DocFeatures blob starting with {_MAGIC!r}, found {data[:4]!r}; "
                "the store may be corrupt or from another program: rebuild the index"
            )
        (n,) = struct.unpack("<I", data[4:8])
        try:
            header = json.loads(data[8 : 8 + n])
        except ValueError as exc:
            raise DataError(f"corrupt DocFeatures header ({exc}); rebuild the index") from None
        pos = 8 + n
        arrays: dict[str, npt.NDArray[Any]] = {}
        for name, dtype, count in header["arrays"]:
            dt = np.dtype(dtype)
            end = pos + dt.itemsize * count
            if end > len(data):
                raise DataError(f"truncated DocFeatures blob for {header.get('id')!r}; rebuild the index")
            arrays[name] = np.frombuffer(data[pos:end], dtype=dt).astype(dt.newbyteorder("="))
            pos = end
        published = header["published"]
        return cls(
            id=header["id"],
            published=datetime.fromisoformat(published) if published else None,
            lang=header["lang"],
            length=header["length"],
            n_shingles=header["n_shingles"],
            signature=arrays["signature"],
            terms=arrays["terms"],
            weights=arrays["weights"],
            term_signature=arrays["term_signature"],
            names=arrays["names"],
            years=arrays.get("years", np.zeros(0, dtype=np.uint16)),
            numbers=arrays.get("numbers", np.zeros(0, dtype=np.uint32)),
            name_weights=arrays.get("name_weights", np.zeros(0, dtype=np.float32)),
            cues=arrays.get("cues", np.zeros(0, dtype=np.uint64)),
            embedding=arrays.get("embedding"),
            source=header.get("source", ""),
            text_sample=header.get("text_sample", ""),
        )


_STOPWORDS = HashSet(token_hashes(sorted(STOPWORDS)))
# 1 + log(tf) as float32, by term frequency (a table, so weights do not depend on numpy's SIMD log)
_TF_WEIGHTS = np.array([0.0] + [1.0 + math.log(tf) for tf in range(1, 4096)], dtype=np.float32)


def _tf_weights(tf: npt.NDArray[np.int64]) -> npt.NDArray[np.float32]:
    if tf.size and int(tf.max()) >= _TF_WEIGHTS.size:
        return np.array([1.0 + math.log(t) for t in tf.tolist()], dtype=np.float32)
    return _TF_WEIGHTS[tf]


def _is_stopword(hashes: npt.NDArray[np.uint64]) -> npt.NDArray[np.bool_]:
    return _STOPWORDS.contains(hashes)


def _segments(owner: npt.NDArray[np.int64], n_docs: int) -> npt.NDArray[np.int64]:
    """Offsets (n_docs + 1) of each document's run in an array sorted by ``owner``."""
    return np.searchsorted(owner, np.arange(n_docs + 1, dtype=np.int64)).astype(np.int64)


def _unique_per_doc(
    owner: npt.NDArray[np.int64], values: npt.NDArray[np.uint64], bits: int, n_docs: int
) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Per document, the sorted distinct ``values`` (each < 2**bits) with their counts; and the offsets."""
    key = (owner.astype(np.uint64) << np.uint64(bits)) | values
    uniq, counts = np.unique(key, return_counts=True)
    doc = (uniq >> np.uint64(bits)).astype(np.int64)
    vals = uniq & np.uint64((1 << bits) - 1)
    return vals, counts.astype(np.int64), _segments(doc, n_docs)


def _names_of_text(full: str) -> tuple[list[str], list[str]]:
    """Names (lower-cased words that start with a capital) and numbers (digit runs) of a non-ASCII text, one
    entry per occurrence (the name weights count them).

    The same definition as the vectorised ASCII path in `featurize_texts`: a token of the original-case text
    is a name when its first character is upper case and it is longer than one character; a number when it
    is all decimal digits (read as ASCII) other than "0".
    """
    names: list[str] = []
    numbers: list[str] = []
    for t in full.translate(_WORDS).split():
        if t[0].isupper():
            low = t.lower()
            if len(low) > 1:
                names.append(low)
        elif t.isascii() and t.isdigit() and t != "0":
            numbers.append(t)
    return names, numbers


_UPPER_BMP: npt.NDArray[np.bool_] | None = None


def _is_upper(cp: npt.NDArray[np.int64]) -> npt.NDArray[np.bool_]:
    """``chr(c).isupper()`` of each code point (a table for the Basic Multilingual Plane, built once)."""
    global _UPPER_BMP
    if _UPPER_BMP is None:
        _UPPER_BMP = np.array([chr(c).isupper() for c in range(0x10000)], dtype=np.bool_)
    out = _UPPER_BMP[np.minimum(cp, 0xFFFF)]
    for k in np.flatnonzero(cp > 0xFFFF).tolist():
        out[k] = chr(int(cp[k])).isupper()
    return out


_IRREGULAR: re.Pattern[str] | None = None


def _irregular() -> re.Pattern[str]:
    """Characters whose lower-casing is not one character that is a word character exactly when they are
    (or depends on the neighbours: the Greek capital sigma), and everything beyond the BMP; built once."""
    global _IRREGULAR
    if _IRREGULAR is None:

        def word(c: str) -> bool:
            return c.isalnum() or c == "_"

        bad = [
            c for c in map(chr, range(0x80, 0x10000))
            if not 0xD800 <= ord(c) < 0xE000 and (len(c.lower()) != 1 or word(c) != word(c.lower()))
        ]  # fmt: skip
        _IRREGULAR = re.compile("[" + "".join(map(re.escape, [*bad, "\u03a3"])) + "\U00010000-\U0010ffff]")
    return _IRREGULAR


def _upper_initials(
    full: Sequence[str],
    is_ascii: Sequence[bool],
    tok_doc: npt.NDArray[np.int64],
    char_start: npt.NDArray[np.int64],
) -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.bool_]]:
    """For the non-ASCII texts that lower-case regularly: which of the (lower-cased) tokens start with an
    upper-case character in the original, and which texts these are.

    Regularly: every character lower-cases to one character, a word character exactly when it is one, and
    without looking at its neighbours (`_irregular` lists the others). Then the original-case text and the
    lower-cased one have the same tokens at the same character offsets, and a token's original first
    character is the original text's character at the token's offset (read from its UTF-32 form). The other
    texts are left to `_names_of_text`."""
    n = len(full)
    upper = np.zeros(tok_doc.size, dtype=np.bool_)
    aligned = np.zeros(n, dtype=np.bool_)
    irregular = _irregular()
    cand = [
        d for d, (f, a) in enumerate(zip(full, is_ascii, strict=True)) if not a and not irregular.search(f)
    ]
    if not cand:
        return upper, aligned
    aligned[cand] = True
    code = np.frombuffer("".join(full[d] for d in cand).encode("utf-32-le"), dtype=np.uint32).astype(np.int64)
    base = np.zeros(n, dtype=np.int64)
    base[cand] = np.cumsum([0] + [len(full[d]) for d in cand[:-1]], dtype=np.int64)
    at = aligned[tok_doc]
    upper[at] = _is_upper(code[base[tok_doc[at]] + char_start[at]])
    return upper, aligned


def term_config(cfg: CorpusConfig) -> FingerprintConfig:
    """The MinHash settings of the content-word signature."""
    bands = max(1, cfg.term_bands)
    return FingerprintConfig(
        ngram=1, num_perm=bands * cfg.term_rows, bands=bands, seed=cfg.fingerprint.seed + 1
    )


def featurize_texts(
    ids: Sequence[str],
    texts: Sequence[str],
    cfg: CorpusConfig,
    *,
    titles: Sequence[str] | None = None,
    langs: Sequence[str] | None = None,
    published: Sequence[datetime | None] | None = None,
    sources: Sequence[str] | None = None,
    keep_text: bool = False,
    workers: int = 1,
) -> list[DocFeatures]:
    """Features of many raw texts at once: each `DocFeatures` is the one `featurize_text` gives for that
    text alone, computed with numpy over the whole batch (a few hundred documents per call is about right).
    With ``workers`` > 1 (0 = one per core), batches of `CHUNK` documents are featurised in that many
    processes (`samestory.engines.local.LocalEngine`) when there are at least `POOL_MIN` texts; the
    result is the same.

    Per document only the translation of the text to word bytes runs in Python (and, for a non-ASCII text,
    the capitalised-word check); tokens, hashes, shingles, signatures, content-word weights, names and
    numbers are computed for all documents together. ``keep_text`` keeps ``text_sample`` even when the config
    names no encoder.
    """
    n = len(ids)
    if len(texts) != n:
        raise ValueError(f"expecting as many texts as ids, got {len(texts)} and {n}")
    engine = LocalEngine(workers)  # checks ``workers``
    if n > CHUNK:

        def part(values: Sequence[_V] | None, lo: int) -> Sequence[_V] | None:
            return values[lo : lo + CHUNK] if values is not None else None

        chunks = (
            _Chunk(
                ids[lo : lo + CHUNK],
                texts[lo : lo + CHUNK],
                cfg,
                part(titles, lo),
                part(langs, lo),
                part(published, lo),
                part(sources, lo),
                keep_text,
            )
            for lo in range(0, n, CHUNK)
        )
        if n < POOL_MIN:
            engine = LocalEngine(1)
        return [doc for cols in engine.map(_featurize_chunk, chunks) for doc in cols.docs()]
    return _columns(ids, texts, cfg, titles, langs, published, sources, keep_text).docs()


@dataclass(frozen=True, slots=True)
class _Columns:
    """The features of a batch of documents as a few arrays (per-document runs by offsets): what a worker
    sends back (a few arrays pickle in a fraction of the time of hundreds of small ones)."""

    ids: Sequence[str]
    published: Sequence[datetime | None] | None
    langs: Sequence[str] | None
    sources: Sequence[str] | None
    samples: list[str]
    lengths: npt.NDArray[np.int64]
    n_shingles: npt.NDArray[np.int64]
    signatures: npt.NDArray[np.uint32]
    terms: npt.NDArray[np.uint32]
    weights: npt.NDArray[np.float32]
    t_off: npt.NDArray[np.int64]
    term_signatures: npt.NDArray[np.uint32]
    names: npt.NDArray[np.uint32]
    name_weights: npt.NDArray[np.float32]
    n_off: npt.NDArray[np.int64]
    years: npt.NDArray[np.uint16]
    y_off: npt.NDArray[np.int64]
    numbers: npt.NDArray[np.uint32]
    m_off: npt.NDArray[np.int64]
    cues: npt.NDArray[np.uint64]
    c_off: npt.NDArray[np.int64]

    def docs(self) -> list[DocFeatures]:
        t_off, n_off, y_off, m_off, c_off = (
            x.tolist() for x in (self.t_off, self.n_off, self.y_off, self.m_off, self.c_off)
        )
        lengths, n_shingles = self.lengths.tolist(), self.n_shingles.tolist()
        out: list[DocFeatures] = []
        for d, id_ in enumerate(self.ids):
            t0, t1, n0, n1 = t_off[d], t_off[d + 1], n_off[d], n_off[d + 1]
            out.append(
                DocFeatures(
                    id=id_,
                    published=self.published[d] if self.published is not None else None,
                    lang=self.langs[d] if self.langs is not None else "und",
                    length=lengths[d],
                    n_shingles=n_shingles[d],
                    signature=self.signatures[d],
                    terms=self.terms[t0:t1],
                    weights=self.weights[t0:t1],
                    term_signature=self.term_signatures[d],
                    names=self.names[n0:n1],
                    name_weights=self.name_weights[n0:n1],
                    cues=self.cues[c_off[d] : c_off[d + 1]],
                    years=self.years[y_off[d] : y_off[d + 1]],
                    numbers=self.numbers[m_off[d] : m_off[d + 1]],
                    source=self.sources[d] if self.sources is not None else "",
                    text_sample=self.samples[d],
                )
            )
        return out


def _columns(
    ids: Sequence[str],
    texts: Sequence[str],
    cfg: CorpusConfig,
    titles: Sequence[str] | None,
    langs: Sequence[str] | None,
    published: Sequence[datetime | None] | None,
    sources: Sequence[str] | None,
    keep_text: bool,
) -> _Columns:
    """The features of one batch (at most `CHUNK` documents), computed together."""
    n = len(ids)
    titles = titles if titles is not None else [""] * n
    full = [f"{t}\n{x}" if t else x for t, x in zip(titles, texts, strict=True)]
    is_ascii = [f.isascii() for f in full]
    lowered = [f.lower() for f in full]  # for the tokens and the cues
    low = [word_bytes(f, lower=False) for f in lowered]
    buf = b" ".join(low)
    toks = tokenize_bytes(buf)
    doc_start = np.cumsum([0] + [len(x) + 1 for x in low], dtype=np.int64)
    tok_off = np.searchsorted(toks.starts, doc_start).astype(np.int64)
    tok_doc = np.repeat(np.arange(n, dtype=np.int64), np.diff(tok_off))
    spans = char_spans(buf, toks, doc_start, tok_doc)
    h = toks.hashes
    stop = _is_stopword(h)

    # shingles: distinct count and signature per document
    fp = cfg.fingerprint
    sh, sh_doc = ngram_hashes_batch(h, tok_off, fp.ngram)
    signatures, n_shingles = sketch_batch(sh, sh_doc, n, fp)

    terms, weights, t_off, term_sigs = _content_terms(
        h, tok_doc, ~stop & ((toks.chars > 2) | toks.digits), n, cfg
    )
    names, name_weights, n_off, years, y_off, numbers, m_off = _names_and_numbers(
        full, is_ascii, low, buf, toks, tok_doc, spans[0], stop
    )
    cues = pack_many(cue_strings_many(lowered, buf, toks, tok_doc, spans))
    keep = keep_text or bool(cfg.encoder)
    return _Columns(
        ids=ids,
        published=published,
        langs=langs,
        sources=sources,
        # kept only when an encoder may need it later (the cascade embeds hard documents only)
        samples=[f[: cfg.embed_chars] if keep else "" for f in full],
        lengths=np.diff(tok_off),
        n_shingles=np.asarray(n_shingles, dtype=np.int64),
        signatures=signatures,
        terms=terms,
        weights=weights,
        t_off=t_off,
        term_signatures=term_sigs,
        names=names,
        name_weights=name_weights,
        n_off=n_off,
        years=years,
        y_off=y_off,
        numbers=numbers,
        m_off=m_off,
        cues=np.concatenate([_EMPTY64, *cues]).astype(np.uint64),
        c_off=np.cumsum([0] + [c.size for c in cues], dtype=np.int64),
    )


_V = TypeVar("_V")


@dataclass(frozen=True, slots=True)
class _Chunk:
    """One batch of `featurize_texts` arguments (what a worker process receives)."""

    ids: Sequence[str]
    texts: Sequence[str]
    cfg: CorpusConfig
    titles: Sequence[str] | None
    langs: Sequence[str] | None
    published: Sequence[datetime | None] | None
    sources: Sequence[str] | None
    keep_text: bool


def _featurize_chunk(c: _Chunk) -> _Columns:
    return _columns(c.ids, c.texts, c.cfg, c.titles, c.langs, c.published, c.sources, c.keep_text)


def _content_terms(
    h: npt.NDArray[np.uint64],
    tok_doc: npt.NDArray[np.int64],
    content: npt.NDArray[np.bool_],
    n: int,
    cfg: CorpusConfig,
) -> tuple[npt.NDArray[np.uint32], npt.NDArray[np.float32], npt.NDArray[np.int64], npt.NDArray[np.uint32]]:
    """Per document: distinct 32-bit content-word hashes (sorted), the `MAX_TERMS` most frequent (ties by
    hash), with L2-normalised ``1 + log tf`` weights; their offsets; and the content-word signatures."""
    terms, tf, t_off = _unique_per_doc(tok_doc[content], h[content] >> np.uint64(32), 32, n)
    term_doc = np.repeat(np.arange(n, dtype=np.int64), np.diff(t_off))
    if int(np.diff(t_off).max(initial=0)) > MAX_TERMS:
        # rank by (document, frequency down, hash up) with one sort of a packed key: the document in the top
        # bits (batches are split below 2**_DOC_BITS documents), frequency (capped) in the middle
        rare = np.uint64(_TF_CAP) - np.minimum(tf, _TF_CAP).astype(np.uint64)
        key = (term_doc.astype(np.uint64) << np.uint64(64 - _DOC_BITS)) | (rare << np.uint64(32)) | terms
        by_rank = np.argsort(key)
        rank = np.empty(terms.size, dtype=np.int64)
        rank[by_rank] = np.arange(terms.size, dtype=np.int64) - t_off[term_doc[by_rank]]
        kept = rank < MAX_TERMS
        terms, tf, term_doc = terms[kept], tf[kept], term_doc[kept]
        t_off = _segments(term_doc, n)
    weights = _log_weights(tf, t_off)
    return terms.astype(np.uint32), weights, t_off, minhash_batch(terms, term_doc, n, term_config(cfg))


def _log_weights(counts: npt.NDArray[np.int64], off: npt.NDArray[np.int64]) -> npt.NDArray[np.float32]:
    """``1 + log count`` of each value, L2-normalised per document (``off``: the documents' offsets)."""
    w = _tf_weights(counts).astype(np.float64)
    n = off.size - 1
    norm = np.ones(n)
    filled = np.diff(off) > 0
    if w.size:
        norm[filled] = np.sqrt(np.add.reduceat(w * w, off[:-1][filled]))
    owner = np.repeat(np.arange(n, dtype=np.int64), np.diff(off))
    weights: npt.NDArray[np.float32] = (w / norm[owner]).astype(np.float32)
    return weights


def _names_and_numbers(
    full: Sequence[str],
    is_ascii: Sequence[bool],
    low: Sequence[bytes],
    buf: bytes,
    toks: TokenArrays,
    tok_doc: npt.NDArray[np.int64],
    char_start: npt.NDArray[np.int64],
    stop: npt.NDArray[np.bool_],
) -> tuple[
    npt.NDArray[np.uint32],
    npt.NDArray[np.float32],
    npt.NDArray[np.int64],
    npt.NDArray[np.uint16],
    npt.NDArray[np.int64],
    npt.NDArray[np.uint32],
    npt.NDArray[np.int64],
]:
    """Per document (with offsets): sorted 32-bit hashes of names and numbers, with their L2-normalised
    ``1 + log count`` weights; years (1800-2099) among the
    numbers; the 32-bit hashes of the other numbers.

    A name is a token of the original-case text that starts with an upper-case letter, is longer than one
    character and is not a function word (hashed lower-cased); a number is a run of digits other than "0".
    ASCII texts are read from the original-case bytes, which are aligned byte for byte with the lower-cased
    ones; other texts, when they lower-case regularly, from their original characters at the tokens' offsets
    (`_upper_initials`), else through `_names_of_text`.
    """
    n = len(full)
    h = toks.hashes
    orig = b" ".join(
        word_bytes(f, lower=False) if a else x for f, a, x in zip(full, is_ascii, low, strict=True)
    )
    first = np.frombuffer(orig, dtype=np.uint8)[toks.starts]
    ascii_tok = np.asarray(is_ascii, dtype=np.bool_)[tok_doc]
    upper, aligned = _upper_initials(full, is_ascii, tok_doc, char_start)
    read = ascii_tok | aligned[tok_doc]
    is_name = ((ascii_tok & (first >= 65) & (first <= 90)) | upper) & (toks.chars > 1) & ~stop
    is_num = read & toks.digits & ~((toks.lengths == 1) & (first == 48))
    num_text = [
        buf[s : s + k]
        for s, k in zip(toks.starts[is_num].tolist(), toks.lengths[is_num].tolist(), strict=True)
    ]
    other_names: list[str] = []
    other_nums: list[str] = []
    name_doc: list[int] = []
    num_doc: list[int] = []
    for d in (i for i, a in enumerate(is_ascii) if not a and not aligned[i]):
        names_d, nums_d = _names_of_text(full[d])
        other_names += names_d
        name_doc += [d] * len(names_d)
        other_nums += nums_d
        num_doc += [d] * len(nums_d)
    o_names = token_hashes(other_names)
    o_keep = ~_is_stopword(o_names)
    o_nums = token_hashes(other_nums)
    num_text += [x.encode() for x in other_nums]
    nums_h = np.concatenate([h[is_num], o_nums])
    nums_doc = np.concatenate([tok_doc[is_num], np.array(num_doc, dtype=np.int64)])
    names, name_counts, n_off = _unique_per_doc(
        np.concatenate([tok_doc[is_name], np.array(name_doc, dtype=np.int64)[o_keep], nums_doc]),
        np.concatenate([h[is_name], o_names[o_keep], nums_h]) >> np.uint64(32),
        32,
        n,
    )
    values = [int(x) if len(x) == 4 else 0 for x in num_text]
    is_year = np.array([1800 <= v <= 2099 for v in values], dtype=np.bool_)
    years, _, y_off = _unique_per_doc(
        nums_doc[is_year], np.array(values, dtype=np.uint64)[is_year] if values else _EMPTY64, 16, n
    )
    numbers, _, m_off = _unique_per_doc(nums_doc[~is_year], nums_h[~is_year] >> np.uint64(32), 32, n)
    return (
        names.astype(np.uint32),
        _log_weights(name_counts, n_off),
        n_off,
        years.astype(np.uint16),
        y_off,
        numbers.astype(np.uint32),
        m_off,
    )


def featurize_text(
    id: str,
    text: str,
    cfg: CorpusConfig,
    *,
    title: str = "",
    lang: str = "und",
    published: datetime | None = None,
    source: str = "",
    encoder: Encoder | None = None,
) -> DocFeatures:
    """Features of one raw text (no `Article` needed); `featurize_texts` does many at once."""
    doc = featurize_texts(
        [id],
        [text],
        cfg,
        titles=[title],
        langs=[lang],
        published=[published],
        sources=[source],
        keep_text=encoder is not None,
    )[0]
    if encoder is not None:
        doc = doc.with_embedding(encoder.encode([doc.text_sample])[0])
    return doc


def _body(article: Article) -> str:
    return article.content if article.sentences else article.text


def featurize(article: Article, cfg: CorpusConfig, encoder: Encoder | None = None) -> DocFeatures:
    """Features of ``article`` (debris sentences skipped); embeds it when ``encoder`` is given.

    Without an encoder the features keep the first ``cfg.embed_chars`` characters (``text_sample``) when the
    config names an encoder, so that a later cascade step can embed only the documents it finds hard (see
    `embed_features`).
    """
    return featurize_text(
        article.id,
        _body(article),
        cfg,
        title=article.title,
        lang=article.lang,
        published=article.published,
        source=article.source,
        encoder=encoder,
    )


def featurize_articles(articles: Sequence[Article], cfg: CorpusConfig, workers: int = 1) -> list[DocFeatures]:
    """`featurize` (without an encoder) of many articles at once, via `featurize_texts` (``workers`` as
    there)."""
    return featurize_texts(
        [a.id for a in articles],
        [_body(a) for a in articles],
        cfg,
        titles=[a.title for a in articles],
        langs=[a.lang for a in articles],
        published=[a.published for a in articles],
        sources=[a.source for a in articles],
        workers=workers,
    )


def embed_features(docs: list[DocFeatures], encoder: Encoder, batch: int = 32) -> list[DocFeatures]:
    """``docs`` with embeddings filled in (those that already have one are kept as they are)."""
    out = list(docs)
    todo = [i for i, d in enumerate(docs) if d.embedding is None]
    for lo in range(0, len(todo), batch):
        idx = todo[lo : lo + batch]
        vecs = encoder.encode([docs[i].text_sample or docs[i].id for i in idx])
        for i, v in zip(idx, vecs, strict=True):
            out[i] = docs[i].with_embedding(v)
    return out
