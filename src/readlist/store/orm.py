"""The ORM session (SQLModel): kept for the writers that change model objects — `fetch` and `add`'s metadata
step (services/metadata.py maps a source's record onto an `Item`), feeds, `fetch --published` and `pdf`.

Imported only by them (SQLModel and SQLAlchemy cost ~0.4 s to import). Inside a session, the shared
plain-SQL write path runs on the session's own connection (`session_tx`), and the session ends as every write
transaction does (`txn.finish`).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.engine import Engine
from sqlmodel import Session

from readlist.location import Conn
from readlist.store import db
from readlist.store.reading import current_member
from readlist.store.txn import Tx, finish


def session_conn(session: Session) -> Conn:
    """The session's own DB-API connection (in its transaction), for plain SQL."""
    return db.driver_conn(session.connection().connection.driver_connection)


@contextmanager
def session(engine: Engine, member: str | None = None) -> Iterator[Session]:
    """A transaction that carries its plain-SQL view (`txn.tx_of`) and ends as every write does (`txn.finish`)."""
    with Session(engine, expire_on_commit=False) as current, current.begin():
        tx = Tx(session_conn(current), member or current_member())
        current.info["tx"], current.info["touched"] = tx, tx.touched
        yield current
        current.flush()
        finish(tx)
