"""One write transaction on the plain-SQL path, and what every write does before it commits (DESIGN §2, §6).

Every writer — the daily commands, `add`, import's merge engine, and the ORM sessions that `fetch` and feeds
still use — ends the same way (`finish`): the member who wrote is registered, touched items get their citation
keys once, and the search index is refreshed for them, all in the writer's own transaction.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from readlist.location import Conn


@dataclass
class Tx:
    """A write transaction in progress: its connection, who writes, and the items it touched."""

    conn: Conn
    member: str
    touched: set[int] = field(default_factory=set)
    members: set[str] = field(default_factory=set)  # registered in this transaction already
    words: dict[str, str] = field(default_factory=dict)  # CJK runs cut into words by an index entry now gone


def tx_of(where: Any) -> Tx:
    """The plain-SQL view of a transaction: a `Tx` as it is, or an ORM session's own connection (imported only
    when a session is what the caller has: `fetch`, feeds)."""
    if isinstance(where, Tx):
        return where
    from readlist.store.orm import session_tx

    return session_tx(where)


def finish(tx: Tx) -> None:
    """What every write transaction does last, for the items it touched."""
    if not tx.touched:
        return
    from readlist.store import citekeys, index, reading

    reading.ensure_member(tx, tx.member)
    citekeys.assign(tx.conn, sorted(tx.touched))
    index.refresh(tx.conn, tx.touched, tx.words)


@contextmanager
def readable(tx: Tx) -> Iterator[Conn]:
    """The transaction's connection as the read side expects it (rows by name, `member_item` for this member),
    for reusing read-side queries such as the export record."""
    from readlist.store import db

    conn = tx.conn
    if not isinstance(conn, sqlite3.Connection) or conn.row_factory is sqlite3.Row:
        db.use_member(conn, tx.member)
        yield conn  # PostgreSQL rows already read like sqlite3.Row
        return
    before = conn.row_factory
    conn.row_factory = sqlite3.Row
    db.use_member(conn, tx.member)
    try:
        yield conn
    finally:
        conn.row_factory = before
