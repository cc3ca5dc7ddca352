"""Quotes, names, numbers and dates found in text, and name variants across versions."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from samestory.text.mentions import dates, group_names, names, numbers, quotes, same_entity, transliterate


def test_quotes_in_curly_straight_and_guillemet_marks() -> None:
    text = (
        "“We have been allies in the struggle against fascism,” he said. "
        'She added: "We must be allies in fighting terror now." '
        "«Мы были союзниками в борьбе с фашизмом», сказал он."
    )
    found = [q.text for q in quotes(text)]
    assert found == [
        "We have been allies in the struggle against fascism",
        "We must be allies in fighting terror now",
        "Мы были союзниками в борьбе с фашизмом",
    ]


def test_nested_quotes_keep_the_outer_quote_and_short_quoted_names_are_not_quotes() -> None:
    text = "“We fight against the group “Islamic state” and against terrorism,” he said. The “Islamic state” is banned."
    found = [q.text for q in quotes(text)]
    assert found == ["We fight against the group “Islamic state” and against terrorism"]


def test_quote_offsets_point_at_the_quote() -> None:
    text = "Intro.\n\n“I think this is a milestone event for both of us,” added de Villa."
    (q,) = quotes(text)
    assert text[q.start : q.end] == q.text


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet=st.sampled_from(list('ab “”"«» .,\n1')), max_size=80))
def test_mention_offsets_always_match_the_text(text: str) -> None:
    for q in quotes(text):
        assert text[q.start : q.end] == q.text
    for n in numbers(text):
        assert text[n.start : n.end].strip() == n.text
    for d in dates(text):
        assert text[d.start : d.end] == d.text


def test_name_variants_of_one_person_are_one_entity() -> None:
    assert same_entity("Pierre de Villiers", "de Villje")
    assert same_entity("de Villiers", "de Villa")
    assert same_entity("Gerasimov", "Valery Gerasimov")
    assert same_entity("Vladimir Putin", "Russian President Vladimir Putin")
    assert same_entity("Герасимов", "Gerasimov")
    assert same_entity("Валерий Герасимов", "Valery Gerasimov")


def test_different_names_are_not_merged() -> None:
    assert not same_entity("Putin", "Pushkin")
    assert not same_entity("Russia", "Russian")
    assert not same_entity("France", "French")
    assert not same_entity("Valery Gerasimov", "Sergei Gerasimov")
    assert not same_entity("Ministry", "French Defense Ministry")


def test_group_names_clusters_the_example_variants() -> None:
    groups = group_names(
        ["Pierre de Villiers", "Gerasimov", "de Villje", "Valery Gerasimov", "de Villa", "Moscow"]
    )
    as_sets = [set(g) for g in groups]
    assert {"Pierre de Villiers", "de Villje", "de Villa"} in as_sets
    assert {"Gerasimov", "Valery Gerasimov"} in as_sets
    assert {"Moscow"} in as_sets


def test_names_skip_sentence_initial_common_words_and_line_breaks() -> None:
    text = "This was stated by General Valery Gerasimov in Moscow.\n\nHe met Pierre de Villiers."
    found = {n.text for n in names(text)}
    assert "Valery Gerasimov" in found
    assert "Pierre de Villiers" in found
    assert "Moscow" in found
    assert not any("This" in n or "\n" in n for n in found)


def test_transliteration_of_cyrillic() -> None:
    assert transliterate("Шойгу") == "Shoygu"
    assert transliterate("Жуков") == "Zhukov"


def test_numbers_with_words_scales_and_separators() -> None:
    text = "The attacks killed 130 people and injured about 350. Nine attackers; 1.5 million euros; 20,000 troops; 12%."
    values = [n.value for n in numbers(text)]
    assert values == [130.0, 350.0, 9.0, 1.5e6, 20000.0, 12.0]
    killed = numbers(text)[0]
    assert "kille" in killed.context or "peopl" in killed.context


def test_dates_and_years_are_dates_not_numbers() -> None:
    text = "On 14 November in Paris; MOSCOW, December 23; founded on 15 October 2006; in 1998; 23 декабря."
    found = [(d.year, d.month, d.day) for d in dates(text)]
    assert found == [(None, 11, 14), (None, 12, 23), (2006, 10, 15), (1998, None, None), (None, 12, 23)]
    assert numbers(text) == []


def test_partial_dates_agree_on_the_parts_both_give() -> None:
    a, b, c = dates("14 November; 14 November 2015; 15 November")
    assert a.agrees(b)
    assert not a.agrees(c)


def test_a_possessive_at_sentence_start_is_a_name_and_a_common_word_is_not() -> None:
    from samestory.text.mentions import names

    found = [n.text for n in names("Israel's experience shows a way. Today's talks went on. Nobody's fault.")]
    assert "Israel's" in found
    assert "Today's" not in found
    assert "Nobody's" not in found


_MONTHY = [
    "Dec. 5", "MARCH  2021", "сентябрь 2020", "1 May 5 June", "Maybe 5", "Decimal 5", "xMay 5", "май 5",
    "Mayıs 2021", "Sept.\n12", "May ٥", "mars 3 avril 2019", "декабря 23", "März 1999", "in May 2020, 4 June",
]  # fmt: skip


def test_month_first_date_patterns_find_what_a_scan_of_every_position_finds() -> None:
    from samestory.text.mentions import _DATE_RES, _MONTH_FIRST, _month_first

    texts = [
        *_MONTHY,
        " ".join(_MONTHY),
        ", ".join(_MONTHY),
        "On Jan. 2, 2020 and February 29 2016 they met.",
    ]
    for text in texts:
        for k in _MONTH_FIRST:
            rx = _DATE_RES[k]
            assert [m.span() for m in _month_first(rx, text)] == [m.span() for m in rx.finditer(text)], text


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from([*_MONTHY, " ", ".", "\n", "12", "2021", "x", "the"]), max_size=12))
def test_month_first_date_patterns_equal_a_full_scan_on_mixed_text(parts: list[str]) -> None:
    from samestory.text.mentions import _DATE_RES, _MONTH_FIRST, _month_first

    text = "".join(parts)
    for k in _MONTH_FIRST:
        rx = _DATE_RES[k]
        assert [m.span() for m in _month_first(rx, text)] == [m.span() for m in rx.finditer(text)]
