"""Changing one item: reading status, tags, notes and fields."""

from typing import Annotated, Any

import typer

from readlist import output
from readlist.commands.common import DbOption, ItemRef, ItemRefs, complete_status, complete_tag, store
from readlist.errors import InvalidInputError

ItemArg = ItemRef


def _status_command(name: str, status: str, verb: str) -> Any:
    def command(refs: ItemRefs, db: DbOption = None) -> None:
        lib = store(db)
        for ref in refs:
            item = lib.set_status(ref, status)
            output.say(f"#{item.id} {verb}: {item.title}")

    command.__doc__ = f"Mark items as {status}: `readlist {name} 1`."
    return command


def _edit_in_editor(current: str) -> str | None:
    """Open $VISUAL/$EDITOR on a temp file holding the text; None if the editor failed."""
    import os
    import shlex
    import subprocess
    import tempfile

    editor = os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi"
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "note.md")
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(current)
        try:
            code = subprocess.call([*shlex.split(editor), path])
        except OSError as exc:
            raise InvalidInputError(f"cannot start the editor {editor!r}: {exc}", "set $EDITOR") from None
        if code != 0:
            return None
        with open(path, encoding="utf-8") as fh:
            return fh.read()


def status(
    ref: ItemArg,
    new_status: Annotated[
        str, typer.Argument(metavar="STATUS", help="unread, reading, read or skipped.", autocompletion=complete_status)
    ],
    db: DbOption = None,
) -> None:
    """Set any status: `readlist status 1 unread`."""
    item = store(db).set_status(ref, new_status)
    output.say(f"#{item.id} is now {item.status}: {item.title}")


def tag(
    ref: ItemArg,
    changes: Annotated[
        list[str], typer.Argument(help="+name adds, -name removes (a bare name adds).", autocompletion=complete_tag)
    ],
    db: DbOption = None,
) -> None:
    """Add and remove tags: `readlist tag 1 +kv-cache -misc`."""
    add = [c[1:] if c.startswith("+") else c for c in changes if not c.startswith("-")]
    remove = [c[1:] for c in changes if c.startswith("-")]
    item = store(db).retag(ref, add, remove)
    output.say(f"#{item.id} tags updated: {item.title}")


def note(
    ref: ItemArg,
    body: Annotated[str | None, typer.Argument(help="The note text (markdown).")] = None,
    edit_: Annotated[bool, typer.Option("--edit", "-e", help="Write the note in $EDITOR.")] = False,
    db: DbOption = None,
) -> None:
    """Add a note, or edit your notes in $EDITOR: `readlist note 1 "…"`."""
    lib = store(db)
    if edit_:
        current = lib.user_notes(ref)
        edited = _edit_in_editor(current)
        if edited is None or edited.strip() == current.strip():
            output.say("note unchanged")
            return
        item = lib.replace_user_notes(ref, edited)
        output.say(f"#{item.id} note saved")
        return
    if body is None:
        raise InvalidInputError("no note text given", 'readlist note 1 "your note", or readlist note 1 --edit')
    item = lib.add_note(ref, body)
    output.say(f"#{item.id} note added: {item.title}")


def edit(
    ref: ItemArg,
    title: Annotated[str | None, typer.Option("--title", help="New title.")] = None,
    short_name: Annotated[
        str | None, typer.Option("--short-name", help="The short name the notes use (e.g. Marlin).")
    ] = None,
    priority: Annotated[
        int | None, typer.Option("--priority", "-p", help="Priority: higher comes first in `todo`.")
    ] = None,
    rating: Annotated[str | None, typer.Option("--rating", help="Your rating, free text (e.g. 5, 推荐).")] = None,
    venue: Annotated[str | None, typer.Option("--venue", help="Journal or conference.")] = None,
    url: Annotated[str | None, typer.Option("--url", help="New URL; the item is re-identified from it.")] = None,
    abstract: Annotated[str | None, typer.Option("--abstract", help="New abstract.")] = None,
    db: DbOption = None,
) -> None:
    """Change fields: `readlist edit 1 --title "…" --priority 2`."""
    changes = {
        name: value
        for name, value in dict(
            title=title,
            short_name=short_name,
            priority=priority,
            rating=rating,
            venue=venue,
            url=url,
            abstract=abstract,
        ).items()
        if value is not None
    }
    if not changes:
        raise InvalidInputError("nothing to change", "give a field, e.g. readlist edit 1 --priority 2")
    item = store(db).edit(ref, changes)
    output.say(f"#{item.id} updated ({', '.join(changes)}): {item.title}")


def register(app: typer.Typer) -> None:
    app.command("start")(_status_command("start", "reading", "started"))
    app.command("done")(_status_command("done", "read", "done"))
    app.command("skip")(_status_command("skip", "skipped", "skipped"))
    app.command()(status)
    # `-misc` is a tag to remove, not an option.
    app.command(context_settings={"ignore_unknown_options": True})(tag)
    app.command()(note)
    app.command()(edit)
