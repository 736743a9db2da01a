"""The Typer app: global options, command registration, and the one error boundary."""

import sys
from collections.abc import Sequence
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
    "configcmd": ("config",),
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
    """Register the modules `argv` needs (all of them for help or an unknown name); each module only once."""
    import importlib

    wanted = _requested_command(argv or [])
    known = any(wanted in names for names in COMMAND_MODULES.values())
    for module_name, names in COMMAND_MODULES.items():
        if (not known or wanted in names) and module_name not in _registered:
            importlib.import_module(f"readlist.commands.{module_name}").register(app)
            _registered.add(module_name)


_registered: set[str] = set()


def run(argv: Sequence[str]) -> int:
    """The one error boundary, callable in-process: every error a user can cause becomes `error:` + `hint:`.

    Returns the exit code instead of exiting, so tests (and embedders) run the exact path `main` runs."""
    from readlist import db, output

    args = list(argv)
    output.reset()
    db.on_lock_wait = lambda: output.err().print("waiting for another readlist process to finish writing…")
    try:
        register_commands(args)
        app(args=args, prog_name="readlist")
    except SystemExit as exc:  # Click ends every standalone run this way, success included
        return _exit_code(exc.code)
    except ReadlistError as exc:
        output.print_error(exc)
        return exc.exit_code
    except KeyboardInterrupt:
        output.err().print("interrupted; nothing was half-written")
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:  # the boundary: a bug still reads as one line unless asked for the traceback
        from readlist.db import friendly_error

        friendly = friendly_error(exc)
        if friendly is not None and not _debug():
            output.print_error(friendly)
            return friendly.exit_code
        if _debug():
            raise
        output.print_error(
            ReadlistError(
                f"internal error: {type(exc).__name__}: {exc}",
                "rerun with READLIST_DEBUG=1 for the traceback and report it",
            )
        )
        return 1
    return 0


def _debug() -> bool:
    from readlist import config

    try:
        return config.debug()
    except ReadlistError:  # a bad READLIST_DEBUG must not hide the error being reported
        return True


def _exit_code(code: object) -> int:
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    print(code, file=sys.stderr)  # sys.exit("message") prints the message and exits 1
    return 1


def main() -> None:
    """Console-script entry point."""
    sys.exit(run(sys.argv[1:]))
