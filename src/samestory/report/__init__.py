"""Renderers of a `Comparison`: terminal (rich), JSON (docs/compare-schema.md) and a self-contained HTML page.

>>> from samestory.report import to_json, to_html, render_terminal  # doctest: +SKIP
"""

from samestory.report.html import to_html
from samestory.report.json_report import SCHEMA_PATH, load_schema, to_json
from samestory.report.terminal import render_terminal

__all__ = ["SCHEMA_PATH", "load_schema", "render_terminal", "to_html", "to_json"]
