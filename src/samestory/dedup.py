"""Deduplicate a news corpus: remove copies (``--level copy``, the default) or every version but one per story
(``--level story``), and say what was removed and why.

Stories come from the corpus engine (`samestory.corpus.bulk.cluster_batch`); this module only decides which
members of each group are kept (`plan`) and writes the outputs:

- versions are taken earliest dated first (the likely original); in a group with no dates, longest first (the
  most complete); ties by id. At ``copy`` level a version is removed when it is a copy of one kept before it
  (`is_copy`: word runs in common), so independent reports of one event stay; at ``story`` level only the
  first is kept;
- by default a group is one story *in one language*: a translation is not a duplicate of its original
  (``across_languages=True`` keeps a single version per story);
- every removed article gets a line in the map: the level that removed it, which version was kept in its place, the story, the kind of
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
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from samestory.article import utc_timestamp
from samestory.corpus.verify import PairEvidence, reprint_score
from samestory.errors import InputError, OutputError
from samestory.outfile import atomic_write

if TYPE_CHECKING:
    from samestory.article import Article
    from samestory.corpus.cluster import Membership
    from samestory.corpus.config import CorpusConfig
    from samestory.corpus.features import DocFeatures
    from samestory.embed.base import Encoder
    from samestory.engines.base import Engine
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
    level: str = ""  # the `Level` that removed it ("id" for a repeated id)

    def to_dict(self) -> dict[str, Any]:
        return {
            "removed": self.removed_id,
            "level": self.level,
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


class Level(StrEnum):
    """What `plan` removes: ``copy``, copies of a kept text (reprints, near-verbatim copies, truncations;
    translations with ``across_languages``); ``story``, every version but one per story."""

    copy = "copy"
    story = "story"


#: `verify.reprint_score` from which a pair is a copy of one text (a reprint with page debris, a truncation
#: to half its length): word runs in common, not only the same story
COPY_SCORE = 0.5


def is_copy(ev: PairEvidence, *, across_languages: bool = False) -> bool:
    """Whether a verified pair is two copies of one text: most word runs shared (`COPY_SCORE`), or, across
    languages, a translation. A rewrite scored high by its names and vocabulary alone is not a copy."""
    if reprint_score(ev.details) >= COPY_SCORE:
        return True
    return across_languages and ev.kind == "translation" and ev.same_story


def plan(
    docs: Sequence[DocFeatures],
    cfg: CorpusConfig,
    *,
    encoder: Encoder | None = None,
    across_languages: bool = False,
    level: Level = Level.copy,
    memberships: Sequence[Membership] | None = None,
    engine: Engine | None = None,
) -> DedupPlan:
    """Decide what to keep. Within each story (per language unless ``across_languages``) versions are taken
    earliest first (longest first when undated): at ``level=story`` the first is kept and the rest removed; at
    ``level=copy`` a version is removed only when it is a copy (`is_copy`) of a version kept before it, so
    independent reports of one event all stay.

    ``docs`` must have distinct ids. ``memberships`` (from `cluster_batch`) are computed when not given.
    """
    from samestory.corpus.bulk import cluster_batch
    from samestory.corpus.verify import verify

    if memberships is None:
        memberships = cluster_batch(docs, cfg, encoder, engine=engine)
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
        how = "the earliest version" if any_dated else "the longest version"
        versions = sorted(members, key=lambda d: _keep_key(d, any_dated))
        keepers = [versions[0]]
        for d in versions[1:]:
            if level is Level.story:
                keep, ev = versions[0], verify(d, versions[0], cfg)
            else:
                scored = [(verify(d, k, cfg), k) for k in keepers]
                copies = [(ev, k) for ev, k in scored if is_copy(ev, across_languages=across_languages)]
                if not copies:
                    keepers.append(d)
                    continue
                ev, keep = max(copies, key=lambda p: (reprint_score(p[0].details), p[0].score, p[1].id))
            via = member_of[d.id].matched_id
            chain = f"; joined the story via {via}" if via not in (None, keep.id) else ""
            what = (
                f"same story as {keep.id} ({how} kept); {ev.kind}, pair score {ev.score:.2f}{chain}"
                if level is Level.story
                else f"a copy of {keep.id} ({how} kept): {_copy_words(ev)}"
            )
            out.removed.append(
                Removal(
                    removed_id=d.id,
                    kept_id=keep.id,
                    story_id=story_id,
                    kind=ev.kind,
                    score=ev.score,
                    reason=what,
                    evidence=ev.to_dict(),
                    matched_id=member_of[d.id].matched_id,
                    level=level.value,
                )
            )
        kept.update(k.id for k in keepers)
    order = {d.id: i for i, d in enumerate(docs)}
    out.kept = sorted(kept, key=order.__getitem__)
    out.removed.sort(key=lambda r: order[r.removed_id])
    return out


def _copy_words(ev: PairEvidence) -> str:
    d = ev.details
    if ev.kind == "translation" and reprint_score(d) < COPY_SCORE:
        return f"a translation (embedding similarity {d.get('cosine', 0.0):.2f})"
    share = max(d["containment_ab"], d["containment_ba"])
    return f"shares {share:.0%} of its word runs (Jaccard {d['jaccard']:.2f})"


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
    level: Level = Level.copy,
    progress: Progress | None = None,
    on_error: Callable[[InputError], None] | None = None,
    workers: int = 1,
    engine: Engine | None = None,
) -> DedupPlan:
    """Read ``paths``, write the kept articles to ``out`` (JSONL) and one line per removed article to
    ``map_path`` (JSONL). Input errors go to ``on_error`` and are counted; the rest is processed.

    ``level`` says what is removed (`plan`). A repeated id keeps its first record; the later ones are
    removed with the reason "repeated id".
    Both outputs are written to temporary files and renamed at the end, so a failed run leaves no half file.
    ``workers`` > 1 (0 = one per core) featurises in that many processes (the same result); ``engine``
    (any `samestory.engines.Engine`) runs the stages instead.
    """
    from samestory.corpus.batch import read_features
    from samestory.corpus.config import CorpusConfig
    from samestory.engines.local import local_engine

    cfg = cfg or CorpusConfig()
    engine = engine or local_engine(workers)
    # stdin is read once: kept aside (in memory, or on disk past 64 MiB) for the second pass
    with _spool_stdin(any(str(p) == "-" for p in paths)) as stdin:
        read = read_features(
            paths, cfg, embedding=encoder is not None, options=options, progress=progress,
            on_error=on_error, engine=engine, stdin=_rewound(stdin),
        )  # fmt: skip
        docs = read.docs
        repeats = [
            Removal(i, i, "", "repeat", 1.0, "repeated id: the first record was kept", None, None, "id")
            for i in read.repeated
        ]
        if progress is not None:
            progress("cluster", 0, len(docs))
        result = plan(
            docs, cfg, encoder=encoder, across_languages=across_languages, level=level, engine=engine
        )
        result.removed.extend(repeats)
        result.errors = read.errors
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
