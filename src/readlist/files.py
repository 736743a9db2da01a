"""Local files an item may point at: only real PDFs on this machine, whatever an imported record claims."""

from __future__ import annotations

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
