"""Per-article and per-pair costs of the `cluster` pipeline's stages in one process (lexical settings), for the
scaling model in docs/spark.md: featurise (read + featurise, wall and CPU), the key matrix, the candidate pairs
(before and after selection), the verification of every selected pair (`BulkClusterer.same_story_links`, the
first half of ``cluster --engine spark``'s per-component stage), and the assignment of every component of the
verified candidate graph (`bulk.component_jobs` run through `bulk._component_job`, what each Spark task of the
second half runs), the largest component alone. `benchmarks/spark_bench.py` prints the same `measure`.

    python benchmarks/stage_costs.py corpus.jsonl
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Any

import numpy as np

from samestory.corpus import bulk
from samestory.corpus.batch import read_features
from samestory.corpus.cluster import order_key
from samestory.corpus.components import components, groups
from samestory.corpus.config import CorpusConfig


def measure(path: Path) -> dict[str, Any]:
    """Each stage of `cluster` on ``path`` alone, in this process: times (seconds, CPU-seconds for
    featurising), counts (raw, selected and same-story pairs), the component sizes of the candidate graph
    (every selected pair) and of the verified graph (the per-component stage's), the largest one's time."""
    cfg = CorpusConfig()
    w, c = time.perf_counter(), time.process_time()
    docs = sorted(read_features([path], cfg).docs, key=order_key)
    out: dict[str, Any] = {"docs": len(docs)}
    out["featurise_s"], out["featurise_cpu_s"] = time.perf_counter() - w, time.process_time() - c
    t = time.perf_counter()
    keys = bulk.key_matrix(docs, cfg)
    out["keys_s"], t = time.perf_counter() - t, time.perf_counter()
    out["raw_pairs"] = int(bulk.candidate_pairs(keys, cfg)[1].size)
    out["pairs_s"] = time.perf_counter() - t
    clusterer = bulk.BulkClusterer(cfg)
    t = time.perf_counter()
    selected = clusterer.selected(docs, keys)
    out["select_s"], t = time.perf_counter() - t, time.perf_counter()
    linked = clusterer.same_story_links(docs, selected)
    out["verify_s"], t = time.perf_counter() - t, time.perf_counter()
    out["selected_pairs"], out["linked_pairs"] = sum(map(len, selected)), sum(map(len, linked))
    jobs = bulk.component_jobs(docs, selected, linked)
    out["jobs_s"], t = time.perf_counter() - t, time.perf_counter()
    for job in jobs:
        bulk._component_job(job, (cfg, None))
    out["assign_s"] = time.perf_counter() - t
    tasks = [task for job in jobs for task in job]
    big = max(tasks, key=lambda task: len(task[0]))
    t = time.perf_counter()
    bulk._component_job([big], (cfg, None))
    out["largest_s"], out["largest_pairs"] = time.perf_counter() - t, sum(map(len, big[1]))
    out["sizes"] = np.array([len(task[0]) for task in tasks])
    edges = np.array([(i, c) for i, cs in enumerate(selected) for c in cs], dtype=np.int64).reshape(-1, 2)
    out["candidate_sizes"] = np.array([len(p) for p in groups(components(len(docs), edges))])
    return out


def report(m: dict[str, Any]) -> None:
    """Print `measure`'s figures, per article and per pair."""
    n, raw, pairs, sizes, cand = (
        m["docs"],
        m["raw_pairs"],
        m["selected_pairs"],
        m["sizes"],
        m["candidate_sizes"],
    )
    print(
        f"read + featurise: {m['featurise_s']:.1f} s wall, {m['featurise_cpu_s']:.1f} CPU-s "
        f"({1e3 * m['featurise_cpu_s'] / n:.2f} ms an article)"
    )
    print(
        f"key matrix: {m['keys_s']:.1f} s; candidate pairs: {m['pairs_s']:.1f} s for {raw} ({raw / n:.1f} an "
        f"article, {1e6 * m['pairs_s'] / max(raw, 1):.2f} us a pair); selection (pairs again + select): "
        f"{m['select_s']:.1f} s"
    )
    print(
        f"selected pairs: {pairs} ({pairs / n:.2f} an article); verifying them: {m['verify_s']:.1f} s "
        f"({1e3 * m['verify_s'] / max(pairs, 1):.3f} ms a pair); {m['linked_pairs']} verify as the same story"
    )
    print(
        f"components and their tasks (driver): {m['jobs_s']:.1f} s; assignment of every component: "
        f"{m['assign_s']:.1f} s ({1e3 * m['assign_s'] / n:.3f} ms an article)"
    )
    print(
        f"verified-graph components: {sizes.size}, {(sizes > 1).sum()} of more than one article; largest "
        f"{sizes.max()} articles ({100 * sizes.max() / n:.2f}%), {m['largest_pairs']} pairs, alone "
        f"{m['largest_s']:.2f} s; candidate-graph components: {cand.size}, largest {cand.max()}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("corpus", type=Path)
    args = parser.parse_args()
    m = measure(args.corpus)
    print(f"corpus: {args.corpus} ({m['docs']} articles)")
    report(m)


if __name__ == "__main__":
    main()
