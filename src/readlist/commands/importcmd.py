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
    restore_removed: Annotated[
        bool, typer.Option("--restore-removed", help="Bring back items you removed (they are skipped by default).")
    ] = False,
    db: DbOption = None,
) -> None:
    """Import notes or a teammate's export: `readlist import data/notes/`, `readlist import team/bob.jsonl`."""
    from readlist.importer.run import collect, merge_reports, read_files

    files = collect(paths)
    lib = store(db)
    output.interrupted[0] = "interrupted — nothing was changed"  # the import is one transaction
    sizes = [p.stat().st_size for p in files]
    with output.progress("importing", total=sum(sizes), unit="bytes") as advance:
        reports = merge_reports(
            lib,
            read_files(files, tag or []),
            dry_run=dry_run,
            keep_mine=keep_mine,
            restore_removed=restore_removed,
            progress=lambda done, _: advance(sum(sizes[:done]), 0),
        )
    output.print_import_summary(reports, dry_run=dry_run)
    if fetch and not dry_run:
        from readlist.commands.items import fetch as fetch_command

        fetch_command(refs=None, all_=False, db=db)


def register(app: typer.Typer) -> None:
    app.command("import")(import_)
