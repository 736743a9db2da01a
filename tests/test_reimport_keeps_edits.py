"""Issue 14: re-importing unchanged files changes nothing, and nothing the user did is lost — removed tags and
notes stay removed, an item whose URL was edited is still the one its old link names; a dry run creates nothing;
an import that could not fetch still succeeded; a file that is not a library is never written over."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Run

NOTES = """# 我的阅读笔记

## 推理框架

| 名称 | 日期 | 团队 | 描述 |
|---|---|---|---|
| [vLLM](https://vllm.ai/) | 2023/06/20 | UC Berkeley | 高吞吐的推理引擎，核心是 PagedAttention |
| [SGLang](https://sglang.ai/) | 2024-01-15 | LMSYS | 结构化生成语言与运行时，RadixAttention 复用前缀缓存 |

## Papers

- [Marlin: Mixed-Precision Kernels](https://arxiv.org/abs/2408.11743) — great kernel paper
"""


@pytest.fixture
def notes(tmp_path: Path) -> Path:
    path = tmp_path / "t1.md"
    path.write_text(NOTES, encoding="utf-8")
    return path


def _item(run: Run, ref: str) -> dict[str, Any]:
    shown = run("show", ref, "--json")
    assert shown.code == 0, shown
    item: dict[str, Any] = shown.json()
    return item


def _sglang(run: Run) -> dict[str, Any]:
    return _item(run, "https://sglang.ai/")


def test_dry_run_on_a_new_db_path_creates_nothing(run: Run, notes: Path, tmp_path: Path) -> None:
    target = tmp_path / "new" / "library.db"
    target.parent.mkdir()
    dry = run("--db", str(target), "import", str(notes), "--dry-run")
    assert dry.code == 0 and "would add 3 item(s)" in dry.out, dry
    assert list(target.parent.iterdir()) == []
    missing = run("--db", str(tmp_path / "nofolder" / "library.db"), "import", str(notes), "--dry-run")
    assert missing.code == 1 and "folder" in missing.err  # the error a real import would give


def test_dry_run_on_an_older_library_neither_upgrades_nor_backs_it_up(run: Run, notes: Path, tmp_path: Path) -> None:
    from readlist import db

    old = tmp_path / "old.db"
    db.upgrade(old, "0008")
    before = old.read_bytes()
    dry = run("--db", str(old), "import", str(notes), "--dry-run")
    assert dry.code == 0 and "would add 3 item(s)" in dry.out, dry
    assert old.read_bytes() == before and db.revision(old) == "0008"
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("old.db")) == ["old.db"]



def test_library_api_dry_run_on_a_new_path_creates_nothing(notes: Path, tmp_path: Path) -> None:
    from readlist import Library

    target = tmp_path / "new" / "library.db"
    target.parent.mkdir()
    reports = Library(target).import_(notes, dry_run=True)
    assert sum(reports[0].new.values()) == 3
    assert list(target.parent.iterdir()) == []

def test_import_fetch_offline_saves_the_import_warns_and_exits_0(run: Run, notes: Path) -> None:
    result = run("import", str(notes), "--fetch")  # every source points at a closed port (conftest)
    assert result.code == 0, result
    assert "added 3 item(s)" in result.out
    assert "error:" not in result.err
    assert "the import is saved, but cannot reach arXiv" in result.err and "readlist fetch" in result.err
    assert len(run("list", "--json").json()) == 3


@pytest.mark.parametrize("content", [b"x", b"ab", b"abc", b"abcd", b"hello", b"SQLite format 2\x00"])
@pytest.mark.parametrize("command", [["import", "NOTES"], ["add", "2408.11743", "--no-fetch"], ["list"]])
def test_a_file_that_is_not_a_library_is_refused_and_left_alone(
    run: Run, notes: Path, tmp_path: Path, content: bytes, command: list[str]
) -> None:
    (tmp_path / "lib").mkdir()
    target = tmp_path / "lib" / "s.db"
    target.write_bytes(content)
    args = [str(notes) if a == "NOTES" else a for a in command]
    result = run("--db", str(target), *args)
    assert result.code == 1 and "is not a readlist database" in result.err, result
    assert target.read_bytes() == content
    assert [p.name for p in target.parent.iterdir()] == ["s.db"]


def test_an_empty_file_becomes_a_new_library(run: Run, notes: Path, tmp_path: Path) -> None:
    target = tmp_path / "empty.db"
    target.touch()
    assert run("--db", str(target), "import", str(notes)).code == 0
    assert len(run("--db", str(target), "list", "--json").json()) == 3
