"""`DocFeatures`: everything verification needs about one article, computed once by `featurize`.

A `DocFeatures` is small (a few KB), immutable and serialisable (`to_bytes` / `from_bytes`), so a store can
keep it as a blob and never touch the article again.
"""

from __future__ import annotations

import json
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
from samestory.corpus.cues import event_cues
from samestory.corpus.stopwords import STOPWORDS
from samestory.embed.base import Encoder
from samestory.errors import DataError
from samestory.fingerprint import (
    FingerprintConfig,
    minhash,
    ngram_hashes,
    token_hash,
    tokens,
)

_MAGIC = b"SSF1"
# a candidate name (a word not starting with a lower-case Latin/Cyrillic letter; checked with isupper) or a number
_NAME_OR_NUMBER = re.compile(r"\b(?:[^\W\d_a-zа-яёßæøå]\w*|\d+)\b", re.UNICODE)
MAX_TERMS = 128


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


# token -> (64-bit hash, is a content word); bounded like the fingerprint token cache
_INFO: dict[str, tuple[int, bool]] = {}
_INFO_MAX = 2_000_000


def _info(token: str) -> tuple[int, bool]:
    value = _INFO.get(token)
    if value is None:
        content = token not in STOPWORDS and (len(token) > 2 or token.isdigit())
        value = (token_hash(token), content)
        if len(_INFO) >= _INFO_MAX:
            _INFO.clear()
        _INFO[token] = value
    return value


def _term_features(
    counts: Counter[str], info: dict[str, tuple[int, bool]], term_fp: FingerprintConfig
) -> tuple[npt.NDArray[np.uint32], npt.NDArray[np.float32], npt.NDArray[np.uint32]]:
    content = [(info[t][0], c) for t, c in counts.items() if info[t][1]]
    if not content:
        empty = np.zeros(0, dtype=np.uint32)
        return empty, np.zeros(0, dtype=np.float32), minhash(np.zeros(0, dtype=np.uint64), term_fp)
    h64 = np.array([h for h, _ in content], dtype=np.uint64)
    tf = np.array([c for _, c in content], dtype=np.float32)
    if len(content) > MAX_TERMS:  # the most frequent terms; ties broken by hash (stable across runs)
        keep = np.lexsort((h64, -tf))[:MAX_TERMS]
        h64, tf = h64[keep], tf[keep]
    w = (1.0 + np.log(tf)).astype(np.float32)
    h32 = (h64 >> np.uint64(32)).astype(np.uint32)
    order = np.argsort(h32, kind="stable")
    h32, w = h32[order], w[order]
    w /= np.float32(np.linalg.norm(w))
    return h32, w, minhash(h64, term_fp)


def _names_and_years(
    text: str,
) -> tuple[npt.NDArray[np.uint32], npt.NDArray[np.uint16], npt.NDArray[np.uint32], npt.NDArray[np.float32]]:
    """Capitalised words (lower-cased, not function words) and numbers; the years among the numbers; the
    other numbers (hashes); and the names' L2-normalised ``1 + log count`` weights (aligned with the names)."""
    found: Counter[str] = Counter()
    years: set[int] = set()
    numbers: set[str] = set()
    for t, count in Counter(_NAME_OR_NUMBER.findall(text)).items():
        if t.isdigit():
            if t != "0":
                found[t] += count
                if len(t) == 4 and 1800 <= int(t) <= 2099:
                    years.add(int(t))
                else:
                    numbers.add(t)
        elif t[0].isupper():
            low = t.lower()
            if len(low) > 1 and low not in STOPWORDS:
                found[low] += count
    get = _INFO.get
    hashes = np.array([(get(f) or _info(f))[0] >> 32 for f in found], dtype=np.uint32)
    names, first = np.unique(hashes, return_index=True)
    counts = (
        np.array(list(found.values()), dtype=np.float32)[first] if names.size else np.zeros(0, np.float32)
    )
    weights = (1.0 + np.log(counts)).astype(np.float32)
    if weights.size:
        weights /= np.float32(np.linalg.norm(weights))
    nums = np.unique(np.array([(get(f) or _info(f))[0] >> 32 for f in numbers], dtype=np.uint32))
    return names, np.array(sorted(years), dtype=np.uint16), nums, weights


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
    counts = Counter(toks)
    get = _INFO.get
    info = {t: get(t) or _info(t) for t in counts}
    seq = np.array([info[t][0] for t in toks], dtype=np.uint64)
    shingles = ngram_hashes(seq, cfg.fingerprint.ngram)
    terms, weights, term_sig = _term_features(counts, info, term_config(cfg))
    names, years, numbers, name_weights = _names_and_years(full)
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
        names=names,
        years=years,
        numbers=numbers,
        source=source,
        name_weights=name_weights,
        cues=event_cues(full),
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
