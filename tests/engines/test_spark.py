"""The Spark engine on a real local Spark session (``local[2,2]``: two threads, each task tried up to twice):
the same results as the in-process engine, for a stage function with shared data, after a failed task, and
for `samestory cluster` / `dedup` end to end."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
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
ROOT = Path(__file__).resolve().parents[2]
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
@pytest.mark.parametrize("data", ["ecb", "wmt with sources"])
def test_per_component_assignment_on_spark_equals_local(
    spark: SparkEngine, ecb_jsonl: Path, wmt_xml: Path, data: str
) -> None:
    """Both sets are undated, so a window changes nothing here; the dated parity runs (with and without
    ``--window``) are the 10k generated corpus and the synthetic `cluster` runs."""
    from samestory.eval.clusters import featurize_docs, load_cluster_data

    cfg = CorpusConfig()
    labelled = (
        load_cluster_data(ecb_jsonl) if data == "ecb" else load_cluster_data(wmt_xml, with_sources=True)
    )
    docs = featurize_docs(labelled, cfg)
    before = _jobs(spark)
    on_spark = bulk.cluster_batch(docs, cfg, engine=spark, by_component=True)
    assert _jobs(spark) > before
    assert on_spark == bulk.cluster_batch(docs, cfg)  # memberships, evidence included
    assert len({m.story_id for m in on_spark}) < len(docs) / 2


def test_eval_clusters_on_spark_reports_the_local_figures(spark: SparkEngine, tmp_path: Path) -> None:
    versions = synthetic_versions(40, seed=9)
    path = tmp_path / "labelled.jsonl"
    path.write_text(
        "".join(json.dumps({"id": v.id, "text": v.text, "event": v.story}) + "\n" for v in versions),
        encoding="utf-8",
    )
    reports = []
    for engine in ("local", "spark"):
        before = _jobs(spark)
        args = ["eval", "clusters", "--data", str(path), "--format", "json", "--engine", engine]
        result = runner.invoke(app, [*args, "--spark-master", MASTER])
        assert result.exit_code == 0, result.stderr
        assert (_jobs(spark) > before) == (engine == "spark")
        report = json.loads(result.stdout)
        reports.append({k: v for k, v in report.items() if k not in ("seconds", "docs_per_second", "engine")})
    assert reports[0] == reports[1] and reports[0]["ari"] > 0.5


@pytest.mark.usefixtures("small_pools")
def test_samestory_spark_cluster_of_a_dataframe_gives_the_cluster_commands_records(
    spark: SparkEngine, tmp_path: Path
) -> None:
    from samestory.errors import RecordError
    from samestory.spark import cluster

    path = write_jsonl(tmp_path / "in.jsonl", synthetic_versions(60, seed=5))
    records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    rows = [*records[:7], {**records[7], "text": ""}, *records[7:]]  # row 8 has no text
    schema = "id string, title string, text string, published string, source string, lang string"
    df = spark.session.createDataFrame([tuple(r.values()) for r in rows], schema=schema)
    bad: list[RecordError] = []
    got = [row.asDict() for row in cluster(df, on_error=bad.append).collect()]
    assert [(e.source, e.line) for e in bad] == [("<DataFrame>", 8)]
    out = tmp_path / "local.jsonl"
    result = runner.invoke(app, ["cluster", str(path), "--out", str(out)])
    assert result.exit_code == 0, result.stderr
    assert got == [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len({r["story_id"] for r in got}) < len(got)  # stories of several versions
    with pytest.raises(RecordError, match="<DataFrame>:8"):
        cluster(df)  # without on_error, the bad row is raised


@pytest.fixture(scope="module")
def corpus_10k(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A generated corpus of 10,000 articles (real stories of ../shared/data, real-text filler)."""
    data = tmp_path_factory.mktemp("gen") / "c10k.jsonl"
    gen = [sys.executable, str(ROOT / "benchmarks" / "corpus_gen.py"), "--docs", "10000", "--seed", "3"]
    done = subprocess.run([*gen, "--out", str(data)], capture_output=True, text=True)
    if done.returncode != 0 and "no shared data found" in done.stderr:
        pytest.skip(f"the generator needs ../shared/data: {done.stderr.strip()[-200:]}")
    assert done.returncode == 0, done.stderr
    return data


@pytest.mark.slow
@pytest.mark.data
@pytest.mark.parametrize("window", [None, "2d"])
def test_cluster_on_spark_writes_the_local_bytes_on_a_10k_generated_corpus(
    spark: SparkEngine, corpus_10k: Path, tmp_path: Path, window: str | None
) -> None:
    data = corpus_10k
    outputs = []
    for engine in ("local", "spark"):
        out = tmp_path / f"{engine}.jsonl"
        extra = ["--window", window] if window else []
        args = ["cluster", str(data), "--out", str(out), *extra, "--engine", engine, "--spark-master", MASTER]
        result = runner.invoke(app, args)
        assert result.exit_code == 0, result.stderr
        outputs.append(out.read_bytes())
    assert outputs[0] == outputs[1]
    stories = {json.loads(line)["story_id"] for line in outputs[0].splitlines()}
    assert 1000 < len(stories) < 10_000


def test_a_second_master_in_the_same_process_is_one_clear_error(spark: SparkEngine, tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "in.jsonl", synthetic_versions(2, seed=1))
    args = ["cluster", str(path), "--out", str(tmp_path / "o.jsonl"), "--engine", "spark"]
    result = runner.invoke(app, [*args, "--spark-master", "local[1]"])
    assert result.exit_code == 2 and "already running" in result.stderr and "Traceback" not in result.stderr
