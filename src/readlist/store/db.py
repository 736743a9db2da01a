"""Connections, pragmas and migrate-on-open, for both the sqlite3 read side and the SQLAlchemy write side.

A `postgresql://` location is handed to `readlist.store.pg` (imported only then: SQLite never loads psycopg)."""

from __future__ import annotations

import os
import sqlite3
import stat
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from readlist.errors import DatabaseError
from readlist.location import Conn, Location, PostgresUrl, dialect

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

BUSY_TIMEOUT_MS = 10_000
# When a writer waiting for another process's write transaction says so (how long it waits: config.lock_timeout).
LOCK_NOTICE_SECONDS = 1.5

# Called once when a write has to wait for another process (the CLI prints a line; library users get nothing).
on_lock_wait: Callable[[], None] | None = None


def migrations_dir() -> Path:
    """The Alembic scripts: inside the installed wheel, or the repo's top-level folder in a checkout."""
    packaged = Path(__file__).parents[1] / "migrations"
    if (packaged / "env.py").exists():
        return packaged
    return Path(__file__).resolve().parents[3] / "migrations"


def known_revisions() -> list[str]:
    """Revision ids are the 4-digit prefixes of the version files, so no Alembic import is needed."""
    versions = migrations_dir() / "versions"
    return sorted(p.name[:4] for p in versions.glob("[0-9][0-9][0-9][0-9]_*.py"))


def head_revision() -> str:
    return known_revisions()[-1]


def _check_location(path: Path) -> None:
    parent = path.parent if str(path.parent) else Path(".")
    if path.is_dir():
        raise DatabaseError(f"{path} is a directory, not a database file", "pass a file path: --db ~/readlist.db")
    if path.exists() and not stat.S_ISREG(path.stat().st_mode):
        # /dev/null, a FIFO, a device: SQLite would write `-journal` and `.lock` files beside it.
        raise DatabaseError(f"{path} is not a regular file", "pass a database file path: --db ~/readlist.db")
    if not parent.is_dir():
        raise DatabaseError(
            f"cannot create the database: folder {parent} does not exist",
            f"create it first (mkdir -p {parent}) or choose another --db",
        )
    if not os.access(parent, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise DatabaseError(f"cannot write to {path}", "choose a --db in a folder you can write to")
    _check_header(path)


SQLITE_HEADER = b"SQLite format 3\x00"


def _check_header(path: Path) -> None:
    """A file that has content but is not SQLite is someone's data, never a library to create over it: SQLite
    itself would take a file shorter than its header for an empty database (only a 0-byte file is new)."""
    try:
        with path.open("rb") as fh:
            head = fh.read(len(SQLITE_HEADER))
    except OSError:
        return  # missing (a new library), or unreadable: SQLite says why
    if head and head != SQLITE_HEADER:
        raise DatabaseError(
            f"{path.resolve()} is not a readlist database or is damaged (file is not a database)",
            "check --db / READLIST_DB; readlist db check diagnoses a damaged library",
        )


@contextmanager
def dry_run_location(path: Location, *, folder_made: bool = False) -> Iterator[Location]:
    """Where a dry run may write (and roll back): the library itself when it is ready; else a scratch copy in a
    temporary folder, so that a dry run never creates a library nor upgrades (and backs up) an older one.
    `folder_made`: a real run would create the missing folder (the default location)."""
    if isinstance(path, PostgresUrl):
        yield path
        return
    if not (folder_made and not path.parent.exists()):
        _check_location(path)  # the errors a real run would give (no folder, not a database …)
    existing = path.is_file() and path.stat().st_size > 0
    current = revision(path) if existing else None
    if current is not None and (current == head_revision() or current not in known_revisions()):
        yield path  # ready, or one the real run refuses (newer, unknown) with the same message
        return
    import tempfile

    with tempfile.TemporaryDirectory(prefix="readlist-dry-run-") as folder:
        scratch = Path(folder) / "library.db"
        if path.is_file() and path.stat().st_size:
            src, dst = sqlite3.connect(path), sqlite3.connect(scratch)
            try:
                src.backup(dst)
            finally:
                src.close()
                dst.close()
        yield scratch


def _apply_pragmas(conn: sqlite3.Connection) -> None:
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA foreign_keys = ON")


def _current_revision(conn: sqlite3.Connection) -> str | None:
    try:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        row = (
            conn.execute("SELECT version_num FROM alembic_version").fetchone() if "alembic_version" in tables else None
        )
    except sqlite3.OperationalError as exc:
        if is_locked(exc):
            raise DatabaseError(
                f"{conn_path(conn)} is locked by another program", "close the program holding it and try again"
            ) from None
        raise DatabaseError(f"cannot read {conn_path(conn)} ({exc})", "check --db / READLIST_DB") from None
    except sqlite3.DatabaseError as exc:
        raise DatabaseError(
            f"{conn_path(conn)} is not a readlist database or is damaged ({exc})",
            "check --db / READLIST_DB; readlist db check diagnoses a damaged library",
        ) from None
    if "alembic_version" not in tables:
        if tables:
            raise DatabaseError(
                f"{conn_path(conn)} is a SQLite database, but not a readlist one", "choose another --db"
            )
        return None
    if row is None:
        if tables - {"alembic_version"}:
            raise DatabaseError(
                f"{conn_path(conn)} has readlist tables but no schema version (alembic_version is empty)",
                "restore a backup (readlist.db.*.bak beside it), or export what you can and start a new library",
            )
        return None
    return str(row[0])


def is_locked(exc: BaseException) -> bool:
    text = str(exc).lower()
    return "database is locked" in text or "database table is locked" in text


def conn_path(conn: sqlite3.Connection) -> str:
    row = conn.execute("PRAGMA database_list").fetchone()
    return str(row[2]) if row else "the database"


def backup_file(path: Path, suffix: str = "") -> Path:
    """A consistent copy next to the database (SQLite's online backup, so WAL contents are included)."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    target = path.with_name(f"{path.name}.{stamp}{suffix}.bak")
    src = sqlite3.connect(path)
    try:
        dst = sqlite3.connect(target)
        with dst:
            src.backup(dst)
        dst.close()
    finally:
        src.close()
    return target


def upgrade(path: Path, revision: str = "head") -> None:
    """Run the Alembic migrations (the only place a schema is built or changed)."""
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(migrations_dir()))
    cfg.set_main_option("sqlalchemy.url", f"sqlite:///{path}")
    command.upgrade(cfg, revision)


def ensure_schema(path: Location) -> None:
    """Migrate on open: free when up to date, backs up then upgrades an older file, refuses a newer one."""
    if isinstance(path, PostgresUrl):
        from readlist.store import pg

        pg.ensure_schema(path)
        return
    _check_location(path)
    existed = path.exists() and path.stat().st_size > 0
    from readlist.config import lock_timeout

    conn = sqlite3.connect(path, timeout=lock_timeout())
    try:
        _apply_pragmas(conn)
        current = _current_revision(conn)
    finally:
        conn.close()
    revisions = known_revisions()
    if current == revisions[-1]:
        return
    with _migration_lock(path):
        _migrate(path, revisions, existed)


@contextmanager
def _migration_lock(path: Path) -> Iterator[None]:
    """Two processes opening a new or old file at once must not both migrate it."""
    try:
        import fcntl
    except ImportError:  # Windows: SQLite's own locking still keeps the file consistent
        yield
        return
    with open(path.with_name(path.name + ".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _migrate(path: Path, revisions: list[str], existed: bool) -> None:
    conn = sqlite3.connect(path)
    try:
        current = _current_revision(conn)  # again, under the lock: another process may have migrated
    finally:
        conn.close()
    if current == revisions[-1]:
        return
    if current is not None and current not in revisions:
        if current > revisions[-1]:
            raise DatabaseError(
                f"{path} was written by a newer readlist (schema {current}; this one knows up to {revisions[-1]})",
                "upgrade readlist (pip install -U readlist) or use another --db",
            )
        raise DatabaseError(
            f"{path} has an unknown schema version {current!r} (this readlist knows {revisions[0]}–{revisions[-1]})",
            "the file was changed by another program; restore a backup (readlist.db.*.bak beside it)",
        )
    if existed and current is not None:
        backup_file(path, f"-before-{revisions[-1]}")
    upgrade(path)
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    if current is not None:  # items from before the search index existed get indexed now
        from readlist.store import index

        with write_transaction(conn):
            index.rebuild(conn)
    conn.close()


def connect(path: Location, member: str | None = None) -> Conn:
    """The read side's connection, showing the library as `member` (default: the current user) sees it:
    stdlib sqlite3 for a file (also used for raw writes such as the search index), psycopg for a URL."""
    if member is None:
        from readlist.config import user

        member = user()
    if isinstance(path, PostgresUrl):
        from readlist.store import pg

        return pg.connect(path, member)
    return connect_sqlite(path, member)


def connect_sqlite(path: Path, member: str) -> sqlite3.Connection:
    ensure_schema(path)
    conn = sqlite3.connect(path, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000)
    conn.row_factory = sqlite3.Row
    _apply_pragmas(conn)
    use_member(conn, member)
    return conn


def use_member(conn: Conn, member: str) -> None:
    """Show this connection the library as one member sees it: `member_item` is every item with that member's
    status, priority and dates (a temporary view, so it lives and dies with this connection)."""
    quoted = "'" + member.replace("'", "''") + "'"
    temp = "pg_temp" if dialect(conn) == "postgresql" else "temp"
    conn.execute(f"DROP VIEW IF EXISTS {temp}.member_item")
    conn.execute(
        "CREATE TEMP VIEW member_item AS SELECT item.*, coalesce(r.status, item.initial_status) AS status, "
        "coalesce(r.priority, 0) AS priority, r.started_at AS started_at, r.finished_at AS finished_at "
        f"FROM item LEFT JOIN reading r ON r.item_id = item.id AND r.member = {quoted}"
    )


def begin_immediate(conn: sqlite3.Connection, wait: float | None = None) -> None:
    """BEGIN IMMEDIATE, waiting for another writer as long as a person would, and saying so after a moment.

    SQLite's busy timeout does the waiting; it is split in two so the notice comes after LOCK_NOTICE_SECONDS.
    """
    from readlist.config import lock_timeout

    total = lock_timeout() if wait is None else wait
    started = time.monotonic()
    first = min(LOCK_NOTICE_SECONDS, total)
    try:
        conn.execute(f"PRAGMA busy_timeout = {int(first * 1000)}")
        try:
            conn.execute("BEGIN IMMEDIATE")
            return
        except sqlite3.OperationalError as exc:
            if not is_locked(exc) or total <= first:
                raise locked_error(total) if is_locked(exc) else exc from None
        if on_lock_wait is not None:
            on_lock_wait()
        remaining = max(0.0, total - (time.monotonic() - started))
        conn.execute(f"PRAGMA busy_timeout = {int(remaining * 1000)}")
        try:
            conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            raise locked_error(total) if is_locked(exc) else exc from None
    finally:
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")


def locked_error(waited: float) -> DatabaseError:
    return DatabaseError(
        f"the library is busy: another process kept it locked for {waited:.0f} s",
        "wait for the other readlist (an import?) to finish, then try again; nothing was changed",
    )


def quick_check(conn: sqlite3.Connection) -> None:
    """Refuse to write into a damaged file: a write there can spread the damage (issue 16)."""
    try:
        result = conn.execute("PRAGMA quick_check(1)").fetchone()[0]
    except sqlite3.DatabaseError as exc:
        result = str(exc)
    if result != "ok":
        raise damaged_error(conn_path(conn), str(result))


def damaged_error(path: str, detail: str) -> DatabaseError:
    return DatabaseError(
        f"the library {path} is damaged ({' '.join(detail.split())}); nothing was written",
        'run "readlist db check" for the diagnosis and how to recover',
    )


@contextmanager
def write_transaction(conn: Conn) -> Iterator[Conn]:
    """BEGIN IMMEDIATE: take the write lock up front so two writers queue instead of failing later."""
    if dialect(conn) == "postgresql":
        from readlist.store import pg

        assert isinstance(conn, pg.PgConn)
        with pg.write_transaction(conn):
            yield conn
        return
    assert isinstance(conn, sqlite3.Connection)
    begin_immediate(conn)
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def engine(path: Location) -> Engine:
    """A SQLAlchemy engine whose transactions all start with BEGIN IMMEDIATE (DESIGN §6), or on PostgreSQL
    with the library's write lock."""
    from sqlalchemy import create_engine, event

    if isinstance(path, PostgresUrl):
        from readlist.store import pg

        return pg.engine(path)

    ensure_schema(path)
    eng = create_engine(f"sqlite:///{path}", connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})

    @event.listens_for(eng, "connect")
    def _on_connect(dbapi_conn: sqlite3.Connection, _record: Any) -> None:
        dbapi_conn.isolation_level = None
        _apply_pragmas(dbapi_conn)
        quick_check(dbapi_conn)

    @event.listens_for(eng, "begin")
    def _on_begin(conn: Any) -> None:
        begin_immediate(conn.connection.driver_connection)

    return eng


def driver_conn(raw: Any) -> Conn:
    """A SQLAlchemy connection's driver connection as a `Conn` (psycopg's wrapped in pg.PgConn)."""
    if isinstance(raw, sqlite3.Connection):
        return raw
    from readlist.store.pg import PgConn

    return PgConn(raw, owned=False)


def revision(path: Location) -> str | None:
    """The schema revision of a library (no Alembic import)."""
    if isinstance(path, PostgresUrl):
        from readlist.store import pg

        with pg.raw_connect(path) as server:
            return pg.current_revision(server)
    conn = sqlite3.connect(path)
    try:
        return _current_revision(conn)
    finally:
        conn.close()


def friendly_error(exc: BaseException) -> DatabaseError | None:
    """A database failure a user can act on, from sqlite3 or SQLAlchemy's wrapper of it; None for anything else."""
    if "psycopg" in sys.modules:
        from readlist.store import pg

        found = pg.friendly(exc)
        if found is not None:
            return found
    orig = getattr(exc, "orig", None)
    cause = orig if isinstance(orig, sqlite3.Error) else exc
    if not isinstance(cause, sqlite3.Error):
        return None
    text = str(cause)
    if is_locked(cause):
        from readlist.config import lock_timeout

        return locked_error(lock_timeout())
    if (
        "malformed" in text
        or "not a database" in text
        or isinstance(cause, sqlite3.DatabaseError)
        and "corrupt" in text
    ):
        return damaged_error("file", text)
    if "readonly" in text or "read-only" in text:
        return DatabaseError(f"cannot write to the library ({text})", "check the file's permissions and the disk")
    if "disk" in text and "full" in text:
        return DatabaseError("the disk is full; nothing was written", "free some space and try again")
    return DatabaseError(f"database error: {text}", 'run "readlist db check" to diagnose the library')
