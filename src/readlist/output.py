"""Rendering: Rich tables for people, bare JSON for programs, one-line errors on stderr."""

from __future__ import annotations

import itertools
import os
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from readlist.errors import ReadlistError
from readlist.term import pager, style, table, views
from readlist.term.table import Column
from readlist.term.width import json_dumps, one_line
from readlist.term.width import safe as safe
from readlist.text.hits import hits_for_json as hits_for_json
from readlist.text.hits import without_hits

if TYPE_CHECKING:
    from readlist.api import LibraryStats

# What Ctrl-C prints; a command that knows better (import: nothing was changed) sets it.
interrupted = ["interrupted"]
_stdout: Console | None = None
_stderr: Console | None = None


def out() -> Console:
    """Messages and summaries are never hard-wrapped (soft_wrap): in a pipe or a log a long title or path stays
    on one line for grep; a terminal wraps long lines itself. Tables size themselves (term/table.py)."""
    global _stdout
    if _stdout is None:
        _stdout = Console(highlight=False, soft_wrap=True, **_plain())
    return _stdout


def err() -> Console:
    global _stderr
    if _stderr is None:
        _stderr = Console(stderr=True, highlight=False, soft_wrap=True, **_plain())
    return _stderr


def _plain() -> dict[str, Any]:
    """NO_COLOR turns off every style, bold and dim too, as tables have it (term/style.py): Rich's own reading
    of NO_COLOR drops only colours."""
    return {"color_system": None} if os.environ.get("NO_COLOR") else {}


def reset() -> None:
    """Forget both consoles, so the next print sees the current streams, COLUMNS and NO_COLOR (in-process runs)."""
    global _stdout, _stderr
    _stdout = _stderr = None
    interrupted[0] = "interrupted"


def text(value: object, style: str = "") -> Text:
    """A Rich Text that never parses markup: `[bold]` in a title prints as `[bold]`."""
    return Text(safe(value), style=style)


def say(message: str, style: str = "") -> None:
    out().print(text(message, style))


def warn(message: str) -> None:
    err().print(text(f"warning: {message}", "yellow"))


def print_json(data: Any) -> None:
    sys.stdout.write(json_dumps(data, indent=2) + "\n")


def print_error(error: ReadlistError) -> None:
    err().print(text(f"error: {error.message}", "bold red"))
    if error.hint:
        err().print(text(f"hint: {error.hint}", "dim"))


def status_text(status: str) -> Text:
    return text(status, views.STATUS_STYLE.get(status, ""))


display_title = views.display_title


@dataclass
class View:
    """How a read command prints: the format, whether a pager may be used, whether long cells wrap."""

    fmt: str = "table"
    pager: bool = True
    wrap: bool = False
    raw: bool = False


def pick_format(fmt: str | None, json_: bool = False) -> str:
    """--json wins; else the asked format; else a table on a terminal and TSV in a pipe (as gh does)."""
    if json_:
        return "json"
    if fmt:
        return str(fmt)
    return "table" if sys.stdout.isatty() else "tsv"


def term_width() -> int | None:
    """COLUMNS when set, over the terminal's own size (as Rich sizes its output, so both agree); else the
    terminal's width, with 0 (a pseudo-terminal under `script`) read as unknown: 80; None (no limit) in a pipe."""
    columns = os.environ.get("COLUMNS", "")
    if columns.isdigit() and int(columns) > 0:
        return max(20, int(columns))
    if sys.stdout.isatty():
        try:
            size = os.get_terminal_size(sys.stdout.fileno()).columns
        except (OSError, ValueError):
            size = 0
        return max(20, size) if size > 0 else 80
    return None


def emit_lines(lines: Iterable[str], view: View) -> None:
    pager.emit(lines, pager=view.pager)


def print_jsonl(rows: Iterable[Any]) -> None:
    emit_lines((json_dumps(r) for r in rows), View(pager=False))


def print_grid(
    view: View, columns: list[Column], rows: list[list[str]], data: Sequence[Any], *, title: str | None = None
) -> None:
    """Any list of records in the chosen format: fitted table, TSV (no header, like gh), CSV, JSON, JSONL."""
    if view.fmt == "json":
        print_json(data)
    elif view.fmt == "jsonl":
        print_jsonl(data)
    elif view.fmt == "tsv":
        emit_lines(("\t".join(one_line(c) for c in row) for row in rows), view)
    elif view.fmt == "csv":
        from readlist.term.csvcells import csv_lines

        emit_lines(csv_lines([c.name for c in columns], rows), view)
    else:
        color = style.color_wanted()
        width = term_width()
        head = [style.paint(one_line(title), "bold", color)] if title else []
        body = table.render(columns, rows, width=width, wrap_cells=view.wrap, color=color)
        emit_lines(itertools.chain(head, body), view)


def print_items(
    items: Sequence[Mapping[str, Any]],
    empty: str,
    title: str | None = None,
    *,
    view: View | None = None,
    why: str | None = None,
) -> None:
    """Items in the chosen format. An empty result says why on stderr (`no tag "cuda"`) when we know."""
    view = view or View(pick_format(None))
    if not items and (why or view.fmt == "table"):
        if why:
            err().print(text(why, "yellow"))
        else:
            say(empty)
        if view.fmt == "table":
            return
    columns = views.item_columns()
    if view.fmt in ("tsv", "csv"):
        rows = [views.item_record(i) for i in items]
    else:
        rows = [views.item_row(i) for i in items] if view.fmt == "table" else []
    print_grid(view, columns, rows, items, title=title)


def print_item_stream(
    items: Iterator[Mapping[str, Any]], empty: str, *, view: View, why: Callable[[], str | None]
) -> None:
    """`print_items` for items that come as they are read (tsv, csv, json, jsonl): each row is written as its
    page is read, so a pipe gets the first at once and memory holds one page. `why` is asked only when none came.
    The output is byte for byte `print_items`' on the same items."""
    first = next(items, None)
    if first is None:
        print_items([], empty, view=view, why=why())
        return
    rows = itertools.chain([first], items)
    if view.fmt == "jsonl":
        write_pieces(json_dumps(r) + "\n" for r in rows)  # print_jsonl's lines
    elif view.fmt == "json":
        # json.dumps(list, indent=2) is "[", each item's own indent=2 text one level deeper, "]": JSON text has no
        # raw line breaks inside strings, so indenting every line of an item's text is exact.
        pieces = (
            ("[\n  " if n == 0 else ",\n  ") + json_dumps(r, indent=2).replace("\n", "\n  ") for n, r in enumerate(rows)
        )
        write_pieces(itertools.chain(pieces, ["\n]\n"]))
    elif view.fmt == "tsv":
        emit_lines((_tsv_line(i) for i in rows), view)
    else:
        from readlist.term.csvcells import csv_stream

        emit_lines(csv_stream([c.name for c in views.item_columns()], (views.item_record(i) for i in rows)), view)


def _tsv_line(item: Mapping[str, Any]) -> str:
    """`print_grid`'s TSV line of one item: `item_record` has made the title and tags one line already (one_line
    twice is one_line once), so only the cells it passes on as they are go through one_line here."""
    number, status, kind, title, tags, added = views.item_record(item)
    return "\t".join((number, one_line(status), one_line(kind), title, tags, one_line(added)))


def write_pieces(pieces: Iterable[str]) -> None:
    """Text pieces to stdout, about 64 KB to a write (lines of a whole record each would hold megabytes)."""
    batch: list[str] = []
    size = 0
    for piece in pieces:
        batch.append(piece)
        size += len(piece)
        if size >= 1 << 16:
            sys.stdout.write("".join(batch))
            batch, size = [], 0
    sys.stdout.write("".join(batch))
    sys.stdout.flush()


def print_table(
    columns: list[str],
    rows: list[list[object]],
    title: str | None = None,
    view: View | None = None,
    *,
    data: list[Any] | None = None,
    flex: str | None = None,
) -> None:
    """A small table (tags, feeds, checks) in the chosen format; `flex` names the column that takes the room."""
    view = view or View(pick_format(None))
    if data is None:
        data = [dict(zip(columns, row, strict=True)) for row in rows]
    flex = flex or columns[-1]
    cols = [Column(name, flex=name == flex) for name in columns]
    print_grid(view, cols, [[one_line(v) for v in row] for row in rows], data, title=title)


def print_item(item: Mapping[str, Any], view: View | None = None) -> None:
    """`show`: every field a person cares about, notes last (their markdown rendered unless --raw)."""
    view = view or View(pick_format(None))
    if view.fmt in ("json", "jsonl"):
        print_json(item) if view.fmt == "json" else print_jsonl([item])
        return
    if view.fmt in ("tsv", "csv"):
        pairs = [["id", str(item["id"])], ["title", one_line(item["title"])]]
        pairs += [[label, value] for label, value in views.item_fields(item)]
        pairs += [
            ["note" + (f" ({one_line(n['author'])})" if n.get("author") else ""), one_line(n["body"])]
            for n in item.get("notes") or []
        ]
        print_grid(view, [Column("field"), Column("value")], pairs, [])
        return
    width = term_width() or 100
    emit_lines(views.show_lines(item, width, color=style.color_wanted(), raw=view.raw), view)


@contextmanager
def spinner(label: str) -> Iterator[None]:
    """A spinner on stderr while waiting, when stderr is a terminal; nothing otherwise (pipes, logs)."""
    if not err().is_terminal:
        yield
        return
    with err().status(text(label), spinner="dots"):
        yield


@contextmanager
def progress(label: str, total: int, unit: str = "") -> Iterator[Callable[[int, int], None]]:
    """A progress bar on stderr when it is a terminal; silent otherwise. Yields advance(done, requests).

    `unit="bytes"` shows the share done and the time left instead of a count.
    """
    if not err().is_terminal:
        yield lambda done, requests: None
        return
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TaskProgressColumn,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    count = TaskProgressColumn() if unit == "bytes" else MofNCompleteColumn()
    columns: list[Any] = [TextColumn("{task.description}"), count, TextColumn("eta"), TimeRemainingColumn()]
    if err().width >= 60:  # a narrow window keeps what matters: how far, how long still (no bar, no clock)
        columns[1:1] = [BarColumn()]
        columns[3:3] = [TextColumn("{task.fields[extra]}"), TimeElapsedColumn()]
    with Progress(*columns, console=err(), transient=True) as bar:
        task = bar.add_task(label, total=max(1, total), extra="")

        def advance(done: int, requests: int) -> None:
            bar.update(task, completed=done, extra=f"{requests} request(s)" if requests else "")

        yield advance


def _by_kind(counts: Any) -> str:
    total = sum(counts.values())
    if not total:
        return "0"
    return f"{total} (" + ", ".join(f"{n} {kind}" for kind, n in sorted(counts.items())) + ")"


def print_repairs(repairs: list[Any]) -> None:
    """`import --repairs`: one line per uncertain repair, `file:line:column`, the choice in context, rivals (as
    grep prints matches: the path as given, paged on a terminal); the count goes to stderr, out of the data."""
    lines = (
        safe(f"{path}:{r.line}:{r.column}: {r.chosen}  (or: {', '.join(r.alternatives) or '-'})  …{r.context}…")
        for path, r in repairs
    )
    emit_lines(lines, View())
    err().print(text(f"{len(repairs)} low-confidence repair(s)"))


def print_import_summary(reports: list[Any], *, dry_run: bool, totals: Any = None) -> None:
    """One row per file, columns sized to their content; then distinct totals and the fields that differed."""
    rows = []
    for r in reports:
        if r.error:
            rows.append([Path(r.path).name, f"error: {r.error}", "", "", "", "", ""])
            continue
        repaired = f"{r.lines_repaired} ({r.low_confidence} unsure)" if r.lines_repaired else ""
        counts = [str(sum(c.values())) for c in (r.new, r.merged, r.unchanged)]
        rows.append([Path(r.path).name, r.encoding, *counts, str(r.skipped or ""), repaired])
    columns = [
        Column("file", flex=True),
        Column("encoding", drop=1),  # narrowing drops these in order; new, merged and unchanged add up, so stay
        Column("new", right=True),
        Column("merged", right=True),
        Column("unchanged", right=True),
        Column("skipped", right=True, drop=3),
        Column("repaired lines", drop=2),
    ]
    color = style.color_wanted()
    heading = "import (dry run: nothing written)" if dry_run else "import"
    lines = [style.paint(heading, "bold", color)]
    lines += table.render(columns, rows, width=term_width() or 100, color=color)
    emit_lines(lines, View(pager=False))
    if totals is None:  # per-file sums (the importer's totals, when given, count an item in three files once)
        new, merged = _summed(reports, "new"), _summed(reports, "merged")
        unchanged, differed = _summed(reports, "unchanged"), _differed(reports)
    else:
        new, merged, unchanged, differed = totals.new, totals.merged, totals.unchanged, totals.differed
    kinds: Any = {}
    for r in reports:
        for kind, n in r.new.items():
            kinds[kind] = kinds.get(kind, 0) + n
    detail = f" ({', '.join(f'{k}: {n}' for k, n in sorted(kinds.items()))})" if len(kinds) > 1 and totals else ""
    verb = ("would add", "would merge") if dry_run else ("added", "merged")
    skipped = totals.skipped if totals is not None else sum(r.skipped for r in reports)
    unreadable = sum(len(r.problems) for r in reports)  # entries of BibTeX, CSL-JSON…: each has a warning
    left = f", {skipped - unreadable} link(s) or row(s) skipped (not reading items)" if skipped > unreadable else ""
    left += f", {unreadable} entr{'y' if unreadable == 1 else 'ies'} skipped (see the warnings)" if unreadable else ""
    say(f"{verb[0]} {new} item(s){detail}, {verb[1]} {merged}, {unchanged} unchanged{left}")
    garbled = [r for r in reports if r.lines_repaired]
    if garbled:
        unsure = sum(r.low_confidence for r in garbled)
        names = ", ".join(Path(r.path).name for r in garbled[:3]) + (" …" if len(garbled) > 3 else "")
        say(
            f"repaired {sum(r.lines_repaired for r in garbled)} garbled line(s) in {names}"
            + (f"; {unsure} unsure choice(s): readlist import --repairs FILE lists them" if unsure else "")
        )
    removed = sum(getattr(r, "removed", 0) for r in reports)
    if removed:
        say(f"skipped (removed): {removed} item(s) you removed — readlist trash lists them; --restore-removed")
    restored = sum(getattr(r, "restored", 0) for r in reports)
    if restored:
        say(f"{'would restore' if dry_run else 'restored'} {restored} removed item(s) from the trash")
    if differed:
        fields = ", ".join(f"{name} {n}" for name, n in sorted(differed.items(), key=lambda kv: (-kv[1], kv[0])))
        say(f"{sum(differed.values())} field(s) differed ({fields}); the values already in the library were kept")


def _summed(reports: list[Any], state: str) -> int:
    return sum(sum(getattr(r, state).values()) for r in reports)


def _differed(reports: list[Any]) -> dict[str, int]:
    fields: dict[str, int] = {}
    for r in reports:
        for name, n in (getattr(r, "differed", None) or {}).items():
            fields[name] = fields.get(name, 0) + n
    return fields


def _snippet_adds_something(snippet: str, title: str) -> bool:
    plain = without_hits(snippet).strip("… ")
    return bool(plain) and plain[:24] not in title


def print_search_results(
    items: Sequence[Mapping[str, Any]], view: View | None = None, *, title: str | None = None
) -> None:
    """Ranked results: the item row, then (on a terminal) the snippet that matched, on one line below. `title`
    leads a table (inside the pager, so it is seen before the results)."""
    view = view or View(pick_format(None))
    if view.fmt != "table":
        rows = [[*views.item_record(i), views.snippet_plain(i.get("snippet") or "")] for i in items]
        print_grid(view, [*views.item_columns(), Column("snippet")], rows, items)
        return
    color = style.color_wanted()
    width = term_width()
    columns = views.item_columns()
    lines = table.render(columns, [views.item_row(i) for i in items], width=width, color=color)
    head = [style.paint(one_line(title), "dim", color)] if title else []
    emit_lines(itertools.chain(head, _with_snippets(lines, items, (width or 100) - 4, color)), view)


def _with_snippets(lines: Iterator[str], items: Sequence[Mapping[str, Any]], width: int, color: bool) -> Iterator[str]:
    yield next(lines)  # the header
    for item, line in zip(items, lines, strict=False):
        yield line
        snippet = item.get("snippet") or ""
        if snippet and _snippet_adds_something(snippet, item["title"] or ""):
            yield "    " + views.snippet_line(snippet, width, color)


def _bar(value: int, biggest: int, width: int = 30) -> Text:
    cells = round(width * value / biggest) if biggest else 0
    return Text("█" * cells + (" " if cells else ""), style="cyan") + Text(str(value))


def print_stats(data: LibraryStats, view: View | None = None) -> None:
    view = view or View(pick_format(None))
    if view.fmt != "table":
        _stats_records(data, view)
        return
    console = out()
    console.print(text(f"{data['total']} items · " + ", ".join(f"{n} {k}" for k, n in data["by_kind"].items()), "bold"))
    for title, rows in (
        ("by status", [(k, v) for k, v in sorted(data["by_status"].items())]),
        ("top tags", [(t["tag"], t["count"]) for t in data["top_tags"]]),
    ):
        grid = Table(title=title, title_justify="left", show_header=False, box=None)
        grid.add_column(overflow="fold")
        grid.add_column()
        biggest = max((int(v) for _, v in rows), default=0)
        for label, value in rows:
            grid.add_row(text(label), _bar(int(value), biggest))
        console.print(grid)
    months = Table(title="per month", title_justify="left", box=None)
    months.add_column("month")
    months.add_column("added")
    months.add_column("read")
    biggest = max((max(m["added"], m["read"]) for m in data["per_month"]), default=0)
    for m in data["per_month"]:
        months.add_row(text(m["month"]), _bar(m["added"], biggest), _bar(m["read"], biggest))
    console.print(months)
    console.print(text(f"pace: {data['read_per_week']} items read per week (last 8 weeks)"))


def _stats_records(data: LibraryStats, view: View) -> None:
    """Stats for programs: JSON as collected; TSV/CSV as (measure, label, value) rows."""
    rows = [["total", "", str(data["total"])]]
    rows += [["kind", k, str(n)] for k, n in data["by_kind"].items()]
    rows += [["status", k, str(n)] for k, n in sorted(data["by_status"].items())]
    rows += [["tag", t["tag"], str(t["count"])] for t in data["top_tags"]]
    rows += [["added", m["month"], str(m["added"])] for m in data["per_month"]]
    rows += [["read", m["month"], str(m["read"])] for m in data["per_month"]]
    rows += [["read_per_week", "", str(data["read_per_week"])]]
    cols = [Column("measure"), Column("label", flex=True), Column("value")]
    if view.fmt == "json":
        print_json(data)
    else:
        print_grid(view, cols, rows, [data])


def _note_heading(number: int, note: Mapping[str, Any]) -> str:
    """`note 2 · 2026-11-21 · alice` (imported notes name their file instead of an author)."""
    origin = note.get("author") or (note.get("source") or "").split("#", 1)[0].rsplit("/", 1)[-1]
    return " · ".join(part for part in (f"note {number}", (note.get("created_at") or "")[:10], origin) if part)


def print_notes(item: Mapping[str, Any]) -> None:
    """`note N`: the item's notes, numbered for `--edit NUMBER` and `--rm NUMBER`."""
    if not item.get("notes"):
        say(f'#{item["id"]} has no notes — add one: readlist note {item["id"]} "…"')
        return
    say(f"#{item['id']} {item['title']}", "bold")
    for number, note in enumerate(item["notes"], 1):
        say(f"\n{_note_heading(number, note)}", "bold")
        say(note["body"])
