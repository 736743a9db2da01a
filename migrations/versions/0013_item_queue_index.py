"""An index that covers what the queue and stats read of every item: status, kind and date added

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07 06:35:00

`todo` sorts every unread item to show 20 and `stats` counts every item by status, kind and month. Without an
index holding those columns, both read each item's whole row (abstract and all): at 10,000 items most of their
time. With it they read the narrow index, and `todo` then reads full rows for the page it shows only.
"""

from __future__ import annotations

from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_item_initial_status_kind_added_at", "item", ["initial_status", "kind", "added_at"])


def downgrade() -> None:
    op.drop_index("ix_item_initial_status_kind_added_at", table_name="item")
