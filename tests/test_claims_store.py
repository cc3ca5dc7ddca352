"""Claims tables of stored stories: made from kept mentions, kept per story, read while their stamp holds."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from samestory.article import Article
from samestory.claims import MENTIONS_FORMAT, ClaimsTable, VersionMentions, claims_table, mentions_of
from samestory.claims_store import CLAIMS_FORMAT, made_claims, members_digest, story_claims
from samestory.index import Index
from samestory.ingest import from_text

T0 = datetime(2024, 3, 5, 8, 0, tzinfo=UTC)
LEAD = "A passenger train derailed near the river crossing outside Lyon on Tuesday morning, officials said."
QUOTE = '"We are doing everything we can to reach the last carriages before nightfall," said the regional prefect.'
TAIL = "Rail operator SNCF suspended services on the line while investigators examined the track."


def version(n: int, killed: int) -> Article:
    text = f"{LEAD} At least {killed} people were killed in the crash, the interior ministry said. {QUOTE} {TAIL}"
    return from_text(text, title="Train derails near Lyon", id=f"v{n}", published=T0 + timedelta(hours=n))


def versions(n: int) -> list[Article]:
    return [version(k, 129 if k == 2 else 130) for k in range(n)]


def kept_rows(path: Path) -> dict[str, tuple[int, str, str]]:
    with sqlite3.connect(path) as db:
        rows = db.execute("SELECT story_id, format, members, data FROM story_claims").fetchall()
    return {str(s): (int(f), str(m), str(d)) for s, f, m, d in rows}


def test_a_table_reads_back_from_its_dict() -> None:
    table = claims_table(versions(5))
    assert table.claims and any(c.changed for c in table.claims)
    assert ClaimsTable.from_dict(json.loads(json.dumps(table.to_dict()))) == table


def test_made_claims_read_the_kept_mentions_and_find_the_others(tmp_path: Path) -> None:
    arts = versions(6)
    with Index(tmp_path / "s.db") as ix:
        ix.add(arts)
        store = ix.store
        ids = [a.id for a in arts]
        assert set(store.mentions(ids, MENTIONS_FORMAT)) == set(ids)  # kept by the add: one story of six
        assert made_claims(store, ids) == claims_table(arts)
        # the kept mentions are what the table reads: a number changed there shows
        kept = mentions_of(arts[0])
        n, sentence, excerpt = kept.numbers[0]
        changed = VersionMentions(
            kept.quotes, kept.names, ((replace(n, text="977", value=977.0), sentence, excerpt),), kept.dates
        )
        with store.transaction() as db:
            store.put_mentions(db, arts[0].id, MENTIONS_FORMAT, changed.to_json())
        assert any("977" in (v.text for v in c.variants) for c in made_claims(store, ids).claims)
        # mentions of another format are found again from the text
        with store.transaction() as db:
            store.put_mentions(db, arts[0].id, 0, '{"format": 0}')
        assert made_claims(store, ids) == claims_table(arts)


def test_an_add_keeps_each_story_table_and_a_reader_uses_it_while_its_members_hold(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    arts = versions(5)
    with Index(path) as ix:
        ix.add(arts[:3])
        (story,) = [s for s, n in ix.store.story_ids() if n == 3]
        ((fmt, digest, data),) = kept_rows(path).values()
        assert fmt == CLAIMS_FORMAT
        assert digest == members_digest(ix.store.content_hashes([a.id for a in arts[:3]]).items())
        assert ClaimsTable.from_dict(json.loads(data)) == claims_table(arts[:3])
        # the kept table is what a reader gets: a mark put into it shows
        marked = json.loads(data)
        marked["claims"][0]["label"] = "marked"
        with ix.store.transaction() as db:
            db.execute("UPDATE story_claims SET data = ?", (json.dumps(marked),))
        ids = [m.id for m in ix.story(story).members]
        assert story_claims(ix.store, story, ids).claims[0].label == "marked"
        # a stamp that does not match the members (or a damaged value) is not read: the table is made
        assert story_claims(ix.store, story, ids[:2]) == claims_table(arts[:2])
        with ix.store.transaction() as db:
            db.execute("UPDATE story_claims SET data = '{\"claims\": 3}'")
        assert story_claims(ix.store, story, ids) == claims_table(arts[:3])
        # new members make the table again, stamped with them
        ix.add(arts[3:])
        ids = [m.id for m in ix.story(story).members]
        assert len(ids) == 5
        assert story_claims(ix.store, story, ids) == claims_table(arts)
        assert kept_rows(path)[story][1] == members_digest(ix.store.content_hashes(ids).items())


def test_a_remove_makes_the_table_again_and_a_story_of_one_keeps_none(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    arts = versions(3)
    with Index(path) as ix:
        ix.add(arts)
        (story,) = [s for s, n in ix.store.story_ids() if n == 3]
        ix.remove(arts[2].id)  # the version that said 129: the conflict goes with it
        rest = [m.id for m in ix.story(story).members]
        assert story_claims(ix.store, story, rest) == claims_table(arts[:2])
        assert not any(
            c.status == "conflict"
            for c in ClaimsTable.from_dict(json.loads(kept_rows(path)[story][2])).claims
        )
        ix.remove(arts[1].id)
        assert kept_rows(path) == {}


def test_the_members_digest_is_one_of_the_set() -> None:
    a = [("x", "h1"), ("y", "h2")]
    assert members_digest(a) == members_digest(reversed(a))
    assert members_digest(a) != members_digest([("x", "h1"), ("y", "h3")])
    assert members_digest(a) != members_digest(a[:1])
