"""Everything that touches the database: schema, backends, the read and write sides; front ends never import it."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from readlist.location import Location
    from readlist.store.read import Reader


def open_reader(location: Location, member: str | None = None) -> Reader:
    """The read side (plain SQL, no ORM) of the library at `location`, on a connection of its backend
    (`backend_for(location)`, migrating first), as `member` (default: the current user) sees it."""
    from readlist.store import db
    from readlist.store.read import SqlReader

    return SqlReader(db.connect(location, member))
