"""The JSON form of a `Comparison` and its JSON Schema (``comparison.schema.json``, documented in docs/)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from samestory.comparison import Comparison

SCHEMA_PATH = Path(__file__).with_name("comparison.schema.json")


def to_json(comparison: Comparison, *, indent: int | None = 2) -> str:
    """``comparison.to_dict()`` as JSON text (UTF-8 characters kept, keys in a stable order)."""
    return json.dumps(comparison.to_dict(), ensure_ascii=False, indent=indent)


def load_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) that `to_json` output follows."""
    schema: dict[str, Any] = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return schema
