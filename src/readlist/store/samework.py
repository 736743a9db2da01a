"""One work, one item: when metadata shows two items are one paper (a preprint and its published version), the
older item absorbs the newer — in `add` (after the lookup) and in `fetch` (an item added offline, completed later).

Metadata can only tell this after the network answered, so it happens in the second, short transaction: the
item saved pending a moment ago (or days ago, offline) is folded into the one the user already knows. That
transaction is an ORM session (the metadata is mapped onto `Item` objects); the fold itself is the plain-SQL
`merge_item_into`, on the session's connection.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from readlist.domain import PUBLISHED_TYPES
from readlist.store import rows
from readlist.store.fold import merge_item_into
from readlist.store.merge import find_same_work
from readlist.store.models import Item
from readlist.store.provenance import is_users
from readlist.store.txn import tx_of

_PUBLISHED_FIELDS = ("venue", "year", "work_type")


@dataclass(frozen=True)
class Joined:
    keeper: Item  # the item that stays (the older one: it keeps its number, notes and citation key)
    gone_id: int  # the item folded into it and deleted
    said: str  # what a person hears: "the same work as #3: merged into #3"


def join_same_work(
    session: Session, item: Item, *, doi: str | None = None, arxiv_id: str | None = None
) -> Joined | None:
    """Fold `item` and another item of the same work (same DOI, or same arXiv preprint) into one.

    `doi` / `arxiv_id` are what the item's metadata names besides its own identifiers (Crossref's preprint
    relation, arXiv's DOI of the published version). With no other item, a preprint named by the published
    version's record is written on the item, so adding that arXiv ID later finds it before saving anything."""
    doi, arxiv_id = item.doi or doi, item.arxiv_id or arxiv_id
    found = find_same_work(session, doi, arxiv_id, exclude=item.id)
    other = session.get(Item, found.id) if found is not None else None
    if other is None:
        if item.arxiv_id is None and arxiv_id:
            item.arxiv_id = arxiv_id
        return None
    keeper, gone = (other, item) if (other.id or 0) < (item.id or 0) else (item, other)
    published = next((one for one in (gone, keeper) if one.work_type in PUBLISHED_TYPES), None)
    kept = {name: getattr(published, name) for name in _PUBLISHED_FIELDS} if published is not None else {}
    keeper.doi = keeper.doi or gone.doi or doi
    if keeper.arxiv_id is None:
        keeper.arxiv_id, keeper.arxiv_version = gone.arxiv_id or arxiv_id, gone.arxiv_version
    gone_id = gone.id or 0
    _fold(session, gone, keeper)
    for name, value in kept.items():  # the published version's venue, year and type win over the preprint's
        if value is not None and not is_users(keeper.provenance, name):  # … but not over what a person set
            setattr(keeper, name, value)
    session.info.setdefault("touched", set()).add(keeper.id)
    return Joined(keeper, gone_id, f"the same work as #{keeper.id}: merged into #{keeper.id}")


def _fold(session: Session, gone: Item, keeper: Item) -> None:
    """The plain-SQL fold on the session's connection; the session then forgets `gone` and reloads `keeper`."""
    tx = tx_of(session)  # flushes what the session holds first
    gone_row, keeper_row = rows.by_id(tx.conn, gone.id or 0), rows.by_id(tx.conn, keeper.id or 0)
    assert gone_row is not None and keeper_row is not None
    session.expunge(gone)
    merge_item_into(tx, gone_row, keeper_row)
    session.expire(keeper)
