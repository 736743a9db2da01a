"""Reading many items a page at a time, for exports and digests: memory stays flat however large the library.

Full records come in pages of `PAGE` items, each page in a handful of queries (docs/architecture.md#the-fast-path);
an export or `list` pages by key or id (keyset: each page starts after the last one's end), a digest by the ids
it sorted from a few columns.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from readlist.location import Conn
from readlist.store.backends import backend_of
from readlist.store.read import ItemFilter, list_items, tags_of

if TYPE_CHECKING:
    from readlist.store.records import ItemRecord

PAGE = 500  # records decoded at a time: large enough that the per-page queries cost nothing, small in memory


def items_in_order(conn: Conn, ids: Sequence[int], *, full: bool = True) -> Iterator[ItemRecord]:
    """The items with these ids, in the order given, read `PAGE` at a time."""
    for start in range(0, len(ids), PAGE):
        page = list(ids[start : start + PAGE])
        found = {item["id"]: item for item in list_items(conn, ItemFilter(ids=page), full=full)}
        yield from (found[i] for i in page if i in found)  # one removed meanwhile is left out


def items(conn: Conn, flt: ItemFilter | None = None) -> Iterator[ItemRecord]:
    """Every item `flt` selects in key order, with notes, links and readings, read a page at a time: each page
    starts after the last key of the one before (keyset paging on the key's unique index), so no list of the
    whole selection is held and a page costs the same at the end of the library as at its start."""
    return _pages(conn, flt or ItemFilter(), by_key=True, full=True)


def by_id(conn: Conn, flt: ItemFilter | None = None, *, full: bool = True) -> Iterator[ItemRecord]:
    """Every item `flt` selects in id order (`list`'s order), read a page at a time as `items` is."""
    return _pages(conn, flt or ItemFilter(), by_key=False, full=full)


def _pages(conn: Conn, base: ItemFilter, *, by_key: bool, full: bool) -> Iterator[ItemRecord]:
    after_id: int | None = None
    after_key: str | None = None
    while True:
        # Each page applies the filter itself: an item changed meanwhile so that it no longer matches is left out.
        flt = replace(base, after_id=after_id, after_key=after_key)
        page = list_items(conn, flt, order="i.key" if by_key else "i.id", limit=PAGE, full=full, indexed=True)
        if len(page) == PAGE:  # read before the page is handed on: an export's records drop their ids in place
            after_key, after_id = (page[-1]["key"], None) if by_key else (None, page[-1]["id"])
        yield from page
        if len(page) < PAGE:
            return


def rows_by_id(conn: Conn, flt: ItemFilter | None = None) -> Iterator[dict[str, object]]:
    """What a row of `list` shows (id, status, kind, title, short name, URL, tags, added), every item `flt`
    selects in id order, a page at a time: a TSV or CSV of the library reads no abstract, author list or JSON
    column (the whole records were two thirds of `list` in a pipe)."""
    base = flt or ItemFilter()
    after: int | None = None
    while True:
        where, params = replace(base, after_id=after).sql(backend_of(conn).sql)
        sql = (
            "SELECT i.id, i.status, i.kind, i.title, i.short_name, i.url, i.added_at "
            f"FROM member_item i{where} ORDER BY i.id LIMIT ?"
        )
        page = conn.execute(sql, [*params, PAGE]).fetchall()
        tags = tags_of(conn, [int(r[0]) for r in page])
        for r in page:
            yield {
                "id": r[0],
                "status": r[1],
                "kind": r[2],
                "title": r[3],
                "short_name": r[4],
                "url": r[5],
                "added_at": r[6],
                "tags": tags.get(r[0], []),
            }
        if len(page) < PAGE:
            return
        after = int(page[-1][0])


def citation_keys(conn: Conn, flt: ItemFilter | None = None) -> set[str]:
    """The stored citation keys of the items `flt` selects (a BibTeX export gives the others keys beside them)."""
    where, params = (flt or ItemFilter()).sql(backend_of(conn).sql)
    joiner = " AND " if where else " WHERE "
    sql = f"SELECT i.citation_key FROM member_item i{where}{joiner}i.citation_key IS NOT NULL"
    return {str(r[0]) for r in conn.execute(sql, params)}


def digest_rows(conn: Conn, flt: ItemFilter) -> Iterator[tuple[int, str, str, str, str, str | None, str | None]]:
    """(id, key, title, status, added_at, started_at, finished_at) of each selected item: what a digest counts
    and sorts by, without decoding whole records."""
    where, params = flt.sql(backend_of(conn).sql)
    sql = f"SELECT i.id, i.key, i.title, i.status, i.added_at, i.started_at, i.finished_at FROM member_item i{where}"
    for row in conn.execute(sql, params):
        yield int(row[0]), row[1], row[2], row[3], row[4], row[5], row[6]


def item_tags(conn: Conn, flt: ItemFilter) -> Iterator[tuple[int, str]]:
    """(item id, tag name) for every tag of the selected items."""
    where, params = flt.sql(backend_of(conn).sql)
    sql = (
        "SELECT it.item_id, t.name FROM itemtag it JOIN tag t ON t.id = it.tag_id "
        f"WHERE it.item_id IN (SELECT i.id FROM member_item i{where})"
    )
    for row in conn.execute(sql, params):
        yield int(row[0]), row[1]


def reading_times(conn: Conn, flt: ItemFilter) -> Iterator[tuple[str, str | None, str | None]]:
    """(member, started_at, finished_at) of every member's reading of the selected items (a team digest)."""
    where, params = flt.sql(backend_of(conn).sql)
    sql = (
        "SELECT r.member, r.started_at, r.finished_at FROM reading r "
        f"WHERE r.item_id IN (SELECT i.id FROM member_item i{where})"
    )
    for row in conn.execute(sql, params):
        yield row[0], row[1], row[2]
