"""search index v2: article text column, Chinese word tokens, contentless FTS with a compressed side table

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22 07:20:00
"""

from __future__ import annotations

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return  # FTS5 is SQLite's; PostgreSQL gets its tsvector index in 0008
    # Raw SQL: FTS5 tables are outside SQLAlchemy's model (tables named search_index* are excluded from
    # autogenerate). A new FTS column means a new table; db.py re-indexes every item after the upgrade.
    op.execute("DROP TABLE IF EXISTS search_index")
    op.execute(
        "CREATE VIRTUAL TABLE search_index USING fts5("
        "title, authors, tags, abstract, notes, text, venue, extra, "
        "content = '', tokenize = 'porter unicode61 remove_diacritics 2')"
    )
    # What each row indexed (zlib JSON): a contentless FTS5 table forgets a row only when told its values.
    op.execute(
        "CREATE TABLE search_index_doc ("
        "item_id INTEGER PRIMARY KEY, body BLOB NOT NULL)"  # no FK: a deleted item is forgotten after the fact
    )


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    op.execute("DROP TABLE search_index_doc")
    op.execute("DROP TABLE search_index")
    op.execute(
        "CREATE VIRTUAL TABLE search_index USING fts5("
        "title, authors, tags, abstract, notes, venue, "
        "tokenize = 'porter unicode61 remove_diacritics 2')"
    )
