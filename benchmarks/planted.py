"""Planted differences found by `compare`: a garbled name, a changed number, a dropped sentence, a moved block, debris.

    python benchmarks/planted.py [--data FILE.xml] [--seed 0] [--split dev|test|both] [--show]

Pairs are real: per WMT document, English reference A against reference B (``ref_vs_ref``) and against one MT
output (``mt_vs_ref``). Side B gets, with a seeded RNG, one of each planted kind:

* ``variant``: one name (a capitalised word of 4+ letters that both versions use mid-sentence) garbled the way
  MT garbles names, one or two letters changed and never the first ("Angola" / "Angolie", "Moscow" /
  "Moscaw", "Financial" / "Financijal"), in every occurrence in B;
* ``number``: one digit of a number (not a year) changed (a day of a date counts: "June 26" / "June 23");
* ``dropped``: one segment removed; ``moved``: a block of 2–3 segments moved 3+ segments away;
* ``debris``: a page-furniture line inserted between paragraphs.

Each pair goes through `samestory.compare` (the function behind ``samestory compare --format json``) twice, as
is and planted. A planted variant is found when a name change with status ``variant`` has the garbled
spelling on B's side and the original on A's; variant precision counts, as false, every ``variant`` of the
planted comparison that the unplanted one does not report and that is not the planted name. A changed number
is found when it is reported as a number or date change (a ``conflict``, or the two values as only-in-A / only-in-B); a dropped segment
when all of A's sentences in it are only-in-A; a moved block per A sentence that the unplanted comparison aligns
with its own segment in B and the planted one still does; debris when the inserted line is in ``debris_b``.
Documents are split by a hash of their id as in ``benchmarks/align.py`` (``dev`` the tuning half, ``test``
the held-out half, scored once).
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

from rapidfuzz.distance import Levenshtein

from samestory.article import Article
from samestory.comparison import Comparison, compare
from samestory.eval.align import _DEBRIS_LINES, _rng, split_documents
from samestory.eval.data import data_file
from samestory.eval.wmt import Document, Version, load_wmt
from samestory.ingest import from_text
from samestory.text.months import MONTH_WORDS, WEEKDAY_WORDS

KINDS = ("variant", "number", "dropped", "moved", "debris")
_VOWELS = "aeiou"
_CONS = "bcdfghklmnprstvz"
_WORD = re.compile(r"\b[A-Z][a-z]{3,}\b")
_MID = re.compile(r"(?<=[a-z,;] )([A-Z][a-z]{3,})\b")
_NUM = re.compile(r"(?<![\w.,\-/])\d+(?:[.,]\d+)?(?![\w\-/]|[.,]\d| \d{3}\b)")


@dataclass(slots=True)
class Units:
    """Segments of one version with their paragraph number (a debris line has segment id ``""``)."""

    segs: list[tuple[str, str, int]]  # (seg id, text, paragraph)

    def build(self, lang: str = "en") -> tuple[Article, list[tuple[int, int, str]]] | None:
        parts: list[str] = []
        spans: list[tuple[int, int, str]] = []
        pos = 0
        last_para: int | None = None
        for sid, text, para in self.segs:
            if last_para is not None:
                sep = " " if para == last_para and sid and parts and spans[-1][2] else "\n\n"
                parts.append(sep)
                pos += len(sep)
            parts.append(text)
            spans.append((pos, pos + len(text), sid))
            pos += len(text)
            last_para = para
        body = "".join(parts)
        article = from_text(body, lang=lang)
        return (article, spans) if article.text == body else None


def _units(version: Version) -> Units:
    para_of = {i: p for p, group in enumerate(version.paragraphs) for i in group}
    return Units([(sid, t, para_of.get(i, 0)) for i, (sid, t) in enumerate(version.segments) if t.strip()])


def _sent_segs(article: Article, spans: Sequence[tuple[int, int, str]]) -> list[frozenset[str]]:
    return [
        frozenset(sid for s, e, sid in spans if s < sent.end and sent.start < e) for sent in article.sentences
    ]


def garble(word: str, rng: random.Random) -> str:
    """An MT-style misspelling of ``word``: one or two letters changed, the first never."""
    w = list(word)
    edits = 1 if rng.random() < 0.6 else 2
    for _ in range(edits):
        kind = rng.choice(("sub", "sub", "ins", "del", "end"))
        k = rng.randrange(1, len(w))
        if kind == "sub":
            pool = _VOWELS if w[k] in _VOWELS else _CONS
            w[k] = rng.choice([c for c in pool if c != w[k]])
        elif kind == "ins":
            w.insert(k, rng.choice("ijeao"))
        elif kind == "del" and len(w) > 4:
            del w[k]
        else:
            w[-1:] = list(rng.choice(("ie", "a", "e", "y", "o"))) if w[-1] in _VOWELS else [w[-1], "a"]
    return "".join(w)


@dataclass(slots=True)
class Plant:
    units: Units
    name: tuple[str, str] | None = None
    number: tuple[str, str] | None = None
    dropped: str | None = None
    moved: tuple[str, ...] = ()
    debris: str | None = None


def plant(a: Units, b: Units, rng: random.Random) -> Plant:
    text_a = " ".join(t for _, t, _ in a.segs)
    text_b = " ".join(t for _, t, _ in b.segs)
    skip = MONTH_WORDS | WEEKDAY_WORDS
    lower = set(re.findall(r"\b[a-z]\w*", text_a + " " + text_b))
    cands = sorted(
        {w for w in _MID.findall(text_a) if w.lower() not in skip | lower} & set(_MID.findall(text_b))
    )
    segs = list(b.segs)
    p = Plant(b)
    used: set[str] = set()
    if cands:
        name = rng.choice(cands)
        words = set(re.findall(r"\w+", (text_a + " " + text_b).lower()))
        bad = garble(name, rng)
        for _ in range(20):
            if bad.lower() not in words and 0 < Levenshtein.distance(bad, name) <= 2:
                break
            bad = garble(name, rng)
        rx = re.compile(rf"\b{re.escape(name)}\b")
        segs = [(sid, rx.sub(bad, t), para) for sid, t, para in segs]
        used |= {sid for sid, t, _ in b.segs if rx.search(t)}
        p.name = (name, bad)
    years = re.compile(r"(?:1[89]|20)\d\d")
    num_segs = [
        (k, m) for k, (sid, t, _) in enumerate(segs) if sid not in used
        for m in _NUM.finditer(t) if not years.fullmatch(m.group())
    ]  # fmt: skip
    if num_segs:
        k, m = rng.choice(num_segs)
        old = m.group()
        digit = old[-1]
        new = old[:-1] + str((int(digit) + rng.randint(1, 8)) % 10)
        sid, t, para = segs[k]
        segs[k] = (sid, t[: m.start()] + new + t[m.end() :], para)
        used.add(sid)
        p.number = (old, new)
    free = [k for k, (sid, _, _) in enumerate(segs) if sid not in used]
    if len(segs) >= 10 and len(free) >= 6:
        k = rng.choice(free[1:-1])
        p.dropped = segs[k][0]
        del segs[k]
        size = rng.randint(2, 3)
        start = rng.randrange(len(segs) - size + 1)
        block = segs[start : start + size]
        rest = segs[:start] + segs[start + size :]
        dests = [d for d in range(len(rest) + 1) if abs(d - start) >= 3]
        if dests:
            dest = rng.choice(dests)
            para = rest[dest - 1][2] if dest else rest[0][2]
            block = [(sid, t, para) for sid, t, _ in block]
            segs = rest[:dest] + block + rest[dest:]
            p.moved = tuple(sid for sid, _, _ in block)
    if len(segs) > 2:
        k = rng.randrange(1, len(segs))
        line = rng.choice(_DEBRIS_LINES)
        segs.insert(k, ("", line, -1))
        p.debris = line
    p.units = Units(segs)
    return p


@dataclass(slots=True)
class Tally:
    found: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    planted: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    variant_fp: int = 0
    background_variants: int = 0
    misses: list[str] = field(default_factory=list)
    false: list[str] = field(default_factory=list)
    pairs: int = 0

    def line(self, label: str) -> str:
        tp = self.found["variant"]
        prec = tp / (tp + self.variant_fp) if tp + self.variant_fp else 1.0
        parts = [
            f"{k} {self.found[k]}/{self.planted[k]} = {self.found[k] / max(1, self.planted[k]):.3f}"
            for k in KINDS
        ]
        return (
            f"{label}: {self.pairs} pairs; variant recall {tp / max(1, self.planted['variant']):.3f} "
            f"precision {prec:.3f} (false {self.variant_fp}, background variants {self.background_variants}); "
            + "; ".join(parts)
        )


def _variants(c: Comparison) -> set[tuple[str, str]]:
    return {(ch.a or "", ch.b or "") for ch in c.diff.changes if ch.type == "name" and ch.status == "variant"}


def _has_word(spellings: str, word: str) -> bool:
    return word in {re.sub(r"['’]s$", "", w) for w in re.findall(r"[\w'’]+", spellings)}


def score_pair(a: Units, b: Units, rng: random.Random, tally: Tally, label: str) -> None:
    built_a, built_b = a.build(), b.build()
    p = plant(a, b, rng)
    built_p = p.units.build()
    if built_a is None or built_b is None or built_p is None:
        return
    (art_a, spans_a), (art_b, spans_b), (art_p, spans_p) = built_a, built_b, built_p
    base = compare(art_a, art_b)
    got = compare(art_a, art_p)
    tally.pairs += 1
    segs_a = _sent_segs(art_a, spans_a)
    segs_b = _sent_segs(art_b, spans_b)
    segs_p = _sent_segs(art_p, spans_p)
    background = _variants(base)
    tally.background_variants += len(background)
    planted_hit: set[tuple[str, str]] = set()
    if p.name is not None:
        tally.planted["variant"] += 1
        old, new = p.name
        for ch in got.diff.changes:
            if ch.type != "name" or ch.status != "variant":
                continue
            va, vb = ch.a or "", ch.b or ""
            if _has_word(vb, new) and (_has_word(va, old) or any(y == new for _, y in ch.changed)):
                planted_hit.add((va, vb))
        if planted_hit:
            tally.found["variant"] += 1
        else:
            entries = [f"{ch.status}:{ch.a}|{ch.b}" for ch in got.diff.changes if ch.type == "name"
                       and ((ch.a and old in ch.a) or (ch.b and new in ch.b))]  # fmt: skip
            tally.misses.append(f"{label} {old}->{new}: {entries}")
    seen = {v for va, vb in background for v in (*va.split(" / "), *vb.split(" / "))}
    for va, vb in sorted(_variants(got) - planted_hit):
        spellings = {*va.split(" / "), *vb.split(" / ")}
        if (p.name is not None and _has_word(vb, p.name[1])) or not spellings & seen:
            tally.variant_fp += 1
            tally.false.append(f"{label}: {va} | {vb}")
    if p.number is not None:
        tally.planted["number"] += 1
        old, new = p.number
        nums = [ch for ch in got.diff.changes if ch.type in ("number", "date")]
        conflict = any(ch.status == "conflict" and new in (ch.b or "") for ch in nums)
        apart = any(ch.status == "only_b" and new in (ch.b or "") for ch in nums) and any(
            ch.status == "only_a" and old in (ch.a or "") for ch in nums
        )
        tally.found["number"] += conflict or apart
        if not (conflict or apart):
            shown = [
                f"{ch.status}:{ch.a}|{ch.b}" for ch in nums if new in (ch.b or "") or old in (ch.a or "")
            ]
            tally.misses.append(f"{label} number {old}->{new}: {shown}")
    if p.dropped is not None:
        tally.planted["dropped"] += 1
        mine = [i for i, s in enumerate(segs_a) if p.dropped in s]
        tally.found["dropped"] += bool(mine) and all(i in got.diff.only_in_a for i in mine)
    if p.moved:
        for sid in p.moved:
            sents = [i for i, s in enumerate(segs_a) if s == {sid}]
            for i in sents:
                if _aligned_to(base, i, segs_b, sid):
                    tally.planted["moved"] += 1
                    tally.found["moved"] += _aligned_to(got, i, segs_p, sid)
    if p.debris is not None:
        tally.planted["debris"] += 1
        idx = [j for j, s in enumerate(segs_p) if s == {""}]
        tally.found["debris"] += bool(idx) and all(j in got.diff.debris_b for j in idx)


def _aligned_to(c: Comparison, i: int, segs_b: Sequence[frozenset[str]], sid: str) -> bool:
    return any(i in g.a and any(sid in segs_b[j] for j in g.b) for g in c.alignment.groups)


def run(docs: Sequence[Document], seed: int, show: bool) -> Tally:
    tally = Tally()
    for doc in docs:
        if not doc.refs:
            continue
        a = _units(doc.refs[0])
        others: list[tuple[str, Version]] = []
        if len(doc.refs) > 1:
            others.append(("ref_vs_ref", doc.refs[1]))
        if doc.hyps:
            pick = _rng(seed, doc.id, "planted-mt")
            others.append(("mt_vs_ref", doc.hyps[pick.randrange(len(doc.hyps))]))
        for kind, other in others:
            score_pair(a, _units(other), _rng(seed, doc.id, "planted", kind), tally, f"{doc.id}/{kind}")
    if show:
        for m in tally.misses:
            print("  missed", m)
        for f in tally.false:
            print("  false ", f)
    return tally


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("--data", default=None, help="WMT-format XML (default: WMT21 ru-en in the shared data)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--split", choices=("dev", "test", "both"), default="dev")
    ap.add_argument("--show", action="store_true", help="list missed and false variant links")
    args = ap.parse_args(argv)
    path = args.data or data_file("wmt21-ru-en", "newstest2021.ru-en.all.xml")
    if path is None:
        print("no data: pass --data or set SAMESTORY_DATA", file=sys.stderr)
        return 2
    dev, test = split_documents(load_wmt(path))
    splits = {"dev": dev, "test": test}
    for name in ("dev", "test") if args.split == "both" else (args.split,):
        t0 = time.perf_counter()
        tally = run(splits[name], args.seed, args.show)
        print(tally.line(name), f"({time.perf_counter() - t0:.1f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
