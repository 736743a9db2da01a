"""One item becoming another: a new identity (`edit --url`), or folded into the item that already has it
(`edit --url … --merge`, one work found twice)."""

from __future__ import annotations

from typing import Any

from readlist.domain import MetadataStatus
from readlist.ids import Reference
from readlist.store import index, removals, rows
from readlist.store.drafts import default_title, placeholder_title
from readlist.store.merge import Merger
from readlist.store.rows import ItemRow
from readlist.store.txn import Tx, tx_of


def rekey(item: ItemRow, ref: Reference) -> None:
    """Give an item a new identity (its URL was edited): key, URL, kind and arXiv fields follow the reference."""
    was_placeholder = placeholder_title(item)
    item.key, item.url, item.kind = ref.key, ref.url, ref.kind
    item.arxiv_id, item.arxiv_version = ref.arxiv_id, ref.arxiv_version
    item.metadata_status = MetadataStatus.PENDING.value  # the new identity's source completes it on `fetch`
    item.doi = ref.doi or (None if item.key.startswith("doi:") else item.doi)
    if was_placeholder:
        item.title = default_title(ref)


def merge_item_into(where: Tx | Any, item: ItemRow, target: ItemRow) -> None:
    """Fold one item (fields it alone has, tags, notes, links, sources, a more advanced status) into another,
    then delete it."""
    from readlist.store import db
    from readlist.store.read import ItemFilter
    from readlist.store.serialize import records, to_draft

    tx = tx_of(where)
    with db.dict_rows(tx.conn) as conn:
        db.use_member(conn, tx.member)
        record = records(conn, ItemFilter(ids=[item.id]))[0]
    identity = {k: getattr(target, k) for k in ("key", "url", "kind", "arxiv_id", "arxiv_version", "doi")}
    draft = to_draft({**record, **identity}, f"item #{item.id}")
    tx.words.update(index.words_of(tx.conn, [item.id]))  # its Chinese text, already cut into words
    removals.move(tx, item.id, target.id)
    removals.rekeyed(tx, item.key, target.key)  # notes naming the folded item find the one it joined
    rows.delete(tx.conn, item.id)
    merger = Merger(tx, [target.key])
    merger.merge(draft, keep_mine=False)
    merger.flush_pending()
    tx.touched.add(item.id)
