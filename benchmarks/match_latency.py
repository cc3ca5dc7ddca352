"""`Index.match` latency on a large index (target: p99 <= 50 ms on a 100k-document index).

Corpus: the seeded generator of ``benchmarks/corpus_gen.py`` (real stories from ../shared/data with their WMT
MT variants, ECB+ same-topic events, SemEval articles, derived reprints/truncations/reorders, and filler), as
JSONL. ``--probes`` records are held out (seeded sample); the others are indexed with `Index.add`; then each
held-out article is matched (`Index.match`, nothing stored) and timed. Prints build throughput, index size,
p50/p90/p99/max of `match` (features + candidate look-up + verification + assignment; reading the JSON is
excluded), and how often the match is right: the matched article has the probe's gold story, or the probe's
gold story has nothing in the index and the probe matched nothing. Peer, same run: datasketch MinHash +
MinHashLSH over the same word 5-gram shingles, queried with the same probes (candidates only, no verification).

    python benchmarks/corpus_gen.py --docs 101000 --seed 5 --out /work/bench-out/corpus_101k.jsonl
    python benchmarks/match_latency.py /work/bench-out/corpus_101k.jsonl --probes 1000 \
        [--db /tmp/match100k.db]

The index file is reused when it already holds the indexed part (a second run measures `match` only).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import statistics
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

from samestory.article import Article
from samestory.index import Index


def _article(rec: dict[str, Any]) -> Article:
    # a bare Article (no segmentation): the corpus features read the text directly, as corpus_bench does
    published = datetime.fromisoformat(rec["published"]) if rec.get("published") else None
    return Article(
        id=rec["id"],
        text=rec["text"],
        title=rec.get("title") or "",
        lang=rec.get("lang") or "und",
        published=published,
        source=rec.get("source") or "",
    )


def _records(path: Path) -> Iterator[dict[str, Any]]:
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                yield json.loads(line)


def _shingles(text: str, n: int = 5) -> list[bytes]:
    """The same word 5-gram shingles samestory uses (its tokenizer), as bytes for datasketch."""
    from samestory.fingerprint import tokens

    toks = tokens(text)
    if len(toks) < n:
        return [" ".join(toks).encode()] if toks else []
    return list({" ".join(toks[i : i + n]).encode() for i in range(len(toks) - n + 1)})


def datasketch_peer(
    corpus: Path, held: set[str], gold: dict[str, str], indexed_stories: set[str], threshold: float
) -> str:
    """datasketch MinHash + MinHashLSH (in memory) on the same split: build time, query latency, and how often
    the returned candidate set holds an article of the probe's story (lenient: no verification, no choice)."""
    from datasketch import MinHash, MinHashLSH

    t = time.perf_counter()
    lsh = MinHashLSH(threshold=threshold, num_perm=128)
    n = 0
    for r in _records(corpus):
        if r["id"] in held:
            continue
        m = MinHash(num_perm=128, seed=1)
        m.update_batch(_shingles(r["text"]))
        lsh.insert(r["id"], m)
        n += 1
    build = time.perf_counter() - t
    times: list[float] = []
    right = 0
    for r in _records(corpus):
        if r["id"] not in held:
            continue
        t = time.perf_counter()
        m = MinHash(num_perm=128, seed=1)
        m.update_batch(_shingles(r["text"]))
        found = lsh.query(m)
        times.append((time.perf_counter() - t) * 1000)
        story = gold[r["id"]]
        right += any(gold[f] == story for f in found) if found else story not in indexed_stories
    times.sort()
    p50, p99 = times[len(times) // 2], times[min(len(times) - 1, int(0.99 * len(times)))]
    return (
        f"datasketch MinHashLSH(threshold={threshold}, num_perm=128), same shingles: built {n} in {build:.1f}s "
        f"({n / build:.0f} docs/s); query p50 {p50:.1f} ms, p99 {p99:.1f} ms, max {times[-1]:.1f} ms; "
        f"{right / len(times):.1%} right (lenient: any returned candidate of the probe's story)"
    )


def _cpu() -> float:
    """CPU seconds of this process and its finished worker processes."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("corpus", type=Path, help="JSONL from benchmarks/corpus_gen.py")
    ap.add_argument("--probes", type=int, default=1000)
    ap.add_argument("--db", type=Path, default=None)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--no-peer", action="store_true", help="skip the datasketch run")
    ap.add_argument("--workers", type=int, default=1, help="Index(workers=...) for the build")
    ap.add_argument(
        "--removes", type=int, default=0, help="then time `Index.remove` of this many indexed articles"
    )
    ap.add_argument(
        "--peer-threshold", type=float, default=0.5, help="datasketch LSH threshold (its default)"
    )
    args = ap.parse_args()
    db = args.db or Path(f"/tmp/samestory-match-{args.corpus.stem}.db")

    ids = [r["id"] for r in _records(args.corpus)]
    held = set(random.Random(args.seed).sample(ids, args.probes))
    gold = {r["id"]: r["story"] for r in _records(args.corpus)}
    indexed_stories = {gold[i] for i in ids if i not in held}

    with Index(db, workers=args.workers) as ix:
        if len(ix) < len(ids) - len(held):
            t, cpu = time.perf_counter(), _cpu()
            last = [t]

            def progress(stage: str, done: int, total: int | None) -> None:
                if time.perf_counter() - last[0] > 60:
                    last[0] = time.perf_counter()
                    print(f"  {stage} {done}/{total or '?'} ({time.perf_counter() - t:.0f}s)", flush=True)

            arts = (_article(r) for r in _records(args.corpus) if r["id"] not in held)
            report = ix.add_report(arts, progress=progress, keep_memberships=False)
            took, cpu = time.perf_counter() - t, _cpu() - cpu
            print(
                f"built with {args.workers} worker(s): {report.added} added in {took:.1f}s "
                f"({report.added / max(took, 1e-9):.0f} docs/s; "
                f"{cpu:.1f} CPU-s, {report.added / max(cpu, 1e-9):.0f} docs/CPU-s; load {os.getloadavg()[0]:.1f})"
            )
        size, stories = len(ix), ix.story_count()
        print(f"index: {size} documents, {stories} stories, {db.stat().st_size / 2**20:.0f} MiB ({db})")

        probes = [_article(r) for r in _records(args.corpus) if r["id"] in held]
        ix.match(probes[0])  # first call pays the lazy imports
        times: list[float] = []
        joined = right = 0
        for art in probes:
            t = time.perf_counter()
            m = ix.match(art)
            times.append((time.perf_counter() - t) * 1000)
            if m.matched_id is not None:
                joined += 1
                right += gold[m.matched_id] == gold[art.id]
            else:
                right += gold[art.id] not in indexed_stories
        removed: list[float] = []
        if args.removes:
            # articles of stories with several versions (a remove re-clusters the rest of its story)
            members = [m.article_id for m in ix.iter_memberships() if m.matched_id is not None]
            for i in random.Random(args.seed + 1).sample(members, min(args.removes, len(members))):
                t = time.perf_counter()
                ix.remove(i)
                removed.append((time.perf_counter() - t) * 1000)
    times.sort()

    def pct(p: float) -> float:
        return times[min(len(times) - 1, int(p / 100 * len(times)))]

    print(
        f"match over {len(times)} held-out probes: p50 {pct(50):.1f} ms, p90 {pct(90):.1f} ms, "
        f"p99 {pct(99):.1f} ms, max {times[-1]:.1f} ms, mean {statistics.mean(times):.1f} ms; "
        f"{joined} joined a story, {right / len(times):.1%} right by the gold stories"
    )
    if removed:
        removed.sort()
        print(
            f"remove of {len(removed)} articles (members of multi-version stories): "
            f"p50 {removed[len(removed) // 2]:.0f} ms, max {removed[-1]:.0f} ms (re-run: they are added back)"
        )
    print(f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB (samestory part)")
    if not args.no_peer:
        print(datasketch_peer(args.corpus, held, gold, indexed_stories, args.peer_threshold))


if __name__ == "__main__":
    main()
