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
    result = runner.invoke(app, ["serve", "--db", str(_db(tmp_path)), "--workers", "-1"])
    assert result.exit_code == 2 and "--workers" in result.stderr


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _serve(db: Path, *args: str) -> subprocess.Popen[str]:
    src = str(Path(__file__).resolve().parents[2] / "src")
    env = {**os.environ, "PYTHONPATH": src + os.pathsep + os.environ.get("PYTHONPATH", "")}
    cmd = [sys.executable, "-c", "from samestory.cli import main; main()", "serve", "--db", str(db), *args]
    return subprocess.Popen(cmd, env=env, stderr=subprocess.PIPE, text=True)


def _get(url: str) -> str:
    for _ in range(300):
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                return str(r.read().decode())
        except OSError:
            time.sleep(0.1)
    return ""


def _children(pid: int) -> list[int]:
    """Processes whose parent is ``pid`` (Linux /proc)."""
    out = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            out.append(int(stat.parent.name))
    return out


def test_serve_answers_on_localhost_and_warns_on_other_hosts(tmp_path: Path) -> None:
    db = _db(tmp_path)
    port = _free_port()
    proc = _serve(db, "--host", "0.0.0.0", "--port", str(port))
    try:
        assert '"story_id":"ferry"' in _get(f"http://127.0.0.1:{port}/api/stories")
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=20)
    assert "warning" in err and "0.0.0.0" in err


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="counts worker processes in /proc")
def test_serve_with_workers_answers_from_several_processes_that_stop_with_it(tmp_path: Path) -> None:
    db = _db(tmp_path)
    port = _free_port()
    proc = _serve(db, "--port", str(port), "--workers", "2")
    workers: list[int] = []
    try:
        assert '"story_id":"ferry"' in _get(f"http://127.0.0.1:{port}/api/stories")
        assert "Ferry crews" in _get(f"http://127.0.0.1:{port}/article/ferry")
        workers = [p for p in _children(proc.pid) if b"spawn" in Path(f"/proc/{p}/cmdline").read_bytes()]
        assert len(workers) == 2
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=30)
    assert "2 processes" in err
    assert not any(Path(f"/proc/{p}").exists() for p in workers)
