"""Startup of the everyday commands on a 10,000-item library against the import floor (issue: a read such as
`todo` ≤ 1.3× the floor), paired run by run like writes.py: floor, command, floor, command … and the ratio is
taken pair by pair, so a machine that slows down mid-way moves both.

    python benchmarks/startup.py                # builds the library in a temporary folder
    python benchmarks/startup.py --runs 21

Measure as a user runs it: with bytecode caches (a pip install writes them). With PYTHONDONTWRITEBYTECODE set,
every readlist module is compiled on every run, which the floor (site-packages, compiled) does not pay: unset it,
or point PYTHONPYCACHEPREFIX at a writable folder. Output goes to a pipe (TSV) unless the row says `table`.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from synth import build  # noqa: E402
from timing import FLOOR  # noqa: E402
from writes import paired  # noqa: E402

ROWS = [
    ("readlist --help", ["--help"]),
    ("readlist todo", ["todo"]),
    ("readlist todo --format table", ["todo", "--format", "table"]),
    ("readlist list --limit 20", ["list", "--limit", "20"]),
    ("readlist list --json --limit 100", ["list", "--json", "--limit", "100"]),
    ("readlist show 5000", ["show", "5000"]),
    ("readlist stats", ["stats"]),
    ('readlist search "kv cache"', ["search", "kv cache"]),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=11)
    options = parser.parse_args()
    if os.environ.get("PYTHONDONTWRITEBYTECODE") and not os.environ.get("PYTHONPYCACHEPREFIX"):
        print("note: PYTHONDONTWRITEBYTECODE is set: readlist's modules are compiled on every run", file=sys.stderr)
    with tempfile.TemporaryDirectory() as tmp:
        path = build(Path(tmp) / "bench.db", options.items)
        env = {**os.environ, "READLIST_DB": str(path), "NO_COLOR": "1", "COLUMNS": "100"}
        print(f"{options.items} items, {options.runs} paired runs each; floor: {' '.join(FLOOR[2:])}")
        print(f"{'command':36} {'median s':>9} {'floor s':>8} {'× floor':>8}")
        for label, args in ROWS:
            took, floor, ratio = paired(lambda _run, args=args: args, options.runs, env)
            print(f"{label:36} {took:9.3f} {floor:8.3f} {ratio:8.2f}")


if __name__ == "__main__":
    main()
