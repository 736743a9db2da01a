"""PostgreSQL: members act only as themselves — row-level security on readings, notes and members; items are
removed only by the library's admins

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07 05:00:00

Nothing happens on SQLite (a file is one person's: whoever can write it can write all of it). On PostgreSQL the
member is the database role (`current_user`), and the database itself holds every member to it, whatever a
client sends (docs/team.md#who-may-change-what):
- `readlist_acts_for_all()`: true for the roles that may act for anyone — a superuser, a role with BYPASSRLS,
  the owner of the library's tables (who runs `readlist db init` and the migrations, imports team exports) and
  members of the role `readlist_admins` when the setup made one. Invoker's rights (it asks about the caller),
  with a fixed search_path so a member's own objects cannot stand in for the catalog's.
- `reading` and `member`: RLS. Everyone reads every row (a team sees each other's statuses); a row is inserted,
  changed or deleted only when it is the caller's own (`member`/`name` = current_user) or the caller acts for
  all. Another member's rows are invisible to UPDATE and DELETE (0 rows), and an INSERT … ON CONFLICT naming
  another member is refused.
- `note`: RLS lets a note be written only as the caller's own or anonymous (imported notes have no author), so
  authors cannot be forged; changing or removing another member's note is refused with an error naming its
  author by a trigger (a policy would only hide the row, and `note --edit` would then save nothing silently).
- `item`: removing one is refused by a trigger unless the caller acts for all (a row's removal cascades to every
  member's readings and notes). Cascades run as the table owner, so an admin's `rm` still takes them along.
The table owner is not subject to RLS (no FORCE): migrations, `db copy` and `db reindex` by the owner work as
before.
"""

from __future__ import annotations

from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

ADMINS = "readlist_admins"  # frozen as of this revision: the role docs/team.md's setup names
REFUSED = "42501"  # insufficient_privilege: what PostgreSQL itself raises for a missing grant


def _acts_for_all(schema: str) -> str:
    item = f"{schema}.item".replace("'", "''")
    return f"""
CREATE FUNCTION readlist_acts_for_all() RETURNS boolean LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp AS $$
    SELECT r.rolsuper OR r.rolbypassrls
        OR pg_has_role(current_user, (SELECT c.relowner FROM pg_class c WHERE c.oid = '{item}'::regclass), 'MEMBER')
        OR EXISTS (SELECT 1 FROM pg_roles a WHERE a.rolname = '{ADMINS}' AND pg_has_role(current_user, a.oid, 'MEMBER'))
    FROM pg_roles r WHERE r.rolname = current_user
$$"""


NOTE_GUARD = f"""
CREATE FUNCTION readlist_note_guard() RETURNS trigger LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF OLD.author IS NOT NULL AND OLD.author <> current_user::text AND NOT {{schema}}.readlist_acts_for_all() THEN
        RAISE EXCEPTION 'this note on #% is %''s: only its author changes or removes it',
            OLD.item_id, OLD.author
            USING ERRCODE = '{REFUSED}',
                  HINT = 'add a note of your own: readlist note ' || OLD.item_id || ' "…"';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END
$$"""

ITEM_GUARD = f"""
CREATE FUNCTION readlist_item_guard() RETURNS trigger LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF NOT {{schema}}.readlist_acts_for_all() THEN
        RAISE EXCEPTION 'only the library''s admins remove items (#% is shared by every member)', OLD.id
            USING ERRCODE = '{REFUSED}',
                  HINT = 'ask an admin (a member of {ADMINS}, or the library''s owner) to remove it';
    END IF;
    RETURN OLD;
END
$$"""

# table -> the column naming whose row it is
OWN_ROWS = {"reading": "member", "member": "name"}


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    schema = bind.exec_driver_sql("SELECT quote_ident(current_schema())").scalar_one()
    op.execute(_acts_for_all(schema))
    mine = f"{schema}.readlist_acts_for_all()"
    for table, column in OWN_ROWS.items():
        own = f"({column} = current_user::text OR {mine})"
        op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        op.execute(f"CREATE POLICY readlist_{table}_read ON {table} FOR SELECT USING (true)")
        op.execute(f"CREATE POLICY readlist_{table}_add ON {table} FOR INSERT WITH CHECK {own}")
        op.execute(f"CREATE POLICY readlist_{table}_change ON {table} FOR UPDATE USING {own} WITH CHECK {own}")
        op.execute(f"CREATE POLICY readlist_{table}_remove ON {table} FOR DELETE USING {own}")

    authored = f"(author IS NULL OR author = current_user::text OR {mine})"
    op.execute("ALTER TABLE note ENABLE ROW LEVEL SECURITY")
    op.execute("CREATE POLICY readlist_note_read ON note FOR SELECT USING (true)")
    op.execute(f"CREATE POLICY readlist_note_add ON note FOR INSERT WITH CHECK {authored}")
    op.execute(f"CREATE POLICY readlist_note_change ON note FOR UPDATE USING (true) WITH CHECK {authored}")
    op.execute("CREATE POLICY readlist_note_remove ON note FOR DELETE USING (true)")  # the trigger decides
    op.execute(NOTE_GUARD.format(schema=schema))
    op.execute(
        "CREATE TRIGGER readlist_note_guard BEFORE UPDATE OR DELETE ON note "
        "FOR EACH ROW EXECUTE FUNCTION readlist_note_guard()"
    )
    op.execute(ITEM_GUARD.format(schema=schema))
    op.execute(
        "CREATE TRIGGER readlist_item_guard BEFORE DELETE ON item FOR EACH ROW EXECUTE FUNCTION readlist_item_guard()"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP TRIGGER readlist_item_guard ON item")
    op.execute("DROP FUNCTION readlist_item_guard()")
    op.execute("DROP TRIGGER readlist_note_guard ON note")
    op.execute("DROP FUNCTION readlist_note_guard()")
    for table in (*OWN_ROWS, "note"):
        for action in ("read", "add", "change", "remove"):
            op.execute(f"DROP POLICY readlist_{table}_{action} ON {table}")
        op.execute(f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY")
    op.execute("DROP FUNCTION readlist_acts_for_all()")
