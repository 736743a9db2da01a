"""Feeds over the network: one conditional GET through `net/http.py`, then RSS 2.0, RSS 1.0 (RDF) or Atom
parsed into typed entries.

Well-formed feeds (nearly all) stream through lxml's `iterparse`, each entry cleared once read, so a 100k-entry
listing costs microseconds and bytes per entry; feedparser's tolerant parser is only the fallback for broken
XML (unescaped `&`, HTML entities, cut-off files), where salvaging what can be read matters more than speed.
Entities are never resolved and no DTD is loaded: a hostile feed cannot expand or reach out.
"""

from __future__ import annotations

import email.utils
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from readlist.errors import ReadlistError
from readlist.net import http

ATOM = "{http://www.w3.org/2005/Atom}"
RSS1 = "{http://purl.org/rss/1.0/}"
RDF = "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}"
ENTRY_TAGS = frozenset({"item", f"{RSS1}item", f"{ATOM}entry"})
FEED_ROOTS = frozenset({"rss", f"{RDF}RDF", f"{ATOM}feed"})
MEGABYTE = 1_000_000


class NotAFeedError(ReadlistError):
    """The answer is not RSS or Atom (a web page, an error page, garbage)."""


@dataclass
class FeedEntry:
    """One entry, as the feed gives it: text still may hold HTML (the caller flattens it)."""

    id: str = ""
    link: str = ""
    title: str = ""
    summary: str = ""
    authors: list[str] = field(default_factory=list)
    published: str | None = None  # ISO-8601 UTC
    announce: str = ""  # arXiv listings: new | cross | replace | replace-cross


@dataclass
class ParsedFeed:
    entries: list[FeedEntry]
    warning: str | None = None  # set when a broken feed was only partly readable


def download(url: str, *, etag: str | None, last_modified: str | None, timeout: float, max_mb: float) -> http.Response:
    """One GET (conditional when we hold an ETag or Last-Modified): 200 with the body or 304. Raises HttpError;
    a pause a server asks for (429, Retry-After) is remembered for this feed's URL, not its whole host;
    a body over `max_mb` is refused with a hint that says how to raise the limit."""
    headers = {}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    accept = "application/rss+xml, application/atom+xml, application/rdf+xml;q=0.9, application/xml;q=0.8, */*;q=0.1"
    try:
        return http.get(
            url,
            headers=headers,
            timeout=timeout,
            max_bytes=int(max_mb * MEGABYTE),
            accept=accept,
            rate_key=url,  # a feed's 429 holds back that feed, not every feed its host serves
        )
    except http.HttpError as exc:
        if exc.reason == "too_large":
            exc.hint = f"raise the limit (now {max_mb:g} MB): readlist config set feed_max_mb {max_mb * 4:g}"
        raise


def parse(body: bytes) -> ParsedFeed:
    """RSS or Atom → entries. Raises NotAFeedError for anything else."""
    from lxml import etree

    try:
        return ParsedFeed(list(_stream(body)))
    except etree.XMLSyntaxError:
        return _salvage(body)


def _stream(body: bytes) -> Iterator[FeedEntry]:
    from lxml import etree

    events = etree.iterparse(
        io.BytesIO(body),
        events=("start", "end"),
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
        remove_comments=True,
    )
    depth = 0
    for event, element in events:
        if event == "start":
            if depth == 0 and element.tag not in FEED_ROOTS:
                raise NotAFeedError(f"not a feed (the document is <{etree.QName(element).localname}>)")
            depth += 1
            continue
        depth -= 1
        if element.tag in ENTRY_TAGS:
            yield _entry(element)
            element.clear(keep_tail=False)
            while element.getprevious() is not None:  # what was read is dropped: memory stays flat
                del element.getparent()[0]


def _entry(element: Any) -> FeedEntry:
    entry = FeedEntry(id=element.get(f"{RDF}about") or "")
    for child in element:
        if not isinstance(child.tag, str):
            continue
        name = child.tag.rsplit("}", 1)[-1]
        text = "".join(child.itertext()).strip()
        if name == "title":
            entry.title = text
        elif name == "link":
            href = child.get("href")
            if href is None:
                entry.link = entry.link or text
            elif child.get("rel", "alternate") == "alternate" or not entry.link:
                entry.link = href.strip()
        elif name in ("guid", "id"):
            entry.id = text
        elif name in ("description", "summary") or (name in ("content", "encoded") and not entry.summary):
            entry.summary = text
        elif name == "author":
            names = [t.strip() for t in child.itertext() if t.strip()]
            entry.authors.append(names[0] if child.tag.startswith(ATOM) and names else text)
        elif name == "creator":
            entry.authors.append(text)
        elif name in ("pubDate", "published", "date") or (name == "updated" and not entry.published):
            entry.published = _date(text) or entry.published
        elif name == "announce_type":
            entry.announce = text.lower()
    return entry


def _date(text: str) -> str | None:
    """RFC 822 (RSS) or ISO 8601 (Atom, Dublin Core) → ISO-8601 UTC; None when neither."""
    when: datetime | None = None
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _salvage(body: bytes) -> ParsedFeed:
    """feedparser's tolerant reading of broken XML: what can be read, and a warning saying so."""
    import time

    import feedparser

    parsed = feedparser.parse(body)
    if not parsed.entries and (parsed.get("bozo") or not parsed.get("version")):
        reason = type(parsed.get("bozo_exception")).__name__ if parsed.get("bozo") else "no RSS or Atom"
        raise NotAFeedError(f"not a feed ({reason})")
    entries = []
    for raw in parsed.entries:
        stamp = raw.get("published_parsed") or raw.get("updated_parsed")
        names = [a.get("name") or "" for a in raw.get("authors") or []] or [raw.get("author") or ""]
        entries.append(
            FeedEntry(
                id=raw.get("id", ""),
                link=raw.get("link", ""),
                title=raw.get("title", ""),
                summary=raw.get("summary") or raw.get("description") or "",
                authors=[n for n in names if n],
                published=time.strftime("%Y-%m-%dT%H:%M:%SZ", stamp) if stamp else None,
                announce=(raw.get("arxiv_announce_type") or "").strip().lower(),
            )
        )
    warning = f"feed is partly broken; salvaged {len(entries)} entries" if parsed.get("bozo") else None
    return ParsedFeed(entries, warning)
