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


@pytest.mark.usefixtures("backend")  # SQLite and PostgreSQL
def test_reimport_keeps_a_removed_tag_and_a_removed_imported_note(run: Run, notes: Path) -> None:
    assert run("import", str(notes)).code == 0
    number = str(_sglang(run)["id"])
    assert _sglang(run)["tags"] == ["推理框架"] and len(_sglang(run)["notes"]) == 1
    assert run("tag", number, "-推理框架").code == 0
    assert run("note", number, "--rm", "1").code == 0
    before = run("export", "--format", "jsonl").out
    again = run("import", str(notes))
    assert again.code == 0 and "added 0 item(s), merged 0, 3 unchanged" in again.out, again
    assert run("export", "--format", "jsonl").out == before  # byte-identical: nothing changed
    assert _sglang(run)["tags"] == [] and _sglang(run)["notes"] == []


def test_reimport_keeps_out_a_note_removed_after_its_section_changed(run: Run, notes: Path) -> None:
    run("import", str(notes))
    number = str(_sglang(run)["id"])
    run("note", number, "--rm", "1")
    notes.write_text(NOTES.replace("复用前缀缓存", "复用前缀缓存，吞吐更高"), encoding="utf-8")
    assert run("import", str(notes)).code == 0
    assert _sglang(run)["notes"] == []  # the note of that section was removed: an edit of the file keeps it off


@pytest.mark.usefixtures("backend")  # SQLite and PostgreSQL
def test_restore_removed_brings_back_removed_tags_and_notes_then_forgets_them(run: Run, notes: Path) -> None:
    run("import", str(notes))
    number = str(_sglang(run)["id"])
    run("tag", number, "-推理框架")
    run("note", number, "--rm", "1")
    restored = run("import", str(notes), "--restore-removed")
    assert restored.code == 0 and "merged 1" in restored.out, restored
    item = _sglang(run)
    assert item["tags"] == ["推理框架"] and [n["body"] for n in item["notes"]] == [
        "结构化生成语言与运行时，RadixAttention 复用前缀缓存"
    ]
    before = run("export", "--format", "jsonl").out
    assert "3 unchanged" in run("import", str(notes)).out
    assert run("export", "--format", "jsonl").out == before


def test_tagging_or_noting_again_by_hand_lifts_the_removal(run: Run, notes: Path) -> None:
    run("import", str(notes))
    number = str(_sglang(run)["id"])
    run("tag", number, "-推理框架")
    run("note", number, "--rm", "1")
    assert run("tag", number, "+推理框架").code == 0
    assert run("note", number, "结构化生成语言与运行时，RadixAttention 复用前缀缓存").code == 0
    run("tag", number, "-推理框架")  # removed again: remembered again
    run("import", str(notes))
    item = _sglang(run)
    assert item["tags"] == [] and len(item["notes"]) == 1


def test_reimporting_an_old_export_keeps_a_removed_typed_note_and_tag(run: Run, tmp_path: Path) -> None:
    run("add", "2408.11743", "--tag", "kernels", "--note", "read the roofline part", "--no-fetch")
    export = tmp_path / "old.jsonl"
    export.write_text(run("export", "--format", "jsonl").out, encoding="utf-8")
    run("tag", "1", "-kernels")
    run("note", "1", "--rm", "1")
    assert run("import", str(export)).code == 0
    item = _item(run, "1")
    assert item["tags"] == [] and item["notes"] == []


@pytest.mark.usefixtures("backend")  # SQLite and PostgreSQL
def test_reimport_after_editing_the_url_merges_into_the_edited_item(run: Run, notes: Path) -> None:
    run("import", str(notes))
    vllm = _item(run, "https://vllm.ai/")
    edited = run("edit", str(vllm["id"]), "--url", "https://vllm.ai/docs")
    assert edited.code == 0, edited
    before = run("export", "--format", "jsonl").out
    again = run("import", str(notes))
    assert again.code == 0 and "added 0 item(s), merged 0, 3 unchanged" in again.out, again
    assert run("export", "--format", "jsonl").out == before
    assert len(run("list", "--json").json()) == 3
    assert _item(run, str(vllm["id"]))["url"] == "https://vllm.ai/docs"


@pytest.mark.usefixtures("backend")  # SQLite and PostgreSQL
def test_an_item_removed_after_its_url_was_edited_stays_removed(run: Run, notes: Path) -> None:
    run("import", str(notes))
    number = str(_item(run, "https://vllm.ai/")["id"])
    run("edit", number, "--url", "https://vllm.ai/docs")
    assert run("rm", number, "--yes").code == 0
    again = run("import", str(notes))
    assert again.code == 0 and "skipped (removed): 1" in again.out + again.err, again
    assert len(run("list", "--json").json()) == 2
    back = run("import", str(notes), "--restore-removed")
    assert back.code == 0, back
    items = run("list", "--json").json()
    assert len(items) == 3 and any(i["url"] == "https://vllm.ai/docs" for i in items)


def test_editing_the_url_back_and_forth_keeps_one_item(run: Run, notes: Path) -> None:
    run("import", str(notes))
    number = str(_item(run, "https://vllm.ai/")["id"])
    run("edit", number, "--url", "https://vllm.ai/docs")
    run("edit", number, "--url", "https://docs.vllm.ai/")
    run("edit", number, "--url", "https://vllm.ai/")
    run("import", str(notes))
    assert len(run("list", "--json").json()) == 3
    assert _item(run, number)["url"] == "https://vllm.ai"


def test_removed_tags_and_notes_stay_removed_after_rm_and_restore(run: Run, notes: Path) -> None:
    run("import", str(notes))
    number = str(_sglang(run)["id"])
    run("tag", number, "-推理框架")
    run("note", number, "--rm", "1")
    assert run("rm", number, "--yes").code == 0
    assert run("restore", number).code == 0
    assert "3 unchanged" in run("import", str(notes)).out
    item = _sglang(run)
    assert item["tags"] == [] and item["notes"] == []


def test_dry_run_on_a_new_db_path_creates_nothing(run: Run, notes: Path, tmp_path: Path) -> None:
    target = tmp_path / "new" / "library.db"
    target.parent.mkdir()
    dry = run("--db", str(target), "import", str(notes), "--dry-run")
    assert dry.code == 0 and "would add 3 item(s)" in dry.out, dry
    assert list(target.parent.iterdir()) == []
    missing = run("--db", str(tmp_path / "nofolder" / "library.db"), "import", str(notes), "--dry-run")
    assert missing.code == 1 and "folder" in missing.err  # the error a real import would give


def test_dry_run_on_an_older_library_neither_upgrades_nor_backs_it_up(run: Run, notes: Path, tmp_path: Path) -> None:
    from readlist.store import db

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
    report = Library(target).import_(notes, dry_run=True)
    assert sum(report.files[0].new.values()) == 3 and report.totals.new == 3
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
