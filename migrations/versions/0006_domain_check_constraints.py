"""CHECK constraints: the database refuses statuses, kinds, metadata states and link roles outside domain.py

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-22 07:40:00
"""

from __future__ import annotations

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

# Frozen copies of domain.py's lists as of this revision: a migration must not change when the code does.
STATUSES = ("inbox", "unread", "reading", "read", "skipped")
KINDS = ("paper", "article", "repo")
METADATA_STATUSES = ("none", "pending", "fetched", "not_found", "failed")
LINK_ROLES = ("code", "pdf", "project", "related")

# column → (allowed values, what an out-of-list value already in an old file becomes)
ITEM_CHECKS = {
    "status": (STATUSES, "unread"),
    "kind": (KINDS, "article"),
    "metadata_status": (METADATA_STATUSES, "none"),
}


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def upgrade() -> None:
    # Older versions accepted anything here (a JSONL import could store kind "banana"): repair before checking.
    for column, (values, fallback) in ITEM_CHECKS.items():
        op.execute(f"UPDATE item SET {column} = '{fallback}' WHERE NOT ({_in(column, values)})")
    op.execute(f"UPDATE link SET role = 'related' WHERE NOT ({_in('role', LINK_ROLES)})")
    with op.batch_alter_table("item", schema=None) as batch_op:
        for column, (values, _) in ITEM_CHECKS.items():
            batch_op.create_check_constraint(column, _in(column, values))
    with op.batch_alter_table("link", schema=None) as batch_op:
        batch_op.create_check_constraint("role", _in("role", LINK_ROLES))


def downgrade() -> None:
    with op.batch_alter_table("link", schema=None) as batch_op:
        batch_op.drop_constraint("ck_link_role", type_="check")
    with op.batch_alter_table("item", schema=None) as batch_op:
        for column in reversed(ITEM_CHECKS):
            batch_op.drop_constraint(f"ck_item_{column}", type_="check")
