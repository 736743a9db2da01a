"""Following arXiv listings and blogs: conditional GET, feedparser, matching with the search glossary.

New matching entries become items with status `inbox`; `keep` moves them to the unread queue. An entry
already in the list is never added again; an arXiv replacement of a listed paper updates that paper.
"""

from __future__ import annotations

import html
import re
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from sqlmodel import select

from readlist import config
from readlist.errors import InvalidInputError, NotFoundError
from readlist.ids import arxiv_reference, is_url, parse_arxiv_id, url_reference
from readlist.library.merge import Merger
from readlist.library.records import ItemDraft, now_iso
from readlist.library.write import Store
from readlist.models import Feed
from readlist.search import glossary
from readlist.search.text import nfkc

ARXIV_HOSTS = ("arxiv.org", "rss.arxiv.org", "export.arxiv.org")
USER_AGENT = "readlist/0.1 (feed reader)"
_TAG = re.compile(r"<[^>]+>")
_ARXIV_ABSTRACT = re.compile(r"^\s*arXiv:\S+\s+Announce Type:\s*\S+\s*Abstract:\s*", re.IGNORECASE)


@dataclass
class PullReport:
    name: str
    status: str = "ok"  # ok | not modified | error
    entries: int = 0
    added: list[int] = field(default_factory=list)
    updated: list[int] = field(default_factory=list)
    warning: str | None = None


def add_feed(store: Store, url: str, name: str | None, match: list[str], tags: list[str]) -> Feed:
    if not is_url(url):
        raise InvalidInputError(f"{url!r} is not a feed URL", "give the http(s) address of an RSS or Atom feed")
    name = name or (urlsplit(url).hostname or url).removeprefix("www.") + urlsplit(url).path.rstrip("/")
    with store.session() as session:
        if session.exec(select(Feed).where((Feed.url == url) | (Feed.name == name))).first():
            raise InvalidInputError(f"a feed with that URL or name ({name}) exists", "readlist feed list")
        feed = Feed(url=url, name=name, match=match, tags=tags, added_at=now_iso())
        session.add(feed)
        return feed


def remove_feed(store: Store, ref: str) -> Feed:
    with store.session() as session:
        feed = _find(session, ref)
        session.delete(feed)
        return feed


def _find(session: Any, ref: str) -> Feed:
    query = select(Feed).where((Feed.name == ref) | (Feed.url == ref))
    if ref.isdigit():
        query = select(Feed).where(Feed.id == int(ref))
    feed: Feed | None = session.exec(query).first()
    if feed is None:
        raise NotFoundError(f"no feed {ref!r}", "readlist feed list shows them")
    return feed


def _download(feed: Feed, store: Store) -> tuple[int, bytes, dict[str, str]]:
    """(status, body, headers) with a conditional GET; arXiv hosts share the 3-second spacing."""
    headers = {"User-Agent": USER_AGENT}
    if feed.etag:
        headers["If-None-Match"] = feed.etag
    if feed.last_modified:
        headers["If-Modified-Since"] = feed.last_modified
    if (urlsplit(feed.url).hostname or "").endswith(ARXIV_HOSTS):
        wait = store.reserve_slot("arxiv_next_request", config.arxiv_min_interval())
        if wait > 0:
            time.sleep(wait)
    request = urllib.request.Request(feed.url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=config.feed_timeout()) as response:
            return response.status, response.read(), dict(response.headers.items())
    except urllib.error.HTTPError as exc:
        return exc.code, b"", dict(exc.headers.items()) if exc.headers else {}


def _text(value: str | None) -> str:
    return " ".join(html.unescape(_TAG.sub(" ", value or "")).split())


def _authors(entry: Any) -> list[dict[str, str]]:
    names: list[str] = []
    for author in entry.get("authors") or []:
        raw = author.get("name") or ""
        names += [n.strip() for n in re.split(r",\s*|\s+and\s+", raw) if n.strip()]
    if not names and entry.get("author"):
        names = [n.strip() for n in re.split(r",\s*|\s+and\s+", entry["author"]) if n.strip()]
    return [{"name": n} for n in names]


def _arxiv_id(entry: Any) -> tuple[str, int | None] | None:
    for candidate in (entry.get("id", ""), entry.get("link", "")):
        m = re.search(r"oai:arXiv\.org:(\S+)", candidate, re.IGNORECASE)
        found = parse_arxiv_id(m.group(1)) if m else None
        if found:
            return found
        if candidate and is_url(candidate):
            ref = url_reference(candidate)
            if ref.arxiv_id:
                return ref.arxiv_id, ref.arxiv_version
    return None


def entry_draft(entry: Any, feed: Feed) -> tuple[ItemDraft, str] | None:
    """A feed entry → (draft, announce type); None for entries without a usable link."""
    summary = _ARXIV_ABSTRACT.sub("", _text(entry.get("summary") or entry.get("description")))
    published = None
    if entry.get("published_parsed") or entry.get("updated_parsed"):
        stamp = entry.get("published_parsed") or entry.get("updated_parsed")
        published = time.strftime("%Y-%m-%dT%H:%M:%SZ", stamp)
    found = _arxiv_id(entry)
    if found:
        ref = arxiv_reference(*found)
    elif entry.get("link") and is_url(entry["link"]):
        ref = url_reference(entry["link"])
    else:
        return None
    announce = (entry.get("arxiv_announce_type") or "new").strip().lower()
    draft = ItemDraft(
        ref=ref,
        title=_text(entry.get("title")) or None,
        abstract=summary or None,
        authors=_authors(entry),
        published=published,
        status="inbox",
        tags=list(feed.tags),
    )
    return draft, announce


TermPatterns = list[list[re.Pattern[str]]]


def compile_terms(terms: list[str]) -> TermPatterns:
    """Each term with its glossary synonyms and spellings (joined, hyphenated, plural) as patterns."""
    compiled = []
    for term in terms:
        forms: set[str] = set()
        for v in glossary.synonyms(term) or [glossary.normalise(term)]:
            forms |= {v, v.replace(" ", ""), v.replace(" ", "-"), v.replace("-", " ")}
        compiled.append(
            [
                re.compile(r"(?<![a-z0-9])" + re.escape(f) + r"(?:s|es)?(?![a-z0-9])")
                if f.isascii()
                else re.compile(re.escape(f))
                for f in forms
                if f
            ]
        )
    return compiled


def match_score(patterns: TermPatterns, title: str, abstract: str) -> float:
    """How strongly an entry matches the feed's terms; a title hit weighs double. No terms: score 1."""
    if not patterns:
        return 1.0
    title_n, abstract_n = nfkc(title).casefold(), nfkc(abstract).casefold()
    score = 0.0
    for term in patterns:
        if any(p.search(title_n) for p in term):
            score += 2
        elif any(p.search(abstract_n) for p in term):
            score += 1
    return score


def pull(store: Store, refs: list[str] | None = None) -> list[PullReport]:
    """Fetch every feed (or the named ones); one failing feed does not stop the others."""
    import feedparser

    with store.session() as session:
        feeds = [_find(session, r) for r in refs] if refs else list(session.exec(select(Feed)).all())
    reports = []
    for feed in feeds:
        report = PullReport(feed.name)
        reports.append(report)
        try:
            status, body, headers = _download(feed, store)
        except (TimeoutError, urllib.error.URLError, OSError) as exc:
            report.status, report.warning = "error", f"cannot fetch: {getattr(exc, 'reason', exc)}"
            _record(store, feed, error=report.warning)
            continue
        if status == 304:
            report.status = "not modified"
            _record(store, feed)
            continue
        if status >= 400:
            report.status, report.warning = "error", f"HTTP {status}"
            _record(store, feed, error=report.warning)
            continue
        parsed = feedparser.parse(body)
        if not parsed.entries and (parsed.get("bozo") or not parsed.get("version")):
            report.status = "error"
            reason = type(parsed.get("bozo_exception")).__name__ if parsed.get("bozo") else "no RSS or Atom"
            report.warning = f"not a feed ({reason})"
            _record(store, feed, error=report.warning)
            continue
        if parsed.get("bozo"):
            report.warning = f"feed is partly broken; salvaged {len(parsed.entries)} entries"
        report.entries = len(parsed.entries)
        _merge_entries(store, feed, parsed.entries, report)
        _record(
            store,
            feed,
            etag=headers.get("ETag") or headers.get("Etag"),
            modified=headers.get("Last-Modified"),
            error=report.warning if report.status != "ok" else None,
        )
    return reports


def _record(
    store: Store, feed: Feed, *, etag: str | None = None, modified: str | None = None, error: str | None = None
) -> None:
    with store.session() as session:
        row = session.get(Feed, feed.id)
        if row is None:
            return
        row.last_pulled = now_iso()
        row.last_error = error
        if etag:
            row.etag = etag
        if modified:
            row.last_modified = modified


def _merge_entries(store: Store, feed: Feed, entries: list[Any], report: PullReport) -> None:
    """All of a feed's entries in one transaction, new items inserted in one batch."""
    drafts = [d for d in (entry_draft(e, feed) for e in entries) if d is not None]
    patterns = compile_terms(feed.match)
    with store.session() as session:
        merger = Merger(session, sorted({d.ref.key for d, _ in drafts}))
        removed = merger.removed([d.ref.key for d, _ in drafts])  # the user removed them: do not bring them back
        new: dict[str, ItemDraft] = {}
        for draft, announce in drafts:
            if draft.ref.key in removed:
                continue
            item = merger.items.get(draft.ref.key)
            if item is not None:
                newer = (item.arxiv_version or 0) < (draft.ref.arxiv_version or 0)
                if announce.startswith("replace") and item.arxiv_id and newer:
                    item.arxiv_version = draft.ref.arxiv_version
                    item.metadata_status = "pending"  # `fetch` brings the new version's metadata
                    session.info["touched"].add(item.id)
                    report.updated.append(item.id or 0)
                continue
            score = match_score(patterns, draft.title or "", draft.abstract or "")
            if score > 0 and draft.ref.key not in new:
                draft.extra["inbox_score"] = score
                new[draft.ref.key] = draft
        merger.create_missing(list(new.values()))
        for draft in new.values():
            report.added.append(merger.merge(draft).item_id)
        merger.flush_pending()
