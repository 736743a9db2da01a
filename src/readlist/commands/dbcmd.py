"""`readlist db …`: where the library lives, init, an integrity check, a backup, a copy, a search reindex."""

from pathlib import Path
from typing import Annotated

import typer

from readlist import output
from readlist.commands.common import DbOption, JsonOption, db_path, read_conn
from readlist.errors import NotFoundError
from readlist.location import PostgresUrl, location
from readlist.store import db as database

app = typer.Typer(help="The database: path, init, check, backup, copy, reindex.", no_args_is_help=True)


@app.command()
def path(db: DbOption = None) -> None:
    """Print where the database lives (a URL's password shown as ***): `readlist db path`."""
    print(db_path(db))


@app.command()
def init(db: DbOption = None) -> None:
    """Build (or upgrade) the schema, e.g. on an empty PostgreSQL database: `readlist db init`."""
    where = db_path(db)
    database.ensure_schema(where)
    output.say(f"library ready at {where} (schema {database.revision(where)})")


@app.command()
def check(json_: JsonOption = False, db: DbOption = None) -> None:
    """Check integrity, foreign keys, schema version and the search index: `readlist db check`."""
    from dataclasses import asdict

    from readlist.services.health import check as diagnose
    from readlist.services.health import check_postgres

    where = db_path(db)
    if isinstance(where, PostgresUrl):
        report = check_postgres(where)
    elif not where.exists():
        raise NotFoundError(f"no library at {where}", "any write command (readlist add …) creates it")
    else:
        report = diagnose(where)
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
    to: Annotated[Path | None, typer.Option("--to", help="Folder for a PostgreSQL backup (default: data dir).")] = None,
) -> None:
    """A consistent copy: beside a SQLite file; of PostgreSQL, pg_dump or a JSONL snapshot: `readlist db backup`."""
    from readlist.services.transfer import backup as make_backup

    read_conn(db).close()
    target = make_backup(db_path(db), to)
    output.say(f"backup written to {target}")


@app.command()
def copy(
    source: Annotated[str, typer.Argument(help="The library to copy: a file path or a postgresql:// URL.")],
    target: Annotated[str, typer.Argument(help="An empty or new library: a file path or a postgresql:// URL.")],
) -> None:
    """Copy a whole library between SQLite and PostgreSQL, either way: `readlist db copy my.db postgresql://…`."""
    from readlist.services.transfer import copy as copy_library

    src, dst = location(source), location(target)
    if isinstance(src, Path) and not src.is_file():
        raise NotFoundError(f"no library at {src}", "check the path of the library to copy")
    report = copy_library(src, dst)
    output.say(f"copied {report.rows.get('item', 0)} item(s) from {src} to {dst} ({report.indexed} indexed)")


@app.command()
def reindex(db: DbOption = None) -> None:
    """Rebuild the search index from scratch: `readlist db reindex`."""
    from readlist.store import index

    conn = read_conn(db)
    with database.write_transaction(conn):
        count = index.rebuild(conn)
    output.say(f"reindexed {count} item(s)")


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="db")
