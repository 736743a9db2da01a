"""Running readlist as a process that permission bits hold: root ignores them, so a test of a read-only library
run as root proves nothing.

As root, the child becomes `nobody` (uid 65534) when nobody can run this Python; where the interpreter lives
in a folder only root may enter (/root/.pyenv), the child stays root but without the capabilities that let root
ignore permission bits (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, CAP_FOWNER, dropped from its bounding set before
exec), so a 0444 file and a 0555 folder are read-only to it as to anyone. Not root: permission bits already
hold.
"""

from __future__ import annotations

import ctypes
import functools
import os
import subprocess
import sys
from collections.abc import Callable

NOBODY = 65534
PR_CAPBSET_DROP = 24
DAC_CAPABILITIES = (1, 2, 3)  # CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, CAP_FOWNER
CLI = "import sys; from readlist.cli import main; sys.argv[0] = 'readlist'; main()"


def _as_nobody() -> None:
    os.setgroups([])
    os.setgid(NOBODY)
    os.setuid(NOBODY)


def _without_dac_override() -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    for capability in DAC_CAPABILITIES:
        if libc.prctl(PR_CAPBSET_DROP, capability, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")


def _works(preexec: Callable[[], None]) -> bool:
    probe = (
        "import os, readlist\n"
        "caps = [l for l in open('/proc/self/status') if l.startswith('CapEff')][0].split()[1]\n"
        "assert os.getuid() != 0 or not int(caps, 16) & 0b1110"
    )
    try:
        done = subprocess.run([sys.executable, "-c", probe], preexec_fn=preexec, capture_output=True, timeout=60)
    except OSError:
        return False
    return done.returncode == 0


@functools.cache
def demotion() -> tuple[str, Callable[[], None] | None] | None:
    """(how, preexec_fn) that makes a child held by permission bits; None when this machine offers none."""
    if os.geteuid() != 0:
        return ("not root", None)
    if _works(_as_nobody):
        return ("nobody", _as_nobody)
    if _works(_without_dac_override):
        return ("root without CAP_DAC_OVERRIDE", _without_dac_override)
    return None


def run_held(args: list[str], env: dict[str, str], timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """`readlist *args` in a child process that permission bits hold (see `demotion`)."""
    found = demotion()
    assert found is not None, "no way to run a process that permission bits hold"
    return subprocess.run(
        [sys.executable, "-c", CLI, *args],
        preexec_fn=found[1],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, **env},
    )
