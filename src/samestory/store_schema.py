"""The store's schema: numbered, append-only migrations (`samestory.store.Store` applies them in order).

Tables (schema version 1)::

    schema_version(version)                  one row: the migration last applied
    meta(key, value)                         settings the index was built with (config, encoder)
    articles(doc, id, content_hash, title, source, url, lang, published, published_ts, length,
             snippet, features)              one row per stored article; ``doc`` is a compact integer key
    bands(key, doc)                          LSH band keys, primary key (key, doc): a look-up is one seek
    memberships(doc, seq, story_id, matched_id, score, evidence)
                                             which story each article joined (``seq``: the order in which
                                             articles were assigned), which member it matched, and why
    embeddings(doc, seq, vector)             embeddings of founders and hard documents (the embedding cascade's search pool)

Schema version 4 adds ``story_claims(story_id, format, members, data)``: the finished claims table of each story
of two or more versions (`samestory.claims.ClaimsTable` as JSON, layout ``format``:
`samestory.claims_store.CLAIMS_FORMAT`), stamped with a digest of its members (``members``), kept by
`samestory.index.Index` after each add and remove; a reader uses it only while the stamp matches the story.

Schema version 3 adds ``article_mentions(doc, format, data)``: the claims-table mentions of an article
(`samestory.claims.VersionMentions`, JSON, in layout ``format``: `samestory.claims.MENTIONS_FORMAT`), kept by `samestory.index.Index` for the members of stories of two
or more versions, so that the web viewer builds a story's claims table without searching every text again.

Schema version 2 adds ``article_text(title, text)``, an FTS5 table keyed by ``rowid = articles.doc`` that keeps
each article's title and body as read (for search and for showing and comparing stored articles). Articles
stored under version 1 have no row there (their text was never kept): readers fall back to title and snippet.
"""

from __future__ import annotations

#: Numbered migrations: ``(version, script)``. Append, never edit: a database records the last one applied.
MIGRATIONS: list[tuple[int, str]] = [
    (
        1,
        """
        CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        CREATE TABLE articles (
            doc INTEGER PRIMARY KEY,
            id TEXT NOT NULL UNIQUE,
            content_hash TEXT NOT NULL,
            title TEXT NOT NULL DEFAULT '',
            source TEXT NOT NULL DEFAULT '',
            url TEXT NOT NULL DEFAULT '',
            lang TEXT NOT NULL DEFAULT 'und',
            published TEXT,
            published_ts REAL,
            length INTEGER NOT NULL DEFAULT 0,
            snippet TEXT NOT NULL DEFAULT '',
            features BLOB NOT NULL
        );
        CREATE INDEX articles_published ON articles(published_ts);
        CREATE TABLE bands (
            key BLOB NOT NULL,
            doc INTEGER NOT NULL REFERENCES articles(doc) ON DELETE CASCADE,
            PRIMARY KEY (key, doc)
        ) WITHOUT ROWID;
        CREATE INDEX bands_doc ON bands(doc);
        CREATE TABLE memberships (
            doc INTEGER PRIMARY KEY REFERENCES articles(doc) ON DELETE CASCADE,
            seq INTEGER NOT NULL,
            story_id TEXT NOT NULL,
            matched_id TEXT,
            score REAL NOT NULL,
            evidence TEXT
        );
        CREATE INDEX memberships_story ON memberships(story_id, seq);
        CREATE UNIQUE INDEX memberships_seq ON memberships(seq);
        CREATE TABLE embeddings (
            doc INTEGER PRIMARY KEY REFERENCES articles(doc) ON DELETE CASCADE,
            seq INTEGER NOT NULL,
            vector BLOB NOT NULL
        );
        """,
    ),
    (
        2,
        """
        CREATE VIRTUAL TABLE article_text USING fts5(title, text, tokenize = 'unicode61 remove_diacritics 2');
        """,
    ),
    (
        3,
        """
        CREATE TABLE article_mentions (
            doc INTEGER PRIMARY KEY REFERENCES articles(doc) ON DELETE CASCADE,
            format INTEGER NOT NULL,
            data TEXT NOT NULL
        );
        """,
    ),
    (
        4,
        """
        CREATE TABLE story_claims (
            story_id TEXT PRIMARY KEY,
            format INTEGER NOT NULL,
            members TEXT NOT NULL,
            data TEXT NOT NULL
        );
        """,
    ),
]


__all__ = ["MIGRATIONS"]
