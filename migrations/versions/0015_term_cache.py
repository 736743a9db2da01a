"""The recommendation model's term counts kept in the library itself: one row per cache, a NumPy archive

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07 06:45:00

`inbox`, `similar` and `suggest` tokenise every item's text once and keep each item's term counts, keyed by a
hash of its text (an edit, a note or a tag changes the hash, so a write invalidates that item's counts). They
were kept in a pickle in the user's state directory: lost when the library moved, and never shared with the
team's other machines or the web server. In the database every process and machine reading the library finds
them. The data is an `.npz` archive read without pickle (a shared database must not run code on load).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "termcache",
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("saved_at", sa.String(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_termcache")),
    )


def downgrade() -> None:
    op.drop_table("termcache")
