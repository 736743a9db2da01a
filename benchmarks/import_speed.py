"""`readlist import` speed: the four shipped notes, and a synthetic corpus of the notes repeated with varied
arXiv IDs and URLs (default 50 MB). Reports wall time, MB/s and peak memory (ru_maxrss of the child)."""

from __future__ import annotations

import argparse
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from benchmarks.timing import READLIST  # noqa: E402

NOTES = ROOT / "data" / "notes"
ARXIV = re.compile(r"(\d{2})(\d{2})\.(\d{4,5})")


def _shifted(m: re.Match[str], copy: int) -> str:
    return f"{m.group(1)}{m.group(2)}.{(int(m.group(3)) + copy * 7) % 90000 + 10000:05d}"


def synthetic_corpus(folder: Path, megabytes: float) -> int:
    """Copies of the notes, each with its own arXiv IDs and URLs, so every copy adds new items."""
    texts = [p.read_text(encoding="utf-8") for p in sorted(NOTES.iterdir())]
    written, copy = 0, 0
    while written < megabytes * 1e6:
        copy += 1
        for n, text in enumerate(texts):
            varied = ARXIV.sub(partial(_shifted, copy=copy), text)
            varied = varied.replace("zhuanlan.zhihu.com/p/", f"zhuanlan.zhihu.com/p/{copy}0")
            varied = varied.replace("github.com/", f"github.com/c{copy}-")
            varied = varied.replace("mp.weixin.qq.com/s/", f"mp.weixin.qq.com/s/{copy}")
            path = folder / f"copy{copy:03d}_{n}.md"
            path.write_text(varied, encoding="utf-8")
            written += path.stat().st_size
    return written


def timed_import(paths: list[str], db: Path) -> tuple[float, float]:
    start = time.perf_counter()
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    subprocess.run(
        [READLIST, "import", *paths], env={**os.environ, "READLIST_DB": str(db)}, check=True, stdout=subprocess.DEVNULL
    )
    wall = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return wall, max(peak, before) / 1024


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mb", type=float, nargs="*", default=[5, 50])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        size = sum(p.stat().st_size for p in NOTES.iterdir()) / 1e6
        wall, peak = timed_import([str(NOTES)], Path(tmp) / "notes.db")
        print(f"four notes ({size:.2f} MB): {wall:.2f} s, peak RSS {peak:.0f} MB")
        for mb in args.mb:
            folder = Path(tmp) / f"corpus{mb}"
            folder.mkdir()
            written = synthetic_corpus(folder, mb) / 1e6
            wall, peak = timed_import([str(folder)], Path(tmp) / f"c{mb}.db")
            print(f"synthetic {written:.1f} MB: {wall:.1f} s = {written / wall:.2f} MB/s, peak RSS {peak:.0f} MB")


if __name__ == "__main__":
    main()
