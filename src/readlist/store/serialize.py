"""One conversion both ways: an item as its export record (export, trash) and a record as a draft (import, restore).

Every value that crosses into the library is checked here; a bad one is an error naming the line and field.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator, Mapping
from datetime import datetime
from typing import TypeVar, cast

from readlist.domain import (
    MAX_INT,
    PRIORITY_RANGE,
    Kind,
    LinkRole,
    Status,
    check_kind,
    check_link_role,
    check_metadata_status,
    check_status,
)
from readlist.errors import InvalidInputError
from readlist.ids import Reference, is_url
from readlist.location import Conn
from readlist.store import stream
from readlist.store.provenance import OWNABLE, claimed
from readlist.store.read import ItemFilter
from readlist.store.records import ExportRecord, ItemDraft, ItemRecord, NoteDraft, ReadingDraft, SourceDraft

HINT = "fix that line, or export again with: readlist export --format jsonl"
_KEY = re.compile(r"^(arxiv|doi|github|url|title):\S.*$")  # title: items with no identifier (a PDF)
T = TypeVar("T")

# Item columns carried as they are (the export's own timestamps and metadata state win over "now").
TEXT_FIELDS = ("comment", "primary_category", "doi", "work_type", "site", "added_by")
TIME_FIELDS = ("updated", "added_at", "started_at", "finished_at", "metadata_fetched_at")


def records(conn: Conn, flt: ItemFilter | None = None) -> list[ExportRecord]:
    """Items as export records, ordered by key (stable across machines and runs)."""
    return list(iter_records(conn, flt))


def iter_records(conn: Conn, flt: ItemFilter | None = None) -> Iterator[ExportRecord]:
    """`records`, read a page at a time: an export of any size holds one page in memory."""
    # The read side's dicts are new and ours: each becomes its export record in place (no copy of 40 keys).
    return (_into_export(cast("dict[str, object]", item)) for item in stream.items(conn, flt))


def export_record(item: ItemRecord) -> ExportRecord:
    """An item as its export record: no row number, each author with their affiliation."""
    return _into_export(dict(item))


def _into_export(item: dict[str, object]) -> ExportRecord:
    affiliations = cast("list[str | None]", item.pop("author_affiliations"))
    del item["id"]
    item["authors"] = [
        {"name": n, "affiliation": a} if a else {"name": n}
        for n, a in zip(cast("list[str]", item["authors"]), affiliations, strict=True)
    ]
    return cast(ExportRecord, item)


class Fields:
    """Typed access to one record's values; anything of the wrong shape raises with line and field."""

    def __init__(self, row: Mapping[str, object], where: str) -> None:
        self.row, self.where = row, where

    def fail(self, name: str, problem: str) -> InvalidInputError:
        return InvalidInputError(f"{self.where}: {name} {problem}", HINT)

    def text(self, name: str, row: Mapping[str, object] | None = None) -> str | None:
        value = (self.row if row is None else row).get(name)
        if value is None or isinstance(value, str):
            return value
        raise self.fail(name, f"must be text, not {json.dumps(value, ensure_ascii=False)[:40]}")

    def integer(self, name: str, low: int, high: int, row: Mapping[str, object] | None = None) -> int | None:
        value = (self.row if row is None else row).get(name)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.fail(name, f"must be a whole number, not {json.dumps(value)[:40]}")
        if not low <= value <= high:
            raise self.fail(name, f"{value} is out of range ({low}..{high})")
        return value

    def choice(self, name: str, check: Callable[[str], T]) -> T | None:
        value = self.text(name)
        if value is None:
            return None
        try:
            return check(value)
        except InvalidInputError as exc:
            raise self.fail(name, f"is invalid: {exc.message}") from None

    def timestamp(self, name: str, row: Mapping[str, object] | None = None) -> str | None:
        value = self.text(name, row)
        if value is not None:
            try:
                datetime.fromisoformat(value)
            except ValueError:
                raise self.fail(name, f"{value!r} is not an ISO-8601 date or time") from None
        return value

    def objects(self, name: str) -> list[Mapping[str, object]]:
        value = self.row.get(name) or []
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            raise self.fail(name, "must be a list of objects")
        return value

    def texts(self, name: str) -> list[str]:
        value = self.row.get(name) or []
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.fail(name, "must be a list of text")
        return value


def _reference(f: Fields) -> Reference:
    key, url = f.text("key") or "", f.text("url") or ""
    if not _KEY.match(key):
        raise f.fail("key", f"{key!r} is not a readlist key (arxiv:…, doi:…, github:…, url:…, title:…)")
    if not is_url(url) and not (key.startswith("title:") and not url):
        raise f.fail("url", f"{url!r} is not a URL")
    arxiv_id = f.text("arxiv_id")
    if key.startswith("arxiv:") and arxiv_id not in (None, key.removeprefix("arxiv:")):
        raise f.fail("arxiv_id", f"{arxiv_id!r} does not match the key {key!r}")
    return Reference(
        kind=f.choice("kind", check_kind) or Kind.ARTICLE,
        key=key,
        url=url,
        arxiv_id=arxiv_id,
        arxiv_version=f.integer("arxiv_version", 1, 10_000),
        doi=f.text("doi"),
    )


def _authors(f: Fields) -> list[dict[str, str]]:
    raw = f.row.get("authors") or []
    if not isinstance(raw, list):
        raise f.fail("authors", "must be a list")
    authors = []
    for person in raw:
        if isinstance(person, str):
            authors.append({"name": person})
        elif isinstance(person, dict) and isinstance(person.get("name"), str):
            affiliation = f.text("affiliation", person)
            authors.append({"name": person["name"], **({"affiliation": affiliation} if affiliation else {})})
        else:
            raise f.fail("authors", "entries must be names or {name, affiliation}")
    return authors


def _notes(f: Fields) -> list[NoteDraft]:
    notes = []
    for note in f.objects("notes"):
        body = f.text("body", note)
        if body:
            notes.append(
                NoteDraft(
                    body,
                    f.text("source", note),
                    f.timestamp("created_at", note),
                    f.timestamp("updated_at", note),
                    f.text("author", note),
                )
            )
    return notes


def _links(f: Fields) -> list[tuple[str, str]]:
    links = []
    for link in f.objects("links"):
        url = f.text("url", link)
        if not url:
            continue
        try:
            role = check_link_role(f.text("role", link) or LinkRole.RELATED)
        except InvalidInputError as exc:
            raise f.fail("links role", f"is invalid: {exc.message}") from None
        links.append((url, role.value))
    return links


def _sources(f: Fields) -> list[SourceDraft]:
    return [
        SourceDraft(f.text("file", src) or "", f.integer("line", 0, MAX_INT, src) or 0, f.text("section", src) or "")
        for src in f.objects("sources")
        if f.text("file", src)
    ]


def _extra(f: Fields) -> dict[str, object]:
    extra: dict[str, object] = {}
    for name in TEXT_FIELDS:
        if name in f.row:
            extra[name] = f.text(name)
    for name in TIME_FIELDS:
        if name in f.row:
            extra[name] = f.timestamp(name)
    if extra.get("added_at") is None:
        extra.pop("added_at", None)  # never null: the merge stamps it
    if "categories" in f.row:
        extra["categories"] = f.texts("categories")
    if f.row.get("metadata_status") is not None:
        extra["metadata_status"] = str(f.choice("metadata_status", check_metadata_status))
    if "arxiv_version" in f.row:
        extra["arxiv_version"] = f.integer("arxiv_version", 1, 10_000)
    if "year" in f.row:
        extra["year"] = f.integer("year", 0, 9999)
    if f.row.get("details") is not None:
        if not isinstance(f.row["details"], dict):
            raise f.fail("details", "must be an object")
        extra["details"] = f.row["details"]
    return extra


def _readings(f: Fields) -> list[ReadingDraft]:
    """Every member's reading, as a team library's export carries it."""
    readings = []
    for row in f.objects("readings"):
        member = (f.text("member", row) or "").strip()
        if not member:
            raise f.fail("readings member", "is missing")
        try:
            status = check_status(f.text("status", row) or Status.UNREAD)
        except InvalidInputError as exc:
            raise f.fail("readings status", f"is invalid: {exc.message}") from None
        priority = f.integer("priority", -PRIORITY_RANGE, PRIORITY_RANGE, row) or 0
        started, finished = f.timestamp("started_at", row), f.timestamp("finished_at", row)
        readings.append(ReadingDraft(member, status.value, priority, started, finished))
    return readings


def _rating(f: Fields) -> str | None:
    value = f.row.get("rating")
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return f.text("rating")


def _attachments(value: object) -> list[str]:
    """The paths of the files a record names (entries of any other shape are left out)."""
    entries = value if isinstance(value, list) else []
    return [str(a["path"]) for a in entries if isinstance(a, dict) and a.get("path")]


def to_draft(row: Mapping[str, object], where: str = "record") -> ItemDraft:
    f = Fields(row, where)
    status = f.choice("status", check_status)
    return ItemDraft(
        ref=_reference(f),
        title=f.text("title"),
        short_name=f.text("short_name"),
        abstract=f.text("abstract"),
        authors=_authors(f),
        published=f.text("published"),  # free-form: notes give years, months or full dates
        venue=f.text("venue"),
        affiliation=f.text("affiliation"),
        rating=_rating(f),
        priority=f.integer("priority", -PRIORITY_RANGE, PRIORITY_RANGE),
        status=status.value if status else None,
        tags=f.texts("tags"),
        notes=_notes(f),
        links=_links(f),
        sources=_sources(f),
        citation_key=f.text("citation_key"),
        attachments=_attachments(f.row.get("attachments")),
        extra=_extra(f),
        readings=_readings(f),
        provenance=_provenance(f),
    )


def _provenance(f: Fields) -> dict[str, str]:
    """The fields the record says a person set (`user_fields`): still theirs in the library it goes into."""
    return claimed({}, [name for name in f.texts("user_fields") if name in OWNABLE])
