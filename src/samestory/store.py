"""The SQLite store behind a corpus `Index`: articles, their features, LSH band keys and story memberships.

One file, WAL journal, numbered migrations recorded in ``schema_version``. A writer holds ``PATH.lock``
(flock) from its first write until it closes, so concurrent writers take turns instead of failing. Every write happens inside one
``BEGIN IMMEDIATE`` transaction (`Store.transaction`), so a killed process, a full disk or a read-only file
leaves the database exactly as it was after the last committed batch: nothing is half-written.

The store knows nothing about matching: it persists what `samestory.index.Index` hands it (feature blobs,
band keys, memberships) and answers indexed look-ups (which documents share a band key, which documents
belong to a story).

The tables and what each schema version adds: `samestory.store_schema`.

An article is written in two steps: `Store.stage` keeps its row and features (committed in batches as input
is read), then `Store.assign` adds its band keys and membership. Staged articles without a membership are
*pending*; they are invisible to candidate search and are assigned, in a stable order, by the next add.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path

from samestory.errors import SchemaVersionError, StoreError
from samestory.store_lock import acquire_writer, refuse_marked_read_only, release_writer
from samestory.store_rows import (
    ROW_COLUMNS,
    ArticleRow,
    MembershipRow,
    article_row,
    as_int,
    membership_row,
    published_ts,
)
from samestory.store_schema import MIGRATIONS


def schema_version() -> int:
    """The schema version this samestory writes (the last migration)."""
    return MIGRATIONS[-1][0]


def _explain(path: str, exc: sqlite3.Error) -> StoreError:
    """Turn a sqlite3 error into a `StoreError` that says what happened and what to do."""
    text = str(exc)
    low = text.lower()
    if "full" in low:
        hint = (
            "the disk is full (or the database hit its size limit); the batch being written was rolled "
            "back and nothing of it was stored: free some space and run the command again"
        )
    elif "readonly" in low or "read-only" in low:
        hint = (
            "the database is read-only; nothing was written: make the file and its folder writable, "
            "or pass another --db"
        )
    elif "locked" in low or "busy" in low:
        hint = "the database is locked by another process; wait for it to finish and run the command again"
    elif "not a database" in low or "malformed" in low or "corrupt" in low:
        hint = "the file is not a usable samestory database (not SQLite, or damaged); pass another --db"
    elif "unable to open" in low:
        hint = "the database file cannot be opened; check that its folder exists and is writable"
    else:
        hint = "the database operation failed"
    return StoreError(f"{path}: {hint} (sqlite: {text})")


class Store:
    """A samestory SQLite database, opened (created and migrated when needed) on construction.

    >>> import tempfile, pathlib
    >>> with Store(pathlib.Path(tempfile.mkdtemp()) / "s.db") as s:
    ...     s.count()
    0
    """

    def __init__(self, path: str | Path, *, read_only: bool = False, timeout: float = 30.0) -> None:
        self.path = str(path)
        self.read_only = read_only
        #: one line per damaged value met while reading (a date or evidence that cannot be parsed); the
        #: value is read as missing so that the rest still works, and a caller can show these as warnings
        self.damaged: list[str] = []
        self._writer = False
        if not self.path.strip():
            raise StoreError("the database path is empty; pass a file path (--db FILE)")
        if not read_only:
            refuse_marked_read_only(self.path)
        try:
            if read_only:
                uri = Path(self.path).resolve().as_uri() + "?mode=ro"
                if not Path(self.path).exists():
                    raise StoreError(f"{self.path}: no such database; create it with `samestory index add`")
                self._db = sqlite3.connect(uri, uri=True, timeout=timeout, isolation_level=None)
            else:
                self._db = sqlite3.connect(self.path, timeout=timeout, isolation_level=None)
        except sqlite3.Error as exc:
            raise _explain(self.path, exc) from exc
        try:
            # Everything that can refuse the file (another program's database, a newer or damaged schema)
            # is decided by reading only, before the first write: WAL mode rewrites the file's header.
            # Switching a new file to WAL while another process opens it can fail at once with "locked"
            # (SQLite does not wait on that lock): tried again until ``timeout``.
            deadline = time.monotonic() + timeout
            while True:
                try:
                    self._open_settings()
                    break
                except StoreError as exc:
                    if "locked" not in str(exc) or time.monotonic() > deadline:
                        raise
                    time.sleep(0.05)
            self._migrate()
        except BaseException:
            self._db.close()
            raise

    def _open_settings(self) -> None:
        self._check_schema()
        try:
            self._db.execute("PRAGMA foreign_keys = ON")
            if not self.read_only:
                self._db.execute("PRAGMA journal_mode = WAL")
                # WAL + NORMAL survives a killed process (not a power cut) and is much faster than FULL.
                self._db.execute("PRAGMA synchronous = NORMAL")
                # up to 256 MiB of page cache (SQLite's default is 2 MiB): band-key inserts land on random
                # B-tree pages, and at 40k documents the default cache made them 1.6x slower
                self._db.execute("PRAGMA cache_size = -262144")
        except sqlite3.Error as exc:
            raise _explain(self.path, exc) from exc

    # -- lifecycle -------------------------------------------------------------------------------------

    def close(self) -> None:
        self._db.close()
        if self._writer:
            self._writer = False
            release_writer(self.path)

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def connection(self) -> sqlite3.Connection:
        """The raw connection (for tests and diagnostics; writes must go through `transaction`)."""
        return self._db

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One atomic write: everything inside commits together or not at all.

        A sqlite3 error (disk full, read-only file, lock timeout) rolls back and becomes a `StoreError`.
        """
        if self.read_only:
            raise StoreError(f"{self.path}: the database was opened read-only; nothing was written")
        if not self._writer:
            acquire_writer(self.path)
            self._writer = True
        try:
            self._db.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            raise _explain(self.path, exc) from exc
        try:
            yield self._db
            self._db.execute("COMMIT")
        except sqlite3.Error as exc:
            self._rollback()
            raise _explain(self.path, exc) from exc
        except BaseException:
            self._rollback()
            raise

    def _rollback(self) -> None:
        if self._db.in_transaction:
            # the transaction may already be gone (e.g. SQLITE_FULL during a commit)
            with suppress(sqlite3.Error):
                self._db.execute("ROLLBACK")

    def _query(
        self, sql: str, params: Sequence[object] | Mapping[str, object] = ()
    ) -> list[tuple[object, ...]]:
        try:
            return self._db.execute(sql, params).fetchall()
        except sqlite3.Error as exc:
            raise _explain(self.path, exc) from exc

    def select(
        self, sql: str, params: Sequence[object] | Mapping[str, object] = ()
    ) -> list[tuple[object, ...]]:
        """The rows of a read-only query (look-ups this class has no method for, e.g. the web viewer's)."""
        return self._query(sql, params)

    # -- schema ----------------------------------------------------------------------------------------

    def version(self) -> int:
        """The schema version recorded in the database (0 for an empty file)."""
        rows = self._query("SELECT name FROM sqlite_master WHERE type='table' AND name='schema_version'")
        if not rows:
            return 0
        got = self._query("SELECT version FROM schema_version")
        return as_int(got[0][0]) if got else 0

    def _check_schema(self) -> None:
        """Refuse, by reading only, a file this samestory must not write: not SQLite, another program's
        database, a newer schema, or a schema version no samestory writes."""
        current = self.version()
        latest = schema_version()
        if current > latest:
            raise SchemaVersionError(
                f"{self.path}: the database has schema version {current}, but this samestory reads "
                f"versions up to {latest}; upgrade samestory (pip install -U samestory) to open it"
            )
        if current < 0:
            raise StoreError(
                f"{self.path}: the database records schema version {current}, which no samestory writes "
                "(versions start at 1); the file is damaged: pass another --db"
            )
        if current == 0:
            tables = self._query("SELECT name FROM sqlite_master WHERE type='table'")
            if tables:
                names = ", ".join(sorted(str(t[0]) for t in tables)[:5])
                raise StoreError(
                    f"{self.path}: this SQLite file is not a samestory database (it has the tables {names}); "
                    "pass another --db; nothing was written to it"
                )

    def _migrate(self) -> None:
        current = self.version()
        latest = schema_version()
        if current == latest:
            return
        if self.read_only:
            raise StoreError(
                f"{self.path}: the database has schema version {current} and needs migrating to {latest}, "
                "but it was opened read-only; migrate it by adding to it once (`samestory index add FILES --db ...`)"
            )
        for version, script in MIGRATIONS:
            if version <= current:
                continue
            # executescript would commit on its own; run each statement inside our own transaction instead
            with self.transaction() as db:
                if self.version() >= version:
                    continue  # another process migrated the file while this one waited for the lock
                for statement in _statements(script):
                    db.execute(statement)
                db.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
                db.execute("DELETE FROM schema_version")
                db.execute("INSERT INTO schema_version (version) VALUES (?)", (version,))

    # -- meta ------------------------------------------------------------------------------------------

    def get_meta(self, key: str) -> str | None:
        rows = self._query("SELECT value FROM meta WHERE key = ?", (key,))
        return str(rows[0][0]) if rows else None

    def set_meta(self, db: sqlite3.Connection, key: str, value: str) -> None:
        """Record a setting; call inside `transaction`."""
        db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))

    # -- articles --------------------------------------------------------------------------------------

    def _by_ids(
        self, sql: str, ids: Iterable[str], params: Sequence[object] = ()
    ) -> list[tuple[object, ...]]:
        """The rows of ``sql`` (its ``{}`` is the ``IN`` list) for ``ids``, in chunks of 500 (SQLite's
        variable limit); ``params`` come before the ids."""
        rows: list[tuple[object, ...]] = []
        for chunk in _chunks(list(ids), 500):
            rows.extend(self._query(sql.format(",".join("?" * len(chunk))), [*params, *chunk]))
        return rows

    def count(self) -> int:
        return as_int(self._query("SELECT count(*) FROM articles")[0][0])

    def content_hashes(self, ids: Iterable[str]) -> dict[str, str]:
        """The stored content hash of each of ``ids`` that is in the store."""
        return {
            str(i): str(h)
            for i, h in self._by_ids("SELECT id, content_hash FROM articles WHERE id IN ({})", ids)
        }

    def stage(self, db: sqlite3.Connection, row: ArticleRow, features: bytes) -> bool:
        """Keep one article's row and features, not yet assigned to a story; call inside `transaction`.

        False (nothing written) when the id is already stored with the same content: another process adding
        the same input at the same time stored it first. Raises `StoreError` when that process stored a
        different version of the id (the caller checked the id before the transaction; a rerun replaces it).
        """
        published = row.published.isoformat() if row.published is not None else None
        cur = db.execute(
            "INSERT INTO articles (id, content_hash, title, source, url, lang, published, published_ts, length, "
            "snippet, features) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO NOTHING",
            (
                row.id,
                row.content_hash,
                row.title,
                row.source,
                row.url,
                row.lang,
                published,
                published_ts(row.published),
                row.length,
                row.snippet,
                features,
            ),
        )
        if cur.rowcount > 0:
            db.execute(
                "INSERT INTO article_text (rowid, title, text) VALUES (?, ?, ?)",
                (cur.lastrowid, row.title, row.text),
            )
            return True
        got = db.execute("SELECT content_hash FROM articles WHERE id = ?", (row.id,)).fetchone()
        if got is not None and str(got[0]) == row.content_hash:
            return False
        raise StoreError(
            f"{self.path}: another process stored a different version of {row.id!r} while this one was "
            "adding it; nothing of this batch was written: run the command again to replace it"
        )

    def pending(self) -> list[tuple[str, float | None]]:
        """``(id, published timestamp)`` of every staged article that has no membership yet."""
        rows = self._query(
            "SELECT a.id, a.published_ts FROM articles a "
            "WHERE NOT EXISTS (SELECT 1 FROM memberships m WHERE m.doc = a.doc)"
        )
        return [(str(i), None if t is None else float(t)) for i, t in rows]  # type: ignore[arg-type]

    def assign(
        self,
        db: sqlite3.Connection,
        membership: MembershipRow,
        band_keys: Sequence[bytes],
        *,
        features: bytes | None = None,
        embedding: bytes | None = None,
    ) -> None:
        """Record a staged article's story, make it findable by its band keys, and (when given) replace its
        features and keep its embedding for nearest-neighbour search; call inside `transaction`.
        """
        got = db.execute("SELECT doc FROM articles WHERE id = ?", (membership.article_id,)).fetchone()
        if got is None:
            raise StoreError(f"{self.path}: cannot assign {membership.article_id!r}: it is not staged")
        doc = int(got[0])
        if features is not None:
            db.execute("UPDATE articles SET features = ? WHERE doc = ?", (features, doc))
        db.executemany("INSERT OR IGNORE INTO bands (key, doc) VALUES (?, ?)", [(k, doc) for k in band_keys])
        seq = db.execute("SELECT coalesce(max(seq), 0) + 1 FROM memberships").fetchone()[0]
        db.execute(
            "INSERT OR REPLACE INTO memberships (doc, seq, story_id, matched_id, score, evidence) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (doc, seq, membership.story_id, membership.matched_id, membership.score, membership.evidence),
        )
        if embedding is not None:
            db.execute(
                "INSERT OR REPLACE INTO embeddings (doc, seq, vector) VALUES (?, ?, ?)", (doc, seq, embedding)
            )

    def assign_many(
        self, db: sqlite3.Connection, items: Sequence[tuple[MembershipRow, Sequence[bytes]]]
    ) -> None:
        """`assign` for many staged articles at once (no features or embeddings), in the order given; call
        inside `transaction`."""
        docs: dict[str, int] = {}
        for chunk in _chunks([m.article_id for m, _ in items], 500):
            marks = ",".join("?" * len(chunk))
            for id_, doc in db.execute(f"SELECT id, doc FROM articles WHERE id IN ({marks})", chunk):
                docs[str(id_)] = int(doc)
        missing = [m.article_id for m, _ in items if m.article_id not in docs]
        if missing:
            raise StoreError(f"{self.path}: cannot assign {missing[0]!r}: it is not staged")
        db.executemany(
            "INSERT OR IGNORE INTO bands (key, doc) VALUES (?, ?)",
            [(k, docs[m.article_id]) for m, keys in items for k in keys],
        )
        seq = int(db.execute("SELECT coalesce(max(seq), 0) + 1 FROM memberships").fetchone()[0])
        db.executemany(
            "INSERT OR REPLACE INTO memberships (doc, seq, story_id, matched_id, score, evidence) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            [
                (docs[m.article_id], seq + i, m.story_id, m.matched_id, m.score, m.evidence)
                for i, (m, _) in enumerate(items)
            ],
        )

    def assigned_features(self) -> Iterator[tuple[str, str, bytes]]:
        """``(id, story id, feature blob)`` of every assigned article, in assignment order (streamed)."""
        try:
            cur = self._db.execute(
                "SELECT a.id, m.story_id, a.features FROM memberships m JOIN articles a ON a.doc = m.doc "
                "ORDER BY m.seq"
            )
            for id_, story, blob in cur:
                yield str(id_), str(story), bytes(blob)
        except sqlite3.Error as exc:
            raise _explain(self.path, exc) from exc

    def assigned_count(self) -> int:
        return as_int(self._query("SELECT count(*) FROM memberships")[0][0])

    def embeddings(self) -> list[tuple[str, bytes]]:
        """``(id, vector blob)`` of every stored embedding, in assignment order."""
        rows = self._query(
            "SELECT a.id, e.vector FROM embeddings e JOIN articles a ON a.doc = e.doc ORDER BY e.seq"
        )
        return [(str(i), bytes(v)) for i, v in rows]  # type: ignore[call-overload]

    def drop_embedding(self, db: sqlite3.Connection, article_id: str) -> None:
        """Forget an article's embedding; call inside `transaction`."""
        db.execute(
            "DELETE FROM embeddings WHERE doc = (SELECT doc FROM articles WHERE id = ?)", (article_id,)
        )

    def delete(self, db: sqlite3.Connection, article_id: str) -> bool:
        """Delete an article with its band keys, membership and text; call inside `transaction`. False if absent."""
        db.execute(
            "DELETE FROM article_text WHERE rowid = (SELECT doc FROM articles WHERE id = ?)", (article_id,)
        )
        cur = db.execute("DELETE FROM articles WHERE id = ?", (article_id,))
        return cur.rowcount > 0

    def set_membership(self, db: sqlite3.Connection, m: MembershipRow) -> None:
        """Replace the membership of a stored article; call inside `transaction`."""
        db.execute(
            "UPDATE memberships SET story_id = ?, matched_id = ?, score = ?, evidence = ? "
            "WHERE doc = (SELECT doc FROM articles WHERE id = ?)",
            (m.story_id, m.matched_id, m.score, m.evidence, m.article_id),
        )

    def put_embedding(self, db: sqlite3.Connection, article_id: str, vector: bytes) -> None:
        """Keep (or replace) an assigned article's embedding; call inside `transaction`."""
        db.execute(
            "INSERT OR REPLACE INTO embeddings (doc, seq, vector) "
            "SELECT m.doc, m.seq, ? FROM memberships m JOIN articles a ON a.doc = m.doc WHERE a.id = ?",
            (vector, article_id),
        )

    def set_features(self, db: sqlite3.Connection, article_id: str, features: bytes) -> None:
        """Replace an article's feature blob; call inside `transaction`."""
        db.execute("UPDATE articles SET features = ? WHERE id = ?", (features, article_id))

    def all_members(self) -> list[tuple[str, ArticleRow]]:
        """``(story id, article row)`` of every assigned article, by story then assignment order."""
        rows = self._query(
            f"SELECT m.story_id, {ROW_COLUMNS.replace('id,', 'a.id,', 1)} FROM memberships m "
            "JOIN articles a ON a.doc = m.doc ORDER BY m.story_id, m.seq"
        )
        return [(str(r[0]), article_row(r[1:], self._damage)) for r in rows]

    def article(self, article_id: str) -> ArticleRow | None:
        rows = self._query(f"SELECT {ROW_COLUMNS} FROM articles WHERE id = ?", (article_id,))
        return article_row(rows[0], self._damage) if rows else None

    def text(self, article_id: str) -> str | None:
        """The stored body of an article as read; ``None`` when the article is absent or was stored before
        texts were kept (schema version 1)."""
        rows = self._query(
            "SELECT t.text FROM article_text t JOIN articles a ON t.rowid = a.doc WHERE a.id = ?",
            (article_id,),
        )
        return str(rows[0][0]) if rows else None

    def texts(self, ids: Sequence[str]) -> dict[str, str]:
        """`text` of each of ``ids`` that has a stored text."""
        sql = "SELECT a.id, t.text FROM article_text t JOIN articles a ON t.rowid = a.doc WHERE a.id IN ({})"
        return {str(i): str(text) for i, text in self._by_ids(sql, ids)}

    def mentions(self, ids: Sequence[str], fmt: int) -> dict[str, str]:
        """The kept claims mentions (`samestory.claims.VersionMentions` JSON) in layout ``fmt`` of each of
        ``ids`` that has them."""
        sql = (
            "SELECT a.id, x.data FROM article_mentions x JOIN articles a ON x.doc = a.doc "
            "WHERE x.format = ? AND a.id IN ({})"
        )
        return {str(i): str(data) for i, data in self._by_ids(sql, ids, (fmt,))}

    def lacking_mentions(self, fmt: int) -> list[str]:
        """Ids of the members of stories of two or more articles without kept mentions in layout ``fmt`` (none,
        or kept by a samestory that found them otherwise), by story."""
        rows = self._query(
            "SELECT a.id FROM memberships m JOIN articles a ON a.doc = m.doc "
            "WHERE m.story_id IN (SELECT story_id FROM memberships GROUP BY story_id HAVING count(*) > 1) "
            "AND NOT EXISTS (SELECT 1 FROM article_mentions x WHERE x.doc = m.doc AND x.format = ?) "
            "ORDER BY m.story_id, m.seq",
            (fmt,),
        )
        return [str(r[0]) for r in rows]

    def put_mentions(self, db: sqlite3.Connection, article_id: str, fmt: int, data: str) -> None:
        """Keep the claims mentions (layout ``fmt``) of a stored article; call inside `transaction`."""
        db.execute(
            "INSERT OR REPLACE INTO article_mentions (doc, format, data) SELECT doc, ?, ? FROM articles WHERE id = ?",
            (fmt, data, article_id),
        )

    def articles(self, ids: Sequence[str]) -> dict[str, ArticleRow]:
        rows = (
            article_row(r, self._damage)
            for r in self._by_ids(f"SELECT {ROW_COLUMNS} FROM articles WHERE id IN ({{}})", ids)
        )
        return {row.id: row for row in rows}

    def features(self, ids: Sequence[str]) -> dict[str, bytes]:
        """The feature blobs of the stored ``ids`` (absent ids are left out)."""
        rows = self._by_ids("SELECT id, features FROM articles WHERE id IN ({})", ids)
        return {str(i): bytes(blob) for i, blob in rows}  # type: ignore[call-overload]

    # -- memberships and stories -----------------------------------------------------------------------

    def membership(self, article_id: str) -> MembershipRow | None:
        rows = self._query(
            "SELECT a.id, m.story_id, m.matched_id, m.score, m.evidence FROM memberships m "
            "JOIN articles a ON a.doc = m.doc WHERE a.id = ?",
            (article_id,),
        )
        return membership_row(rows[0], self._damage) if rows else None

    def story_of(self, ids: Sequence[str]) -> dict[str, str]:
        """The story id of each stored article of ``ids``."""
        sql = "SELECT a.id, m.story_id FROM memberships m JOIN articles a ON a.doc = m.doc WHERE a.id IN ({})"
        return {str(i): str(story) for i, story in self._by_ids(sql, ids)}

    def members(self, story_id: str) -> list[MembershipRow]:
        """The memberships of one story, in the order the articles were assigned."""
        rows = self._query(
            "SELECT a.id, m.story_id, m.matched_id, m.score, m.evidence FROM memberships m "
            "JOIN articles a ON a.doc = m.doc WHERE m.story_id = ? ORDER BY m.seq",
            (story_id,),
        )
        return [membership_row(r, self._damage) for r in rows]

    def story_ids(self) -> list[tuple[str, int]]:
        """Every story id with its size, largest first, then by id (a stable order)."""
        rows = self._query(
            "SELECT story_id, count(*) AS n FROM memberships GROUP BY story_id ORDER BY n DESC, story_id"
        )
        return [(str(s), as_int(n)) for s, n in rows]

    def integrity(self) -> str:
        """``PRAGMA integrity_check``: "ok" when the file is sound."""
        return str(self._query("PRAGMA integrity_check")[0][0])

    # -- rows ------------------------------------------------------------------------------------------

    def _damage(self, article_id: object, what: str, value: object) -> None:
        note = f"{self.path}: article {str(article_id)!r} has a damaged {what} ({str(value)[:40]!r}); read as missing"
        if note not in self.damaged:
            self.damaged.append(note)


def _chunks(items: list[str], size: int) -> Iterator[list[str]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _statements(script: str) -> list[str]:
    return [s.strip() for s in script.split(";") if s.strip()]


__all__ = ["ArticleRow", "MembershipRow", "Store", "published_ts", "schema_version"]
