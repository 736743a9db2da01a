"""`db check`: diagnose a library file, damaged or not, and say how to recover (never raises on damage)."""

from __future__ import annotations

import shutil
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from readlist.location import PostgresUrl


@dataclass
class HealthReport:
    path: str
    schema: str | None = None
    integrity: str = "ok"
    foreign_key_problems: int = 0
    items: int = 0
    indexed: int = 0
    problems: list[str] = field(default_factory=list)
    advice: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def check(path: Path) -> HealthReport:
    """Open the file without migrating it, run SQLite's integrity check and compare the search index."""
    report = HealthReport(str(path))
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        _inspect(conn, report)
    except sqlite3.DatabaseError as exc:
        report.integrity = str(exc)
        report.problems.append(f"the file cannot be read: {exc}")
    finally:
        conn.close()
    if report.integrity != "ok":
        report.advice += recovery_advice(path)
    return report


def _inspect(conn: sqlite3.Connection, report: HealthReport) -> None:
    rows = conn.execute("PRAGMA integrity_check(20)").fetchall()
    report.integrity = "ok" if [r[0] for r in rows] == ["ok"] else "; ".join(str(r[0]) for r in rows[:5])
    if report.integrity != "ok":
        report.problems.append(f"SQLite integrity check failed: {report.integrity}")
    row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    report.schema = str(row[0]) if row else None
    if report.schema is None:
        report.problems.append("no schema version (alembic_version is empty)")
    report.foreign_key_problems = len(conn.execute("PRAGMA foreign_key_check").fetchall())
    if report.foreign_key_problems:
        report.problems.append(f"{report.foreign_key_problems} row(s) point at missing items or tags")
    report.items = conn.execute("SELECT count(*) FROM item").fetchone()[0]
    report.indexed = conn.execute("SELECT count(*) FROM search_index").fetchone()[0]
    if report.items != report.indexed:
        report.problems.append(f"search index out of step ({report.indexed} of {report.items} items)")
        report.advice.append("readlist db reindex rebuilds the search index")


def check_postgres(url: PostgresUrl) -> HealthReport:
    """The schema version, and whether the search index holds every item. The server keeps its own pages
    and foreign keys consistent, so there is no file-level integrity check to run."""
    from readlist.store import db, pg

    report = HealthReport(str(url), integrity="ok (PostgreSQL)")
    with pg.raw_connect(url) as conn:
        report.schema = pg.current_revision(conn)
        if report.schema is None:
            report.problems.append("no readlist schema in this database")
            report.advice.append("readlist db init builds it")
            return report
        if report.schema != db.head_revision():
            report.problems.append(f"schema {report.schema}, this readlist's is {db.head_revision()}")
            report.advice.append("any readlist command upgrades an older schema; a newer one needs a newer readlist")
            return report
        report.items = _count(conn, "SELECT count(*) FROM item")
        report.indexed = _count(conn, "SELECT count(*) FROM search_index_doc")
    if report.items != report.indexed:
        report.problems.append(f"search index out of step ({report.indexed} of {report.items} items)")
        report.advice.append("readlist db reindex rebuilds the search index")
    return report


def _count(conn: Any, sql: str) -> int:
    row = conn.execute(sql).fetchone()
    return int(row[0]) if row else 0


def recovery_advice(path: Path) -> list[str]:
    """What a person can do with a damaged file, best option first."""
    advice = []
    backups = sorted(path.parent.glob(f"{path.name}.*.bak"))
    if backups:
        advice.append(f"restore the newest backup: cp {backups[-1]} {path}")
    salvage = f'sqlite3 {path} ".recover" | sqlite3 {path.with_name(path.stem + "-recovered.db")}'
    if shutil.which("sqlite3"):
        advice.append(f"salvage what is readable: {salvage}, then use --db on the new file")
    else:
        advice.append(f"install the sqlite3 command-line tool and salvage what is readable: {salvage}")
    advice.append("keep the damaged file until you have checked the result; readlist refuses to write into it")
    return advice
