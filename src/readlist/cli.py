"""The Typer app: global options, command registration, and the one error boundary."""

import os
import sys
from typing import Annotated

import typer

from readlist import __version__
from readlist.commands import common
from readlist.errors import ReadlistError

app = typer.Typer(
    name="readlist",
    help="A reading list for ML-systems papers, articles and repos — in Chinese and English.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        print(f"readlist {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    db: common.DbOption = None,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    """A reading list for ML-systems papers, articles and repos — in Chinese and English."""
    common.set_global_db(db)


# Which module defines each command. Building Typer's parameters for every command costs ~1 ms each, so
# a run registers only the command it was asked for (all of them for --help or an unknown name).
COMMAND_MODULES = {
    "items": ("add", "fetch", "show", "rm"),
    "importcmd": ("import",),
    "lists": ("todo", "list", "tags"),
    "searchcmd": ("search", "glossary"),
    "share": ("digest", "export", "stats"),
    "edit": ("start", "done", "skip", "status", "tag", "note", "edit"),
    "feedcmd": ("feed", "inbox", "keep"),
    "dbcmd": ("db",),
}


def _requested_command(argv: list[str]) -> str | None:
    skip = False
    for token in argv:
        if skip:
            skip = False
        elif token == "--db":
            skip = True
        elif not token.startswith("-"):
            return token
    return None


def register_commands(argv: list[str] | None = None) -> None:
    import importlib

    wanted = _requested_command(argv or [])
    known = any(wanted in names for names in COMMAND_MODULES.values())
    for module_name, names in COMMAND_MODULES.items():
        if not known or wanted in names:
            importlib.import_module(f"readlist.commands.{module_name}").register(app)


def main() -> None:
    """Console-script entry point: every error a user can cause becomes `error:` + `hint:`, exit 1."""
    from readlist import db, output

    db.on_lock_wait = lambda: output.err().print("waiting for another readlist process to finish writing…")
    try:
        register_commands(sys.argv[1:])
        app()
    except ReadlistError as exc:
        output.print_error(exc)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        output.err().print("interrupted; nothing was half-written")
        sys.exit(130)
    except BrokenPipeError:
        sys.exit(0)
    except Exception as exc:  # the boundary: a bug still reads as one line unless asked for the traceback
        from readlist.db import friendly_error

        friendly = friendly_error(exc)
        if friendly is not None and not os.environ.get("READLIST_DEBUG"):
            output.print_error(friendly)
            sys.exit(friendly.exit_code)
        if os.environ.get("READLIST_DEBUG"):
            raise
        output.print_error(
            ReadlistError(
                f"internal error: {type(exc).__name__}: {exc}",
                "rerun with READLIST_DEBUG=1 for the traceback and report it",
            )
        )
        sys.exit(1)
