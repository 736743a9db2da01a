"""Item rows on the plain-SQL write side: loaded, changed and saved through the backend's DB-API connection.

`ItemRow` is an item as the write side works with it: its columns as attributes (JSON columns decoded), and a
memory of what was loaded, so saving writes only the columns that changed. The columns are models.py's `Item`
table's; a test holds the two to the same list on both backends (models.py stays the schema: docs/architecture.md).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from typing import Any

from readlist.ids import parse_item_ref
from readlist.location import Conn
from readlist.store.read import LOOKUPS

JSON_COLUMNS = ("authors", "categories", "details", "provenance")
CHUNK = 500  # ids or keys per IN (…) list


@dataclass(eq=False)
class ItemRow:
    """One `item` row (see models.Item for what each column means)."""

    id: int
    kind: str
    key: str
    arxiv_id: str | None
    arxiv_version: int | None
    url: str
    title: str
    short_name: str | None
    authors: list[dict[str, str]]
    abstract: str | None
    published: str | None
    updated: str | None
    venue: str | None
    doi: str | None
    comment: str | None
    affiliation: str | None
    primary_category: str | None
    categories: list[str]
    initial_status: str
    rating: str | None
    added_at: str
    metadata_status: str
    metadata_fetched_at: str | None
    inbox_score: float | None
    citation_key: str | None
    year: int | None
    work_type: str | None
    site: str | None
    details: dict[str, object]
    added_by: str | None
    provenance: dict[str, str]
    _loaded: dict[str, object] = field(default_factory=dict, repr=False)

    def changed(self) -> dict[str, object]:
        """The columns whose values differ from what was loaded (or last saved)."""
        return {name: value for name in COLUMNS if (value := getattr(self, name)) != self._loaded.get(name)}

    def mark_saved(self) -> None:
        self._loaded = {name: _copy(getattr(self, name)) for name in COLUMNS}


def _copy(value: Any) -> Any:
    """JSON values are copied (a caller may change a list in place); others are immutable."""
    if isinstance(value, list | dict):
        return json.loads(json.dumps(value))
    return value


COLUMNS: tuple[str, ...] = tuple(f.name for f in fields(ItemRow) if not f.name.startswith("_"))
_SELECT = "SELECT " + ", ".join(COLUMNS) + " FROM item"


def _decode(name: str, value: Any) -> Any:
    if name in JSON_COLUMNS:
        empty: Any = {} if name in ("details", "provenance") else []
        return json.loads(value) if isinstance(value, str) and value else (value or empty)
    return value


def encode(name: str, value: Any) -> Any:
    """A column value as a query parameter: JSON columns as JSON text (as SQLAlchemy's JSON type writes it)."""
    return json.dumps(value) if name in JSON_COLUMNS else value


def from_row(row: Sequence[Any]) -> ItemRow:
    item = ItemRow(*(_decode(name, value) for name, value in zip(COLUMNS, row, strict=True)))
    item.mark_saved()
    return item


def select(conn: Conn, where: str, params: Sequence[Any] = ()) -> list[ItemRow]:
    """Items matching a WHERE clause (without the word WHERE)."""
    return [from_row(tuple(r)) for r in conn.execute(f"{_SELECT} WHERE {where}", tuple(params)).fetchall()]


def by_id(conn: Conn, item_id: int) -> ItemRow | None:
    found = select(conn, "id = ?", (item_id,))
    return found[0] if found else None


def by_key(conn: Conn, key: str) -> ItemRow | None:
    found = select(conn, "key = ?", (key,))
    return found[0] if found else None


def by_keys(conn: Conn, keys: Iterable[str]) -> list[ItemRow]:
    wanted = list(keys)
    found: list[ItemRow] = []
    for start in range(0, len(wanted), CHUNK):
        chunk = wanted[start : start + CHUNK]
        found += select(conn, f"key IN ({marks(chunk)})", chunk)
    return found


def by_ids(conn: Conn, ids: Iterable[int], extra: str = "") -> list[ItemRow]:
    """Items with these ids (and `extra`, a further condition), ordered by id."""
    wanted = list(ids)
    found: list[ItemRow] = []
    for start in range(0, len(wanted), CHUNK):
        chunk = wanted[start : start + CHUNK]
        found += select(conn, f"id IN ({marks(chunk)}){' AND ' + extra if extra else ''} ORDER BY id", chunk)
    return found


def marks(values: Sequence[object]) -> str:
    return ",".join("?" * len(values))


def save(conn: Conn, item: ItemRow) -> bool:
    """Write the columns that changed since the row was loaded; False if nothing had."""
    changed = item.changed()
    if not changed:
        return False
    sets = ", ".join(f"{name} = ?" for name in changed)
    conn.execute(f"UPDATE item SET {sets} WHERE id = ?", [*(encode(n, v) for n, v in changed.items()), item.id])
    item.mark_saved()
    return True


def insert(conn: Conn, rows: Sequence[Mapping[str, object]]) -> dict[str, int]:
    """Insert new items (column → value dicts, one set of columns); returns key → id."""
    if not rows:
        return {}
    names = list(rows[0])
    ids: dict[str, int] = {}
    per_statement = max(1, 30_000 // (len(names) * 4))  # well under SQLite's limit on parameters
    for start in range(0, len(rows), per_statement):
        chunk = rows[start : start + per_statement]
        values = ", ".join(f"({marks(names)})" for _ in chunk)
        params = [encode(name, row[name]) for row in chunk for name in names]
        cursor = conn.execute(f"INSERT INTO item ({', '.join(names)}) VALUES {values} RETURNING id, key", params)
        ids.update({str(key): int(item_id) for item_id, key in cursor.fetchall()})
    return ids


def delete(conn: Conn, item_id: int) -> None:
    """Remove an item; its tags, notes, links, sources, readings … go with it (ON DELETE CASCADE)."""
    conn.execute("DELETE FROM item WHERE id = ?", (item_id,))


def exists(conn: Conn, table: str) -> bool:
    """Whether a table has any row (most libraries have no removals or aliases: merges then skip lookups)."""
    return conn.execute(f"SELECT 1 FROM {table} LIMIT 1").fetchone() is not None


def find(conn: Conn, ref: str) -> ItemRow:
    """The item a reference names, looked up as the read side does (id, key, DOI, arXiv ID, citation key)."""
    how, value = parse_item_ref(ref)
    for sql in LOOKUPS[how]:
        row = conn.execute(sql, (value,)).fetchone()
        if row is not None:
            item = by_id(conn, int(row[0]))
            if item is not None:
                return item
    from readlist.store.trashref import not_found  # only when nothing was found

    raise not_found(conn, ref)
