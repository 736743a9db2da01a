"""Indexes holding what search's filters read of an item (kind, initial status, year, dates published and added)
and of a member's reading of it (status, dates started and finished), in item order

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-07 20:00:00

A search with a filter (`kind:paper 稀疏 year:2025`, `status:reading gpu`) tests every match of its words
against the item: at 100k items a broad word has 17,000 matches, and each test read the item's whole row
(abstract and all, a page of its own): 23 ms for the count alone; a status filter also read the member's reading
row. Led by the item's id, these indexes answer the same test from narrow entries. SQLite's planner, having no
statistics, looks an id up in the table even when an index holds every column the query reads, so SQLite's search
names these indexes (search/fts.py). PostgreSQL gets the same indexes (one schema for both); its search does not
use them yet.
"""

from __future__ import annotations

from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None

ITEM = ["id", "kind", "initial_status", "year", "published", "added_at"]
READING = ["item_id", "member", "status", "started_at", "finished_at"]


def upgrade() -> None:
    op.create_index("ix_item_filters", "item", ITEM)
    op.create_index("ix_reading_filters", "reading", READING)


def downgrade() -> None:
    op.drop_index("ix_reading_filters", table_name="reading")
    op.drop_index("ix_item_filters", table_name="item")
