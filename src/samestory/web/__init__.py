"""The web viewer: `samestory serve --db FILE` (FastAPI + Jinja2, the ``web`` extra).

Importing this package needs nothing beyond samestory; `create_app` needs fastapi.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from samestory.errors import MissingDependencyError

if TYPE_CHECKING:
    from fastapi import FastAPI

__all__ = ["DB_ENV", "ENCODER_ENV", "create_app"]

#: where `samestory serve --workers N` tells its worker processes which store and encoder to serve
DB_ENV = "SAMESTORY_SERVE_DB"
ENCODER_ENV = "SAMESTORY_SERVE_ENCODER"


def create_app(db_path: str | Path, *, encoder: str = "auto") -> FastAPI:
    """The viewer over the store at ``db_path`` (read-only); see `samestory.web.app.create_app`."""
    try:
        import fastapi  # noqa: F401
        import jinja2  # noqa: F401
    except ImportError:
        raise MissingDependencyError("the web viewer", "fastapi", "web") from None
    from samestory.web.app import create_app as make

    return make(db_path, encoder=encoder)
