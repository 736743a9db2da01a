"""Search speed on synthetic libraries of 10,000 and 100,000 items: index size against the text it covers,
in-process p50/p95 over a query mix, and `readlist search` wall time against the import floor.

Targets (issue 11): p95 ≤ 20 ms at 100k, CLI wall ≤ 1.3× the floor at 10k, index ≤ 1.5× the text."""

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
    from readlist.search.engine import search
    from readlist.store import db

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
    """The FTS tables and the side table of indexed values (search_index_doc) together."""
    import sqlite3

    conn = sqlite3.connect(path)
    try:
        rows = conn.execute("SELECT sum(pgsize) FROM dbstat WHERE name LIKE 'search_index%'").fetchone()
        return int(rows[0] or 0)
    except sqlite3.OperationalError:  # dbstat not compiled in
        return 0


def text_bytes(path: Path) -> int:
    """UTF-8 size of the text the index covers: titles, authors, tags, abstracts, notes, article text, venues."""
    import sqlite3

    conn = sqlite3.connect(path)
    parts = (
        "SELECT sum(length(CAST(coalesce(title, '') || coalesce(short_name, '') || coalesce(abstract, '') "
        "|| coalesce(venue, '') || coalesce(affiliation, '') || coalesce(comment, '') AS BLOB))) FROM item",
        "SELECT sum(length(CAST(j.value ->> 'name' AS BLOB))) FROM item, json_each(item.authors) j",
        "SELECT sum(length(CAST(t.name AS BLOB))) FROM itemtag it JOIN tag t ON t.id = it.tag_id",
        "SELECT sum(length(CAST(body AS BLOB))) FROM note",
        "SELECT sum(length(CAST(text AS BLOB))) FROM itemtext",
    )
    return sum(int(conn.execute(sql).fetchone()[0] or 0) for sql in parts)


def main() -> None:
    floor = median_wall(FLOOR)
    print(f"floor ({' '.join(FLOOR[2:])}): {floor:.3f} s")
    for n in [int(a) for a in sys.argv[1:]] or [10_000, 100_000]:
        with tempfile.TemporaryDirectory() as tmp:
            path = build(Path(tmp) / "s.db", n)
            p50, p95 = in_process(path)
            wall = median_wall([READLIST, "search", "kv cache"], env={"READLIST_DB": str(path), "NO_COLOR": "1"})
            size, text = index_bytes(path) / 1e6, text_bytes(path) / 1e6
            print(
                f"{n:>7} items: index {size:.1f} MB = {size / text:.2f}× the {text:.1f} MB of text "
                f"(db {os.path.getsize(path) / 1e6:.1f} MB), "
                f"in-process p50 {p50:.1f} ms p95 {p95:.1f} ms, "
                f"CLI 'search \"kv cache\"' {wall:.3f} s = {wall / floor:.2f}× floor"
            )


if __name__ == "__main__":
    main()
