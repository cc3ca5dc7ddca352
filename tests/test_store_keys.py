"""Key look-ups in the store: articles sharing keys, within a window, and bounded posting sizes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from samestory.store import ArticleRow, MembershipRow, Store
from samestory.store_keys import posting_sizes, shared_keys


def test_candidates_share_a_key_and_respect_the_window(tmp_path: Path) -> None:
    t0 = datetime(2024, 1, 10, tzinfo=UTC)
    rows = {
        "near": t0 + timedelta(days=2),
        "far": t0 + timedelta(days=30),
        "undated": None,
        "other-key": t0,
    }
    with Store(tmp_path / "s.db") as s, s.transaction() as db:
        for i, (name, published) in enumerate(rows.items()):
            s.stage(db, ArticleRow(id=name, content_hash=str(i), published=published), b"f")
            key = b"k2" if name == "other-key" else b"k1"
            s.assign(db, MembershipRow(name, name, None, 1.0, None), [key, b"own" + name.encode()])
    with Store(tmp_path / "s.db") as s:

        def found(groups: list[list[bytes]], **kw: object) -> dict[str, list[int]]:
            return dict(shared_keys(s, groups, **kw))  # type: ignore[arg-type]

        assert found([[b"k1"]]) == {"far": [1], "near": [1], "undated": [1]}
        span = timedelta(days=7).total_seconds()
        window = (t0.timestamp() - span, t0.timestamp() + span)
        assert found([[b"k1"], [b"k2", b"ownnear"]], window=window) == {
            "near": [1, 1],
            "other-key": [0, 1],
            "undated": [1, 0],
        }
        assert found([[b"k1"]], exclude="near") == {"far": [1], "undated": [1]}
        assert found([[]]) == {}
        assert posting_sizes(s, [b"k1", b"k2", b"none"], cap=1) == [2, 1, 0]  # counted up to cap + 1
