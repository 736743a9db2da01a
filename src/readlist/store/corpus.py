"""The text of every item as a model of the library reads it: titles, abstracts, notes and tags, in three
queries (plain SQL on the DB-API connection, like the rest of the read side)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from readlist.domain import Status
from readlist.location import Conn


@dataclass
class CorpusRow:
    """One item's text and the signals a model learns from (status, rating, tags), as this member sees them."""

    id: int
    title: str
    abstract: str | None
    status: Status
    rating: str | None
    date: str  # published, else added: the date order of the inbox
    tags: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def corpus(conn: Conn) -> list[CorpusRow]:
    """Every item of the library (inbox included), by id."""
    statuses = {s.value: s for s in Status}  # a dict lookup, not an Enum call per row
    rows = [
        CorpusRow(r[0], r[1] or "", r[2], statuses[r[3]], r[4], r[5] or "")
        for r in conn.execute(
            "SELECT id, title, abstract, status, rating, coalesce(published, added_at) FROM member_item ORDER BY id"
        )
    ]
    by_id = {row.id: row for row in rows}
    for item_id, name in conn.execute(
        "SELECT it.item_id, t.name FROM itemtag it JOIN tag t ON t.id = it.tag_id ORDER BY t.slug"
    ):
        if item_id in by_id:
            by_id[item_id].tags.append(name)
    notes: dict[int, list[str]] = defaultdict(list)
    for item_id, body in conn.execute("SELECT item_id, body FROM note ORDER BY id"):
        notes[item_id].append(body or "")
    for item_id, bodies in notes.items():
        if item_id in by_id:
            by_id[item_id].notes = bodies
    return rows
