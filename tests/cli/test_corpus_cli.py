"""Corpus commands: index add/remove, stories, story, match, dedup — outputs, exit codes, one-line errors."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from corpus_samples import gold, synthetic_versions, write_jsonl
from samestory.cli import commands  # noqa: F401  (registers the commands)
from samestory.cli.app import app

runner = CliRunner()


@pytest.fixture
def corpus(tmp_path: Path) -> tuple[Path, dict[str, int]]:
    versions = synthetic_versions(12, seed=21)
    return write_jsonl(tmp_path / "in.jsonl", versions), gold(versions)


def _add(db: Path, *paths: Path) -> tuple[int, str, str]:
    result = runner.invoke(app, ["index", "add", *map(str, paths), "--db", str(db)])
    return result.exit_code, result.stdout, result.stderr


def test_index_add_then_stories_jsonl_groups_the_versions(
    tmp_path: Path, corpus: tuple[Path, dict[str, int]]
) -> None:
    path, story = corpus
    db = tmp_path / "x.db"
    code, out, err = _add(db, path)
    assert code == 0, err
    assert f"added {len(story)}" in out
    code, out, err = _add(db, path)
    assert code == 0 and f"skipped {len(story)} already stored" in out
    result = runner.invoke(app, ["stories", "--db", str(db), "--format", "jsonl"])
    assert result.exit_code == 0, result.stderr
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(records) == len(set(story.values()))
    for r in records:
        assert len({story[m] for m in r["members"]}) == 1
        assert r["size"] == len(r["members"])
    table = runner.invoke(app, ["stories", "--db", str(db)])
    assert table.exit_code == 0 and records[0]["story_id"] in table.stdout


def test_bad_lines_are_reported_with_file_and_line_and_exit_2(
    tmp_path: Path, corpus: tuple[Path, dict[str, int]]
) -> None:
    path, story = corpus
    bad = tmp_path / "bad.jsonl"
    bad.write_text(
        '{"id": "ok1", "text": "Ferry crews went on strike in the northern port on Monday."}\n{oops\n'
    )
    db = tmp_path / "x.db"
    code, out, err = _add(db, bad, tmp_path / "missing.jsonl", path)
    assert code == 2
    assert f"{bad}:2" in err and "missing.jsonl" in err
    assert "Traceback" not in err
    assert f"added {len(story) + 1}" in out


@pytest.mark.parametrize("command", ["index add", "cluster", "dedup"])
def test_errors_output_lists_each_unreadable_input_with_its_line(
    tmp_path: Path, corpus: tuple[Path, dict[str, int]], command: str
) -> None:
    path, _ = corpus
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "ok1", "text": "Ferry crews went on strike in the port on Monday."}\n{oops\n[1]\n')
    missing = tmp_path / "missing.jsonl"
    errors = tmp_path / "errors.jsonl"
    outputs = {
        "index add": ["--db", str(tmp_path / "x.db")],
        "cluster": ["--out", str(tmp_path / "stories.jsonl")],
        "dedup": ["--out", str(tmp_path / "kept.jsonl"), "--map", str(tmp_path / "map.jsonl")],
    }[command]
    args = [*command.split(), str(bad), str(missing), str(path), *outputs, "--errors", str(errors)]
    result = runner.invoke(app, args)
    assert result.exit_code == 2 and "Traceback" not in result.stderr
    rows = [json.loads(line) for line in errors.read_text(encoding="utf-8").splitlines()]
    assert [(r["source"], r["line"]) for r in rows] == [(str(bad), 2), (str(bad), 3), (str(missing), None)]
    assert "malformed JSON" in rows[0]["error"] and "JSON object" in rows[1]["error"]
    clean = runner.invoke(app, [*command.split(), str(path), *outputs, "--errors", str(errors)])
    assert clean.exit_code == 0, clean.stderr
    assert errors.read_text(encoding="utf-8") == ""  # rewritten: nothing could not be read this time


def test_story_json_explains_members(tmp_path: Path, corpus: tuple[Path, dict[str, int]]) -> None:
    path, story = corpus
    db = tmp_path / "x.db"
    assert _add(db, path)[0] == 0
    some_id = next(iter(story))
    result = runner.invoke(app, ["story", some_id, "--db", str(db), "--format", "json"])
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    members = {m["id"] for m in data["members"]}
    assert members == {k for k, v in story.items() if v == story[some_id]}
    assert data["earliest"] in members
    for m in data["members"]:
        assert (m["matched_id"] is None) == (m["id"] == data["story_id"])
        assert m["matched_id"] is None or m["evidence"]["kind"]
    text = runner.invoke(app, ["story", some_id, "--db", str(db)])
    assert text.exit_code == 0 and "earliest version" in text.stdout
    missing = runner.invoke(app, ["story", "nope", "--db", str(db)])
    assert missing.exit_code == 2 and "no story or article" in missing.stderr


def test_match_reports_the_story_and_stores_nothing(tmp_path: Path) -> None:
    versions = synthetic_versions(8, seed=22)
    probe = versions[0]
    stored = [v for v in versions if v.id != probe.id]
    db = tmp_path / "x.db"
    assert _add(db, write_jsonl(tmp_path / "in.jsonl", stored))[0] == 0
    one = write_jsonl(tmp_path / "probe.jsonl", [probe])
    before = db.stat().st_size
    result = runner.invoke(app, ["match", str(one), "--db", str(db), "--format", "json"])
    assert result.exit_code == 0, result.stderr
    m = json.loads(result.stdout)
    siblings = {v.id for v in stored if v.story == probe.story}
    if siblings:
        assert m["matched_id"] in siblings and m["evidence"]["same_story"]
    else:
        assert m["matched_id"] is None
    assert db.stat().st_size == before
    with sqlite3.connect(db) as con:
        assert con.execute("SELECT count(*) FROM articles WHERE id = ?", (probe.id,)).fetchone()[0] == 0


def test_remove_and_unknown_id(tmp_path: Path, corpus: tuple[Path, dict[str, int]]) -> None:
    path, story = corpus
    db = tmp_path / "x.db"
    assert _add(db, path)[0] == 0
    victim = sorted(story)[0]
    result = runner.invoke(app, ["index", "remove", victim, "--db", str(db)])
    assert result.exit_code == 0, result.stderr
    again = runner.invoke(app, ["index", "remove", victim, "--db", str(db)])
    assert again.exit_code == 2 and "no article with id" in again.stderr


def test_parquet_export(tmp_path: Path, corpus: tuple[Path, dict[str, int]]) -> None:
    pq = pytest.importorskip("pyarrow.parquet")
    path, story = corpus
    db = tmp_path / "x.db"
    assert _add(db, path)[0] == 0
    no_out = runner.invoke(app, ["stories", "--db", str(db), "--format", "parquet"])
    assert no_out.exit_code == 2 and "--out" in no_out.stderr
    out = tmp_path / "stories.parquet"
    result = runner.invoke(app, ["stories", "--db", str(db), "--format", "parquet", "--out", str(out)])
    assert result.exit_code == 0, result.stderr
    table = pq.read_table(out).to_pylist()
    assert sorted(m for row in table for m in row["members"]) == sorted(story)


def test_newer_schema_and_missing_database_are_one_line_errors(tmp_path: Path) -> None:
    db = tmp_path / "x.db"
    assert _add(db, write_jsonl(tmp_path / "in.jsonl", synthetic_versions(2, seed=1)))[0] == 0
    with sqlite3.connect(db) as con:
        con.execute("UPDATE schema_version SET version = version + 1")
    result = runner.invoke(app, ["stories", "--db", str(db)])
    assert result.exit_code == 2 and "upgrade samestory" in result.stderr
    assert "Traceback" not in result.stderr
    missing = runner.invoke(app, ["stories", "--db", str(tmp_path / "absent.db")])
    assert missing.exit_code == 2 and "no such database" in missing.stderr


def test_window_option_is_validated(tmp_path: Path, corpus: tuple[Path, dict[str, int]]) -> None:
    path, _ = corpus
    result = runner.invoke(
        app, ["index", "add", str(path), "--db", str(tmp_path / "x.db"), "--window", "week"]
    )
    assert result.exit_code == 2 and "time window" in result.stderr


def test_index_add_with_workers_stores_the_same_stories(
    tmp_path: Path, corpus: tuple[Path, dict[str, int]]
) -> None:
    path, _ = corpus
    listings = []
    for workers in ("1", "2"):
        db = tmp_path / f"w{workers}.db"
        added = runner.invoke(app, ["index", "add", str(path), "--db", str(db), "--workers", workers])
        assert added.exit_code == 0, added.stderr
        listings.append(runner.invoke(app, ["stories", "--db", str(db), "--format", "jsonl"]).stdout)
    assert listings[0] == listings[1] and listings[0].strip()
    bad = runner.invoke(app, ["index", "add", str(path), "--db", str(tmp_path / "b.db"), "--workers", "-1"])
    assert bad.exit_code == 2 and "workers" in bad.stderr and "Traceback" not in bad.stderr
    assert not (tmp_path / "b.db").exists()


def test_dedup_command(tmp_path: Path, corpus: tuple[Path, dict[str, int]]) -> None:
    path, story = corpus
    out, mp = tmp_path / "out.jsonl", tmp_path / "map.jsonl"
    result = runner.invoke(app, ["dedup", str(path), "--out", str(out), "--map", str(mp)])
    assert result.exit_code == 0, result.stderr
    kept = [json.loads(line)["id"] for line in out.read_text().splitlines()]
    removed = [json.loads(line) for line in mp.read_text().splitlines()]
    assert sorted({story[k] for k in kept}) == sorted(set(story.values()))
    assert len(kept) + len(removed) == len(story)
    assert all(story[r["removed"]] == story[r["kept"]] for r in removed)


def test_dedup_with_workers_writes_the_same_files(
    tmp_path: Path, corpus: tuple[Path, dict[str, int]]
) -> None:
    path, _ = corpus
    outputs = []
    for workers in ("1", "2"):
        out, mp = tmp_path / f"out{workers}.jsonl", tmp_path / f"map{workers}.jsonl"
        args = ["dedup", str(path), "--out", str(out), "--map", str(mp), "--workers", workers]
        result = runner.invoke(app, args)
        assert result.exit_code == 0, result.stderr
        outputs.append((out.read_bytes(), mp.read_bytes()))
    assert outputs[0] == outputs[1]
    bad = runner.invoke(
        app,
        ["dedup", str(path), "--out", str(tmp_path / "o"), "--map", str(tmp_path / "m"), "--workers", "-1"],
    )
    assert bad.exit_code == 2 and "workers" in bad.stderr and "Traceback" not in bad.stderr
