"""Crossref works API: a DOI → title, authors, venue, year, type, abstract and preprint relations."""

from __future__ import annotations

import json
import os
from typing import Any
from urllib.parse import quote

from readlist.net.metadata import WorkMetadata, clean_text, person

DEFAULT_URL = "https://api.crossref.org"
_ARXIV_DOI_PREFIX = "10.48550/arxiv."


def endpoint() -> str:
    return os.environ.get("READLIST_CROSSREF_URL", DEFAULT_URL).rstrip("/")


def work_url(doi: str) -> str:
    return f"{endpoint()}/works/{quote(doi, safe='/')}"


def markup_text(value: object) -> str | None:
    """Crossref titles and abstracts may carry JATS or HTML markup (`<i>`, `<jats:p>`): keep only the text."""
    text = clean_text(value)
    if not text or "<" not in text:
        return text
    from lxml import etree

    parser = etree.XMLParser(recover=True, resolve_entities=False, no_network=True)
    wrapped = f"<r>{text}</r>".encode()
    root = etree.fromstring(wrapped, parser)
    if root is None:
        return text
    for el in list(root.iter()):
        name = el.tag.rpartition("}")[2].rpartition(":")[2] if isinstance(el.tag, str) else ""
        if name == "title" and el is not root and (el.text or "").strip().lower() == "abstract":
            el.getparent().remove(el)  # JATS abstracts open with a heading that only says "Abstract"
        elif name in ("p", "sec", "title") and el is not root:
            el.tail = " " + (el.tail or "")  # paragraphs are separate sentences; inline markup is not
    return clean_text("".join(root.itertext()))


def _first(value: object) -> str | None:
    if isinstance(value, list):
        for entry in value:
            text = markup_text(entry)
            if text:
                return text
        return None
    return markup_text(value)


def _date(message: dict[str, Any]) -> tuple[int | None, str | None]:
    for name in ("issued", "published", "published-print", "published-online", "posted", "created"):
        parts = (message.get(name) or {}).get("date-parts") or []
        if parts and parts[0] and isinstance(parts[0][0], int):
            nums = [int(p) for p in parts[0][:3] if isinstance(p, int)]
            return nums[0], "-".join(f"{n:02d}" if i else str(n) for i, n in enumerate(nums))
    return None, None


def _authors(message: dict[str, Any]) -> list[dict[str, str]]:
    authors = []
    for entry in message.get("author") or []:
        if not isinstance(entry, dict):
            continue
        name = " ".join(p for p in (clean_text(entry.get("given")), clean_text(entry.get("family"))) if p)
        affiliations = [a.get("name") for a in entry.get("affiliation") or [] if isinstance(a, dict)]
        found = person(name or entry.get("name"), "; ".join(a for a in affiliations if isinstance(a, str)))
        if found:
            authors.append(found)
    return authors


def _related_arxiv(message: dict[str, Any]) -> str | None:
    """The arXiv preprint of this work, from Crossref's `has-preprint` / `is-version-of` relations."""
    relations = message.get("relation") or {}
    for name in ("has-preprint", "is-version-of", "is-identical-to"):
        for rel in relations.get(name) or []:
            target = str(rel.get("id") or "").lower() if isinstance(rel, dict) else ""
            if rel.get("id-type") == "doi" and target.startswith(_ARXIV_DOI_PREFIX):
                return target.removeprefix(_ARXIV_DOI_PREFIX)
    return None


def _published_doi(message: dict[str, Any]) -> str | None:
    """For a preprint DOI: the DOI of the published version (`is-preprint-of`)."""
    for rel in (message.get("relation") or {}).get("is-preprint-of") or []:
        if isinstance(rel, dict) and rel.get("id-type") == "doi" and rel.get("id"):
            return str(rel["id"])
    return None


def parse_work(body: bytes | str) -> WorkMetadata:
    """A `/works/{doi}` response → metadata; ValueError when it is not a Crossref work message."""
    data = json.loads(body)
    if not isinstance(data, dict) or data.get("message-type") != "work" or not isinstance(data.get("message"), dict):
        raise ValueError("not a Crossref work message")
    message: dict[str, Any] = data["message"]
    title = _first(message.get("title"))
    subtitle = _first(message.get("subtitle"))
    if title and subtitle and subtitle.lower() not in title.lower():
        title = f"{title}: {subtitle}"
    year, published = _date(message)
    venue = _first(message.get("container-title")) or clean_text((message.get("event") or {}).get("name"))
    details = {
        "publisher": clean_text(message.get("publisher")),
        "short_venue": _first(message.get("short-container-title")),
        "volume": clean_text(message.get("volume")),
        "issue": clean_text(message.get("issue")),
        "pages": clean_text(message.get("page")),
        "published_doi": _published_doi(message),
        "crossref_type": clean_text(message.get("type")),
    }
    return WorkMetadata(
        source="crossref",
        title=title,
        authors=_authors(message),
        venue=venue,
        year=year,
        published=published,
        work_type=clean_text(message.get("type")),
        abstract=markup_text(message.get("abstract")),
        doi=clean_text(message.get("DOI")),
        arxiv_id=_related_arxiv(message),
        url=clean_text(message.get("URL")),
        details={k: v for k, v in details.items() if v},
    )
