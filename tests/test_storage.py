"""Migrations, upgrade/refusal, concurrency, and the read side's light imports."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine

from readlist.store import db
from readlist.store.backends.base import head_revision
from readlist.store.models import metadata
from tests.conftest import READLIST, Run, index_pieces, with_merge_interrupted


def test_migrations_build_exactly_the_schema_of_models(tmp_path: Path) -> None:
    path = tmp_path / "fresh.db"
    db.upgrade(path, "head")  # every migration (a new library is made from their saved result: test_new_library)
    engine = create_engine(f"sqlite:///{path}")
    with engine.connect() as conn:
        context = MigrationContext.configure(
            conn,
            opts={"include_object": lambda o, n, t, r, c: not (t == "table" and n.startswith("search_index"))},
        )
        assert compare_metadata(context, metadata) == []


def test_older_schema_is_backed_up_then_upgraded(tmp_path: Path, run: Run) -> None:
    path = tmp_path / "old.db"
    db.upgrade(path, "0001")
    conn = sqlite3.connect(path)
    conn.execute(
        "INSERT INTO item (kind, key, url, title, authors, categories, status, priority, added_at, metadata_status)"
        " VALUES ('paper', 'arxiv:2408.11743', 'https://arxiv.org/abs/2408.11743', 'Marlin', '[]', '[]',"
        " 'unread', 0, '2026-01-01T00:00:00Z', 'pending')"
    )
    conn.commit()
    conn.close()
    result = run("--db", str(path), "list", "--json")
    assert result.code == 0, result
    assert [i["title"] for i in result.json()] == ["Marlin"]
    backups = list(tmp_path.glob("old.db.*.bak"))
    assert len(backups) == 1
    old = sqlite3.connect(backups[0])
    assert old.execute("SELECT version_num FROM alembic_version").fetchone()[0] == "0001"


def test_an_upgrade_that_leaves_the_search_index_whole_does_not_rebuild_it(tmp_path: Path, run: Run) -> None:
    from readlist.store.backends.sqlite import SqliteBackend

    whole, old = tmp_path / "lib.db", tmp_path / "old.db"
    for n, title in enumerate(("Marlin kernels", "Marlin again")):  # two writes: two pieces of index
        assert run("--db", str(whole), "add", f"https://example.com/{n}", "--title", title, "--no-fetch").code == 0
    assert index_pieces(whole) == 2
    _stamp(whole, "0017")  # as before a PostgreSQL-only step (0018): the SQLite schema is the same
    conn = sqlite3.connect(whole)
    for made_by_0019 in ("ix_item_filters", "ix_reading_filters"):  # and before 0019, which adds indexes only
        conn.execute(f"DROP INDEX {made_by_0019}")
    conn.close()
    db.upgrade(old, "0004")  # before the index's text table: its items are indexed on the upgrade
    conn = sqlite3.connect(old)
    conn.execute(
        "INSERT INTO item (kind, key, url, title, authors, categories, status, priority, added_at, metadata_status)"
        " VALUES ('article', 'url:https://example.com/x', 'https://example.com/x', 'Old', '[]', '[]',"
        " 'unread', 0, '2026-01-01T00:00:00Z', 'pending')"
    )
    conn.commit()
    conn.close()
    for path, word, behind in ((whole, "Marlin", False), (old, "Old", True)):
        rebuilt: list[object] = []
        SqliteBackend(path).ensure_schema(rebuilt.append)
        assert len(rebuilt) == behind, path  # rebuilding 100,000 items took minutes on the first command
        assert run("--db", str(path), "search", word, "--json").json() != []
    assert index_pieces(whole) == 1  # merged on the upgrade, not rebuilt


def _stamp(path: Path, revision: str) -> None:
    conn = sqlite3.connect(path)
    conn.execute("UPDATE alembic_version SET version_num = ?", (revision,))
    conn.commit()
    conn.close()


def test_database_from_a_newer_readlist_is_refused(tmp_path: Path, run: Run) -> None:
    path = tmp_path / "new.db"
    db.ensure_schema(path)
    conn = sqlite3.connect(path)
    conn.execute("UPDATE alembic_version SET version_num = '9999'")
    conn.commit()
    conn.close()
    result = run("--db", str(path), "todo")
    assert result.code == 1 and "newer readlist" in result.err and "Traceback" not in result.err


def test_two_processes_adding_50_items_each_lose_nothing(tmp_path: Path, run: Run) -> None:
    procs = [
        subprocess.Popen(
            [READLIST, "add", "--no-fetch", *[f"https://example.com/{who}/{i}" for i in range(50)]],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for who in ("alice", "bob")
    ]
    # Each `add` of many inputs is one transaction; run per-item adds too so the writers interleave.
    singles = [
        subprocess.Popen(
            [READLIST, "add", "--no-fetch", f"https://example.org/{who}/{i}"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for who in ("carol", "dave")
        for i in range(5)
    ]
    for p in procs + singles:
        _, err = p.communicate(timeout=120)
        assert p.returncode == 0, err
    assert len(run("list", "--json").json()) == 110


def _modules_after(args: list[str]) -> set[str]:
    code = (
        f"import sys\nfrom readlist.cli import main\nsys.argv = ['readlist', *{args!r}]\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print('MODULES', ' '.join(sorted(sys.modules)))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60).stdout
    line = [ln for ln in out.splitlines() if ln.startswith("MODULES")][-1]
    return set(line.split()[1:])


def test_read_commands_never_import_the_write_stack(run: Run) -> None:
    run("add", "2408.11743", "--tag", "cuda", "--no-fetch")
    heavy = {"sqlmodel", "sqlalchemy", "alembic", "arxiv", "feedparser"}
    for args in (["todo"], ["list", "--json"], ["show", "1"], ["tags"], ["--help"], ["search", "cuda"]):
        assert not (heavy & _modules_after(args)), args


def test_ctrl_c_during_the_index_merge_of_an_upgrade_lets_it_finish(tmp_path: Path, run: Run) -> None:
    """Once the schema is up to date nothing runs the merge again: it is not cut short."""
    path = tmp_path / "lib.db"
    for n in range(2):  # two writes: two pieces of index
        assert run("--db", str(path), "add", f"https://example.com/{n}", "--title", f"T{n}", "--no-fetch").code == 0
    conn = sqlite3.connect(path)
    for made_by_0019 in ("ix_item_filters", "ix_reading_filters"):
        conn.execute(f"DROP INDEX {made_by_0019}")
    conn.close()
    _stamp(path, "0018")
    done = with_merge_interrupted(
        "from pathlib import Path\n"
        "try:\n"
        f"    SqliteBackend(Path({str(path)!r})).ensure_schema(lambda conn: None)\n"
        "except KeyboardInterrupt:\n"
        "    print('interrupted')\n"
    )
    assert done.stdout.strip() == "interrupted", done
    assert index_pieces(path) == 1 and db.revision(path) == head_revision()
