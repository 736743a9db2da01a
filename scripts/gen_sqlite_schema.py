"""Writes migrations/sqlite_NNNN.sql: the schema and rows the migrations give a new SQLite library, which new
libraries are made from (readlist.store.backends.sqlite_schema). Run it after adding a migration; a test fails
until it is run.

    .venv/bin/python scripts/gen_sqlite_schema.py
"""

from __future__ import annotations

import sqlite3
import tempfile
from pathlib import Path

from readlist.store.backends import sqlite_schema
from readlist.store.backends.base import alembic_upgrade, head_revision


def migrated_dump() -> str:
    """The dump of a new file the migrations built (Alembic, every step from the first)."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "new.db"
        alembic_upgrade(f"sqlite:///{path}")
        conn = sqlite3.connect(path)
        try:
            return sqlite_schema.dump(conn)
        finally:
            conn.close()


def main() -> None:
    target = sqlite_schema.snapshot_path(head_revision())
    script = migrated_dump()  # first: a migration that fails leaves the saved script as it was
    for old in target.parent.glob("sqlite_*.sql"):
        old.unlink()
    target.write_text(script, encoding="utf-8")
    print(f"wrote {target}")


if __name__ == "__main__":
    main()
