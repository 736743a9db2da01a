"""`readlist import`: notes (any encoding, even garbled), BibTeX, CSL-JSON, bookmarks and exports → the library."""

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from readlist import output
from readlist.commands.common import DbOption, complete_tag, library, no_empty_new_tags

if TYPE_CHECKING:
    from readlist.api import FileReport


def import_(
    paths: Annotated[
        list[str],
        typer.Argument(help="Notes, BibTeX, CSL-JSON, CSV, bookmarks, exports or folders.", show_default=False),
    ],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Show what would change; write nothing.")] = False,
    tag: Annotated[
        list[str] | None,
        typer.Option(
            "--tag",
            "-t",
            help="Extra tag on everything imported.",
            autocompletion=complete_tag,
            callback=no_empty_new_tags,
        ),
    ] = None,
    fetch: Annotated[bool, typer.Option("--fetch", help="Then fetch arXiv metadata for new papers.")] = False,
    keep_mine: Annotated[
        bool, typer.Option("--keep-mine", help="Merging an export: never move my items' reading status.")
    ] = False,
    restore_removed: Annotated[
        bool,
        typer.Option("--restore-removed", help="Bring back items, tags and notes you removed (skipped by default)."),
    ] = False,
    repairs: Annotated[
        bool,
        typer.Option(
            "--repairs",
            help="List the uncertain mojibake repairs of these files (line, context, alternatives); import nothing.",
        ),
    ] = False,
    db: DbOption = None,
) -> None:
    """Import notes, BibTeX, CSL-JSON, CSV, bookmarks or an export: `readlist import library.bib data/notes/`."""
    from readlist.api import Library

    output.interrupted[0] = "interrupted — nothing was changed"  # before the first commit; after it, the import says
    if repairs:
        output.print_repairs(Library.repairs(*paths))
        return
    report = library(db).import_(
        *paths,
        tags=tag or [],
        dry_run=dry_run,
        keep_mine=keep_mine,
        restore_removed=restore_removed,
        progress=lambda label, total: output.progress(label, total, unit="bytes"),
    )
    output.print_import_summary(report.files, dry_run=dry_run, totals=report.totals)
    _print_problems(report.files)
    if fetch and not dry_run:
        _fetch_after(db)


def _fetch_after(db: str | None) -> None:
    """`--fetch`: the import is saved whatever the network says, so a fetch that cannot finish is a warning
    (exit 0: exit 1 would mean nothing changed) naming what completes it later."""
    from readlist.commands.items import fetch as fetch_command
    from readlist.errors import ReadlistError

    try:
        fetch_command(refs=None, all_=False, db=db)
    except ReadlistError as exc:
        later = "" if "readlist fetch" in exc.message else " — the metadata stays pending: run `readlist fetch` later"
        output.warn(f"the import is saved, but {exc.message}{later}")


def _print_problems(reports: "list[FileReport]", limit: int = 20) -> None:
    """Entries that could not be read, with their lines, so the user can fix them and import again."""
    for report in reports:
        name = Path(report.path).name
        for notice in report.notices:
            output.warn(f"{name}: {notice}")
        for problem in report.problems[:limit]:
            output.warn(f"{name}: {problem}")
        if len(report.problems) > limit:
            output.warn(f"{name}: … and {len(report.problems) - limit} more entries skipped")


def register(app: typer.Typer) -> None:
    app.command("import")(import_)
