"""The write side: add, merge, update and delete items through SQLModel sessions (DESIGN §2, §6)."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from readlist import db
from readlist.arxiv_client import PaperMetadata
from readlist.errors import InvalidInputError, NotFoundError
from readlist.ids import Reference, parse_item_ref
from readlist.models import Item, ItemTag, Link, Meta, Note, Source, Tag
from readlist.records import STATUS_RANK, ItemDraft, check_status, normalise_tag, now_iso, tag_slug
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


@dataclass
class MergeResult:
    item_id: int
    created: bool
    changes: list[str] = field(default_factory=list)  # what a merge added: "tag cuda", "note", "link" …


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
                    raw = session.connection().connection.driver_connection
                    assert isinstance(raw, sqlite3.Connection)
                    index.refresh(raw, touched)

    # --- lookup -------------------------------------------------------------------------------------------

    def get(self, session: Session, ref: str) -> Item:
        how, value = parse_item_ref(ref)
        if how == "id":
            item = session.get(Item, value)
        else:
            item = session.exec(select(Item).where(Item.key == value)).first()
        if item is None:
            raise NotFoundError(f"no item {ref}", 'run "readlist list" to see ids')
        return item

    # --- merge --------------------------------------------------------------------------------------------

    def merge(self, session: Session, draft: ItemDraft, *, keep_mine: bool = True) -> MergeResult:
        """Insert a new item, or fold the draft into the existing one with the same key. Never duplicates."""
        item = session.exec(select(Item).where(Item.key == draft.ref.key)).first()
        created = item is None
        changes: list[str] = []
        if item is None:
            item = _new_item(draft)
            session.add(item)
            session.flush()
        else:
            changes += _fill_fields(item, draft, keep_mine=keep_mine)
        assert item.id is not None
        session.info["touched"].add(item.id)
        changes += self._add_tags(session, item.id, draft.tags)
        changes += _add_notes(session, item.id, draft)
        changes += _add_links(session, item.id, draft.links)
        changes += _add_sources(session, item.id, draft)
        return MergeResult(item.id, created, [] if created else changes)

    def _add_tags(self, session: Session, item_id: int, names: Sequence[str]) -> list[str]:
        added = []
        for name in names:
            tag = self.tag_named(session, name)
            if tag is None or tag.id is None:
                continue
            if session.get(ItemTag, (item_id, tag.id)) is None:
                session.add(ItemTag(item_id=item_id, tag_id=tag.id))
                added.append(f"tag {tag.name}")
        session.flush()
        return added

    def tag_named(self, session: Session, name: str) -> Tag | None:
        clean = normalise_tag(name)
        if not clean:
            return None
        tag = session.exec(select(Tag).where(Tag.slug == tag_slug(clean))).first()
        if tag is None:
            tag = Tag(name=clean, slug=tag_slug(clean))
            session.add(tag)
            session.flush()
        return tag

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

    def remove(self, ref: str) -> Item:
        with self.session() as session:
            item = self.get(session, ref)
            session.delete(item)
            session.info["touched"].add(item.id)
            return item

    def count_items(self) -> int:
        with Session(self.engine) as session:
            return int(session.exec(select(func.count()).select_from(Item)).one())

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


def apply_status(item: Item, status: str) -> None:
    """Move an item to a status, stamping when reading started and finished."""
    stamp = now_iso()
    if status == "reading" and not item.started_at:
        item.started_at = stamp
    if status == "read":
        item.started_at = item.started_at or stamp
        item.finished_at = item.finished_at or stamp
    if status in ("unread", "inbox"):
        item.started_at = item.finished_at = None
    item.status = status


def _placeholder_title(item: Item) -> bool:
    return item.title in ("", item.arxiv_id, item.url, item.key, item.url.removeprefix("https://github.com/"))


def _default_title(ref: Reference) -> str:
    """Until metadata arrives: the arXiv ID, `owner/repo`, or the URL."""
    if ref.kind == "repo":
        return ref.url.removeprefix("https://github.com/")
    return ref.arxiv_id or ref.url


def _new_item(draft: ItemDraft) -> Item:
    ref = draft.ref
    item = Item(
        kind=ref.kind,
        key=ref.key,
        arxiv_id=ref.arxiv_id,
        arxiv_version=ref.arxiv_version,
        url=ref.url,
        doi=ref.doi,
        title=draft.title or _default_title(ref),
        short_name=draft.short_name,
        abstract=draft.abstract,
        authors=draft.authors,
        published=draft.published,
        venue=draft.venue,
        affiliation=draft.affiliation,
        rating=draft.rating,
        priority=draft.priority or 0,
        status=draft.status or "unread",
        added_at=now_iso(),
        metadata_status="pending" if ref.arxiv_id else "none",
    )
    if draft.status:
        apply_status(item, draft.status)
    for name, value in draft.extra.items():  # an export's own timestamps win over "now"
        setattr(item, name, value)
    return item


def _fill_fields(item: Item, draft: ItemDraft, *, keep_mine: bool) -> list[str]:
    """Fill what the item lacks from the draft; never overwrite what the user already has."""
    changes = []
    if draft.title and _placeholder_title(item):
        item.title = draft.title
        changes.append("title")
    for name in ("short_name", "abstract", "published", "venue", "affiliation", "rating"):
        value = getattr(draft, name)
        if value and not getattr(item, name):
            setattr(item, name, value)
            changes.append(name)
    if draft.authors and not item.authors:
        item.authors = draft.authors
        changes.append("authors")
    if draft.priority and not item.priority:
        item.priority = draft.priority
    if draft.status and not keep_mine and STATUS_RANK[draft.status] > STATUS_RANK.get(item.status, 0):
        changes.append(f"status {item.status} → {draft.status}")
        apply_status(item, draft.status)
        for stamp in ("started_at", "finished_at"):
            if draft.extra.get(stamp):
                setattr(item, stamp, draft.extra[stamp])
    return changes


def _add_notes(session: Session, item_id: int, draft: ItemDraft) -> list[str]:
    changes = []
    existing = session.exec(select(Note).where(Note.item_id == item_id)).all()
    bodies = {n.body.strip() for n in existing}
    by_source = {n.source: n for n in existing if n.source}
    for note in draft.notes:
        body = note.body.strip()
        if not body or body in bodies:
            continue
        stamp = now_iso()
        if note.source and note.source in by_source:
            # The same section of the same file was edited: update its note instead of adding another.
            old = by_source[note.source]
            old.body, old.updated_at = body, stamp
            changes.append("note updated")
        else:
            session.add(
                Note(
                    item_id=item_id,
                    body=body,
                    source=note.source,
                    created_at=note.created_at or stamp,
                    updated_at=stamp,
                )
            )
            changes.append("note")
        bodies.add(body)
    return changes


def _add_links(session: Session, item_id: int, links: Sequence[tuple[str, str]]) -> list[str]:
    have = {link.url for link in session.exec(select(Link).where(Link.item_id == item_id)).all()}
    changes = []
    for url, role in links:
        if url not in have:
            session.add(Link(item_id=item_id, url=url, role=role))
            have.add(url)
            changes.append(f"link {url}")
    return changes


def _add_sources(session: Session, item_id: int, draft: ItemDraft) -> list[str]:
    for src in draft.sources:
        row = session.exec(
            select(Source).where(Source.item_id == item_id, Source.file == src.file, Source.section == src.section)
        ).first()
        if row is None:
            session.add(Source(item_id=item_id, file=src.file, line=src.line, section=src.section))
        elif row.line != src.line:
            row.line = src.line
    return []


def apply_metadata(item: Item, meta: PaperMetadata) -> list[str]:
    """Write arXiv metadata onto an item; returns what a person should hear (new version, now published)."""
    news = []
    if item.arxiv_version and meta.version and meta.version > item.arxiv_version:
        news.append(f"v{item.arxiv_version} → v{meta.version}")
    if meta.doi and meta.doi != item.doi:
        news.append(f"DOI {meta.doi}")
    if meta.journal_ref and meta.journal_ref != item.venue:
        news.append(f"published in {meta.journal_ref}")
    item.title = meta.title or item.title
    item.authors = meta.authors or item.authors
    item.abstract = meta.abstract or item.abstract
    item.published, item.updated = meta.published, meta.updated
    item.arxiv_version = meta.version or item.arxiv_version
    item.primary_category = meta.primary_category
    item.categories = meta.categories
    item.comment = meta.comment
    item.venue = meta.journal_ref or item.venue
    item.doi = meta.doi or item.doi
    item.metadata_status = "fetched"
    item.metadata_fetched_at = now_iso()
    return news


class FetchTargets:
    """Which papers `fetch` should ask arXiv about."""

    @staticmethod
    def select(store: Store, refs: Sequence[str], everything: bool) -> list[tuple[int, str]]:
        with store.session() as session:
            if refs:
                items = [store.get(session, ref) for ref in refs]
                missing = [ref for ref, it in zip(refs, items, strict=True) if not it.arxiv_id]
                if missing:
                    raise InvalidInputError(
                        f"not an arXiv paper: {', '.join(missing)}", "fetch works on arXiv papers only"
                    )
            else:
                query = select(Item).where(col(Item.arxiv_id).is_not(None))
                if not everything:
                    query = query.where(col(Item.metadata_status).in_(("pending", "failed")))
                items = list(session.exec(query.order_by(col(Item.id))).all())
            return [(it.id, it.arxiv_id) for it in items if it.id is not None and it.arxiv_id]
