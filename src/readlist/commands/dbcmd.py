"""`readlist db …`: where the library lives, an integrity check, a backup, a search reindex."""

import typer

from readlist import db as database
from readlist import output
from readlist.commands.common import DbOption, JsonOption, db_path, read_conn

app = typer.Typer(help="The database file: path, check, backup, reindex.", no_args_is_help=True)


@app.command()
def path(db: DbOption = None) -> None:
    """Print where the database lives: `readlist db path`."""
    print(db_path(db))


@app.command()
def check(json_: JsonOption = False, db: DbOption = None) -> None:
    """Check integrity, foreign keys, schema version and the search index: `readlist db check`."""
    conn = read_conn(db)
    report = {
        "path": str(db_path(db)),
        "schema": conn.execute("SELECT version_num FROM alembic_version").fetchone()[0],
        "integrity": conn.execute("PRAGMA integrity_check").fetchone()[0],
        "foreign_key_problems": len(conn.execute("PRAGMA foreign_key_check").fetchall()),
        "items": conn.execute("SELECT count(*) FROM item").fetchone()[0],
        "indexed": conn.execute("SELECT count(*) FROM search_index").fetchone()[0],
    }
    healthy = report["integrity"] == "ok" and not report["foreign_key_problems"]
    healthy = healthy and report["items"] == report["indexed"]
    if json_:
        output.print_json({**report, "ok": healthy})
    else:
        output.print_table(["check", "result"], [[k, v] for k, v in report.items()])
        output.say(
            "ok" if healthy else "problems found — readlist db reindex fixes an index out of step",
            "green" if healthy else "red",
        )
    if not healthy:
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
