"""`todo`, `list` and `tags`: the read commands over many items (plain sqlite3, no SQLAlchemy)."""

from typing import Annotated

import typer

from readlist import config, output
from readlist.commands.common import DbOption, JsonOption, LimitOption, TagFilter, read_conn
from readlist.domain import check_kind, check_status
from readlist.library import read as queries
from readlist.library.records import parse_since

StatusFilter = Annotated[list[str] | None, typer.Option("--status", "-s", help="Only this status (repeatable).")]
KindFilter = Annotated[str | None, typer.Option("--kind", "-k", help="paper, article or repo.")]
SinceFilter = Annotated[str | None, typer.Option("--since", help="Added/read since: 7d, 2w, 3m or 2026-11-01.")]


def build_filter(status: list[str] | None, tag: str | None, kind: str | None, since: str | None) -> queries.ItemFilter:
    return queries.ItemFilter(
        status=[check_status(s) for s in status] if status else None,
        tag=tag,
        kind=check_kind(kind) if kind else None,
        since=parse_since(since) if since else None,
    )


def todo(
    tag: TagFilter = None,
    limit: Annotated[
        int | None, typer.Option("--limit", "-n", help="How many to show (default: config todo_limit, 20).", min=1)
    ] = None,
    all_: Annotated[bool, typer.Option("--all", "-a", help="Show the whole queue.")] = False,
    json_: JsonOption = False,
    db: DbOption = None,
) -> None:
    """The unread queue: reading first, then priority, then oldest added."""
    conn = read_conn(db)
    items = queries.todo(conn, tag=tag, limit=None if all_ else config.value(config.TODO_LIMIT, limit))
    if json_:
        output.print_json(items)
        return
    total = queries.count_todo(conn, tag=tag)
    title = f"to read: {total}" + (f" (showing {len(items)}; --all for every one)" if total > len(items) else "")
    output.print_items(items, "nothing to read — add something with: readlist add <arxiv-url>", title)


def list_(
    status: StatusFilter = None,
    tag: TagFilter = None,
    kind: KindFilter = None,
    since: SinceFilter = None,
    limit: LimitOption = None,
    json_: JsonOption = False,
    db: DbOption = None,
) -> None:
    """Every item, or those matching the filters: `readlist list --status read --tag cuda`."""
    items = queries.list_items(read_conn(db), build_filter(status, tag, kind, since), limit=limit, full=json_)
    if json_:
        output.print_json(items)
    else:
        output.print_items(items, "no items match")


def tags(
    rename: Annotated[
        tuple[str, str] | None, typer.Option("--rename", help="Rename (or merge) a tag: --rename old new.")
    ] = None,
    json_: JsonOption = False,
    db: DbOption = None,
) -> None:
    """Tags with their item counts; `--rename old new` renames one everywhere."""
    if rename:
        from readlist.commands.common import store

        count = store(db).rename_tag(*rename)
        output.say(f"renamed tag {rename[0]!r} → {rename[1]!r} on {count} item(s)")
        return
    rows = queries.tag_counts(read_conn(db))
    if json_:
        output.print_json(rows)
    elif not rows:
        output.say("no tags yet — add one with: readlist tag 1 +kv-cache")
    else:
        output.print_table(["tag", "items"], [[r["tag"], r["count"]] for r in rows])


def register(app: typer.Typer) -> None:
    app.command()(todo)
    app.command("list")(list_)
    app.command()(tags)
