"""The database backends: SQLite (sqlite.py) and PostgreSQL (postgres.py), behind one `Backend` protocol (base.py).

`backend_for(location)` is the only place that tells them apart; a connection carries its backend
(`backend_of(conn)`). The PostgreSQL module, and psycopg with it, is imported only for a postgresql:// library.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from readlist.location import Conn, Location, PostgresUrl

if TYPE_CHECKING:
    from readlist.errors import DatabaseError
    from readlist.store.backends.base import Backend


def backend_for(location: Location) -> Backend:
    """The backend of the library at `location`: a postgresql:// URL is PostgreSQL, a path a SQLite file."""
    if isinstance(location, PostgresUrl):
        try:
            from readlist.store.backends.postgres import PostgresBackend
        except ModuleNotFoundError as exc:
            if not (exc.name or "").startswith("psycopg"):
                raise
            from readlist.errors import DatabaseError

            raise DatabaseError(
                f"{location} is a PostgreSQL library, but PostgreSQL support is not installed",
                "pip install 'readlist[postgres]'",
            ) from None
        return PostgresBackend(location)
    from readlist.store.backends.sqlite import SqliteBackend

    return SqliteBackend(location)


def backend_of(conn: Conn) -> Backend:
    """The backend a connection belongs to (`conn.backend`). A bare sqlite3 connection that a script or a test
    opened itself carries none, and is a SQLite file's."""
    found: Backend | None = getattr(conn, "backend", None)
    if found is not None:
        return found
    from readlist.store.backends.sqlite import SqliteBackend

    return SqliteBackend.of_connection(conn)


def friendly_error(exc: BaseException) -> DatabaseError | None:
    """A database failure a person can act on, from whichever backend raised it (only those loaded can have:
    PostgreSQL's is asked only once it was imported); None for anything else."""
    from readlist.store.backends import sqlite

    postgres = sys.modules.get("readlist.store.backends.postgres")
    if postgres is not None:
        found: DatabaseError | None = postgres.friendly(exc)
        if found is not None:
            return found
    return sqlite.friendly(exc)
