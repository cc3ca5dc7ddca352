"""The local engine: results in input order, the same with a process pool as in-process."""

from __future__ import annotations

import pytest

from samestory.engines.local import LocalEngine
from samestory.errors import InputError


def _square_all(chunk: list[int]) -> list[int]:
    return [x * x for x in chunk]


def test_a_pool_returns_what_one_process_returns_in_input_order() -> None:
    chunks = [list(range(k, k + 7)) for k in range(0, 200, 7)]
    one = list(LocalEngine(1).map(_square_all, chunks))
    assert one == [[x * x for x in c] for c in chunks]
    assert list(LocalEngine(2).map(_square_all, iter(chunks))) == one
    assert list(LocalEngine(3).map(_square_all, [])) == []


def test_negative_workers_are_refused() -> None:
    with pytest.raises(InputError, match="workers"):
        LocalEngine(-1)
