"""`samestory similarity`, `eval semeval`, `eval paraphrase` and `train similarity` from the command line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from samestory.cli import commands  # noqa: F401  (registers the commands)
from samestory.cli.app import app
from samestory.eval.semeval import load_semeval
from samestory.match.model import load_weights

runner = CliRunner()


@pytest.fixture(autouse=True)
def _private_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SAMESTORY_CACHE_DIR", str(tmp_path / "cache"))


def test_similarity_json_for_the_example_pair(example_a: Path, example_b: Path) -> None:
    result = runner.invoke(
        app, ["similarity", str(example_a), str(example_b), "--format", "json", "--encoder", "lexical"]
    )
    assert result.exit_code == 0, result.output
    d = json.loads(result.stdout)
    assert set(d["dimensions"]) == {"geography", "entities", "time", "narrative"}
    assert d["same_story"] is True and 1.0 <= d["overall"] <= 4.0


def test_similarity_text_shows_each_dimension(example_a: Path, example_b: Path) -> None:
    result = runner.invoke(app, ["similarity", str(example_a), str(example_b), "--encoder", "lexical"])
    assert result.exit_code == 0, result.output
    for word in ("overall", "geography", "entities", "time", "narrative", "same story"):
        assert word in result.stdout


def test_missing_file_is_one_error_line_and_exit_2(tmp_path: Path, example_a: Path) -> None:
    result = runner.invoke(
        app, ["similarity", str(example_a), str(tmp_path / "nope.txt"), "--encoder", "lexical"]
    )
    assert result.exit_code == 2
    assert "Traceback" not in result.output


def _subset_csv(semeval_csv: Path, tmp_path: Path, n: int) -> Path:
    import csv

    csv.field_size_limit(2**31 - 1)
    with semeval_csv.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    out = tmp_path / "subset.csv"
    with out.open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows[:: len(rows) // n][:n])
    return out


@pytest.mark.data
def test_eval_semeval_json_has_overall_pearson(semeval_csv: Path, tmp_path: Path) -> None:
    data = _subset_csv(semeval_csv, tmp_path, 40)
    result = runner.invoke(
        app, ["eval", "semeval", "--data", str(data), "--format", "json", "--encoder", "lexical"]
    )
    assert result.exit_code == 0, result.output
    d = json.loads(result.stdout)
    key = next(k for k in d if "overall" in k)
    assert isinstance(d[key]["pearson"], float)
    assert "by_lang_pair" in d[key]


@pytest.mark.data
def test_eval_paraphrase_prints_accuracy_and_f1(msrp_txt: Path, tmp_path: Path) -> None:
    lines = msrp_txt.read_text(encoding="utf-8-sig").splitlines()[:61]
    data = tmp_path / "m.txt"
    data.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = runner.invoke(app, ["eval", "paraphrase", "--data", str(data)])
    assert result.exit_code == 0, result.output
    assert "accuracy" in result.stdout and "F1" in result.stdout


def test_eval_semeval_on_a_bad_file_exits_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("x,y\n1,2\n")
    result = runner.invoke(app, ["eval", "semeval", "--data", str(bad), "--encoder", "lexical"])
    assert result.exit_code == 2
    assert "missing column" in result.output


@pytest.mark.data
def test_train_similarity_writes_loadable_weights(semeval_csv: Path, tmp_path: Path) -> None:
    data = _subset_csv(semeval_csv, tmp_path, 60)
    out = tmp_path / "w.json"
    result = runner.invoke(
        app, ["train", "similarity", "--data", str(data), "--out", str(out), "--encoder", "lexical"]
    )
    assert result.exit_code == 0, result.output
    assert "CV Pearson" in result.stdout
    weights = load_weights(str(out))
    assert len(load_semeval(data)) == weights.meta["trained"]["pairs"] == 60
