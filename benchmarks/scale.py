"""Every row of issue 24's table at 10k and 100k items, on SQLite and PostgreSQL, against the floor of the same run.

Each command runs in turn with the floor (`python -c "import typer, rich.console, rich.table, sqlite3"`), pair by
pair, so a drift in the machine's speed moves both: wall is the median of the runs, × floor the median of the
pairs' ratios. Peak memory is the largest resident size of the command's process tree, summed over its
processes, and beside it the largest single process (both sampled from /proc every 10 ms).
The import row times one 50 MB markdown file made from the shipped notes, each copy with its own IDs.

    python benchmarks/scale.py                                  # 10k and 100k, SQLite and PostgreSQL
    python benchmarks/scale.py --sizes 10000 --backends sqlite  # quick
    python benchmarks/scale.py --rows export-jsonl digest --runs 3 --pg postgresql://postgres@127.0.0.1/test

PostgreSQL gets the SQLite library copied in (`readlist db copy`'s code) into a fresh database made for the run
and dropped after it.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from benchmarks.import_speed import synthetic_corpus  # noqa: E402
from benchmarks.synth import build  # noqa: E402
from benchmarks.timing import FLOOR, READLIST  # noqa: E402

# (name, label, arguments): the rows, every export format included.
ROWS = (
    ("search-1000", '`search "kv cache" -n 1000`', ["search", "kv cache", "-n", "1000"]),
    ("export-jsonl", "`export --format jsonl`", ["export", "--format", "jsonl"]),
    ("export-json", "`export --format json`", ["export", "--format", "json"]),
    ("export-bibtex", "`export --format bibtex`", ["export", "--format", "bibtex"]),
    ("export-csv", "`export --format csv`", ["export", "--format", "csv"]),
    ("digest", "`digest --since 365d`", ["digest", "--since", "365d"]),
    ("list-all", "`list` (all, piped)", ["list"]),
    ("list-100", "`list --limit 100`", ["list", "--limit", "100"]),
    ("search-zh", "`search 量化`", ["search", "量化"]),
    ("search-kv", '`search "kv cache"`', ["search", "kv cache"]),
    ("todo", "`todo`", ["todo"]),
    ("stats", "`stats`", ["stats"]),
    ("show", "`show 5`", ["show", "5"]),
)


@dataclass
class Run:
    wall: float
    peak_tree_mb: float  # summed over the process tree, sampled
    peak_one_mb: float  # the largest single process, sampled
    code: int = 0  # the exit status: a failed command's time says nothing


def _rss_kib(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/statm", encoding="ascii") as f:
            return int(f.read().split()[1]) * (os.sysconf("SC_PAGE_SIZE") // 1024)
    except (OSError, ValueError, IndexError):
        return 0


def _children(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children", encoding="ascii") as f:
            return [int(p) for p in f.read().split()]
    except OSError:
        return []


def _tree_rss_kib(root: int) -> tuple[int, int]:
    """(summed over the process tree, the largest single process) resident size now, in KiB."""
    total, largest, todo = 0, 0, [root]
    while todo:
        pid = todo.pop()
        rss = _rss_kib(pid)
        total, largest = total + rss, max(largest, rss)
        todo += _children(pid)
    return total, largest


def run_once(cmd: list[str], env: dict[str, str]) -> Run:
    """One run: wall time, output read through a pipe and thrown away, memory of the whole process tree."""
    start = time.perf_counter()
    child = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env={**os.environ, **env})
    peak, largest = 0, 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak, largest
        while not done.is_set():
            tree, one = _tree_rss_kib(child.pid)
            peak, largest = max(peak, tree), max(largest, one)
            done.wait(0.01)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    assert child.stdout is not None
    while child.stdout.read(1 << 16):
        pass
    # Sampled, not the kernel's ru_maxrss: a forked child's counts the memory of the benchmark that forked it.
    os.waitid(os.P_PID, child.pid, os.WEXITED | os.WNOWAIT)  # exited, not reaped: its /proc entry stays
    wall = time.perf_counter() - start
    done.set()
    sampler.join()
    code = child.wait()
    return Run(wall, peak / 1024, largest / 1024, code)


@dataclass
class Row:
    label: str
    wall: float
    ratio: float
    tree_mb: float
    one_mb: float
    note: str = ""


def paired(cmd: list[str], env: dict[str, str], runs: int, slow: float = 30.0) -> tuple[Row, float]:
    """`cmd` and the floor in turn, `runs` times after one warm-up each: (the row, the floor's median wall).
    A command whose warm-up takes longer than `slow` seconds is timed by that one run (marked `1 run`)."""
    floor = run_once(FLOOR, {}).wall
    warm = run_once(cmd, env)
    if warm.code:
        return Row(
            "", warm.wall, warm.wall / floor, warm.peak_tree_mb, warm.peak_one_mb, f"FAILED, exit {warm.code}"
        ), floor
    if warm.wall > slow:
        return Row("", warm.wall, warm.wall / floor, warm.peak_tree_mb, warm.peak_one_mb, "1 run"), floor
    floors, walls, ratios, trees, ones = [], [], [], [], []
    for _ in range(runs):
        floor = run_once(FLOOR, {}).wall
        one = run_once(cmd, env)
        floors.append(floor)
        walls.append(one.wall)
        ratios.append(one.wall / floor)
        trees.append(one.peak_tree_mb)
        ones.append(one.peak_one_mb)
    row = Row("", statistics.median(walls), statistics.median(ratios), max(trees), max(ones))
    return row, statistics.median(floors)


def import_row(tmp: Path, megabytes: float, runs: int) -> tuple[Row, float, float]:
    """One markdown file of about `megabytes` MB imported into a new library: (row, MB, MB/s)."""
    folder = tmp / "corpus"
    folder.mkdir(exist_ok=True)
    synthetic_corpus(folder, megabytes)
    one = tmp / "one.md"
    with one.open("w", encoding="utf-8") as out:
        for part in sorted(folder.iterdir()):
            out.write(part.read_text(encoding="utf-8") + "\n\n")
            part.unlink()
    size = one.stat().st_size / 1e6
    floors, walls, trees, ones = [], [], [], []
    for n in range(runs):
        floors.append(run_once(FLOOR, {}).wall)
        result = run_once([READLIST, "import", str(one)], {"READLIST_DB": str(tmp / f"import{n}.db")})
        walls.append(result.wall)
        trees.append(result.peak_tree_mb)
        ones.append(result.peak_one_mb)
        (tmp / f"import{n}.db").unlink(missing_ok=True)
    wall = statistics.median(walls)
    row = Row(f"`import` one {size:.0f} MB file", wall, wall / statistics.median(floors), max(trees), max(ones))
    return row, size, size / wall


def _postgres(sqlite_path: Path, server: str, size: int) -> tuple[str, str]:
    """A new database on the server holding the SQLite library: (its URL, the maintenance URL to drop it)."""
    import psycopg

    from readlist.location import location
    from readlist.services.transfer import copy

    name = f"readlist_scale_{size}_{os.getpid()}"
    with psycopg.connect(server, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')
    url = server.rsplit("/", 1)[0] + "/" + name
    copy(sqlite_path, location(url))
    return url, name


def _drop(server: str, name: str) -> None:
    import psycopg

    with psycopg.connect(server, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def table(title: str, floor: float, rows: list[Row]) -> str:
    lines = [
        f"### {title}",
        "",
        f"Floor (median wall of the same run): {floor:.3f} s.",
        "",
        "| command | wall (median) | × floor | peak memory, process tree | largest process |",
        "|---|---|---|---|---|",
    ]
    for r in rows:
        wall = f"{r.wall:.2f} s" + (f" ({r.note})" if r.note else "")
        lines.append(f"| {r.label} | {wall} | {r.ratio:.1f}× | {r.tree_mb:.0f} MB | {r.one_mb:.0f} MB |")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--backends", nargs="+", choices=["sqlite", "postgresql"], default=["sqlite", "postgresql"])
    parser.add_argument("--rows", nargs="+", choices=[r[0] for r in ROWS], default=[r[0] for r in ROWS])
    parser.add_argument("--runs", type=int, default=5, help="paired runs per row (median)")
    parser.add_argument("--slow", type=float, default=30, help="a command slower than this (s) is timed once")
    parser.add_argument("--import-mb", type=float, default=50, help="size of the imported file; 0: no import row")
    parser.add_argument("--import-runs", type=int, default=1, help="imports of that file (median)")
    parser.add_argument("--pg", default="postgresql://postgres@127.0.0.1:5432/test", help="a server to make DBs on")
    parser.add_argument("--out", type=Path, help="also write the tables (markdown) to this file")
    args = parser.parse_args()
    chosen = [r for r in ROWS if r[0] in args.rows]
    report = [
        f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {platform.node()} "
        f"({os.cpu_count()} cores, Python {platform.python_version()}, load {os.getloadavg()[0]:.1f}); "
        f"{args.runs} paired runs a row.",
        "",
    ]
    print(report[0], flush=True)
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        env_base = {"NO_COLOR": "1", "READLIST_CONFIG_DIR": str(tmp / "config")}
        for size in args.sizes:
            start = time.perf_counter()
            path = build(tmp / f"s{size}.db", size)
            print(f"built {size:,} items in {time.perf_counter() - start:.0f} s", flush=True)
            for backend in args.backends:
                dropping = None
                db = str(path)
                if backend == "postgresql":
                    db, dropping = _postgres(path, args.pg, size)
                try:
                    rows, floors = [], []
                    for _name, label, cmd in chosen:
                        row, floor = paired([READLIST, *cmd], {**env_base, "READLIST_DB": db}, args.runs, args.slow)
                        row.label = label
                        rows.append(row)
                        floors.append(floor)
                        print(
                            f"  {backend} {size:,} {label}: {row.wall:.2f} s, {row.ratio:.1f}×, {row.tree_mb:.0f} MB",
                            flush=True,
                        )
                finally:
                    if dropping:
                        _drop(args.pg, dropping)
                report.append(table(f"{size:,} items, {backend}", statistics.median(floors), rows))
            path.unlink()
        if args.import_mb:
            row, size_mb, rate = import_row(tmp, args.import_mb, args.import_runs)
            report.append(table("Import", row.wall / row.ratio, [row]))
            report.append(f"Import rate: {size_mb:.1f} MB in {row.wall:.1f} s = {rate:.2f} MB/s.\n")
    text = "\n".join(report)
    print(text)
    if args.out:
        args.out.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
