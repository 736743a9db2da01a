"""`readlist feed pull` against a local server: 20 feeds × 200 entries (target ≤ 5 s), then big arXiv listings
of 10k and 100k entries — wall, cost per entry and peak RSS next to a floor measured in the same run (a pull of
a one-entry feed: start-up, imports, one request) — and a 50 MB listing refused by the default 10 MB cap.

    python benchmarks/feeds.py            # everything (the 100k listing takes about a minute)
    python benchmarks/feeds.py --quick    # 20 × 200 and 10k only
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from benchmarks.timing import READLIST  # noqa: E402
from tests.feed_server import FeedServer, arxiv_rss, blog_rss  # noqa: E402


def listing(entries: int) -> str:
    """An arXiv cs listing as rss.arxiv.org serves it; every entry matches (same authors, as in one group's feed)."""
    return arxiv_rss(
        [
            (f"{26 + n // 90000:02d}{(n // 90000) % 12 + 1:02d}.{n % 90000 + 10000:05d}v1", "new", f"KV cache {n}", "x")
            for n in range(entries)
        ]
    )


def measure(args: list[str], env: dict[str, str]) -> tuple[float, float, int]:
    """(wall s, peak RSS MB, exit code) of one readlist process. The peak is the process's own VmHWM, read
    until it exits (wait4's ru_maxrss would count this big parent's pages the child had before exec)."""
    start = time.perf_counter()
    proc = subprocess.Popen([READLIST, *args], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    peak = 0.0
    status = Path(f"/proc/{proc.pid}/status")
    while proc.poll() is None:
        try:
            line = next(x for x in status.read_text().splitlines() if x.startswith("VmHWM:"))
            peak = max(peak, int(line.split()[1]) / 1024)
        except (OSError, StopIteration):
            pass
        time.sleep(0.02)
    return time.perf_counter() - start, peak, proc.returncode


def environment(tmp: str, **extra: str) -> dict[str, str]:
    return {**os.environ, "READLIST_DB": str(Path(tmp) / "f.db"), "READLIST_STATE_DIR": tmp, **extra}


def many_small(server: FeedServer) -> None:
    for f in range(20):
        if f % 2:
            server.routes[f"/f{f}"] = arxiv_rss(
                [(f"26{f:02d}.{e:05d}v1", "new", f"KV cache paper {f}-{e}", "quantization") for e in range(200)]
            )
        else:
            server.routes[f"/f{f}"] = blog_rss(
                [(f"Post {f}-{e} on kernels", f"https://blog{f}.example/{e}", "cuda") for e in range(200)]
            )
    with tempfile.TemporaryDirectory() as tmp:
        env = environment(tmp)
        for f in range(20):
            subprocess.run(
                [READLIST, "feed", "add", f"{server.base}/f{f}", "--name", f"f{f}"],
                env=env,
                check=True,
                stdout=subprocess.DEVNULL,
            )
        first = measure(["feed", "pull"], env)[0]
        second = measure(["feed", "pull"], env)[0]
    print(f"20 feeds × 200 entries: first pull {first:.2f} s (4,000 new items), second pull {second:.2f} s (304s)")


def big(server: FeedServer, sizes: list[int]) -> None:
    server.routes["/one"] = listing(1)
    for n in sizes:
        server.routes[f"/n{n}"] = listing(n)
    print(f"\n{'arXiv listing':24} {'MB':>6} {'wall s':>8} {'peak RSS MB':>12} {'ms/entry':>9} {'KB/entry':>9}")
    with tempfile.TemporaryDirectory() as tmp:
        env = environment(tmp)
        subprocess.run([READLIST, "feed", "add", f"{server.base}/one"], env=env, check=True, stdout=subprocess.DEVNULL)
        floor_wall, floor_rss, _ = measure(["feed", "pull"], env)
    print(f"{'floor: 1 entry':24} {0:6.1f} {floor_wall:8.2f} {floor_rss:12.0f}")
    for n in sizes:
        mb = len(server.routes[f"/n{n}"].encode()) / 1e6
        with tempfile.TemporaryDirectory() as tmp:
            env = environment(tmp, READLIST_FEED_MAX_MB=str(max(10, int(mb) + 1)), READLIST_FEED_TIMEOUT="120")
            subprocess.run(
                [READLIST, "feed", "add", f"{server.base}/n{n}", "--no-check"],
                env=env,
                check=True,
                stdout=subprocess.DEVNULL,
            )
            wall, rss, code = measure(["feed", "pull"], env)
        per_ms = (wall - floor_wall) / n * 1000
        per_kb = (rss - floor_rss) * 1024 / n
        note = "" if mb <= 10 else " (cap raised to read it)"
        print(
            f"{f'{n:,} entries (exit {code})':24} {mb:6.1f} {wall:8.2f} {rss:12.0f} {per_ms:9.3f} {per_kb:9.2f}{note}"
        )


def over_the_cap(server: FeedServer) -> None:
    server.routes["/fifty"] = listing(120_000)
    server.httpd.handle_error = lambda *_: None  # type: ignore[method-assign]  # readlist hangs up at the cap
    mb = len(server.routes["/fifty"].encode()) / 1e6
    with tempfile.TemporaryDirectory() as tmp:
        env = environment(tmp)
        subprocess.run(
            [READLIST, "feed", "add", f"{server.base}/fifty", "--no-check"],
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        wall, rss, code = measure(["feed", "pull"], env)
    print(f"\n{mb:.0f} MB listing at the default 10 MB cap: refused in {wall:.2f} s, peak {rss:.0f} MB, exit {code}")


def main() -> None:
    quick = "--quick" in sys.argv
    server = FeedServer()
    server.start()
    try:
        many_small(server)
        big(server, [10_000] if quick else [10_000, 100_000])
        if not quick:
            over_the_cap(server)
    finally:
        server.stop()


if __name__ == "__main__":
    main()
