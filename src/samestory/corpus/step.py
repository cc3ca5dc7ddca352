"""The online step of corpus mode, written once: a document and a corpus state in, a decision out.

`decide` runs, for one document: candidate look-up (`CorpusState.candidates`, the keys of
`candidates.lsh_keys` under the rule of `candidates.select_candidates`) → `verify` → `StoryAssigner.assign`
→ for a *hard* document (no lexical story while an encoder is set) embedding and nearest-neighbour look-up
(`CorpusState.nearest`) → `StoryAssigner.assign` again → `StoryAssigner.regroup`. `CorpusState.record` then
applies the decision. Every entry point runs this step over one of two states:

- `MemoryState`: dictionaries (`cluster_batch`, `samestory cluster`, `dedup`, `eval clusters`, the bulk
  engine of `samestory.corpus.bulk`, the re-clustering of `Index.remove`);
- the SQLite store of `samestory.index.Index` (`index add`, `match`).

Documents are decided one at a time in the engine's order (`cluster.order_key`); that sequence is the only
order-dependent part of corpus mode, so it is kept here and nowhere else.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Protocol

import numpy as np
import numpy.typing as npt

from samestory.article import utc_timestamp
from samestory.corpus.candidates import EmbeddingIndex, LSHIndex, lsh_keys
from samestory.corpus.cluster import Candidate, Membership, Regrouping, StoryAssigner, searchable
from samestory.corpus.config import CorpusConfig
from samestory.corpus.features import DocFeatures
from samestory.corpus.verify import PairEvidence, verify
from samestory.embed.base import Encoder

#: nearest embedded documents a hard document is compared with
NEAREST = 10

Bounds = tuple[float, float] | None


class CorpusState(Protocol):
    """What the online step reads and writes: the documents decided so far and their stories."""

    def candidates(self, doc: DocFeatures, keys: Sequence[bytes], bounds: Bounds) -> list[str]:
        """Ids of decided documents that are candidates for ``doc`` (`candidates.select_candidates` over the
        keys they share; dated ones only within ``bounds``), by id."""
        ...

    def features(self, ids: Sequence[str]) -> Mapping[str, DocFeatures]:
        """The features of the decided documents among ``ids``."""
        ...

    def story_of(self, ids: Sequence[str]) -> Mapping[str, str]:
        """The story id of each decided document among ``ids``."""
        ...

    def members(self, story_id: str) -> Sequence[DocFeatures]:
        """A story's members, in the order they were first assigned (a regrouping changes which story a
        document is in, not its place in that order)."""
        ...

    def nearest(self, vector: npt.NDArray[np.float32], k: int) -> list[str]:
        """Up to ``k`` ids of the documents in the embedding search, nearest first."""
        ...

    def record(self, decision: Decision) -> None:
        """Apply ``decision``: the document joins its story; the regrouping's changes take effect."""
        ...


@dataclass(frozen=True, slots=True)
class Decision:
    """What the online step decided for ``doc`` (its features, embedded when it was hard): its membership and
    the regrouping of its neighbourhood, the keys it is indexed under, whether it was hard, and whether the
    step embedded it (it had no embedding before)."""

    doc: DocFeatures
    regrouping: Regrouping
    keys: list[bytes]
    hard: bool
    embedded: bool = False

    @property
    def membership(self) -> Membership:
        return self.regrouping.own

    @property
    def searchable(self) -> bool:
        """Whether the document goes into the embedding search (`cluster.searchable`)."""
        return self.doc.embedding is not None and searchable(self.membership, hard=self.hard)


def bounds_of(doc: DocFeatures, window: timedelta | None) -> Bounds:
    """``(earliest, latest)`` POSIX times a candidate of ``doc`` may be published at; ``None``: any."""
    if window is None or doc.published is None:
        return None
    ts, w = utc_timestamp(doc.published), window.total_seconds()
    return (ts - w, ts + w)


def in_bounds(doc: DocFeatures, bounds: Bounds) -> bool:
    """Whether ``doc`` may be a candidate within ``bounds`` (an undated document always may)."""
    if bounds is None or doc.published is None:
        return True
    return bounds[0] <= utc_timestamp(doc.published) <= bounds[1]


def _verified(
    doc: DocFeatures,
    ids: Sequence[str],
    state: CorpusState,
    assigner: StoryAssigner,
    bounds: Bounds,
    known: Mapping[str, PairEvidence] | None = None,
) -> list[Candidate]:
    feats = state.features(ids)
    stories = state.story_of(list(feats))
    out: list[Candidate] = []
    for cid in ids:
        cand = feats.get(cid)
        if cand is None or cid == doc.id or cid not in stories or not in_bounds(cand, bounds):
            continue
        ev = known.get(cid) if known is not None else None
        if ev is None:
            ev = verify(doc, cand, assigner.cfg, assigner.similarity)
        if ev.same_story:
            out.append((cand, stories[cid], ev))
    return out


def decide(
    doc: DocFeatures,
    state: CorpusState,
    assigner: StoryAssigner,
    *,
    encoder: Encoder | None = None,
    window: timedelta | None = None,
    known: Mapping[str, PairEvidence] | None = None,
    keys: list[bytes] | None = None,
) -> Decision:
    """The online step for ``doc`` over ``state`` (see the module docstring); changes nothing in ``state``.

    ``known`` holds evidence already computed for some of ``doc``'s candidates (`verify` of the same pair,
    e.g. in worker processes), and ``keys`` its `lsh_keys` when already computed: the same values, not
    computed again.
    """
    cfg = assigner.cfg
    if keys is None:
        keys = lsh_keys(doc, cfg)
    bounds = bounds_of(doc, window)
    candidates = _verified(doc, state.candidates(doc, keys, bounds), state, assigner, bounds, known)
    membership = assigner.assign(doc, candidates, state.members)
    hard = membership.matched_id is None and encoder is not None
    embedded = False
    if hard and encoder is not None:
        if doc.embedding is None:
            doc = doc.with_embedding(encoder.encode([doc.text_sample or doc.id])[0])
            embedded = True
        assert doc.embedding is not None
        near = state.nearest(doc.embedding, NEAREST)
        candidates = _verified(doc, near, state, assigner, bounds)
        membership = assigner.assign(doc, candidates, state.members)
    return Decision(doc, assigner.regroup(doc, membership, candidates, state.members), keys, hard, embedded)


class MemoryState:
    """A `CorpusState` in dictionaries. ``index_keys=False`` keeps no key index (a caller that finds the
    candidates up front overrides `candidates`, as the bulk engine does)."""

    def __init__(self, cfg: CorpusConfig, *, index_keys: bool = True) -> None:
        self.cfg = cfg
        self.lsh = LSHIndex(cfg) if index_keys else None
        self.docs: dict[str, DocFeatures] = {}
        self.story: dict[str, str] = {}
        self.stories: dict[str, list[DocFeatures]] = {}
        self.memberships: dict[str, Membership] = {}
        self.seq: dict[str, int] = {}  # the order in which documents were first assigned
        self.emb: EmbeddingIndex | None = None
        self.in_search: set[str] = set()  # ids of the documents in the embedding search
        self.embedded = 0  # documents this state's decisions embedded

    def seed(self, doc: DocFeatures, story_id: str) -> None:
        """Add a document already assigned to ``story_id`` (in assignment order), as a candidate and member."""
        self.docs[doc.id] = doc
        self.story[doc.id] = story_id
        self.seq.setdefault(doc.id, len(self.seq))
        self.stories.setdefault(story_id, []).append(doc)

    def candidates(self, doc: DocFeatures, keys: Sequence[bytes], bounds: Bounds) -> list[str]:
        from samestory.corpus.candidates import select_candidates

        if self.lsh is None:
            return []
        found = self.lsh.shared(doc, list(keys))
        if bounds is not None:
            found = {i: c for i, c in found.items() if in_bounds(self.docs[i], bounds)}
        if not found:
            return []
        ids = list(found)
        counts = np.array(list(found.values()), dtype=np.int64).reshape(-1, 2)
        return [ids[int(i)] for i in select_candidates(np.array(ids), counts[:, 0], counts[:, 1], self.cfg)]

    def features(self, ids: Sequence[str]) -> Mapping[str, DocFeatures]:
        docs = self.docs
        return {i: docs[i] for i in ids if i in docs}

    def story_of(self, ids: Sequence[str]) -> Mapping[str, str]:
        story = self.story
        return {i: story[i] for i in ids if i in story}

    def members(self, story_id: str) -> Sequence[DocFeatures]:
        return self.stories[story_id]

    def nearest(self, vector: npt.NDArray[np.float32], k: int) -> list[str]:
        return [] if self.emb is None else [i for i, _ in self.emb.query(vector, k=k)]

    def record(self, decision: Decision) -> None:
        doc, regrouping = decision.doc, decision.regrouping
        membership = regrouping.own
        self.embedded += decision.embedded
        self.seed(doc, membership.story_id)
        self.memberships[doc.id] = membership
        for m in regrouping.changed:
            self.story[m.article_id] = m.story_id
            self.memberships[m.article_id] = m
        seq = self.seq
        for story_id, member_ids in regrouping.stories.items():
            if member_ids:
                self.stories[story_id] = [self.docs[i] for i in sorted(member_ids, key=seq.__getitem__)]
            else:
                self.stories.pop(story_id, None)
        if self.lsh is not None:
            self.lsh.add(doc, decision.keys)
        if decision.searchable and doc.embedding is not None:
            if self.emb is None:
                self.emb = EmbeddingIndex(doc.embedding.shape[0])
            self.emb.add(doc.id, doc.embedding)
            self.in_search.add(doc.id)


__all__ = ["NEAREST", "CorpusState", "Decision", "MemoryState", "bounds_of", "decide", "in_bounds"]
