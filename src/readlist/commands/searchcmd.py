"""`readlist search` and `readlist glossary`: bilingual full-text search and the synonym list it uses."""

from typing import TYPE_CHECKING, Annotated

import typer
from typer._click.exceptions import UsageError

from readlist import output
from readlist.commands.common import (
    DbOption,
    FormatOption,
    JsonOption,
    NoPagerOption,
    TagFilter,
    library,
    view,
)
from readlist.domain import MAX_COUNT
from readlist.errors import InvalidInputError

if TYPE_CHECKING:
    from readlist.api import SearchResult

PAGE = 10  # results shown when neither --limit nor --all is given


def search(
    ctx: typer.Context,
    words: Annotated[
        list[str] | None,
        typer.Argument(
            help='Words, "phrases", and title: author: note: abstract: qualifiers; tag: status: kind: year: filters',
            metavar="QUERY",
            show_default=False,
        ),
    ] = None,
    tags: TagFilter = None,
    status: Annotated[
        list[str] | None, typer.Option("--status", "-s", help="Only this status (repeatable).", metavar="STATUS")
    ] = None,
    kind: Annotated[str | None, typer.Option("--kind", "-k", help="paper, article or repo.", metavar="KIND")] = None,
    since: Annotated[
        str | None, typer.Option("--since", help="Added/read since: 7d, 2w, 3m or 2026-11-01.", metavar="WHEN")
    ] = None,
    year: Annotated[
        int | None, typer.Option("--year", help="Published in this year.", min=1000, max=9999, metavar="YEAR")
    ] = None,
    limit: Annotated[
        int | None,
        typer.Option("--limit", "-n", help="How many results (default 10).", min=1, max=MAX_COUNT, metavar="COUNT"),
    ] = None,
    all_: Annotated[bool, typer.Option("--all", "-a", help="Every result.")] = False,
    exact: Annotated[
        bool, typer.Option("--exact", help="Only what you typed: no spellings, synonyms or typo correction.")
    ] = False,
    fmt: FormatOption = None,
    json_: JsonOption = False,
    no_pager: NoPagerOption = False,
    db: DbOption = None,
) -> None:
    """Find items by title, authors, tags, abstract, notes and article text, in Chinese or English:
    `readlist search "kv cache"`."""
    if all_ and limit is not None:
        raise UsageError(f"--all shows every result and --limit {limit} a page: give one of them", ctx)
    query = " ".join(words or [])
    if not query.strip() and not (tags or status or kind or since or year):
        raise InvalidInputError(
            "nothing to search for", 'give words, e.g. readlist search "kv cache", or a filter: -t TAG'
        )
    lib = library(db, reading=True)
    chosen = view(fmt, json_, no_pager)
    page = None if all_ else limit or PAGE
    result = lib.search(query, tag=tags, status=status, kind=kind, since=since, year=year, limit=page, exact=exact)
    table = chosen.fmt == "table"
    why, unfiltered = None, None
    if not result.items:
        from readlist.commands.lists import why_empty

        why = why_empty(lib, result.query.filters.tags if result.query else tags)  # `tag:` in the words too
        if why is None and said_filters(result):  # say whether the filters emptied it (a missing tag says why)
            unfiltered = lib.matches_without_filters(query, exact=exact)
    for line in [] if why else messages(query, result, exact=exact, unfiltered=unfiltered):  # a missing tag says why
        # On a terminal the note leads the results; for programs stdout stays data and the note goes to stderr.
        if table:
            output.say(line, "yellow")
        elif result.items or unfiltered:  # an empty result speaks for itself, unless the filters emptied it
            output.err().print(output.text(line, "yellow"))
    if chosen.fmt in ("json", "jsonl"):
        for item in result.items:
            item["snippet"] = output.hits_for_json(item["snippet"])
    if not result.items:
        if why:
            output.print_items([], "", view=chosen, why=why)
        elif not table:
            output.print_search_results([], chosen)
        return
    count = page_note(result, limit or PAGE, every=all_)
    output.print_search_results(result.items, chosen, title=count if table else None)
    if count and not table:
        output.err().print(output.text(count, "dim"))  # stdout stays data


def page_note(result: "SearchResult", limit: int, *, every: bool) -> str | None:
    """How many matched beyond the page shown (`showing 10 of 132 …`); None when the page shows them all."""
    if every or result.total <= len(result.items):
        return None
    more = min(result.total, max(50, limit * 2))
    return f"showing {len(result.items)} of {result.total} — --limit {more} or --all for more"


def said_filters(result: "SearchResult") -> str:
    """A search's filters, from its options and its words alike (`tag moe, status read`), for messages."""
    if result.query is None:
        return ""
    filters = result.query.filters
    parts = [f"tag {t}" for t in filters.tags] + [f"status {s}" for s in filters.status]
    parts += [f"kind {k}" for k in filters.kinds] + [f"year {y}" for y in filters.years]
    return ", ".join(parts + ([f"since {filters.since[:10]}"] if filters.since else []))


def messages(query: str, result: "SearchResult", *, exact: bool, unfiltered: int | None = None) -> list[str]:
    """What the user should know before reading the results: corrections, fallbacks, nothing found (and, when
    filters emptied it, how many the words match without them: `unfiltered`)."""
    if result.corrected and result.literal_total == 0:
        return [f'showing results for "{result.corrected}" (no match for "{query}")']
    if result.corrected:
        return [f'only {result.literal_total} for "{query}"; also showing results for "{result.corrected}"']
    if result.fuzzy:
        return [f'no matches for "{query}"; showing close titles']
    if not result.items and result.query is not None and not result.query.terms:  # filters alone searched
        return ["no items match these filters"]
    if not result.items and unfiltered is not None:
        filters, words = said_filters(result), " ".join(result.query.words) if result.query else query
        within, them = f'no matches for "{words or query}" with {filters}', "them" if ", " in filters else "it"
        if unfiltered:
            return [f"{within} — {unfiltered} match without {them}" + ("; drop one to widen" if them == "them" else "")]
        return [f"{within} (none without {them} either)"]
    if not result.items:
        hint = " (without --exact, spellings, synonyms and typos are searched too)" if exact else ""
        return [f'no matches for "{query}"{hint}']
    return []


def glossary(fmt: FormatOption = None, json_: JsonOption = False, no_pager: NoPagerOption = False) -> None:
    """The bilingual synonym groups search expands queries with: `readlist glossary`."""
    from readlist.api import Library

    groups, user_file = Library.glossary()
    chosen = view(fmt, json_, no_pager)
    rows: list[list[object]] = [[n, " | ".join(g)] for n, g in enumerate(groups, 1)]
    output.print_table(["#", "terms (a query for one finds all)"], rows, view=chosen, data=list(groups))
    if chosen.fmt == "table":
        output.say(f"add your own groups, one per line (terms separated by |), to {user_file}")


def register(app: typer.Typer) -> None:
    app.command()(search)
    app.command()(glossary)
