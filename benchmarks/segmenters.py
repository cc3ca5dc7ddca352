"""Sentence segmenters against WMT21 ru-en gold segment boundaries (ru source, both en references).

Each WMT ``<p>`` is rebuilt by joining its segments with a space; a gold boundary is where a segment starts
(inside a paragraph). A segmenter's predicted boundaries are its sentence starts. Figures: boundary precision,
recall and F1, over all gold boundaries and over those after a segment that ends in sentence punctuation
(a boundary after an unpunctuated headline cannot be found from the text), plus speed.

    python benchmarks/segmenters.py            # needs ../shared/data (or $SAMESTORY_DATA)
"""

from __future__ import annotations

import re
import sys
import time
from collections.abc import Callable

from samestory.eval.data import data_file
from samestory.eval.wmt import load_wmt
from samestory.text.segment import sentence_spans

Segmenter = Callable[[str, str], list[int]]  # (text, lang) -> sentence start offsets
_PUNCT_END = re.compile(r"[.!?…»\"”)]$")


def sentencex_starts(text: str, lang: str) -> list[int]:
    """samestory's segmenter: sentencex with quotes masked, continuations merged."""
    return [s for s, _ in sentence_spans(text, lang)]


def sentencex_raw_starts(text: str, lang: str) -> list[int]:
    from sentencex import get_sentence_boundaries

    out = []
    for b in get_sentence_boundaries(lang, text):
        start = b["start_index"]
        while start < len(text) and text[start].isspace():
            start += 1
        out.append(start)
    return out


def pysbd_starts(text: str, lang: str) -> list[int]:
    import pysbd

    seg = _PYSBD.get(lang)
    if seg is None:
        seg = _PYSBD[lang] = pysbd.Segmenter(language=lang, clean=False, char_span=True)
    out = []
    for span in seg.segment(text):
        start = span.start
        while start < len(text) and text[start].isspace():
            start += 1
        out.append(start)
    return out


_PYSBD: dict[str, object] = {}
_NAIVE = re.compile(r"(?<=[.!?…])[\"'”»)]*\s+")


def naive_starts(text: str, lang: str) -> list[int]:
    return [0, *(m.end() for m in _NAIVE.finditer(text))]


def paragraphs(path: str) -> dict[str, list[tuple[str, set[int], set[int]]]]:
    """lang -> [(paragraph text, gold boundaries, gold boundaries after punctuated segments)]."""
    out: dict[str, list[tuple[str, set[int], set[int]]]] = {"ru": [], "en": []}
    for doc in load_wmt(path):
        for version in (doc.source, *doc.refs):
            lang = "ru" if version.lang.startswith("ru") else "en"
            for group in version.paragraphs:
                segs = [version.segments[i][1] for i in group if version.segments[i][1]]
                text, gold, punct = "", set(), set()
                for k, seg in enumerate(segs):
                    if k:
                        gold.add(len(text) + 1)
                        if _PUNCT_END.search(segs[k - 1]):
                            punct.add(len(text) + 1)
                        text += " "
                    text += seg
                out[lang].append((text, gold, punct))
    return out


def score(seg: Segmenter, data: list[tuple[str, set[int], set[int]]], lang: str) -> dict[str, float]:
    tp = fp = fn = tp_p = fn_p = fp_p = 0
    t0 = time.perf_counter()
    for text, gold, punct in data:
        pred = {s for s in seg(text, lang) if s > 0}
        tp += len(pred & gold)
        fp += len(pred - gold)
        fn += len(gold - pred)
        tp_p += len(pred & punct)
        fn_p += len(punct - pred)
        fp_p += len(pred - gold)
    secs = time.perf_counter() - t0

    def f1(t: int, p: int, n: int) -> tuple[float, float, float]:
        prec = t / (t + p) if t + p else 0.0
        rec = t / (t + n) if t + n else 0.0
        return prec, rec, 2 * prec * rec / (prec + rec) if prec + rec else 0.0

    p, r, f = f1(tp, fp, fn)
    pp, rp, fpn = f1(tp_p, fp_p, fn_p)
    return {
        "P": p,
        "R": r,
        "F1": f,
        "P_punct": pp,
        "R_punct": rp,
        "F1_punct": fpn,
        "paras_per_s": len(data) / secs,
    }


def main() -> int:
    path = data_file("wmt21-ru-en", "newstest2021.ru-en.all.xml")
    if path is None:
        print("skipped: WMT21 ru-en not found (set SAMESTORY_DATA to the shared/data folder)")
        return 0
    data = paragraphs(str(path))
    segmenters: dict[str, Segmenter] = {
        "samestory": sentencex_starts,
        "sentencex": sentencex_raw_starts,
        "pysbd": pysbd_starts,
        "naive-regex": naive_starts,
    }
    print(f"WMT21 ru-en: {len(data['ru'])} ru paragraphs, {len(data['en'])} en paragraphs (2 refs)")
    print(
        f"{'lang':4} {'segmenter':12} {'P':>6} {'R':>6} {'F1':>6} | {'P*':>6} {'R*':>6} {'F1*':>6} | {'paras/s':>9}"
    )
    for lang in ("ru", "en"):
        for name, seg in segmenters.items():
            m = score(seg, data[lang], lang)
            print(
                f"{lang:4} {name:12} {m['P']:6.3f} {m['R']:6.3f} {m['F1']:6.3f} | "
                f"{m['P_punct']:6.3f} {m['R_punct']:6.3f} {m['F1_punct']:6.3f} | {m['paras_per_s']:9.0f}"
            )
    print("* = only gold boundaries after a segment ending in sentence punctuation")
    return 0


if __name__ == "__main__":
    sys.exit(main())
