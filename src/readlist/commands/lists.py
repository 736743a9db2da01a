"""`todo`, `list` and `tags`: the read commands over many items (plain sqlite3, no SQLAlchemy)."""

from typing import Annotated

import typer

from readlist import config, output
from readlist.commands.common import (
    DbOption,
    FormatOption,
    JsonOption,
    LimitOption,
    NoPagerOption,
    TagFilter,
    WhoOption,
    WrapOption,
    library,
    member_conn,
    view,
)
from readlist.domain import MAX_COUNT
from readlist.errors import InvalidInputError
from readlist.location import Conn
from readlist.store import read as queries

StatusFilter = Annotated[
    list[str] | None, typer.Option("--status", "-s", help="Only this status (repeatable).", metavar="STATUS")
]
KindFilter = Annotated[str | None, typer.Option("--kind", "-k", help="paper, article or repo.", metavar="KIND")]
SinceFilter = Annotated[
    str | None, typer.Option("--since", help="Added/read since: 7d, 2w, 3m or 2026-11-01.", metavar="WHEN")
]


def build_filter(status: list[str] | None, tag: str | None, kind: str | None, since: str | None) -> queries.ItemFilter:
    from readlist.api import Library

    return Library.filter(status=status, tag=tag, kind=kind, since=since)


def why_empty(conn: Conn, tag: str | None) -> str | None:
    """Why a filter found nothing, when the reason is a tag the library does not have."""
    if not tag:
        return None
    missing, close = queries.tag_suggestion(conn, tag)
    if not missing:
        return None
    return f'no tag "{tag}"' + (f' (did you mean "{close}"?)' if close else " (see: readlist tags)")


def todo(
    tag: TagFilter = None,
    limit: Annotated[
        int | None,
        typer.Option(
            "--limit",
            "-n",
            help="How many to show (default: config todo_limit, 20).",
            min=1,
            max=MAX_COUNT,
            metavar="COUNT",
        ),
    ] = None,
    all_: Annotated[bool, typer.Option("--all", "-a", help="Show the whole queue.")] = False,
    fmt: FormatOption = None,
    json_: JsonOption = False,
    wrap: WrapOption = False,
    no_pager: NoPagerOption = False,
    who: WhoOption = None,
    db: DbOption = None,
) -> None:
    """Your unread queue: reading first, then priority, then oldest added (`--who alice`: hers)."""
    conn = member_conn(db, who)
    chosen = view(fmt, json_, no_pager, wrap)
    items = queries.todo(conn, tag=tag, limit=None if all_ else config.value(config.TODO_LIMIT, limit))
    title = None
    if chosen.fmt == "table":
        total = queries.count_todo(conn, tag=tag)
        title = f"to read: {total}" + (f" (showing {len(items)}; --all for every one)" if total > len(items) else "")
    empty = "nothing to read — add something with: readlist add <arxiv-url>"
    output.print_items(items, empty, title, view=chosen, why=why_empty(conn, tag) if not items else None)


def list_(
    status: StatusFilter = None,
    tag: TagFilter = None,
    kind: KindFilter = None,
    since: SinceFilter = None,
    limit: LimitOption = None,
    fmt: FormatOption = None,
    json_: JsonOption = False,
    wrap: WrapOption = False,
    no_pager: NoPagerOption = False,
    who: WhoOption = None,
    read_by: Annotated[
        str | None,
        typer.Option("--read-by", help="Only what this member has read (--since: finished since).", metavar="NAME"),
    ] = None,
    db: DbOption = None,
) -> None:
    """Every item, or those matching the filters: `readlist list --status read --tag cuda`."""
    if read_by and who and read_by != who:
        raise InvalidInputError("--read-by and --who name different members", "give one of them")
    if read_by and status and set(status) != {"read"}:
        raise InvalidInputError(
            f"--read-by lists what {read_by} has read; --status {','.join(status)} contradicts it",
            f"drop --status, or use: readlist list --who {read_by} --status {','.join(status)}",
        )
    conn = member_conn(db, read_by or who)
    chosen = view(fmt, json_, no_pager, wrap)
    full = chosen.fmt in ("json", "jsonl")
    flt = build_filter(["read"] if read_by else status, tag, kind, None if read_by else since)
    if read_by and since:
        from readlist.store.records import parse_since

        flt.read_since = parse_since(since)
    items = queries.list_items(conn, flt, limit=limit, full=full)
    output.print_items(items, "no items match", view=chosen, why=why_empty(conn, tag) if not items else None)


def tags(
    rename: Annotated[
        tuple[str, str] | None,
        typer.Option("--rename", help="Rename (or merge) a tag: --rename old new.", metavar="OLD NEW"),
    ] = None,
    fmt: FormatOption = None,
    json_: JsonOption = False,
    no_pager: NoPagerOption = False,
    db: DbOption = None,
) -> None:
    """Tags with their item counts; `--rename old new` renames one everywhere."""
    if rename:
        from readlist.commands.common import store

        count = store(db).rename_tag(*rename)
        output.say(f"renamed tag {rename[0]!r} → {rename[1]!r} on {count} item(s)")
        return
    rows = library(db).tags()
    chosen = view(fmt, json_, no_pager)
    if not rows and chosen.fmt == "table":
        output.say("no tags yet — add one with: readlist tag 1 +kv-cache")
        return
    output.print_table(["tag", "items"], [[r["tag"], r["count"]] for r in rows], view=chosen, data=rows, flex="tag")


def register(app: typer.Typer) -> None:
    app.command()(todo)
    app.command("list")(list_)
    app.command()(tags)
