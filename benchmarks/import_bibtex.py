"""Import speed for a synthetic 5,000-entry Zotero-style .bib (target ≥ 2,000 entries/s), next to the floor.

Usage: python benchmarks/import_bibtex.py [entries]
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from timing import FLOOR, READLIST, median_wall  # noqa: E402

WORDS = [
    "sparse",
    "attention",
    "kernel",
    "quantization",
    "cache",
    "speculative",
    "decoding",
    "mixture",
    "experts",
    "pipeline",
    "tensor",
]
NAMES = [r"M{\"u}ller, J{\"o}rg", "Frantar, Elias", r"Garc{\'\i}a, Jos{\'e}", "Alistarh, Dan", "Zhang, Wei"]


def entry(i: int, rng: random.Random) -> str:
    title = " ".join(rng.choice(WORDS) for _ in range(7)).capitalize()
    kind = i % 3
    ident = (
        f"  eprint = {{{2401 + i % 9}.{10000 + i:05d}}},\n  archivePrefix = {{arXiv}},\n"
        if kind == 0
        else f"  doi = {{10.1145/{3600000 + i}}},\n"
        if kind == 1
        else f"  url = {{https://blog.example.org/posts/{i}}},\n"
    )
    authors = " and ".join(rng.sample(NAMES, 3))
    return (
        f"@inproceedings{{key{i},\n  title = {{{{{title.split()[0]}}} {' '.join(title.split()[1:])} \\& more}},\n"
        f"  author = {{{authors}}},\n  booktitle = {{Proceedings of {rng.choice(WORDS).title()} {2020 + i % 6}}},\n"
        f"  year = {{{2020 + i % 6}}},\n{ident}  keywords = {{{rng.choice(WORDS)}, {rng.choice(WORDS)}}},\n"
        f"  abstract = {{We study {' '.join(rng.choice(WORDS) for _ in range(40))}.}},\n"
        f"  dateadded = {{2024-0{1 + i % 9}-1{i % 10}T10:00:00Z}},\n}}\n"
    )


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
    rng = random.Random(7)
    with tempfile.TemporaryDirectory() as tmp:
        bib = Path(tmp) / "library.bib"
        bib.write_text("\n".join(entry(i, rng) for i in range(n)), encoding="utf-8")
        floor = median_wall(FLOOR, 5)
        times = []
        for run in range(3):
            db = Path(tmp) / f"bench{run}.db"
            subprocess.run([READLIST, "--db", str(db), "list"], capture_output=True, check=True)  # migrate first
            start = time.perf_counter()
            subprocess.run(
                [READLIST, "--db", str(db), "import", str(bib)],
                capture_output=True,
                check=True,
                env={**os.environ, "NO_COLOR": "1"},
            )
            times.append(time.perf_counter() - start)
        best = min(times)
        print(f"floor (import typer, rich, sqlite3): {floor:.3f} s")
        print(
            f"import {n} BibTeX entries into an empty library: best {best:.2f} s of {len(times)} "
            f"({n / best:,.0f} entries/s; {n / (best - floor):,.0f} entries/s above the floor)"
        )


if __name__ == "__main__":
    main()
