"""`readlist search` and `readlist glossary`: bilingual full-text search and the synonym list it uses."""

from typing import Annotated

import typer

from readlist import output
from readlist.commands.common import DbOption, JsonOption, TagFilter, read_conn
from readlist.domain import check_kind, check_status


def search(
    query: Annotated[str, typer.Argument(help='Words, "phrases", and title: author: tag: note: status: kind: year:')],
    tag: TagFilter = None,
    status: Annotated[list[str] | None, typer.Option("--status", "-s", help="Only this status.")] = None,
    kind: Annotated[str | None, typer.Option("--kind", "-k", help="paper, article or repo.")] = None,
    limit: Annotated[int, typer.Option("--limit", "-n", help="How many results.", min=1)] = 10,
    json_: JsonOption = False,
    db: DbOption = None,
) -> None:
    """Find items by title, authors, tags, abstract and notes, in Chinese or English: `readlist search "kv cache"`."""
    from readlist.search.engine import search as run_search

    result = run_search(
        read_conn(db),
        query,
        tag=tag,
        status=[check_status(s) for s in status or []] or None,
        kind=check_kind(kind) if kind else None,
        limit=limit,
    )
    if json_:
        for item in result.items:
            item["snippet"] = item["snippet"].replace("\x02", "«").replace("\x03", "»")
        output.print_json(result.items)
        return
    if not result.items:
        output.say(f"no matches for {query!r}")
        return
    if result.fuzzy:
        output.say(f"no exact matches for {query!r}; showing close matches", "yellow")
    output.print_search_results(result.items)


def glossary(json_: JsonOption = False) -> None:
    """The bilingual synonym groups search expands queries with: `readlist glossary`."""
    from readlist.search import glossary as gl

    groups = gl.groups()
    if json_:
        output.print_json(groups)
        return
    output.print_table(
        ["#", "terms (a query for one finds all)"], [[n, " | ".join(g)] for n, g in enumerate(groups, 1)]
    )
    output.say(f"add your own groups, one per line (terms separated by |), to {gl.user_file()}")


def register(app: typer.Typer) -> None:
    app.command()(search)
    app.command()(glossary)
