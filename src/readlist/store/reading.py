"""Each member's own reading of an item — status, priority, started and finished — on the write side.

Items, tags, links and notes are shared; a `reading` row is one member's. No row means the item's
`initial_status` (`inbox` for an untriaged feed entry, else `unread`), priority 0 and no dates, so a new member
starts with everything unread and a personal library is simply a team of one.

Plain SQL on the transaction's connection: the daily status commands and the merge engine use these same
functions.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from readlist import config
from readlist.domain import Status
from readlist.store.records import now_iso
from readlist.store.rows import CHUNK, ItemRow, marks
from readlist.store.txn import Tx

_COLUMNS = ("item_id", "member", "status", "priority", "started_at", "finished_at", "updated_at")


@dataclass
class ReadingRow:
    """One `reading` row (models.Reading)."""

    item_id: int
    member: str
    status: str
    priority: int = 0
    started_at: str | None = None
    finished_at: str | None = None
    updated_at: str = ""

    def values(self) -> tuple[object, ...]:
        return tuple(getattr(self, name) for name in _COLUMNS)


def current_member() -> str:
    """Who is reading: `READLIST_USER`, else `user` in the config file, else the login name."""
    return config.user()


def load(tx: Tx, item_ids: Sequence[int], member: str) -> dict[int, ReadingRow]:
    """The member's rows for these items (those without a row are not in the result)."""
    found: dict[int, ReadingRow] = {}
    ids = list(item_ids)
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        rows = tx.conn.execute(
            f"SELECT {', '.join(_COLUMNS)} FROM reading WHERE item_id IN ({marks(chunk)}) AND member = ?",
            [*chunk, member],
        ).fetchall()
        found.update({int(r[0]): ReadingRow(*tuple(r)) for r in rows})
    return found


def of(tx: Tx, item: ItemRow, member: str) -> ReadingRow:
    """The member's reading of an item: their row, or a new one (not yet saved) holding the defaults."""
    return load(tx, [item.id], member).get(item.id) or default(item.id, item.initial_status, member)


def default(item_id: int, initial_status: str, member: str) -> ReadingRow:
    return ReadingRow(item_id, member, initial_status, 0, updated_at=now_iso())


def save(tx: Tx, reading: ReadingRow) -> None:
    """Keep a changed reading (adding the row the first time the member touches the item)."""
    tx.ensure_member(reading.member)
    reading.updated_at = now_iso()
    insert(tx, [reading], replace=True)


def insert(tx: Tx, readings: Sequence[ReadingRow], *, replace: bool = False) -> None:
    """Add rows (members registered first); `replace` overwrites a member's existing row for the item."""
    if not readings:
        return
    for member in {r.member for r in readings}:
        tx.ensure_member(member)
    on_conflict = (
        " ON CONFLICT (item_id, member) DO UPDATE SET "
        + ", ".join(f"{name} = excluded.{name}" for name in _COLUMNS[2:])
        if replace
        else ""
    )
    tx.conn.executemany(
        f"INSERT INTO reading ({', '.join(_COLUMNS)}) VALUES ({marks(_COLUMNS)}){on_conflict}",
        [r.values() for r in readings],
    )


def apply_status(reading: ReadingRow, status: str) -> None:
    """Move a reading to a status, stamping when reading started and finished."""
    stamp = now_iso()
    if status == Status.READING:
        reading.started_at = reading.started_at or stamp
        reading.finished_at = None  # reading again: it is not finished any more
    if status == Status.READ:
        reading.started_at = reading.started_at or stamp
        reading.finished_at = reading.finished_at or stamp
    if status in (Status.UNREAD, Status.INBOX):
        reading.started_at = reading.finished_at = None
    reading.status = Status(status).value
