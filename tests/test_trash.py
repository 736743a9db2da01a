"""`rm` moves items to a trash: listed, restored with notes and tags, and left alone by re-imports."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import Run
from tests.items import listed

NOTES = "# 1 推理\n\n## 1.1 投机解码\n\nEAGLE 很快 https://arxiv.org/abs/2401.15077 值得一看\n"


@pytest.fixture
def removed(run: Run) -> Run:
    run("add", "2401.00001", "--no-fetch", "--tag", "cuda", "--note", "keep this thought")
    run("add", "2401.00002", "--no-fetch")
    run("done", "1")
    result = run("rm", "1", "--yes")
    assert result.code == 0 and "removed #1" in result.out, result
    return run


def test_rm_moves_the_item_to_the_trash(removed: Run) -> None:
    assert [it["id"] for it in listed(removed)] == [2]
    trash = removed("trash", "--json").json()
    assert isinstance(trash, list) and len(trash) == 1
    assert trash[0]["id"] == 1 and trash[0]["key"] == "arxiv:2401.00001" and trash[0]["tags"] == ["cuda"]
    table = removed("trash")
    assert table.code == 0 and "arxiv:2401.00001" in table.out


@pytest.mark.parametrize("ref", ["1", "2401.00001", "arxiv:2401.00001", "https://arxiv.org/abs/2401.00001v2"])
def test_restore_brings_the_item_back_with_notes_tags_and_status(removed: Run, ref: str) -> None:
    result = removed("restore", ref)
    assert result.code == 0 and "restored" in result.out, result
    item = removed("show", "1", "--json").json()
    assert isinstance(item, dict)
    assert item["tags"] == ["cuda"] and item["status"] == "read" and item["finished_at"]
    assert [n["body"] for n in item["notes"]] == ["keep this thought"]
    assert removed("trash", "--json").json() == []
    assert removed("search", "thought", "--json").code == 0


def test_restore_of_something_not_in_the_trash_is_an_error(removed: Run) -> None:
    result = removed("restore", "2")
    assert result.code == 1 and "not in the trash" in result.err and "hint:" in result.err


def test_rm_with_one_missing_item_removes_nothing(removed: Run) -> None:
    result = removed("rm", "2", "99", "--yes")
    assert result.code == 1 and "no item 99" in result.err
    assert [it["id"] for it in listed(removed)] == [2]


def test_reimport_leaves_a_removed_item_alone_until_restore_removed(run: Run, tmp_path: Path) -> None:
    notes = tmp_path / "notes.md"
    notes.write_text(NOTES, encoding="utf-8")
    run("import", str(notes))
    run("tag", "1", "+mine")
    assert run("rm", "1", "--yes").code == 0
    again = run("import", str(notes))
    assert again.code == 0 and "skipped (removed): 1" in again.out, again
    assert listed(run) == []
    back = run("import", str(notes), "--restore-removed")
    assert back.code == 0 and "restored 1" in back.out
    items = listed(run)
    assert len(items) == 1 and "mine" in items[0]["tags"] and items[0]["notes"]
    assert run("trash", "--json").json() == []


def test_jsonl_import_skips_removed_keys_too(removed: Run, tmp_path: Path) -> None:
    export = tmp_path / "all.jsonl"
    removed("restore", "1")
    assert removed("export", "--format", "jsonl", "-o", str(export)).code == 0
    removed("rm", "1", "--yes")
    result = removed("import", str(export))
    assert result.code == 0 and "skipped (removed): 1" in result.out
    assert [it["id"] for it in listed(removed)] == [2]


def test_empty_trash_forgets_removedlisted(removed: Run, tmp_path: Path) -> None:
    refused = removed("trash", "--empty")
    assert refused.code == 1 and "--yes" in refused.err
    assert removed("trash", "--empty", "--yes").code == 0
    assert removed("trash", "--json").json() == []
    assert removed("restore", "1").code == 1


def test_adding_a_removed_item_again_then_restoring_merges_the_two(removed: Run) -> None:
    removed("add", "2401.00001", "--no-fetch", "--tag", "again")
    result = removed("restore", "2401.00001")
    assert result.code == 0 and "merged" in result.out
    items = [it for it in listed(removed) if it["key"] == "arxiv:2401.00001"]
    assert len(items) == 1 and set(items[0]["tags"]) == {"again", "cuda"}


def test_feed_pull_does_not_bring_back_a_removed_entry(run: Run) -> None:
    from tests.feed_server import FeedServer, blog_rss

    server = FeedServer()
    server.start()
    try:
        first = ("KV cache offloading", "https://blog.example/kv", "kv cache")
        server.routes["/blog.xml"] = blog_rss([first])
        run("feed", "add", f"{server.base}/blog.xml", "--name", "blog")
        assert "1 new in inbox" in run("feed", "pull").out
        assert run("rm", "1", "--yes").code == 0
        server.routes["/blog.xml"] = blog_rss([first, ("KV cache paging", "https://blog.example/paging", "kv cache")])
        again = run("feed", "pull")
        assert again.code == 0 and "1 new in inbox" in again.out, again
        assert [it["url"] for it in listed(run)] == ["https://blog.example/paging"]
    finally:
        server.stop()
