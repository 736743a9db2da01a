"""The batch upsert engine: drafts from importers, feeds and `add` become rows, merged by canonical key."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any, cast

from sqlalchemy import Table, insert
from sqlmodel import Session, SQLModel, col, select

from readlist.domain import STATUS_RANK, Kind, MetadataStatus, Status, normalise_tag, tag_slug, year_of
from readlist.ids import Reference
from readlist.store import removals
from readlist.store.citekeys import arxiv_year
from readlist.store.models import (
    Attachment,
    Item,
    ItemTag,
    KeyAlias,
    Link,
    Note,
    Reading,
    Removal,
    Source,
    Tag,
    Tombstone,
)
from readlist.store.reading import apply_status, current_member, ensure_member
from readlist.store.reading import of as reading_of
from readlist.store.reading import save as save_reading
from readlist.store.records import ItemDraft, ReadingDraft, now_iso


@dataclass
class MergeResult:
    item_id: int
    created: bool
    changes: list[str] = field(default_factory=list)  # what a merge added: "tag cuda", "note", "link" …
    conflicts: list[str] = field(default_factory=list)  # fields where both sides had different values


def _placeholder_title(item: Item) -> bool:
    return item.title in ("", item.arxiv_id, item.url, item.key, item.url.removeprefix("https://github.com/"))


def _real_title(draft: ItemDraft) -> bool:
    """A draft's title that says something: not its own (or any) URL, ID or key standing in until metadata came."""
    from readlist.ids import is_url

    title = (draft.title or "").strip()
    ref = draft.ref
    stand_ins = ("", ref.arxiv_id, ref.url, ref.key, ref.url.removeprefix("https://github.com/"))
    return title not in stand_ins and not is_url(title)


def _default_title(ref: Reference) -> str:
    """Until metadata arrives: the arXiv ID, `owner/repo`, or the URL."""
    if ref.kind == Kind.REPO:
        return ref.url.removeprefix("https://github.com/")
    return ref.arxiv_id or ref.url


def _item_row(draft: ItemDraft) -> dict[str, Any]:
    """The column values of a new item (a plain dict: batch inserts skip per-object model validation)."""
    ref = draft.ref
    row = SimpleNamespace(
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
        updated=None,
        venue=draft.venue,
        comment=None,
        affiliation=draft.affiliation,
        primary_category=None,
        categories=[],
        rating=draft.rating,
        initial_status=Status.INBOX.value if draft.status == Status.INBOX else Status.UNREAD.value,
        added_at=now_iso(),
        # Every kind has a source now (arXiv, Crossref, GitHub, OpenReview, the page itself): `fetch` completes it.
        metadata_status=MetadataStatus.PENDING.value,
        year=arxiv_year(ref.arxiv_id) or year_of(draft.published),
        metadata_fetched_at=None,
        inbox_score=None,
    )
    for name, value in draft.extra.items():  # an export's own timestamps win over "now"
        if name not in READING_STAMPS:
            setattr(row, name, value)
    return vars(row)


READING_STAMPS = ("started_at", "finished_at")  # a member's own, carried in a draft's `extra` by old exports


def draft_readings(draft: ItemDraft, member: str) -> list[ReadingDraft]:
    """What the draft says about who read it: an export's `readings`, else its status for the given member."""
    if draft.readings:
        return draft.readings
    stamps = {name: draft.extra.get(name) for name in READING_STAMPS}
    if not (draft.status or draft.priority or any(stamps.values())):
        return []
    started, finished = (v if isinstance(v, str) else None for v in stamps.values())
    return [ReadingDraft(member, draft.status or "", draft.priority or 0, started, finished)]


def _table(model: type[SQLModel]) -> Table:
    """A model's table: inserting plain rows into it is a Core executemany, without the ORM's per-row
    bulk bookkeeping (a third of the merge's time on a big import)."""
    return cast(Table, model.__table__)  # type: ignore[attr-defined]


def _new_item(draft: ItemDraft) -> Item:
    return Item(**_item_row(draft))


CONFLICT_FIELDS = ("title", "short_name", "venue", "affiliation", "rating")


def _conflicts(item: Item, draft: ItemDraft) -> list[str]:
    """Fields both sides filled in differently (the library's value is kept)."""
    return [
        n
        for n in CONFLICT_FIELDS
        if getattr(draft, n)
        and getattr(item, n)
        and getattr(draft, n) != getattr(item, n)
        and not (n == "title" and (_placeholder_title(item) or not _real_title(draft)))
    ]


def _fill_fields(item: Item, draft: ItemDraft, *, keep_mine: bool) -> list[str]:
    """Fill what the item lacks from the draft; never overwrite what the user already has."""
    changes = []
    if draft.title and draft.title != item.title and _placeholder_title(item) and _real_title(draft):
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
    return changes


def merge_reading(reading: Reading, draft: ReadingDraft, *, keep_mine: bool) -> list[str]:
    """Fold a draft's reading into a member's: a priority where there was none, a more advanced status."""
    changes = []
    if draft.priority and not reading.priority:
        reading.priority = draft.priority
        changes.append("priority")
    status = draft.status or reading.status
    if not keep_mine and STATUS_RANK[status] > STATUS_RANK.get(reading.status, 0):
        changes.append(f"status {reading.status} → {status}")
        apply_status(reading, status)
    if draft.started_at and (not keep_mine or not reading.started_at) and reading.status != Status.UNREAD:
        reading.started_at = draft.started_at
    if draft.finished_at and (not keep_mine or not reading.finished_at) and reading.status == Status.READ:
        reading.finished_at = draft.finished_at
    return changes


class Merger:
    """Merges many drafts in one session with a handful of queries: what exists is loaded up front, and
    new rows (items, tags, notes, links, sources) are inserted in batches rather than one ORM object each.

    Tags and notes the user removed from an item stay removed, unless `restore_removed` (the user asks for
    them: `tag +x`, `add --tag`, `import --restore-removed`), which also forgets that they were removed."""

    def __init__(
        self, session: Session, keys: Sequence[str], member: str | None = None, *, restore_removed: bool = False
    ) -> None:
        self.session = session
        self.restore_removed = restore_removed
        self.with_removals = removals.exist(session, Removal)
        self.with_aliases = removals.exist(session, KeyAlias)
        self.removals: dict[int, dict[removals.Mark, int]] = {}
        self.aliases: dict[str, str] = {}  # a former key → the key its item has now
        self.member = member or current_member()
        self.queued: dict[tuple[int, str], dict[str, Any]] = {}  # readings of new items, inserted with the batch
        self.items: dict[str, Item] = {}
        self.tags = {t.slug: t for t in session.exec(select(Tag)).all()}
        self.item_tags: set[tuple[int, int]] = set()
        self.note_bodies: dict[int, set[str]] = defaultdict(set)
        self.notes_by_source: dict[int, dict[str, Note | dict[str, Any]]] = defaultdict(dict)
        self.links: dict[int, set[str]] = defaultdict(set)
        self.sources: dict[tuple[int, str, str], Source | dict[str, Any]] = {}
        self.placed: set[int] = set()  # hashes of the sources this merge set (kept on release: ints stay small)
        self.fresh: dict[str, int] = {}  # key → id of items inserted by create_missing, not yet merged
        self.pending: dict[type[SQLModel], list[dict[str, Any]]] = defaultdict(list)
        self.attachments: dict[int, set[str]] = defaultdict(set)
        self._citation_keys: set[str] | None = None
        self.preload(keys)

    @property
    def citation_keys(self) -> set[str]:
        """Citation keys in use (loaded on first need: most merges carry none)."""
        if self._citation_keys is None:
            query = select(Item.citation_key).where(col(Item.citation_key).is_not(None))
            self._citation_keys = {k for k in self.session.exec(query).all() if k}
        return self._citation_keys

    def claim_citation_key(self, key: str | None) -> str | None:
        """The key, if no other item has it (an imported key never takes another item's)."""
        if not key or key in self.citation_keys:
            return None
        self.citation_keys.add(key)
        return key

    def preload(self, keys: Sequence[str]) -> None:
        """Load the existing items with these keys, and their tags, notes, links and sources."""
        session = self.session
        wanted = [k for k in keys if k not in self.items]
        loaded: list[int] = []
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            for item in session.exec(select(Item).where(col(Item.key).in_(chunk))).all():
                self.items[item.key] = item
                if item.id is not None:
                    loaded.append(item.id)
        if self.with_aliases:
            loaded += self._load_aliased([k for k in wanted if k not in self.items])
        if self.with_removals:
            self.removals.update(removals.load(session, loaded))
        self.load_item_tags(loaded)
        for start in range(0, len(loaded), 500):
            chunk_ids = loaded[start : start + 500]
            for note in session.exec(select(Note).where(col(Note.item_id).in_(chunk_ids))).all():
                self.note_bodies[note.item_id].add(note.body.strip())
                if note.source:
                    self.notes_by_source[note.item_id][note.source] = note
            for url_link in session.exec(select(Link).where(col(Link.item_id).in_(chunk_ids))).all():
                self.links[url_link.item_id].add(url_link.url)
            for src in session.exec(select(Source).where(col(Source.item_id).in_(chunk_ids))).all():
                self.sources[(src.item_id, src.file, src.section)] = src
            for att in session.exec(select(Attachment).where(col(Attachment.item_id).in_(chunk_ids))).all():
                self.attachments[att.item_id].add(att.path)

    def _load_aliased(self, keys: Sequence[str]) -> list[int]:
        """Items known by these keys before (an edited URL): a draft with the old key merges into them."""
        aliases = removals.resolve(self.session, keys)
        self.aliases.update(aliases)
        loaded = []
        targets = sorted({k for k in aliases.values() if k not in self.items})
        for start in range(0, len(targets), 500):
            chunk = targets[start : start + 500]
            for item in self.session.exec(select(Item).where(col(Item.key).in_(chunk))).all():
                self.items[item.key] = item
                loaded.append(item.id or 0)
        for old, now in aliases.items():
            if self.items.get(now) is not None:
                self.items[old] = self.items[now]
        return loaded

    def _kept_out(self, item_id: int, marks: Sequence[removals.Mark]) -> bool:
        """Whether the user removed this from the item, so the merge leaves it out (restoring, it forgets that)."""
        known = self.removals.get(item_id)
        hits = [m for m in marks if known and m in known]
        if not hits or known is None:
            return False
        if self.restore_removed:
            removals.forget_rows(self.session, [known.pop(m) for m in hits])
            return False
        return True

    def release(self) -> None:
        """Forget what was loaded (after flush_pending): a long import keeps flat memory; later drafts for
        the same items load them again from the transaction."""
        self.items.clear()
        self.item_tags.clear()
        self.note_bodies.clear()
        self.notes_by_source.clear()
        self.links.clear()
        self.sources.clear()
        self.removals.clear()
        self.aliases.clear()
        self.attachments.clear()  # a defaultdict: every merged item left an empty set behind

    def removed(self, keys: Sequence[str]) -> dict[str, Tombstone]:
        """Trash entries for these keys whose items are not in the library (call after preload)."""
        wanted = sorted({k for k in keys if k not in self.items and k not in self.fresh})
        # A former key of a removed item (its URL was edited, then it was removed) finds the item's tombstone.
        names = sorted(set(wanted) | {self.aliases[k] for k in wanted if k in self.aliases})
        tombs: dict[str, Tombstone] = {}
        for start in range(0, len(names), 500):
            chunk = names[start : start + 500]
            tombs.update({t.key: t for t in self.session.exec(select(Tombstone).where(col(Tombstone.key).in_(chunk)))})
        found = {k: tombs.get(k) or tombs.get(self.aliases.get(k, "")) for k in wanted}
        return {k: tomb for k, tomb in found.items() if tomb is not None}

    def load_item_tags(self, item_ids: Sequence[int]) -> None:
        """Learn which tags these items already have, so adding one again is a no-op."""
        for start in range(0, len(item_ids), 500):
            chunk = item_ids[start : start + 500]
            for link in self.session.exec(select(ItemTag).where(col(ItemTag.item_id).in_(chunk))).all():
                self.item_tags.add((link.item_id, link.tag_id))

    def create_missing(self, drafts: Sequence[ItemDraft]) -> None:
        """Insert every item not yet in the library in one batch (ids come back through RETURNING)."""
        rows: dict[str, dict[str, Any]] = {}
        for draft in drafts:
            if draft.ref.key not in self.items and draft.ref.key not in rows:
                rows[draft.ref.key] = _item_row(draft)
                rows[draft.ref.key].setdefault("added_by", self.member)
                rows[draft.ref.key]["citation_key"] = self.claim_citation_key(draft.citation_key)
        if rows:
            # One executemany needs one set of columns: extras (year, work type …) some drafts lack become NULL.
            columns = {name for row in rows.values() for name in row}
            for row in rows.values():
                for name in columns - row.keys():
                    row[name] = None
            table = _table(Item)
            result = self.session.execute(insert(table).returning(table.c.id, table.c.key), list(rows.values()))
            self.fresh.update({key: item_id for item_id, key in result.all()})
            for draft in drafts:
                if draft.ref.key in self.fresh:
                    self._queue_readings(self.fresh[draft.ref.key], draft)

    def _queue_readings(self, item_id: int, draft: ItemDraft) -> None:
        """A new item's readings, inserted with the batch (members are registered first)."""
        initial = Status.INBOX.value if draft.status == Status.INBOX else Status.UNREAD.value
        for one in draft_readings(draft, self.member):
            if one.status in ("", initial) and not (one.priority or one.started_at or one.finished_at):
                continue  # the same as having no row
            reading = Reading(item_id=item_id, member=one.member, status=initial, priority=0, updated_at=now_iso())
            merge_reading(reading, one, keep_mine=False)
            if one.started_at or one.finished_at:
                reading.started_at, reading.finished_at = one.started_at, one.finished_at
            ensure_member(self.session, one.member)
            row = self.queued[(item_id, one.member)] = reading.model_dump()
            self.pending[Reading].append(row)

    def _merge_readings(self, item: Item, draft: ItemDraft, *, keep_mine: bool) -> list[str]:
        """An existing item: each member's reading merged with what the draft says (rows added as needed)."""
        changes = []
        for one in draft_readings(draft, self.member):
            queued = self.queued.get((item.id or 0, one.member))
            reading = Reading(**queued) if queued else reading_of(self.session, item, one.member)
            before = reading.model_dump()
            changes += merge_reading(reading, one, keep_mine=keep_mine)
            if queued:
                queued.update(reading.model_dump())
            elif reading.model_dump() != before:
                save_reading(self.session, reading)
        return changes

    def merge(self, draft: ItemDraft, *, keep_mine: bool = True) -> MergeResult:
        key = draft.ref.key
        if key in self.fresh:  # inserted by create_missing from this very draft
            item_id = self.fresh.pop(key)
            self.items[key] = cast(Item, None)  # loaded lazily if another draft for it comes along
            return self._merge_into(item_id, None, draft, created=True, keep_mine=keep_mine)
        item = self.items.get(key)
        if item is None and key in self.items:
            item = self.session.exec(select(Item).where(Item.key == key)).one()
            self.items[key] = item
        created = item is None
        if item is None:
            item = _new_item(draft)
            item.added_by = item.added_by or self.member
            item.citation_key = self.claim_citation_key(draft.citation_key)
            self.session.add(item)
            self.session.flush()
            self.items[item.key] = item
            assert item.id is not None
            self._queue_readings(item.id, draft)
        assert item.id is not None
        return self._merge_into(item.id, item, draft, created=created, keep_mine=keep_mine)

    def _merge_into(
        self, item_id: int, item: Item | None, draft: ItemDraft, *, created: bool, keep_mine: bool
    ) -> MergeResult:
        changes: list[str] = [] if created or item is None else _fill_fields(item, draft, keep_mine=keep_mine)
        if not created and item is not None:
            changes += self._merge_readings(item, draft, keep_mine=keep_mine)
        if item is not None and not item.citation_key and draft.citation_key:
            item.citation_key = self.claim_citation_key(draft.citation_key)
        self.session.info["touched"].add(item_id)
        with self.session.no_autoflush:
            changes += self.add_tags(item_id, draft.tags)
            changes += self._add_notes(item_id, draft)
            changes += self._add_links(item_id, draft.links)
            changes += self.add_attachments(item_id, draft.attachments)
            self._add_sources(item_id, draft)
        conflicts = [] if created or item is None else _conflicts(item, draft)
        return MergeResult(item_id, created, [] if created else changes, conflicts)

    def flush_pending(self) -> None:
        """Insert the batched rows; call before the transaction commits."""
        self.session.flush()
        for model, rows in self.pending.items():
            if rows:
                self.session.execute(insert(_table(model)), rows)
        self.pending.clear()
        self.queued.clear()

    def tag_named(self, name: str) -> Tag | None:
        clean = normalise_tag(name)
        if not clean:
            return None
        tag = self.tags.get(tag_slug(clean))
        if tag is None:
            tag = Tag(name=clean, slug=tag_slug(clean))
            self.session.add(tag)
            self.session.flush()
            self.tags[tag.slug] = tag
        return tag

    def add_tags(self, item_id: int, names: Sequence[str]) -> list[str]:
        added = []
        for name in names:
            if item_id in self.removals and self._kept_out(item_id, [removals.tag_mark(tag_slug(normalise_tag(name)))]):
                continue
            tag = self.tag_named(name)
            if tag is None or tag.id is None or (item_id, tag.id) in self.item_tags:
                continue
            self.pending[ItemTag].append({"item_id": item_id, "tag_id": tag.id})
            added.append(f"tag {tag.name}")
            self.item_tags.add((item_id, tag.id))
        return added

    def _add_notes(self, item_id: int, draft: ItemDraft) -> list[str]:
        changes = []
        bodies = self.note_bodies[item_id]
        by_source = self.notes_by_source[item_id]
        for note in draft.notes:
            body = note.body.strip()
            if not body or body in bodies:
                continue
            if item_id in self.removals and self._kept_out(item_id, removals.note_marks(body, note.source)):
                continue
            stamp = now_iso()
            old = by_source.get(note.source) if note.source else None
            if isinstance(old, Note):
                if old.author:  # the user edited this imported note: their text wins over the file's
                    continue
                # The same section of the same file was edited: update its note instead of adding another.
                old.body, old.updated_at = body, stamp
                changes.append("note updated")
            elif old is not None:
                old["body"] = body
            else:
                row = {
                    "item_id": item_id,
                    "body": body,
                    "source": note.source,
                    "created_at": note.created_at or stamp,
                    "updated_at": note.updated_at or stamp,
                    "author": note.author,
                }
                self.pending[Note].append(row)
                if note.source:
                    by_source[note.source] = row
                changes.append("note")
            bodies.add(body)
        return changes

    def _add_links(self, item_id: int, links: Sequence[tuple[str, str]]) -> list[str]:
        have = self.links[item_id]
        changes = []
        for url, role in links:
            if url not in have:
                self.pending[Link].append({"item_id": item_id, "url": url, "role": role})
                have.add(url)
                changes.append(f"link {url}")
        return changes

    def add_attachments(self, item_id: int, paths: Sequence[str]) -> list[str]:
        have = self.attachments[item_id]
        changes = []
        for path in paths:
            if path not in have:
                self.pending[Attachment].append(
                    {"item_id": item_id, "path": path, "kind": "pdf", "added_at": now_iso()}
                )
                have.add(path)
                changes.append(f"file {path}")
        return changes

    def _add_sources(self, item_id: int, draft: ItemDraft) -> None:
        """A file section's source line is its first mention in this merge (file order, deterministic)."""
        for src in draft.sources:
            placed = hash((item_id, src.file, src.section))
            if placed in self.placed:
                continue
            self.placed.add(placed)
            row = self.sources.get((item_id, src.file, src.section))
            if row is None:
                new = {"item_id": item_id, "file": src.file, "line": src.line, "section": src.section}
                self.pending[Source].append(new)
                self.sources[(item_id, src.file, src.section)] = new
            elif isinstance(row, Source) and row.line != src.line:
                row.line = src.line


def assign_citation_keys(session: Session, item_ids: Sequence[int]) -> None:
    """Give every touched item that has an author and a year its key, once: a key is never changed.

    The keys already taken are read once per base key and kept with those given out in this call, so a batch
    of many items sharing an author, year and title word (a feed of one group's papers) stays linear."""
    from readlist.store.citekeys import base_key, candidate_keys

    ids = list(item_ids)
    taken_by_base: dict[str, tuple[set[str], Iterator[str]]] = {}
    given: set[str] = set()
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        query = select(Item).where(
            col(Item.id).in_(chunk), col(Item.citation_key).is_(None), col(Item.year).is_not(None)
        )
        for item in session.exec(query).all():
            if not item.authors or item.year is None:
                continue
            # A repo's title is `owner/name`; the owner is already the author, so the name gives the word.
            title = item.title.split("/", 1)[-1] if item.kind == "repo" else (item.short_name or item.title)
            base = base_key(item.authors, item.year, title)
            if base not in taken_by_base:
                # A range on the unique index (LIKE would scan the table): every key that starts with `base`.
                query_keys = select(Item.citation_key).where(
                    col(Item.citation_key) >= base, col(Item.citation_key) < base + "\uffff"
                )
                with session.no_autoflush:
                    taken_by_base[base] = ({k for k in session.exec(query_keys) if k}, candidate_keys(base))
            taken, candidates = taken_by_base[base]  # the iterator resumes after the keys given out already
            item.citation_key = next(key for key in candidates if key not in taken and key not in given)
            given.add(item.citation_key)
        session.flush()  # flushed items are held weakly again: memory stays flat on big batches


def find_same_work(session: Session, doi: str | None, arxiv_id: str | None, exclude: int | None = None) -> Item | None:
    """An item already in the library for the same work: same DOI (any case), or same arXiv preprint."""
    from sqlalchemy import func

    others = col(Item.id) != exclude if exclude is not None else col(Item.id).is_not(None)
    if doi:
        found = session.exec(select(Item).where(func.lower(Item.doi) == doi.lower(), others)).first()
        if found is not None:
            return found
    if arxiv_id:
        return session.exec(select(Item).where(Item.arxiv_id == arxiv_id, others)).first()
    return None


def save_text(session: Session, item_id: int, text: str, source_url: str | None) -> None:
    """Keep an article's main text (replacing an older copy)."""
    from readlist.store.models import ItemText

    session.info.setdefault("touched", set()).add(item_id)  # the text is searched: re-index the item
    row = session.get(ItemText, item_id)
    if row is None:
        session.add(ItemText(item_id=item_id, text=text, fetched_at=now_iso(), source_url=source_url))
    else:
        row.text, row.fetched_at, row.source_url = text, now_iso(), source_url


def rekey(item: Item, ref: Reference) -> None:
    """Give an item a new identity (its URL was edited): key, URL, kind and arXiv fields follow the reference."""
    was_placeholder = _placeholder_title(item)
    item.key, item.url, item.kind = ref.key, ref.url, ref.kind
    item.arxiv_id, item.arxiv_version = ref.arxiv_id, ref.arxiv_version
    item.metadata_status = MetadataStatus.PENDING.value  # the new identity's source completes it on `fetch`
    item.doi = ref.doi or (None if item.key.startswith("doi:") else item.doi)
    if was_placeholder:
        item.title = _default_title(ref)


def merge_item_into(session: Session, conn: Any, item: Item, target: Item) -> None:
    """Fold one item (fields it alone has, tags, notes, links, sources, a more advanced status) into another,
    then delete it. `conn` is the session's sqlite3 connection with dict rows, for the export record."""
    from readlist.store.read import ItemFilter
    from readlist.store.serialize import records, to_draft

    record = records(conn, ItemFilter(ids=[item.id or 0]))[0]
    identity = {k: getattr(target, k) for k in ("key", "url", "kind", "arxiv_id", "arxiv_version", "doi")}
    draft = to_draft({**record, **identity}, f"item #{item.id}")
    removals.move(session, item.id or 0, target.id or 0)
    removals.rekeyed(session, item.key, target.key)  # notes naming the folded item find the one it joined
    session.delete(item)
    session.flush()
    merger = Merger(session, [target.key])
    merger.merge(draft, keep_mine=False)
    merger.flush_pending()
    session.info["touched"].add(item.id)
