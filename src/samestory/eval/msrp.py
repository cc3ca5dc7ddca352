"""Microsoft Research Paraphrase corpus (MSRP) format: load sentence pairs and report accuracy and F1 of the
same-story decision of `samestory.match` used as a paraphrase detector.

Format: a header line, then tab-separated ``Quality  #1 ID  #2 ID  #1 String  #2 String`` (Quality 1 =
paraphrase).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from samestory.embed.base import Encoder
from samestory.errors import DataError


@dataclass(frozen=True, slots=True)
class MsrpPair:
    label: int
    id1: str
    id2: str
    text1: str
    text2: str


def load_msrp(path: str | Path) -> list[MsrpPair]:
    """All pairs of an MSRP-format file; raises `DataError` naming the file and line when malformed."""
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()
    except FileNotFoundError:
        raise DataError(f"{path}: no such file; pass an MSRP-format file (msr_paraphrase_*.txt)") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise DataError(f"{path}: cannot read it as UTF-8 text ({exc}); pass an MSRP-format file") from None
    pairs = []
    for n, line in enumerate(lines, 1):
        if n == 1 and line.lower().startswith("quality"):
            continue
        if not line.strip():
            continue
        cols = line.split("\t")
        if len(cols) != 5 or cols[0].strip() not in ("0", "1"):
            raise DataError(
                f"{path}:{n}: expected 5 tab-separated columns (Quality, #1 ID, #2 ID, #1 String, #2 String) "
                f"with Quality 0 or 1, found {len(cols)} column(s)"
            )
        pairs.append(MsrpPair(int(cols[0]), cols[1], cols[2], cols[3], cols[4]))
    if not pairs:
        raise DataError(f"{path}: no pairs found; expected an MSRP-format file")
    return pairs


def binary_report(gold: Sequence[int], pred: Sequence[bool]) -> dict[str, float | int]:
    """Accuracy, precision, recall and F1 of the positive class."""
    tp = sum(1 for g, p in zip(gold, pred, strict=True) if g and p)
    fp = sum(1 for g, p in zip(gold, pred, strict=True) if not g and p)
    fn = sum(1 for g, p in zip(gold, pred, strict=True) if g and not p)
    correct = sum(1 for g, p in zip(gold, pred, strict=True) if bool(g) == p)
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "n": len(gold),
        "accuracy": round(correct / len(gold), 4) if gold else 0.0,
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "f1": round(f1, 4),
        "positive_rate": round(sum(gold) / len(gold), 4) if gold else 0.0,
    }


def evaluate_paraphrase(pairs: Sequence[MsrpPair], encoder: Encoder | str | None = None) -> dict[str, Any]:
    """Accuracy and F1 of ``same_story`` as the paraphrase decision (no threshold tuned on the file)."""
    from samestory.ingest.build import from_text
    from samestory.match.score import score_pairs

    arts = [(from_text(p.text1, id=p.id1), from_text(p.text2, id=p.id2)) for p in pairs]
    matches = score_pairs(arts, encoder)
    report: dict[str, Any] = dict(binary_report([p.label for p in pairs], [m.same_story for m in matches]))
    report["model"] = matches[0].model if matches else ""
    return report
