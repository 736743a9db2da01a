"""PostgreSQL: psycopg connections for the read side, the SQLAlchemy engine for the write side, migrate-on-open,
the one write lock, and errors a person can act on (DESIGN §12). Imported only for postgresql:// libraries.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import psycopg
from psycopg import errors as pg_errors
from psycopg.types.string import TextLoader

from readlist.errors import DatabaseError
from readlist.location import PostgresUrl, redact

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

MIN_SERVER_VERSION = 120000  # generated columns (the search index's weighted document) arrived in 12
CONNECT_TIMEOUT = 10
# pg_advisory_xact_lock key of the library's one write lock ("readlist" in ASCII): PostgreSQL's BEGIN IMMEDIATE.
WRITE_LOCK = 0x726561646C697374
MIGRATE_LOCK = WRITE_LOCK + 1


# ---- SQL: the read side's portable SQL, in PostgreSQL's spelling -------------------------------------------

_REWRITES = (
    # A JSON array of ids as one parameter (SQLite's json_each) → the same parameter through json.
    (
        re.compile(r"SELECT value FROM json_each\(\?\)"),
        "SELECT value::bigint FROM json_array_elements_text(CAST(? AS json))",
    ),
    (re.compile(r"\bgroup_concat\(", re.I), "string_agg("),
    (re.compile(r"\bchar\(10\)", re.I), "chr(10)"),
)
_LITERAL_OR_MARK = re.compile(r"'(?:[^']|'')*'|%|\?")


@lru_cache(maxsize=512)
def translate(sql: str) -> str:
    """SQLite-flavoured SQL → PostgreSQL: `?` → `%s` (outside string literals), `%` escaped, json_each,
    group_concat and char() replaced. Cached: the same few statements run again and again."""
    for pattern, replacement in _REWRITES:
        sql = pattern.sub(replacement, sql)

    def mark(m: re.Match[str]) -> str:
        token = m.group(0)
        if token == "?":
            return "%s"
        return token.replace("%", "%%")

    return _LITERAL_OR_MARK.sub(mark, sql)


class Row(tuple[Any, ...]):
    """A result row read like sqlite3.Row: `row[0]`, `row["name"]`, `dict(row)`, unpacking."""

    _index: dict[str, int] = {}

    def __getitem__(self, key: Any) -> Any:
        if isinstance(key, str):
            return tuple.__getitem__(self, self._index[key])
        return tuple.__getitem__(self, key)

    def keys(self) -> list[str]:
        return list(self._index)


@lru_cache(maxsize=256)
def _row_class(names: tuple[str, ...]) -> type[Row]:
    return type("Row", (Row,), {"_index": {n: i for i, n in enumerate(names)}})


def _row_factory(cursor: Any) -> Callable[[Sequence[Any]], Row]:
    names = tuple(c.name for c in cursor.description or ())
    cls = _row_class(names)
    return lambda values: cls(values)


class PgConn:
    """The psycopg connection behind the `backend.Conn` protocol: the read side's SQL runs unchanged.

    JSON columns come back as text (as from SQLite), so `json.loads` in the read side keeps working."""

    dialect = "postgresql"

    def __init__(self, raw: psycopg.Connection[Any], *, owned: bool = True) -> None:
        self.raw = raw
        self.owned = owned

    def _cursor(self) -> psycopg.Cursor[Row]:
        cur = self.raw.cursor(row_factory=_row_factory)
        for name in ("json", "jsonb"):
            cur.adapters.register_loader(name, TextLoader)
        return cur

    def execute(self, sql: str, parameters: Any = (), /) -> psycopg.Cursor[Row]:
        cur = self._cursor()
        cur.execute(translate(sql), tuple(parameters))  # always a tuple: `%%` in the SQL then means `%`
        return cur

    def executemany(self, sql: str, parameters: Any, /) -> psycopg.Cursor[Row]:
        cur = self._cursor()
        cur.executemany(translate(sql), [tuple(p) for p in parameters])
        return cur

    def close(self) -> None:
        if self.owned:
            self.raw.close()


# ---- connecting, checking and migrating ------------------------------------------------------------------


_last_url: list[PostgresUrl | None] = [None]  # for messages about failures that carry no URL


def raw_connect(url: PostgresUrl, *, autocommit: bool = True) -> psycopg.Connection[Any]:
    """A psycopg connection; libpq reads sslmode and the PG* environment and ~/.pgpass itself."""
    _last_url[0] = url
    try:
        conn = psycopg.connect(url.libpq, autocommit=autocommit, connect_timeout=CONNECT_TIMEOUT)
    except psycopg.Error as exc:
        raise connect_error(url, exc) from None
    if conn.info.server_version < MIN_SERVER_VERSION:
        version = conn.info.parameter_status("server_version") or str(conn.info.server_version)
        conn.close()
        raise DatabaseError(
            f"the PostgreSQL server at {url.server} runs version {version}; readlist needs 12 or newer",
            "upgrade the server, or keep this library in a SQLite file (--db ~/readlist.db)",
        )
    return conn


def current_revision(conn: psycopg.Connection[Any]) -> str | None:
    """The schema revision, read with one query (no Alembic); None for an empty database."""
    row = conn.execute("SELECT to_regclass('alembic_version') IS NOT NULL").fetchone()
    if not row or not row[0]:
        return None
    found = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    return str(found[0]) if found else None


def ensure_schema(url: PostgresUrl) -> None:
    """Migrate on open: one query when up to date; a newer schema is refused; Alembic runs only when due."""
    from readlist.store.db import known_revisions

    revisions = known_revisions()
    with raw_connect(url) as conn:
        try:
            current = current_revision(conn)
            if current == revisions[-1]:
                return
            _refuse_unknown(url, current, revisions)
            _refuse_foreign(conn, url, current)
            conn.execute("SELECT pg_advisory_lock(%s)", (MIGRATE_LOCK,))  # two first opens: one migrates
            current = current_revision(conn)  # again, under the lock
            if current != revisions[-1]:
                _refuse_unknown(url, current, revisions)
                _upgrade(url)
                if current is not None:  # items from before a search index change get indexed now
                    reindex(url)
        except psycopg.Error as exc:
            raise friendly(exc, url) or DatabaseError(redact(str(exc))) from None


def _refuse_foreign(conn: psycopg.Connection[Any], url: PostgresUrl, current: str | None) -> None:
    """A database with tables of its own and no readlist schema belongs to something else: never build in it."""
    if current is not None:
        return
    row = conn.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema() "
        "AND table_name <> 'alembic_version'"
    ).fetchone()
    if row and row[0]:
        raise DatabaseError(
            f"{url} is a PostgreSQL database, but not a readlist one ({row[0]} table(s) of something else)",
            "nothing was changed; give readlist an empty database of its own: createdb papers",
        )


def _refuse_unknown(url: PostgresUrl, current: str | None, revisions: list[str]) -> None:
    if current is None or current in revisions:
        return
    if current > revisions[-1]:
        raise DatabaseError(
            f"{url} was written by a newer readlist (schema {current}; this one knows up to {revisions[-1]})",
            "upgrade readlist (pip install -U readlist) or use another --db",
        )
    raise DatabaseError(
        f"{url} has an unknown schema version {current!r} (this readlist knows {revisions[0]}–{revisions[-1]})",
        "the database was changed by another program; restore it from a backup",
    )


def _upgrade(url: PostgresUrl) -> None:
    """Alembic on PostgreSQL runs every pending migration in one transaction (transactional DDL): a failure
    leaves the schema as it was, so no backup copy is needed as for a SQLite file."""
    from alembic import command
    from alembic.config import Config

    from readlist.store.db import migrations_dir

    cfg = Config()
    cfg.set_main_option("script_location", str(migrations_dir()))
    cfg.set_main_option("sqlalchemy.url", url.sqlalchemy.replace("%", "%%"))
    command.upgrade(cfg, "head")


def reindex(url: PostgresUrl) -> int:
    from readlist.store import index

    with raw_connect(url, autocommit=False) as raw:
        conn = PgConn(raw, owned=False)
        with write_transaction(conn):
            return index.rebuild(conn)


def connect(url: PostgresUrl, member: str) -> PgConn:
    """The read side's connection, as `member` sees the library: autocommit, so a read never holds a
    transaction open."""
    from readlist.store.db import use_member

    ensure_schema(url)
    conn = PgConn(raw_connect(url))
    use_member(conn, member)
    return conn


# ---- the write lock ------------------------------------------------------------------------------------------


def lock_writes(raw: psycopg.Connection[Any], wait: float | None = None) -> None:
    """Take the library's write lock for this transaction, as SQLite's BEGIN IMMEDIATE does: writers queue,
    so a read-modify-write of tags, notes or a status can never interleave with another writer's (no lost
    updates, no serialization failures to retry). Readers never wait (MVCC)."""
    from readlist.config import lock_timeout
    from readlist.store import db

    total = lock_timeout() if wait is None else wait
    row = raw.execute("SELECT pg_try_advisory_xact_lock(%s)", (WRITE_LOCK,)).fetchone()
    if row and row[0]:
        return
    started = time.monotonic()
    if db.on_lock_wait is not None and total > db.LOCK_NOTICE_SECONDS:
        raw.execute(f"SET LOCAL lock_timeout = {int(db.LOCK_NOTICE_SECONDS * 1000)}")
        if _try_lock(raw):
            return
        db.on_lock_wait()
    remaining = max(1, int((total - (time.monotonic() - started)) * 1000))
    raw.execute(f"SET LOCAL lock_timeout = {remaining}")
    if not _try_lock(raw):
        raise db.locked_error(total)
    raw.execute("SET LOCAL lock_timeout = 0")


def _try_lock(raw: psycopg.Connection[Any]) -> bool:
    try:
        with raw.transaction():  # a savepoint: a timed-out wait must not abort the whole transaction
            raw.execute("SELECT pg_advisory_xact_lock(%s)", (WRITE_LOCK,))
        return True
    except pg_errors.LockNotAvailable:
        return False


@contextmanager
def write_transaction(conn: PgConn) -> Iterator[PgConn]:
    with conn.raw.transaction():
        lock_writes(conn.raw)
        yield conn


def engine(url: PostgresUrl) -> Engine:
    """The write side's SQLAlchemy engine (psycopg 3). No pool: a CLI run opens one connection per transaction,
    and a library user's idle process holds none."""
    from sqlalchemy import create_engine, event
    from sqlalchemy.pool import NullPool

    ensure_schema(url)
    eng = create_engine(url.sqlalchemy, poolclass=NullPool, connect_args={"connect_timeout": CONNECT_TIMEOUT})

    @event.listens_for(eng, "begin")
    def _on_begin(conn: Any) -> None:
        lock_writes(conn.connection.driver_connection)

    return eng


# ---- errors ----------------------------------------------------------------------------------------------------

_LOST = ("server closed the connection", "consuming input failed", "connection is lost", "ssl syscall", "eof detected")


def connect_error(url: PostgresUrl, exc: BaseException) -> DatabaseError:
    text = redact(" ".join(str(exc).split()))
    low = text.lower()
    where = f"the PostgreSQL server at {url.server}"
    if "password authentication failed" in low or "no password supplied" in low:
        return DatabaseError(
            f"{where} refused the login (wrong or missing password)",
            "put the password in ~/.pgpass or PGPASSWORD (safer than in the URL), then try again",
        )
    if "does not exist" in low and "database" in low:
        return DatabaseError(
            f"there is no database {url.database!r} on {url.server}",
            f"ask the admin to create it (createdb {url.database}), then run: readlist db init",
        )
    if "role" in low and "does not exist" in low:
        return DatabaseError(f"{where} has no such user", "check the user name in the URL (postgresql://USER@host/db)")
    if "refused" in low or "could not translate host name" in low or "timeout" in low or "no route" in low:
        return DatabaseError(
            f"cannot reach {where} ({_detail(low)})",
            "check that the server is running and the host and port in --db / READLIST_DB are right",
        )
    if "ssl" in low:
        return DatabaseError(f"{where}: SSL failed ({text})", "check sslmode in the URL or PGSSLMODE")
    return DatabaseError(f"cannot connect to {where}: {text}", "check --db / READLIST_DB")


def _detail(low: str) -> str:
    for word in ("connection refused", "timeout expired", "could not translate host name", "no route to host"):
        if word in low:
            return word
    return "no answer"


def friendly(exc: BaseException, url: PostgresUrl | None = None) -> DatabaseError | None:
    """A PostgreSQL failure a user can act on, from psycopg or SQLAlchemy's wrapper of it; None otherwise."""
    cause = getattr(exc, "orig", None) or exc
    if not isinstance(cause, psycopg.Error):
        return None
    text = redact(" ".join(str(cause).split()))
    low = text.lower()
    if isinstance(cause, pg_errors.LockNotAvailable):
        from readlist.config import lock_timeout
        from readlist.store import db

        return db.locked_error(lock_timeout())
    if isinstance(cause, pg_errors.InsufficientPrivilege):
        return DatabaseError(
            f"PostgreSQL refused: {text}",
            "ask the library's admin for the grants in the README (Team library on PostgreSQL)",
        )
    if any(word in low for word in _LOST) or isinstance(cause, pg_errors.AdminShutdown):
        return DatabaseError(
            "lost the connection to the PostgreSQL server; the transaction was rolled back, nothing was written",
            "check the network and the server, then run the command again",
        )
    url = url or _last_url[0]
    if isinstance(cause, psycopg.OperationalError) and url is not None:
        return connect_error(url, cause)
    return DatabaseError(f"PostgreSQL error: {text}", 'run "readlist db check" to diagnose the library')
