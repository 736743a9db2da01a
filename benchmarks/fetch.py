"""`readlist fetch` of 300 pending papers against a local arXiv-format server with the real 3 s spacing.

Compared with the one-request-per-paper way (`fetch ID` per paper), measured on a sample and extrapolated,
because 300 requests at 3 s each would take 15 minutes.
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
from tests.arxiv_server import ArxivServer  # noqa: E402

N, SAMPLE = 300, 5


def run(args: list[str], env: dict[str, str]) -> None:
    subprocess.run([READLIST, *args], env={**os.environ, **env}, check=True, stdout=subprocess.DEVNULL)


def main() -> None:
    server = ArxivServer()
    ids = [f"2501.{i:05d}" for i in range(1, N + 1)]
    for aid in ids:
        server.add(aid, title=f"Benchmark paper {aid}")
    server.start()
    with tempfile.TemporaryDirectory() as tmp:
        env = {"READLIST_DB": str(Path(tmp) / "b.db"), "READLIST_ARXIV_URL": server.url, "READLIST_ARXIV_INTERVAL": "3"}
        run(["add", "--no-fetch", *ids], env)
        start = time.perf_counter()
        run(["fetch"], env)
        batched = time.perf_counter() - start
        batched_requests = len(server.requests)
        server.requests.clear()
        start = time.perf_counter()
        for aid in ids[:SAMPLE]:
            run(["fetch", aid], env)
        per_paper = (time.perf_counter() - start) / SAMPLE
    server.stop()
    print(f"batched:   {N} papers, {batched_requests} requests, {batched:.1f} s wall")
    print(
        f"per paper: {len(server.requests)} requests for {SAMPLE} papers, {per_paper:.2f} s each "
        f"→ {N} requests, ~{per_paper * N:.0f} s for {N}"
    )


if __name__ == "__main__":
    main()
