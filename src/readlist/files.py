"""Local files an item may point at: only real PDFs on this machine, whatever an imported record claims."""

from __future__ import annotations

import os
from collections.abc import Collection
from pathlib import Path


def is_pdf(path: str | Path) -> bool:
    """A regular file that starts like a PDF (`%PDF-`): an import naming /etc/passwd attaches nothing."""
    try:
        candidate = Path(path)
        if not candidate.is_absolute() or not candidate.is_file():
            return False
        with candidate.open("rb") as handle:
            return handle.read(5) == b"%PDF-"
    except (OSError, ValueError):  # unreadable, or a path with a NUL in it
        return False


def files_under(folder: Path, suffixes: Collection[str]) -> list[Path]:
    """Files under `folder` ending in one of `suffixes` (lower case), sorted. Hidden folders (`.git`, `.cache`,
    `.venv` …) are skipped, as fd and ripgrep do, and symlinked folders are not followed: `add ~` looks
    through a home folder's papers, not through every installed package (a walk of 13 s)."""
    found: list[Path] = []
    for root, dirs, names in os.walk(folder):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        found += [Path(root, n) for n in names if Path(n).suffix.lower() in suffixes and Path(root, n).is_file()]
    return sorted(found)
