"""Event cues: days and numbers with units are read as people write them; agreement and conflict."""

from __future__ import annotations

import numpy as np

from samestory.corpus.cues import compare_cues, cue_strings, event_cues


def test_numbers_are_read_with_the_word_they_count() -> None:
    cues = cue_strings(
        "A 5.6 magnitude quake injured five people; 15,000 troops and $160 million; in the 6th round."
    )
    assert {
        ("magnit", "5.6"),
        ("people", "5"),
        ("troops", "15000"),
        ("millio", "160"),
        ("round", "6"),
    } <= cues


def test_years_scores_and_dates_are_not_quantities() -> None:
    cues = cue_strings("In 2008 they lost 88-72 on May 24, 2005, and on Saturday.")
    assert ("date", "5-24") in cues and ("weekday", "5") in cues
    assert not any(value in ("2008", "2005", "88", "24") for kind, value in cues if kind not in ("date",))


def test_dates_in_other_languages() -> None:
    assert ("date", "12-23") in cue_strings("МОСКВА, 23 декабря. В среду министр заявил")
    assert ("weekday", "2") in cue_strings("В среду министр заявил")
    assert ("date", "3-4") in cue_strings("am 4. März meldete die Polizei")


def test_same_event_agrees_and_a_different_one_conflicts() -> None:
    first = event_cues("An earthquake of magnitude 5.6 hit Qeshm island on Sunday, injuring five people.")
    again = event_cues("The 5.6 magnitude quake struck on Sunday; five people were hurt.")
    other = event_cues("A magnitude 6.1 quake killed ten people on Qeshm on Monday.")
    same = compare_cues(first, again)
    diff = compare_cues(first, other)
    assert same["date_match"] == 1.0 and same["date_conflict"] == 0.0
    assert diff["date_conflict"] == 1.0 and diff["date_match"] == 0.0
    assert same["quantity_agree"] > 0 and same["quantity_conflict"] == 0
    assert diff["quantity_conflict"] > 0 and diff["quantity_agree"] == 0


def test_no_cues_no_evidence() -> None:
    empty = event_cues("Nothing here counts anything.")
    assert empty.size == 0
    assert set(compare_cues(empty, event_cues("on Sunday 5 people")).values()) == {0.0}


def test_packing_many_cue_sets_equals_packing_each() -> None:
    from samestory.corpus.cues import pack, pack_many

    texts = ["On Sunday 5 people were hurt", "", "May 24: 3 killed, 10 injured on Monday", "12 12 12 12"]
    sets = [cue_strings(t) for t in texts]
    assert any(sets) and not all(sets)
    for one, many in zip((pack(s) for s in sets), pack_many(sets), strict=True):
        assert np.array_equal(one, many) and one.dtype == many.dtype == np.uint64
