"""`CorpusConfig`: every threshold of corpus mode in one typed, documented object; `parse_window` reads the
time window (``--window 7d``) an index matches within."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from samestory.errors import InputError
from samestory.fingerprint import FingerprintConfig


@dataclass(frozen=True, slots=True)
class CorpusConfig:
    """Settings of corpus mode.

    - ``fingerprint``: shingling / MinHash / LSH settings (candidate search for reprints).
    - ``term_bands`` / ``term_rows``: LSH over the MinHash of a document's content-word set, used to find
      rewrites that share vocabulary but few 5-word runs (``term_bands=0`` disables it).
    - ``join_threshold``: the average pair score between a document and a story's compared members that it
      needs to join that story (average linkage, so one similar member is not enough: resists chaining).
    - ``match_threshold``: the pair score at which `verify` calls a pair the same story.
    - ``cohesion_ratio``: a document joins a story by rewrite evidence only when its mean closeness
      (geometric mean of content-word cosine and name/number overlap) with the compared members reaches this
      share of the members' own mean pairwise closeness (a story of
      near-identical versions does not absorb a merely related article; 0 disables the check).
    - ``regroup_max`` / ``regroup_ratio``: after each document, its neighbourhood (its story and the stories
      of its verified candidates) is clustered again by average linkage at ``join_threshold`` when it holds
      at most ``regroup_max`` members (0 disables it); two groups merge there only when their mean cross
      closeness reaches ``regroup_ratio`` times each group's own mean closeness (as ``cohesion_ratio``), a
      group's own closeness counting from ``cohesion_members`` members on (a smaller group's mean is noise).
    - ``max_compare``: at most this many members of a story are compared with a new document
      (the earliest ones plus the best candidate).
    - ``encoder``: encoder spec for embeddings (``None`` = lexical only); ``embed_chars`` characters of
      title + body are embedded per document.
    - ``pair_model``: the pair model's weights (``None`` = the fitted ``pair_model.json`` shipped with samestory).
    - ``key_terms`` / ``key_terms_min`` / ``key_term_max_df``: each document is also indexed under the
      ``key_terms`` content words it uses most; a document sharing ``key_terms_min`` of them is a rewrite
      candidate; of the documents holding a key term, those published in the ``key_term_days`` before the
      one looked up count (all of them for an undated one, or when ``key_term_days`` is 0), and a term with
      more than ``key_term_max_df`` of them is skipped (`samestory.corpus.candidates`: the same rule at
      every corpus size).
    - ``max_candidates``: at most this many candidates are verified per document, those sharing the most
      keys (ties by id; 0 = all).
    """

    fingerprint: FingerprintConfig = field(default_factory=FingerprintConfig)
    # 16 bands x 5 rows (threshold ~0.57 on content-word sets): what benchmarks/corpus_bench.py runs; 4 rows
    # made 7x more candidate pairs on the 100k corpus (mostly unrelated articles) and a lower F1 (docs/decisions.md)
    term_bands: int = 16
    term_rows: int = 5
    # fitted by `samestory train pair-model` (cross-validated; the same values are recorded in pair_model.json)
    match_threshold: float = 0.5
    join_threshold: float = 0.5
    cohesion_ratio: float = 0.5
    max_compare: int = 8
    encoder: str | None = None
    embed_chars: int = 600
    key_terms: int = 24
    key_terms_min: int = 3
    key_term_max_df: int = 32
    # same-event reports appear within days; 2 and 7 measured alike on the 100k corpus (docs/decisions.md)
    key_term_days: float = 2.0
    max_candidates: int = 100
    pair_model: Mapping[str, Any] | None = None
    regroup_max: int = 160
    regroup_ratio: float = 0.45  # fitted with the thresholds above (pair_model.json: regroup_ratio)
    cohesion_members: int = 4  # fitted likewise (pair_model.json: cohesion_members)


#: the widest time window accepted: a century (a window is compared with dates, which end at year 9999)
MAX_WINDOW_DAYS = 36_525
_WINDOW = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhdw])\s*$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def parse_window(text: str) -> timedelta:
    """Parse a time window such as ``7d``, ``36h``, ``2w``, ``90m`` or ``30s``.

    >>> parse_window("7d")
    datetime.timedelta(days=7)
    """
    m = _WINDOW.match(text.lower())
    if m is None:
        raise InputError(
            f"expected a time window like 7d, 36h, 2w or 90m (a number and one of s, m, h, d, w), found {text!r}"
        )
    value = float(m.group(1))
    if value <= 0:
        raise InputError(f"expected a positive time window, found {text!r}")
    try:
        span = timedelta(**{_UNITS[m.group(2)]: value})
    except OverflowError:
        span = None
    if span is None or span > timedelta(days=MAX_WINDOW_DAYS):
        raise InputError(
            f"the time window (--window) {text!r} is wider than {MAX_WINDOW_DAYS:,} days (a century); "
            "pass a narrower window, or none to match across all dates"
        )
    return span
