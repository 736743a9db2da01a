"""PostgreSQL: a weighted tsvector search index with a GIN index, and byte-wise text order as SQLite's

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-22 10:30:00

Nothing happens on SQLite (its FTS5 index comes from 0002/0005). On PostgreSQL:
- every text column compares and sorts byte-wise (COLLATE "C"), as SQLite's BINARY does: `ORDER BY key`,
  tag and source order, `lower()` and range scans give the same results on both backends;
- a text search configuration without stop words (English Snowball stems, like FTS5's porter; numbers kept);
- `search_index`: one row per item, one tsvector per FTS5 column (column qualifiers such as `title:` search
  one of them) and `doc`, all of them weighted, under a GIN index; `search_index_doc` keeps the indexed text
  (zlib) for snippets, exactly as on SQLite. Needs PostgreSQL 12+ (generated columns) and no superuser.
"""

from __future__ import annotations

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

# The FTS5 columns (search/index.py COLUMNS) and the weight class of each: A title, B tags and authors,
# C abstract and notes, D the article text, venue and other spellings. Frozen here as of this revision.
COLUMNS = {
    "title": "A",
    "authors": "B",
    "tags": "B",
    "abstract": "C",
    "notes": "C",
    "text": "D",
    "venue": "D",
    "extra": "D",
}
WORD_TYPES = "asciiword, word, numword, asciihword, hword, numhword, hword_asciipart, hword_part, hword_numpart"
NUMBER_TYPES = "int, uint, float, sfloat, version"


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    columns = op.get_bind().exec_driver_sql(
        "SELECT table_name, column_name FROM information_schema.columns "
        "WHERE table_schema = current_schema() AND data_type = 'character varying' "
        "AND table_name <> 'alembic_version' ORDER BY table_name, ordinal_position"
    )
    for table, column in columns.fetchall():
        op.execute(f'ALTER TABLE "{table}" ALTER COLUMN "{column}" TYPE varchar COLLATE "C"')
    op.execute("CREATE TEXT SEARCH DICTIONARY readlist_stem (TEMPLATE = snowball, Language = english)")
    op.execute("CREATE TEXT SEARCH CONFIGURATION readlist (PARSER = default)")
    op.execute(f"ALTER TEXT SEARCH CONFIGURATION readlist ADD MAPPING FOR {WORD_TYPES} WITH readlist_stem")
    op.execute(f"ALTER TEXT SEARCH CONFIGURATION readlist ADD MAPPING FOR {NUMBER_TYPES} WITH simple")
    vectors = ", ".join(f'"{name}" tsvector NOT NULL' for name in COLUMNS)
    doc = " || ".join(f"setweight(\"{name}\", '{weight}')" for name, weight in COLUMNS.items())
    op.execute(
        f"CREATE TABLE search_index (item_id integer PRIMARY KEY, {vectors}, "
        f"doc tsvector GENERATED ALWAYS AS ({doc}) STORED)"
    )
    op.execute("CREATE INDEX ix_search_index_doc ON search_index USING gin (doc)")
    op.execute("CREATE TABLE search_index_doc (item_id integer PRIMARY KEY, body bytea NOT NULL)")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP TABLE search_index_doc")
    op.execute("DROP TABLE search_index")
    op.execute("DROP TEXT SEARCH CONFIGURATION readlist")
    op.execute("DROP TEXT SEARCH DICTIONARY readlist_stem")
