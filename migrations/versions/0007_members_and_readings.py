"""members and per-member readings: status, priority and dates become each member's own; item numbers are never reused

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-22 09:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

# Frozen copy of domain.py's statuses as of this revision.
STATUSES = ("inbox", "unread", "reading", "read", "skipped")
READING_COLUMNS = ("status", "priority", "started_at", "finished_at")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def _owner() -> str:
    """Whose readings the old single-person columns were: the person upgrading their own library."""
    from readlist import config

    return config.user()


def upgrade() -> None:
    op.create_table(
        "member",
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("joined_at", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_member")),
    )
    op.create_table(
        "reading",
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("member", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("started_at", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("finished_at", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.CheckConstraint(_in("status", STATUSES), name=op.f("ck_reading_status")),
        sa.ForeignKeyConstraint(["item_id"], ["item.id"], name=op.f("fk_reading_item_id_item"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["member"], ["member.name"], name=op.f("fk_reading_member_member"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("item_id", "member", name=op.f("pk_reading")),
    )
    op.create_index("ix_reading_member_status", "reading", ["member", "status"], unique=False)

    bind = op.get_bind()
    touched = "status NOT IN ('unread', 'inbox') OR priority != 0 OR started_at IS NOT NULL OR finished_at IS NOT NULL"
    if bind.execute(sa.text(f"SELECT count(*) FROM item WHERE {touched}")).scalar():
        owner = _owner()
        stamp = sa.text("SELECT coalesce(min(added_at), '1970-01-01T00:00:00Z') FROM item")
        bind.execute(
            sa.text("INSERT INTO member (name, joined_at) VALUES (:name, :joined)"),
            {"name": owner, "joined": bind.execute(stamp).scalar()},
        )
        bind.execute(
            sa.text(
                "INSERT INTO reading (item_id, member, status, priority, started_at, finished_at, updated_at) "
                "SELECT id, :name, status, priority, started_at, finished_at, "
                f"coalesce(finished_at, started_at, added_at) FROM item WHERE {touched}"
            ),
            {"name": owner},
        )

    with op.batch_alter_table("item", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("initial_status", sqlmodel.sql.sqltypes.AutoString(), nullable=False, server_default="unread")
        )
    op.execute("UPDATE item SET initial_status = 'inbox' WHERE status = 'inbox'")
    # Rebuilt with AUTOINCREMENT on SQLite, so the number of a removed item is never given to a new one.
    # PostgreSQL's sequences never reuse a number anyway, and it alters columns in place (a rebuilt table
    # would have to drop the primary key every foreign key points at).
    recreate = "always" if bind.dialect.name == "sqlite" else "auto"
    with op.batch_alter_table(
        "item", schema=None, recreate=recreate, table_kwargs={"sqlite_autoincrement": True}
    ) as batch_op:
        batch_op.drop_constraint(op.f("ck_item_status"), type_="check")
        batch_op.drop_index("ix_item_status")
        for column in READING_COLUMNS:
            batch_op.drop_column(column)
        batch_op.create_check_constraint("initial_status", _in("initial_status", ("inbox", "unread")))


def downgrade() -> None:
    with op.batch_alter_table("item", schema=None, recreate="always") as batch_op:
        batch_op.drop_constraint(op.f("ck_item_initial_status"), type_="check")
        batch_op.add_column(
            sa.Column("status", sqlmodel.sql.sqltypes.AutoString(), nullable=False, server_default="unread")
        )
        batch_op.add_column(sa.Column("priority", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("started_at", sqlmodel.sql.sqltypes.AutoString(), nullable=True))
        batch_op.add_column(sa.Column("finished_at", sqlmodel.sql.sqltypes.AutoString(), nullable=True))
    op.execute("UPDATE item SET status = initial_status")
    with op.batch_alter_table("item", schema=None) as batch_op:
        batch_op.drop_column("initial_status")
        batch_op.create_index("ix_item_status", ["status"], unique=False)
        batch_op.create_check_constraint("status", _in("status", STATUSES))
    op.drop_index("ix_reading_member_status", table_name="reading")
    op.drop_table("reading")
    op.drop_table("member")
