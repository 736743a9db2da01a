"""Notes are records: listed with numbers, edited and removed one at a time, with their author."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Run


def _notes(run: Run, ref: str = "1") -> list[dict[str, Any]]:
    result = run("note", ref, "--json")
    assert result.code == 0, result
    notes = result.json()
    assert isinstance(notes, list)
    return notes


def _editor(tmp_path: Path, text: str) -> str:
    """A real editor program that replaces the file's text (and records what it was given)."""
    script = tmp_path / "editor.py"
    seen = tmp_path / "seen.txt"
    script.write_text(
        "import sys, pathlib\n"
        f"pathlib.Path({str(seen)!r}).write_text(pathlib.Path(sys.argv[1]).read_text())\n"
        f"pathlib.Path(sys.argv[1]).write_text({text!r})\n"
    )
    return f"{sys.executable} {script}"


@pytest.fixture
def two_notes(run: Run) -> Run:
    assert run("add", "2401.00001", "--no-fetch").code == 0
    assert run("note", "1", "first thought", env={"READLIST_USER": "alice"}).code == 0
    assert run("note", "1", "second thought", env={"READLIST_USER": "bob"}).code == 0
    return run


def test_note_lists_numbered_notes_with_their_authors(two_notes: Run) -> None:
    result = two_notes("note", "1")
    assert result.code == 0 and result.err == ""
    assert "note 1 · " in result.out and "alice" in result.out and "note 2 · " in result.out and "bob" in result.out
    assert [(n["body"], n["author"]) for n in _notes(two_notes)] == [
        ("first thought", "alice"),
        ("second thought", "bob"),
    ]


def test_note_rm_removes_only_that_note(two_notes: Run) -> None:
    result = two_notes("note", "1", "--rm", "1")
    assert result.code == 0 and "first thought" in result.out
    assert [n["body"] for n in _notes(two_notes)] == ["second thought"]
    missing = two_notes("note", "1", "--rm", "5")
    assert missing.code == 1 and "no note 5" in missing.err and "hint:" in missing.err


def test_note_edit_number_edits_one_note_and_keeps_the_other(two_notes: Run, tmp_path: Path) -> None:
    result = two_notes("note", "1", "--edit", "2", env={"EDITOR": _editor(tmp_path, "second, revised")})
    assert result.code == 0, result
    assert (tmp_path / "seen.txt").read_text() == "second thought"  # only that note was in the editor
    notes = _notes(two_notes)
    assert [n["body"] for n in notes] == ["first thought", "second, revised"]
    assert notes[0]["created_at"] and notes[1]["created_at"]


def test_note_edit_alone_with_several_notes_adds_a_new_one(two_notes: Run, tmp_path: Path) -> None:
    result = two_notes("note", "1", "--edit", env={"EDITOR": _editor(tmp_path, "a third")})
    assert result.code == 0 and "note added" in result.out
    assert [n["body"] for n in _notes(two_notes)] == ["first thought", "second thought", "a third"]


def test_note_edit_alone_edits_the_only_note(run: Run, tmp_path: Path) -> None:
    run("add", "2401.00001", "--no-fetch", "--note", "only")
    assert run("note", "1", "-e", env={"EDITOR": _editor(tmp_path, "only, longer")}).code == 0
    assert [n["body"] for n in _notes(run)] == ["only, longer"]


def test_failed_editor_is_an_error_and_changes_nothing(two_notes: Run) -> None:
    result = two_notes("note", "1", "--edit", "1", env={"EDITOR": "false", "VISUAL": ""})
    assert result.code == 1 and "editor failed" in result.err
    assert [n["body"] for n in _notes(two_notes)] == ["first thought", "second thought"]


def test_unchanged_text_says_note_unchanged(two_notes: Run) -> None:
    result = two_notes("note", "1", "--edit", "1", env={"EDITOR": "true", "VISUAL": ""})
    assert result.code == 0 and "note unchanged" in result.out


def test_emptied_note_is_refused_with_the_rm_hint(two_notes: Run, tmp_path: Path) -> None:
    result = two_notes("note", "1", "--edit", "1", env={"EDITOR": _editor(tmp_path, "  \n")})
    assert result.code == 1 and "--rm" in result.err
    assert len(_notes(two_notes)) == 2


def test_edit_takes_a_note_number_not_text(two_notes: Run) -> None:
    result = two_notes("note", "1", "--edit", "hello")
    assert result.code == 1 and "note number" in result.err


def test_imported_notes_can_be_edited_and_removed_and_reimport_keeps_the_edit(run: Run, tmp_path: Path) -> None:
    notes = tmp_path / "notes.md"
    notes.write_text(
        "# 1 推理\n\n## 1.1 投机解码\n\nEAGLE 很快 https://arxiv.org/abs/2401.15077 值得一看\n", encoding="utf-8"
    )
    assert run("import", str(notes)).code == 0
    imported = _notes(run)
    assert len(imported) == 1 and imported[0]["source"]
    assert run("note", "1", "--edit", "1", env={"EDITOR": _editor(tmp_path, "my own words")}).code == 0
    assert run("import", str(notes)).code == 0
    assert [n["body"] for n in _notes(run)] == ["my own words"]
    assert run("note", "1", "--rm", "1").code == 0
    assert _notes(run) == []


def test_note_on_an_item_without_notes_says_how_to_add_one(run: Run) -> None:
    run("add", "2401.00001", "--no-fetch")
    result = run("note", "1")
    assert result.code == 0 and "no notes" in result.out
