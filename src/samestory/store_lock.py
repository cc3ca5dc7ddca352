"""The writer lock of a corpus store: one writing process per database file at a time.

SQLite's own lock covers one transaction only; an add reads what is pending between its transactions, so two
processes adding at once would assign the same articles twice. The second writer waits (an flock on
``PATH.lock``, released by the OS when a process dies) and then finds the shared input already stored. Within
one process, Stores of the same file share the lock (a count), so opening a file twice never deadlocks.
"""

from __future__ import annotations

import os
import stat
import threading
from pathlib import Path

from samestory.errors import StoreError

_WRITERS: dict[str, tuple[int, int]] = {}  # real path -> (lock file descriptor, Stores holding it)
_WRITERS_LOCK = threading.Lock()


def _lock_path(path: str) -> str:
    return os.path.realpath(path) + ".lock"


def acquire_writer(path: str) -> None:
    key = _lock_path(path)
    with _WRITERS_LOCK:
        held = _WRITERS.get(key)
        if held is not None:
            _WRITERS[key] = (held[0], held[1] + 1)
            return
        try:
            fd = os.open(key, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise StoreError(
                f"{path}: cannot create the writer lock {key} ({exc.strerror}); check that the folder is writable"
            ) from None
        try:
            import fcntl

            fcntl.flock(fd, fcntl.LOCK_EX)  # waits while another process writes to this database
        except ImportError:  # no flock (Windows): SQLite's own locking only
            pass
        _WRITERS[key] = (fd, 1)


def release_writer(path: str) -> None:
    key = _lock_path(path)
    with _WRITERS_LOCK:
        held = _WRITERS.get(key)
        if held is None:
            return
        if held[1] > 1:
            _WRITERS[key] = (held[0], held[1] - 1)
            return
        del _WRITERS[key]
        os.close(held[0])


def refuse_marked_read_only(path: str) -> None:
    """Refuse a database file that no one may write (no write permission bits): root could still write it,
    but a file marked read-only is meant to be left as it is."""
    try:
        mode = Path(path).stat().st_mode
    except OSError:
        return  # absent (it will be created) or not reachable (opening it names the problem)
    if stat.S_ISREG(mode) and not mode & 0o222:
        raise StoreError(
            f"{path}: the database is read-only (no write permission); nothing was written: make the file "
            "writable (chmod u+w) or pass another --db"
        )


__all__ = ["acquire_writer", "refuse_marked_read_only", "release_writer"]
