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
