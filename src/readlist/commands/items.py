"""`add`, `fetch`, `show` and `rm`: getting items in, completing them, looking at one, removing one."""

import sys
from typing import Annotated, Any

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
    read_conn,
    store,
    view,
)
from readlist.errors import InvalidInputError, NotFoundError, ReadlistError


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
        list[str] | None, typer.Option("--tag", "-t", help="Tag to add (repeatable).", autocompletion=complete_tag)
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

    def saved(ids: list[int]) -> None:  # from here on, Ctrl-C loses nothing: say so if it comes
        numbers = ", ".join(f"#{i}" for i in ids)
        output.interrupted[0] = f"interrupted — {numbers} saved with metadata pending; readlist fetch completes it"

    report = library(db).add(
        *refs,
        tags=tag or [],
        note=note,
        title=title,
        priority=priority,
        fetch=not no_fetch,
        saved_hook=saved,
        waiting=lambda: output.spinner("asking for metadata…"),
    )
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
    from readlist.services.fetch import fetch as run_fetch
    from readlist.services.fetch import fetch_sources
    from readlist.store.write import FetchTargets

    lib = store(db)
    if published:
        _fetch_published(lib, refs or [])
        return
    papers = FetchTargets.select(lib, refs or [], all_)
    others = FetchTargets.select_sources(lib, refs or [], all_)
    if not papers and not others:
        output.say("nothing to fetch: every item has its metadata (use --all to refresh)")
        return
    reports = []
    if papers:
        with output.progress("fetching arXiv metadata", total=len(papers)) as advance:
            reports.append(("arXiv", len(papers), run_fetch(lib, papers, progress=advance)))
    if others:
        with output.progress("fetching other metadata", total=len(others)) as advance:
            reports.append(("other", len(others), fetch_sources(lib, others, progress=advance)))
    _say_fetched(reports)


def _say_fetched(reports: list[tuple[str, int, Any]]) -> None:
    fetched = sum(len(r.fetched) for _, _, r in reports)
    total = sum(n for _, n, _ in reports)
    requests = sum(r.requests for _, _, r in reports)
    output.say(f"fetched {fetched} of {total} item(s) in {requests} request(s)")
    for label, _, report in reports:
        for line in report.news:
            output.say(f"  {line}")
        if report.not_found:
            who = "arXiv does not know" if label == "arXiv" else "not found (kept)"
            output.warn(f"{who} {len(report.not_found)} item(s): {', '.join(report.not_found)}")
        if report.stopped:
            if fetched:  # with nothing fetched, it is the error below
                output.warn(report.stopped)
        elif report.failed:
            why = "; ".join(dict.fromkeys(report.errors)) or "no answer"
            output.warn(f"{len(report.failed)} item(s) stay pending or failed: {why}")
    stopped = next((r.stopped for _, _, r in reports if r.stopped), None)
    if fetched == 0 and stopped:
        raise ReadlistError(stopped, "the items stay pending; nothing is lost")
    if fetched == 0 and any(r.failed for _, _, r in reports) and not any(r.not_found for _, _, r in reports):
        raise ReadlistError("nothing was fetched", "check the network and run readlist fetch again")


def _fetch_published(lib: Any, refs: list[str]) -> None:
    from readlist.services.published import find_published

    with output.progress("looking for published versions", total=0) as advance:
        report, checked = find_published(lib, refs, progress=advance)
    if not checked:
        output.say("no arXiv preprints to check")
        return
    output.say(f"{len(report.fetched)} of {checked} preprint(s) are published ({report.requests} request(s))")
    for line in report.news:
        output.say(f"  {line}")
    if report.failed:
        output.warn(f"{len(report.failed)} preprint(s) not checked: {'; '.join(report.errors) or 'no answer'}")


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
    from readlist.store.read import item_text

    if text:
        item, body = item_text(read_conn(db), ref)
        if body is None:
            raise NotFoundError(
                f"no text kept for #{item['id']}",
                f"web articles keep their text once fetched: readlist fetch {item['id']}",
            )
        if json_:
            output.print_json({"id": item["id"], "title": item["title"], "url": item["url"], "text": body})
        else:
            output.say(body)
        return
    item = library(db).show(ref)
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
    from readlist.store.read import get_item

    conn = read_conn(db)
    items = [get_item(conn, ref) for ref in refs]
    if not yes:
        if not sys.stdin.isatty():
            raise InvalidInputError("refusing to remove without confirmation", "add --yes to remove")
        names = "; ".join(f"#{it['id']} {output.safe(it['title'])}" for it in items)
        if not typer.confirm(f"Move to the trash: {names}?"):
            output.say("nothing removed")
            return
    for removed in store(db).remove(refs):
        output.say(f"removed #{removed.item_id} {removed.title} (readlist restore {removed.item_id} brings it back)")


def register(app: typer.Typer) -> None:
    app.command()(add)
    app.command()(fetch)
    app.command()(show)
    app.command()(rm)
