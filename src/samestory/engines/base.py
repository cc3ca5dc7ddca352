"""The `Engine` protocol: what every executor of corpus stages provides."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any, Protocol, TypeVar

T = TypeVar("T")
R = TypeVar("R")


class Engine(Protocol):
    """Runs ``fn(chunk, shared)`` for each chunk and yields the results in input order.

    ``fn`` is a module-level function (an engine may send it to other processes or machines by name);
    ``shared`` is large read-only data every call may read (sent once per worker, not with every chunk).
    """

    @property
    def workers(self) -> int:
        """How many calls may run at once (1: in this process, one after another)."""
        ...

    def map(self, fn: Callable[[T, Any], R], chunks: Iterable[T], shared: Any = None) -> Iterator[R]: ...


__all__ = ["Engine"]
