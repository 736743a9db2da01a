"""PostgreSQL, for teams: psycopg connections for the read side, the SQLAlchemy engine for the write side,
migrate-on-open, the one write lock, the tsvector index, and errors a person can act on (docs/architecture.md).
Imported only for postgresql:// libraries (the SQLite path never loads psycopg).
"""

from __future__ import annotations

import os
import re
import subprocess
import time
import unicodedata
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import psycopg
from psycopg import errors as pg_errors
from psycopg.types.string import TextLoader

from readlist.errors import DatabaseError
from readlist.location import Conn, PostgresUrl, redact, without_password
from readlist.store.backends.base import (
    LOCK_NOTICE_SECONDS,
    HealthReport,
    Spelling,
    T,
    alembic_upgrade,
    behind_error,
    head_revision,
    index_behind,
    known_revisions,
    lock_wait_hook,
    locked_error,
    member_view,
    notice,
    refuse_unknown,
    upsert_sql,
)
from readlist.text import TOKEN

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection as SaConnection
    from sqlalchemy.engine import Engine

# The search index's GIN entries of a bulk write wait in each index's pending list, which every search reads whole
# (up to 4 MB a probe: typo correction at 100k items took seconds) until a vacuum merges it: merged now, in the
# indexes this role owns (a member's import leaves the owner's to autovacuum; merging needs ownership).
_MERGE_PENDING = (
    "SELECT gin_clean_pending_list(i.indexrelid::regclass) FROM pg_index i "
    "JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am a ON a.oid = c.relam "
    "WHERE a.amname = 'gin' AND i.indrelid = 'search_index'::regclass AND pg_has_role(c.relowner, 'USAGE')"
)
MIN_SERVER_VERSION = 120000  # generated columns (the search index's weighted document) arrived in 12
CONNECT_TIMEOUT = 10
# pg_advisory_xact_lock key of the library's one write lock ("readlist" in ASCII): PostgreSQL's BEGIN IMMEDIATE.
WRITE_LOCK = 0x726561646C697374
MIGRATE_LOCK = WRITE_LOCK + 1

SPELLING = Spelling(
    id_list="SELECT CAST(value AS bigint) FROM json_array_elements_text(CAST(? AS json))",
    newline="chr(10)",
    string_agg="string_agg",
    temp_schema="pg_temp",
)


# ---- SQL text: parameters --------------------------------------------------------------------------------------


@lru_cache(maxsize=512)
def placeholders(sql: str) -> str:
    """The one adaptation of SQL text between the backends, and only of parameter style: readlist's SQL marks
    parameters with `?` (sqlite3's style); psycopg's are `%s`, with a literal `%` written `%%`. A scan of the
    characters swaps `?` outside quoted literals and identifiers and doubles every `%`; nothing else changes
    (SQL that differs per backend is written per backend). Cached: the same statements run again and again."""
    out: list[str] = []
    quote = ""
    for char in sql:
        if char == "%":
            out.append("%%")
            continue
        if quote:
            quote = "" if char == quote else quote  # a doubled quote closes and reopens: still inside
        elif char in "'\"":
            quote = char
        elif char == "?":
            out.append("%s")
            continue
        out.append(char)
    return "".join(out)


# ---- the connection ------------------------------------------------------------------------------------------


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
    """A psycopg connection as a backend `Connection`: `?` parameters, rows that read like sqlite3.Row, and
    JSON columns as text (as from SQLite), so `json.loads` in the read side keeps working."""

    def __init__(self, raw: psycopg.Connection[Any], backend: PostgresBackend, *, owned: bool = True) -> None:
        self.raw = raw
        self.backend = backend
        self.owned = owned
        self.role: str | None = None  # the database role (current_user) once `identify` asked; None: not asked
        self.acts_for_all = True  # may act for any member (owner, superuser, readlist_admins): migration 0010
        self.member: str | None = None  # whom `use_member` shows the library as

    def identify(self) -> None:
        """Who this connection is: in a team library the member is the database role, not READLIST_USER."""
        row = self.raw.execute("SELECT current_user, readlist_acts_for_all()").fetchone()
        if row is not None:
            self.role, self.acts_for_all = str(row[0]), bool(row[1])

    def _cursor(self) -> psycopg.Cursor[Row]:
        cur = self.raw.cursor(row_factory=_row_factory)
        for name in ("json", "jsonb"):
            cur.adapters.register_loader(name, TextLoader)
        return cur

    def execute(self, sql: str, parameters: Any = (), /) -> psycopg.Cursor[Row]:
        cur = self._cursor()
        cur.execute(placeholders(sql), tuple(parameters))  # always a tuple: `%%` in the SQL then means `%`
        return cur

    def executemany(self, sql: str, parameters: Any, /) -> psycopg.Cursor[Row]:
        cur = self._cursor()
        cur.executemany(placeholders(sql), [tuple(p) for p in parameters])
        return cur

    def pipeline(self) -> AbstractContextManager[psycopg.Pipeline]:
        """Send the statements run inside together (one network round trip), read the results after."""
        return self.raw.pipeline()

    def close(self) -> None:
        if self.owned:
            self.raw.close()


def _raw(conn: Conn) -> psycopg.Connection[Any]:
    """The psycopg connection inside one of this backend's connections."""
    return cast(PgConn, conn).raw


# ---- the backend ---------------------------------------------------------------------------------------------


class PostgresBackend:
    """A library in one PostgreSQL database (shared by a team)."""

    name = "postgresql"
    sql = SPELLING

    def __init__(self, url: PostgresUrl) -> None:
        self.location = url

    def __repr__(self) -> str:
        return f"PostgresBackend({self.location!r})"

    @property
    def label(self) -> str:
        return self.location.database

    # -- the library as a whole --

    def exists(self) -> bool:
        return True  # connecting says when it is not

    def is_new(self) -> bool:
        return False

    def make_folder(self) -> None:
        """Nothing to make: the server keeps the library."""

    def files_dir(self) -> Path:
        from readlist import config

        return config.data_dir()  # a shared library: its PDFs stay on this machine

    def ensure_schema(self, reindex: Callable[[Conn], object]) -> None:
        """Migrate on open: one query when up to date; a newer schema is refused; Alembic runs only when due."""
        url = self.location
        revisions = known_revisions()
        _BEHIND.pop(url.url, None)
        with raw_connect(url) as conn:
            try:
                current = current_revision(conn)
                if current == revisions[-1]:
                    return
                _refuse_unknown(url, current, revisions)
                _refuse_foreign(conn, url, current)
                if current is not None and not _owns(conn):  # a member: only the owner changes the schema
                    _BEHIND[url.url] = behind_error(current, revisions[-1])
                    notice(_BEHIND[url.url].message)
                    return
                conn.execute("SELECT pg_advisory_lock(%s)", (MIGRATE_LOCK,))  # two first opens: one migrates
                current = current_revision(conn)  # again, under the lock
                if current != revisions[-1]:
                    _refuse_unknown(url, current, revisions)
                    self.upgrade()
                    if current is not None:  # items from before a search index change get indexed now
                        with raw_connect(url, autocommit=False) as raw:
                            index_conn = PgConn(raw, self, owned=False)
                            with self.write_transaction(index_conn):
                                if index_behind(index_conn):
                                    reindex(index_conn)
            except psycopg.Error as exc:
                raise friendly(exc, url) or DatabaseError(redact(str(exc))) from None

    def upgrade(self, revision: str = "head") -> None:
        """Alembic on PostgreSQL runs every pending migration in one transaction (transactional DDL): a failure
        leaves the schema as it was, so no backup copy is needed as for a SQLite file."""
        alembic_upgrade(self.location.sqlalchemy, revision)

    def revision(self) -> str | None:
        with raw_connect(self.location) as server:
            return current_revision(server)

    def check(self) -> HealthReport:
        """The schema version, and whether the search index holds every item. The server keeps its own pages
        and foreign keys consistent, so there is no file-level integrity check to run."""
        report = HealthReport(str(self.location), integrity="ok (PostgreSQL)")
        with raw_connect(self.location) as conn:
            report.schema = current_revision(conn)
            if report.schema is None:
                report.problems.append("no readlist schema in this database")
                report.advice.append("readlist db init builds it")
                return report
            if report.schema != head_revision():
                report.problems.append(f"schema {report.schema}, this readlist's is {head_revision()}")
                if report.schema in known_revisions() and not _owns(conn):
                    report.advice.append("ask its admin (the library's owner) to run `readlist db init`")
                else:
                    report.advice.append(
                        "any readlist command upgrades an older schema; a newer one needs a newer readlist"
                    )
                return report
            report.items = _count(conn, "SELECT count(*) FROM item")
            # an item is indexed when both its vectors and its text are there (one table wiped alone hides it)
            report.indexed = _count(
                conn,
                "SELECT count(*) FROM search_index_doc d WHERE EXISTS (SELECT 1 FROM search_index s "
                "WHERE s.item_id = d.item_id)",
            )
        report.compare_index()
        return report

    def backup(self, folder: Path | None) -> Path | None:
        """pg_dump (custom format) into `folder` (default: the data dir's backups) when it is installed; None when
        it is not. The password goes to pg_dump through its environment, never its command line (visible in ps)."""
        import shutil

        if not shutil.which("pg_dump"):
            return None
        from readlist import config

        folder = folder or config.data_dir() / "backups"
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / f"{self.label}-{datetime.now(UTC).strftime('%Y%m%dT%H%M%SZ')}.dump"
        clean, password = without_password(self.location)
        env = {**os.environ, **({"PGPASSWORD": password} if password else {})}
        proc = subprocess.run(
            ["pg_dump", "--format=custom", "--no-owner", f"--file={target}", f"--dbname={clean}"],
            env=env,
            capture_output=True,
            text=True,
        )
        if proc.returncode != 0:  # e.g. an older pg_dump than the server
            target.unlink(missing_ok=True)
            if "row-level security" in proc.stderr:  # a member: pg_dump reads every row unfiltered or none
                raise DatabaseError(
                    "a member's pg_dump cannot read other members' rows (row-level security); an admin (the "
                    "library's owner) must back up the whole library",
                    "readlist db backup by the owner makes the whole dump",
                )
            last = proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else ""
            raise DatabaseError(f"pg_dump failed ({redact(last)})", "readlist db backup writes a JSONL snapshot")
        return target

    @contextmanager
    def dry_run(self, *, folder_made: bool = False) -> Iterator[PostgresUrl]:
        yield self.location  # one transaction, rolled back: the server's own isolation is the scratch copy

    # -- connections --

    def connect(self, member: str) -> PgConn:
        """Autocommit, so a read never holds a transaction open."""
        conn = PgConn(raw_connect(self.location), self)
        try:
            # readlist's queries are short: JIT compiling one whose estimate crosses jit_above_cost (a search
            # over many matches) took 30-40 ms, more than running it.
            conn.execute("SET jit = off")
            conn.identify()
            self.use_member(conn, member)
        except BaseException:
            conn.close()
            raise
        return conn

    def peek(self) -> None:
        return None  # a shell must not wait on a server for a tab press

    def engine(self) -> Engine:
        """No pool: a CLI run opens one connection per transaction, and a library user's idle process holds
        none."""
        from sqlalchemy import create_engine, event
        from sqlalchemy.pool import NullPool

        eng = create_engine(
            self.location.sqlalchemy, poolclass=NullPool, connect_args={"connect_timeout": CONNECT_TIMEOUT}
        )

        @event.listens_for(eng, "connect")
        def _on_connect(dbapi_conn: psycopg.Connection[Any], _record: Any) -> None:
            dbapi_conn.backend = self  # type: ignore[attr-defined]  # so backend_of(raw) finds it

        @event.listens_for(eng, "begin")
        def _on_begin(conn: Any) -> None:
            lock_writes(conn.connection.driver_connection)

        return eng

    def adopt(self, raw: Any) -> PgConn:
        return PgConn(raw, self, owned=False)

    def use_member(self, conn: Conn, member: str) -> None:
        """Any member's view may be read (`--who`), but the member readlist writes as by default (READLIST_USER,
        the config's `user`, else the login name) must be the role itself: a mismatch is an error naming both
        (docs/team.md#who-may-change-what), not a silent switch to another person."""
        pg = cast(PgConn, conn)
        if pg.role is not None and not pg.acts_for_all and member != pg.role:
            from readlist.config import user

            if member == user():
                raise _not_you(pg.role, member, self.location)
        pg.member = member
        member_view(conn, member, SPELLING.temp_schema)

    @contextmanager
    def dict_rows(self, conn: Conn) -> Iterator[Conn]:
        yield conn  # PgConn rows already read like sqlite3.Row

    # -- writing --

    @contextmanager
    def write_transaction(self, conn: Conn, *, check_whole: bool = False) -> Iterator[Conn]:
        """The server keeps its pages consistent: nothing to check (`check_whole` is for a SQLite file)."""
        pg = cast(PgConn, conn)
        if pg.role is not None and not pg.acts_for_all and pg.member not in (None, pg.role):
            raise _not_you(pg.role, pg.member or "", self.location)  # the database would refuse it anyway
        raw = pg.raw
        with raw.transaction():
            lock_writes(raw)
            yield conn

    def lock(self, conn: Conn, wait: float | None = None) -> None:
        lock_writes(_raw(conn), wait)

    def upsert(
        self, conn: Conn, table: str, row: Mapping[str, object], key: Sequence[str], update: Sequence[str] = ()
    ) -> None:
        conn.execute(upsert_sql(table, list(row), key, update), list(row.values()))

    def after_copy(self, conn: SaConnection) -> None:
        """Rows came with their ids: each serial column continues after the largest one copied."""
        from sqlalchemy import text

        serials = conn.execute(
            text(
                "SELECT table_name, column_name, pg_get_serial_sequence(quote_ident(table_name), column_name) "
                "FROM information_schema.columns WHERE table_schema = current_schema() "
                "AND column_default LIKE 'nextval(%'"
            )
        ).all()
        for table, column, sequence in serials:
            top = conn.execute(text(f'SELECT coalesce(max("{column}"), 0) FROM "{table}"')).scalar_one()
            conn.execute(text("SELECT setval(:s, :n + 1, false)"), {"s": sequence, "n": top})
        # The rows came in bulk and have no statistics until autovacuum gets round to them: meanwhile the planner
        # took a page's 500 ids to match half of itemtag, note and reading, and scanned each whole table for
        # every page of an export (100k items: ~0.3 s of the server's time a page, minutes in all).
        conn.execute(text("ANALYZE"))
        conn.execute(text(_MERGE_PENDING))

    # -- the full-text index (tsvector columns of migration 0008) --

    def index_words(self, values: Sequence[str]) -> Sequence[str]:
        return [parser_words(v) for v in values]

    def index_insert(self, conn: Conn, columns: Sequence[str], rows: Sequence[tuple[int, Sequence[str]]]) -> None:
        vectors = ", to_tsvector('readlist', ?)" * len(columns)
        names = ", ".join(f'"{c}"' for c in columns)
        sql = f"INSERT INTO search_index (item_id, {names}) VALUES (?{vectors})"
        conn.executemany(sql, [(item_id, *values) for item_id, values in rows])

    def index_forget(
        self, conn: Conn, ids: Sequence[int], columns: Sequence[str], indexed: Callable[[bytes], Sequence[str]]
    ) -> None:
        marks = ",".join("?" for _ in ids)
        conn.execute(f"DELETE FROM search_index WHERE item_id IN ({marks})", ids)
        conn.execute(f"DELETE FROM search_index_doc WHERE item_id IN ({marks})", ids)

    def index_clear(self, conn: Conn) -> None:
        conn.execute("DELETE FROM search_index")

    def index_compact(self, conn: Conn) -> None:
        conn.execute(_MERGE_PENDING)

    def repair_indexes(self, conn: Conn) -> int:
        return 0  # the server keeps its indexes consistent with their tables

    def pick(self, *, sqlite: Callable[[], T], postgresql: Callable[[], T]) -> T:
        return postgresql()

    # -- errors --

    def friendly(self, exc: BaseException) -> DatabaseError | None:
        return friendly(exc, self.location)


_MISSING = (pg_errors.UndefinedTable, pg_errors.UndefinedColumn, pg_errors.UndefinedFunction, pg_errors.UndefinedObject)
_LATIN_MARKS = re.compile(r"(?<=[\u0000-\u024f])[\u0300-\u036f]+")


def parser_words(text: str) -> str:
    """Segmented text as PostgreSQL's parser should see it: the tokens FTS5's unicode61 finds (Chinese words
    already split by WORD_SEP), separated by spaces, Latin diacritics removed (remove_diacritics 2)."""
    if not text.isascii():
        text = unicodedata.normalize("NFC", _LATIN_MARKS.sub("", unicodedata.normalize("NFD", text)))
    return " ".join(TOKEN.findall(text))


def _count(conn: psycopg.Connection[Any], sql: str) -> int:
    row = conn.execute(sql).fetchone()
    return int(row[0]) if row else 0


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


def _owns(conn: psycopg.Connection[Any]) -> bool:
    """Whether the connected role may change the schema: a superuser, or the owner of readlist's tables (or a
    role that inherits the owner's rights). A member is neither: migrating as one fails half-way."""
    row = conn.execute(
        "SELECT r.rolsuper OR pg_has_role(current_user, c.relowner, 'USAGE') FROM pg_roles r, pg_class c "
        "WHERE r.rolname = current_user AND c.oid = to_regclass('alembic_version')"
    ).fetchone()
    return bool(row and row[0])


# url → the error a member's readlist gives when the older schema it reads lacks something it needs
_BEHIND: dict[str, DatabaseError] = {}


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
    refuse_unknown(url, current, revisions, "the database was changed by another program; restore it from a backup")


# ---- the write lock ------------------------------------------------------------------------------------------


def lock_writes(raw: psycopg.Connection[Any], wait: float | None = None) -> None:
    """Take the library's write lock for this transaction, as SQLite's BEGIN IMMEDIATE does: writers queue,
    so a read-modify-write of tags, notes or a status can never interleave with another writer's (no lost
    updates, no serialization failures to retry). Readers never wait (MVCC)."""
    from readlist.config import lock_timeout

    total = lock_timeout() if wait is None else wait
    row = raw.execute("SELECT pg_try_advisory_xact_lock(%s)", (WRITE_LOCK,)).fetchone()
    if row and row[0]:
        return
    started = time.monotonic()
    notice = lock_wait_hook()
    if notice is not None and total > LOCK_NOTICE_SECONDS:
        raw.execute(f"SET LOCAL lock_timeout = {int(LOCK_NOTICE_SECONDS * 1000)}")
        if _try_lock(raw):
            return
        notice()
    remaining = max(1, int((total - (time.monotonic() - started)) * 1000))
    raw.execute(f"SET LOCAL lock_timeout = {remaining}")
    if not _try_lock(raw):
        raise locked_error(total)
    raw.execute("SET LOCAL lock_timeout = 0")


def _try_lock(raw: psycopg.Connection[Any]) -> bool:
    try:
        with raw.transaction():  # a savepoint: a timed-out wait must not abort the whole transaction
            raw.execute("SELECT pg_advisory_xact_lock(%s)", (WRITE_LOCK,))
        return True
    except pg_errors.LockNotAvailable:
        return False


# ---- errors ----------------------------------------------------------------------------------------------------

_LOST = ("server closed the connection", "consuming input failed", "connection is lost", "ssl syscall", "eof detected")


def connect_error(url: PostgresUrl, exc: BaseException) -> DatabaseError:
    text = " ".join(redact(str(exc), url).split())  # libpq quotes a password it cannot parse
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


def _not_you(role: str, member: str, url: PostgresUrl) -> DatabaseError:
    return DatabaseError(
        f"you are connected to {url.database} as PostgreSQL role {role!r}, but readlist's member is {member!r} "
        "(READLIST_USER, else the config's user, else your login name); in a team library you act only as yourself",
        f"set READLIST_USER={role} (or connect as {member}: postgresql://{member}@{url.server}/{url.database})",
    )


ADMINS = "readlist_admins"  # the role docs/team.md's setup names (migration 0010)
_OWN_ROWS = {"reading": "statuses", "note": "notes", "member": "member name"}  # the tables its policies guard


# how the guards of migrations 0010, 0012 and 0017 begin their refusals (each with a hint of its own)
_GUARDS = (
    "this note on #",
    "only the library's admins",
    "the search index is readlist's own",
    "this file on #",
    "a note on #",
    "a note's author",
    "the citation key of #",
)


def _refused(cause: psycopg.Error, text: str) -> DatabaseError | None:
    """A write the team library's rules refused (migrations 0010 and 0012): its guards' own words (another's note,
    removing an item, editing shared metadata, renaming a tag), or a row-level
    security policy's refusal said as the rule it enforces; None for a plain missing grant."""
    diag = cause.diag
    primary = " ".join((diag.message_primary or "").split())
    if diag.message_hint and primary.startswith(_GUARDS):
        return DatabaseError(redact(primary), redact(" ".join(diag.message_hint.split())))
    if "row-level security" in text.lower():
        table = primary.rsplit(" ", 1)[-1].strip('"') if "for table" in primary else ""
        words = _OWN_ROWS.get(table, "readings and notes")
        return DatabaseError(
            f"the team library refused the change: a member writes only their own {words}, never another's",
            f"you write as your database role; the library's owner and members of {ADMINS} may write for others "
            "(e.g. import a team export)",
        )
    return None


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
    where = url or _last_url[0]
    behind = _BEHIND.get(where.url) if where is not None else None
    if behind is not None and isinstance(cause, _MISSING):  # what the newer schema has and this one lacks
        return behind
    text = " ".join(redact(str(cause), url or _last_url[0]).split())
    low = text.lower()
    if isinstance(cause, pg_errors.LockNotAvailable):
        from readlist.config import lock_timeout

        return locked_error(lock_timeout())
    if isinstance(cause, pg_errors.InsufficientPrivilege):
        return _refused(cause, text) or DatabaseError(
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
