"""A big scored pass of SQLite search, run as two halves of the library on both cores.

FTS5's BM25 costs about a microsecond a match, most of it looking up the match's column sizes, and it cannot
skip a match: the best page of a query matching 13,000 items scores all 13,000. The two halves of the rowid
range are scored at once, one on the caller's connection and one on a second connection to the same file in a
worker thread (sqlite3 lets go of the GIL while a statement runs), and their best rows are merged: the same rows
as one pass, since each half keeps its own best `n` and BM25's statistics (IDF, average length) are the whole
index's in both.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from readlist.location import Conn

FROM = 4000  # matches from which a pass is split: below, the second connection costs more than it saves

_pool: list[ThreadPoolExecutor] = []
_lock = threading.Lock()
_local = threading.local()


def best(
    conn: Conn, sql: str, args: list[Any], n: int, order: Any, setup: Callable[[Conn], None] | None = None
) -> list[Any] | None:
    """The first `n` rows of `sql` (which ends in `… WHERE search_index MATCH ?…`, ordered by `order`) from the two
    halves at once; None when this connection cannot be split (not a file of its own, or a team's server).
    `setup` makes on the second connection the temporary tables `sql` reads."""
    try:
        second = _second(conn)
    except sqlite3.Error:  # a second connection cannot be had (too many open files, a lock): one pass
        return None
    if second is None:
        return None
    # The index's rowids are item ids; min and max asked apart, each one step down the table (together: a scan).
    low, high = conn.execute("SELECT (SELECT min(id) FROM item), (SELECT max(id) FROM item)").fetchone()
    if low is None:
        return []
    middle = (int(low) + int(high)) // 2
    halves = f"SELECT * FROM ({sql}) WHERE id {{}} ? ORDER BY tier, score LIMIT ?"
    upper = _worker().submit(_rows, second, halves.format(">"), [*args, middle, n], setup)
    lower = conn.execute(halves.format("<="), [*args, middle, n]).fetchall()
    return sorted([*lower, *upper.result()], key=order)[:n]


def _rows(conn: Conn, sql: str, args: list[Any], setup: Callable[[Conn], None] | None) -> list[Any]:
    """The upper half, on the worker's connection (after `setup`: the temporary tables the statement reads)."""
    if setup is not None:
        setup(conn)
    return list(conn.execute(sql, args).fetchall())


def _worker() -> ThreadPoolExecutor:
    """One worker thread for the process (the web front end's request threads share it)."""
    with _lock:
        if not _pool:
            _pool.append(ThreadPoolExecutor(1, "readlist-search"))
        return _pool[0]


def _second(conn: Conn) -> Conn | None:
    """The worker's connection to the same library, as the same member sees it (opened once, in the worker)."""
    from readlist.store.backends import backend_of
    from readlist.store.backends.sqlite import SqliteBackend

    backend = backend_of(conn)
    if not isinstance(backend, SqliteBackend) or not backend.location.is_file():
        return None
    member = conn.execute("SELECT name FROM viewing_member").fetchone()
    key = (str(backend.location), member[0] if member else None)
    return _worker().submit(_open, backend, key).result()


def _open(backend: Any, key: tuple[str, str | None]) -> Conn:
    opened: dict[tuple[str, str | None], Conn] = getattr(_local, "opened", {})
    _local.opened = opened
    if key not in opened:
        opened[key] = backend.connect(key[1] or "")
    return opened[key]
