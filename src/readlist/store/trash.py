"""The trash: `rm` keeps each removed item's full export record as a tombstone (which also keeps re-imports from
bringing it back); `restore` merges the record back through the merge engine."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from readlist.errors import InvalidInputError, NotFoundError
from readlist.store import index, removals, rows
from readlist.store.records import Removed, now_iso
from readlist.store.rows import CHUNK, ItemRow, marks
from readlist.store.trashref import refers_to
from readlist.store.txn import Tx

WORDS = "index_words"  # in a trash record: the CJK runs of the item's index entry, cut into words (index.py)


@dataclass
class Tombstone:
    """A trash entry: the removed item's key and its full export record (models.Tombstone)."""

    key: str
    removed_at: str
    record: dict[str, object]


def tombstones(tx: Tx, keys: Sequence[str] | None = None) -> list[Tombstone]:
    """Trash entries, newest first: all of them, or those with these keys."""
    if keys is None:
        found = tx.conn.execute("SELECT key, removed_at, record FROM tombstone ORDER BY removed_at DESC").fetchall()
    else:
        found = []
        for start in range(0, len(keys), CHUNK):
            chunk = list(keys[start : start + CHUNK])
            found += tx.conn.execute(
                f"SELECT key, removed_at, record FROM tombstone WHERE key IN ({marks(chunk)})", chunk
            ).fetchall()
    return [
        Tombstone(str(key), str(stamp), json.loads(record) if isinstance(record, str) else dict(record))
        for key, stamp, record in found
    ]


def bury(tx: Tx, key: str, record: Mapping[str, object]) -> None:
    """Keep a removed item's record in the trash (replacing an older entry for the same key)."""
    tx.conn.execute(
        "INSERT INTO tombstone (key, removed_at, record) VALUES (?, ?, ?) "
        "ON CONFLICT (key) DO UPDATE SET removed_at = excluded.removed_at, record = excluded.record",
        (key, now_iso(), json.dumps(record)),
    )


def forget(tx: Tx, key: str) -> None:
    tx.conn.execute("DELETE FROM tombstone WHERE key = ?", (key,))


def matching(tx: Tx, refs: Sequence[str]) -> list[Tombstone]:
    """The trash entries these references name (old number, key, arXiv ID or URL); all must exist."""
    trash = tombstones(tx)
    found: dict[str, Tombstone] = {}
    for ref in refs:
        matches = _trash_matches(trash, ref)
        if not matches:
            raise NotFoundError(f"{ref} is not in the trash; nothing was restored", 'run "readlist trash" to see it')
        if len(matches) > 1:
            keys = ", ".join(t.key for t in matches)
            raise InvalidInputError(f"#{ref} was the number of several removed items ({keys})", "restore by key")
        found.setdefault(matches[0].key, matches[0])
    return list(found.values())


def _trash_matches(trash: Sequence[Tombstone], ref: str) -> list[Tombstone]:
    return [t for t in trash if refers_to(t.key, t.record, ref)]


def remove(tx: Tx, items: Sequence[ItemRow]) -> list[Removed]:
    """Move items to the trash: a tombstone keeps each one's full export record (and what the user had taken off
    it, which stays off after `restore`), then the item and everything that hangs on it goes."""
    from readlist.store import db
    from readlist.store.read import ItemFilter
    from readlist.store.serialize import records

    with db.dict_rows(tx.conn) as conn:
        exported = {r["key"]: r for r in records(conn, ItemFilter(ids=[it.id for it in items]))}
    taken_off = removals.load(tx, [it.id for it in items])
    for item in items:
        record = {**exported[item.key], "id": item.id}  # the old number, for `restore N`
        if item.id in taken_off:
            record["removals"] = sorted(taken_off[item.id])
        cut = index.words_of(tx.conn, [item.id])
        if cut:  # its Chinese text cut into words: `restore` re-indexes it without loading the segmenter
            record[WORDS] = sorted(cut.values())
        bury(tx, item.key, record)
        rows.delete(tx.conn, item.id)
        tx.touched.add(item.id)
    return [Removed(it.id, it.key, it.title) for it in items]


def empty(tx: Tx) -> int:
    """Forget every removed item for good; returns how many."""
    return int(tx.conn.execute("DELETE FROM tombstone").rowcount)
