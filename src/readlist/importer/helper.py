"""A second process that parses markdown chunks for a reader, so one big file uses both cores.

markdown-it is two thirds of reading a notes file and holds the GIL. A file has one reader (its chunks carry
heading state from one to the next), but parsing a chunk into blocks needs none of that state: the helper
parses chunks the reader hands it, the reader parses the others itself and walks the blocks in file order.
The blocks are the same whoever parsed them; anything unexpected in the helper (it died, it raised) makes
the reader parse that chunk itself, so errors surface exactly as in a serial read.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import signal
import tempfile
from collections import deque
from collections.abc import Iterable, Iterator
from multiprocessing import Pipe
from multiprocessing.connection import Connection
from typing import cast

from readlist.importer.chunks import Chunk
from readlist.importer.markdown import Block, parse

AHEAD = 2  # chunks the helper holds at once: it is never idle, and at most a few chunks sit in memory


class _Channel:
    """One direction of traffic: payloads go through an unlinked temporary file, the pipe carries only where
    they are. Pipe messages stay tiny, so neither side ever blocks writing while the other one writes too."""

    def __init__(self) -> None:
        self.file = tempfile.TemporaryFile(prefix="readlist-parse-")  # noqa: SIM115 (closed with the helper)
        self.at = 0  # the writer's end of the file

    def put(self, conn: Connection, payload: object) -> None:
        data = pickle.dumps(payload, protocol=pickle.HIGHEST_PROTOCOL)
        os.pwrite(self.file.fileno(), data, self.at)
        conn.send((self.at, len(data)))
        self.at += len(data)

    def get(self, conn: Connection) -> object:
        at, size = conn.recv()
        return pickle.loads(os.pread(self.file.fileno(), size, at))


class Helper:
    """A forked parser of chunks; `close` ends it."""

    def __init__(self) -> None:
        self.conn: Connection | None = None
        self.out, self.back = _Channel(), _Channel()
        mine, theirs = Pipe()
        pid = os.fork()
        if pid == 0:  # the helper: never returns
            mine.close()
            _serve(theirs, self.out, self.back)
        theirs.close()
        self.pid, self.conn = pid, mine

    def send(self, chunk: Chunk) -> bool:
        if self.conn is None:
            return False
        try:
            self.out.put(self.conn, (chunk.text, chunk.first_line))
        except (OSError, ValueError):
            self.close()
            return False
        return True

    def receive(self) -> list[Block] | None:
        """The blocks of the oldest chunk sent, or None if the helper could not parse it."""
        if self.conn is None:
            return None
        try:
            answer = self.back.get(self.conn)
        except (EOFError, OSError, pickle.UnpicklingError):
            self.close()
            return None
        return answer if isinstance(answer, list) else None

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


def _serve(conn: Connection, inbox: _Channel, outbox: _Channel) -> None:
    """The helper's whole life: parse what comes until the reader goes away, then exit without cleanup."""
    try:
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        while True:
            try:
                text, first_line = cast(tuple[str, int], inbox.get(conn))
            except EOFError:
                break
            try:
                blocks: list[Block] | None = parse(text, first_line)
            except Exception:  # noqa: BLE001 (the reader parses this chunk again and raises it itself)
                blocks = None
            outbox.put(conn, blocks)
    finally:
        os._exit(0)


def parse_chunks(chunks: Iterable[Chunk], helper: Helper | None) -> Iterator[tuple[Chunk, list[Block]]]:
    """Each chunk with its blocks, in order, parsed as if alone (no heading seen before it): the helper takes
    chunks while it has room, this process parses the rest."""
    if helper is None:
        for chunk in chunks:
            yield chunk, parse(chunk.text, chunk.first_line)
        return
    waiting: deque[tuple[Chunk, list[Block] | None]] = deque()  # None: with the helper
    out = 0  # chunks with the helper
    for chunk in chunks:
        if out < AHEAD and helper.send(chunk):
            waiting.append((chunk, None))
            out += 1
        else:
            waiting.append((chunk, parse(chunk.text, chunk.first_line)))
        while waiting and (waiting[0][1] is not None or len(waiting) > AHEAD + 1):
            chunk, blocks = waiting.popleft()
            if blocks is None:
                blocks, out = helper.receive(), out - 1
                blocks = parse(chunk.text, chunk.first_line) if blocks is None else blocks
            yield chunk, blocks
    while waiting:
        chunk, blocks = waiting.popleft()
        if blocks is None:
            blocks = helper.receive()
            blocks = parse(chunk.text, chunk.first_line) if blocks is None else blocks
        yield chunk, blocks
