"""Schema version 2: the article text table (FTS5) written with each article, removed with it, and the
migration of a version-1 store (whose articles have no stored text)."""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from samestory.cli import commands  # noqa: F401  (registers the commands)
from samestory.cli.app import app
from samestory.index import Index
from samestory.ingest import from_text
from samestory.store import Store, schema_version
from samestory.store_schema import MIGRATIONS

runner = CliRunner()
_TABLE = re.compile(r"CREATE (?:VIRTUAL )?TABLE (\w+)")
TEXTS = {
    "ferry": "Ferry crews walked off the job in the northern port of Kirkwall on Monday, stranding travellers.",
    "vote": "The city council voted to close the old library on Elm Street after a long and heated debate.",
}


def _index(db: Path) -> None:
    with Index(db) as ix:
        ix.add([from_text(t, id=i, title=f"{i} title") for i, t in TEXTS.items()])


def test_added_articles_keep_their_text_and_are_found_by_words(tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    _index(db)
    with Store(db, read_only=True) as s:
        assert s.version() == schema_version() >= 2
        assert s.texts(list(TEXTS)) == TEXTS
        assert s.text("nope") is None
        hits = s.select(
            "SELECT a.id FROM article_text t JOIN articles a ON a.doc = t.rowid WHERE article_text MATCH ?",
            ("kirkwall",),
        )
        assert hits == [("ferry",)]


def test_removing_an_article_removes_its_text(tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    _index(db)
    with Index(db) as ix:
        ix.remove("ferry")
    with Store(db, read_only=True) as s:
        assert s.select("SELECT count(*) FROM article_text") == [(1,)]
        assert s.texts(list(TEXTS)) == {"vote": TEXTS["vote"]}


def test_a_version_1_store_migrates_and_the_viewer_falls_back_to_title_and_snippet(tmp_path: Path) -> None:
    db = tmp_path / "old.db"
    _index(db)
    later = [name for version, script in MIGRATIONS if version > 1 for name in _TABLE.findall(script)]
    assert "article_text" in later
    with sqlite3.connect(db) as raw:  # what a version-1 store looked like: no table a later version made
        for name in later:
            raw.execute(f"DROP TABLE {name}")
        raw.execute("UPDATE schema_version SET version = 1")
    with pytest.raises(Exception, match="needs migrating"):
        Store(db, read_only=True)
    Store(db).close()  # opened writable once: migrated
    with Store(db, read_only=True) as s:
        assert s.version() == schema_version()
        assert s.texts(list(TEXTS)) == {}
    pytest.importorskip("fastapi", reason="the viewer needs the 'web' extra")
    pytest.importorskip("httpx", reason="FastAPI's TestClient needs httpx")
    from fastapi.testclient import TestClient

    from samestory.web import create_app

    with TestClient(create_app(db, encoder="lexical")) as client:
        got = client.get("/api/stories?q=Kirkwall").json()
        assert [s["story_id"] for s in got["stories"]] == ["ferry"]
        assert any("title and snippet" in n for n in got["notes"])
        page = client.get("/article/vote")
        assert page.status_code == 200 and "only the snippet" in page.text
        assert client.get("/api/article/vote").json()["full_text"] is False


def test_story_claims_from_the_command_line(tmp_path: Path) -> None:
    lead = "Police said 130 people were evacuated from the Riverside tower on Friday after a fire broke out."
    rows = [
        {"id": "t1", "title": "Tower fire", "text": lead + " Fire chief Maria Lopez praised the crews.",
         "published": "2021-06-04T10:00:00Z"},
        {"id": "t2", "title": "Tower fire", "text": lead.replace("130", "129") + " Fire chief Maria Lopez praised the crews.",
         "published": "2021-06-04T12:00:00Z"},
    ]  # fmt: skip
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    db = tmp_path / "c.db"
    assert runner.invoke(app, ["index", "add", str(src), "--db", str(db)]).exit_code == 0
    story = json.loads(runner.invoke(app, ["story", "t2", "--db", str(db), "--format", "json"]).stdout)
    members = {m["id"] for m in story["members"]}
    if members != {"t1", "t2"}:
        pytest.skip(f"the two versions were not grouped into one story ({members}); nothing to tabulate")
    result = runner.invoke(app, ["story", "t1", "--db", str(db), "--claims", "--format", "json"])
    assert result.exit_code == 0, result.stderr
    table = json.loads(result.stdout)
    assert [v["id"] for v in table["versions"]] == ["t1", "t2"]
    evacuated = [c for c in table["claims"] if c["type"] == "number"]
    assert [(c["status"], [(v["text"], v["versions"]) for v in c["variants"]]) for c in evacuated] == [
        ("conflict", [("130", ["t1"]), ("129", ["t2"])])
    ]
    text = runner.invoke(app, ["story", "t1", "--db", str(db), "--claims"])
    assert text.exit_code == 0 and "conflict" in text.stdout and "Maria Lopez" in text.stdout
    missing = runner.invoke(app, ["story", "nope", "--db", str(db), "--claims"])
    assert missing.exit_code == 2 and "nope" in missing.stderr
