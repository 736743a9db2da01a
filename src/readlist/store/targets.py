"""Which items `fetch` asks their sources about (plain SQL: a look, no transaction)."""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractContextManager
from typing import Protocol

from readlist.domain import MetadataStatus
from readlist.location import Conn
from readlist.store import rows
from readlist.store.backends import backend_of
from readlist.store.rows import ItemRow, find


class Store(Protocol):
    """What a look at the library needs of the write side's Store (store.write)."""

    def connection(self) -> AbstractContextManager[Conn]: ...


class FetchTargets:
    """Which items `fetch` should ask their sources about."""

    PENDING = (MetadataStatus.PENDING.value, MetadataStatus.FAILED.value, MetadataStatus.NONE.value)
    # metadata not settled yet: any member's fetch may fill it in (migration 0012's rule)
    UNSETTLED = (MetadataStatus.PENDING.value, MetadataStatus.FAILED.value, MetadataStatus.NOT_FOUND.value)

    @staticmethod
    def _items(store: Store, refs: Sequence[str], where: str, params: Sequence[str] = ()) -> list[ItemRow]:
        with store.connection() as conn:
            if refs:
                return [find(conn, ref) for ref in refs]
            return rows.select(conn, f"{where} ORDER BY id", params)

    @staticmethod
    def limited_to(store: Store) -> str | None:
        """The member whose refreshes the database limits to the items they added or whose metadata is not
        settled (a team library's member who is not an admin: migration 0012); None when any item may be."""
        with store.connection() as conn:

            def role() -> str | None:
                found = conn.execute("SELECT current_user WHERE NOT readlist_acts_for_all()").fetchone()
                return str(found[0]) if found else None

            return backend_of(conn).pick(sqlite=lambda: None, postgresql=role)

    @staticmethod
    def _where(kind: str, everything: bool, member: str | None) -> tuple[str, list[str]]:
        if not everything:
            return f"{kind} AND metadata_status IN ({', '.join(map(repr, FetchTargets.PENDING))})", []
        if member is None:
            return kind, []
        unsettled = ", ".join(map(repr, FetchTargets.UNSETTLED))
        return f"{kind} AND (metadata_status IN ({unsettled}) OR added_by = ?)", [member]

    @staticmethod
    def select(store: Store, refs: Sequence[str], everything: bool, member: str | None = None) -> list[tuple[int, str]]:
        """arXiv papers to ask about: (id, arXiv ID); with `member`, only those that member may refresh."""
        items = FetchTargets._items(store, refs, *FetchTargets._where("arxiv_id IS NOT NULL", everything, member))
        return [(it.id, it.arxiv_id) for it in items if it.arxiv_id]

    @staticmethod
    def select_sources(
        store: Store, refs: Sequence[str], everything: bool, member: str | None = None
    ) -> list[tuple[int, str, str]]:
        """Items other than arXiv papers that a source can complete: (id, key, url)."""
        items = FetchTargets._items(store, refs, *FetchTargets._where("arxiv_id IS NULL", everything, member))
        return [(it.id, it.key, it.url) for it in items if not it.arxiv_id]

    @staticmethod
    def count(store: Store) -> int:
        with store.connection() as conn:
            return int(conn.execute("SELECT count(*) FROM item").fetchone()[0])

    @staticmethod
    def preprints(store: Store, refs: Sequence[str]) -> list[tuple[int, str]]:
        """arXiv papers not yet known as published (no journal or proceedings record): (id, arXiv ID)."""
        items = FetchTargets._items(store, refs, "arxiv_id IS NOT NULL")
        published = ("journal-article", "proceedings-article")
        return [(it.id, it.arxiv_id) for it in items if it.arxiv_id and not (it.work_type in published and it.doi)]
