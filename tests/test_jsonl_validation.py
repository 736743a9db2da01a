"""Every value a JSONL/JSON export brings into the library is checked; a bad one names its line and field."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Run

GOOD: dict[str, Any] = {
    "key": "arxiv:2401.00001",
    "url": "https://arxiv.org/abs/2401.00001",
    "kind": "paper",
    "arxiv_id": "2401.00001",
    "title": "A paper",
    "status": "read",
    "priority": 2,
    "tags": ["cuda"],
    "notes": [{"body": "good", "created_at": "2026-01-02T03:04:05Z", "author": "alice"}],
    "links": [{"url": "https://github.com/a/b", "role": "code"}],
    "added_at": "2026-01-01T00:00:00Z",
    "finished_at": "2026-01-03T00:00:00Z",
    "metadata_status": "fetched",
}


def _write(tmp_path: Path, *rows: dict[str, Any]) -> Path:
    path = tmp_path / "team.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


def test_a_valid_export_line_imports_every_field(run: Run, tmp_path: Path) -> None:
    assert run("import", str(_write(tmp_path, GOOD))).code == 0
    item = run("show", "1", "--json").json()
    assert isinstance(item, dict)
    assert (item["kind"], item["status"], item["priority"], item["finished_at"]) == (
        "paper",
        "read",
        2,
        "2026-01-03T00:00:00Z",
    )
    assert item["notes"][0]["author"] == "alice" and item["links"] == [
        {"url": "https://github.com/a/b", "role": "code"}
    ]


@pytest.mark.parametrize(
    ("field", "value", "says"),
    [
        ("kind", "banana", "kind"),
        ("status", "eaten", "status"),
        ("metadata_status", "maybe", "metadata_status"),
        ("links", [{"url": "https://x.org", "role": "lunch"}], "role"),
        ("added_at", "yesterday", "added_at"),
        ("finished_at", 12, "finished_at"),
        ("priority", "high", "priority"),
        ("priority", 10**20, "priority"),
        ("arxiv_version", -1, "arxiv_version"),
        ("tags", "cuda", "tags"),
        ("tags", [1, 2], "tags"),
        ("notes", [{"body": "x", "created_at": "soon"}], "created_at"),
        ("notes", "a note", "notes"),
        ("categories", "cs.LG", "categories"),
        ("key", "banana", "key"),
        ("url", "not a url", "url"),
        ("title", {"en": "x"}, "title"),
        ("authors", [{"nom": "x"}], "authors"),
        ("sources", [{"file": "a.md", "line": "three"}], "line"),
    ],
)
def test_a_bad_value_is_refused_with_its_line_and_field(
    run: Run, tmp_path: Path, field: str, value: Any, says: str
) -> None:
    path = _write(tmp_path, {**GOOD, "key": "arxiv:2401.00002", "arxiv_id": "2401.00002"}, {**GOOD, field: value})
    result = run("import", str(path))
    assert result.code == 1, result
    assert "team.jsonl line 2" in result.err and says in result.err and "hint:" in result.err
    assert "internal error" not in result.err
    assert run("list", "--json").json() == []  # nothing from the file was written


def test_status_words_people_use_are_accepted_in_an_export(run: Run, tmp_path: Path) -> None:
    assert run("import", str(_write(tmp_path, {**GOOD, "status": "done"}))).code == 0
    item = run("show", "1", "--json").json()
    assert isinstance(item, dict) and item["status"] == "read"


def test_a_json_array_names_the_item_number(run: Run, tmp_path: Path) -> None:
    path = tmp_path / "team.json"
    path.write_text(json.dumps([GOOD, {**GOOD, "kind": "banana"}]), encoding="utf-8")
    result = run("import", str(path))
    assert result.code == 1 and "team.json item 2" in result.err and "kind" in result.err


@pytest.mark.parametrize("first", ["not json at all", "# notes https://arxiv.org/abs/2401.00009", ""])
def test_a_jsonl_file_whose_first_line_is_not_json_is_an_error_naming_the_line(
    run: Run, tmp_path: Path, first: str
) -> None:
    path = tmp_path / "team.jsonl"
    path.write_text(first + "\n" + json.dumps(GOOD) + "\n", encoding="utf-8")
    result = run("import", str(path))
    if not first:  # a blank line is allowed: the file is still JSON lines
        assert result.code == 0 and run("list", "--json").json()[0]["key"] == GOOD["key"], result
        return
    assert result.code == 1 and "team.jsonl is not valid JSON (line 1" in result.err, result
    assert run("list", "--json").json() == []  # not read as markdown notes


def test_a_broken_line_further_down_a_jsonl_file_is_named_by_its_line(run: Run, tmp_path: Path) -> None:
    path = tmp_path / "team.jsonl"
    path.write_text(json.dumps(GOOD) + "\n\n" + json.dumps(GOOD) + "\n" + '{"kind": "paper"\n', encoding="utf-8")
    result = run("import", str(path))
    assert result.code == 1 and "team.jsonl is not valid JSON (line 4:" in result.err, result
