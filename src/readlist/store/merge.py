"""The batch upsert engine: drafts from importers, feeds and `add` become rows, merged by canonical key.

Plain SQL on the transaction's connection (no ORM): the daily commands use its pieces too — `tag` adds tags
through `Merger.add_tags`, `restore` merges a trash record, `edit --url --merge` folds one item into another —
so there is one write path for each thing an item can gain.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from readlist.domain import Status, normalise_tag, tag_slug
from readlist.files import is_pdf
from readlist.store import index, reading, removals, rows, trash
from readlist.store.drafts import conflicts, draft_readings, fill_fields, merge_reading, new_item_row
from readlist.store.reading import ReadingRow
from readlist.store.records import ItemDraft, Restored, now_iso
from readlist.store.rows import CHUNK, ItemRow, marks
from readlist.store.trash import Tombstone, tombstones
from readlist.store.txn import Tx, tx_of


@dataclass
class MergeResult:
    item_id: int
    created: bool
    changes: list[str] = field(default_factory=list)  # what a merge added: "tag cuda", "note", "link" …
    conflicts: list[str] = field(default_factory=list)  # fields where both sides had different values


@dataclass
class TagRow:
    id: int
    name: str
    slug: str


@dataclass
class NoteRow:
    """An imported note already in the library (found again by its source when its file section changes)."""

    id: int
    body: str
    author: str | None


_INSERTS = {
    "itemtag": ("item_id", "tag_id"),
    "note": ("item_id", "body", "source", "created_at", "updated_at", "author"),
    "link": ("item_id", "url", "role"),
    "source": ("item_id", "file", "line", "section"),
    "attachment": ("item_id", "path", "kind", "added_at", "added_by"),
}


class Merger:
    """Merges many drafts in one transaction with a handful of queries: what exists is loaded up front, and
    new rows (items, tags, notes, links, sources) are inserted in batches.

    Tags and notes the user removed from an item stay removed, unless `restore_removed` (the user asks for
    them: `tag +x`, `add --tag`, `import --restore-removed`), which also forgets that they were removed.

    `where` is the transaction (`Tx`), or an ORM session (feeds), whose connection is then used."""

    def __init__(
        self, where: Tx | Any, keys: Sequence[str], member: str | None = None, *, restore_removed: bool = False
    ) -> None:
        self.tx = tx = tx_of(where)
        self.conn = tx.conn
        self.restore_removed = restore_removed
        self.with_removals = rows.exists(self.conn, "removal")
        self.with_aliases = rows.exists(self.conn, "keyalias")
        self.removals: dict[int, dict[removals.Mark, int]] = {}
        self.aliases: dict[str, str] = {}  # a former key → the key its item has now
        self.member = member or tx.member
        self.queued: dict[tuple[int, str], ReadingRow] = {}  # readings of new items, inserted with the batch
        self.items: dict[str, ItemRow | None] = {}  # None: in the library, loaded again when needed
        self.tags = {
            str(slug): TagRow(int(tag_id), str(name), str(slug))
            for tag_id, name, slug in self.conn.execute("SELECT id, name, slug FROM tag").fetchall()
        }
        self.item_tags: set[tuple[int, int]] = set()
        self.note_bodies: dict[int, set[str]] = defaultdict(set)
        self.notes_by_source: dict[int, dict[str, NoteRow | dict[str, object]]] = defaultdict(dict)
        self.links: dict[int, set[str]] = defaultdict(set)
        self.sources: dict[tuple[int, str, str], tuple[int, int] | dict[str, object]] = {}  # → (row id, line)
        self.placed: set[int] = set()  # hashes of the sources this merge set (kept on release: ints stay small)
        self.fresh: dict[str, int] = {}  # key → id of items inserted by create_missing, not yet merged
        self.pending: dict[str, list[dict[str, object]]] = defaultdict(list)
        self.attachments: dict[int, set[str]] = defaultdict(set)
        self._citation_keys: set[str] | None = None
        self.preload(keys)

    @property
    def citation_keys(self) -> set[str]:
        """Citation keys in use (loaded on first need: most merges carry none)."""
        if self._citation_keys is None:
            found = self.conn.execute("SELECT citation_key FROM item WHERE citation_key IS NOT NULL").fetchall()
            self._citation_keys = {str(r[0]) for r in found if r[0]}
        return self._citation_keys

    def claim_citation_key(self, key: str | None) -> str | None:
        """The key, if no other item has it (an imported key never takes another item's) and `show KEY` can
        find it (`_` or `2024` is no key: the item gets one of its own)."""
        from readlist.store.citekeys import usable

        if not key or key in self.citation_keys or not usable(key):
            return None
        self.citation_keys.add(key)
        return key

    def _select(self, sql: str, ids: Sequence[int]) -> list[Any]:
        found: list[Any] = []
        for start in range(0, len(ids), CHUNK):
            chunk = list(ids[start : start + CHUNK])
            found += self.conn.execute(sql.format(marks=marks(chunk)), chunk).fetchall()
        return found

    def preload(self, keys: Sequence[str]) -> None:
        """Load the existing items with these keys, and their tags, notes, links and sources."""
        wanted = [k for k in keys if k not in self.items]
        loaded: list[int] = []
        for item in rows.by_keys(self.conn, wanted):
            self.items[item.key] = item
            loaded.append(item.id)
        if self.with_aliases:
            loaded += self._load_aliased([k for k in wanted if k not in self.items])
        if not loaded:
            return
        if self.with_removals:
            self.removals.update(removals.load(self.tx, loaded))
        self.load_item_tags(loaded)
        for note_id, item_id, body, source, author in self._select(
            "SELECT id, item_id, body, source, author FROM note WHERE item_id IN ({marks})", loaded
        ):
            self.note_bodies[item_id].add(str(body).strip())
            if source:
                self.notes_by_source[item_id][source] = NoteRow(int(note_id), str(body), author)
        for item_id, url in self._select("SELECT item_id, url FROM link WHERE item_id IN ({marks})", loaded):
            self.links[item_id].add(url)
        for row_id, item_id, file, section, line in self._select(
            "SELECT id, item_id, file, section, line FROM source WHERE item_id IN ({marks})", loaded
        ):
            self.sources[(item_id, file, section)] = (int(row_id), int(line))
        for item_id, path in self._select("SELECT item_id, path FROM attachment WHERE item_id IN ({marks})", loaded):
            self.attachments[item_id].add(path)

    def _load_aliased(self, keys: Sequence[str]) -> list[int]:
        """Items known by these keys before (an edited URL): a draft with the old key merges into them."""
        aliases = removals.resolve(self.tx, keys)
        self.aliases.update(aliases)
        loaded = []
        for item in rows.by_keys(self.conn, sorted({k for k in aliases.values() if self.items.get(k) is None})):
            self.items[item.key] = item
            loaded.append(item.id)
        for old, now in aliases.items():
            if self.items.get(now) is not None:
                self.items[old] = self.items[now]
        return loaded

    def _kept_out(self, item_id: int, marks_: Sequence[removals.Mark]) -> bool:
        """Whether the user removed this from the item, so the merge leaves it out (restoring, it forgets that)."""
        known = self.removals.get(item_id)
        hits = [m for m in marks_ if known and m in known]
        if not hits or known is None:
            return False
        if self.restore_removed:
            removals.forget_rows(self.tx, [known.pop(m) for m in hits])
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
        tombs = {t.key: t for t in tombstones(self.tx, names)}
        found = {k: tombs.get(k) or tombs.get(self.aliases.get(k, "")) for k in wanted}
        return {k: tomb for k, tomb in found.items() if tomb is not None}

    def load_item_tags(self, item_ids: Sequence[int]) -> None:
        """Learn which tags these items already have, so adding one again is a no-op."""
        for item_id, tag_id in self._select("SELECT item_id, tag_id FROM itemtag WHERE item_id IN ({marks})", item_ids):
            self.item_tags.add((int(item_id), int(tag_id)))

    def create_missing(self, drafts: Sequence[ItemDraft]) -> None:
        """Insert every item not yet in the library in one batch (ids come back through RETURNING)."""
        new: dict[str, dict[str, object]] = {}
        for draft in drafts:
            if draft.ref.key not in self.items and draft.ref.key not in new:
                new[draft.ref.key] = new_item_row(draft)
                new[draft.ref.key].setdefault("added_by", self.member)
                new[draft.ref.key]["citation_key"] = self.claim_citation_key(draft.citation_key)
        if new:
            # One statement needs one set of columns: extras (year, work type …) some drafts lack become NULL,
            # but an id only where a draft brings one (a restored item's old number), else the next number.
            columns = {name: None for row in new.values() for name in row if name != "id"}
            filled = [{**columns, **row} for row in new.values()]
            for with_id in (False, True):
                self.fresh.update(rows.insert(self.conn, [row for row in filled if ("id" in row) is with_id]))
            for draft in drafts:
                if draft.ref.key in self.fresh:
                    self._queue_readings(self.fresh[draft.ref.key], draft)

    def _queue_readings(self, item_id: int, draft: ItemDraft) -> None:
        """A new item's readings, inserted with the batch."""
        initial = Status.INBOX.value if draft.status == Status.INBOX else Status.UNREAD.value
        for one in draft_readings(draft, self.member):
            if one.status in ("", initial) and not (one.priority or one.started_at or one.finished_at):
                continue  # the same as having no row
            row = reading.default(item_id, initial, one.member)
            merge_reading(row, one, keep_mine=False)
            if one.started_at or one.finished_at:
                row.started_at, row.finished_at = one.started_at, one.finished_at
            self.queued[(item_id, one.member)] = row

    def _merge_readings(self, item: ItemRow, draft: ItemDraft, *, keep_mine: bool) -> list[str]:
        """An existing item: each member's reading merged with what the draft says (rows added as needed)."""
        changes = []
        for one in draft_readings(draft, self.member):
            queued = self.queued.get((item.id, one.member))
            mine = queued or reading.of(self.tx, item, one.member)
            before = dataclasses.astuple(mine)
            changes += merge_reading(mine, one, keep_mine=keep_mine)
            if not queued and dataclasses.astuple(mine) != before:
                reading.save(self.tx, mine)
        return changes

    def merge(self, draft: ItemDraft, *, keep_mine: bool = True) -> MergeResult:
        key = draft.ref.key
        if key in self.fresh:  # inserted by create_missing from this very draft
            item_id = self.fresh.pop(key)
            self.items[key] = None  # loaded again if another draft for it comes along
            return self._merge_into(item_id, None, draft, created=True, keep_mine=keep_mine)
        item = self.items.get(key)
        if item is None and key in self.items:
            item = rows.by_key(self.conn, key)
            self.items[key] = item
        if item is None:
            self.items.pop(key, None)  # gone meanwhile (folded into another item): added again
            self.create_missing([draft])
            return self.merge(draft, keep_mine=keep_mine)
        return self._merge_into(item.id, item, draft, created=False, keep_mine=keep_mine)

    def _merge_into(
        self, item_id: int, item: ItemRow | None, draft: ItemDraft, *, created: bool, keep_mine: bool
    ) -> MergeResult:
        changes: list[str] = [] if created or item is None else fill_fields(item, draft)
        if item is not None:
            changes += self._merge_readings(item, draft, keep_mine=keep_mine)
            if not item.citation_key and draft.citation_key:
                item.citation_key = self.claim_citation_key(draft.citation_key)
            rows.save(self.conn, item)
        changes += self.add_tags(item_id, draft.tags)
        changes += self._add_notes(item_id, draft)
        changes += self._add_links(item_id, draft.links)
        changes += self.add_attachments(item_id, draft.attachments)
        self._add_sources(item_id, draft)
        if created or item is None or changes:  # an item a re-import leaves as it was keeps its index entry
            self.tx.touched.add(item_id)
        differ = [] if created or item is None else conflicts(item, draft)
        return MergeResult(item_id, created, [] if created else changes, differ)

    def flush_pending(self) -> None:
        """Write what was batched (and items changed by a caller: feeds); call before the transaction commits."""
        for item in self.items.values():
            if item is not None:
                rows.save(self.conn, item)
        reading.insert(self.tx, list(self.queued.values()))
        for table, columns in _INSERTS.items():
            pending = self.pending.pop(table, [])
            if pending:
                self.conn.executemany(
                    f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks(columns)})",
                    [tuple(row[c] for c in columns) for row in pending],
                )
        self.queued.clear()

    def tag_named(self, name: str) -> TagRow | None:
        clean = normalise_tag(name)
        if not clean:
            return None
        tag = self.tags.get(tag_slug(clean))
        if tag is None:
            found = self.conn.execute(
                "INSERT INTO tag (name, slug) VALUES (?, ?) RETURNING id", (clean, tag_slug(clean))
            ).fetchone()
            tag = self.tags[tag_slug(clean)] = TagRow(int(found[0]), clean, tag_slug(clean))
        return tag

    def add_tags(self, item_id: int, names: Sequence[str]) -> list[str]:
        added = []
        for name in names:
            if item_id in self.removals and self._kept_out(item_id, [removals.tag_mark(tag_slug(normalise_tag(name)))]):
                continue
            tag = self.tag_named(name)
            if tag is None or (item_id, tag.id) in self.item_tags:
                continue
            self.pending["itemtag"].append({"item_id": item_id, "tag_id": tag.id})
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
            if isinstance(old, NoteRow):
                if old.author:  # the user edited this imported note: their text wins over the file's
                    continue
                # The same section of the same file was edited: update its note instead of adding another.
                self.conn.execute("UPDATE note SET body = ?, updated_at = ? WHERE id = ?", (body, stamp, old.id))
                old.body = body
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
                self.pending["note"].append(row)
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
                self.pending["link"].append({"item_id": item_id, "url": url, "role": role})
                have.add(url)
                changes.append(f"link {url}")
        return changes

    def add_attachments(self, item_id: int, paths: Sequence[str]) -> list[str]:
        have = self.attachments[item_id]
        changes = []
        for path in paths:
            if path not in have and is_pdf(path):  # checked here, where every import and add passes
                self.pending["attachment"].append(
                    {"item_id": item_id, "path": path, "kind": "pdf", "added_at": now_iso(), "added_by": self.member}
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
            where = (item_id, src.file, src.section)
            row = self.sources.get(where)
            if row is None:
                new = {"item_id": item_id, "file": src.file, "line": src.line, "section": src.section}
                self.pending["source"].append(new)
                self.sources[where] = new
            elif isinstance(row, tuple) and row[1] != src.line:
                self.conn.execute("UPDATE source SET line = ? WHERE id = ?", (src.line, row[0]))
                self.sources[where] = (row[0], src.line)


# ---- one item becoming another ---------------------------------------------------------------------------------


def find_same_work(
    where: Tx | Any, doi: str | None, arxiv_id: str | None, exclude: int | None = None
) -> ItemRow | None:
    """An item already in the library for the same work: same DOI (any case), or same arXiv preprint."""
    conn = tx_of(where).conn
    others, params = ("id <> ?", [exclude]) if exclude is not None else ("id IS NOT NULL", [])
    if doi:
        found = rows.select(conn, f"lower(doi) = ? AND {others} ORDER BY id LIMIT 1", [doi.lower(), *params])
        if found:
            return found[0]
    if arxiv_id:
        found = rows.select(conn, f"arxiv_id = ? AND {others} ORDER BY id LIMIT 1", [arxiv_id, *params])
        return found[0] if found else None
    return None


def save_text(where: Tx | Any, item_id: int, text: str, source_url: str | None) -> None:
    """Keep an article's main text (replacing an older copy)."""
    tx = tx_of(where)
    tx.touched.add(item_id)  # the text is searched: re-index the item
    tx.conn.execute(
        "INSERT INTO itemtext (item_id, text, fetched_at, source_url) VALUES (?, ?, ?, ?) ON CONFLICT (item_id) "
        "DO UPDATE SET text = excluded.text, fetched_at = excluded.fetched_at, source_url = excluded.source_url",
        (item_id, text, now_iso(), source_url),
    )


# ---- the trash, merged back ---------------------------------------------------------------------------------


def restore_tombstone(where: Tx | Any, merger: Merger, tomb: Tombstone) -> Restored:
    """Merge a trash record back (under its old number when that is free) and forget the tombstone."""
    from readlist.store.serialize import to_draft

    tx = tx_of(where)
    draft = to_draft(tomb.record, f"trash entry {tomb.key}")
    old_id = tomb.record.get("id")
    existing = merger.items.get(tomb.key)
    if existing is None and isinstance(old_id, int) and rows.by_id(tx.conn, old_id) is None:
        draft.extra["id"] = old_id
    result = merger.merge(draft, keep_mine=False)
    cut = tomb.record.get(trash.WORDS)
    if isinstance(cut, list):
        tx.words.update(index.known_runs(str(words) for words in cut))
    marks_ = [] if merger.restore_removed else tomb.record.get("removals") or []  # --restore-removed: all back
    pairs = (
        [(str(m[0]), str(m[1])) for m in marks_ if isinstance(m, list | tuple) and len(m) == 2]
        if isinstance(marks_, list)
        else []
    )
    removals.remember(tx, result.item_id, pairs)
    trash.forget(tx, tomb.key)
    return Restored(result.item_id, tomb.key, draft.title or tomb.key, merged=not result.created)


def restore(tx: Tx, found: Sequence[Tombstone]) -> list[Restored]:
    """Merge trash entries back, with their notes, tags and links."""
    merger = Merger(tx, [t.key for t in found])
    restored = [restore_tombstone(tx, merger, tomb) for tomb in found]
    merger.flush_pending()
    return restored
