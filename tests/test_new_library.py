"""A new SQLite library is made from the migrations' saved result (migrations/sqlite_NNNN.sql): the same file
the migrations make, without importing Alembic on a user's first command."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from readlist.store import db
from readlist.store.backends import sqlite_schema
from readlist.store.backends.base import head_revision

REGENERATE = "run .venv/bin/python scripts/gen_sqlite_schema.py"


def _state(path: Path) -> dict[str, object]:
    """Everything a library file holds before its first item: schema objects, every table's rows (FTS5's own
    tables included) and the settings a migration could leave."""
    conn = sqlite3.connect(path)
    try:
        objects = conn.execute("SELECT type, name, tbl_name, sql FROM sqlite_master").fetchall()
        tables = [name for kind, name, _, sql in objects if kind == "table" and not sql.startswith("CREATE VIRTUAL")]
        rows = {t: sorted(map(repr, conn.execute(f'SELECT * FROM "{t}"'))) for t in tables}
        settings = ("user_version", "application_id", "journal_mode", "encoding", "page_size", "auto_vacuum")
        pragmas = {p: conn.execute(f"PRAGMA {p}").fetchone() for p in settings}
        return {"objects": sorted(map(_object, objects)), "rows": rows, "pragmas": pragmas}
    finally:
        conn.close()


def _object(row: tuple[str, str, str, str | None]) -> tuple[str, str, str, list[str]]:
    """A schema object as the migrations may write it on any run: Alembic's batch mode writes a rebuilt table's
    constraints in no fixed order (so SQLite numbers its automatic indexes in that order too); the columns keep
    theirs."""
    kind, name, table, sql = row
    lines = [line.strip().rstrip(",").strip() for line in (sql or "").splitlines()]
    constraints = sorted(line for line in lines if line.startswith("CONSTRAINT"))
    name = f"sqlite_autoindex_{table}" if name.startswith("sqlite_autoindex_") else name
    return kind, name, table, [line for line in lines if not line.startswith("CONSTRAINT")] + constraints


def _migrated(path: Path) -> Path:
    db.upgrade(path, "head")
    sqlite3.connect(path).execute("PRAGMA journal_mode = WAL").fetchone()  # as ensure_schema leaves a file
    return path


def test_a_new_library_is_the_file_the_migrations_make(tmp_path: Path) -> None:
    made = tmp_path / "new.db"
    db.ensure_schema(made)
    assert sqlite_schema.snapshot_path(head_revision()).exists(), (
        f"no schema saved for the newest migration: {REGENERATE}"
    )
    assert _state(made) == _state(_migrated(tmp_path / "migrated.db")), (
        f"migrations/sqlite_*.sql is stale: {REGENERATE}"
    )
    assert db.revision(made) == head_revision()


def test_a_new_library_does_not_load_the_migration_tools(tmp_path: Path) -> None:
    code = (
        "import sys; from pathlib import Path; from readlist.store import db; "
        f"db.ensure_schema(Path({str(tmp_path / 'lib.db')!r})); "
        "print(sorted(m for m in ('alembic', 'sqlalchemy') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]", f"the saved schema was not used: {REGENERATE}"


def test_without_a_saved_schema_a_new_library_runs_the_migrations(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sqlite_schema, "snapshot_path", lambda revision: tmp_path / "missing.sql")
    made = tmp_path / "new.db"
    db.ensure_schema(made)
    assert _state(made) == _state(_migrated(tmp_path / "migrated.db"))


def test_a_new_library_interrupted_as_it_is_made_still_uses_wal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A Ctrl-C lands when the script returns, before anything after it runs; an up-to-date library is never set
    up again, so the journal mode must be set before."""
    made = sqlite_schema.create

    def interrupted(conn: sqlite3.Connection, revision: str) -> bool:
        made(conn, revision)
        raise KeyboardInterrupt

    monkeypatch.setattr(sqlite_schema, "create", interrupted)
    path = tmp_path / "lib.db"
    with pytest.raises(KeyboardInterrupt):
        db.ensure_schema(path)
    monkeypatch.undo()
    db.ensure_schema(path)
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    conn.close()
    assert db.revision(path) == head_revision()
