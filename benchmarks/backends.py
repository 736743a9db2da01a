"""`todo` and `search` wall time on PostgreSQL against SQLite, the same synthetic library on both (issue 15).

Builds the library as a SQLite file (synth.build), `db copy`s it into an empty PostgreSQL database, then times
the installed `readlist` on each — process start and connection included — next to the floor of the same run.
Target: PostgreSQL ≤ 1.5× SQLite.

    python benchmarks/backends.py postgresql://postgres@127.0.0.1/empty_db [items, default 100000]
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from synth import build  # noqa: E402
from timing import FLOOR, READLIST, median_wall  # noqa: E402

COMMANDS = (["todo"], ["search", "kv cache"], ["search", "量化"], ["list", "--tag", "cuda", "-n", "50"])


def main() -> None:
    from readlist.location import PostgresUrl, location
    from readlist.services.transfer import copy

    url = location(sys.argv[1])
    assert isinstance(url, PostgresUrl), "give an empty PostgreSQL database URL"
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 100_000
    with tempfile.TemporaryDirectory() as tmp:
        path = build(Path(tmp) / "s.db", n)
        start = time.perf_counter()
        copy(path, url)
        print(f"{n} items; db copy into PostgreSQL (rows + tsvector index): {time.perf_counter() - start:.1f} s")
        floor = median_wall(FLOOR)
        print(f"{'command':28} {'SQLite s':>9} {'PG s':>7} {'PG/SQLite':>9}   floor {floor:.3f} s")
        for args in COMMANDS:
            env = {"NO_COLOR": "1", "READLIST_CONFIG_DIR": tmp}
            lite = median_wall([READLIST, *args], env={**env, "READLIST_DB": str(path)})
            pg = median_wall([READLIST, *args], env={**env, "READLIST_DB": url.url})
            print(f"{' '.join(args):28} {lite:9.3f} {pg:7.3f} {pg / lite:9.2f}")


if __name__ == "__main__":
    main()
