"""PostgreSQL: editing shared metadata is for the library's admins — an item another member added (once its
metadata was fetched) and a tag's name

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07 06:40:00

Nothing happens on SQLite (a file is one person's). On PostgreSQL (docs/team.md#who-may-change-what):
- `item`: what describes the work (title, authors, abstract, URL, venue, DOI, dates, kind, key …) is shared by
  every member once it is settled. A member changes it only on an item they added themselves, or while its
  metadata is unsettled (pending, failed or not found: a fetch fills it in, whoever runs it); otherwise a
  trigger refuses the change unless the caller acts for all (`readlist_acts_for_all()`, migration 0010: the
  owner, a superuser, members of `readlist_admins`). Per-library bookkeeping (citation key, details, the
  inbox score, the fetch time and state, the rating) stays open to members, as do their own readings, notes
  and tags on items.
- `tag`: a tag's name is everyone's (tags are shared across the team), so renaming a tag or merging it into
  another (UPDATE or DELETE of a `tag` row) is for admins only; adding and removing tags on items is not.
"""

from __future__ import annotations

from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

ADMINS = "readlist_admins"  # frozen as of this revision: the role docs/team.md's setup names
REFUSED = "42501"  # insufficient_privilege: what PostgreSQL itself raises for a missing grant
UNSETTLED = "('pending', 'failed', 'not_found')"  # nothing fetched yet: a fetch by any member fills it in
SHARED_FIELDS = (
    "kind",
    "key",
    "arxiv_id",
    "arxiv_version",
    "url",
    "title",
    "short_name",
    "authors",
    "abstract",
    "published",
    "updated",
    "venue",
    "doi",
    "comment",
    "affiliation",
    "primary_category",
    "categories",
    "year",
    "work_type",
    "site",
    "added_by",
)


def _item_guard(schema: str) -> str:
    changed = " OR ".join(f"NEW.{name}::text IS DISTINCT FROM OLD.{name}::text" for name in SHARED_FIELDS)
    return f"""
CREATE FUNCTION readlist_item_edit_guard() RETURNS trigger LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF ({changed} OR NEW.metadata_status IN {UNSETTLED})
        AND OLD.metadata_status NOT IN {UNSETTLED}
        AND OLD.added_by IS DISTINCT FROM current_user::text
        AND NOT {schema}.readlist_acts_for_all() THEN
        RAISE EXCEPTION 'only the library''s admins edit shared metadata (#% was added by %)',
            OLD.id, coalesce(OLD.added_by, 'an import')
            USING ERRCODE = '{REFUSED}',
                  HINT = 'ask an admin (a member of {ADMINS}, or the library''s owner) to edit it; '
                      || 'your own notes and tags on it are yours: readlist note ' || OLD.id || ' "…"';
    END IF;
    RETURN NEW;
END
$$"""


def _tag_guard(schema: str) -> str:
    return f"""
CREATE FUNCTION readlist_tag_guard() RETURNS trigger LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF NOT {schema}.readlist_acts_for_all() THEN
        RAISE EXCEPTION 'only the library''s admins rename or merge tags (tag % is shared by every member)',
            quote_literal(OLD.name)
            USING ERRCODE = '{REFUSED}',
                  HINT = 'ask an admin (a member of {ADMINS}, or the library''s owner); '
                      || 'you may still add and remove tags on items: readlist tag 1 +name -name';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END
$$"""


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    schema = bind.exec_driver_sql("SELECT quote_ident(current_schema())").scalar_one()
    op.execute(_item_guard(schema))
    op.execute(
        "CREATE TRIGGER readlist_item_edit_guard BEFORE UPDATE ON item "
        "FOR EACH ROW EXECUTE FUNCTION readlist_item_edit_guard()"
    )
    op.execute(_tag_guard(schema))
    op.execute(
        "CREATE TRIGGER readlist_tag_guard BEFORE UPDATE OF name, slug OR DELETE ON tag "
        "FOR EACH ROW EXECUTE FUNCTION readlist_tag_guard()"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP TRIGGER readlist_tag_guard ON tag")
    op.execute("DROP FUNCTION readlist_tag_guard()")
    op.execute("DROP TRIGGER readlist_item_edit_guard ON item")
    op.execute("DROP FUNCTION readlist_item_edit_guard()")
