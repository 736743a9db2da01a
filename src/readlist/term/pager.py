"""Lines to the terminal, through a pager ($PAGER, default `less -R`) once they outgrow the screen."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterable
from typing import TextIO


def pager_command(enabled: bool) -> list[str] | None:
    """The pager to use, or None: not a terminal, --no-pager, TERM=dumb, or PAGER set to nothing/cat."""
    if not enabled or not sys.stdout.isatty() or os.environ.get("TERM") == "dumb":
        return None
    import shlex  # here, not at the top: only a run on a terminal pages (keeps startup fast)

    value = os.environ.get("READLIST_PAGER", os.environ.get("PAGER", "less -R"))
    try:
        argv = shlex.split(value)
    except ValueError:
        return None
    if not argv or argv[0] == "cat" or shutil.which(argv[0]) is None:
        return None
    return argv


def screen_height() -> int:
    try:
        return os.get_terminal_size(sys.stdout.fileno()).lines
    except (OSError, ValueError):
        return 24


def emit(lines: Iterable[str], *, pager: bool = True) -> None:
    """Write lines; the first screen is held back only until it is known to overflow, then paged."""
    argv = pager_command(pager)
    if argv is None:
        _write_all(lines, sys.stdout)
        return
    limit = screen_height() - 1
    held: list[str] = []
    rest = iter(lines)
    for line in rest:
        held.append(line)
        if len(held) > limit:
            break
    else:
        _write_all(held, sys.stdout)
        return
    _page(argv, held, rest)


def _page(argv: list[str], held: list[str], rest: Iterable[str]) -> None:
    env = dict(os.environ)
    env.setdefault("LESS", "FRX")  # quit if one screen, keep colours, leave the text on screen (as git does)
    sys.stdout.flush()
    proc = subprocess.Popen(argv, stdin=subprocess.PIPE, env=env, text=True, encoding="utf-8", errors="replace")
    assert proc.stdin is not None
    try:
        proc.stdin.write("\n".join(held) + "\n")
        proc.stdin.flush()  # the first screen shows now, while the rest is still being drawn
        chunk: list[str] = []
        for line in rest:
            chunk.append(line)
            if len(chunk) >= 512:
                proc.stdin.write("\n".join(chunk) + "\n")
                chunk.clear()
        if chunk:
            proc.stdin.write("\n".join(chunk) + "\n")
        proc.stdin.close()
    except (BrokenPipeError, OSError):
        pass  # the reader quit the pager early: that is not an error
    try:
        proc.wait()
    except KeyboardInterrupt:
        proc.wait()


def _write_all(lines: Iterable[str], stream: TextIO) -> None:
    chunk: list[str] = []
    for line in lines:
        chunk.append(line)
        if len(chunk) >= 1024:
            stream.write("\n".join(chunk) + "\n")
            chunk.clear()
    if chunk:
        stream.write("\n".join(chunk) + "\n")
    stream.flush()
