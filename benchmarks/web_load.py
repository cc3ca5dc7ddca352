"""Load on the web viewer: `samestory serve` over a large index, on 127.0.0.1, hit by many requests at once.

Targets: a 50-member story page ≤ 200 ms server time on a 100k-article store, the story list and search
≤ 100 ms; 200 concurrent requests with 0 errors and p99 ≤ 1 s.

The store is built with the real command (`samestory index add`, lexical) from a JSONL corpus of
``benchmarks/corpus_gen.py`` unless ``--db`` names one already built. The server is the real
`samestory serve` in its own process. Then:

1. server time per route (the ``Server-Timing`` header the app sets), sequential requests after one warm-up
   request each: the story list, a search, the story page of the story nearest 50 members (first request:
   claims computed; later: cached), an article, the APIs;
   When no story has 50 members (the generated corpora's largest have ~25), one is added first (50 edited
   reprints of a real article, with `samestory index add`; this writes to ``--db``).
2. ``--requests`` requests (default 200) fired at once with httpx (async, one connection each), spread over
   the routes and over other stories, articles, search words, pages and pairs (mostly distinct URLs, so that
   the viewer's caches of claims and comparisons are mostly cold); per route p50/p99 of the client-side latency and the error count. Bounded in count and time
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
from typing import Any
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


def ensure_story_of(db: Path, size: int, folder: Path) -> None:
    """When no story of ``db`` has ``size`` to ``size + 15`` members, make one (with `samestory index add`):
    ``size`` reprints of an English article of news length (nearest 4,000 characters) that is a story of its
    own, each with its own page debris, one sentence dropped, some with a changed figure, published an hour
    apart (they join it, or make a story of their own). The largest stories of a generated corpus can be
    false merges of filler articles, whose claims tables are no story's. This writes to ``db``."""
    import json
    import re

    from samestory.store import Store

    with Store(db, read_only=True) as s:
        if any(size <= n <= size + 15 for _, n in s.story_ids()):
            return
        ((sid,),) = s.select(
            "SELECT a.id FROM articles a JOIN memberships m ON m.doc = a.doc "
            "JOIN article_text t ON t.rowid = a.doc WHERE a.lang = 'en' AND "
            "m.story_id IN (SELECT story_id FROM memberships GROUP BY story_id HAVING count(*) = 1) "
            "ORDER BY abs(length(t.text) - 4000), a.id LIMIT 1"
        )
        founder = s.article(str(sid))
        text = s.text(str(sid))
    assert founder is not None and text is not None
    sentences = re.split(r"(?<=[.!?])\s+", text.strip())
    debris = ["Advertisement", "Share this article", "Read more: top stories", "Subscribe to our newsletter"]
    rows = []
    for k in range(size):
        kept = [x for n, x in enumerate(sentences) if n != 1 + k % max(1, len(sentences) - 1)]
        body = "\n\n".join([debris[k % len(debris)], *kept, debris[(k + 1) % len(debris)]])
        if k % 7 == 3:
            body = re.sub(r"\b(\d+)\b", lambda m: str(int(m.group(1)) + 1), body, count=1)
        rows.append(
            {
                "id": f"web-story-{size}-{k:02d}",
                "title": founder.title,
                "text": body,
                "source": f"outlet-{k:02d}",
                "published": f"2021-07-{1 + k // 24:02d}T{k % 24:02d}:00:00+00:00",
            }
        )
    path = folder / f"story_{size}.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    t = time.perf_counter()
    subprocess.run(_cli("index", "add", str(path), "--db", str(db)), env=_env(), check=True)
    print(f"added {size} reprints of {sid} to {db} in {time.perf_counter() - t:.1f} s")


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


def pick_targets(db: Path, client: httpx.Client) -> dict[str, Any]:
    """What the requests ask for, read from the store itself (so that no claims table is computed before it
    is timed): the story nearest 50 members, search words from the titles of the largest stories, and the
    stories, articles and pairs of versions the burst spreads over."""
    from samestory.store import Store

    top = client.get("/api/stories?limit=200").json()["stories"]
    big = min(top, key=lambda s: (abs(s["size"] - 50), s["story_id"]))
    shared = [s for s in top if s["size"] >= 2][:60]
    with Store(db, read_only=True) as store:
        members = {s["story_id"]: [m.article_id for m in store.members(s["story_id"])] for s in shared}
    words = sorted({w for s in shared for w in s["title"].split() if w.isalpha() and len(w) > 5})
    return {
        "big": big,
        "largest": top[0],
        "stories": [s["story_id"] for s in shared],
        "members": members,
        "words": words,
    }


def routes(t: dict[str, Any]) -> dict[str, str]:
    """One URL per route (the sequential server times)."""
    word = t["words"][0]
    big = t["big"]["story_id"]
    first = t["members"][t["stories"][0]]
    return {
        "/": "/",
        "/?q=": f"/?{urlencode({'q': word})}",
        "/api/stories": "/api/stories?limit=50",
        "/api/stories?q=": f"/api/stories?{urlencode({'q': word})}",
        "/?sort=earliest&offset=100": "/?sort=earliest&offset=100",
        f"/story (size {t['big']['size']})": f"/story/{quote(big)}",
        "/api/story": f"/api/story/{quote(big)}",
        f"/story (largest, {t['largest']['size']})": f"/story/{quote(t['largest']['story_id'])}",
        "/article": f"/article/{quote(first[-1])}",
        "/compare": f"/compare?{urlencode({'a': first[0], 'b': first[1]})}",
        "/api/compare": f"/api/compare?{urlencode({'a': first[0], 'b': first[1]})}",
    }


def burst_plan(t: dict[str, Any], n: int) -> list[tuple[str, str]]:
    """``n`` (route, URL) pairs, mostly distinct URLs (other stories, articles, words, pages, pairs)."""
    kinds = ["/", "/?q=", "/api/stories", "/api/stories?q=", "/story", "/api/story", "/article", "/compare"]
    stories, members, words = t["stories"], t["members"], t["words"]
    plan = []
    for k in range(n):
        kind = kinds[k % len(kinds)]
        j = k // len(kinds)
        sid = stories[j % len(stories)]
        ids = members[sid]
        url = {
            "/": f"/?offset={50 * j}",
            "/?q=": f"/?{urlencode({'q': words[j % len(words)]})}",
            "/api/stories": f"/api/stories?sort={('size', 'earliest', 'latest', 'title')[j % 4]}&offset={50 * j}",
            "/api/stories?q=": f"/api/stories?{urlencode({'q': words[(j + 7) % len(words)]})}",
            "/story": f"/story/{quote(sid)}",
            "/api/story": f"/api/story/{quote(stories[(j + 11) % len(stories)])}",
            "/article": f"/article/{quote(ids[j % len(ids)])}",
            "/compare": f"/compare?{urlencode({'a': ids[0], 'b': ids[-1]})}",
        }[kind]
        plan.append((kind, url))
    return plan


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


async def burst(base: str, plan: list[tuple[str, str]], timeout: float) -> None:
    n = len(plan)
    names = list(dict.fromkeys(kind for kind, _ in plan))
    limits = httpx.Limits(max_connections=n, max_keepalive_connections=0)
    results: dict[str, list[float]] = {k: [] for k in names}
    errors: list[str] = []
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=timeout) as client:

        async def one(name: str, url: str) -> None:
            t = time.perf_counter()
            try:
                r = await client.get(url)
                if r.status_code != 200:
                    errors.append(f"{name}: HTTP {r.status_code}")
                    return
            except httpx.HTTPError as exc:
                errors.append(f"{name}: {type(exc).__name__}")
                return
            results[name].append(time.perf_counter() - t)

        t0 = time.perf_counter()
        await asyncio.gather(*(one(name, url) for name, url in plan))
        wall = time.perf_counter() - t0
    every = [x for v in results.values() for x in v]
    print(
        f"\n{n} concurrent requests (one connection each; {len({u for _, u in plan})} distinct URLs), "
        f"wall {wall:.2f} s, errors {len(errors)}"
    )
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
    ap.add_argument(
        "--bursts", type=int, default=2, help="fire the same burst this many times (later ones: caches warm)"
    )
    ap.add_argument(
        "--workers",
        type=int,
        default=1,
        help="`samestory serve --workers`: server processes (caches per process)",
    )
    args = ap.parse_args()
    if not args.db.exists():
        if args.corpus is None:
            ap.error(f"{args.db} does not exist: pass --corpus to build it")
        build(args.corpus, args.db)
    ensure_story_of(args.db, 50, args.db.parent)
    port = _free_port()
    server = subprocess.Popen(
        _cli(
            "serve",
            "--db",
            str(args.db),
            "--port",
            str(port),
            "--encoder",
            "lexical",
            *(["--workers", str(args.workers)] if args.workers != 1 else []),
        ),
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
                f"server up ({args.workers} process(es)) and first list (story catalog built) in "
                f"{time.perf_counter() - t:.1f} s; {r.json()['total']} stories"
            )
            targets = pick_targets(args.db, client)
            server_times(client, routes(targets), args.repeat)
        plan = burst_plan(targets, args.requests)
        for k in range(args.bursts):
            print(
                f"\nburst {k + 1} of {args.bursts}"
                + (" (same URLs: pages cached by the process that served them)" if k else "")
            )
            asyncio.run(burst(base, plan, args.timeout))
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
