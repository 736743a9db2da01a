"""Changing one item: reading status, tags, notes and fields."""

from collections.abc import Callable
from typing import Annotated, Any

import typer

from readlist import output
from readlist.commands.common import (
    DbOption,
    ItemRef,
    JsonOption,
    PriorityOption,
    complete_item_or_status,
    complete_status,
    complete_tag,
    library,
    report_status,
    view,
)
from readlist.domain import ACTION_VERBS, Action, status_help
from readlist.errors import InvalidInputError, ReadlistError

ItemArg = ItemRef


RefsArg = Annotated[list[str], typer.Argument(help="Item ids or arXiv IDs (all or nothing).")]


def status_command(action: Action, doc: str) -> Any:
    def command(refs: RefsArg, db: DbOption = None) -> None:
        lib = library(db)
        move = {Action.START: lib.start, Action.DONE: lib.done, Action.SKIP: lib.skip, Action.KEEP: lib.keep}[action]
        report_status(move(*refs), ACTION_VERBS[action])

    command.__doc__ = doc
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
    refs: Annotated[
        list[str],
        typer.Argument(
            metavar="ITEM...", help="Item ids or arXiv IDs (all or nothing).", autocompletion=complete_item_or_status
        ),
    ],
    new_status: Annotated[
        str, typer.Argument(metavar="STATUS", help=f"One of: {status_help()}.", autocompletion=complete_status)
    ],
    db: DbOption = None,
) -> None:
    """Set any status, any move allowed: `readlist status 1 2 unread`."""
    changes = library(db).status(refs[0], new_status, *refs[1:])
    for change in changes:
        output.say(f"#{change.item_id} is now {change.after}: {change.title}")


def tag(
    args: Annotated[
        list[str],
        typer.Argument(
            metavar="ITEM... CHANGE...",
            help="Items, then +name to add and -name to remove (a bare name after the items adds).",
            autocompletion=complete_tag,
        ),
    ],
    suggest: Annotated[
        bool, typer.Option("--suggest", help="Show the existing tags that fit the item instead (changes nothing).")
    ] = False,
    json_: JsonOption = False,
    db: DbOption = None,
) -> None:
    """Add and remove tags on one item or several: `readlist tag 1 +kv-cache -misc`, `readlist tag 6 7 +cuda`;
    `readlist tag 1 --suggest` shows the tags that fit."""
    if suggest:
        from readlist.commands.recommendcmd import print_tag_fits  # loads the model only when suggesting

        if len(args) != 1:
            raise InvalidInputError("--suggest takes one item and no tag changes", f"readlist tag {args[0]} --suggest")
        print_tag_fits(library(db, reading=True).suggest_tags(args[0]), args[0], view(None, json_))
        return
    lib = library(db)
    refs, add, remove = split_tag_args(args, lib.has)
    for change in lib.tag(*refs, add=add, remove=remove):
        done = [f"+{name}" for name in change.added] + [f"-{name}" for name in change.removed]
        output.say(f"#{change.item_id} tags {' '.join(done) if done else 'unchanged'}: {change.title}")


def split_tag_args(args: list[str], names_item: Callable[[str], bool]) -> tuple[list[str], list[str], list[str]]:
    """(items, tags to add, tags to remove). The first word is an item; so is each next word before the first
    +/- change that is a number (`tag 6 7 +x` tags #6 and #7 — a number is never silently a tag: write +7) or
    that names an item; other bare words add tags (`tag 1 cuda kernels`)."""
    refs, add, remove = [args[0]], [], []  # type: list[str], list[str], list[str]
    changing = False
    for arg in args[1:]:
        if arg[:1] in ("+", "-"):
            changing = True
            (add if arg[0] == "+" else remove).append(arg[1:])
        elif not changing and (arg.strip().isdecimal() or names_item(arg)):
            refs.append(arg)
        else:
            add.append(arg)
    add, remove = [a for a in add if a.strip()], [r for r in remove if r.strip()]  # a lone `+` names no tag
    if not add and not remove:
        items = " ".join(refs)
        hint = f"+name adds a tag and -name removes one: readlist tag {items} +NAME"
        if len(refs) > 1:
            hint += f"; for a tag named {refs[-1]}: readlist tag {' '.join(refs[:-1])} +{refs[-1]}"
        raise InvalidInputError(f"no tag changes for {items}", hint)
    return refs, add, remove


def note(
    ref: ItemArg,
    body: Annotated[
        str | None, typer.Argument(help="The note text (markdown); with --edit, the number of the note to edit.")
    ] = None,
    edit_: Annotated[
        bool, typer.Option("--edit", "-e", help="Edit note NUMBER (or the only one, or a new one) in $EDITOR.")
    ] = False,
    rm: Annotated[int | None, typer.Option("--rm", help="Remove note NUMBER (see `readlist note N`).", min=1)] = None,
    json_: JsonOption = False,
    db: DbOption = None,
) -> None:
    """Add a note, list an item's notes, edit or remove one: `readlist note 1 "…"`, `readlist note 1 --rm 2`."""
    if rm is not None:
        removed = library(db).remove_note(ref, rm)
        output.say(f"removed note {rm}: {_first_line(removed)}")
    elif edit_:
        _edit_note(ref, body, db)
    elif body is None:
        item = library(db, reading=True).show(ref)
        if json_:
            output.print_json(item["notes"])
        else:
            output.print_notes(item)
    else:
        if not body.strip():  # said here in the CLI's words (the Library's hint names no syntax)
            raise InvalidInputError("the note is empty", f"write something: readlist note {ref} 'read section 3'")
        added = library(db).note(ref, body)
        output.say(f"#{added.item_id} note added: {added.title}")


def _first_line(body: str) -> str:
    line = body.strip().splitlines()[0] if body.strip() else ""
    return line if len(line) <= 60 else line[:59] + "…"


def _edit_note(ref: str, number_text: str | None, db: str | None) -> None:
    number = None
    if number_text is not None:
        if not number_text.strip().isdecimal() or len(number_text.strip()) > 9:
            raise InvalidInputError(
                f"--edit takes a note number, not {number_text!r}", f'run "readlist note {ref}" to list the notes'
            )
        number = int(number_text)
    lib = library(db)
    current = lib.note_to_edit(ref, number)
    edited = _edit_in_editor(current.body)
    if edited is None:
        raise ReadlistError("the editor failed (non-zero exit); nothing changed", "check $VISUAL / $EDITOR")
    if edited.strip() == current.body.strip():
        output.say("note unchanged")
        return
    try:
        lib.save_note(current, edited)
    except ReadlistError as exc:  # what was typed is never lost: it waits in a file
        kept = _keep_text(edited)
        raise ReadlistError(exc.message, f"your text is in {kept}; {exc.hint}") from None
    output.say(f"#{current.item_id} note {'saved' if current.note_id else 'added'}")


def _keep_text(text: str) -> str:
    import tempfile

    with tempfile.NamedTemporaryFile("w", suffix=".md", prefix="readlist-note-", delete=False, encoding="utf-8") as fh:
        fh.write(text)
    return fh.name


def edit(
    ref: ItemArg,
    title: Annotated[str | None, typer.Option("--title", help="A new title.")] = None,
    short_name: Annotated[str | None, typer.Option("--short-name", help="The short name notes use (Marlin).")] = None,
    priority: PriorityOption = None,
    rating: Annotated[str | None, typer.Option("--rating", help="Your rating (free text: 5, ★★★★).")] = None,
    venue: Annotated[str | None, typer.Option("--venue", help="Journal or conference.")] = None,
    url: Annotated[
        str | None, typer.Option("--url", help="A new URL or arXiv ID: re-keys the item (kind follows).")
    ] = None,
    merge: Annotated[
        bool, typer.Option("--merge", help="With --url: fold this item into the one that already has that URL.")
    ] = False,
    abstract: Annotated[str | None, typer.Option("--abstract", help="A new abstract.")] = None,
    reset: Annotated[
        list[str] | None,
        typer.Option(
            "--reset",
            metavar="FIELD",
            help="Hand a field you set back to the source (title, abstract, venue): the next fetch fills it.",
            autocompletion=lambda: ["title", "abstract", "venue"],
        ),
    ] = None,
    db: DbOption = None,
) -> None:
    """Change fields: `readlist edit 1 --title "…" --priority 2`, `readlist edit 1 --url 2408.11743`.
    What you set here stays yours: `fetch` and imports never replace it (`--reset title` hands it back)."""
    given = dict(title=title, short_name=short_name, priority=priority, rating=rating, venue=venue, url=url)
    asked = [name for name, value in {**given, "abstract": abstract}.items() if value is not None]
    edited = library(db).edit(
        ref,
        title=title,
        short_name=short_name,
        priority=priority,
        rating=rating,
        venue=venue,
        url=url,
        abstract=abstract,
        merge=merge,
        reset=reset or (),
    )
    if edited.merged_from is not None:
        output.say(f"#{edited.merged_from} merged into #{edited.item_id} ({edited.key}): {edited.title}")
    elif edited.old_key != edited.key:
        output.say(f"#{edited.item_id} is now {edited.key} (was {edited.old_key}): {edited.title}")
    else:
        fields = [name for name in asked if name != "url"] or asked  # a new URL of the same work: 'updated (url)'
        fields += [f"{name} reset" for name in [*edited.restored, *edited.waiting]]
        if fields:
            output.say(f"#{edited.item_id} updated ({', '.join(fields)}): {edited.title}")
        untouched = [n for n in dict.fromkeys(reset or ()) if n not in edited.restored + edited.waiting]
        if untouched:
            output.say(f"#{edited.item_id}: {', '.join(untouched)} already the source's, nothing to reset")
        if edited.waiting:
            output.say(f'run "readlist fetch {edited.item_id}" to fill {", ".join(edited.waiting)} from the source')


def register(app: typer.Typer) -> None:
    app.command("start")(status_command(Action.START, "Start reading items: `readlist start 1`."))
    app.command("done")(status_command(Action.DONE, "Mark items read: `readlist done 1 2`."))
    app.command("skip")(
        status_command(
            Action.SKIP, "Decide not to read inbox or queued items (never a finished one): `readlist skip 3`."
        )
    )
    app.command()(status)
    # `-misc` is a tag to remove, not an option.
    app.command(context_settings={"ignore_unknown_options": True})(tag)
    app.command()(note)
    app.command()(edit)
