"""The write side: the daily writes in plain SQL on the backend's DB-API connection (docs/architecture.md).

`tag`, `note`, status moves, `edit`, `rm`, `restore` and `add` never import SQLModel or SQLAlchemy: each is one
short write transaction (`Store.transaction`, BEGIN IMMEDIATE on SQLite, the write lock on PostgreSQL) through
the same functions the merge engine uses (merge.py, reading.py, removals.py), ended by `txn.finish` (member,
citation keys, search index). `Store.session` still opens an ORM session for the writers that change model
objects (fetch, feeds), importing the ORM only then (orm.py).
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING

from readlist.domain import TRANSITIONS, Action, MetadataStatus, check_status, normalise_tag, tag_slug
from readlist.errors import InvalidInputError, NotFoundError
from readlist.ids import parse_reference
from readlist.location import Conn, Location
from readlist.store import db, provenance, reading, removals, rows, sourcevalues, trash
from readlist.store.drafts import stand_in_title
from readlist.store.fold import merge_item_into, rekey
from readlist.store.merge import Merger, MergeResult, restore
from readlist.store.reading import ReadingRow
from readlist.store.records import (
    Edited,
    FieldChanges,
    ItemDraft,
    NoteText,
    Removed,
    Restored,
    StatusChange,
    TagChange,
    now_iso,
)
from readlist.store.rows import ItemRow, find
from readlist.store.targets import FetchTargets as FetchTargets  # where callers have always found it
from readlist.store.txn import Tx, finish, tx_of

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine
    from sqlmodel import Session

EDITABLE_FIELDS = (
    "title",
    "short_name",
    "abstract",
    "venue",
    "affiliation",
    "priority",
    "rating",
    "url",  # re-keys the item; `kind` follows from the URL's identity and is not edited directly
)


def _refusal(action: Action, refused: Sequence[ReadingRow]) -> str:
    where = "; ".join(f"#{r.item_id} is {r.status}" for r in refused)
    return f"cannot {action}: {where} (nothing was changed)"


class Connections:
    """What a Store holds open: a plain DB-API connection for the daily writes, and a SQLAlchemy engine only
    once an ORM session was asked for. `dispose` closes both (Library.close)."""

    def __init__(self, path: Location) -> None:
        self.path = path
        self._conn: Conn | None = None
        self._member: str | None = None
        self._engine: Engine | None = None

    def open(self, member: str) -> Conn:
        """The connection, showing the library as `member` sees it (the read side's queries run on it too)."""
        if self._conn is None:
            self._conn = db.connect(self.path, member)
        elif self._member != member:
            db.use_member(self._conn, member)
        self._member = member
        return self._conn

    def sqlalchemy(self) -> Engine:
        if self._engine is None:
            self._engine = db.engine(self.path)
        return self._engine

    def dispose(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None


class Store:
    """One library, written through short write transactions."""

    def __init__(self, path: Location, member: str | None = None) -> None:
        """`member`: whose readings and notes the writes are (default: the current user, READLIST_USER)."""
        self.path = path
        self.engine = Connections(path)
        self._member = member
        self._tx: Tx | None = None

    @property
    def member(self) -> str:
        return self._member or reading.current_member()

    @contextmanager
    def transaction(self, *, check_all: bool = False) -> Iterator[Tx]:
        """A write transaction that, before committing, registers the member and gives the touched items their
        citation keys and search index entries. Nested use joins the transaction already open.

        A damaged SQLite file is never written through (issue 16): every page the transaction reads is checked
        as it is loaded (`cell_size_check`), and damage found rolls it back. `check_all` (an import) first checks
        the whole file, which costs time in proportion to its size: ~70 ms at 10,000 items, too much for `tag`."""
        if self._tx is not None:
            yield self._tx
            return
        member = self.member
        conn = self.engine.open(member)
        tx = Tx(conn, member)
        with db.write_transaction(conn, check_whole=check_all):
            self._tx = tx
            try:
                yield tx
                finish(tx)
            finally:
                self._tx = None

    @contextmanager
    def connection(self) -> Iterator[Conn]:
        """The connection for a look without writing (no transaction, no lock)."""
        yield self._tx.conn if self._tx is not None else self.engine.open(self.member)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """An ORM session (imports SQLModel): for writers that change `Item` objects (fetch, feeds)."""
        from readlist.store.orm import session

        with session(self.engine.sqlalchemy(), self.member) as current:
            yield current

    # --- lookup -------------------------------------------------------------------------------------------

    def get_many(self, where: Tx | Session, refs: Sequence[str]) -> list[ItemRow]:
        """Every reference resolved before anything is written (each item once); all missing ones in one error."""
        items: dict[int, ItemRow] = {}
        missing = []
        for ref in refs:
            try:
                item = self.get(where, ref)
            except NotFoundError:
                missing.append(ref)
            else:
                items.setdefault(item.id, item)
        if missing:
            raise NotFoundError(f"no item {', '.join(missing)}; nothing was changed", 'run "readlist list" to see ids')
        return list(items.values())

    def get(self, where: Tx | Session, ref: str) -> ItemRow:
        return find(tx_of(where).conn, ref)

    # --- merge --------------------------------------------------------------------------------------------

    def merge(self, tx: Tx, draft: ItemDraft, *, keep_mine: bool = True) -> MergeResult:
        """Insert a new item, or fold the draft into the existing one with the same key. Never duplicates."""
        merger = Merger(tx, [draft.ref.key])
        result = merger.merge(draft, keep_mine=keep_mine)
        merger.flush_pending()
        return result

    # --- everyday edits -----------------------------------------------------------------------------------

    def set_status(self, refs: Sequence[str], status: str, action: Action | None = None) -> list[StatusChange]:
        """Move every item, or none: all references and transitions are checked before anything is written."""
        target = TRANSITIONS[action].target if action else check_status(status)
        with self.transaction() as tx:
            items = self.get_many(tx, refs)
            found = reading.load(tx, [item.id for item in items], tx.member)
            readings = [found.get(it.id) or reading.default(it.id, it.initial_status, tx.member) for it in items]
            if action:
                allowed = TRANSITIONS[action].allowed_from
                refused = [r for r in readings if r.status != target and r.status not in allowed]
                if refused:
                    raise InvalidInputError(
                        _refusal(action, refused), TRANSITIONS[action].hint.format(ref=refused[0].item_id)
                    )
            changes = []
            for item, mine in zip(items, readings, strict=True):
                changes.append(StatusChange(item.id, item.title, mine.status, target))
                if mine.status != target or not action:
                    reading.apply_status(mine, target)
                    reading.save(tx, mine)
                    tx.touched.add(item.id)
            return changes

    def retag(self, ref: str, add: Sequence[str], remove: Sequence[str]) -> TagChange:
        """Add and remove tags in one transaction; tags the item already has (in any case) are left alone."""
        return self.retag_many([ref], add, remove)[0]

    def retag_many(self, refs: Sequence[str], add: Sequence[str], remove: Sequence[str]) -> list[TagChange]:
        """The same tag changes on several items, all or nothing (every reference resolved first)."""
        with self.transaction() as tx:
            items = self.get_many(tx, refs)
            merger = Merger(tx, [item.key for item in items], restore_removed=True)  # asked for: back
            changes = []
            for item in items:
                added = [change.removeprefix("tag ") for change in merger.add_tags(item.id, add)]
                merger.flush_pending()
                removed = []
                for name in remove:
                    tag = merger.tags.get(tag_slug(name))
                    if tag is not None and (item.id, tag.id) in merger.item_tags:
                        tx.conn.execute("DELETE FROM itemtag WHERE item_id = ? AND tag_id = ?", (item.id, tag.id))
                        merger.item_tags.discard((item.id, tag.id))
                        removed.append(tag.name)
                        removals.remember(tx, item.id, [removals.tag_mark(tag.slug)])  # re-imports keep it off
                tx.touched.add(item.id)
                changes.append(TagChange(item.id, item.title, added, removed))
            return changes

    def rename_tag(self, old: str, new: str) -> int:
        """Rename a tag everywhere; renaming onto an existing tag merges the two. Returns items affected."""
        with self.transaction() as tx:
            conn = tx.conn
            found = conn.execute("SELECT id FROM tag WHERE slug = ?", (tag_slug(old),)).fetchone()
            if found is None:
                raise NotFoundError(f"no tag {old!r}", 'run "readlist tags" to see them')
            if not normalise_tag(new):
                raise InvalidInputError("the new tag name is empty", "give a name: readlist tags --rename old new")
            tag_id = int(found[0])
            item_ids = [int(r[0]) for r in conn.execute("SELECT item_id FROM itemtag WHERE tag_id = ?", (tag_id,))]
            target = conn.execute("SELECT id FROM tag WHERE slug = ?", (tag_slug(new),)).fetchone()
            if target is None or int(target[0]) == tag_id:
                conn.execute(
                    "UPDATE tag SET name = ?, slug = ? WHERE id = ?", (normalise_tag(new), tag_slug(new), tag_id)
                )
            else:
                conn.execute("DELETE FROM itemtag WHERE tag_id = ?", (tag_id,))
                merger = Merger(tx, [], restore_removed=True)
                merger.load_item_tags(item_ids)  # items that have both tags keep one
                for item_id in item_ids:
                    merger.add_tags(item_id, [merger.tags[tag_slug(new)].name])
                merger.flush_pending()
                conn.execute("DELETE FROM tag WHERE id = ?", (tag_id,))
            tx.touched.update(item_ids)
            return len(item_ids)

    def add_note(self, ref: str, body: str, author: str | None = None) -> ItemRow:
        if not body.strip():
            raise InvalidInputError("the note is empty", 'write some text: readlist note 1 "…"')
        with self.transaction() as tx:
            item = self.get(tx, ref)
            stamp = now_iso()
            tx.conn.execute(
                "INSERT INTO note (item_id, body, created_at, updated_at, author) VALUES (?, ?, ?, ?, ?)",
                (item.id, body.strip(), stamp, stamp, author),
            )
            removals.forget(tx, item.id, removals.note_marks(body, None))  # typed again: not removed any more
            tx.touched.add(item.id)
            return item

    def _numbered_note(self, tx: Tx, item: ItemRow, number: int) -> tuple[int, str, str | None]:
        """Note `number` of an item (as `readlist note N` lists them): (row id, body, source)."""
        notes = tx.conn.execute(
            "SELECT id, body, source FROM note WHERE item_id = ? ORDER BY id", (item.id,)
        ).fetchall()
        if not 1 <= number <= len(notes):
            have = f"it has {len(notes)}" if notes else "it has none"
            raise NotFoundError(
                f"#{item.id} has no note {number} ({have})", f'run "readlist note {item.id}" to list them'
            )
        note_id, body, source = notes[number - 1]
        return int(note_id), str(body), source

    def note_to_edit(self, ref: str, number: int | None) -> NoteText:
        """The note `note --edit [N]` opens: note N, else the only one, else a new one (note_id None)."""
        with self.connection() as conn:
            tx = Tx(conn, self.member)
            item = self.get(tx, ref)
            if number is None:
                count = conn.execute("SELECT count(*) FROM note WHERE item_id = ?", (item.id,)).fetchone()[0]
                if count != 1:
                    return NoteText(item.id, None, "")
                number = 1
            note_id, body, _source = self._numbered_note(tx, item, number)
            return NoteText(item.id, note_id, body)

    def save_note(self, text: NoteText, body: str, author: str | None) -> None:
        """Store an edited note by its row id (numbers may shift while an editor is open)."""
        if not body.strip():
            raise InvalidInputError(
                "the note is empty; nothing changed", "to remove a note: readlist note N --rm NUMBER"
            )
        if text.note_id is None:
            self.add_note(str(text.item_id), body, author)
            return
        with self.transaction() as tx:
            found = tx.conn.execute("SELECT item_id, author, body FROM note WHERE id = ?", (text.note_id,)).fetchone()
            if found is None:
                raise NotFoundError("the note was removed while you edited it", "add it again: readlist note N --edit")
            if str(found[2]).strip() != text.body.strip():  # someone saved it meanwhile: never overwrite their text
                raise InvalidInputError(
                    "the note was changed by someone else while you edited it; yours was not saved",
                    f'see theirs with "readlist note {found[0]}", then edit again',
                )
            # The editor becomes the author: a re-import of the file the note came from no longer overwrites it.
            tx.conn.execute(
                "UPDATE note SET body = ?, updated_at = ?, author = ? WHERE id = ?",
                (body.strip(), now_iso(), author or found[1] or "you", text.note_id),
            )
            tx.touched.add(int(found[0]))

    def remove_note(self, ref: str, number: int) -> str:
        """Remove one note by its number in `readlist note N`; returns its text."""
        with self.transaction() as tx:
            item = self.get(tx, ref)
            note_id, body, source = self._numbered_note(tx, item, number)
            tx.conn.execute("DELETE FROM note WHERE id = ?", (note_id,))
            removals.remember(tx, item.id, removals.note_marks(body, source))
            tx.touched.add(item.id)
            return body

    def edit(self, ref: str, asked: FieldChanges, *, merge: bool = False, reset: Sequence[str] = ()) -> Edited:
        """Change fields. A new URL re-runs identity: the item is re-keyed, or (--merge) folded into the item
        that already has the new key; without --merge that is refused.

        What a person sets here is theirs: no fetch or import replaces it (store/provenance.py). `reset` hands
        fields back to the source: cleared (a title to its stand-in) and the item pending, so `fetch` fills them."""
        changes: dict[str, object] = dict(asked)
        unknown = set(changes) - set(EDITABLE_FIELDS)
        if unknown:
            raise InvalidInputError(
                f"cannot edit {', '.join(sorted(unknown))}", f"editable: {', '.join(EDITABLE_FIELDS)}"
            )
        _check_reset(reset, changes)
        if "title" in changes and not str(changes["title"]).strip():
            raise InvalidInputError("the title is empty", 'give one: readlist edit 1 --title "…"')
        new_ref = parse_reference(str(changes.pop("url"))) if "url" in changes else None
        with self.transaction() as tx:
            item = self.get(tx, ref)
            old_key, merged_from = item.key, None
            if new_ref is not None and new_ref.key != item.key:
                other = rows.by_key(tx.conn, new_ref.key)
                if other is not None and not merge:
                    raise InvalidInputError(
                        f"{new_ref.url} is already #{other.id} ({other.title}); nothing was changed",
                        f"to fold #{item.id} into #{other.id}: readlist edit {ref} --url {new_ref.url} --merge",
                    )
                if other is not None:
                    merge_item_into(tx, item, other)
                    merged_from, item = item.id, rows.by_id(tx.conn, other.id) or other
                else:
                    rekey(item, new_ref)
                    removals.rekeyed(tx, old_key, item.key)  # notes naming the old URL still find it
            elif new_ref is not None:
                item.url = new_ref.url
            _keep_source_values(item, changes)
            for name, value in changes.items():
                if name == "priority":  # each member's own
                    mine = reading.of(tx, item, tx.member)
                    mine.priority = int(str(value))
                    reading.save(tx, mine)
                else:
                    setattr(item, name, value)
            owned = [n for n in changes if n in provenance.OWNABLE]
            item.provenance = provenance.claimed(item.provenance, owned, tx.member)
            restored, waiting = _hand_back(item, reset) if reset else ([], [])
            rows.save(tx.conn, item)
            tx.touched.add(item.id)
            return Edited(item.id, item.title, old_key, item.key, merged_from, restored, waiting)

    def attach(self, ref: str, paths: Sequence[str]) -> bool:
        """Attach local files to an item; False if they all were attached already."""
        with self.transaction() as tx:
            item = self.get(tx, ref)
            merger = Merger(tx, [item.key])
            added = merger.add_attachments(item.id, paths)
            merger.flush_pending()
            return bool(added)

    def remove(self, refs: Sequence[str]) -> list[Removed]:
        """Move items to the trash, all or none: a tombstone keeps each one's full export record."""
        with self.transaction() as tx:
            return trash.remove(tx, self.get_many(tx, refs))

    def restore(self, refs: Sequence[str]) -> list[Restored]:
        """Bring removed items back from the trash with their notes, tags and links, all or none."""
        with self.transaction() as tx:
            return restore(tx, trash.matching(tx, refs))

    def empty_trash(self) -> int:
        with self.transaction() as tx:
            return trash.empty(tx)

    # --- small shared state -------------------------------------------------------------------------------

    def reserve_slot(self, name: str, interval: float) -> float:
        """Book the next free moment for a rate-limited request; returns seconds to wait for it.

        The booking is a short write transaction, so processes sharing the library share the limit, and
        nobody holds a lock while they wait or while the request is in flight.
        """
        with self.transaction() as tx:
            row = tx.conn.execute("SELECT value FROM meta WHERE key = ?", (name,)).fetchone()
            now = time.time()
            slot = max(now, float(row[0]) if row else 0.0)
            _set_meta(tx, name, str(slot + interval))
            return slot - now

    def release_slot(self, name: str, booked_until: float) -> None:
        """Give back a booking whose request never reached the server (offline): the next `add` need not
        wait out a politeness interval that protected nobody. A later booking by someone else is kept."""
        with self.transaction() as tx:
            row = tx.conn.execute("SELECT value FROM meta WHERE key = ?", (name,)).fetchone()
            if row is not None and float(row[0]) <= booked_until + 1e-6:
                _set_meta(tx, name, str(time.time()))


RESETTABLE = ("title", "abstract", "venue")  # the fields a source fills in (`edit --reset`)


def _check_reset(reset: Sequence[str], changes: dict[str, object]) -> None:
    for name in reset:
        if name not in RESETTABLE:
            raise InvalidInputError(
                f"cannot reset {name}: no source fills it in", f"fields a fetch fills: {', '.join(RESETTABLE)}"
            )
        if name in changes:
            raise InvalidInputError(
                f"{name} is both set and reset; nothing was changed", f"give either --{name} or --reset {name}"
            )


def _keep_source_values(item: ItemRow, changes: dict[str, object]) -> None:
    """A source's value a person is about to replace waits for `edit --reset` (store/sourcevalues.py)."""
    for name in RESETTABLE:
        if name not in changes or provenance.is_users(item.provenance, name):
            continue
        if provenance.is_guess(item.provenance, name) or (name == "title" and item.title == stand_in_title(item)):
            continue  # a link's text or a stand-in is no source's value
        sourcevalues.keep(item, name, getattr(item, name))


def _hand_back(item: ItemRow, names: Sequence[str]) -> tuple[list[str], list[str]]:
    """The fields are the source's again: its kept value at once (restored), else emptied (the title shows its
    stand-in) and the item pending until the next fetch fills them (waiting). A field that was not the
    person's is left as it is and named in neither."""
    restored: list[str] = []
    waiting: list[str] = []
    for name in names:
        if not provenance.is_users(item.provenance, name):
            continue  # already the source's (or a guess a fetch replaces): nothing to hand back
        kept = sourcevalues.take(item, name)
        if kept is not None:
            setattr(item, name, kept)
            restored.append(name)
        elif name == "title":
            stand_in = stand_in_title(item)
            if stand_in is None:
                raise InvalidInputError(
                    f"#{item.id} has no link or ID a source could give a title for; nothing was changed",
                    f'set one instead: readlist edit {item.id} --title "…"',
                )
            item.title = stand_in
            waiting.append(name)
        else:
            setattr(item, name, None)
            waiting.append(name)
    item.provenance = provenance.released(item.provenance, names)
    if waiting:
        item.metadata_status = MetadataStatus.PENDING.value
    return restored, waiting


def _set_meta(tx: Tx, name: str, value: str) -> None:
    tx.conn.execute(
        "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        (name, value),
    )
