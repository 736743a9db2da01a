"""A library this user cannot write is still read (issue 26): a 0444 file, a 0555 folder, a WAL-mode file whose
`-wal`/`-shm` cannot be created beside it. Reads answer as on a writable file; each write is one line saying the
library is read-only, and the file is left as it was. Run as a process that permission bits hold
(tests/unprivileged.py): root ignores them."""

from __future__ import annotations

import gc
import hashlib
import json
import os
import sqlite3
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import Run
from tests.unprivileged import demotion, run_held

pytestmark = pytest.mark.skipif(demotion() is None, reason="no way here to run a process permission bits hold")

TITLE = "Marlin: read-only kernels"


@pytest.fixture
def shelf() -> Iterator[Path]:
    """A folder any user may enter (a held child may be `nobody`), put back to writable afterwards."""
    folder = Path(tempfile.mkdtemp(prefix="readlist-ro-"))
    folder.chmod(0o755)
    (folder / "state").mkdir(mode=0o777)
    (folder / "state").chmod(0o777)
    try:
        yield folder
    finally:
        for path in (folder, *folder.rglob("*")):
            if path.is_dir():
                path.chmod(0o755)
        import shutil

        shutil.rmtree(folder, ignore_errors=True)


def _library(run: Run, shelf: Path) -> Path:
    """A small WAL-mode library written by this (privileged) process: two items, a tag and a note."""
    db = shelf / "lib" / "library.db"
    db.parent.mkdir()
    env = {"READLIST_DB": str(db)}
    assert run("add", "2408.11743", "--no-fetch", "--title", TITLE, "--tag", "quant", env=env).code == 0
    assert run("add", "2309.06180", "--no-fetch", env=env).code == 0
    assert run("note", "1", "fast int4 kernels", env=env).code == 0
    gc.collect()  # the in-process runs' connections closed: the last close folds the WAL in and removes it
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    finally:
        conn.close()
    return db


def _held(shelf: Path, db: Path, *args: str) -> tuple[int, str, str]:
    state = shelf / "state"
    env = {"READLIST_DB": str(db), "READLIST_STATE_DIR": str(state), "READLIST_CONFIG_DIR": str(state / "config")}
    done = run_held(list(args), env)
    return done.returncode, done.stdout, done.stderr


def _digest(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir()) if p.is_file()}


def _reads_and_refuses_writes(shelf: Path, db: Path) -> None:
    before = _digest(db.parent)
    code, out, err = _held(shelf, db, "list", "--json")
    assert code == 0 and err == "", err
    assert [item["title"] for item in json.loads(out)][:1] == [TITLE]
    for args, expected in (
        (("show", "1"), "fast int4 kernels"),
        (("search", "Marlin"), TITLE),
        (("export", "--format", "jsonl"), TITLE),
        (("tags",), "quant"),
        (("db", "check"), "ok"),
    ):
        code, out, err = _held(shelf, db, *args)
        assert code == 0 and expected in out and err == "", (args, out, err)
    writes: list[tuple[str, ...]] = [
        ("add", "2401.00001", "--no-fetch"),
        ("tag", "1", "+more"),
        ("note", "1", "another"),
        ("done", "1"),
        ("edit", "1", "--title", "x"),
    ]
    for write in writes:
        code, out, err = _held(shelf, db, *write)
        lines = err.splitlines()
        assert code == 1 and len(lines) == 2 and "is read-only" in lines[0], (write, out, err)
        assert lines[0].startswith("error: ") and lines[1].startswith("hint: "), err
    after = _digest(db.parent)
    assert {name: after.get(name) for name in before} == before  # nothing written (SQLite may add its -shm)


def test_a_read_only_file_in_a_writable_folder_is_read_and_never_written(run: Run, shelf: Path) -> None:
    db = _library(run, shelf)
    db.chmod(0o444)
    _reads_and_refuses_writes(shelf, db)


def test_a_wal_library_in_a_read_only_folder_is_read_without_its_wal_files(run: Run, shelf: Path) -> None:
    db = _library(run, shelf)
    assert not db.with_name(db.name + "-shm").exists()  # none can be made: the folder is read-only
    db.chmod(0o444)
    db.parent.chmod(0o555)
    _reads_and_refuses_writes(shelf, db)


def test_a_read_only_library_whose_wal_still_holds_changes_shows_them(run: Run, shelf: Path) -> None:
    """Another writer's changes still in the `-wal` (with its `-shm`) are read too."""
    db = _library(run, shelf)
    writer = sqlite3.connect(db)
    try:
        writer.execute("PRAGMA wal_autocheckpoint = 0")
        writer.execute("UPDATE item SET title = 'Marlin, retitled' WHERE id = 1")
        writer.commit()
        assert db.with_name(db.name + "-wal").stat().st_size > 0
        for side in ("-wal", "-shm"):
            db.with_name(db.name + side).chmod(0o444)
        db.chmod(0o444)
        db.parent.chmod(0o555)
        code, out, err = _held(shelf, db, "show", "1")
        assert code == 0 and "Marlin, retitled" in out, (out, err)
    finally:
        db.parent.chmod(0o755)
        writer.close()


def test_a_read_only_library_at_an_older_schema_says_so_in_one_line(run: Run, shelf: Path) -> None:
    db = _library(run, shelf)
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '0009'")
    db.chmod(0o444)
    db.parent.chmod(0o555)
    code, out, err = _held(shelf, db, "list")
    lines = err.splitlines()
    assert code == 1 and len(lines) == 2 and "read-only" in lines[0] and "0009" in lines[0], err


def _mount_read_only(source: Path, target: Path, args: list[str], env: dict[str, str]) -> tuple[int, str, str]:
    """`readlist *args` in a mount namespace of its own where `target` is `source` mounted read-only."""
    import shlex
    import subprocess
    import sys

    from tests.unprivileged import CLI

    mount = f"mount --bind {shlex.quote(str(source))} {shlex.quote(str(target))}"
    remount = f"mount -o remount,bind,ro {shlex.quote(str(target))}"
    command = " ".join(shlex.quote(a) for a in [sys.executable, "-c", CLI, *args])
    done = subprocess.run(
        ["unshare", "-m", "sh", "-c", f"{mount} && {remount} && exec {command}"],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **env},
    )
    return done.returncode, done.stdout, done.stderr


def test_a_library_on_a_read_only_mount_is_read_even_by_root(run: Run, shelf: Path) -> None:
    db = _library(run, shelf)
    target = shelf / "mounted"
    target.mkdir()
    env = {"READLIST_DB": str(target / db.name), "READLIST_STATE_DIR": str(shelf / "state")}
    probe = _mount_read_only(db.parent, target, ["--version"], env)
    if probe[0] != 0:
        pytest.skip(f"cannot mount here: {probe[2].strip()[:100]}")
    before = db.read_bytes()
    code, out, err = _mount_read_only(db.parent, target, ["search", "Marlin"], env)
    assert code == 0 and TITLE in out and err == "", (out, err)
    code, out, err = _mount_read_only(db.parent, target, ["note", "1", "more"], env)
    assert code == 1 and "is read-only" in err.splitlines()[0] and len(err.splitlines()) == 2, err
    assert db.read_bytes() == before


def test_a_library_in_a_read_only_folder_backs_up_where_told(run: Run, shelf: Path) -> None:
    db = _library(run, shelf)
    db.parent.chmod(0o555)
    code, out, err = _held(shelf, db, "db", "backup")
    assert code == 1 and err.startswith(f"error: cannot write a backup in {db.parent} (the folder is read-only)"), err
    assert "hint: back up to a folder you can write: readlist db backup --to DIR" in err
    code, out, err = _held(shelf, db, "db", "backup", "--to", str(shelf / "state" / "backups"))
    assert code == 0, (out, err)
    (made,) = (shelf / "state" / "backups").iterdir()
    assert out.strip() == f"backup written to {made}" and err == "", (out, err)
    conn = sqlite3.connect(made)
    try:
        assert conn.execute("SELECT count(*) FROM item").fetchone() == (2,)
    finally:
        conn.close()
