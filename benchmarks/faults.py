"""Crash and fault benchmark over the CLI: kill -9 at random points of every write path, then an integrity
check and a re-run compared with an uninterrupted run; a read-only store; a full disk; concurrent writers.

    python benchmarks/faults.py [--kills 24] [--seed 0]

Paths killed (round robin): ``index add`` of a small corpus (online path), of a large one (bulk path, half
of them with ``--workers 2``), ``index remove``, and ``dedup``. After each kill:

    corrupt     PRAGMA integrity_check is not "ok" (or the file cannot be opened)
    lost        articles of the input missing after the re-run
    duplicated  memberships not one per article after the re-run
    differs     the re-run's stories (or dedup outputs) differ from the uninterrupted run's
    leftovers   files other than the asked-for outputs (and the store's own -wal, -shm, .lock) left after the re-run

Only the CLI is used (``python -c 'from samestory.cli import main; main()'``), so the figures hold for
whatever engine is behind it. Synthetic corpora from tests/corpus_samples.py (seeded).
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import signal
import sqlite3
import stat
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from corpus_samples import synthetic_versions, write_jsonl  # noqa: E402

ENV = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
CLI = [sys.executable, "-c", "from samestory.cli import main; main()"]


def cli(*args: str, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CLI, *args], env=ENV, capture_output=True, text=True, timeout=timeout)


def stories(db: Path) -> list[tuple[str, str, str | None]]:
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        rows = conn.execute(
            "SELECT a.id, m.story_id, m.matched_id FROM memberships m JOIN articles a ON a.doc = m.doc ORDER BY a.id"
        ).fetchall()
    conn.close()
    return [(str(a), str(s), None if m is None else str(m)) for a, s, m in rows]


def check(db: Path) -> tuple[str, int, int]:
    """(integrity, articles, memberships), read as the next samestory would open the file (a plain connection:
    a killed writer's WAL is recovered on open, which a ``mode=ro`` connection cannot do). A file killed
    before its schema was committed is empty and sound: 0 articles."""
    conn = sqlite3.connect(db)
    try:
        ok = str(conn.execute("PRAGMA integrity_check").fetchone()[0])
        tables = {str(r[0]) for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if "articles" not in tables:
            return ok, 0, 0
        n = int(conn.execute("SELECT count(*) FROM articles").fetchone()[0])
        m = int(conn.execute("SELECT count(*) FROM memberships").fetchone()[0])
        return ok, n, m
    except sqlite3.Error as exc:
        return f"error: {exc}", 0, 0
    finally:
        conn.close()


def timed(*args: str) -> float:
    t0 = time.perf_counter()
    done = cli(*args)
    if done.returncode != 0:
        raise SystemExit(f"reference run failed: {args}: {done.stderr}")
    return time.perf_counter() - t0


def kill_at(args: list[str], delay: float) -> bool:
    """Start the command, SIGKILL it after ``delay`` s; True when it was killed (not finished before)."""
    proc = subprocess.Popen([*CLI, *args], env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        proc.wait(timeout=delay)
        return False
    except subprocess.TimeoutExpired:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        return True


def leftovers(folder: Path, wanted: set[str]) -> int:
    extra = [
        p.name
        for p in folder.iterdir()
        if p.name not in wanted and not p.name.endswith(("-wal", "-shm", ".lock"))
    ]
    return len(extra)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--kills", type=int, default=24)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    work = Path(tempfile.mkdtemp(prefix="samestory-faults-"))
    small = write_jsonl(work / "small.jsonl", synthetic_versions(90, seed=3))
    large = write_jsonl(work / "large.jsonl", synthetic_versions(220, seed=4))
    n_small = sum(1 for _ in small.open())
    n_large = sum(1 for _ in large.open())
    print(f"corpora: small {n_small} articles (online path), large {n_large} (bulk path)")

    ref: dict[str, object] = {}
    t_small = timed("index", "add", str(small), "--db", str(work / "ref_small.db"))
    t_large = timed("index", "add", str(large), "--db", str(work / "ref_large.db"))
    ref["small"], ref["large"] = stories(work / "ref_small.db"), stories(work / "ref_large.db")
    removed = sorted(i for i, _, _ in ref["small"])[:12]  # type: ignore[attr-defined]
    shutil.copy(work / "ref_small.db", work / "ref_removed.db")
    t_remove = timed("index", "remove", *removed, "--db", str(work / "ref_removed.db"))
    ref["removed"] = stories(work / "ref_removed.db")
    t_dedup = timed(
        "dedup", str(small), "--out", str(work / "ref_o.jsonl"), "--map", str(work / "ref_m.jsonl")
    )
    ref_dedup = ((work / "ref_o.jsonl").read_bytes(), (work / "ref_m.jsonl").read_bytes())
    print(
        f"uninterrupted: add small {t_small:.1f}s, add large {t_large:.1f}s, remove {t_remove:.1f}s, dedup {t_dedup:.1f}s"
    )

    counts: dict[str, Counter[str]] = {}
    kinds = ["add-online", "add-bulk", "add-bulk-workers", "remove", "dedup"]
    for k in range(args.kills):
        kind = kinds[k % len(kinds)]
        c = counts.setdefault(kind, Counter())
        run = work / f"run{k}"
        run.mkdir()
        db = run / "s.db"
        if kind.startswith("add"):
            src, full, expected = (
                (small, t_small, ref["small"]) if kind == "add-online" else (large, t_large, ref["large"])
            )
            extra = ["--workers", "2"] if kind.endswith("workers") else []
            cmd = ["index", "add", str(src), "--db", str(db), *extra]
        elif kind == "remove":
            shutil.copy(work / "ref_small.db", db)
            full, expected = t_remove, ref["removed"]
            cmd = ["index", "remove", *removed, "--db", str(db)]
        else:
            full, expected = t_dedup, None
            cmd = ["dedup", str(small), "--out", str(run / "o.jsonl"), "--map", str(run / "m.jsonl")]
        killed = kill_at(cmd, rng.uniform(0.5, max(0.6, full * 0.95)))
        c["kills"] += killed
        c["finished before the kill"] += not killed
        if kind != "dedup":
            ok, _, _ = check(db) if db.exists() else ("ok", 0, 0)
            c["corrupt"] += ok != "ok"
            if ok != "ok":
                print(f"  {kind} run {k}: after the kill: {ok}", flush=True)
            if kind == "remove":
                present = {i for i, _, _ in stories(db)} if ok == "ok" else set()
                again = [i for i in removed if i in present]
                done = cli("index", "remove", *again, "--db", str(db)) if again else None
            else:
                done = cli(*cmd)
            c["re-run failed"] += done is not None and done.returncode != 0
            ok, n, m = check(db)
            c["corrupt"] += ok != "ok"
            want = len(expected)  # type: ignore[arg-type]
            c["lost"] += max(0, want - n)
            c["duplicated"] += max(0, m - n) + max(0, n - want)
            c["differs"] += stories(db) != expected
            c["leftovers"] += leftovers(run, {"s.db"})
        else:
            half = (run / "o.jsonl").exists() and (run / "o.jsonl").read_bytes() != ref_dedup[0]
            c["half-written outputs after the kill"] += half
            c["tmp files after the kill"] += len(list(run.glob("*.tmp")))
            done = cli(*cmd)
            c["re-run failed"] += done.returncode != 0
            c["differs"] += ((run / "o.jsonl").read_bytes(), (run / "m.jsonl").read_bytes()) != ref_dedup
            c["leftovers"] += leftovers(run, {"o.jsonl", "m.jsonl"})
        shutil.rmtree(run)
    print(f"\nkill -9: {args.kills} runs")
    for kind, c in counts.items():
        print(f"  {kind:18} " + ", ".join(f"{k} {v}" for k, v in c.items()))

    # read-only store: a file marked read-only (effective even for root) and a read-only open (mode=ro)
    ro = work / "ro"
    ro.mkdir()
    shutil.copy(work / "ref_small.db", ro / "s.db")
    (ro / "s.db").chmod(stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)
    before = (ro / "s.db").read_bytes()
    done = cli("index", "add", str(large), "--db", str(ro / "s.db"))
    listing = cli("stories", "--db", str(ro / "s.db"), "--format", "jsonl")
    print(
        f"\nread-only store: add exit {done.returncode} ({done.stderr.strip()[:90]}...), file unchanged "
        f"{(ro / 's.db').read_bytes() == before}; stories exit {listing.returncode}, "
        f"{len(listing.stdout.splitlines())} stories listed"
    )

    # full disk: a small tmpfs (needs root and mount)
    mnt = work / "small-fs"
    mnt.mkdir()
    if (
        subprocess.run(
            ["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mnt)], capture_output=True
        ).returncode
        == 0
    ):
        try:
            done = cli("index", "add", str(large), "--db", str(mnt / "s.db"))
            ok, n, m = check(mnt / "s.db")
            line = done.stderr.strip().splitlines()[-1] if done.stderr.strip() else ""
            print(
                f"full disk (1 MiB tmpfs): add exit {done.returncode}, integrity {ok}, {n} articles / {m} memberships kept; '{line[:110]}'"
            )
            for p in mnt.iterdir():
                if p.name.startswith("s.db"):
                    shutil.move(str(p), work / p.name.replace("s.db", "moved.db"))
            done = cli("index", "add", str(large), "--db", str(work / "moved.db"))
            print(
                f"  re-run on a roomy disk: exit {done.returncode}, equals uninterrupted {stories(work / 'moved.db') == ref['large']}"
            )
        finally:
            subprocess.run(["umount", str(mnt)], check=False)
    else:
        print("full disk: skipped (cannot mount a tmpfs here)")

    # concurrent writers: every writer adds the same input at once; then overlapping halves
    lines = small.read_text(encoding="utf-8").splitlines(keepends=True)
    halves = [work / "h1.jsonl", work / "h2.jsonl", work / "h3.jsonl"]
    third = len(lines) // 3
    halves[0].write_text("".join(lines[: 2 * third]), encoding="utf-8")
    halves[1].write_text("".join(lines[third:]), encoding="utf-8")
    halves[2].write_text("".join(lines[:third] + lines[2 * third :]), encoding="utf-8")
    for writers in (2, 3):
        for mode in ("same input", "overlapping parts"):
            db = work / f"conc{writers}{mode[0]}.db"
            inputs = [small] * writers if mode == "same input" else halves[:writers]
            if mode != "same input" and writers == 2:
                inputs = [halves[0], halves[1]]
            procs = [
                subprocess.Popen(
                    [*CLI, "index", "add", str(p), "--db", str(db)],
                    env=ENV,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    text=True,
                )
                for p in inputs
            ]
            outs = [p.communicate(timeout=600) for p in procs]
            codes = [p.returncode for p in procs]
            ok, n, m = check(db)
            expected_n = len({ln for p in inputs for ln in p.read_text(encoding="utf-8").splitlines()})
            equal = stories(db) == ref["small"] if mode == "same input" else None
            unique_msgs = sum("UNIQUE" in err for _, err in outs)
            print(
                f"{writers} concurrent writers, {mode}: exits {codes}, raw UNIQUE errors {unique_msgs}, integrity {ok}, "
                f"{n}/{expected_n} articles, {m} memberships"
                + (f", equals the serial run {equal}" if equal is not None else "")
            )
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
