"""Members cannot do through raw SQL what readlist does not let them: the search index, attachments, notes and
citation keys are guarded on PostgreSQL; attachments record who attached them; admins are per library

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07 15:10:00

Both backends: `attachment.added_by`, the member who attached a file (NULL for files attached before this
revision). On PostgreSQL (docs/team.md#who-may-change-what), for a caller who does not act for all
(`readlist_acts_for_all()`, migration 0010):
- `search_index`, `search_index_doc`: readlist rewrites an item's entry whenever any member tags or notes it,
  so members write these tables; but no transaction may end with an item that still exists missing its entry
  (a deferred constraint trigger), and rows are never updated in place (readlist deletes and inserts them).
  `DELETE FROM search_index` as a member is refused at commit; a wiped index no longer hides from `db check`.
- `attachment`: a file is recorded as attached by the caller (whatever the INSERT says); changing or removing
  one is refused unless the caller attached it.
- `note`: a member's note carries their own name, or no author only when it was imported from a file (it has a
  `source`); it is created now — the server's clock sets `created_at` and `updated_at`, so no note is
  backdated. Editing keeps its creation time, source and author (an imported note's editor becomes its author,
  as `note --edit` does).
- `item.citation_key`: once given, a key is fixed (exports and papers cite it); changing or clearing it is for
  admins. Giving a key to an item that has none stays open (readlist assigns keys as metadata arrives).
- `readlist_acts_for_all()`: the admins' role is per library, `<database>_readlist_admins` when the server has
  such a role, else (as before) the server-wide `readlist_admins`: members of a server-wide role were admins of
  every readlist library on the server.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

ADMINS = "readlist_admins"  # frozen as of this revision: the server-wide role of migration 0010
REFUSED = "42501"  # insufficient_privilege: what PostgreSQL itself raises for a missing grant
NOW = """to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')"""  # records.now_iso's form
INDEX_TABLES = ("search_index", "search_index_doc")


def _acts_for_all(schema: str, *, per_library: bool) -> str:
    """migration 0010's function; `per_library` adds the library's own admins' role, which replaces the
    server-wide one when it exists."""
    item = f"{schema}.item".replace("'", "''")
    admins = f"(SELECT a.oid FROM pg_roles a WHERE a.rolname = '{ADMINS}')"
    if per_library:
        admins = (
            f"coalesce((SELECT a.oid FROM pg_roles a WHERE a.rolname = current_database() || '_{ADMINS}'), {admins})"
        )
    return f"""
CREATE OR REPLACE FUNCTION readlist_acts_for_all() RETURNS boolean LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp AS $$
    SELECT r.rolsuper OR r.rolbypassrls
        OR pg_has_role(current_user, (SELECT c.relowner FROM pg_class c WHERE c.oid = '{item}'::regclass), 'MEMBER')
        OR coalesce(pg_has_role(current_user, {admins}, 'MEMBER'), false)
    FROM pg_roles r WHERE r.rolname = current_user
$$"""


def _admins_hint() -> str:
    return f"'ask an admin (a member of ' || current_database() || '_{ADMINS}, or the library''s owner)'"


def _guards(schema: str) -> list[str]:
    everyone = f"{schema}.readlist_acts_for_all()"
    hint = _admins_hint()
    return [
        f"""
CREATE FUNCTION readlist_index_kept() RETURNS trigger LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    kept boolean;
BEGIN
    IF {everyone} OR NOT EXISTS (SELECT 1 FROM {schema}.item WHERE id = OLD.item_id) THEN
        RETURN NULL;
    END IF;
    EXECUTE format('SELECT EXISTS (SELECT 1 FROM %I.%I WHERE item_id = $1)', TG_TABLE_SCHEMA, TG_TABLE_NAME)
        INTO kept USING OLD.item_id;
    IF NOT kept THEN
        RAISE EXCEPTION 'the search index is readlist''s own: #% would be left out of every member''s search',
            OLD.item_id
            USING ERRCODE = '{REFUSED}',
                  HINT = 'readlist keeps it in step with every write; ' || {hint} || ' to run readlist db reindex';
    END IF;
    RETURN NULL;
END
$$""",
        f"""
CREATE FUNCTION readlist_index_fixed() RETURNS trigger LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF NOT {everyone} THEN
        RAISE EXCEPTION 'the search index is readlist''s own: its rows are rewritten only by readlist (#%)',
            OLD.item_id
            USING ERRCODE = '{REFUSED}', HINT = {hint} || ' to run readlist db reindex';
    END IF;
    RETURN NEW;
END
$$""",
        f"""
CREATE FUNCTION readlist_attachment_guard() RETURNS trigger LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        IF NOT {everyone} OR NEW.added_by IS NULL THEN
            NEW.added_by := current_user::text;
        END IF;
        RETURN NEW;
    END IF;
    IF OLD.added_by IS DISTINCT FROM current_user::text AND NOT {everyone} THEN
        RAISE EXCEPTION 'this file on #% was attached by %: only they or an admin change or remove it',
            OLD.item_id, coalesce(OLD.added_by, 'someone before readlist recorded it')
            USING ERRCODE = '{REFUSED}', HINT = {hint};
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    IF NOT {everyone} THEN
        NEW.added_by := OLD.added_by;
    END IF;
    RETURN NEW;
END
$$""",
        f"""
CREATE FUNCTION readlist_note_stamp() RETURNS trigger LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF {everyone} THEN
        RETURN NEW;
    END IF;
    IF TG_OP = 'INSERT' THEN
        IF NEW.author IS NULL AND NEW.source IS NULL THEN
            RAISE EXCEPTION 'a note on #% needs its author: a member writes notes as themselves', NEW.item_id
                USING ERRCODE = '{REFUSED}',
                      HINT = 'notes without an author come only from importing a file (they name it)';
        END IF;
        NEW.created_at := {NOW};
    ELSE
        IF NEW.author IS DISTINCT FROM OLD.author
            AND NOT (OLD.author IS NULL AND NEW.author = current_user::text) THEN
            RAISE EXCEPTION 'a note''s author stays as it is (note % on #%)', OLD.id, OLD.item_id
                USING ERRCODE = '{REFUSED}', HINT = {hint};
        END IF;
        NEW.created_at := OLD.created_at;
        NEW.source := OLD.source;
    END IF;
    NEW.updated_at := {NOW};
    RETURN NEW;
END
$$""",
        f"""
CREATE FUNCTION readlist_citekey_guard() RETURNS trigger LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF OLD.citation_key IS NOT NULL AND NEW.citation_key IS DISTINCT FROM OLD.citation_key
        AND NOT {everyone} THEN
        RAISE EXCEPTION 'the citation key of #% (%) is fixed once given: only the library''s admins change it',
            OLD.id, OLD.citation_key
            USING ERRCODE = '{REFUSED}', HINT = {hint} || '; exports and papers already cite it';
    END IF;
    RETURN NEW;
END
$$""",
    ]


TRIGGERS = {
    "readlist_attachment_guard": "BEFORE INSERT OR UPDATE OR DELETE ON attachment FOR EACH ROW",
    "readlist_note_stamp": "BEFORE INSERT OR UPDATE ON note FOR EACH ROW",
    "readlist_citekey_guard": "BEFORE UPDATE OF citation_key ON item FOR EACH ROW",
}


def upgrade() -> None:
    with op.batch_alter_table("attachment", schema=None) as batch_op:
        batch_op.add_column(sa.Column("added_by", sa.String(), nullable=True))
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    op.execute('ALTER TABLE attachment ALTER COLUMN added_by TYPE varchar COLLATE "C"')  # as migration 0008's
    schema = bind.exec_driver_sql("SELECT quote_ident(current_schema())").scalar_one()
    op.execute(_acts_for_all(schema, per_library=True))
    for function in _guards(schema):
        op.execute(function)
    for table in INDEX_TABLES:
        op.execute(
            f"CREATE CONSTRAINT TRIGGER readlist_index_kept AFTER DELETE OR UPDATE OF item_id ON {table} "
            "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION readlist_index_kept()"
        )
        op.execute(
            f"CREATE TRIGGER readlist_index_fixed BEFORE UPDATE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION readlist_index_fixed()"
        )
    for name, when in TRIGGERS.items():
        op.execute(f"CREATE TRIGGER {name} {when} EXECUTE FUNCTION {name}()")


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        for name, when in TRIGGERS.items():
            op.execute(f"DROP TRIGGER {name} ON {when.split(' ON ', 1)[1].split()[0]}")
            op.execute(f"DROP FUNCTION {name}()")
        for table in INDEX_TABLES:
            op.execute(f"DROP TRIGGER readlist_index_kept ON {table}")
            op.execute(f"DROP TRIGGER readlist_index_fixed ON {table}")
        op.execute("DROP FUNCTION readlist_index_kept()")
        op.execute("DROP FUNCTION readlist_index_fixed()")
        schema = bind.exec_driver_sql("SELECT quote_ident(current_schema())").scalar_one()
        op.execute(_acts_for_all(schema, per_library=False))
    with op.batch_alter_table("attachment", schema=None) as batch_op:
        batch_op.drop_column("added_by")
