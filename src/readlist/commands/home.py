"""`readlist` alone: a home view of what is being read, what comes next, and the first commands to learn."""

import itertools
from typing import TYPE_CHECKING

import typer

from readlist import output
from readlist.domain import Status
from readlist.term import style, table, timefmt, views

if TYPE_CHECKING:
    from readlist.api import ItemRecord, Overview

NEWCOMER = (
    ("readlist add 2408.11743 --tag quantization", "add a paper (arXiv ID, DOI, GitHub or any URL)"),
    ("readlist import notes/", "bring in your markdown notes"),
    ("readlist todo", "what to read next"),
)


def home(db: str | None) -> None:
    """Show the home view; a library that does not exist yet gets a welcome instead of an error."""
    from readlist.commands.common import library

    data = library(db, reading=True).overview()
    output.emit_lines(home_lines(data, output.term_width() or 100, style.color_wanted()), output.View(pager=False))


def home_lines(data: "Overview | None", width: int, color: bool) -> list[str]:
    def bold(text: str) -> str:
        return style.paint(text, "bold", color)

    lines: list[str] = []
    if not data or not data["total"]:
        lines += [bold("readlist — a reading list for papers, articles and repos"), "", "Your library is empty."]
    else:
        counts = data["counts"]
        summary = [
            f"{data['total']} items",
            f"{counts.get(Status.READING, 0)} reading",
            f"{counts.get(Status.UNREAD, 0)} to read",
        ]
        summary.append(f"{counts.get(Status.READ, 0)} read")
        lines.append(bold("readlist · " + " · ".join(summary)))
        for heading, items in (("Reading now", data["reading"]), ("Next up", data["next"])):
            if items:
                lines += ["", bold(heading)]
                lines += _item_lines(items[:5], width, color)
        started = counts.get(Status.READING, 0)  # `reading` holds the first few only
        if started > 5:
            lines.append(f"  … and {started - 5} more: readlist list --status reading")
        notices = []
        if data["inbox"]:
            notices.append(f"Inbox: {data['inbox']} new entries to triage — readlist inbox")
        if data["metadata_pending"]:
            waiting = data["metadata_pending"]
            plural = "s" if waiting != 1 else ""
            notices.append(f"Metadata not fetched yet for {waiting:,} item{plural} — readlist fetch")
        if notices:
            lines += ["", *notices]
    lines += ["", bold("Start here")]
    pad = max(len(cmd) for cmd, _ in NEWCOMER) + 2
    lines += [f"  {style.paint(cmd.ljust(pad), 'cyan', color)}{what}" for cmd, what in NEWCOMER]
    lines += ["", "Every command: readlist help · one command: readlist help todo"]
    return lines


def _item_lines(items: "list[ItemRecord]", width: int, color: bool) -> list[str]:
    columns = [c for c in views.item_columns() if c.name in ("id", "title", "added")]
    columns[-1].name = "since"
    rows = [[str(i["id"]), views.item_row(i)[3], timefmt.date(i.get("started_at") or i.get("added_at"))] for i in items]
    body = table.render(columns, rows, width=width - 2, color=color, header=False)
    return ["  " + line for line in itertools.islice(body, len(rows))]


def register(app: typer.Typer) -> None:
    """Nothing to register: the app callback calls `home` when no command is given."""
