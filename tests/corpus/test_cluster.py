"""Story clustering: resists chaining, keeps same-topic different-event articles apart, explains membership,
and is deterministic."""

from __future__ import annotations

import itertools
import json
import random
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from samestory.corpus.bulk import BulkClusterer, cluster_batch
from samestory.corpus.cluster import (
    Membership,
    StoryAssigner,
    average_linkage,
    stories_of,
)
from samestory.corpus.config import CorpusConfig
from samestory.corpus.features import DocFeatures, featurize_text
from samestory.corpus.verify import PairEvidence, verify
from samestory.eval.clusters import adjusted_rand_index

CFG = CorpusConfig()

OTHER = [
    "The city council approved a new budget for public transport on Monday after a long debate.",
    "Bus fares will rise by ten percent from March, while tram lines in the north get new vehicles.",
    "Opposition members said the plan ignores the suburbs and called for an independent review.",
    "The mayor defended the decision, saying the network had not been modernised for twenty years.",
    "Commuter groups plan a protest outside the town hall next week to demand cheaper monthly passes.",
    "Officials expect the first new trams to arrive in the autumn and enter service before winter.",
]


def test_chains_do_not_merge_unrelated_ends(sentences_a: list[str]) -> None:
    a_text = " ".join(sentences_a[:6])
    c_text = " ".join(OTHER)
    b_text = " ".join(sentences_a[:6] + OTHER[:4])
    a, b, c = (featurize_text(i, t, CFG) for i, t in (("a", a_text), ("b", b_text), ("c", c_text)))
    assert verify(a, b, CFG).same_story and verify(b, c, CFG).same_story  # A~B and B~C
    assert not verify(a, c, CFG).same_story  # but A≁C
    story = {m.article_id: m.story_id for m in cluster_batch([a, b, c], CFG)}
    assert story["a"] != story["c"]


def _ecb_subset(ecb_jsonl: Path, topics: int = 4) -> list[dict[str, str]]:
    rows = [json.loads(line) for line in ecb_jsonl.read_text(encoding="utf-8").splitlines() if line.strip()]
    keep = sorted({r["topic"] for r in rows})[-topics:]
    return [r for r in rows if r["topic"] in keep]


def test_same_topic_different_events_stay_apart(ecb_jsonl: Path) -> None:
    # every topic of the file (a 4-topic slice is too small: one merged topic, e.g. the two Qeshm earthquakes
    # of topic 20, decides it)
    rows = _ecb_subset(ecb_jsonl, topics=100)
    feats = [featurize_text(r["id"], r["text"], CFG) for r in rows]
    story = {m.article_id: m.story_id for m in cluster_batch(feats, CFG)}
    gold = [r["event"] for r in rows]
    pred = [story[r["id"]] for r in rows]
    # far better than the trivial partition by topic: at least half of its distance to a perfect score closed
    by_topic = adjusted_rand_index(gold, [str(r["topic"]) for r in rows])
    assert adjusted_rand_index(gold, pred) > by_topic + 0.5 * (1 - by_topic)
    cross = [(i, j) for i in range(len(rows)) for j in range(i) if rows[i]["topic"] == rows[j]["topic"]
             and rows[i]["event"] != rows[j]["event"]]  # fmt: skip
    merged = sum(pred[i] == pred[j] for i, j in cross)
    assert merged / len(cross) < 0.2


def test_memberships_are_explained_and_deterministic(ecb_jsonl: Path) -> None:
    rows = _ecb_subset(ecb_jsonl, topics=2)
    feats = [featurize_text(r["id"], r["text"], CFG) for r in rows]
    first = cluster_batch(feats, CFG)
    shuffled = list(feats)
    random.Random(3).shuffle(shuffled)
    assert cluster_batch(shuffled, CFG) == first
    story = {m.article_id: m.story_id for m in first}
    for m in first:
        if m.matched_id is None:
            assert m.story_id == m.article_id and m.evidence is None
        else:
            assert story[m.matched_id] == m.story_id
            assert m.evidence is not None and m.evidence.same_story and m.score == m.evidence.score
    assert sum(len(v) for v in stories_of(first).values()) == len(rows)


class _FakeEncoder:
    """Maps each known text to a fixed direction: a stand-in for a multilingual model."""

    name = "fake"
    dim = 4

    def __init__(self, directions: dict[str, list[float]]) -> None:
        self.directions = directions
        self.calls = 0

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        self.calls += len(texts)
        rows = [self.directions[t] for t in texts]
        out = np.array(rows, dtype=np.float32)
        return out / np.linalg.norm(out, axis=1, keepdims=True)


def test_cascade_embeds_only_hard_documents_and_joins_translations(sentences_a: list[str]) -> None:
    cfg = replace(CFG, encoder="fake")
    english = " ".join(sentences_a)
    docs = [
        featurize_text("1-en", english, cfg, lang="en"),
        featurize_text("2-reprint", "Advertisement. " + english, cfg, lang="en"),
        featurize_text(
            "3-ru", "Министр обороны встретился с делегацией в Москве во вторник.", cfg, lang="ru"
        ),
        featurize_text("4-other", " ".join(OTHER), cfg, lang="en"),
    ]
    directions = {d.text_sample: [1.0, 0.02, 0.0, 0.0] for d in docs}
    directions[docs[3].text_sample] = [0.3, 1.0, 0.0, 0.0]
    encoder = _FakeEncoder(directions)
    story = {m.article_id: m for m in cluster_batch(docs, cfg, encoder)}
    assert story["3-ru"].story_id == story["1-en"].story_id
    assert story["3-ru"].evidence is not None and story["3-ru"].evidence.kind == "translation"
    assert story["2-reprint"].story_id == "1-en" and story["4-other"].story_id == "4-other"
    assert encoder.calls == 3  # the reprint was decided lexically and never embedded
    # every embedded document stays findable by its embedding, also the one that joined a story (a later
    # regrouping may make it a founder again, and its translations must still find it)
    engine = BulkClusterer(cfg, encoder=_FakeEncoder(directions))
    engine.cluster(docs)
    assert engine.state.emb is not None and len(engine.state.emb) == engine.state.embedded == 3


# ---------------------------------------------------------------- average linkage and regrouping


@st.composite
def _score_matrices(draw: st.DrawFn) -> np.ndarray:
    n = draw(st.integers(2, 9))
    values = draw(st.lists(st.floats(0.0, 1.0), min_size=n * n, max_size=n * n))
    m = np.array(values).reshape(n, n)
    return (m + m.T) / 2


@settings(max_examples=200, deadline=None)
@given(_score_matrices(), st.sampled_from([0.3, 0.5, 0.7]))
def test_average_linkage_groups_hold_together_and_stay_apart(scores: np.ndarray, t: float) -> None:
    groups = average_linkage(scores, t)
    assert sorted(i for g in groups for i in g) == list(range(scores.shape[0]))
    for g in groups:  # every group's mean internal score reaches the threshold ...
        if len(g) > 1:
            inner = [scores[i, j] for k, i in enumerate(g) for j in g[k + 1 :]]
            assert np.mean(inner) >= t - 1e-9
    for a, b in itertools.combinations(groups, 2):  # ... and no two groups would still merge
        assert np.mean(scores[np.ix_(a, b)]) < t


def test_average_linkage_resists_chaining_and_unknown_pairs() -> None:
    # A~B and B~C strongly, A and C unrelated: B goes with one side only
    chain = np.array([[0, 0.9, 0.0], [0.9, 0, 0.8], [0.0, 0.8, 0]])
    assert average_linkage(chain, 0.5) == [[0, 1], [2]]
    # no known pair between two items: they never merge, whatever the score says
    known = np.array([[False, False], [False, False]])
    assert average_linkage(np.array([[0, 1.0], [1.0, 0]]), 0.5, known=known) == [[0], [1]]


def _two_groups(n_a: int, n_b: int) -> tuple[np.ndarray, np.ndarray]:
    # n_a near-identical versions (closeness 0.9 among them), then n_b versions of a related text (0.9 among
    # them); across the two, scores 0.8 but closeness 0.3: scores alone would merge them
    n = n_a + n_b
    scores = np.full((n, n), 0.95)
    close = np.full((n, n), 0.9)
    scores[n_a:, :n_a] = scores[:n_a, n_a:] = 0.8
    close[n_a:, :n_a] = close[:n_a, n_a:] = 0.3
    return scores, close


def test_a_tight_group_does_not_absorb_a_related_group() -> None:
    scores, close = _two_groups(3, 3)
    assert len(average_linkage(scores, 0.5)) == 1
    assert average_linkage(scores, 0.5, close, 0.5) == [[0, 1, 2], [3, 4, 5]]


def test_a_group_holds_others_apart_only_from_trusted_from_members() -> None:
    # groups of three are too small to count when cohesion counts from four members ...
    scores, close = _two_groups(3, 3)
    assert average_linkage(scores, 0.5, close, 0.5, trusted_from=4) == [[0, 1, 2, 3, 4, 5]]
    # ... groups of four do count
    scores, close = _two_groups(4, 4)
    assert average_linkage(scores, 0.5, close, 0.5, trusted_from=4) == [[0, 1, 2, 3], [4, 5, 6, 7]]


def test_a_lone_item_held_apart_only_by_closeness_joins_its_best_group() -> None:
    # one article that scores 0.8 with a tight group but shares little wording: it has nowhere else to go,
    # so once nothing else merges it joins the group (a group of two would too: below trusted_from)
    scores, close = _two_groups(3, 1)
    assert average_linkage(scores, 0.5, close, 0.5) == [[0, 1, 2, 3]]
    # ... the group it scores highest with, not the first one it could join
    scores, close = _two_groups(3, 4)  # items 3..6: another tight group; a lone item 7 scores with both
    scores = np.pad(scores, ((0, 1), (0, 1)))
    close = np.pad(close, ((0, 1), (0, 1)))
    scores[7, :3] = scores[:3, 7] = 0.6
    scores[7, 3:7] = scores[3:7, 7] = 0.7
    close[7, :7] = close[:7, 7] = 0.1
    assert average_linkage(scores, 0.5, close, 0.5) == [[0, 1, 2], [3, 4, 5, 6, 7]]
    # ... and an item whose mean score stays below the threshold stays alone
    scores[7, :7] = scores[:7, 7] = 0.4
    assert average_linkage(scores, 0.5, close, 0.5) == [[0, 1, 2], [3, 4, 5, 6], [7]]


class _Scripted(StoryAssigner):
    """An assigner whose pair scores come from a table (by id pair), so a scenario can be staged."""

    def __init__(self, cfg: CorpusConfig, table: dict[frozenset[str], float]) -> None:
        super().__init__(cfg)
        self.table = table

    def evidence(self, a: DocFeatures, b: DocFeatures) -> PairEvidence:
        score = self.table.get(frozenset((a.id, b.id)), 0.0)
        return PairEvidence(score, score >= self.cfg.match_threshold, "rewrite")


def test_regroup_splits_off_an_early_article_of_another_event_once_its_event_arrives() -> None:
    cfg = replace(CFG, match_threshold=0.5, join_threshold=0.5, regroup_ratio=0.0)
    a, b1, b2 = (featurize_text(i, f"text {i}", cfg, lang="en") for i in ("a", "b1", "b2"))
    # b1 (event B) looked close enough to a (event A) when it came; b2 is b1's event, not a's
    table = {frozenset(("a", "b1")): 0.6, frozenset(("a", "b2")): 0.3, frozenset(("b1", "b2")): 0.99}
    assigner = _Scripted(cfg, table)
    members = {"a": [a, b1]}
    joined = Membership("b2", "a", "b1", 0.99, assigner.evidence(b2, b1))
    out = assigner.regroup(b2, joined, [(b1, "a", assigner.evidence(b2, b1))], members.__getitem__)
    assert out.stories == {"a": ("a",), "b1": ("b1", "b2")}
    assert out.own.story_id == "b1" and out.own.matched_id == "b1"
    assert [(m.article_id, m.story_id, m.matched_id) for m in out.changed] == [("b1", "b1", None)]


def test_regroup_merges_two_stories_that_a_document_links() -> None:
    cfg = replace(CFG, match_threshold=0.5, join_threshold=0.5, regroup_ratio=0.0)
    x, y, z = (featurize_text(i, f"text {i}", cfg, lang="en") for i in ("x", "y", "z"))
    table = {frozenset(("x", "y")): 0.55, frozenset(("x", "z")): 0.9, frozenset(("y", "z")): 0.9}
    assigner = _Scripted(cfg, table)
    members = {"x": [x], "y": [y]}
    cands = [(x, "x", assigner.evidence(z, x)), (y, "y", assigner.evidence(z, y))]
    out = assigner.regroup(z, Membership("z", "x", "x", 0.9, cands[0][2]), cands, members.__getitem__)
    assert out.stories == {"x": ("x", "y", "z"), "y": ()}
    assert {m.article_id: m.story_id for m in out.changed} == {"y": "x"}


def test_regroup_leaves_a_neighbourhood_larger_than_regroup_max_alone() -> None:
    cfg = replace(CFG, match_threshold=0.5, join_threshold=0.5, regroup_ratio=0.0, regroup_max=2)
    a, b1, b2 = (featurize_text(i, f"text {i}", cfg, lang="en") for i in ("a", "b1", "b2"))
    table = {frozenset(("a", "b1")): 0.6, frozenset(("b1", "b2")): 0.99}
    assigner = _Scripted(cfg, table)
    joined = Membership("b2", "a", "b1", 0.99, assigner.evidence(b2, b1))
    out = assigner.regroup(b2, joined, [(b1, "a", joined.evidence)], {"a": [a, b1]}.__getitem__)  # type: ignore[list-item]
    assert out.own == joined and not out.changed and not out.stories
