"""Deduplicate a news corpus: keep one version per story (and language), and say what was removed and why.

Stories come from the corpus engine (`samestory.corpus.cluster.cluster_batch`); this module only decides
which member of each group is kept and writes the outputs:

- the kept version is the earliest dated one (the likely original); in a group with no dates, the longest
  (the most complete); ties by id;
- by default a group is one story *in one language*: a translation is not a duplicate of its original
  (``across_languages=True`` keeps a single version per story);
- every removed article gets a line in the map: which version was kept in its place, the story, the kind of
  version (reprint, rewrite, translation), the pair score and evidence against the kept version, and the
  member it originally matched.

Reading is streamed twice (features first, then the kept articles are copied out), so article texts are
never all held in memory; stdin (``-``) is read once and kept aside for the second pass.
"""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from samestory.article import utc_timestamp
from samestory.errors import InputError, OutputError
from samestory.outfile import atomic_write

if TYPE_CHECKING:
    from samestory.article import Article
    from samestory.corpus.cluster import Membership
    from samestory.corpus.config import CorpusConfig
    from samestory.corpus.features import DocFeatures
    from samestory.embed.base import Encoder
    from samestory.ingest.options import ReadOptions

#: ``progress(stage, done, total)``: stage is "read", "cluster" or "write"
Progress = Callable[[str, int, int | None], None]


@dataclass(frozen=True, slots=True)
class Removal:
    """One removed article: the version kept in its place, and why they are the same story."""

    removed_id: str
    kept_id: str
    story_id: str
    kind: str
    score: float
    reason: str
    evidence: dict[str, Any] | None
    matched_id: str | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "removed": self.removed_id,
            "kept": self.kept_id,
            "story_id": self.story_id,
            "kind": self.kind,
            "score": round(self.score, 4),
            "reason": self.reason,
            "evidence": self.evidence,
            "matched_id": self.matched_id,
        }


@dataclass(slots=True)
class DedupPlan:
    """Which ids are kept and which are removed (with the reason), in input order."""

    kept: list[str] = field(default_factory=list)
    removed: list[Removal] = field(default_factory=list)
    stories: int = 0
    errors: int = 0

    @property
    def removed_ids(self) -> set[str]:
        return {r.removed_id for r in self.removed}


def _keep_key(doc: DocFeatures, any_dated: bool) -> tuple[int, float, int, str]:
    if any_dated:
        if doc.published is None:
            return (1, 0.0, -doc.length, doc.id)
        return (0, utc_timestamp(doc.published), -doc.length, doc.id)
    return (0, 0.0, -doc.length, doc.id)


def plan(
    docs: Sequence[DocFeatures],
    cfg: CorpusConfig,
    *,
    encoder: Encoder | None = None,
    across_languages: bool = False,
    memberships: Sequence[Membership] | None = None,
) -> DedupPlan:
    """Decide what to keep: one version per story (per language unless ``across_languages``).

    ``docs`` must have distinct ids. ``memberships`` (from `cluster_batch`) are computed when not given.
    """
    from samestory.corpus.cluster import cluster_batch
    from samestory.corpus.verify import verify

    if memberships is None:
        if encoder is None and len(docs) >= cfg.exhaustive_below:
            from samestory.corpus.bulk import cluster_bulk  # the same memberships, candidates found up front

            memberships = cluster_bulk(docs, cfg)
        else:
            memberships = cluster_batch(docs, cfg, encoder)
    by_id = {d.id: d for d in docs}
    member_of = {m.article_id: m for m in memberships}
    groups: dict[tuple[str, str], list[DocFeatures]] = {}
    for m in memberships:
        doc = by_id[m.article_id]
        lang = "" if across_languages else doc.lang
        groups.setdefault((m.story_id, lang), []).append(doc)
    out = DedupPlan(stories=len({m.story_id for m in memberships}))
    kept: set[str] = set()
    for (story_id, _), members in groups.items():
        any_dated = any(d.published is not None for d in members)
        keep = min(members, key=lambda d: _keep_key(d, any_dated))
        kept.add(keep.id)
        for d in members:
            if d.id == keep.id:
                continue
            ev = verify(d, keep, cfg)
            how = "the earliest version" if any_dated else "the longest version"
            via = member_of[d.id].matched_id
            chain = f"; joined the story via {via}" if via not in (None, keep.id) else ""
            out.removed.append(
                Removal(
                    removed_id=d.id,
                    kept_id=keep.id,
                    story_id=story_id,
                    kind=ev.kind,
                    score=ev.score,
                    reason=f"same story as {keep.id} ({how} kept); {ev.kind}, pair score {ev.score:.2f}{chain}",
                    evidence=ev.to_dict(),
                    matched_id=member_of[d.id].matched_id,
                )
            )
    order = {d.id: i for i, d in enumerate(docs)}
    out.kept = sorted(kept, key=order.__getitem__)
    out.removed.sort(key=lambda r: order[r.removed_id])
    return out


def article_record(article: Article) -> dict[str, Any]:
    """A JSON-ready record of an article, as read: id, title, text, lang, published, source, url, meta."""
    meta = {}
    for k, v in article.meta.items():
        try:
            json.dumps(v)
        except (TypeError, ValueError):
            v = str(v)
        meta[k] = v
    return {
        "id": article.id,
        "title": article.title,
        "text": article.text,
        "lang": article.lang,
        "published": article.published.isoformat() if article.published else None,
        "source": article.source,
        "url": article.url,
        "meta": meta,
    }


def dedup_paths(
    paths: Sequence[str | Path],
    out: str | Path,
    map_path: str | Path,
    *,
    cfg: CorpusConfig | None = None,
    encoder: Encoder | None = None,
    options: ReadOptions | None = None,
    across_languages: bool = False,
    progress: Progress | None = None,
    on_error: Callable[[InputError], None] | None = None,
    workers: int = 1,
) -> DedupPlan:
    """Read ``paths``, write the kept articles to ``out`` (JSONL) and one line per removed article to
    ``map_path`` (JSONL). Input errors go to ``on_error`` and are counted; the rest is processed.

    A repeated id keeps its first record; the later ones are removed with the reason "repeated id".
    Both outputs are written to temporary files and renamed at the end, so a failed run leaves no half file.
    ``workers`` > 1 (0 = one per core) featurises in that many processes (the same result).
    """
    from samestory.corpus.config import CorpusConfig
    from samestory.corpus.features import batch_for, featurize_articles
    from samestory.ingest import read_paths

    cfg = cfg or CorpusConfig()
    docs: list[DocFeatures] = []
    seen: set[str] = set()
    repeats: list[Removal] = []
    errors = 0
    batch: list[Article] = []

    def flush() -> None:
        feats = featurize_articles(batch, cfg, workers=workers)
        # the text sample only serves a later embedding; without an encoder it would just hold memory
        docs.extend(f if encoder is not None else replace(f, text_sample="") for f in feats)
        batch.clear()

    # stdin is read once: kept aside (in memory, or on disk past 64 MiB) for the second pass
    with _spool_stdin(any(str(p) == "-" for p in paths)) as stdin:
        for n, item in enumerate(read_paths(paths, options, stdin=_rewound(stdin)), 1):
            if isinstance(item, InputError):
                errors += 1
                if on_error is not None:
                    on_error(item)
                continue
            if item.id in seen:
                repeats.append(
                    Removal(
                        item.id,
                        item.id,
                        "",
                        "repeat",
                        1.0,
                        "repeated id: the first record was kept",
                        None,
                        None,
                    )
                )
                continue
            seen.add(item.id)
            batch.append(item)
            if len(batch) >= batch_for(workers, alone=256):
                flush()
                if progress is not None:
                    progress("read", n, None)
        flush()
        if progress is not None:
            progress("read", len(docs), len(docs))
            progress("cluster", 0, len(docs))
        result = plan(docs, cfg, encoder=encoder, across_languages=across_languages)
        result.removed.extend(repeats)
        result.errors = errors
        if progress is not None:
            progress("cluster", len(docs), len(docs))
        try:
            _write(paths, options, out, map_path, result, progress, len(docs), stdin)
        except OSError as exc:  # e.g. the disk filled up while writing: the temporary files were removed
            raise OutputError(
                f"{out}: cannot write the outputs ({exc.strerror}); nothing was written: free space and re-run"
            ) from None
        return result


def _write(
    paths: Sequence[str | Path],
    options: ReadOptions | None,
    out: str | Path,
    map_path: str | Path,
    result: DedupPlan,
    progress: Progress | None,
    total: int,
    stdin: BinaryIO | None,
) -> None:
    from samestory.ingest import read_paths

    keep = set(result.kept)
    with atomic_write(out) as fh_out, atomic_write(map_path) as fh_map:
        written: set[str] = set()
        for i, item in enumerate(_articles(read_paths(paths, options, stdin=_rewound(stdin))), 1):
            if item.id in keep and item.id not in written:
                written.add(item.id)
                fh_out.write(json.dumps(article_record(item), ensure_ascii=False) + "\n")
            if progress is not None and i % 256 == 0:
                progress("write", i, total)
        for r in result.removed:
            fh_map.write(json.dumps(r.to_dict(), ensure_ascii=False) + "\n")


@contextmanager
def _spool_stdin(wanted: bool) -> Iterator[BinaryIO | None]:
    if not wanted:
        yield None
        return
    with tempfile.SpooledTemporaryFile(max_size=64 << 20) as spool:
        shutil.copyfileobj(sys.stdin.buffer, spool)
        yield spool  # type: ignore[misc]


def _rewound(stream: BinaryIO | None) -> BinaryIO | None:
    if stream is not None:
        stream.seek(0)
    return stream


def _articles(items: Iterable[Article | InputError]) -> Iterator[Article]:
    for item in items:
        if not isinstance(item, InputError):
            yield item
