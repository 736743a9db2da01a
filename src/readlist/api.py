"""`Library`: the Python API of one reading list; the CLI is a thin client of it.

Importing this module is cheap (no SQLAlchemy, no network code): each method imports what its use case needs,
so read-only use stays on the fast stdlib sqlite3 path (DESIGN §2)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from contextlib import AbstractContextManager, ExitStack
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

from readlist import config
from readlist.batchgc import batch_work
from readlist.location import PostgresUrl

if TYPE_CHECKING:
    from readlist.importer.run import FileReport
    from readlist.search.engine import SearchResult
    from readlist.services.add import AddReport
    from readlist.services.feeds import PullReport
    from readlist.services.fetch import FetchReport
    from readlist.store.read import ItemFilter, Reader
    from readlist.store.records import ItemRecord, TagCount
    from readlist.store.write import Store

Items = list["ItemRecord"]  # `list` is also a method name below: the aliases keep annotations unambiguous
Reports = list["FileReport"]
TagCounts = list["TagCount"]
Rows = list[dict[str, Any]]
Names = list[str]
Ids = list[int]
Pulls = list["PullReport"]


class Library:
    """One reading list, as sqlite-utils' `Database` is one database file.

    >>> with Library("papers.db") as lib:
    ...     lib.add("2408.11743", tags=["quantization"], fetch=False)
    ...     [item["title"] for item in lib.todo()]

    `path` defaults like the CLI's: `$READLIST_DB`, then the config file's `db`, then the user data dir.
    Items are named by number (`"1"` or `1`), arXiv ID or key. Errors are `readlist.errors.ReadlistError`s."""

    def __init__(self, path: str | Path | PostgresUrl | None = None, member: str | None = None) -> None:
        self.path = path if isinstance(path, PostgresUrl) else config.database_path(str(path) if path else None)
        self.member = member  # whose statuses reads show (default: the current user, READLIST_USER)
        self._reader: Reader | None = None
        self._store: Store | None = None

    # ---- plumbing ------------------------------------------------------------------------------------------

    @property
    def reader(self) -> Reader:
        """The read side (plain SQL, no ORM); opened on first use."""
        if self._reader is None:
            from readlist.store import open_reader

            self._reader = open_reader(self.path, self.member)
        return self._reader

    @property
    def store(self) -> Store:
        """The write side (SQLModel sessions, BEGIN IMMEDIATE); opened on first use."""
        if self._store is None:
            from readlist.store.write import Store

            self._store = Store(self.path)
        return self._store

    def close(self) -> None:
        """Close the connections this library opened (it can be used again: they reopen on demand)."""
        if self._reader is not None:
            self._reader.close()
            self._reader = None
        if self._store is not None:
            self._store.engine.dispose()
            self._store = None

    def __enter__(self) -> Library:
        return self

    def __exit__(self, *exc: type[BaseException] | BaseException | TracebackType | None) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Library({str(self.path)!r})"

    # ---- reading ---------------------------------------------------------------------------------------------

    def todo(self, *, tag: str | None = None, limit: int | None = None, everything: bool = False) -> Items:
        """The unread queue: reading first, then priority, then oldest added.

        `limit=None` takes the config's todo_limit; `everything=True` returns the whole queue."""
        return self.reader.todo(tag=tag, limit=None if everything else config.value(config.TODO_LIMIT, limit))

    def todo_count(self, *, tag: str | None = None) -> int:
        return self.reader.count_todo(tag=tag)

    def list(
        self,
        *,
        status: Sequence[str] | None = None,
        tag: str | None = None,
        kind: str | None = None,
        since: str | None = None,
        limit: int | None = None,
        full: bool = True,
    ) -> Items:
        """Items by id, filtered like `readlist list` (statuses take the CLI's words; since: `7d` or a date)."""
        return self.reader.list_items(
            self.filter(status=status, tag=tag, kind=kind, since=since), limit=limit, full=full
        )

    def show(self, ref: str | int) -> ItemRecord:
        """One item with its notes, links and sources."""
        return self.reader.get_item(str(ref))

    def tags(self) -> TagCounts:
        return self.reader.tag_counts()

    def stats(self) -> dict[str, Any]:
        return self.reader.stats()

    def team_stats(self) -> Rows:
        """Each member's queue and reading pace (a personal library has one member)."""
        return self.reader.team_stats()

    def members(self) -> Names:
        return self.reader.members()

    def inbox(self, *, limit: int | None = None) -> Items:
        return self.reader.inbox(limit=limit)

    def feeds(self) -> Rows:
        return self.reader.feeds()

    def search(
        self,
        query: str,
        *,
        tag: str | None = None,
        status: Sequence[str] | None = None,
        kind: str | None = None,
        since: str | None = None,
        year: int | None = None,
        limit: int | None = 10,
        exact: bool = False,
        fuzzy: bool = True,
    ) -> SearchResult:
        """Full-text search in both languages; `.items` are ranked records with `score` and `snippet`, `.total`
        counts every match (`limit=None` returns them all); `exact` searches only what was typed."""
        from readlist.search.engine import search
        from readlist.store.records import parse_since

        reader = self.reader
        flt = self.filter(status=status, tag=tag, kind=kind)
        return search(
            reader.conn,
            query,
            tag=tag,
            status=flt.status,
            kind=flt.kind,
            since=parse_since(since) if since else None,
            year=year,
            limit=limit,
            exact=exact,
            fuzzy=fuzzy,
        )

    def digest(
        self,
        *,
        since: str | None = None,
        status: Sequence[str] | None = None,
        tag: str | None = None,
        kind: str | None = None,
        group_by: str = "tag",
        lang: str | None = None,
        full_notes: bool = False,
        team: bool = False,
    ) -> str:
        """Markdown for a team wiki or chat (lang: zh, en or auto; None: config digest_language); `team`: who
        read what in the period, with every member's notes."""
        from readlist.errors import InvalidInputError
        from readlist.export.digest import GROUPS, LABELS, digest

        if group_by not in GROUPS:
            raise InvalidInputError(f"cannot group by {group_by!r}", f"use one of: {', '.join(GROUPS)}")
        language = config.value(config.DIGEST_LANGUAGE, lang)
        if language != "auto" and language not in LABELS:
            raise InvalidInputError(f"no labels for language {language!r}", "use --lang zh, --lang en or --lang auto")
        reader = self.reader
        flt = self.filter(status=status, tag=tag, kind=kind, since=since)
        lang = None if language == "auto" else language
        return digest(
            reader.conn, flt, group_by=group_by, lang=lang, full_notes=full_notes, since_text=since, team=team
        )

    def export(
        self,
        fmt: str = "jsonl",
        *,
        status: Sequence[str] | None = None,
        tag: str | None = None,
        kind: str | None = None,
        since: str | None = None,
        bom: bool = False,
    ) -> str:
        """The items as jsonl, json, bibtex or csv text (jsonl is lossless and re-importable)."""
        from readlist.errors import InvalidInputError
        from readlist.export.formats import FORMATS, render
        from readlist.store.serialize import records

        if fmt not in FORMATS:
            raise InvalidInputError(f"unknown format {fmt!r}", f"use one of: {', '.join(FORMATS)}")
        reader = self.reader
        rows = records(reader.conn, self.filter(status=status, tag=tag, kind=kind, since=since))
        return render(fmt, rows, bom=bom)

    @staticmethod
    def filter(
        *,
        status: Sequence[str] | None = None,
        tag: str | None = None,
        kind: str | None = None,
        since: str | None = None,
    ) -> ItemFilter:
        """An ItemFilter from the words a person uses (checked: a bad status or kind is an InvalidInputError)."""
        from readlist.domain import check_kind, check_status
        from readlist.store.read import ItemFilter
        from readlist.store.records import parse_since

        return ItemFilter(
            status=[check_status(s) for s in status] if status else None,
            tag=tag,
            kind=check_kind(kind) if kind else None,
            since=parse_since(since) if since else None,
        )

    # ---- writing ---------------------------------------------------------------------------------------------

    def add(
        self,
        *refs: str,
        tags: Iterable[str] = (),
        note: str | None = None,
        title: str | None = None,
        priority: int | None = None,
        fetch: bool = True,
        saved_hook: Callable[[Ids], None] | None = None,
        waiting: Callable[[], AbstractContextManager[object]] | None = None,
    ) -> AddReport:
        """Add papers, articles or repos; adding one again merges. Each is saved first, then its metadata is
        asked for within `READLIST_ADD_TIMEOUT`; `fetch=False` leaves it pending for `fetch`."""
        from readlist.services.add import add_items

        return add_items(
            self.store,
            list(refs),
            tags=list(tags),
            note=note,
            title=title,
            priority=priority,
            fetch=fetch,
            saved_hook=saved_hook,
            waiting=waiting,
        )

    @batch_work()  # the collector set for batch work while importing, then as the caller had it
    def import_(
        self,
        *paths: str | Path,
        tags: Iterable[str] = (),
        dry_run: bool = False,
        keep_mine: bool = False,
        restore_removed: bool = False,
        progress: Callable[[int, int], None] | None = None,
    ) -> Reports:
        """Import notes or exports (files or folders) in one transaction: all of it, or nothing on an error."""
        from readlist.importer.run import collect, import_files

        files = collect([str(p) for p in paths])
        with ExitStack() as stack:
            store: Store = self.store if not dry_run or self._store is not None else self._scratch(stack)
            reports, _totals = import_files(
                store,
                files,
                list(tags),
                dry_run=dry_run,
                keep_mine=keep_mine,
                restore_removed=restore_removed,
                on_read=progress,
            )
        return reports

    def _scratch(self, stack: ExitStack) -> Store:
        """Where a dry run writes and rolls back: it never creates the library, nor upgrades it."""
        from readlist.store.db import dry_run_location
        from readlist.store.write import Store

        return Store(stack.enter_context(dry_run_location(self.path)))

    def fetch(
        self, *refs: str | int, everything: bool = False, progress: Callable[[int, int], None] | None = None
    ) -> FetchReport | None:
        """Fetch arXiv metadata for pending papers (or `refs`; `everything` refreshes all); None: nothing to do."""
        from readlist.services.fetch import fetch
        from readlist.store.write import FetchTargets

        targets = FetchTargets.select(self.store, [str(r) for r in refs], everything)
        return fetch(self.store, targets, progress=progress) if targets else None

    def tag(self, ref: str | int, add: Iterable[str] = (), remove: Iterable[str] = ()) -> ItemRecord:
        """Add and remove tags; a tag the item already has (in any case) is left alone."""
        change = self.store.retag(str(ref), list(add), list(remove))
        return self.show(str(change.item_id))

    def note(self, ref: str | int, body: str, author: str | None = None) -> ItemRecord:
        from readlist import config

        item = self.store.add_note(str(ref), body, author or config.user())
        return self.show(str(item.id))

    def status(self, ref: str | int, status: str, *more: str | int) -> ItemRecord:
        """Set the status of one item (or several, all or nothing); any move is allowed, aliases accepted."""
        changes = self.store.set_status([str(ref), *(str(r) for r in more)], status)
        return self.show(str(changes[0].item_id))

    def edit(self, ref: str | int, *, merge: bool = False, **changes: Any) -> ItemRecord:
        """Change fields; `url=` re-keys the item (or folds it into the item that has that URL with `merge`)."""
        edited = self.store.edit(str(ref), changes, merge=merge)
        return self.show(str(edited.item_id))

    def remove(self, *refs: str | int) -> None:
        """Move items to the trash, all or nothing (`restore` brings them back)."""
        self.store.remove([str(r) for r in refs])

    def restore(self, *refs: str | int) -> tuple[ItemRecord, ...]:
        """Bring removed items back from the trash with their notes, tags and links."""
        return tuple(self.show(str(r.item_id)) for r in self.store.restore([str(r) for r in refs]))

    def pull_feeds(self, *feeds: str) -> Pulls:
        """Fetch followed feeds (all, or those named) into the inbox."""
        from readlist.services.feeds import pull

        return pull(self.store, list(feeds) or None)
