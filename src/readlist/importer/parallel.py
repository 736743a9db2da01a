"""Reading notes in forked processes while the parent opens the library and writes what they have read.

Parsing (markdown, mojibake repair) is pure Python and holds the GIL, so the two cores are used by processes:
up to two readers, each parsing its share of the files into its own spool, while the parent opens the library
(imports SQLAlchemy, checks the schema) and then merges each batch, in file order, as soon as it is spooled
(see Feed), so what is written is exactly what a serial read would write. Anything unexpected in a reader (it
died, sent nothing) makes the parent read everything itself, so errors surface exactly as in a serial read.
"""

from __future__ import annotations

import contextlib
import dataclasses
import itertools
import math
import os
import signal
from collections import deque
from collections.abc import Iterator
from multiprocessing import Pipe
from multiprocessing.connection import Connection, wait
from pathlib import Path

from readlist.errors import ReadlistError
from readlist.importer.helper import Helper, parser
from readlist.importer.reading import FileReport, Progress, Spool, parse_file, read_all, read_each
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
    """Files being read: in forked readers when that pays, else in this process when the first batch is asked for."""

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

    def result(self, progress: Progress | None) -> tuple[list[FileReport], Feed]:
        """Every file's report and its batches in file order, once everything is read (a dry run, tests)."""
        feed = self.stream(progress)
        feed.wait(math.inf)
        if feed.here:
            feed.read_here(whole=True)
        return feed.reports, feed

    def stream(self, progress: Progress | None) -> Feed:
        """The batches in file order as the readers spool them (see Feed)."""
        return Feed(self, progress)

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


WRITTEN = {"new", "merged", "unchanged", "removed", "restored", "conflicts", "differed", "drafts"}  # a report's
# fields the write phase fills: the rest come from reading the file


class Feed:
    """The readers' batches in file order, each handed on as soon as its reader has spooled it (and at most one
    reader is still reading), so the parent merges file 0's first batches while the rest is still parsed. A reader
    tells the parent where each batch lies in its spool (the parent preads it: the spool's file offset is shared
    across the fork) and sends each file's report when the file is read; `reports` starts with each file's path
    and size (all the write phase needs) and is completed from those. If a reader fails or dies, everything is
    read again here, so errors are raised exactly as a serial read raises them, and the batches already handed on
    are skipped (a file's batches come again the same). Without readers, everything is read here at the first
    batch asked for."""

    def __init__(self, reading: Reading, progress: Progress | None) -> None:
        self.reading, self.progress = reading, progress
        files, sizes = reading.files, reading.sizes
        self.reports = [FileReport(str(p.resolve()), size=size) for p, size in zip(files, sizes, strict=True)]
        self.ends = list(itertools.accumulate(sizes))  # where each file ends in the input
        self.queued: list[deque[tuple[Spool, tuple[int, int], int]]] = [deque() for _ in files]  # and drafts
        self.read = [False] * len(files)  # its report came: all its batches are queued
        self.next = 0  # the file whose batches are handed on now
        self.given = 0  # batches handed on
        self.live = {conn: spool for _, conn, spool in reading.readers}
        self.at = dict.fromkeys(self.live, 0)  # bytes each reader has read
        self.here = not self.live  # read in this process (no readers, or one failed)
        self.serial: Iterator[Batch] | None = None
        self.in_hand = 0.0  # batches `serial` gives without parsing a file (never inside a transaction: ready)
        self.had_readers = bool(self.live)
        self.failed: ReadlistError | None = None  # what stopped reading file by file (see read_here)

    def __iter__(self) -> Feed:
        return self

    def __next__(self) -> Batch:
        while self.serial is None and not self.here:
            if self._at_end():
                raise StopIteration
            if self.queued[self.next] and self._one_reading():
                spool, place, _ = self.queued[self.next].popleft()
                self.given += 1
                batch: Batch = spool.get(place)
                return batch
            self._pump(None)
        if self.serial is None:
            self.read_here()
        assert self.serial is not None
        return next(self.serial)

    def _at_end(self) -> bool:
        """Past the files read whose batches were all handed on: whether none is left."""
        while self.next < len(self.queued) and self.read[self.next] and not self.queued[self.next]:
            self.next += 1
        return self.next == len(self.queued)

    def ready(self) -> bool:
        """Whether the next batch (or the end) is there without waiting: a write transaction waits on no reader."""
        if self.serial is not None:
            return self.in_hand > 0
        self._pump(0)
        return not self.here and self._one_reading() and (self._at_end() or bool(self.queued[self.next]))

    def _one_reading(self) -> bool:
        """Whether batches may be handed on: not while two readers read. Each holds its own mojibake models
        (~80 MB), and the parent grows as it writes: beside two readers, a 5 MB folder peaked at 315 MB summed."""
        return len(self.live) <= 1

    def ready_drafts(self) -> int:
        """The drafts spooled that can be merged without waiting (up to the first file still being read)."""
        count = 0
        for index in range(self.next, len(self.queued)):
            count += sum(drafts for _, _, drafts in self.queued[index])
            if not self.read[index]:
                break
        return count

    def wait(self, drafts: float) -> None:
        """Until this many drafts are ready to merge, or every file is read, or a reader failed."""
        while self.live and not self.here and (not self._one_reading() or self.ready_drafts() < drafts):
            self._pump(None)

    def read_here(self, whole: bool = False) -> None:
        """Read everything in this process (readers stopped), skipping the batches already handed on. Without
        readers from the start (a small import), or `whole`, everything is read before the first batch: an error
        writes nothing. After a reader failed, file by file: every file before one whose error stops the import
        is merged, however far the readers had got (`failed` holds the error, raised once that is committed)."""
        self.reading.close()
        self.live, self.here = {}, True
        if whole or not self.had_readers:
            spool = Spool()
            self.reading.spools.append(spool)
            reports = read_all(self.reading.files, self.reading.extra_tags, spool, self.progress)
            for mine, report in zip(self.reports, reports, strict=True):
                _complete(mine, report)
            self.serial, self.in_hand = itertools.islice(iter(spool), self.given, None), math.inf
        else:
            self.serial = itertools.islice(self._file_by_file(), self.given, None)

    def _file_by_file(self) -> Iterator[Batch]:
        try:
            for index, report, spool in read_each(self.reading.files, self.reading.extra_tags, self.progress):
                _complete(self.reports[index], report)
                self.in_hand = len(spool.places)
                for batch in spool:
                    self.in_hand -= 1
                    yield batch
        except ReadlistError as exc:
            self.failed = exc

    def _pump(self, timeout: float | None) -> None:
        """Take the readers' messages waiting (timeout 0), or wait for some."""
        if not self.live:  # every reader is done: a wait for more means a file is missing, so read here
            self.here = self.here or timeout is None
            return
        for conn in wait(list(self.live), timeout):
            assert isinstance(conn, Connection)
            spool = self.live[conn]
            while not self.here and self._take(conn, spool) and conn.poll():
                pass

    def _take(self, conn: Connection, spool: Spool) -> bool:
        """One message of a reader; whether it has more to say."""
        try:
            message = conn.recv()
        except (EOFError, OSError):
            message = ("failed",)
        kind = message[0]
        if kind == "at" or kind == "batch":
            if kind == "batch":
                _, index, drafts, read, at, size = message
                self.queued[index].append((spool, (at, size), drafts))
            else:
                read = message[1]
            self.at[conn] = read
            if self.progress:
                self.progress(sum(self.at.values()), self.ends[-1])
            return True
        if kind == "file":
            _complete(self.reports[message[1]], spool.get((message[2], message[3])))
            self.read[message[1]] = True
            return True
        if kind == "done":
            del self.live[conn]
        else:  # the reader failed: everything is read here, as a serial read would
            self.here = True
        return False


def _complete(mine: FileReport, read: FileReport) -> None:
    """A report the write phase fills, completed with what reading the file found."""
    for name in (f.name for f in dataclasses.fields(FileReport)):
        if name not in WRITTEN:
            setattr(mine, name, getattr(read, name))


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
        read = 0
        for index in group:

            def emit(drafts: list[ItemDraft], done: int, index: int = index, before: int = read) -> None:
                place = spool.put(index, drafts, offsets[index] + done)
                if place is None:
                    send.send(("at", before + done))
                else:  # the parent may merge it at once: it reads it from the spool at this place
                    send.send(("batch", index, len(drafts), before + done, *place))

            report = parse_file(files[index], extra_tags, emit, helper)
            send.send(("file", index, *spool.keep(report)))
            read += sizes[index]
        send.send(("done",))
        code = 0
    except BaseException:  # noqa: BLE001 (the parent reads again and reports whatever this was)
        with contextlib.suppress(Exception):
            send.send(("failed",))
    finally:
        if helper is not None:
            helper.close()
        os._exit(code)
