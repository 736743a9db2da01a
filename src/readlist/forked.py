"""A second process for pure, GIL-bound work (parsing markdown, building index text), so two cores work.

The helper is forked: it already holds the work function, so only payloads and results cross, through an
unlinked temporary file, the pipe carrying only where they are (tiny messages: neither side ever blocks
writing while the other one writes too). Anything unexpected in the helper (it died, the work raised) makes
the caller do that item itself, so results and errors are exactly those of doing it all in one process.
"""

from __future__ import annotations

import contextlib
import gc
import os
import pickle
import signal
import tempfile
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from multiprocessing import Pipe
from multiprocessing.connection import Connection
from typing import Generic, TypeVar

In = TypeVar("In")
Out = TypeVar("Out")
AHEAD = 6  # items the helper holds at once: it is never idle, and only a few sit in memory


class _Channel:
    """One direction of traffic: payloads in a temporary file, their place through the pipe."""

    def __init__(self) -> None:
        self.file = tempfile.TemporaryFile(prefix="readlist-helper-")  # noqa: SIM115 (closed with the helper)
        self.at = 0  # the writer's end of the file

    def put(self, conn: Connection, payload: object) -> None:
        data = pickle.dumps(payload, protocol=pickle.HIGHEST_PROTOCOL)
        os.pwrite(self.file.fileno(), data, self.at)
        conn.send((self.at, len(data)))
        self.at += len(data)

    def get(self, conn: Connection) -> object:
        at, size = conn.recv()
        return pickle.loads(os.pread(self.file.fileno(), size, at))


class Helper(Generic[In, Out]):
    """A forked process applying `work` to what it is sent, in order; `close` ends it."""

    def __init__(self, work: Callable[[In], Out]) -> None:
        self.work = work
        self.conn: Connection | None = None
        self.out, self.back = _Channel(), _Channel()
        mine, theirs = Pipe()
        pid = os.fork()
        if pid == 0:  # the helper: never returns
            mine.close()
            _serve(work, theirs, self.out, self.back)
        theirs.close()
        self.pid, self.conn = pid, mine

    def send(self, item: In) -> bool:
        if self.conn is None:
            return False
        try:
            self.out.put(self.conn, item)
        except (OSError, ValueError, pickle.PicklingError):
            self.close()
            return False
        return True

    def receive(self) -> tuple[Out] | None:
        """The result of the oldest item sent (in a 1-tuple), or None if the helper could not do it."""
        if self.conn is None:
            return None
        try:
            answer = self.back.get(self.conn)
        except (EOFError, OSError, pickle.UnpicklingError):
            self.close()
            return None
        return answer if isinstance(answer, tuple) else None

    def close(self) -> None:
        if self.conn is None:
            return
        self.conn.close()
        self.conn = None
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.pid, signal.SIGKILL)
        with contextlib.suppress(ChildProcessError):
            os.waitpid(self.pid, 0)
        self.out.file.close()
        self.back.file.close()


def start(work: Callable[[In], Out]) -> Helper[In, Out] | None:
    """A helper, or None where processes cannot be forked."""
    return Helper(work) if hasattr(os, "fork") else None


def _serve(work: Callable[[In], Out], conn: Connection, inbox: _Channel, outbox: _Channel) -> None:
    """The helper's whole life: work on what comes until the caller goes away, then exit without cleanup.
    What the caller held is frozen out of the collector: no finaliser may run on it in this copy of the
    process (a database connection would say goodbye to its server)."""
    try:
        gc.freeze()
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        while True:
            try:
                item: In = inbox.get(conn)  # type: ignore[assignment]
            except EOFError:
                break
            try:
                result: tuple[Out] | None = (work(item),)
            except Exception:  # noqa: BLE001 (the caller does this item again and raises it itself)
                result = None
            outbox.put(conn, result)
    finally:
        os._exit(0)


def in_order(
    items: Iterable[In], work: Callable[[In], Out], helper: Helper[In, Out] | None, ahead: int = AHEAD
) -> Iterator[tuple[In, Out]]:
    """Each item with its result, in order: the helper takes items while it holds fewer than `ahead`, this
    process does the rest (so both stay busy whichever is faster)."""
    if helper is None:
        for item in items:
            yield item, work(item)
        return
    waiting: deque[tuple[In, tuple[Out] | None]] = deque()  # None: with the helper
    out = 0  # items with the helper
    for item in items:
        if out < ahead and helper.send(item):
            waiting.append((item, None))
            out += 1
        else:
            waiting.append((item, (work(item),)))
        while waiting and (waiting[0][1] is not None or len(waiting) > ahead + 1):
            first, done = waiting.popleft()
            if done is None:
                done, out = helper.receive(), out - 1
            yield first, (done or (work(first),))[0]
    while waiting:
        first, done = waiting.popleft()
        yield first, (done or helper.receive() or (work(first),))[0]
