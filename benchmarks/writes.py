"""The daily writes on a 10,000-item library against the import floor, paired run by run (issue: a write ≤ 2× the
floor, `todo` ≤ 1.3×).

Every run changes something real: status moves, tags, notes and titles each take a fresh unread item, `add` a
new URL, `restore` brings back what the `rm` runs removed. The floor and the command alternate (floor, command,
floor, command …) and the ratio is taken pair by pair, so a machine that slows down mid-way moves both.

    python benchmarks/writes.py                 # builds the library in a temporary folder
    python benchmarks/writes.py --runs 11 --items 10000

Measure as a user runs it: with bytecode caches (a pip install writes them). With PYTHONDONTWRITEBYTECODE set,
every readlist module is compiled on every run, which the floor (site-packages, compiled) does not pay: unset it,
or point PYTHONPYCACHEPREFIX at a writable folder.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from synth import build  # noqa: E402
from timing import FLOOR, READLIST  # noqa: E402

Args = Callable[[int], list[str]]


def wall(cmd: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    proc = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, check=False)
    took = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}): {proc.stderr.decode(errors='replace')}")
    return took


def paired(args: Args, runs: int, env: dict[str, str]) -> tuple[float, float, float]:
    """(median seconds of the command, of the floor, median of the per-pair ratios); run -1 warms up."""
    wall(FLOOR, env)
    wall([READLIST, *args(-1)], env)
    floors, times = [], []
    for i in range(runs):
        floors.append(wall(FLOOR, env))
        times.append(wall([READLIST, *args(i)], env))
    ratios = [t / f for t, f in zip(times, floors, strict=True)]
    return statistics.median(times), statistics.median(floors), statistics.median(ratios)


def unread_items(path: Path, member: str) -> list[int]:
    """Items the benchmark's member has not touched or left unread (every status command may move them)."""
    conn = sqlite3.connect(path)
    try:
        rows = conn.execute(
            "SELECT i.id FROM item i LEFT JOIN reading r ON r.item_id = i.id AND r.member = ? "
            "WHERE coalesce(r.status, i.initial_status) = 'unread' ORDER BY i.id",
            (member,),
        ).fetchall()
    finally:
        conn.close()
    return [int(r[0]) for r in rows]


def cases(pool: list[int], runs: int) -> list[tuple[str, Args]]:
    """Each case's runs (and its warm-up, run -1) on items of their own."""
    size = runs + 1
    picked: dict[str, list[int]] = {}

    def item(case: str, i: int) -> str:
        if case not in picked:
            start = len(picked) * size
            picked[case] = pool[start : start + size]
        return str(picked[case][i + 1])

    return [
        ("tag N +NAME", lambda i: ["tag", item("tag", i), f"+bench-{i + 1}"]),
        ("note N TEXT", lambda i: ["note", item("note", i), "a note written by the benchmark"]),
        ("note N TEXT (Chinese)", lambda i: ["note", item("note zh", i), "基准测试写的笔记"]),
        ("done N", lambda i: ["done", item("done", i)]),
        ("start N", lambda i: ["start", item("start", i)]),
        ("skip N", lambda i: ["skip", item("skip", i)]),
        ("edit N --title TITLE", lambda i: ["edit", item("edit", i), "--title", f"A title set by run {i + 1}"]),
        ("rm --yes N", lambda i: ["rm", "--yes", item("rm", i)]),
        ("restore N", lambda i: ["restore", item("rm", i)]),
        ("add URL --no-fetch", lambda i: ["add", f"https://example.com/benchmark/{i + 1}", "--no-fetch"]),
        ("todo", lambda i: ["todo"]),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=7)
    options = parser.parse_args()
    if os.environ.get("PYTHONDONTWRITEBYTECODE") and not os.environ.get("PYTHONPYCACHEPREFIX"):
        print("note: PYTHONDONTWRITEBYTECODE is set: readlist's modules are compiled on every run", file=sys.stderr)
    from readlist import config

    with tempfile.TemporaryDirectory() as tmp:
        path = build(Path(tmp) / "bench.db", options.items)
        env = {**os.environ, "READLIST_DB": str(path), "NO_COLOR": "1"}
        pool = unread_items(path, config.user())
        print(f"{options.items} items, {options.runs} paired runs each; floor: {' '.join(FLOOR[2:])}")
        print(f"{'command':28} {'median s':>9} {'floor s':>8} {'× floor':>8}")
        for label, args in cases(pool, options.runs):
            took, floor, ratio = paired(args, options.runs, env)
            print(f"{label:28} {took:9.3f} {floor:8.3f} {ratio:8.2f}")


if __name__ == "__main__":
    main()
