"""`readlist import`: files → drafts (no transaction held while parsing) → one transaction that merges all."""

from __future__ import annotations

import itertools
import os
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from readlist.errors import InvalidInputError
from readlist.importer.decode import UndecodableError, decode
from readlist.importer.extract import extract
from readlist.importer.jsonl import looks_like_export, parse_records, to_draft
from readlist.importer.markdown import parse
from readlist.library.records import ItemDraft

if TYPE_CHECKING:  # the store (SQLAlchemy) is imported only when merging, not when parsing in workers
    from sqlmodel import Session

    from readlist.library.merge import Merger
    from readlist.library.write import Store

NOTE_SUFFIXES = (".md", ".markdown", ".txt", ".mdown", ".mkd", ".jsonl", ".json")


@dataclass
class FileReport:
    path: str
    encoding: str = ""
    lines_repaired: int = 0
    chars_restored: int = 0
    low_confidence: int = 0
    new: Counter[str] = field(default_factory=Counter)  # by kind
    merged: Counter[str] = field(default_factory=Counter)
    unchanged: Counter[str] = field(default_factory=Counter)
    skipped: int = 0
    removed: int = 0  # items the user removed (in the trash): left alone unless --restore-removed
    restored: int = 0  # … brought back from the trash by --restore-removed
    conflicts: int = 0
    error: str | None = None
    drafts: list[ItemDraft] = field(default_factory=list)


class _DryRun(Exception):
    """Raised inside the transaction to roll back a --dry-run after counting."""


def collect(paths: Iterable[str]) -> list[Path]:
    """Files to import: given files as they are, directories searched for notes. Missing paths are errors."""
    files: list[Path] = []
    for raw in paths:
        path = Path(raw).expanduser()
        if path.is_dir():
            files += sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in NOTE_SUFFIXES)
        elif path.is_file():
            files.append(path)
        else:
            raise InvalidInputError(f"no such file or folder: {raw}", "give markdown files or a folder of them")
    if not files:
        raise InvalidInputError("no notes found to import", f"notes are files ending in {', '.join(NOTE_SUFFIXES)}")
    return files


def read_file(path: Path, extra_tags: list[str]) -> FileReport:
    """Decode, parse and extract one file; a file that is not text is reported, not fatal."""
    report = FileReport(str(path.resolve()))
    try:
        decoded = decode(path.read_bytes())
    except (UndecodableError, OSError) as exc:
        report.error = f"skipped: {exc}"
        return report
    report.encoding = decoded.encoding
    if path.suffix.lower() in (".jsonl", ".json") and looks_like_export(decoded.text):
        report.encoding += " (readlist export)"
        report.drafts = [to_draft(row, where) for where, row in parse_records(decoded.text, path.name)]
        for draft in report.drafts:
            draft.tags += extra_tags
        return report
    report.lines_repaired = decoded.repair.lines_repaired
    report.chars_restored = decoded.repair.chars_restored
    report.low_confidence = decoded.repair.low_confidence
    extraction = extract(report.path, decoded.text, parse(decoded.text))
    report.skipped = extraction.skipped.boilerplate + extraction.skipped.no_link
    for draft in extraction.drafts:
        draft.tags += extra_tags
    report.drafts = extraction.drafts
    return report


PARALLEL_BYTES = 256_000  # below this, starting worker processes costs more than it saves


def read_files(files: list[Path], extra_tags: list[str]) -> Iterator[FileReport]:
    """Decode and parse files in the given order, on every core when there is enough to do.

    A generator: the caller merges each file while the next ones are still being parsed, and only a few
    files' drafts are in memory at once."""
    total = sum(p.stat().st_size for p in files)
    workers = min(len(files), os.cpu_count() or 1)
    if workers < 2 or total < PARALLEL_BYTES:
        for path in files:
            yield read_file(path, extra_tags)
        return
    from concurrent.futures import Future, ProcessPoolExecutor

    with ProcessPoolExecutor(max_workers=workers) as pool:
        ahead: list[Future[FileReport]] = []
        queue = iter(files)
        for path in itertools.islice(queue, workers * 2):
            ahead.append(pool.submit(read_file, path, extra_tags))
        while ahead:
            report = ahead.pop(0).result()
            nxt = next(queue, None)
            if nxt is not None:
                ahead.append(pool.submit(read_file, nxt, extra_tags))
            yield report


def _handle_removed(session: Session, merger: Merger, report: FileReport, restore: bool) -> None:
    """Drafts of removed items are dropped and counted, or (--restore-removed) their trash record comes back
    first and the file's draft merges into it."""
    from readlist.library.write import restore_tombstone

    removed = merger.removed([d.ref.key for d in report.drafts])
    if not removed:
        return
    if restore:
        for tomb in removed.values():
            restore_tombstone(session, merger, tomb)
        report.restored = len(removed)
        return
    report.removed = len(removed)
    report.drafts = [d for d in report.drafts if d.ref.key not in removed]


def merge_reports(
    store: Store,
    reports: Iterable[FileReport],
    *,
    dry_run: bool = False,
    keep_mine: bool = False,
    restore_removed: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> list[FileReport]:
    """Merge every draft in one transaction: an error or Ctrl-C leaves the library as it was."""
    from readlist.library.merge import Merger

    created: set[str] = set()
    done: list[FileReport] = []
    rank = {"unchanged": 0, "merged": 1, "new": 2}
    try:
        with store.session() as session:
            merger = Merger(session, [])
            for report in reports:
                merger.preload(sorted({d.ref.key for d in report.drafts}))
                _handle_removed(session, merger, report, restore_removed)
                merger.create_missing(report.drafts)
                seen: dict[str, str] = {}  # key → new | merged | unchanged, the strongest wins
                for draft in report.drafts:
                    result = merger.merge(draft, keep_mine=keep_mine)
                    report.conflicts += len(result.conflicts)
                    key = draft.ref.key
                    if result.created or key in created:
                        state = "new"
                    else:
                        state = "merged" if result.changes else "unchanged"
                    if result.created:
                        created.add(key)
                    if key not in seen or rank[state] > rank[seen[key]]:
                        seen[key] = state
                kinds = {d.ref.key: d.ref.kind for d in report.drafts}
                for key, state in seen.items():
                    getattr(report, state)[kinds[key]] += 1
                merger.flush_pending()
                report.drafts = []  # merged: free the memory before the next file
                done.append(report)
                if progress:
                    progress(len(done), 0)
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass
    return done
