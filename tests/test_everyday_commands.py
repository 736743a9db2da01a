"""The everyday commands, run through the real console script against a real SQLite file."""

from __future__ import annotations

import re
from pathlib import Path

from tests.conftest import Run


def test_add_then_todo_shows_the_paper_and_article(run: Run) -> None:
    assert run("add", "2408.11743", "--tag", "quantization", "--note", "Marlin kernels", "--no-fetch").code == 0
    assert run("add", "https://zhuanlan.zhihu.com/p/706469164", "--title", "CUDA MODE 课程笔记").code == 0
    result = run("todo")
    assert result.code == 0 and result.err == ""
    assert "2408.11743" in result.out and "CUDA MODE 课程笔记" in result.out


def test_add_same_arxiv_paper_twice_merges_tags(run: Run) -> None:
    run("add", "2408.11743", "--tag", "quantization", "--no-fetch")
    second = run("add", "https://arxiv.org/pdf/2408.11743v2", "--tag", "kernels", "--no-fetch")
    assert second.code == 0 and "already in your list as #1" in second.out
    items = run("list", "--json").json()
    assert isinstance(items, list) and len(items) == 1
    assert items[0]["tags"] == ["kernels", "quantization"]


def test_list_json_has_the_documented_item_schema(run: Run) -> None:
    run("add", "2408.11743", "--tag", "cuda", "--note", "n1", "--no-fetch")
    item = run("list", "--json").json()[0]
    for key in (
        "id",
        "kind",
        "key",
        "arxiv_id",
        "url",
        "title",
        "authors",
        "abstract",
        "published",
        "venue",
        "status",
        "priority",
        "tags",
        "notes",
        "links",
        "added_at",
        "started_at",
        "finished_at",
        "metadata_status",
        "sources",
    ):
        assert key in item
    assert item["notes"][0]["body"] == "n1" and item["notes"][0]["created_at"]


def test_todo_orders_reading_first_then_priority_then_oldest(run: Run) -> None:
    for ref in ("2401.00001", "2401.00002", "2401.00003", "2401.00004"):
        run("add", ref, "--no-fetch")
    run("edit", "3", "--priority", "5")
    run("start", "4")
    run("done", "1")
    ids = [item["id"] for item in run("todo", "--json").json()]
    assert ids == [4, 3, 2]


def test_status_transitions_record_start_and_finish(run: Run) -> None:
    run("add", "2408.11743", "--no-fetch")
    run("start", "2408.11743")
    started = run("show", "1", "--json").json()
    assert started["status"] == "reading" and started["started_at"]
    run("done", "1")
    done = run("show", "1", "--json").json()
    assert done["status"] == "read" and done["finished_at"]
    run("status", "1", "skipped")  # `skip` never drops a finished read; `status` can
    assert run("show", "1", "--json").json()["status"] == "skipped"
    run("status", "1", "unread")
    back = run("show", "1", "--json").json()
    assert back["status"] == "unread" and back["finished_at"] is None


def test_list_filters_by_status_tag_and_kind(run: Run) -> None:
    run("add", "2408.11743", "--tag", "cuda", "--no-fetch")
    run("add", "https://github.com/linkedin/Liger-Kernel", "--tag", "cuda")
    run("done", "2")
    read_cuda = run("list", "--status", "read", "--tag", "CUDA", "--json").json()
    assert [i["kind"] for i in read_cuda] == ["repo"]
    assert [i["id"] for i in run("list", "--kind", "paper", "--json").json()] == [1]


def test_tag_add_remove_rename_and_counts(run: Run) -> None:
    run("add", "2408.11743", "--tag", "misc", "--no-fetch")
    assert run("tag", "1", "+kv-cache", "-misc").code == 0
    assert run("tags", "--json").json() == [{"tag": "kv-cache", "count": 1}]
    assert run("tags", "--rename", "kv-cache", "KV Cache").code == 0
    assert run("show", "1", "--json").json()["tags"] == ["KV Cache"]


def test_note_edit_uses_the_editor(run: Run, tmp_path: Path) -> None:
    run("add", "2408.11743", "--no-fetch")
    run("note", "1", "量化 kernel 的 roofline 分析")
    editor = tmp_path / "editor.sh"
    editor.write_text('#!/bin/sh\necho "edited in the editor" > "$1"\n')
    editor.chmod(0o755)
    assert run("note", "1", "--edit", env={"EDITOR": str(editor), "VISUAL": str(editor)}).code == 0
    notes = run("show", "1", "--json").json()["notes"]
    assert [n["body"] for n in notes] == ["edited in the editor"]


def test_rm_asks_first_and_yes_deletes(run: Run) -> None:
    run("add", "2408.11743", "--no-fetch")
    refused = run("rm", "1")
    assert refused.code == 1 and "--yes" in refused.err
    assert run("rm", "1", "--yes").code == 0
    assert run("list", "--json").json() == []


def test_errors_are_one_line_with_a_hint_and_change_nothing(run: Run, tmp_path: Path) -> None:
    run("add", "2408.11743", "--no-fetch")
    before = run("list", "--json").json()
    for args in (
        ["show", "99"],
        ["status", "1", "bogus"],
        ["add", "hello world"],
        ["add", "ftp://x"],
        ["add", "2413.12345"],
        ["add", "2401.00001", "not a url"],
        ["tag", "42", "+x"],
    ):
        result = run(*args)
        assert result.code == 1, (args, result)
        lines = result.err.strip().splitlines()
        assert lines[0].startswith("error: ") and lines[1].startswith("hint: ") and len(lines) == 2, result
        assert "Traceback" not in result.err
    assert run("list", "--json").json() == before


def test_bad_database_locations_are_clear_errors(run: Run, tmp_path: Path) -> None:
    missing = run("--db", str(tmp_path / "no" / "such" / "dir.db"), "todo")
    assert missing.code == 1 and "does not exist" in missing.err
    junk = tmp_path / "junk.db"
    junk.write_text("this is not sqlite" * 100)
    not_sqlite = run("todo", "--db", str(junk))
    assert not_sqlite.code == 1 and "not a readlist database" in not_sqlite.err
    assert junk.read_text() == "this is not sqlite" * 100


def test_markup_and_escape_sequences_in_titles_print_literally(run: Run) -> None:
    title = "[bold]Marlin[/] \x1b[31mred"
    run("add", "https://example.com/x", "--title", title, "--note", "[red]note[/]")
    shown = run("show", "1")
    assert "[bold]Marlin[/]" in shown.out and "\x1b" not in shown.out and "\\x1b[31m" in shown.out
    assert "[red]note[/]" in shown.out
    assert "[bold]Marlin[/]" in run("todo").out


def test_usage_errors_exit_2(run: Run) -> None:
    assert run("todo", "--no-such-option").code == 2
    assert run("frobnicate").code == 2


def test_db_path_check_and_backup(run: Run, isolated_library: Path) -> None:
    assert run("db", "path").out.strip() == str(isolated_library)
    run("add", "2408.11743", "--no-fetch")
    check = run("db", "check", "--json")
    assert check.code == 0 and check.json()["ok"] is True
    backup = run("db", "backup")
    assert backup.code == 0
    copies = list(isolated_library.parent.glob("library.db.*.bak"))
    assert len(copies) == 1 and copies[0].stat().st_size > 0
    elsewhere = isolated_library.parent / "backups" / "here"
    told = run("db", "backup", "--to", str(elsewhere))
    (made,) = elsewhere.glob("library.db.*.bak")
    assert told.code == 0 and told.out.strip() == f"backup written to {made}", told
    assert len(list(isolated_library.parent.glob("library.db.*.bak"))) == 1  # nothing more beside the library
    again = [run("db", "backup", "--to", str(elsewhere)).out.strip() for _ in range(2)]  # within one second
    assert len(set(again)) == 2 and len(list(elsewhere.glob("library.db.*.bak"))) == 3  # none overwritten


def test_hints_show_cli_syntax_never_the_python_apis(run: Run) -> None:
    run("add", "https://example.org/a", "--no-fetch")
    for args, env, wanted in (
        (["tag", "1", "+"], {}, "readlist tag 1 +NAME"),
        (["tag", "1", "+", "-"], {}, "readlist tag 1 +NAME"),
        (["note", "1", ""], {}, "readlist note 1 'read section 3'"),
        (["todo"], {"READLIST_USER": "   "}, "(default: login name)"),
        (["todo"], {"READLIST_LOCK_TIMEOUT": "x"}, "(default: 120)"),
    ):
        result = run(*args, env=env)
        (hint,) = [line for line in result.err.splitlines() if line.startswith("hint: ")]
        assert result.code == 1 and wanted in hint, (args, result)
        assert not re.search(r"\w\((\d|'|\[)|\w=\[|None|False", hint), (args, hint)
