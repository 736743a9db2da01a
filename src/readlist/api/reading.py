"""The read use cases of a `Library`: queues, lists, one item, tags, stats, search, digest and export."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, cast

from readlist import config
from readlist.api.base import Door
from readlist.domain import Kind, Status, check_kind, check_status
from readlist.errors import InvalidInputError, NotFoundError, ReadlistError

if TYPE_CHECKING:
    from readlist.api.reports import ItemText, MissingTag
    from readlist.search.engine import SearchResult
    from readlist.store.read import ItemFilter, Tags
    from readlist.store.records import ItemRecord, LibraryStats, MemberStats, Overview, TagCount

Items = list["ItemRecord"]  # `list` is also a method name below: the aliases keep annotations unambiguous
TagCounts = list["TagCount"]
MembersStats = list["MemberStats"]
Pairs = list[tuple[str, str]]
Groups = list[list[str]]


def item_filter(
    status: Sequence[str] | None = None, tag: Tags = None, kind: str | None = None, since: str | None = None
) -> ItemFilter:
    """An ItemFilter from the words a person uses (a bad status, kind or date is an InvalidInputError)."""
    from readlist.store.read import ItemFilter

    statuses = [status] if isinstance(status, str) else status
    return ItemFilter(
        status=[check_status(s) for s in statuses] if statuses else None,
        tag=tag,
        kind=check_kind(kind) if kind else None,
        since=_since(since) if since else None,
    )


def _since(when: str) -> str:
    """`7d` or a date as a timestamp; records (and what it imports) load only when a date is given."""
    from readlist.store.records import parse_since

    return parse_since(when)


def _now() -> str:
    from readlist.store.records import now_iso

    return now_iso()


class Reading(Door):
    def todo(self, *, tag: Tags = None, limit: int | None = None, everything: bool = False, full: bool = True) -> Items:
        """The unread queue: reading first, then priority, then oldest added.

        `limit=None` takes the config's todo_limit; `everything=True` returns the whole queue; `full=False` leaves
        out notes, links, sources and readings (a terminal table shows none of them)."""
        wanted = None if everything else config.value(config.TODO_LIMIT, limit)
        if wanted is not None and wanted < 0:
            raise InvalidInputError(f"limit must not be negative, not {wanted}", "e.g. limit=20, or everything=True")
        return self._reads.todo(tag=tag, limit=wanted, full=full)

    def todo_count(self, *, tag: Tags = None) -> int:
        return self._reads.count_todo(tag=tag)

    def list(
        self,
        *,
        status: Sequence[str] | None = None,
        tag: Tags = None,
        kind: str | None = None,
        since: str | None = None,
        limit: int | None = None,
        full: bool = True,
        read_by: str | None = None,
        offset: int = 0,
    ) -> Items:
        """Items by id, filtered like `readlist list` (statuses take the CLI's words; since: `7d` or a date).

        `read_by`: only what that member has read, `since` then meaning finished since. `offset` with `limit`:
        one page (`limit=50, offset=100` is the third page of 50)."""
        if offset and limit is None:
            raise InvalidInputError("offset needs a limit", "e.g. limit=50, offset=100")
        flt, theirs = self._list_scope(status, tag, kind, since, read_by)
        try:
            return theirs._reads.list_items(flt, limit=limit, full=full, offset=offset)
        finally:
            if theirs is not self:
                theirs.close()

    def list_stream(
        self,
        *,
        status: Sequence[str] | None = None,
        tag: Tags = None,
        kind: str | None = None,
        since: str | None = None,
        full: bool = True,
        read_by: str | None = None,
        brief: bool = False,
    ) -> Iterator[ItemRecord]:
        """`list` of every item selected, in the same order, read a page at a time as they are taken: a pipe
        gets the first rows at once and memory holds one page however large the library (bad options are
        refused here, before any item). `brief`: only what a row of `list` shows (id, status, kind, title,
        short_name, url, tags, added_at)."""
        flt, theirs = self._list_scope(status, tag, kind, since, read_by)
        return self._paged(theirs, flt, full, brief)

    def _paged(self, theirs: Reading, flt: ItemFilter, full: bool, brief: bool) -> Iterator[ItemRecord]:
        from readlist.store.stream import by_id, rows_by_id

        try:
            if brief:
                yield from cast("Iterator[ItemRecord]", rows_by_id(theirs._conn, flt))
                return
            yield from by_id(theirs._conn, flt, full=full)
        finally:
            if theirs is not self:
                theirs.close()

    def _list_scope(
        self,
        status: Sequence[str] | None,
        tag: Tags,
        kind: str | None,
        since: str | None,
        read_by: str | None,
    ) -> tuple[ItemFilter, Reading]:
        """The filter of a `list` and the library to read it from (`read_by`: as that member sees it)."""
        if read_by is None:
            return item_filter(status, tag, kind, since), self
        if self.member and read_by != self.member:
            raise InvalidInputError("--read-by and --who name different members", "give one of them")
        if status and {check_status(s) for s in ([status] if isinstance(status, str) else status)} != {Status.READ}:
            shown = ",".join([status] if isinstance(status, str) else status)
            raise InvalidInputError(
                f"--read-by lists what {read_by} has read; --status {shown} contradicts it",
                f"drop --status, or use: readlist list --who {read_by} --status {shown}",
            )
        from readlist.store.records import parse_since

        flt = item_filter([Status.READ], tag, kind)
        flt.read_since = parse_since(since) if since else None
        theirs = self if read_by == self.member else type(self)(self.path, read_by, create=self.create)
        try:
            theirs.require_member()
        except BaseException:
            if theirs is not self:
                theirs.close()
            raise
        return flt, theirs

    def show(self, ref: str | int) -> ItemRecord:
        """One item with its notes, links and sources."""
        return self._reads.get_item(str(ref))

    def has(self, ref: str | int) -> bool:
        """Whether `ref` names an item (for telling items from words on a command line)."""
        from readlist.store.read import find_item_id

        try:
            find_item_id(self._conn, str(ref))
        except ReadlistError:
            return False
        return True

    def text(self, ref: str | int) -> ItemText:
        """The main text kept of a web article."""
        from readlist.store.read import item_text

        item, body = item_text(self._conn, str(ref))
        if body is None:
            if item["kind"] != Kind.ARTICLE:
                raise NotFoundError(
                    f"no text kept for #{item['id']}: only web articles keep their text",
                    f"to read it: readlist open {item['id']} (or readlist pdf {item['id']} for the PDF)",
                )
            raise NotFoundError(
                f"no text kept for #{item['id']}",
                f"web articles keep their text once fetched: readlist fetch {item['id']}",
            )
        from readlist.api.reports import ItemText

        return ItemText(item["id"], item["title"], item["url"], body)

    def matches_without_filters(self, query: str, *, exact: bool = False) -> int | None:
        """How many items the words of `query` match with no filter (its `tag:`, `status:`… left out, and none
        given besides): what a search that filters found nothing tells the user. None when it has no words."""
        from readlist.search.query import without_filters

        try:
            return self.search(without_filters(query), limit=1, exact=exact, fuzzy=False).total
        except InvalidInputError:  # no words besides the filters (or only punctuation)
            return None

    def missing_tag(self, tag: Tags) -> MissingTag | None:
        """Why a filter found nothing, when the reason is a tag the library does not have (the first such)."""
        from readlist.store.read import tag_list, tag_suggestion

        for name in tag_list(tag):
            missing, close = tag_suggestion(self._conn, name)
            if missing:
                from readlist.api.reports import MissingTag

                return MissingTag(name, close)
        return None

    def complete_items(self, incomplete: str) -> Pairs:
        """Shell-completion candidates (ids, citation keys, arXiv IDs) without creating or migrating anything."""
        from readlist.store import read_complete

        conn = read_complete.open_readonly(self.path)
        return read_complete.items(conn, incomplete) if conn else []

    def complete_tags(self, incomplete: str) -> Pairs:
        from readlist.store import read_complete

        conn = read_complete.open_readonly(self.path)
        return read_complete.tags(conn, incomplete) if conn else []

    def tags(self) -> TagCounts:
        return self._reads.tag_counts()

    def stats(self) -> LibraryStats:
        return self._reads.stats()

    def team_stats(self) -> MembersStats:
        """Each member's queue and reading pace (a personal library has one member)."""
        return self._reads.team_stats()

    def overview(self) -> Overview | None:
        """What the home view shows (reading now, next up, counts); None for a library not made yet."""
        from readlist.store.read import home

        return home(self._conn) if self._exists() else None

    def search(
        self,
        query: str,
        *,
        tag: Tags = None,
        status: Sequence[str] | None = None,
        kind: str | None = None,
        since: str | None = None,
        year: int | None = None,
        limit: int | None = 10,
        exact: bool = False,
        fuzzy: bool = True,
    ) -> SearchResult:
        """Full-text search in both languages; `.items` are ranked records with `score` and `snippet`, `.total`
        counts every match (`limit=None` returns them all); `exact` searches only what was typed; `tag`: one
        tag or several, all of which an item must have."""
        from readlist.search.engine import search

        flt = item_filter(status, None, kind, since)
        return search(
            self._conn,
            query,
            tag=[tag] if isinstance(tag, str) else list(tag or []),
            status=flt.status,
            kind=flt.kind,
            since=flt.since,
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
        tag: Tags = None,
        kind: str | None = None,
        group_by: str = "tag",
        lang: str | None = None,
        full_notes: bool = False,
        team: bool = False,
    ) -> str:
        """Markdown for a team wiki or chat (lang: zh, en or auto; None: config digest_language); `team`: who
        read what in the period, with every member's notes."""
        return "".join(
            self.digest_stream(
                since=since,
                status=status,
                tag=tag,
                kind=kind,
                group_by=group_by,
                lang=lang,
                full_notes=full_notes,
                team=team,
            )
        )

    def digest_stream(
        self,
        *,
        since: str | None = None,
        status: Sequence[str] | None = None,
        tag: Tags = None,
        kind: str | None = None,
        group_by: str = "tag",
        lang: str | None = None,
        full_notes: bool = False,
        team: bool = False,
    ) -> Iterator[str]:
        """`digest` in pieces to write as they come: memory stays flat however many items it lists (bad options
        are refused here, before any piece)."""
        from readlist.export.digest import GROUPS, LABELS, digest

        if group_by not in GROUPS:
            raise InvalidInputError(f"cannot group by {group_by!r}", f"use one of: {', '.join(GROUPS)}")
        language = config.value(config.DIGEST_LANGUAGE, lang)
        if language != "auto" and language not in LABELS:
            raise InvalidInputError(f"no labels for language {language!r}", "use --lang zh, --lang en or --lang auto")
        flt = item_filter(status, tag, kind, since)
        if flt.since and flt.since > _now():  # the period would end before it starts
            raise InvalidInputError(f"{since} is in the future: a digest covers a past period", "use 7d or a past date")
        chosen = None if language == "auto" else language
        return digest(
            self._conn, flt, group_by=group_by, lang=chosen, full_notes=full_notes, since_text=since, team=team
        )

    def export(
        self,
        fmt: str = "jsonl",
        *,
        status: Sequence[str] | None = None,
        tag: Tags = None,
        kind: str | None = None,
        since: str | None = None,
        bom: bool = False,
    ) -> str:
        """The items as jsonl, json, bibtex or csv text (jsonl is lossless and re-importable)."""
        return "".join(self.export_stream(fmt, status=status, tag=tag, kind=kind, since=since, bom=bom))

    def export_stream(
        self,
        fmt: str = "jsonl",
        *,
        status: Sequence[str] | None = None,
        tag: Tags = None,
        kind: str | None = None,
        since: str | None = None,
        bom: bool = False,
    ) -> Iterator[str]:
        """`export` in pieces, read from the library a page at a time and meant to be written as they come:
        memory stays flat however large the library (bad options are refused here, before any piece)."""
        from readlist.export.formats import FORMATS, chunks
        from readlist.store.serialize import iter_records
        from readlist.store.stream import citation_keys

        if fmt not in FORMATS:
            raise InvalidInputError(f"unknown format {fmt!r}", f"use one of: {', '.join(FORMATS)}")
        flt = item_filter(status, tag, kind, since)
        if fmt != "bibtex":
            return chunks(fmt, iter_records(self._conn, flt), bom=bom)
        minted: Pairs = []
        taken = citation_keys(self._conn)  # every item's, not only those exported: a key made here is kept
        pieces = chunks(fmt, iter_records(self._conn, flt), taken=taken, minted=minted)
        return self._keeping_keys(pieces, minted)

    def _keeping_keys(self, pieces: Iterator[str], minted: Pairs) -> Iterator[str]:
        """The pieces; once all are out, the citation keys they gave items are kept, so a key a person has
        exported never changes, whatever a later fetch learns."""
        yield from pieces
        if minted:
            from readlist.store import citekeys

            try:
                with self._writer.transaction() as tx:
                    citekeys.pin(tx.conn, minted)
            except ReadlistError:
                pass  # a library this user may only read: the export stands; the keys are made the same next time

    @staticmethod
    def glossary() -> tuple[Groups, Path]:
        """The bilingual synonym groups search expands queries with, and the file where a user adds their own."""
        from readlist.search import glossary

        return [list(g) for g in glossary.groups()], glossary.user_file()

    def address(self, ref: str | int, *, pdf: bool = False, code: bool = False) -> str:
        """Where an item lives on the web (or its attached PDF): what `readlist open` opens."""
        from readlist.services.opening import target

        if pdf and code:
            raise InvalidInputError("--pdf and --code ask for different things", "give one of them")
        return target(self.show(ref), pdf=pdf, code=code)
