from __future__ import annotations

from datetime import timedelta

import pytest

from samestory.corpus.config import parse_window
from samestory.errors import InputError


@pytest.mark.parametrize("text", ["7", "d", "-3d", "0h", "7 days", ""])
def test_bad_windows_are_input_errors(text: str) -> None:
    with pytest.raises(InputError, match="time window"):
        parse_window(text)


def test_windows_parse() -> None:
    assert parse_window("36h") == timedelta(hours=36)
    assert parse_window("2w") == timedelta(weeks=2)
    assert parse_window("1.5d") == timedelta(hours=36)
