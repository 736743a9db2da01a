"""`readlist feed …`, `inbox` and `keep`: follow arXiv listings and blogs, triage what they bring."""

from enum import StrEnum
from typing import Annotated

import typer

from readlist import output
from readlist.commands.common import (
    DbOption,
    FormatOption,
    ItemRefs,
    JsonOption,
    LimitOption,
    NoPagerOption,
    library,
    no_empty_new_tags,
    no_zero,
    report_status,
    view,
)
from readlist.domain import ACTION_VERBS, Action
from readlist.errors import ReadlistError
from readlist.term import timefmt

app = typer.Typer(help="Feeds to follow: add, list, rm, pull.", no_args_is_help=True)


@app.command("add")
def add(
    url: Annotated[str, typer.Argument(help="RSS or Atom URL (arXiv listings: https://rss.arxiv.org/rss/cs.CL).")],
    name: Annotated[str | None, typer.Option("--name", help="Short name (default: from the URL).")] = None,
    match: Annotated[str | None, typer.Option("--match", help='Terms, comma-separated: "kv cache, 量化".')] = None,
    tag: Annotated[
        list[str] | None, typer.Option("--tag", "-t", help="Tag new entries with this.", callback=no_empty_new_tags)
    ] = None,
    no_check: Annotated[
        bool, typer.Option("--no-check", help="Follow it without fetching it first (offline, or not up yet).")
    ] = False,
    db: DbOption = None,
) -> None:
    """Follow a feed (fetched once to check it is RSS or Atom):
    `readlist feed add https://rss.arxiv.org/rss/cs.CL --match "kv cache, 量化"`."""
    feed = library(db).follow(url, name=name, match=match or "", tags=tag or [], check=not no_check)
    output.say(f"following {feed.name} ({feed.url})" + (f", matching {', '.join(feed.match)}" if feed.match else ""))


@app.command("list")
def list_(fmt: FormatOption = None, json_: JsonOption = False, db: DbOption = None) -> None:
    """The feeds you follow: `readlist feed list`."""
    rows = library(db, reading=True).feeds()
    chosen = view(fmt, json_)
    if not rows and chosen.fmt == "table":
        output.say("no feeds yet — readlist feed add <url>")
    else:
        output.print_table(
            ["name", "url", "match", "tags", "last pulled", "last error"],
            [
                [
                    r["name"],
                    r["url"],
                    ", ".join(r["match"]),
                    ", ".join(r["tags"]),
                    timefmt.minute(r["last_pulled"]) or "never",
                    r["last_error"] or "",
                ]
                for r in rows
            ],
            view=chosen,
            data=rows,
            flex="url",
        )


@app.command("rm")
def rm(ref: Annotated[str, typer.Argument(help="Feed name, URL or id.")], db: DbOption = None) -> None:
    """Stop following a feed (its items stay): `readlist feed rm flashinfer`."""
    feed = library(db).unfollow(ref)
    output.say(f"no longer following {feed.name}")


@app.command("pull")
def pull(
    refs: Annotated[list[str] | None, typer.Argument(help="Feeds to pull (default: all).")] = None,
    fetch: Annotated[bool, typer.Option("--fetch", help="Then fetch arXiv metadata for new papers.")] = False,
    db: DbOption = None,
) -> None:
    """Fetch every feed; new matching entries land in the inbox: `readlist feed pull`.
    A feed that fails says why and the others go on; the exit code is then 1."""
    reports = library(db).pull_feeds(*(refs or []))
    for r in reports:
        if r.status == "error":
            output.print_error(ReadlistError(f"{r.name}: {r.warning}", r.hint))
            continue
        line = f"{r.name}: {r.status}, {r.entries} entries, {len(r.added)} new in inbox"
        if r.updated:
            line += f", {len(r.updated)} updated"
        output.say(line)
        if r.warning:
            output.warn(f"{r.name}: {r.warning}")
    if fetch and any(r.added or r.updated for r in reports):
        from readlist.commands.items import fetch as fetch_command

        fetch_command(refs=None, all_=False, db=db)
    if any(r.status == "error" for r in reports):
        raise typer.Exit(1)


class InboxOrder(StrEnum):
    fit = "fit"
    date = "date"


def inbox(
    limit: LimitOption = None,
    by: Annotated[
        InboxOrder,
        typer.Option("--by", help="fit: best fit to what you read first, with why; date: feed matches, then newest."),
    ] = InboxOrder.fit,
    fmt: FormatOption = None,
    json_: JsonOption = False,
    no_pager: NoPagerOption = False,
    db: DbOption = None,
) -> None:
    """New feed entries to triage, best fit to your library first: `readlist inbox` (`--by date`: newest)."""
    no_zero(limit)  # one --limit rule for every ranked list
    chosen = view(fmt, json_, no_pager)
    lib = library(db, reading=True)
    empty = "inbox is empty — readlist feed pull brings new entries"
    full = chosen.fmt in ("json", "jsonl")
    if by == InboxOrder.fit:
        from readlist.commands.recommendcmd import print_ranking  # loads the model only when ranking

        print_ranking(lib.ranked_inbox(limit=limit, full=full), empty, "inbox", chosen)
        return
    items = lib.inbox(limit=limit, full=full)
    output.print_items(items, empty, f"inbox: {len(items)}" if chosen.fmt == "table" else None, view=chosen)


def keep(refs: ItemRefs, db: DbOption = None) -> None:
    """Keep inbox entries: they join the unread queue (`readlist skip` drops one): `readlist keep 41 42`."""
    report_status(library(db).keep(*refs), ACTION_VERBS[Action.KEEP])


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="feed")
    root.command()(inbox)
    root.command()(keep)
