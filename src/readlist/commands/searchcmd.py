"""`readlist search` and `readlist glossary`: bilingual full-text search and the synonym list it uses."""

from typing import Annotated

import typer

from readlist import output
from readlist.commands.common import (
    DbOption,
    FormatOption,
    JsonOption,
    NoPagerOption,
    TagFilter,
    read_conn,
    view,
)
from readlist.domain import MAX_COUNT, check_kind, check_status


def search(
    query: Annotated[
        str,
        typer.Argument(help='Words, "phrases", and title: author: tag: note: status: kind: year:', metavar="QUERY"),
    ],
    tag: TagFilter = None,
    status: Annotated[
        list[str] | None, typer.Option("--status", "-s", help="Only this status.", metavar="STATUS")
    ] = None,
    kind: Annotated[str | None, typer.Option("--kind", "-k", help="paper, article or repo.", metavar="KIND")] = None,
    limit: Annotated[
        int, typer.Option("--limit", "-n", help="How many results.", min=1, max=MAX_COUNT, metavar="COUNT")
    ] = 10,
    fmt: FormatOption = None,
    json_: JsonOption = False,
    no_pager: NoPagerOption = False,
    db: DbOption = None,
) -> None:
    """Find items by title, authors, tags, abstract and notes, in Chinese or English: `readlist search "kv cache"`."""
    from readlist.search.engine import search as run_search

    conn = read_conn(db)
    chosen = view(fmt, json_, no_pager)
    result = run_search(
        conn,
        query,
        tag=tag,
        status=[check_status(s) for s in status or []] or None,
        kind=check_kind(kind) if kind else None,
        limit=limit,
    )
    if chosen.fmt in ("json", "jsonl"):
        for item in result.items:
            item["snippet"] = item["snippet"].replace("\x02", "«").replace("\x03", "»")
    if not result.items:
        from readlist.commands.lists import why_empty

        why = why_empty(conn, tag)
        if chosen.fmt == "table" or why:
            output.print_items([], f"no matches for {query!r}", view=chosen, why=why)
            return
    elif result.fuzzy:
        output.warn(f"no exact matches for {query!r}; showing close matches")
    output.print_search_results(result.items, chosen)


def glossary(fmt: FormatOption = None, json_: JsonOption = False, no_pager: NoPagerOption = False) -> None:
    """The bilingual synonym groups search expands queries with: `readlist glossary`."""
    from readlist.search import glossary as gl

    groups = gl.groups()
    chosen = view(fmt, json_, no_pager)
    rows: list[list[object]] = [[n, " | ".join(g)] for n, g in enumerate(groups, 1)]
    output.print_table(["#", "terms (a query for one finds all)"], rows, view=chosen, data=list(groups))
    if chosen.fmt == "table":
        output.say(f"add your own groups, one per line (terms separated by |), to {gl.user_file()}")


def register(app: typer.Typer) -> None:
    app.command()(search)
    app.command()(glossary)
