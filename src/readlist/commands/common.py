"""Options shared by every command (`--db`, `--format`, `--json`, `--no-pager`) and how commands open the library."""

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from readlist import config, output
from readlist.domain import MAX_COUNT, PRIORITY_RANGE
from readlist.errors import DatabaseError
from readlist.location import Conn, Location
from readlist.store import db

if TYPE_CHECKING:
    from readlist.api import Library
    from readlist.store.records import StatusChange
    from readlist.store.write import Store


def _completion_db(ctx: typer.Context) -> Location:
    option = ctx.params.get("db") or (ctx.parent.params.get("db") if ctx.parent else None)
    return config.database_path(option or _global_db[0])


def complete_item(ctx: typer.Context, incomplete: str) -> list[tuple[str, str]]:
    """Ids, citation keys and arXiv IDs, read with plain sqlite3 (completion must feel instant)."""
    from readlist.store import read_complete

    conn = read_complete.open_readonly(_completion_db(ctx))
    return read_complete.items(conn, incomplete) if conn else []


def complete_tag(ctx: typer.Context, incomplete: str) -> list[tuple[str, str]]:
    """Tag names; `+kv`/`-kv` (the `tag` command's changes) complete with their sign kept."""
    from readlist.store import read_complete

    conn = read_complete.open_readonly(_completion_db(ctx))
    if conn is None:
        return []
    sign = incomplete[:1] if incomplete[:1] in "+-" and incomplete else ""
    return [(sign + name, help_) for name, help_ in read_complete.tags(conn, incomplete[len(sign) :])]


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
TagFilter = Annotated[
    str | None,
    typer.Option("--tag", "-t", help="Only items with this tag.", metavar="TAG", autocompletion=complete_tag),
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


def db_location(option: str | None) -> tuple[Location, bool]:
    """A command's own `--db` beats the global one placed before the command name (nothing is created);
    and whether it is the default location, whose folder a write command creates."""
    chosen = option or _global_db[0]
    return config.database_path(chosen), config.database_is_default(chosen)


def db_path(option: str | None) -> Location:
    """The library a write command opens: `db_location`, with the default folder created if need be."""
    path, default = db_location(option)
    if isinstance(path, Path) and default:
        path.parent.mkdir(parents=True, exist_ok=True)  # the default location is ours to create
    return path


def read_conn(option: str | None, who: str | None = None) -> Conn:
    """A read-only look, as one member sees the library (`who`, else the current user).
    A `--db` that names no file is a typo, not a wish for a new empty library."""
    path = db_path(option)
    if isinstance(path, Path) and (option or _global_db[0]) and not path.exists():
        raise DatabaseError(
            f"no library at {path} (the file does not exist)",
            "check the path; any write command (readlist add, readlist import) creates it",
        )
    return db.connect(path, who)


WhoOption = Annotated[
    str | None,
    typer.Option("--who", help="As this team member sees it (default: you, READLIST_USER).", metavar="NAME"),
]


def member_conn(option: str | None, who: str | None) -> Conn:
    """A read connection as member `who` sees the library; a name nobody in the library has is a typo."""
    conn = read_conn(option, who)
    if who:
        from readlist.store.read import members

        known = members(conn)
        if who not in known:
            from readlist.errors import NotFoundError

            raise NotFoundError(
                f"no member {who!r} in this library",
                f"members: {', '.join(known)}" if known else "nobody has added, read or noted anything yet",
            )
    return conn


def store(option: str | None) -> "Store":
    from readlist.store.write import Store

    return Store(db_path(option))


def store_at(where: Location) -> "Store":
    from readlist.store.write import Store

    return Store(where)


def library(option: str | None) -> "Library":
    """The Library the command works on (commands parse, call the Library, render)."""
    from readlist.api import Library

    return Library(db_path(option))


def report_status(changes: "list[StatusChange]", verb: str) -> None:
    for change in changes:
        if change.before == change.after:
            output.say(f"#{change.item_id} is already {change.after}: {change.title}")
        else:
            output.say(f"#{change.item_id} {verb}: {change.title}")
