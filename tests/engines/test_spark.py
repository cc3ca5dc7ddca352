"""The Spark engine on a real local Spark session (``local[2,2]``: two threads, each task tried up to twice):
the same results as the in-process engine, for a stage function with shared data, after a failed task, and
for `samestory cluster` / `dedup` end to end."""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from corpus_samples import synthetic_versions, write_jsonl
from samestory.cli import commands  # noqa: F401  (registers the commands)
from samestory.cli.app import app
from samestory.corpus import bulk, features
from samestory.corpus.components import components
from samestory.corpus.config import CorpusConfig
from samestory.corpus.features import featurize_texts
from samestory.engines.local import InProcessEngine
from samestory.engines.spark import WAVE, SparkEngine

pytest.importorskip("pyspark", reason="the Spark engine tests need pyspark: pip install 'samestory[spark]'")
if not os.environ.get("JAVA_HOME") and shutil.which("java") is None:
    pytest.skip("the Spark engine tests need Java 17 or later (no java on PATH)", allow_module_level=True)

runner = CliRunner()
#: two worker threads, and each task tried up to twice (Spark's local mode retries nothing by default)
MASTER = "local[2,2]"


@pytest.fixture(scope="module")
def spark() -> Iterator[SparkEngine]:
    from pyspark import cloudpickle

    # this module's stage functions go to the workers by value: the workers cannot import the tests
    cloudpickle.register_pickle_by_value(sys.modules[__name__])
    with SparkEngine(MASTER) as engine:
        yield engine


def _jobs(engine: SparkEngine) -> int:
    return len(engine.session.sparkContext.statusTracker().getJobIdsForGroup())


def test_map_returns_what_the_in_process_engine_returns(spark: SparkEngine) -> None:
    cfg = CorpusConfig()
    versions = synthetic_versions(30, seed=3)
    docs = featurize_texts([v.id for v in versions], [v.text for v in versions], cfg)
    # every document against the eight before it, in more chunks than one Spark job takes (several waves)
    pairs = [(i, list(range(max(0, i - 8), i))) for i in range(len(docs))]
    chunks = [pairs[k : k + 3] for k in range(0, len(pairs), 3)]
    assert len(chunks) > WAVE * spark.workers
    before = _jobs(spark)
    got = list(spark.map(bulk._verify_job, iter(chunks), (docs, cfg)))
    assert got == list(InProcessEngine().map(bulk._verify_job, chunks, (docs, cfg)))
    assert _jobs(spark) - before >= 2  # it ran on Spark, in more than one job
    assert list(spark.map(bulk._verify_job, [], (docs, cfg))) == []


def _fail_first_attempt(chunk: list[int], offset: int) -> list[int]:
    from pyspark import TaskContext

    context = TaskContext.get()
    if context is not None and context.attemptNumber() == 0 and chunk[0] % 2:
        raise RuntimeError("a lost executor")
    return [x * x + offset for x in chunk]


def test_a_failed_task_is_retried_and_the_result_is_unchanged(spark: SparkEngine) -> None:
    chunks = [list(range(k, k + 3)) for k in range(0, 60, 3)]
    got = list(spark.map(_fail_first_attempt, chunks, 4))
    assert got == [[x * x + 4 for x in c] for c in chunks]


def test_components_with_dataframe_joins_are_the_local_ones(spark: SparkEngine) -> None:
    rng = np.random.default_rng(8)
    random_graph = rng.integers(0, 300, size=(150, 2))
    chain = np.array([(k + 1, k) for k in range(300, 360)][::-1])  # one long path: many propagation steps
    edges = np.concatenate([random_graph, chain])
    joins = SparkEngine(spark.session, dataframe_components=True)
    before = _jobs(spark)
    assert joins.components(400, edges).tolist() == components(400, edges).tolist()  # 361-399: no edges
    assert _jobs(spark) > before  # on Spark
    assert joins.components(5, np.zeros((0, 2), dtype=np.int64)).tolist() == list(range(5))


@pytest.fixture
def small_pools(monkeypatch: pytest.MonkeyPatch) -> None:
    """Send a corpus of a few hundred documents through the engine: featurisation in chunks of 64 from 128
    texts, verification from the first candidate pair (the results do not depend on these sizes)."""
    monkeypatch.setattr(features, "CHUNK", 64)
    monkeypatch.setattr(features, "POOL_MIN", 128)
    monkeypatch.setattr(bulk, "POOL_PAIRS", 1)
    monkeypatch.setattr(bulk, "_PAIRS_PER_JOB", 64)


@pytest.mark.usefixtures("small_pools")
def test_cluster_and_dedup_on_spark_write_the_same_bytes_as_local(spark: SparkEngine, tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "in.jsonl", synthetic_versions(150, seed=11))
    runs = {
        "cluster": [],
        "cluster --window 2h": ["--window", "2h"],
    }
    for name, extra in runs.items():
        outputs = []
        for engine in ("local", "spark"):
            out = tmp_path / f"{engine}.jsonl"
            before = _jobs(spark)
            args = ["cluster", str(path), "--out", str(out), *extra, "--engine", engine]
            result = runner.invoke(app, [*args, "--spark-master", MASTER])
            assert result.exit_code == 0, result.stderr
            assert (_jobs(spark) > before) == (engine == "spark"), name
            outputs.append(out.read_bytes())
        assert outputs[0] == outputs[1], name
        assert len(set(outputs[0].splitlines())) > 150  # one line per article
    dedups = []
    for engine in ("local", "spark"):
        out, mp = tmp_path / f"kept-{engine}.jsonl", tmp_path / f"map-{engine}.jsonl"
        args = ["dedup", str(path), "--out", str(out), "--map", str(mp), "--engine", engine]
        result = runner.invoke(app, [*args, "--spark-master", MASTER])
        assert result.exit_code == 0, result.stderr
        dedups.append((out.read_bytes(), mp.read_bytes()))
    assert dedups[0] == dedups[1] and dedups[0][1]
    assert spark.session.sparkContext._jsc is not None  # the CLI used the running session and left it running


@pytest.mark.data
def test_per_component_assignment_on_spark_equals_local_on_ecb(spark: SparkEngine, ecb_jsonl: Path) -> None:
    from samestory.eval.clusters import featurize_docs, load_cluster_data

    cfg = CorpusConfig()
    docs = featurize_docs(load_cluster_data(ecb_jsonl), cfg)
    before = _jobs(spark)
    on_spark = bulk.cluster_batch(docs, cfg, engine=spark, by_component=True)
    assert _jobs(spark) > before
    assert on_spark == bulk.cluster_batch(docs, cfg)  # memberships, evidence included


def test_a_second_master_in_the_same_process_is_one_clear_error(spark: SparkEngine, tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "in.jsonl", synthetic_versions(2, seed=1))
    args = ["cluster", str(path), "--out", str(tmp_path / "o.jsonl"), "--engine", "spark"]
    result = runner.invoke(app, [*args, "--spark-master", "local[1]"])
    assert result.exit_code == 2 and "already running" in result.stderr and "Traceback" not in result.stderr
