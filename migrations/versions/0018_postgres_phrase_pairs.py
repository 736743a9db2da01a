"""PostgreSQL: phrases found from an index of words and adjacent word pairs, and a narrow search_index table

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07 17:40:00

Nothing happens on SQLite (FTS5 keeps positions in its index). PostgreSQL's GIN index on `doc` keeps no
positions: every match of a phrase (`kv <-> cache`) was read from the table to check that its words are
adjacent, so counting 13,000 matches at 100k items read 13,000 vectors. `readlist_terms(doc)` is the item's
words plus one term per adjacent pair ("kv cach"), taken from the positions `doc` stores, so a two-word phrase
is one term of this index and a longer one needs only the items that have all its pairs read. The index is on
the expression: nothing is stored in the table and the write path does not change.

Counting a search's matches visits each match's row; a row held its vectors inline (1.5 KB), so 13,000 matches
visited 10,000 pages. The big vectors (`doc`, the abstract, notes, text) now live out of line
(toast_tuple_target 256) and the small ones a search ranks from (title, authors, tags) stay in the row (STORAGE
MAIN): at 100k items the table is 31 MB instead of 147. Rewriting the table and building the index read every
item once: several minutes at 100k items (10 on a loaded 2-core machine).
"""

from __future__ import annotations

from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

# A pair is "~first second": the parser never puts a space inside a lexeme, nor starts one with "~" (so a
# prefix query for a word, '量化':*, finds words only, not every pair that begins with it). Positions come from
# `doc` itself (capped and clamped as PostgreSQL stores them), so a pair is here exactly when `doc @@ 'a' <-> 'b'`.
TERMS = """
CREATE FUNCTION readlist_terms(v tsvector) RETURNS tsvector
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT array_to_tsvector(ARRAY(
    SELECT lexeme FROM unnest(v)
    UNION ALL
    SELECT DISTINCT '~' || a.lexeme || ' ' || b.lexeme
    FROM (SELECT lexeme, unnest(positions) AS p FROM unnest(v)) a
    JOIN (SELECT lexeme, unnest(positions) AS p FROM unnest(v)) b ON b.p = a.p + 1))
$$
"""


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(TERMS)
    op.execute("SET LOCAL maintenance_work_mem = '256MB'")
    small = ", ".join(f"ALTER COLUMN {c} SET STORAGE MAIN" for c in ("title", "authors", "tags"))
    op.execute(f"ALTER TABLE search_index SET (toast_tuple_target = 256), {small}")
    op.execute("CLUSTER search_index USING search_index_pkey")  # rewritten: the rows take the new storage
    op.execute("CREATE INDEX ix_search_index_terms ON search_index USING gin (readlist_terms(doc))")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP INDEX ix_search_index_terms")
    op.execute("DROP FUNCTION readlist_terms(tsvector)")
    small = ", ".join(f"ALTER COLUMN {c} SET STORAGE EXTENDED" for c in ("title", "authors", "tags"))
    op.execute(f"ALTER TABLE search_index RESET (toast_tuple_target), {small}")
