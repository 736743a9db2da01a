"""A SQLite library file's state as readlist left it: the damage check before a write, which costs nothing while
no other program has touched the file, and opening a file this process may read but not write
(docs/architecture.md#a-damaged-or-read-only-file)."""

from __future__ import annotations

import os
import re
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import quote

from readlist.errors import DatabaseError
from readlist.location import Conn
from readlist.store.backends.base import damaged_error

C = TypeVar("C", bound=sqlite3.Connection)

CHECKED_SUFFIX = ".checked"  # beside the file: the fingerprint of the file as readlist last found it sound


# ---- damage: check the whole file only when something other than readlist changed it ---------------------------


def fingerprint(path: Path) -> str | None:
    """Which file this is and when it last changed: any write to it (readlist's, or another program's
    overwriting a page) moves its ctime, which no program can set back."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return f"{st.st_dev}:{st.st_ino}:{st.st_size}:{st.st_mtime_ns}:{st.st_ctime_ns}"


def checked_path(path: Path) -> Path:
    return path.with_name(path.name + CHECKED_SUFFIX)


def _recorded(path: Path) -> str | None:
    try:
        return checked_path(path).read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        return None


def remember_sound(path: Path) -> None:
    """Note the file as it is now as sound (after a full check, or a commit of readlist's own on a file checked
    sound). Replaced whole, so another process never reads half of it; a folder readlist cannot write just
    means the next write checks the whole file again."""
    found = fingerprint(path)
    if found is None:
        return
    target = checked_path(path)
    scratch = target.with_name(f".{target.name}.{os.getpid()}")
    try:
        scratch.write_text(found + "\n", encoding="ascii")
        os.replace(scratch, target)
    except OSError:
        scratch.unlink(missing_ok=True)


def forget_sound(path: Path) -> None:
    checked_path(path).unlink(missing_ok=True)


# What SQLite's integrity check says when an index disagrees with its table while every row reads: REINDEX
# rebuilds such an index from the rows (a non-unique entry in a UNIQUE index is left out: a rebuild would fail).
_INDEX_PROBLEM = re.compile(r"(row \d+ missing from|wrong # of entries in) index [\w.]+")


def index_only(problems: list[str]) -> bool:
    """Whether SQLite's integrity check found index entries out of step with their rows, and nothing else."""
    return bool(problems) and all(_INDEX_PROBLEM.fullmatch(p) for p in problems)


def repair_indexes(conn: Conn, path: Path) -> int:
    """Rebuild every index under the write lock when the file's only damage is index entries (REINDEX reads
    the rows, never the damaged index pages' keys), then check the whole file again; the number of problems
    fixed, 0 when there was nothing a rebuild can fix."""
    try:
        found = [str(r[0]) for r in conn.execute("PRAGMA integrity_check(1000)").fetchall()]
    except sqlite3.DatabaseError:
        return 0
    if not index_only(found):
        return 0
    conn.execute("BEGIN IMMEDIATE")
    try:
        conn.execute("REINDEX")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
    problem = whole_file_damage(conn)
    if problem is not None:
        raise damaged_error(str(path), problem)
    remember_sound(path)
    return len(found)


def whole_file_damage(conn: Conn) -> str | None:
    """SQLite's full integrity check (the one `db check` runs: it also compares every index with its table,
    which the quick check skips); None when the file is sound."""
    try:
        rows = conn.execute("PRAGMA integrity_check(5)").fetchall()
    except sqlite3.DatabaseError as exc:
        return str(exc)
    found = [str(r[0]) for r in rows]
    return None if found == ["ok"] else "; ".join(found)


@contextmanager
def settling(path: Path) -> Iterator[None]:
    """Held from a commit until its fingerprint is recorded, and while the next writer compares: otherwise that
    writer, let in by the commit, would find the file changed and not yet recorded, and check it whole for
    nothing. A POSIX record lock on a byte of the `.lock` file beside the library (the migration's flock on the
    same file is independent of it)."""
    try:
        import fcntl
    except ImportError:  # Windows: a writer that comes in between only checks the whole file, which is slower
        yield
        return
    try:
        handle = open(path.with_name(path.name + ".lock"), "a")  # noqa: SIM115  (closed below, after the unlock)
    except OSError:
        yield
        return
    try:
        fcntl.lockf(handle, fcntl.LOCK_EX, 1, 1)
        try:
            yield
        finally:
            fcntl.lockf(handle, fcntl.LOCK_UN, 1, 1)
    finally:
        handle.close()


def refuse_damage(conn: Conn, path: Path, *, force: bool = False) -> None:
    """Before a write, under the write lock: a file unchanged since readlist last found it sound (the same
    fingerprint) is taken as sound at no cost; any other (new to this machine, changed by another program,
    copied) is checked whole first, once, in time proportional to its size."""
    if not force:
        with settling(path):
            now, known = fingerprint(path), _recorded(path)
        if now is not None and now == known:
            return
    problem = whole_file_damage(conn)
    if problem is not None:
        forget_sound(path)
        raise damaged_error(str(path), problem)
    remember_sound(path)


def settle(conn: Conn, path: Path) -> None:
    """After readlist's own commit: fold the write-ahead log into the file now (its pages only), so a later
    close does not change the file behind the fingerprint, then remember the file as sound."""
    try:
        conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
    except sqlite3.Error:
        return  # busy or odd: the next write checks the whole file, which is only slower
    remember_sound(path)


# ---- read-only ---------------------------------------------------------------------------------------------------


def is_read_only(path: Path) -> bool:
    """An existing library this process may read but not write: the file, or its folder (where SQLite keeps its
    journal and WAL files), is not writable — permission bits, or a read-only mount."""
    folder = path.parent if str(path.parent) else Path(".")
    return path.is_file() and not (os.access(path, os.W_OK) and os.access(folder, os.W_OK))


def read_only_error(path: Path) -> DatabaseError:
    return DatabaseError(
        f"the library {path} is read-only (the file or its folder cannot be written); nothing was written",
        f"reading works; to change it, get write access to the file and its folder, or copy it: cp {path} "
        "~/readlist.db and use --db ~/readlist.db",
    )


def open_read_only(path: Path, connect: Callable[..., C], **options: Any) -> C:
    """The file opened for reading only. A WAL-mode file needs its `-shm` index beside it; when the folder
    cannot hold one, SQLite opens it only as immutable — right while its write-ahead log is empty (the last
    writer folded it in), and refused when the log still holds changes that reading the file alone would miss."""
    conn = connect(f"file:{quote(str(path))}?mode=ro", uri=True, **options)
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        return conn
    except sqlite3.OperationalError as exc:
        conn.close()
        text = str(exc).lower()
        if "readonly" not in text and "unable to open" not in text:
            raise
    wal = path.with_name(path.name + "-wal")
    if wal.exists() and wal.stat().st_size > 0:
        raise DatabaseError(
            f"cannot read {path}: it is read-only here and its write-ahead log ({wal.name}) still holds changes",
            "ask someone who can write its folder to run any readlist command on it once (that folds the log in)",
        )
    return connect(f"file:{quote(str(path))}?immutable=1", uri=True, **options)
