"""The one typed record every non-arXiv source returns: what it says about a work, ready to map onto an item."""

from __future__ import annotations

import html
import json
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TypedDict


class WorkDetails(TypedDict, total=False):
    """Source-specific facts kept in an item's `details`; a source sets only the keys it knows (never empty)."""

    # crossref
    publisher: str
    short_venue: str
    volume: str
    issue: str
    pages: str
    published_doi: str  # a preprint DOI's published version
    crossref_type: str
    # github
    description: str
    language: str
    stars: int
    forks: int
    topics: list[str]
    license: str
    homepage: str
    archived: bool
    fork: bool
    created_at: str
    pushed_at: str
    # openreview
    openreview_id: str
    venueid: str
    keywords: list[str]
    tldr: str
    # s2
    s2_paper_id: str
    dblp: str
    # webpage
    page_tags: list[str]
    site: str


@dataclass
class WorkMetadata:
    """What one source knows about one work. Empty fields mean "unknown", never "erase"."""

    source: str  # crossref | github | webpage | openreview | s2
    title: str | None = None
    authors: list[dict[str, str]] = field(default_factory=list)  # [{"name", "affiliation"?}] in order
    venue: str | None = None
    year: int | None = None
    published: str | None = None  # ISO date (YYYY, YYYY-MM or YYYY-MM-DD) of the work
    work_type: str | None = None  # journal-article | proceedings-article | posted-content | blog-post | software …
    site: str | None = None
    abstract: str | None = None
    doi: str | None = None
    arxiv_id: str | None = None  # the arXiv preprint of this work, when the source names one
    url: str | None = None
    details: WorkDetails = field(default_factory=WorkDetails)
    text: str | None = None  # an article's main text
    warnings: list[str] = field(default_factory=list)


def clean_text(value: object) -> str | None:
    """Collapse whitespace, unescape entities, drop control characters; None for empty or non-text."""
    if not isinstance(value, str):
        return None
    text = html.unescape(value)
    text = "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch)[0] != "C")
    text = re.sub(r"\s+", " ", text).strip()
    return text or None


def person(name: object, affiliation: object = None) -> dict[str, str] | None:
    clean = clean_text(name)
    if not clean:
        return None
    entry = {"name": clean}
    aff = clean_text(affiliation)
    if aff:
        entry["affiliation"] = aff
    return entry


# Parsed JSON from another service is untrusted: it is read as `Mapping[str, object]` / `list[object]`, so mypy
# demands an isinstance check before any value is used, and a wrong shape reads as missing data, never a crash.


def parse_json(body: bytes | str) -> object:
    """An API's JSON answer; ValueError when it is not JSON, as when it nests too deeply for Python to parse."""
    try:
        return json.loads(body)
    except RecursionError:
        raise ValueError("the JSON answer nests too deeply") from None


def as_dict(value: object) -> Mapping[str, object]:
    """A JSON object, or an empty one when the API sent something else in its place (null, a list …)."""
    return value if isinstance(value, dict) else {}


def as_list(value: object) -> list[object]:
    """A JSON array, or an empty one when the API sent something else in its place (null, a string …)."""
    return value if isinstance(value, list) else []


def as_objects(value: object) -> list[Mapping[str, object]]:
    """The objects of a JSON array, skipping anything else in it; empty when `value` is not an array."""
    return [entry for entry in as_list(value) if isinstance(entry, dict)]


def as_text(value: object) -> str | None:
    """A JSON string as sent (not cleaned), or None when it is anything else."""
    return value if isinstance(value, str) else None
