"""The local engines: results in input order, the same with a process pool as in-process."""

from __future__ import annotations

import pytest

from samestory.engines.local import InProcessEngine, ProcessPoolEngine, local_engine
from samestory.errors import InputError


def _square_all(chunk: list[int], offset: int) -> list[int]:
    return [x * x + offset for x in chunk]


def test_a_pool_returns_what_one_process_returns_in_input_order() -> None:
    chunks = [list(range(k, k + 7)) for k in range(0, 200, 7)]
    one = list(local_engine(1).map(_square_all, chunks, 5))
    assert one == [[x * x + 5 for x in c] for c in chunks]
    assert list(local_engine(2).map(_square_all, iter(chunks), 5)) == one  # shared data reaches the workers
    assert list(ProcessPoolEngine(3).map(_square_all, [], 0)) == []
    assert isinstance(local_engine(1), InProcessEngine) and local_engine(2).workers == 2


def test_negative_workers_are_refused() -> None:
    with pytest.raises(InputError, match="workers"):
        local_engine(-1)
