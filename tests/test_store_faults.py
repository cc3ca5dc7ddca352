"""Store faults: files it must not change, damaged values, odd paths, and concurrent writers."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from corpus_samples import synthetic_versions, write_jsonl
from samestory.errors import StoreError
from samestory.store import ArticleRow, MembershipRow, Store

ROOT = Path(__file__).resolve().parents[1]


def test_a_foreign_sqlite_file_is_refused_before_anything_is_written(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE customers (name TEXT)")
        db.execute("INSERT INTO customers VALUES ('x')")
    db.close()
    before = path.read_bytes()
    with pytest.raises(StoreError, match="not a samestory database"):
        Store(path)
    assert path.read_bytes() == before  # header byte 19 still says rollback journal, not WAL
    assert not (tmp_path / "other.db-wal").exists()


def test_a_text_file_as_database_is_refused_unchanged(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    path.write_text("just some notes\n" * 100, encoding="utf-8")
    before = path.read_bytes()
    with pytest.raises(StoreError, match="not a usable samestory database"):
        Store(path)
    assert path.read_bytes() == before and not (tmp_path / "notes.db-wal").exists()


def test_schema_version_minus_one_says_the_file_is_damaged(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    Store(path).close()
    with sqlite3.connect(path) as db:
        db.execute("UPDATE schema_version SET version = -1")
    db.close()
    with pytest.raises(StoreError, match=r"schema version -1.*damaged"):
        Store(path)


def test_an_empty_path_is_a_clear_error() -> None:
    with pytest.raises(StoreError, match="path is empty"):
        Store("")


def test_damaged_dates_evidence_and_scores_are_read_as_missing_with_a_note(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    with Store(path) as s, s.transaction() as db:
        s.stage(db, ArticleRow(id="a", content_hash="h", length=3), b"f")
        s.assign(db, MembershipRow("a", "a", None, 0.5, '{"score": 1}'), [b"k"])
    with sqlite3.connect(path) as db:
        db.execute("UPDATE articles SET published = 'not a date'")
        db.execute("UPDATE memberships SET evidence = '{broken', score = 'high'")
    db.close()
    with Store(path, read_only=True) as s:
        row = s.article("a")
        m = s.membership("a")
        assert row is not None and row.published is None
        assert m is not None and m.evidence is None and m.score == 0.0
        assert len(s.damaged) == 3 and all("'a'" in note for note in s.damaged)


def test_a_concurrent_stage_of_the_same_content_is_skipped_not_an_error(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    row = ArticleRow(id="a", content_hash="h", length=3)
    with Store(path) as first, Store(path) as second:
        with first.transaction() as db:
            assert first.stage(db, row, b"f")
        with second.transaction() as db:
            assert not second.stage(db, row, b"f")
        with (
            pytest.raises(StoreError, match="another process stored a different version"),
            second.transaction() as db,
        ):
            second.stage(db, ArticleRow(id="a", content_hash="other", length=3), b"g")
        assert first.count() == 1


def _memberships(path: Path) -> list[tuple[str, str, str | None]]:
    with sqlite3.connect(path) as db:
        rows = db.execute(
            "SELECT a.id, m.story_id, m.matched_id FROM memberships m JOIN articles a ON a.doc = m.doc "
            "ORDER BY a.id"
        ).fetchall()
    db.close()
    return [(str(a), str(s), None if m is None else str(m)) for a, s, m in rows]


@pytest.mark.parametrize("writers", [2, 3])
def test_concurrent_adds_of_overlapping_input_all_succeed(tmp_path: Path, writers: int) -> None:
    versions = synthetic_versions(8, seed=5)
    src = write_jsonl(tmp_path / "in.jsonl", versions)
    alone = tmp_path / "alone.db"
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    cmd = [sys.executable, "-c", "from samestory.cli import main; main()", "index", "add", str(src), "--db"]
    subprocess.run([*cmd, str(alone)], env=env, check=True, capture_output=True, timeout=300)
    shared = tmp_path / "shared.db"
    procs = [
        subprocess.Popen(
            [*cmd, str(shared)], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for _ in range(writers)
    ]
    results = [(p.wait(timeout=300), p.stderr.read() if p.stderr else "") for p in procs]
    for p in procs:
        for stream in (p.stdout, p.stderr):
            if stream is not None:
                stream.close()
    assert all(code == 0 for code, _ in results), results
    assert not any("UNIQUE" in err for _, err in results)
    assert _memberships(shared) == _memberships(alone)
