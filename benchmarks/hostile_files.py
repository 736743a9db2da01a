"""Hostile files and hostile members (issue 26), one summary line per case: 30 random damages to a SQLite library
(tests/damage_cases.py), a read-only library read by a process that permission bits hold (tests/unprivileged.py),
team members on PostgreSQL trying to act for each other or edit what the team shares, and what a write costs on a
5 MB and a 200 MB library next to the floor (`python -c "import typer, rich.console, rich.table, sqlite3"`).

    python benchmarks/hostile.py --files            # about 5 minutes on 2 cores (building 200 MB: ~3 of them)
    python benchmarks/hostile.py --files --quick    # 5 MB and 20 MB
"""

from __future__ import annotations

import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.hostile import offline_environment, run
from benchmarks.synth import build
from tests.damage_cases import damages
from tests.unprivileged import demotion, run_held

ITEMS_PER_MB = 345  # benchmarks/synth.py: 5,000 items make 14.5 MB
FLOOR = [sys.executable, "-c", "import typer, rich.console, rich.table, sqlite3"]
READLIST = [sys.executable, "-c", "import sys; from readlist.cli import main; sys.argv[0] = 'readlist'; main()"]


def _copy(source: Path, target: Path) -> None:
    src, dst = sqlite3.connect(source), sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        src.close()
        dst.close()


def _one_line_refusal(code: int, err: str, *words: str) -> bool:
    lines = err.splitlines()
    return code == 1 and len(lines) == 2 and lines[1].startswith("hint: ") and all(w in err for w in words)


def damage(tmp: Path) -> None:
    """30 random damages to copies of a 5 MB library readlist had just written: how many damaged files a write
    still reached."""
    pristine = build(tmp / "pristine.db", 5 * ITEMS_PER_MB)
    found = blind = written = unclear = 0
    for n, case in enumerate(damages(pristine)):
        db = tmp / f"damaged{n}.db"
        _copy(pristine, db)
        assert run(("--db", str(db), "tag", "1", "+before"))[0] == 0
        case.apply(db)
        if run(("--db", str(db), "db", "check"))[0] == 0:
            db.unlink()
            continue
        found += 1
        try:
            probe = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
            blind += probe.execute("PRAGMA quick_check").fetchone()[0] == "ok"
            probe.close()
        except sqlite3.DatabaseError:
            pass
        results = [
            run(("--db", str(db), "add", f"2402.{n:05d}", "--no-fetch")),
            run(("--db", str(db), "note", "1", "x")),
        ]
        written += any(code == 0 for code, _, _ in results)
        for code, _, err in results:
            if code != 0 and not _one_line_refusal(code, err, "damaged", "db check"):
                unclear += 1
                print(f"  DEFECT {case.label}: {' / '.join(err.splitlines())[:200]}", flush=True)
        db.unlink()
    print(
        f"damage: 30 random damages, {found} found by db check ({blind} of them missed by the quick check): "
        f"damaged files written {written}/{found}; refusals not one line naming db check: {unclear}",
        flush=True,
    )


def read_only(tmp: Path) -> None:
    """A library its reader cannot write: reads answer, writes are one line each, the file unchanged."""
    held = demotion()
    if held is None:
        print("read-only: skipped (no way here to run a process permission bits hold)")
        return
    for name, folder_mode in (("0444 file", 0o755), ("0444 file in a 0555 folder (WAL, no -shm)", 0o555)):
        folder = Path(tempfile.mkdtemp(dir=tmp))
        folder.chmod(0o755)
        db = folder / "library.db"
        _copy(build(tmp / "small.db", 200), db)
        state = Path(tempfile.mkdtemp(dir=tmp))
        state.chmod(0o777)
        before = db.read_bytes()
        db.chmod(0o444)
        folder.chmod(folder_mode)
        env = {"READLIST_DB": str(db), "READLIST_STATE_DIR": str(state), "READLIST_CONFIG_DIR": str(state)}
        reads = [["list"], ["show", "1"], ["search", "cache"], ["export", "--format", "jsonl"], ["db", "check"]]
        writes = [["add", "2401.00001", "--no-fetch"], ["tag", "1", "+x"], ["note", "1", "x"], ["done", "1"]]
        read_ok = sum(run_held(args, env).returncode == 0 for args in reads)
        refused = 0
        for args in writes:
            done = run_held(args, env)
            refused += _one_line_refusal(done.returncode, done.stderr, "read-only")
        folder.chmod(0o755)
        same = db.read_bytes() == before
        print(
            f"read-only, {name} (as {held[0]}): reads answered {read_ok}/{len(reads)}; writes refused in one line "
            f"{refused}/{len(writes)}; file unchanged: {'yes' if same else 'NO'}",
            flush=True,
        )


def _paired(args: list[str], env: dict[str, str], runs: int = 7) -> tuple[float, float]:
    """Median seconds of `readlist *args` and of the floor, run in turn."""
    mine: list[float] = []
    floor: list[float] = []
    for _ in range(runs):
        for cmd, into in ((READLIST + args, mine), (FLOOR, floor)):
            start = time.perf_counter()
            subprocess.run(cmd, env=env, capture_output=True, check=cmd is FLOOR)
            into.append(time.perf_counter() - start)
    return statistics.median(mine), statistics.median(floor)


def write_cost(tmp: Path, sizes: tuple[int, ...]) -> None:
    """`note` (a write) on libraries of each size: readlist's own steady state, and the first write after
    another program changed the file (the whole file is checked then, once)."""
    env = {**os.environ}
    for megabytes in sizes:
        db = build(tmp / f"w{megabytes}.db", megabytes * ITEMS_PER_MB)
        env["READLIST_DB"] = str(db)
        subprocess.run([*READLIST, "note", "1", "warm"], env=env, capture_output=True, check=True)
        mine, floor = _paired(["note", "1", "a note"], env)
        conn = sqlite3.connect(db)  # another program writes the file
        with conn:
            conn.execute("UPDATE item SET rating = 'x' WHERE id = 2")
        conn.close()
        start = time.perf_counter()
        subprocess.run([*READLIST, "note", "1", "after"], env=env, capture_output=True, check=True)
        first = time.perf_counter() - start
        size = db.stat().st_size / 1e6
        print(
            f"write cost, {size:.0f} MB ({megabytes * ITEMS_PER_MB:,} items): note median {mine * 1000:.0f} ms, "
            f"floor {floor * 1000:.0f} ms (×{mine / floor:.2f}); first write after another program's change "
            f"{first * 1000:.0f} ms",
            flush=True,
        )
        db.unlink()


def main(quick: bool = False) -> None:
    with tempfile.TemporaryDirectory() as raw:
        tmp = Path(raw)
        offline_environment(tmp)
        damage(tmp)
        read_only(tmp)
        from benchmarks.hostile_roles import roles

        roles()
        write_cost(tmp, (5, 20) if quick else (5, 200))
