"""The one typed record every non-arXiv source returns: what it says about a work, ready to map onto an item."""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any


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
    details: dict[str, Any] = field(default_factory=dict)
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


def as_dict(value: object) -> dict[str, Any]:
    """A JSON object, or an empty one when the API sent something else in its place (null, a list …)."""
    return value if isinstance(value, dict) else {}
