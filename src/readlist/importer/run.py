"""`readlist import`: files → drafts, streamed to a spool with no transaction open → one short transaction
that merges them all (an error or Ctrl-C leaves the library as it was)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from readlist.importer.reading import (
    FileReport,
    Progress,
    Spool,
    collect,
    list_repairs,
    read_all,
    read_file,
)
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


def write_all(
    store: Store,
    reports: list[FileReport],
    batches: Iterable[tuple[int, int, list[ItemDraft]]],
    *,
    dry_run: bool = False,
    keep_mine: bool = False,
    restore_removed: bool = False,
    progress: Progress | None = None,
) -> ImportTotals:
    """Merge every batch in one transaction; counts are of distinct items, per file and overall. An item in
    several files is counted in the first of them, so the per-file rows add up to the totals."""
    from readlist.store.merge import Merger

    total = sum(r.size for r in reports)
    # hash(key) → (new | merged | unchanged — the strongest wins, the file whose row counts it, its kind):
    # hashes, not the keys (URLs), keep this small for 300,000 items
    counted: dict[int, tuple[str, int, str]] = {}
    removed: set[str] = set()
    mentioned: set[int] = set()  # hashes of (key, field, value) this import gives: ints, not strings, at 300k items
    try:
        with store.transaction(check_all=True) as tx:  # a big write: the whole file is checked first
            merger = Merger(tx, [], restore_removed=restore_removed)
            for file_index, done, drafts in batches:
                report = reports[file_index]
                merger.preload(sorted({d.ref.key for d in drafts}))
                drafts = _handle_removed(tx, merger, report, drafts, restore_removed, removed)
                merger.create_missing(drafts)
                for draft in drafts:
                    key = draft.ref.key
                    result = merger.merge(draft, keep_mine=keep_mine)
                    differed = _real_conflicts(merger, draft, result.conflicts, mentioned)
                    report.conflicts += len(differed)
                    report.differed.update(differed)
                    state = "new" if result.created else "merged" if result.changes else "unchanged"
                    hashed = hash(key)
                    before = counted.get(hashed)
                    if before is None:
                        counted[hashed] = (state, file_index, draft.ref.kind)
                    elif before[0] != "new" and _RANK[state] > _RANK[before[0]]:  # created earlier: still new
                        counted[hashed] = (state, before[1], before[2])
                merger.flush_pending()
                merger.release()  # what this batch loaded is reloaded if needed: memory stays flat
                if progress:
                    progress(done, total)
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass
    totals = ImportTotals(skipped=sum(r.skipped for r in reports))
    restored = {hash(key) for key in removed} if restore_removed else set()
    for hashed, (state, index, kind) in counted.items():
        if hashed in restored:
            continue  # counted as restored, not as unchanged
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
    on_read: Progress | None = None,
    on_write: Progress | None = None,
) -> tuple[list[FileReport], ImportTotals]:
    """Read everything first (other commands keep writing meanwhile), then write in one transaction. Given
    how to open the store, readers parse the files in other processes while it opens (see parallel.py)."""
    from readlist.importer.parallel import Reading

    reading = Reading(files, extra_tags)
    try:
        lib = store() if callable(store) else store
        reports, batches = reading.result(on_read)
        totals = write_all(
            lib,
            reports,
            batches,
            dry_run=dry_run,
            keep_mine=keep_mine,
            restore_removed=restore_removed,
            progress=on_write,
        )
    finally:
        reading.close()
    return reports, totals


def merge_reports(store: Store, reports: Iterable[FileReport], *, dry_run: bool = False) -> list[FileReport]:
    """Merge reports that carry their drafts (see read_file)."""
    done = list(reports)
    batches = ((i, r.size, r.drafts) for i, r in enumerate(done))
    write_all(store, done, batches, dry_run=dry_run)
    return done
