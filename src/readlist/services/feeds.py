"""Following arXiv listings and blogs: conditional GET, RSS/Atom entries, matching with the search glossary.

New matching entries become items with status `inbox`; `keep` moves them to the unread queue. An entry
already in the list is never added again; an arXiv replacement of a listed paper updates that paper.
Fetching and parsing happen before the write transaction; one feed failing never stops the others.
"""

from __future__ import annotations

import contextlib
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from sqlmodel import select

from readlist import config
from readlist.domain import MetadataStatus, Status
from readlist.errors import InvalidInputError, NetworkError, NotFoundError
from readlist.ids import arxiv_reference, is_url, parse_arxiv_id, url_reference
from readlist.net import feedsource, http
from readlist.search import glossary
from readlist.store.merge import Merger
from readlist.store.models import Feed
from readlist.store.records import ItemDraft, now_iso
from readlist.store.write import Store
from readlist.text import nfkc

ARXIV_HOSTS = ("arxiv.org", "rss.arxiv.org", "export.arxiv.org")
_ARXIV_ABSTRACT = re.compile(r"^\s*arXiv:\S+\s+Announce Type:\s*\S+\s*Abstract:\s*", re.IGNORECASE)
_OAI = re.compile(r"oai:arXiv\.org:(\S+)", re.IGNORECASE)
_NAMES = re.compile(r",\s*|\s+and\s+")


@dataclass
class PullReport:
    name: str
    status: str = "ok"  # ok | not modified | error
    entries: int = 0
    added: list[int] = field(default_factory=list)
    updated: list[int] = field(default_factory=list)
    warning: str | None = None
    hint: str = ""  # for a failed feed: what to do about it


def add_feed(
    store: Store, url: str, name: str | None, match: list[str], tags: list[str], *, check: bool = True
) -> Feed:
    """Follow a feed. With `check`, the URL is fetched once first and refused unless it gives RSS or Atom
    (a web page, a 404 or garbage would only fail at every pull)."""
    if not is_url(url):
        raise InvalidInputError(f"{url!r} is not a feed URL", "give the http(s) address of an RSS or Atom feed")
    name = name or (urlsplit(url).hostname or url).removeprefix("www.") + urlsplit(url).path.rstrip("/")
    with store.session() as session:
        _refuse_existing(session, url, name)
    if check:
        _check(store, url)
    with store.session() as session:
        _refuse_existing(session, url, name)  # again: another process may have added it meanwhile
        feed = Feed(url=url, name=name, match=match, tags=tags, added_at=now_iso())
        session.add(feed)
        return feed


def _refuse_existing(session: Any, url: str, name: str) -> None:
    if session.exec(select(Feed).where((Feed.url == url) | (Feed.name == name))).first():
        raise InvalidInputError(f"a feed with that URL or name ({name}) exists", "readlist feed list")


def _check(store: Store, url: str) -> None:
    skip = f"to follow it anyway: readlist feed add {url} --no-check"
    try:
        feedsource.parse(_download(store, url).body)
    except http.HttpError as exc:
        reason = "cannot reach" if exc.transient and exc.reason != "status" else "cannot read"
        hint = exc.hint if exc.reason == "too_large" else f"check the URL and your network; {skip}"
        raise NetworkError(f"{reason} the feed: {exc.message}", hint) from None
    except feedsource.NotAFeedError as exc:
        hint = f"give the address of its RSS or Atom feed; {skip}"
        raise InvalidInputError(f"{url} is {exc.message}", hint) from None


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


def _download(store: Store, url: str, etag: str | None = None, modified: str | None = None) -> http.Response:
    """One GET through the shared client; arXiv hosts share the 3-second spacing with the arXiv API."""
    if (urlsplit(url).hostname or "").endswith(ARXIV_HOSTS):
        wait = store.reserve_slot("arxiv_next_request", config.arxiv_min_interval())
        if wait > 0:
            time.sleep(wait)
    return feedsource.download(
        url, etag=etag, last_modified=modified, timeout=config.feed_timeout(), max_mb=config.feed_max_mb()
    )


def _text(value: str | None) -> str:
    """Feed text often holds HTML (`<p>…</p>`, entities): its words, in one line."""
    if not value:
        return ""
    if "<" in value or "&" in value:
        import lxml.html
        from lxml import etree

        with contextlib.suppress(etree.ParserError, ValueError):
            value = lxml.html.fragment_fromstring(value, create_parent="div").text_content()
    return " ".join(value.split())


def _authors(entry: feedsource.FeedEntry) -> list[dict[str, str]]:
    return [{"name": n.strip()} for raw in entry.authors for n in _NAMES.split(raw) if n.strip()]


def _arxiv_id(entry: feedsource.FeedEntry) -> tuple[str, int | None] | None:
    for candidate in (entry.id, entry.link):
        m = _OAI.search(candidate)
        found = parse_arxiv_id(m.group(1)) if m else None
        if found:
            return found
        if candidate and is_url(candidate):
            ref = url_reference(candidate)
            if ref.arxiv_id:
                return ref.arxiv_id, ref.arxiv_version
    return None


def entry_draft(entry: feedsource.FeedEntry, feed: Feed) -> tuple[ItemDraft, str] | None:
    """A feed entry → (draft, announce type); None for entries without a usable link."""
    summary = _ARXIV_ABSTRACT.sub("", _text(entry.summary))
    found = _arxiv_id(entry)
    if found:
        ref = arxiv_reference(*found)
    elif entry.link and is_url(entry.link):
        ref = url_reference(entry.link)
    else:
        return None
    draft = ItemDraft(
        ref=ref,
        title=_text(entry.title) or None,
        abstract=summary or None,
        authors=_authors(entry),
        published=entry.published,
        status=Status.INBOX,
        tags=list(feed.tags),
    )
    return draft, entry.announce or "new"


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


FEED_WORKERS = 4  # feeds downloaded at once: slow ones overlap instead of adding up, and no host is flooded


@dataclass
class _Fetched:
    """One feed's download and parse, done in a worker thread; nothing in it touches the database."""

    headers: Mapping[str, str] = field(default_factory=dict)
    parsed: feedsource.ParsedFeed | None = None  # None: not modified (304) or failed
    warning: str | None = None  # set when it failed
    hint: str = ""


def pull(store: Store, refs: list[str] | None = None) -> list[PullReport]:
    """Fetch every feed (or the named ones); one failing feed does not stop the others. Up to FEED_WORKERS
    feeds are downloaded at once; each is merged as its turn comes, in the main thread, one write at a time,
    never inside a network wait."""
    from concurrent.futures import ThreadPoolExecutor

    from readlist.net.transport import quiet_thread

    with store.session() as session:
        feeds = [_find(session, r) for r in refs] if refs else list(session.exec(select(Feed)).all())
    if not feeds:
        return []
    asks = [(feed.url, feed.etag, feed.last_modified, _arxiv_turn(store, feed.url)) for feed in feeds]
    with ThreadPoolExecutor(min(FEED_WORKERS, len(feeds)), "readlist-feed", quiet_thread) as pool:
        fetched = pool.map(lambda ask: _fetch_one(*ask), asks)
        return [_write_one(store, feed, got) for feed, got in zip(feeds, fetched, strict=True)]


def _arxiv_turn(store: Store, url: str) -> float:
    """Seconds to wait before asking an arXiv host (booked now, in the main thread: the turns of several arXiv
    feeds follow each other 3 s apart, shared with the arXiv API); 0 for other hosts."""
    if (urlsplit(url).hostname or "").endswith(ARXIV_HOSTS):
        return max(0.0, store.reserve_slot("arxiv_next_request", config.arxiv_min_interval()))
    return 0.0


def _fetch_one(url: str, etag: str | None, modified: str | None, wait: float) -> _Fetched:
    """Download and parse one feed; every failure becomes the warning, never an exception."""
    if wait > 0:
        time.sleep(wait)
    try:
        response = feedsource.download(
            url, etag=etag, last_modified=modified, timeout=config.feed_timeout(), max_mb=config.feed_max_mb()
        )
        if response.status == 304:
            return _Fetched(response.headers)
        return _Fetched(response.headers, feedsource.parse(response.body))
    except http.HttpError as exc:
        warning = f"HTTP {exc.status}" if exc.reason == "status" and exc.sent else f"cannot fetch: {exc.message}"
        hint = exc.hint if exc.reason == "too_large" else "readlist feed pull tries again; feed list shows it"
        return _Fetched(warning=warning, hint=hint)
    except feedsource.NotAFeedError as exc:
        return _Fetched(warning=exc.message, hint="check the address: readlist feed list")


def _write_one(store: Store, feed: Feed, got: _Fetched) -> PullReport:
    """One feed's answer into the library: merge its entries and note when it was pulled."""
    report = PullReport(feed.name)
    if got.warning:
        report.status, report.warning, report.hint = "error", got.warning, got.hint
        _record(store, feed, error=report.warning)
    elif got.parsed is None:
        report.status = "not modified"
        _record(store, feed)
    else:
        report.warning = got.parsed.warning
        report.entries = len(got.parsed.entries)
        _merge_entries(store, feed, got.parsed.entries, report)
        _record(store, feed, etag=got.headers.get("ETag"), modified=got.headers.get("Last-Modified"))
    return report


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


MERGE_BATCH = 2000


def _merge_entries(store: Store, feed: Feed, entries: list[feedsource.FeedEntry], report: PullReport) -> None:
    """All of a feed's entries in one transaction, merged in batches: each batch's existing items are loaded
    with a few queries and its new items inserted at once, then forgotten, so cost per entry stays flat."""
    patterns = compile_terms(feed.match)
    with store.session() as session:
        seen: set[str] = set()
        for start in range(0, len(entries), MERGE_BATCH):
            batch = entries[start : start + MERGE_BATCH]
            drafts = [d for d in (entry_draft(e, feed) for e in batch) if d is not None]
            merger = Merger(session, sorted({d.ref.key for d, _ in drafts}))
            removed = merger.removed([d.ref.key for d, _ in drafts])  # the user removed them: keep them out
            new: dict[str, ItemDraft] = {}
            for draft, announce in drafts:
                key = draft.ref.key
                if key in removed or key in seen:
                    continue
                seen.add(key)
                item = merger.items.get(key)
                if item is not None:
                    _update_version(session, item, draft, announce, report)
                    continue
                score = match_score(patterns, draft.title or "", draft.abstract or "")
                if score > 0:
                    draft.extra["inbox_score"] = score
                    new[key] = draft
            merger.create_missing(list(new.values()))
            report.added += [merger.merge(draft).item_id for draft in new.values()]
            merger.flush_pending()
            merger.release()


def _update_version(session: Any, item: Any, draft: ItemDraft, announce: str, report: PullReport) -> None:
    """An arXiv replacement of a listed paper: the newer version, metadata pending until `fetch` brings it."""
    newer = (item.arxiv_version or 0) < (draft.ref.arxiv_version or 0)
    if announce.startswith("replace") and item.arxiv_id and newer:
        item.arxiv_version = draft.ref.arxiv_version
        item.metadata_status = MetadataStatus.PENDING
        session.info["touched"].add(item.id)
        report.updated.append(item.id or 0)
