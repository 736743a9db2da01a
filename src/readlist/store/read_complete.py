"""Shell-completion candidates (ids, citation keys, arXiv IDs, tags) straight from the library file."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from readlist.location import PostgresUrl

LIMIT = 50  # a shell shows a screenful; more is noise


def open_readonly(path: Path | PostgresUrl) -> sqlite3.Connection | None:
    """Completion never creates or migrates a library: no file (or a locked one) means no candidates.
    A PostgreSQL library offers none either: a shell must not wait on a server for a tab press."""
    if not isinstance(path, Path) or not path.is_file():
        return None
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=0.5)
        conn.execute("SELECT 1 FROM item LIMIT 1")
    except sqlite3.Error:
        return None
    return conn


def items(conn: sqlite3.Connection, incomplete: str) -> list[tuple[str, str]]:
    """(value, title) for ids, citation keys and arXiv IDs that start with what was typed; newest first."""
    like = incomplete.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    rows = conn.execute(
        "SELECT id, citation_key, arxiv_id, title FROM item "
        "WHERE CAST(id AS TEXT) LIKE ?1 ESCAPE '\\' OR citation_key LIKE ?1 ESCAPE '\\' "
        "OR arxiv_id LIKE ?1 ESCAPE '\\' ORDER BY id DESC LIMIT ?2",
        (like, LIMIT),
    ).fetchall()
    out = []
    low = incomplete.lower()
    for item_id, citation_key, arxiv_id, title in rows:
        for value in (str(item_id), citation_key, arxiv_id):
            if value and value.lower().startswith(low):
                out.append((value, " ".join(str(title).split())[:70]))
                break
    return out


def tags(conn: sqlite3.Connection, incomplete: str) -> list[tuple[str, str]]:
    """Tags whose name starts with (or, failing that, contains) what was typed, most used first."""
    rows = conn.execute(
        "SELECT t.name, count(it.item_id) AS n FROM tag t LEFT JOIN itemtag it ON it.tag_id = t.id "
        "GROUP BY t.id HAVING n > 0 ORDER BY n DESC, t.name"
    ).fetchall()
    low = incomplete.casefold()
    starts = [(name, f"{n} items") for name, n in rows if name.casefold().startswith(low)]
    inside = [(name, f"{n} items") for name, n in rows if low and low in name.casefold()]
    return (starts or inside)[:LIMIT]
