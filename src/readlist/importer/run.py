"""`readlist import`: files → drafts, streamed to a spool with no transaction open → transactions of about a
second each that merge them, so other writers get in between (Ctrl-C keeps what was committed and says so);
a big import merges the batches its readers have spooled while they read on (parallel.py)."""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from readlist.errors import Interrupted, ReadlistError
from readlist.importer.reading import (
    FileReport,
    Progress,
    Spool,
    collect,
    list_repairs,
    read_all,
    read_file,
)
from readlist.interrupts import CtrlCHeld, ctrl_c_held
from readlist.store import index
from readlist.store.records import ItemDraft

__all__ = [
    "FileReport",
    "ImportTotals",
    "Spool",
    "collect",
    "import_files",
    "list_repairs",
    "merge_reports",
    "read_all",
    "read_file",
]

if TYPE_CHECKING:  # the store is imported only when writing, not when parsing
    from readlist.store.merge import Merger
    from readlist.store.txn import Tx
    from readlist.store.write import Store

_RANK = {"unchanged": 0, "merged": 1, "new": 2}
Batch = tuple[int, int, list[ItemDraft]]  # file index, input bytes done, drafts


@dataclass
class ImportTotals:
    """Distinct items over the whole import: an item in three files counts once."""

    new: int = 0
    merged: int = 0
    unchanged: int = 0
    skipped: int = 0
    differed: Counter[str] = field(default_factory=Counter)


class _DryRun(Exception):
    """Raised inside the transaction to roll back a --dry-run after counting."""


def _handle_removed(
    tx: Tx, merger: Merger, report: FileReport, drafts: list[ItemDraft], restore: bool, counted: set[str]
) -> list[ItemDraft]:
    """Drafts of removed items are dropped and counted, or (--restore-removed) their trash record comes back
    first and the file's draft merges into it. `counted` holds the removed keys already counted, so an item
    mentioned in many chunks or files counts once."""
    from readlist.store.merge import restore_tombstone

    removed = merger.removed([d.ref.key for d in drafts])
    if not removed:
        return drafts
    fresh = len(removed.keys() - counted)
    counted.update(removed)
    if restore:
        for tomb in {t.key: t for t in removed.values()}.values():  # two former keys of one item: once
            restore_tombstone(tx, merger, tomb)
        merger.preload(sorted(removed))  # a former key finds the item just restored
        report.restored += fresh
        return drafts
    report.removed += fresh
    return [d for d in drafts if d.ref.key not in removed]


COMMIT_SECONDS = 1.0  # a write transaction ends at the first batch past this: other writers wait no longer
SLICE = 1000  # drafts merged between two looks at the clock (a chunk of a big table holds thousands)
PAUSE_SECONDS = 0.15  # the lock is left free this long between transactions: more than SQLite's longest
# busy-wait sleep (100 ms), so a writer waiting meanwhile gets its turn (docs/architecture.md#long-imports)


@dataclass
class _Counted:
    """What the write phase learned, kept across its transactions."""

    # hash(key) → file index << 8 | kind << 2 | state (unchanged 0, merged 1, new 2: the strongest wins), where
    # the file is the one whose row counts it: ints, not tuples of the keys (URLs), at 300,000 items
    items: dict[int, int] = field(default_factory=dict)
    kinds: dict[str, int] = field(default_factory=dict)  # kind → its number in `items`
    removed: set[str] = field(default_factory=set)
    mentioned: set[int] = field(default_factory=set)  # hashes of (key, field, value) this import gives
    placed: set[int] = field(default_factory=set)  # the merger's file sections already given a source line
    indexed: int = 0  # search index entries written (unchanged items' too: their sources are written again)
    saved_items: int = 0  # distinct items in committed transactions
    saved_bytes: int = 0  # … read from this many bytes of the input
    merged_bytes: int = 0  # input merged so far, committed or not
    drafts: int = 0  # drafts merged …
    writing: float = 1e-9  # … in this many seconds of write transactions (how fast they merge)


@runtime_checkable
class Feed(Protocol):
    """Batches that come while they are merged (parallel.Feed): whether the next one is there without waiting,
    and waiting, outside any transaction, until some drafts are ready to merge."""

    def __iter__(self) -> Iterator[Batch]: ...

    def __next__(self) -> Batch: ...

    def ready(self) -> bool: ...

    def wait(self, drafts: float) -> None: ...

    @property
    def failed(self) -> ReadlistError | None: ...


def write_all(
    store: Store,
    reports: list[FileReport],
    batches: Iterable[Batch] | Feed,
    *,
    dry_run: bool = False,
    keep_mine: bool = False,
    restore_removed: bool = False,
    progress: Progress | None = None,
    warm: bool = False,
) -> ImportTotals:
    """Merge every batch, in transactions of about COMMIT_SECONDS each, so a long import lets other writers in
    between them. Each transaction is whole (its items indexed, keyed): Ctrl-C or a kill keeps the transactions
    committed before it, and Ctrl-C says what they hold. Importing the same files again merges into them, so it
    finishes the work. A dry run is one transaction, rolled back. Counts are of distinct items, per file and
    overall; an item in several files is counted in the first of them, so the per-file rows add up.
    Batches still being read (a Feed) are merged as they come; no transaction waits for one: it commits when
    none is ready, and the next begins once about a transaction's worth is (or everything is read). `warm`: load
    the Chinese word model once the first batch is there (not while readers hold their most memory, nor inside
    the first transaction)."""
    total = sum(r.size for r in reports)
    counted = _Counted()
    todo = _Slices(batches)
    batch = next(todo, None)
    if warm:
        _warm_indexing()
    first = True
    try:
        while first or batch is not None:
            held = CtrlCHeld()
            began = time.monotonic()
            try:
                with store.transaction(check_all=first) as tx:  # a big write: the whole file is checked first
                    batch = _write_some(
                        tx, reports, batch, todo, counted, dry_run, keep_mine, restore_removed, progress
                    )
                    counted.indexed += len(tx.touched)
                    if dry_run:
                        raise _DryRun
                    held.hold()  # the index, keys and COMMIT are not cut short: what was saved is known
                counted.saved_items, counted.saved_bytes = len(counted.items), counted.merged_bytes
            finally:
                held.release()  # a Ctrl-C that came meanwhile is raised here
            counted.writing += time.monotonic() - began
            first = False
            waited = time.monotonic()
            if batch is None and not todo.finished:  # none was ready: wait for about a transaction's worth
                todo.wait(counted.drafts / counted.writing * COMMIT_SECONDS)
                batch = next(todo, None)
            if batch is not None:
                time.sleep(max(0.0, PAUSE_SECONDS - (time.monotonic() - waited)))
        if counted.indexed >= index.COMPACT_FROM:  # a bulk write: one piece of index to search, not dozens
            with ctrl_c_held(), store.transaction() as tx:  # whole: an interrupted merge would not come again
                index.compact(tx.conn)
        if todo.feed is not None and todo.feed.failed is not None:  # a file's error, once all before it is saved
            raise todo.feed.failed
    except _DryRun:
        pass
    except KeyboardInterrupt:
        if counted.saved_items:
            raise _interrupted(counted, total) from None
        raise
    except ReadlistError as exc:  # a lost connection, a full disk: the committed transactions stay
        if counted.saved_items:
            exc.message += f"; {_saved(counted, total)}"
        raise
    return _totals(reports, counted, restore_removed)


class _Slices:
    """Batches of at most SLICE drafts (a slice is merged as a chunk of its own would be). The bytes done advance
    through a batch by its share of drafts (drafts come in file order), so progress and what Ctrl-C says was saved
    move with the slices: one paragraph of 50,000 links is one batch, and stood at its start until its end."""

    def __init__(self, batches: Iterable[Batch] | Feed) -> None:
        self.feed = batches if isinstance(batches, Feed) else None
        self.batches: Iterator[Batch] = batches if isinstance(batches, Feed) else iter(batches)
        self.left: list[Batch] = []  # the current batch's slices still to come, last first
        self.done_before = 0
        self.finished = False

    def __iter__(self) -> _Slices:
        return self

    def __next__(self) -> Batch:
        while not self.left:  # a batch of no drafts (merge_reports) gives no slice
            try:
                file_index, done, drafts = next(self.batches)
            except StopIteration:
                self.finished = True
                raise
            n, before = len(drafts), self.done_before
            self.left = [
                (file_index, before + (done - before) * min(start + SLICE, n) // n, drafts[start : start + SLICE])
                for start in reversed(range(0, n, SLICE))
            ]
            self.done_before = done
        return self.left.pop()

    def ready(self) -> bool:
        """Whether the next slice (or the end) is there without waiting."""
        return bool(self.left) or self.feed is None or self.feed.ready()

    def wait(self, drafts: float) -> None:
        if self.feed is not None and not self.left:
            self.feed.wait(drafts)


def _write_some(
    tx: Tx,
    reports: list[FileReport],
    batch: Batch | None,
    todo: _Slices,
    counted: _Counted,
    dry_run: bool,
    keep_mine: bool,
    restore_removed: bool,
    progress: Progress | None,
) -> Batch | None:
    """Merge batches in this transaction until COMMIT_SECONDS have passed or none is ready (it is not held while
    the readers read); the batch left for the next one."""
    from readlist.store.merge import Merger

    # A new merger each transaction: tags and citation keys other writers made meanwhile are loaded afresh.
    merger = Merger(tx, [], restore_removed=restore_removed)
    merger.placed = counted.placed
    started = time.monotonic()
    total = sum(r.size for r in reports)
    while batch is not None:
        file_index, done, drafts = batch
        _merge_batch(tx, merger, reports[file_index], file_index, drafts, counted, keep_mine, restore_removed)
        counted.merged_bytes = done
        counted.drafts += len(drafts)
        if progress:
            progress(done, total)
        if not dry_run and not todo.ready():
            return None
        batch = next(todo, None)
        if not dry_run and time.monotonic() - started >= COMMIT_SECONDS:
            break
    return batch


def _merge_batch(
    tx: Tx,
    merger: Merger,
    report: FileReport,
    file_index: int,
    drafts: list[ItemDraft],
    counted: _Counted,
    keep_mine: bool,
    restore_removed: bool,
) -> None:
    drafts = _by_citation_key(tx, drafts)
    merger.preload(sorted({d.ref.key for d in drafts}))
    drafts = _handle_removed(tx, merger, report, drafts, restore_removed, counted.removed)
    merger.create_missing(drafts)
    for draft in drafts:
        key = draft.ref.key
        result = merger.merge(draft, keep_mine=keep_mine)
        differed = _real_conflicts(merger, draft, result.conflicts, counted.mentioned)
        report.conflicts += len(differed)
        report.differed.update(differed)
        state = _RANK["new" if result.created else "merged" if result.changes else "unchanged"]
        hashed = hash(key)
        before = counted.items.get(hashed)
        if before is None:
            kind = counted.kinds.setdefault(draft.ref.kind, len(counted.kinds))
            counted.items[hashed] = file_index << 8 | kind << 2 | state
        elif before & 3 != _RANK["new"] and state > before & 3:  # created earlier: still new
            counted.items[hashed] = before & ~3 | state
    merger.flush_pending()
    merger.release()  # what this batch loaded is reloaded if needed: memory stays flat


def _by_citation_key(tx: Tx, drafts: list[ItemDraft]) -> list[ItemDraft]:
    """An entry known only by its title (no DOI, arXiv ID or link) whose title was edited in the reference
    manager merges into the item that entry made: the item imported from the same file under the same citation
    key, when their years agree. It became a second item keyed by the new title (with a re-minted citation key,
    breaking the user's \\cite). Another file's entry with that key is another person's: never merged by key;
    nor is an entry whose key another entry of this import still holds with its own title."""
    from dataclasses import replace

    from readlist.domain import year_of

    loose = [d for d in drafts if d.ref.key.startswith(TITLE_KEY) and d.sources and d.citation_key]
    loose = [d for d in loose if d.sources[0].section == d.citation_key]
    if not loose:
        return drafts
    made: dict[tuple[str, str], set[tuple[str, int | None]]] = defaultdict(set)
    for file in {d.sources[0].file for d in loose}:
        sections = sorted({d.sources[0].section for d in loose if d.sources[0].file == file})
        sql = (
            "SELECT s.section, i.key, i.year FROM source s JOIN item i ON i.id = s.item_id "
            f"WHERE s.file = ? AND i.key LIKE 'title:%' AND s.section IN ({','.join('?' * len(sections))})"
        )
        for section, key, year in tx.conn.execute(sql, [file, *sections]):
            made[(file, str(section))].add((str(key), year))
    claimed = {d.ref.key for d in drafts}
    for draft in loose:
        found = made.get((draft.sources[0].file, draft.sources[0].section), set())
        if len(found) != 1:  # none, or a key two entries of the file share: not this one's to take
            continue
        ((key, year),) = found
        if key not in claimed and (year is None or year_of(draft.published) in (None, year)):
            draft.ref = replace(draft.ref, key=key)
    return drafts


TITLE_KEY = "title:"  # the key of an item known only by its title (ids.py)


def _saved(counted: _Counted, total: int) -> str:
    if total and counted.saved_bytes == total:
        return f"all {counted.saved_items} item(s) were saved"
    part = min(counted.saved_bytes / total, 0.99) if total else 0.0  # not "100%" when something is missing
    share = f"{part:.0%} of the input" if total else "part of the input"
    return (
        f"{counted.saved_items} item(s) from about the first {share} were saved; import the same files again to "
        "finish (what is saved merges, nothing is doubled)"
    )


def _interrupted(counted: _Counted, total: int) -> Interrupted:
    return Interrupted(f"interrupted — {_saved(counted, total)}")


def _totals(reports: list[FileReport], counted: _Counted, restore_removed: bool) -> ImportTotals:
    totals = ImportTotals(skipped=sum(r.skipped for r in reports))
    restored = {hash(key) for key in counted.removed} if restore_removed else set()
    states, kinds = list(_RANK), list(counted.kinds)
    for hashed, code in counted.items.items():
        if hashed in restored:
            continue  # counted as restored, not as unchanged
        state, kind, index = states[code & 3], kinds[code >> 2 & 63], code >> 8
        setattr(totals, state, getattr(totals, state) + 1)
        getattr(reports[index], state)[kind] += 1
    for r in reports:
        totals.differed.update(r.differed)
    return totals


def _real_conflicts(merger: Merger, draft: ItemDraft, conflicts: list[str], mentioned: set[int]) -> list[str]:
    """Fields where the library holds a value none of this import's mentions of the item gives: two mentions
    of one paper in the user's own files (or the second mention on every re-import) are not a conflict."""
    from readlist.store.drafts import CONFLICT_FIELDS

    key = draft.ref.key
    item = merger.items.get(key)
    real = [n for n in conflicts if item is None or hash((key, n, str(getattr(item, n)))) not in mentioned]
    for name in real:  # each item's field is counted once, however often the notes mention it
        mentioned.add(hash((key, name, str(getattr(item, name)))))
    for name in CONFLICT_FIELDS:
        value = getattr(draft, name)
        if value:
            mentioned.add(hash((key, name, str(value))))
    return real


def import_files(
    store: Store | Callable[[], Store],
    files: list[Path],
    extra_tags: list[str],
    *,
    dry_run: bool = False,
    keep_mine: bool = False,
    restore_removed: bool = False,
    progress: Progress | None = None,
) -> tuple[list[FileReport], ImportTotals]:
    """Read and write (see write_all). Given how to open the store, readers parse the files in other processes
    while it opens, and the batches they spool are merged, in file order, while they read on (see parallel.py);
    without readers (a small import) everything is read first. `progress` counts bytes read plus bytes written,
    of twice the input. A dry run reads everything before its one transaction."""
    from readlist.importer.parallel import Reading
    from readlist.store.index import shared_helper

    reading = Reading(files, extra_tags)
    steps = [0, 0]  # bytes read, bytes written

    def step(which: int) -> Progress | None:
        def advance(done: int, total: int) -> None:
            steps[which] = done
            if progress:
                progress(sum(steps), 2 * total)

        return advance if progress else None

    try:
        # No index helper while readers read: they keep the other core busy, and a fourth process cost more
        # memory (its copy of the word model) than its share of the CPU saved (docs/performance.md, "Import").
        with shared_helper(fork=False) if reading.readers else nullcontext():
            lib = store() if callable(store) else store
            if reading.readers:  # open (or migrate) the library while they read
                with lib.connection():
                    pass
            feed = reading.result(step(0))[1] if dry_run else reading.stream(step(0))
            totals = write_all(
                lib,
                feed.reports,
                feed,
                dry_run=dry_run,
                keep_mine=keep_mine,
                restore_removed=restore_removed,
                progress=step(1),
                warm=bool(reading.readers),
            )
    finally:
        reading.close()
    return feed.reports, totals


def _warm_indexing() -> None:
    """Load the Chinese word model now, while the readers parse, not inside the first write transaction."""
    from readlist.text import segment

    segment("预热")


def merge_reports(store: Store, reports: Iterable[FileReport], *, dry_run: bool = False) -> list[FileReport]:
    """Merge reports that carry their drafts (see read_file)."""
    done = list(reports)
    batches = ((i, r.size, r.drafts) for i, r in enumerate(done))
    write_all(store, done, batches, dry_run=dry_run)
    return done
