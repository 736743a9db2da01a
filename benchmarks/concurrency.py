"""Concurrent writers: every write a user was told succeeded must be in the library afterwards.

1. waves of N concurrent `readlist add --no-fetch` processes (default 2 × 50);
2. W workers × M mixed writes (add, tag, note, status) while `readlist import data/notes/` runs.
Prints kept / attempted and failures; exits 1 if anything reported as done is missing.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from timing import READLIST

NOTES = Path(__file__).resolve().parents[1] / "data" / "notes"


def _run(args: list[str], env: dict[str, str]) -> tuple[int, str]:
    """Exit code and the first line of stderr (or, on success, of stdout)."""
    proc = subprocess.run([READLIST, *args], capture_output=True, text=True, env=env, check=False)
    text = proc.stderr if proc.returncode else proc.stdout
    return proc.returncode, text.strip().splitlines()[0] if text.strip() else ""


def waves(env: dict[str, str], waves: int, size: int) -> None:
    ok, errors = 0, []
    start = time.perf_counter()
    for w in range(waves):
        with ThreadPoolExecutor(size) as pool:
            jobs = [pool.submit(_run, ["add", "--no-fetch", f"https://example.com/w{w}/{i}"], env) for i in range(size)]
            for job in jobs:
                code, err = job.result()
                ok += code == 0
                if code:
                    errors.append(err)
    kept = _count(env, "SELECT count(*) FROM item WHERE url LIKE 'https://example.com/w%'")
    print(
        f"{waves} × {size} concurrent adds: exit 0 for {ok}, kept {kept} of {waves * size} in {time.perf_counter() - start:.1f} s"
    )
    for err in sorted(set(errors))[:5]:
        print("   ", err)
    if kept < ok:
        sys.exit("lost writes that were reported as done")


def mixed_during_import(env: dict[str, str], workers: int, per_worker: int) -> None:
    importer = subprocess.Popen(
        [READLIST, "import", str(NOTES)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )

    def worker(w: int) -> tuple[int, int, list[str]]:
        ok, done_adds, errors, item = 0, 0, [], "0"
        for i in range(per_worker):
            step = i % 4
            args = [
                ["add", "--no-fetch", f"https://example.com/m{w}/{i // 4}"],
                ["tag", item, f"+w{w}"],
                ["note", item, f"note {w}/{i}"],
                ["status", item, "reading"],
            ][step]
            code, line = _run(args, env)
            ok += code == 0
            if code:
                errors.append(line)
            elif step == 0:
                done_adds += 1
                item = line.split("#", 1)[1].split()[0].rstrip(":")
        return ok, done_adds, errors

    start = time.perf_counter()
    with ThreadPoolExecutor(workers) as pool:
        results = list(pool.map(worker, range(workers)))
    import_code = importer.wait()
    ok = sum(r[0] for r in results)
    adds = sum(r[1] for r in results)
    kept = _count(env, "SELECT count(*) FROM item WHERE url LIKE 'https://example.com/m%'")
    notes = _count(env, "SELECT count(*) FROM note WHERE body LIKE 'note %'")
    print(
        f"{workers} × {per_worker} mixed writes during an import (import exit {import_code}): exit 0 for {ok} of "
        f"{workers * per_worker}; items kept {kept} of {adds} added; notes kept {notes} in {time.perf_counter() - start:.1f} s"
    )
    for err in sorted({e for r in results for e in r[2]})[:5]:
        print("   ", err)


def _count(env: dict[str, str], sql: str) -> int:
    conn = sqlite3.connect(env["READLIST_DB"])
    try:
        return int(conn.execute(sql).fetchone()[0])
    finally:
        conn.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--waves", type=int, default=2)
    parser.add_argument("--size", type=int, default=50)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--writes", type=int, default=100)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "READLIST_DB": str(Path(tmp) / "a.db"), "READLIST_CONFIG_DIR": tmp}
        if args.waves:
            waves(env, args.waves, args.size)
        env["READLIST_DB"] = str(Path(tmp) / "b.db")
        mixed_during_import(env, args.workers, args.writes)


if __name__ == "__main__":
    main()
