"""Bulk clustering: the engine's online step (`cluster.OnlineClusterer`: LSH candidates → `verify` →
`StoryAssigner.assign` → `StoryAssigner.regroup`) for a large batch, with every candidate found up front.

The online engine asks an LSH index, document by document, which earlier documents share a key. For a batch
whose documents are all known, the same answer comes out of one sort per band: documents with equal band
hashes form a group, and each member's candidates are the group members before it in processing order. The
pairs of all bands are merged once (with the number of keys each pair shares), so the sequential part is only
verification and assignment, and no per-key dictionary is held (at 1M documents and 48 bands such a
dictionary alone would take several GB).

`cluster_bulk` therefore gives exactly the memberships `cluster.cluster_batch` gives (LSH candidates only, that
is ``exhaustive_below=0``), and, with ``max_candidates`` / ``window``, exactly what `samestory.index.Index`
stores; tests check both. Embeddings are not handled here: with an encoder the caller uses the online path.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import cast

import numpy as np
import numpy.typing as npt

from samestory.article import utc_timestamp
from samestory.corpus.cluster import Membership, Regrouping, StoryAssigner, order_key
from samestory.corpus.config import CorpusConfig
from samestory.corpus.features import DocFeatures, term_config
from samestory.corpus.verify import PairEvidence, verify
from samestory.engines import local
from samestory.engines.local import LocalEngine
from samestory.fingerprint import band_hashes_batch

#: band-index bit that marks content-word bands (the same key space as `candidates.lsh_keys`)
TERM_KEY = 0x8000
#: at most this many candidate pairs are materialised per band group chunk (bounds memory for huge groups)
_PAIR_CHUNK = 4_000_000
_KEY_CHUNK = 8192
_KEY_BYTES = np.dtype([("band", ">u2"), ("hash", ">u8")])  # one store key: 10 bytes, no padding
#: candidate pairs are verified in worker processes only from this many (sending the work costs a fork)
POOL_PAIRS = 20_000
_PAIRS_PER_JOB = 4_096


@dataclass(frozen=True, slots=True)
class KeyMatrix:
    """The LSH keys of ``n`` documents: ``hashes[i, j]`` is document i's hash in band ``bands[j]`` (the
    2-byte band index of its store key), valid where ``present[i, j]``."""

    hashes: npt.NDArray[np.uint64]
    present: npt.NDArray[np.bool_]
    bands: npt.NDArray[np.int64]

    def keys_of(self, i: int) -> list[bytes]:
        """Document i's keys as the store keeps them (the same bytes as `candidates.lsh_keys`: the band index
        as 2 big-endian bytes, then the hash as 8), written for all its bands at once."""
        cols = np.flatnonzero(self.present[i])
        packed = np.empty(cols.size, dtype=_KEY_BYTES)
        packed["band"] = self.bands[cols]
        packed["hash"] = self.hashes[i, cols]
        raw, size = packed.tobytes(), _KEY_BYTES.itemsize
        return [raw[k : k + size] for k in range(0, len(raw), size)]


def key_matrix(docs: Sequence[DocFeatures], cfg: CorpusConfig) -> KeyMatrix:
    """Every LSH key of every document at once (see `candidates.lsh_keys`: shingle bands, then content-word
    bands; a document without shingles or content words has no keys of that kind). Computed in chunks, so
    the temporaries stay small at millions of documents."""
    n = len(docs)
    fp = cfg.fingerprint
    tc = term_config(cfg) if cfg.term_bands else None
    width = fp.bands + (tc.bands if tc is not None else 0)
    hashes = np.zeros((n, width), dtype=np.uint64)
    present = np.zeros((n, width), dtype=np.bool_)
    for lo in range(0, n, _KEY_CHUNK):
        part = docs[lo : lo + _KEY_CHUNK]
        hi = lo + len(part)
        hashes[lo:hi, : fp.bands] = band_hashes_batch(np.stack([d.signature for d in part]), fp)
        present[lo:hi, : fp.bands] = np.array([d.n_shingles > 0 for d in part], dtype=np.bool_)[:, None]
        if tc is not None:
            hashes[lo:hi, fp.bands :] = band_hashes_batch(np.stack([d.term_signature for d in part]), tc)
            present[lo:hi, fp.bands :] = np.array([d.terms.size > 0 for d in part], dtype=np.bool_)[:, None]
    bands = [np.arange(fp.bands, dtype=np.int64)]
    if tc is not None:
        bands.append(np.arange(tc.bands, dtype=np.int64) | TERM_KEY)
    return KeyMatrix(hashes, present, np.concatenate(bands))


def _group_pairs(
    members: npt.NDArray[np.int64], starts: npt.NDArray[np.int64]
) -> Iterator[npt.NDArray[np.int64]]:
    """For groups ``members[starts[g]:starts[g + 1]]`` (each in ascending order), every (later, earlier) pair
    within a group, as ``[later, earlier]`` rows, in chunks."""
    sizes = np.diff(starts)
    offset = np.arange(members.size, dtype=np.int64) - np.repeat(starts[:-1], sizes)
    # element e pairs with the offset[e] members before it; cut into chunks of bounded size
    total = np.cumsum(offset)
    lo = 0
    while lo < members.size:
        base = total[lo - 1] if lo else 0
        hi = int(np.searchsorted(total, base + _PAIR_CHUNK, side="right"))
        hi = max(hi, lo + 1)
        o = offset[lo:hi]
        later = np.repeat(members[lo:hi], o)
        first = np.repeat(np.arange(lo, hi, dtype=np.int64) - o, o)
        earlier = members[first + (np.arange(later.size, dtype=np.int64) - np.repeat(np.cumsum(o) - o, o))]
        yield np.stack([later, earlier])
        lo = hi


def candidate_pairs(
    keys: KeyMatrix, start: int = 0
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """For each document ``i >= start`` (rows in processing order), the earlier documents that share at
    least one key with it, as CSR: ``offsets`` (n + 1), ``earlier`` and ``shared`` (how many keys the pair
    shares), sorted by (i, earlier)."""
    n = keys.hashes.shape[0]
    codes: list[npt.NDArray[np.int64]] = []
    for col in range(keys.hashes.shape[1]):
        rows = np.flatnonzero(keys.present[:, col])
        if rows.size < 2:
            continue
        h = keys.hashes[rows, col]
        order = np.argsort(h, kind="stable")  # equal hashes keep the processing order
        hs = h[order]
        brk = np.flatnonzero(hs[1:] != hs[:-1]) + 1
        starts = np.concatenate([[0], brk, [hs.size]]).astype(np.int64)
        sizes = np.diff(starts)
        multi = np.flatnonzero(sizes > 1)
        if multi.size == 0:
            continue
        # only the members of groups with two or more documents
        take = np.flatnonzero(np.repeat(sizes > 1, sizes))
        members = rows[order[take]]
        g_starts = np.concatenate([[0], np.cumsum(sizes[multi])]).astype(np.int64)
        for pair in _group_pairs(members, g_starts):
            keep = pair[0] >= start
            codes.append(pair[0][keep] * n + pair[1][keep])
    if not codes:
        empty = np.zeros(0, dtype=np.int64)
        return np.zeros(n + 1, dtype=np.int64), empty, empty
    uniq, shared = np.unique(np.concatenate(codes), return_counts=True)
    later, earlier = np.divmod(uniq, n)
    offsets = np.searchsorted(later, np.arange(n + 1, dtype=np.int64)).astype(np.int64)
    return offsets, earlier.astype(np.int64), shared.astype(np.int64)


def timestamp(published: datetime | None) -> float:
    """POSIX time of ``published`` (naive = UTC, as the store takes it); NaN when undated."""
    if published is None:
        return float("nan")
    return utc_timestamp(published)


class BulkClusterer:
    """Cluster documents whose candidates are all computed up front; see the module docstring.

    ``seeded`` documents come first: they are already assigned (``seeded_stories`` gives each one's story, in
    the order they were assigned) and serve as candidates and story members only. ``max_candidates`` > 0 keeps,
    per document, only the candidates sharing the most keys (ties by id), as `Index` does; ``window``
    (seconds) drops dated candidates published further than that from the document (undated ones stay).
    ``workers`` > 1 (0 = one per core) verifies the candidate pairs in that many processes before the
    sequential assignment (the pairs depend on the keys only, and `verify` on the pair only: same result).
    """

    def __init__(
        self, cfg: CorpusConfig, *, max_candidates: int = 0, window: float | None = None, workers: int = 1
    ) -> None:
        self.cfg = cfg
        self.max_candidates = max_candidates
        self.window = window
        self.engine = LocalEngine(workers)

    def run(
        self,
        docs: Sequence[DocFeatures],
        *,
        seeded: Sequence[DocFeatures] = (),
        seeded_stories: Sequence[str] = (),
        keys: KeyMatrix | None = None,
    ) -> Iterator[tuple[DocFeatures, Regrouping]]:
        """Assign ``docs`` (in the engine's order, `order_key`); yields (document, regrouping) as it goes: the
        document's membership (``regrouping.own``) and the memberships of earlier documents (seeded ones
        included) that its regrouping changed.

        ``keys``, when given, are those of ``[*seeded, *ordered docs]`` (`key_matrix`), for a caller that also
        needs them.
        """
        ordered = sorted(docs, key=order_key)
        everything = [*seeded, *ordered]
        start = len(seeded)
        if keys is None:
            keys = key_matrix(everything, self.cfg)
        offsets, earlier, shared = candidate_pairs(keys, start)
        ids = [d.id for d in everything]
        id_rank = np.empty(len(ids), dtype=np.int64)
        id_rank[np.argsort(np.array(ids, dtype=object), kind="stable")] = np.arange(len(ids))
        ts = np.array([timestamp(d.published) for d in everything], dtype=np.float64)
        story_of: list[str] = list(seeded_stories)
        position = {d.id: k for k, d in enumerate(everything)}
        members: dict[str, list[DocFeatures]] = {}
        for d, s in zip(seeded, seeded_stories, strict=True):
            members.setdefault(s, []).append(d)
        assigner = StoryAssigner(self.cfg)
        selected = [
            self._select(
                i, earlier[offsets[i] : offsets[i + 1]], shared[offsets[i] : offsets[i + 1]], ts, id_rank
            ).tolist()
            for i in range(start, len(everything))
        ]
        checked = self._verify_all(everything, start, selected)
        for i in range(start, len(everything)):
            doc = everything[i]
            cands = selected[i - start]
            evidence = next(checked) if checked is not None else None
            verified = []
            for k, c in enumerate(cands):
                ev = evidence[k] if evidence is not None else verify(doc, everything[c], self.cfg)
                if ev.same_story:
                    verified.append((everything[c], story_of[c], ev))
            membership = assigner.assign(doc, verified, members.__getitem__)
            regrouping = assigner.regroup(doc, membership, verified, members.__getitem__)
            story_of.append(regrouping.own.story_id)
            members.setdefault(regrouping.own.story_id, []).append(doc)
            for m in regrouping.changed:
                story_of[position[m.article_id]] = m.story_id
            for story_id, member_ids in regrouping.stories.items():
                if member_ids:
                    members[story_id] = [everything[position[x]] for x in member_ids]
                else:
                    members.pop(story_id, None)
            yield doc, regrouping

    def _verify_all(
        self, everything: list[DocFeatures], start: int, selected: list[list[int]]
    ) -> Iterator[list[PairEvidence]] | None:
        """Each document's candidate evidence, in order, computed in the worker processes; ``None`` (verify
        as it goes) in one process or when there are too few pairs to be worth sending."""
        if self.engine.workers == 1 or sum(map(len, selected)) < POOL_PAIRS:
            return None
        jobs: list[list[tuple[int, list[int]]]] = [[]]
        size = 0
        for i, cands in enumerate(selected, start):
            if size >= _PAIRS_PER_JOB:
                jobs.append([])
                size = 0
            jobs[-1].append((i, cands))
            size += len(cands)
        return (ev for job in self.engine.map(_verify_job, jobs, shared=(everything, self.cfg)) for ev in job)

    def _select(
        self,
        i: int,
        cands: npt.NDArray[np.int64],
        shared: npt.NDArray[np.int64],
        ts: npt.NDArray[np.float64],
        id_rank: npt.NDArray[np.int64],
    ) -> npt.NDArray[np.int64]:
        if self.window is not None and not np.isnan(ts[i]) and cands.size:
            t = ts[cands]
            lo, hi = ts[i] - self.window, ts[i] + self.window
            ok = np.isnan(t) | ((t >= lo) & (t <= hi))
            cands, shared = cands[ok], shared[ok]
        if self.max_candidates and cands.size > self.max_candidates:
            top = np.lexsort((id_rank[cands], -shared))[: self.max_candidates]
            cands = cands[top]
        if cands.size < 2:
            return cands  # most documents have no candidate: no sort (a numpy call per document adds up)
        return cands[np.argsort(id_rank[cands], kind="stable")]


def _verify_job(job: list[tuple[int, list[int]]]) -> list[list[PairEvidence]]:
    everything, cfg = cast(tuple[list[DocFeatures], CorpusConfig], local.shared())
    return [[verify(everything[i], everything[c], cfg) for c in cands] for i, cands in job]


def cluster_bulk(
    docs: Sequence[DocFeatures],
    cfg: CorpusConfig,
    *,
    max_candidates: int = 0,
    window: float | None = None,
    workers: int = 1,
) -> list[Membership]:
    """Cluster ``docs`` into stories; one `Membership` per document, in processing order (``published`` then
    id): the same as `cluster.cluster_batch` with LSH candidates only (``workers`` as in `BulkClusterer`)."""
    engine = BulkClusterer(cfg, max_candidates=max_candidates, window=window, workers=workers)
    final: dict[str, Membership] = {}
    order: list[str] = []
    for doc, regrouping in engine.run(docs):
        order.append(doc.id)
        final[doc.id] = regrouping.own
        final.update((m.article_id, m) for m in regrouping.changed)  # regrouping may change earlier ones
    return [final[i] for i in order]


__all__ = ["BulkClusterer", "KeyMatrix", "candidate_pairs", "cluster_bulk", "key_matrix", "timestamp"]
