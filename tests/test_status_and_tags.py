"""Status moves, tags and numbers: repeated commands are harmless, many items move together or not at all."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import Run
from tests.items import shown


@pytest.fixture
def three(run: Run) -> Run:
    for ref in ("2401.00001", "2401.00002", "2401.00003"):
        assert run("add", ref, "--no-fetch", "--tag", "cuda").code == 0
    return run


def test_tag_already_present_in_any_case_is_a_no_op(three: Run) -> None:
    for change in ("+cuda", "+CUDA", "cuda"):
        result = three("tag", "1", change)
        assert result.code == 0 and result.err == "", result
        assert "unchanged" in result.out
    assert shown(three, "1")["tags"] == ["cuda"]


def test_tag_adds_and_removes_and_says_what_changed(three: Run) -> None:
    result = three("tag", "1", "+kernels", "-CUDA", "+kernels")
    assert result.code == 0 and "+kernels" in result.out and "-cuda" in result.out, result
    assert shown(three, "1")["tags"] == ["kernels"]


def test_numbers_after_the_item_are_more_items_never_tags(three: Run) -> None:
    result = three("tag", "2", "3", "+kernels")
    assert result.code == 0 and "#2 tags +kernels" in result.out and "#3 tags +kernels" in result.out, result
    assert [shown(three, n)["tags"] for n in "123"] == [["cuda"], ["cuda", "kernels"], ["cuda", "kernels"]]
    assert "3" not in [t["tag"] for t in three("tags", "--json").json()]
    missing = three("tag", "1", "9", "+x")  # all or nothing: #1 is not tagged either
    assert missing.code == 1 and "no item 9" in missing.err and shown(three, "1")["tags"] == ["cuda"]
    bare = three("tag", "1", "2")
    assert bare.code == 1 and "no tag changes for 1 2" in bare.err and "readlist tag 1 +2" in bare.err, bare
    assert three("tag", "1", "+7").code == 0 and shown(three, "1")["tags"] == ["7", "cuda"]
    assert three("tag", "2401.00001", "2401.00002", "gpu").code == 0  # an item by arXiv ID, then a bare tag
    assert "gpu" in shown(three, "1")["tags"] and "gpu" in shown(three, "2")["tags"]


def test_renaming_a_tag_onto_one_the_item_already_has_merges_them(three: Run) -> None:
    three("tag", "1", "+gpu")
    result = three("tags", "--rename", "cuda", "GPU")
    assert result.code == 0, result
    assert shown(three, "1")["tags"] == ["gpu"] and shown(three, "2")["tags"] == ["gpu"]


def test_keep_on_a_finished_read_is_refused_and_keeps_the_finish_time(three: Run) -> None:
    three("done", "1")
    finished = shown(three, "1")["finished_at"]
    result = three("keep", "1")
    assert result.code == 1 and "cannot keep: #1 is read" in result.err
    assert "hint: keep is for inbox entries" in result.err
    item = shown(three, "1")
    assert item["status"] == "read" and item["finished_at"] == finished


def test_keep_takes_inbox_entries_and_refuses_skipped_or_reading_ones(three: Run) -> None:
    assert three("status", "2", "inbox").code == 0
    three("skip", "1")
    three("start", "3")
    for ref, status in (("1", "skipped"), ("3", "reading")):
        refused = three("keep", ref)
        assert refused.code == 1 and f"#{ref} is {status}" in refused.err
    kept = three("keep", "2")
    assert kept.code == 0 and "#2 kept" in kept.out
    assert shown(three, "2")["status"] == "unread"
    again = three("keep", "2")
    assert again.code == 0 and "already unread" in again.out


def test_skip_drops_queued_items_but_never_a_finished_read(three: Run) -> None:
    three("done", "1")
    refused = three("skip", "1")
    assert refused.code == 1 and "status 1 skipped" in refused.err
    assert shown(three, "1")["status"] == "read"
    assert three("skip", "2").code == 0 and shown(three, "2")["status"] == "skipped"
    forced = three("status", "1", "skipped")
    assert forced.code == 0 and shown(three, "1")["status"] == "skipped"


def test_start_on_a_read_item_is_refused_with_the_explicit_command_as_hint(three: Run) -> None:
    three("done", "1")
    result = three("start", "1")
    assert result.code == 1 and "readlist status 1 reading" in result.err
    assert three("status", "1", "reading").code == 0
    item = shown(three, "1")
    assert item["status"] == "reading" and item["finished_at"] is None


def test_done_twice_is_harmless(three: Run) -> None:
    three("done", "1")
    finished = shown(three, "1")["finished_at"]
    again = three("done", "1")
    assert again.code == 0 and "already read" in again.out
    assert shown(three, "1")["finished_at"] == finished


@pytest.mark.parametrize("command", [("done",), ("start",), ("skip",), ("status",), ("keep",)])
def test_multi_item_command_with_one_missing_item_changes_nothing(three: Run, command: tuple[str, ...]) -> None:
    three("status", "1", "inbox")
    args = [*command, "1", "2", "99"] + (["read"] if command == ("status",) else [])
    result = three(*args)
    assert result.code == 1 and "no item 99" in result.err and "nothing was changed" in result.err, result
    assert shown(three, "1")["status"] == "inbox" and shown(three, "2")["status"] == "unread"


def test_multi_item_command_with_one_refused_item_changes_nothing(three: Run) -> None:
    three("done", "3")
    result = three("skip", "1", "2", "3")
    assert result.code == 1 and "#3 is read" in result.err
    assert [shown(three, r)["status"] for r in ("1", "2", "3")] == ["unread", "unread", "read"]


def test_status_takes_many_items_and_the_words_people_use(three: Run) -> None:
    result = three("status", "1", "2", "done")
    assert result.code == 0 and result.out.count("is now read") == 2, result
    for word, status in [("finished", "read"), ("todo", "unread"), ("to-read", "unread"), ("in-progress", "reading")]:
        assert three("status", "3", word).code == 0
        assert shown(three, "3")["status"] == status


@pytest.mark.parametrize("word", ["done", "finished"])
def test_list_and_search_status_filters_take_aliases(three: Run, word: str) -> None:
    three("done", "2")
    listed = three("list", "--status", word, "--json")
    assert listed.code == 0 and [it["id"] for it in listed.json()] == [2]
    searched = three("search", "2401.00002", "--status", word, "--json")
    assert searched.code == 0, searched


def test_status_help_lists_every_status_including_inbox(run: Run) -> None:
    result = run("status", "--help")
    assert result.code == 0
    for status in ("inbox", "unread", "reading", "read", "skipped", "done", "to-read", "in-progress"):
        assert status in result.out


def test_unknown_status_is_a_clear_error(three: Run) -> None:
    result = three("status", "1", "banana")
    assert result.code == 1 and "unknown status 'banana'" in result.err and "hint:" in result.err


@pytest.mark.parametrize(
    "args",
    [
        ("show", "99999999999999999999"),
        ("done", "99999999999999999999"),
        ("edit", "1", "--priority", "99999999999999999999"),
        ("add", "2401.00009", "--priority", "99999999999999999999", "--no-fetch"),
        ("list", "--limit", "99999999999999999999"),
        ("todo", "--limit", "99999999999999999999"),
        ("search", "x", "--limit", "99999999999999999999"),
    ],
)
def test_twenty_digit_numbers_are_clear_errors(three: Run, args: tuple[str, ...]) -> None:
    result = three(*args)
    assert result.code in (1, 2) and "internal error" not in result.err and "Traceback" not in result.err, result
    assert "99999999999999999999" in result.err


def test_removing_a_tag_whose_name_has_an_h_removes_it_instead_of_printing_help(run: Run) -> None:
    run("add", "https://example.com/post/1", "--no-fetch", "-t", "cache", "-t", "KV Cache 压缩", "-t", "hardware")
    result = run("tag", "1", "-cache", "-KV Cache 压缩")  # Click read -cache as the flags -c -a -c -h -e
    assert result.code == 0 and "Usage" not in result.out and "-cache" in result.out, result
    assert shown(run, "1")["tags"] == ["hardware"]
    assert run("tag", "1", "--", "-hardware").code == 0 and shown(run, "1")["tags"] == []
    assert "Usage" in run("tag", "-h").out


def test_a_dangling_db_after_tag_changes_is_an_error_not_a_library_named_dashes(run: Run, tmp_path: Path) -> None:
    import os

    run("add", "https://example.com/post/1", "--no-fetch")
    here = os.getcwd()
    os.chdir(tmp_path)
    try:
        result = run("tag", "1", "+oops", "--db")
    finally:
        os.chdir(here)
    assert result.code == 2 and 'option "--db" requires an argument' in result.err, result
    assert not (tmp_path / "--").exists()


def test_a_tag_with_a_comma_is_refused_because_lists_would_show_two(run: Run) -> None:
    run("add", "https://example.org/a", "--title", "A", "--no-fetch")
    for args in (["tag", "1", "+a,b"], ["add", "https://example.org/b", "--tag", "p，q", "--no-fetch"]):
        result = run(*args)
        assert result.code == 1 and "cannot hold a comma" in result.err and "hint:" in result.err, args
    assert run("show", "1", "--json").json()["tags"] == [] and len(run("list", "--json").json()) == 1
