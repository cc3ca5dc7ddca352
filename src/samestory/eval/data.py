"""Where the shared evaluation data lives: ``$SAMESTORY_DATA``, else ``../shared/data`` by the checkout."""

from __future__ import annotations

import os
from pathlib import Path

ENV_VAR = "SAMESTORY_DATA"


def data_dir() -> Path | None:
    """The shared data folder, or ``None`` when it cannot be found."""
    env = os.environ.get(ENV_VAR)
    if env:
        path = Path(env)
        return path if path.is_dir() else None
    for base in (Path.cwd(), Path(__file__).resolve().parents[3]):
        path = base.parent / "shared" / "data"
        if path.is_dir():
            return path
    return None


def data_file(*parts: str) -> Path | None:
    """A file under the shared data folder, or ``None`` when it is absent."""
    root = data_dir()
    if root is None:
        return None
    path = root.joinpath(*parts)
    return path if path.exists() else None
