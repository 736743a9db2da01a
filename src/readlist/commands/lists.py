"""`todo`, `list` and `tags`: the read commands over many items (plain sqlite3, no SQLAlchemy)."""

import re
from typing import TYPE_CHECKING, Annotated

import typer
from typer._click.exceptions import UsageError

from readlist import output
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
    no_zero,
    view,
)
from readlist.domain import MAX_COUNT

if TYPE_CHECKING:
    from readlist.api import Library

StatusFilter = Annotated[
    list[str] | None, typer.Option("--status", "-s", help="Only this status (repeatable).", metavar="STATUS")
]
KindFilter = Annotated[str | None, typer.Option("--kind", "-k", help="paper, article or repo.", metavar="KIND")]
SinceFilter = Annotated[
    str | None, typer.Option("--since", help="Added/read since: 7d, 2w, 3m or 2026-11-01.", metavar="WHEN")
]


def why_empty(lib: "Library", tag: str | list[str] | None) -> str | None:
    """Why a filter found nothing, when the reason is a tag the library does not have."""
    missing = lib.missing_tag(tag)
    if missing is None:
        return None
    close = f' (did you mean "{missing.close}"?)' if missing.close else " (see: readlist tags)"
    return f'no tag "{missing.name}"' + close


def todo(
    ctx: typer.Context,
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
    if all_ and limit is not None:
        raise UsageError(f"--all shows the whole queue and --limit {limit} a part: give one of them", ctx)
    lib = library(db, who, reading=True)
    chosen = view(fmt, json_, no_pager, wrap)
    items = lib.todo(tag=tag, limit=limit, everything=all_, full=chosen.fmt in ("json", "jsonl"))
    title = None
    if chosen.fmt == "table":
        total = lib.todo_count(tag=tag)
        title = f"to read: {total}" + (f" (showing {len(items)}; --all for every one)" if total > len(items) else "")
    empty, why = "", None
    if not items:
        empty = "nothing to read — add something with: readlist add <arxiv-url>"
        why = why_empty(lib, tag)
        waiting = lib.todo_count() if tag and why is None else 0
        if waiting:  # the filters emptied the queue, not the library: say so (on stderr in a pipe), and how to widen
            them = "them (or drop one)" if len(tag or []) > 1 else "it"
            empty = f"nothing to read with {said_filters(tag=tag)} — {waiting} to read without {them}: readlist todo"
            why = None if chosen.fmt == "table" else empty
    output.print_items(items, empty, title, view=chosen, why=why)


def said_filters(
    *,
    status: list[str] | None = None,
    tag: list[str] | None = None,
    kind: str | None = None,
    since: str | None = None,
    read_by: str | None = None,
) -> str:
    """The filters as they were typed (`-t kv -t moe --status read`), for messages about what they kept."""
    import shlex

    pairs = [("--status", s) for s in status or []] + [("-t", t) for t in tag or []]
    pairs += [(name, value) for name, value in (("--kind", kind), ("--since", since), ("--read-by", read_by)) if value]
    # Quoted only where a shell needs it: shlex quotes every non-ASCII word (`-t '量化'`).
    return " ".join(f"{name} {value if _SHELL_PLAIN.fullmatch(value) else shlex.quote(value)}" for name, value in pairs)


_SHELL_PLAIN = re.compile(r"[^\s'\"$`\\!*?\[\]{}();|&<>#~=%^]+")


def list_empty(lib: "Library", filters: str) -> str:
    """What an empty `list` says: no items at all, or filters that matched none of them (and how to widen)."""
    if not filters or not lib.list(limit=1, full=False):
        return "no items yet — add something with: readlist add <arxiv-url>"
    return f"no items match {filters} — drop a filter to widen, or see every item: readlist list"


def why_filtered(lib: "Library", tag: list[str] | None, filters: str) -> str | None:
    """Why a filtered list is empty, for stderr in a pipe (stdout stays data): a tag the library lacks, or the
    filters that matched nothing."""
    return why_empty(lib, tag) or (list_empty(lib, filters) if filters else None)


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
    limit = no_zero(limit, "every item")
    lib = library(db, who, reading=True)
    chosen = view(fmt, json_, no_pager, wrap)
    full = chosen.fmt in ("json", "jsonl")
    filters = said_filters(status=status, tag=tag, kind=kind, since=since, read_by=read_by)
    if limit is None and chosen.fmt != "table":
        # A pipe (or --format): rows go out as they are read, a page at a time, not after the whole library.
        brief = chosen.fmt in ("tsv", "csv")  # a row's cells only (views.item_record)
        rows = lib.list_stream(status=status, tag=tag, kind=kind, since=since, full=full, read_by=read_by, brief=brief)
        output.print_item_stream(rows, "", view=chosen, why=lambda: why_filtered(lib, tag, filters))
        return
    items = lib.list(status=status, tag=tag, kind=kind, since=since, limit=limit, full=full, read_by=read_by)
    if chosen.fmt == "table":
        empty = list_empty(lib, filters) if not items else ""
        output.print_items(items, empty, view=chosen, why=why_empty(lib, tag) if not items else None)
    else:
        output.print_items(items, "", view=chosen, why=why_filtered(lib, tag, filters) if not items else None)


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
        count = library(db).rename_tag(*rename)
        output.say(f"renamed tag {rename[0]!r} → {rename[1]!r} on {count} item(s)")
        return
    rows = library(db, reading=True).tags()
    chosen = view(fmt, json_, no_pager)
    if not rows and chosen.fmt == "table":
        output.say("no tags yet — add one with: readlist tag 1 +kv-cache")
        return
    output.print_table(["tag", "items"], [[r["tag"], r["count"]] for r in rows], view=chosen, data=rows, flex="tag")


def register(app: typer.Typer) -> None:
    app.command()(todo)
    app.command("list")(list_)
    app.command()(tags)
