"""`readlist feed pull` of 20 feeds × 200 entries from a local server (target ≤ 5 s; no arXiv API calls)."""

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


def main() -> None:
    server = FeedServer()
    for f in range(20):
        if f % 2:
            server.routes[f"/f{f}"] = arxiv_rss(
                [(f"26{f:02d}.{e:05d}v1", "new", f"KV cache paper {f}-{e}", "quantization") for e in range(200)]
            )
        else:
            server.routes[f"/f{f}"] = blog_rss(
                [(f"Post {f}-{e} on kernels", f"https://blog{f}.example/{e}", "cuda") for e in range(200)]
            )
    server.start()
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "READLIST_DB": str(Path(tmp) / "f.db")}
        for f in range(20):
            subprocess.run(
                [READLIST, "feed", "add", f"{server.base}/f{f}", "--name", f"f{f}"],
                env=env,
                check=True,
                stdout=subprocess.DEVNULL,
            )
        start = time.perf_counter()
        subprocess.run([READLIST, "feed", "pull"], env=env, check=True, stdout=subprocess.DEVNULL)
        first = time.perf_counter() - start
        start = time.perf_counter()
        subprocess.run([READLIST, "feed", "pull"], env=env, check=True, stdout=subprocess.DEVNULL)
        second = time.perf_counter() - start
    server.stop()
    print(f"20 feeds × 200 entries: first pull {first:.2f} s (4,000 new items), second pull {second:.2f} s (304s)")


if __name__ == "__main__":
    main()
