"""The JSON report follows the documented schema."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from samestory.comparison import compare
from samestory.ingest import load
from samestory.report.json_report import load_schema, to_json

ROOT = Path(__file__).resolve().parents[2]


def test_json_report_validates_against_the_schema(example_a: Path, example_b: Path) -> None:
    jsonschema = pytest.importorskip("jsonschema", reason="jsonschema is in the dev extra")
    data = json.loads(to_json(compare(load(example_a), load(example_b))))
    jsonschema.Draft202012Validator.check_schema(load_schema())
    jsonschema.validate(data, load_schema())
    for key in ("same_story", "score", "a", "b", "alignment", "only_in_a", "only_in_b", "changes"):
        assert key in data
    n_a = len(data["a"]["sentences"])
    assert all(i < n_a for g in data["alignment"] for i in g["a"])
    assert [s["index"] for s in data["a"]["sentences"]] == list(range(n_a))


def test_schema_rejects_a_malformed_report(example_a: Path, example_b: Path) -> None:
    jsonschema = pytest.importorskip("jsonschema", reason="jsonschema is in the dev extra")
    data = json.loads(to_json(compare(load(example_a), load(example_b))))
    data["changes"].append({"type": "mood", "a": None, "b": None, "status": "sad"})
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(data, load_schema())


def test_every_schema_property_is_documented() -> None:
    doc = (ROOT / "docs" / "compare-schema.md").read_text(encoding="utf-8")
    schema = load_schema()
    documented = set(re.findall(r"`([a-z_]+)`", doc))
    missing = set(schema["properties"]) - documented
    for definition in schema["$defs"].values():
        missing |= set(definition.get("properties", {})) - documented
    assert not missing, f"undocumented in docs/compare-schema.md: {sorted(missing)}"
    for status in schema["$defs"]["change"]["properties"]["status"]["enum"]:
        assert f"`{status}`" in doc
