"""The local engine: runs a stage function over chunks of work in this process or in a pool of worker
processes. It only executes: results come back in input order, so output does not depend on the number
of workers.

>>> from samestory.engines.local import LocalEngine
>>> list(LocalEngine(workers=1).map(len, [[1, 2], [3]]))
[2, 1]
"""

from __future__ import annotations

import gc
import multiprocessing
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from typing import TypeVar

from samestory.errors import InputError

T = TypeVar("T")
R = TypeVar("R")


def available_workers() -> int:
    """The CPU cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


class LocalEngine:
    """``map(fn, chunks)`` in this process (``workers=1``) or in ``workers`` processes (0 = one per core).

    With a pool, at most ``2 * workers`` chunks are in flight, so a long stream of chunks is never held in
    memory at once. ``fn`` must be a module-level function (it is pickled by name). Workers are forked
    where the platform can (Linux): a stage function needs nothing but its arguments and the shared data,
    and "spawn" or "forkserver" would re-run the caller's script in each worker unless it guards
    ``__main__``; elsewhere they are spawned.
    """

    def __init__(self, workers: int = 1) -> None:
        if workers < 0:
            raise InputError(f"workers must be 0 (one per core) or a positive count, got {workers}")
        self.workers = workers or available_workers()

    def map(self, fn: Callable[[T], R], chunks: Iterable[T], shared: object = None) -> Iterator[R]:
        """``fn`` of each chunk, in order. ``shared`` is data every call may read through `shared()`
        (large, read-only: sent once to each worker, not with every chunk; a forked worker inherits it)."""
        if self.workers == 1:
            global _shared
            before, _shared = _shared, shared
            try:
                yield from map(fn, chunks)
            finally:
                _shared = before
            return
        methods = multiprocessing.get_all_start_methods()
        ctx = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
        # a forked worker shares this process's memory until a page is written; the cyclic garbage collector
        # would write to every object it scans, copying the caller's data (GBs in a 1M-document run) into
        # each worker, so objects that exist now are frozen out of its scans while the pool lives
        gc.freeze()
        try:
            with ProcessPoolExecutor(
                max_workers=self.workers, mp_context=ctx, initializer=_set_shared, initargs=(shared,)
            ) as pool:
                pending: deque[Future[R]] = deque()
                for chunk in chunks:
                    pending.append(pool.submit(fn, chunk))
                    if len(pending) >= 2 * self.workers:
                        yield pending.popleft().result()
                while pending:
                    yield pending.popleft().result()
        finally:
            gc.unfreeze()


_shared: object = None


def _set_shared(value: object) -> None:
    global _shared
    _shared = value


def shared() -> object:
    """The ``shared`` argument of the `LocalEngine.map` call this stage function runs under."""
    return _shared


__all__ = ["LocalEngine", "available_workers", "shared"]
