"""`DocFeatures`: everything verification needs about one article, computed once by `featurize`.

A `DocFeatures` is small (a few KB), immutable and serialisable (`to_bytes` / `from_bytes`), so a store can
keep it as a blob and never touch the article again.
"""

from __future__ import annotations

import json
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
from samestory.corpus.names import names_and_numbers
from samestory.corpus.runs import EMPTY64, STOPWORD_HASHES, log_weights, segments, unique_per_doc
from samestory.embed.base import Encoder
from samestory.engines.base import Engine
from samestory.engines.local import InProcessEngine, local_engine
from samestory.errors import DataError
from samestory.fingerprint import (
    FingerprintConfig,
    char_spans,
    cjk_bigrams,
    minhash_batch,
    ngram_hashes_batch,
    sketch_batch,
    tokenize_bytes,
    word_bytes,
)

_MAGIC = b"SSF1"
MAX_TERMS = 128
#: documents per internal batch of `featurize_texts` (at most 2**_DOC_BITS)
CHUNK = 512
#: fewer texts than this are featurised in-process whatever ``workers`` says (starting workers costs ~0.5 s)
POOL_MIN = 8 * CHUNK
_DOC_BITS = 12
_TF_CAP = (1 << (32 - _DOC_BITS)) - 1  # frequencies above this rank as equal (ties by hash)


def batch_for(engine: Engine, alone: int = CHUNK) -> int:
    """How many texts a caller that streams its input should gather per `featurize_texts` call: ``alone``
    in one process, else enough for the pool to start (twice `POOL_MIN`)."""
    return alone if engine.workers == 1 else 2 * POOL_MIN


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
    engine: Engine | None = None,
) -> list[DocFeatures]:
    """Features of many raw texts at once: each `DocFeatures` is the one `featurize_text` gives for that
    text alone, computed with numpy over the whole batch (a few hundred documents per call is about right).
    Batches of `CHUNK` documents are featurised by ``engine`` (default: `local_engine` of ``workers``, 0 = one
    per core) when there are at least `POOL_MIN` texts (fewer stay in this process); the result is the same.

    Per document only the translation of the text to word bytes runs in Python (and, for a non-ASCII text,
    the capitalised-word check); tokens, hashes, shingles, signatures, content-word weights, names and
    numbers are computed for all documents together. ``keep_text`` keeps ``text_sample`` even when the config
    names no encoder.
    """
    n = len(ids)
    if len(texts) != n:
        raise ValueError(f"expecting as many texts as ids, got {len(texts)} and {n}")
    engine = engine or local_engine(workers)  # checks ``workers``
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
            engine = InProcessEngine()
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
    stop = STOPWORD_HASHES.contains(h)

    # shingles: distinct count and signature per document
    fp = cfg.fingerprint
    sh, sh_doc = ngram_hashes_batch(h, tok_off, fp.ngram)
    signatures, n_shingles = sketch_batch(sh, sh_doc, n, fp)

    content = ~stop & ((toks.chars > 2) | toks.digits)
    bigrams, bigram_at = cjk_bigrams(buf, toks, stop)
    terms, weights, t_off, term_sigs = _content_terms(
        np.concatenate([h[content], bigrams]), np.concatenate([tok_doc[content], tok_doc[bigram_at]]), n, cfg
    )
    names, name_weights, n_off, years, y_off, numbers, m_off = names_and_numbers(
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
        cues=np.concatenate([EMPTY64, *cues]).astype(np.uint64),
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


def _featurize_chunk(c: _Chunk, _shared: object = None) -> _Columns:
    return _columns(c.ids, c.texts, c.cfg, c.titles, c.langs, c.published, c.sources, c.keep_text)


def _content_terms(
    h: npt.NDArray[np.uint64], owner: npt.NDArray[np.int64], n: int, cfg: CorpusConfig
) -> tuple[npt.NDArray[np.uint32], npt.NDArray[np.float32], npt.NDArray[np.int64], npt.NDArray[np.uint32]]:
    """Per document: distinct 32-bit hashes of the content words ``h`` (of the documents ``owner``; content
    words and CJK bigrams), the `MAX_TERMS` most frequent (ties by hash), with L2-normalised ``1 + log tf``
    weights; their offsets; and the content-word signatures."""
    terms, tf, t_off = unique_per_doc(owner, h >> np.uint64(32), 32, n)
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
        t_off = segments(term_doc, n)
    weights = log_weights(tf, t_off)
    return terms.astype(np.uint32), weights, t_off, minhash_batch(terms, term_doc, n, term_config(cfg))


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


def featurize_articles(
    articles: Sequence[Article], cfg: CorpusConfig, workers: int = 1, *, engine: Engine | None = None
) -> list[DocFeatures]:
    """`featurize` (without an encoder) of many articles at once, via `featurize_texts` (``workers`` and
    ``engine`` as there)."""
    return featurize_texts(
        [a.id for a in articles],
        [_body(a) for a in articles],
        cfg,
        titles=[a.title for a in articles],
        langs=[a.lang for a in articles],
        published=[a.published for a in articles],
        sources=[a.source for a in articles],
        workers=workers,
        engine=engine,
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
