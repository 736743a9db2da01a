"""Markdown tables in real notes (issue 14): rows split where the author meant, cells read by what they say,
titles without the dates and categories a table glued on, and every item at its own row's line."""

from __future__ import annotations

from pathlib import Path

from readlist.importer.extract import extract
from readlist.importer.markdown import parse, split_row
from readlist.library.records import ItemDraft
from tests.conftest import Run

TABLES = Path(__file__).parent / "data" / "tables"


def _drafts(name: str) -> dict[str, ItemDraft]:
    """The drafts of one of the small real files, by key (the first draft of each key)."""
    text = (TABLES / name).read_text(encoding="utf-8")
    drafts: dict[str, ItemDraft] = {}
    for draft in extract(name, text, parse(text)).drafts:
        drafts.setdefault(draft.ref.key, draft)
    return drafts


def _note(draft: ItemDraft) -> str:
    return " ".join(n.body for n in draft.notes)


def test_a_pipe_inside_link_text_does_not_split_the_cell() -> None:
    assert split_row("| a | [Block Diffusion | ICLR 2025](https://x.org/p) | b \\| c |") == [
        "a",
        "[Block Diffusion | ICLR 2025](https://x.org/p)",
        "b | c",
    ]


def test_items_of_a_table_row_record_the_rows_own_line(run: Run, tmp_path: Path) -> None:
    lines = (TABLES / "blog-rows.md").read_text(encoding="utf-8").split("\n")
    expected = {
        key: next(n for n, line in enumerate(lines, 1) if marker in line)
        for key, marker in (
            ("arxiv:2509.01245", "2509.01245"),
            ("url:https://lwn.net/Articles/1027096", "1027096"),
            ("arxiv:2404.18911", "2404.18911"),
            ("url:https://cloud.tencent.com/developer/article/2415194", "2415194"),
        )
    }
    drafts = _drafts("blog-rows.md")
    assert {key: drafts[key].sources[0].line for key in expected} == expected
    assert run("import", str(TABLES / "blog-rows.md")).code == 0
    shown = run("show", "2404.18911", "--json").json()
    assert [s["line"] for s in shown["sources"]] == [expected["arxiv:2404.18911"]]
