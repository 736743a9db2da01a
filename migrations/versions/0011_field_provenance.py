"""field provenance: which of an item's fields a person set (theirs: no fetch or import replaces them) and which
were guessed (a title taken from a link's text: real metadata may replace it)

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 06:30:00

`item.provenance` is a JSON object, field name → "user" | "guess". Fields it does not name came from a source (or
their origin is unknown): an existing library starts with none marked, so nothing is claimed for the user that
readlist did not see them type.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("item", schema=None) as batch_op:
        batch_op.add_column(sa.Column("provenance", sa.JSON(), server_default="{}", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("item", schema=None) as batch_op:
        batch_op.drop_column("provenance")
