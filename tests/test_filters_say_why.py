"""Filters that empty a result say so (and how to widen), never "nothing to read"; bad filter input (an empty
tag, a `tag:` with no value, --all beside --limit) is one clear error, the same on every command."""

from __future__ import annotations

import pytest

from tests.conftest import Run


@pytest.fixture
def tagged(run: Run) -> Run:
    """Three unread items: #1 and #3 tagged moe, #2 tagged kv; none has both tags."""
    run("add", "2408.11743", "--tag", "moe", "--title", "Mixture of experts", "--no-fetch")
    run("add", "2401.00001", "--tag", "kv", "--title", "KV cache paging", "--no-fetch")
    run("add", "2401.00002", "--tag", "moe", "--title", "KV cache for experts", "--no-fetch")
    return run


def test_todo_emptied_by_tags_says_the_filter_matched_nothing_and_how_to_widen(tagged: Run) -> None:
    result = tagged("todo", "-t", "kv", "-t", "moe", "-f", "table")
    assert result.code == 0 and result.err == "", result
    assert (
        result.out.strip() == "nothing to read with -t kv -t moe — 3 to read without them (or drop one): readlist todo"
    )
    assert "add something" not in result.out


def test_todo_of_an_empty_queue_still_says_add_something(run: Run) -> None:
    result = run("todo", "-f", "table")
    assert result.code == 0 and "nothing to read — add something" in result.out, result


def test_list_emptied_by_filters_names_them_and_how_to_widen(tagged: Run) -> None:
    result = tagged("list", "-t", "kv", "-t", "moe", "--status", "read", "-f", "table")
    assert result.code == 0 and result.err == "", result
    assert result.out.strip() == (
        "no items match --status read -t kv -t moe — drop a filter to widen, or see every item: readlist list"
    )
    assert tagged("list", "-t", "kv", "-t", "moe", "--json").out.strip() == "[]"  # programs get data only


@pytest.mark.parametrize(
    ("command", "said"),
    [
        (["todo", "-t", "kv", "-t", "moe"], "nothing to read with -t kv -t moe — 3 to read without them"),
        (["list", "-t", "kv", "-t", "moe"], "no items match -t kv -t moe — drop a filter"),
        (["list", "-t", "kv", "--status", "read", "-n", "5"], "no items match --status read -t kv — drop a filter"),
        (["search", "paging", "-t", "moe"], 'no matches for "paging" with tag moe — 1 match without it'),
    ],
)
def test_in_a_pipe_a_result_emptied_by_filters_says_so_on_stderr(tagged: Run, command: list[str], said: str) -> None:
    result = tagged(*command)  # not a terminal: stdout is data, the note goes to stderr
    assert result.code == 0 and result.out.strip() in ("", "[]"), result
    assert said in result.err and len(result.err.strip().splitlines()) == 1, result


def test_a_missing_tag_is_the_one_thing_said_and_a_qualifier_is_not_repeated(tagged: Run) -> None:
    for command in (["search", "paging", "-t", "nosuch"], ["search", "paging", "-t", "nosuch", "-f", "table"]):
        result = tagged(*command)
        assert (result.out + result.err).strip() == 'no tag "nosuch" (see: readlist tags)', result
    worded = tagged("search", "paging tag:moe", "-f", "table")
    assert 'no matches for "paging" with tag moe' in worded.out, worded


def test_list_refuses_a_limit_of_zero_as_todo_and_search_do(tagged: Run) -> None:
    result = tagged("list", "-n", "0")
    assert result.code == 1 and "--limit 0 would show nothing" in result.err and "hint:" in result.err, result


def test_a_filter_value_is_quoted_only_where_a_shell_needs_it(tagged: Run) -> None:
    tagged("add", "2401.00003", "--tag", "量化", "--tag", "long context", "--title", "Quant", "--no-fetch")
    result = tagged("todo", "-t", "量化", "-t", "long context", "-t", "kv", "-f", "table")
    assert "nothing to read with -t 量化 -t 'long context' -t kv" in result.out, result


def test_list_of_an_empty_library_says_add_something(run: Run) -> None:
    result = run("list", "--status", "read", "-f", "table")
    assert result.code == 0 and "no items yet — add something" in result.out, result


def test_search_emptied_by_a_tag_says_so_and_how_many_match_without_it(tagged: Run) -> None:
    for args in (["paging", "-t", "moe"], ["paging tag:moe"]):
        result = tagged("search", *args, "-f", "table")
        assert result.code == 0 and result.err == "", result
        assert "with tag moe — 1 match without it" in result.out, result
    both = tagged("search", "paging", "-t", "moe", "--status", "read", "-f", "table")
    assert 'no matches for "paging" with tag moe, status read — 1 match without them; drop one' in both.out, both
    none = tagged("search", "zebra", "-t", "moe", "-f", "table", "--exact")
    assert 'no matches for "zebra" with tag moe (none without it either)' in none.out, none


@pytest.mark.parametrize(
    "command",
    [["list"], ["todo"], ["export"], ["digest"], ["search"], ["search", "kv"]],
)
@pytest.mark.parametrize("empty", ["", " ", "#"])
def test_an_empty_tag_is_refused_alike_by_every_command(tagged: Run, command: list[str], empty: str) -> None:
    result = tagged(*command, "-t", empty)
    assert result.code == 1 and result.out == "", result
    assert result.err.splitlines() == [
        "error: -t needs a tag name, not an empty one",
        "hint: leave -t out for every item; see: readlist tags",
    ]


@pytest.mark.parametrize(
    ("query", "key"),
    [("kv tag:", "tag"), ('kv tag:""', "tag"), ("tag:", "tag"), ("kv status:", "status"), ("title: kv", "title")],
)
def test_a_qualifier_with_nothing_after_its_colon_is_a_clear_error(tagged: Run, query: str, key: str) -> None:
    for extra in ([], ["-t", "moe"]):  # a filter option beside it must not hide the error
        result = tagged("search", query, *extra)
        assert result.code == 1 and result.out == "", result
        error, hint = result.err.splitlines()
        assert error == f"error: {key}: needs a value right after the colon" and hint.startswith("hint: e.g."), hint


@pytest.mark.parametrize("query", ['kv tag:" "', 'tag:"#"', 'kv tags:"  "'])
def test_a_tag_qualifier_naming_no_tag_is_the_empty_tag_error(tagged: Run, query: str) -> None:
    result = tagged("search", query)
    assert result.code == 1 and result.out == "", result
    error, hint = result.err.splitlines()
    assert error.endswith(": needs a tag name, not an empty one") and hint.startswith("hint: e.g."), result


def test_a_bad_status_in_the_words_is_refused_even_beside_a_filter_option(tagged: Run) -> None:
    result = tagged("search", "kv status:bogus", "-t", "moe")
    assert result.code == 1 and "unknown status 'bogus'" in result.err, result


@pytest.mark.parametrize("command", [["todo"], ["search", "kv"]])
def test_all_beside_limit_is_refused_not_silently_ignored(tagged: Run, command: list[str]) -> None:
    result = tagged(*command, "--all", "-n", "1")
    assert result.code == 2 and result.out == "", result
    assert result.err.startswith("error: --all shows ") and "give one of them" in result.err, result
    assert len(tagged(*command, "-n", "1", "--json").json()) == 1
    assert len(tagged(*command, "--all", "--json").json()) >= 2


@pytest.mark.parametrize(
    "command",
    [
        ["add", "https://example.com/a", "--no-fetch"],
        ["import", "."],
        ["feed", "add", "http://127.0.0.1:9/f", "--no-check"],
    ],
)
def test_an_empty_tag_to_give_is_refused_not_dropped(run: Run, command: list[str]) -> None:
    result = run(*command, "-t", " ")
    assert result.code == 1 and "-t needs a tag name" in result.err and "hint:" in result.err, result
    assert run("list", "--json").json() == []  # nothing was written
