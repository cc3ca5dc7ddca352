"""Fuzz every reader and `compare` with seeded hostile inputs; print the counts the reliability targets ask for.

For each reader (txt, html, jsonl, csv, warc) N inputs are generated from good samples by seeded mutations
(byte flips, hostile fragments: NULs, stray bytes >= 0x80, lone surrogate escapes, ESC, bidi overrides, BOMs,
cuts). Multi-record inputs (jsonl, csv, warc) hold known good records beside the mutated ones, so a good
record that does not come back is counted as lost. Each input runs in-process under a 5 s alarm.

    tracebacks  an exception that is not one of samestory's own errors
    hangs       an input that took longer than the alarm
    lost        good records (beside bad ones) that were not returned
    refused     multi-record files refused whole (e.g. looked binary), counted apart from lost

CSV bad rows carry no double quote: an unbalanced quote opens a field that legitimately runs to the end of
the file (CSV's own rule), which is not a reader fault. ``compare`` pairs fuzzed texts, lexical only.

    python benchmarks/fuzz.py --n 10000 [--readers txt,html,jsonl,csv,warc,compare] [--seed 0]
"""

from __future__ import annotations

import argparse
import io
import json
import random
import signal
import sys
import tempfile
import time
import traceback
from collections import Counter
from pathlib import Path

from samestory.article import Article
from samestory.errors import InputError, SamestoryError
from samestory.ingest import ReadOptions, from_text, read_paths

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = (ROOT / "examples" / "000_c15b2c954df542e4.txt").read_text(encoding="utf-8")
SENTENCES = [s for s in EXAMPLE.replace("\n", " ").split(". ") if len(s) > 20][:30]
HOSTILE = [
    b"\x00", b"\xff", b"\xfe\xff", b"\xef\xbb\xbf", b"\x80\x81", b"\xc3", b"\x1b[2J", b"\xe2\x80\xae",
    b"\\udfff", b"\\ud800", b"\r", b"\t", b"{", b"}", b"[", b"]", b"\\", b"<", b">", b"<script>", b"&#0;",
    b"\x7f", b"\xc2\x85", b",", b"\x1a", b"%s%n", b"\xf0\x9f", b"\xed\xa0\x80",
]  # fmt: skip
ALARM_S = 5.0


class Hang(BaseException):
    """The alarm: a BaseException, so that no reader's ``except Exception`` turns it into a record error."""


def _alarm(signum: int, frame: object) -> None:
    raise Hang


def mutate(rng: random.Random, data: bytes, *, keep_newlines: bool = True, no_quotes: bool = False) -> bytes:
    out = bytearray(data)
    for _ in range(rng.randint(1, 6)):
        op = rng.random()
        pos = rng.randrange(len(out) + 1)
        if op < 0.35:
            out[pos:pos] = rng.choice(HOSTILE)
        elif op < 0.6 and out:
            out[min(pos, len(out) - 1)] = rng.randrange(256)
        elif op < 0.75:
            out[pos:pos] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 12)))
        elif op < 0.85 and out:
            del out[pos : pos + rng.randint(1, 40)]
        else:
            out = out[: rng.randrange(len(out) + 1)]  # a cut
    if not keep_newlines:
        out = out.replace(b"\n", b" ")
    if no_quotes:
        out = out.replace(b'"', b"'")
    return bytes(out)


def _text(rng: random.Random, n: int = 4) -> str:
    return ". ".join(rng.sample(SENTENCES, min(n, len(SENTENCES)))) + "."


def gen_txt(rng: random.Random) -> tuple[str, bytes, set[str]]:
    base = (f"Title {rng.randint(0, 999)}\n" + _text(rng)).encode()
    data = (
        mutate(rng, base)
        if rng.random() < 0.9
        else bytes(rng.randrange(256) for _ in range(rng.randint(0, 400)))
    )
    return ".txt", data, set()


def gen_html(rng: random.Random) -> tuple[str, bytes, set[str]]:
    base = (
        f"<html><head><title>T{rng.randint(0, 99)}</title><meta charset='utf-8'></head><body><article>"
        + "".join(f"<p>{s}.</p>" for s in rng.sample(SENTENCES, 5))
        + "</article></body></html>"
    ).encode()
    return ".html", mutate(rng, base), set()


def gen_jsonl(rng: random.Random) -> tuple[str, bytes, set[str]]:
    lines: list[bytes] = []
    good: set[str] = set()
    for i in range(rng.randint(2, 6)):
        if (
            i == 0 or rng.random() < 0.5
        ):  # the first line is good (a BOM-like mutation there is a whole-file matter)
            ident = f"g{i}"
            good.add(ident)
            lines.append(json.dumps({"id": ident, "title": f"T{i}", "text": _text(rng)}).encode())
        else:
            bad = json.dumps({"id": f"b{i}", "title": "T", "text": _text(rng)}).encode()
            lines.append(mutate(rng, bad, keep_newlines=False))
    return ".jsonl", b"\n".join(lines) + b"\n", good


def gen_csv(rng: random.Random) -> tuple[str, bytes, set[str]]:
    rows = [b"id,title,text"]
    good: set[str] = set()
    for i in range(rng.randint(2, 6)):
        row = f'r{i},T{i},"{_text(rng)}"'.encode()
        if i == 0 or rng.random() < 0.5:
            good.add(f"r{i}")
            rows.append(row)
        else:
            rows.append(mutate(rng, f"b{i},T,{_text(rng)}".encode(), keep_newlines=False, no_quotes=True))
    return ".csv", b"\n".join(rows) + b"\n", good


def gen_warc(rng: random.Random) -> tuple[str, bytes, set[str]]:
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    buf = io.BytesIO()
    writer = WARCWriter(buf, gzip=rng.random() < 0.5)
    good: set[str] = set()
    n = rng.randint(2, 5)
    for i in range(n):
        html = (
            f"<html><head><title>T{i}</title></head><body><article>"
            + "".join(f"<p>{s}.</p>" for s in rng.sample(SENTENCES, 5))
            + "</article></body></html>"
        ).encode()
        is_good = i == 0 or rng.random() < 0.5
        if not is_good:
            html = mutate(rng, html)
        uri = f"http://x/{i}"
        if is_good:
            good.add(uri)
        ctype = "text/html" if is_good or rng.random() < 0.7 else rng.choice(["image/png", "", "text/plain"])
        headers = StatusAndHeaders("200 OK", [("Content-Type", ctype)], protocol="HTTP/1.0")
        writer.write_record(
            writer.create_warc_record(uri, "response", payload=io.BytesIO(html), http_headers=headers)
        )
    data = buf.getvalue()
    if rng.random() < 0.2:  # damage after the good records: cut or append junk
        data = data + mutate(rng, b"WARC/1.0\r\nWARC-Type: response\r\n\r\n")
    return ".warc.gz" if data[:2] == b"\x1f\x8b" else ".warc", data, good


GENERATORS = {"txt": gen_txt, "html": gen_html, "jsonl": gen_jsonl, "csv": gen_csv, "warc": gen_warc}


def run_reader(name: str, n: int, seed: int, folder: Path) -> Counter[str]:
    rng = random.Random(f"{seed}:{name}")
    counts: Counter[str] = Counter()
    opts = ReadOptions(max_bytes=1 << 20)
    for k in range(n):
        suffix, data, good = GENERATORS[name](rng)
        path = folder / f"in{k % 7}{suffix}"
        path.write_bytes(data)
        signal.setitimer(signal.ITIMER_REAL, ALARM_S)
        try:
            results = list(read_paths([path], opts))
        except Hang:
            counts["hangs"] += 1
            continue
        except Exception:
            counts["tracebacks"] += 1
            if counts["tracebacks"] <= 3:
                traceback.print_exc()
            continue
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
        counts["inputs"] += 1
        got = {a.url if name == "warc" else a.id for a in results if isinstance(a, Article)}
        counts["articles"] += sum(isinstance(a, Article) for a in results)
        counts["errors"] += sum(isinstance(a, InputError) for a in results)
        if good:
            counts["good"] += len(good)
            missing = good - got
            whole = [e for e in results if isinstance(e, InputError) and not hasattr(e, "line")]
            if missing and whole and not got:
                counts["refused"] += 1
            else:
                counts["lost"] += len(missing)
                if missing and counts["lost"] <= 3:
                    print(
                        f"lost {sorted(missing)} in {name} input {k}: {[str(e)[:120] for e in results if isinstance(e, InputError)]}",
                        file=sys.stderr,
                    )
        path.unlink()
    return counts


def run_compare(n: int, seed: int) -> Counter[str]:
    from samestory.comparison import compare

    rng = random.Random(f"{seed}:compare")
    counts: Counter[str] = Counter()
    for _ in range(n):
        texts = [
            mutate(rng, _text(rng, rng.randint(1, 8)).encode()).decode("utf-8", "surrogateescape")
            for _ in range(2)
        ]
        signal.setitimer(signal.ITIMER_REAL, ALARM_S)
        try:
            a, b = (from_text(t, title=t[:20] or None) for t in texts)
            compare(a, b)
            counts["compared"] += 1
        except SamestoryError:
            counts["errors"] += 1
        except Hang:
            counts["hangs"] += 1
        except Exception:
            counts["tracebacks"] += 1
            if counts["tracebacks"] <= 3:
                traceback.print_exc()
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
        counts["inputs"] += 1
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--n", type=int, default=10_000, help="inputs per reader")
    parser.add_argument("--compare-n", type=int, default=None, help="pairs through compare (default: --n)")
    parser.add_argument("--readers", default="txt,html,jsonl,csv,warc,compare")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    signal.signal(signal.SIGALRM, _alarm)
    print(
        f"{'reader':8} {'inputs':>7} {'tracebacks':>10} {'hangs':>6} {'good':>6} {'lost':>5} {'refused':>7} {'errors':>7} {'s':>6}"
    )
    with tempfile.TemporaryDirectory() as tmp:
        for name in args.readers.split(","):
            t0 = time.perf_counter()
            if name == "compare":
                c = run_compare(args.compare_n or args.n, args.seed)
            else:
                c = run_reader(name, args.n, args.seed, Path(tmp))
            print(
                f"{name:8} {c['inputs'] + c['hangs'] + c['tracebacks']:>7} {c['tracebacks']:>10} {c['hangs']:>6} "
                f"{c['good']:>6} {c['lost']:>5} {c['refused']:>7} {c['errors']:>7} {time.perf_counter() - t0:>6.0f}",
                flush=True,
            )


if __name__ == "__main__":
    main()
