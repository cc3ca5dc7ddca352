"""Load on the web viewer: `samestory serve` over a large index, on 127.0.0.1, hit by many requests at once.

Targets: a 50-member story page ≤ 200 ms server time on a 100k-article store, the story list and search
≤ 100 ms; 200 concurrent requests with 0 errors and p99 ≤ 1 s.

The store is built with the real command (`samestory index add`, lexical) from a JSONL corpus of
``benchmarks/corpus_gen.py`` unless ``--db`` names one already built. The server is the real
`samestory serve` in its own process. Then:

1. server time per route (the ``Server-Timing`` header the app sets), sequential requests after one warm-up
   request each: the story list, a search, the story page of the story nearest 50 members (first request:
   claims computed; later: cached), an article, the APIs;
2. ``--requests`` requests (default 200) fired at once with httpx (async, one connection each), spread over
   the routes; per route p50/p99 of the client-side latency and the error count. Bounded in count and time
   (``--timeout`` per request).

    python benchmarks/corpus_gen.py --docs 100000 --seed 5 --out /work/bench-out/corpus_100k.jsonl
    python benchmarks/web_load.py --corpus /work/bench-out/corpus_100k.jsonl --db /tmp/web100k.db
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote, urlencode

import httpx

SRC = Path(__file__).resolve().parents[1] / "src"


def _cli(*args: str) -> list[str]:
    return [sys.executable, "-c", "from samestory.cli import main; main()", *args]


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(SRC) + os.pathsep + os.environ.get("PYTHONPATH", "")}


def build(corpus: Path, db: Path) -> None:
    t = time.perf_counter()
    subprocess.run(_cli("index", "add", str(corpus), "--db", str(db)), env=_env(), check=True)
    print(f"built {db} from {corpus} in {time.perf_counter() - t:.1f} s")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def _server_ms(r: httpx.Response) -> float:
    timing = r.headers.get("server-timing", "app;dur=nan")
    return float(timing.split("dur=")[1])


def pick_targets(client: httpx.Client) -> dict[str, str]:
    """URLs of each kind: the story nearest 50 members, a search word from its title, an article, a pair."""
    top = client.get("/api/stories?limit=200").json()["stories"]
    story = min(top, key=lambda s: (abs(s["size"] - 50), s["story_id"]))
    members = [m["id"] for m in client.get(f"/api/story/{quote(story['story_id'])}").json()["members"]]
    words = [w for w in story["title"].split() if w.isalpha() and len(w) > 5] or ["the"]
    small = next(s for s in reversed(top) if s["size"] >= 2)
    return {
        "story_id": story["story_id"],
        "size": str(story["size"]),
        "word": words[0],
        "article": members[-1],
        "a": members[0],
        "b": members[1],
        "small": small["story_id"],
    }


def routes(t: dict[str, str]) -> dict[str, str]:
    q = urlencode({"q": t["word"]})
    return {
        "/": "/",
        "/?q=": f"/?{q}",
        "/api/stories": "/api/stories?limit=50",
        "/api/stories?q=": f"/api/stories?{q}",
        "/?sort=earliest&page 3": "/?sort=earliest&offset=100",
        f"/story (size {t['size']})": f"/story/{quote(t['story_id'])}",
        "/api/story": f"/api/story/{quote(t['small'])}",
        "/article": f"/article/{quote(t['article'])}",
        "/compare": f"/compare?{urlencode({'a': t['a'], 'b': t['b']})}",
        "/api/compare": f"/api/compare?{urlencode({'a': t['a'], 'b': t['b']})}",
    }


def server_times(client: httpx.Client, urls: dict[str, str], repeat: int) -> None:
    print(f"\nserver time per route (Server-Timing), sequential, {repeat} requests after the first:")
    print(f"  {'route':32} {'first ms':>9} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8}")
    for name, url in urls.items():
        first = client.get(url)
        first.raise_for_status()
        got = []
        for _ in range(repeat):
            r = client.get(url)
            r.raise_for_status()
            got.append(_server_ms(r))
        print(
            f"  {name:32} {_server_ms(first):9.1f} {statistics.median(got):8.1f} {_pct(got, 99):8.1f} {max(got):8.1f}"
        )


async def burst(base: str, urls: dict[str, str], n: int, timeout: float) -> None:
    names = list(urls)
    plan = [names[k % len(names)] for k in range(n)]
    limits = httpx.Limits(max_connections=n, max_keepalive_connections=0)
    results: dict[str, list[float]] = {k: [] for k in names}
    errors: list[str] = []
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=timeout) as client:

        async def one(name: str) -> None:
            t = time.perf_counter()
            try:
                r = await client.get(urls[name])
                if r.status_code != 200:
                    errors.append(f"{name}: HTTP {r.status_code}")
                    return
            except httpx.HTTPError as exc:
                errors.append(f"{name}: {type(exc).__name__}")
                return
            results[name].append(time.perf_counter() - t)

        t0 = time.perf_counter()
        await asyncio.gather(*(one(name) for name in plan))
        wall = time.perf_counter() - t0
    every = [x for v in results.values() for x in v]
    print(f"\n{n} concurrent requests (one connection each), wall {wall:.2f} s, errors {len(errors)}")
    print(f"  {'route':32} {'n':>4} {'p50 ms':>8} {'p99 ms':>8}")
    for name in names:
        v = results[name]
        if v:
            print(f"  {name:32} {len(v):4d} {statistics.median(v) * 1000:8.0f} {_pct(v, 99) * 1000:8.0f}")
    if every:
        print(
            f"  {'all':32} {len(every):4d} {statistics.median(every) * 1000:8.0f} {_pct(every, 99) * 1000:8.0f}"
        )
    for e in errors[:10]:
        print("  error:", e)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--db", type=Path, required=True, help="the store (built from --corpus when missing)")
    ap.add_argument("--corpus", type=Path, help="JSONL corpus of benchmarks/corpus_gen.py to build --db from")
    ap.add_argument("--requests", type=int, default=200)
    ap.add_argument("--repeat", type=int, default=20, help="sequential requests per route for server time")
    ap.add_argument("--timeout", type=float, default=30.0)
    args = ap.parse_args()
    if not args.db.exists():
        if args.corpus is None:
            ap.error(f"{args.db} does not exist: pass --corpus to build it")
        build(args.corpus, args.db)
    port = _free_port()
    server = subprocess.Popen(
        _cli("serve", "--db", str(args.db), "--port", str(port), "--encoder", "lexical"),
        env=_env(),
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        t = time.perf_counter()
        with httpx.Client(base_url=base, timeout=args.timeout) as client:
            while True:
                try:
                    r = client.get("/api/stories?limit=1")
                    break
                except httpx.TransportError:
                    if server.poll() is not None or time.perf_counter() - t > 120:
                        raise SystemExit("the server did not start") from None
                    time.sleep(0.2)
            print(
                f"server up and first list (story catalog built) in {time.perf_counter() - t:.1f} s; {r.json()['total']} stories"
            )
            targets = pick_targets(client)
            urls = routes(targets)
            server_times(client, urls, args.repeat)
        asyncio.run(burst(base, urls, args.requests, args.timeout))
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
