"""`readlist import` at scale: 5/25/50 MB as one file and as a folder, 43 MB of one repeated link line, a 1 MB
paragraph of links and 9 MB of mojibake — wall time, MB/s and peak memory of the whole process tree
(ru_maxrss of the children), next to a floor (an interpreter that imports typer, rich and sqlite3) measured
in the same run.

    python benchmarks/import_scale.py --mb 5 25 50
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from benchmarks.import_speed import synthetic_corpus  # noqa: E402
from benchmarks.timing import FLOOR, READLIST  # noqa: E402
from tests.garble import garble  # noqa: E402


def measure(cmd: list[str], env: dict[str, str] | None = None) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of one command, in a fresh child so ru_maxrss is its own."""
    probe = (
        "import resource, subprocess, sys, time, json\n"
        "t = time.perf_counter()\n"
        "subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL)\n"
        "print(json.dumps([time.perf_counter() - t, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss]))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe, *cmd], env={**os.environ, **(env or {})}, capture_output=True, text=True
    )
    if out.returncode:
        raise SystemExit(out.stderr)
    import json

    wall, rss = json.loads(out.stdout.strip().splitlines()[-1])
    return wall, rss / 1024


def one_file(folder: Path, path: Path) -> int:
    with path.open("wb") as out:
        for part in sorted(folder.iterdir()):
            out.write(part.read_bytes() + b"\n")
    return path.stat().st_size


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mb", type=float, nargs="*", default=[5, 25, 50])
    args = parser.parse_args()
    floor, floor_rss = measure(FLOOR)
    print(f"floor ({' '.join(FLOOR[2:])}): {floor:.2f} s, {floor_rss:.0f} MB")
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)

        def run(label: str, paths: list[Path], size: int) -> None:
            db = base / f"{label.replace(' ', '_')}.db"
            wall, rss = measure([READLIST, "import", *map(str, paths)], {"READLIST_DB": str(db)})
            print(f"{label:34} {size / 1e6:6.1f} MB  {wall:6.1f} s  {size / 1e6 / wall:5.2f} MB/s  peak {rss:5.0f} MB")

        notes = ROOT / "data" / "notes"
        run("four shipped notes", [notes], sum(p.stat().st_size for p in notes.iterdir()))
        for mb in args.mb:
            folder = base / f"folder{mb}"
            folder.mkdir()
            size = synthetic_corpus(folder, mb)
            run(f"folder of {mb:g} MB", [folder], size)
            single = base / f"single{mb}.md"
            run(f"one file of {mb:g} MB", [single], one_file(folder, single))
        line = "- [A paper](https://arxiv.org/abs/2401.00001) 读过，很好 https://github.com/a/b\n"
        repeated = base / "repeated.md"
        repeated.write_text(line * (43_000_000 // len(line.encode())), encoding="utf-8")
        run("43 MB of one repeated line", [repeated], repeated.stat().st_size)
        para = base / "paragraph.md"
        para.write_text(
            " ".join(f"[p{i}](https://arxiv.org/abs/2401.{i % 90000 + 10000:05d}) 说明" for i in range(20000)), "utf-8"
        )
        run("1 line of 20k links", [para], para.stat().st_size)
        clean = "\n".join(
            ln for p in sorted(notes.glob("*.md")) for ln in p.read_text(encoding="utf-8").splitlines() if ln.strip()
        )
        garbled = base / "garbled.md"
        with garbled.open("w", encoding="utf-8") as out:
            while out.tell() < 9_000_000:
                out.write(garble(clean) + "\n")
        run("9 MB of mojibake", [garbled], garbled.stat().st_size)


if __name__ == "__main__":
    main()
