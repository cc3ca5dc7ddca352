"""`samestory compare` and `samestory eval align` from the command line."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from samestory.cli import commands  # noqa: F401  (registers the commands)
from samestory.cli.app import app

runner = CliRunner()

WMT_XML = """<?xml version="1.0" encoding="utf-8"?>
<dataset id="tiny">
  <collection id="x">
    <doc id="d1" origlang="ru">
      <src lang="ru"><p><seg id="1">Военные готовы к сотрудничеству.</seg><seg id="2">Об этом заявил генерал.</seg></p></src>
      <ref lang="en" translator="A"><p><seg id="1">The military is ready to cooperate with France.</seg>
        <seg id="2">The general said so at a meeting in Moscow.</seg><seg id="3">He met his French counterpart.</seg></p></ref>
      <ref lang="en" translator="B"><p><seg id="1">The armed forces are prepared to cooperate with France.</seg>
        <seg id="2">The general said this at a meeting in Moscow.</seg><seg id="3">He met his counterpart from France.</seg></p></ref>
      <hyp lang="en" system="S"><p><seg id="1">The military is ready for cooperation with France.</seg>
        <seg id="2">This was stated by the general at a meeting in Moscow.</seg><seg id="3">He met the French counterpart.</seg></p></hyp>
    </doc>
  </collection>
</dataset>
"""


def test_compare_prints_a_summary(example_a: Path, example_b: Path) -> None:
    result = runner.invoke(app, ["compare", str(example_a), str(example_b), "--encoder", "lexical"])
    assert result.exit_code == 0, result.output
    assert "SAME STORY" in result.output


def test_compare_json_and_html_outputs(example_a: Path, example_b: Path, tmp_path: Path) -> None:
    result = runner.invoke(app, ["compare", str(example_a), str(example_b), "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["same_story"] is True
    out = tmp_path / "report.html"
    result = runner.invoke(app, ["compare", str(example_a), str(example_b), "-f", "html", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_missing_or_empty_input_exits_2_without_traceback(example_a: Path, tmp_path: Path) -> None:
    result = runner.invoke(app, ["compare", str(example_a), str(tmp_path / "nope.txt")])
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert "nope.txt" in result.output
    empty = tmp_path / "empty.txt"
    empty.write_text("", encoding="utf-8")
    result = runner.invoke(app, ["compare", str(example_a), str(empty)])
    assert result.exit_code == 2
    assert "Traceback" not in result.output


def test_an_article_over_max_bytes_is_refused_with_exit_2_naming_the_option(
    example_a: Path, example_b: Path, tmp_path: Path
) -> None:
    from samestory.ingest import load
    from samestory.ingest.options import COMPARE_MAX_BYTES

    size = max(len(load(path).text.encode("utf-8")) for path in (example_a, example_b))
    longer, shorter = sorted((example_a, example_b), key=lambda p: -len(load(p).text.encode("utf-8")))
    for order, side in (((longer, shorter), "A"), ((shorter, longer), "B")):
        args = ["compare", *map(str, order), "--encoder", "lexical", "--format", "json"]
        assert runner.invoke(app, [*args, "--max-bytes", str(size)]).exit_code == 0
        result = runner.invoke(app, [*args, "--max-bytes", str(size - 1)])
        assert result.exit_code == 2 and "Traceback" not in result.output
        assert "--max-bytes" in result.output and f"article {side} ({longer}" in result.output
        assert not result.stdout.strip("\n ")  # no report
    # the default limit holds with no option: an article of more text than COMPARE_MAX_BYTES is refused
    huge = tmp_path / "huge.txt"
    body = example_a.read_text(encoding="utf-8")
    huge.write_text(body * (COMPARE_MAX_BYTES // len(body.encode("utf-8")) + 1), encoding="utf-8")
    out = tmp_path / "report.json"
    result = runner.invoke(
        app, ["compare", str(huge), str(example_b), "--encoder", "lexical", "--out", str(out)]
    )
    assert result.exit_code == 2 and "--max-bytes" in result.output and "huge.txt" in result.output
    assert "Traceback" not in result.output and not out.exists()


def test_eval_align_json_has_the_documented_keys(tmp_path: Path) -> None:
    xml = tmp_path / "tiny.xml"
    xml.write_text(WMT_XML, encoding="utf-8")
    result = runner.invoke(
        app, ["eval", "align", "--data", str(xml), "--format", "json", "--encoder", "lexical"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    for kind in ("mt_vs_ref", "ref_vs_ref", "src_vs_ref"):
        assert set(data[kind]) >= {"precision", "recall", "f1", "added_dropped_f1"}
        assert all(0.0 <= data[kind][k] <= 1.0 for k in ("precision", "recall", "f1", "added_dropped_f1"))


def test_eval_align_on_bad_data_exits_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.xml"
    bad.write_text("<not-closed", encoding="utf-8")
    result = runner.invoke(app, ["eval", "align", "--data", str(bad), "--encoder", "lexical"])
    assert result.exit_code == 2
    assert "Traceback" not in result.output
