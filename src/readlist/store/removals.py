"""What the user took off items (tags, notes) and the keys items were known by before: merges honour both, so
importing the same notes again never undoes a removal nor adds an edited item a second time (issue 14)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence

from sqlalchemy import delete, update
from sqlmodel import Session, SQLModel, col, select

from readlist.store.models import KeyAlias, Removal
from readlist.store.records import now_iso

Mark = tuple[str, str]  # (what, value) of a Removal
TAG, NOTE_SOURCE, NOTE_TEXT = "tag", "note source", "note text"


def tag_mark(slug: str) -> Mark:
    return (TAG, slug)


def note_marks(body: str, source: str | None) -> list[Mark]:
    """A note is known by its text (hashed: exports carry notes without a source) and, if imported, by the
    file section it came from (so an edited section does not bring it back either)."""
    marks = [(NOTE_TEXT, hashlib.sha256(body.strip().encode()).hexdigest())]
    return marks + [(NOTE_SOURCE, source)] if source else marks


def exist(session: Session, model: type[SQLModel]) -> bool:
    """Whether the table has any row (most libraries have none: merges then skip every lookup)."""
    return session.exec(select(model).limit(1)).first() is not None


def load(session: Session, item_ids: Sequence[int]) -> dict[int, dict[Mark, int]]:
    """Each item's removals: mark → row id."""
    found: dict[int, dict[Mark, int]] = {}
    for start in range(0, len(item_ids), 500):
        chunk = item_ids[start : start + 500]
        for row in session.exec(select(Removal).where(col(Removal.item_id).in_(chunk))).all():
            found.setdefault(row.item_id, {})[(row.what, row.value)] = row.id or 0
    return found


def remember(session: Session, item_id: int, marks: Iterable[Mark]) -> None:
    """Note that the user removed these from the item (once each)."""
    have = set(load(session, [item_id]).get(item_id, {}))
    stamp = now_iso()
    for what, value in dict.fromkeys(marks):
        if (what, value) not in have:
            session.add(Removal(item_id=item_id, what=what, value=value, removed_at=stamp))


def forget(session: Session, item_id: int, marks: Iterable[Mark]) -> None:
    """The user put these back themselves: a later import may bring them too."""
    for what, value in marks:
        session.execute(
            delete(Removal).where(
                col(Removal.item_id) == item_id, col(Removal.what) == what, col(Removal.value) == value
            )
        )


def forget_rows(session: Session, row_ids: Sequence[int]) -> None:
    session.execute(delete(Removal).where(col(Removal.id).in_(row_ids)))


def move(session: Session, from_id: int, to_id: int) -> None:
    """An item folded into another: its removals now hold for the other (before it is deleted)."""
    remember(session, to_id, load(session, [from_id]).get(from_id, {}))


def resolve(session: Session, keys: Sequence[str]) -> dict[str, str]:
    """Former keys among these → the key their item has now."""
    found: dict[str, str] = {}
    for start in range(0, len(keys), 500):
        chunk = keys[start : start + 500]
        found.update({a.key: a.item_key for a in session.exec(select(KeyAlias).where(col(KeyAlias.key).in_(chunk)))})
    return found


def rekeyed(session: Session, old_key: str, new_key: str) -> None:
    """An item known as `old_key` is now `new_key` (edited URL, or folded into that item): the old key and every
    key that led to it lead to the new one; the new key stops being anyone's former key."""
    if old_key == new_key:
        return
    session.execute(update(KeyAlias).where(col(KeyAlias.item_key) == old_key).values(item_key=new_key))
    claimed(session, new_key)
    row = session.get(KeyAlias, old_key)
    if row is None:
        session.add(KeyAlias(key=old_key, item_key=new_key, added_at=now_iso()))
    else:
        row.item_key = new_key


def claimed(session: Session, key: str) -> None:
    """An item took `key` as its own: it no longer stands for another item."""
    session.execute(delete(KeyAlias).where(col(KeyAlias.key) == key))
