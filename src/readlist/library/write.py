"""The write side: add, merge, update and delete items through SQLModel sessions (DESIGN §2, §6)."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlmodel import Session, col, select

from readlist import db
from readlist.domain import check_status, normalise_tag, tag_slug
from readlist.errors import InvalidInputError, NotFoundError
from readlist.ids import parse_item_ref
from readlist.library.merge import Merger, MergeResult, apply_status, assign_citation_keys
from readlist.library.read import LOOKUPS
from readlist.library.records import ItemDraft, now_iso
from readlist.models import Item, ItemTag, Meta, Note, Tag
from readlist.search import index

EDITABLE_FIELDS = (
    "title",
    "short_name",
    "abstract",
    "venue",
    "affiliation",
    "priority",
    "rating",
    "kind",
    "url",
)


class Store:
    """One library file, written through short BEGIN IMMEDIATE transactions."""

    def __init__(self, path: Path) -> None:
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
                    assign_citation_keys(session, sorted(touched))
                    session.flush()
                    raw = session.connection().connection.driver_connection
                    assert isinstance(raw, sqlite3.Connection)
                    index.refresh(raw, touched)

    # --- lookup -------------------------------------------------------------------------------------------

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

    def _add_tags(self, session: Session, item_id: int, names: Sequence[str]) -> list[str]:
        merger = Merger(session, [])
        added = merger.add_tags(item_id, names)
        merger.flush_pending()
        return added

    # --- everyday edits -----------------------------------------------------------------------------------

    def set_status(self, ref: str, status: str) -> Item:
        status = check_status(status)
        with self.session() as session:
            item = self.get(session, ref)
            apply_status(item, status)
            session.info["touched"].add(item.id)
            return item

    def retag(self, ref: str, add: Sequence[str], remove: Sequence[str]) -> Item:
        with self.session() as session:
            item = self.get(session, ref)
            assert item.id is not None
            self._add_tags(session, item.id, add)
            for name in remove:
                tag = session.exec(select(Tag).where(Tag.slug == tag_slug(name))).first()
                link = session.get(ItemTag, (item.id, tag.id)) if tag and tag.id else None
                if link is not None:
                    session.delete(link)
            session.info["touched"].add(item.id)
            return item

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
                for item_id in item_ids:
                    self._add_tags(session, item_id, [target.name])
                session.delete(tag)
            session.info["touched"].update(item_ids)
            return len(item_ids)

    def add_note(self, ref: str, body: str) -> Item:
        if not body.strip():
            raise InvalidInputError("the note is empty", 'write some text: readlist note 1 "…"')
        with self.session() as session:
            item = self.get(session, ref)
            assert item.id is not None
            stamp = now_iso()
            session.add(Note(item_id=item.id, body=body.strip(), created_at=stamp, updated_at=stamp))
            session.info["touched"].add(item.id)
            return item

    def replace_user_notes(self, ref: str, body: str) -> Item:
        """What `note --edit` saves: the user's own notes become the edited text (imported notes stay)."""
        with self.session() as session:
            item = self.get(session, ref)
            notes = session.exec(select(Note).where(Note.item_id == item.id, col(Note.source).is_(None))).all()
            for note in notes:
                session.delete(note)
            if body.strip():
                assert item.id is not None
                stamp = now_iso()
                created = notes[0].created_at if notes else stamp
                session.add(Note(item_id=item.id, body=body.strip(), created_at=created, updated_at=stamp))
            session.info["touched"].add(item.id)
            return item

    def user_notes(self, ref: str) -> str:
        with self.session() as session:
            item = self.get(session, ref)
            notes = session.exec(
                select(Note).where(Note.item_id == item.id, col(Note.source).is_(None)).order_by(col(Note.id))
            ).all()
            return "\n\n".join(n.body for n in notes)

    def edit(self, ref: str, changes: dict[str, Any]) -> Item:
        unknown = set(changes) - set(EDITABLE_FIELDS)
        if unknown:
            raise InvalidInputError(f"cannot edit {', '.join(sorted(unknown))}", f"editable: {EDITABLE_FIELDS}")
        with self.session() as session:
            item = self.get(session, ref)
            for name, value in changes.items():
                setattr(item, name, value)
            session.add(item)
            session.info["touched"].add(item.id)
            return item

    def attach(self, ref: str, paths: Sequence[str]) -> bool:
        """Attach local files to an item; False if they all were attached already."""
        with self.session() as session:
            item = self.get(session, ref)
            assert item.id is not None
            merger = Merger(session, [item.key])
            added = merger.add_attachments(item.id, paths)
            merger.flush_pending()
            return bool(added)

    def remove(self, ref: str) -> Item:
        with self.session() as session:
            item = self.get(session, ref)
            session.delete(item)
            session.info["touched"].add(item.id)
            return item

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
                    query = query.where(col(Item.metadata_status).in_(("pending", "failed", "none")))
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
