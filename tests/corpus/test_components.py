"""Connected components of the candidate graph, and the online step run per component: the same memberships
as over the whole batch, because every story lies inside one component."""

from __future__ import annotations

import random
from datetime import timedelta
from pathlib import Path

import numpy as np
import pytest

from corpus_samples import synthetic_versions
from samestory.corpus.bulk import BulkClusterer, cluster_batch, key_matrix
from samestory.corpus.cluster import order_key
from samestory.corpus.components import components, groups
from samestory.corpus.config import CorpusConfig
from samestory.corpus.features import DocFeatures, featurize_texts
from samestory.engines.local import ProcessPoolEngine
from samestory.eval.clusters import featurize_docs, load_cluster_data


def _reachable(n: int, edges: list[tuple[int, int]]) -> list[int]:
    """The smallest node reachable from each node, by breadth-first search."""
    nbrs: dict[int, list[int]] = {v: [] for v in range(n)}
    for a, b in edges:
        nbrs[a].append(b)
        nbrs[b].append(a)
    out = []
    for v in range(n):
        seen, todo = {v}, [v]
        while todo:
            for u in nbrs[todo.pop()]:
                if u not in seen:
                    seen.add(u)
                    todo.append(u)
        out.append(min(seen))
    return out


def test_components_are_what_a_search_reaches() -> None:
    rng = random.Random(4)
    for n in (0, 1, 7, 60, 200):
        for density in (0.0, 0.5, 1.0, 2.0):
            edges = [(rng.randrange(n), rng.randrange(n)) for _ in range(int(density * n))] if n else []
            label = components(n, edges)
            assert label.tolist() == _reachable(n, edges)
            assert [g.tolist() for g in groups(label)] == [
                sorted(v for v in range(n) if label[v] == c) for c in sorted(set(label.tolist()))
            ]
    chain = [(k + 1, k) for k in range(500)][::-1]  # a long path: many propagation steps
    assert components(501, chain).tolist() == [0] * 501


def _synthetic(dated: bool) -> list[DocFeatures]:
    versions = synthetic_versions(120, seed=9, dated=dated)
    return featurize_texts(
        [v.id for v in versions],
        [v.text for v in versions],
        CorpusConfig(),
        published=[v.published for v in versions],
    )


@pytest.mark.parametrize(("dated", "window"), [(True, None), (True, timedelta(hours=1)), (False, None)])
def test_per_component_memberships_equal_the_whole_batch(dated: bool, window: timedelta | None) -> None:
    docs, cfg = _synthetic(dated), CorpusConfig()
    whole = cluster_batch(docs, cfg, window=window)
    assert cluster_batch(docs, cfg, window=window, by_component=True) == whole
    pooled = cluster_batch(docs, cfg, window=window, engine=ProcessPoolEngine(2), by_component=True)
    assert pooled == whole
    assert len({m.story_id for m in whole}) < len(whole)  # stories of several versions, not all founders


def _assert_parity_and_containment(docs: list[DocFeatures], cfg: CorpusConfig) -> None:
    whole = cluster_batch(docs, cfg)
    assert cluster_batch(docs, cfg, by_component=True) == whole
    # why it holds: each story, and each article's matched member, lies in the article's component of the
    # verified candidate graph (a decision reads only candidates that verify, and the stories they are in)
    ordered = sorted(docs, key=order_key)
    clusterer = BulkClusterer(cfg)
    selected = clusterer.selected(ordered, key_matrix(ordered, cfg))
    linked = clusterer.same_story_links(ordered, selected)
    assert sum(map(len, linked)) < sum(map(len, selected))  # some candidates do not verify
    edges = np.array([(i, c) for i, cs in enumerate(linked) for c in cs], dtype=np.int64).reshape(-1, 2)
    label = dict(zip([d.id for d in ordered], components(len(ordered), edges).tolist(), strict=True))
    for m in whole:
        assert label[m.story_id] == label[m.article_id]
        assert m.matched_id is None or label[m.matched_id] == label[m.article_id]
    assert max(np.bincount(list(label.values()))) > 2  # components of several articles exist


@pytest.mark.data
def test_per_component_memberships_equal_the_whole_batch_on_ecb(ecb_jsonl: Path) -> None:
    cfg = CorpusConfig()
    _assert_parity_and_containment(featurize_docs(load_cluster_data(ecb_jsonl), cfg), cfg)


@pytest.mark.slow
def test_per_component_memberships_equal_the_whole_batch_on_wmt(wmt_xml: Path) -> None:
    cfg = CorpusConfig()
    _assert_parity_and_containment(featurize_docs(load_cluster_data(wmt_xml), cfg), cfg)
