"""The database refuses values outside domain.py's lists; migrating an older file repairs such values first."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from readlist.domain import KINDS, LINK_ROLES, METADATA_STATUSES, STATUSES
from readlist.store import db
from tests.conftest import Run

OLD_ITEM_SQL = (  # before 0007 the one reader's status lived on the item
    "INSERT INTO item (kind, key, url, title, authors, categories, status, priority, added_at, metadata_status, details)"
    " VALUES (?, ?, 'https://example.com', 't', '[]', '[]', ?, 0, '2026-01-01T00:00:00Z', ?, '{}')"
)
ITEM_SQL = (
    "INSERT INTO item (kind, key, url, title, authors, categories, added_at, metadata_status, details)"
    " VALUES (?, ?, 'https://example.com', 't', '[]', '[]', '2026-01-01T00:00:00Z', ?, '{}')"
)
READING_SQL = "INSERT INTO reading (item_id, member, status, priority, updated_at) VALUES (?, 'ann', ?, 0, '2026-01-01T00:00:00Z')"


@pytest.fixture(scope="module")
def migrated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("schema") / "fresh.db"
    db.ensure_schema(path)
    return path


def _insert(path: Path, kind: str = "paper", status: str = "unread", meta: str = "none") -> None:
    conn = sqlite3.connect(path)
    try:
        key = f"url:https://example.com/{conn.execute('SELECT count(*) FROM item').fetchone()[0]}"
        if "reading" not in {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}:
            conn.execute(OLD_ITEM_SQL, (kind, key, status, meta))
        else:
            conn.execute("INSERT OR IGNORE INTO member (name, joined_at) VALUES ('ann', '2026-01-01T00:00:00Z')")
            item_id = conn.execute(ITEM_SQL, (kind, key, meta)).lastrowid
            conn.execute(READING_SQL, (item_id, status))
        conn.commit()
    finally:
        conn.close()


def test_every_domain_value_is_accepted(migrated: Path) -> None:
    for status in STATUSES:
        _insert(migrated, status=status)
    for kind in KINDS:
        _insert(migrated, kind=kind)
    for meta in METADATA_STATUSES:
        _insert(migrated, meta=meta)


@pytest.mark.parametrize(("column", "value"), [("kind", "banana"), ("status", "done"), ("meta", "maybe")])
def test_values_outside_the_domain_are_refused(migrated: Path, column: str, value: str) -> None:
    with pytest.raises(sqlite3.IntegrityError, match="CHECK constraint failed"):
        _insert(migrated, **{column: value})


def test_link_roles_are_checked(migrated: Path) -> None:
    _insert(migrated)
    conn = sqlite3.connect(migrated)
    item_id = conn.execute("SELECT max(id) FROM item").fetchone()[0]
    for role in LINK_ROLES:
        conn.execute("INSERT INTO link (item_id, url, role) VALUES (?, ?, ?)", (item_id, f"https://x/{role}", role))
    with pytest.raises(sqlite3.IntegrityError, match="CHECK constraint failed"):
        conn.execute("INSERT INTO link (item_id, url, role) VALUES (?, 'https://y', 'lunch')", (item_id,))
    conn.close()


def test_upgrading_a_file_with_bad_values_repairs_them(tmp_path: Path, run: Run) -> None:
    path = tmp_path / "old.db"
    db.upgrade(path, "0004")
    _insert(path, kind="banana", status="done", meta="maybe")
    conn = sqlite3.connect(path)
    conn.execute("INSERT INTO link (item_id, url, role) VALUES (1, 'https://y', 'lunch')")
    conn.commit()
    conn.close()
    result = run("--db", str(path), "show", "1", "--json")
    assert result.code == 0, result
    item = result.json()
    assert isinstance(item, dict)
    assert (item["kind"], item["status"], item["metadata_status"]) == ("article", "unread", "none")
    assert item["links"] == [{"url": "https://y", "role": "related"}]
