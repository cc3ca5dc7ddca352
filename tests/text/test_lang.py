"""Language identification and ISO 639-1 normalisation."""

from __future__ import annotations

import csv
from itertools import islice
from pathlib import Path

import pytest

from samestory.text.lang import detect_lang, normalize_lang


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("en", "en"),
        ("EN-us", "en"),
        ("eng", "en"),
        ("zh_Hans", "zh"),
        ("deu", "de"),
        ("", "und"),
        (None, "und"),
        ("x1", "und"),
    ],
)
def test_normalize_lang(code: str | None, expected: str) -> None:
    assert normalize_lang(code) == expected


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("en", "The government announced new measures against inflation on Wednesday."),
        ("ru", "Правительство в среду объявило о новых мерах по борьбе с инфляцией."),
        ("de", "Die Regierung hat am Mittwoch neue Maßnahmen gegen die Inflation angekündigt."),
        ("fr", "Le gouvernement a annoncé mercredi de nouvelles mesures contre l'inflation."),
        ("es", "El gobierno anunció el miércoles nuevas medidas contra la inflación."),
        ("it", "Il governo ha annunciato mercoledì nuove misure contro l'inflazione."),
        ("pl", "Rząd ogłosił w środę nowe środki przeciwko inflacji."),
        ("tr", "Hükümet çarşamba günü enflasyona karşı yeni önlemler açıkladı."),
        ("ar", "أعلنت الحكومة يوم الأربعاء عن إجراءات جديدة لمكافحة التضخم."),
        ("zh", "政府周三宣布了应对通货膨胀的新措施，以稳定物价。"),
    ],
)
def test_detects_the_ten_semeval_languages(lang: str, text: str) -> None:
    assert detect_lang(text) == lang


def test_too_little_text_is_undetermined() -> None:
    assert detect_lang("OK") == "und"
    assert detect_lang("12:45 — 3/4") == "und"


def test_agrees_with_semeval_labels(semeval_csv: Path) -> None:
    csv.field_size_limit(1 << 30)
    with semeval_csv.open(encoding="utf-8", newline="") as fh:
        rows = list(islice(csv.DictReader(fh), 0, 1283, 4))
    pairs = [(r["text1"], r["lang1"]) for r in rows if r["text1"].strip()]
    agree = sum(detect_lang(t) == lang for t, lang in pairs)
    assert agree / len(pairs) >= 0.95
