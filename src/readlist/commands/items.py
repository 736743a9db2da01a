"""`add`, `fetch`, `show` and `rm`: getting items in, completing them, looking at one, removing one."""

import sys
from typing import Annotated

import typer

from readlist import output
from readlist.commands.common import DbOption, FormatOption, JsonOption, NoPagerOption, library, read_conn, store, view
from readlist.errors import InvalidInputError, ReadlistError


def add(
    refs: Annotated[
        list[str],
        typer.Argument(help="arXiv IDs or links, DOIs, GitHub or web URLs.", show_default=False, metavar="REF..."),
    ],
    tag: Annotated[list[str] | None, typer.Option("--tag", "-t", help="Tag to add (repeatable).")] = None,
    note: Annotated[str | None, typer.Option("--note", "-m", help="A note on the item.")] = None,
    title: Annotated[
        str | None, typer.Option("--title", help="Title (web pages have none until you give one).")
    ] = None,
    priority: Annotated[int | None, typer.Option("--priority", "-p", help="Higher comes first in todo.")] = None,
    no_fetch: Annotated[bool, typer.Option("--no-fetch", help="Do not ask arXiv for metadata now.")] = False,
    db: DbOption = None,
) -> None:
    """Add papers, articles or repos: `readlist add 2408.11743 --tag quantization`."""
    report = library(db).add(*refs, tags=tag or [], note=note, title=title, priority=priority, fetch=not no_fetch)
    for line in report.lines:
        output.say(line)
    for line in report.warnings:
        output.warn(line)


def fetch(
    refs: Annotated[
        list[str] | None, typer.Argument(help="Items to refresh (default: every pending paper).", metavar="[ITEM]...")
    ] = None,
    all_: Annotated[bool, typer.Option("--all", help="Refresh every paper: new versions, DOIs, venues.")] = False,
    db: DbOption = None,
) -> None:
    """Fetch arXiv metadata for pending papers, in polite batches: `readlist fetch`."""
    from readlist.library.fetch import fetch as run_fetch
    from readlist.library.write import FetchTargets

    lib = store(db)
    targets = FetchTargets.select(lib, refs or [], all_)
    if not targets:
        output.say("nothing to fetch: every paper has its metadata (use --all to refresh)")
        return
    with output.progress("fetching arXiv metadata", total=len(targets)) as advance:
        report = run_fetch(lib, targets, progress=advance)
    output.say(f"fetched {len(report.fetched)} of {len(targets)} papers in {report.requests} request(s)")
    for line in report.news:
        output.say(f"  {line}")
    if report.not_found:
        output.warn(f"arXiv does not know {len(report.not_found)} ID(s): {', '.join(report.not_found)}")
    if report.failed:
        output.warn(f"{len(report.failed)} paper(s) stay pending: {'; '.join(report.errors) or 'no answer'}")
        if not report.fetched and not report.not_found:
            raise ReadlistError("nothing was fetched", "check the network and run readlist fetch again")


def show(
    ref: Annotated[str, typer.Argument(help="Item id, arXiv ID, DOI or URL.", metavar="ITEM")],
    raw: Annotated[bool, typer.Option("--raw", help="Print notes as written, without rendering markdown.")] = False,
    fmt: FormatOption = None,
    json_: JsonOption = False,
    no_pager: NoPagerOption = False,
    db: DbOption = None,
) -> None:
    """Everything about one item, notes rendered: `readlist show 1` or `readlist show 2408.11743`."""
    item = library(db).show(ref)
    chosen = view(fmt, json_, no_pager)
    chosen.raw = raw
    output.print_item(item, chosen)


def rm(
    refs: Annotated[list[str], typer.Argument(help="Item ids or arXiv IDs.", metavar="ITEM...")],
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
    db: DbOption = None,
) -> None:
    """Remove items (asks first): `readlist rm 3`."""
    from readlist.library.read import get_item

    conn = read_conn(db)
    items = [get_item(conn, ref) for ref in refs]
    if not yes:
        if not sys.stdin.isatty():
            raise InvalidInputError("refusing to delete without confirmation", "add --yes to delete")
        names = "; ".join(f"#{it['id']} {output.safe(it['title'])}" for it in items)
        if not typer.confirm(f"Delete {names}?"):
            output.say("nothing deleted")
            return
    lib = store(db)
    for item in items:
        lib.remove(str(item["id"]))
        output.say(f"removed #{item['id']} {item['title']}")


def register(app: typer.Typer) -> None:
    app.command()(add)
    app.command()(fetch)
    app.command()(show)
    app.command()(rm)
