"""Startup of the everyday read commands on a 10,000-item library, against the import floor (issue: ≤ 1.5×)."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from synth import build  # noqa: E402
from timing import report  # noqa: E402


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = build(Path(tmp) / "bench.db", 10_000)
        env = {"READLIST_DB": str(path), "NO_COLOR": "1"}
        report(
            [
                ("readlist --help", ["--help"]),
                ("readlist todo", ["todo"]),
                ("readlist list --json --limit 100", ["list", "--json", "--limit", "100"]),
                ("readlist show 5000", ["show", "5000"]),
            ],
            env,
        )


if __name__ == "__main__":
    main()
