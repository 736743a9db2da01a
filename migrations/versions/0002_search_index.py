"""search index: an FTS5 table, one row per item, kept in step by the write path

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-21 09:20:00
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return  # FTS5 is SQLite's; PostgreSQL gets its tsvector index in 0008
    # Raw SQL: FTS5 virtual tables are outside SQLAlchemy's model (and excluded from autogenerate in env.py).
    op.execute(
        "CREATE VIRTUAL TABLE search_index USING fts5("
        "title, authors, tags, abstract, notes, venue, "
        "tokenize = 'porter unicode61 remove_diacritics 2')"
    )
    # Existing items are indexed by `readlist db reindex`, which the upgrade path runs after migrating.


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    op.execute("DROP TABLE search_index")
