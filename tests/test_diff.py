"""Structured differences: only-in content apart from debris, quotes, names, numbers and dates."""

from __future__ import annotations

from samestory.align import Alignment, Group
from samestory.article import Article, Sentence
from samestory.diff import diff


def _article(*sentences: str, debris: tuple[int, ...] = ()) -> Article:
    text, spans, pos = "", [], 0
    for n, s in enumerate(sentences):
        if n:
            text += "\n"
            pos += 1
        spans.append(Sentence(n, pos, pos + len(s), s, n in debris))
        text += s
        pos += len(s)
    return Article(id="x", text=text, sentences=tuple(spans))


def _align(*pairs: tuple[tuple[int, ...], tuple[int, ...]], n_a: int, n_b: int) -> Alignment:
    groups = tuple(Group(a, b, "paraphrase", 0.5) for a, b in pairs)
    ga = {i for a, _ in pairs for i in a}
    gb = {j for _, b in pairs for j in b}
    return Alignment(
        groups, tuple(i for i in range(n_a) if i not in ga), tuple(j for j in range(n_b) if j not in gb)
    )


def test_only_in_content_is_reported_apart_from_debris() -> None:
    a = _article(
        "Gerasimov met de Villiers.",
        "See also",
        "Some related headline",
        "The ISIS paragraph here.",
        debris=(1, 2),
    )
    b = _article("Gerasimov met de Villiers in Moscow.", "Advertisement", debris=(1,))
    d = diff(a, b, _align(((0,), (0,)), n_a=4, n_b=2))
    assert d.only_in_a == (3,)
    assert d.debris_a == (1, 2)
    assert d.only_in_b == ()
    assert d.debris_b == (1,)


def test_quotes_same_reworded_and_only_in_one_version() -> None:
    a = _article(
        "“We have been allies in the struggle against fascism,” he said.",
        "“Our countries have a long-standing friendship in the military sphere,” de Villa added.",
        "“We must show solidarity and unity now,” Hollande said.",
    )
    b = _article(
        '"We were allies in fighting fascism," he said.',
        '"Our countries have a long-standing friendship in the military sphere," de Villiers added.',
    )
    d = diff(a, b, _align(((0,), (0,)), ((1,), (1,)), n_a=3, n_b=2))
    quotes = {(c.status, c.a) for c in d.changes if c.type == "quote"}
    assert ("reworded", "We have been allies in the struggle against fascism") in quotes
    assert ("same", "Our countries have a long-standing friendship in the military sphere") in quotes
    assert ("only_a", "We must show solidarity and unity now") in quotes


def test_quotes_in_debris_are_ignored() -> None:
    a = _article(
        "“This quoted promo line is page furniture only,” it says.",
        "Real content sentence here.",
        debris=(0,),
    )
    b = _article("Real content sentence here.")
    d = diff(a, b, _align(((1,), (0,)), n_a=2, n_b=1))
    assert not [c for c in d.changes if c.type == "quote"]


def test_name_variants_and_names_in_one_version() -> None:
    a = _article(
        "Army General Pierre de Villiers arrived.",
        "Later de Villje said more.",
        "Jean-Yves Le Drian came too.",
    )
    b = _article("Pierre de Villiers arrived.", "Valery Gerasimov met him.")
    d = diff(a, b, _align(((0,), (0,)), n_a=3, n_b=2))
    names = {c.status: c for c in d.changes if c.type == "name" and c.status == "variant"}
    assert "variant" in names and names["variant"].a is not None and "de Villje" in names["variant"].a
    only = {(c.status, c.a or c.b) for c in d.changes if c.type == "name" and c.status.startswith("only")}
    assert ("only_a", "Jean-Yves Le Drian") in only
    assert ("only_b", "Valery Gerasimov") in only


def test_numbers_agree_conflict_and_only() -> None:
    a = _article("The attacks killed 130 people.", "About 350 were injured.", "Nine terrorists took part.")
    b = _article("The attacks killed 129 people.", "Some 350 people were hurt in total.")
    d = diff(a, b, _align(((0,), (0,)), n_a=3, n_b=2))
    numbers = {(c.a, c.b, c.status) for c in d.changes if c.type == "number"}
    assert ("130", "129", "conflict") in numbers
    assert ("350", "350", "agree") in numbers  # equal values agree even outside aligned sentences
    assert ("Nine", None, "only_a") in numbers


def test_dates_conflict_in_aligned_sentences() -> None:
    a = _article("The attacks happened on 14 November in Paris.")
    b = _article("The attacks happened on 13 November in Paris.")
    d = diff(a, b, _align(((0,), (0,)), n_a=1, n_b=1))
    assert [(c.a, c.b, c.status) for c in d.changes if c.type == "date"] == [
        ("14 November", "13 November", "conflict")
    ]


def test_a_garbled_single_word_name_in_aligned_sentences_is_a_variant() -> None:
    a = _article("Talks with Angola resumed in the capital.", "The minister flew to Moscow on Monday.")
    b = _article("Talks with Angolie resumed in the capital.", "The minister flew to Moscaw on Monday.")
    d = diff(a, b, _align(((0,), (0,)), ((1,), (1,)), n_a=2, n_b=2))
    got = {(c.a, c.b, c.status, c.changed) for c in d.changes if c.type == "name"}
    assert ("Angola", "Angolie", "variant", (("Angola", "Angolie"),)) in got
    assert ("Moscow", "Moscaw", "variant", (("Moscow", "Moscaw"),)) in got


def test_similar_names_outside_aligned_sentences_stay_apart() -> None:
    a = _article("The delegation arrived from Austria on Monday.", "Prices rose sharply.")
    b = _article("Prices rose sharply.", "A second team came from Australia later.")
    d = diff(a, b, _align(((1,), (0,)), n_a=2, n_b=2))
    statuses = {(c.a, c.b, c.status) for c in d.changes if c.type == "name"}
    assert ("Austria", None, "only_a") in statuses
    assert (None, "Australia", "only_b") in statuses


def test_a_derived_word_is_not_a_variant_of_its_name() -> None:
    a = _article("The talks in Russia ended.")
    b = _article("The talks in Russian ended.")
    d = diff(a, b, _align(((0,), (0,)), n_a=1, n_b=1))
    assert not [c for c in d.changes if c.type == "name" and c.status == "variant"]


def test_a_multi_word_name_with_one_garbled_word_is_a_variant_showing_the_word() -> None:
    a = _article("The Financial Times reported that Pyotr Tolstoy spoke.")
    b = _article("The Financijal Times reported that Pyotie Tolstoy spoke.")
    d = diff(a, b, _align(((0,), (0,)), n_a=1, n_b=1))
    got = {(c.a, c.b): (c.status, c.changed) for c in d.changes if c.type == "name"}
    assert got[("Financial Times", "Financijal Times")] == ("variant", (("Financial", "Financijal"),))
    assert got[("Pyotr Tolstoy", "Pyotie Tolstoy")] == ("variant", (("Pyotr", "Pyotie"),))
    same = [e for e in d.entities if e.status == "same"]
    assert not same


def test_a_sentence_initial_name_is_extracted_when_the_other_version_writes_it_mid_sentence() -> None:
    a = _article("Israel acted first.", "Nobody expected it.")
    b = _article("The first to act was Israel.", "Nobody expected it.")
    d = diff(a, b, _align(((0,), (0,)), ((1,), (1,)), n_a=2, n_b=2))
    ents = {(e.variants_a, e.variants_b, e.status) for e in d.entities}
    assert (("Israel",), ("Israel",), "same") in ents
    assert not [e for e in d.entities if "Nobody" in (*e.variants_a, *e.variants_b)]
