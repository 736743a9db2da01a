"""Options shared by every command (`--db`, `--json`) and how commands open the library."""

import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from readlist import config, db

if TYPE_CHECKING:
    from readlist.library.write import Store

DbOption = Annotated[
    str | None,
    typer.Option("--db", help="Database file (default: $READLIST_DB, then the user data dir).", show_default=False),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON for programs instead of a table.")]
LimitOption = Annotated[int | None, typer.Option("--limit", "-n", help="Show at most this many.", min=0)]
TagFilter = Annotated[str | None, typer.Option("--tag", "-t", help="Only items with this tag.")]

_global_db: list[str | None] = [None]


def set_global_db(value: str | None) -> None:
    _global_db[0] = value


def db_path(option: str | None) -> Path:
    """A command's own `--db` beats the global one placed before the command name."""
    chosen = option or _global_db[0]
    path = config.database_path(chosen)
    if config.database_is_default(chosen):
        path.parent.mkdir(parents=True, exist_ok=True)  # the default location is ours to create
    return path


def read_conn(option: str | None) -> sqlite3.Connection:
    return db.connect(db_path(option))


def store(option: str | None) -> "Store":
    from readlist.library.write import Store

    return Store(db_path(option))
