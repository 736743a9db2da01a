"""Which items `fetch` asks their sources about (plain SQL: a look, no transaction)."""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractContextManager
from typing import Protocol

from readlist.domain import MetadataStatus
from readlist.location import Conn
from readlist.store import rows
from readlist.store.rows import ItemRow, find


class Store(Protocol):
    """What a look at the library needs of the write side's Store (store.write)."""

    def connection(self) -> AbstractContextManager[Conn]: ...


class FetchTargets:
    """Which items `fetch` should ask their sources about."""

    PENDING = (MetadataStatus.PENDING.value, MetadataStatus.FAILED.value, MetadataStatus.NONE.value)

    @staticmethod
    def _items(store: Store, refs: Sequence[str], where: str) -> list[ItemRow]:
        with store.connection() as conn:
            if refs:
                return [find(conn, ref) for ref in refs]
            return rows.select(conn, f"{where} ORDER BY id")

    @staticmethod
    def select(store: Store, refs: Sequence[str], everything: bool) -> list[tuple[int, str]]:
        pending = "" if everything else f" AND metadata_status IN ({', '.join(map(repr, FetchTargets.PENDING))})"
        items = FetchTargets._items(store, refs, "arxiv_id IS NOT NULL" + pending)
        return [(it.id, it.arxiv_id) for it in items if it.arxiv_id]

    @staticmethod
    def select_sources(store: Store, refs: Sequence[str], everything: bool) -> list[tuple[int, str, str]]:
        """Items other than arXiv papers that a source can complete: (id, key, url)."""
        pending = "" if everything else f" AND metadata_status IN ({', '.join(map(repr, FetchTargets.PENDING))})"
        items = FetchTargets._items(store, refs, "arxiv_id IS NULL" + pending)
        return [(it.id, it.key, it.url) for it in items if not it.arxiv_id]

    @staticmethod
    def preprints(store: Store, refs: Sequence[str]) -> list[tuple[int, str]]:
        """arXiv papers not yet known as published (no journal or proceedings record): (id, arXiv ID)."""
        items = FetchTargets._items(store, refs, "arxiv_id IS NOT NULL")
        published = ("journal-article", "proceedings-article")
        return [(it.id, it.arxiv_id) for it in items if it.arxiv_id and not (it.work_type in published and it.doi)]
