"""The Spark engine without its requirements: one clear message naming what to install (no session started)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from corpus_samples import synthetic_versions, write_jsonl
from samestory.cli import commands  # noqa: F401  (registers the commands)
from samestory.cli.app import app
from samestory.engines.spark import SparkEngine
from samestory.errors import InputError, MissingDependencyError

runner = CliRunner()


def test_without_pyspark_the_cli_names_the_extra(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setitem(sys.modules, "pyspark.sql", None)  # import pyspark.sql raises ImportError
    with pytest.raises(MissingDependencyError, match=r"pyspark.*samestory\[spark\]"):
        SparkEngine("local[1]")
    path = write_jsonl(tmp_path / "in.jsonl", synthetic_versions(2, seed=1))
    out = tmp_path / "o.jsonl"
    result = runner.invoke(app, ["cluster", str(path), "--out", str(out), "--engine", "spark"])
    assert result.exit_code == 2 and "samestory[spark]" in result.stderr and "Traceback" not in result.stderr
    assert not out.exists()


def test_without_java_the_message_names_a_jdk(monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("pyspark", reason="needs pyspark, to get past the pyspark check")
    monkeypatch.setenv("PATH", "")
    monkeypatch.delenv("JAVA_HOME", raising=False)
    with pytest.raises(InputError, match="Java 17"):
        SparkEngine("local[1]")
