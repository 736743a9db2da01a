"""The write side: add, merge, update and delete items through SQLModel sessions (DESIGN §2, §6)."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from sqlmodel import Session, col, select

from readlist.domain import TRANSITIONS, Action, MetadataStatus, check_status, normalise_tag, tag_slug
from readlist.errors import InvalidInputError, NotFoundError
from readlist.ids import parse_item_ref, parse_reference
from readlist.location import Conn, Location
from readlist.store import db, index, reading, removals
from readlist.store.merge import Merger, MergeResult, assign_citation_keys, merge_item_into, rekey
from readlist.store.models import Item, ItemTag, Meta, Note, Reading, Tag, Tombstone
from readlist.store.read import LOOKUPS, ItemFilter
from readlist.store.records import (
    Edited,
    ItemDraft,
    NoteText,
    Removed,
    Restored,
    StatusChange,
    TagChange,
    now_iso,
)

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


def session_conn(session: Session) -> Conn:
    """The session's own DB-API connection (in its transaction), for raw SQL such as the search index."""
    return db.driver_conn(session.connection().connection.driver_connection)


@contextmanager
def dict_rows(session: Session) -> Iterator[Conn]:
    """The session's own connection with the read side's row type, for reusing read-side queries."""
    raw = session_conn(session)
    db.use_member(raw, reading.current_member())
    if not isinstance(raw, sqlite3.Connection):
        yield raw  # PgConn rows already read like sqlite3.Row
        return
    before = raw.row_factory
    raw.row_factory = sqlite3.Row
    try:
        yield raw
    finally:
        raw.row_factory = before


def _trash_matches(trash: Sequence[Tombstone], ref: str) -> list[Tombstone]:
    raw = ref.strip()
    if raw.isdecimal():
        return [t for t in trash if str(t.record.get("id")) == raw]
    keys = {raw}
    for parse in (parse_item_ref, parse_reference):
        try:
            parsed = parse(raw)
        except InvalidInputError:
            continue
        keys.add(str(parsed[1]) if isinstance(parsed, tuple) else parsed.key)
    return [t for t in trash if t.key in keys]


def restore_tombstone(session: Session, merger: Merger, tomb: Tombstone) -> Restored:
    """Merge a trash record back (under its old number when that is free) and forget the tombstone."""
    from readlist.store.serialize import to_draft

    draft = to_draft(tomb.record, f"trash entry {tomb.key}")
    old_id = tomb.record.get("id")
    existing = merger.items.get(tomb.key)
    if existing is None and isinstance(old_id, int) and session.get(Item, old_id) is None:
        draft.extra["id"] = old_id
    result = merger.merge(draft, keep_mine=False)
    marks = [] if merger.restore_removed else tomb.record.get("removals") or []  # --restore-removed: all back
    removals.remember(session, result.item_id, [(str(what), str(value)) for what, value in marks])
    session.delete(tomb)
    return Restored(result.item_id, tomb.key, draft.title or tomb.key, merged=not result.created)


def _refusal(action: Action, refused: Sequence[Reading]) -> str:
    where = "; ".join(f"#{r.item_id} is {r.status}" for r in refused)
    return f"cannot {action} {where} (nothing was changed)"


class Store:
    """One library file, written through short BEGIN IMMEDIATE transactions."""

    def __init__(self, path: Location) -> None:
        self.path = path
        self.engine = db.engine(path)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A transaction that also re-indexes every item it touched before committing."""
        with Session(self.engine, expire_on_commit=False) as session:
            session.info["touched"] = set()
            with session.begin():
                yield session
                session.flush()
                touched: set[int] = session.info["touched"]
                if touched:
                    reading.ensure_member(session, reading.current_member())
                    assign_citation_keys(session, sorted(touched))
                    session.flush()
                    index.refresh(session_conn(session), touched)

    # --- lookup -------------------------------------------------------------------------------------------

    def get_many(self, session: Session, refs: Sequence[str]) -> list[Item]:
        """Every reference resolved before anything is written (each item once); all missing ones in one error."""
        items: dict[int | None, Item] = {}
        missing = []
        for ref in refs:
            try:
                item = self.get(session, ref)
            except NotFoundError:
                missing.append(ref)
            else:
                items.setdefault(item.id, item)
        if missing:
            raise NotFoundError(f"no item {', '.join(missing)}; nothing was changed", 'run "readlist list" to see ids')
        return list(items.values())

    def get(self, session: Session, ref: str) -> Item:
        from sqlalchemy import text

        how, value = parse_item_ref(ref)
        item_id = None
        for sql in LOOKUPS[how]:  # the same lookups as the read side
            row = session.connection().execute(text(sql.replace("?", ":v")), {"v": value}).first()
            if row is not None:
                item_id = row[0]
                break
        item = session.get(Item, item_id) if item_id is not None else None
        if item is None:
            raise NotFoundError(f"no item {ref}", 'run "readlist list" to see ids')
        return item

    # --- merge --------------------------------------------------------------------------------------------

    def merge(self, session: Session, draft: ItemDraft, *, keep_mine: bool = True) -> MergeResult:
        """Insert a new item, or fold the draft into the existing one with the same key. Never duplicates."""
        merger = Merger(session, [draft.ref.key])
        result = merger.merge(draft, keep_mine=keep_mine)
        merger.flush_pending()
        return result

    # --- everyday edits -----------------------------------------------------------------------------------

    def set_status(self, refs: Sequence[str], status: str, action: Action | None = None) -> list[StatusChange]:
        """Move every item, or none: all references and transitions are checked before anything is written."""
        target = TRANSITIONS[action].target if action else check_status(status)
        member = reading.current_member()
        with self.session() as session:
            items = self.get_many(session, refs)
            readings = [reading.of(session, item, member) for item in items]
            if action:
                allowed = TRANSITIONS[action].allowed_from
                refused = [r for r in readings if r.status != target and r.status not in allowed]
                if refused:
                    raise InvalidInputError(
                        _refusal(action, refused), TRANSITIONS[action].hint.format(ref=refused[0].item_id)
                    )
            changes = []
            for item, mine in zip(items, readings, strict=True):
                changes.append(StatusChange(item.id or 0, item.title, mine.status, target))
                if mine.status != target or not action:
                    reading.apply_status(mine, target)
                    reading.save(session, mine)
                    session.info["touched"].add(item.id)
            return changes

    def retag(self, ref: str, add: Sequence[str], remove: Sequence[str]) -> TagChange:
        """Add and remove tags in one transaction; tags the item already has (in any case) are left alone."""
        return self.retag_many([ref], add, remove)[0]

    def retag_many(self, refs: Sequence[str], add: Sequence[str], remove: Sequence[str]) -> list[TagChange]:
        """The same tag changes on several items, all or nothing (every reference resolved first)."""
        with self.session() as session:
            items = self.get_many(session, refs)
            merger = Merger(session, [item.key for item in items], restore_removed=True)  # asked for: back
            changes = []
            for item in items:
                assert item.id is not None
                added = [change.removeprefix("tag ") for change in merger.add_tags(item.id, add)]
                merger.flush_pending()
                removed = []
                for name in remove:
                    tag = merger.tags.get(tag_slug(name))
                    link = session.get(ItemTag, (item.id, tag.id)) if tag and tag.id else None
                    if link is not None and tag is not None:
                        session.delete(link)
                        removed.append(tag.name)
                        removals.remember(session, item.id, [removals.tag_mark(tag.slug)])  # re-imports keep it off
                session.info["touched"].add(item.id)
                changes.append(TagChange(item.id, item.title, added, removed))
            return changes

    def rename_tag(self, old: str, new: str) -> int:
        """Rename a tag everywhere; renaming onto an existing tag merges the two. Returns items affected."""
        with self.session() as session:
            tag = session.exec(select(Tag).where(Tag.slug == tag_slug(old))).first()
            if tag is None or tag.id is None:
                raise NotFoundError(f"no tag {old!r}", 'run "readlist tags" to see them')
            if not normalise_tag(new):
                raise InvalidInputError("the new tag name is empty", "give a name: readlist tags --rename old new")
            links = session.exec(select(ItemTag).where(ItemTag.tag_id == tag.id)).all()
            item_ids = [link.item_id for link in links]
            target = session.exec(select(Tag).where(Tag.slug == tag_slug(new))).first()
            if target is None or target.id == tag.id:
                tag.name, tag.slug = normalise_tag(new), tag_slug(new)
            else:
                for link in links:
                    session.delete(link)
                session.flush()
                merger = Merger(session, [], restore_removed=True)
                merger.load_item_tags(item_ids)  # items that have both tags keep one
                for item_id in item_ids:
                    merger.add_tags(item_id, [target.name])
                merger.flush_pending()
                session.delete(tag)
            session.info["touched"].update(item_ids)
            return len(item_ids)

    def add_note(self, ref: str, body: str, author: str | None = None) -> Item:
        if not body.strip():
            raise InvalidInputError("the note is empty", 'write some text: readlist note 1 "…"')
        with self.session() as session:
            item = self.get(session, ref)
            assert item.id is not None
            stamp = now_iso()
            session.add(Note(item_id=item.id, body=body.strip(), created_at=stamp, updated_at=stamp, author=author))
            removals.forget(session, item.id, removals.note_marks(body, None))  # typed again: not removed any more
            session.info["touched"].add(item.id)
            return item

    def _numbered_note(self, session: Session, item: Item, number: int) -> Note:
        notes = session.exec(select(Note).where(Note.item_id == item.id).order_by(col(Note.id))).all()
        if not 1 <= number <= len(notes):
            have = f"it has {len(notes)}" if notes else "it has none"
            raise NotFoundError(
                f"#{item.id} has no note {number} ({have})", f'run "readlist note {item.id}" to list them'
            )
        return notes[number - 1]

    def note_to_edit(self, ref: str, number: int | None) -> NoteText:
        """The note `note --edit [N]` opens: note N, else the only one, else a new one (note_id None)."""
        with self.session() as session:
            item = self.get(session, ref)
            if number is None:
                count = len(session.exec(select(Note.id).where(Note.item_id == item.id)).all())
                if count != 1:
                    return NoteText(item.id or 0, None, "")
                number = 1
            note = self._numbered_note(session, item, number)
            return NoteText(item.id or 0, note.id, note.body)

    def save_note(self, text: NoteText, body: str, author: str | None) -> None:
        """Store an edited note by its row id (numbers may shift while an editor is open)."""
        if not body.strip():
            raise InvalidInputError(
                "the note is empty; nothing changed", "to remove a note: readlist note N --rm NUMBER"
            )
        if text.note_id is None:
            self.add_note(str(text.item_id), body, author)
            return
        with self.session() as session:
            note = session.get(Note, text.note_id)
            if note is None:
                raise NotFoundError("the note was removed while you edited it", "add it again: readlist note N --edit")
            # The editor becomes the author: a re-import of the file the note came from no longer overwrites it.
            note.body, note.updated_at, note.author = body.strip(), now_iso(), author or note.author or "you"
            session.info["touched"].add(note.item_id)

    def remove_note(self, ref: str, number: int) -> str:
        """Remove one note by its number in `readlist note N`; returns its text."""
        with self.session() as session:
            item = self.get(session, ref)
            note = self._numbered_note(session, item, number)
            session.delete(note)
            removals.remember(session, note.item_id, removals.note_marks(note.body, note.source))
            session.info["touched"].add(item.id)
            return note.body

    def edit(self, ref: str, changes: dict[str, Any], *, merge: bool = False) -> Edited:
        """Change fields. A new URL re-runs identity: the item is re-keyed, or (--merge) folded into the item
        that already has the new key; without --merge that is refused."""
        unknown = set(changes) - set(EDITABLE_FIELDS)
        if unknown:
            raise InvalidInputError(
                f"cannot edit {', '.join(sorted(unknown))}", f"editable: {', '.join(EDITABLE_FIELDS)}"
            )
        if "title" in changes and not str(changes["title"]).strip():
            raise InvalidInputError("the title is empty", 'give one: readlist edit 1 --title "…"')
        new_ref = parse_reference(changes.pop("url")) if "url" in changes else None
        with self.session() as session:
            item = self.get(session, ref)
            old_key, merged_from = item.key, None
            if new_ref is not None and new_ref.key != item.key:
                other = session.exec(select(Item).where(Item.key == new_ref.key)).first()
                if other is not None and not merge:
                    raise InvalidInputError(
                        f"{new_ref.url} is already #{other.id} ({other.title}); nothing was changed",
                        f"to fold #{item.id} into #{other.id}: readlist edit {ref} --url {new_ref.url} --merge",
                    )
                if other is not None:
                    with dict_rows(session) as raw:
                        merge_item_into(session, raw, item, other)
                    merged_from, item = item.id, other
                else:
                    rekey(item, new_ref)
                    removals.rekeyed(session, old_key, item.key)  # notes naming the old URL still find it
            elif new_ref is not None:
                item.url = new_ref.url
            for name, value in changes.items():
                if name == "priority":  # each member's own
                    mine = reading.of(session, item, reading.current_member())
                    mine.priority = value
                    reading.save(session, mine)
                else:
                    setattr(item, name, value)
            session.add(item)
            session.info["touched"].add(item.id)
            return Edited(item.id or 0, item.title, old_key, item.key, merged_from)

    def attach(self, ref: str, paths: Sequence[str]) -> bool:
        """Attach local files to an item; False if they all were attached already."""
        with self.session() as session:
            item = self.get(session, ref)
            assert item.id is not None
            merger = Merger(session, [item.key])
            added = merger.add_attachments(item.id, paths)
            merger.flush_pending()
            return bool(added)

    def remove(self, refs: Sequence[str]) -> list[Removed]:
        """Move items to the trash, all or none: a tombstone keeps each one's full export record."""
        from readlist.store.serialize import records

        with self.session() as session:
            items = self.get_many(session, refs)
            with dict_rows(session) as raw:
                exported = {r["key"]: r for r in records(raw, ItemFilter(ids=[it.id or 0 for it in items]))}
            stamp = now_iso()
            taken_off = removals.load(session, [it.id or 0 for it in items])
            for item in items:
                record = {**exported[item.key], "id": item.id}  # the old number, for `restore N`
                if item.id in taken_off:  # what the user removed from it stays removed after `restore`
                    record["removals"] = sorted(taken_off[item.id])
                old = session.get(Tombstone, item.key)
                if old is None:
                    session.add(Tombstone(key=item.key, removed_at=stamp, record=record))
                else:
                    old.removed_at, old.record = stamp, record
                session.delete(item)
                session.info["touched"].add(item.id)
            return [Removed(it.id or 0, it.key, it.title) for it in items]

    def restore(self, refs: Sequence[str]) -> list[Restored]:
        """Bring removed items back from the trash with their notes, tags and links, all or none."""
        with self.session() as session:
            tombstones = self.get_removed(session, refs)
            merger = Merger(session, [t.key for t in tombstones])
            restored = []
            for tomb in tombstones:
                restored.append(restore_tombstone(session, merger, tomb))
            merger.flush_pending()
            return restored

    def empty_trash(self) -> int:
        with self.session() as session:
            tombstones = session.exec(select(Tombstone)).all()
            for tomb in tombstones:
                session.delete(tomb)
            return len(tombstones)

    def get_removed(self, session: Session, refs: Sequence[str]) -> list[Tombstone]:
        """The trash entries these references name (old number, key, arXiv ID or URL); all must exist."""
        trash = session.exec(select(Tombstone).order_by(col(Tombstone.removed_at).desc())).all()
        found: dict[str, Tombstone] = {}
        for ref in refs:
            matches = _trash_matches(trash, ref)
            if not matches:
                raise NotFoundError(
                    f"{ref} is not in the trash; nothing was restored", 'run "readlist trash" to see it'
                )
            if len(matches) > 1:
                keys = ", ".join(t.key for t in matches)
                raise InvalidInputError(f"#{ref} was the number of several removed items ({keys})", "restore by key")
            found.setdefault(matches[0].key, matches[0])
        return list(found.values())

    # --- small shared state -------------------------------------------------------------------------------

    def reserve_slot(self, name: str, interval: float) -> float:
        """Book the next free moment for a rate-limited request; returns seconds to wait for it.

        The booking is a short write transaction, so processes sharing the library share the limit, and
        nobody holds a lock while they wait or while the request is in flight.
        """
        with self.session() as session:
            row = session.get(Meta, name)
            now = time.time()
            slot = max(now, float(row.value) if row else 0.0)
            if row is None:
                session.add(Meta(key=name, value=str(slot + interval)))
            else:
                row.value = str(slot + interval)
            return slot - now

    def release_slot(self, name: str, booked_until: float) -> None:
        """Give back a booking whose request never reached the server (offline): the next `add` need not
        wait out a politeness interval that protected nobody. A later booking by someone else is kept."""
        with self.session() as session:
            row = session.get(Meta, name)
            if row is not None and float(row.value) <= booked_until + 1e-6:
                row.value = str(time.time())


class FetchTargets:
    """Which items `fetch` should ask their sources about."""

    @staticmethod
    def select(store: Store, refs: Sequence[str], everything: bool) -> list[tuple[int, str]]:
        with store.session() as session:
            if refs:
                items = [store.get(session, ref) for ref in refs]
            else:
                query = select(Item).where(col(Item.arxiv_id).is_not(None))
                if not everything:
                    query = query.where(
                        col(Item.metadata_status).in_(
                            (MetadataStatus.PENDING, MetadataStatus.FAILED, MetadataStatus.NONE)
                        )
                    )
                items = list(session.exec(query.order_by(col(Item.id))).all())
            return [(it.id, it.arxiv_id) for it in items if it.id is not None and it.arxiv_id]

    @staticmethod
    def select_sources(store: Store, refs: Sequence[str], everything: bool) -> list[tuple[int, str, str]]:
        """Items other than arXiv papers that a source can complete: (id, key, url)."""
        with store.session() as session:
            if refs:
                items = [store.get(session, ref) for ref in refs]
            else:
                query = select(Item).where(col(Item.arxiv_id).is_(None))
                if not everything:
                    query = query.where(col(Item.metadata_status).in_(("pending", "failed", "none")))
                items = list(session.exec(query.order_by(col(Item.id))).all())
            return [(it.id, it.key, it.url) for it in items if it.id is not None and not it.arxiv_id]

    @staticmethod
    def preprints(store: Store, refs: Sequence[str]) -> list[tuple[int, str]]:
        """arXiv papers not yet known as published (no journal or proceedings record): (id, arXiv ID)."""
        with store.session() as session:
            if refs:
                items = [store.get(session, ref) for ref in refs]
            else:
                query = select(Item).where(col(Item.arxiv_id).is_not(None))
                items = list(session.exec(query.order_by(col(Item.id))).all())
            published = ("journal-article", "proceedings-article")
            return [
                (it.id, it.arxiv_id)
                for it in items
                if it.id is not None and it.arxiv_id and not (it.work_type in published and it.doi)
            ]
