"""`readlist db …`: where the library lives, init, an integrity check, a backup, a copy, a search reindex."""

from pathlib import Path
from typing import Annotated

import typer

from readlist import output
from readlist.api import Library
from readlist.commands.common import DbOption, JsonOption, library
from readlist.location import redact

app = typer.Typer(help="The database: path, init, check, backup, copy, reindex.", no_args_is_help=True)


@app.command()
def path(db: DbOption = None) -> None:
    """Print where the database lives (a URL's password shown as ***): `readlist db path`."""
    print(library(db).path)


@app.command()
def init(db: DbOption = None) -> None:
    """Build (or upgrade) the schema, e.g. on an empty PostgreSQL database: `readlist db init`."""
    lib = library(db)
    revision = lib.init()
    output.say(f"library ready at {lib.path} (schema {revision})")


@app.command()
def check(json_: JsonOption = False, db: DbOption = None) -> None:
    """Check integrity, foreign keys, schema version and the search index: `readlist db check`."""
    from dataclasses import asdict

    report = library(db).check()
    if json_:
        output.print_json({**asdict(report), "ok": report.ok})
    else:
        rows: list[list[object]] = [["schema", report.schema], ["integrity", report.integrity]]
        rows.append(["items", report.items])
        rows += [["indexed", report.indexed], ["foreign key problems", report.foreign_key_problems]]
        output.print_table(["check", "result"], rows)
        for problem in report.problems:
            output.warn(problem)
        for step in report.advice:
            output.say(f"  → {step}")
        output.say("ok" if report.ok else "problems found", "green" if report.ok else "red")
    if not report.ok:
        raise typer.Exit(1)


@app.command()
def backup(
    db: DbOption = None,
    to: Annotated[
        Path | None,
        typer.Option("--to", help="Folder for the backup (default: beside a SQLite file; PostgreSQL: data dir)."),
    ] = None,
) -> None:
    """A consistent copy beside a SQLite file or in --to DIR; of PostgreSQL, pg_dump or a JSONL snapshot."""
    target = library(db, reading=True).backup(to, warn=output.warn)
    output.say(f"backup written to {target}")


@app.command()
def copy(
    source: Annotated[str, typer.Argument(help="The library to copy: a file path or a postgresql:// URL.")],
    target: Annotated[str, typer.Argument(help="An empty or new library: a file path or a postgresql:// URL.")],
) -> None:
    """Copy a whole library between SQLite and PostgreSQL, either way: `readlist db copy my.db postgresql://…`."""
    report = Library.copy(source, target)
    copied = report.rows.get("item", 0)
    output.say(f"copied {copied} item(s) from {redact(source)} to {redact(target)} ({report.indexed} indexed)")


@app.command()
def reindex(db: DbOption = None) -> None:
    """Rebuild the search index (and indexes a damaged file lost): `readlist db reindex`."""
    lib = library(db, reading=True)
    fixed = lib.repair_indexes()
    if fixed:
        output.say(f"rebuilt the database's indexes from their rows ({fixed} problem(s) fixed); the file checks ok")
    count = lib.reindex()
    output.say(f"reindexed {count} item(s)")


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="db")
