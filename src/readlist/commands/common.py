"""Options shared by every command (`--db`, `--format`, `--json`, `--no-pager`) and how commands open the library."""

import os
import re
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated

import typer

from readlist import output
from readlist.domain import MAX_COUNT, PRIORITY_RANGE

if TYPE_CHECKING:
    from readlist.api import Library, StatusChange


def _completion_library(ctx: typer.Context) -> "Library":
    from readlist.api import Library

    option = ctx.params.get("db") or (ctx.parent.params.get("db") if ctx.parent else None)
    return Library(option or _global_db[0], create=False)


def complete_item(ctx: typer.Context, incomplete: str) -> list[tuple[str, str]]:
    """Ids, citation keys and arXiv IDs, read with plain sqlite3 (completion must feel instant)."""
    return _completion_library(ctx).complete_items(incomplete)


def complete_tag(ctx: typer.Context, incomplete: str) -> list[tuple[str, str]]:
    """Tag names; `+kv`/`-kv` (the `tag` command's changes) complete with their sign kept."""
    sign = incomplete[:1] if incomplete[:1] in "+-" and incomplete else ""
    found = _completion_library(ctx).complete_tags(incomplete[len(sign) :])
    return [(for_the_shell(sign + name), help_) for name, help_ in found]


_BASH_SPECIAL = re.compile(r"""([\s'"`$&|;<>()\[\]{}*?!#~^\\])""")


def for_the_shell(value: str) -> str:
    """A completion as bash will insert it: bash puts the word on the command line as it is, so a tag with a
    space (`CUDA 相关博客`) would become two arguments; its spaces and quotes are escaped with backslashes, as
    bash does for file names. zsh and fish quote what they insert themselves."""
    if os.environ.get("_READLIST_COMPLETE", "").removeprefix("complete_").removesuffix("_complete") != "bash":
        return value
    return _BASH_SPECIAL.sub(r"\\\1", value)


def complete_status(incomplete: str) -> list[str]:
    from readlist.domain import STATUSES

    return [s for s in STATUSES if s.startswith(incomplete.lower())]


def complete_item_or_status(ctx: typer.Context, incomplete: str) -> list[tuple[str, str]]:
    """`status 1 2 rea…`: the items list is open-ended, so the next word may be an item or the status."""
    return [(s, "status") for s in complete_status(incomplete)] + complete_item(ctx, incomplete)


ItemRef = Annotated[
    str,
    typer.Argument(help="Id, arXiv ID, DOI, URL, owner/repo or citation key.", autocompletion=complete_item),
]
ItemRefs = Annotated[
    list[str],
    typer.Argument(help="Ids, arXiv IDs, DOIs, URLs, owner/repo or citation keys.", autocompletion=complete_item),
]

DbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        help="Database file (default: $READLIST_DB, then the user data dir).",
        show_default=False,
        metavar="PATH",
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Short for --format json.")]
LimitOption = Annotated[
    int | None, typer.Option("--limit", "-n", help="Show at most this many.", min=0, max=MAX_COUNT, metavar="COUNT")
]


def no_zero(limit: int | None, default: str = "all") -> int | None:
    """One rule for `list` and every ranked list (inbox, similar, suggest): `--limit 0` is refused, since it
    would show nothing and read as if nothing fit (`todo` and `search` take 1 or more)."""
    from readlist.errors import InvalidInputError

    if limit == 0:
        raise InvalidInputError("--limit 0 would show nothing", f"leave it out for {default}, or give 1 or more")
    return limit


def no_empty_tags(tags: list[str] | None) -> list[str] | None:
    """`-t ''` (an empty shell variable, mostly) is refused, never read as "no filter": that would list the
    whole library where the user meant one tag. The web front end reads an empty field as no filter itself."""
    return _named_tags(tags, "leave -t out for every item; see: readlist tags")


def no_empty_new_tags(tags: list[str] | None) -> list[str] | None:
    """A tag to give (`add -t`, `import -t`, `feed add -t`) must have a name: an empty one was dropped silently."""
    return _named_tags(tags, "leave -t out, or give the tag a name")


def _named_tags(tags: list[str] | None, hint: str) -> list[str] | None:
    from readlist.domain import normalise_tag
    from readlist.errors import InvalidInputError

    if any(not normalise_tag(t) for t in tags or []):
        raise InvalidInputError("-t needs a tag name, not an empty one", hint)
    return tags


TagFilter = Annotated[
    list[str] | None,
    typer.Option(
        "--tag",
        "-t",
        help="Only items with this tag (repeat it: items with all of them).",
        metavar="TAG",
        autocompletion=complete_tag,
        callback=no_empty_tags,
    ),
]


class OutputFormat(StrEnum):
    table = "table"
    tsv = "tsv"
    json = "json"
    jsonl = "jsonl"
    csv = "csv"


FormatOption = Annotated[
    OutputFormat | None,
    typer.Option(
        "--format",
        "-f",
        help="table (default on a terminal), tsv (default in a pipe: full values, no header), json, jsonl or csv.",
        show_default=False,
        case_sensitive=False,
    ),
]
PriorityOption = Annotated[
    int | None,
    typer.Option("--priority", "-p", help="Higher comes first in todo.", min=-PRIORITY_RANGE, max=PRIORITY_RANGE),
]
NoPagerOption = Annotated[bool, typer.Option("--no-pager", help="Never page long output through $PAGER.")]
WrapOption = Annotated[bool, typer.Option("--wrap", help="Wrap long titles over several lines instead of cutting.")]


def view(fmt: OutputFormat | None, json_: bool = False, no_pager: bool = False, wrap: bool = False) -> output.View:
    """The output choice of a read command, from its shared options."""
    return output.View(output.pick_format(fmt.value if fmt else None, json_), pager=not no_pager, wrap=wrap)


_global_db: list[str | None] = [None]


def set_global_db(value: str | None) -> None:
    _global_db[0] = value


def library(option: str | None, who: str | None = None, *, reading: bool = False) -> "Library":
    """The Library a command works on: its own `--db`, else the global one placed before the command name.
    For a read (`reading`), a `--db` that names no file is a typo, not a wish for a new empty library; `who`
    reads as that member, who must be someone in the library."""
    from readlist.api import Library

    chosen = option or _global_db[0]
    lib = Library(chosen, who, create=not (reading and chosen))
    if who:
        lib.require_member()
    return lib


WhoOption = Annotated[
    str | None,
    typer.Option("--who", help="As this team member sees it (default: you, READLIST_USER).", metavar="NAME"),
]


def report_status(changes: "list[StatusChange]", verb: str) -> None:
    for change in changes:
        if change.before == change.after:
            output.say(f"#{change.item_id} is already {change.after}: {change.title}")
        else:
            output.say(f"#{change.item_id} {verb}: {change.title}")
