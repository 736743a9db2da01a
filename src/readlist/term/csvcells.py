"""CSV cells that stay text in a spreadsheet and inert in a terminal: for exports and `--format csv` alike."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator

from readlist.term.width import FORMAT, LONE_JOINER, visible

# A spreadsheet runs a cell that starts with one of these as a formula (OWASP "CSV injection").
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")


# Control characters other than tab and line breaks: shown as \x1b in CSV, dropped from BibTeX, so neither a
# spreadsheet nor a terminal that prints the export (`export --format csv | cat`) interprets them.
CONTROL = re.compile(f"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f{FORMAT}]|{LONE_JOINER}")


def csv_cell(value: object) -> object:
    """A cell a spreadsheet shows as text: a leading ' before formula starters (numbers stay numbers)."""
    if not isinstance(value, str):
        return value
    value = CONTROL.sub(visible, value)
    return "'" + value if value.startswith(_FORMULA_START) else value


def csv_lines(header: list[str], rows: list[list[str]]) -> list[str]:
    """CSV for `--format csv` on read commands: header first, every cell quoted and neutralised."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n", quoting=csv.QUOTE_ALL)
    writer.writerow(header)
    for row in rows:
        writer.writerow([csv_cell(c) for c in row])
    return buffer.getvalue().rstrip("\n").split("\n") if rows or header else []


def csv_stream(header: list[str], rows: Iterable[list[str]]) -> Iterator[str]:
    """`csv_lines` for rows that come as they are read: each row's text (its line) as soon as it is made, so the
    same lines joined by newlines are the same bytes."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n", quoting=csv.QUOTE_ALL)
    writer.writerow(header)
    yield buffer.getvalue()[:-1]
    for row in rows:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow([csv_cell(c) for c in row])
        yield buffer.getvalue()[:-1]
