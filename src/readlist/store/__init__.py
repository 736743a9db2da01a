"""Everything that touches the database: schema, backends, the read and write sides; front ends never import it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from readlist.location import Location, PostgresUrl

if TYPE_CHECKING:
    from readlist.store.read import Reader


def open_reader(location: Location, member: str | None = None) -> Reader:
    """The read side (plain SQL, no ORM) of the library at `location`."""
    from readlist.store import db

    conn = db.connect(location, member)
    if isinstance(location, PostgresUrl):
        from readlist.store.pg import PgConn
        from readlist.store.read_pg import PgReader

        assert isinstance(conn, PgConn)
        return PgReader(conn)
    from readlist.store.read import SqliteReader

    return SqliteReader(conn)
