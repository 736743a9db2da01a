"""`add`, `fetch`, `show` and `rm`: getting items in, completing them, looking at one, removing one."""

import sys
from contextlib import nullcontext
from typing import TYPE_CHECKING, Annotated

import typer

from readlist import output
from readlist.commands.common import (
    DbOption,
    FormatOption,
    JsonOption,
    NoPagerOption,
    PriorityOption,
    complete_item,
    complete_tag,
    library,
    no_empty_new_tags,
    view,
)
from readlist.errors import InvalidInputError, ReadlistError

if TYPE_CHECKING:
    from readlist.api import FetchReport, FetchSummary


def add(
    refs: Annotated[
        list[str],
        typer.Argument(
            help="arXiv IDs or links, DOIs, GitHub or web URLs, local PDFs or folders of them.",
            show_default=False,
            metavar="REF...",
        ),
    ],
    tag: Annotated[
        list[str] | None,
        typer.Option(
            "--tag", "-t", help="Tag to add (repeatable).", autocompletion=complete_tag, callback=no_empty_new_tags
        ),
    ] = None,
    note: Annotated[str | None, typer.Option("--note", "-m", help="A note on the item.")] = None,
    title: Annotated[
        str | None, typer.Option("--title", help="Title (web pages have none until you give one).")
    ] = None,
    priority: PriorityOption = None,
    no_fetch: Annotated[
        bool, typer.Option("--no-fetch", help="Save only; `readlist fetch` gets the metadata later.")
    ] = False,
    db: DbOption = None,
) -> None:
    """Add papers, articles or repos: `readlist add 2408.11743 --tag quantization`."""

    lib = library(db)
    with output.spinner("asking for metadata…") if not no_fetch else nullcontext():
        report = lib.add(*refs, tags=tag or [], note=note, title=title, priority=priority, fetch=not no_fetch)
    for line in report.lines:
        output.say(line)
    for line in report.warnings:
        output.warn(line)


def fetch(
    refs: Annotated[
        list[str] | None,
        typer.Argument(
            help="Items to refresh (default: every pending item).", metavar="[ITEM]...", autocompletion=complete_item
        ),
    ] = None,
    all_: Annotated[bool, typer.Option("--all", help="Refresh every item: new versions, DOIs, venues.")] = False,
    published: Annotated[
        bool, typer.Option("--published", help="Find which arXiv preprints are now published (DOI, venue, year).")
    ] = False,
    db: DbOption = None,
) -> None:
    """Complete pending items from arXiv, Crossref, GitHub, OpenReview and web pages: `readlist fetch`."""
    lib = library(db)
    if published:
        _say_published(*lib.find_published(*(refs or []), progress=output.progress))
        return
    summary = lib.fetch(*(refs or []), everything=all_, progress=output.progress)
    if summary.skipped:
        output.say(f"skipped {summary.skipped} item(s) others added; an admin can refresh them")
    if not summary.parts and summary.skipped:
        return
    if not summary.parts:
        output.say("nothing to fetch: every item has its metadata (use --all to refresh)")
        return
    _say_fetched(summary)


def _say_fetched(summary: "FetchSummary") -> None:
    if summary.unidentified:
        output.say(
            f"{summary.unidentified} item(s) have no identifier to look up (no arXiv ID, DOI or link): skipped; "
            "give one with readlist edit ITEM --url URL"
        )
    if not summary.asked:
        return
    output.say(f"fetched {summary.fetched} of {summary.asked} item(s) in {summary.requests} request(s)")
    for part in summary.parts:
        report = part.report
        for line in report.news:
            output.say(f"  {line}")
        if report.not_found:
            who = "arXiv does not know" if part.source == "arXiv" else "not found (kept)"
            output.warn(f"{who} {len(report.not_found)} item(s): {', '.join(report.not_found)}")
        if report.stopped:
            if summary.fetched:  # with nothing fetched, it is the error below
                output.warn(report.stopped)
        elif report.failed:
            why = "; ".join(dict.fromkeys(report.errors)) or "no answer"
            output.warn(f"{len(report.failed)} item(s) stay pending or failed: {why}")
    if summary.problem == "nothing was fetched":
        raise ReadlistError(summary.problem, "check the network and run readlist fetch again")
    if summary.problem:
        raise ReadlistError(summary.problem, "the items stay pending; nothing is lost")


def _say_published(report: "FetchReport", checked: int) -> None:
    if not checked:
        output.say("no arXiv preprints to check")
        return
    why = "; ".join(dict.fromkeys(report.errors)) or "no answer"
    if report.failed and len(report.failed) >= checked:  # nothing could be asked: that is a failure, not "0 found"
        raise ReadlistError(f"could not check any of {checked} preprint(s): {why}", "run it again when online")
    if report.failed:
        output.warn(f"{len(report.failed)} preprint(s) not checked: {why}")
    output.say(f"{len(report.fetched)} of {checked} preprint(s) are published ({report.requests} request(s))")
    for line in report.news:
        output.say(f"  {line}")


def show(
    ref: Annotated[
        str,
        typer.Argument(
            help="Id, arXiv ID, DOI, URL, owner/repo or citation key.", metavar="ITEM", autocompletion=complete_item
        ),
    ],
    raw: Annotated[bool, typer.Option("--raw", help="Print notes as written, without rendering markdown.")] = False,
    fmt: FormatOption = None,
    text: Annotated[bool, typer.Option("--text", help="Print the article's kept main text.")] = False,
    json_: JsonOption = False,
    no_pager: NoPagerOption = False,
    db: DbOption = None,
) -> None:
    """Everything about one item, notes rendered: `readlist show 1` or `readlist show 2408.11743`."""
    lib = library(db, reading=True)
    if text:
        kept = lib.text(ref)
        if json_:
            output.print_json({"id": kept.id, "title": kept.title, "url": kept.url, "text": kept.text})
        else:
            output.say(kept.text)
        return
    item = lib.show(ref)
    chosen = view(fmt, json_, no_pager)
    chosen.raw = raw
    output.print_item(item, chosen)


def rm(
    refs: Annotated[
        list[str],
        typer.Argument(
            help="Ids, arXiv IDs, DOIs, URLs, owner/repo or citation keys.",
            metavar="ITEM...",
            autocompletion=complete_item,
        ),
    ],
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
    db: DbOption = None,
) -> None:
    """Move items to the trash (asks first; `readlist restore` brings them back): `readlist rm 3`."""
    lib = library(db)
    items = [lib.show(ref) for ref in refs]
    if not yes:
        if not sys.stdin.isatty():
            raise InvalidInputError("refusing to remove without confirmation", "add --yes to remove")
        names = "; ".join(f"#{it['id']} {output.safe(it['title'])}" for it in items)
        if not typer.confirm(f"Move to the trash: {names}?"):
            output.say("nothing removed")
            return
    for removed in lib.remove(*refs):
        output.say(f"removed #{removed.item_id} {removed.title} (readlist restore {removed.item_id} brings it back)")


def register(app: typer.Typer) -> None:
    app.command()(add)
    app.command()(fetch)
    app.command()(show)
    app.command()(rm)
