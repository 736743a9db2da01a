"""An index on what the queue reads of every item: its status and the date it was added

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07 06:35:00

`todo` shows the first 20 of the unread queue, oldest first. Without this index it read every unread item's
whole row (abstract and all) to sort them; with it, the unread items nobody has touched come in order from the
index, and full rows are read for the page shown only.
"""

from __future__ import annotations

from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_item_initial_status_added_at", "item", ["initial_status", "added_at"])


def downgrade() -> None:
    op.drop_index("ix_item_initial_status_added_at", table_name="item")
