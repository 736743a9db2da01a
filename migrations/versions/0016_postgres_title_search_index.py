"""PostgreSQL: a GIN index on the title vector, so a search finds its title matches from the index

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07 14:50:00

Nothing happens on SQLite (FTS5 answers a `title:` phrase from its own index). On PostgreSQL a search ranks its
title matches first; with only the `doc` index it read every match's row to test its title (13,000 rows for a
broad query at 100k items) before it could tell that the title matches fill the page. With this index the
title matches come from the two indexes together, and only they are read and ranked.
"""

from __future__ import annotations

from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("CREATE INDEX ix_search_index_title ON search_index USING gin (title)")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP INDEX ix_search_index_title")
