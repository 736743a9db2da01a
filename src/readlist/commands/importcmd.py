"""`readlist import`: notes (any encoding, even garbled), BibTeX, CSL-JSON, bookmarks and exports → the library."""

from contextlib import ExitStack
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from readlist import output
from readlist.commands.common import DbOption, complete_tag, db_location, store, store_at

if TYPE_CHECKING:
    from readlist.importer.run import FileReport


def import_(
    paths: Annotated[
        list[str],
        typer.Argument(help="Notes, BibTeX, CSL-JSON, CSV, bookmarks, exports or folders.", show_default=False),
    ],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Show what would change; write nothing.")] = False,
    tag: Annotated[
        list[str] | None,
        typer.Option("--tag", "-t", help="Extra tag on everything imported.", autocompletion=complete_tag),
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
    from readlist.batchgc import batch_work
    from readlist.importer.run import collect, import_files, list_repairs
    from readlist.store.db import dry_run_location

    output.interrupted[0] = "interrupted — nothing was changed"  # the import is one transaction
    files = collect(paths)
    if repairs:
        output.print_repairs(list_repairs(files))
        return
    total = sum(p.stat().st_size for p in files)
    # One bar over the bytes, read then written (2 × the input size).
    with ExitStack() as stack, output.progress("importing", total=2 * total, unit="bytes") as advance:
        stack.enter_context(batch_work())
        # A dry run on a library that does not exist yet (or needs an upgrade) works on a scratch copy.
        where = None
        if dry_run:
            path, default = db_location(db)
            where = stack.enter_context(dry_run_location(path, folder_made=default))
        reports, totals = import_files(
            lambda: store(db) if where is None else store_at(where),  # opened while the files are being read
            files,
            tag or [],
            dry_run=dry_run,
            keep_mine=keep_mine,
            restore_removed=restore_removed,
            on_read=lambda done, _: advance(done, 0),
            on_write=lambda done, _: advance(total + done, 0),
        )
    output.print_import_summary(reports, dry_run=dry_run, totals=totals)
    _print_problems(reports)
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
