"""`samestory cluster` of one corpus with the local engine (1 and 2 processes) and the Spark engine
(``local[2]`` by default), in one run: wall time per stage and in all, the driver's peak RSS, and whether the
outputs are byte-identical.

Each engine runs in its own subprocess over the same file (``cluster_paths``, as the CLI runs it). Stages:
"start" (the Spark session; 0 locally), "read" (read + featurise: distributed on Spark), "cluster" (candidate
pairs on the driver, then verification on the engine and the sequential assignment on the driver, or, with
``+components``, verification and assignment per component of the candidate graph on the engine;
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


def _one(path: Path, out: Path, engine_spec: str) -> dict[str, Any]:
    from samestory.corpus.batch import cluster_paths
    from samestory.engines.local import local_engine

    engine_spec, _, plus = engine_spec.partition("+")
    t0 = time.perf_counter()
    spark = None
    if engine_spec.startswith("spark:"):
        from samestory.engines.spark import SparkEngine

        spark = SparkEngine(engine_spec.removeprefix("spark:"), dataframe_components="dataframe" in plus)
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
    return {"stages": stages, "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def _component_sizes(path: Path) -> tuple[Any, float]:
    """The size of each component of the candidate graph, and the time of the largest one's assignment
    alone (it is one task: the floor of the per-component stage)."""
    import numpy as np

    from samestory.corpus import bulk
    from samestory.corpus.batch import read_features
    from samestory.corpus.cluster import order_key
    from samestory.corpus.components import components, groups
    from samestory.corpus.config import CorpusConfig

    cfg = CorpusConfig()
    docs = sorted(read_features([path], cfg).docs, key=order_key)
    selected = bulk.BulkClusterer(cfg).selected(docs, bulk.key_matrix(docs, cfg))
    edges = np.array([(i, c) for i, cs in enumerate(selected) for c in cs], dtype=np.int64)
    parts = groups(components(len(docs), edges))
    big = max(parts, key=len)
    local = {int(g): k for k, g in enumerate(big)}
    job = [([docs[g] for g in big], [[local[c] for c in selected[g]] for g in big])]
    t0 = time.perf_counter()
    bulk._component_job(job, (cfg, None))
    return np.array([len(p) for p in parts]), time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--master", default="local[2]")
    parser.add_argument("--one", help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(_one(args.corpus, args.out, args.one)))
        return
    engines = [
        "local:1",
        "local:2",
        "local:2+components",
        f"spark:{args.master}",
        f"spark:{args.master}+components",
        f"spark:{args.master}+components+dataframe",
    ]
    with tempfile.TemporaryDirectory() as tmp:
        rows, outputs = [], []
        for spec in engines:
            out = Path(tmp) / f"{len(outputs)}.jsonl"
            cmd = [sys.executable, __file__, str(args.corpus), "--one", spec, "--out", str(out)]
            done = subprocess.run(cmd, check=True, capture_output=True, text=True)
            rows.append((spec, json.loads(done.stdout.strip().splitlines()[-1])))
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
    sizes, largest_s = _component_sizes(args.corpus)
    print(
        f"candidate-graph components: {sizes.size}, {(sizes > 1).sum()} of more than one article; "
        f"largest {sizes.max()} articles, its assignment alone {largest_s:.1f} s (one task)"
    )
    same = all(o == outputs[0] for o in outputs)
    print(f"outputs byte-identical across engines: {same}")
    if not same:
        sys.exit(1)


if __name__ == "__main__":
    main()
