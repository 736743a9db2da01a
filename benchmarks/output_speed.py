"""Big outputs: `list` of 10,000 items to a pipe and to a terminal (with and without the pager's first screen),
and 1,000 search results beside 1,000 list rows — all in one run, next to the import floor."""

from __future__ import annotations

import fcntl
import os
import pty
import select
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from synth import build  # noqa: E402
from timing import FLOOR, READLIST, median_wall  # noqa: E402


def in_terminal(cmd: list[str], env: dict[str, str], first_screen: bool = False, width: int = 160) -> float:
    """Seconds until the command finished drawing in a 160×50 pseudo-terminal (or showed its first screen)."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 50, width, 0, 0))
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdin=slave, stdout=slave, stderr=slave, env=env)
    os.close(slave)
    seen = 0
    while True:
        ready, _, _ = select.select([master], [], [], 0.05)
        if ready:
            try:
                data = os.read(master, 1 << 16)
            except OSError:
                break
            if not data:
                break
            seen += data.count(b"\n")
            if first_screen and seen >= 45:
                elapsed = time.perf_counter() - start
                proc.terminate()
                proc.wait()
                os.close(master)
                return elapsed
        elif proc.poll() is not None:
            break
    proc.wait()
    os.close(master)
    return time.perf_counter() - start


def median(fn: object, runs: int = 5) -> float:
    return statistics.median(fn() for _ in range(runs))  # type: ignore[operator]


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bench.db"
        build(db, 10_000)
        env = {**os.environ, "READLIST_DB": str(db), "NO_COLOR": "", "TERM": "xterm-256color"}
        env.pop("COLUMNS", None)
        no_pager = {**env, "PAGER": ""}
        pager = {**env, "PAGER": "less -R", "LESS": "FRX"}
        floor = median_wall(FLOOR, 7)
        rows = [
            ("floor: import typer, rich, sqlite3", floor),
            ("list (10,000) | piped TSV", median_wall([READLIST, "list"], 5, env)),
            (
                "list (10,000) to a 160-col terminal, no pager",
                median(lambda: in_terminal([READLIST, "list"], no_pager)),
            ),
            (
                "list (10,000) in the pager: first screen",
                median(lambda: in_terminal([READLIST, "list"], pager, first_screen=True)),
            ),
            ("list -n 1000 | piped", median_wall([READLIST, "list", "-n", "1000"], 5, env)),
            ('search "kv cache" -n 1000 | piped', median_wall([READLIST, "search", "kv cache", "-n", "1000"], 5, env)),
            (
                "list -n 1000 to a terminal",
                median(lambda: in_terminal([READLIST, "list", "-n", "1000"], no_pager)),
            ),
            (
                'search "kv cache" -n 1000 to a terminal',
                median(lambda: in_terminal([READLIST, "search", "kv cache", "-n", "1000"], no_pager)),
            ),
        ]
        print(f"{'command':52} {'median s':>9} {'× floor':>8}")
        for label, seconds in rows:
            print(f"{label:52} {seconds:9.3f} {seconds / floor:8.1f}")
        piped = rows[5][1] / rows[4][1]
        term = rows[7][1] / rows[6][1]
        print(f"search/list for 1,000 rows: piped {piped:.2f}×, terminal {term:.2f}× (target ≤ 1.2×)")


if __name__ == "__main__":
    main()
