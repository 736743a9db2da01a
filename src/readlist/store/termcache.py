"""The recommendation model's cached term counts (table `termcache`, migration 0015): one archive per cache
name, read by every process and machine that reads the library. Plain SQL on the DB-API connection."""

from __future__ import annotations

from datetime import UTC, datetime

from readlist.location import Conn


def load(conn: Conn, name: str) -> bytes | None:
    """The archive saved under `name`, or None (none yet, or a role that may not read it: only speed is lost)."""
    try:
        row = conn.execute("SELECT data FROM termcache WHERE name = ?", (name,)).fetchone()
    except Exception:  # noqa: BLE001 — a cache: sqlite3 and psycopg raise different errors, any means "none"
        return None
    return bytes(row[0]) if row else None


def save(conn: Conn, name: str, data: bytes) -> None:
    """Keep `data` under `name` (replacing what was there, and the older formats of the same cache: `terms.v5`
    once `terms.v6` is saved); inside the caller's write transaction."""
    family = name.rsplit(".v", 1)[0]
    conn.execute("DELETE FROM termcache WHERE name LIKE ? AND name <> ?", (f"{family}.v%", name))
    stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    conn.execute(
        "INSERT INTO termcache (name, saved_at, data) VALUES (?, ?, ?) "
        "ON CONFLICT (name) DO UPDATE SET saved_at = excluded.saved_at, data = excluded.data",
        (name, stamp, data),
    )
