"""`readlist import`: bring existing markdown notes (any encoding, even garbled) into the library."""

from typing import Annotated

import typer

from readlist import output
from readlist.commands.common import DbOption, store


def import_(
    paths: Annotated[list[str], typer.Argument(help="Markdown/text files or folders of them.", show_default=False)],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Show what would change; write nothing.")] = False,
    tag: Annotated[list[str] | None, typer.Option("--tag", "-t", help="Extra tag on everything imported.")] = None,
    fetch: Annotated[bool, typer.Option("--fetch", help="Then fetch arXiv metadata for new papers.")] = False,
    keep_mine: Annotated[
        bool, typer.Option("--keep-mine", help="Merging an export: never move my items' reading status.")
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
    """Import notes or a teammate's export: `readlist import data/notes/`, `readlist import team/bob.jsonl`."""
    from readlist.importer.run import collect, import_files, list_repairs

    files = collect(paths)
    if repairs:
        output.print_repairs(list_repairs(files))
        return
    lib = store(db)
    output.interrupted[0] = "interrupted — nothing was changed"  # the import is one transaction
    total = sum(p.stat().st_size for p in files)
    # One bar over the bytes, read then written (2 × the input size).
    with output.progress("importing", total=2 * total, unit="bytes") as advance:
        reports, totals = import_files(
            lib,
            files,
            tag or [],
            dry_run=dry_run,
            keep_mine=keep_mine,
            on_read=lambda done, _: advance(done, 0),
            on_write=lambda done, _: advance(total + done, 0),
        )
    output.print_import_summary(reports, dry_run=dry_run, totals=totals)
    if fetch and not dry_run:
        from readlist.commands.items import fetch as fetch_command

        fetch_command(refs=None, all_=False, db=db)


def register(app: typer.Typer) -> None:
    app.command("import")(import_)
