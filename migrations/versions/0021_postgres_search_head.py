"""PostgreSQL: each item's title, authors and tags kept weighted in one vector, the part of `doc` a search bounds
every match's rank from

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-07 23:15:00

Nothing happens on SQLite. A search on PostgreSQL gives each match of the tiers that can fill its page a ceiling on
its rank: ts_rank over `setweight(title, 'A') || setweight(authors, 'B') || setweight(tags, 'B')`, plus a bound for
the rest of the item. Building that vector was about 40% of the ceiling's cost, paid per match and per search
(13,555 matches for `kv cache` at 100,000 items, 18,882 for `RL`). `head` is that vector, generated and stored in
the row (STORAGE MAIN: small, and never moved out of line, as the title, authors and tags are not). Adding it
rewrites `search_index` and rebuilds its indexes: minutes at 100,000 items.
"""

from __future__ import annotations

from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None

HEAD = "setweight(title, 'A') || setweight(authors, 'B') || setweight(tags, 'B')"  # search/fts_pg.py reads it


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("SET LOCAL maintenance_work_mem = '256MB'")
    # One statement: the rewrite stores the new column with the storage it is given here.
    op.execute(
        f"ALTER TABLE search_index ADD COLUMN head tsvector GENERATED ALWAYS AS ({HEAD}) STORED, "
        "ALTER COLUMN head SET STORAGE MAIN"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("ALTER TABLE search_index DROP COLUMN head")
