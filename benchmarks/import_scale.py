"""`readlist import` at scale: one file of each shape a user's notes take — prose notes, one big markdown table,
one huge paragraph of links — plus a folder, 43 MB of one repeated link line and 9 MB of mojibake. For each:
wall time, MB/s, and peak memory summed over the whole process tree (the import forks readers and helpers;
sampled from /proc every 20 ms: RSS, and PSS, which counts the pages forked processes share once), next to a
floor (an interpreter that imports typer, rich and sqlite3) measured in the same run. The targets (issue 24): ≥ 2 MB/s and < 300 MB for one 50 MB file of any shape.

    python benchmarks/import_scale.py --mb 50                 # the three shapes at 50 MB, and the rest
    python benchmarks/import_scale.py --mb 5 --only table     # one shape
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from benchmarks.import_speed import synthetic_corpus  # noqa: E402
from benchmarks.timing import FLOOR, READLIST  # noqa: E402
from tests.garble import garble  # noqa: E402


def _tree(root: int) -> list[int]:
    """A process and all its descendants (from /proc)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", encoding="utf-8") as fh:
                    parent = int(fh.read().rsplit(")", 1)[1].split()[1])
            except OSError:
                continue
            children.setdefault(parent, []).append(int(entry))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo += children.get(pid, [])
    return found


def _memory(pid: int) -> tuple[int, int]:
    """(RSS, PSS) in kB: PSS shares the pages forked processes have in common, so its sum is the real total."""
    values = {"Rss:": 0, "Pss:": 0}
    try:
        with open(f"/proc/{pid}/smaps_rollup", encoding="utf-8") as fh:
            for line in fh:
                name, _, rest = line.partition(" ")
                if name in values:
                    values[name] = int(rest.split()[0])
    except OSError:
        pass
    return values["Rss:"], values["Pss:"]


def measure(cmd: list[str], env: dict[str, str] | None = None) -> tuple[float, float, float]:
    """Wall seconds and the peaks, over the run, of RSS and of PSS summed over the command's process tree (MB).
    The CPU time (user + system) of the whole tree is in LAST["cpu"], the largest process's RSS in LAST["largest"]."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.Popen(
        cmd, env={**os.environ, **(env or {})}, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    peak = [0, 0, 0]

    def sample() -> None:
        while proc.poll() is None:
            sizes = [_memory(pid) for pid in _tree(proc.pid)]
            peak[0] = max(peak[0], sum(rss for rss, _ in sizes))
            peak[1] = max(peak[1], sum(pss for _, pss in sizes))
            peak[2] = max([peak[2], *(rss for rss, _ in sizes)])
            time.sleep(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, err = proc.communicate()
    wall = time.perf_counter() - start
    sampler.join()
    if proc.returncode:
        raise SystemExit(err)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    LAST["cpu"] = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    LAST["largest"] = peak[2] / 1e3
    return wall, peak[0] / 1e3, peak[1] / 1e3


LAST: dict[str, float] = {}  # the last measure's CPU seconds and largest process (MB)


def one_file(folder: Path, path: Path) -> int:
    with path.open("wb") as out:
        for part in sorted(folder.iterdir()):
            out.write(part.read_bytes() + b"\n")
    return path.stat().st_size


def _arxiv(i: int) -> str:
    """A distinct, valid arXiv ID for each i (2.1 million of them: 24 months × 90,000)."""
    return f"{23 + i // 1_080_000 % 2}{1 + i // 90_000 % 12:02d}.{10000 + i % 90_000:05d}"


def _fill(path: Path, megabytes: float, head: str, piece: Callable[[int], str]) -> int:
    with path.open("w", encoding="utf-8") as out:
        out.write(head)
        i = 0
        while out.tell() < megabytes * 1e6:
            out.write("".join(piece(i + k) for k in range(1000)))
            i += 1000
    return path.stat().st_size


def prose_file(base: Path, megabytes: float) -> Path:
    """The shipped notes copied with varied IDs (headings, lists, tables, paragraphs, Chinese), as one file."""
    folder = base / f"prose{megabytes:g}"
    folder.mkdir()
    synthetic_corpus(folder, megabytes)
    path = base / f"prose{megabytes:g}.md"
    one_file(folder, path)
    return path


def table_file(base: Path, megabytes: float) -> Path:
    """One markdown table of papers: a row per paper (~110 bytes), 300,000 rows in 31.5 MB."""
    path = base / f"table{megabytes:g}.md"
    head = "# Papers\n\n| # | Paper | Venue | Notes |\n|---|---|---|---|\n"
    _fill(
        path,
        megabytes,
        head,
        lambda i: (
            f"| {i} | [Serving kv cache paper {i}](https://arxiv.org/abs/{_arxiv(i)}) | MLSys 2024 | 量化 {i} |\n"
        ),
    )
    return path


def paragraph_file(base: Path, megabytes: float) -> Path:
    """One paragraph (one line) of named links with a word between them, as in the issue (20,000 in 1.3 MB)."""
    path = base / f"paragraph{megabytes:g}.md"
    _fill(path, megabytes, "", lambda i: f"[p{i}](https://arxiv.org/abs/{_arxiv(i)}) 说明 ")
    return path


SHAPES = {"prose": prose_file, "table": table_file, "paragraph": paragraph_file}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mb", type=float, nargs="*", default=[5, 50])
    parser.add_argument("--only", choices=[*SHAPES, "others"], help="one shape, or only the other cases")
    args = parser.parse_args()
    floor, floor_rss, _ = measure(FLOOR)
    floor_cpu = LAST["cpu"]
    print(f"floor ({' '.join(FLOOR[2:])}): {floor:.2f} s, CPU {floor_cpu:.2f} s, {floor_rss:.0f} MB")
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)

        def run(label: str, paths: list[Path]) -> None:
            size = sum(p.stat().st_size if p.is_file() else sum(f.stat().st_size for f in p.iterdir()) for p in paths)
            db = base / f"{label.replace(' ', '_')}.db"
            wall, rss, pss = measure([READLIST, "import", *map(str, paths)], {"READLIST_DB": str(db)})
            print(
                f"{label:34} {size / 1e6:6.1f} MB  {wall:6.1f} s ({wall / floor:5.0f}× floor)  "
                f"{size / 1e6 / wall:5.2f} MB/s  CPU {LAST['cpu']:6.1f} s ({size / 1e6 / LAST['cpu']:4.2f} MB per CPU s)  "
                f"peak summed over processes: RSS {rss:5.0f} MB, PSS {pss:5.0f} MB; largest process {LAST['largest']:4.0f} MB",
                flush=True,
            )

        for mb in args.mb:
            for name, make in SHAPES.items():
                if args.only in (None, name):
                    run(f"one {name} file of {mb:g} MB", [make(base, mb)])
        if args.only not in (None, "others"):
            return
        notes = ROOT / "data" / "notes"
        run("four shipped notes", [notes])
        for mb in args.mb:
            folder = base / f"folder{mb}"
            folder.mkdir()
            synthetic_corpus(folder, mb)
            run(f"folder of {mb:g} MB", [folder])
        line = "- [A paper](https://arxiv.org/abs/2401.00001) 读过，很好 https://github.com/a/b\n"
        repeated = base / "repeated.md"
        repeated.write_text(line * (43_000_000 // len(line.encode())), encoding="utf-8")
        run("43 MB of one repeated line", [repeated])
        clean = "\n".join(
            ln for p in sorted(notes.glob("*.md")) for ln in p.read_text(encoding="utf-8").splitlines() if ln.strip()
        )
        garbled = base / "garbled.md"
        with garbled.open("w", encoding="utf-8") as out:
            while out.tell() < 9_000_000:
                out.write(garble(clean) + "\n")
        run("9 MB of mojibake", [garbled])


if __name__ == "__main__":
    main()
