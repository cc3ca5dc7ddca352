"""Output files written whole or not at all: a temporary file beside the target, renamed onto it at the end.

Every command that writes a file the user named (`cluster` and `dedup` outputs, `compare --out`, `stories --out`) goes
through `atomic_path` / `atomic_write`, so a missing folder, a directory in the way, a read-only folder or
a full disk gives one `OutputError` naming the path, and no empty or half-written file is left behind.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from samestory.errors import OutputError


def _problem(exc: OSError) -> str:
    return exc.strerror or type(exc).__name__


@contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """A temporary path (``PATH.tmp``) to write; renamed onto ``path`` when the block ends without error,
    removed when it fails. An `OSError` inside the block (disk full, read-only folder) becomes `OutputError`.
    """
    target = Path(path)
    if target.is_dir():
        raise OutputError(f"{target}: is a directory; pass the path of a file to write")
    if not target.parent.is_dir():
        raise OutputError(f"{target}: cannot write the output (its folder {target.parent} does not exist)")
    tmp = target.with_name(target.name + ".tmp")
    try:
        yield tmp
        tmp.replace(target)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise OutputError(
            f"{target}: cannot write the output ({_problem(exc)}); nothing was written: "
            "check the folder's permissions and free space"
        ) from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


@contextmanager
def atomic_write(path: str | Path) -> Iterator[IO[str]]:
    """`atomic_path`, opened for writing UTF-8 text."""
    with atomic_path(path) as tmp, tmp.open("w", encoding="utf-8") as fh:
        yield fh
