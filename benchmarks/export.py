"""Digest and JSONL export of a 10,000-item library (target: both ≤ 1 s wall)."""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from synth import build  # noqa: E402
from timing import FLOOR, READLIST, median_wall  # noqa: E402


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = build(Path(tmp) / "e.db", 10_000)
        env = {"READLIST_DB": str(path), "NO_COLOR": "1"}
        floor = median_wall(FLOOR, 5)
        print(f"floor: {floor:.3f} s")
        for label, args in (
            ("digest (all 10,000 items)", ["digest"]),
            ("digest --since 30d", ["digest", "--since", "30d"]),
            ("export --format jsonl", ["export", "--format", "jsonl", "-o", f"{tmp}/x.jsonl"]),
            ("export --format bibtex", ["export", "--format", "bibtex"]),
        ):
            start = time.perf_counter()
            wall = median_wall([READLIST, *args], 5, env)
            del start
            print(f"{label:32} {wall:.3f} s")


if __name__ == "__main__":
    main()
