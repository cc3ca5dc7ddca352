"""MSRP loading and the paraphrase report."""

from __future__ import annotations

from pathlib import Path

import pytest

from samestory.errors import DataError
from samestory.eval.msrp import binary_report, evaluate_paraphrase, load_msrp


@pytest.mark.data
def test_loads_the_training_file(msrp_txt: Path) -> None:
    pairs = load_msrp(msrp_txt)
    assert len(pairs) == 4076
    assert {p.label for p in pairs} == {0, 1}


def test_binary_report_counts() -> None:
    r = binary_report([1, 1, 0, 0], [True, False, True, False])
    assert r["accuracy"] == 0.5 and r["precision"] == 0.5 and r["recall"] == 0.5 and r["f1"] == 0.5


def test_malformed_line_is_a_data_error_naming_the_line(tmp_path: Path) -> None:
    f = tmp_path / "m.txt"
    f.write_text("Quality\t#1 ID\t#2 ID\t#1 String\t#2 String\n1\t1\t2\tonly four\n")
    with pytest.raises(DataError, match=r"m.txt:2"):
        load_msrp(f)


@pytest.mark.data
def test_paraphrase_report_on_a_subset(msrp_txt: Path) -> None:
    pairs = load_msrp(msrp_txt)[:300]
    report = evaluate_paraphrase(pairs, "lexical")
    assert report["n"] == 300
    assert 0.0 <= report["accuracy"] <= 1.0
    assert report["f1"] > 0.0
