"""Per-host request spacing shared by every readlist process: one small locked file per host in the state dir."""

from __future__ import annotations

import hashlib
import os
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path

Spacer = Callable[[str, float], float]  # (host key, min interval) → seconds to wait before sending


class FileSpacer:
    """Books the next free moment for a host in `<dir>/<host>.next` under an exclusive lock.

    The booking takes microseconds and nobody holds the lock while waiting or while the request is in flight,
    so two processes asking at once get slots `interval` apart instead of both going at once.
    """

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def __call__(self, host: str, interval: float) -> float:
        self.directory.mkdir(parents=True, exist_ok=True)
        name = re.sub(r"[^A-Za-z0-9.-]", "_", host)
        if len(name) > 80 or name != host:  # a URL as the key (a feed's own limit)
            name = name[:60] + "-" + hashlib.sha256(host.encode()).hexdigest()[:16]
        path = self.directory / (name + ".next")
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            _lock(fd)
            raw = os.pread(fd, 64, 0)
            try:
                booked = float(raw.decode() or 0)
            except ValueError:  # a damaged file books from now
                booked = 0.0
            now = time.time()
            slot = max(now, min(booked, now + 3600))  # a clock that jumped back never blocks for long
            data = repr(slot + interval).encode()
            os.ftruncate(fd, 0)
            os.pwrite(fd, data, 0)
            return slot - now
        finally:
            os.close(fd)  # also releases the lock


def _lock(fd: int) -> None:
    if sys.platform == "win32":  # msvcrt locks a byte range
        import msvcrt

        msvcrt.locking(fd, msvcrt.LK_LOCK, 1)
    else:
        import fcntl

        fcntl.flock(fd, fcntl.LOCK_EX)


def default_spacer() -> FileSpacer:
    from readlist import config

    return FileSpacer(config.state_dir() / "hosts")
