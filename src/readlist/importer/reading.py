"""Reading files to import: find them, decode them (mojibake repaired), parse them into drafts, spool those
to disk with no transaction open. Parallel readers (parallel.py) run the same code in other processes."""

from __future__ import annotations

import os
import pickle
import tempfile
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from readlist.errors import InvalidInputError
from readlist.files import files_under
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
    pass

NOTE_SUFFIXES = FOLDER_SUFFIXES
Progress = Callable[[int, int], None]  # (bytes done, bytes in all)


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
            files += files_under(path, NOTE_SUFFIXES)
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
            report.notices += parsed.notices
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
    """Drafts parked on disk between reading and writing, so memory stays flat whatever the input size. Written
    and read at explicit offsets (pwrite, pread): a forked reader's spool is the same open file in the parent,
    whose offset the two would otherwise share, so the parent reads what a reader has written meanwhile."""

    def __init__(self) -> None:
        self.file: IO[bytes] = tempfile.TemporaryFile(prefix="readlist-import-")  # noqa: SIM115 (closed by close())
        self.at = 0  # the end of what was written
        self.places: list[tuple[int, int]] = []  # (offset, size) of each batch

    def put(self, file_index: int, drafts: list[ItemDraft], done: int) -> tuple[int, int] | None:
        """Park a batch (none if no drafts); where it lies."""
        if not drafts:
            return None
        place = self.keep((file_index, done, drafts))
        self.places.append(place)
        return place

    def keep(self, value: object) -> tuple[int, int]:
        data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        os.pwrite(self.file.fileno(), data, self.at)
        self.at += len(data)
        return self.at - len(data), len(data)

    def get(self, place: tuple[int, int]) -> Any:
        at, size = place
        return pickle.loads(os.pread(self.file.fileno(), size, at))

    def __iter__(self) -> Iterator[tuple[int, int, list[ItemDraft]]]:
        for place in self.places:
            yield self.get(place)

    def close(self) -> None:
        self.file.close()


def read_all(files: list[Path], extra_tags: list[str], spool: Spool, progress: Progress | None) -> list[FileReport]:
    """Parse every file (no database access at all), spooling the drafts; progress counts bytes."""
    return [report for _, report, _ in read_each(files, extra_tags, progress, spool)]


def read_each(
    files: list[Path], extra_tags: list[str], progress: Progress | None, spool: Spool | None = None
) -> Iterator[tuple[int, FileReport, Spool]]:
    """Each file parsed in turn: its index, its report and the spool of its drafts (done counts bytes of all the
    files), before the next is parsed, so a caller that merges them as they come has merged every file before one
    whose error stops the import. Without `spool`, each file has one of its own, closed once the next is asked for."""
    total = sum(p.stat().st_size for p in files)
    base = 0
    for index, path in enumerate(files):
        own = spool or Spool()

        def emit(drafts: list[ItemDraft], done: int, index: int = index, base: int = base, own: Spool = own) -> None:
            own.put(index, drafts, base + done)
            if progress:
                progress(base + done, total)

        try:
            report = parse_file(path, extra_tags, emit)
            yield index, report, own
        finally:
            if spool is None:
                own.close()
        base += report.size
        if progress:
            progress(base, total)


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
