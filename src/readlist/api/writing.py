"""The write use cases of a `Library`: add, import, fetch, status moves, tags, notes, edits, trash."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from typing import TYPE_CHECKING, cast

from readlist.api.base import Door
from readlist.domain import TRANSITIONS, Action, check_priority, check_status
from readlist.errors import Interrupted, InvalidInputError

if TYPE_CHECKING:
    from readlist.api.reports import FetchSummary, ImportReport, NoteAdded
    from readlist.importer.mojibake import Repair
    from readlist.services.add import AddReport
    from readlist.services.fetch import FetchReport
    from readlist.services.pdfs import PdfResult
    from readlist.store.records import Edited, FieldChanges, NoteText, Removed, Restored, StatusChange, TagChange

Advance = Callable[[int, int], None]  # (done, requests or bytes)
# How a front end shows long work: given a label and a total, a context that yields `advance` (a progress bar).
ProgressFactory = Callable[[str, int], AbstractContextManager[Advance]]


def _no_progress(label: str, total: int) -> AbstractContextManager[Advance]:
    return nullcontext(lambda done, extra: None)


def _some(refs: Sequence[object]) -> None:
    if not refs:
        raise InvalidInputError("no items given", "name items by number, arXiv ID, DOI, URL or citation key")


def _words(values: Iterable[str] | str | None, what: str) -> list[str]:
    """A list of names from a list (a lone string is one name, never its letters)."""
    if values is None:
        return []
    names = [values] if isinstance(values, str) else list(values)
    if not all(isinstance(v, str) for v in names):
        raise InvalidInputError(f"{what} must be text", f"e.g. {what}=['kv-cache', '量化']")
    return names


def _new_tags(names: list[str]) -> list[str]:
    """Tags a person gives (removing an imported tag that holds a comma stays possible)."""
    joined = next((v for v in names if "," in v or "，" in v), None)
    if joined is not None:  # lists show tags joined by commas: one tag holding one would read as two
        raise InvalidInputError(f"a tag cannot hold a comma: {joined!r}", "give each tag on its own: +a +b")
    signed = next((v for v in names if v.strip()[:1] in ("+", "-")), None)
    if signed is not None:  # +x adds and -x removes on the command line: a tag named so could never be removed
        raise InvalidInputError(f"a tag cannot start with + or -: {signed!r}", "to remove a tag: readlist tag N -NAME")
    return names


class Writing(Door):
    def add(
        self,
        *refs: str,
        tags: Iterable[str] = (),
        note: str | None = None,
        title: str | None = None,
        priority: int | None = None,
        fetch: bool = True,
    ) -> AddReport:
        """Add papers, articles or repos; adding one again merges. Each is saved first, then its metadata is
        asked for within `READLIST_ADD_TIMEOUT`; `fetch=False` leaves it pending for `fetch`.

        Ctrl-C while waiting for the network keeps what was saved: `errors.Interrupted` says so."""
        from readlist.services.add import add_items

        if not refs:
            raise InvalidInputError("nothing to add", "give an arXiv ID, DOI, URL, owner/repo or a PDF")
        if title is not None and not title.strip():
            raise InvalidInputError("the title is empty", 'give one: --title "…", or leave it out')
        if priority is not None:
            check_priority(priority)
        saved: list[int] = []
        try:
            return add_items(
                self._writer,
                list(refs),
                tags=_new_tags(_words(tags, "tags")),
                note=note,
                title=title,
                priority=priority,
                fetch=fetch,
                saved_hook=saved.extend,
            )
        except KeyboardInterrupt:
            if not saved:
                raise
            numbers = ", ".join(f"#{i}" for i in saved)
            raise Interrupted(
                f"interrupted — {numbers} saved with metadata pending; readlist fetch completes it"
            ) from None

    def import_(
        self,
        *paths: str | Path,
        tags: Iterable[str] = (),
        dry_run: bool = False,
        keep_mine: bool = False,
        restore_removed: bool = False,
        progress: ProgressFactory = _no_progress,
    ) -> ImportReport:
        """Import notes or exports (files or folders), written in transactions of about a second, so other writers
        get in (importer/run.py: write_all). A small import is read whole first (an error there writes nothing);
        a big one (forked readers) is merged as it is read: an error in a later file keeps the transactions
        committed before it and says what they hold, as Ctrl-C does.
        A dry run writes to a scratch copy: it never creates the library, nor upgrades it."""
        from readlist.batchgc import batch_work
        from readlist.importer.run import collect, import_files
        from readlist.store.db import dry_run_location
        from readlist.store.write import Store

        files = collect([str(p) for p in paths])
        total = sum(p.stat().st_size for p in files)
        with batch_work(), progress("importing", 2 * total) as advance:  # read, then written: 2 × the bytes
            scratch = dry_run_location(self.path, folder_made=self._default) if dry_run else nullcontext(None)
            with scratch as where:
                reports, totals = import_files(
                    (lambda: self._writer) if where is None else (lambda: Store(where, self.member)),  # opens meanwhile
                    files,
                    list(tags),
                    dry_run=dry_run,
                    keep_mine=keep_mine,
                    restore_removed=restore_removed,
                    progress=lambda done, _: advance(done, 0),  # bytes read plus bytes written
                )
        from readlist.api.reports import ImportReport

        return ImportReport(reports, totals)

    @staticmethod
    def repairs(*paths: str | Path) -> list[tuple[str, Repair]]:
        """The uncertain mojibake repairs an import of these files would make (nothing is imported)."""
        from readlist.importer.run import collect, list_repairs

        return list_repairs(collect([str(p) for p in paths]))

    def fetch(
        self, *refs: str | int, everything: bool = False, progress: ProgressFactory = _no_progress
    ) -> FetchSummary:
        """Complete pending items (or `refs`; `everything` refreshes all) from arXiv and the other sources."""
        from readlist.services.fetch import fetch, fetch_sources
        from readlist.store.write import FetchTargets

        wanted = [str(r) for r in refs]
        # A team member's `--all` refreshes what they may change; the rest is an admin's (docs/team.md)
        member = FetchTargets.limited_to(self._writer) if everything and not wanted else None
        papers = FetchTargets.select(self._writer, wanted, everything, member)
        others = FetchTargets.select_sources(self._writer, wanted, everything, member)
        from readlist.api.reports import FetchPart, FetchSummary

        summary = FetchSummary()
        if member is not None:
            summary.skipped = FetchTargets.count(self._writer) - len(papers) - len(others)
        if papers:
            with progress("fetching arXiv metadata", len(papers)) as advance:
                summary.parts.append(FetchPart("arXiv", len(papers), fetch(self._writer, papers, progress=advance)))
        if others:
            with progress("fetching other metadata", len(others)) as advance:
                found = fetch_sources(self._writer, others, progress=advance)
                summary.parts.append(FetchPart("other", len(others), found))
        return summary

    def find_published(self, *refs: str | int, progress: ProgressFactory = _no_progress) -> tuple[FetchReport, int]:
        """Which arXiv preprints are now published (DOI, venue, year); also how many were checked."""
        from readlist.services.published import find_published

        with progress("looking for published versions", 0) as advance:
            return find_published(self._writer, [str(r) for r in refs], progress=advance)

    # ---- reading status ------------------------------------------------------------------------------------

    def _move(self, action: Action, refs: Sequence[str | int]) -> list[StatusChange]:
        _some(refs)
        return self._writer.set_status([str(r) for r in refs], TRANSITIONS[action].target, action)

    def start(self, *refs: str | int) -> list[StatusChange]:
        """Start reading (all or nothing; a finished item cannot be started again by accident)."""
        return self._move(Action.START, refs)

    def done(self, *refs: str | int) -> list[StatusChange]:
        """Mark read."""
        return self._move(Action.DONE, refs)

    def skip(self, *refs: str | int) -> list[StatusChange]:
        """Decide not to read inbox or queued items (never a finished one)."""
        return self._move(Action.SKIP, refs)

    def keep(self, *refs: str | int) -> list[StatusChange]:
        """Keep inbox entries: they join the unread queue."""
        return self._move(Action.KEEP, refs)

    def status(self, ref: str | int, status: str, *more: str | int) -> list[StatusChange]:
        """Set the status of one item (or several, all or nothing); any move is allowed, aliases accepted."""
        return self._writer.set_status([str(ref), *(str(r) for r in more)], check_status(status))

    # ---- tags, notes, fields -------------------------------------------------------------------------------

    def tag(self, *refs: str | int, add: Iterable[str] = (), remove: Iterable[str] = ()) -> list[TagChange]:
        """Add and remove tags on one item or several (all or nothing); a tag an item already has (in any case)
        is left alone."""
        _some(refs)
        adding, removing = _new_tags(_words(add, "tags")), _words(remove, "tags")
        if not any(t.strip() for t in [*adding, *removing]):
            raise InvalidInputError("no tag changes", "name a tag to add or remove")
        return self._writer.retag_many([str(r) for r in refs], adding, removing)

    def rename_tag(self, old: str, new: str) -> int:
        """Rename (or merge into an existing) tag everywhere; returns how many items carry it."""
        return self._writer.rename_tag(old, new)

    def note(self, ref: str | int, body: str, author: str | None = None) -> NoteAdded:
        """Add a note by `author` (default: the member this library writes as)."""
        if not isinstance(body, str) or not body.strip():
            raise InvalidInputError("the note is empty", "write something in the note")
        item = self._writer.add_note(str(ref), body, author or self._writer.member)
        from readlist.api.reports import NoteAdded

        return NoteAdded(int(item.id or 0), item.title)

    def note_to_edit(self, ref: str | int, number: int | None = None) -> NoteText:
        """The note to edit (`number`, or the item's only one; else a new one)."""
        return self._writer.note_to_edit(str(ref), number)

    def save_note(self, note: NoteText, body: str, author: str | None = None) -> None:
        self._writer.save_note(note, body, author or self._writer.member)

    def remove_note(self, ref: str | int, number: int) -> str:
        """Remove note `number` of an item; returns its text."""
        return self._writer.remove_note(str(ref), number)

    def edit(
        self,
        ref: str | int,
        *,
        title: str | None = None,
        short_name: str | None = None,
        abstract: str | None = None,
        venue: str | None = None,
        affiliation: str | None = None,
        priority: int | None = None,
        rating: str | None = None,
        url: str | None = None,
        merge: bool = False,
        reset: Sequence[str] = (),
    ) -> Edited:
        """Change fields; `url` re-keys the item (or folds it into the item that has that URL with `merge`).
        Fields set here are the user's: no fetch or import replaces them. `reset` hands fields back to the
        source (cleared, and filled by the next `fetch`)."""
        given: dict[str, str | int | None] = {
            "title": title,
            "short_name": short_name,
            "priority": priority,
            "rating": rating,
            "venue": venue,
            "affiliation": affiliation,
            "url": url,
            "abstract": abstract,
        }
        if priority is not None:
            check_priority(priority)
        changes = cast("FieldChanges", {name: value for name, value in given.items() if value is not None})
        if not changes and not reset:
            raise InvalidInputError("nothing to change", "give a field, e.g. readlist edit 1 --priority 2")
        if merge and url is None:
            raise InvalidInputError("--merge works with --url", "readlist edit 1 --url <url> --merge")
        return self._writer.edit(str(ref), changes, merge=merge, reset=list(dict.fromkeys(reset)))

    # ---- trash ---------------------------------------------------------------------------------------------

    def remove(self, *refs: str | int) -> list[Removed]:
        """Move items to the trash, all or nothing (`restore` brings them back)."""
        _some(refs)
        return self._writer.remove([str(r) for r in refs])

    def restore(self, *refs: str | int) -> list[Restored]:
        """Bring removed items back from the trash with their notes, tags and links."""
        _some(refs)
        return self._writer.restore([str(r) for r in refs])

    def empty_trash(self) -> int:
        """Forget every removed item for good; returns how many."""
        return self._writer.empty_trash()

    def pdf(self, ref: str | int) -> PdfResult:
        """Download an arXiv paper's PDF into the data dir and attach it."""
        from readlist.services.pdfs import fetch_pdf

        return fetch_pdf(self._writer, str(ref))
