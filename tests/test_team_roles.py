"""A team library on PostgreSQL keeps members apart (issue 26): each member is a database role of their own, with
docs/team.md's grants, and changes only their own readings and notes — whatever READLIST_USER says, and also
through raw SQL; removing items (migration 0010), editing an item another member added and renaming tags
(migration 0012) are for the library's admins."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest
from psycopg import errors as pg_errors

from readlist.location import PostgresUrl
from readlist.store import db as readlist_db
from tests.conftest import Run, database_url, empty_postgres

ADMINS = "readlist_admins"  # the role name migration 0010 asks about (cluster-wide: shared, so taken under a lock)
ADMINS_LOCK = 0x726C61646D696E73


@dataclass
class Team:
    owner: PostgresUrl  # the library's owner (here the test server's superuser)
    names: dict[str, str]  # alice, bob, carol → this run's role names
    group: str = ""  # their members' group

    def url(self, who: str) -> str:
        parts = urlsplit(self.owner.url)
        return urlunsplit(parts._replace(netloc=f"{self.names[who]}@{parts.hostname}:{parts.port or 5432}"))

    def sql(self, who: str) -> psycopg.Connection[Any]:
        return psycopg.connect(PostgresUrl(self.url(who)).libpq, autocommit=True)

    def owner_sql(self) -> psycopg.Connection[Any]:
        return psycopg.connect(self.owner.libpq, autocommit=True)


def _grants() -> str:
    """The members' SQL block of docs/team.md, as the admin runs it."""
    page = (Path(__file__).resolve().parents[1] / "docs" / "team.md").read_text(encoding="utf-8")
    return page.split("```sql\n", 1)[1].split("```", 1)[0]


@pytest.fixture(scope="module")
def team(postgres_server: Any) -> Iterator[Team]:
    """A migrated library of this run's own and three LOGIN roles in its members' group, with the documented
    grants; all dropped afterwards."""
    suffix = f"{os.getpid()}"
    group = f"rl_members_{suffix}"
    names = {who: f"rl_{who}_{suffix}" for who in ("alice", "bob", "carol")}
    database = f"readlist_roles_{suffix}"
    postgres_server.execute(f'DROP DATABASE IF EXISTS "{database}"')
    postgres_server.execute(f'CREATE DATABASE "{database}"')
    owner = PostgresUrl(database_url(database))
    try:
        readlist_db.ensure_schema(owner)
        sql = _grants().replace("readlist_members", group).replace("DATABASE papers", f'DATABASE "{database}"')
        statements = [s.strip() for s in sql.split(";")]
        with psycopg.connect(owner.libpq, autocommit=True) as conn:
            for statement in statements:
                lines = [line for line in statement.splitlines() if not line.lstrip().startswith("--")]
                text = "\n".join(lines).strip()
                if not text:
                    continue
                if "alice" in text and text.startswith("CREATE ROLE"):
                    for name in names.values():
                        conn.execute(text.replace("alice", name))
                else:
                    conn.execute(text)
        yield Team(owner, names, group)
    finally:
        postgres_server.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        for name in names.values():
            postgres_server.execute(f'DROP ROLE IF EXISTS "{name}"')
        postgres_server.execute(f'DROP ROLE IF EXISTS "{group}"')


@pytest.fixture
def lib(team: Team, run: Run) -> Team:
    """The team library emptied, with one item alice reads and notes."""
    empty_postgres(team.owner)
    alice = _as(run, team, "alice")
    assert alice("add", "2408.11743", "--no-fetch").code == 0
    assert alice("done", "1").code == 0
    assert alice("note", "1", "alice thinks so").code == 0
    return team


def _as(run: Run, team: Team, who: str, user: str | None = None) -> Any:
    """readlist run as `who`'s database role, READLIST_USER naming `user` (default: the same member)."""

    def _run(*args: str, env: dict[str, str] | None = None) -> Any:
        chosen = team.names[user or who] if (user or who) in team.names else str(user)
        return run("--db", team.url(who), *args, env={"READLIST_USER": chosen, **(env or {})})

    return _run


@contextmanager
def _admin(postgres_server: Any, role: str) -> Iterator[None]:
    """`role` a member of readlist_admins for the block (the cluster-wide role made if missing, under a lock)."""
    postgres_server.execute("SELECT pg_advisory_lock(%s)", (ADMINS_LOCK,))
    made = False
    try:
        if postgres_server.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (ADMINS,)).fetchone() is None:
            postgres_server.execute(f"CREATE ROLE {ADMINS} NOLOGIN")
            made = True
        postgres_server.execute(f'GRANT {ADMINS} TO "{role}"')
        yield
    finally:
        postgres_server.execute(f'REVOKE {ADMINS} FROM "{role}"')
        if made:
            postgres_server.execute(f"DROP ROLE {ADMINS}")
        postgres_server.execute("SELECT pg_advisory_unlock(%s)", (ADMINS_LOCK,))


def _alice_state(team: Team) -> tuple[str, list[tuple[str, str]]]:
    with team.owner_sql() as conn:
        status = conn.execute("SELECT status FROM reading WHERE member = %s", (team.names["alice"],)).fetchone()
        notes = conn.execute("SELECT body, author FROM note ORDER BY id").fetchall()
    assert status is not None
    return str(status[0]), [(str(b), str(a)) for b, a in notes]


def test_a_member_cannot_change_another_members_status_even_naming_them(run: Run, lib: Team) -> None:
    before = _alice_state(lib)
    forged = _as(run, lib, "bob", user="alice")("start", "1")
    assert forged.code == 1, forged
    first = forged.err.splitlines()[0]
    assert lib.names["bob"] in first and lib.names["alice"] in first, forged
    assert forged.err.splitlines()[1].startswith(f"hint: set READLIST_USER={lib.names['bob']}")
    assert _alice_state(lib) == before
    # bob's own status is his alone, and leaves alice's as it was
    assert _as(run, lib, "bob")("start", "1").code == 0
    assert _alice_state(lib) == before
    with lib.owner_sql() as conn:
        assert conn.execute("SELECT status FROM reading WHERE member = %s", (lib.names["bob"],)).fetchone() == (
            "reading",
        )


def test_a_member_cannot_remove_or_rewrite_another_members_note(run: Run, lib: Team, tmp_path: Path) -> None:
    before = _alice_state(lib)
    bob = _as(run, lib, "bob")
    removed = bob("note", "1", "--rm", "1")
    assert removed.code == 1 and "only its author" in removed.err.splitlines()[0], removed
    assert removed.err.splitlines()[1].startswith("hint: ") and len(removed.err.splitlines()) == 2
    editor = tmp_path / "editor.py"
    editor.write_text("import pathlib, sys\npathlib.Path(sys.argv[1]).write_text('bob was here')\n")
    edited = bob("note", "1", "--edit", "1", env={"EDITOR": f"{sys.executable} {editor}", "VISUAL": ""})
    assert edited.code == 1 and "only its author" in edited.err, edited
    assert _alice_state(lib) == before  # text and author as alice left them
    # bob's own note: added, edited and removed by him
    assert bob("note", "1", "bob's take").code == 0
    assert bob("note", "1", "--edit", "2", env={"EDITOR": f"{sys.executable} {editor}", "VISUAL": ""}).code == 0
    assert _alice_state(lib)[1] == [*before[1], ("bob was here", lib.names["bob"])]
    assert bob("note", "1", "--rm", "2").code == 0
    assert _alice_state(lib) == before


def test_a_member_importing_another_members_readings_is_refused_in_one_line(run: Run, lib: Team) -> None:
    assert run("add", "2401.00001", "--no-fetch", env={"READLIST_USER": "zed"}).code == 0  # a personal file
    assert run("done", "1", env={"READLIST_USER": "zed"}).code == 0
    export = run("export", "--format", "jsonl")
    assert export.code == 0, export
    (path := Path(os.environ["READLIST_DB"]).with_name("zed.jsonl")).write_text(export.out, encoding="utf-8")
    before = _alice_state(lib)
    refused = _as(run, lib, "bob")("import", str(path))
    lines = refused.err.splitlines()
    assert refused.code == 1 and len(lines) == 2 and "only their own" in lines[0], refused
    assert lines[1].startswith("hint: ") and ADMINS in lines[1]
    with lib.owner_sql() as conn:  # one transaction: nothing of the import was kept
        assert conn.execute("SELECT count(*) FROM item").fetchone() == (1,)
    assert _alice_state(lib) == before


def test_raw_sql_as_a_member_touches_only_their_own_rows(run: Run, lib: Team) -> None:
    before = _alice_state(lib)
    alice, bob = lib.names["alice"], lib.names["bob"]
    with lib.sql("bob") as conn:
        assert conn.execute("UPDATE reading SET status = 'unread' WHERE member = %s", (alice,)).rowcount == 0
        assert conn.execute("DELETE FROM reading WHERE member = %s", (alice,)).rowcount == 0
        assert conn.execute("SELECT count(*) FROM reading").fetchone() == (1,)  # but he sees it: a team
        refused = [
            "INSERT INTO reading (item_id, member, status, priority, updated_at) VALUES (1, %s, 'read', 0, 'x')",
            "INSERT INTO note (item_id, body, created_at, updated_at, author) VALUES (1, 'forged', 'x', 'x', %s)",
            "UPDATE note SET body = 'rewritten' WHERE author = %s",
            "UPDATE note SET author = %s",
            "DELETE FROM note WHERE author = %s",
            "INSERT INTO member (name, joined_at) VALUES (%s || '2', 'x')",
        ]
        for statement in refused:
            with pytest.raises(pg_errors.InsufficientPrivilege):
                conn.execute(statement, (alice,))
        with pytest.raises(pg_errors.InsufficientPrivilege, match="only the library's admins"):
            conn.execute("DELETE FROM item")
        conn.execute("INSERT INTO member (name, joined_at) VALUES (%s, 'x')", (bob,))  # his own rows: fine
        conn.execute(
            "INSERT INTO reading (item_id, member, status, priority, updated_at) VALUES (1, %s, 'read', 0, 'x')",
            (bob,),
        )
        assert conn.execute("UPDATE reading SET status = 'unread' WHERE item_id = 1").rowcount == 1
    assert _alice_state(lib) == before


def test_only_the_librarys_admins_remove_items(run: Run, lib: Team, postgres_server: Any) -> None:
    bob = _as(run, lib, "bob")
    refused = bob("rm", "1", "--yes")
    assert refused.code == 1 and "only the library's admins" in refused.err.splitlines()[0], refused
    assert ADMINS in refused.err.splitlines()[1]
    assert bob("show", "1").code == 0  # still there, alice's reading and note with it
    with _admin(postgres_server, lib.names["carol"]):
        removed = _as(run, lib, "carol")("rm", "1", "--yes")
    assert removed.code == 0, removed
    with lib.owner_sql() as conn:
        assert conn.execute("SELECT count(*) FROM item").fetchone() == (0,)
        assert conn.execute("SELECT count(*) FROM note").fetchone() == (0,)  # cascaded for everyone


def test_the_owner_still_writes_for_any_member(run: Run, lib: Team) -> None:
    """The owner (who ran db init) is the admin: a team export's readings import as theirs, as before."""
    result = run("--db", lib.owner.url, "status", "1", "reading", env={"READLIST_USER": lib.names["alice"]})
    assert result.code == 0, result
    assert _alice_state(lib)[0] == "reading"


def _item(team: Team, item_id: int = 1) -> tuple[str, str | None]:
    with team.owner_sql() as conn:
        row = conn.execute("SELECT title, venue FROM item WHERE id = %s", (item_id,)).fetchone()
    assert row is not None
    return str(row[0]), row[1]


def test_only_admins_and_the_adder_edit_an_items_shared_metadata(run: Run, lib: Team, postgres_server: Any) -> None:
    with lib.owner_sql() as conn:  # alice's item, its metadata settled (as a fetch leaves it)
        conn.execute("UPDATE item SET metadata_status = 'fetched', title = 'Marlin' WHERE id = 1")
    bob = _as(run, lib, "bob")
    refused = bob("edit", "1", "--title", "bob's title")
    lines = refused.err.splitlines()
    assert refused.code == 1 and len(lines) == 2 and "only the library's admins edit shared metadata" in lines[0]
    assert lib.names["alice"] in lines[0] and ADMINS in lines[1], refused
    assert bob("edit", "1", "--venue", "bob's venue", "--url", "2401.00001").code == 1
    assert _item(lib) == ("Marlin", None)
    with lib.sql("bob") as conn:
        with pytest.raises(pg_errors.InsufficientPrivilege, match="shared metadata"):
            conn.execute("UPDATE item SET abstract = 'rewritten'")
        with pytest.raises(pg_errors.InsufficientPrivilege):
            conn.execute("UPDATE item SET metadata_status = 'pending'")  # no way round it by reopening the fetch
    # what stays a member's own: priority (their reading), notes, tags on items, items they add and edit
    assert bob("edit", "1", "--priority", "3").code == 0
    assert bob("note", "1", "bob reads it").code == 0
    assert bob("tag", "1", "+kernels").code == 0
    assert bob("add", "2401.00002", "--no-fetch").code == 0
    assert bob("edit", "2", "--title", "bob's own paper").code == 0
    assert _item(lib, 2)[0] == "bob's own paper"
    # the adder, the owner and an admin may
    assert _as(run, lib, "alice")("edit", "1", "--title", "Marlin (alice)").code == 0
    assert _item(lib)[0] == "Marlin (alice)"
    with _admin(postgres_server, lib.names["carol"]):
        assert _as(run, lib, "carol")("edit", "1", "--venue", "PPoPP").code == 0
    assert _item(lib) == ("Marlin (alice)", "PPoPP")


def test_only_admins_rename_or_merge_a_tag_everyone_shares(run: Run, lib: Team, postgres_server: Any) -> None:
    alice, bob = _as(run, lib, "alice"), _as(run, lib, "bob")
    assert alice("tag", "1", "+quant").code == 0
    assert bob("add", "2401.00002", "--no-fetch").code == 0
    assert bob("tag", "2", "+kernels", "+quant").code == 0
    for args in (("tags", "--rename", "quant", "quantization"), ("tags", "--rename", "quant", "kernels")):
        refused = bob(*args)
        lines = refused.err.splitlines()
        assert refused.code == 1 and len(lines) == 2 and "only the library's admins rename" in lines[0], refused
    assert bob("tag", "2", "-quant").code == 0  # taking a tag off an item stays every member's
    with lib.owner_sql() as conn:
        assert {r[0] for r in conn.execute("SELECT name FROM tag")} == {"quant", "kernels"}
    with _admin(postgres_server, lib.names["carol"]):
        assert _as(run, lib, "carol")("tags", "--rename", "quant", "kernels").code == 0
    with lib.owner_sql() as conn:
        assert {r[0] for r in conn.execute("SELECT name FROM tag")} == {"kernels"}


def test_raw_sql_as_a_member_cannot_empty_the_search_take_files_forge_notes_or_change_cited_keys(
    run: Run, lib: Team
) -> None:
    alice, bob = lib.names["alice"], lib.names["bob"]
    with lib.owner_sql() as conn:
        conn.execute("UPDATE item SET citation_key = 'frantar2024marlin' WHERE id = 1")
    with lib.sql("alice") as conn:  # recorded as alice's, whatever the row says
        conn.execute(
            "INSERT INTO attachment (item_id, path, kind, added_at, added_by) "
            "VALUES (1, '/papers/marlin.pdf', 'pdf', 'x', %s)",
            (bob,),
        )
    backdated = "'2020-01-01T00:00:00Z', '2020-01-01T00:00:00Z'"
    with lib.sql("bob") as conn:
        refused = [
            "DELETE FROM search_index",
            "DELETE FROM search_index_doc",
            "UPDATE search_index SET title = ''",
            "DELETE FROM attachment",
            "UPDATE attachment SET path = '/etc/passwd'",
            f"INSERT INTO note (item_id, author, body, created_at, updated_at) VALUES (1, NULL, 'x', {backdated})",
            "UPDATE item SET citation_key = 'x'",
            "UPDATE item SET citation_key = NULL",
        ]
        for statement in refused:
            with pytest.raises(pg_errors.InsufficientPrivilege):
                conn.execute(statement)
        mine = conn.execute(
            f"INSERT INTO note (item_id, author, body, created_at, updated_at) VALUES (1, %s, 'mine', {backdated}) "
            "RETURNING id, created_at",
            (bob,),
        ).fetchone()
        assert mine is not None and not str(mine[1]).startswith("2020")  # created now: the server's clock
        conn.execute("UPDATE note SET created_at = '2020-01-01T00:00:00Z' WHERE id = %s", (mine[0],))
        with pytest.raises(pg_errors.InsufficientPrivilege):
            conn.execute("UPDATE note SET author = NULL WHERE id = %s", (mine[0],))  # not made anyone's to edit
        conn.execute(  # a file's imported note keeps no author, and is stamped now too
            f"INSERT INTO note (item_id, author, body, source, created_at, updated_at) "
            f"VALUES (1, NULL, 'imported', 'notes.md#Marlin', {backdated})"
        )
    with lib.owner_sql() as conn:
        assert conn.execute("SELECT count(*) FROM search_index").fetchone() == (1,)
        assert conn.execute("SELECT count(*) FROM search_index_doc").fetchone() == (1,)
        assert conn.execute("SELECT path, added_by FROM attachment").fetchall() == [("/papers/marlin.pdf", alice)]
        assert conn.execute("SELECT citation_key FROM item").fetchone() == ("frantar2024marlin",)
        dates = [
            str(r[0]) for r in conn.execute("SELECT created_at FROM note WHERE author IS DISTINCT FROM %s", (alice,))
        ]
        assert len(dates) == 2 and not any(d.startswith("2020") for d in dates)
    check = _as(run, lib, "bob")("db", "check", "--json")
    assert check.code == 0 and check.json()["ok"], check
    with lib.sql("alice") as conn:  # whoever attached a file removes it
        assert conn.execute("DELETE FROM attachment").rowcount == 1


def test_db_check_finds_an_emptied_search_index(run: Run, lib: Team) -> None:
    with lib.owner_sql() as conn:  # the owner may (db reindex does): db check must see it
        conn.execute("DELETE FROM search_index")
    check = run("db", "check", "--db", lib.owner.url, "--json")
    assert not check.json()["ok"], check
    assert "0 of 1 items" in " ".join(check.json()["problems"])


def test_fetch_all_as_a_member_fetches_what_they_may_change_and_skips_the_rest(
    run: Run, lib: Team, arxiv_server: Any
) -> None:
    with lib.owner_sql() as conn:  # alice's #1 is settled: refreshing it is an admin's
        conn.execute("UPDATE item SET metadata_status = 'fetched', title = 'Marlin' WHERE id = 1")
    assert _as(run, lib, "alice")("add", "2410.02367", "--no-fetch").code == 0  # pending: anyone fills it in
    bob = _as(run, lib, "bob")
    assert bob("add", "2401.00002", "--no-fetch").code == 0
    for arxiv_id in ("2408.11743", "2410.02367", "2401.00002"):
        arxiv_server.add(arxiv_id, title=f"Fetched {arxiv_id}")
    fetched = bob("fetch", "--all")
    assert fetched.code == 0, fetched
    assert "skipped 1 item(s) others added; an admin can refresh them" in fetched.out
    with lib.owner_sql() as conn:
        rows = conn.execute("SELECT id, title, metadata_status FROM item ORDER BY id").fetchall()
    assert rows == [
        (1, "Marlin", "fetched"),
        (2, "Fetched 2410.02367", "fetched"),
        (3, "Fetched 2401.00002", "fetched"),
    ]


def test_a_member_meeting_an_older_schema_is_told_once_and_reads_on(run: Run, lib: Team, tmp_path: Path) -> None:
    from alembic import command
    from alembic.config import Config

    from readlist.store.backends.base import known_revisions
    from readlist.store.db import migrations_dir
    from tests.pdf_fixtures import make_pdf

    cfg = Config()
    cfg.set_main_option("script_location", str(migrations_dir()))
    cfg.set_main_option("sqlalchemy.url", lib.owner.sqlalchemy.replace("%", "%%"))
    older, head = "0016", known_revisions()[-1]  # 0017 added what attaching a file needs
    command.downgrade(cfg, older)
    try:
        bob = _as(run, lib, "bob")
        said = f"the library's schema is older than this readlist ({older} < {head}); ask its admin to run "
        for args in (("list",), ("show", "1")):
            read = bob(*args)
            assert read.code == 0 and read.err == f"warning: {said}`readlist db init`\n", read
        check = bob("db", "check")
        assert check.code == 1 and "ask its admin" in check.out + check.err, check
        assert "any readlist command upgrades" not in check.out + check.err
        init = bob("db", "init")
        assert init.code == 1 and init.err.startswith(f"error: {said}"), init
        pdf = make_pdf(tmp_path / "2401.00003v1.pdf", "a paper")  # attaching needs the newer schema
        needs = bob("add", str(pdf), "--no-fetch")
        assert needs.code == 1 and f"error: {said}" in needs.err and "must be owner" not in needs.err, needs
        with lib.owner_sql() as conn:  # nothing half-upgraded
            assert conn.execute("SELECT version_num FROM alembic_version").fetchone() == (older,)
    finally:
        command.upgrade(cfg, "head")
        with lib.owner_sql() as conn:  # tables the upgrade made again need the members' grants again
            conn.execute(f'GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO "{lib.group}"')
            conn.execute(f'GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO "{lib.group}"')


def test_a_members_backup_says_an_admin_must_back_up(run: Run, lib: Team, tmp_path: Path) -> None:
    import shutil

    if not shutil.which("pg_dump"):
        pytest.skip("pg_dump is not installed")
    made = _as(run, lib, "bob")("db", "backup", "--to", str(tmp_path))
    assert made.code == 0, made
    warning = made.err.splitlines()
    assert len(warning) == 1 and "cannot read other members' rows" in warning[0] and "an admin" in warning[0], made


def test_a_library_with_its_own_admins_role_ignores_the_server_wide_one(
    run: Run, lib: Team, postgres_server: Any
) -> None:
    own = f"{lib.owner.database}_{ADMINS}"
    postgres_server.execute(f'CREATE ROLE "{own}" NOLOGIN')
    try:
        postgres_server.execute(f'GRANT "{own}" TO "{lib.names["carol"]}"')
        with _admin(postgres_server, lib.names["bob"]):  # an admin of the server's other libraries: not of this one
            refused = _as(run, lib, "bob")("rm", "1", "--yes")
            assert refused.code == 1 and "only the library's admins" in refused.err, refused
        assert _as(run, lib, "carol")("rm", "1", "--yes").code == 0
    finally:
        postgres_server.execute(f'DROP ROLE IF EXISTS "{own}"')
    with lib.owner_sql() as conn:
        assert conn.execute("SELECT count(*) FROM item").fetchone() == (0,)
