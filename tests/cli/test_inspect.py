"""`samestory inspect`: JSON schema, table output, and errors (one line each, exit 2, others still shown)."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from samestory.cli import commands  # noqa: F401  (registers the commands)
from samestory.cli.app import app

runner = CliRunner()


def test_json_for_the_example_pair(example_a: Path, example_b: Path) -> None:
    result = runner.invoke(app, ["inspect", "--format", "json", str(example_a), str(example_b)])
    assert result.exit_code == 0, result.output
    records = json.loads(result.stdout)
    assert [r["id"] for r in records] == [example_a.stem, example_b.stem]
    a = records[0]
    assert {"title", "lang", "dateline", "sentences", "debris", "id", "source"} <= set(a)
    assert a["lang"] == "en" and a["dateline"]["place"] == "MOSCOW"
    text = example_a.read_text(encoding="utf-8")
    for s in a["sentences"]:
        assert set(s) == {"index", "text", "start", "end", "debris"} and isinstance(s["debris"], bool)
        assert s["text"] in text
    for d in a["debris"]:
        assert set(d) == {"start", "end", "text", "kind"} and d["text"] in text
    assert {"repeated_title", "promo", "related"} <= {d["kind"] for d in a["debris"]}
    assert any(s["debris"] for s in a["sentences"]) and not all(s["debris"] for s in a["sentences"])
    assert [d["kind"] for d in records[1]["debris"] if d["text"].startswith("TASS 12412151")] == ["feed"]
    assert "TASS" not in records[1]["title"]


def test_table_output(example_a: Path) -> None:
    result = runner.invoke(app, ["inspect", str(example_a)])
    assert result.exit_code == 0, result.output
    assert "MOSCOW" in result.stdout and "related" in result.stdout


def test_bad_inputs_each_get_one_line_and_exit_2_while_others_are_processed(
    tmp_path: Path, example_a: Path
) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    feed = tmp_path / "feed.jsonl"
    feed.write_text(
        '{"body": "A fine article about the budget. It was approved."}\n{broken\n', encoding="utf-8"
    )
    missing = tmp_path / "missing.txt"
    result = runner.invoke(
        app,
        [
            "inspect",
            "-f",
            "json",
            "--text-field",
            "body",
            str(empty),
            str(missing),
            str(feed),
            str(example_a),
        ],
    )
    assert result.exit_code == 2
    records = json.loads(result.stdout)
    assert len(records) == 2  # the good JSONL line and the example file
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 3
    assert str(empty) in errors[0] and str(missing) in errors[1] and f"{feed}:2:" in errors[2]
    assert "Traceback" not in result.output


def test_max_bytes_option(example_a: Path) -> None:
    result = runner.invoke(app, ["inspect", "--max-bytes", "100", str(example_a)])
    assert result.exit_code == 2
    assert "--max-bytes" in result.stderr
