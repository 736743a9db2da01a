"""`readlist db …`: where the library lives, an integrity check, a backup, a search reindex."""

import typer

from readlist import db as database
from readlist import output
from readlist.commands.common import DbOption, JsonOption, db_path, read_conn
from readlist.errors import NotFoundError

app = typer.Typer(help="The database file: path, check, backup, reindex.", no_args_is_help=True)


@app.command()
def path(db: DbOption = None) -> None:
    """Print where the database lives: `readlist db path`."""
    print(db_path(db))


@app.command()
def check(json_: JsonOption = False, db: DbOption = None) -> None:
    """Check integrity, foreign keys, schema version and the search index: `readlist db check`."""
    from dataclasses import asdict

    from readlist.library.health import check as diagnose

    path = db_path(db)
    if not path.exists():
        raise NotFoundError(f"no library at {path}", "any write command (readlist add …) creates it")
    report = diagnose(path)
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
def backup(db: DbOption = None) -> None:
    """Write a consistent copy next to the database: `readlist db backup`."""
    read_conn(db).close()
    target = database.backup_file(db_path(db))
    output.say(f"backup written to {target}")


@app.command()
def reindex(db: DbOption = None) -> None:
    """Rebuild the search index from scratch: `readlist db reindex`."""
    from readlist.search import index

    conn = read_conn(db)
    with database.write_transaction(conn):
        count = index.rebuild(conn)
    output.say(f"reindexed {count} item(s)")


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="db")
