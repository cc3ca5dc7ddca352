"""Cluster one generated corpus (benchmarks/corpus_gen.py) with samestory, datasketch MinHashLSH and
text-dedup's MinHash, in one run, and print docs/s, peak RSS and pairwise F1 / ARI against the gold stories.

Each system runs in its own subprocess (so peak RSS is its own) over the same texts, with the same
word 5-gram shingles; timing starts after the JSONL is read and covers fingerprinting + candidate search +
clustering (``--stream``: samestory reads the file itself in batches and is timed from the first byte, holding
no texts; the 1M run). Both wall-clock docs/s and docs per CPU-second are printed (the latter is steadier on a shared
machine). text-dedup cannot be installed into the shared venv without downgrading rich and urllib3, so
its code is installed ``--no-deps`` into a folder (``--textdedup-path``) and its own ``embed_func`` (MinHash),
``optimal_param`` (bands/rows) and ``UnionFind`` clustering run in-process (its Hugging Face ``datasets`` I/O
is stubbed out, which can only make it faster).

    python -m pip install --no-deps --target /work/bench-out/td text-dedup==0.4.0   # once (or set TEXTDEDUP_PATH)
    python benchmarks/corpus_gen.py --docs 100000 --seed 5 --out /work/bench-out/corpus_100k.jsonl
    python benchmarks/corpus_bench.py /work/bench-out/corpus_100k.jsonl
    python benchmarks/corpus_bench.py /work/bench-out/corpus_1m.jsonl --systems samestory --stream
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
import types
from pathlib import Path
from typing import Any

SYSTEMS = ("samestory", "datasketch", "textdedup")


def _read(path: Path) -> tuple[list[str], list[str], list[str], list[str]]:
    ids, texts, gold, published = [], [], [], []
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            rec = json.loads(line)
            ids.append(rec["id"])
            texts.append(rec["text"])
            gold.append(rec["story"])
            published.append(rec.get("published") or "")
    return ids, texts, gold, published


def _shingles(text: str, n: int = 5) -> list[bytes]:
    from samestory.fingerprint import tokens

    toks = tokens(text)
    if len(toks) < n:
        return [" ".join(toks).encode()] if toks else []
    return list({" ".join(toks[i : i + n]).encode() for i in range(len(toks) - n + 1)})


class _UF:
    def __init__(self, n: int) -> None:
        self.p = list(range(n))

    def find(self, x: int) -> int:
        while self.p[x] != x:
            self.p[x] = self.p[self.p[x]]
            x = self.p[x]
        return x

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.p[max(ra, rb)] = min(ra, rb)


def _config(args: argparse.Namespace) -> Any:
    from dataclasses import replace

    from samestory.corpus.config import CorpusConfig

    return replace(CorpusConfig(), term_rows=args.term_rows, term_bands=args.term_bands)


def run_samestory(
    ids: list[str], texts: list[str], published: list[str], args: argparse.Namespace
) -> list[str]:
    """Batch featurisation (`featurize_texts`) + `cluster_batch` (the bulk engine)."""
    from datetime import datetime

    from samestory.corpus.bulk import cluster_batch
    from samestory.corpus.features import featurize_texts

    cfg = _config(args)
    when = [datetime.fromisoformat(p) if p else None for p in published]
    feats = featurize_texts(ids, texts, cfg, published=when, workers=args.workers)
    story = {m.article_id: m.story_id for m in cluster_batch(feats, cfg, workers=args.workers)}
    return [story[i] for i in ids]


def stream_samestory(path: Path, args: argparse.Namespace) -> tuple[list[str], dict[str, float]]:
    """The scale run: read the JSONL in batches, featurise each batch and drop its texts (nothing but the
    compact features is held), then cluster with the bulk engine. Returns the stories in file order and the
    seconds spent reading + featurising and clustering."""
    from datetime import datetime

    from samestory.corpus.bulk import cluster_batch
    from samestory.corpus.features import batch_for, featurize_texts

    cfg = _config(args)
    feats = []
    ids: list[str] = []
    t0 = time.perf_counter()
    batch: list[dict[str, Any]] = []

    def flush() -> None:
        feats.extend(
            featurize_texts(
                [r["id"] for r in batch],
                [r["text"] for r in batch],
                cfg,
                published=[
                    datetime.fromisoformat(r["published"]) if r.get("published") else None for r in batch
                ],
                workers=args.workers,
            )
        )
        batch.clear()

    with path.open(encoding="utf-8") as fh:
        for line in fh:
            rec = json.loads(line)
            ids.append(rec["id"])
            batch.append(rec)
            if len(batch) >= batch_for(args.workers):
                flush()
    flush()
    t1 = time.perf_counter()
    story = {m.article_id: m.story_id for m in cluster_batch(feats, cfg, workers=args.workers)}
    t2 = time.perf_counter()
    return [story[i] for i in ids], {"read_featurise_s": t1 - t0, "cluster_s": t2 - t1}


def run_datasketch(
    ids: list[str], texts: list[str], published: list[str], args: argparse.Namespace
) -> list[str]:
    from datasketch import MinHash, MinHashLSH

    lsh = MinHashLSH(threshold=args.ds_threshold, num_perm=128)
    uf = _UF(len(texts))
    for i, text in enumerate(texts):
        m = MinHash(num_perm=128, seed=1)
        m.update_batch(_shingles(text))
        for hit in lsh.query(m):
            uf.union(i, int(hit))
        lsh.insert(str(i), m)
    return [ids[uf.find(i)] for i in range(len(texts))]


def _import_textdedup(path: str) -> Any:
    sys.path.insert(0, path)
    for name in ("datasets", "click_option_group"):
        if name not in sys.modules:
            try:
                __import__(name)
            except ImportError:
                stub = types.ModuleType(name)
                stub.logging = types.SimpleNamespace(set_verbosity_error=lambda: None)  # type: ignore[attr-defined]
                for attr in (
                    "Dataset",
                    "load_dataset",
                    "load_from_disk",
                    "optgroup",
                    "concatenate_datasets",
                    "Value",
                ):
                    setattr(
                        stub,
                        attr,
                        types.SimpleNamespace(
                            group=lambda *a, **k: lambda f: f, option=lambda *a, **k: lambda f: f
                        ),
                    )
                sys.modules[name] = stub
    if "datasets.utils.version" not in sys.modules and isinstance(sys.modules["datasets"], types.ModuleType):
        import dataclasses

        utils, version = types.ModuleType("datasets.utils"), types.ModuleType("datasets.utils.version")
        version.dataclass = dataclasses.dataclass  # type: ignore[attr-defined]
        utils.version = version  # type: ignore[attr-defined]
        sys.modules["datasets.utils"], sys.modules["datasets.utils.version"] = utils, version
    import text_dedup.minhash as tdm

    return tdm


def run_textdedup(
    ids: list[str], texts: list[str], published: list[str], args: argparse.Namespace
) -> list[str]:
    import numpy as np

    tdm = _import_textdedup(args.textdedup_path)
    from text_dedup.utils import UnionFind, optimal_param, sha1_hash

    num_perm, ngram = 128, 5
    dtype, max_hash, prime = np.uint64, np.uint32((1 << 32) - 1), np.uint64((1 << 61) - 1)
    b, r = optimal_param(args.ds_threshold, num_perm, false_positive_weight=0.5, false_negative_weight=0.5)
    ranges = [(i * r, (i + 1) * r) for i in range(b)]
    rng = np.random.RandomState(42)
    perms = (
        rng.randint(1, prime, size=(num_perm,), dtype=dtype),
        rng.randint(0, prime, size=(num_perm,), dtype=dtype),
    )
    tables: list[dict[bytes, set[int]]] = [{} for _ in range(b)]
    for i, text in enumerate(texts):
        sig = tdm.embed_func(
            text, i, num_perm=num_perm, ngram_size=ngram, min_length=0, hashranges=ranges, permutations=perms,
            hash_func=lambda d: sha1_hash(d, d=32), dtype=dtype, max_hash=max_hash, modulo_prime=prime,
        )  # fmt: skip
        for t, h in enumerate(sig[tdm.SIGNATURE_COLUMN]):
            tables[t].setdefault(h, set()).add(i)
    uf = UnionFind()
    for table in tables:
        for cluster in table.values():
            if len(cluster) > 1:
                idx = min(cluster)
                for x in cluster:
                    uf.union(x, idx)
    return [ids[uf.find(i)] for i in range(len(texts))]


def child(system: str, args: argparse.Namespace) -> None:
    extra: dict[str, float] = {}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    kids_cpu = before.ru_utime + before.ru_stime
    if args.stream and system == "samestory":  # timed from the first byte read; texts never all in memory
        start, cpu_start = time.perf_counter(), time.process_time()
        pred, extra = stream_samestory(args.corpus, args)
        ids = pred
    else:
        ids, texts, _gold, published = _read(args.corpus)
        start, cpu_start = time.perf_counter(), time.process_time()
        pred = {"samestory": run_samestory, "datasketch": run_datasketch, "textdedup": run_textdedup}[system](
            ids, texts, published, args
        )
    seconds = time.perf_counter() - start
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)  # worker processes (featurisation pool), once reaped
    cpu = time.process_time() - cpu_start + kids.ru_utime + kids.ru_stime - kids_cpu
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    worker_rss_mb = kids.ru_maxrss / 1024 if args.workers != 1 else 0.0  # the largest worker's own peak
    print(
        json.dumps(
            {
                "system": system,
                "seconds": seconds,
                "docs": len(ids),
                "peak_rss_mb": rss_mb,
                "worker_rss_mb": worker_rss_mb,
                "cpu_seconds": cpu,
                "pred": pred,
                **extra,
            }
        )
    )


def score(gold: list[str], pred: list[str]) -> dict[str, float]:
    from samestory.eval.clusters import adjusted_rand_index, pairwise_prf

    p, r, f = pairwise_prf(gold, pred)
    return {"precision": p, "recall": r, "f1": f, "ari": adjusted_rand_index(gold, pred)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("corpus", type=Path)
    ap.add_argument("--systems", default=",".join(SYSTEMS))
    ap.add_argument("--ds-threshold", type=float, default=0.5, help="datasketch / text-dedup LSH threshold")
    ap.add_argument("--term-rows", type=int, default=5)
    ap.add_argument("--term-bands", type=int, default=16)
    ap.add_argument("--textdedup-path", default=os.environ.get("TEXTDEDUP_PATH", "/work/bench-out/td"))
    ap.add_argument(
        "--stream",
        action="store_true",
        help="samestory reads the file itself in batches (timed from the first byte; for the 1M run)",
    )
    ap.add_argument(
        "--workers",
        default="1",
        help="samestory featurisation processes, comma-separated to run samestory once per count (0 = one per core)",
    )
    ap.add_argument("--child", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        args.workers = int(args.workers)
        child(args.child, args)
        return 0
    with args.corpus.open(encoding="utf-8") as fh:
        gold = [json.loads(line)["story"] for line in fh]
    print(
        f"corpus {args.corpus}: {len(gold)} docs, {len(set(gold))} gold stories, cores {os.cpu_count()}, load {os.getloadavg()[0]:.1f}"
    )
    runs = [
        (s, w)
        for s in args.systems.split(",")
        for w in (args.workers.split(",") if s == "samestory" else ["1"])
    ]
    for system, workers in runs:
        label = system if system != "samestory" or args.workers == "1" else f"samestory×{workers}"
        cmd = [sys.executable, __file__, str(args.corpus), "--child", system, "--workers", workers, "--ds-threshold", str(args.ds_threshold),
               "--term-rows", str(args.term_rows), "--term-bands", str(args.term_bands), "--textdedup-path", args.textdedup_path,
               *(["--stream"] if args.stream else [])]  # fmt: skip
        proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
        if proc.returncode != 0:
            print(
                f"{label:<13} FAILED: {proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else proc.returncode}"
            )
            continue
        res = json.loads(proc.stdout.strip().splitlines()[-1])
        s = score(gold, res["pred"])
        print(
            f"{label:<13} docs/s {res['docs'] / res['seconds']:9.1f}  docs/CPU-s {res['docs'] / res.get('cpu_seconds', res['seconds']):8.1f}  time {res['seconds']:8.1f}s  peak RSS {res['peak_rss_mb']:7.0f} MB  "
            f"P {s['precision']:.3f} R {s['recall']:.3f} F1 {s['f1']:.3f} ARI {s['ari']:.3f}  stories {len(set(res['pred']))}"
        )
        if res.get("worker_rss_mb"):
            print(
                f"{'':<11} largest worker's peak RSS {res['worker_rss_mb']:.0f} MB (its own, pages shared with the parent included)"
            )
        if "cluster_s" in res:
            print(
                f"{'':<11} of which reading + featurising {res['read_featurise_s']:.1f}s, clustering {res['cluster_s']:.1f}s"
            )
        sys.stdout.flush()
    print(f"load after run {os.getloadavg()[0]:.1f}; date {time.strftime('%Y-%m-%d %H:%M')}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
