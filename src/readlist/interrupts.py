"""Ctrl-C held back while work that must finish whole runs (a commit, an index merge): blocked, not lost."""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager


class CtrlCHeld:
    """Ctrl-C held back (blocked, not lost) between `hold` and `release`, so it lands before or after."""

    def __init__(self) -> None:
        self.before: set[int | signal.Signals] | None = None

    def hold(self) -> None:
        if hasattr(signal, "pthread_sigmask") and threading.current_thread() is threading.main_thread():
            self.before = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})

    def release(self) -> None:
        if self.before is not None:
            signal.pthread_sigmask(signal.SIG_SETMASK, self.before)
            self.before = None


@contextmanager
def ctrl_c_held() -> Iterator[None]:
    """The block runs whole; a Ctrl-C that came meanwhile is raised when it ends."""
    held = CtrlCHeld()
    held.hold()
    try:
        yield
    finally:
        held.release()
