"""removals and key aliases: tags and notes the user took off an item, and the keys an item was known by

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06 20:15:21.571013
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

# Frozen copy of models.REMOVAL_KINDS as of this revision.
REMOVAL_KINDS = ("tag", "note source", "note text")


def upgrade() -> None:
    op.create_table(
        "keyalias",
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("item_key", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("added_at", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_keyalias")),
    )
    with op.batch_alter_table("keyalias", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_keyalias_item_key"), ["item_key"], unique=False)

    op.create_table(
        "removal",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("what", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("value", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("removed_at", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.CheckConstraint(f"what IN ({', '.join(repr(v) for v in REMOVAL_KINDS)})", name=op.f("ck_removal_what")),
        sa.ForeignKeyConstraint(["item_id"], ["item.id"], name=op.f("fk_removal_item_id_item"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_removal")),
    )
    with op.batch_alter_table("removal", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_removal_item_id"), ["item_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("removal", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_removal_item_id"))

    op.drop_table("removal")
    with op.batch_alter_table("keyalias", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_keyalias_item_key"))

    op.drop_table("keyalias")
