"""Bulk clustering: the online step (`samestory.corpus.step.decide`) for a batch whose documents are all known,
with every candidate found up front.

The online step asks a key index, document by document, which earlier documents share keys with it
(`candidates.lsh_keys`). For a batch the same answer comes out of one sort per key column: documents with equal
band hashes (or the same key term) form a group, and each member's candidates are the group members before it in
processing order; a key term's group counts only up to ``cfg.key_term_max_df`` earlier members, as a posting
list that long is skipped when looked up. The pairs of all keys are merged once (with the number of keys of
each kind each pair shares) and `candidates.select_candidates` keeps the same candidates the index would, so
the sequential part is only verification and assignment, and no per-key dictionary is held (at 1M documents
and 72 keys a document such a dictionary alone would take several GB).

`cluster_batch` is the batch entry point of corpus mode (`samestory cluster`, `dedup`, `eval clusters`,
`Index.remove`); `samestory.index.Index` runs the same step over its SQLite store.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, cast

import numpy as np
import numpy.typing as npt

from samestory.article import utc_timestamp
from samestory.corpus.candidates import KEY_TERM_BAND, key_term_span, key_terms, select_candidates
from samestory.corpus.cluster import Membership, StoryAssigner, order_key
from samestory.corpus.components import components, groups
from samestory.corpus.config import CorpusConfig
from samestory.corpus.features import DocFeatures, term_config
from samestory.corpus.step import Decision, MemoryState, decide
from samestory.corpus.verify import PairEvidence, verify
from samestory.engines.base import Engine
from samestory.engines.local import local_engine
from samestory.errors import InputError
from samestory.fingerprint import band_hashes_batch

if TYPE_CHECKING:
    from samestory.corpus.cascade import SimilarityStage
    from samestory.embed.base import Encoder

#: band-index bit that marks content-word bands (the same key space as `candidates.lsh_keys`)
TERM_KEY = 0x8000
#: at most this many candidate pairs are materialised per band group chunk (bounds memory for huge groups)
_PAIR_CHUNK = 4_000_000
_KEY_CHUNK = 8192
_KEY_BYTES = np.dtype([("band", ">u2"), ("hash", ">u8")])  # one store key: 10 bytes, no padding
#: candidate pairs are verified in worker processes only from this many (sending the work costs a fork)
POOL_PAIRS = 20_000
_PAIRS_PER_JOB = 4_096
_UNDATED = 1 << 33  # the "second" of an undated document in `_recent_pairs` (after every dated one)


@dataclass(frozen=True, slots=True)
class KeyMatrix:
    """The keys of ``n`` documents: ``hashes[i, j]`` is document i's hash in band ``bands[j]`` (the 2-byte band
    index of its store key), valid where ``present[i, j]``; ``terms[i, :]`` its key terms (ascending), valid
    where ``term_present[i, :]``."""

    hashes: npt.NDArray[np.uint64]
    present: npt.NDArray[np.bool_]
    bands: npt.NDArray[np.int64]
    terms: npt.NDArray[np.uint64]
    term_present: npt.NDArray[np.bool_]
    times: npt.NDArray[np.float64] | None = None

    def keys_of(self, i: int) -> list[bytes]:
        """Document i's keys as the store keeps them (the same bytes as `candidates.lsh_keys`: the band index
        as 2 big-endian bytes, then the hash as 8), written for all its keys at once."""
        cols = np.flatnonzero(self.present[i])
        tcols = np.flatnonzero(self.term_present[i])
        packed = np.empty(cols.size + tcols.size, dtype=_KEY_BYTES)
        packed["band"][: cols.size] = self.bands[cols]
        packed["hash"][: cols.size] = self.hashes[i, cols]
        packed["band"][cols.size :] = KEY_TERM_BAND
        packed["hash"][cols.size :] = self.terms[i, tcols]
        raw, size = packed.tobytes(), _KEY_BYTES.itemsize
        return [raw[k : k + size] for k in range(0, len(raw), size)]


def key_matrix(docs: Sequence[DocFeatures], cfg: CorpusConfig) -> KeyMatrix:
    """Every key of every document at once (see `candidates.lsh_keys`: shingle bands, then content-word
    bands, then key terms; a document without shingles or content words has no keys of that kind). Computed
    in chunks, so the temporaries stay small at millions of documents."""
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
    terms = np.zeros((n, cfg.key_terms), dtype=np.uint64)
    term_present = np.zeros((n, cfg.key_terms), dtype=np.bool_)
    for i, d in enumerate(docs):
        t = key_terms(d, cfg)
        terms[i, : t.size] = t
        term_present[i, : t.size] = True
    times = np.array([timestamp(d.published) for d in docs], dtype=np.float64)
    return KeyMatrix(hashes, present, np.concatenate(bands), terms, term_present, times)


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


def _groups(
    rows: npt.NDArray[np.int64], h: npt.NDArray[np.uint64], cap: int
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Documents ``rows`` (ascending) with key hashes ``h``: the members of every group of two or more equal
    hashes, each group in processing order and cut after its first ``cap + 1`` members (0: uncut), as
    ``(members, group starts)``."""
    order = np.argsort(h, kind="stable")  # equal hashes keep the processing order
    hs = h[order]
    brk = np.flatnonzero(hs[1:] != hs[:-1]) + 1
    starts = np.concatenate([[0], brk, [hs.size]]).astype(np.int64)
    full = np.diff(starts)
    if cap:
        pos = np.arange(hs.size, dtype=np.int64) - np.repeat(starts[:-1], full)
        sizes = np.minimum(full, cap + 1)
        take = pos <= cap
    else:
        sizes = full
        take = np.ones(hs.size, dtype=np.bool_)
    multi = sizes > 1
    take &= np.repeat(multi, full)
    members = rows[order[take]]
    g_starts = np.concatenate([[0], np.cumsum(sizes[multi])]).astype(np.int64)
    return members, g_starts


def candidate_pairs(
    keys: KeyMatrix, cfg: CorpusConfig, start: int = 0
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """For each document ``i >= start`` (rows in processing order), the earlier documents that share at
    least one key with it, as CSR: ``offsets`` (n + 1), ``earlier``, and how many LSH keys (``lsh``) and key
    terms (``terms``) the pair shares, sorted by (i, earlier). A key term counts only for documents that find
    at most ``cfg.key_term_max_df`` earlier documents under it (`candidates.LSHIndex.shared`)."""
    n = keys.hashes.shape[0]
    lsh_codes: list[npt.NDArray[np.int64]] = []
    term_codes: list[npt.NDArray[np.int64]] = []

    def add(
        members: npt.NDArray[np.int64], g_starts: npt.NDArray[np.int64], out: list[npt.NDArray[np.int64]]
    ) -> None:
        if g_starts.size < 2:
            return
        for pair in _group_pairs(members, g_starts):
            keep = pair[0] >= start
            out.append(pair[0][keep] * n + pair[1][keep])

    for col in range(keys.hashes.shape[1]):
        rows = np.flatnonzero(keys.present[:, col])
        if rows.size >= 2:
            add(*_groups(rows, keys.hashes[rows, col], 0), lsh_codes)
    trow, tcol = np.nonzero(keys.term_present)  # row-major: rows ascending
    if trow.size >= 2 and cfg.key_term_days and keys.times is not None:
        term_codes.extend(
            _recent_pairs(trow.astype(np.int64), keys.terms[trow, tcol], keys.times, cfg, start, n)
        )
    elif trow.size >= 2:
        add(*_groups(trow.astype(np.int64), keys.terms[trow, tcol], cfg.key_term_max_df), term_codes)
    lsh_u, lsh_n = _counted(lsh_codes)
    term_u, term_n = _counted(term_codes)
    codes = np.union1d(lsh_u, term_u)
    lsh = np.zeros(codes.size, dtype=np.int64)
    terms = np.zeros(codes.size, dtype=np.int64)
    lsh[np.searchsorted(codes, lsh_u)] = lsh_n
    terms[np.searchsorted(codes, term_u)] = term_n
    later, earlier = np.divmod(codes, n) if n else (codes, codes)
    offsets = np.searchsorted(later, np.arange(n + 1, dtype=np.int64)).astype(np.int64)
    return offsets, earlier.astype(np.int64), lsh, terms


def _recent_pairs(
    rows: npt.NDArray[np.int64],
    h: npt.NDArray[np.uint64],
    times: npt.NDArray[np.float64],
    cfg: CorpusConfig,
    start: int,
    n: int,
) -> list[npt.NDArray[np.int64]]:
    """Key-term pairs ``later * n + earlier`` under `candidates.key_term_bounds`: a document (row ``>=
    start``) pairs with the earlier rows holding the term that count for it (dated ones of the days before
    it, in whole seconds; every one for an undated document) when there are at most ``cfg.key_term_max_df``.

    Rows from ``start`` ascend in processing order (dated by time, then undated), so within a group their
    seconds ascend and one search finds each window's start; the rows before ``start`` (already assigned,
    in any time order) are searched in a copy sorted by time."""
    order = np.lexsort((rows, h))
    hs, rs = h[order], rows[order]
    brk = np.ones(hs.size, dtype=np.bool_)
    np.not_equal(hs[1:], hs[:-1], out=brk[1:])
    group = (np.cumsum(brk) - 1).astype(np.int64)
    t = times[rs]
    undated = np.isnan(t)
    sec = np.full(t.size, _UNDATED, dtype=np.int64)  # undated: past every dated second
    if not undated.all():
        whole = np.floor(t[~undated]).astype(np.int64)
        sec[~undated] = whole - whole.min()
    key = (group << 34) + sec
    span = key_term_span(cfg)

    new = np.flatnonzero(rs >= start)
    k_n, r_n, u_n, g_n = key[new], rs[new], undated[new], group[new]
    g_brk = np.ones(new.size, dtype=np.bool_)
    np.not_equal(g_n[1:], g_n[:-1], out=g_brk[1:])
    g_first = np.flatnonzero(g_brk)[np.cumsum(g_brk) - 1]
    lo_n = np.where(u_n, g_first, np.maximum(np.searchsorted(k_n, k_n - span, side="left"), g_first))
    c_n = np.arange(new.size, dtype=np.int64) - lo_n

    old = np.flatnonzero(rs < start)
    by_time = np.argsort(key[old], kind="stable")
    k_s, r_s = key[old][by_time], rs[old][by_time]
    g_lo = np.searchsorted(k_s, g_n << 34, side="left")
    g_hi = np.searchsorted(k_s, (g_n + 1) << 34, side="left")
    lo_s = np.where(u_n, g_lo, np.maximum(np.searchsorted(k_s, k_n - span, side="left"), g_lo))
    hi_s = np.where(u_n, g_hi, np.searchsorted(k_s, k_n, side="right"))
    c_s = hi_s - lo_s

    total = c_n + c_s
    keep = np.flatnonzero((total > 0) & (total <= cfg.key_term_max_df))
    out: list[npt.NDArray[np.int64]] = []
    for counts, firsts, pool in ((c_n[keep], lo_n[keep], r_n), (c_s[keep], lo_s[keep], r_s)):
        if not counts.sum():
            continue
        later = np.repeat(r_n[keep], counts)
        at = np.repeat(firsts - np.cumsum(counts) + counts, counts) + np.arange(later.size, dtype=np.int64)
        out.append(later * n + pool[at])
    return out


def _counted(codes: list[npt.NDArray[np.int64]]) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    if not codes:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty
    uniq, count = np.unique(np.concatenate(codes), return_counts=True)
    return uniq.astype(np.int64), count.astype(np.int64)


def timestamp(published: datetime | None) -> float:
    """POSIX time of ``published`` (naive = UTC, as the store takes it); NaN when undated."""
    if published is None:
        return float("nan")
    return utc_timestamp(published)


class _Precomputed(MemoryState):
    """A `MemoryState` whose candidates were found up front (`candidate_pairs` + `select_candidates`)."""

    def __init__(self, cfg: CorpusConfig) -> None:
        super().__init__(cfg, index_keys=False)
        self.current: list[str] = []

    def candidates(
        self, doc: DocFeatures, keys: Sequence[bytes], bounds: tuple[float, float] | None
    ) -> list[str]:
        return self.current


class BulkClusterer:
    """Run the online step over documents whose candidates are all computed up front; see the module
    docstring.

    ``seeded`` documents come first: they are already assigned (``seeded_stories`` gives each one's story, in
    the order they were assigned) and serve as candidates and story members only. ``window`` drops dated
    candidates published further than that from the document (undated ones stay). ``workers`` > 1 (0 = one
    per core) verifies the candidate pairs in that many processes before the sequential assignment (the pairs
    depend on the keys only, and `verify` on the pair only: same result); ``engine``, when given, does that
    instead (any `samestory.engines.Engine`). ``encoder``: a document that finds
    no lexical story is embedded and compared with its nearest embedded documents, as in every state.
    """

    def __init__(
        self,
        cfg: CorpusConfig,
        *,
        window: timedelta | None = None,
        workers: int = 1,
        engine: Engine | None = None,
        encoder: Encoder | None = None,
        similarity: SimilarityStage | None = None,
    ) -> None:
        self.cfg = cfg
        self.window = window
        self.engine = engine or local_engine(workers)
        self.encoder = encoder
        self.similarity = similarity
        self.state = _Precomputed(cfg)

    def run(
        self,
        docs: Sequence[DocFeatures],
        *,
        seeded: Sequence[DocFeatures] = (),
        seeded_stories: Sequence[str] = (),
        keys: KeyMatrix | None = None,
    ) -> Iterator[Decision]:
        """Decide ``docs`` (in the engine's order, `order_key`); yields each `Decision` as it goes: the
        document's membership and the memberships of earlier documents (seeded ones included) that its
        regrouping changed.

        ``keys``, when given, are those of ``[*seeded, *ordered docs]`` (`key_matrix`), for a caller that also
        needs them.
        """
        ordered = sorted(docs, key=order_key)
        everything = [*seeded, *ordered]
        start = len(seeded)
        if keys is None:
            keys = key_matrix(everything, self.cfg)
        selected = self.selected(everything, keys, start)
        state = self.state
        for d, story in zip(seeded, seeded_stories, strict=True):
            state.seed(d, story)
        checked = self._verify_all(everything, start, selected)
        ids = [d.id for d in everything]
        yield from _decisions(
            state,
            StoryAssigner(self.cfg, self.similarity),
            everything[start:],
            ([ids[c] for c in cands] for cands in selected),
            encoder=self.encoder,
            window=self.window,
            checked=checked,
            keys=lambda k: keys.keys_of(start + k),
        )

    def selected(self, everything: Sequence[DocFeatures], keys: KeyMatrix, start: int = 0) -> list[list[int]]:
        """The candidates of each document ``everything[i]``, ``i >= start`` (in processing order; ``keys``
        theirs): the indices of the earlier documents its decision reads, as the key index would find them
        (`candidates.select_candidates`, within ``window``)."""
        offsets, earlier, lsh, terms = candidate_pairs(keys, self.cfg, start)
        ids = [d.id for d in everything]
        id_rank = np.empty(len(ids), dtype=np.int64)
        id_rank[np.argsort(np.array(ids, dtype=object), kind="stable")] = np.arange(len(ids))
        ts = np.array([timestamp(d.published) for d in everything], dtype=np.float64)
        window = self.window.total_seconds() if self.window is not None else None
        return [
            self._select(i, offsets, earlier, lsh, terms, ts, id_rank, window).tolist()
            for i in range(start, len(everything))
        ]

    def cluster(self, docs: Sequence[DocFeatures]) -> list[Membership]:
        """`run` to the end: one `Membership` per document of ``docs``, in processing order (regrouping may
        have changed earlier ones: these are the final memberships)."""
        order = [d.doc.id for d in self.run(docs)]
        final = self.state.memberships
        return [final[i] for i in order]

    def cluster_by_component(self, docs: Sequence[DocFeatures]) -> list[Membership]:
        """`cluster`, with the online step run separately for each connected component of the verified
        candidate graph (`samestory.corpus.components`: selected candidate pairs that `verify` calls the same
        story, verified on the engine first), the components batched into jobs for the engine: the same
        memberships, since no decision reads across components. A component is one job however large.
        Lexical only: an encoder's nearest neighbours and a similarity stage read across components."""
        if self.encoder is not None or self.similarity is not None:
            raise InputError(
                "clustering by component is lexical only: it takes no encoder or similarity stage"
            )
        ordered = sorted(docs, key=order_key)
        selected = self.selected(ordered, key_matrix(ordered, self.cfg))
        linked = self.same_story_links(ordered, selected)
        # an engine may compute the components itself (Spark: DataFrame joins); the same labels
        find = getattr(self.engine, "components", components)
        final: dict[str, Membership] = {}
        jobs = component_jobs(ordered, selected, linked, find)
        for job in self.engine.map(_component_job, jobs, shared=(self.cfg, self.window)):
            for part in job:
                final.update((m.article_id, m) for m in part)
        return [final[d.id] for d in ordered]

    def same_story_links(self, ordered: Sequence[DocFeatures], selected: list[list[int]]) -> list[list[int]]:
        """The candidates of each document that `verify` calls the same story, verified on the engine in
        jobs of about `_PAIRS_PER_JOB` pairs, each job carrying the features of its own documents only."""
        jobs: list[tuple[list[DocFeatures], list[tuple[int, list[int]]]]] = []
        rows: list[int] = []

        def flush() -> None:
            need = sorted({*rows, *(c for i in rows for c in selected[i])})
            local = {g: k for k, g in enumerate(need)}
            jobs.append(
                ([ordered[g] for g in need], [(local[i], [local[c] for c in selected[i]]) for i in rows])
            )
            rows.clear()

        size = 0
        for i, cands in enumerate(selected):
            if cands:
                rows.append(i)
                size += len(cands)
                if size >= _PAIRS_PER_JOB:
                    flush()
                    size = 0
        if rows:
            flush()
        linked: list[list[int]] = [[] for _ in selected]
        with_cands = (i for i, cands in enumerate(selected) if cands)
        for job in self.engine.map(_same_story_job, jobs, shared=self.cfg):
            for same in job:
                i = next(with_cands)
                linked[i] = [c for c, ok in zip(selected[i], same, strict=True) if ok]
        return linked

    def _verify_all(
        self, everything: list[DocFeatures], start: int, selected: list[list[int]]
    ) -> Iterator[list[PairEvidence]] | None:
        """Each document's candidate evidence, in order, computed in the worker processes; ``None`` (verify
        as it goes) in one process, with a similarity stage, or when there are too few pairs to be worth
        sending."""
        if self.engine.workers == 1 or self.similarity is not None or sum(map(len, selected)) < POOL_PAIRS:
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
        offsets: npt.NDArray[np.int64],
        earlier: npt.NDArray[np.int64],
        lsh: npt.NDArray[np.int64],
        terms: npt.NDArray[np.int64],
        ts: npt.NDArray[np.float64],
        id_rank: npt.NDArray[np.int64],
        window: float | None,
    ) -> npt.NDArray[np.int64]:
        lo, hi = offsets[i], offsets[i + 1]
        if lo == hi:
            return earlier[lo:hi]  # most documents have no candidate: no more numpy calls
        cands, n_lsh, n_terms = earlier[lo:hi], lsh[lo:hi], terms[lo:hi]
        if window is not None and not np.isnan(ts[i]):
            t = ts[cands]
            ok = np.isnan(t) | ((t >= ts[i] - window) & (t <= ts[i] + window))
            cands, n_lsh, n_terms = cands[ok], n_lsh[ok], n_terms[ok]
        return cands[select_candidates(id_rank[cands], n_lsh, n_terms, self.cfg)]


def _decisions(
    state: _Precomputed,
    assigner: StoryAssigner,
    docs: Sequence[DocFeatures],
    candidate_ids: Iterable[list[str]],
    *,
    encoder: Encoder | None,
    window: timedelta | None,
    checked: Iterator[list[PairEvidence]] | None = None,
    keys: Callable[[int], list[bytes]] | None = None,
) -> Iterator[Decision]:
    """The online step for ``docs`` in order, each with its candidates' ids (and their evidence when
    ``checked``; ``keys(k)`` the keys of ``docs[k]``, for a caller that stores them), recorded in ``state``."""
    for k, (doc, cands) in enumerate(zip(docs, candidate_ids, strict=True)):
        state.current = cands
        known = dict(zip(cands, next(checked), strict=True)) if checked is not None else None
        decision = decide(
            doc,
            state,
            assigner,
            encoder=encoder,
            window=window,
            known=known,
            keys=keys(k) if keys is not None else [],
        )
        state.record(decision)
        yield decision


#: one component's documents (processing order) and each one's selected candidates inside it (local indices)
ComponentTask = tuple[list[DocFeatures], list[list[int]]]


def component_jobs(
    ordered: Sequence[DocFeatures],
    selected: list[list[int]],
    linked: list[list[int]],
    find: Callable[[int, npt.NDArray[np.int64]], npt.NDArray[np.int64]] = components,
) -> list[list[ComponentTask]]:
    """The tasks of the per-component stage, batched into jobs of about `_PAIRS_PER_JOB` documents and pairs:
    one task per connected component of the verified candidate graph (``linked``: each document's selected
    candidates that verify as the same story), its members in processing order with their selected candidates
    inside the component. A candidate of another component did not verify: its decision would skip it, so it
    stays out. ``find`` labels the components (`corpus.components.components`, or an engine's own)."""
    edges = np.array([(i, c) for i, cands in enumerate(linked) for c in cands], dtype=np.int64).reshape(-1, 2)
    jobs: list[list[ComponentTask]] = [[]]
    size = 0
    for members in groups(find(len(ordered), edges)):
        if size >= _PAIRS_PER_JOB:
            jobs.append([])
            size = 0
        local = {int(g): k for k, g in enumerate(members)}
        cands = [[local[c] for c in selected[g] if c in local] for g in members]
        jobs[-1].append(([ordered[g] for g in members], cands))
        size += len(members) + sum(map(len, cands))
    return jobs


def _component_job(job: list[ComponentTask], shared: object) -> list[list[Membership]]:
    """The final memberships of each component of ``job``: its documents in processing order, each with its
    candidates (indices of earlier documents of the component)."""
    cfg, window = cast(tuple[CorpusConfig, timedelta | None], shared)
    out: list[list[Membership]] = []
    for docs, cands in job:
        state = _Precomputed(cfg)
        ids = [d.id for d in docs]
        for _ in _decisions(
            state,
            StoryAssigner(cfg),
            docs,
            ([ids[c] for c in cs] for cs in cands),
            encoder=None,
            window=window,
        ):
            pass
        out.append([state.memberships[i] for i in ids])
    return out


def _same_story_job(
    job: tuple[list[DocFeatures], list[tuple[int, list[int]]]], shared: object
) -> list[list[bool]]:
    """Whether each candidate pair of ``job`` (indices into its own documents) is the same story."""
    cfg = cast(CorpusConfig, shared)
    docs, pairs = job
    return [[verify(docs[i], docs[c], cfg).same_story for c in cands] for i, cands in pairs]


def _verify_job(job: list[tuple[int, list[int]]], shared: object) -> list[list[PairEvidence]]:
    everything, cfg = cast(tuple[list[DocFeatures], CorpusConfig], shared)
    return [[verify(everything[i], everything[c], cfg) for c in cands] for i, cands in job]


def cluster_batch(
    docs: Sequence[DocFeatures],
    cfg: CorpusConfig,
    encoder: Encoder | None = None,
    *,
    similarity: SimilarityStage | None = None,
    window: timedelta | None = None,
    workers: int = 1,
    engine: Engine | None = None,
    by_component: bool = False,
) -> list[Membership]:
    """Cluster ``docs`` into stories; one `Membership` per document, in processing order (``published`` then
    id). Deterministic: the same memberships as adding ``docs`` to an empty `samestory.index.Index` with the
    same settings. ``encoder`` embeds the documents that find no lexical story; ``similarity`` (prepared for
    these documents) lets the similarity model decide uncertain pairs (`samestory.corpus.cascade`);
    ``window``, ``workers`` and ``engine`` as in `BulkClusterer`; ``by_component`` runs the online step per
    connected component of the candidate graph on the engine (`BulkClusterer.cluster_by_component`: the
    same memberships; lexical only)."""
    clusterer = BulkClusterer(
        cfg, window=window, workers=workers, engine=engine, encoder=encoder, similarity=similarity
    )
    return clusterer.cluster_by_component(docs) if by_component else clusterer.cluster(docs)


__all__ = ["BulkClusterer", "KeyMatrix", "candidate_pairs", "cluster_batch", "key_matrix", "timestamp"]
