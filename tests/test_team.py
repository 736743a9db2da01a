"""A team library: items, tags and notes are shared; status, priority and dates are each member's own."""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path

import pytest

from readlist.store import db
from tests.conftest import Run
from tests.items import shown

ALICE = {"READLIST_USER": "alice"}
BOB = {"READLIST_USER": "bob"}


def _ids(run: Run, *args: str, env: dict[str, str]) -> list[int]:
    result = run(*args, "--json", env=env)
    assert result.code == 0, result
    items = result.json()
    assert isinstance(items, list)
    return [item["id"] for item in items]


@pytest.fixture
def team(run: Run) -> Run:
    """Two papers added by alice; bob noted the first."""
    assert run("add", "2408.11743", "2410.02367", "--no-fetch", "--tag", "quant", env=ALICE).code == 0
    assert run("note", "1", "bob's take", env=BOB).code == 0
    return run


def test_done_marks_it_read_for_me_only(team: Run) -> None:
    assert team("done", "1", env=ALICE).code == 0
    assert _ids(team, "todo", env=ALICE) == [2]
    assert _ids(team, "todo", env=BOB) == [1, 2]
    assert _ids(team, "todo", "--who", "alice", env=BOB) == [2]


def test_status_and_priority_of_one_member_never_overwrite_anothers(team: Run) -> None:
    team("start", "1", env=BOB)
    team("done", "1", env=ALICE)
    team("edit", "2", "--priority", "3", env=BOB)
    assert shown(team, "1")["status"] == "unread"  # the current user (neither of them) has not touched it
    as_bob = team("show", "1", "--json", env=BOB).json()
    assert isinstance(as_bob, dict)
    assert as_bob["status"] == "reading" and as_bob["finished_at"] is None
    readers = {r["member"]: r["status"] for r in as_bob["readings"]}
    assert readers == {"alice": "read", "bob": "reading"}
    assert _ids(team, "todo", env=BOB)[0] == 1  # reading first, then bob's priority
    assert _ids(team, "todo", env=ALICE) == [2]


def test_adds_and_notes_carry_their_member(team: Run) -> None:
    item = shown(team, "1")
    assert item["added_by"] == "alice"
    assert [(n["author"], n["body"]) for n in item["notes"]] == [("bob", "bob's take")]
    page = team("show", "1", "--format", "tsv").out
    assert "note (bob)\tbob's take" in page


def test_list_read_by_a_member_since_a_date(team: Run) -> None:
    team("done", "2", env=BOB)
    assert _ids(team, "list", "--read-by", "bob", "--since", "7d", env=ALICE) == [2]
    assert _ids(team, "list", "--read-by", "alice", env=BOB) == []
    assert _ids(team, "list", "--read-by", "bob", "--status", "read", env=ALICE) == [2]
    contradiction = team("list", "--read-by", "bob", "--status", "unread", env=ALICE)
    assert contradiction.code == 1 and "contradicts" in contradiction.err and "--who bob" in contradiction.err


def test_a_member_nobody_knows_is_a_typo_with_the_members_as_hint(team: Run) -> None:
    result = team("todo", "--who", "alcie", env=BOB)
    assert result.code == 1
    assert "no member 'alcie'" in result.err and "alice" in result.err and "bob" in result.err


def test_team_digest_says_who_read_what_with_everyones_notes(team: Run) -> None:
    team("done", "1", env=ALICE)
    team("start", "1", env=BOB)
    team("note", "1", "alice's summary", env=ALICE)
    text = team("digest", "--since", "7d", "--team", "--lang", "en").out
    assert "Members: alice read 1, started 1 · bob read 0, started 1" in text
    line = next(line for line in text.splitlines() if "2408.11743" in line)
    assert "alice read" in line and "bob reading" in line
    assert "> **bob:** bob's take" in text and "> **alice:** alice's summary" in text


def test_team_stats_give_each_members_queue_and_pace(team: Run) -> None:
    team("done", "1", env=ALICE)
    result = team("stats", "--team", "--json", env=ALICE)
    assert result.code == 0, result
    rows = {r["member"]: r for r in result.json()}
    assert (rows["alice"]["read"], rows["alice"]["unread"]) == (1, 1)
    assert (rows["bob"]["read"], rows["bob"]["unread"]) == (0, 2)


def test_export_keeps_every_members_reading_and_reimport_is_lossless(team: Run, tmp_path: Path) -> None:
    team("done", "1", env=ALICE)
    team("start", "2", env=BOB)
    first = team("export", env=ALICE).out
    copy = tmp_path / "copy.db"
    dump = tmp_path / "all.jsonl"
    dump.write_text(first, encoding="utf-8")
    assert team("--db", str(copy), "import", str(dump), env=BOB).code == 0
    assert team("--db", str(copy), "export", env=ALICE).out == first
    record = json.loads(first.splitlines()[0])
    assert {r["member"] for r in record["readings"]} == {"alice"}


def test_upgrading_a_personal_library_keeps_its_statuses_for_its_owner(tmp_path: Path, run: Run) -> None:
    path = tmp_path / "old.db"
    db.upgrade(path, "0006")
    conn = sqlite3.connect(path)
    conn.execute(
        "INSERT INTO item (kind, key, url, title, authors, categories, status, priority, added_at, "
        "started_at, finished_at, metadata_status, details) VALUES ('paper', 'arxiv:2408.11743', "
        "'https://arxiv.org/abs/2408.11743', 'Marlin', '[]', '[]', 'read', 2, '2026-01-01T00:00:00Z', "
        "'2026-01-02T00:00:00Z', '2026-01-03T00:00:00Z', 'none', '{}')"
    )
    conn.commit()
    conn.close()
    result = run("--db", str(path), "show", "1", "--json", env=ALICE)
    assert result.code == 0, result
    item = result.json()
    assert isinstance(item, dict)
    assert (item["status"], item["priority"], item["finished_at"]) == ("read", 2, "2026-01-03T00:00:00Z")
    other = run("--db", str(path), "show", "1", "--json", env=BOB).json()
    assert isinstance(other, dict) and other["status"] == "unread"


def test_a_removed_items_number_is_never_given_to_a_new_item(run: Run) -> None:
    run("add", "2408.11743", "2410.02367", "--no-fetch")
    assert run("rm", "2", "--yes").code == 0
    assert "added #3" in run("add", "2501.00003", "--no-fetch").out


def test_show_tells_the_fields_i_set_from_those_another_member_set(team: Run) -> None:
    assert team("edit", "1", "--title", "Marlin (alice)", env=ALICE).code == 0
    assert team("edit", "1", "--rating", "5", env=BOB).code == 0
    as_alice = team("show", "1", "--format", "tsv", env=ALICE).out
    assert "yours\ttitle\n" in as_alice and "set by bob\trating\n" in as_alice, as_alice
    as_bob = team("show", "1", "--format", "tsv", env=BOB).out
    assert "yours\trating\n" in as_bob and "set by alice\ttitle\n" in as_bob, as_bob
    assert team("show", "1", "--json", env=BOB).json()["set_by_others"] == {"title": "alice"}


def test_show_says_cite_as_once(team: Run) -> None:
    with sqlite3.connect(os.environ["READLIST_DB"]) as conn:
        conn.execute("UPDATE item SET citation_key = 'frantar2024marlin' WHERE id = 1")
    assert team("show", "1", "--format", "tsv", env=ALICE).out.count("cite as\t") == 1
