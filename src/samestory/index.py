"""`Index`: a persistent corpus of articles grouped into stories, in one SQLite file.

The index runs the corpus engine's online step (`samestory.corpus.step.decide`) over its SQLite store: per
document, candidates share keys (`candidates.lsh_keys`, chosen by `candidates.select_candidates`), each is
checked by `verify`, the verified ones go to `StoryAssigner.assign`, and a document that finds no story is
embedded (when an encoder is set) and compared with the embedded documents by nearest neighbours. Only the
look-ups differ from the in-memory state: SQLite tables instead of dictionaries. Documents are processed in the
engine's order (`order_key`: published, then id), so one ``add`` of a batch gives the same stories as
`cluster_batch` on that batch.

>>> import tempfile, pathlib
>>> from samestory.ingest import from_text
>>> with Index(pathlib.Path(tempfile.mkdtemp()) / "s.db") as ix:
...     m = ix.add([from_text("Officials met in Moscow on Monday to sign the deal.", id="a")])
...     [s.id for s in ix.stories()]
['a']
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from samestory.engines.local import local_engine
from samestory.errors import InputError, StoreError
from samestory.store import Store
from samestory.store_keys import posting_sizes, shared_keys
from samestory.stories import (
    AddReport,
    Story,
    StorySummary,
    article_row,
    config_from_json,
    config_to_json,
    content_hash,
    explain_story,
    membership_from_row,
    membership_to_row,
    summarize_stories,
)

if TYPE_CHECKING:
    import sqlite3

    import numpy as np
    import numpy.typing as npt

    from samestory.article import Article
    from samestory.corpus.candidates import EmbeddingIndex
    from samestory.corpus.cluster import Membership, StoryAssigner
    from samestory.corpus.config import CorpusConfig
    from samestory.corpus.features import DocFeatures
    from samestory.corpus.step import Decision
    from samestory.embed.base import Encoder
    from samestory.engines.base import Engine

#: articles staged (and committed) per transaction while reading input, and assigned per transaction
BATCH = 256
#: feature blobs kept decoded in memory while adding (about 4 KB each)
CACHE_DOCS = 20_000
#: an add with at least this many pending articles, into an index holding no more assigned articles than
#: that, runs the engine in memory (`corpus.bulk`: the same memberships) and writes in batches of BULK_BATCH
BULK_MIN = 500
BULK_BATCH = 1024

#: ``progress(stage, done, total)``: stage is "read" (total unknown: None) or "assign"
Progress = Callable[[str, int, int | None], None]


class Index:
    """A corpus index in one SQLite file (created when missing), grouping articles into stories.

    ``config`` is recorded the first time articles are added; a non-empty index keeps its settings, and
    asking for different ones raises `StoreError` (the stored features would not be comparable).
    ``window`` restricts candidates to articles published within that time of the new one (articles with
    no date are always candidates). ``read_only`` opens the file without writing (for `match`, `stories`).
    ``encoder`` overrides the one named by ``config.encoder`` (an already loaded model, or a test double).
    ``workers`` > 1 (0 = one per core) featurises large adds and
    verifies the bulk engine's candidate pairs in that many processes; ``engine`` (any
    `samestory.engines.Engine`) runs those stages instead. The stored result is the same.
    """

    def __init__(
        self,
        path: str | Path = "samestory.db",
        config: CorpusConfig | None = None,
        *,
        window: timedelta | None = None,
        read_only: bool = False,
        encoder: Encoder | None = None,
        workers: int = 1,
        engine: Engine | None = None,
    ) -> None:
        self.engine = engine or local_engine(workers)  # checks ``workers`` before the file is touched
        self.store = Store(path, read_only=read_only)
        try:
            self.config = self._resolve_config(config)
        except BaseException:
            self.store.close()
            raise
        self.window = window
        self._encoder: Encoder | None = encoder
        self._encoder_loaded = encoder is not None
        self._emb: EmbeddingIndex | None = None
        self._cache: OrderedDict[str, DocFeatures] = OrderedDict()
        self._story_cache: dict[str, list[str]] = {}
        self._assigned_count = 0
        self._assigner: StoryAssigner | None = None

    # -- lifecycle -------------------------------------------------------------------------------------

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> Index:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __len__(self) -> int:
        return self.store.count()

    def __contains__(self, article_id: object) -> bool:
        return isinstance(article_id, str) and self.store.article(article_id) is not None

    def _resolve_config(self, config: CorpusConfig | None) -> CorpusConfig:
        from samestory.corpus.config import CorpusConfig

        stored = self.store.get_meta("config")
        if stored is None:
            return config if config is not None else CorpusConfig()
        if config is not None and (config_to_json(config) == stored or self.store.count() == 0):
            return config
        recorded = config_from_json(stored)
        if config is not None:
            raise StoreError(
                f"{self.store.path}: the index was built with other settings ({stored}) "
                f"than those asked for ({config_to_json(config)}); use the same settings (e.g. the same "
                "--encoder) or another --db"
            )
        return recorded

    @property
    def encoder(self) -> Encoder | None:
        """The encoder named by the config (loaded on first use), or ``None`` in lexical-only mode."""
        if not self._encoder_loaded:
            from samestory.embed.base import get_encoder

            self._encoder = get_encoder(self.config.encoder)
            self._encoder_loaded = True
        return self._encoder

    # -- features --------------------------------------------------------------------------------------

    def _features(self, ids: Sequence[str]) -> dict[str, DocFeatures]:
        from samestory.corpus.features import DocFeatures

        out: dict[str, DocFeatures] = {}
        missing: list[str] = []
        for i in ids:
            doc = self._cache.get(i)
            if doc is None:
                missing.append(i)
            else:
                out[i] = doc
        if missing:
            for i, blob in self.store.features(missing).items():
                doc = DocFeatures.from_bytes(blob)
                out[i] = doc
                self._remember(doc)
        return out

    def _remember(self, doc: DocFeatures) -> None:
        self._cache[doc.id] = doc
        self._cache.move_to_end(doc.id)
        while len(self._cache) > CACHE_DOCS:
            self._cache.popitem(last=False)

    def _story_members(self, story_id: str) -> Sequence[DocFeatures]:
        ids = self._story_cache.get(story_id)
        if ids is None:
            ids = [r.article_id for r in self.store.members(story_id)]
            if len(self._story_cache) > CACHE_DOCS:
                self._story_cache.clear()
            self._story_cache[story_id] = ids
        feats = self._features(ids)
        return [feats[i] for i in ids if i in feats]

    def _embedding_index(self) -> EmbeddingIndex | None:
        if self._emb is None:
            import numpy as np

            from samestory.corpus.candidates import EmbeddingIndex

            for i, blob in self.store.embeddings():
                vec = np.frombuffer(blob, dtype="<f4").astype(np.float32)
                if self._emb is None:
                    self._emb = EmbeddingIndex(vec.shape[0])
                self._emb.add(i, vec)
        return self._emb

    def _state(self, db: sqlite3.Connection | None = None) -> _StoreState:
        from samestory.corpus.cluster import StoryAssigner

        if self._assigner is None:  # one assigner: it caches story cohesion and pair scores between documents
            self._assigner = StoryAssigner(self.config)
        return _StoreState(self, db)

    def _decide(self, doc: DocFeatures, state: _StoreState) -> Decision:
        from samestory.corpus.step import decide

        assert self._assigner is not None
        return decide(doc, state, self._assigner, encoder=self.encoder, window=self.window)

    # -- adding ----------------------------------------------------------------------------------------

    def add(self, articles: Iterable[Article], *, progress: Progress | None = None) -> list[Membership]:
        """Add articles and return the membership of each, in input order.

        Articles already stored with the same content are not processed again (their stored membership is
        returned); an article whose id is stored with other content replaces it.
        """
        return self.add_report(articles, progress=progress).memberships

    def add_report(
        self,
        articles: Iterable[Article | BaseException],
        *,
        progress: Progress | None = None,
        on_error: Callable[[BaseException], None] | None = None,
        keep_memberships: bool = True,
    ) -> AddReport:
        """`add`, with counts. Input errors (items that are exceptions, e.g. from `read_paths`) go to
        ``on_error`` (they are raised when it is ``None``); the other articles are still added.

        Crash-safe: articles are committed in batches of `BATCH` as they are read (staged), then assigned
        to stories in the engine's order, again committing in batches. A killed run leaves a consistent
        file; the next add skips what was stored and finishes assigning what was staged.

        ``keep_memberships=False`` leaves `AddReport.memberships` empty, so that adding millions of
        articles does not hold a membership per article in memory.
        """
        report = AddReport()
        order: list[str] = []
        # the features staged by this call, for the bulk engine (lexical only) not to read them back
        staged: dict[str, DocFeatures] | None = (
            {} if self.config.encoder is None and self._encoder is None else None
        )
        self._stage_all(articles, report, order if keep_memberships else None, progress, on_error, staged)
        assigned = self._assign_pending(progress, staged or {}, keep=keep_memberships)
        self._keep_claims(progress)
        report.resumed = max(0, self._assigned_count - report.added - report.replaced)
        if not keep_memberships:
            return report
        stored = dict(assigned)
        missing = [i for i in dict.fromkeys(order) if i not in stored]
        for i in missing:
            row = self.store.membership(i)
            if row is not None:
                stored[i] = membership_from_row(row)
        report.memberships = [stored[i] for i in order if i in stored]
        return report

    def _stage_all(
        self,
        articles: Iterable[Article | BaseException],
        report: AddReport,
        order: list[str] | None,
        progress: Progress | None,
        on_error: Callable[[BaseException], None] | None,
        staged: dict[str, DocFeatures] | None = None,
    ) -> None:
        from samestory.corpus.features import batch_for, featurize_articles

        batch: list[Article] = []
        seen = 0
        size = batch_for(self.engine, BATCH)  # staged (committed) per batch; a pool needs larger ones

        def flush() -> None:
            if not batch:
                return
            known = self.store.content_hashes([a.id for a in batch])
            fresh: dict[str, tuple[Article, str]] = {}
            for a in batch:
                h = content_hash(a)
                if known.get(a.id) == h:
                    report.skipped += 1
                elif a.id in fresh:
                    fresh[a.id] = (a, h)  # the later version of a repeated id wins
                else:
                    fresh[a.id] = (a, h)
            replaced = [i for i in fresh if i in known]
            for i in replaced:
                self.remove(i)
            report.replaced += len(replaced)
            report.added += len(fresh) - len(replaced)
            arts = [a for a, _ in fresh.values()]
            feats = featurize_articles(arts, self.config, engine=self.engine)
            rows = list(zip(arts, [h for _, h in fresh.values()], feats, strict=True))
            with self.store.transaction() as db:
                wanted = config_to_json(self.config)
                if self.store.get_meta("config") != wanted:  # new, or still empty (checked on open)
                    self.store.set_meta(db, "config", wanted)
                for a, h, doc in rows:
                    self.store.stage(db, article_row(a, h, doc.length), doc.to_bytes())
            if staged is not None:
                staged.update((doc.id, doc) for _, _, doc in rows)
            batch.clear()

        for item in articles:
            if isinstance(item, BaseException):
                if on_error is None:
                    raise item
                on_error(item)
                continue
            if order is not None:
                order.append(item.id)
            batch.append(item)
            seen += 1
            if len(batch) >= size:
                flush()
                if progress is not None:
                    progress("read", seen, None)
        flush()
        if progress is not None:
            progress("read", seen, seen)

    def _keep_mentions(self, progress: Progress | None) -> None:
        """Keep the claims-table mentions (`samestory.claims.VersionMentions`) of every member of a story of
        two or more articles that has none in the current layout yet (new members; after the migration to
        schema version 3, or a samestory that finds mentions otherwise, every such member), so that the viewer's claims table of a story reads them instead of searching
        every text per request. Singletons are left out: most articles are, and their table is one text."""
        from samestory.claims import MENTIONS_FORMAT, mentions_of
        from samestory.stories import stored_article

        lacking = self.store.lacking_mentions(MENTIONS_FORMAT)
        for k in range(0, len(lacking), BATCH):
            chunk = lacking[k : k + BATCH]
            rows = self.store.articles(chunk)
            texts = self.store.texts(chunk)
            found = [
                (i, mentions_of(stored_article(rows[i], texts.get(i))).to_json()) for i in chunk if i in rows
            ]
            with self.store.transaction() as db:
                for i, data in found:
                    self.store.put_mentions(db, i, MENTIONS_FORMAT, data)
            if progress is not None:
                progress("claims", k + len(chunk), len(lacking))

    def _keep_claims(self, progress: Progress | None) -> None:
        """Keep the claims mentions of new members, then the claims table of every changed story."""
        from samestory.claims_store import keep_story_claims

        self._keep_mentions(progress)
        keep_story_claims(self.store, progress)

    def _assign_pending(
        self, progress: Progress | None, staged: Mapping[str, DocFeatures], *, keep: bool = True
    ) -> dict[str, Membership]:
        pending = self.store.pending()
        self._assigned_count = len(pending)
        if not pending:
            return {}
        # the engine's order_key, from the stored timestamps: dated by time, then undated; ties by id
        pending.sort(key=lambda p: (1, 0.0, p[0]) if p[1] is None else (0, p[1], p[0]))
        ids = [p[0] for p in pending]
        if len(ids) >= BULK_MIN and self.store.assigned_count() <= len(ids):
            return self._assign_bulk(ids, progress, staged, keep=keep)
        out: dict[str, Membership] = {}
        for lo in range(0, len(ids), BATCH):
            chunk = ids[lo : lo + BATCH]
            feats = self._features(chunk)
            with self.store.transaction() as db:
                state = self._state(db)
                for i in chunk:
                    decision = self._decide(feats[i], state)
                    state.record(decision)
                    if keep:
                        out[i] = decision.membership
                        out.update(
                            (m.article_id, m) for m in decision.regrouping.changed if m.article_id in out
                        )
            if progress is not None:
                progress("assign", min(lo + BATCH, len(ids)), len(ids))
        return out

    def _assign_bulk(
        self, ids: list[str], progress: Progress | None, staged: Mapping[str, DocFeatures], *, keep: bool
    ) -> dict[str, Membership]:
        """`_assign_pending` for a large add: the bulk engine over the stored and the pending articles in
        memory (the same online step; candidates found up front), the decisions written in order, `BULK_BATCH`
        per transaction (a killed run leaves a prefix assigned, and the next add finishes the rest, by either
        path, with the same result)."""
        from samestory.corpus.bulk import BulkClusterer, key_matrix
        from samestory.corpus.features import DocFeatures

        seeded: list[DocFeatures] = []
        seeded_stories: list[str] = []
        for _, story, blob in self.store.assigned_features():
            seeded.append(DocFeatures.from_bytes(blob))
            seeded_stories.append(story)
        feats = self._features([i for i in ids if i not in staged])  # staged by an earlier, interrupted add
        ordered = [staged.get(i) or feats[i] for i in ids]  # already in the engine's order
        keys = key_matrix([*seeded, *ordered], self.config)
        engine = BulkClusterer(self.config, window=self.window, engine=self.engine, encoder=self.encoder)
        out: dict[str, Membership] = {}
        decisions: list[Decision] = []
        done = 0

        def flush() -> None:
            nonlocal done
            with self.store.transaction() as db:
                state = self._state(db)
                for decision in decisions:
                    state.record(decision)
            done += len(decisions)
            decisions.clear()
            if progress is not None:
                progress("assign", done, len(ids))

        for decision in engine.run(ordered, seeded=seeded, seeded_stories=seeded_stories, keys=keys):
            decisions.append(decision)
            if keep:
                out[decision.doc.id] = decision.membership
                out.update((m.article_id, m) for m in decision.regrouping.changed if m.article_id in out)
            if len(decisions) >= BULK_BATCH:
                flush()
        if decisions:
            flush()
        self._story_cache.clear()
        self._emb = None
        return out

    # -- removing --------------------------------------------------------------------------------------

    def remove(self, article_id: str) -> None:
        """Delete an article; the rest of its story is clustered again (it may split without it).

        Raises `InputError` when the id is not in the index.
        """
        from samestory.corpus.bulk import BulkClusterer

        row = self.store.membership(article_id)
        if row is None and self.store.article(article_id) is None:
            raise InputError(
                f"no article with id {article_id!r} in {self.store.path}; list ids with `samestory stories`"
            )
        rest: list[str] = []
        if row is not None:
            rest = [m.article_id for m in self.store.members(row.story_id) if m.article_id != article_id]
        feats = self._features(rest)
        engine = BulkClusterer(self.config, encoder=self.encoder)
        redone = engine.cluster([feats[i] for i in rest if i in feats])
        state = engine.state
        with self.store.transaction() as db:
            self.store.delete(db, article_id)
            for m in redone:
                self.store.set_membership(db, membership_to_row(m))
                doc = state.docs[m.article_id]
                if doc.embedding is not None and feats[m.article_id].embedding is None:
                    self.store.set_features(db, m.article_id, doc.to_bytes())
                if m.article_id in state.in_search and doc.embedding is not None:
                    self.store.put_embedding(db, m.article_id, doc.embedding.astype("<f4").tobytes())
                else:
                    self.store.drop_embedding(db, m.article_id)
        # caches may now be stale
        self._cache.clear()
        self._story_cache.clear()
        self._emb = None
        self._assigner = None  # its cohesion cache is keyed by member ids, which may now hold other content
        self._keep_claims(None)

    # -- reading ---------------------------------------------------------------------------------------

    def match(self, article: Article) -> Membership:
        """The story ``article`` would join, with evidence, without storing anything.

        A founding membership (``matched_id=None``, story id = the article's id) means it joins no story.
        """
        from samestory.corpus.features import featurize

        return self._decide(featurize(article, self.config), self._state()).membership

    def membership(self, article_id: str) -> Membership | None:
        """The stored membership of an article, or ``None`` when it is not in the index."""
        row = self.store.membership(article_id)
        return membership_from_row(row) if row is not None else None

    def story_id_of(self, article_id: str) -> str | None:
        row = self.store.membership(article_id)
        return row.story_id if row is not None else None

    def story_count(self) -> int:
        """How many stories the index holds."""
        return len(self.store.story_ids())

    def stories(self) -> list[StorySummary]:
        """Every story, largest first (ties by id), with its earliest version, languages and sources."""
        return summarize_stories(self.store.all_members())

    def story(self, story_or_article_id: str) -> Story:
        """One story with every member explained; an article id gives the story that article is in.

        Raises `InputError` when neither a story nor an article has that id.
        """
        rows = self.store.members(story_or_article_id)
        if not rows:
            owner = self.store.membership(story_or_article_id)
            if owner is None:
                raise InputError(
                    f"no story or article with id {story_or_article_id!r} in {self.store.path}; "
                    "list stories with `samestory stories`"
                )
            rows = self.store.members(owner.story_id)
        ids = [r.article_id for r in rows]
        return explain_story(rows, self.store.articles(ids), self._features(ids))

    def iter_memberships(self) -> Iterator[Membership]:
        """Every stored membership, by story then assignment order."""
        for story in self.store.story_ids():
            for row in self.store.members(story[0]):
                yield membership_from_row(row)


class _StoreState:
    """The `samestory.corpus.step.CorpusState` of an `Index`: look-ups in its SQLite store (through the
    index's caches); `record` writes a decision inside the transaction ``db``."""

    def __init__(self, index: Index, db: sqlite3.Connection | None) -> None:
        self.index = index
        self.db = db

    def candidates(
        self, doc: DocFeatures, keys: Sequence[bytes], bounds: tuple[float, float] | None
    ) -> list[str]:
        import numpy as np

        from samestory.corpus.candidates import is_key_term, key_term_bounds, select_candidates

        cfg, store = self.index.config, self.index.store
        terms = [k for k in keys if is_key_term(k)]
        within = key_term_bounds(doc, cfg)
        sizes = posting_sizes(store, terms, cfg.key_term_max_df, within)
        terms = [k for k, n in zip(terms, sizes, strict=True) if n <= cfg.key_term_max_df]
        lsh = [k for k in keys if not is_key_term(k)]
        found = shared_keys(store, [lsh, terms], window=bounds, exclude=doc.id, group_within=[None, within])
        if not found:
            return []
        ids = [i for i, _ in found]
        counts = np.array([c for _, c in found], dtype=np.int64).reshape(-1, 2)
        return [ids[int(i)] for i in select_candidates(np.array(ids), counts[:, 0], counts[:, 1], cfg)]

    def features(self, ids: Sequence[str]) -> Mapping[str, DocFeatures]:
        return self.index._features(ids)

    def story_of(self, ids: Sequence[str]) -> Mapping[str, str]:
        return self.index.store.story_of(list(ids))

    def members(self, story_id: str) -> Sequence[DocFeatures]:
        return self.index._story_members(story_id)

    def nearest(self, vector: npt.NDArray[np.float32], k: int) -> list[str]:
        emb = self.index._embedding_index()
        return [] if emb is None else [i for i, _ in emb.query(vector, k=k)]

    def record(self, decision: Decision) -> None:
        """Store ``decision`` (its membership, keys, the regrouping's changes; the features when the step
        embedded the document, the embedding when it goes into the search)."""
        index, db = self.index, self.db
        if db is None:
            raise StoreError(f"{index.store.path}: a decision is recorded inside a transaction")
        doc = decision.doc
        membership = decision.membership
        vector = doc.embedding.astype("<f4").tobytes() if doc.embedding is not None else None
        index.store.assign(
            db,
            membership_to_row(membership),
            decision.keys,
            features=doc.to_bytes() if decision.embedded else None,
            embedding=vector if decision.searchable else None,
        )
        index._remember(doc)
        index._story_cache.setdefault(membership.story_id, []).append(doc.id)
        for m in decision.regrouping.changed:
            index.store.set_membership(db, membership_to_row(m))
        for story_id in decision.regrouping.stories:
            index._story_cache.pop(story_id, None)  # read again: members in assignment order
        if decision.searchable and doc.embedding is not None:
            emb = index._embedding_index()
            if emb is not None:
                emb.add(doc.id, doc.embedding)
