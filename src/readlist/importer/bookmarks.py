"""Browser bookmark exports (the Netscape format of Chrome, Firefox, Edge, Safari) → drafts; folders → tags."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from html.parser import HTMLParser

from readlist.importer.entry import Parsed, identify
from readlist.store.records import ItemDraft, NoteDraft, SourceDraft

# A folder with one of these attributes is a browser's own root ("Bookmarks bar"), named per browser and
# language: it says nothing about the bookmarks in it, so it is not a tag.
_ROOT_ATTRS = ("personal_toolbar_folder", "unfiled_bookmarks_folder")
_DOCTYPE = re.compile(r"<!doctype\s+netscape-bookmark-file", re.IGNORECASE)


def matches(text: str) -> bool:
    head = text[:4000]
    if _DOCTYPE.search(head):
        return True
    probe = _Probe()
    probe.feed(head)
    return probe.bookmark_like


class _Probe(HTMLParser):
    """Bookmark files without the doctype still have the shape <DL><DT><A HREF …>."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: set[str] = set()
        self.bookmark_like = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.seen.add(tag)
        if tag == "a" and {"dl", "dt"} <= self.seen and any(k == "add_date" for k, _ in attrs):
            self.bookmark_like = True


@dataclass
class _Bookmark:
    url: str
    line: int
    folders: list[str]
    title: str = ""
    tags: list[str] = field(default_factory=list)
    added: str | None = None
    description: str = ""


class _BookmarkParser(HTMLParser):
    """Folders nest as <DT><H3>name</H3><DL>…</DL>; a bookmark is <DT><A HREF ADD_DATE TAGS>title</A><DD>note."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.folders: list[str | None] = []  # None for a browser root folder
        self.pending_folder: str | None = None
        self.pending_is_root = False
        self.in_h3 = False
        self.current: _Bookmark | None = None
        self.in_a = False
        self.in_dd: _Bookmark | None = None
        self.bookmarks: list[_Bookmark] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        if tag == "h3":
            self.in_h3, self.pending_folder = True, ""
            self.pending_is_root = any(values.get(a, "").lower() == "true" for a in _ROOT_ATTRS)
        elif tag == "dl":
            if self.pending_folder is not None:
                self.folders.append(None if self.pending_is_root else self.pending_folder.strip())
                self.pending_folder = None
            else:
                self.folders.append(None)  # the outer list
        elif tag == "a" and "href" in values:
            self.in_dd = None
            self.current = _Bookmark(values["href"].strip(), self.getpos()[0], [f for f in self.folders if f])
            self.current.tags = [t.strip() for t in values.get("tags", "").split(",") if t.strip()]
            self.current.added = epoch(values.get("add_date"))
            self.in_a = True
        elif tag == "dd":
            self.in_dd = self.bookmarks[-1] if self.bookmarks else None
        elif tag in ("dt", "h3"):
            self.in_dd = None

    def handle_endtag(self, tag: str) -> None:
        if tag == "h3":
            self.in_h3 = False
        elif tag == "dl" and self.folders:
            self.folders.pop()
            self.in_dd = None
        elif tag == "a" and self.current is not None:
            self.bookmarks.append(self.current)
            self.current, self.in_a = None, False

    def handle_data(self, data: str) -> None:
        if self.in_h3 and self.pending_folder is not None:
            self.pending_folder += data
        elif self.in_a and self.current is not None:
            self.current.title += data
        elif self.in_dd is not None:
            self.in_dd.description += data


def epoch(value: str | None) -> str | None:
    """ADD_DATE is seconds since 1970 (some browsers write microseconds)."""
    if not value or not value.strip().isdigit():
        return None
    seconds = int(value)
    while seconds > 10**11:  # micro- or milliseconds
        seconds //= 1000
    try:
        return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    except (OverflowError, OSError, ValueError):
        return None


def to_drafts(text: str, path: str) -> Parsed:
    parser = _BookmarkParser()
    parser.feed(text)
    parser.close()
    parsed = Parsed()
    for mark in parser.bookmarks:
        title = " ".join(mark.title.split()) or None
        ref = identify(arxiv=None, doi=None, url=mark.url, title=None, paper=False)
        if ref is None:  # javascript:, place:, file:, about: … are not things to read
            parsed.skip(mark.line, f"{mark.url[:60]!r} is not a web link, skipped")
            continue
        note = " ".join(mark.description.split())
        section = "/".join(mark.folders)
        draft = ItemDraft(
            ref=ref,
            title=title if title and title != mark.url else None,
            tags=mark.folders + mark.tags,
            notes=[NoteDraft(note, f"{path}#{mark.url}")] if note else [],
            sources=[SourceDraft(path, mark.line, f"{section}#{ref.key}")],
        )
        if mark.added:
            draft.extra["added_at"] = mark.added
        parsed.drafts.append(draft)
    return parsed
