"""Faults at the command line: outputs that cannot be written, odd values, hostile ids and texts, a damaged
store. Each gives one error line and exit code 2 (or a warning and a result), never a traceback."""

from __future__ import annotations

import contextlib
import json
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from samestory.cli import commands  # noqa: F401  (registers the commands)
from samestory.cli.app import app

ROOT = Path(__file__).resolve().parents[2]
A = ROOT / "examples" / "000_c15b2c954df542e4.txt"
B = ROOT / "examples" / "001_3b3a645dc43cac4c.txt"
BODY = "Ferry crews went on strike in the northern port on Monday. Talks resume on Friday, the union said."

runner = CliRunner()


def _run(*args: str, stdin: bytes | None = None) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args), input=stdin)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr


def _one_error(err: str) -> None:
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error:") and "Traceback" not in err, err


# --- bug 6: outputs -------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["text", "json", "html"])
def test_compare_out_into_a_missing_folder_or_onto_a_directory(tmp_path: Path, fmt: str) -> None:
    for target in (tmp_path / "missing" / "r.out", tmp_path):
        code, _, err = _run("compare", str(A), str(B), "-f", fmt, "-e", "lexical", "--out", str(target))
        assert code == 2
        _one_error(err)
    assert not (tmp_path / "missing").exists() and not list(tmp_path.glob("*.tmp"))


def test_an_out_path_with_markup_is_written_and_named(tmp_path: Path) -> None:
    folder = tmp_path / "d["
    folder.mkdir()
    target = folder / "b]x.html"
    code, _, err = _run("compare", str(A), str(B), "-f", "html", "-e", "lexical", "--out", str(target))
    assert code == 0, err
    assert target.read_text(encoding="utf-8").startswith("<!") and str(target) in err


@pytest.fixture
def full_disk(tmp_path: Path) -> Iterator[Path]:
    """A 64 KiB filesystem already full (needs root and mount; skipped otherwise)."""
    mount = tmp_path / "small"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(mount)], capture_output=True
    )
    if done.returncode != 0:
        pytest.skip("cannot mount a small tmpfs here (needs root)")
    try:
        with (mount / "fill").open("wb") as fh, contextlib.suppress(OSError):
            fh.write(b"\0" * (64 << 10))
        yield mount
    finally:
        subprocess.run(["umount", str(mount)], check=False)


@pytest.mark.parametrize("fmt", ["text", "json", "html"])
def test_compare_out_on_a_full_disk_leaves_nothing(full_disk: Path, fmt: str) -> None:
    target = full_disk / f"r.{fmt}"
    code, _, err = _run("compare", str(A), str(B), "-f", fmt, "-e", "lexical", "--out", str(target))
    assert code == 2 and "space" in err
    _one_error(err)
    assert sorted(p.name for p in full_disk.iterdir()) == ["fill"]


def _db(tmp_path: Path, records: list[dict[str, str]]) -> Path:
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    db = tmp_path / "x.db"
    code, _, err = _run("index", "add", str(src), "--db", str(db))
    assert code == 0, err
    return db


def test_stories_out_faults(tmp_path: Path) -> None:
    db = _db(tmp_path, [{"id": "a", "text": BODY}])
    for target in (tmp_path / "missing" / "s.jsonl", tmp_path):
        code, _, err = _run("stories", "--db", str(db), "-f", "jsonl", "--out", str(target))
        assert code == 2
        _one_error(err)
    assert not list(tmp_path.glob("*.tmp"))


# --- bug 7: odd values ----------------------------------------------------------------------------------


def test_a_huge_window_is_an_error_in_index_add_and_match(tmp_path: Path) -> None:
    db = _db(tmp_path, [{"id": "a", "text": BODY}])
    for command in (["index", "add", str(A)], ["match", str(A)]):
        code, _, err = _run(*command, "--db", str(db), "--window", "99999999999d")
        assert code == 2 and "--window" in err
        _one_error(err)


def test_max_bytes_beyond_int64_is_an_error() -> None:
    code, _, err = _run("inspect", str(A), "--max-bytes", str(1 << 70))
    assert code == 2 and "--max-bytes" in err
    _one_error(err)


def test_an_empty_db_path_is_an_error() -> None:
    code, _, err = _run("stories", "--db", "")
    assert code == 2 and "empty" in err
    _one_error(err)


def test_a_damaged_store_still_lists_and_explains_with_a_warning(tmp_path: Path) -> None:
    db = _db(tmp_path, [{"id": "a", "text": BODY}, {"id": "b", "text": BODY + " More."}])
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE articles SET published = 'garbage'")
        conn.execute("UPDATE memberships SET evidence = '[1, 2'")
    conn.close()
    code, out, err = _run("stories", "--db", str(db))
    assert code == 0 and "warning:" in err and "published" in err
    code, out, err = _run("story", "a", "--db", str(db))
    assert code == 0 and "warning:" in err and "evidence" in err and "a" in out


# --- bugs 2, 5, 10: hostile ids and texts; stdin ----------------------------------------------------------


def test_an_escape_in_an_id_never_reaches_the_terminal(tmp_path: Path) -> None:
    evil = "x\x1b[2J\x1b]0;owned\x07\u202eid"
    db = _db(tmp_path, [{"id": evil, "title": "T\x1b[31m", "text": BODY}])
    src = tmp_path / "in.jsonl"
    outputs = [
        _run("inspect", str(src)),
        _run("stories", "--db", str(db)),
        _run("story", evil, "--db", str(db)),
        _run("match", str(src), "--db", str(db)),
        _run("index", "remove", evil, "--db", str(db)),
    ]
    for code, out, err in outputs:
        assert code == 0, err
        for text in (out, err):
            assert "\x1b" not in text and "\u202e" not in text and "\x07" not in text
        assert "\\x1b" in out


def test_a_bidi_override_is_neutralised_in_the_html_report(tmp_path: Path) -> None:
    a = tmp_path / "a.txt"
    a.write_text("Mayor \u202eresigns\u202c today\n" + A.read_text(encoding="utf-8"), encoding="utf-8")
    code, out, err = _run("compare", str(a), str(B), "-f", "html", "-e", "lexical")
    assert code == 0, err
    assert "\u202e" not in out and "\\u202e" in out


def test_lone_surrogates_go_through_index_add_match_and_dedup(tmp_path: Path) -> None:
    src = tmp_path / "s.jsonl"
    src.write_text(
        json.dumps({"id": "s1", "text": BODY})
        + "\n"
        + json.dumps({"id": "s2 \udfff", "title": "T \udfff", "text": BODY + " Other \udfff."})
        + "\n",
        encoding="ascii",
    )
    other = tmp_path / "b.txt"
    other.write_text(A.read_text(encoding="utf-8"), encoding="utf-8")
    db = tmp_path / "x.db"
    code, out, err = _run("index", "add", str(A), str(src), str(other), "--db", str(db))
    assert code == 0 and "added 4" in out, err
    code, out, err = _run("match", str(src), "--db", str(db))
    assert code == 0, err
    code, out, err = _run(
        "dedup", str(src), "--out", str(tmp_path / "o.jsonl"), "--map", str(tmp_path / "m.jsonl")
    )
    assert code == 0, err


def test_dedup_from_stdin_writes_what_it_kept(tmp_path: Path) -> None:
    out, map_path = tmp_path / "o.jsonl", tmp_path / "m.jsonl"
    code, stdout, err = _run("dedup", "-", "--out", str(out), "--map", str(map_path), stdin=A.read_bytes())
    assert code == 0 and "kept 1" in stdout, err
    (line,) = out.read_text(encoding="utf-8").splitlines()
    assert json.loads(line)["id"] == "stdin"
