"""Per-article and per-pair costs of the `cluster` pipeline's stages in one process (lexical settings), for the
scaling model in docs/spark.md: featurise (read + featurise, wall and CPU), the key matrix, the candidate pairs
(before and after selection), the verification of every selected pair (`BulkClusterer.same_story_links`, the
first half of ``cluster --engine spark``'s per-component stage), and the assignment of every component of the
verified candidate graph (`bulk.component_jobs` run through `bulk._component_job`, what each Spark task of the
second half runs), the largest component alone.

    python benchmarks/stage_costs.py corpus.jsonl
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from samestory.corpus import bulk
from samestory.corpus.batch import read_features
from samestory.corpus.cluster import order_key
from samestory.corpus.config import CorpusConfig


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("corpus", type=Path)
    args = parser.parse_args()
    cfg = CorpusConfig()
    w, c = time.perf_counter(), time.process_time()
    docs = sorted(read_features([args.corpus], cfg).docs, key=order_key)
    n = len(docs)
    feat_wall, feat_cpu = time.perf_counter() - w, time.process_time() - c
    t = time.perf_counter()
    keys = bulk.key_matrix(docs, cfg)
    t_keys = time.perf_counter() - t
    t = time.perf_counter()
    raw = int(bulk.candidate_pairs(keys, cfg)[1].size)
    t_pairs = time.perf_counter() - t
    clusterer = bulk.BulkClusterer(cfg)
    t = time.perf_counter()
    selected = clusterer.selected(docs, keys)
    t_sel = time.perf_counter() - t
    pairs = sum(map(len, selected))
    t = time.perf_counter()
    linked = clusterer.same_story_links(docs, selected)
    t_verify = time.perf_counter() - t
    t = time.perf_counter()
    jobs = bulk.component_jobs(docs, selected, linked)
    t_jobs = time.perf_counter() - t
    tasks = [task for job in jobs for task in job]
    t = time.perf_counter()
    for job in jobs:
        bulk._component_job(job, (cfg, None))
    t_all = time.perf_counter() - t
    big = max(tasks, key=lambda task: len(task[0]))
    t = time.perf_counter()
    bulk._component_job([big], (cfg, None))
    t_big = time.perf_counter() - t
    print(f"corpus: {args.corpus} ({n} articles)")
    print(
        f"read + featurise: {feat_wall:.1f} s wall, {feat_cpu:.1f} CPU-s ({1e3 * feat_cpu / n:.2f} ms an article)"
    )
    print(
        f"key matrix: {t_keys:.1f} s; candidate pairs: {t_pairs:.1f} s for {raw} ({raw / n:.1f} an article, "
        f"{1e6 * t_pairs / max(raw, 1):.2f} us a pair); selection (pairs again + select): {t_sel:.1f} s"
    )
    print(
        f"selected pairs: {pairs} ({pairs / n:.2f} an article); verifying them: {t_verify:.1f} s "
        f"({1e3 * t_verify / max(pairs, 1):.3f} ms a pair); {sum(map(len, linked))} verify as the same story"
    )
    print(
        f"components and their tasks (driver): {t_jobs:.1f} s; assignment of every component: {t_all:.1f} s "
        f"({1e3 * t_all / n:.3f} ms an article)"
    )
    print(
        f"components: {len(tasks)}, {sum(len(task[0]) > 1 for task in tasks)} of more than one article; largest "
        f"{len(big[0])} articles ({100 * len(big[0]) / n:.2f}%), {sum(map(len, big[1]))} pairs, alone {t_big:.2f} s"
    )


if __name__ == "__main__":
    main()
