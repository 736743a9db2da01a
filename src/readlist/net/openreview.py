"""OpenReview API v2 notes: a forum link → title, authors, venue, year, abstract, keywords."""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

from readlist.net.metadata import (
    WorkDetails,
    WorkMetadata,
    as_dict,
    as_list,
    as_objects,
    clean_text,
    parse_json,
    person,
)

DEFAULT_URL = "https://api2.openreview.net"
_NOT_PUBLISHED = ("submitted to", "under review", "withdrawn", "desk rejected", "rejected")


def endpoint() -> str:
    return os.environ.get("READLIST_OPENREVIEW_URL", DEFAULT_URL).rstrip("/")


def note_id(url: str) -> str | None:
    """`openreview.net/forum?id=X`, `/pdf?id=X`, `/attachment?id=X` → X."""
    parts = urlsplit(url)
    if not (parts.hostname or "").lower().endswith("openreview.net"):
        return None
    values = parse_qs(parts.query).get("id") or []
    return values[0].strip() or None if values else None


def notes_url() -> str:
    return f"{endpoint()}/notes"


def _value(content: Mapping[str, object], name: str) -> object:
    """API v2 wraps every field as {"value": …}; API v1 did not. (A venue chooses its fields: the shape is open.)"""
    field = content.get(name)
    return field.get("value") if isinstance(field, dict) else field


def _date(note: Mapping[str, object]) -> str | None:
    for name in ("pdate", "odate", "cdate", "tcdate"):
        stamp = note.get(name)
        if isinstance(stamp, int | float) and stamp > 0:
            return datetime.fromtimestamp(stamp / 1000, UTC).strftime("%Y-%m-%d")
    return None


def parse_notes(body: bytes | str, forum_id: str) -> WorkMetadata | None:
    """A `/notes?id=X` response → metadata for note X; None when the answer has no such note."""
    data = as_dict(parse_json(body))
    if not isinstance(data.get("notes"), list):
        raise ValueError("not an OpenReview notes answer")
    notes = as_objects(data["notes"])
    note = next((n for n in notes if n.get("id") == forum_id), None)
    note = note or next((n for n in notes if n.get("forum") == forum_id), None)
    if note is None or not isinstance(note.get("content"), dict):
        return None
    content = as_dict(note["content"])
    authors = [p for p in (person(n) for n in as_list(_value(content, "authors"))) if p]
    venue = clean_text(_value(content, "venue"))
    published = _date(note)
    accepted = bool(venue) and not any(word in (venue or "").lower() for word in _NOT_PUBLISHED)
    details = WorkDetails()
    if forum_id:
        details["openreview_id"] = forum_id
    if venueid := clean_text(_value(content, "venueid")):
        details["venueid"] = venueid
    if keywords := [k for k in as_list(_value(content, "keywords")) if isinstance(k, str)]:
        details["keywords"] = keywords
    if tldr := clean_text(_value(content, "TLDR")):
        details["tldr"] = tldr
    return WorkMetadata(
        source="openreview",
        title=clean_text(_value(content, "title")),
        authors=authors,
        venue=venue,
        year=int(published[:4]) if published else None,
        published=published,
        work_type="proceedings-article" if accepted else "posted-content",
        site="OpenReview",
        abstract=clean_text(_value(content, "abstract")),
        url=f"https://openreview.net/forum?id={forum_id}",
        details=details,
    )
