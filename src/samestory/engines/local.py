"""Local engines (`samestory.engines.Engine`): a stage function over chunks of work in this process
(`InProcessEngine`) or in a pool of worker processes (`ProcessPoolEngine`). They only execute: results come
back in input order, so output does not depend on the engine.

>>> from samestory.engines.local import local_engine
>>> list(local_engine(1).map(lambda chunk, shared: len(chunk) + shared, [[1, 2], [3]], 10))
[12, 11]
"""

from __future__ import annotations

import gc
import multiprocessing
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any, TypeVar

from samestory.errors import InputError

T = TypeVar("T")
R = TypeVar("R")


def available_workers() -> int:
    """The CPU cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


class InProcessEngine:
    """``map(fn, chunks, shared)`` in this process, one chunk after another."""

    workers = 1

    def map(self, fn: Callable[[T, Any], R], chunks: Iterable[T], shared: Any = None) -> Iterator[R]:
        for chunk in chunks:
            yield fn(chunk, shared)


class ProcessPoolEngine:
    """``map(fn, chunks, shared)`` in ``workers`` processes (0 = one per core).

    At most ``2 * workers`` chunks are in flight, so a long stream of chunks is never held in memory at once.
    ``fn`` must be a module-level function (it is pickled by name). Workers are forked where the platform can
    (Linux): a stage function needs nothing but its arguments and the shared data, and "spawn" or
    "forkserver" would re-run the caller's script in each worker unless it guards ``__main__``; elsewhere
    they are spawned.
    """

    def __init__(self, workers: int = 0) -> None:
        self.workers = _checked(workers) or available_workers()

    def map(self, fn: Callable[[T, Any], R], chunks: Iterable[T], shared: Any = None) -> Iterator[R]:
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
                    pending.append(pool.submit(_call, fn, chunk))
                    if len(pending) >= 2 * self.workers:
                        yield pending.popleft().result()
                while pending:
                    yield pending.popleft().result()
        finally:
            gc.unfreeze()


def _checked(workers: int) -> int:
    if workers < 0:
        raise InputError(f"workers must be 0 (one per core) or a positive count, got {workers}")
    return workers


def local_engine(workers: int = 1) -> InProcessEngine | ProcessPoolEngine:
    """The local engine for ``workers`` (the ``--workers`` option): in this process for 1, else a pool of
    that many processes (0 = one per core, in this process when there is only one core)."""
    count = _checked(workers) or available_workers()
    return InProcessEngine() if count == 1 else ProcessPoolEngine(count)


_shared: Any = None


def _set_shared(value: Any) -> None:
    global _shared
    _shared = value


def _call(fn: Callable[[T, Any], R], chunk: T) -> R:
    return fn(chunk, _shared)


__all__ = ["InProcessEngine", "ProcessPoolEngine", "available_workers", "local_engine"]
