"""Opening a library, whatever holds it: the entry points the rest of readlist calls with a location or a
connection, each handed to that library's backend (store/backends: `backend_for(location)`, `conn.backend`).

Nothing here knows SQLite from PostgreSQL; the backend modules are imported on first use (psycopg only for a
postgresql:// library).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import TYPE_CHECKING, Any

from readlist.location import Conn, Location
from readlist.store.backends import backend_for, backend_of
from readlist.store.backends import friendly_error as friendly_error
from readlist.store.backends.base import BUSY_TIMEOUT_MS as BUSY_TIMEOUT_MS
from readlist.store.backends.base import LOCK_NOTICE_SECONDS as LOCK_NOTICE_SECONDS
from readlist.store.backends.base import Backend, Connection
from readlist.store.backends.base import damaged_error as damaged_error
from readlist.store.backends.base import head_revision as head_revision
from readlist.store.backends.base import known_revisions as known_revisions
from readlist.store.backends.base import locked_error as locked_error
from readlist.store.backends.base import migrations_dir as migrations_dir

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine


def connect(path: Location, member: str | None = None) -> Connection:
    """The read side's connection, showing the library as `member` (default: the current user) sees it:
    stdlib sqlite3 for a file (also used for raw writes such as the search index), psycopg for a URL."""
    if member is None:
        from readlist.config import user

        member = user()
    backend = backend_for(path)
    _ready(backend)
    return backend.connect(member)


def write_transaction(conn: Conn, *, check_whole: bool = False) -> AbstractContextManager[Conn]:
    """A transaction holding the library's write lock from its start (SQLite: BEGIN IMMEDIATE), so two writers
    queue instead of failing later; never written through a damaged SQLite file (`check_whole`: check all of it
    first, for an import). See Backend.write_transaction."""
    return backend_of(conn).write_transaction(conn, check_whole=check_whole)


def repair_indexes(conn: Conn) -> int:
    """Rebuild indexes whose entries are all the damage a SQLite file has; how many problems it fixed."""
    return backend_of(conn).repair_indexes(conn)


def use_member(conn: Conn, member: str) -> None:
    """Show this connection the library as one member sees it (the temporary view `member_item`)."""
    backend_of(conn).use_member(conn, member)


def dict_rows(conn: Conn) -> AbstractContextManager[Conn]:
    """`conn` with rows that read like sqlite3.Row, for read-side queries on a write-side connection."""
    return backend_of(conn).dict_rows(conn)


def ensure_schema(path: Location) -> None:
    """Migrate on open: free when up to date, upgrades an older schema (a SQLite file backed up first),
    refuses a newer one."""
    _ready(backend_for(path))


def _ready(backend: Backend) -> None:
    backend.ensure_schema(_reindex)


def _reindex(conn: Conn) -> object:
    """The search index rebuilt after an upgrade; imported only then (it is not needed to read, start-up time)."""
    from readlist.store import index

    return index.rebuild(conn)


def upgrade(path: Location, revision: str = "head") -> None:
    """Run the Alembic migrations up to `revision` (every upgrade; a new SQLite file is made from their result)."""
    backend_for(path).upgrade(revision)


def revision(path: Location) -> str | None:
    """The schema revision of a library (no Alembic import)."""
    return backend_for(path).revision()


def engine(path: Location) -> Engine:
    """A SQLAlchemy engine whose transactions all start by taking the library's write lock (docs/architecture.md)."""
    backend = backend_for(path)
    _ready(backend)
    return backend.engine()


def driver_conn(raw: Any) -> Connection:
    """A SQLAlchemy connection's driver connection (made by `engine`) as its backend's `Connection`."""
    return backend_of(raw).adopt(raw)


@contextmanager
def dry_run_location(path: Location, *, folder_made: bool = False) -> Iterator[Location]:
    """Where a dry run may write (and roll back): the library itself when it is ready; else a scratch copy, so
    that a dry run never creates a library nor upgrades an older one. `folder_made`: a real run would create
    the missing folder (the default location)."""
    with backend_for(path).dry_run(folder_made=folder_made) as where:
        yield where
