"""`ReadOptions`: how readers map fields and what they accept."""

from __future__ import annotations

from dataclasses import dataclass

from samestory.errors import InputError

DEFAULT_MAX_BYTES = 16 * 1024 * 1024
COMPARE_MAX_BYTES = 1024 * 1024
"""The most text (UTF-8 bytes) `samestory.compare` takes for one version by default: its time and memory grow
with the text (and faster beyond a few MB), so a larger article is refused with a message naming --max-bytes
rather than compared for minutes (docs/decisions.md)."""

#: the largest ``max_bytes`` accepted (1 TiB): far beyond any article, and well inside what a read can ask for
MAX_MAX_BYTES = 1 << 40

TEXT_FIELDS = ("text", "body", "content", "article", "maintext")
TITLE_FIELDS = ("title", "headline")
ID_FIELDS = ("id", "doc_id", "article_id", "uid")
DATE_FIELDS = ("date", "published", "published_at", "publish_date", "datetime", "timestamp")
URL_FIELDS = ("url", "link", "source_url")
LANG_FIELDS = ("lang", "language")


@dataclass(frozen=True, slots=True)
class ReadOptions:
    """Options for `read_paths` / `load`.

    A field left as ``None`` is looked up among common names (``text``/``body``/``content``…); a field
    named explicitly must exist in every record. ``max_bytes`` bounds one article: a ``.txt``/``.html`` file,
    one JSONL line or CSV row, one WARC record. ``format`` forces a reader (``txt``, ``html``, ``jsonl``,
    ``csv``, ``warc``) instead of choosing by file extension; ``lang`` skips language identification.
    """

    text_field: str | None = None
    title_field: str | None = None
    id_field: str | None = None
    date_field: str | None = None
    max_bytes: int = DEFAULT_MAX_BYTES
    format: str | None = None
    lang: str | None = None

    def __post_init__(self) -> None:
        if not 1 <= self.max_bytes <= MAX_MAX_BYTES:
            raise InputError(
                f"--max-bytes (ReadOptions.max_bytes) must be between 1 and {MAX_MAX_BYTES:,}, "
                f"got {self.max_bytes:,}"
            )
