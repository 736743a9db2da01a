"""Reading many items a page at a time, for exports and digests: memory stays flat however large the library.

Only the ids (and, for a digest, what it sorts by) are read for the whole selection; full records come in
pages of `PAGE` ids, each page in a handful of queries (docs/architecture.md#the-fast-path).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from readlist.location import Conn
from readlist.store.backends import backend_of
from readlist.store.read import ItemFilter, list_items

if TYPE_CHECKING:
    from readlist.store.records import ItemRecord

PAGE = 500  # records decoded at a time: large enough that the per-page queries cost nothing, small in memory


def item_ids(conn: Conn, flt: ItemFilter | None = None, *, order: str = "i.key") -> list[int]:
    """The ids of the items `flt` selects, in `order` (one integer per item is all that is held)."""
    where, params = (flt or ItemFilter()).sql(backend_of(conn).sql)
    return [int(r[0]) for r in conn.execute(f"SELECT i.id FROM member_item i{where} ORDER BY {order}", params)]


def items_in_order(conn: Conn, ids: Sequence[int], *, full: bool = True) -> Iterator[ItemRecord]:
    """The items with these ids, in the order given, read `PAGE` at a time."""
    for start in range(0, len(ids), PAGE):
        page = list(ids[start : start + PAGE])
        found = {item["id"]: item for item in list_items(conn, ItemFilter(ids=page), full=full)}
        yield from (found[i] for i in page if i in found)  # one removed meanwhile is left out


def items(conn: Conn, flt: ItemFilter | None = None, *, order: str = "i.key") -> Iterator[ItemRecord]:
    """Every item `flt` selects, in `order`, with notes, links and readings, read a page at a time."""
    ids = item_ids(conn, flt, order=order)
    base = flt or ItemFilter()
    for start in range(0, len(ids), PAGE):
        # The page keeps the filter: an item changed meanwhile so that it no longer matches is left out.
        yield from list_items(conn, replace(base, ids=ids[start : start + PAGE]), order=order)


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
