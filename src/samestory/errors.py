"""One exception tree for samestory.

Every message says what was expected, what was found, and what to do::

    SamestoryError
    ├── InputError                 bad input: a file, a record, an argument
    │   ├── ReadError              a file cannot be read (missing, unreadable, binary, oversized, empty)
    │   ├── RecordError            one record (JSONL/CSV line, WARC record) is malformed
    │   └── EmptyArticleError      an article has no text to work with
    ├── MissingDependencyError     an optional extra is not installed
    ├── ModelError                 an encoder or trained model cannot be loaded or used
    ├── StoreError                 the SQLite store cannot be opened, read or written
    │   └── SchemaVersionError     the database was written by a newer samestory
    ├── DataError                  an evaluation data set is missing or malformed
    └── OutputError                an output file cannot be written (nothing half-written is left)

The CLI turns any of these into one line on stderr and exit code 2.
"""

from __future__ import annotations


class SamestoryError(Exception):
    """Base class of every error samestory raises on purpose."""


class InputError(SamestoryError):
    """Bad input: a file, a record or an argument that samestory cannot use."""


class ReadError(InputError):
    """A file or stream cannot be read into articles."""

    def __init__(self, source: str, problem: str) -> None:
        self.source = source
        self.problem = problem
        super().__init__(f"{source}: {problem}")


class RecordError(InputError):
    """One record of a multi-record file (JSONL/CSV line, WARC record) is malformed."""

    def __init__(self, source: str, line: int, problem: str) -> None:
        self.source = source
        self.line = line
        self.problem = problem
        super().__init__(f"{source}:{line}: {problem}")


def error_record(exc: BaseException) -> dict[str, object]:
    """One line of an errors output: ``source`` (the file, or ``<DataFrame>``), ``line`` (the line, row or
    record number; ``None`` for a whole file), ``error`` (what is wrong and what to do)."""
    source = getattr(exc, "source", None)
    problem = getattr(exc, "problem", None)
    return {"source": source, "line": getattr(exc, "line", None), "error": problem or str(exc)}


class EmptyArticleError(InputError):
    """An article has no usable text."""


class MissingDependencyError(SamestoryError):
    """An optional extra is needed for this feature and is not installed."""

    def __init__(self, feature: str, package: str, extra: str) -> None:
        self.feature = feature
        self.package = package
        self.extra = extra
        super().__init__(
            f"{feature} needs the package {package!r}, which is not installed; "
            f"install it with: pip install 'samestory[{extra}]'"
        )


class ModelError(SamestoryError):
    """An encoder or trained model cannot be loaded or used."""


class StoreError(SamestoryError):
    """The SQLite store cannot be opened, read or written."""


class SchemaVersionError(StoreError):
    """The database was written by a newer version of samestory."""


class DataError(SamestoryError):
    """An evaluation data set is missing or malformed."""


class OutputError(SamestoryError):
    """An output file (deduplicated corpus, map, export) cannot be written; nothing half-written is left."""
