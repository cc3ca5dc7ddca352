"""Generate a seeded benchmark corpus with gold stories from the real articles in ../shared/data.

Story families come from real text:
- WMT21 documents: the Russian source, two human English references and the English machine translations
  (real MT variants), each one version of the document's story;
- ECB+ articles: the gold story is the ECB+ event, so the two events of a topic are *unrelated same-topic
  stories*;
- SemEval-2022 Task 8 articles (several languages): one story per text (pairs rated similar keep one side).
Each family also gets derived versions: reprints with page debris, truncations, dropped or reordered
sentences. The corpus is filled up to the requested size with singleton filler articles, so that candidate
search has to work at scale. ``--filler real`` (the default) makes them of real text: sentences of other
articles in the same language (all ten languages of the data), half of their words replaced by words of that
language's vocabulary (in Chinese and Japanese each character is a word and 。！？ end sentences), so that fillers share function words, common words and names with the stories and
with each other but tell no story of their own; ``--filler random`` (the corpus of earlier runs) draws
English word sequences from the vocabulary, which no system confuses.

    .venv/bin/python benchmarks/corpus_gen.py --docs 100000 --out /work/bench-out/corpus_100k_real.jsonl

Output: JSONL, one article per line with ``id``, ``title``, ``text``, ``published`` (ISO), ``source``,
``lang`` and the gold ``story`` and ``variant`` (how the version was made). Never commit the output.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import re
import sys
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

from samestory.eval.data import data_file
from samestory.eval.wmt import load_wmt

csv.field_size_limit(sys.maxsize)
DEBRIS_BEFORE = [
    "Share this article", "Advertisement", "Subscribe to our newsletter", "Home > News > World",
    "Follow us on Twitter", "Listen to this article", "Breaking News",
]  # fmt: skip
DEBRIS_AFTER = [
    "Read more: Top stories of the day", "© 2021 All rights reserved.", "Related articles",
    "Sign up for our daily briefing.", "Comments are closed.", "This article was republished with permission.",
]  # fmt: skip
_SENT = re.compile(r"(?<=[.!?])\s+|(?<=[。！？])\s*")
# a word of filler: a CJK character (Chinese and Japanese put no spaces between words), or a run of other
# non-space characters
_WORD = re.compile(r"[\u3040-\u9fff]|[^\s\u3040-\u9fff]+")


def _words(text: str) -> list[str]:
    return _WORD.findall(text)


def _join(words: Sequence[str]) -> str:
    """``words`` as text: no space between two CJK characters, one space elsewhere."""
    out: list[str] = []
    for k, w in enumerate(words):
        if k and not (_is_cjk(w) and _is_cjk(words[k - 1])):
            out.append(" ")
        out.append(w)
    return "".join(out)


def _is_cjk(word: str) -> bool:
    return len(word) == 1 and "\u3040" <= word <= "\u9fff"


T0 = datetime(2021, 1, 1, tzinfo=UTC)


def _families() -> list[tuple[str, str, list[tuple[str, str, str]]]]:
    """(story id, kind, [(variant, lang, text)]) for every real story in the shared data."""
    fams: list[tuple[str, str, list[tuple[str, str, str]]]] = []
    wmt = data_file("wmt21-ru-en", "newstest2021.ru-en.all.xml")
    if wmt is not None:
        for doc in load_wmt(wmt):
            versions = [
                (f"{v.kind}:{v.name}", v.lang or "und", v.text) for v in doc.versions if v.text.strip()
            ]
            fams.append((f"wmt:{doc.id}", "wmt", versions))
    ecb = data_file("ecbplus", "topics-01-22.jsonl")
    if ecb is not None:
        by_event: dict[str, list[tuple[str, str, str]]] = {}
        for line in ecb.read_text(encoding="utf-8").splitlines():
            if line.strip():
                rec = json.loads(line)
                by_event.setdefault(rec["event"], []).append((f"ecb:{rec['id']}", "en", rec["text"]))
        fams.extend((f"ecb:{event}", "ecb", versions) for event, versions in sorted(by_event.items()))
    sem = data_file("semeval2022-task8", "train.csv")
    if sem is not None:
        seen: set[str] = set()
        with sem.open(encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                sides = [("1", row["lang1"], row["text1"])]
                if float(row["Overall"] or 4) > 2.5:  # dissimilar pairs give two stories
                    sides.append(("2", row["lang2"], row["text2"]))
                for side, lang, text in sides:
                    key = text[:200]
                    if len(_words(text)) < 40 or key in seen:
                        continue
                    seen.add(key)
                    fams.append((f"semeval:{row['pair_id']}:{side}", "semeval", [("original", lang, text)]))
    if not fams:
        raise SystemExit("no shared data found: set SAMESTORY_DATA to the shared/data folder")
    return fams


def _derive(rng: random.Random, text: str) -> tuple[str, str]:
    sents = [s for s in _SENT.split(text.replace("\n", " ")) if s.strip()]
    kind = rng.choice(["reprint", "debris", "truncate", "drop", "reorder", "drop+debris"])
    if kind in ("truncate",) and len(sents) > 3:
        sents = sents[: max(2, int(len(sents) * rng.uniform(0.3, 0.8)))]
    if kind.startswith("drop") and len(sents) > 4:
        sents = [s for s in sents if rng.random() > 0.2]
    if kind == "reorder" and len(sents) > 3:
        for _ in range(max(1, len(sents) // 5)):
            i, j = rng.randrange(len(sents)), rng.randrange(len(sents))
            sents[i], sents[j] = sents[j], sents[i]
    body = " ".join(sents)
    if "debris" in kind:
        body = "\n".join([rng.choice(DEBRIS_BEFORE), body, rng.choice(DEBRIS_AFTER)])
    return kind, body


class _WeightedDraw:
    """``rng.choices(words, weights=weights, k=k)``, drawn with numpy: the same words and the same ``rng`` state
    afterwards (numpy's legacy MT19937 makes doubles exactly as `random.random` does), ~20x faster for long
    draws, which matters for the 1M corpus (400M filler words); short draws call `random.choices` itself."""

    def __init__(self, rng: random.Random, words: Sequence[str], weights: Sequence[int]) -> None:
        import numpy as np

        self.rng = rng
        self.words = np.array(words, dtype=object)
        cum = np.cumsum(np.array(weights, dtype=np.int64))
        self.cum = cum.astype(np.float64)  # exact: the counts sum to far less than 2**53
        self.total = float(cum[-1])
        self.np_rng = np.random.RandomState()
        self.word_list = list(words)
        self.cum_list = [int(x) for x in cum]

    def __call__(self, k: int) -> list[str]:
        import numpy as np

        if k < 64:  # a sentence's words: the state round trip below costs more than random.choices itself
            return self.rng.choices(self.word_list, cum_weights=self.cum_list, k=k)
        version, mt, gauss = self.rng.getstate()
        self.np_rng.set_state(("MT19937", np.array(mt[:-1], dtype=np.uint32), int(mt[-1])))
        u = self.np_rng.random_sample(k)
        # bisect_right(cum_weights, random() * total, 0, n - 1), as random.choices does
        idx = np.minimum(np.searchsorted(self.cum, u * self.total, side="right"), len(self.cum) - 1)
        state = self.np_rng.get_state()
        self.rng.setstate((version, (*state[1].tolist(), int(state[2])), gauss))
        return list(self.words[idx])


class _RealFiller:
    """Filler articles of real text: per language, sentences of the data's articles with half of their words
    replaced by words drawn from that language's vocabulary (by frequency)."""

    def __init__(self, rng: random.Random, fams: list[tuple[str, str, list[tuple[str, str, str]]]]) -> None:
        self.rng = rng
        sentences: dict[str, list[str]] = {}
        vocab: dict[str, Counter[str]] = {}
        for _, _, versions in fams:
            for _, lang, text in versions:
                for sent in _SENT.split(text.replace("\n", " ")):
                    if len(_words(sent)) >= 5:
                        sentences.setdefault(lang, []).append(sent)
                vocab.setdefault(lang, Counter()).update(_words(text))
        self.langs = sorted(lang for lang in sentences if len(sentences[lang]) >= 50)
        self.weights = [len(sentences[lang]) for lang in self.langs]
        self.sentences = sentences
        self.draws = {}
        for lang in self.langs:
            words, weights = zip(*vocab[lang].most_common(20000), strict=True)
            self.draws[lang] = _WeightedDraw(rng, words, weights)

    def __call__(self) -> tuple[str, str]:
        rng = self.rng
        lang = rng.choices(self.langs, weights=self.weights)[0]
        pool = self.sentences[lang]
        out = []
        for _ in range(rng.randrange(6, 30)):
            words = _words(pool[rng.randrange(len(pool))])
            swap = [k for k in range(len(words)) if rng.random() < 0.5]
            for k, w in zip(swap, self.draws[lang](len(swap)), strict=True):
                words[k] = w
            out.append(_join(words))
        return lang, " ".join(out)


def generate(
    n_docs: int, seed: int, out: Path, filler: str = "real", kinds: Sequence[str] = ("wmt", "ecb", "semeval")
) -> Counter[str]:
    rng = random.Random(seed)
    fams = _families()
    rng.shuffle(fams)
    vocab: Counter[str] = Counter()
    for _, _, versions in fams:
        for _, lang, text in versions:
            if lang == "en":
                vocab.update(w for w in re.findall(r"[A-Za-z]+", text))
    words, weights = zip(*vocab.most_common(30000), strict=True)
    budget = n_docs // 5  # a fifth of the corpus are real stories and their versions; the rest filler
    stats: Counter[str] = Counter()
    written = 0
    with out.open("w", encoding="utf-8") as fh:

        def emit(story: str, variant: str, lang: str, text: str, when: datetime, source: str) -> None:
            nonlocal written
            rec = {
                "id": f"d{written:07d}", "title": "", "text": text, "published": when.isoformat(),
                "source": source, "lang": lang, "story": story, "variant": variant,
            }  # fmt: skip
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
            written += 1
            stats[variant.split(":")[0]] += 1

        for story, kind, versions in fams:
            if written >= budget:
                break
            if kind not in kinds:
                continue
            start = T0 + timedelta(minutes=rng.randrange(365 * 24 * 60))
            for variant, lang, text in versions:
                emit(
                    story,
                    variant,
                    lang,
                    text,
                    start + timedelta(minutes=rng.randrange(600)),
                    f"outlet{rng.randrange(300)}",
                )
            for _ in range(min(rng.randrange(0, 6), max(0, budget - written))):
                base = rng.choice(versions)
                kind, text = _derive(rng, base[2])
                emit(
                    story,
                    kind,
                    base[1],
                    text,
                    start + timedelta(minutes=rng.randrange(60, 6000)),
                    f"outlet{rng.randrange(300)}",
                )
        n_filler = 0
        draw = _WeightedDraw(rng, words, weights)
        real = _RealFiller(rng, fams) if filler == "real" else None
        while written < n_docs:
            if real is not None:
                lang, text = real()
            else:
                lang, text = "en", " ".join(draw(rng.randrange(120, 700)))
            n_filler += 1
            emit(
                f"filler:{n_filler}",
                "filler",
                lang,
                text,
                T0 + timedelta(minutes=rng.randrange(365 * 24 * 60)),
                f"outlet{rng.randrange(300)}",
            )
    return stats


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--docs", type=int, default=10_000)
    ap.add_argument("--seed", type=int, default=5)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument(
        "--filler", choices=["real", "random"], default="real",
        help="filler of real sentences with half their words replaced (default), or random English words",
    )  # fmt: skip
    ap.add_argument(
        "--stories", default="wmt,ecb,semeval",
        help="the kinds of real stories to include (fillers are made from the sentences of all of them); "
        "e.g. 'semeval' for a corpus to fit the pair model on that shares no story with ECB+ or WMT21",
    )  # fmt: skip
    args = ap.parse_args(argv)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    kinds = [k for k in args.stories.split(",") if k]
    if not kinds or set(kinds) - {"wmt", "ecb", "semeval"}:
        ap.error(f"--stories: expected a comma-separated subset of wmt,ecb,semeval, found {args.stories!r}")
    stats = generate(args.docs, args.seed, args.out, args.filler, kinds)
    print(
        f"wrote {sum(stats.values())} docs to {args.out}: "
        + ", ".join(f"{k} {v}" for k, v in sorted(stats.items()))
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
