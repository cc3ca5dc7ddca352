"""`CorpusConfig`: every threshold of corpus mode in one typed, documented object."""

from __future__ import annotations

from dataclasses import dataclass, field

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
    - ``max_compare``: at most this many members of a story are compared with a new document
      (the earliest ones plus the best candidate).
    - ``encoder``: encoder spec for embeddings (``None`` = lexical only); ``embed_chars`` characters of
      title + body are embedded per document.
    - ``exhaustive_below``: `cluster_batch` compares all pairs when the batch is this small, instead of LSH.
    """

    fingerprint: FingerprintConfig = field(default_factory=FingerprintConfig)
    term_bands: int = 32
    term_rows: int = 2
    match_threshold: float = 0.5
    join_threshold: float = 0.5
    max_compare: int = 8
    encoder: str | None = None
    embed_chars: int = 1200
    exhaustive_below: int = 3000
