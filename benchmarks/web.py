"""`readlist serve` at scale: server time per page (p50/p95) on a 10k-item library, then N concurrent clients
for S seconds against a real uvicorn on 127.0.0.1 (errors, requests/s, client-side p95, server memory).

    .venv/bin/python benchmarks/web.py                 # 10k items, 50 clients, 30 s
    .venv/bin/python benchmarks/web.py --items 2000 --clients 10 --seconds 5

Server time is measured in-process around the ASGI app (no network); the load test drives `readlist serve`
itself (`--rate 0`: every client comes from 127.0.0.1, so the per-address bound would throttle the test)."""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from synth import build
from timing import READLIST

PAGES = [
    "/",
    "/items",
    "/items?page=100",
    "/items?q=kv+cache",
    "/items?q=量化",
    "/items?status=reading&tag=quantization",
    "/items/42",
    "/digest?since=30d",
    "/members/{member}",
    "/inbox",
    "/feed.atom",
    "/api/items?q=attention",
    "/api/items/42",
]


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p * (len(ordered) - 1))))]


def server_times(db: Path, member: str, runs: int) -> None:
    """Each page `runs` times through the ASGI app in-process: what the server spends, without the network."""
    from starlette.testclient import TestClient

    from readlist.web.app import create_app

    print(f"{'page':42} {'p50 ms':>8} {'p95 ms':>8} {'bytes':>9}")
    with TestClient(create_app(db, reads_per_second=0)) as client:
        for page in PAGES:
            path = page.format(member=member)
            client.get(path)  # warm: first-use imports and caches
            times, size = [], 0
            for _ in range(runs):
                start = time.perf_counter()
                answer = client.get(path)
                times.append((time.perf_counter() - start) * 1000)
                assert answer.status_code == 200, (path, answer.status_code, answer.text[:200])
                size = len(answer.content)
            print(f"{path:42} {statistics.median(times):8.1f} {percentile(times, 0.95):8.1f} {size:9}")


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


async def load(base: str, member: str, clients: int, seconds: float, pid: int) -> None:
    """`clients` concurrent loops over the pages for `seconds`; memory sampled every 5 s."""
    paths = [p.format(member=member) for p in PAGES]
    errors: dict[str, int] = {}
    latencies: list[float] = []
    memory: list[int] = [rss_kib(pid)]
    deadline = time.monotonic() + seconds

    async def client(n: int) -> None:
        async with httpx.AsyncClient(base_url=base, timeout=30) as http:
            i = n
            while time.monotonic() < deadline:
                path = paths[i % len(paths)]
                i += 1
                start = time.perf_counter()
                try:
                    answer = await http.get(path)
                    if answer.status_code != 200:
                        errors[str(answer.status_code)] = errors.get(str(answer.status_code), 0) + 1
                except httpx.HTTPError as exc:
                    errors[type(exc).__name__] = errors.get(type(exc).__name__, 0) + 1
                latencies.append((time.perf_counter() - start) * 1000)

    async def sample() -> None:
        while time.monotonic() < deadline:
            await asyncio.sleep(5)
            memory.append(rss_kib(pid))

    started = time.monotonic()
    await asyncio.gather(sample(), *(client(n) for n in range(clients)))
    elapsed = time.monotonic() - started
    print(
        f"{clients} clients × {seconds:.0f} s: {len(latencies)} requests, {len(latencies) / elapsed:.0f}/s, "
        f"errors {sum(errors.values())} {errors or ''}, client p50 {statistics.median(latencies):.0f} ms, "
        f"p95 {percentile(latencies, 0.95):.0f} ms"
    )
    print(f"server RSS MiB every 5 s: {' '.join(f'{m / 1024:.0f}' for m in memory)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    from readlist import config

    member = config.user()
    with tempfile.TemporaryDirectory() as tmp:
        db = build(Path(tmp) / "web.db", args.items)
        print(f"library: {args.items} items (benchmarks/synth.py), member {member}")
        server_times(db, member, args.runs)
        proc = subprocess.Popen(
            [READLIST, "serve", "--db", str(db), "--port", "0", "--rate", "0"],
            stdout=subprocess.PIPE,
            text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        try:
            assert proc.stdout is not None
            found = re.search(r"http://\S+/", proc.stdout.readline())
            if not found:
                sys.exit("readlist serve did not print its URL")
            asyncio.run(load(found.group(0).rstrip("/"), member, args.clients, args.seconds, proc.pid))
        finally:
            proc.terminate()
            proc.wait(timeout=10)


if __name__ == "__main__":
    main()
