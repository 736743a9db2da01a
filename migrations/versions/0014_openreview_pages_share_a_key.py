"""OpenReview pages of one paper share one key: items keyed by `pdf?id=X` (or `attachment`, `revisions`,
`references`) are keyed by `forum?id=X`, as readlist now keys every such link

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07 06:40:00

Without this, a library made before the change would not find its `pdf?id=X` item by that link any more, and
importing the same notes again would add the paper a second time. The old key stays as an alias (a draft or a
lookup that still carries it finds the item), and a removed item's tombstone moves with it so a re-import does
not bring it back. When the library already holds the forum page as another item, both stay as they are.
"""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import parse_qsl, quote, urlsplit

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

# Frozen copy of ids.SAME_PAGE["openreview.net"] as of this revision.
PREFIX = "url:https://openreview.net/"
PATHS = frozenset({"/pdf", "/attachment", "/revisions", "/references"})
FORUM = "url:https://openreview.net/forum?id={}"


def forum_key(key: str) -> str | None:
    """`url:https://openreview.net/pdf?id=X` → `url:https://openreview.net/forum?id=X`, else None."""
    parts = urlsplit(key.removeprefix("url:"))
    value = dict(parse_qsl(parts.query)).get("id", "").strip()
    return FORUM.format(quote(value, safe="")) if parts.path.rstrip("/") in PATHS and value else None


def _moves(conn: sa.Connection, table: str) -> list[tuple[str, str]]:
    rows = conn.execute(sa.text(f"SELECT key FROM {table} WHERE key LIKE :p"), {"p": PREFIX + "%"}).fetchall()
    return [(str(r[0]), new) for r in rows if (new := forum_key(str(r[0]))) is not None]


def upgrade() -> None:
    conn = op.get_bind()
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    taken = {str(r[0]) for r in conn.execute(sa.text("SELECT key FROM item WHERE key LIKE :p"), {"p": PREFIX + "%"})}
    for old, new in _moves(conn, "item"):
        if new in taken:
            continue
        taken.add(new)
        conn.execute(sa.text("UPDATE item SET key = :new WHERE key = :old"), {"new": new, "old": old})
        conn.execute(sa.text("UPDATE keyalias SET item_key = :new WHERE item_key = :old"), {"new": new, "old": old})
        conn.execute(sa.text("DELETE FROM keyalias WHERE key = :old"), {"old": old})
        conn.execute(
            sa.text("INSERT INTO keyalias (key, item_key, added_at) VALUES (:old, :new, :now)"),
            {"old": old, "new": new, "now": now},
        )
    tombstones = {
        str(r[0]) for r in conn.execute(sa.text("SELECT key FROM tombstone WHERE key LIKE :p"), {"p": PREFIX + "%"})
    }
    for old, new in _moves(conn, "tombstone"):
        if new not in tombstones and new not in taken:
            tombstones.add(new)
            conn.execute(sa.text("UPDATE tombstone SET key = :new WHERE key = :old"), {"new": new, "old": old})


def downgrade() -> None:
    """Keys stay as they are: the forum key names the same paper, and the aliases still find it."""
