"""From a draft to rows: a new item's columns, the fields a merge fills in, and each member's reading.

Pure: no queries (the merge engine, merge.py, writes what these decide).
"""

from __future__ import annotations

from readlist.domain import STATUS_RANK, Kind, MetadataStatus, Status, year_of
from readlist.ids import Reference
from readlist.store.citekeys import arxiv_year
from readlist.store.provenance import is_guess, is_users, released
from readlist.store.reading import ReadingRow, apply_status
from readlist.store.records import ItemDraft, ReadingDraft, now_iso
from readlist.store.rows import ItemRow


def placeholder_title(item: ItemRow) -> bool:
    return item.title in ("", item.arxiv_id, item.url, item.key, item.url.removeprefix("https://github.com/"))


def stand_in_title(item: ItemRow) -> str | None:
    """The title an item shows until its source gives one (as `default_title`); None when it has no source
    (an item known only by its title)."""
    if item.kind == Kind.REPO:
        return item.url.removeprefix("https://github.com/")
    return item.arxiv_id or item.url or None


def real_title(draft: ItemDraft) -> bool:
    """A draft's title that says something: not its own (or any) URL, ID or key standing in until metadata came."""
    from readlist.ids import is_url

    title = (draft.title or "").strip()
    ref = draft.ref
    stand_ins = ("", ref.arxiv_id, ref.url, ref.key, ref.url.removeprefix("https://github.com/"))
    return title not in stand_ins and not is_url(title)


def default_title(ref: Reference) -> str:
    """Until metadata arrives: the arXiv ID, `owner/repo`, or the URL."""
    if ref.kind == Kind.REPO:
        return ref.url.removeprefix("https://github.com/")
    return ref.arxiv_id or ref.url


READING_STAMPS = ("started_at", "finished_at")  # a member's own, carried in a draft's `extra` by old exports


def new_item_row(draft: ItemDraft) -> dict[str, object]:
    """The column values of a new item."""
    ref = draft.ref
    row: dict[str, object] = {
        "kind": ref.kind,
        "key": ref.key,
        "arxiv_id": ref.arxiv_id,
        "arxiv_version": ref.arxiv_version,
        "url": ref.url,
        "doi": ref.doi,
        "title": draft.title or default_title(ref),
        "short_name": draft.short_name,
        "abstract": draft.abstract,
        "authors": draft.authors,
        "published": draft.published,
        "updated": None,
        "venue": draft.venue,
        "comment": None,
        "affiliation": draft.affiliation,
        "primary_category": None,
        "categories": [],
        "rating": draft.rating,
        "initial_status": Status.INBOX.value if draft.status == Status.INBOX else Status.UNREAD.value,
        "added_at": now_iso(),
        # Every kind has a source now (arXiv, Crossref, GitHub, OpenReview, the page itself): `fetch` completes it.
        "metadata_status": MetadataStatus.PENDING.value,
        "year": arxiv_year(ref.arxiv_id) or year_of(draft.published),
        "metadata_fetched_at": None,
        "inbox_score": None,
        "details": {},
        "provenance": dict(draft.provenance),
    }
    for name, value in draft.extra.items():  # an export's own timestamps win over "now"
        if name not in READING_STAMPS:
            row[name] = value
    return row


def draft_readings(draft: ItemDraft, member: str) -> list[ReadingDraft]:
    """What the draft says about who read it: an export's `readings`, else its status for the given member."""
    if draft.readings:
        return draft.readings
    stamps = {name: draft.extra.get(name) for name in READING_STAMPS}
    if not (draft.status or draft.priority or any(stamps.values())):
        return []
    started, finished = (v if isinstance(v, str) else None for v in stamps.values())
    return [ReadingDraft(member, draft.status or "", draft.priority or 0, started, finished)]


CONFLICT_FIELDS = ("title", "short_name", "venue", "affiliation", "rating")


def conflicts(item: ItemRow, draft: ItemDraft) -> list[str]:
    """Fields both sides filled in differently (the library's value is kept)."""
    return [
        n
        for n in CONFLICT_FIELDS
        if getattr(draft, n)
        and getattr(item, n)
        and getattr(draft, n) != getattr(item, n)
        and not (n == "title" and (placeholder_title(item) or not real_title(draft)))
    ]


def _title_gives_way(item: ItemRow, draft: ItemDraft) -> bool:
    """A stand-in title, or a guess from a link's text that a real title (not another guess) replaces."""
    if placeholder_title(item):
        return True
    return is_guess(item.provenance, "title") and not is_guess(draft.provenance, "title")


def _replaceable(item: ItemRow, name: str) -> bool:
    return not is_users(item.provenance, name)


def fill_fields(item: ItemRow, draft: ItemDraft) -> list[str]:
    """Fill what the item lacks from the draft; never overwrite what the user already has (a field a person
    set is never replaced: store/provenance.py). What a person typed in the draft (`add --title`, an export's
    `user_fields`) replaces a source's value."""
    changes = []
    title_goes = _title_gives_way(item, draft) or is_users(draft.provenance, "title")
    if draft.title and draft.title != item.title and real_title(draft) and _replaceable(item, "title") and title_goes:
        item.title = draft.title
        changes.append("title")
    for name in ("short_name", "abstract", "published", "venue", "affiliation", "rating"):
        value = getattr(draft, name)
        mine = is_users(draft.provenance, name)  # typed by a person (`add --title`, an export's user_fields)
        if value and value != getattr(item, name) and _replaceable(item, name) and (mine or not getattr(item, name)):
            setattr(item, name, value)
            changes.append(name)
    if draft.authors and not item.authors:
        item.authors = draft.authors
        changes.append("authors")
    if changes:  # a filled field takes the draft's word on where it came from
        marks = {name: draft.provenance[name] for name in changes if name in draft.provenance}
        item.provenance = {**released(item.provenance, changes), **marks}
    return changes


def merge_reading(one: ReadingRow, draft: ReadingDraft, *, keep_mine: bool) -> list[str]:
    """Fold a draft's reading into a member's: a priority where there was none, a more advanced status."""
    changes = []
    if draft.priority and not one.priority:
        one.priority = draft.priority
        changes.append("priority")
    status = draft.status or one.status
    if not keep_mine and STATUS_RANK[status] > STATUS_RANK.get(one.status, 0):
        changes.append(f"status {one.status} → {status}")
        started = one.started_at
        apply_status(one, status)
        # A status that comes from a file comes with the file's dates, or none (unknown): stamping "now" would
        # count years of an imported archive as read this week (digest --since 7d, the pace in stats).
        if status in (Status.READING, Status.READ):
            one.started_at = draft.started_at or started
        if status == Status.READ:
            one.finished_at = draft.finished_at
    if draft.started_at and (not keep_mine or not one.started_at) and one.status != Status.UNREAD:
        one.started_at = draft.started_at
    if draft.finished_at and (not keep_mine or not one.finished_at) and one.status == Status.READ:
        one.finished_at = draft.finished_at
    return changes
