"""Story clustering with explained membership.

A document joins the story whose compared members it matches best *on average* (online average linkage):
one similar member is not enough, which stops chains A~B~C from merging A with C. Each `Membership` says
which member the document matched, with what score and evidence.

`cluster_batch` runs the same `StoryAssigner` over an in-memory candidate search, in a stable order
(by ``published``, then id), so batch results and incremental (store) results agree.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC

import numpy as np

from samestory.corpus.candidates import EmbeddingIndex, LSHIndex, TermIndex, lsh_keys
from samestory.corpus.config import CorpusConfig
from samestory.corpus.features import DocFeatures
from samestory.corpus.verify import PairEvidence, names_overlap, terms_cosine, verify
from samestory.embed.base import Encoder

Candidate = tuple[DocFeatures, str, PairEvidence]


@dataclass(frozen=True, slots=True)
class Membership:
    """Why ``article_id`` is in ``story_id``: the member it matched, the pair score and the evidence.

    The founding member of a story has ``matched_id=None``, ``score=1.0`` and ``evidence=None``.
    """

    article_id: str
    story_id: str
    matched_id: str | None
    score: float
    evidence: PairEvidence | None

    def to_dict(self) -> dict[str, object]:
        return {
            "article_id": self.article_id,
            "story_id": self.story_id,
            "matched_id": self.matched_id,
            "score": round(self.score, 4),
            "evidence": self.evidence.to_dict() if self.evidence else None,
        }


def _detail_closeness(details: Mapping[str, float]) -> float:
    # geometric mean of content-word cosine and name/number overlap: same-topic different-event articles
    # share vocabulary but not names, so this tells them apart better than the cosine alone
    t, n = details.get("terms_cosine", 0.0), details.get("names_overlap", 0.0)
    return math.sqrt(max(0.0, t * n))


def _closeness(a: DocFeatures, b: DocFeatures) -> float:
    return _detail_closeness({"terms_cosine": terms_cosine(a, b), "names_overlap": names_overlap(a, b)})


def order_key(doc: DocFeatures) -> tuple[int, float, str]:
    """The processing order: dated documents by time (naive = UTC), then undated ones; ties by id."""
    if doc.published is None:
        return (1, 0.0, doc.id)
    dt = doc.published if doc.published.tzinfo else doc.published.replace(tzinfo=UTC)
    return (0, dt.timestamp(), doc.id)


class StoryAssigner:
    """Decides which story a new document joins, given its verified candidates; resists chaining."""

    def __init__(self, cfg: CorpusConfig) -> None:
        self.cfg = cfg
        self._cohesion: dict[tuple[str, ...], float | None] = {}

    def cohesion(self, members: Sequence[DocFeatures]) -> float | None:
        """Mean pairwise content-word cosine of ``members`` (``None`` for fewer than two); cached.

        (Leaving near-copies out of the mean was tried and lowered whole-file ARI on both WMT and ECB+.)
        """
        key = tuple(m.id for m in members)
        if key in self._cohesion:
            return self._cohesion[key]
        sims = [_closeness(a, b) for i, a in enumerate(members) for b in members[i + 1 :]]
        value = float(np.mean(sims)) if sims else None
        if len(self._cohesion) > 100_000:
            self._cohesion.clear()
        self._cohesion[key] = value
        return value

    def _compare_set(
        self, members: Sequence[DocFeatures], known: dict[str, PairEvidence]
    ) -> list[DocFeatures]:
        # the earliest members plus the candidates already verified, at most max_compare in all
        chosen: dict[str, DocFeatures] = {m.id: m for m in members if m.id in known}
        for m in members:
            if len(chosen) >= max(self.cfg.max_compare, len(known)):
                break
            chosen.setdefault(m.id, m)
        return list(chosen.values())

    def assign(
        self,
        doc: DocFeatures,
        candidates: Sequence[Candidate],
        story_members: Callable[[str], Sequence[DocFeatures]],
    ) -> Membership:
        """The membership of ``doc``: an existing story when its average link reaches
        ``cfg.join_threshold`` (and its best candidate there is a verified match), else a new story
        whose id is ``doc.id``.
        """
        by_story: dict[str, list[tuple[DocFeatures, PairEvidence]]] = {}
        for cand, story_id, ev in candidates:
            if cand.id != doc.id:
                by_story.setdefault(story_id, []).append((cand, ev))
        best: tuple[float, float, str] | None = None
        best_match: tuple[DocFeatures, PairEvidence] | None = None
        for story_id in sorted(by_story):
            pairs = by_story[story_id]
            top_cand, top_ev = max(pairs, key=lambda p: (p[1].score, p[0].id))
            if not top_ev.same_story:
                continue
            known = {c.id: ev for c, ev in pairs}
            compared = self._compare_set(story_members(story_id), known)
            scores: list[float] = []
            cosines: list[float] = []
            for m in compared:
                ev = known.get(m.id) or verify(doc, m, self.cfg)
                if top_ev.kind == "translation" and "cosine" not in ev.details:
                    continue  # a lexical score says nothing across languages
                scores.append(ev.score)
                cosines.append(_detail_closeness(ev.details))
            link = float(np.mean(scores)) if scores else top_ev.score
            if link < self.cfg.join_threshold:
                continue
            if top_ev.kind == "rewrite" and self.cfg.cohesion_ratio > 0:
                cohesion = self.cohesion(compared)
                if cohesion is not None and float(np.mean(cosines)) < self.cfg.cohesion_ratio * cohesion:
                    continue
            rank = (link, top_ev.score, story_id)
            if best is None or rank[:2] > best[:2] or (rank[:2] == best[:2] and story_id < best[2]):
                best, best_match = rank, (top_cand, top_ev)
        if best is None or best_match is None:
            return Membership(doc.id, doc.id, None, 1.0, None)
        cand, ev = best_match
        return Membership(doc.id, best[2], cand.id, ev.score, ev)


class OnlineClusterer:
    """In-memory incremental clustering: candidate search (LSH, term index, embeddings) + `StoryAssigner`.

    The cascade: cheap lexical candidates first; only a document that finds no confident lexical story is
    embedded (when an encoder is set) and compared with the founders of existing stories by cosine.
    """

    def __init__(self, cfg: CorpusConfig, encoder: Encoder | None = None, *, exhaustive: bool = True) -> None:
        self.cfg = cfg
        self.encoder = encoder
        self.assigner = StoryAssigner(cfg)
        self.lsh = LSHIndex(cfg)
        self.terms = TermIndex() if exhaustive else None
        self.emb: EmbeddingIndex | None = None
        self.docs: dict[str, DocFeatures] = {}
        self.story_of: dict[str, str] = {}
        self.members: dict[str, list[DocFeatures]] = {}
        self.embedded = 0

    def _members(self, story_id: str) -> Sequence[DocFeatures]:
        return self.members[story_id]

    def _verified(self, doc: DocFeatures, ids: list[str]) -> list[Candidate]:
        out: list[Candidate] = []
        for cid in ids:
            cand = self.docs[cid]
            ev = verify(doc, cand, self.cfg)
            if ev.same_story:
                out.append((cand, self.story_of[cid], ev))
        return out

    def add(self, doc: DocFeatures) -> Membership:
        keys = lsh_keys(doc, self.cfg)
        ids = self.lsh.query(doc, keys)
        if self.terms is not None:
            seen = set(ids)
            ids.extend(i for i, _ in self.terms.query(doc, self.cfg.match_threshold * 0.5) if i not in seen)
        candidates = self._verified(doc, ids)
        membership = self.assigner.assign(doc, candidates, self._members)
        if membership.matched_id is None and self.encoder is not None:
            # hard document: no lexical story; embed it and look among story founders
            if doc.embedding is None:
                doc = doc.with_embedding(self.encoder.encode([doc.text_sample or doc.id])[0])
                self.embedded += 1
            assert doc.embedding is not None
            if self.emb is None:
                self.emb = EmbeddingIndex(doc.embedding.shape[0])
            near = [i for i, _ in self.emb.query(doc.embedding, k=10)]
            candidates = self._verified(doc, near)
            membership = self.assigner.assign(doc, candidates, self._members)
        self.docs[doc.id] = doc
        self.story_of[doc.id] = membership.story_id
        self.members.setdefault(membership.story_id, []).append(doc)
        self.lsh.add(doc, keys)
        if self.terms is not None:
            self.terms.add(doc)
        if membership.matched_id is None and doc.embedding is not None:
            if self.emb is None:
                self.emb = EmbeddingIndex(doc.embedding.shape[0])
            self.emb.add(doc.id, doc.embedding)
        return membership


def cluster_batch(
    docs: Sequence[DocFeatures], cfg: CorpusConfig, encoder: Encoder | None = None
) -> list[Membership]:
    """Cluster ``docs`` into stories; one `Membership` per document, in processing order
    (``published`` then id). Deterministic. Small batches (``cfg.exhaustive_below``) also search an exact
    content-word index for rewrite candidates.
    """
    ordered = sorted(docs, key=order_key)
    engine = OnlineClusterer(cfg, encoder, exhaustive=len(ordered) < cfg.exhaustive_below)
    return [engine.add(d) for d in ordered]


def stories_of(memberships: Sequence[Membership]) -> dict[str, list[str]]:
    """story id -> member ids, in membership order."""
    out: dict[str, list[str]] = {}
    for m in memberships:
        out.setdefault(m.story_id, []).append(m.article_id)
    return out


__all__ = [
    "Membership",
    "OnlineClusterer",
    "StoryAssigner",
    "cluster_batch",
    "order_key",
    "stories_of",
]
