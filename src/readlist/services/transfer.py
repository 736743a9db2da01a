"""`db copy` and `db backup` across backends: a library moves between a SQLite file and PostgreSQL whole."""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from readlist.errors import InvalidInputError
from readlist.location import Location, PostgresUrl, redact, without_password
from readlist.store import db

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

CHUNK = 2000


@dataclass
class CopyReport:
    rows: dict[str, int] = field(default_factory=dict)  # table → rows copied
    indexed: int = 0


# What makes a target "not empty": rows here would clash with the copied ones or survive beside them.
TARGET_MUST_LACK = {
    "item": "item(s)",
    "tombstone": "item(s) in the trash",
    "member": "member(s)",
    "feed": "feed(s)",
    "tag": "tag(s)",
}


def copy(source: Location, target: Location) -> CopyReport:
    """Every row of every table, ids included, in one transaction on the target (all or nothing), then the
    target's own search index. The target must be empty: a copy never merges into another library."""
    from sqlalchemy import func, insert, select

    from readlist.store import index
    from readlist.store.models import metadata

    if str(source) == str(target) and type(source) is type(target):
        raise InvalidInputError("source and target are the same library", "name another target")
    src, dst = db.engine(source), db.engine(target)
    report = CopyReport()
    try:
        with src.connect() as reading, dst.begin() as writing:
            held = {
                table.name: writing.execute(select(func.count()).select_from(table)).scalar_one()
                for table in metadata.sorted_tables
                if table.name in TARGET_MUST_LACK
            }
            if any(held.values()):
                what = ", ".join(f"{n} {TARGET_MUST_LACK[name]}" for name, n in held.items() if n)
                raise InvalidInputError(
                    f"{target} is not empty ({what}); db copy fills an empty library",
                    "copy into a new file or an empty database (readlist db init), or use import for merging",
                )
            for table in metadata.sorted_tables:
                result = reading.execution_options(stream_results=True).execute(select(table))
                report.rows[table.name] = 0
                while chunk := result.fetchmany(CHUNK):
                    writing.execute(insert(table), [row._asdict() for row in chunk])
                    report.rows[table.name] += len(chunk)
            conn = db.driver_conn(writing.connection.driver_connection)
            if isinstance(target, PostgresUrl):
                _restart_sequences(writing)
            report.indexed = index.rebuild(conn)
    finally:
        src.dispose()
        dst.dispose()
    return report


def _restart_sequences(conn: Connection) -> None:
    """Rows came with their ids: each serial column continues after the largest one copied."""
    from sqlalchemy import text

    serials = conn.execute(
        text(
            "SELECT table_name, column_name, pg_get_serial_sequence(quote_ident(table_name), column_name) "
            "FROM information_schema.columns WHERE table_schema = current_schema() "
            "AND column_default LIKE 'nextval(%'"
        )
    ).all()
    for table, column, sequence in serials:
        top = conn.execute(text(f'SELECT coalesce(max("{column}"), 0) FROM "{table}"')).scalar_one()
        conn.execute(text("SELECT setval(:s, :n + 1, false)"), {"s": sequence, "n": top})


def backup(location: Location, folder: Path | None = None) -> Path:
    """A SQLite file: SQLite's online backup beside it. PostgreSQL: pg_dump (custom format) when installed,
    else a JSONL snapshot of every item (readlist import restores it); both into `folder`."""
    if isinstance(location, Path):
        return db.backup_file(location)
    from readlist import config

    folder = folder or config.data_dir() / "backups"
    folder.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    stem = folder / f"{location.database}-{stamp}"
    if shutil.which("pg_dump"):
        dumped = _pg_dump(location, stem.with_suffix(".dump"))
        if dumped is not None:
            return dumped
    from readlist.api import Library

    target = stem.with_suffix(".jsonl")
    with Library(location) as lib:
        target.write_text(lib.export("jsonl"), encoding="utf-8")
    return target


def _pg_dump(url: PostgresUrl, target: Path) -> Path | None:
    """The password goes to pg_dump through its environment, never its command line (visible in ps)."""
    clean, password = without_password(url)
    env = {**os.environ, **({"PGPASSWORD": password} if password else {})}
    proc = subprocess.run(
        ["pg_dump", "--format=custom", "--no-owner", f"--file={target}", f"--dbname={clean}"],
        env=env,
        capture_output=True,
        text=True,
    )
    if proc.returncode != 0:  # e.g. an older pg_dump than the server: fall back to the JSONL snapshot
        from readlist import output

        output.warn(
            f"pg_dump failed ({redact(proc.stderr.strip().splitlines()[-1] if proc.stderr else '')}); "
            "writing a JSONL snapshot instead"
        )
        target.unlink(missing_ok=True)
        return None
    return target
