"""Random damage to a SQLite library file, from a fixed seed (issue 26): bytes overwritten on table pages and on
index pages (what SQLite's quick check skips), the file cut short, header bytes changed. Used by
tests/test_damaged_library.py and `benchmarks/hostile.py --damage`."""

from __future__ import annotations

import os
import random
import sqlite3
from dataclasses import dataclass
from pathlib import Path

KINDS = ("table page", "index page", "truncation", "header")
SEED = 26


@dataclass(frozen=True)
class Damage:
    kind: str
    offset: int  # where the bytes go (truncation: the new length)
    data: bytes

    @property
    def label(self) -> str:
        return f"{self.kind} at {self.offset}" + (f" ({len(self.data)} bytes)" if self.data else "")

    def apply(self, path: Path) -> None:
        """Damage the file in place, as a failing disk or another program would (its ctime moves)."""
        if self.kind == "truncation":
            os.truncate(path, self.offset)
            return
        with path.open("r+b") as fh:
            fh.seek(self.offset)
            fh.write(self.data)


def _pages(path: Path) -> tuple[int, dict[str, list[tuple[int, int]]]]:
    """The page size, and the pages of the tables' and the indexes' B-trees: (page number, where its cells
    start — the keys and rows themselves, past the page header, the cell pointers and the free space)."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        size = int(conn.execute("PRAGMA page_size").fetchone()[0])
        kinds = dict(conn.execute("SELECT name, type FROM sqlite_master WHERE rootpage > 0").fetchall())
        found = conn.execute("SELECT name, pageno FROM dbstat WHERE pageno > 1 AND pagetype = 'leaf'").fetchall()
    finally:
        conn.close()
    pages: dict[str, list[tuple[int, int]]] = {"table": [], "index": []}
    with path.open("rb") as fh:
        for name, page in found:
            fh.seek((page - 1) * size + 5)
            cells = int.from_bytes(fh.read(2), "big") or size
            if cells < size - 16:
                pages["index" if kinds.get(name) == "index" else "table"].append((int(page), cells))
    return size, pages


def damages(pristine: Path, count: int = 30, seed: int = SEED) -> list[Damage]:
    """`count` damages for copies of `pristine` (the same list for the same file and seed), the kinds in turn."""
    rng = random.Random(seed)
    size, pages = _pages(pristine)
    length = pristine.stat().st_size
    found: list[Damage] = []
    for n in range(count):
        kind = KINDS[n % len(KINDS)]
        if kind == "truncation":
            found.append(Damage(kind, rng.randrange(size, length), b""))
        elif kind == "header":
            offset = rng.choice((18, 19, 20, 21, 28, 29, 30, 31, 44, 47, 52, 56, 96)) + rng.randrange(0, 4)
            found.append(Damage(kind, offset, rng.randbytes(1 + rng.randrange(3))))
        else:
            page, cells = rng.choice(pages["index" if kind == "index page" else "table"])
            width = rng.choice((1, 2, 4, 16))
            within = rng.randrange(cells, size - width)  # inside the cells: the page still looks well formed
            found.append(Damage(kind, (page - 1) * size + within, rng.randbytes(width)))
    return found
