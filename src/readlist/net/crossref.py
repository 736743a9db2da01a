"""Crossref works API: a DOI → title, authors, venue, year, type, abstract and preprint relations."""

from __future__ import annotations

import os
from collections.abc import Mapping
from urllib.parse import quote

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
from readlist.text.names import full_name

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


def _date(message: Mapping[str, object]) -> tuple[int | None, str | None]:
    for name in ("issued", "published", "published-print", "published-online", "posted", "created"):
        parts = as_list(as_dict(message.get(name)).get("date-parts"))
        first = as_list(parts[0]) if parts else []
        if first and isinstance(first[0], int):
            nums = [int(p) for p in first[:3] if isinstance(p, int)]
            return nums[0], "-".join(f"{n:02d}" if i else str(n) for i, n in enumerate(nums))
    return None, None


def _authors(message: Mapping[str, object]) -> list[dict[str, str]]:
    authors = []
    for entry in as_objects(message.get("author")):
        name = full_name(clean_text(entry.get("given")) or "", clean_text(entry.get("family")) or "")
        affiliations = [a.get("name") for a in as_objects(entry.get("affiliation"))]
        found = person(name or entry.get("name"), "; ".join(a for a in affiliations if isinstance(a, str)))
        if found:
            authors.append(found)
    return authors


def _related_arxiv(message: Mapping[str, object]) -> str | None:
    """The arXiv preprint of this work, from Crossref's `has-preprint` / `is-version-of` relations."""
    relations = as_dict(message.get("relation"))
    for name in ("has-preprint", "is-version-of", "is-identical-to"):
        for rel in as_objects(relations.get(name)):
            target = str(rel.get("id") or "").lower()
            if rel.get("id-type") == "doi" and target.startswith(_ARXIV_DOI_PREFIX):
                return target.removeprefix(_ARXIV_DOI_PREFIX)
    return None


def _published_doi(message: Mapping[str, object]) -> str | None:
    """For a preprint DOI: the DOI of the published version (`is-preprint-of`)."""
    for rel in as_objects(as_dict(message.get("relation")).get("is-preprint-of")):
        if rel.get("id-type") == "doi" and rel.get("id"):
            return str(rel["id"])
    return None


def _details(message: Mapping[str, object]) -> WorkDetails:
    details = WorkDetails()
    if publisher := clean_text(message.get("publisher")):
        details["publisher"] = publisher
    if short_venue := _first(message.get("short-container-title")):
        details["short_venue"] = short_venue
    if volume := clean_text(message.get("volume")):
        details["volume"] = volume
    if issue := clean_text(message.get("issue")):
        details["issue"] = issue
    if pages := clean_text(message.get("page")):
        details["pages"] = pages
    if published_doi := _published_doi(message):
        details["published_doi"] = published_doi
    if crossref_type := clean_text(message.get("type")):
        details["crossref_type"] = crossref_type
    return details


def parse_work(body: bytes | str) -> WorkMetadata:
    """A `/works/{doi}` response → metadata; ValueError when it is not a Crossref work message."""
    data = as_dict(parse_json(body))
    if data.get("message-type") != "work" or not isinstance(data.get("message"), dict):
        raise ValueError("not a Crossref work message")
    message = as_dict(data["message"])
    title = _first(message.get("title"))
    subtitle = _first(message.get("subtitle"))
    if title and subtitle and subtitle.lower() not in title.lower():
        title = f"{title}: {subtitle}"
    year, published = _date(message)
    venue = _first(message.get("container-title")) or clean_text(as_dict(message.get("event")).get("name"))
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
        details=_details(message),
    )
