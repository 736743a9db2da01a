"""Plain data passed between layers: what an importer, the arXiv client or a JSONL file says about an item."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TypedDict

from readlist.domain import Kind, LinkRole, MetadataStatus, Status
from readlist.errors import InvalidInputError
from readlist.ids import Reference


@dataclass
class NoteDraft:
    body: str
    source: str | None = None
    created_at: str | None = None
    updated_at: str | None = None
    author: str | None = None


@dataclass
class SourceDraft:
    file: str
    line: int
    section: str


@dataclass
class ReadingDraft:
    """One member's reading of an item, as an export carries it (`readings` in JSONL)."""

    member: str
    status: str
    priority: int = 0
    started_at: str | None = None
    finished_at: str | None = None


@dataclass
class ItemDraft:
    """Everything known about one item from one place; merged into the library by the store."""

    ref: Reference
    title: str | None = None
    short_name: str | None = None
    abstract: str | None = None
    authors: list[dict[str, str]] = field(default_factory=list)
    published: str | None = None
    venue: str | None = None
    affiliation: str | None = None
    rating: str | None = None
    priority: int | None = None
    status: str | None = None
    tags: list[str] = field(default_factory=list)
    notes: list[NoteDraft] = field(default_factory=list)
    links: list[tuple[str, str]] = field(default_factory=list)  # (url, role)
    sources: list[SourceDraft] = field(default_factory=list)
    citation_key: str | None = None  # the key a reference manager gave it (kept if no other item has it)
    attachments: list[str] = field(default_factory=list)  # absolute paths of local files (PDFs)
    extra: dict[str, object] = field(default_factory=dict)  # other Item columns, e.g. from a JSONL export
    # Every member's reading (an export of a team library); when given, `status`/`priority` above are ignored.
    readings: list[ReadingDraft] = field(default_factory=list)
    # Where this draft's fields came from (models.Item.provenance): "user" for what a person typed (`add --title`),
    # "guess" for a title taken from a link's text. Fields not named are a source's.
    provenance: dict[str, str] = field(default_factory=dict)


# --- what the write side reports back ------------------------------------------------------------------


@dataclass(frozen=True)
class StatusChange:
    item_id: int
    title: str
    before: str
    after: str


@dataclass(frozen=True)
class TagChange:
    item_id: int
    title: str
    added: list[str]
    removed: list[str]


@dataclass(frozen=True)
class NoteText:
    item_id: int
    note_id: int | None  # None: a new note
    body: str


@dataclass(frozen=True)
class Removed:
    item_id: int
    key: str
    title: str


@dataclass(frozen=True)
class Restored:
    item_id: int
    key: str
    title: str
    merged: bool  # the key was back in the library already (added again); the trash record was merged into it


class FieldChanges(TypedDict, total=False):
    """What `edit` may change; `url` re-keys the item."""

    title: str
    short_name: str
    abstract: str
    venue: str
    affiliation: str
    priority: int
    rating: str
    url: str


@dataclass(frozen=True)
class Edited:
    item_id: int
    title: str
    old_key: str
    key: str
    merged_from: int | None  # `edit --url … --merge`: the item folded into this one
    restored: list[str] = field(default_factory=list)  # `--reset`: the source's value is back
    waiting: list[str] = field(default_factory=list)  # `--reset`: cleared until the next fetch fills it


_last_stamp: list[tuple[int, str]] = [(0, "")]  # (second, its stamp): an import stamps every row it adds


def now_iso() -> str:
    second = int(time.time())
    if _last_stamp[0][0] != second:
        _last_stamp[0] = (second, datetime.fromtimestamp(second, UTC).strftime("%Y-%m-%dT%H:%M:%SZ"))
    return _last_stamp[0][1]


_RELATIVE = re.compile(r"^(\d+)\s*([dwmy])$")
_DAYS = {"d": 1, "w": 7, "m": 30, "y": 365}


def parse_since(value: str) -> str:
    """`7d`, `2w`, `3m`, `1y` or a date `2026-11-01` → an ISO UTC timestamp to compare against."""
    from datetime import timedelta

    text = value.strip().lower()
    m = _RELATIVE.match(text)
    if m:
        try:
            start = datetime.now(UTC) - timedelta(days=int(m.group(1)) * _DAYS[m.group(2)])
        except (OverflowError, ValueError):  # before the year 1: everything is since then
            return "0001-01-01T00:00:00Z"
        return _stamp(start)
    try:
        day = datetime.strptime(text, "%Y-%m-%d")
    except ValueError:
        raise InvalidInputError(f"cannot read the date {value!r}", "use 7d, 2w, 3m, 1y or YYYY-MM-DD") from None
    # a date means the reader's own midnight, stored as UTC like every timestamp
    try:
        return _stamp(day.astimezone().astimezone(UTC))
    except (OverflowError, ValueError):  # 0001-01-01 in a zone that moves it before the year 1
        return "0001-01-01T00:00:00Z"


def _stamp(moment: datetime) -> str:
    """ISO UTC with a four-digit year: strftime's %Y writes the year 99 as `99`, which sorts after 2026."""
    return f"{moment.year:04d}-{moment:%m-%dT%H:%M:%S}Z"


# ---- the read side's records (what `list --json`, `show --json` and `Library` return) ----------------------


class NoteRecord(TypedDict):
    body: str
    created_at: str | None
    updated_at: str | None
    source: str | None  # `file#section` for imported notes, None for typed ones
    author: str | None  # the member who wrote it; None for imported notes


class LinkRecord(TypedDict):
    url: str
    role: LinkRole


class SourceRecord(TypedDict):
    file: str
    line: int
    section: str


class ReadingRecord(TypedDict):
    member: str
    status: Status
    priority: int
    started_at: str | None
    finished_at: str | None


class AttachmentRecord(TypedDict):
    path: str
    kind: str
    added_at: str


class _ItemFields(TypedDict):
    """What an item record and an export record share (each adds how it names the item and its authors)."""

    kind: Kind
    key: str
    arxiv_id: str | None
    arxiv_version: int | None
    url: str
    title: str
    short_name: str | None
    abstract: str | None
    published: str | None
    updated: str | None
    venue: str | None
    doi: str | None
    comment: str | None
    affiliation: str | None
    primary_category: str | None
    categories: list[str]
    status: Status
    priority: int
    rating: str | None
    added_at: str
    started_at: str | None
    finished_at: str | None
    metadata_status: MetadataStatus
    metadata_fetched_at: str | None
    inbox_score: float | None
    citation_key: str | None
    year: int | None
    work_type: str | None
    site: str | None
    details: dict[str, object]  # what a source said beyond the columns (the arXiv version asked for, …)
    added_by: str | None  # the member who added it
    user_fields: list[str]  # the fields a person set (`add --title`, `edit`): no fetch or import replaces them
    tags: list[str]
    notes: list[NoteRecord]  # empty unless the full record was asked for
    links: list[LinkRecord]
    sources: list[SourceRecord]
    attachments: list[AttachmentRecord]  # local files (PDFs)
    readings: list[ReadingRecord]  # every member's status (empty unless the full record was asked for)


class ItemRecord(_ItemFields):
    """One item as the read side returns it; the README's "JSON item schema" documents every key."""

    id: int
    authors: list[str]
    author_affiliations: list[str | None]


class SearchHit(ItemRecord):
    """An item found by search: its rank score and the snippet that matched (hits marked, see text.hits)."""

    score: float
    snippet: str


class AuthorRecord(TypedDict, total=False):
    name: str
    affiliation: str  # only when known


class ExportRecord(_ItemFields):
    """One item as `export --format json/jsonl` writes it (lossless, re-importable): an ItemRecord without the
    database's own row number (identity is `key`), authors with their affiliations."""

    authors: list[AuthorRecord]


class TagCount(TypedDict):
    tag: str
    count: int


class MonthCount(TypedDict):
    month: str  # YYYY-MM
    added: int
    read: int


class LibraryStats(TypedDict):
    """`stats`: counts by status and kind, top tags, added and read per month, and the recent reading pace."""

    total: int
    by_status: dict[str, int]
    by_kind: dict[str, int]
    top_tags: list[TagCount]
    per_month: list[MonthCount]
    read_per_week: float


class MemberStats(TypedDict):
    """`stats --team`: one member's queue and pace."""

    member: str
    unread: int
    reading: int
    read: int
    skipped: int
    read_8_weeks: int
    read_per_week: float
    last_finished: str | None


class Overview(TypedDict):
    """`readlist` alone: reading now, the top of the queue, how many wait in the inbox or for metadata."""

    total: int
    counts: dict[str, int]
    reading: list[ItemRecord]
    next: list[ItemRecord]
    inbox: int
    metadata_pending: int


class FeedRecord(TypedDict):
    id: int
    name: str
    url: str
    match: list[str]
    tags: list[str]
    last_pulled: str | None
    last_error: str | None
    etag: str | None
    last_modified: str | None


class TrashRecord(TypedDict):
    """A removed item as the trash lists it: its old number, key, title, tags and how many notes it keeps."""

    id: int | None
    key: str
    title: str
    removed_at: str
    tags: list[str]
    notes: int
