"""A readlist JSON/JSONL export → drafts, so a teammate's list merges by canonical key."""

from __future__ import annotations

import json
from typing import Any

from readlist.domain import STATUSES
from readlist.errors import InvalidInputError
from readlist.ids import Reference
from readlist.library.records import ItemDraft, NoteDraft, SourceDraft

# Item columns carried as they are (the export's own timestamps and metadata state win over "now").
EXTRA_FIELDS = (
    "updated",
    "comment",
    "primary_category",
    "categories",
    "doi",
    "added_at",
    "started_at",
    "finished_at",
    "metadata_status",
    "metadata_fetched_at",
    "arxiv_version",
    "year",
    "work_type",
    "site",
    "details",
)


def looks_like_export(text: str) -> bool:
    head = text.lstrip()[:200]
    return head.startswith("{") or (head.startswith("[") and '"key"' in text[:2000])


def parse_records(text: str, name: str) -> list[dict[str, Any]]:
    stripped = text.strip()
    try:
        if stripped.startswith("["):
            rows: list[Any] = json.loads(stripped)
        else:
            rows = [json.loads(line) for line in stripped.splitlines() if line.strip()]
    except json.JSONDecodeError as exc:
        raise InvalidInputError(
            f"{name} is not valid JSON (line {exc.lineno}: {exc.msg})", "export with: readlist export --format jsonl"
        ) from None
    if not all(isinstance(r, dict) and r.get("key") and isinstance(r.get("url"), str) for r in rows):
        raise InvalidInputError(
            f"{name} is not a readlist export (items need key and url)", "export with: readlist export --format jsonl"
        )
    return list(rows)


def to_draft(row: dict[str, Any]) -> ItemDraft:
    ref = Reference(
        kind=row.get("kind") or "article",
        key=row["key"],
        url=row["url"],
        arxiv_id=row.get("arxiv_id"),
        arxiv_version=row.get("arxiv_version"),
        doi=row.get("doi"),
    )
    status = row.get("status") if row.get("status") in STATUSES else None
    authors = [a if isinstance(a, dict) else {"name": str(a)} for a in row.get("authors") or []]
    return ItemDraft(
        ref=ref,
        title=row.get("title"),
        short_name=row.get("short_name"),
        abstract=row.get("abstract"),
        authors=authors,
        published=row.get("published"),
        venue=row.get("venue"),
        affiliation=row.get("affiliation"),
        rating=row.get("rating"),
        priority=row.get("priority"),
        status=status,
        tags=list(row.get("tags") or []),
        notes=[
            NoteDraft(n["body"], n.get("source"), n.get("created_at"), n.get("updated_at"))
            for n in row.get("notes") or []
            if n.get("body")
        ],
        links=[(lk["url"], lk.get("role", "related")) for lk in row.get("links") or [] if lk.get("url")],
        sources=[
            SourceDraft(s["file"], int(s.get("line") or 0), s.get("section") or "")
            for s in row.get("sources") or []
            if s.get("file")
        ],
        citation_key=row.get("citation_key"),
        attachments=[a["path"] for a in row.get("attachments") or [] if isinstance(a, dict) and a.get("path")],
        extra={k: row[k] for k in EXTRA_FIELDS if k in row},
    )
