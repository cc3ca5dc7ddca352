"""Claims tables of stored stories: made from the mentions kept per article, and kept per story.

`samestory.index.Index` keeps the mentions of every member of a story of two or more articles
(``article_mentions``) and then, with `keep_story_claims`, the finished claims table of each such story
(``story_claims``), stamped with a digest of its members (their ids and content hashes). `story_claims` reads
a story's kept table when the stamp still matches its members, and makes the table from the kept mentions
otherwise (a store written by an older samestory, or read while another process changes it), so the web
viewer and ``samestory story --claims`` show the same table either way, without linking thousands of
mentions on a reader's request.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Sequence
from itertools import groupby

from samestory.claims import (
    MENTIONS_FORMAT,
    ClaimsTable,
    ClaimVersion,
    VersionMentions,
    mentions_of,
    table_of,
)
from samestory.store import Store

#: the layout of a kept table (`ClaimsTable.to_dict` of what `table_of` makes from `MENTIONS_FORMAT` mentions);
#: raise it whenever either changes, so that tables kept by an older samestory are made again, not read
CLAIMS_FORMAT = 1000 + MENTIONS_FORMAT

_BATCH = 200  # stories whose tables are made and written in one transaction


def members_digest(members: Iterable[tuple[str, str]]) -> str:
    """The stamp of a story's members: a digest of their ``(id, content hash)`` pairs, in any order. A stored
    row never changes in place (new content replaces the row), so an equal stamp means equal members."""
    h = hashlib.blake2b(digest_size=16)
    for article_id, content in sorted(members):
        h.update(f"{article_id}\x00{content}\x01".encode())
    return h.hexdigest()


def made_claims(store: Store, ids: Sequence[str]) -> ClaimsTable:
    """The claims table of stored articles ``ids`` (the members of a story), made from the mentions kept at
    `index add` (`VersionMentions`), and those of the other articles found in their texts."""
    from samestory.stories import stored_article

    rows = store.articles(ids)
    kept = {i: VersionMentions.from_json(text) for i, text in store.mentions(ids, MENTIONS_FORMAT).items()}
    lacking = [i for i in ids if i in rows and kept.get(i) is None]
    texts = store.texts(lacking)
    found = {i: mentions_of(stored_article(rows[i], texts.get(i))) for i in lacking}
    return table_of(
        [
            (ClaimVersion(r.id, r.published, r.source, r.lang), kept.get(i) or found[i])
            for i in ids
            if (r := rows.get(i)) is not None
        ]
    )


def story_claims(store: Store, story_id: str, ids: Sequence[str]) -> ClaimsTable:
    """The claims table of the story ``story_id`` whose members are ``ids``: the kept one when its stamp
    matches these members, else made now (`made_claims`)."""
    digest = members_digest(store.content_hashes(ids).items())
    got = store.select(
        "SELECT data FROM story_claims WHERE story_id = ? AND format = ? AND members = ?",
        (story_id, CLAIMS_FORMAT, digest),
    )
    if got:
        try:
            return ClaimsTable.from_dict(json.loads(str(got[0][0])))
        except (ValueError, TypeError, KeyError):
            pass  # a damaged value: made again below
    return made_claims(store, ids)


def keep_story_claims(store: Store, progress: Callable[[str, int, int | None], None] | None = None) -> int:
    """Make and keep the claims table of every story of two or more members whose kept table is missing or
    stale, and drop the kept tables of stories that are gone or down to one member. Returns how many tables
    were made."""
    rows = store.select(
        "SELECT m.story_id, a.id, a.content_hash FROM memberships m JOIN articles a ON a.doc = m.doc "
        "WHERE m.story_id IN (SELECT story_id FROM memberships GROUP BY story_id HAVING count(*) > 1) "
        "ORDER BY m.story_id, m.seq"
    )
    kept = {
        str(s): (int(str(f)), str(d))
        for s, f, d in store.select("SELECT story_id, format, members FROM story_claims")
    }
    stale: list[tuple[str, list[str], str]] = []
    live: set[str] = set()
    for story, group in groupby(rows, key=lambda r: str(r[0])):
        members = [(str(i), str(h)) for _, i, h in group]
        live.add(story)
        digest = members_digest(members)
        if kept.get(story) != (CLAIMS_FORMAT, digest):
            stale.append((story, [i for i, _ in members], digest))
    gone = [s for s in kept if s not in live]
    if gone:
        with store.transaction() as db:
            db.executemany("DELETE FROM story_claims WHERE story_id = ?", [(s,) for s in gone])
    for k in range(0, len(stale), _BATCH):
        chunk = stale[k : k + _BATCH]
        made = [
            (story, CLAIMS_FORMAT, digest, _dumps(made_claims(store, ids))) for story, ids, digest in chunk
        ]
        with store.transaction() as db:
            db.executemany(
                "INSERT OR REPLACE INTO story_claims (story_id, format, members, data) VALUES (?, ?, ?, ?)",
                made,
            )
        if progress is not None:
            progress("stories", k + len(chunk), len(stale))
    return len(stale)


def _dumps(table: ClaimsTable) -> str:
    return json.dumps(table.to_dict(), ensure_ascii=False, separators=(",", ":"))


__all__ = ["CLAIMS_FORMAT", "keep_story_claims", "made_claims", "members_digest", "story_claims"]
