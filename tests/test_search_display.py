"""What search shows a person: snippets read as the text did (spaces kept around highlighted words, one …,
no markdown markers), and how many matched beyond the page, seen before the results."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import Run

ROWS = [
    {
        "key": "url:https://example.com/1",
        "url": "https://example.com/1",
        "title": "Speculative sampling",
        "abstract": "Earlier work on decoding. We build on Fast Inference from Transformers via Speculative Decoding "
        "and show that drafts help.",
    },
    {
        "key": "url:https://example.com/2",
        "url": "https://example.com/2",
        "title": "A long note",
        "notes": [{"body": "ab… " * 60 + "**zebra** crossing " + "ab… " * 60}],
    },
    {
        "key": "url:https://example.com/8",
        "url": "https://example.com/8",
        "title": "Gated attention",
        "notes": [
            {"body": "门控" * 40 + "**扩展能力的研究在注意力机制中的有效性以及相关方法**并未被充分讨论。2**10 是幂。"}
        ],
    },
    *(
        {"key": f"url:https://example.com/{n}", "url": f"https://example.com/{n}", "title": f"Zebra study {n}"}
        for n in range(3, 8)
    ),
]


@pytest.fixture
def library(run: Run, tmp_path: Path) -> None:
    source = tmp_path / "rows.jsonl"
    source.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in ROWS) + "\n", encoding="utf-8")
    assert run("import", str(source)).code == 0


def test_terminal_snippet_keeps_the_spaces_around_highlighted_words(run: Run, library: None) -> None:
    result = run("search", "transformers", "--format", "table")
    assert result.code == 0, result
    assert "Inference from Transformers via" in result.out


def test_snippet_has_one_ellipsis_at_a_cut_and_no_markdown_markers(run: Run, library: None) -> None:
    result = run("search", "zebra crossing", "--json")
    assert result.code == 0, result
    snippet = next(item["snippet"] for item in result.json() if item["title"] == "A long note")
    assert "«zebra»" in snippet and snippet.startswith("…") and snippet.endswith("…")
    assert "……" not in snippet and "**" not in snippet
    table = run("search", "zebra crossing", "--format", "table")
    assert "……" not in table.out and "**" not in table.out


def test_emphasis_between_chinese_characters_goes_and_a_power_stays(run: Run, library: None) -> None:
    result = run("search", "讨论", "--json")  # the window opens inside the bold run: its closing ** is alone
    assert result.code == 0, result
    snippet = next(item["snippet"] for item in result.json() if item["title"] == "Gated attention")
    assert "相关方法并未被充分«讨论»" in snippet and "2**10" in snippet


def test_search_says_how_many_matched_beyond_the_page_before_the_results(run: Run, library: None) -> None:
    table = run("search", "zebra", "--limit", "2", "--format", "table")
    assert table.code == 0, table
    assert table.out.splitlines()[0].startswith("showing 2 of 6")
    piped = run("search", "zebra", "--limit", "2", "--format", "tsv")
    assert len(piped.out.splitlines()) == 2  # stdout stays data
    assert "showing 2 of 6" in piped.err
    everything = run("search", "zebra", "--all", "--format", "tsv")
    assert len(everything.out.splitlines()) == 6 and "showing" not in everything.err
