"""The one mapping from a source's typed metadata (arXiv, Crossref, GitHub, web pages) onto an item's columns.

No queries: the caller saves."""

from __future__ import annotations

from readlist.domain import PUBLISHED_TYPES, MetadataStatus, year_of
from readlist.net.arxiv import PaperMetadata
from readlist.net.metadata import WorkMetadata
from readlist.store import sourcevalues
from readlist.store.models import Item
from readlist.store.provenance import is_guess, is_users, released
from readlist.store.records import now_iso

# Sources that describe the work itself (its authors and publication), not a page about it.
AUTHORITATIVE = frozenset({"crossref", "openreview"})


def is_placeholder_title(item: Item) -> bool:
    """Until metadata arrives a title is the arXiv ID, `owner/repo`, the URL or the key."""
    return item.title in ("", item.arxiv_id, item.url, item.key, item.url.removeprefix("https://github.com/"))


def _keep_for_reset(item: Item, offered: dict[str, str | None]) -> None:
    """What the source says of a field a person set waits for `edit --reset` (store/sourcevalues.py)."""
    for name, value in offered.items():
        if value and is_users(item.provenance, name):
            sourcevalues.keep(item, name, value)


def apply_work(item: Item, meta: WorkMetadata) -> list[str]:
    """Write what the source says onto the item; returns what a person should hear (published, new DOI).
    Fields a person set are left alone (store/provenance.py); a guessed title gives way to the source's."""
    news: list[str] = []
    authoritative = meta.source in AUTHORITATIVE
    mine = item.provenance or {}
    _keep_for_reset(item, {"title": meta.title, "abstract": meta.abstract, "venue": meta.venue})
    if meta.title and not is_users(mine, "title") and (is_placeholder_title(item) or is_guess(mine, "title")):
        item.title = meta.title
        item.provenance = released(mine, ["title"])
    # arXiv's author list (with affiliations) stays; otherwise the work's own record beats a page about it.
    if meta.authors and (not item.authors or (authoritative and not item.arxiv_id)):
        item.authors = meta.authors
    published = meta.work_type in PUBLISHED_TYPES or (meta.source == "s2" and bool(meta.venue or meta.doi))
    if is_users(mine, "venue"):
        if meta.venue and published and item.arxiv_id and meta.venue != item.venue:
            news.append(f"published in {meta.venue}")
    elif meta.venue and meta.venue != item.venue and (published or not item.venue):
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
    if not is_users(mine, "abstract"):
        item.abstract = item.abstract or meta.abstract
    if meta.details:
        item.details = {**(item.details or {}), **meta.details}  # a new dict, so the JSON column is saved
    if meta.source != "s2" and not item.arxiv_id:  # an arXiv paper's own metadata still comes from arXiv
        item.metadata_status = MetadataStatus.FETCHED
        item.metadata_fetched_at = now_iso()
    return news


def apply_metadata(item: Item, meta: PaperMetadata) -> list[str]:
    """Write arXiv metadata onto an item; returns what a person should hear (new version, now published).
    arXiv's record replaces the item's own except where a person set a field (store/provenance.py)."""
    news = []
    mine = item.provenance or {}
    _keep_for_reset(item, {"title": meta.title, "abstract": meta.abstract, "venue": meta.journal_ref})
    if item.arxiv_version and meta.version and meta.version > item.arxiv_version:
        news.append(f"v{item.arxiv_version} → v{meta.version}")
    if meta.doi and meta.doi != item.doi:
        news.append(f"DOI {meta.doi}")
    if meta.journal_ref and meta.journal_ref != item.venue:
        news.append(f"published in {meta.journal_ref}")
    if not is_users(mine, "title"):
        item.title = meta.title or item.title
    if not is_users(mine, "abstract"):
        item.abstract = meta.abstract or item.abstract
    if meta.title and is_guess(mine, "title"):
        item.provenance = released(mine, ["title"])
    item.authors = meta.authors or item.authors
    item.published, item.updated = meta.published, meta.updated
    item.arxiv_version = meta.version or item.arxiv_version
    item.primary_category = meta.primary_category
    item.categories = meta.categories
    item.comment = meta.comment
    if not is_users(mine, "venue"):
        item.venue = meta.journal_ref or item.venue
    item.doi = meta.doi or item.doi
    if item.work_type not in ("journal-article", "proceedings-article"):
        # The year of the work is the published version's when known, else the first arXiv version's.
        item.year = year_of(meta.published) or item.year
        item.work_type = "posted-content"
    item.metadata_status = MetadataStatus.FETCHED.value
    item.metadata_fetched_at = now_iso()
    return news
