"""Event cues: days and numbers with units are read as people write them; agreement and conflict."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

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


def _reference_cues(text: str) -> set[tuple[str, str]]:
    """The cue definition read token by token over the whole text (what `cue_strings` computes by reading
    only the tokens around cue starts)."""
    import re

    from samestory.corpus import cues as c
    from samestory.corpus.stopwords import STOPWORDS

    toks = re.findall(r"\d+(?:[.,]\d+)*|[^\W\d_]+", text.lower())
    out: set[tuple[str, str]] = set()
    for i, tok in enumerate(toks):
        if tok in c._WEEKDAYS:
            out.add(("weekday", str(c._WEEKDAYS[tok])))
            continue
        month = c._MONTHS.get(tok)
        if month is not None:
            for j in (i + 1, i - 1):
                if 0 <= j < len(toks) and toks[j].isdecimal() and 1 <= int(toks[j]) <= 31:
                    out.add(("date", f"{month}-{int(toks[j])}"))
                    break
            continue
        if not (tok[0].isdecimal() or tok in c._NUMBER_WORDS):
            continue
        value = c._value(tok)
        if value is None or c._is_year(value):
            continue
        for j in range(i + 1, min(i + 2 + c.MAX_GAP, len(toks))):
            unit = toks[j]
            if unit[0].isdecimal() or unit in c._MONTHS or c._value(unit) is not None:
                break
            if unit in STOPWORDS or len(unit) < 3:
                continue
            out.add((unit[: c.UNIT_CHARS], value))
            break
    return out


_PIECES = [
    "May", "mayo", "mayor", "24", "1.5", "15,000", "1..5", "3,", ".7", "Sunday", "среду", "декабря", "ten",
    "killed", "people", "the", "of", "6th", "round", "2005", "١٩", "٣", "²", "x²", "_", "-", ", ", ". ", " ",
    "\n", "März", "4.", "dozen", "a", "İstanbul", "88-72", "$160", "million", "—", "3may", "may_", "_",
    "covid19", "мая", "5мая", "ǅ",
]  # fmt: skip


def _batch_cues(texts: list[str]) -> list[set[tuple[str, str]]]:
    from samestory.corpus.cues import cue_strings_many
    from samestory.fingerprint import char_spans, tokenize_bytes, word_bytes

    low = [word_bytes(t) for t in texts]
    buf = b" ".join(low)
    doc_start = np.cumsum([0] + [len(x) + 1 for x in low], dtype=np.int64)
    toks = tokenize_bytes(buf)
    tok_doc = np.searchsorted(doc_start, toks.starts, side="right") - 1
    spans = char_spans(buf, toks, doc_start, tok_doc)
    return cue_strings_many([t.lower() for t in texts], buf, toks, tok_doc, spans)


@settings(max_examples=400, deadline=None, derandomize=True)
@given(st.lists(st.sampled_from(_PIECES), max_size=30), st.text(max_size=40))
def test_cues_equal_the_token_by_token_definition(pieces: list[str], noise: str) -> None:
    for text in ("".join(pieces), " ".join(pieces), noise + " ".join(pieces) + noise):
        assert cue_strings(text) == _reference_cues(text)


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.lists(st.lists(st.sampled_from(_PIECES), max_size=20).map(" ".join), min_size=1, max_size=6))
def test_cues_of_a_batch_equal_those_of_each_text(texts: list[str]) -> None:
    # the batch path finds trigger words by token hash and character offsets from UTF-8 byte offsets
    assert _batch_cues(texts) == [cue_strings(t) for t in texts]


def test_cues_on_real_articles_equal_the_token_by_token_definition() -> None:
    from samestory.eval.data import data_file
    from samestory.eval.semeval import load_semeval

    path = data_file("semeval2022-task8/train.csv")
    if path is None:
        pytest.skip("shared SemEval data not present")
    texts = [t for p in load_semeval(path)[:150] for t in (p.text1, p.text2)]
    assert sum(bool(cue_strings(t)) for t in texts) > 100
    for t in texts:
        assert cue_strings(t) == _reference_cues(t)
    assert _batch_cues(texts) == [cue_strings(t) for t in texts]
