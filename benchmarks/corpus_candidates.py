"""Key-term candidate settings (`CorpusConfig.key_terms` / `key_terms_min` / `key_term_max_df`): ECB+ and WMT21
ARI through `cluster_batch`, and pairwise P/R on a seeded sample of a generated corpus (candidate pairs and time).

    python benchmarks/corpus_candidates.py 24,3,32 24,6,8 --corpus /work/bench-out/corpus_100k_real.jsonl \\
        --sample 20000

Each spec is ``KEY_TERMS,MIN_SHARED,MAX_DF`` (``0,3,32``: no key terms, LSH keys only).
"""

from __future__ import annotations

import argparse
import json
import random
import time
from dataclasses import replace
from datetime import datetime
from pathlib import Path

from samestory.corpus.bulk import candidate_pairs, cluster_batch, key_matrix
from samestory.corpus.cluster import order_key
from samestory.corpus.config import CorpusConfig
from samestory.corpus.features import DocFeatures, featurize_articles
from samestory.eval.clusters import featurize_docs, load_cluster_data, score_partition
from samestory.eval.data import data_file
from samestory.ingest import from_text


def _sample(path: Path, n: int, seed: int) -> tuple[list[DocFeatures], dict[str, str]]:
    lines = path.read_text(encoding="utf-8").splitlines()
    random.Random(seed).shuffle(lines)
    recs = [json.loads(line) for line in lines[:n]]
    arts = [
        from_text(
            r["text"],
            title=r.get("title") or None,
            id=r["id"],
            lang=r.get("lang"),
            published=datetime.fromisoformat(r["published"]) if r.get("published") else None,
        )
        for r in recs
    ]
    return featurize_articles(arts, CorpusConfig()), {r["id"]: str(r["story"]) for r in recs}


def main() -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("specs", nargs="+")
    ap.add_argument("--corpus", type=Path, default=None, help="JSONL from benchmarks/corpus_gen.py")
    ap.add_argument("--sample", type=int, default=20000)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    base = CorpusConfig()
    labelled = {}
    for name, parts in (
        ("ECB+", ("ecbplus", "topics-01-22.jsonl")),
        ("WMT", ("wmt21-ru-en", "newstest2021.ru-en.all.xml")),
    ):
        path = data_file(*parts)
        if path is not None:
            docs = load_cluster_data(path)
            labelled[name] = (docs, featurize_docs(docs, base))
    sample = _sample(args.corpus, args.sample, args.seed) if args.corpus else None
    for spec in args.specs:
        k, t, cap = (int(x) for x in spec.split(","))
        cfg = replace(base, key_terms=k, key_terms_min=t, key_term_max_df=cap)
        out = [f"{spec:>10}"]
        for name, (docs, feats) in labelled.items():
            story = {m.article_id: m.story_id for m in cluster_batch(feats, cfg)}
            out.append(
                f"{name} ARI {score_partition([d.gold for d in docs], [story[d.id] for d in docs]).ari:.4f}"
            )
        if sample is not None:
            feats, gold = sample
            ordered = sorted(feats, key=order_key)
            start = time.perf_counter()
            _, earlier, _, _ = candidate_pairs(key_matrix(ordered, cfg), cfg)
            story = {m.article_id: m.story_id for m in cluster_batch(ordered, cfg)}
            took = time.perf_counter() - start
            ids = [d.id for d in ordered]
            r = score_partition([gold[i] for i in ids], [story[i] for i in ids])
            out.append(
                f"sample P {r.precision:.3f} R {r.recall:.3f} F1 {r.f1:.3f} ({earlier.size} key pairs, {took:.1f}s)"
            )
        print("  ".join(out), flush=True)


if __name__ == "__main__":
    main()
