"""A team library on PostgreSQL (issue 15): init, copy both ways, faults, the light read path, many writers."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest

from readlist.location import PostgresUrl
from readlist.store import pg
from readlist.store.backends.base import head_revision
from tests.conftest import Run, database_url

SECRET = "s3cr3t-pw"


@pytest.fixture
def scratch_database(postgres_server: Any) -> Iterator[PostgresUrl]:
    """An empty database (no schema) of this test's own."""
    name = f"readlist_scratch_{id(postgres_server)}_{__import__('os').getpid()}"
    postgres_server.execute(f'DROP DATABASE IF EXISTS "{name}"')
    postgres_server.execute(f'CREATE DATABASE "{name}"')
    yield PostgresUrl(database_url(name))
    postgres_server.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _with_password(url: PostgresUrl) -> str:
    scheme, rest = url.url.split("://", 1)
    user, host = rest.split("@", 1) if "@" in rest else ("postgres", rest)
    return f"{scheme}://{user.split(':')[0]}:{SECRET}@{host}"


def test_db_init_builds_the_schema_on_an_empty_database_and_is_idempotent(run: Run, scratch_database: Any) -> None:
    first = run("db", "init", "--db", scratch_database.url)
    assert first.code == 0 and f"schema {head_revision()}" in first.out, first
    assert run("db", "init", "--db", scratch_database.url).code == 0
    check = run("db", "check", "--db", scratch_database.url, "--json").json()
    assert check["ok"] and check["schema"] == head_revision() and check["items"] == 0


def test_db_path_and_errors_never_print_the_password(run: Run, postgres_library: Any) -> None:
    url = _with_password(postgres_library)  # trust auth: the server ignores it, readlist must hide it
    shown = run("db", "path", "--db", url)
    assert shown.out.strip() == url.replace(SECRET, "***") and SECRET not in shown.out
    down = run("todo", "--db", url.replace(":5432", ":9") if ":5432" in url else url + "x")
    assert down.code == 1 and SECRET not in down.out + down.err
    missing = run("list", "--db", url.rsplit("/", 1)[0] + "/no_such_library_db")
    assert missing.code == 1 and SECRET not in missing.err
    assert missing.err.startswith("error: there is no database 'no_such_library_db'")
    assert "hint: ask the admin to create it" in missing.err


def test_a_database_of_something_else_is_refused_and_left_untouched(run: Run, scratch_database: Any) -> None:
    import psycopg

    with psycopg.connect(scratch_database.libpq, autocommit=True) as conn:
        conn.execute("CREATE TABLE customers (id integer)")
    for command in (["list"], ["add", "https://example.com/a", "--no-fetch"], ["db", "init"]):
        result = run(*command, "--db", scratch_database.url)
        assert result.code == 1 and "is a PostgreSQL database, but not a readlist one" in result.err, result
    with psycopg.connect(scratch_database.libpq) as conn:
        tables = conn.execute("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'")
        assert [r[0] for r in tables] == ["customers"]


@pytest.mark.parametrize(
    "location",
    [
        f"postgresql:/u:{SECRET}@127.0.0.1:5432/db",  # one slash
        f"mysql://u:{SECRET}@127.0.0.1/db",
        f"postgresql://u:{SECRET}@127.0.0.1:notaport/db",
        f"postgresql://u:{SECRET}@[::1/db",
    ],
)
def test_a_url_readlist_cannot_use_is_one_error_without_the_password(run: Run, location: str) -> None:
    result = run("list", "--db", location)
    assert result.code == 1 and result.err.startswith("error: "), result
    assert SECRET not in result.out + result.err and "internal error" not in result.err
    assert "hint: give a file path (SQLite) or postgresql://" in result.err


def test_config_never_prints_the_password_of_a_database_url(run: Run) -> None:
    url = f"postgresql://team:{SECRET}@db.lab.internal/papers"
    shown = [
        run("config", "set", "db", url),
        run("config", "get", "db"),
        run("config", "list"),
        run("config", "list", "--json"),
    ]
    assert all(r.code == 0 for r in shown), shown
    assert all(SECRET not in r.out + r.err for r in shown)
    assert "db = postgresql://team:***@db.lab.internal/papers" in shown[0].out


def test_db_copy_refuses_a_target_with_trash_or_members(run: Run, tmp_path: Path) -> None:
    source, target = tmp_path / "a.db", tmp_path / "b.db"
    run("--db", str(source), "add", "https://example.com/a", "--no-fetch")
    run("--db", str(target), "add", "https://example.com/b", "--no-fetch")
    run("--db", str(target), "rm", "1", "--yes")
    result = run("db", "copy", str(source), str(target))
    assert result.code == 1 and "is not empty (1 member(s), 1 item(s) in the trash)" in result.err, result


def test_server_down_is_one_error_and_a_hint(run: Run) -> None:
    result = run("todo", "--db", "postgresql://readlist@127.0.0.1:9/papers")
    assert result.code == 1 and result.out == ""
    lines = result.err.strip().splitlines()
    assert len(lines) == 2 and lines[0].startswith("error: cannot reach the PostgreSQL server at 127.0.0.1:9")
    assert lines[1].startswith("hint: check that the server is running")


def test_a_newer_schema_and_an_old_server_are_refused(
    run: Run, scratch_database: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert run("db", "init", "--db", scratch_database.url).code == 0
    with pg.raw_connect(scratch_database) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999'")
    newer = run("todo", "--db", scratch_database.url)
    assert newer.code == 1 and "written by a newer readlist (schema 9999" in newer.err
    monkeypatch.setattr(pg, "MIN_SERVER_VERSION", 990000)  # this machine has no PostgreSQL 11 to connect to
    old = run("todo", "--db", scratch_database.url)
    assert old.code == 1 and "readlist needs 12 or newer" in old.err and "hint:" in old.err


def test_db_copy_is_lossless_both_ways_on_the_shipped_notes(
    run: Run, notes_template: Path, postgres_library: Any, tmp_path: Path
) -> None:
    original = run("--db", str(notes_template), "export", "--format", "jsonl").out
    assert original.count("\n") > 1000
    assert run("db", "copy", str(notes_template), postgres_library.url).code == 0
    assert run("--db", postgres_library.url, "export", "--format", "jsonl").out == original
    back = tmp_path / "back.db"
    copied = run("db", "copy", postgres_library.url, str(back))
    assert copied.code == 0 and "copied" in copied.out
    assert run("--db", str(back), "export", "--format", "jsonl").out == original
    refused = run("db", "copy", str(back), postgres_library.url)
    assert refused.code == 1 and "db copy fills an empty library" in refused.err
    assert run("--db", postgres_library.url, "add", "2408.11743", "--no-fetch").code == 0  # numbering continues


def test_a_dropped_connection_mid_import_leaves_nothing_half_written(
    run: Run, postgres_library: Any, notes_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from readlist.store import merge

    original = merge.Merger.flush_pending

    def flush_then_drop(self: merge.Merger) -> None:
        original(self)
        with pg.raw_connect(postgres_library) as admin:  # the server ends every other session: a network drop
            admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )

    monkeypatch.setattr(merge.Merger, "flush_pending", flush_then_drop)
    result = run("import", str(notes_dir))
    assert result.code == 1 and "lost the connection to the PostgreSQL server" in result.err
    assert len(result.err.strip().splitlines()) == 2 and "hint:" in result.err
    monkeypatch.setattr(merge.Merger, "flush_pending", original)
    assert run("list", "--json").json() == []


def test_read_commands_on_postgresql_never_import_sqlalchemy(run: Run, postgres_library: Any) -> None:
    run("add", "2408.11743", "--tag", "cuda", "--no-fetch")
    for args in (["todo"], ["show", "1"], ["search", "cuda"]):
        code = (
            f"import sys\nfrom readlist.cli import main\nsys.argv = ['readlist', *{args!r}]\n"
            "try:\n    main()\nexcept SystemExit:\n    pass\n"
            "print('MODULES', ' '.join(sorted(sys.modules)))"
        )
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60).stdout
        modules = set(out.splitlines()[-1].split()[1:])
        assert "psycopg" in modules and not {"sqlalchemy", "sqlmodel", "alembic"} & modules, args


def test_sqlite_libraries_never_load_psycopg(run: Run) -> None:
    run("add", "2408.11743", "--no-fetch")
    code = "import sys\nfrom readlist import Library\nLibrary().todo()\nprint('psycopg' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout.strip() == "False"


def test_four_processes_writing_tags_and_notes_to_one_item_lose_nothing(run: Run, postgres_library: Any) -> None:
    run("add", "2408.11743", "--no-fetch")
    script = textwrap.dedent(
        """
        import sys
        from readlist import Library
        who = sys.argv[1]
        with Library() as lib:
            for n in range(8):
                lib.tag(1, add=[f"{who}-{n}"])
                lib.note(1, f"note {who} {n}")
                lib.status(1, "reading" if n % 2 else "unread")
        """
    )
    procs = [
        subprocess.Popen([sys.executable, "-c", script, f"w{i}"], stderr=subprocess.PIPE, text=True) for i in range(4)
    ]
    for proc in procs:
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
    item = run("show", "1", "--json").json()
    assert len(item["tags"]) == 32 and len(item["notes"]) == 32


def test_a_member_with_the_documented_grants_reads_and_writes_without_owning_anything(
    run: Run, scratch_database: Any, postgres_server: Any
) -> None:
    readme = (Path(__file__).resolve().parents[1] / "docs" / "team.md").read_text(encoding="utf-8")
    grants = readme.split("```sql\n", 1)[1].split("```", 1)[0]
    suffix = str(__import__("os").getpid())
    group, member = f"rl_members_{suffix}", f"rl_alice_{suffix}"
    sql = grants.replace("readlist_members", group).replace("alice", member)
    sql = sql.replace("DATABASE papers", f'DATABASE "{scratch_database.database}"')
    assert run("db", "init", "--db", scratch_database.url).code == 0
    try:
        with pg.raw_connect(scratch_database) as owner:
            for statement in (s.strip() for s in sql.split(";")):
                if statement and not statement.startswith("--"):
                    owner.execute(statement)
                elif "\n" in statement:
                    owner.execute(statement.split("\n", 1)[1])
        parts = urlsplit(scratch_database.url)
        as_member = urlunsplit(parts._replace(netloc=f"{member}@{parts.hostname}:{parts.port or 5432}"))
        me = {"READLIST_USER": member}  # in a team library the member is the database role
        assert run("--db", as_member, "add", "2408.11743", "--tag", "cuda", "--no-fetch", env=me).code == 0
        assert run("--db", as_member, "note", "1", "read it", env=me).code == 0
        assert run("--db", as_member, "done", "1", env=me).code == 0
        assert [i["id"] for i in run("--db", as_member, "search", "cuda", "--json", env=me).json()] == [1]
        assert run("--db", as_member, "db", "reindex", env=me).code == 0
        posing = run("--db", as_member, "done", "1", env={"READLIST_USER": "someone else"})
        assert posing.code == 1 and member in posing.err.splitlines()[0], posing
        refused = run("--db", as_member, "rm", "1", "--yes", env=me)  # removing items is for the admins
        assert refused.code == 1 and "admins" in refused.err, refused
    finally:
        postgres_server.execute(f'DROP DATABASE IF EXISTS "{scratch_database.database}" WITH (FORCE)')
        postgres_server.execute(f"DROP ROLE IF EXISTS {member}")
        postgres_server.execute(f"DROP ROLE IF EXISTS {group}")


def test_sslmode_in_the_url_and_pgsslmode_reach_libpq(run: Run, postgres_library: Any) -> None:
    """This server has no SSL: requiring it must fail clearly, which shows the setting got through."""
    in_url = run("todo", "--db", postgres_library.url + "?sslmode=require")
    from_env = run("todo", env={"PGSSLMODE": "require"})
    for result in (in_url, from_env):
        assert result.code == 1 and "SSL" in result.err.splitlines()[0], result
        assert result.err.splitlines()[1].startswith("hint: check sslmode")
    assert run("todo", env={"PGSSLMODE": "disable"}).code == 0


def test_a_refused_password_is_named_as_such_without_the_password() -> None:
    """This server trusts every local login, so the refusal libpq reports is built here from its real text."""
    import psycopg

    url = PostgresUrl(f"postgresql://alice:{SECRET}@db.lab.internal/papers")
    refusal = psycopg.OperationalError(
        'connection to server at "db.lab.internal" (10.0.0.5), port 5432 failed: '
        'FATAL:  password authentication failed for user "alice"'
    )
    error = pg.connect_error(url, refusal)
    assert (
        error.message == "the PostgreSQL server at db.lab.internal:5432 refused the login (wrong or missing password)"
    )
    assert "~/.pgpass" in error.hint and SECRET not in error.message + error.hint


def test_migration_0009_upgrades_a_library_with_items_and_then_keeps_removals(
    run: Run, scratch_database: Any, tmp_path: Path
) -> None:
    """A team library at 0008 with an item gets the removal and alias tables; they work, and downgrade."""
    from alembic import command
    from alembic.config import Config

    from readlist.store.db import migrations_dir

    cfg = Config()
    cfg.set_main_option("script_location", str(migrations_dir()))
    cfg.set_main_option("sqlalchemy.url", scratch_database.sqlalchemy.replace("%", "%%"))
    command.upgrade(cfg, "0008")
    notes = tmp_path / "t.md"
    notes.write_text("## 推理框架\n\n- [SGLang](https://sglang.ai/) 结构化生成语言与运行时\n", encoding="utf-8")
    with pg.raw_connect(scratch_database) as conn:
        conn.execute(
            "INSERT INTO item (kind, key, url, title, authors, categories, initial_status, added_at, metadata_status)"
            " VALUES ('paper', 'arxiv:2408.11743', 'https://arxiv.org/abs/2408.11743', 'Marlin', '[]', '[]',"
            " 'unread', '2026-01-01T00:00:00Z', 'pending')"
        )
    url = scratch_database.url
    assert run("import", str(notes), "--db", url).code == 0  # upgrades to 0009 first
    assert run("db", "check", "--db", url, "--json").json()["schema"] == head_revision()
    assert run("tag", "2", "-推理框架", "--db", url).code == 0
    assert run("note", "2", "--rm", "1", "--db", url).code == 0
    assert run("edit", "2", "--url", "https://sglang.ai/docs", "--db", url).code == 0
    again = run("import", str(notes), "--db", url)
    assert again.code == 0 and "added 0 item(s), merged 0, 1 unchanged" in again.out, again
    item = run("show", "2", "--json", "--db", url).json()
    assert item["tags"] == [] and item["notes"] == [] and item["url"] == "https://sglang.ai/docs"
    assert [i["title"] for i in run("list", "--json", "--db", url).json()] == ["Marlin", "SGLang"]
    command.downgrade(cfg, "0008")
    command.upgrade(cfg, "head")


def test_an_upgrade_that_leaves_the_search_index_whole_does_not_rebuild_it(run: Run, scratch_database: Any) -> None:
    """Rebuilding a team library's index for a migration that does not touch it took minutes at 100,000 items and
    left 100,000 dead rows that made every search 2-3 times slower until a vacuum."""
    from readlist.store.backends import backend_for

    url = scratch_database.url
    assert run("add", "https://example.com/a", "--title", "Marlin kernels", "--no-fetch", "--db", url).code == 0

    def before_0019(*more: str) -> None:  # 0019-0021 add indexes, 0020's function, 0021's generated column
        made = ("ix_item_filters", "ix_reading_filters", "ix_search_index_word_starts")
        undone = ("DROP FUNCTION readlist_word_starts", "ALTER TABLE search_index DROP COLUMN head")
        with pg.raw_connect(scratch_database) as conn:
            for sql in (*(f"DROP INDEX {i}" for i in made), *undone, *more):
                conn.execute(sql)
            conn.execute("UPDATE alembic_version SET version_num = '0018'")

    before_0019()
    rebuilt: list[object] = []
    backend_for(scratch_database).ensure_schema(rebuilt.append)
    assert rebuilt == []
    assert run("db", "check", "--db", url, "--json").json()["schema"] == head_revision()
    before_0019("DELETE FROM search_index_doc")  # an item the index lacks (as from before 0008): indexed now
    backend_for(scratch_database).ensure_schema(rebuilt.append)
    assert len(rebuilt) == 1
    assert [i["title"] for i in run("search", "Marlin", "--json", "--db", url).json()] == ["Marlin kernels"]
