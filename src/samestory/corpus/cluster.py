"""Story clustering with explained membership.

Two steps per new document, both in `StoryAssigner`:

1. *join*: the document joins the story whose compared members it matches best *on average* (online
   average linkage): one similar member is not enough, which stops chains A~B~C from merging A with C.
2. *regroup*: its neighbourhood (its story and every story its verified candidates belong to, when they
   hold at most ``cfg.regroup_max`` members) is clustered again by average linkage over all pair scores.
   This repairs what a single online pass gets wrong: an early article of event B that joined event A's
   one-member story is split off again once other B articles arrive, and two stories that grew apart
   are merged once a document links them strongly enough.

Each `Membership` says which member the document matched, with what score and evidence.
The online step that calls these (candidates → verify → assign → regroup) is `samestory.corpus.step.decide`,
run over an in-memory state or the SQLite store, in a stable order (`order_key`: ``published``, then id).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from samestory.article import utc_timestamp
from samestory.corpus.config import CorpusConfig
from samestory.corpus.features import DocFeatures
from samestory.corpus.verify import (
    PairEvidence,
    informative,
    known_languages_differ,
    names_overlap,
    shingle_jaccard,
    terms_cosine,
    verify,
)

if TYPE_CHECKING:
    from samestory.corpus.cascade import SimilarityStage

Candidate = tuple[DocFeatures, str, PairEvidence]
PAIR_CACHE = 200_000  # verified pairs kept by a StoryAssigner (recomputed after a clear: same results)
JACCARD_WEIGHT = 1.0  # weight of the shingle Jaccard in closeness (2 and 4 were tried: lower ECB+ ARI)


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


@dataclass(frozen=True, slots=True)
class Regrouping:
    """What `StoryAssigner.regroup` decided: the new document's membership (``own``), the changed
    memberships of documents assigned before (``changed``), and the member ids, in order, of every story it
    touched (``stories``; an empty list for a story id that no longer exists)."""

    own: Membership
    changed: tuple[Membership, ...] = ()
    stories: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


def _detail_closeness(details: Mapping[str, float]) -> float:
    # geometric mean of content-word cosine and name/number overlap: same-topic different-event articles
    # share vocabulary but not names, so this tells them apart better than the cosine alone (when a side
    # has no names at all, a script without capitals, the cosine alone); plus the shingle Jaccard, so
    # versions of one text (shared word runs) are closer to each other than rewrites of one event
    t, n = details.get("terms_cosine", 0.0), details.get("names_overlap", 0.0)
    words = math.sqrt(max(0.0, t * n)) if details.get("names_both", 1.0) else t
    return words + JACCARD_WEIGHT * details.get("jaccard", 0.0)


def _closeness(a: DocFeatures, b: DocFeatures) -> float:
    return _detail_closeness(
        {
            "terms_cosine": terms_cosine(a, b),
            "names_overlap": names_overlap(a, b),
            "names_both": 1.0 if a.names.size and b.names.size else 0.0,
            "jaccard": shingle_jaccard(a, b),
        }
    )


def order_key(doc: DocFeatures) -> tuple[int, float, str]:
    """The processing order: dated documents by time (naive = UTC), then undated ones; ties by id."""
    if doc.published is None:
        return (1, 0.0, doc.id)
    return (0, utc_timestamp(doc.published), doc.id)


class StoryAssigner:
    """Decides which story a new document joins, given its verified candidates; resists chaining."""

    def __init__(self, cfg: CorpusConfig, similarity: SimilarityStage | None = None) -> None:
        self.cfg = cfg
        self.similarity = similarity
        self._cohesion: dict[tuple[str, ...], float | None] = {}
        self._pairs: dict[tuple[str, str], PairEvidence] = {}

    def evidence(self, a: DocFeatures, b: DocFeatures) -> PairEvidence:
        """`verify` of ``a`` (the later document) and ``b``, cached by id pair (bounded)."""
        key = (a.id, b.id)
        ev = self._pairs.get(key)
        if ev is None:
            if len(self._pairs) > PAIR_CACHE:
                self._pairs.clear()
            ev = self._pairs[key] = verify(a, b, self.cfg, self.similarity)
        return ev

    def cohesion(self, members: Sequence[DocFeatures]) -> float | None:
        """Mean pairwise content-word cosine of ``members`` (``None`` for fewer than two); cached.

        (Leaving near-copies out of the mean was tried and lowered whole-file ARI on both WMT and ECB+.)
        """
        key = tuple(m.id for m in members)
        if key in self._cohesion:
            return self._cohesion[key]
        sims = [self._pair_closeness(a, b) for i, a in enumerate(members) for b in members[i + 1 :]]
        value = float(np.mean(sims)) if sims else None
        if len(self._cohesion) > 100_000:
            self._cohesion.clear()
        self._cohesion[key] = value
        return value

    def _pair_closeness(self, a: DocFeatures, b: DocFeatures) -> float:
        # from the pair's verified evidence when it is cached (the same measures), else computed
        ev = self._pairs.get((b.id, a.id)) or self._pairs.get((a.id, b.id))
        return _detail_closeness(ev.details) if ev is not None else _closeness(a, b)

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
                ev = known.get(m.id) or self.evidence(doc, m)
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

    def regroup(
        self,
        doc: DocFeatures,
        membership: Membership,
        candidates: Sequence[Candidate],
        story_members: Callable[[str], Sequence[DocFeatures]],
    ) -> Regrouping:
        """Cluster again, by `average_linkage`, the neighbourhood of ``doc`` just assigned to
        ``membership``: its story and the stories of its verified ``candidates`` (``story_members`` gives
        their members in assignment order, without ``doc``). Nothing changes when the neighbourhood is
        larger than ``cfg.regroup_max`` or is already grouped that way. A regrouped story's id is its
        first member's, and each member is explained by its best-scoring earlier member.
        """
        unchanged = Regrouping(membership)
        for cand, _, ev in candidates:
            self._pairs.setdefault((doc.id, cand.id), ev)
        story_ids = sorted({membership.story_id, *(sid for _, sid, _ in candidates)} - {doc.id})
        if not self.cfg.regroup_max or not story_ids:
            return unchanged
        members: list[DocFeatures] = []
        before: dict[frozenset[str], str] = {}  # each story's members -> its id
        old_story: dict[str, str] = {}
        for sid in story_ids:
            docs = list(story_members(sid))
            if sid == membership.story_id:
                docs.append(doc)
            members.extend(docs)
            before[frozenset(d.id for d in docs)] = sid
            old_story.update((d.id, sid) for d in docs)
            if len(members) > self.cfg.regroup_max:
                return unchanged
        if membership.story_id == doc.id:
            members.append(doc)
            before[frozenset((doc.id,))] = doc.id
            old_story[doc.id] = doc.id
        rank = {d.id: k for k, d in enumerate(members)}
        members.sort(key=lambda d: (order_key(d), rank[d.id]))
        n = len(members)
        scores = np.zeros((n, n))
        close = np.zeros((n, n))
        known = np.zeros((n, n), dtype=bool)
        lexical = np.zeros((n, n), dtype=bool)
        for i in range(n):
            for j in range(i + 1, n):
                a, b = members[j], members[i]
                ev = self.evidence(a, b)
                if informative(a, b, ev):
                    scores[i, j] = scores[j, i] = ev.score
                    known[i, j] = known[j, i] = True
                if not known_languages_differ(a, b):  # closeness in words means nothing across languages
                    close[i, j] = close[j, i] = _detail_closeness(ev.details)
                    lexical[i, j] = lexical[j, i] = True
        groups = average_linkage(
            scores,
            self.cfg.join_threshold,
            close,
            self.cfg.regroup_ratio,
            known=known,
            comparable=lexical,
            trusted_from=self.cfg.cohesion_members,
        )
        if {frozenset(members[i].id for i in g) for g in groups} == set(before):
            return unchanged
        own = membership
        changed: list[Membership] = []
        stories: dict[str, tuple[str, ...]] = {sid: () for sid in story_ids}
        for g in groups:
            docs = [members[i] for i in g]
            kept = before.get(frozenset(d.id for d in docs))
            if kept is not None:
                # a story that stays as it was keeps its id (its founder's, who may not be its earliest
                # member when earlier-dated articles were added later), memberships and order
                stories.pop(kept, None)
                continue
            sid = docs[0].id
            stories[sid] = tuple(d.id for d in docs)
            for pos, d in enumerate(docs):
                if pos == 0:
                    if old_story.get(d.id) == sid:
                        continue  # it founded this story before (a story's id is its founder's) and still does
                    new = Membership(d.id, sid, None, 1.0, None)
                else:
                    # the best earlier member explains it; when none verifies (the document came in with a
                    # later one, as average linkage merges groups), the best member of all
                    ev, mid = max(
                        ((self.evidence(d, m), m.id) for m in docs[:pos]), key=lambda e: (e[0].score, e[1])
                    )
                    if not ev.same_story:
                        ev, mid = max(
                            ((self.evidence(d, m), m.id) for m in docs if m.id != d.id),
                            key=lambda e: (e[0].score, e[1]),
                        )
                    new = Membership(d.id, sid, mid, ev.score, ev)
                if d.id == doc.id:
                    own = new
                else:
                    changed.append(new)
        return Regrouping(own, tuple(changed), stories)


def average_linkage(
    scores: npt.NDArray[np.float64],
    threshold: float,
    closeness: npt.NDArray[np.float64] | None = None,
    ratio: float = 0.0,
    *,
    known: npt.NDArray[np.bool_] | None = None,
    comparable: npt.NDArray[np.bool_] | None = None,
    trusted_from: int = 3,
) -> list[list[int]]:
    """Average-linkage groups of items ``0..n-1`` (``scores``: symmetric n x n pair scores): the two groups
    with the highest mean pair score merge while it reaches ``threshold``.

    - ``known`` (n x n, symmetric) marks the pairs whose score means something; means are taken over those
      only, and groups with no known pair between them never merge (a lexical score across languages says
      nothing).
    - With ``closeness`` and ``ratio``, two groups merge only when their mean cross closeness reaches
      ``ratio`` times the mean internal closeness of each group of two or more: a tight group of versions
      of one text does not absorb a merely related article. Closeness is averaged over the ``comparable``
      pairs only (default: the known ones; lexical closeness means nothing across languages), and two groups
      without a comparable pair between them are not held apart by it. A group's own closeness counts from
      ``trusted_from`` members on (as many comparable pairs as that many members have): a smaller group's
      mean is too noisy to hold anything apart. Once no more groups may merge, a group smaller than that
      which the check alone holds apart joins the group it has the highest mean score with.

    Among the pairs of groups allowed to merge, the one with the highest mean score plus mean closeness goes
    first. Groups are listed by their first item, items in order; ties go to the lowest indices
    (deterministic).
    """
    n = int(scores.shape[0])
    mask = np.ones((n, n), dtype=bool) if known is None else np.array(known, dtype=bool)
    np.fill_diagonal(mask, False)
    counts = mask.astype(np.float64)
    sums = np.where(mask, scores, 0.0)
    use_close = closeness is not None and ratio > 0
    lexical = mask if comparable is None else (np.array(comparable, dtype=bool) & mask)
    close = np.where(lexical, closeness, 0.0) if use_close and closeness is not None else np.zeros((n, n))
    close_n = lexical.astype(np.float64)
    inner = np.zeros(n)  # closeness summed over the comparable pairs inside each group, and their number
    inner_n = np.zeros(n)
    trusted_pairs = trusted_from * (trusted_from - 1) / 2
    active = np.ones(n, dtype=bool)
    groups: list[list[int]] = [[i] for i in range(n)]
    upper = np.triu(np.ones((n, n), dtype=bool), 1)
    size = np.ones(n)
    while True:
        valid = upper & active[:, None] & active[None, :] & (counts > 0)
        mean = np.where(valid, sums / np.maximum(counts, 1.0), -np.inf)
        valid &= mean >= threshold
        reach = valid.copy()
        priority = mean
        if use_close and valid.any():
            cohesion = np.where(inner_n >= trusted_pairs, inner / np.maximum(inner_n, 1.0), 0.0)
            cross = close / np.maximum(close_n, 1.0)
            held_apart = (close_n > 0) & (cross < ratio * np.maximum(cohesion[:, None], cohesion[None, :]))
            valid &= ~held_apart
            # scores saturate near 1 for versions of one text and for rewrites of one event alike; among
            # groups allowed to merge, the closest go first, so versions gather before their group meets
            # a merely related one (which the check above can then hold apart)
            # (groups compared only across languages, by embeddings, count their score twice: a source
            # joins its translations before a same-language article on the same event)
            priority = mean + np.where(close_n > 0, cross, mean)
        if not valid.any():
            # nothing merges any more: a group too small for its own cohesion to count, held apart only by
            # the closeness check, joins the group it scores highest with (an article that matches its
            # event's articles but words the story its own way is not left alone)
            small = size < trusted_from
            valid = reach & (small[:, None] | small[None, :])
            if not valid.any():
                break
            priority = mean
        i, j = divmod(int(np.argmax(np.where(valid, priority, -np.inf))), n)
        size[i] += size[j]
        inner[i] += inner[j] + close[i, j]
        inner_n[i] += inner_n[j] + close_n[i, j]
        for m in (sums, counts, close, close_n):
            m[i, :] += m[j, :]
            m[:, i] += m[:, j]
            m[i, i] = 0.0
        active[j] = False
        groups[i] = sorted(groups[i] + groups[j])
    return sorted((groups[i] for i in range(n) if active[i]), key=lambda g: g[0])


def searchable(membership: Membership, *, hard: bool) -> bool:
    """Whether a document with an embedding goes into the embedding search: when it founded its story, or
    when it was *hard* (no lexical story, so it was embedded) even if it joined a story by its embedding or
    a regrouping: a regrouping may split it off again as a founder, and the source texts of its translations
    must still find it."""
    return hard or membership.matched_id is None


def stories_of(memberships: Sequence[Membership]) -> dict[str, list[str]]:
    """story id -> member ids, in membership order."""
    out: dict[str, list[str]] = {}
    for m in memberships:
        out.setdefault(m.story_id, []).append(m.article_id)
    return out


__all__ = [
    "Membership",
    "Regrouping",
    "StoryAssigner",
    "average_linkage",
    "order_key",
    "searchable",
    "stories_of",
]
