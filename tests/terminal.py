"""Run the installed readlist in a real pseudo-terminal of a given size and read the screen with pyte."""

from __future__ import annotations

import fcntl
import os
import pty
import select
import struct
import subprocess
import termios
import time
from dataclasses import dataclass

import pyte

from tests.conftest import READLIST


@dataclass
class Screen:
    lines: list[str]  # what a person sees, right-trimmed, trailing blank lines dropped
    raw: bytes  # the bytes the program wrote (escape sequences included)
    code: int


def in_terminal(
    *args: str,
    width: int,
    height: int = 60,
    env: dict[str, str] | None = None,
    timeout: float = 60,
    reported_width: int | None = None,
) -> Screen:
    """`reported_width`: what the terminal tells the program, when not `width` (0, as under `script`)."""
    master, slave = pty.openpty()
    told = width if reported_width is None else reported_width
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", height, told, 0, 0))
    environment = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES", "NO_COLOR")}
    environment.update({"TERM": "xterm-256color", "PAGER": "", **(env or {})})
    proc = subprocess.Popen([READLIST, *args], stdin=slave, stdout=slave, stderr=slave, env=environment)
    os.close(slave)
    chunks: list[bytes] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([master], [], [], 0.2)
        if ready:
            try:
                data = os.read(master, 65536)
            except OSError:  # the child closed the terminal
                break
            if not data:
                break
            chunks.append(data)
        elif proc.poll() is not None:
            break
    os.close(master)
    code = proc.wait(timeout=10)
    raw = b"".join(chunks)
    screen = pyte.Screen(width, height)
    stream = pyte.ByteStream(screen)
    stream.feed(raw.replace(b"\n", b"\r\n") if b"\r\n" not in raw else raw)
    lines = [line.rstrip() for line in screen.display]
    while lines and not lines[-1]:
        lines.pop()
    return Screen(lines, raw, code)
