"""Contention and damaged or odd database files: a clear one-line error, nothing written, nothing lost."""

from __future__ import annotations

import gc
import os
import random
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from readlist.store import db
from tests.conftest import READLIST, Run


def _items(path: Path) -> list[str]:
    conn = sqlite3.connect(path)
    try:
        return [row[0] for row in conn.execute("SELECT url FROM item ORDER BY id")]
    finally:
        conn.close()


def test_add_waits_for_another_writer_and_says_so(isolated_library: Path, run: Run) -> None:
    assert run("add", "--no-fetch", "https://example.com/first").code == 0
    holder = sqlite3.connect(isolated_library, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    holder.execute("INSERT INTO meta (key, value) VALUES ('holder', 'x')")
    proc = subprocess.Popen(
        [READLIST, "add", "--no-fetch", "https://example.com/second"], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    assert proc.stderr is not None
    notice = proc.stderr.readline().decode()  # the writer says it waits while the lock is still held
    holder.execute("COMMIT")
    holder.close()
    out, err = proc.communicate(timeout=60)
    assert "waiting for another readlist" in notice
    assert proc.returncode == 0, err
    assert _items(isolated_library) == ["https://example.com/first", "https://example.com/second"]


def test_add_gives_up_on_a_lock_held_too_long_with_a_clear_error(isolated_library: Path, run: Run) -> None:
    assert run("add", "--no-fetch", "https://example.com/first").code == 0
    holder = sqlite3.connect(isolated_library, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        result = run("add", "--no-fetch", "https://example.com/second", env={"READLIST_LOCK_TIMEOUT": "1"})
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert result.code == 1, result
    assert result.err.startswith("error: the library is busy")
    assert "internal error" not in result.err and "Traceback" not in result.err
    assert _items(isolated_library) == ["https://example.com/first"]


def _damage(path: Path, pages: int = 6) -> None:
    rng = random.Random(4)
    size = path.stat().st_size
    with open(path, "r+b") as handle:
        for _ in range(pages):
            handle.seek(rng.randrange(1, size // 4096) * 4096)
            handle.write(bytes(rng.randrange(256) for _ in range(4096)))


@pytest.fixture
def damaged_library(isolated_library: Path, run: Run) -> Path:
    for n in range(60):
        assert run("add", "--no-fetch", f"https://example.com/post/{n}", "--note", "x" * 400).code == 0
    conn = sqlite3.connect(isolated_library)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    _damage(isolated_library)
    return isolated_library


def test_writes_refuse_a_damaged_library(damaged_library: Path, run: Run) -> None:
    before = damaged_library.read_bytes()
    for args in (("tag", "1", "+x"), ("add", "--no-fetch", "https://example.com/new")):
        result = run(*args)
        assert result.code == 1, result
        assert "damaged" in result.err and "readlist db check" in result.err
        assert "internal error" not in result.err
    assert damaged_library.read_bytes() == before


def test_db_check_diagnoses_damage_and_says_how_to_recover(
    damaged_library: Path, run: Run, migrated_template: Path
) -> None:
    # A sound backup beside the file is offered first; an empty one (a backup that failed) never is.
    sound = damaged_library.parent / f"{damaged_library.name}.20260101T000000Z.bak"
    sound.write_bytes(migrated_template.read_bytes())
    empty = damaged_library.parent / f"{damaged_library.name}.20260202T000000Z.bak"
    empty.write_bytes(b"")
    result = run("db", "check")
    assert result.code == 1, result
    assert "problems found" in result.out
    assert f"restore the newest backup: cp {sound}" in result.out.replace("\n", " ") and ".recover" in result.out
    assert str(empty) not in result.out
    assert "internal error" not in result.err


def test_db_check_of_a_library_from_a_newer_readlist_is_not_ok(isolated_library: Path, run: Run) -> None:
    _library_with_schema_table_changed(isolated_library, run, "UPDATE alembic_version SET version_num = '9999'")
    result = run("db", "check")
    assert result.code == 1 and "schema 9999 is not one this readlist knows" in result.err
    assert result.out.rstrip().endswith("problems found")


def _library_with_schema_table_changed(path: Path, run: Run, sql: str) -> None:
    """A library with one item whose schema-version table another program then changed."""
    assert run("add", "--no-fetch", "https://example.com/a").code == 0
    conn = sqlite3.connect(path)
    conn.execute(sql)
    conn.commit()
    conn.close()


def test_empty_schema_version_table_is_one_clear_error(isolated_library: Path, run: Run) -> None:
    _library_with_schema_table_changed(isolated_library, run, "DELETE FROM alembic_version")
    result = run("list")
    assert result.code == 1
    assert result.err.splitlines()[0] == (
        f"error: {isolated_library} has readlist tables but no schema version (alembic_version is empty)"
    )
    assert len(result.err.splitlines()) == 2


def test_unknown_old_revision_is_not_called_newer(isolated_library: Path, run: Run) -> None:
    _library_with_schema_table_changed(isolated_library, run, "UPDATE alembic_version SET version_num = '0000'")
    result = run("list")
    assert result.code == 1
    assert "unknown schema version '0000'" in result.err and "newer" not in result.err


def test_a_special_file_is_refused_without_creating_files_beside_it(tmp_path: Path, run: Run) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    result = run("--db", str(fifo), "add", "--no-fetch", "https://example.com/a")
    assert result.code == 1
    assert "is not a regular file" in result.err
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("pipe")) == ["pipe"]


def test_a_library_held_in_exclusive_mode_is_called_locked(isolated_library: Path, run: Run) -> None:
    assert run("add", "--no-fetch", "https://example.com/a").code == 0
    gc.collect()  # in-process runs may still hold pooled connections, which block leaving WAL mode
    conn = sqlite3.connect(isolated_library, isolation_level=None, timeout=10)
    conn.execute("PRAGMA journal_mode = DELETE")
    conn.execute("PRAGMA locking_mode = EXCLUSIVE")
    conn.execute("BEGIN EXCLUSIVE")
    try:
        result = run("list", env={"READLIST_LOCK_TIMEOUT": "0.5"})
    finally:
        conn.execute("ROLLBACK")
        conn.close()
    assert result.code == 1
    assert "locked" in result.err and "not a readlist database" not in result.err


def test_sqlalchemy_wrapped_lock_errors_get_the_friendly_message() -> None:
    from sqlalchemy.exc import OperationalError

    wrapped = OperationalError("BEGIN IMMEDIATE", {}, sqlite3.OperationalError("database is locked"))
    error = db.friendly_error(wrapped)
    assert error is not None and error.message.startswith("the library is busy")
    assert db.friendly_error(ValueError("x")) is None


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 512 KB tmpfs (root only): a real full disk, not a simulated error."""
    disk = tmp_path / "disk"
    disk.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=512k", "tmpfs", str(disk)], capture_output=True).returncode:
        pytest.skip("mounting a tmpfs needs root")
    yield disk
    subprocess.run(["umount", "-l", str(disk)], check=False)


def test_a_full_disk_is_called_a_full_disk_and_nothing_is_half_written(
    small_disk: Path, tmp_path: Path, run: Run
) -> None:
    library = small_disk / "library.db"
    assert run("--db", str(library), "add", "--no-fetch", "https://example.com/kept").code == 0
    notes = tmp_path / "big.md"
    notes.write_text(
        "\n".join(f"- [A long title {n} {'x' * 3000}](https://example.com/p/{n})" for n in range(200)), encoding="utf-8"
    )
    result = run("--db", str(library), "import", str(notes))
    assert result.code == 1 and result.err.startswith("error: the disk is full (database or disk is full)"), result
    assert "hint: free some space" in result.err and "rollback" not in result.err
    assert _items(library) == ["https://example.com/kept"]
    assert run("--db", str(library), "db", "check").code == 0
