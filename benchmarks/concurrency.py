"""Concurrent writers: every write a user was told succeeded must be in the library afterwards.

1. waves of N concurrent `readlist add --no-fetch` processes (default 2 × 50);
2. W workers × M mixed writes (add, tag, note, status) while `readlist import data/notes/` runs.
Prints kept / attempted and failures; exits 1 if anything reported as done is missing.
3. `--processes P`: P Python processes × M mixed writes each through the Library API (add their own items,
   tag and note one shared item, set statuses), while an import runs: nothing lost, no errors.
4. `--long-import MB`: one file of MB of notes imported while `add`s run one after another, each timed: the
   longest wait is how long a long import keeps other writers out (issue 26: one transaction held it ~54 s
   for 30 MB; now transactions of about a second).
`--db postgresql://…/empty_db` runs against a PostgreSQL database instead of SQLite files
(`--waves 0 --workers 0 --processes 8 --writes 200` is the issue-15 measurement).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from benchmarks.timing import READLIST  # noqa: E402

NOTES = ROOT / "data" / "notes"


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

    def worker(w: int) -> tuple[int, int, list[str], int, int]:
        ok, done_adds, errors, item = 0, 0, [], "0"
        done = {1: 0, 2: 0}  # tags and notes reported as done
        for i in range(per_worker):
            step = i % 4
            args = [
                ["add", "--no-fetch", f"https://example.com/m{w}/{i // 4}"],
                ["tag", item, f"+bench-w{w}"],
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
            elif step in done:
                done[step] += 1
        return ok, done_adds, errors, done[1], done[2]

    start = time.perf_counter()
    with ThreadPoolExecutor(workers) as pool:
        results = list(pool.map(worker, range(workers)))
    import_code = importer.wait()
    ok = sum(r[0] for r in results)
    adds = sum(r[1] for r in results)
    tags_done, notes_done = sum(r[3] for r in results), sum(r[4] for r in results)
    kept = _count(env, "SELECT count(*) FROM item WHERE url LIKE 'https://example.com/m%'")
    notes = _count(env, "SELECT count(*) FROM note WHERE body LIKE 'note %'")
    tags = _count(env, "SELECT count(*) FROM itemtag it JOIN tag t ON t.id = it.tag_id WHERE t.name LIKE 'bench-w%'")
    lost = (adds - kept) + (notes_done - notes) + (tags_done - tags)
    print(
        f"{workers} × {per_worker} mixed writes during an import (import exit {import_code}): exit 0 for {ok} of "
        f"{workers * per_worker}; items kept {kept} of {adds} added; notes kept {notes} of {notes_done}; "
        f"tags kept {tags} of {tags_done}; lost updates {lost}; errors {workers * per_worker - ok} "
        f"in {time.perf_counter() - start:.1f} s"
    )
    for err in sorted({e for r in results for e in r[2]})[:5]:
        print("   ", err)
    if lost:
        sys.exit("lost writes that were reported as done")


WORKER = """
import json, sys
from readlist import Library
from readlist.errors import ReadlistError
who, writes = sys.argv[1], int(sys.argv[2])
done = {"add": 0, "tag": 0, "note": 0, "status": 0}
errors, mine = [], None
with Library() as lib:
    for i in range(writes):
        step = ("add", "tag", "note", "status")[i % 4]
        try:
            if step == "add":
                mine = lib.add(f"https://example.com/p{who}/{i}", fetch=False).item_ids[0]
            elif step == "tag":
                lib.tag(1, add=[f"bench-{who}-{i}"])
            elif step == "note":
                lib.note(1, f"bench note {who} {i}")
            else:
                lib.status(mine, "read" if i % 8 == 3 else "reading")
            done[step] += 1
        except ReadlistError as exc:
            errors.append(exc.message)
print(json.dumps({"done": done, "errors": errors}))
"""


def processes(env: dict[str, str], count: int, writes: int) -> None:
    """Each process keeps one connection and writes `writes` times; tags and notes all go to item 1, so the
    read-modify-write of one item's tags and notes is contended by every process at once."""
    import json

    subprocess.run(
        [READLIST, "add", "--no-fetch", "https://example.com/shared"], env=env, check=True, capture_output=True
    )
    importer = subprocess.Popen(
        [READLIST, "import", str(NOTES)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    start = time.perf_counter()
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, str(w), str(writes)], env=env, stdout=subprocess.PIPE, text=True
        )
        for w in range(count)
    ]
    reports = [json.loads(p.communicate()[0]) for p in procs]
    elapsed = time.perf_counter() - start
    import_code = importer.wait()
    done = {k: sum(r["done"][k] for r in reports) for k in ("add", "tag", "note", "status")}
    errors = [e for r in reports for e in r["errors"]]
    kept = {
        "add": _count(env, "SELECT count(*) FROM item WHERE url LIKE 'https://example.com/p%'"),
        "tag": _count(
            env, "SELECT count(*) FROM itemtag it JOIN tag t ON t.id = it.tag_id WHERE t.name LIKE 'bench-%'"
        ),
        "note": _count(env, "SELECT count(*) FROM note WHERE body LIKE 'bench note %'"),
        "status": _count(
            env,
            "SELECT count(*) FROM reading r JOIN item i ON i.id = r.item_id "
            "WHERE i.url LIKE 'https://example.com/p%' AND r.status IN ('reading', 'read')",
        ),
    }
    lost = sum(done[k] - kept[k] for k in done)  # each own item gets exactly one status write
    print(
        f"{count} processes × {writes} mixed writes during an import (import exit {import_code}) in {elapsed:.1f} s "
        f"({count * writes / elapsed:.0f} writes/s): done {done}; kept {kept}; lost updates {lost}; errors {len(errors)}"
    )
    for err in sorted(set(errors))[:5]:
        print("   ", err)
    if lost or errors:
        sys.exit("lost or failed writes")


def adds_during_long_import(env: dict[str, str], megabytes: float, tmp: Path) -> None:
    from benchmarks.import_scale import prose_file

    notes = prose_file(tmp, megabytes)
    subprocess.run(
        [READLIST, "add", "--no-fetch", "https://example.com/first"], env=env, check=True, capture_output=True
    )
    start = time.perf_counter()
    importer = subprocess.Popen([READLIST, "import", str(notes)], env=env, stdout=subprocess.DEVNULL)
    waits: list[float] = []
    failed = 0
    while importer.poll() is None:
        began = time.perf_counter()
        code, _ = _run(["add", "--no-fetch", f"https://example.com/during/{len(waits)}"], env)
        waits.append(time.perf_counter() - began)
        failed += code != 0
        time.sleep(0.5)
    total = time.perf_counter() - start
    waits.sort()
    print(
        f"{len(waits)} adds during a {megabytes:g} MB import ({total:.1f} s): {failed} failed; add wall median "
        f"{waits[len(waits) // 2]:.2f} s, longest {waits[-1]:.2f} s (import exit {importer.returncode})"
    )


def _count(env: dict[str, str], sql: str) -> int:
    from readlist.location import location
    from readlist.store import db

    conn = db.connect(location(env["READLIST_DB"]))
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
    parser.add_argument("--processes", type=int, default=0)
    parser.add_argument("--long-import", type=float, default=0, help="MB of notes to import while adding")
    parser.add_argument("--db", help="an empty PostgreSQL database (postgresql://…) instead of SQLite files")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "READLIST_DB": args.db or str(Path(tmp) / "a.db"), "READLIST_CONFIG_DIR": tmp}
        if args.waves:
            waves(env, args.waves, args.size)
        env["READLIST_DB"] = args.db or str(Path(tmp) / "b.db")
        if args.workers:
            mixed_during_import(env, args.workers, args.writes)
        if args.processes:
            env["READLIST_DB"] = args.db or str(Path(tmp) / "c.db")
            processes(env, args.processes, args.writes)
        if args.long_import:
            env["READLIST_DB"] = args.db or str(Path(tmp) / "d.db")
            adds_during_long_import(env, args.long_import, Path(tmp))


if __name__ == "__main__":
    main()
