"""SemEval-2022 Task 8 loading, grouping for CV, Pearson reports, and the shipped model on a subset."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from samestory.errors import DataError
from samestory.eval.semeval import evaluate_model, groups, load_semeval, pearson, pearson_report


@pytest.mark.data
def test_loads_every_row_and_keeps_translations_with_their_originals(semeval_csv: Path) -> None:
    pairs = load_semeval(semeval_csv)
    assert len(pairs) == 1283
    assert sum(p.augmented for p in pairs) == 487
    g = groups(pairs)
    by_ids = {}
    for p, gi in zip(pairs, g, strict=True):
        for art in p.article_ids:
            assert by_ids.setdefault(art, gi) == gi  # one article id, one group
    aug = next(p for p in pairs if p.augmented)
    assert not any(ch.isalpha() for ch in "".join(aug.article_ids))


def test_pearson_agrees_with_numpy() -> None:
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=50), rng.normal(size=50)
    assert pearson(list(x), list(y)) == pytest.approx(float(np.corrcoef(x, y)[0, 1]))


def test_report_has_overall_with_pearson_and_per_language_pair(tmp_path: Path) -> None:
    csv = tmp_path / "t.csv"
    rows = ["pair_id,lang1,lang2,text1,text2,Geography,Entities,Time,Narrative,Overall,Style,Tone"]
    for i, o in enumerate([1, 2, 3, 4, 1, 4]):
        rows.append(f"{i}_{i + 100},en,{'en' if i < 3 else 'de'},a,b,1,1,1,1,{o},1,1")
    csv.write_text("\n".join(rows) + "\n")
    pairs = load_semeval(csv)
    report = pearson_report(pairs, [{"Overall": p.scores["Overall"] * 2} for p in pairs], ("Overall",))
    assert report["overall"]["pearson"] == pytest.approx(1.0)
    assert report["overall"]["by_lang_pair"]["en-en"]["n"] == 3


def test_missing_columns_and_missing_file_are_data_errors(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b\n1,2\n")
    with pytest.raises(DataError, match="missing column"):
        load_semeval(bad)
    with pytest.raises(DataError, match="no such file"):
        load_semeval(tmp_path / "absent.csv")


@pytest.mark.data
def test_shipped_lexical_model_correlates_on_a_subset(semeval_csv: Path) -> None:
    pairs = load_semeval(semeval_csv)[::10]
    report = evaluate_model(pairs, "lexical")
    assert report["model"] == "lexical"
    assert report["overall"]["pearson"] > 0.5
