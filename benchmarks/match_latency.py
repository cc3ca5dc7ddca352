"""`Index.match` latency on a large index (target: p99 <= 50 ms on 100k documents).

Builds (or reuses) an index of N generated documents, then times `Index.match` on probe articles: half are
fresh versions of stored stories (they find candidates and get verified), half are new stories. Prints
build throughput, index size, and the p50/p90/p99/max of `match` (ingest excluded; the cost of
`from_text` on the probes is printed apart).

Corpus: seeded, built from the real articles in ../shared/data (SemEval-2022 task 8 texts, ECB+, WMT21
English references): each story is 6-12 real sentences drawn from that pool, published in 1-5 versions
(reprint with page debris, truncation, a dropped sentence, reordered sentences), on dates spread over a year.

    /work/venv/bin/python benchmarks/match_latency.py --docs 100000 [--db /tmp/match100k.db] [--probes 1000]
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import re
import resource
import statistics
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

from samestory.article import Article
from samestory.eval.data import data_file
from samestory.eval.wmt import load_wmt
from samestory.index import Index
from samestory.ingest import from_text

_SPLIT = re.compile(r"(?<=[.!?])\s+")
DEBRIS = ["Read more: subscribe to our newsletter.", "Share this article on social media.", "Advertisement"]


def sentence_pool() -> list[str]:
    """Real sentences (12-60 words) from the shared data, in a fixed order."""
    texts: list[str] = []
    semeval = data_file("semeval2022-task8", "train.csv")
    if semeval is not None:
        csv.field_size_limit(1 << 24)
        with semeval.open(encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                texts += [row["text1"], row["text2"]]
    ecb = data_file("ecbplus", "topics-01-22.jsonl")
    if ecb is not None:
        with ecb.open(encoding="utf-8") as fh:
            texts += [json.loads(line)["text"] for line in fh if line.strip()]
    wmt = data_file("wmt21-ru-en", "newstest2021.ru-en.all.xml")
    if wmt is not None:
        for doc in load_wmt(wmt):
            texts += [v.text for v in doc.refs]
    if not texts:
        sys.exit("no shared data found: set SAMESTORY_DATA to the shared/data folder")
    seen: dict[str, None] = {}
    for t in texts:
        for s in _SPLIT.split(t):
            s = " ".join(s.split())
            if 12 <= len(s.split()) <= 60:
                seen.setdefault(s, None)
    return list(seen)


def versions(pool: list[str], story: int, seed: int) -> list[tuple[str, str, datetime]]:
    """The versions of one generated story: (id, text, published); seeded per story, so it can be redrawn."""
    rng = random.Random(f"{seed}-{story}")
    t0 = datetime(2024, 1, 1, tzinfo=UTC) + timedelta(minutes=rng.randint(0, 365 * 24 * 60))
    sents = rng.sample(pool, rng.randint(6, 12))
    out = [(f"s{story}-0", " ".join(sents), t0)]
    kinds = ["reprint", "trunc", "drop", "reorder"]
    for k in range(rng.randint(0, 4)):
        kind = kinds[k]
        if kind == "reprint":
            body = [*sents, rng.choice(DEBRIS)]
        elif kind == "trunc":
            body = sents[: max(3, len(sents) * 2 // 3)]
        elif kind == "drop":
            body = [s for i, s in enumerate(sents) if i != rng.randrange(1, len(sents))]
        else:
            body = [sents[0], *rng.sample(sents[1:], len(sents) - 1)]
        out.append((f"s{story}-{k + 1}", " ".join(body), t0 + timedelta(hours=rng.randint(1, 72))))
    return out


def corpus(pool: list[str], n: int, seed: int) -> Iterator[Article]:
    """``n`` generated documents (bare `Article`s: the index features need no segmentation)."""
    made = 0
    story = 0
    while made < n:
        for id_, text, published in versions(pool, story, seed):
            if made >= n:
                break
            yield Article(id=id_, text=text, published=published, lang="en", source=f"outlet{made % 97}")
            made += 1
        story += 1


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--docs", type=int, default=100_000)
    ap.add_argument("--probes", type=int, default=1000)
    ap.add_argument("--db", type=Path, default=None, help="index file (reused when it already holds --docs)")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    db = args.db or Path(f"/tmp/samestory-match-{args.docs}.db")

    t = time.perf_counter()
    pool = sentence_pool()
    print(f"sentence pool: {len(pool)} real sentences ({time.perf_counter() - t:.1f}s)")
    with Index(db) as ix:
        if len(ix) < args.docs:
            t = time.perf_counter()
            last = [0.0]

            def progress(stage: str, done: int, total: int | None) -> None:
                if time.perf_counter() - last[0] > 30:
                    last[0] = time.perf_counter()
                    print(f"  {stage} {done}/{total or '?'} ({time.perf_counter() - t:.0f}s)", flush=True)

            report = ix.add_report(corpus(pool, args.docs, args.seed), progress=progress)
            took = time.perf_counter() - t
            print(
                f"built: {report.added} added, {report.skipped} skipped in {took:.1f}s "
                f"({report.added / max(took, 1e-9):.0f} docs/s)"
            )
        size = len(ix)
        stories = ix.store.connection.execute("SELECT count(DISTINCT story_id) FROM memberships").fetchone()[
            0
        ]
        print(f"index: {size} documents, {stories} stories, {db.stat().st_size / 2**20:.0f} MiB ({db})")

        rng = random.Random(args.seed + 1000)
        probes: list[Article] = []
        ingest_ms: list[float] = []
        for i in range(args.probes):
            if i % 2 == 0:  # a new version of a stored story: its sentences, cut differently, with debris
                story = rng.randrange(0, stories)
                body = _SPLIT.split(versions(pool, story, args.seed)[0][1])
                cut = " ".join(body[: max(3, len(body) - 1)]) + " " + rng.choice(DEBRIS)
            else:  # a new story
                cut = " ".join(rng.sample(pool, rng.randint(6, 12)))
            t = time.perf_counter()
            art = from_text(cut, id=f"probe{i}", lang="en", published=datetime(2024, 6, 1, tzinfo=UTC))
            ingest_ms.append((time.perf_counter() - t) * 1000)
            probes.append(art)
        ix.match(probes[0])  # warm caches of the first query only (numpy, sqlite page cache)
        found = 0
        times: list[float] = []
        for art in probes:
            t = time.perf_counter()
            m = ix.match(art)
            times.append((time.perf_counter() - t) * 1000)
            found += m.matched_id is not None
    times.sort()

    def pct(p: float) -> float:
        return times[min(len(times) - 1, int(p / 100 * len(times)))]

    print(
        f"match over {len(times)} probes ({found} joined a story): p50 {pct(50):.1f} ms, p90 {pct(90):.1f} ms, "
        f"p99 {pct(99):.1f} ms, max {times[-1]:.1f} ms, mean {statistics.mean(times):.1f} ms"
    )
    print(f"from_text on the probes (not in the figures above): p50 {statistics.median(ingest_ms):.1f} ms")
    print(f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")


if __name__ == "__main__":
    main()
