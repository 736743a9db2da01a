"""`digest`, `export` and `stats`: what we read, for the team, for other tools, and for ourselves."""

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from readlist import output
from readlist.commands.common import DbOption, FormatOption, JsonOption, TagFilter, library, view
from readlist.commands.lists import KindFilter, SinceFilter, StatusFilter, why_empty

if TYPE_CHECKING:
    from readlist.api import Library

OutOption = Annotated[
    str | None, typer.Option("--output", "-o", help="Write to this file (atomically).", metavar="FILE")
]


def _emit(pieces: Iterable[str], out: str | None) -> None:
    """Write the pieces as they come: to a file (atomically, once all are written) or to standard output."""
    if out:
        from readlist.term.outfile import write_output

        write_output(Path(out), pieces)
        output.err().print(output.text(f"wrote {out}"))
    else:
        output.write_pieces(pieces)  # gathered, so a pipe gets a few large writes


def digest(
    since: SinceFilter = None,
    status: StatusFilter = None,
    tag: TagFilter = None,
    kind: KindFilter = None,
    group_by: Annotated[str, typer.Option("--group-by", "-g", help="tag, status or week.")] = "tag",
    lang: Annotated[
        str | None, typer.Option("--lang", help="zh, en or auto (default: config digest_language, auto).")
    ] = None,
    full_notes: Annotated[bool, typer.Option("--full-notes", help="Whole notes, not the first paragraph.")] = False,
    team: Annotated[bool, typer.Option("--team", help="Who read what, with every member's notes.")] = False,
    out: OutOption = None,
    db: DbOption = None,
) -> None:
    """Markdown for the team wiki or chat: `readlist digest --since 7d` (`--team`: everyone's reading)."""
    lib = library(db, reading=True)
    pieces = lib.digest_stream(
        since=since,
        status=status,
        tag=tag,
        kind=kind,
        group_by=group_by,
        lang=lang,
        full_notes=full_notes,
        team=team,
    )
    _say_missing_tag(lib, tag)
    _emit(pieces, out)


def export(
    fmt: Annotated[str, typer.Option("--format", "-f", help="jsonl, json, bibtex or csv.")] = "jsonl",
    status: StatusFilter = None,
    tag: TagFilter = None,
    kind: KindFilter = None,
    since: SinceFilter = None,
    bom: Annotated[bool, typer.Option("--bom", help="CSV: start with a UTF-8 BOM (for Excel).")] = False,
    out: OutOption = None,
    db: DbOption = None,
) -> None:
    """Export items: `readlist export --format jsonl -o team/alice.jsonl` (lossless; stable order)."""
    lib = library(db, reading=True)
    pieces = lib.export_stream(fmt, status=status, tag=tag, kind=kind, since=since, bom=bom)
    _say_missing_tag(lib, tag)
    _emit(pieces, out)


def _say_missing_tag(lib: "Library", tag: list[str] | None) -> None:
    """A tag the library does not have empties an export or digest: said on stderr (stdout stays the data), as
    `list` says it."""
    why = why_empty(lib, tag)
    if why:
        output.err().print(output.text(why, "yellow"))


def stats(
    team: Annotated[bool, typer.Option("--team", help="Each member's queue and reading pace.")] = False,
    fmt: FormatOption = None,
    json_: JsonOption = False,
    db: DbOption = None,
) -> None:
    """Counts by status, top tags, added/read per month, reading pace: `readlist stats` (`--team`: per member)."""
    if team:
        from readlist.term import timefmt

        rows = library(db, reading=True).team_stats()
        chosen = view(fmt, json_)
        columns = ["member", "unread", "reading", "read", "per week", "last read"]
        table: list[list[object]] = [
            [r["member"], r["unread"], r["reading"], r["read"], r["read_per_week"], timefmt.date(r["last_finished"])]
            for r in rows
        ]
        if chosen.fmt != "table":  # programs get the full timestamp, as in every other export of a date
            table = [[*row[:-1], r["last_finished"] or ""] for row, r in zip(table, rows, strict=True)]
        output.print_table(columns, table, view=chosen, data=rows, flex="last read")
        return
    data = library(db, reading=True).stats()
    output.print_stats(data, view(fmt, json_))


def register(app: typer.Typer) -> None:
    app.command()(digest)
    app.command()(export)
    app.command()(stats)
