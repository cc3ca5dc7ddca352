"""Group-level alignment evaluation: the merged/split development set and vecalign's strict and lax figures."""

from __future__ import annotations

from pathlib import Path

from samestory.align import Alignment, Group
from samestory.eval.align import split_documents
from samestory.eval.align_groups import GroupPair, GroupScores, build_merge_pairs
from samestory.eval.wmt import load_wmt


def _pair() -> GroupPair:
    ids = lambda *xs: frozenset(xs)  # noqa: E731
    # gold: 0-0, (1, 2)-1, 3 deleted
    return GroupPair(
        "d",
        "ref_vs_ref",
        False,
        ("a0", "a1", "a2", "a3"),
        ("b0", "b1"),
        (ids("0"), ids("1"), ids("1"), ids("3")),
        (ids("0"), ids("1")),
    )


def test_gold_groups_are_components_of_shared_ids() -> None:
    assert _pair().gold() == [((0,), (0,)), ((1, 2), (1,)), ((3,), ())]


def test_strict_and_lax_follow_vecalign() -> None:
    # predicted: 0-0 (exact), 1-1 (overlaps the gold 2-1 group), 2 and 3 unaligned (3 exact, 2 not)
    al = Alignment((Group((0,), (0,), "", 1.0), Group((1,), (1,), "", 1.0)), (2, 3), ())
    s = GroupScores()
    s.add(_pair(), al)
    f = s.to_dict()
    # precision over the 4 predicted beads: strict 0-0 and 3-(); lax adds 1-1
    assert f["strict"]["precision"] == 0.5 and f["lax"]["precision"] == 0.75
    # recall over the 3 gold beads against the predicted links only: a gold deletion is never recalled
    assert f["strict"]["recall"] == round(1 / 3, 4) and f["lax"]["recall"] == round(2 / 3, 4)
    assert f["per_type"]["2-1"] == {"gold": 1, "predicted": 0, "strict_recall": 0.0, "strict_precision": None}


def test_the_development_set_is_seeded_and_has_every_edit(wmt_xml: Path) -> None:
    dev, _ = split_documents(load_wmt(wmt_xml))
    first = build_merge_pairs(dev[:20], seed=4)
    assert first == build_merge_pairs(dev[:20], seed=4)
    assert first != build_merge_pairs(dev[:20], seed=5)
    kinds = {f"{len(ga)}-{len(gb)}" for p in first for ga, gb in p.gold()}
    assert {"1-1", "1-2", "2-1", "2-2", "1-0", "0-1"} <= kinds
    for p in first:
        steps = p.non_monotonic_steps(p.gold())
        assert steps == 0 if not p.moved else steps >= 1
    assert {p.moved for p in first} == {False, True}
