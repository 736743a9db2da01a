"""Shell-completion candidates (ids, citation keys, arXiv IDs, tags) straight from the library file."""

from __future__ import annotations

from readlist.location import Conn, Location
from readlist.store.backends import backend_for

LIMIT = 50  # a shell shows a screenful; more is noise


def open_readonly(location: Location) -> Conn | None:
    """Completion never creates, migrates or waits: no library file (or a locked one) means no candidates, and a
    PostgreSQL library offers none either (a shell must not wait on a server for a tab press)."""
    return backend_for(location).peek()


def items(conn: Conn, incomplete: str) -> list[tuple[str, str]]:
    """(value, title) for ids, citation keys and arXiv IDs that start with what was typed; newest first."""
    like = incomplete.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    rows = conn.execute(
        "SELECT id, citation_key, arxiv_id, title FROM item "
        "WHERE CAST(id AS TEXT) LIKE ? ESCAPE '\\' OR citation_key LIKE ? ESCAPE '\\' "
        "OR arxiv_id LIKE ? ESCAPE '\\' ORDER BY id DESC LIMIT ?",
        (like, like, like, LIMIT),
    ).fetchall()
    out = []
    low = incomplete.lower()
    for item_id, citation_key, arxiv_id, title in rows:
        for value in (str(item_id), citation_key, arxiv_id):
            if value and value.lower().startswith(low):
                out.append((value, " ".join(str(title).split())[:70]))
                break
    return out


def tags(conn: Conn, incomplete: str) -> list[tuple[str, str]]:
    """Tags whose name starts with (or, failing that, contains) what was typed, most used first."""
    rows = conn.execute(
        "SELECT t.name, count(it.item_id) AS n FROM tag t LEFT JOIN itemtag it ON it.tag_id = t.id "
        "GROUP BY t.id, t.name HAVING count(it.item_id) > 0 ORDER BY n DESC, t.name"
    ).fetchall()
    low = incomplete.casefold()
    starts = [(name, f"{n} items") for name, n in rows if name.casefold().startswith(low)]
    inside = [(name, f"{n} items") for name, n in rows if low and low in name.casefold()]
    return (starts or inside)[:LIMIT]
