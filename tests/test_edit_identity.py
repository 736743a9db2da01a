"""`edit --url` re-runs identity: the item is re-keyed, refused onto another item's key, or merged into it."""

from __future__ import annotations

from tests.conftest import Run
from tests.items import shown


def test_new_url_rekeys_the_item_so_adding_it_again_merges(run: Run) -> None:
    run("add", "https://example.com/draft", "--title", "My draft", "--tag", "wip")
    result = run("edit", "1", "--url", "https://arxiv.org/abs/2408.11743v2")
    assert result.code == 0 and "arxiv:2408.11743" in result.out, result
    item = shown(run, "1")
    assert (item["key"], item["kind"], item["arxiv_id"], item["title"]) == (
        "arxiv:2408.11743",
        "paper",
        "2408.11743",
        "My draft",
    )
    assert item["metadata_status"] == "pending"
    again = run("add", "2408.11743", "--no-fetch")
    assert again.code == 0 and "already in your list as #1" in again.out
    assert len(run("list", "--json").json()) == 1


def test_url_of_another_item_is_refused_with_the_merge_hint(run: Run) -> None:
    run("add", "2401.00001", "--no-fetch")
    run("add", "https://example.com/x", "--title", "Copy")
    result = run("edit", "2", "--url", "https://arxiv.org/abs/2401.00001")
    assert result.code == 1 and "already #1" in result.err and "--merge" in result.err
    assert shown(run, "2")["key"] == "url:https://example.com/x"


def test_merge_folds_tags_notes_and_status_into_the_existingshown(run: Run) -> None:
    run("add", "2401.00001", "--no-fetch", "--tag", "a")
    run("add", "https://example.com/x", "--title", "Copy", "--tag", "b", "--note", "from the copy")
    run("done", "2")
    result = run("edit", "2", "--url", "arxiv.org/abs/2401.00001", "--merge")
    assert result.code == 0 and "#2 merged into #1" in result.out, result
    items = run("list", "--json").json()
    assert isinstance(items, list) and len(items) == 1
    item = items[0]
    assert item["tags"] == ["a", "b"] and item["status"] == "read"
    assert [n["body"] for n in item["notes"]] == ["from the copy"]
    assert run("show", "2").code == 1


def test_url_that_is_not_a_url_is_a_clear_error(run: Run) -> None:
    run("add", "2401.00001", "--no-fetch")
    result = run("edit", "1", "--url", "not a url")
    assert result.code == 1 and "neither a URL nor an arXiv ID" in result.err and "hint:" in result.err
    assert shown(run, "1")["url"] == "https://arxiv.org/abs/2401.00001"


def test_kind_is_not_editable(run: Run) -> None:
    run("add", "2401.00001", "--no-fetch")
    result = run("edit", "1", "--kind", "repo")
    assert result.code == 2 and shown(run, "1")["kind"] == "paper"


def test_same_identity_in_another_form_only_updates_nothing_else(run: Run) -> None:
    run("add", "2401.00001", "--no-fetch", "--tag", "a")
    result = run("edit", "1", "--url", "https://arxiv.org/pdf/2401.00001v3.pdf")
    assert result.code == 0
    item = shown(run, "1")
    assert item["key"] == "arxiv:2401.00001" and item["tags"] == ["a"]


def test_empty_title_is_refused(run: Run) -> None:
    run("add", "2401.00001", "--no-fetch")
    assert run("edit", "1", "--title", "  ").code == 1


def test_merging_never_takes_the_other_items_url_as_title(run: Run) -> None:
    run("add", "https://example.com/a", "https://example.com/c", "--no-fetch")
    assert run("edit", "2", "--url", "https://example.com/a", "--merge").code == 0
    assert shown(run, "1")["title"] == "https://example.com/a"
    run("add", "https://example.com/d", "--no-fetch", "--title", "A real title")
    assert run("edit", "3", "--url", "https://example.com/a", "--merge").code == 0
    assert shown(run, "1")["title"] == "A real title"


def test_editing_to_another_version_of_the_same_paper_says_what_was_asked(run: Run) -> None:
    run("add", "2404.14469", "--no-fetch")
    result = run("edit", "1", "--url", "https://arxiv.org/abs/2404.14469v2")
    assert result.code == 0 and "#1 updated (url)" in result.out, result  # was "updated ()"


def test_an_items_old_url_still_names_it_after_the_url_was_edited(run: Run) -> None:
    run("add", "https://example.org/old-url", "--title", "Old URL", "--no-fetch")
    assert run("edit", "1", "--url", "https://example.org/new-url").code == 0
    shown = run("show", "https://example.org/old-url", "--json")
    assert shown.code == 0 and shown.json()["url"] == "https://example.org/new-url"
    assert run("tag", "https://example.org/old-url", "+kept").code == 0
    assert run("show", "1", "--json").json()["tags"] == ["kept"]
