"""Rendering: Rich tables for people, bare JSON for programs, one-line errors on stderr."""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from readlist.errors import ReadlistError

# C0/C1 control characters (ESC among them) would let a note or a feed drive the terminal: show them as \xNN.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
STATUS_STYLE = {
    "reading": "bold yellow",
    "unread": "cyan",
    "read": "green",
    "skipped": "dim",
    "inbox": "magenta",
}

_stdout: Console | None = None
_stderr: Console | None = None


def out() -> Console:
    global _stdout
    if _stdout is None:
        _stdout = Console(highlight=False, soft_wrap=False)
    return _stdout


def err() -> Console:
    global _stderr
    if _stderr is None:
        _stderr = Console(stderr=True, highlight=False, soft_wrap=True)
    return _stderr


def reset() -> None:
    """Forget both consoles, so the next print sees the current streams, COLUMNS and NO_COLOR (in-process runs)."""
    global _stdout, _stderr
    _stdout = _stderr = None


def safe(text: object) -> str:
    """Text from notes or the network, with control characters made visible (never interpreted)."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group(0)):02x}", "" if text is None else str(text))


def text(value: object, style: str = "") -> Text:
    """A Rich Text that never parses markup: `[bold]` in a title prints as `[bold]`."""
    return Text(safe(value), style=style)


def say(message: str, style: str = "") -> None:
    out().print(text(message, style))


def warn(message: str) -> None:
    err().print(text(f"warning: {message}", "yellow"))


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def print_error(error: ReadlistError) -> None:
    err().print(text(f"error: {error.message}", "bold red"))
    if error.hint:
        err().print(text(f"hint: {error.hint}", "dim"))


def status_text(status: str) -> Text:
    return text(status, STATUS_STYLE.get(status, ""))


def display_title(item: dict[str, Any]) -> str:
    """The title, led by the short name the notes use when the title does not already say it."""
    label = item["title"] or item["url"]
    short = item.get("short_name")
    if short and short.casefold() not in label.casefold():
        label = f"{short}: {label}"
    return str(label)


def items_table(items: list[dict[str, Any]], title: str | None = None) -> Table:
    table = Table(title=title, title_justify="left", show_lines=False, expand=True)
    # One line per item (ellipsis, not wrapping): a queue scans faster, and renders in half the time.
    table.add_column("id", justify="right", style="bold", no_wrap=True, min_width=2)
    table.add_column("status", no_wrap=True, min_width=7)
    table.add_column("kind", style="dim", no_wrap=True, min_width=5)
    table.add_column("title", no_wrap=True, overflow="ellipsis", ratio=1)
    table.add_column("tags", style="blue", no_wrap=True, overflow="ellipsis", min_width=8, max_width=20)
    table.add_column("added", style="dim", no_wrap=True, min_width=10)
    for item in items:
        label = display_title(item)
        table.add_row(
            str(item["id"]),
            status_text(item["status"]),
            text(item["kind"]),
            text(label),
            text(", ".join(item.get("tags", []))),
            text((item.get("added_at") or "")[:10]),
        )
    return table


def print_items(items: list[dict[str, Any]], empty: str, title: str | None = None) -> None:
    if not items:
        say(empty)
        return
    out().print(items_table(items, title))


def print_table(columns: list[str], rows: list[list[object]], title: str | None = None) -> None:
    table = Table(title=title, title_justify="left")
    for name in columns:
        table.add_column(name, overflow="fold")
    for row in rows:
        table.add_row(*(text(v) for v in row))
    out().print(table)


def print_item(item: dict[str, Any]) -> None:
    """`show`: every field a person cares about, notes last."""
    console = out()
    head = Text.assemble(text(f"#{item['id']} ", "bold"), text(item["title"], "bold"))
    console.print(head)
    fields: list[tuple[str, object]] = [
        ("short name", item.get("short_name")),
        ("kind", item["kind"]),
        ("key", item["key"]),
        ("url", item["url"]),
        ("status", item["status"]),
        ("authors", _authors_line(item)),
        ("affiliation", item.get("affiliation")),
        ("published", item.get("published")),
        ("updated", item.get("updated")),
        ("version", f"v{item['arxiv_version']}" if item.get("arxiv_version") else None),
        ("venue", item.get("venue")),
        ("doi", item.get("doi")),
        ("comment", item.get("comment")),
        ("categories", ", ".join(item.get("categories") or [])),
        ("pdf", f"https://arxiv.org/pdf/{item['arxiv_id']}" if item.get("arxiv_id") else None),
        ("priority", item.get("priority") or None),
        ("rating", item.get("rating")),
        ("tags", ", ".join(item.get("tags") or [])),
        ("added", item.get("added_at")),
        ("started", item.get("started_at")),
        ("finished", item.get("finished_at")),
        ("metadata", item.get("metadata_status")),
    ]
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="dim", no_wrap=True)
    grid.add_column(overflow="fold")
    for label, value in fields:
        if value not in (None, ""):
            grid.add_row(label, status_text(str(value)) if label == "status" else text(value))
    for link in item.get("links") or []:
        grid.add_row(f"link ({link['role']})", text(link["url"]))
    for src in item.get("sources") or []:
        grid.add_row("from", text(f"{src['file']}:{src['line']}  {src['section']}"))
    console.print(grid)
    if item.get("abstract"):
        console.print(text("\nabstract", "bold"))
        console.print(text(item["abstract"]))
    for note in item.get("notes") or []:
        console.print(text(f"\nnote · {(note['created_at'] or '')[:10]}", "bold"))
        console.print(text(note["body"]))


def _authors_line(item: dict[str, Any]) -> str:
    parts = []
    for name, aff in zip(item.get("authors") or [], item.get("author_affiliations") or [], strict=False):
        parts.append(f"{name} ({aff})" if aff else name)
    return ", ".join(parts)


@contextmanager
def progress(label: str, total: int) -> Iterator[Callable[[int, int], None]]:
    """A progress bar on stderr when it is a terminal; silent otherwise. Yields advance(done, requests)."""
    if not err().is_terminal:
        yield lambda done, requests: None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[extra]}"),
        TimeElapsedColumn(),
        console=err(),
        transient=True,
    ) as bar:
        task = bar.add_task(label, total=total, extra="")

        def advance(done: int, requests: int) -> None:
            bar.update(task, completed=done, extra=f"{requests} request(s)" if requests else "")

        yield advance


def _by_kind(counts: Any) -> str:
    total = sum(counts.values())
    if not total:
        return "0"
    return f"{total} (" + ", ".join(f"{n} {kind}" for kind, n in sorted(counts.items())) + ")"


def print_import_summary(reports: list[Any], *, dry_run: bool) -> None:
    table = Table(title="import (dry run: nothing written)" if dry_run else "import", title_justify="left")
    for name in ("file", "encoding", "new", "merged", "unchanged", "skipped", "repaired"):
        table.add_column(name, overflow="fold")
    for r in reports:
        if r.error:
            table.add_row(text(Path(r.path).name), text(r.error, "yellow"), "", "", "", "", "")
            continue
        repaired = ""
        if r.lines_repaired:
            repaired = f"{r.lines_repaired} lines, {r.chars_restored} chars ({r.low_confidence} low-confidence)"
        table.add_row(
            text(Path(r.path).name),
            text(r.encoding),
            text(_by_kind(r.new)),
            text(_by_kind(r.merged)),
            text(_by_kind(r.unchanged)),
            text(r.skipped),
            text(repaired),
        )
    out().print(table)
    new = sum(sum(r.new.values()) for r in reports)
    merged = sum(sum(r.merged.values()) for r in reports)
    verb = "would add" if dry_run else "added"
    say(f"{verb} {new} item(s), {'would merge' if dry_run else 'merged'} {merged}")
    conflicts = sum(r.conflicts for r in reports)
    if conflicts:
        say(f"{conflicts} field(s) differed (title, venue, rating …); your values were kept")


def _snippet(snippet: str) -> Text:
    """A snippet with the matched words highlighted; everything else literal."""
    result = Text()
    for chunk in snippet.split("\x02"):
        hit, _, rest = chunk.partition("\x03") if "\x03" in chunk else ("", "", chunk)
        if hit:
            result.append(safe(hit), "bold reverse")
        result.append(safe(rest), "dim")
    return result


def _snippet_adds_something(snippet: str, title: str) -> bool:
    plain = snippet.replace("\x02", "").replace("\x03", "").strip("… ")
    return bool(plain) and plain[:24] not in title


def print_search_results(items: list[dict[str, Any]]) -> None:
    table = Table(show_lines=True)
    table.add_column("id", justify="right", style="bold")
    table.add_column("status")
    table.add_column("title / snippet", overflow="fold", ratio=1)
    table.add_column("tags", style="blue", overflow="fold", max_width=28)
    for item in items:
        label = display_title(item)
        cell = Text.assemble(text(label, "bold"))
        if item.get("snippet") and _snippet_adds_something(item["snippet"], item["title"]):
            cell.append("\n")
            cell.append(_snippet(item["snippet"]))
        table.add_row(str(item["id"]), status_text(item["status"]), cell, text(", ".join(item.get("tags", []))))
    out().print(table)


def _bar(value: int, biggest: int, width: int = 30) -> Text:
    cells = round(width * value / biggest) if biggest else 0
    return Text("█" * cells + (" " if cells else ""), style="cyan") + Text(str(value))


def print_stats(data: dict[str, Any]) -> None:
    console = out()
    console.print(text(f"{data['total']} items · " + ", ".join(f"{n} {k}" for k, n in data["by_kind"].items()), "bold"))
    for title, rows in (
        ("by status", [(k, v) for k, v in sorted(data["by_status"].items())]),
        ("top tags", [(t["tag"], t["count"]) for t in data["top_tags"]]),
    ):
        table = Table(title=title, title_justify="left", show_header=False, box=None)
        table.add_column(overflow="fold")
        table.add_column()
        biggest = max((v for _, v in rows), default=0)
        for label, value in rows:
            table.add_row(text(label), _bar(value, biggest))
        console.print(table)
    months = Table(title="per month", title_justify="left", box=None)
    months.add_column("month")
    months.add_column("added")
    months.add_column("read")
    biggest = max((max(m["added"], m["read"]) for m in data["per_month"]), default=0)
    for m in data["per_month"]:
        months.add_row(text(m["month"]), _bar(m["added"], biggest), _bar(m["read"], biggest))
    console.print(months)
    console.print(text(f"pace: {data['read_per_week']} items read per week (last 8 weeks)"))
