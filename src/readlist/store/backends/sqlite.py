"""SQLite, the embedded default: a library file opened with the stdlib sqlite3 (reads and raw writes) and through
SQLAlchemy (the write side); WAL, BEGIN IMMEDIATE, migrate-on-open with a backup, FTS5 (docs/architecture.md).
"""

from __future__ import annotations

import itertools
import os
import sqlite3
import stat
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from readlist.errors import DatabaseError, InvalidInputError, NotFoundError
from readlist.location import Conn
from readlist.store.backends.base import (
    BUSY_TIMEOUT_MS,
    LOCK_NOTICE_SECONDS,
    HealthReport,
    Spelling,
    T,
    alembic_upgrade,
    damaged_error,
    head_revision,
    index_behind,
    known_revisions,
    lock_wait_hook,
    locked_error,
    member_view,
    refuse_unknown,
    upsert_sql,
)
from readlist.store.backends.sqlite_file import (
    index_only,
    is_read_only,
    open_read_only,
    read_only_error,
    refuse_damage,
    repair_indexes,
    settle,
    settling,
)

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection as SaConnection
    from sqlalchemy.engine import Engine

SQLITE_HEADER = b"SQLite format 3\x00"

SPELLING = Spelling(
    id_list="SELECT value FROM json_each(?)",
    newline="char(10)",
    string_agg="group_concat",
    temp_schema="temp",
)


class SqliteConnection(sqlite3.Connection):
    """sqlite3's connection carrying its backend (made by `sqlite3.connect(…, factory=SqliteConnection)`)."""

    backend: SqliteBackend
    read_only: bool = False  # opened for reading only: the file or its folder cannot be written
    committing: bool = False  # an engine's transaction committed on it: to settle when it goes back to the pool


class SqliteBackend:
    """A library in one SQLite file."""

    name = "sqlite"
    sql = SPELLING

    def __init__(self, path: Path) -> None:
        self.location = path

    @classmethod
    def of_connection(cls, conn: Conn) -> SqliteBackend:
        """The backend of a bare sqlite3 connection (one a script or a test opened itself)."""
        return cls(Path(conn_path(conn)))

    def __repr__(self) -> str:
        return f"SqliteBackend({str(self.location)!r})"

    @property
    def label(self) -> str:
        return self.location.name

    def _connect(self, target: str | Path, **options: Any) -> SqliteConnection:
        conn = sqlite3.connect(target, factory=SqliteConnection, **options)
        conn.backend = self
        return conn

    # ---- the library as a whole ------------------------------------------------------------------------------

    def exists(self) -> bool:
        return self.location.exists()

    def is_new(self) -> bool:
        return not (self.location.exists() and self.location.stat().st_size > 0)

    def make_folder(self) -> None:
        self.location.parent.mkdir(parents=True, exist_ok=True)

    def files_dir(self) -> Path:
        return self.location.parent  # a library and its papers move together

    def ensure_schema(self, reindex: Callable[[Conn], object]) -> None:
        path = self.location
        if is_read_only(path):
            self._ready_to_read()
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
            self._migrate(revisions, existed, reindex)

    def _ready_to_read(self) -> None:
        """A library this process cannot write is read as it is: never migrated, never given WAL files."""
        path = self.location
        _check_header(path)
        conn = open_read_only(path, sqlite3.connect, timeout=_read_wait_ms() / 1000)
        try:
            current = _current_revision(conn)
        finally:
            conn.close()
        revisions = known_revisions()
        if current == revisions[-1]:
            return
        refuse_unknown(path, current, revisions, "the file was changed by another program; restore a backup")
        raise DatabaseError(
            f"the library {path} is read-only and its schema ({current or 'none'}) is older than this readlist's "
            f"({revisions[-1]})",
            "open it once with write access to upgrade it (readlist db init), or use the readlist that wrote it",
        )

    def _migrate(self, revisions: list[str], existed: bool, reindex: Callable[[Conn], object]) -> None:
        path = self.location
        conn = sqlite3.connect(path)
        try:
            current = _current_revision(conn)  # again, under the lock: another process may have migrated
        finally:
            conn.close()
        if current == revisions[-1]:
            return
        refuse_unknown(
            path,
            current,
            revisions,
            "the file was changed by another program; restore a backup (readlist.db.*.bak beside it)",
        )
        if existed and current is not None:
            backup_file(path, f"-before-{revisions[-1]}")
        if current is not None or not self._create(revisions[-1]):
            self.upgrade()
        conn = self._connect(path, isolation_level=None)
        conn.execute("PRAGMA journal_mode = WAL")
        if current is not None:
            from readlist.interrupts import ctrl_c_held  # (an upgrade only: not on every command's path)

            # Whole, as the upgrade before it: a merge rolled back by a Ctrl-C would not come again (the schema
            # is up to date now).
            with ctrl_c_held(), self.write_transaction(conn):
                if _index_behind(conn):  # an upgrade that made or remade the search index
                    reindex(conn)
                else:  # an index that grew by many small writes is in pieces: merged once, on this rare slow step
                    self.index_compact(conn)
        conn.close()

    def _create(self, revision: str) -> bool:
        """A new file from the migrations' saved result (sqlite_schema); False when none is shipped for it."""
        from readlist.store.backends import sqlite_schema  # a new library only

        conn = sqlite3.connect(self.location, isolation_level=None)
        try:
            return sqlite_schema.create(conn, revision)
        finally:
            conn.close()

    def upgrade(self, revision: str = "head") -> None:
        alembic_upgrade(f"sqlite:///{self.location}", revision)

    def revision(self) -> str | None:
        path = self.location
        conn = open_read_only(path, sqlite3.connect) if is_read_only(path) else sqlite3.connect(path)
        try:
            return _current_revision(conn)
        finally:
            conn.close()

    def check(self) -> HealthReport:
        """SQLite's integrity and foreign key checks on the file opened read-only (never migrated), and the
        search index compared with the items."""
        path = self.location
        if not path.exists():
            raise NotFoundError(f"no library at {path}", "any write command (readlist add …) creates it")
        report = HealthReport(str(path))
        indexes_only = False
        try:
            conn = open_read_only(path, sqlite3.connect)
        except sqlite3.DatabaseError as exc:
            report.integrity = str(exc)
            report.problems.append(f"the file cannot be read: {exc}")
        else:
            try:
                indexes_only = _inspect(conn, report)
            except sqlite3.DatabaseError as exc:
                report.integrity = str(exc)
                report.problems.append(f"the file cannot be read: {exc}")
            finally:
                conn.close()
        if indexes_only:  # every row reads: rebuilding the indexes from them loses nothing a backup would keep
            report.advice.append(
                "only indexes disagree with their rows (every row reads): readlist db reindex rebuilds them from "
                "the rows and checks the file again"
            )
        if report.integrity != "ok":
            report.advice += recovery_advice(path)
        return report

    def backup(self, folder: Path | None) -> Path:
        return backup_file(self.location, folder=folder)  # default: beside the file

    @contextmanager
    def dry_run(self, *, folder_made: bool = False) -> Iterator[Path]:
        """The library itself when it is ready; else a scratch copy in a temporary folder, so that a dry run
        never creates a library nor upgrades (and backs up) an older one. `folder_made`: a real run would create
        the missing folder (the default location)."""
        path = self.location
        if not (folder_made and not path.parent.exists()):
            _check_location(path)  # the errors a real run would give (no folder, not a database …)
        existing = path.is_file() and path.stat().st_size > 0
        current = self.revision() if existing else None
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

    # ---- connections -----------------------------------------------------------------------------------------

    def connect(self, member: str) -> SqliteConnection:
        path, wait = self.location, _read_wait_ms() / 1000
        if is_read_only(path):
            conn = open_read_only(path, self._connect, isolation_level=None, timeout=wait)
            conn.read_only = True
        else:
            conn = self._connect(path, isolation_level=None, timeout=wait)
        conn.row_factory = sqlite3.Row
        _apply_pragmas(conn)
        self.use_member(conn, member)
        return conn

    def peek(self) -> SqliteConnection | None:
        path = self.location
        if not path.is_file():
            return None
        try:
            conn = open_read_only(path, self._connect, timeout=0.5)
            conn.execute("SELECT 1 FROM item LIMIT 1")
        except sqlite3.Error:
            return None
        return conn

    def engine(self) -> Engine:
        """Every transaction starts with BEGIN IMMEDIATE, and refuses a damaged file (as write_transaction)."""
        from sqlalchemy import create_engine, event

        eng = create_engine(
            f"sqlite:///{self.location}",
            connect_args={"timeout": BUSY_TIMEOUT_MS / 1000, "factory": SqliteConnection},
        )

        @event.listens_for(eng, "connect")
        def _on_connect(dbapi_conn: SqliteConnection, _record: Any) -> None:
            dbapi_conn.backend = self
            dbapi_conn.isolation_level = None
            _apply_pragmas(dbapi_conn)
            dbapi_conn.execute("PRAGMA cell_size_check = ON")

        @event.listens_for(eng, "begin")
        def _on_begin(conn: Any) -> None:
            if is_read_only(self.location):
                raise read_only_error(self.location)
            driver = conn.connection.driver_connection
            self.lock(driver)
            try:
                refuse_damage(driver, self.location)
            except BaseException:
                driver.execute("ROLLBACK")
                raise

        @event.listens_for(eng, "commit")
        def _on_commit(conn: Any) -> None:
            conn.connection.driver_connection.committing = True  # settled once the commit is done (checkin)

        @event.listens_for(eng, "checkin")
        def _on_checkin(dbapi_conn: Any, _record: Any) -> None:
            if dbapi_conn is not None and getattr(dbapi_conn, "committing", False):
                dbapi_conn.committing = False
                settle(dbapi_conn, self.location)

        return eng

    def adopt(self, raw: Any) -> SqliteConnection:
        conn: SqliteConnection = raw  # the engine's connections are SqliteConnections carrying this backend
        return conn

    def use_member(self, conn: Conn, member: str) -> None:
        member_view(conn, member, SPELLING.temp_schema)

    @contextmanager
    def dict_rows(self, conn: Conn) -> Iterator[Conn]:
        raw = cast(sqlite3.Connection, conn)  # this backend's connections are sqlite3's
        before = raw.row_factory
        raw.row_factory = sqlite3.Row
        try:
            yield conn
        finally:
            raw.row_factory = before

    # ---- writing ---------------------------------------------------------------------------------------------

    @contextmanager
    def write_transaction(self, conn: Conn, *, check_whole: bool = False) -> Iterator[Conn]:
        """BEGIN IMMEDIATE: take the write lock up front so two writers queue instead of failing later.

        Never writes through damage (issues 16, 26): under the lock, a file that changed since readlist last
        found it sound (another program wrote it) is checked whole first — the full integrity check `db check`
        runs — while one only readlist has written since costs nothing to check (sqlite_file.refuse_damage);
        `cell_size_check` checks every page read on the way, and damage found is a DatabaseError naming the file,
        after the rollback. `check_whole` (an import) checks the whole file whatever the fingerprint says. A
        library opened read-only is refused in one line before anything."""
        if getattr(conn, "read_only", False) or is_read_only(self.location):
            raise read_only_error(self.location)
        conn.execute("PRAGMA cell_size_check = ON")
        try:
            self.lock(conn)
            try:
                refuse_damage(conn, self.location, force=check_whole)
                yield conn
            except BaseException:
                with suppress(sqlite3.OperationalError):  # a full disk (SQLITE_FULL) rolled back already: say that
                    conn.execute("ROLLBACK")
                raise
            with settling(self.location):
                conn.execute("COMMIT")
                settle(conn, self.location)
        except sqlite3.DatabaseError as exc:
            if is_damage(exc):
                raise damaged_error(str(self.location), str(exc)) from None
            raise

    def lock(self, conn: Conn, wait: float | None = None) -> None:
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
            notice = lock_wait_hook()
            if notice is not None:
                notice()
            remaining = max(0.0, total - (time.monotonic() - started))
            conn.execute(f"PRAGMA busy_timeout = {int(remaining * 1000)}")
            try:
                conn.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError as exc:
                raise locked_error(total) if is_locked(exc) else exc from None
        finally:
            conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")

    def upsert(
        self, conn: Conn, table: str, row: Mapping[str, object], key: Sequence[str], update: Sequence[str] = ()
    ) -> None:
        conn.execute(upsert_sql(table, list(row), key, update), list(row.values()))

    def after_copy(self, conn: SaConnection) -> None:
        """Nothing to do: an INTEGER PRIMARY KEY continues after the largest id by itself."""

    # ---- the full-text index (FTS5, contentless: see store/index.py) -----------------------------------------

    def index_words(self, values: Sequence[str]) -> Sequence[str]:
        return values  # FTS5's unicode61 tokenizer reads the segmented text as it is

    def index_insert(self, conn: Conn, columns: Sequence[str], rows: Sequence[tuple[int, Sequence[str]]]) -> None:
        marks = ", ".join("?" for _ in range(len(columns) + 1))
        sql = f"INSERT INTO search_index (rowid, {', '.join(columns)}) VALUES ({marks})"
        conn.executemany(sql, [(item_id, *values) for item_id, values in rows])

    def index_forget(
        self, conn: Conn, ids: Sequence[int], columns: Sequence[str], indexed: Callable[[bytes], Sequence[str]]
    ) -> None:
        marks = ",".join("?" for _ in ids)
        old = conn.execute(f"SELECT item_id, body FROM search_index_doc WHERE item_id IN ({marks})", ids).fetchall()
        delete = ", ".join("?" for _ in range(len(columns) + 1))
        sql = f"INSERT INTO search_index (search_index, rowid, {', '.join(columns)}) VALUES ('delete', {delete})"
        conn.executemany(sql, [(item_id, *indexed(body)) for item_id, body in old])
        conn.execute(f"DELETE FROM search_index_doc WHERE item_id IN ({marks})", ids)

    def index_clear(self, conn: Conn) -> None:
        conn.execute("INSERT INTO search_index (search_index) VALUES ('delete-all')")

    def index_compact(self, conn: Conn) -> None:
        # FTS5 writes each transaction's entries as a segment of their own and merges them only in part: a rebuild
        # at 100k items left 10, and every term a search looks up is sought in each (typo candidates 5-8 times
        # dearer, ranked searches 10-25%). 'optimize' merges them into one: ~1 s at 100k items.
        conn.execute("INSERT INTO search_index (search_index) VALUES ('optimize')")

    def repair_indexes(self, conn: Conn) -> int:
        if getattr(conn, "read_only", False) or is_read_only(self.location):
            raise read_only_error(self.location)
        return repair_indexes(conn, self.location)

    def pick(self, *, sqlite: Callable[[], T], postgresql: Callable[[], T]) -> T:
        return sqlite()

    # ---- errors ----------------------------------------------------------------------------------------------

    def friendly(self, exc: BaseException) -> DatabaseError | None:
        return friendly(exc)


# ---- the file ------------------------------------------------------------------------------------------------


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


def _read_wait_ms() -> int:
    """How long a read waits behind another process's lock: SQLite's usual 10 s, or less if the user set a
    shorter lock_timeout (READLIST_LOCK_TIMEOUT)."""
    from readlist.config import lock_timeout

    return int(min(BUSY_TIMEOUT_MS, lock_timeout() * 1000))


def _apply_pragmas(conn: sqlite3.Connection) -> None:
    conn.execute(f"PRAGMA busy_timeout = {_read_wait_ms()}")
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
        raise DatabaseError(
            f"cannot read {conn_path(conn)} ({exc}): it is not a readlist database, or it is damaged",
            "check --db / READLIST_DB; readlist db check diagnoses a damaged library",
        ) from None
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


def conn_path(conn: Conn) -> str:
    row = conn.execute("PRAGMA database_list").fetchone()
    return str(row[2]) if row else "the database"


def backup_file(path: Path, suffix: str = "", folder: Path | None = None) -> Path:
    """A consistent copy next to the database, or in `folder` (SQLite's online backup, so WAL contents are
    included)."""
    place = folder or path.parent
    if folder is not None:
        folder.mkdir(parents=True, exist_ok=True)
    if not os.access(place, os.W_OK):  # the place, not the library, is at fault: no snapshot instead
        raise InvalidInputError(
            f"cannot write a backup in {place} (the folder is read-only); nothing was written",
            "back up to a folder you can write: readlist db backup --to DIR",
        )
    target = _claim_backup_name(place, path.name, suffix)
    src = open_read_only(path, sqlite3.connect) if is_read_only(path) else sqlite3.connect(path)
    try:
        dst = sqlite3.connect(target)
        try:
            with dst:
                src.backup(dst)
        finally:
            dst.close()
    except BaseException:  # a full disk, Ctrl-C: a half-written backup must not be offered for restoring later
        target.unlink(missing_ok=True)
        raise
    finally:
        src.close()
    return target


def _claim_backup_name(place: Path, name: str, suffix: str) -> Path:
    """A backup file name of its own, made now (O_EXCL): two backups in one second, or at once, never share one.
    A second one in the same second is `…Z_2…`, which sorts after the first (the newest is restored)."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    for n in itertools.count(1):
        target = place / f"{name}.{stamp}{'' if n == 1 else f'_{n}'}{suffix}.bak"
        try:
            os.close(os.open(target, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644))
        except FileExistsError:
            continue
        return target
    raise AssertionError("unreachable")


def is_damage(exc: BaseException) -> bool:
    text = str(exc).lower()
    return "malformed" in text or "corrupt" in text or "not a database" in text


def is_locked(exc: BaseException) -> bool:
    text = str(exc).lower()
    return "database is locked" in text or "database table is locked" in text


# ---- db check ------------------------------------------------------------------------------------------------


def _inspect(conn: sqlite3.Connection, report: HealthReport) -> bool:
    """Fill in the report; whether the only damage is index entries out of step with their rows."""
    found = [str(r[0]) for r in conn.execute("PRAGMA integrity_check(100)").fetchall()]
    report.integrity = "ok" if found == ["ok"] else "; ".join(found[:5])
    if report.integrity != "ok":
        report.problems.append(f"SQLite integrity check failed: {report.integrity}")
    row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    report.schema = str(row[0]) if row else None
    if report.schema is None:
        report.problems.append("no schema version (alembic_version is empty)")
    elif report.schema not in known_revisions():
        report.problems.append(
            f"schema {report.schema} is not one this readlist knows (up to {head_revision()}): "
            "written by a newer readlist, or not readlist's"
        )
    report.foreign_key_problems = len(conn.execute("PRAGMA foreign_key_check").fetchall())
    if report.foreign_key_problems:
        report.problems.append(f"{report.foreign_key_problems} row(s) point at missing items or tags")
    report.items = conn.execute("SELECT count(*) FROM item").fetchone()[0]
    report.indexed = conn.execute("SELECT count(*) FROM search_index").fetchone()[0]
    report.compare_index()
    return index_only(found)


def _sound(backup: Path) -> bool:
    """A backup worth restoring: it opens, passes SQLite's quick check and holds readlist's tables."""
    try:
        conn = sqlite3.connect(f"file:{backup}?mode=ro", uri=True)
        try:
            ok = conn.execute("PRAGMA quick_check(1)").fetchone()[0] == "ok"
            return ok and int(conn.execute("SELECT count(*) FROM alembic_version").fetchone()[0]) == 1
        finally:
            conn.close()
    except sqlite3.Error:
        return False


def recovery_advice(path: Path) -> list[str]:
    """What a person can do with a damaged file, best option first."""
    import shutil

    advice = []
    backups = [b for b in sorted(path.parent.glob(f"{path.name}.*.bak")) if _sound(b)]
    if backups:
        advice.append(f"restore the newest backup: cp {backups[-1]} {path}")
    salvage = f'sqlite3 {path} ".recover" | sqlite3 {path.with_name(path.stem + "-recovered.db")}'
    if shutil.which("sqlite3"):
        advice.append(f"salvage what is readable: {salvage}, then use --db on the new file")
    else:
        advice.append(f"install the sqlite3 command-line tool and salvage what is readable: {salvage}")
    advice.append("keep the damaged file until you have checked the result; readlist refuses to write into it")
    return advice


# ---- errors --------------------------------------------------------------------------------------------------


def friendly(exc: BaseException) -> DatabaseError | None:
    """A SQLite failure a user can act on, from sqlite3 or SQLAlchemy's wrapper of it; None for anything else."""
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
        return DatabaseError(
            f"the library is read-only ({text}); nothing was written",
            "reading works; to change it, get write access to the file and its folder (or its disk's mount)",
        )
    if "disk" in text and "full" in text:
        return DatabaseError(
            f"the disk is full ({text}); nothing was written",
            "free some space on the library's disk (or move the library: readlist db copy), then try again",
        )
    return DatabaseError(f"database error: {text}", 'run "readlist db check" to diagnose the library')


def _index_behind(conn: sqlite3.Connection) -> bool:
    try:
        return index_behind(conn)
    except sqlite3.OperationalError:  # a table not there yet
        return True
