"""Per-article and per-pair costs of the `cluster` pipeline's stages in one process (lexical settings), for the
scaling model in docs/spark.md: featurise (read + featurise, wall and CPU), the key matrix, the candidate pairs
(before and after selection), the verification of every selected pair alone (`bulk._verify_job`), and the
verification + assignment of every component (`bulk._component_job`, what each Spark task of
``cluster --engine spark`` runs), the largest component alone.

    python benchmarks/stage_costs.py corpus.jsonl
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

from samestory.corpus import bulk
from samestory.corpus.batch import read_features
from samestory.corpus.cluster import order_key
from samestory.corpus.components import components, groups
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
    t = time.perf_counter()
    selected = bulk.BulkClusterer(cfg).selected(docs, keys)
    t_sel = time.perf_counter() - t
    pairs = sum(map(len, selected))
    t = time.perf_counter()
    bulk._verify_job([(i, cs) for i, cs in enumerate(selected) if cs], (docs, cfg))
    t_verify = time.perf_counter() - t
    edges = np.array([(i, c) for i, cs in enumerate(selected) for c in cs], dtype=np.int64)
    parts = groups(components(n, edges))
    jobs = []
    for members in parts:
        local = {int(g): k for k, g in enumerate(members)}
        jobs.append(([docs[g] for g in members], [[local[c] for c in selected[g]] for g in members]))
    big = max(range(len(parts)), key=lambda k: len(parts[k]))
    t = time.perf_counter()
    bulk._component_job(jobs, (cfg, None))
    t_all = time.perf_counter() - t
    t = time.perf_counter()
    bulk._component_job([jobs[big]], (cfg, None))
    t_big = time.perf_counter() - t
    big_pairs = sum(map(len, jobs[big][1]))
    print(f"corpus: {args.corpus} ({n} articles)")
    print(
        f"read + featurise: {feat_wall:.1f} s wall, {feat_cpu:.1f} CPU-s ({1e3 * feat_cpu / n:.2f} ms an article)"
    )
    print(
        f"key matrix: {t_keys:.1f} s; candidate pairs: {t_pairs:.1f} s for {raw} ({raw / n:.1f} an article, "
        f"{1e6 * t_pairs / max(raw, 1):.2f} us a pair); selection (pairs again + select): {t_sel:.1f} s"
    )
    print(
        f"selected pairs: {pairs} ({pairs / n:.2f} an article); verifying them alone: {t_verify:.1f} s "
        f"({1e3 * t_verify / max(pairs, 1):.3f} ms a pair)"
    )
    print(
        f"verify + assign every component: {t_all:.1f} s ({1e3 * t_all / n:.3f} ms an article); "
        f"assignment beyond verification {t_all - t_verify:.1f} s ({1e3 * (t_all - t_verify) / n:.3f} ms an article)"
    )
    print(
        f"components: {len(parts)}, {sum(len(p) > 1 for p in parts)} of more than one article; largest "
        f"{len(parts[big])} articles ({100 * len(parts[big]) / n:.1f}%), {big_pairs} pairs, alone {t_big:.1f} s"
    )


if __name__ == "__main__":
    main()
