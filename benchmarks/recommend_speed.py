"""Speed of the ranking commands on a 10,000-item library with 1,000 entries in the inbox (issue 27: the inbox
ranked in ≤ 2 s wall on 2 cores, `similar` ≤ 0.5 s), each run paired with the interpreter floor.

The library is `benchmarks/synth.py`'s; the inbox arrives as feeds bring it: one arXiv listing of 1,000 new
papers (titles and abstracts of the same mix) served from 127.0.0.1 and pulled. Rows:

- `inbox` first ever: the library's term cache is dropped before each run (a freshly imported library);
- `inbox` of the morning: before each run every inbox entry's title changes (the numbers appended are no
  terms), so its 1,000 entries are counted anew, as after a pull that brought them;
- `inbox` after a write: a note on one item before each run (the cache holds every other item);
- `inbox` again, `similar 5`, `suggest --tag TAG`, `tag 5 --suggest`: nothing changed since the last run.

Wall and CPU (user + sys of the whole process, from the kernel) are medians over the runs; the floor
(`python -c "import typer, rich.console, rich.table, sqlite3"`) runs before each command run. Commands run with
bytecode caches, as after a pip install (PYTHONDONTWRITEBYTECODE is dropped for them).

    python -m benchmarks.recommend_speed [--items 10000] [--inbox 1000] [--runs 5] [--only inbox,similar]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import random
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def timed(cmd: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(wall, CPU) seconds of one whole process."""
    with tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=err, env=env)
        _pid, status, usage = os.wait4(proc.pid, 0)
        took = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0:
            err.seek(0)
            raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}): {err.read().decode(errors='replace')}")
    return took, usage.ru_utime + usage.ru_stime


def make_library(work: Path, n_items: int, n_inbox: int) -> Path:
    """The synthetic library plus an inbox pulled from a feed on 127.0.0.1."""
    from benchmarks.synth import build, text, title
    from readlist import Library
    from tests.feed_server import FeedServer, arxiv_rss

    path = build(work / "bench.db", n_items)
    rng = random.Random(27)
    entries = [
        (f"2611.{20000 + n:05d}v1", "new", title(rng), text(rng, 80)) for n in range(n_inbox)
    ]  # arXiv ids no synthetic item has
    feeds = FeedServer()
    feeds.start()
    try:
        feeds.routes["/rss/cs.LG"] = arxiv_rss(entries)
        with contextlib.redirect_stdout(io.StringIO()), Library(path) as lib:
            lib.follow(f"{feeds.base}/rss/cs.LG", name="bench", check=False)
            lib.pull_feeds()
            inbox = len(lib.inbox(full=False))
    finally:
        feeds.stop()
    if inbox < n_inbox:
        raise SystemExit(f"the feed brought {inbox} entries, not {n_inbox}")
    return path


def drop_cache(path: Path) -> None:
    with contextlib.closing(sqlite3.connect(path)) as conn, conn:
        conn.execute("DELETE FROM termcache")


def renew_inbox(path: Path, run: int) -> None:
    """Every inbox entry's text changes (a number appended to its title): its counts must be made again."""
    with contextlib.closing(sqlite3.connect(path)) as conn, conn:
        conn.execute(
            "UPDATE item SET title = rtrim(rtrim(title, '0123456789'), ' ') || ' ' || ? WHERE initial_status = 'inbox'",
            (str(run + 2),),
        )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--inbox", type=int, default=1_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--only", default="", help="comma-separated words: rows whose label holds one of them")
    parser.add_argument("--db", type=Path, help="reuse (or make and keep) the library here")
    options = parser.parse_args(argv)
    from benchmarks.timing import FLOOR, READLIST

    work = Path(tempfile.mkdtemp(prefix="readlist-recspeed-"))
    env = {
        **os.environ,
        "READLIST_CONFIG_DIR": str(work / "config"),
        "READLIST_STATE_DIR": str(work / "state"),
        "READLIST_USER": "bench",
        "READLIST_ARXIV_URL": "http://127.0.0.1:9/api/query",  # never the network
        "NO_PROXY": "127.0.0.1,localhost",
        "NO_COLOR": "1",
    }
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # as a user runs it: with bytecode caches (see startup.py)
    os.environ.update(env)
    started = time.perf_counter()
    path = options.db if options.db and options.db.exists() else make_library(work, options.items, options.inbox)
    if options.db and not options.db.exists():
        path.replace(options.db)
        path = options.db
    print(f"{options.items} items + {options.inbox} inbox entries ({time.perf_counter() - started:.0f} s to make)")
    tag = "kv-cache"
    notes = iter(range(10_000_000))

    def write(_run: int) -> None:
        timed([READLIST, "--db", str(path), "note", str(7 + next(notes) % 50), "a new note on kv cache"], env)

    rows: list[tuple[str, list[str], Callable[[int], None] | None]] = [
        ("inbox --json, first ever (no term cache)", ["inbox", "--json"], lambda _r: drop_cache(path)),
        ("inbox --json, 1,000 entries new (a morning)", ["inbox", "--json"], lambda r: renew_inbox(path, r)),
        ("inbox --json, after a write (one note)", ["inbox", "--json"], write),
        ("inbox --json, nothing changed", ["inbox", "--json"], None),
        ("similar 5 --json", ["similar", "5", "--json"], None),
        (f"suggest --tag {tag} --json", ["suggest", "--tag", tag, "--json"], None),
        ("tag 5 --suggest --json", ["tag", "5", "--suggest", "--json"], None),
    ]
    wanted = [w for w in options.only.split(",") if w]
    print(f"medians of {options.runs} runs; floor: {' '.join(FLOOR[2:])}, run before each")
    print(f"{'command':44} {'wall s':>7} {'CPU s':>7} {'floor wall':>10} {'floor CPU':>9}")
    for label, args, before in rows:
        if wanted and not any(w in label for w in wanted):
            continue
        cmd = [READLIST, "--db", str(path), *args]
        if before:
            before(-1)
        timed(cmd, env)  # warm-up: the page cache, and the term cache for the rows that keep it
        figures: list[tuple[float, float, float, float]] = []
        for run in range(options.runs):
            floor = timed(FLOOR, env)
            if before:
                before(run)
            figures.append((*timed(cmd, env), *floor))
        med = [statistics.median(f[i] for f in figures) for i in range(4)]
        print(f"{label:44} {med[0]:7.2f} {med[1]:7.2f} {med[2]:10.3f} {med[3]:9.3f}")


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
