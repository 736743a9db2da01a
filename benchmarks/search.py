"""Search speed on synthetic libraries of 10,000 and 100,000 items: index size, in-process p50/p95 over a
query mix, and `readlist search` wall time against the import floor."""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from synth import build  # noqa: E402
from timing import FLOOR, READLIST, median_wall  # noqa: E402

QUERIES = [
    "kv cache",
    "量化",
    "speculative decoding",
    "投机解码",
    "attention kernel",
    "稀疏",
    "moe",
    "RL",
    "triton compiler",
    "推理 加速",
    "tag:cuda",
    "title:scheduler",
    "pipeline parallel",
    "显存 offloading",
    "flash atention",
    "distillation",
    "low-rank adapter",
    "长上下文",
    "gpu",
    "throughput latency",
]


def in_process(path: Path, rounds: int = 5) -> tuple[float, float]:
    from readlist import db
    from readlist.search.engine import search

    conn = db.connect(path)
    times = []
    for _ in range(rounds):
        for q in QUERIES:
            start = time.perf_counter()
            search(conn, q, limit=20)
            times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.95) - 1]


def index_bytes(path: Path) -> int:
    import sqlite3

    conn = sqlite3.connect(path)
    try:
        rows = conn.execute("SELECT sum(pgsize) FROM dbstat WHERE name LIKE 'search_index%'").fetchone()
        return int(rows[0] or 0)
    except sqlite3.OperationalError:  # dbstat not compiled in
        return 0


def main() -> None:
    floor = median_wall(FLOOR)
    print(f"floor ({' '.join(FLOOR[2:])}): {floor:.3f} s")
    for n in (10_000, 100_000):
        with tempfile.TemporaryDirectory() as tmp:
            path = build(Path(tmp) / "s.db", n)
            p50, p95 = in_process(path)
            wall = median_wall([READLIST, "search", "kv cache"], env={"READLIST_DB": str(path), "NO_COLOR": "1"})
            size = index_bytes(path) / 1e6
            print(
                f"{n:>7} items: index {size:.1f} MB (db {os.path.getsize(path) / 1e6:.1f} MB), "
                f"in-process p50 {p50:.1f} ms p95 {p95:.1f} ms, "
                f"CLI 'search \"kv cache\"' {wall:.3f} s = {wall / floor:.2f}× floor"
            )


if __name__ == "__main__":
    main()
