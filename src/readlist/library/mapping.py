"""The one mapping from a source's typed metadata onto an item's columns (no queries; the caller saves)."""

from __future__ import annotations

from readlist.library.records import now_iso
from readlist.models import Item
from readlist.net.metadata import WorkMetadata

# Sources that describe the work itself (its authors and publication), not a page about it.
AUTHORITATIVE = frozenset({"crossref", "openreview"})
PUBLISHED_TYPES = frozenset({"journal-article", "proceedings-article", "book-chapter", "book", "report"})


def is_placeholder_title(item: Item) -> bool:
    """Until metadata arrives a title is the arXiv ID, `owner/repo`, the URL or the key."""
    return item.title in ("", item.arxiv_id, item.url, item.key, item.url.removeprefix("https://github.com/"))


def apply_work(item: Item, meta: WorkMetadata) -> list[str]:
    """Write what the source says onto the item; returns what a person should hear (published, new DOI)."""
    news: list[str] = []
    authoritative = meta.source in AUTHORITATIVE
    if meta.title and is_placeholder_title(item):
        item.title = meta.title
    # arXiv's author list (with affiliations) stays; otherwise the work's own record beats a page about it.
    if meta.authors and (not item.authors or (authoritative and not item.arxiv_id)):
        item.authors = meta.authors
    published = meta.work_type in PUBLISHED_TYPES or (meta.source == "s2" and bool(meta.venue or meta.doi))
    if meta.venue and meta.venue != item.venue and (published or not item.venue):
        if item.arxiv_id and published:
            news.append(f"published in {meta.venue}")
        item.venue = meta.venue
    if meta.doi and not item.doi:
        if item.arxiv_id:
            news.append(f"DOI {meta.doi}")
        item.doi = meta.doi
    if meta.year and (published or item.year is None):
        item.year = meta.year
    if meta.work_type and (published or not item.work_type):
        item.work_type = meta.work_type
    item.published = item.published or meta.published
    item.site = item.site or meta.site
    item.abstract = item.abstract or meta.abstract
    if meta.details:
        item.details = {**(item.details or {}), **meta.details}  # a new dict, so the JSON column is saved
    if meta.source != "s2" and not item.arxiv_id:  # an arXiv paper's own metadata still comes from arXiv
        item.metadata_status = "fetched"
        item.metadata_fetched_at = now_iso()
    return news
