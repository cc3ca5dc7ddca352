"""Sentence segmentation: abbreviations, quotes, dashes, ten languages, exact spans."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from samestory.text.segment import sentence_spans


def _sents(text: str, lang: str) -> list[str]:
    return [text[s:e] for s, e in sentence_spans(text, lang)]


@pytest.mark.parametrize(
    ("lang", "sentences"),
    [
        (
            "en",
            ["Gen. Smith of the U.S. Army arrived at 3 p.m. on Monday.", "Dr. Jones met him in Washington."],
        ),
        ("en", ['"We are ready," the general said.', "He left for Paris."]),
        ("en", ['He asked: "Is it fine?" and then left.', "Nobody answered."]),
        # a quotation of several sentences is split like its sentences (as in WMT's gold segmentation)
        ("en", ['"We are allies.', 'We must fight together," he said.', "The talks went on."]),
        ("ru", ["«Мы готовы», — сказал генерал.", "Т. е. армия готова к сотрудничеству."]),
        ("ru", ["В 2020 г. в Москве прошли переговоры.", "Их итоги не раскрываются."]),
        ("ru", ["«Привет!» — сказал он.", "«Как дела?» — спросил я."]),
        ("de", ["Die Regierung hat z. B. neue Regeln beschlossen.", "Sie gelten ab dem 1. Januar."]),
        ("de", ["„Das ist gut!“, sagte er.", "Dann ging er."]),
        ("fr", ["M. Dupont a déclaré que la situation était grave.", "Il a quitté Paris."]),
        ("es", ["El Sr. García dijo que la situación es grave.", "¿Qué pasará ahora?"]),
        ("it", ["Il sig. Rossi ha detto che la situazione è grave.", "Poi è partito per Roma."]),
        ("pl", ["Prezydent spotkał się m.in. z premierem.", "Rozmowy trwały dwie godziny."]),
        ("tr", ["Cumhurbaşkanı açıklama yaptı.", "Görüşmeler iki saat sürdü."]),
        ("ar", ["قال الرئيس إن الوضع مستقر.", "وأضاف أن الحكومة ستعمل على ذلك."]),
        ("zh", ["总统今天发表了讲话。", "他说局势稳定！", "会谈持续了两个小时。"]),
    ],
)
def test_sentences_per_language(lang: str, sentences: list[str]) -> None:
    sep = "" if lang == "zh" else " "
    assert _sents(sep.join(sentences), lang) == sentences


def test_lines_are_never_joined_and_headlines_stand_alone() -> None:
    text = "Headline without a stop\nFirst sentence. Second sentence.\n\nLast line"
    assert _sents(text, "en") == [
        "Headline without a stop",
        "First sentence.",
        "Second sentence.",
        "Last line",
    ]


def test_fixed_width_wrapped_paragraphs_are_rejoined() -> None:
    text = (
        "The chief of the General Staff said the military was\n"
        "prepared to join forces with French colleagues. He met\n"
        "his counterpart in Moscow.\n"
        "Headline of the next part\n"
        "continued"
    )
    assert _sents(text, "en") == [
        "The chief of the General Staff said the military was\nprepared to join forces with French colleagues.",
        "He met\nhis counterpart in Moscow.",
        "Headline of the next part",
        "continued",
    ]


def test_cut_points_split_a_line() -> None:
    text = "Alpha beta gamma delta epsilon"
    cut = text.index("gamma")
    assert _sents(text, "en") == [text]
    assert [text[s:e] for s, e in sentence_spans(text, "en", [cut])] == ["Alpha beta", "gamma delta epsilon"]


def test_unknown_language_falls_back() -> None:
    assert _sents("One sentence. Another one.", "und") == ["One sentence.", "Another one."]


_ALPHABET = st.sampled_from([*list("ab AB.!?\n\"«»„“”—–-,:;'"), "Gen.", "U.S.", "г.", "。", "  "])


@settings(max_examples=200, deadline=None)
@given(text=st.lists(_ALPHABET, max_size=60).map("".join), cuts=st.lists(st.integers(0, 80), max_size=4))
def test_spans_are_exact_ordered_trimmed_and_respect_lines_and_cuts(text: str, cuts: list[int]) -> None:
    spans = sentence_spans(text, "en", cuts)
    prev = 0
    for s, e in spans:
        assert prev <= s < e <= len(text)
        piece = text[s:e]
        assert piece == piece.strip() and "\n\n" not in piece
        assert not any(s < c < e for c in cuts)
        prev = e
    covered = "".join(text[s:e] for s, e in spans)
    assert "".join(covered.split()) == "".join(text.split()), "no text is lost between sentences"
