"""Handing an address to the user's browser (the CLI's `open`; a front-end concern, not a library one)."""

from __future__ import annotations

import os
import sys
from pathlib import Path


def _has_display() -> bool:
    if sys.platform in ("darwin", "win32"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def launch(where: str) -> bool:
    """Open in the browser ($BROWSER first, as the webbrowser module does); False when there is none to use.

    Without $BROWSER and without a display, a terminal browser would take over the terminal, so the caller
    prints the address instead."""
    if not os.environ.get("BROWSER") and not _has_display():
        return False
    import webbrowser

    uri = Path(where).resolve().as_uri() if not where.startswith(("http://", "https://")) else where
    try:
        return webbrowser.open(uri)
    except webbrowser.Error:
        return False
