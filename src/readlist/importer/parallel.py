"""Reading notes in forked processes while the parent opens the library.

Parsing (markdown, mojibake repair) is pure Python and holds the GIL, so the two cores are used by processes:
up to two readers, each parsing its share of the files into its own spool, while the parent opens the library
(imports SQLAlchemy, checks the schema). The parent then replays the spools in file order, so what is written
is exactly what a serial read would write. Anything unexpected in a reader (it died, sent nothing) makes the
parent read everything itself, so errors surface exactly as in a serial read.
"""

from __future__ import annotations

import contextlib
import heapq
import os
import signal
from collections.abc import Iterator
from multiprocessing import Pipe
from multiprocessing.connection import Connection, wait
from pathlib import Path

from readlist.importer.helper import Helper, parser
from readlist.importer.reading import FileReport, Progress, Spool, parse_file, read_all
from readlist.store.records import ItemDraft

MIN_BYTES = 1 << 20  # below this, a fork costs more than it saves
READERS = 2  # the machines readlist runs on have two cores or more
Batch = tuple[int, int, list[ItemDraft]]


def shares(sizes: list[int], ways: int) -> list[list[int]]:
    """File indices split into `ways` groups of about equal bytes (largest first), each in file order."""
    groups: list[list[int]] = [[] for _ in range(ways)]
    loads = [0] * ways
    for index in sorted(range(len(sizes)), key=lambda i: (-sizes[i], i)):
        least = loads.index(min(loads))
        groups[least].append(index)
        loads[least] += sizes[index]
    return [sorted(g) for g in groups if g]


class Reading:
    """Files being read: in forked readers when that pays, else in this process when `result` is asked."""

    def __init__(self, files: list[Path], extra_tags: list[str]) -> None:
        self.files, self.extra_tags = files, extra_tags
        self.sizes = [p.stat().st_size for p in files]
        self.readers: list[tuple[int, Connection, Spool]] = []
        self.spools: list[Spool] = []
        if hasattr(os, "fork") and sum(self.sizes) >= MIN_BYTES:
            groups = shares(self.sizes, min(READERS, len(files)))
            for group in groups:
                self._fork(group, helped=len(groups) < READERS)

    def _fork(self, group: list[int], helped: bool) -> None:
        spool = Spool()
        self.spools.append(spool)
        receive, send = Pipe(duplex=False)
        pid = os.fork()
        if pid == 0:  # the reader: never returns
            receive.close()
            _read_share(self.files, self.sizes, group, self.extra_tags, spool, send, helped)
        send.close()
        self.readers.append((pid, receive, spool))

    def result(self, progress: Progress | None) -> tuple[list[FileReport], Iterator[Batch]]:
        """Every file's report and its batches in file order (waits for the readers, showing their progress)."""
        if self.readers:
            done = self._collect(progress)
            if done is not None:
                return done
            self.close()  # a reader failed: read everything here, so its error is raised as usual
        spool = Spool()
        self.spools.append(spool)
        return read_all(self.files, self.extra_tags, spool, progress), iter(spool)

    def _collect(self, progress: Progress | None) -> tuple[list[FileReport], Iterator[Batch]] | None:
        total = sum(self.sizes)
        at = {conn: 0 for _, conn, _ in self.readers}
        reports: dict[int, FileReport] = {}
        waiting = {conn: spool for _, conn, spool in self.readers}
        while waiting:
            for conn in wait(list(waiting)):
                assert isinstance(conn, Connection)
                try:
                    message = conn.recv()
                except EOFError:
                    return None
                if message[0] == "at":
                    at[conn] = message[1]
                    if progress:
                        progress(sum(at.values()), total)
                elif message[0] == "done":
                    reports.update(message[1])
                    waiting.pop(conn).batches = message[2]
                else:
                    return None
        self._reap()
        merged = heapq.merge(*(iter(spool) for _, _, spool in self.readers), key=lambda batch: batch[0])
        return [reports[i] for i in range(len(self.files))], merged

    def _reap(self) -> None:
        for pid, conn, _ in self.readers:
            conn.close()
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, 0)
        self.readers = [(0, conn, spool) for _, conn, spool in self.readers]

    def close(self) -> None:
        """Stop readers still running (Ctrl-C, an error in the parent) and drop the spools."""
        for pid, conn, _ in self.readers:
            if pid:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
                with contextlib.suppress(ChildProcessError):
                    os.waitpid(pid, 0)
            conn.close()
        self.readers = []
        for spool in self.spools:
            spool.close()
        self.spools = []


def _read_share(
    files: list[Path],
    sizes: list[int],
    group: list[int],
    extra_tags: list[str],
    spool: Spool,
    send: Connection,
    helped: bool,
) -> None:
    """A reader's whole life: parse its files, spool the drafts, send the reports, exit without cleanup
    (the parent's open connections and files are the parent's). A lone reader (one file) gets a helper
    process for markdown parsing, so the second core works too."""
    code = 1
    helper: Helper | None = None
    try:
        signal.signal(signal.SIGINT, signal.SIG_DFL)  # Ctrl-C ends a reader at once; the parent reports it
        helper = parser() if helped else None
        offsets = [sum(sizes[:i]) for i in range(len(files))]
        reports: dict[int, FileReport] = {}
        read = 0
        for index in group:

            def emit(drafts: list[ItemDraft], done: int, index: int = index, before: int = read) -> None:
                spool.put(index, drafts, offsets[index] + done)
                send.send(("at", before + done))

            reports[index] = parse_file(files[index], extra_tags, emit, helper)
            read += sizes[index]
        spool.file.flush()
        send.send(("done", reports, spool.batches))
        code = 0
    except BaseException:  # noqa: BLE001 (the parent reads again and reports whatever this was)
        with contextlib.suppress(Exception):
            send.send(("failed",))
    finally:
        if helper is not None:
            helper.close()
        os._exit(code)
