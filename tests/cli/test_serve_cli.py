"""`samestory serve`: a real server process answering on 127.0.0.1; bad arguments are one-line errors."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from typer.testing import CliRunner

from samestory.cli import commands  # noqa: F401  (registers the commands)
from samestory.cli.app import app
from samestory.index import Index
from samestory.ingest import from_text

pytest.importorskip("fastapi", reason="samestory serve needs the 'web' extra")
pytest.importorskip("uvicorn", reason="samestory serve needs the 'web' extra")
runner = CliRunner()


def _db(tmp_path: Path) -> Path:
    db = tmp_path / "s.db"
    with Index(db) as ix:
        ix.add([from_text("Ferry crews walked off the job in the northern port on Monday.", id="ferry")])
    return db


def test_missing_database_and_bad_port_are_one_line_errors(tmp_path: Path) -> None:
    result = runner.invoke(app, ["serve", "--db", str(tmp_path / "none.db")])
    assert result.exit_code == 2 and "no such database" in result.stderr
    result = runner.invoke(app, ["serve", "--db", str(_db(tmp_path)), "--port", "70000"])
    assert result.exit_code == 2 and "--port" in result.stderr


def test_serve_answers_on_localhost_and_warns_on_other_hosts(tmp_path: Path) -> None:
    db = _db(tmp_path)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    src = str(Path(__file__).resolve().parents[2] / "src")
    env = {**os.environ, "PYTHONPATH": src + os.pathsep + os.environ.get("PYTHONPATH", "")}
    cmd = [sys.executable, "-c", "from samestory.cli import main; main()", "serve", "--db", str(db)]
    proc = subprocess.Popen(
        [*cmd, "--host", "0.0.0.0", "--port", str(port)], env=env, stderr=subprocess.PIPE, text=True
    )
    try:
        body = ""
        for _ in range(300):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/stories", timeout=2) as r:
                    body = r.read().decode()
                break
            except OSError:
                time.sleep(0.1)
        assert '"story_id":"ferry"' in body
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=20)
    assert "warning" in err and "0.0.0.0" in err
