"""samestory from a Spark program: `cluster` takes a DataFrame of articles and returns one of memberships,
for a notebook or a ``spark-submit`` job that already has a session.

    from samestory.spark import cluster
    stories = cluster(spark.read.parquet("s3a://archive/articles/"))   # id, story_id, matched_id, score, kind
    stories.write.parquet("s3a://archive/stories/")

It runs `samestory cluster --engine spark`'s pipeline (`samestory.corpus.batch.cluster_items`) on the
DataFrame's own session, with the per-component assignment: the same records, byte for byte, as the local
engine on the same articles. In this version the rows are read on the driver (as `cluster` reads its files
there), featurised and verified in Spark tasks, and the result built on the driver. pyspark is the ``spark``
extra.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from samestory.errors import InputError

if TYPE_CHECKING:
    from pyspark.sql import DataFrame

    from samestory.corpus.config import CorpusConfig
    from samestory.ingest.options import ReadOptions

#: the columns of the returned DataFrame, in `samestory.corpus.batch.membership_record`'s order
MEMBERSHIP_SCHEMA = "id string, story_id string, matched_id string, score double, kind string"


def cluster(
    df: DataFrame,
    *,
    cfg: CorpusConfig | None = None,
    window: timedelta | None = None,
    options: ReadOptions | None = None,
    on_error: Callable[[InputError], None] | None = None,
    source: str = "<DataFrame>",
) -> DataFrame:
    """The stories of the articles in ``df`` (lexical settings): one row per article (its first row of an
    id), in the DataFrame's order, with ``id``, ``story_id``, ``matched_id``, ``score`` and ``kind``.

    Columns are mapped as in JSONL input (``text``/``body``…, ``id``, ``title``, ``published``/``date``…,
    ``lang``, ``url``; ``options`` names others). A row that is not an article (no text, an empty text) goes
    to ``on_error`` as a `RecordError` naming ``source`` and its row number (from 1), and the rest is
    clustered; without ``on_error`` the first such row is raised. ``window`` as ``--window``."""
    from samestory.corpus.batch import cluster_items
    from samestory.engines.spark import SparkEngine
    from samestory.ingest import read_rows

    def stop(error: InputError) -> None:
        raise error

    rows: Iterator[dict[str, Any]] = (row.asDict(recursive=True) for row in df.toLocalIterator())
    records, _ = cluster_items(
        read_rows(rows, source, options),
        cfg=cfg,
        window=window,
        on_error=on_error or stop,
        engine=SparkEngine(df.sparkSession),
        by_component=True,
    )
    return df.sparkSession.createDataFrame([tuple(r.values()) for r in records], schema=MEMBERSHIP_SCHEMA)


__all__ = ["MEMBERSHIP_SCHEMA", "cluster"]
