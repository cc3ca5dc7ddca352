"""`samestory eval clusters`: cluster a labelled collection into stories and score it against gold stories.

Formats:
- WMT-format XML (``newstestYYYY.xx-yy.all.xml``): every English version of a document (references and MT
  outputs, plus the source when it is English) is one gold story; ``with_sources`` adds the non-English sources.
- JSONL with an ``event`` field (ECB+ style): ``event`` is the gold story; ``id``, ``text`` and optionally
  ``title``, ``published`` (ISO 8601), ``lang``, ``topic`` are read.

Metrics: adjusted Rand index, pairwise precision / recall / F1, B-cubed F1, and documents per second.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from samestory.article import Article
from samestory.corpus.bulk import BulkClusterer
from samestory.corpus.config import CorpusConfig
from samestory.corpus.features import DocFeatures
from samestory.embed.base import Encoder
from samestory.engines.base import Engine
from samestory.errors import DataError, RecordError


@dataclass(frozen=True, slots=True)
class LabelledDoc:
    """One document of an evaluation set: its text, gold story and the group used for cross-validation folds."""

    id: str
    text: str
    gold: str
    group: str
    lang: str = "und"
    title: str = ""
    published: datetime | None = None


def load_wmt_stories(path: str | Path, *, with_sources: bool = False) -> list[LabelledDoc]:
    """The versions of each WMT document as one gold story (English ones; sources too with ``with_sources``)."""
    from samestory.eval.wmt import load_wmt

    out: list[LabelledDoc] = []
    for doc in load_wmt(path):
        for v in doc.versions:
            if v.lang != "en" and not (with_sources and v.kind == "src"):
                continue
            if not v.text.strip():
                continue
            out.append(LabelledDoc(f"{doc.id}#{v.kind}:{v.name}", v.text, doc.id, doc.id, v.lang or "und"))
    if not out:
        raise DataError(
            f"{path}: no English versions found; expected a WMT-format XML file with lang='en' versions"
        )
    return out


def load_event_jsonl(path: str | Path) -> list[LabelledDoc]:
    """Documents of a JSONL file whose ``event`` field (ECB+ style) or ``story`` field (a corpus of
    `benchmarks/corpus_gen.py`) is the gold story; ``topic``, when given, groups them for folds."""
    path = Path(path)
    out: list[LabelledDoc] = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise DataError(
            f"{path}: no such file; pass a JSONL file with 'id', 'text' and 'event' (or 'story') fields"
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise DataError(f"{path}: cannot be read as UTF-8 text ({exc}); pass a JSONL file") from None
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
        except ValueError as exc:
            raise RecordError(
                str(path), n, f"not valid JSON ({exc}); expected one JSON object per line"
            ) from None
        gold = rec.get("event", rec.get("story")) if isinstance(rec, dict) else None
        if gold is None or "text" not in rec:
            raise RecordError(str(path), n, "expected an object with 'text' and 'event' (or 'story') fields")
        published = None
        if rec.get("published"):
            try:
                published = datetime.fromisoformat(str(rec["published"]))
            except ValueError:
                raise RecordError(
                    str(path), n, f"'published' is not ISO 8601: {rec['published']!r}"
                ) from None
        event = str(gold)
        out.append(
            LabelledDoc(
                str(rec.get("id", f"line{n}")),
                str(rec["text"]),
                event,
                str(rec.get("topic", event)),
                str(rec.get("lang") or "und"),
                str(rec.get("title") or ""),
                published,
            )
        )
    if not out:
        raise DataError(f"{path}: no records; expected JSONL with 'text' and 'event' (or 'story') fields")
    return out


def load_cluster_data(path: str | Path, *, with_sources: bool = False) -> list[LabelledDoc]:
    """Load an evaluation file by its format (``.xml`` = WMT, otherwise JSONL with ``event`` or ``story``)."""
    path = Path(path)
    if path.suffix.lower() == ".xml":
        return load_wmt_stories(path, with_sources=with_sources)
    return load_event_jsonl(path)


# ---------------------------------------------------------------- metrics


def _pairs(counts: Counter[Any]) -> float:
    return float(sum(c * (c - 1) / 2 for c in counts.values()))


def adjusted_rand_index(gold: Sequence[str], pred: Sequence[str]) -> float:
    """Hubert & Arabie's ARI (1.0 = identical partitions, ~0 = chance)."""
    n = len(gold)
    if n != len(pred):
        raise ValueError(f"expecting equal-length labelings, got {n} and {len(pred)}")
    if n < 2:
        return 1.0
    joint = _pairs(Counter(zip(gold, pred, strict=True)))
    a, b = _pairs(Counter(gold)), _pairs(Counter(pred))
    total = n * (n - 1) / 2
    expected = a * b / total
    maximum = (a + b) / 2
    if maximum == expected:
        return 1.0
    return (joint - expected) / (maximum - expected)


def pairwise_prf(gold: Sequence[str], pred: Sequence[str]) -> tuple[float, float, float]:
    """Precision, recall and F1 over same-story document pairs."""
    joint = _pairs(Counter(zip(gold, pred, strict=True)))
    g, p = _pairs(Counter(gold)), _pairs(Counter(pred))
    precision = joint / p if p else 1.0
    recall = joint / g if g else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def bcubed_f1(gold: Sequence[str], pred: Sequence[str]) -> float:
    """B-cubed F1 (Bagga & Baldwin): per-document precision/recall of its cluster, averaged."""
    joint = Counter(zip(gold, pred, strict=True))
    gc, pc = Counter(gold), Counter(pred)
    n = len(gold)
    if n == 0:
        return 1.0
    prec = sum(joint[(g, p)] / pc[p] for g, p in zip(gold, pred, strict=True)) / n
    rec = sum(joint[(g, p)] / gc[g] for g, p in zip(gold, pred, strict=True)) / n
    return 2 * prec * rec / (prec + rec) if prec + rec else 0.0


@dataclass(frozen=True, slots=True)
class ClusterReport:
    docs: int
    gold_stories: int
    predicted_stories: int
    ari: float
    precision: float
    recall: float
    f1: float
    bcubed_f1: float
    seconds: float
    embedded: int = 0
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def docs_per_second(self) -> float:
        return self.docs / self.seconds if self.seconds > 0 else float("inf")

    def to_dict(self) -> dict[str, Any]:
        return {
            "docs": self.docs,
            "gold_stories": self.gold_stories,
            "predicted_stories": self.predicted_stories,
            "ari": round(self.ari, 4),
            "pairwise_precision": round(self.precision, 4),
            "pairwise_recall": round(self.recall, 4),
            "pairwise_f1": round(self.f1, 4),
            "bcubed_f1": round(self.bcubed_f1, 4),
            "docs_per_second": round(self.docs_per_second, 1),
            "seconds": round(self.seconds, 3),
            "embedded": self.embedded,
            **self.extra,
        }


def score_partition(gold: Sequence[str], pred: Sequence[str], seconds: float = 0.0) -> ClusterReport:
    p, r, f = pairwise_prf(gold, pred)
    return ClusterReport(
        len(gold), len(set(gold)), len(set(pred)), adjusted_rand_index(gold, pred), p, r, f,
        bcubed_f1(gold, pred), seconds,
    )  # fmt: skip


def articles_of(docs: Sequence[LabelledDoc]) -> list[Article]:
    """Each document as an `Article`, built through `samestory.ingest.from_text` (so debris is marked)."""
    from samestory.ingest.build import from_text

    return [
        from_text(d.text, title=d.title or None, id=d.id, lang=d.lang, published=d.published) for d in docs
    ]


def featurize_docs(
    docs: Sequence[LabelledDoc],
    cfg: CorpusConfig,
    progress: Callable[[int, int], None] | None = None,
    engine: Engine | None = None,
) -> list[DocFeatures]:
    """Features of each document, built through `samestory.ingest.from_text` (so debris is skipped), in
    batches on ``engine`` (default: this process), as `samestory cluster` featurises its input."""
    from samestory.corpus.features import batch_for, featurize_articles
    from samestory.engines.local import local_engine

    engine = engine or local_engine(1)
    articles = articles_of(docs)
    step = batch_for(engine, alone=256)
    out: list[DocFeatures] = []
    for k in range(0, len(articles), step):
        out.extend(featurize_articles(articles[k : k + step], cfg, engine=engine))
        if progress is not None:
            progress(len(out), len(docs))
    return out


def evaluate_clusters(
    docs: Sequence[LabelledDoc],
    cfg: CorpusConfig | None = None,
    encoder: Encoder | None = None,
    progress: Callable[[int, int], None] | None = None,
    similarity: Encoder | str | None = None,
    *,
    engine: Engine | None = None,
    by_component: bool = False,
) -> ClusterReport:
    """Featurize and cluster ``docs`` (timed end to end, embeddings included) and score against gold.

    ``similarity`` (``"lexical"`` or an encoder) adds the similarity-model stage for uncertain pairs
    (`samestory.corpus.cascade`); the report then counts the pairs it scored (``similarity_pairs``).
    ``engine`` and ``by_component`` as in `samestory.corpus.bulk.cluster_batch` (``--engine spark``).
    """
    cfg = cfg or CorpusConfig()
    if encoder is not None and cfg.encoder is None:
        from dataclasses import replace

        cfg = replace(cfg, encoder=encoder.name)
    start = time.perf_counter()
    feats = featurize_docs(docs, cfg, progress, engine)
    stage = None
    if similarity is not None:
        from samestory.corpus.cascade import SimilarityStage

        stage = SimilarityStage.prepare(articles_of(docs), None if similarity == "lexical" else similarity)
    clusterer = BulkClusterer(
        cfg, encoder=encoder, similarity=stage, engine=engine
    )  # what cluster_batch runs, with its counters
    memberships = clusterer.cluster_by_component(feats) if by_component else clusterer.cluster(feats)
    seconds = time.perf_counter() - start
    story = {m.article_id: m.story_id for m in memberships}
    gold = [d.gold for d in docs]
    pred = [story[d.id] for d in docs]
    report = score_partition(gold, pred, seconds)
    extra = {"similarity_pairs": stage.calls} if stage is not None else {}
    return ClusterReport(**{**_fields(report), "embedded": clusterer.state.embedded, "extra": extra})


def _fields(report: ClusterReport) -> dict[str, Any]:
    return {name: getattr(report, name) for name in report.__dataclass_fields__}
