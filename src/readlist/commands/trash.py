"""`trash` and `restore`: what `rm` removed, and bringing it back with its notes and tags."""

from typing import Annotated

import typer

from readlist import output
from readlist.commands.common import DbOption, JsonOption, library
from readlist.errors import InvalidInputError


def trash(
    empty: Annotated[bool, typer.Option("--empty", help="Forget every removed item for good (asks first).")] = False,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="With --empty: do not ask.")] = False,
    json_: JsonOption = False,
    db: DbOption = None,
) -> None:
    """Items you removed, newest first: `readlist trash`; `readlist trash --empty` forgets them."""
    if empty:
        if not yes:
            import sys

            if not sys.stdin.isatty():
                raise InvalidInputError("refusing to empty the trash without confirmation", "add --yes")
            if not typer.confirm("Forget every removed item for good?"):
                output.say("trash kept")
                return
        count = library(db).empty_trash()
        output.say(f"forgot {count} removed item(s); importing them again brings them back as new")
        return
    rows = library(db, reading=True).trash()
    if json_:
        output.print_json(rows)
    elif not rows:
        output.say("the trash is empty")
    else:
        output.print_table(
            ["was", "key", "title", "removed", "tags", "notes"],
            [[f"#{r['id']}", r["key"], r["title"], r["removed_at"], ", ".join(r["tags"]), r["notes"]] for r in rows],
        )


def restore(
    refs: Annotated[list[str], typer.Argument(help="Old item numbers, keys, arXiv IDs or URLs (see readlist trash).")],
    db: DbOption = None,
) -> None:
    """Bring removed items back with their notes, tags and links: `readlist restore 3`."""
    for item in library(db).restore(*refs):
        if item.merged:
            output.say(f"restored: merged into #{item.item_id}, which you had added again: {item.title}")
        else:
            output.say(f"#{item.item_id} restored: {item.title}")


def register(app: typer.Typer) -> None:
    app.command()(trash)
    app.command()(restore)
