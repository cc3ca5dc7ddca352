"""The slice of SemEval-2022 Task 8 train.csv set aside (by article) before the similarity model's
distribution-shift work: every pair of a set-aside article group (connected components of article ids, the
augmentation language tag stripped, so an original and its machine translations go together) is in the slice.

A group is set aside when blake2b(seed, its smallest article id) falls below ``SHARE`` (about 20% of rows).
The ids are written to ``benchmarks/semeval_setaside.txt`` (one pair id a line) and read back by
`benchmarks/similarity_shift.py`; the slice's scores are looked at once, at the end.

    python benchmarks/semeval_setaside.py [--data train.csv]
"""

from __future__ import annotations

import argparse
import hashlib
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

from samestory.eval.data import data_file
from samestory.eval.semeval import SemevalPair, groups, load_semeval

SHARE = 0.2
SEED = "semeval-setaside-2026-12-03"
IDS_FILE = Path(__file__).with_name("semeval_setaside.txt")


def set_aside(pairs: Sequence[SemevalPair], share: float = SHARE, seed: str = SEED) -> set[str]:
    """Pair ids of the set-aside slice (whole article groups)."""
    members: dict[int, list[SemevalPair]] = defaultdict(list)
    for p, g in zip(pairs, groups(pairs), strict=True):
        members[g].append(p)
    out: set[str] = set()
    for rows in members.values():
        key = min(a for p in rows for a in p.article_ids)
        h = int.from_bytes(hashlib.blake2b(f"{seed}\x00{key}".encode(), digest_size=8).digest(), "big")
        if h / 2**64 < share:
            out.update(p.pair_id for p in rows)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default=None)
    args = ap.parse_args()
    path = args.data or data_file("semeval2022-task8", "train.csv")
    if path is None:
        raise SystemExit("SemEval train.csv not found: set SAMESTORY_DATA to the shared/data folder")
    pairs = load_semeval(path)
    ids = set_aside(pairs)
    IDS_FILE.write_text("".join(f"{i}\n" for i in sorted(ids)), encoding="utf-8")
    rows = [p for p in pairs if p.pair_id in ids]
    aug = sum(1 for p in rows if p.augmented)
    print(
        f"{len(rows)} of {len(pairs)} rows set aside ({len(rows) / len(pairs):.1%}; {aug} augmented) -> {IDS_FILE}"
    )


if __name__ == "__main__":
    main()
