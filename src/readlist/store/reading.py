"""Each member's own reading of an item — status, priority, started and finished — on the write side.

Items, tags, links and notes are shared; a `Reading` row is one member's. No row means the item's
`initial_status` (`inbox` for an untriaged feed entry, else `unread`), priority 0 and no dates, so a new member
starts with everything unread and a personal library is simply a team of one.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import Session, col, select

from readlist import config
from readlist.domain import Status
from readlist.store.models import Item, Member, Reading
from readlist.store.records import now_iso


def current_member() -> str:
    """Who is reading: `READLIST_USER`, else `user` in the config file, else the login name."""
    return config.user()


def ensure_member(session: Session, name: str) -> None:
    """Register a member the first time they write (two processes may race: the loser's insert is a no-op)."""
    if session.get(Member, name) is not None:
        return
    table = Member.__table__  # type: ignore[attr-defined]
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert  # type: ignore[assignment]
    session.execute(insert(table).values(name=name, joined_at=now_iso()).on_conflict_do_nothing())


def load(session: Session, item_ids: Sequence[int], member: str) -> dict[int, Reading]:
    """The member's rows for these items (those without a row are not in the result)."""
    found: dict[int, Reading] = {}
    ids = list(item_ids)
    for start in range(0, len(ids), 500):
        query = select(Reading).where(col(Reading.item_id).in_(ids[start : start + 500]), Reading.member == member)
        found.update({r.item_id: r for r in session.exec(query).all()})
    return found


def of(session: Session, item: Item, member: str) -> Reading:
    """The member's reading of an item: their row, or a new one (not yet added) holding the defaults."""
    assert item.id is not None
    row = session.get(Reading, (item.id, member))
    return row if row is not None else default(item, member)


def default(item: Item, member: str) -> Reading:
    assert item.id is not None
    return Reading(item_id=item.id, member=member, status=item.initial_status, priority=0, updated_at=now_iso())


def save(session: Session, reading: Reading) -> None:
    """Keep a changed reading (adding the row the first time the member touches the item)."""
    ensure_member(session, reading.member)
    reading.updated_at = now_iso()
    session.add(reading)


def apply_status(reading: Reading, status: str) -> None:
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
