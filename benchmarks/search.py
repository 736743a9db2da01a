"""Search speed on synthetic libraries: in-process p50/p95/max per query class (English, Chinese, mixed, filters,
typos) on SQLite and PostgreSQL, the slowest queries, the index size against its text, and `readlist search`
wall time against the floor.

Targets (issue 24): at 100k items p95 ≤ 20 ms on SQLite and ≤ 100 ms on PostgreSQL over the whole mix.

    .venv/bin/python benchmarks/search.py                                # 10k and 100k, SQLite only
    .venv/bin/python benchmarks/search.py --sizes 100000 --pg postgresql://postgres@127.0.0.1/postgres
    .venv/bin/python benchmarks/search.py --db lib.db --pg-db postgresql://…/copy_of_lib   # libraries already built
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))
from synth import build  # noqa: E402
from timing import FLOOR, READLIST, median_wall  # noqa: E402

# (query, class). The first twenty are the mix of the earlier runs (issue 11); the rest fill the thin classes.
QUERIES = [
    ("kv cache", "english"),
    ("量化", "chinese"),
    ("speculative decoding", "english"),
    ("投机解码", "chinese"),
    ("attention kernel", "english"),
    ("稀疏", "chinese"),
    ("moe", "english"),
    ("RL", "english"),
    ("triton compiler", "english"),
    ("推理 加速", "chinese"),
    ("tag:cuda", "filters"),
    ("title:scheduler", "filters"),
    ("pipeline parallel", "english"),
    ("显存 offloading", "mixed"),
    ("flash atention", "typos"),
    ("distillation", "english"),
    ("low-rank adapter", "english"),
    ("长上下文", "chinese"),
    ("gpu", "english"),
    ("throughput latency", "english"),
    ("moe 推理", "mixed"),
    ("kv cache 量化", "mixed"),
    ("attention tag:量化", "filters"),
    ("status:reading gpu", "filters"),
    ("kind:paper 稀疏 year:2025", "filters"),
    ("speculativ decodng", "typos"),
    ("quantizaton", "typos"),
    ("schedulr throughput", "typos"),
]


def _pct(times: list[float], p: float) -> float:
    ordered = sorted(times)
    return ordered[max(0, min(len(ordered) - 1, round(len(ordered) * p) - 1))]


def _server_cpu(conn: Any) -> Any:
    """A function giving the CPU seconds used so far by the PostgreSQL process serving `conn` (a server on this
    machine), or 0 for SQLite: under load, CPU time is the steadier measure, and PostgreSQL's is in its server."""
    from readlist.store.backends import backend_of

    def on_postgres() -> Any:
        pid = conn.execute("SELECT pg_backend_pid()").fetchone()[0]
        tick = os.sysconf("SC_CLK_TCK")

        def used() -> float:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            return (int(fields[11]) + int(fields[12])) / tick

        return used

    return backend_of(conn).pick(sqlite=lambda: lambda: 0.0, postgresql=on_postgres)


def in_process(conn: Any, rounds: int) -> dict[str, Any]:
    """Per-query wall and CPU times (ms) over `rounds` rounds after one warm-up round."""
    from readlist.search.engine import search

    for q, _ in QUERIES:
        search(conn, q, limit=20)
    server = _server_cpu(conn)
    times: dict[str, list[float]] = defaultdict(list)
    cpus: dict[str, list[float]] = defaultdict(list)
    for _ in range(rounds):
        for q, _ in QUERIES:
            cpu, served, start = time.process_time(), server(), time.perf_counter()
            search(conn, q, limit=20)
            times[q].append((time.perf_counter() - start) * 1000)
            cpus[q].append((time.process_time() - cpu + server() - served) * 1000)
    return {"times": times, "cpus": cpus}


def report(name: str, result: dict[str, Any]) -> None:
    """Wall and CPU (client + PostgreSQL server process; the server's counts in clock ticks of 10 ms) per class."""
    times: dict[str, list[float]] = result["times"]
    cpus: dict[str, list[float]] = result["cpus"]
    classes = list(dict.fromkeys(cls for _, cls in QUERIES)) + ["all"]
    wall: dict[str, list[float]] = {c: [] for c in classes}
    cpu: dict[str, list[float]] = {c: [] for c in classes}
    for q, cls in QUERIES:
        for c in (cls, "all"):
            wall[c] += times[q]
            cpu[c] += cpus[q]
    print(f"  {name}:")
    print(f"    {'class':9} {'n':>4} {'p50 ms':>7} {'p95 ms':>7} {'max ms':>7} | CPU {'p50':>6} {'p95':>6} {'max':>6}")
    for c in classes:
        w, u = wall[c], cpu[c]
        print(
            f"    {c:9} {len(w):4} {statistics.median(w):7.1f} {_pct(w, 0.95):7.1f} {max(w):7.1f} | "
            f"    {statistics.median(u):6.1f} {_pct(u, 0.95):6.1f} {max(u):6.1f}"
        )
    slow = sorted(times, key=lambda q: -statistics.median(times[q]))[:6]
    print(
        "    slowest (median wall / CPU ms): "
        + ", ".join(f"{q!r} {statistics.median(times[q]):.1f}/{statistics.median(cpus[q]):.1f}" for q in slow)
    )


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


@contextmanager
def postgres_copy(path: Path, server: str, size: int) -> Iterator[str]:
    """A new database on `server` holding the SQLite library (db copy), dropped afterwards."""
    import psycopg

    from readlist.location import location
    from readlist.services.transfer import copy

    name = f"readlist_search_{size}_{os.getpid()}"
    with psycopg.connect(server, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')
    url = server.rsplit("/", 1)[0] + "/" + name
    try:
        copy(path, location(url))
        yield url
    finally:
        with psycopg.connect(server, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def measure(label: str, path: Path, pg_url: str | None, args: argparse.Namespace, floor: float) -> None:
    from readlist.location import location
    from readlist.store import db

    size, text = index_bytes(path) / 1e6, text_bytes(path) / 1e6
    print(f"{label}: index {size:.1f} MB = {size / max(text, 1e-9):.2f}× the {text:.1f} MB of text")
    targets = {"sqlite": str(path)} if "sqlite" in args.backends else {}
    if pg_url and "postgresql" in args.backends:
        targets["postgresql"] = pg_url
    for backend, where in targets.items():
        conn = db.connect(location(where) if backend == "postgresql" else path)
        report(backend, in_process(conn, args.rounds))
        conn.close()
        if args.cli:
            env = {"READLIST_DB": where, "NO_COLOR": "1"}
            wall = median_wall([READLIST, "search", "kv cache"], env=env)
            print(f"    CLI 'search \"kv cache\"' {wall:.3f} s = {wall / floor:.2f}× floor")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000], help="library sizes to build")
    parser.add_argument("--backends", nargs="+", default=["sqlite", "postgresql"], choices=["sqlite", "postgresql"])
    parser.add_argument("--pg", help="a PostgreSQL server URL (maintenance database) to copy each library into")
    parser.add_argument("--db", type=Path, help="measure this SQLite library instead of building one")
    parser.add_argument("--pg-db", help="with --db: the same library already copied into PostgreSQL")
    parser.add_argument("--rounds", type=int, default=5, help="timed rounds of the query mix (after one warm-up)")
    parser.add_argument("--cli", action="store_true", help='also time `readlist search "kv cache"` against the floor')
    args = parser.parse_args()
    floor = median_wall(FLOOR) if args.cli else 0.0
    cpu = os.getloadavg()
    print(f"load average {cpu[0]:.1f} {cpu[1]:.1f} {cpu[2]:.1f}; {len(QUERIES)} queries × {args.rounds} rounds")
    if args.cli:
        print(f"floor ({' '.join(FLOOR[2:])}): {floor:.3f} s")
    if args.db:
        measure(str(args.db), args.db, args.pg_db, args, floor)
        return
    for n in args.sizes:
        with tempfile.TemporaryDirectory() as tmp:
            path = build(Path(tmp) / "s.db", n)
            if args.pg and "postgresql" in args.backends:
                with postgres_copy(path, args.pg, n) as url:
                    measure(f"{n} items", path, url, args, floor)
            else:
                measure(f"{n} items", path, None, args, floor)


if __name__ == "__main__":
    main()
