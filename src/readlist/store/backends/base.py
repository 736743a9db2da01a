"""The `Backend` protocol: everything that differs between a SQLite file and a PostgreSQL database.

A backend is bound to one library (its location) and is the only thing that knows which kind it is: connecting,
migrating, the schema revision, the write transaction and its lock, upserts, the full-text index, the SQL
fragments the portable queries spell per backend, and the errors a person can act on. Every connection a backend
makes carries it (`conn.backend`), so code holding a connection asks it instead of testing its type. Per-backend
code that lives above the store (search's full-text queries: search/fts.py, search/fts_pg.py) is chosen by the
backend itself (`Backend.pick`), never by a test of which backend it is.

Also here: what both backends share (the migration scripts and their revisions, the lock and damage messages, the
`db check` report). Cheap to import: no sqlite3 work, no psycopg, no SQLAlchemy.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol, TypeVar

from readlist.errors import DatabaseError
from readlist.location import Conn, Location

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection as SaConnection
    from sqlalchemy.engine import Engine

BUSY_TIMEOUT_MS = 10_000
# When a writer waiting for another process's write transaction says so (how long it waits: config.lock_timeout).
LOCK_NOTICE_SECONDS = 1.5


# ---- the SQL spelled per backend -----------------------------------------------------------------------------


class Spelling(NamedTuple):
    """The few SQL fragments the portable queries (read side, search, index) spell differently per backend.

    Everything else is written once, in SQL both accept, with `?` parameters (see `Connection`). A NamedTuple:
    ~0.6 ms less to define than a frozen dataclass, on every start."""

    id_list: str  # a subquery of the ids in one parameter, a JSON array of integers: `x IN ({id_list})`
    newline: str  # the newline character as an SQL expression
    string_agg: str  # the aggregate joining text with a separator: group_concat, string_agg
    temp_schema: str  # the schema of this connection's temporary views

    def group_concat(self, expr: str, separator: str) -> str:
        """`expr` of the group's rows joined by `separator` (an SQL expression, e.g. a quoted literal)."""
        return f"{self.string_agg}({expr}, {separator})"


def upsert_sql(table: str, columns: Sequence[str], key: Sequence[str], update: Sequence[str] = ()) -> str:
    """INSERT … ON CONFLICT: the same text for SQLite (3.24+) and PostgreSQL (9.5+); `update` empty: keep the
    existing row, else set those columns from the new one."""
    marks = ", ".join("?" for _ in columns)
    action = "DO UPDATE SET " + ", ".join(f"{c} = excluded.{c}" for c in update) if update else "DO NOTHING"
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks}) ON CONFLICT ({', '.join(key)}) {action}"


# ---- the protocols -------------------------------------------------------------------------------------------


class Connection(Conn, Protocol):
    """A backend's DB-API connection: the `Conn` the read side and the index use, carrying its backend.

    Parameters are `?` marks on both (psycopg's `%s` is made from them by the PostgreSQL connection, the one
    adaptation of SQL text between the backends); rows read like sqlite3.Row (`row[0]`, `row["name"]`)."""

    @property
    def backend(self) -> Backend: ...


T = TypeVar("T")


class Backend(Protocol):
    """One library's database. `backend_for(location)` makes one; a connection's is `conn.backend`."""

    @property
    def name(self) -> str:
        """ "sqlite" or "postgresql": for messages and reports, never to branch on (ask the backend instead)."""
        ...

    @property
    def location(self) -> Location: ...

    @property
    def label(self) -> str:
        """A short name for the library in file names (backups): the file's name, the database's."""
        ...

    @property
    def sql(self) -> Spelling: ...

    # -- the library as a whole --

    def exists(self) -> bool:
        """Whether there is a library to open without creating one (a server database always counts)."""
        ...

    def is_new(self) -> bool:
        """Whether nothing is there yet: a missing or empty file (a server database never is)."""
        ...

    def make_folder(self) -> None:
        """Create the folder the library goes in (nothing to do for a server)."""
        ...

    def files_dir(self) -> Path:
        """Where this machine keeps the library's files (PDFs): beside a SQLite file, else the data dir."""
        ...

    def ensure_schema(self, reindex: Callable[[Conn], object]) -> None:
        """Migrate on open: free when up to date, upgrades an older schema, refuses a newer or foreign one.
        `reindex` rebuilds the search index of a library that had items before the upgrade, in a write
        transaction (store.index.rebuild: db.py passes it, the index being a layer above the backends)."""
        ...

    def upgrade(self, revision: str = "head") -> None:
        """Run the Alembic migrations up to `revision` (the only place a schema is built or changed)."""
        ...

    def revision(self) -> str | None:
        """The schema revision, without Alembic; None for a new library."""
        ...

    def check(self) -> HealthReport:
        """`db check`: the schema, the integrity the backend can check, the search index; never raises on
        damage (a missing SQLite file is a NotFoundError)."""
        ...

    def backup(self, folder: Path | None) -> Path | None:
        """A consistent copy into `folder`; None there means the backend's own place (SQLite: beside the file;
        PostgreSQL: pg_dump into the data dir's backups). None when the
        backend has no tool to make one, a DatabaseError when the tool failed: the caller then writes a JSONL
        snapshot instead."""
        ...

    def dry_run(self, *, folder_made: bool = False) -> AbstractContextManager[Location]:
        """Where a dry run may write and roll back (the library itself, or a scratch copy of it)."""
        ...

    # -- connections --

    def connect(self, member: str) -> Connection:
        """The read side's connection, showing the library as `member` sees it (the schema must be ready:
        db.connect migrates first)."""
        ...

    def peek(self) -> Connection | None:
        """A read-only connection that never creates, migrates or waits (shell completion); None when that
        cannot be had quickly (no file, a locked one, a server a shell must not wait on)."""
        ...

    def engine(self) -> Engine:
        """The write side's SQLAlchemy engine; every transaction starts by taking the write lock (the schema
        must be ready: db.engine migrates first)."""
        ...

    def adopt(self, raw: Any) -> Connection:
        """One of this backend's SQLAlchemy driver connections as a `Connection` (in its transaction)."""
        ...

    def use_member(self, conn: Conn, member: str) -> None:
        """Show `conn` the library as `member` sees it: the temporary view `member_item`."""
        ...

    def dict_rows(self, conn: Conn) -> AbstractContextManager[Conn]:
        """`conn` with rows that read like sqlite3.Row, for running read-side queries on a write connection."""
        ...

    # -- writing --

    def write_transaction(self, conn: Conn, *, check_whole: bool = False) -> AbstractContextManager[Conn]:
        """A transaction holding the library's one write lock from its start: writers queue, never interleave.
        Committed at the end, rolled back on an exception. A damaged SQLite file is never written through: the
        pages the transaction reads are checked as they load, damage found is a DatabaseError saying so, and
        `check_whole` (an import) checks the whole file first, in time proportional to its size."""
        ...

    def lock(self, conn: Conn, wait: float | None = None) -> None:
        """Take the write lock for `conn`'s transaction, waiting up to `wait` (default: config.lock_timeout),
        saying so after a moment. SQLite: BEGIN IMMEDIATE opens that transaction; PostgreSQL: in the open one."""
        ...

    def upsert(
        self, conn: Conn, table: str, row: Mapping[str, object], key: Sequence[str], update: Sequence[str] = ()
    ) -> None:
        """Insert `row`, or on a clash of `key` keep the existing row (or set the `update` columns)."""
        ...

    def after_copy(self, conn: SaConnection) -> None:
        """After rows were copied in with their ids (`db copy`): let new rows continue after them."""
        ...

    # -- the full-text index: SQLite's FTS5 table, PostgreSQL's tsvector table (laid out by store/index.py) --

    def index_words(self, values: Sequence[str]) -> Sequence[str]:
        """One item's indexed values as this backend's index takes them. Pure: may run in a helper process."""
        ...

    def index_insert(self, conn: Conn, columns: Sequence[str], rows: Sequence[tuple[int, Sequence[str]]]) -> None:
        """Add index rows: (item id, `index_words` of its values, one per column)."""
        ...

    def index_forget(
        self, conn: Conn, ids: Sequence[int], columns: Sequence[str], indexed: Callable[[bytes], Sequence[str]]
    ) -> None:
        """Drop these items from the index and from `search_index_doc` (whose bodies `indexed` turns back into
        the values that were indexed: SQLite's contentless FTS5 table forgets a row only when given them)."""
        ...

    def index_clear(self, conn: Conn) -> None:
        """Empty the index (not `search_index_doc`)."""
        ...

    def index_compact(self, conn: Conn) -> None:
        """After a bulk write (a rebuild, a big import): merge the index into one piece, if the backend keeps it
        in pieces that every lookup must visit."""
        ...

    def repair_indexes(self, conn: Conn) -> int:
        """When the only damage is index entries out of step with their rows (a SQLite file), rebuild those
        indexes from the rows and check the file again; how many problems were fixed (0: none found, or damage
        a rebuild cannot fix). Nothing to do for a server that keeps its own pages."""
        ...

    # -- per-backend code above the store --

    def pick(self, *, sqlite: Callable[[], T], postgresql: Callable[[], T]) -> T:
        """Call the function given for this backend (and return what it returns): how a layer above the store
        that keeps per-backend code of its own (search's full-text queries) gets the right one without asking
        which backend it has. Every backend calls its own; a new backend is a new keyword every caller must give.
        """
        ...

    # -- errors --

    def friendly(self, exc: BaseException) -> DatabaseError | None:
        """A failure of this backend a person can act on, as a DatabaseError; None for anything else."""
        ...


# ---- shared by both backends ---------------------------------------------------------------------------------


def migrations_dir() -> Path:
    """The Alembic scripts: inside the installed wheel, or the repo's top-level folder in a checkout."""
    packaged = Path(__file__).parents[2] / "migrations"
    if (packaged / "env.py").exists():
        return packaged
    return Path(__file__).resolve().parents[4] / "migrations"


def known_revisions() -> list[str]:
    """Revision ids are the 4-digit prefixes of the version files, so no Alembic import is needed."""
    versions = migrations_dir() / "versions"
    return sorted(p.name[:4] for p in versions.glob("[0-9][0-9][0-9][0-9]_*.py"))


def head_revision() -> str:
    return known_revisions()[-1]


def index_behind(conn: Conn) -> bool:
    """Whether the search index lacks items after an upgrade: items from before it existed, or a migration
    remade it. Only then is it rebuilt: an upgrade that left it whole (0016-0020) rebuilt a 100,000-item
    library's index on the first command after installing (minutes, and on PostgreSQL 100,000 dead rows that
    slowed every search 2-3 times until a vacuum)."""
    counts = {int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]) for table in INDEXED}
    return len(counts) > 1


INDEXED = ("item", "search_index_doc", "search_index")  # one row per item in each when the index is whole


def refuse_unknown(where: object, current: str | None, revisions: list[str], restore: str) -> None:
    """A schema from a newer readlist, or one this readlist never wrote, is refused before anything changes."""
    if current is None or current in revisions:
        return
    if current > revisions[-1]:
        raise DatabaseError(
            f"{where} was written by a newer readlist (schema {current}; this one knows up to {revisions[-1]})",
            "upgrade readlist (pip install -U readlist) or use another --db",
        )
    raise DatabaseError(
        f"{where} has an unknown schema version {current!r} (this readlist knows {revisions[0]}–{revisions[-1]})",
        restore,
    )


def alembic_upgrade(sqlalchemy_url: str, revision: str = "head") -> None:
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(migrations_dir()))
    cfg.set_main_option("sqlalchemy.url", sqlalchemy_url.replace("%", "%%"))
    command.upgrade(cfg, revision)


def member_view(conn: Conn, member: str, temp_schema: str) -> None:
    """Show this connection the library as one member sees it: `member_item` is every item with that member's
    status, priority and dates (temporary, so it lives and dies with this connection). The member's name is
    stored in a temporary table as a parameter: no SQL text is ever built from it (a name is user input)."""
    conn.execute(f"DROP VIEW IF EXISTS {temp_schema}.member_item")
    conn.execute("CREATE TEMP TABLE IF NOT EXISTS viewing_member (name TEXT NOT NULL)")
    conn.execute(f"DELETE FROM {temp_schema}.viewing_member")
    conn.execute(f"INSERT INTO {temp_schema}.viewing_member (name) VALUES (?)", (member,))
    conn.execute(f"CREATE TEMP VIEW member_item AS {member_items(temp_schema)}")


def member_items(temp_schema: str, items: str = "item", readings: str = "reading r") -> str:
    """The SELECT behind `member_item`: every item with the viewing member's status, priority and dates. `items`,
    `readings`: how the query names the item and reading tables (SQLite's search names the indexes to read them
    by: search/fts.py)."""
    viewing = f"(SELECT name FROM {temp_schema}.viewing_member)"
    return (
        "SELECT item.*, coalesce(r.status, item.initial_status) AS status, "
        "coalesce(r.priority, 0) AS priority, r.started_at AS started_at, r.finished_at AS finished_at "
        f"FROM {items} LEFT JOIN {readings} ON r.item_id = item.id AND r.member = {viewing}"
    )


# Called once when a write has to wait for another process (set by readlist.api.on_lock_wait: the CLI prints a
# line; library users hear nothing).
on_lock_wait: Callable[[], None] | None = None


def lock_wait_hook() -> Callable[[], None] | None:
    return on_lock_wait


# Hears a one-line warning from the store that is not an error (set by readlist.api.on_notice: the CLI prints it
# as a warning; library users hear nothing).
on_notice: Callable[[str], None] | None = None


def notice(message: str) -> None:
    if on_notice is not None:
        on_notice(message)


def behind_error(current: str, head: str) -> DatabaseError:
    """A team member's readlist is newer than the library's schema, which only the library's owner upgrades."""
    return DatabaseError(
        f"the library's schema is older than this readlist ({current} < {head}); ask its admin to run "
        "`readlist db init`",
        "the library's owner upgrades it once for everyone; until then use the readlist it was built with",
    )


def locked_error(waited: float) -> DatabaseError:
    return DatabaseError(
        f"the library is busy: another process kept it locked for {waited:.0f} s",
        "wait for the other readlist (an import?) to finish, then try again; nothing was changed",
    )


def damaged_error(path: str, detail: str) -> DatabaseError:
    return DatabaseError(
        f"the library {path} is damaged ({' '.join(detail.split())}); nothing was written",
        'run "readlist db check" for the diagnosis and how to recover',
    )


@dataclass
class HealthReport:
    """What `db check` found."""

    path: str
    schema: str | None = None
    integrity: str = "ok"
    foreign_key_problems: int = 0
    items: int = 0
    indexed: int = 0
    problems: list[str] = field(default_factory=list)
    advice: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def compare_index(self) -> None:
        if self.items != self.indexed:
            self.problems.append(f"search index out of step ({self.indexed} of {self.items} items)")
            self.advice.append("readlist db reindex rebuilds the search index")
