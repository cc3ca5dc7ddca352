"""The Spark engine (`samestory.engines.Engine`): a stage function over chunks of work on a Spark cluster
(or Spark's local mode). Like the local engines it only executes: the chunks become RDDs (a few chunks per
partition), the shared data is broadcast once per `map` call, and the results come back keyed by chunk index
and are put in input order on the driver, so the output does not depend on the engine, the partitioning or
on which task Spark retried.

pyspark is imported only when an engine is made (the ``spark`` extra); the stage functions never import it.

    engine = SparkEngine("local[2]")          # or "spark://host:7077", "yarn", "k8s://…", or a SparkSession
    cluster_paths(["corpus.jsonl"], "stories.parquet", engine=engine)
    engine.stop()                             # stops the session only if the engine started it
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping
from functools import partial
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import numpy as np
import numpy.typing as npt

from samestory.errors import InputError, MissingDependencyError

if TYPE_CHECKING:
    from pyspark import Broadcast
    from pyspark.sql import SparkSession

T = TypeVar("T")
R = TypeVar("R")

#: chunks sent per Spark job (times the parallelism): bounds what the driver holds of a long stream of chunks
#: while keeping every core busy; the results do not depend on it
WAVE = 8
#: partitions per job (times the parallelism): a few chunks a task, so a slow task can be balanced out
PARTITIONS = 2
DEFAULT_MASTER = "local[2]"


def _source_root() -> str:
    """The folder that holds the ``samestory`` package the driver imported (a source tree or site-packages):
    the Python workers put it first on their path, so they run the same code as the driver."""
    return str(Path(__file__).resolve().parents[2])


def spark_session(master: str = DEFAULT_MASTER, conf: Mapping[str, str] | None = None) -> SparkSession:
    """A Spark session for ``master`` whose Python workers run this interpreter and this ``samestory``
    (the session already active in this process when it has that master: ``conf`` is then not applied).

    Raises `MissingDependencyError` without pyspark and `InputError` without Java (Spark's JVM needs Java
    17 or later), each naming what to install."""
    return _session(master, conf)[0]


def _session(master: str, conf: Mapping[str, str] | None) -> tuple[SparkSession, bool]:
    """`spark_session`, and whether it was started here."""
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise MissingDependencyError("the Spark engine", "pyspark", "spark") from None
    if not os.environ.get("JAVA_HOME") and shutil.which("java") is None:
        raise InputError(
            "the Spark engine needs Java 17 or later, and no java is on PATH and JAVA_HOME is unset; "
            "install a JDK (e.g. apt-get install openjdk-17-jre-headless)"
        )
    active = SparkSession.getActiveSession()
    if active is not None:
        running = active.sparkContext.master
        if running != master:
            raise InputError(
                f"a Spark session with master {running} is already running in this process; "
                f"cannot start one for {master} (pass that session to SparkEngine instead)"
            )
        return active, False
    path = os.pathsep.join(p for p in (_source_root(), os.environ.get("PYTHONPATH", "")) if p)
    builder = (
        SparkSession.builder.master(master)
        .appName("samestory")
        .config("spark.pyspark.python", sys.executable)
        .config("spark.pyspark.driver.python", sys.executable)
        .config("spark.executorEnv.PYTHONPATH", path)
        .config("spark.ui.enabled", "false")
        .config("spark.log.level", "ERROR")
        .config("spark.ui.showConsoleProgress", "false")
    )
    for key, value in (conf or {}).items():
        builder = builder.config(key, value)
    # local mode starts its Python workers from this process's environment
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    session = builder.getOrCreate()
    if "spark.sql.shuffle.partitions" not in (conf or {}):
        # Spark's default of 200 shuffle partitions makes every join of a small graph 200 tasks
        session.conf.set("spark.sql.shuffle.partitions", str(2 * session.sparkContext.defaultParallelism))
    return session, True


class SparkEngine:
    """``map(fn, chunks, shared)`` as Spark tasks, results in input order.

    ``session_or_master``: a running `SparkSession` (used as it is; its Python workers must be able to import
    ``samestory``), or a master URL for which a session is started (`spark_session`; ``conf`` adds Spark
    settings) and stopped by `stop` (an active session with that master is used instead, and left running).
    ``dataframe_components`` computes the candidate graph's components with DataFrame joins (`components`)
    instead of numpy on the driver, where the pairs are in this version: the same labels, slower on one
    machine (see docs/spark.md).
    ``workers`` is the session's default parallelism.
    """

    def __init__(
        self,
        session_or_master: SparkSession | str = DEFAULT_MASTER,
        conf: Mapping[str, str] | None = None,
        *,
        dataframe_components: bool = False,
    ) -> None:
        self.dataframe_components = dataframe_components
        if isinstance(session_or_master, str):
            self.session, self._owned = _session(session_or_master, conf)
        else:
            self.session = session_or_master
            self._owned = False

    @property
    def workers(self) -> int:
        return max(1, int(self.session.sparkContext.defaultParallelism))

    def map(self, fn: Callable[[T, Any], R], chunks: Iterable[T], shared: Any = None) -> Iterator[R]:
        sc = self.session.sparkContext
        items = iter(chunks)
        wave = WAVE * self.workers
        broadcast: Broadcast[Any] | None = None
        base = 0
        try:
            while True:
                batch = list(islice(items, wave))
                if not batch:
                    return
                if broadcast is None and shared is not None:
                    broadcast = sc.broadcast(shared)  # once per call, only when there is work
                rdd = sc.parallelize(list(enumerate(batch, base)), min(len(batch), PARTITIONS * self.workers))
                done = sorted(rdd.map(partial(_call, fn, broadcast)).collect(), key=lambda kv: kv[0])
                if [k for k, _ in done] != list(range(base, base + len(batch))):
                    raise RuntimeError("Spark returned a different set of chunks than it was given")
                base += len(batch)
                for _, result in done:
                    yield result
        finally:
            if broadcast is not None:
                broadcast.destroy()

    def components(self, n: int, edges: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
        """`samestory.corpus.components.components` with DataFrame joins: min-label propagation along the
        edges, then pointer jumping (a node takes its label's label), until no label changes; the same
        labels (each component named by its smallest node). Without ``dataframe_components``, numpy on the
        driver."""
        from pyspark.sql import functions as F

        from samestory.corpus.components import components

        if not self.dataframe_components:
            return components(n, edges)
        label = np.arange(n, dtype=np.int64)
        if edges.size == 0:
            return label
        spark = self.session
        pairs = spark.createDataFrame([(int(a), int(b)) for a, b in edges.reshape(-1, 2)], "a long, b long")
        both = pairs.union(pairs.select(F.col("b").alias("a"), F.col("a").alias("b"))).distinct()
        both = both.localCheckpoint()
        labels = both.select(F.col("a").alias("node"), F.col("a").alias("label")).distinct().localCheckpoint()
        while True:
            heard = both.join(labels, both["b"] == labels["node"]).select(both["a"].alias("node"), "label")
            low = heard.union(labels).groupBy("node").agg(F.min("label").alias("label"))
            up = low.select(F.col("node").alias("up"), F.col("label").alias("up_label"))
            jumped = low.join(up, low["label"] == up["up"]).select("node", F.col("up_label").alias("label"))
            jumped = jumped.localCheckpoint()
            old = labels.withColumnRenamed("label", "old")
            changed = jumped.join(old, "node").where(F.col("label") != F.col("old")).limit(1).count()
            labels = jumped
            if not changed:
                break
        for row in labels.collect():
            label[int(row["node"])] = int(row["label"])
        return label

    def stop(self) -> None:
        """Stop the session if this engine started it (a session passed in is the caller's)."""
        if self._owned:
            self.session.stop()
            self._owned = False

    def __enter__(self) -> SparkEngine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _call(fn: Callable[[T, Any], R], broadcast: Broadcast[Any] | None, item: tuple[int, T]) -> tuple[int, R]:
    index, chunk = item
    return index, fn(chunk, broadcast.value if broadcast is not None else None)


__all__ = ["DEFAULT_MASTER", "SparkEngine", "spark_session"]
