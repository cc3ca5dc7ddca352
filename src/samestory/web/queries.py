"""What the web viewer reads from a store, opened read-only: story lists with search and filters, one story
with its claims and timeline, one article, a comparison of two stored articles.

Nothing here writes: every connection is opened with SQLite's ``mode=ro`` (`samestory.store.Store`). The story
list is summarised once (`samestory.stories.summarize_stories`) and again only when the store changes (another
process adding or removing articles), so that listing, filtering and paging do not read every membership.
"""

from __future__ import annotations

import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from samestory.article import utc_timestamp
from samestory.errors import InputError
from samestory.stories import StorySummary, stored_article, summarize_stories

if TYPE_CHECKING:
    from samestory.article import Article
    from samestory.claims import ClaimsTable
    from samestory.comparison import Comparison
    from samestory.embed.base import Encoder
    from samestory.index import Index
    from samestory.stories import Story

MAX_LIMIT = 200  # stories per page, at most
MAX_QUERY = 300  # characters of a search query, at most
MAX_TERMS = 12  # search words, at most
MAX_MATCHES = 5_000  # matching articles read for one search (the note says when there were more)
MAX_ID = 512  # longest id looked up
RESPONSE_CACHE_BYTES = 64 << 20  # rendered pages and JSON bodies kept per server process
SORTS = ("size", "earliest", "latest", "title")
_clock = time.monotonic  # the clock of the once-a-second look at the store (a test moves it on)
_ID_OK = re.compile(r"[^\x00-\x1f\x7f]+")
_WORD = re.compile(r"\w+")

K = TypeVar("K")
V = TypeVar("V")


class NotFound(InputError):
    """No story or article with that id in the store."""


class _Lru(Generic[K, V]):
    """A small thread-safe least-recently-used cache of at most ``size`` in total, each value counting
    ``weight(value)`` (1 unless given)."""

    def __init__(self, size: int, weight: Callable[[V], int] | None = None) -> None:
        self.size = size
        self._weight = weight
        self._items: OrderedDict[K, tuple[V, int]] = OrderedDict()
        self._total = 0
        self._lock = threading.Lock()

    def get(self, key: K, make: Callable[[], V]) -> V:
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key][0]
        value = make()
        w = 1 if self._weight is None else self._weight(value)
        with self._lock:
            old = self._items.pop(key, None)
            if old is not None:
                self._total -= old[1]
            self._items[key] = (value, w)
            self._total += w
            while self._total > self.size and self._items:
                self._total -= self._items.popitem(last=False)[1][1]
        return value

    def __len__(self) -> int:
        return len(self._items)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self._total = 0


@dataclass(frozen=True, slots=True)
class StoryRow:
    """One line of the story list: the summary and the date of its earliest version."""

    summary: StorySummary
    earliest_published: datetime | None

    def to_dict(self) -> dict[str, Any]:
        d = self.summary.to_dict()
        del d["members"]
        d["earliest_published"] = self.earliest_published.isoformat() if self.earliest_published else None
        return d


@dataclass(frozen=True, slots=True)
class StoryFilter:
    """What the story list asks for; `clamped` keeps every value in its allowed range."""

    q: str = ""
    since: datetime | None = None
    until: datetime | None = None
    source: str = ""
    lang: str = ""
    min_size: int = 1
    max_size: int = 0
    sort: str = "size"
    limit: int = 50
    offset: int = 0

    def clamped(self) -> StoryFilter:
        return StoryFilter(
            q=self.q[:MAX_QUERY],
            since=self.since,
            until=self.until,
            source=self.source[:MAX_ID],
            lang=self.lang[:16],
            min_size=max(1, self.min_size),
            max_size=max(0, self.max_size),
            sort=self.sort if self.sort in SORTS else "size",
            limit=min(MAX_LIMIT, max(1, self.limit)),
            offset=min(10**7, max(0, self.offset)),
        )


@dataclass(frozen=True, slots=True)
class StoryPage:
    rows: tuple[StoryRow, ...]
    total: int
    notes: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class _Catalog:
    """The summarised story list and the look-ups search and filters need."""

    stamp: tuple[int, int]
    rows: tuple[StoryRow, ...]
    story_of_doc: dict[int, int]  # articles.doc → position in rows
    sources: tuple[str, ...]
    langs: tuple[str, ...]
    without_text: int  # articles stored before texts were kept
    _orders: dict[str, tuple[int, ...]] = field(default_factory=dict)
    _ranks: dict[str, list[int]] = field(default_factory=dict)

    def order(self, sort: str) -> tuple[int, ...]:
        """Positions of the rows in the order ``sort`` asks for (computed once per catalog)."""
        got = self._orders.get(sort)
        if got is None:
            rows = self.rows
            keys: dict[str, Callable[[int], Any]] = {
                "earliest": lambda k: (
                    rows[k].earliest_published is None,
                    _ts(rows[k].earliest_published),
                    k,
                ),
                "latest": lambda k: (rows[k].earliest_published is None, -_ts(rows[k].earliest_published), k),
                "title": lambda k: (rows[k].summary.title.casefold(), rows[k].summary.id),
            }
            # "size": the catalog's own order (largest first, ties by id)
            got = (
                tuple(range(len(rows)))
                if sort not in keys
                else tuple(sorted(range(len(rows)), key=keys[sort]))
            )
            self._orders[sort] = got
        return got

    def rank(self, sort: str) -> list[int]:
        """Where each row stands in `order` (to sort a subset, e.g. search results)."""
        got = self._ranks.get(sort)
        if got is None:
            got = [0] * len(self.rows)
            for n, k in enumerate(self.order(sort)):
                got[k] = n
            self._ranks[sort] = got
        return got


def fts_query(q: str) -> str:
    """A safe FTS5 query for free text: its words, each quoted (so no FTS syntax gets through), all required;
    the last one also as a prefix (search as you type)."""
    words = _WORD.findall(q)[:MAX_TERMS]
    quoted = ['"' + w.replace('"', '""') + '"' for w in words]
    if quoted:
        quoted[-1] += "*"
    return " ".join(quoted)


def valid_id(value: str) -> bool:
    """Ids worth looking up: non-empty, not too long, no control characters."""
    return 0 < len(value) <= MAX_ID and _ID_OK.fullmatch(value) is not None


class Viewer:
    """Read-only queries over one store, safe to call from many threads (one connection per thread)."""

    def __init__(self, db_path: str, *, encoder: str = "auto") -> None:
        from samestory.index import Index

        self.db_path = db_path
        self.encoder_spec = encoder
        self._local = threading.local()
        self._lock = threading.Lock()
        self._catalog: _Catalog | None = None
        self._checked = 0.0
        self._encoder: Encoder | None = None
        self._encoder_loaded = False
        self._compare_lock = threading.Lock()
        self._claims: _Lru[str, ClaimsTable] = _Lru(256)
        self._comparisons: _Lru[tuple[str, str], Comparison] = _Lru(32)
        self._bodies: _Lru[tuple[object, ...], bytes] = _Lru(RESPONSE_CACHE_BYTES, len)
        Index(db_path, read_only=True).close()  # fail now (missing file, newer schema), not on the first page

    # -- connections -----------------------------------------------------------------------------------

    def index(self) -> Index:
        """This thread's read-only `Index`."""
        from samestory.index import Index

        ix: Index | None = getattr(self._local, "index", None)
        if ix is None:
            ix = self._local.index = Index(self.db_path, read_only=True)
        return ix

    def _query(self, sql: str, params: Sequence[object] = ()) -> list[tuple[Any, ...]]:
        return self.index().store.select(sql, params)

    # -- the story list --------------------------------------------------------------------------------

    def _stamp(self) -> tuple[int, int]:
        row = self._query("SELECT coalesce(max(seq), 0), count(*) FROM memberships")[0]
        return int(row[0]), int(row[1])

    def catalog(self) -> _Catalog:
        """The story list, summarised again when the store changed (checked at most once a second)."""
        now = _clock()
        with self._lock:
            cat = self._catalog
            if cat is not None and now - self._checked < 1.0:
                return cat
            stamp = self._stamp()
            self._checked = now
            if cat is not None and cat.stamp == stamp:
                return cat
            cat = self._catalog = self._build(stamp)
            self._claims.clear()
            self._comparisons.clear()
            self._bodies.clear()
            return cat

    def body(self, key: tuple[object, ...], make: Callable[[], bytes]) -> bytes:
        """A response body made by ``make``, kept (least recently used first out, `RESPONSE_CACHE_BYTES` in
        all) until the store changes. The key holds the catalog's stamp, so that a body made while the store
        changed is not served once the change is seen. ``make`` raising (a 404) keeps nothing."""
        stamp = self.catalog().stamp
        return self._bodies.get((stamp, *key), make)

    def warm(self) -> None:
        """Build the story list and its orders now (at server start), not on the first requests."""
        cat = self.catalog()
        for sort in SORTS:
            cat.rank(sort)

    def _build(self, stamp: tuple[int, int]) -> _Catalog:
        store = self.index().store
        members = store.all_members()
        published = {row.id: row.published for _, row in members}
        rows = tuple(
            StoryRow(s, published.get(s.earliest) if s.earliest else None) for s in summarize_stories(members)
        )
        position = {s.summary.id: k for k, s in enumerate(rows)}
        story_of_doc = {
            int(doc): position[str(story)]
            for doc, story in self._query("SELECT doc, story_id FROM memberships")
            if str(story) in position
        }
        without = int(
            self._query(
                "SELECT count(*) FROM articles a WHERE NOT EXISTS "
                "(SELECT 1 FROM article_text t WHERE t.rowid = a.doc)"
            )[0][0]
        )
        return _Catalog(
            stamp=stamp,
            rows=rows,
            story_of_doc=story_of_doc,
            sources=tuple(sorted({src for r in rows for src in r.summary.sources})),
            langs=tuple(sorted({lang for r in rows for lang in r.summary.langs})),
            without_text=without,
        )

    def _search(self, cat: _Catalog, q: str) -> tuple[set[int], list[str]]:
        """Positions (in the catalog) of the stories with an article matching ``q``, and notes."""
        notes: list[str] = []
        match = fts_query(q)
        if not match:
            return set(), ["the search has no words to look for"]
        docs = [
            int(r[0])
            for r in self._query(
                "SELECT rowid FROM article_text WHERE article_text MATCH ? LIMIT ?", (match, MAX_MATCHES + 1)
            )
        ]
        if len(docs) > MAX_MATCHES:
            notes.append(
                f"more than {MAX_MATCHES} articles match; showing the stories of the first {MAX_MATCHES}"
            )
            docs = docs[:MAX_MATCHES]
        if cat.without_text:
            # articles stored before texts were kept: their title and snippet, word by word
            words = _WORD.findall(q)[:MAX_TERMS]
            where = " AND ".join(
                "(a.title LIKE ? ESCAPE '\\' OR a.snippet LIKE ? ESCAPE '\\')" for _ in words
            )
            params: list[object] = []
            for w in words:
                pattern = "%" + w.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
                params += [pattern, pattern]
            docs += [
                int(r[0])
                for r in self._query(
                    "SELECT a.doc FROM articles a WHERE NOT EXISTS "
                    f"(SELECT 1 FROM article_text t WHERE t.rowid = a.doc) AND {where} LIMIT ?",
                    [*params, MAX_MATCHES],
                )
            ]
            notes.append(
                f"{cat.without_text} articles were stored before their text was kept: they are searched by "
                "title and snippet only"
            )
        return {cat.story_of_doc[d] for d in docs if d in cat.story_of_doc}, notes

    def stories(self, want: StoryFilter) -> StoryPage:
        """One page of the story list, filtered, searched and sorted as ``want`` asks (clamped first)."""
        f = want.clamped()
        cat = self.catalog()
        notes: list[str] = []
        picked: Sequence[int] = range(len(cat.rows))
        if f.q.strip():
            found, notes = self._search(cat, f.q)
            picked = sorted(found)
        since = utc_timestamp(f.since) if f.since else None
        until = utc_timestamp(f.until) if f.until else None

        def keep(row: StoryRow) -> bool:
            s = row.summary
            if s.size < f.min_size or (f.max_size and s.size > f.max_size):
                return False
            if f.source and f.source not in s.sources:
                return False
            if f.lang and f.lang not in s.langs:
                return False
            if since is not None or until is not None:
                if row.earliest_published is None:
                    return False
                ts = utc_timestamp(row.earliest_published)
                if (since is not None and ts < since) or (until is not None and ts >= until):
                    return False
            return True

        if f.q.strip():
            rank = cat.rank(f.sort)
            ordered: Sequence[int] = sorted(picked, key=rank.__getitem__)
        else:
            ordered = cat.order(f.sort)
        filtered = (
            f.min_size > 1 or f.max_size or f.source or f.lang or since is not None or until is not None
        )
        chosen = [k for k in ordered if keep(cat.rows[k])] if filtered else ordered
        rows = [cat.rows[k] for k in chosen[f.offset : f.offset + f.limit]]
        return StoryPage(tuple(rows), len(chosen), tuple(notes))

    # -- one story, one article ------------------------------------------------------------------------

    def story(self, story_or_article_id: str) -> Story:
        if not valid_id(story_or_article_id):
            raise NotFound(f"no story or article with id {story_or_article_id!r}")
        self.catalog()  # drops cached claims when the store changed
        ix = self.index()
        try:
            return ix.story(story_or_article_id)
        except InputError as exc:
            raise NotFound(str(exc)) from None

    def claims(self, story: Story) -> ClaimsTable:
        from samestory.claims_store import story_claims

        ids = [m.id for m in story.members]
        return self._claims.get(story.id, lambda: story_claims(self.index().store, story.id, ids))

    def article(self, article_id: str) -> tuple[Article, bool]:
        """The stored article rebuilt as it was indexed, and whether its full text was stored."""
        if not valid_id(article_id):
            raise NotFound(f"no article with id {article_id!r}")
        store = self.index().store
        row = store.article(article_id)
        if row is None:
            raise NotFound(f"no article with id {article_id!r}")
        text = store.text(article_id)
        return stored_article(row, text), text is not None

    def story_id_of(self, article_id: str) -> str | None:
        return self.index().story_id_of(article_id)

    # -- comparing -------------------------------------------------------------------------------------

    def encoder(self) -> Encoder | None:
        with self._compare_lock:
            if not self._encoder_loaded:
                from samestory.comparison import resolve_encoder

                self._encoder = resolve_encoder(self.encoder_spec)
                self._encoder_loaded = True
            return self._encoder

    def compare(self, a: str, b: str) -> Comparison:
        from samestory.comparison import compare

        art_a, _ = self.article(a)
        art_b, _ = self.article(b)
        encoder = self.encoder()

        def run() -> Comparison:
            with self._compare_lock:  # an encoder is not assumed to be thread-safe
                return compare(art_a, art_b, encoder=encoder)

        self.catalog()
        return self._comparisons.get((a, b), run)


def _ts(dt: datetime | None) -> float:
    return utc_timestamp(dt) if dt is not None else 0.0
