"""What the user took off items (tags, notes) and the keys items were known by before: merges honour both, so
importing the same notes again never undoes a removal nor adds an edited item a second time (issue 14).

Plain SQL on the transaction's connection, shared by the daily commands and the merge engine.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence

from readlist.store.records import now_iso
from readlist.store.rows import CHUNK, marks
from readlist.store.txn import Tx

Mark = tuple[str, str]  # (what, value) of a Removal
TAG, NOTE_SOURCE, NOTE_TEXT = "tag", "note source", "note text"


def tag_mark(slug: str) -> Mark:
    return (TAG, slug)


def note_marks(body: str, source: str | None) -> list[Mark]:
    """A note is known by its text (hashed: exports carry notes without a source) and, if imported, by the
    file section it came from (so an edited section does not bring it back either)."""
    marks_ = [(NOTE_TEXT, hashlib.sha256(body.strip().encode()).hexdigest())]
    return marks_ + [(NOTE_SOURCE, source)] if source else marks_


def load(tx: Tx, item_ids: Sequence[int]) -> dict[int, dict[Mark, int]]:
    """Each item's removals: mark → row id."""
    found: dict[int, dict[Mark, int]] = {}
    for start in range(0, len(item_ids), CHUNK):
        chunk = list(item_ids[start : start + CHUNK])
        rows = tx.conn.execute(
            f"SELECT id, item_id, what, value FROM removal WHERE item_id IN ({marks(chunk)})", chunk
        ).fetchall()
        for row_id, item_id, what, value in rows:
            found.setdefault(int(item_id), {})[(str(what), str(value))] = int(row_id)
    return found


def remember(tx: Tx, item_id: int, marks_: Iterable[Mark]) -> None:
    """Note that the user removed these from the item (once each)."""
    have = set(load(tx, [item_id]).get(item_id, {}))
    stamp = now_iso()
    new = [(item_id, what, value, stamp) for what, value in dict.fromkeys(marks_) if (what, value) not in have]
    if new:
        tx.conn.executemany("INSERT INTO removal (item_id, what, value, removed_at) VALUES (?, ?, ?, ?)", new)


def forget(tx: Tx, item_id: int, marks_: Iterable[Mark]) -> None:
    """The user put these back themselves: a later import may bring them too."""
    tx.conn.executemany(
        "DELETE FROM removal WHERE item_id = ? AND what = ? AND value = ?",
        [(item_id, what, value) for what, value in marks_],
    )


def forget_rows(tx: Tx, row_ids: Sequence[int]) -> None:
    for start in range(0, len(row_ids), CHUNK):
        chunk = list(row_ids[start : start + CHUNK])
        tx.conn.execute(f"DELETE FROM removal WHERE id IN ({marks(chunk)})", chunk)


def move(tx: Tx, from_id: int, to_id: int) -> None:
    """An item folded into another: its removals now hold for the other (before it is deleted)."""
    remember(tx, to_id, load(tx, [from_id]).get(from_id, {}))


def resolve(tx: Tx, keys: Sequence[str]) -> dict[str, str]:
    """Former keys among these → the key their item has now."""
    found: dict[str, str] = {}
    for start in range(0, len(keys), CHUNK):
        chunk = list(keys[start : start + CHUNK])
        rows = tx.conn.execute(f"SELECT key, item_key FROM keyalias WHERE key IN ({marks(chunk)})", chunk)
        found.update({str(key): str(item_key) for key, item_key in rows.fetchall()})
    return found


def rekeyed(tx: Tx, old_key: str, new_key: str) -> None:
    """An item known as `old_key` is now `new_key` (edited URL, or folded into that item): the old key and every
    key that led to it lead to the new one; the new key stops being anyone's former key."""
    if old_key == new_key:
        return
    tx.conn.execute("UPDATE keyalias SET item_key = ? WHERE item_key = ?", (new_key, old_key))
    claimed(tx, new_key)
    tx.conn.execute(
        "INSERT INTO keyalias (key, item_key, added_at) VALUES (?, ?, ?) "
        "ON CONFLICT (key) DO UPDATE SET item_key = excluded.item_key",
        (old_key, new_key, now_iso()),
    )


def claimed(tx: Tx, key: str) -> None:
    """An item took `key` as its own: it no longer stands for another item."""
    tx.conn.execute("DELETE FROM keyalias WHERE key = ?", (key,))
