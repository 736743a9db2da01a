"""SQLModel tables: the single definition of the schema (migrations are generated from it)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, CheckConstraint, Column, Index, LargeBinary, MetaData, UniqueConstraint
from sqlmodel import Field, SQLModel

from readlist.domain import KINDS, LINK_ROLES, METADATA_STATUSES, STATUSES, MetadataStatus, Status

# Named constraints so Alembic batch migrations on SQLite can find and alter them.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
metadata: MetaData = SQLModel.metadata

# Timestamps are ISO-8601 UTC strings (`2026-11-21T08:54:00Z`): they sort as text, read the same from the
# stdlib sqlite3 read side and the SQLAlchemy write side, and carry their zone explicitly.


# What a `Removal` remembers (frozen in migration 0009).
REMOVAL_KINDS = ("tag", "note source", "note text")


def one_of(column: str, values: tuple[str, ...]) -> CheckConstraint:
    """The database refuses values outside the domain's list too (named `ck_<table>_<column>`)."""
    return CheckConstraint(f"{column} IN ({', '.join(repr(v) for v in values)})", name=column)


class Item(SQLModel, table=True):
    """A paper, article or repo on the reading list."""

    __table_args__ = (
        one_of("initial_status", (Status.INBOX.value, Status.UNREAD.value)),
        one_of("kind", KINDS),
        one_of("metadata_status", METADATA_STATUSES),
        # The unread queue in order without reading whole rows (migration 0013).
        Index("ix_item_initial_status_added_at", "initial_status", "added_at"),
        # What search's filters read of an item, by id, without its row (migration 0019).
        Index("ix_item_filters", "id", "kind", "initial_status", "year", "published", "added_at"),
        # Numbers are never reused: `rm 12` then `add` must not give the new item the number people knew as #12.
        {"sqlite_autoincrement": True},
    )

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(index=True)  # paper | article | repo
    key: str = Field(unique=True)  # arxiv:2408.11743 | doi:10.1145/… | github:owner/repo | url:https://…
    arxiv_id: str | None = Field(default=None, index=True)
    arxiv_version: int | None = None
    url: str
    title: str
    short_name: str | None = None
    # Authors are a JSON list of {"name", "affiliation"}: always read and written whole with their item, in
    # order, and searched through the FTS index, so a join table would only add queries.
    authors: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    abstract: str | None = None
    published: str | None = None
    updated: str | None = None
    venue: str | None = None
    doi: str | None = None
    comment: str | None = None
    affiliation: str | None = None
    primary_category: str | None = None
    categories: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    # Each member's status, priority and dates are their own (`Reading`); this is the status of an item for a
    # member who has not touched it yet: `inbox` for a feed entry waiting for triage, otherwise `unread`.
    initial_status: str = Status.UNREAD.value
    rating: str | None = None
    added_at: str = Field(index=True)
    metadata_status: str = MetadataStatus.PENDING.value
    metadata_fetched_at: str | None = None
    inbox_score: float | None = None  # how strongly a feed entry matched the feed's terms (inbox order)
    # Better-BibTeX style (`frantar2024marlin`): assigned once author and year are known, never changed after.
    citation_key: str | None = Field(default=None, unique=True)
    year: int | None = None  # of the work (published version if known, else first arXiv version)
    work_type: str | None = None  # journal-article | proceedings-article | posted-content | blog-post | software …
    site: str | None = None  # site name of a web article (知乎, 微信公众号, a blog's name)
    # Source-specific details shown by `show` and kept by exports (repo stars/language/topics/licence, S2 ids …).
    details: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False, server_default="{}"))
    added_by: str | None = None  # the member who added it (team libraries)
    # Where fields came from, field → "user" (a person typed it: no fetch or import replaces it) or "guess" (a
    # title from a link's text: real metadata may replace it); fields not named came from a source (migration 0011).
    provenance: dict[str, str] = Field(
        default_factory=dict, sa_column=Column(JSON, nullable=False, server_default="{}")
    )


class Member(SQLModel, table=True):
    """A person who reads from this library (a personal library is a team of one)."""

    name: str = Field(primary_key=True)
    joined_at: str


class Reading(SQLModel, table=True):
    """One member's reading of one item. No row means the item's `initial_status`, priority 0, no dates."""

    __table_args__ = (
        one_of("status", STATUSES),
        Index("ix_reading_member_status", "member", "status"),
        # What search's filters read of a reading, by item and member, without its row (migration 0019).
        Index("ix_reading_filters", "item_id", "member", "status", "started_at", "finished_at"),
    )
    item_id: int = Field(foreign_key="item.id", primary_key=True, ondelete="CASCADE")
    member: str = Field(foreign_key="member.name", primary_key=True, ondelete="CASCADE")
    status: str  # inbox | unread | reading | read | skipped
    priority: int = 0
    started_at: str | None = None
    finished_at: str | None = None
    updated_at: str


class Tag(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str
    slug: str = Field(unique=True)  # case-folded, whitespace-collapsed: `KV Cache` and `kv  cache` are one tag


class ItemTag(SQLModel, table=True):
    item_id: int = Field(foreign_key="item.id", primary_key=True, ondelete="CASCADE")
    tag_id: int = Field(foreign_key="tag.id", primary_key=True, ondelete="CASCADE", index=True)


class Note(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    item_id: int = Field(foreign_key="item.id", index=True, ondelete="CASCADE")
    body: str
    created_at: str
    updated_at: str
    source: str | None = None  # None for notes typed by the user; `file#section` for imported ones
    author: str | None = None  # the member who wrote it (team libraries); None for imported notes


class Link(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("item_id", "url"), one_of("role", LINK_ROLES))
    id: int | None = Field(default=None, primary_key=True)
    item_id: int = Field(foreign_key="item.id", index=True, ondelete="CASCADE")
    url: str
    role: str  # code | pdf | project | related


class Source(SQLModel, table=True):
    """Where an imported item came from, so that re-importing a file is idempotent."""

    __table_args__ = (UniqueConstraint("item_id", "file", "section"), Index("ix_source_file", "file"))
    id: int | None = Field(default=None, primary_key=True)
    item_id: int = Field(foreign_key="item.id", index=True, ondelete="CASCADE")
    file: str
    line: int
    section: str


class TermCache(SQLModel, table=True):
    """The recommendation model's term counts per item, as one NumPy archive (recommend/training.py)."""

    name: str = Field(primary_key=True)  # which cache and its format version: `terms.v5`
    saved_at: str
    data: bytes = Field(sa_column=Column(LargeBinary, nullable=False))


class Meta(SQLModel, table=True):
    """Small key/value state shared across processes (e.g. the time of the last arXiv request)."""

    key: str = Field(primary_key=True)
    value: str


class Feed(SQLModel, table=True):
    """An arXiv listing or blog feed whose new matching entries land in the inbox."""

    id: int | None = Field(default=None, primary_key=True)
    url: str = Field(unique=True)
    name: str = Field(unique=True)
    match: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    tags: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    etag: str | None = None
    last_modified: str | None = None
    last_pulled: str | None = None
    last_error: str | None = None
    added_at: str


class ItemText(SQLModel, table=True):
    """The main text of a web article, kept offline: searchable and safe from link rot."""

    item_id: int = Field(foreign_key="item.id", primary_key=True, ondelete="CASCADE")
    text: str
    fetched_at: str
    source_url: str | None = None


class Attachment(SQLModel, table=True):
    """A local file that belongs to an item (its PDF)."""

    __table_args__ = (UniqueConstraint("item_id", "path"),)
    id: int | None = Field(default=None, primary_key=True)
    item_id: int = Field(foreign_key="item.id", index=True, ondelete="CASCADE")
    path: str
    kind: str = "pdf"
    added_at: str
    added_by: str | None = None  # the member who attached it: only they or an admin remove it (migration 0017)


class Tombstone(SQLModel, table=True):
    """A removed item: its key keeps re-imports from bringing it back; its record lets `restore` undo `rm`."""

    key: str = Field(primary_key=True)
    removed_at: str
    record: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class Removal(SQLModel, table=True):
    """Something the user took off an item, so that importing it again does not bring it back: a tag (by its
    slug), an imported note (by its source `file#section`) and any note (by a hash of its text, for exports)."""

    __table_args__ = (one_of("what", REMOVAL_KINDS),)
    id: int | None = Field(default=None, primary_key=True)
    item_id: int = Field(foreign_key="item.id", index=True, ondelete="CASCADE")
    what: str  # tag | note source | note text
    # Not indexed: a note's source can be longer than a PostgreSQL index entry may be; lookups go by item.
    value: str
    removed_at: str


class KeyAlias(SQLModel, table=True):
    """A key an item was known by before (its URL was edited, or it was folded into another item): drafts that
    still carry the old key merge into the item that has `item_key` now, instead of adding it again."""

    key: str = Field(primary_key=True)
    item_key: str = Field(index=True)
    added_at: str
