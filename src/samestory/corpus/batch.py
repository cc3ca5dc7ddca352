"""Batch corpus jobs over files: read and featurise articles (`read_features`), and cluster them into a
membership file (`cluster_paths`, the `samestory cluster` command). Both run the same steps as `index add`:
`featurize_articles`, then `cluster_batch` (the online step of `samestory.corpus.step`)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from samestory.errors import InputError, MissingDependencyError
from samestory.outfile import atomic_path

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


@dataclass(slots=True)
class Features:
    """What `read_features` read: the features of each first record of an id, in input order, the ids seen
    again later (their later records are not used), and how many inputs could not be read."""

    docs: list[DocFeatures] = field(default_factory=list)
    repeated: list[str] = field(default_factory=list)
    errors: int = 0


def read_features(
    paths: Sequence[str | Path],
    cfg: CorpusConfig,
    *,
    embedding: bool = False,
    options: ReadOptions | None = None,
    progress: Progress | None = None,
    on_error: Callable[[InputError], None] | None = None,
    workers: int = 1,
    engine: Engine | None = None,
    stdin: BinaryIO | None = None,
) -> Features:
    """Read ``paths`` and featurise every article (`featurize_items` of `read_paths`; ``workers`` processes,
    the same result). ``stdin`` replaces the standard input for ``"-"``."""
    from samestory.engines.local import local_engine
    from samestory.ingest import read_paths

    items = read_paths(paths, options, stdin=stdin)
    return featurize_items(
        items,
        cfg,
        embedding=embedding,
        progress=progress,
        on_error=on_error,
        engine=engine or local_engine(workers),
    )


def featurize_items(
    items: Iterable[Article | InputError],
    cfg: CorpusConfig,
    *,
    embedding: bool = False,
    progress: Progress | None = None,
    on_error: Callable[[InputError], None] | None = None,
    engine: Engine | None = None,
) -> Features:
    """Featurise every article of ``items`` (what a reader yields) in batches on ``engine`` (default: this
    process). Input errors go to ``on_error`` and are counted; a repeated id keeps its first article.
    ``embedding=False`` drops the text sample kept for a later embedding (it would only hold memory)."""
    from samestory.corpus.features import batch_for, featurize_articles
    from samestory.engines.local import local_engine

    engine = engine or local_engine(1)
    out = Features()
    seen: set[str] = set()
    batch: list[Article] = []

    def flush() -> None:
        feats = featurize_articles(batch, cfg, engine=engine)
        out.docs.extend(f if embedding else replace(f, text_sample="") for f in feats)
        batch.clear()

    for n, item in enumerate(items, 1):
        if isinstance(item, InputError):
            out.errors += 1
            if on_error is not None:
                on_error(item)
            continue
        if item.id in seen:
            out.repeated.append(item.id)
            continue
        seen.add(item.id)
        batch.append(item)
        if len(batch) >= batch_for(engine, alone=256):
            flush()
            if progress is not None:
                progress("read", n, None)
    flush()
    if progress is not None:
        progress("read", len(out.docs), len(out.docs))
    return out


def membership_record(m: Membership) -> dict[str, Any]:
    """One line of `samestory cluster`'s output: ``id``, ``story_id``, ``matched_id``, ``score``, ``kind``
    (``founder`` for the first member of a story, else the kind of the match: reprint, rewrite, translation)."""
    kind = "founder" if m.matched_id is None or m.evidence is None else m.evidence.kind
    return {
        "id": m.article_id,
        "story_id": m.story_id,
        "matched_id": m.matched_id,
        "score": round(m.score, 4),
        "kind": kind,
    }


@dataclass(slots=True)
class ClusterResult:
    """What `cluster_paths` did: the records written (input order), the stories, repeated ids, input errors."""

    records: int = 0
    stories: int = 0
    repeated: int = 0
    errors: int = 0


def cluster_paths(
    paths: Sequence[str | Path],
    out: str | Path,
    *,
    cfg: CorpusConfig | None = None,
    encoder: Encoder | None = None,
    window: timedelta | None = None,
    options: ReadOptions | None = None,
    progress: Progress | None = None,
    on_error: Callable[[InputError], None] | None = None,
    workers: int = 1,
    engine: Engine | None = None,
    by_component: bool = False,
) -> ClusterResult:
    """Cluster the articles of ``paths`` into stories and write one record per article (`membership_record`)
    to ``out``: JSONL, or Parquet when it ends in ``.parquet``. The same memberships as `samestory index add`
    of the same input into a new index with the same settings, then `samestory stories`.

    A repeated id keeps its first record. The output is written to a temporary file and renamed at the end.
    ``by_component`` runs the online step per component of the verified candidate graph on ``engine``
    (lexical only; the same output, `samestory.corpus.bulk.cluster_batch`).
    """
    from samestory.engines.local import local_engine
    from samestory.ingest import read_paths

    target = Path(out)
    parquet = target.suffix.lower() == ".parquet"
    if parquet:
        _require_pyarrow()
    records, result = cluster_items(
        read_paths(paths, options), cfg=cfg, encoder=encoder, window=window, progress=progress,
        on_error=on_error, engine=engine or local_engine(workers), by_component=by_component,
    )  # fmt: skip
    with atomic_path(target) as tmp:
        if parquet:
            _write_parquet(records, tmp)
        else:
            with tmp.open("w", encoding="utf-8") as fh:
                fh.writelines(json.dumps(r, ensure_ascii=False) + "\n" for r in records)
    return result


def cluster_items(
    items: Iterable[Article | InputError],
    *,
    cfg: CorpusConfig | None = None,
    encoder: Encoder | None = None,
    window: timedelta | None = None,
    progress: Progress | None = None,
    on_error: Callable[[InputError], None] | None = None,
    engine: Engine | None = None,
    by_component: bool = False,
) -> tuple[list[dict[str, Any]], ClusterResult]:
    """`cluster_paths`'s records (input order, the first record of a repeated id) and counts, for the
    articles of ``items`` (what a reader yields: `read_paths`, `read_rows`), written nowhere."""
    from samestory.corpus.bulk import cluster_batch
    from samestory.corpus.config import CorpusConfig

    cfg = cfg or CorpusConfig()
    read = featurize_items(
        items, cfg, embedding=encoder is not None, progress=progress, on_error=on_error, engine=engine
    )
    if progress is not None:
        progress("cluster", 0, len(read.docs))
    memberships = cluster_batch(
        read.docs, cfg, encoder, window=window, engine=engine, by_component=by_component
    )
    if progress is not None:
        progress("cluster", len(read.docs), len(read.docs))
    by_id = {m.article_id: m for m in memberships}
    records = [membership_record(by_id[d.id]) for d in read.docs]
    stories = len(set(by_id[d.id].story_id for d in read.docs))
    return records, ClusterResult(len(records), stories, len(read.repeated), read.errors)


def _require_pyarrow() -> None:
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        raise MissingDependencyError("Parquet output", "pyarrow", "parquet") from None


def _write_parquet(records: list[dict[str, Any]], path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = pa.schema(
        [
            ("id", pa.string()),
            ("story_id", pa.string()),
            ("matched_id", pa.string()),
            ("score", pa.float64()),
            ("kind", pa.string()),
        ]
    )
    pq.write_table(pa.Table.from_pylist(records, schema=schema), str(path))


__all__ = [
    "ClusterResult",
    "Features",
    "cluster_items",
    "cluster_paths",
    "featurize_items",
    "membership_record",
    "read_features",
]
