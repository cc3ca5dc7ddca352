"""The viewer's read side: its caches keep what they should and drop it when the store changes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from samestory.index import Index
from samestory.ingest import from_text
from samestory.web import queries
from samestory.web.queries import Viewer, _Lru

from .conftest import BODY

pytest.importorskip("fastapi", reason="the web viewer needs the 'web' extra (fastapi)")
pytest.importorskip("httpx", reason="FastAPI's TestClient needs httpx")


def _store(tmp_path: Path) -> Path:
    db = tmp_path / "s.db"
    with Index(db) as ix:
        ix.add([from_text(BODY, id="ferry", title="Ferry strike")])
    return db


def _add_version(db: Path) -> None:
    with Index(db) as ix:
        got = ix.add([from_text("Advertisement\n\n" + BODY.replace("130", "129"), id="ferry-2")])
    assert got[0].story_id == "ferry"


def _later(monkeypatch: pytest.MonkeyPatch, seconds: float) -> None:
    """The viewer's clock moved on by ``seconds`` (it looks at the store at most once a second)."""
    now = queries._clock()
    monkeypatch.setattr(queries, "_clock", lambda: now + seconds)


def test_lru_holds_at_most_its_size_by_weight_and_drops_the_least_recent() -> None:
    lru: _Lru[str, bytes] = _Lru(10, len)
    made: list[str] = []

    def make(key: str, n: int) -> bytes:
        made.append(key)
        return b"x" * n

    lru.get("a", lambda: make("a", 4))
    lru.get("b", lambda: make("b", 4))
    assert lru.get("a", lambda: make("a", 4)) == b"xxxx" and made == ["a", "b"]  # kept, now the most recent
    lru.get("c", lambda: make("c", 4))  # 12 > 10: "b", the least recent, goes
    assert len(lru) == 2
    lru.get("a", lambda: make("a", 4))
    lru.get("b", lambda: make("b", 4))
    assert made == ["a", "b", "c", "b"]
    lru.get("big", lambda: make("big", 11))  # larger than the whole cache: made, not kept
    assert len(lru) == 0


def test_a_body_is_made_once_and_again_after_the_store_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = _store(tmp_path)
    viewer = Viewer(str(db), encoder="lexical")
    made: list[int] = []

    def make() -> bytes:
        made.append(len(viewer.story("ferry").members))
        return b"page"

    assert viewer.body(("story", "ferry"), make) == b"page"
    viewer.body(("story", "ferry"), make)
    assert made == [1]
    _add_version(db)
    viewer.body(("story", "ferry"), make)
    assert made == [1]  # the store is looked at once a second at most
    _later(monkeypatch, 2.0)
    viewer.body(("story", "ferry"), make)
    assert made == [1, 2]


def test_pages_and_apis_show_a_new_version_once_the_store_changed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from fastapi.testclient import TestClient

    from samestory.web import create_app

    db = _store(tmp_path)
    with TestClient(create_app(db, encoder="lexical")) as client:
        urls = ["/story/ferry", "/api/story/ferry", "/", "/api/stories", "/?q=ferry", "/article/ferry"]
        before = {u: client.get(u) for u in urls}
        assert all(r.status_code == 200 for r in before.values())
        assert len(before["/api/story/ferry"].json()["members"]) == 1
        assert client.get("/api/story/ferry").content == before["/api/story/ferry"].content
        _add_version(db)
        _later(monkeypatch, 2.0)
        after: dict[str, Any] = {u: client.get(u) for u in urls}
        assert len(after["/api/story/ferry"].json()["members"]) == 2
        assert "ferry-2" in after["/story/ferry"].text and "ferry-2" not in before["/story/ferry"].text
        assert after["/api/stories"].json()["stories"][0]["size"] == 2
        assert after["/article/ferry"].text == before["/article/ferry"].text  # unchanged article, same page
        for u in urls:
            assert after[u].headers["content-security-policy"] == before[u].headers["content-security-policy"]
