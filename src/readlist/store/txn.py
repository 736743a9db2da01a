"""One write transaction on the plain-SQL path, and what every write does before it commits (docs/architecture.md).

Every writer — the daily commands, `add`, import's merge engine, and the ORM sessions that `fetch` and feeds
still use — ends the same way (`finish`): the member who wrote is registered, touched items get their citation
keys once, and the search index is refreshed for them, all in the writer's own transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
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

    def ensure_member(self, name: str) -> None:
        """Register a member the first time they write (two processes may race: the loser's insert is a no-op)."""
        if name not in self.members:
            stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
            self.conn.execute(
                "INSERT INTO member (name, joined_at) VALUES (?, ?) ON CONFLICT DO NOTHING", (name, stamp)
            )
            self.members.add(name)


def tx_of(where: Any) -> Tx:
    """The plain-SQL view of a transaction: a `Tx` as it is, or the one an ORM session carries (orm.py; fetch and
    feeds hold sessions), whose pending changes are written first so that plain SQL sees them."""
    if isinstance(where, Tx):
        return where
    where.flush()
    tx = where.info["tx"]
    assert isinstance(tx, Tx)
    return tx


def finish(tx: Tx) -> None:
    """What every write transaction does last, for the items it touched."""
    if not tx.touched:
        return
    from readlist.store import citekeys, index

    tx.ensure_member(tx.member)
    citekeys.assign(tx.conn, sorted(tx.touched))
    index.refresh(tx.conn, tx.touched, tx.words)
