"""The daily writes run plain SQL on the backend's DB-API connection: they never import the ORM (docs/architecture.md), and
the hand-written SQL of the write side names exactly the columns models.py defines, on both backends."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.conftest import Run

ORM = ("sqlmodel", "sqlalchemy", "alembic")

# Every daily write, in an order that works on a library holding #1 (a paper): #2 and #3 are added first.
DAILY_WRITES = [
    ["add", "https://example.com/post", "--no-fetch", "--tag", "blog", "--note", "first look"],
    ["add", "2410.02367", "--no-fetch"],
    ["tag", "1", "+量化", "-cuda"],
    ["tag", "1", "2", "+kernels"],
    ["tags", "--rename", "kernels", "gpu-kernels"],
    ["note", "1", "an ASCII note"],
    ["note", "1", "--edit", "1"],
    ["note", "1", "--rm", "1"],
    ["start", "1"],
    ["done", "1"],
    ["skip", "2"],
    ["status", "2", "unread"],
    ["edit", "1", "--title", "Marlin", "--priority", "2", "--venue", "PPoPP"],
    ["edit", "3", "--url", "https://example.com/moved"],
    ["edit", "3", "--url", "https://example.com/post", "--merge"],
    ["rm", "1", "--yes"],
    ["restore", "1"],
]

_SCRIPT = textwrap.dedent(
    """
    import json, sys
    from readlist import cli

    forbidden = {forbidden!r}
    report = []
    for args in json.loads(sys.argv[1]):
        code = cli.run(args)
        loaded = sorted(m for m in sys.modules if m.split(".")[0] in forbidden)
        report.append({{"args": args, "code": code, "loaded": loaded}})
    print("REPORT", json.dumps(report))
    """
)


def _run_in_one_process(commands: list[list[str]], forbidden: tuple[str, ...]) -> list[dict[str, object]]:
    """Each command through the CLI's error boundary in a fresh interpreter, with what it had imported after it
    (one process for all: what one command imports, every later one would show too)."""
    env_editor = {"EDITOR": "sed -i s/ASCII/plain/", "VISUAL": ""}  # `note --edit` with nobody at a terminal
    proc = subprocess.run(
        [sys.executable, "-c", _SCRIPT.format(forbidden=forbidden), json.dumps(commands)],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **env_editor},
    )
    lines = [line for line in proc.stdout.splitlines() if line.startswith("REPORT ")]
    assert lines, proc.stderr
    report: list[dict[str, object]] = json.loads(lines[-1].removeprefix("REPORT "))
    return report


@pytest.mark.usefixtures("backend")  # SQLite and PostgreSQL
def test_daily_writes_never_import_the_orm(run: Run) -> None:
    assert run("add", "2408.11743", "--no-fetch", "--tag", "cuda").code == 0
    for step in _run_in_one_process(DAILY_WRITES, ORM):
        assert step["code"] == 0, step
        assert step["loaded"] == [], f"readlist {' '.join(step['args'])} imported {step['loaded']}"  # type: ignore[arg-type]
    items = {item["id"]: item for item in run("list", "--json").json()}
    assert items[1]["title"] == "Marlin" and items[1]["status"] == "read" and items[1]["venue"] == "PPoPP"
    assert items[1]["tags"] == ["gpu-kernels", "量化"]
    assert set(items) == {1, 2}  # #3 was folded into the post (#2) by `edit --url … --merge`
    assert items[2]["tags"] == ["blog", "gpu-kernels"]


def test_daily_writes_on_chinese_text_need_no_segmenter(run: Run) -> None:
    """Re-indexing an item reuses the words its index entry already has (the trash keeps them for `restore`):
    loading jieba's dictionary costs more than a whole `tag`."""
    assert (
        run("add", "https://example.com/a", "--no-fetch", "--title", "大模型量化综述", "--note", "推理加速").code == 0
    )
    commands = [["tag", "1", "+quant"], ["done", "1"], ["note", "1", "an ASCII note"], ["rm", "1", "--yes"]]
    steps = _run_in_one_process([*commands, ["restore", "1"]], ("rjieba",))
    assert [step["loaded"] for step in steps] == [[]] * 5, steps
    assert "大模型量化综述" in run("search", "推理").out
    assert "大模型量化综述" in run("search", "量化").out


def _columns_in_database(path_or_url: str) -> dict[str, list[str]]:
    if path_or_url.startswith("postgresql://"):
        import psycopg

        with psycopg.connect(path_or_url) as server:
            rows = server.execute(
                "SELECT table_name, column_name FROM information_schema.columns "
                "WHERE table_schema = current_schema() ORDER BY table_name, ordinal_position"
            ).fetchall()
        found: dict[str, list[str]] = {}
        for table, column in rows:
            found.setdefault(table, []).append(column)
        return found
    conn = sqlite3.connect(path_or_url)
    try:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        return {t: [r[1] for r in conn.execute(f'PRAGMA table_info("{t}")')] for t in tables}
    finally:
        conn.close()


def test_the_write_sides_sql_names_the_columns_of_the_schema(backend: str) -> None:
    from readlist.store import reading, rows
    from readlist.store.models import Item, Reading

    in_models = {
        "item": [c.name for c in Item.__table__.columns],  # type: ignore[attr-defined]
        "reading": [c.name for c in Reading.__table__.columns],  # type: ignore[attr-defined]
    }
    migrated = _columns_in_database(backend)
    assert sorted(rows.COLUMNS) == sorted(in_models["item"]) == sorted(migrated["item"])
    assert list(reading.ReadingRow.__dataclass_fields__) == in_models["reading"]
    assert sorted(in_models["reading"]) == sorted(migrated["reading"])


def test_the_write_side_imports_no_orm_when_loaded(tmp_path: Path) -> None:
    code = (
        "import sys, readlist.store.write, readlist.services.add\n"
        f"print(sorted(m for m in sys.modules if m.split('.')[0] in {set(ORM)!r}))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert out.stdout.strip() == "[]", out.stderr
