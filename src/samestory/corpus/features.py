"""`DocFeatures`: everything verification needs about one article, computed once by `featurize`.

A `DocFeatures` is small (a few KB), immutable and serialisable (`to_bytes` / `from_bytes`), so a store can
keep it as a blob and never touch the article again.
"""

from __future__ import annotations

import json
import math
import re
import struct
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

import numpy as np
import numpy.typing as npt

from samestory.article import Article
from samestory.corpus.config import CorpusConfig
from samestory.corpus.stopwords import STOPWORDS
from samestory.embed.base import Encoder
from samestory.errors import DataError
from samestory.fingerprint import (
    FingerprintConfig,
    minhash,
    ngram_hashes,
    token_hash,
    token_hashes,
    tokens,
)

_MAGIC = b"SSF1"
_CAP = re.compile(r"\b[^\W\d_][\w'-]*", re.UNICODE)
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_YEAR = re.compile(r"(?<!\d)(1[89]\d\d|20\d\d)(?!\d)")
MAX_TERMS = 128


@dataclass(frozen=True, slots=True)
class DocFeatures:
    """The features of one article that corpus mode works on.

    - ``signature``: MinHash (uint32) of the word n-gram shingles; ``n_shingles`` their count (for containment).
    - ``terms`` / ``weights``: up to 128 content-word hashes (uint32, sorted) with L2-normalised
      ``1 + log tf`` weights; ``term_signature``: MinHash of the content-word set (rewrite candidates).
    - ``names``: sorted uint32 hashes of capitalised words and numbers (who / how many), which tell
      same-topic different-event articles apart; ``years``: the years the text mentions (when).
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
    embedding: npt.NDArray[np.float32] | None = None
    source: str = ""
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
            embedding=arrays.get("embedding"),
            source=header.get("source", ""),
            text_sample=header.get("text_sample", ""),
        )


def _term_features(
    toks: list[str], term_fp: FingerprintConfig
) -> tuple[npt.NDArray[np.uint32], npt.NDArray[np.float32], npt.NDArray[np.uint32]]:
    counts = Counter(t for t in toks if t not in STOPWORDS and (len(t) > 2 or t.isdigit()))
    top = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:MAX_TERMS]
    if not top:
        empty = np.zeros(0, dtype=np.uint32)
        return empty, np.zeros(0, dtype=np.float32), minhash(np.zeros(0, dtype=np.uint64), term_fp)
    h64 = np.fromiter((token_hash(t) for t, _ in top), dtype=np.uint64, count=len(top))
    w = np.array([1.0 + math.log(c) for _, c in top], dtype=np.float32)
    h32 = (h64 >> np.uint64(32)).astype(np.uint32)
    order = np.argsort(h32, kind="stable")
    h32, w = h32[order], w[order]
    w /= np.float32(np.linalg.norm(w))
    return h32, w, minhash(h64, term_fp)


def _names(text: str) -> npt.NDArray[np.uint32]:
    found = {m.group(0).lower() for m in _CAP.finditer(text) if m.group(0)[0].isupper()}
    found = {f for f in found if f not in STOPWORDS and len(f) > 1}
    found.update(m.group(0) for m in _NUMBER.finditer(text) if len(m.group(0)) > 1 or m.group(0) != "0")
    if not found:
        return np.zeros(0, dtype=np.uint32)
    return np.unique(np.fromiter((token_hash(f) >> 32 for f in found), dtype=np.uint32, count=len(found)))


def _years(text: str) -> npt.NDArray[np.uint16]:
    return np.unique(np.fromiter((int(y) for y in _YEAR.findall(text)), dtype=np.uint16))


def term_config(cfg: CorpusConfig) -> FingerprintConfig:
    """The MinHash settings of the content-word signature."""
    bands = max(1, cfg.term_bands)
    return FingerprintConfig(
        ngram=1, num_perm=bands * cfg.term_rows, bands=bands, seed=cfg.fingerprint.seed + 1
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
    """Features of a raw text (no `Article` needed): the fast path for bulk corpus work."""
    full = f"{title}\n{text}" if title else text
    toks = tokens(full)
    shingles = ngram_hashes(token_hashes(toks), cfg.fingerprint.ngram)
    terms, weights, term_sig = _term_features(toks, term_config(cfg))
    doc = DocFeatures(
        id=id,
        published=published,
        lang=lang,
        length=len(toks),
        n_shingles=int(shingles.shape[0]),
        signature=minhash(shingles, cfg.fingerprint),
        terms=terms,
        weights=weights,
        term_signature=term_sig,
        names=_names(full),
        years=_years(full),
        source=source,
        # kept only when an encoder may need it later (the cascade embeds hard documents only)
        text_sample=full[: cfg.embed_chars] if (cfg.encoder or encoder) else "",
    )
    if encoder is not None:
        doc = doc.with_embedding(encoder.encode([doc.text_sample])[0])
    return doc


def featurize(article: Article, cfg: CorpusConfig, encoder: Encoder | None = None) -> DocFeatures:
    """Features of ``article`` (debris sentences skipped); embeds it when ``encoder`` is given.

    Without an encoder the features keep the first ``cfg.embed_chars`` characters (``text_sample``) so that
    a later cascade step can embed only the documents it finds hard (see `embed_features`).
    """
    body = article.content if article.sentences else article.text
    return featurize_text(
        article.id,
        body,
        cfg,
        title=article.title,
        lang=article.lang,
        published=article.published,
        source=article.source,
        encoder=encoder,
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
