"""Every row of issue 24's table at 10k and 100k items, on SQLite and PostgreSQL, against the floor of the same run.

Each command runs in turn with the floor (`python -c "import typer, rich.console, rich.table, sqlite3"`), pair by
pair, so a drift in the machine's speed moves both: wall is the median of the runs, × floor the median of the
pairs' ratios. Peak memory is the largest resident size of the command's process tree, summed over its
processes, and beside it the largest single process (both sampled from /proc every 10 ms).
The import row times one 50 MB markdown file made from the shipped notes, each copy with its own IDs.
CPU is user + system time of the command's process and the children it waited for.

Both the floor and readlist run from cached bytecode, as an installed readlist does (pip compiles it on
install): every run points PYTHONPYCACHEPREFIX at one folder of the run, and the warm-ups write it. Without it, a
checkout run with PYTHONDONTWRITEBYTECODE set and no __pycache__ beside its sources compiles every readlist module
it loads on every run (~50 ms for a read at 10k items, more than the rest of its work), which the floor, all of it
compiled in site-packages, never pays. `--compile-each-run` measures with whatever bytecode the checkout has.

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

# The environment of every timed process, floor included (see the docstring: cached bytecode).
BYTECODE: dict[str, str] = {}

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
    cpu: float  # user + system seconds of the process and the children it waited for
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
    child = subprocess.Popen(
        cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env={**os.environ, **BYTECODE, **env}
    )
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
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    return Run(wall, usage.ru_utime + usage.ru_stime, peak / 1024, largest / 1024, child.returncode)


@dataclass
class Row:
    label: str
    wall: float
    ratio: float
    tree_mb: float
    one_mb: float
    note: str = ""
    cpu: float = 0.0
    cpu_ratio: float = 0.0


def paired(cmd: list[str], env: dict[str, str], runs: int, slow: float = 30.0) -> tuple[Row, Run]:
    """`cmd` and the floor in turn, `runs` times after one warm-up each: (the row, the floor's median wall and
    CPU). A command whose warm-up takes longer than `slow` seconds is timed by that one run (marked `1 run`)."""
    floor = run_once(FLOOR, {})
    warm = run_once(cmd, env)
    note = f"FAILED, exit {warm.code}" if warm.code else "1 run" if warm.wall > slow else ""
    if note:
        row = Row("", warm.wall, warm.wall / floor.wall, warm.peak_tree_mb, warm.peak_one_mb, note)
        row.cpu, row.cpu_ratio = warm.cpu, warm.cpu / max(floor.cpu, 1e-6)
        return row, floor
    floors, mine = [], []
    for _ in range(runs):
        floors.append(run_once(FLOOR, {}))
        mine.append(run_once(cmd, env))
    row = Row(
        "",
        statistics.median(r.wall for r in mine),
        statistics.median(r.wall / f.wall for r, f in zip(mine, floors, strict=True)),
        max(r.peak_tree_mb for r in mine),
        max(r.peak_one_mb for r in mine),
        cpu=statistics.median(r.cpu for r in mine),
        cpu_ratio=statistics.median(r.cpu / max(f.cpu, 1e-6) for r, f in zip(mine, floors, strict=True)),
    )
    floor_wall, floor_cpu = statistics.median(f.wall for f in floors), statistics.median(f.cpu for f in floors)
    return row, Run(floor_wall, floor_cpu, 0, 0)


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
    floors, walls, cpus, trees, ones = [], [], [], [], []
    for n in range(runs):
        floors.append(run_once(FLOOR, {}))
        result = run_once([READLIST, "import", str(one)], {"READLIST_DB": str(tmp / f"import{n}.db")})
        walls.append(result.wall)
        cpus.append(result.cpu)
        trees.append(result.peak_tree_mb)
        ones.append(result.peak_one_mb)
        (tmp / f"import{n}.db").unlink(missing_ok=True)
    wall, cpu = statistics.median(walls), statistics.median(cpus)
    floor_wall, floor_cpu = statistics.median(f.wall for f in floors), statistics.median(f.cpu for f in floors)
    row = Row(f"`import` one {size:.0f} MB file", wall, wall / floor_wall, max(trees), max(ones))
    row.cpu, row.cpu_ratio = cpu, cpu / max(floor_cpu, 1e-6)
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


def table(title: str, floor: float, rows: list[Row], floor_cpu: float = 0.0) -> str:
    lines = [
        f"### {title}",
        "",
        f"Floor (medians of the same run): {floor:.3f} s wall, {floor_cpu:.3f} s CPU.",
        "",
        "| command | wall (median) | × floor | CPU (median) | CPU × floor | peak memory, process tree | largest process |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        wall = f"{r.wall:.2f} s" + (f" ({r.note})" if r.note else "")
        ratio = f"{r.ratio:.2f}×" if r.ratio < 3 else f"{r.ratio:.1f}×"
        cpu_ratio = f"{r.cpu_ratio:.2f}×" if r.cpu_ratio < 3 else f"{r.cpu_ratio:.1f}×"
        lines.append(
            f"| {r.label} | {wall} | {ratio} | {r.cpu:.2f} s | {cpu_ratio} | {r.tree_mb:.0f} MB | {r.one_mb:.0f} MB |"
        )
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
    parser.add_argument(
        "--compile-each-run",
        action="store_true",
        help="no bytecode cache of the run's own: each process uses the __pycache__ beside the sources if there is "
        "one (a checkout with none, run with PYTHONDONTWRITEBYTECODE set, compiles readlist on every run)",
    )
    args = parser.parse_args()
    chosen = [r for r in ROWS if r[0] in args.rows]
    bytecode = "compiled on every run" if args.compile_each_run else "bytecode cached, floor and readlist alike"
    report = [
        f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {platform.node()} "
        f"({os.cpu_count()} cores, Python {platform.python_version()}, load {os.getloadavg()[0]:.1f}); "
        f"{args.runs} paired runs a row; {bytecode}.",
        "",
    ]
    print(report[0], flush=True)
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        if not args.compile_each_run:
            BYTECODE.update(PYTHONPYCACHEPREFIX=str(tmp / "bytecode"), PYTHONDONTWRITEBYTECODE="")
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
                            f"  {backend} {size:,} {label}: {row.wall:.2f} s, {row.ratio:.2f}×, "
                            f"CPU {row.cpu:.3f} s, {row.cpu_ratio:.2f}×, {row.tree_mb:.0f} MB",
                            flush=True,
                        )
                finally:
                    if dropping:
                        _drop(args.pg, dropping)
                floor_wall = statistics.median(f.wall for f in floors)
                floor_cpu = statistics.median(f.cpu for f in floors)
                report.append(table(f"{size:,} items, {backend}", floor_wall, rows, floor_cpu))
            path.unlink()
        if args.import_mb:
            row, size_mb, rate = import_row(tmp, args.import_mb, args.import_runs)
            report.append(table("Import", row.wall / row.ratio, [row], row.cpu / max(row.cpu_ratio, 1e-6)))
            report.append(f"Import rate: {size_mb:.1f} MB in {row.wall:.1f} s = {rate:.2f} MB/s.\n")
    text = "\n".join(report)
    print(text)
    if args.out:
        args.out.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
