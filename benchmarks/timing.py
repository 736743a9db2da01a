"""Wall-clock timing of whole commands, median of several runs, next to a floor measured in the same run."""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

FLOOR = [sys.executable, "-c", "import typer, rich.console, rich.table, sqlite3"]
READLIST = shutil.which("readlist", path=str(Path(sys.executable).parent)) or "readlist"


def median_wall(cmd: list[str], runs: int = 7, env: dict[str, str] | None = None) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(
            cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False, env={**os.environ, **(env or {})}
        )
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def report(rows: list[tuple[str, list[str]]], env: dict[str, str], runs: int = 7) -> None:
    floor = median_wall(FLOOR, runs)
    print(f"{'command':44} {'median s':>9} {'× floor':>8}")
    print(f"{'floor: ' + ' '.join(FLOOR[2:]):44} {floor:9.3f} {1.0:8.2f}")
    for label, args in rows:
        t = median_wall([READLIST, *args], runs, env)
        print(f"{label:44} {t:9.3f} {t / floor:8.2f}")
