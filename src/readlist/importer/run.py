"""`readlist import`: files → drafts, streamed to a spool with no transaction open → one short transaction
that merges them all (an error or Ctrl-C leaves the library as it was)."""

from __future__ import annotations

import pickle
import tempfile
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING

from readlist.errors import InvalidInputError
from readlist.importer import csvfile
from readlist.importer.chunks import HeadingWatch, chunks
from readlist.importer.decode import TextFile, UndecodableError
from readlist.importer.extract import Extractor
from readlist.importer.formats import FOLDER_SUFFIXES, UnsupportedFileError, detect, read, refuse
from readlist.importer.helper import Helper, parse_chunks
from readlist.importer.jsonl import looks_like_export, parse_records, to_draft
from readlist.importer.mojibake import Repair
from readlist.store.records import ItemDraft

if TYPE_CHECKING:  # the store is imported only when writing, not when parsing
    from readlist.store.merge import Merger
    from readlist.store.txn import Tx
    from readlist.store.write import Store

NOTE_SUFFIXES = FOLDER_SUFFIXES
Progress = Callable[[int, int], None]  # (bytes done, bytes in all)
_RANK = {"unchanged": 0, "merged": 1, "new": 2}


@dataclass
class FileReport:
    path: str
    encoding: str = ""
    size: int = 0
    lines_repaired: int = 0
    chars_restored: int = 0
    low_confidence: int = 0
    repairs: list[Repair] = field(default_factory=list)  # the low-confidence ones, for `import --repairs`
    new: Counter[str] = field(default_factory=Counter)  # distinct items of this file, by kind
    merged: Counter[str] = field(default_factory=Counter)
    unchanged: Counter[str] = field(default_factory=Counter)
    skipped: int = 0
    removed: int = 0  # items the user removed (in the trash): left alone unless --restore-removed
    restored: int = 0  # … brought back from the trash by --restore-removed
    conflicts: int = 0
    differed: Counter[str] = field(default_factory=Counter)  # field name → items whose value was kept
    error: str | None = None
    problems: list[str] = field(default_factory=list)  # `line 12: malformed entry …, skipped`
    notices: list[str] = field(default_factory=list)  # how the file was read, when it may surprise
    drafts: list[ItemDraft] = field(default_factory=list)  # only for read_file (whole-file use)


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


def collect(paths: Iterable[str]) -> list[Path]:
    """Files to import: given files as they are, directories searched for notes. Missing paths are errors."""
    paths = list(paths)
    files: list[Path] = []
    suffixes = ", ".join(NOTE_SUFFIXES)
    for raw in paths:
        path = Path(raw).expanduser()
        if raw == "-":
            raise InvalidInputError("import reads files, not standard input", "save it first: … > notes.md")
        if path.is_dir():
            files += sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in NOTE_SUFFIXES)
        elif path.is_file():
            refuse(path)  # a PDF or zip named on the command line is an error before anything is written
            files.append(path)
        elif path.exists():
            raise InvalidInputError(f"{raw} is not a file (a device or pipe)", "save the notes to a file first")
        else:
            raise InvalidInputError(f"no such file or folder: {raw}", "give markdown files or a folder of them")
    if not files:
        raise InvalidInputError(f"nothing to import in {', '.join(paths)}", f"import reads files ending in {suffixes}")
    return files


def consolidate(drafts: list[ItemDraft]) -> list[ItemDraft]:
    """Fold drafts of the same key into the first, as merging them one by one would (first value wins;
    tags, notes, links and sources accumulate; one source per file section): a link repeated on every line
    of a big file costs one draft per chunk."""
    first: dict[str, ItemDraft] = {}
    for d in drafts:
        base = first.setdefault(d.ref.key, d)
        if base is d:
            continue
        for name in ("title", "short_name", "abstract", "published", "venue", "affiliation", "rating"):
            if getattr(d, name) and not getattr(base, name):
                setattr(base, name, getattr(d, name))
        base.authors = base.authors or d.authors
        base.tags += [t for t in d.tags if t not in base.tags]
        bodies = {n.body.strip() for n in base.notes}
        base.notes += [n for n in d.notes if n.body.strip() not in bodies]
        have = {url for url, _ in base.links}
        base.links += [lk for lk in d.links if lk[0] not in have and not have.add(lk[0])]  # type: ignore[func-returns-value]
        places = {(s.file, s.section) for s in base.sources}
        base.sources += [s for s in d.sources if (s.file, s.section) not in places]
    return list(first.values())


def _open(path: Path, report: FileReport) -> TextFile | None:
    try:
        watch = HeadingWatch()
        text = TextFile(path, watch=watch.see)
    except (UndecodableError, OSError) as exc:
        report.error = f"skipped: {exc}"
        return None
    text.title_line = watch.title_line()
    report.encoding = text.encoding
    return text


def parse_file(
    path: Path, extra_tags: list[str], emit: Callable[[list[ItemDraft], int], None], helper: Helper | None = None
) -> FileReport:
    """Decode, parse and extract one file a chunk at a time; `emit(drafts, bytes read)` takes each chunk's.
    A file that is not text is reported, not fatal. A helper process, if given, parses some of the chunks."""
    report = FileReport(str(path.resolve()), size=path.stat().st_size)
    text = _open(path, report)
    if text is None:
        return report
    head = text.head()
    if head.lstrip()[:1] in ("@", "%", "<", "[", "{") or csvfile.matches(head):  # BibTeX, CSL, bookmarks, CSV?
        whole = "".join(line for line, _ in text.lines())
        fmt = detect(whole)
        if fmt is not None:
            report.encoding += f" ({fmt})"
            try:
                parsed = read(fmt, whole, report.path)
            except UnsupportedFileError as exc:  # found in a folder: skipped and reported, not fatal
                report.error = f"skipped: {exc.message}"
                return report
            report.skipped, report.problems = parsed.skipped, parsed.problems
            for draft in parsed.drafts:
                draft.tags += extra_tags
            emit(parsed.drafts, report.size)
            return report
        text = _open(path, report) or text
    if path.suffix.lower() == ".csv":
        report.notices.append("no column of links, DOIs or arXiv IDs in its header: read as text notes")
    # A .jsonl file is JSON lines whatever its first line says: a broken one is an error naming the line, never
    # read as markdown notes. A .json file is a readlist export only when its content says so.
    suffix = path.suffix.lower()
    if suffix == ".jsonl" or (suffix == ".json" and looks_like_export(_head(path))):
        report.encoding += " (readlist export)"
        whole = "".join(line for line, _ in text.lines())
        drafts = [to_draft(row, where) for where, row in parse_records(whole, path.name)]
        for draft in drafts:
            draft.tags += extra_tags
        emit(drafts, report.size)
        return report
    extractor = Extractor(report.path, text.title_line)
    seen_heading = False
    for chunk, blocks in parse_chunks(chunks(text.lines()), helper):
        if seen_heading:  # each chunk was parsed as if alone: after a heading nothing is front matter
            for block in blocks:
                block.in_front = False
        seen_heading = seen_heading or any(b.kind == "heading" for b in blocks)
        drafts = consolidate(extractor.feed(blocks, chunk.text, chunk.first_line))
        for draft in drafts:
            draft.tags += [t for t in extra_tags if t not in draft.tags]
        emit(drafts, chunk.end_offset)
    stats = text.stats
    report.lines_repaired, report.chars_restored = stats.lines_repaired, stats.chars_restored
    report.low_confidence, report.repairs = stats.low_confidence, stats.repairs
    report.skipped = extractor.skipped.boilerplate + extractor.skipped.no_link
    return report


def _head(path: Path) -> str:
    with path.open("rb") as fh:
        return fh.read(4000).decode("utf-8", errors="replace").lstrip("\ufeff")


def read_file(path: Path, extra_tags: list[str]) -> FileReport:
    """One file's report with all its drafts in memory (small files, benchmarks)."""
    drafts: list[ItemDraft] = []
    report = parse_file(path, extra_tags, lambda batch, _: drafts.extend(batch))
    report.drafts = drafts
    return report


class Spool:
    """Drafts parked on disk between reading and writing, so memory stays flat whatever the input size."""

    def __init__(self) -> None:
        self.file: IO[bytes] = tempfile.TemporaryFile(prefix="readlist-import-")  # noqa: SIM115 (closed by close())
        self.batches = 0

    def put(self, file_index: int, drafts: list[ItemDraft], done: int) -> None:
        if drafts:
            pickle.dump((file_index, done, drafts), self.file, protocol=pickle.HIGHEST_PROTOCOL)
            self.batches += 1

    def __iter__(self) -> Iterator[tuple[int, int, list[ItemDraft]]]:
        self.file.flush()
        self.file.seek(0)
        for _ in range(self.batches):
            yield pickle.load(self.file)

    def close(self) -> None:
        self.file.close()


def read_all(files: list[Path], extra_tags: list[str], spool: Spool, progress: Progress | None) -> list[FileReport]:
    """Parse every file (no database access at all), spooling the drafts; progress counts bytes."""
    total = sum(p.stat().st_size for p in files)
    reports: list[FileReport] = []
    base = 0
    for index, path in enumerate(files):

        def emit(drafts: list[ItemDraft], done: int, index: int = index, base: int = base) -> None:
            spool.put(index, drafts, base + done)
            if progress:
                progress(base + done, total)

        reports.append(parse_file(path, extra_tags, emit))
        base += reports[-1].size
        if progress:
            progress(base, total)
    return reports


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


def list_repairs(files: list[Path]) -> list[tuple[str, Repair]]:
    """Every low-confidence mojibake repair of these files, in file and line order (nothing is imported)."""
    found: list[tuple[str, Repair]] = []
    for path in files:
        report = FileReport(str(path))
        text = _open(path, report)
        if text is None or text.repairer is None:
            continue
        for _ in text.lines():
            pass
        found += [(str(path), r) for r in text.stats.repairs]
    return found
