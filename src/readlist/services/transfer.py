"""`db copy` and `db backup` across backends: a library moves between a SQLite file and PostgreSQL whole."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from readlist.errors import DatabaseError, InvalidInputError
from readlist.location import Location
from readlist.store import db
from readlist.store.backends import backend_for

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

    if source == target:
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
            report.indexed = index.rebuild(conn)
            conn.backend.after_copy(writing)  # after the index too: its statistics count the copied rows
    finally:
        src.dispose()
        dst.dispose()
    return report


def backup(location: Location, folder: Path | None = None, warn: Callable[[str], None] | None = None) -> Path:
    """A SQLite file: SQLite's online backup into `folder` (default: beside it). PostgreSQL: pg_dump (custom
    format) when installed, else a JSONL snapshot of every item (readlist import restores it); both into `folder`
    (default: the data dir's backups). `warn` hears why a snapshot was written instead of a pg_dump that failed."""
    from readlist import config

    backend = backend_for(location)
    try:
        made = backend.backup(folder)
    except DatabaseError as exc:
        if warn is not None:
            warn(f"{exc.message}; writing a JSONL snapshot instead")
        made = None
    if made is not None:
        return made
    folder = folder or config.data_dir() / "backups"
    return _snapshot(location, folder / f"{backend.label}-{datetime.now(UTC).strftime('%Y%m%dT%H%M%SZ')}.jsonl")


def _snapshot(location: Location, target: Path) -> Path:
    """Every item as the lossless JSONL export, as the current user sees the library."""
    from readlist.export.formats import render
    from readlist.store.serialize import records

    target.parent.mkdir(parents=True, exist_ok=True)
    conn = db.connect(location)
    try:
        target.write_text(render("jsonl", records(conn)), encoding="utf-8")
    finally:
        conn.close()
    return target
