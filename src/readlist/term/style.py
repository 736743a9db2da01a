"""ANSI styles, only when colour is wanted: a terminal, no NO_COLOR, TERM not dumb (FORCE_COLOR forces)."""

from __future__ import annotations

import os
import sys
from typing import TextIO

_SGR = {
    "bold": "1",
    "dim": "2",
    "italic": "3",
    "underline": "4",
    "reverse": "7",
    "red": "31",
    "green": "32",
    "yellow": "33",
    "blue": "34",
    "magenta": "35",
    "cyan": "36",
}


def color_wanted(stream: TextIO | None = None) -> bool:
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    if os.environ.get("TERM") == "dumb":
        return False
    stream = stream or sys.stdout
    return bool(getattr(stream, "isatty", lambda: False)())


def paint(text: str, spec: str, color: bool) -> str:
    """`text` wrapped in the SGR codes of `spec` ("bold yellow"); unchanged without colour or spec."""
    if not color or not spec or not text:
        return text
    codes = ";".join(_SGR[w] for w in spec.split() if w in _SGR)
    return f"\x1b[{codes}m{text}\x1b[0m" if codes else text
