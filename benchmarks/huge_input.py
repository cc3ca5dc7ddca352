"""Time and peak memory of `samestory compare` on huge articles: refused at compare's limit, and what the same
pair costs with the limit raised (the behaviour before there was one).

    python benchmarks/huge_input.py [--mb 5] [--sizes 0.25,1] [--encoder auto] [--skip-unlimited]

Data: WMT21 ru-en (shared data). Article A is human reference A of the documents joined, in a seeded shuffled
order each pass, up to the size; B is the matching machine translation (one system) of the same documents, so the
pair is one long rewrite of one text. Both are written as .txt files and compared by the CLI in a fresh process
(`samestory compare A B --format json --out FILE`), so the time is the whole command's (start-up,
reading, comparison, report) and the peak RSS (`wait4`'s ru_maxrss) the process's own. Cases: the default limit
(the refusal at `--max-bytes`), `--max-bytes` = the ingest default of 16 MiB (no compare limit: the behaviour
before), and each of `--sizes` (MB) under the default limit, to show what a limit-sized input costs.
The embeddings cache is off (`SAMESTORY_EMBED_CACHE=0`).
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from samestory.eval.data import data_file
from samestory.eval.wmt import load_wmt

UNLIMITED = 16 * 1024 * 1024
CLI = "import sys; from samestory.cli import main; sys.argv[0] = 'samestory'; main()"


def _pair(size: int, seed: int = 0) -> tuple[str, str]:
    path = data_file("wmt21-ru-en", "newstest2021.ru-en.all.xml")
    if path is None:
        sys.exit("shared data wmt21-ru-en not found (set SAMESTORY_DATA to the shared/data folder)")
    docs = [d for d in load_wmt(path) if d.refs and d.hyps]
    rng = random.Random(seed)
    ref: list[str] = []
    mt: list[str] = []
    total = 0
    while total < size:
        order = list(range(len(docs)))
        rng.shuffle(order)
        for k in order:
            ref.append(docs[k].refs[0].text)
            mt.append(docs[k].hyps[0].text)
            total += len(ref[-1].encode("utf-8")) + 2
            if total >= size:
                break
    return "Reference\n\n" + "\n\n".join(ref), "Machine translation\n\n" + "\n\n".join(mt)


def _run(a: Path, b: Path, out: Path, encoder: str, max_bytes: int | None) -> dict[str, object]:
    command = [sys.executable, "-c", CLI, "compare", str(a), str(b), "--format", "json"]
    command += ["--out", str(out), "--encoder", encoder]
    if max_bytes is not None:
        command += ["--max-bytes", str(max_bytes)]
    env = {**os.environ, "SAMESTORY_EMBED_CACHE": "0"}
    t = time.perf_counter()
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    assert proc.stderr is not None
    err = proc.stderr.read().decode("utf-8", "replace")
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    return {
        "seconds": round(time.perf_counter() - t, 2),
        "peak_rss_mib": round(usage.ru_maxrss / 1024, 1),
        "exit": proc.returncode,
        "stderr": err.strip().splitlines()[-1] if err.strip() else "",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--mb", type=float, default=5.0, help="size of each article of the huge pair (MB)")
    parser.add_argument(
        "--sizes", default="", help="more sizes (MB, comma-separated) run under the default limit"
    )
    parser.add_argument("--encoder", default="auto", help="compare's --encoder (auto = what users get)")
    parser.add_argument(
        "--skip-unlimited", action="store_true", help="skip the huge pair with the limit raised"
    )
    args = parser.parse_args()
    load = "/".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"encoder {args.encoder}; load {load}; embeddings cache off")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)

        def case(label: str, mb: float, max_bytes: int | None) -> None:
            text_a, text_b = _pair(int(mb * 1_000_000))
            a, b = folder / "a.txt", folder / "b.txt"
            a.write_text(text_a, encoding="utf-8")
            b.write_text(text_b, encoding="utf-8")
            sizes = f"{a.stat().st_size:,} / {b.stat().st_size:,} bytes"
            figures = _run(a, b, folder / "out.json", args.encoder, max_bytes)
            print(f"{label}: {sizes}: {figures}", flush=True)

        case(f"{args.mb:g} MB pair, default limit", args.mb, None)
        for mb in (float(x) for x in args.sizes.split(",") if x.strip()):
            case(f"{mb:g} MB pair, default limit", mb, None)
        if not args.skip_unlimited:
            case(
                f"{args.mb:g} MB pair, --max-bytes {UNLIMITED} (no compare limit: as before)",
                args.mb,
                UNLIMITED,
            )


if __name__ == "__main__":
    main()
