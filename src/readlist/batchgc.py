"""The garbage collector set for batch work (a big import): what exists is frozen out of it, and the young
generation is collected every 20,000 allocations instead of 700."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

THRESHOLDS = (20_000, 20, 20)


@contextmanager
def batch_work() -> Iterator[None]:
    """An import allocates millions of short-lived objects (tokens, drafts, rows): with the default thresholds
    the collector took a fifth of reading and nearly half of writing, mostly re-scanning objects that live
    for the whole run (measured on 5 MB of notes: 0.54 -> 0.19 s reading, 0.85 -> 0.08 s writing). Forked
    readers and helpers inherit the setting; the previous one is restored afterwards."""
    before = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(*THRESHOLDS)
    try:
        yield
    finally:
        gc.set_threshold(*before)
        gc.unfreeze()
