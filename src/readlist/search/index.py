"""Keeps the FTS5 table `search_index` in step with items, inside the caller's transaction."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable

from readlist.search.text import for_index

_ROWS_SQL = """
SELECT i.id, i.title, i.short_name, i.authors, i.abstract, i.venue, i.affiliation, i.comment,
       (SELECT group_concat(t.name, ' ; ') FROM itemtag it JOIN tag t ON t.id = it.tag_id
         WHERE it.item_id = i.id) AS tags,
       (SELECT group_concat(n.body, char(10)) FROM note n WHERE n.item_id = i.id) AS notes
FROM item i
"""


def _index_row(row: sqlite3.Row | tuple[object, ...]) -> tuple[object, ...]:
    item_id, title, short_name, authors_json, abstract, venue, affiliation, comment, tags, notes = row
    authors = " ; ".join(a.get("name", "") for a in json.loads(str(authors_json or "[]")))
    title_text = f"{short_name} : {title}" if short_name and str(short_name) not in str(title) else str(title)
    venue_text = " ; ".join(str(v) for v in (venue, affiliation, comment) if v)
    return (
        item_id,
        for_index(str(title_text or "")),
        for_index(authors),
        for_index(str(tags or "")),
        for_index(str(abstract or "")),
        for_index(str(notes or "")),
        for_index(venue_text),
    )


def refresh(conn: sqlite3.Connection, item_ids: Iterable[int]) -> None:
    """Re-index these items (deleted ones drop out). Runs in the caller's transaction."""
    ids = sorted(set(item_ids))
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        marks = ",".join("?" * len(chunk))
        conn.execute(f"DELETE FROM search_index WHERE rowid IN ({marks})", chunk)
        rows = conn.execute(f"{_ROWS_SQL} WHERE i.id IN ({marks})", chunk).fetchall()
        conn.executemany(
            "INSERT INTO search_index (rowid, title, authors, tags, abstract, notes, venue) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            [_index_row(r) for r in rows],
        )


def rebuild(conn: sqlite3.Connection) -> int:
    """Rebuild the whole index from the item tables; returns the number of items indexed."""
    conn.execute("DELETE FROM search_index")
    rows = conn.execute(_ROWS_SQL).fetchall()
    conn.executemany(
        "INSERT INTO search_index (rowid, title, authors, tags, abstract, notes, venue) VALUES (?, ?, ?, ?, ?, ?, ?)",
        [_index_row(r) for r in rows],
    )
    return len(rows)
