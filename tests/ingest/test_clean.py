"""Debris rules on texts other than the example pair (many languages), datelines, and no debris on clean news."""

from __future__ import annotations

import csv
import json
from itertools import islice
from pathlib import Path

import pytest

from samestory.article import Article
from samestory.eval.wmt import load_wmt
from samestory.ingest import from_text

BODY_DE = (
    "Die Bundesregierung hat am Mittwoch neue Maßnahmen gegen die Inflation beschlossen.\n\n"
    "Finanzminister Lindner sagte, die Entlastungen sollten noch in diesem Jahr wirken."
)


def _debris_texts(a: Article) -> list[tuple[str, str]]:
    return [(d.kind, a.text[d.start : d.end]) for d in a.debris]


def _assert_body_clean(a: Article, *body_lines: str) -> None:
    for line in body_lines:
        start = a.text.index(line)
        assert not any(d.overlaps(start, start + len(line)) for d in a.debris), line


def test_related_block_in_german_takes_its_headlines_and_stops_at_the_body() -> None:
    text = (
        "Die Bundesregierung hat am Mittwoch neue Maßnahmen gegen die Inflation beschlossen.\n\n"
        "Lesen Sie auch:\n"
        "Inflation steigt auf Rekordwert\n"
        "Lindner plant Steuerentlastungen\n\n"
        "Finanzminister Lindner sagte, die Entlastungen sollten noch in diesem Jahr wirken."
    )
    a = from_text(text)
    assert _debris_texts(a) == [
        ("related", "Lesen Sie auch:\nInflation steigt auf Rekordwert\nLindner plant Steuerentlastungen")
    ]
    _assert_body_clean(a, "Die Bundesregierung", "Finanzminister Lindner sagte")


def test_inline_read_also_share_copyright_and_ad_slot_lines() -> None:
    text = (
        "Le gouvernement a présenté mercredi un nouveau plan contre l'inflation.\n"
        "Lire aussi : L'inflation atteint un niveau record\n"
        "Publicité\n"
        "Le ministre a précisé que les mesures entreraient en vigueur en janvier.\n"
        "Partager sur Facebook\n"
        "Facebook Twitter Email\n"
        "Mots-clés : inflation, budget, gouvernement\n"
        "12 commentaires\n"
        "© 2024 Le Journal. Tous droits réservés."
    )
    a = from_text(text)
    kinds = [k for k, _ in _debris_texts(a)]
    assert kinds == ["related", "promo", "share", "label", "share", "boilerplate"]
    _assert_body_clean(a, "Le gouvernement a présenté", "Le ministre a précisé")


def test_repeated_title_and_duplicated_paragraph() -> None:
    lead = "Министр финансов заявил, что бюджет на следующий год будет сбалансированным."
    text = f"Бюджет будет сбалансирован\n\n{lead}\n\nФото: пресс-служба\n\n{lead}\n\nОн добавил, что расходы вырастут."
    a = from_text(text, title="Бюджет будет сбалансирован")
    assert [k for k, _ in _debris_texts(a)] == ["repeated_title", "credit", "duplicate"]
    first = a.text.index(lead)
    second = a.text.index(lead, first + 1)
    assert not a.is_debris(first, first + len(lead)) and a.is_debris(second, second + len(lead))


def test_url_lines_are_boilerplate() -> None:
    text = (
        "http: / / articles. latimes. com / 2013 / may / 03 / local / la - me - 0504 - lohan - rehab\n"
        "Lindsay Lohan checked into the Betty Ford Center on Friday, her lawyer said."
    )
    a = from_text(text)
    assert [(k, t[:10]) for k, t in _debris_texts(a)] == [("boilerplate", "http: / / ")]


def test_subheadings_and_short_lines_in_the_body_are_not_debris() -> None:
    text = (
        "Copyright law was changed in 2019, the court said.\n\n"
        "Teilen sich die Parteien die Macht, wird es schwierig.\n\n"
        "Shares of the company rose 3 percent on Monday.\n\n"
        "The council approved the new budget on Tuesday after a long debate.\n\n"
        "What happens next\n\n"
        "The mayor said the plan would be published next week - with all figures.\n\n"
        "Hit - and - run driver arrested in Queens\n\n"
        "Police said the driver was arrested on Friday."
    )
    assert from_text(text).debris == ()


def test_section_label_above_the_article_only() -> None:
    text = (
        "Politik\n"
        "Die Regierung hat am Mittwoch neue Maßnahmen gegen die Inflation beschlossen, sagte ein Sprecher.\n"
        "Politik\n"
        "Der Finanzminister sagte, die Entlastungen sollten noch in diesem Jahr wirken."
    )
    a = from_text(text)
    assert _debris_texts(a) == [("label", "Politik")]
    assert a.debris[0].start == 0


def test_feed_header_and_breadcrumbs_before_the_first_paragraph_only() -> None:
    text = (
        "Home > World > Europe\n"
        "World News - Germany/France\n"
        "The two governments signed a treaty on Tuesday that covers energy and defence cooperation.\n"
        "Home > World > Europe"
    )
    a = from_text(text)
    assert [(d.kind, a.text[d.start : d.end]) for d in a.debris] == [
        ("feed", "Home > World > Europe\nWorld News - Germany/France")
    ]


@pytest.mark.parametrize(
    ("line", "place", "date"),
    [
        ("MOSCOW, December 23. The military is ready.", "MOSCOW", "December 23"),
        ("WASHINGTON (Reuters) - The president said on Monday.", "WASHINGTON", None),
        ("BIRMINGHAM, Ala. (WIAT) — During the game the team paid tribute.", "BIRMINGHAM, Ala.", None),
        ("МОСКВА, 23 декабря. /ТАСС/. Армия готова.", "МОСКВА", "23 декабря"),
        ("PARIS, 14 novembre - Une série d'attentats a frappé la capitale.", "PARIS", "14 novembre"),
        ("Berlin, 3. März. Die Regierung hat entschieden.", "Berlin", "3. März"),
        ("KINGSTON — A 28-year-old Kingston man faces weapons charges.", "KINGSTON", None),
        ("BEIJING (Agencies): The top diplomats of Iran and China met.", "BEIJING", None),
    ],
)
def test_datelines(line: str, place: str, date: str | None) -> None:
    a = from_text(line)
    assert a.dateline is not None
    assert (a.dateline.place, a.dateline.date) == (place, date)
    assert a.text[a.dateline.start : a.dateline.end].startswith(place)


@pytest.mark.parametrize(
    "line",
    [
        "NATO and Russia met on Monday in Brussels.",
        "The U.S. Army said on Monday.",
        "Paris is calm today, officials said.",
        "BREAKING: The president resigned on Monday.",
        "UPDATE - The storm hit the coast overnight.",
        "NATO - the alliance said on Monday it would act.",
        "ROUNDUP: Bloomberg steigt aus dem Rennen aus.",
        "ROUNDUP/VIRUS: Ströer zieht Prognosen zurück.",
        "USA: Trump und die Proteste",
        "Sunday, November 27 - 2005 at 16: 12",
    ],
)
def test_no_dateline_in_ordinary_sentences(line: str) -> None:
    assert from_text(line).dateline is None


def test_wmt_documents_have_no_debris(wmt_xml: Path) -> None:
    for doc in load_wmt(wmt_xml)[:60]:
        for version in (doc.source, *doc.refs):
            assert from_text(version.text).debris == (), (doc.id, version.name)


def test_ecb_debris_is_only_urls_labels_and_repeated_paragraphs(ecb_jsonl: Path) -> None:
    with ecb_jsonl.open(encoding="utf-8") as fh:
        texts = [json.loads(line)["text"] for line in islice(fh, 200)]
    for text in texts:
        a = from_text(text)
        for d in a.debris:
            marked = a.text[d.start : d.end]
            is_label = d.kind == "label" and len(marked.split()) <= 2
            assert marked.startswith("http") or is_label or marked[:40] in a.text[: d.start], marked


def test_semeval_sample_debris_stays_small(semeval_csv: Path) -> None:
    csv.field_size_limit(1 << 30)
    with semeval_csv.open(encoding="utf-8", newline="") as fh:
        rows = list(islice(csv.DictReader(fh), 150))
    total = marked = 0
    for row in rows:
        a = from_text(row["text1"])
        total += len(a.text)
        marked += sum(len(d) for d in a.debris)
    assert marked / total < 0.02


def test_a_truncated_copy_of_an_earlier_paragraph_is_debris() -> None:
    lead = "Der Bundestag hat am Donnerstag mit großer Mehrheit ein neues Klimaschutzgesetz beschlossen, das ab 2025 gilt."
    text = f"{lead}\n\nDie Opposition kritisierte das Gesetz als unzureichend.\n\n{lead[:70]}"
    a = from_text(text)
    assert _debris_texts(a) == [("duplicate", lead[:70])]
