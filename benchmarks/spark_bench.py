"""`samestory cluster` of one corpus with the local engine (1 and 2 processes) and the Spark engine
(``local[2]`` by default), in one run: wall time per stage and in all, the driver's peak RSS, and whether the
outputs are byte-identical.

Each engine runs in its own subprocess over the same file (``cluster_paths``, as the CLI runs it). Stages:
"start" (the Spark session; 0 locally), "read" (read + featurise: distributed on Spark), "cluster" (candidate
pairs on the driver, then verification on the engine and the sequential assignment on the driver, or, with
``+components``, verification of the selected pairs on the engine, then the assignment per component of the
verified candidate graph on the engine;
``+dataframe``: the components with DataFrame joins on Spark, not numpy on the driver), "write". The peak RSS is
the driver's Python process only (Spark's JVM and its Python workers are separate processes).

    python benchmarks/corpus_gen.py --docs 10000 --seed 5 --out /tmp/c10k.jsonl
    python benchmarks/spark_bench.py /tmp/c10k.jsonl
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any


def _one(path: Path, out: Path, engine_spec: str, event_log: Path | None = None) -> dict[str, Any]:
    from samestory.corpus.batch import cluster_paths
    from samestory.engines.local import local_engine

    engine_spec, _, plus = engine_spec.partition("+")
    t0 = time.perf_counter()
    spark = None
    if engine_spec.startswith("spark:"):
        from samestory.engines.spark import SparkEngine

        conf = {}
        if event_log is not None:
            event_log.mkdir(parents=True, exist_ok=True)
            conf = {
                "spark.eventLog.enabled": "true",
                "spark.eventLog.dir": event_log.resolve().as_uri(),
                "spark.eventLog.rolling.enabled": "false",
                "spark.eventLog.compress": "false",
            }
        spark = SparkEngine(
            engine_spec.removeprefix("spark:"), conf=conf, dataframe_components="dataframe" in plus
        )
        engine: Any = spark
    else:
        engine = local_engine(int(engine_spec.removeprefix("local:")))
    marks = {"start": time.perf_counter()}

    def progress(stage: str, done: int, total: int | None) -> None:
        if stage == "cluster" and done == 0:
            marks["read"] = time.perf_counter()
        elif stage == "cluster":
            marks["cluster"] = time.perf_counter()

    cluster_paths([path], out, engine=engine, progress=progress, by_component=bool(plus))
    marks["write"] = time.perf_counter()
    if spark is not None:
        spark.stop()
    stages, last = {}, t0
    for name in ("start", "read", "cluster", "write"):
        stages[name] = marks[name] - last
        last = marks[name]
    stages["total"] = last - t0
    wall, now = time.time(), time.perf_counter()
    epoch = {name: wall - (now - marks[name]) for name in ("start", "read", "cluster", "write")}
    return {
        "stages": stages,
        "epoch": epoch,
        "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def _event_totals(log_dir: Path, epoch: dict[str, float]) -> dict[str, dict[str, int]]:
    """Per stage of the pipeline ("read", "cluster": by the task's launch time), summed over its Spark
    tasks, from the event log of one run: tasks, shuffle read/write bytes, result bytes (sent to the
    driver)."""
    totals: dict[str, dict[str, int]] = {}
    for log in (f for f in log_dir.iterdir() if f.is_file() and not f.name.startswith(".")):
        for line in log.read_text().splitlines():
            ev = json.loads(line)
            if ev.get("Event") != "SparkListenerTaskEnd" or "Task Metrics" not in ev:
                continue
            m = ev["Task Metrics"]
            launched = ev["Task Info"]["Launch Time"] / 1000
            stage = next((s for s in ("read", "cluster", "write") if launched < epoch[s]), "after")
            row = totals.setdefault(stage, {"tasks": 0, "shuffle_read": 0, "shuffle_write": 0, "result": 0})
            row["tasks"] += 1
            sr = m.get("Shuffle Read Metrics", {})
            row["shuffle_read"] += sr.get("Remote Bytes Read", 0) + sr.get("Local Bytes Read", 0)
            row["shuffle_write"] += m.get("Shuffle Write Metrics", {}).get("Shuffle Bytes Written", 0)
            row["result"] += m.get("Result Size", 0)
    return totals


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--master", default="local[2]")
    parser.add_argument(
        "--engines",
        help="comma-separated subset of: local:1, local:2, local:2+components, spark, spark+components, "
        "spark+components+dataframe (default: all six)",
    )
    parser.add_argument(
        "--event-log",
        type=Path,
        help="keep each Spark run's event log under this folder and print its "
        "shuffle read/write and result bytes per stage",
    )
    parser.add_argument(
        "--keep",
        type=Path,
        help="write each engine's output under this folder (N.jsonl) instead of a temporary one",
    )
    parser.add_argument("--one", help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(_one(args.corpus, args.out, args.one, args.event_log)))
        return
    engines = [
        "local:1",
        "local:2",
        "local:2+components",
        f"spark:{args.master}",
        f"spark:{args.master}+components",
        f"spark:{args.master}+components+dataframe",
    ]
    if args.engines:
        engines = [e.replace("spark", f"spark:{args.master}", 1) for e in args.engines.split(",")]
    with tempfile.TemporaryDirectory() as tmp:
        if args.keep is not None:
            args.keep.mkdir(parents=True, exist_ok=True)
            tmp = str(args.keep)
        rows: list[tuple[str, dict[str, Any]]] = []
        outputs: list[bytes] = []
        for spec in engines:
            out = Path(tmp) / f"{len(outputs)}.jsonl"
            cmd = [sys.executable, __file__, str(args.corpus), "--one", spec, "--out", str(out)]
            log = None
            if args.event_log is not None and spec.startswith("spark:"):
                log = args.event_log / f"{len(outputs)}"
                cmd += ["--event-log", str(log)]
            done = subprocess.run(cmd, check=True, capture_output=True, text=True)
            rows.append((spec, json.loads(done.stdout.strip().splitlines()[-1])))
            if log is not None:
                rows[-1][1]["events"] = _event_totals(log, rows[-1][1]["epoch"])
            outputs.append(out.read_bytes())
    lines = outputs[0].count(b"\n")
    print(f"corpus: {args.corpus} ({lines} articles)")
    print(
        f"{'engine':<38}{'start s':>9}{'read s':>9}{'cluster s':>11}{'write s':>9}{'total s':>9}{'driver MB':>11}"
    )
    for spec, r in rows:
        s = r["stages"]
        print(
            f"{spec:<38}{s['start']:>9.1f}{s['read']:>9.1f}{s['cluster']:>11.1f}{s['write']:>9.1f}"
            f"{s['total']:>9.1f}{r['rss_mb']:>11.0f}"
        )
    for spec, r in rows:
        for stage, t in r.get("events", {}).items():
            print(
                f"  {spec} {stage}: {t['tasks']} tasks, shuffle read {t['shuffle_read']} B, "
                f"shuffle write {t['shuffle_write']} B, results {t['result']} B"
            )
    from stage_costs import measure, report  # this folder is first on sys.path when run as a script

    print("each stage alone, one process (benchmarks/stage_costs.py):")
    report(measure(args.corpus))
    same = all(o == outputs[0] for o in outputs)
    print(f"outputs byte-identical across engines: {same}")
    if not same:
        sys.exit(1)


if __name__ == "__main__":
    main()
