"""Alignment evaluation: seeded perturbations, gold from seg ids, strict figures."""

from __future__ import annotations

import random
from pathlib import Path

from samestory.align import Alignment, Group
from samestory.eval.align import (
    PAIR_TYPES,
    AlignPair,
    AlignScores,
    build_pairs,
    evaluate,
    perturb,
    split_documents,
)
from samestory.eval.wmt import load_wmt

UNITS = [
    (f"Sentence number {k} says something rather specific about topic {k}, and more.", frozenset([str(k)]))
    for k in range(40)
]


def test_perturbation_is_seeded_and_realistic() -> None:
    first = perturb(UNITS, random.Random(7))
    assert first == perturb(UNITS, random.Random(7))
    assert first != perturb(UNITS, random.Random(8))
    kept = {i for _, ids in first for i in ids}
    assert 0.6 * len(UNITS) <= len(kept) <= 0.97 * len(UNITS)  # ~15% dropped
    assert any(not ids for _, ids in first)  # debris lines inserted
    order = [min(int(i) for i in ids) for _, ids in first if ids]
    assert order != sorted(order)  # a block moved
    assert any(len(ids) > 1 for _, ids in first) or len(order) != len(set(order))  # a merge or a split


def _pair() -> AlignPair:
    ids = lambda *xs: frozenset(xs)  # noqa: E731
    return AlignPair(
        "d",
        "mt_vs_ref",
        ("a0", "a1", "a2", "a3"),
        ("b0", "See also", "b1+b2"),
        (ids("1"), ids("2"), ids("3"), ids("4")),
        (ids("1"), ids(), ids("2", "3")),
    )


def test_gold_links_and_unaligned_come_from_seg_ids() -> None:
    p = _pair()
    assert p.gold_links() == {(0, 0), (1, 2), (2, 2)}
    assert p.gold_unaligned() == {("a", 3), ("b", 1)}


def test_a_perfect_alignment_scores_one_and_an_empty_one_scores_zero_recall() -> None:
    p = _pair()
    perfect = Alignment((Group((0,), (0,), "", 1.0), Group((1, 2), (2,), "", 1.0)), (3,), (1,))
    s = AlignScores()
    s.add(p, perfect)
    assert s.to_dict() | {"pairs": 1} == {
        "pairs": 1,
        "precision": 1.0,
        "recall": 1.0,
        "f1": 1.0,
        "added_dropped_f1": 1.0,
    }
    empty = AlignScores()
    empty.add(p, Alignment((), (0, 1, 2, 3), (0, 1, 2)))
    assert empty.to_dict()["recall"] == 0.0
    assert empty.to_dict()["f1"] == 0.0


def test_split_is_deterministic_and_disjoint(wmt_xml: Path) -> None:
    docs = load_wmt(wmt_xml)
    train, test = split_documents(docs)
    assert {d.id for d in train}.isdisjoint({d.id for d in test})
    assert len(train) + len(test) == len(docs)
    assert [d.id for d in split_documents(docs)[0]] == [d.id for d in train]


def test_small_wmt_subset_smoke(wmt_xml: Path) -> None:
    docs = load_wmt(wmt_xml)[:8]
    pairs = build_pairs(docs, seed=1)
    assert {p.pair_type for p in pairs} == set(PAIR_TYPES)
    assert build_pairs(docs, seed=1) == pairs
    figures = evaluate([p for p in pairs if p.pair_type != "src_vs_ref"])
    for kind in ("mt_vs_ref", "ref_vs_ref"):
        assert set(figures[kind]) == {"pairs", "precision", "recall", "f1", "added_dropped_f1"}
        assert figures[kind]["f1"] >= 0.85
