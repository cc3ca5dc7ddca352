"""Ingest throughput and the zero-error check over every text in ../shared/data.

1. Zero errors: SemEval-2022 train.csv (text1 and text2 columns through the CSV reader), ECB+ JSONL (JSONL
   reader), every WMT21 ru-en version (source, references, system outputs) written as .txt files (txt reader).
2. Throughput, single process: articles/s for plain text (``.txt`` files: read, decode, title, normalise,
   debris, dateline, language, sentences) and for HTML pages generated from the WMT documents (trafilatura
   extraction + the same pipeline). CPU seconds are used for the per-core figure (the machine is shared).

    python benchmarks/ingest.py          # needs ../shared/data (or $SAMESTORY_DATA)
"""

from __future__ import annotations

import html
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from samestory.article import Article
from samestory.errors import InputError
from samestory.eval.data import data_file
from samestory.eval.wmt import Version, load_wmt
from samestory.ingest import ReadOptions, from_text, read_paths

REPEATS = (
    3  # the machine is shared: noise only ever slows a run down, so the best of a few is the fairest figure
)
PAGE = """<!DOCTYPE html>
<html lang="{lang}"><head><meta charset="utf-8"><title>{title} | Example News</title>
<meta property="article:published_time" content="2021-06-0{day}T10:00:00Z">
<meta name="author" content="Staff reporter"></head>
<body><header><nav><a href="/">Home</a> | <a href="/world">World</a> | <a href="/politics">Politics</a></nav></header>
<main><article><h1>{title}</h1>
{paragraphs}
</article>
<aside><h3>Read more</h3><ul><li><a href="/a">Another story</a></li><li><a href="/b">Yet another story</a></li></ul></aside>
</main><footer>&copy; 2021 Example News. All rights reserved.</footer></body></html>
"""


def _title_and_paragraphs(version: Version) -> tuple[str, list[str]]:
    segs = [t for _, t in version.segments]
    groups = version.paragraphs or (tuple(range(len(segs))),)
    paras = [" ".join(segs[i] for i in g) for g in groups]
    title, rest = segs[0], paras
    if paras and paras[0].startswith(title):
        rest = [paras[0][len(title) :].strip(), *paras[1:]]
    return title, [p for p in rest if p]


def _write_corpus(root: Path, wmt: Path) -> tuple[list[Path], list[Path]]:
    txt_paths: list[Path] = []
    html_paths: list[Path] = []
    for d, doc in enumerate(load_wmt(wmt)):
        for v, version in enumerate(doc.versions):
            title, paras = _title_and_paragraphs(version)
            body = "\n\n".join(paras)
            t = root / "txt" / f"{d:03d}_{v:02d}.txt"
            t.parent.mkdir(parents=True, exist_ok=True)
            t.write_text(f"{title}\n\n{body}\n", encoding="utf-8")
            txt_paths.append(t)
            if version.kind != "hyp":
                h = root / "html" / f"{d:03d}_{v:02d}.html"
                h.parent.mkdir(parents=True, exist_ok=True)
                ps = "\n".join(f"<p>{html.escape(p)}</p>" for p in paras)
                h.write_text(
                    PAGE.format(
                        lang=version.lang[:2], title=html.escape(title), paragraphs=ps, day=1 + d % 9
                    ),
                    encoding="utf-8",
                )
                html_paths.append(h)
    return txt_paths, html_paths


def _run(
    paths: list[Path | str], options: ReadOptions | None = None
) -> tuple[int, list[str], float, float, Counter[str]]:
    wall0, cpu0 = time.perf_counter(), time.process_time()
    ok = 0
    errors: list[str] = []
    langs: Counter[str] = Counter()
    for r in read_paths(paths, options):
        if isinstance(r, InputError):
            errors.append(str(r))
        else:
            assert isinstance(r, Article)
            ok += 1
            langs[r.lang] += 1
    return ok, errors, time.perf_counter() - wall0, time.process_time() - cpu0, langs


def main() -> int:
    wmt = data_file("wmt21-ru-en", "newstest2021.ru-en.all.xml")
    semeval = data_file("semeval2022-task8", "train.csv")
    ecb = data_file("ecbplus", "topics-01-22.jsonl")
    if wmt is None or semeval is None or ecb is None:
        print("skipped: shared data not found (set SAMESTORY_DATA to the shared/data folder)")
        return 0
    from_text("Warm up the language model and the segmenter, please.")
    total_errors = 0
    print("== zero-error check over ../shared/data")
    for label, paths, opts in (
        ("SemEval train.csv text1", [semeval], ReadOptions(text_field="text1", id_field="pair_id")),
        ("SemEval train.csv text2", [semeval], ReadOptions(text_field="text2", id_field="pair_id")),
        ("ECB+ topics-01-22.jsonl", [ecb], None),
    ):
        ok, errors, wall, cpu, langs = _run(list(paths), opts)
        total_errors += len(errors)
        print(
            f"{label:28} {ok:5d} articles  {len(errors)} errors  {ok / cpu:7.0f} articles/s (CPU)  langs {dict(langs.most_common(10))}"
        )
        for e in errors[:5]:
            print("   ", e)
    with tempfile.TemporaryDirectory() as tmp:
        txt_paths, html_paths = _write_corpus(Path(tmp), wmt)
        print(
            f"\n== throughput, single process ({len(txt_paths)} WMT21 versions as .txt, {len(html_paths)} as .html)"
        )
        runs = [_run(list(txt_paths)) for _ in range(REPEATS)]
        ok, errors = runs[0][0], runs[0][1]
        total_errors += len(errors)
        chars = sum(p.stat().st_size for p in txt_paths) / len(txt_paths)
        cpus = sorted(r[3] for r in runs)
        walls = sorted(r[2] for r in runs)
        print(
            f"plain text (.txt)  {ok:5d} articles  {len(errors)} errors  {ok / cpus[0]:7.0f} articles/s per core (CPU, best of "
            f"{REPEATS}; median {ok / cpus[len(cpus) // 2]:.0f})  {ok / walls[0]:7.0f} articles/s wall  mean {chars:,.0f} bytes"
        )
        ok, errors, wall, cpu, langs = _run(list(html_paths))
        total_errors += len(errors)
        print(
            f"HTML (.html)       {ok:5d} articles  {len(errors)} errors  {ok / cpu:7.0f} articles/s per core (CPU)  {ok / wall:7.0f} articles/s wall"
        )
        texts = [p.read_text(encoding="utf-8") for p in txt_paths]
        best = float("inf")
        for _ in range(REPEATS):
            cpu0 = time.process_time()
            for t in texts:
                from_text(t)
            best = min(best, time.process_time() - cpu0)
        print(
            f"from_text alone    {len(texts):5d} articles  {len(texts) / best:7.0f} articles/s per core (CPU, best of {REPEATS})"
        )
    print(f"\ntotal errors: {total_errors}")
    return 1 if total_errors else 0


if __name__ == "__main__":
    sys.exit(main())
