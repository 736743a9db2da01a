"""The Typer app: global options, command registration, and the one error boundary."""

import errno
import os
import sys
from collections.abc import Sequence
from typing import Annotated, Any

import typer
from typer._click import core as click_core
from typer._click import exceptions as click_errors
from typer.core import TyperGroup

from readlist.commands import common
from readlist.errors import Interrupted, ReadlistError
from readlist.version import __version__


class ReadlistGroup(TyperGroup):
    """Click's usage errors and Ctrl-C in our own words: `error:` + `hint:`, exit 2; `interrupted`, exit 130."""

    def main(
        self,
        args: Any = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        windows_expand_args: bool = True,
        **extra: Any,
    ) -> Any:
        try:
            check_arguments_are_text(sys.argv[1:] if args is None else list(args))
            code = super().main(args, prog_name, complete_var, False, windows_expand_args, **extra)
        except click_errors.UsageError as exc:
            _usage_error(exc)
            code = 2
        except click_errors.ClickException as exc:
            from readlist import output

            output.print_error(ReadlistError(exc.format_message(), 'see "readlist help"'))
            code = exc.exit_code
        except typer.Abort:
            from readlist import output

            output.err().print(output.text(output.interrupted[0]))
            code = 130
        if not standalone_mode:
            return code
        sys.exit(code if isinstance(code, int) else 0)

    def get_command(self, ctx: click_core.Context, cmd_name: str) -> Any:
        command = super().get_command(ctx, cmd_name)
        if command is not None:
            readable_metavars(command)
        return command

    def format_help(self, ctx: click_core.Context, formatter: Any) -> None:
        readable_metavars(self)
        super().format_help(ctx, formatter)

    def invoke(self, ctx: click_core.Context) -> Any:
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt as exc:
            from readlist import output

            output.err().print(output.text(exc.message if isinstance(exc, Interrupted) else output.interrupted[0]))
            raise typer.Exit(130) from None
        except BrokenPipeError:  # `readlist … | head`: the reader has all it wants (Click would exit 1)
            _silence_stdout()
            raise typer.Exit(0) from None


def _silence_stdout() -> None:
    """Point stdout at /dev/null, so the interpreter's last flush does not fail on the closed pipe again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):  # not a real file descriptor (tests capture stdout)
        pass


# Options whose values are file names: any bytes are fine there (Python keeps them as surrogate escapes).
_PATH_OPTIONS = frozenset({"--db", "-o", "--output"})


def check_arguments_are_text(argv: list[str]) -> None:
    """Bytes that are not UTF-8 (a GBK terminal) reach us as lone surrogates and could not be stored."""
    from readlist.errors import InvalidInputError

    command = _requested_command(argv)
    previous = ""
    for arg in argv:
        after_path_option, previous = previous in _PATH_OPTIONS, arg
        if command == "import" or after_path_option or arg.isascii():
            continue
        try:
            arg.encode("utf-8")
        except UnicodeEncodeError:
            raw = arg.encode("utf-8", "surrogateescape")
            guess = raw.decode("gb18030", "replace")
            shown = raw.decode("utf-8", "backslashreplace")
            raise InvalidInputError(
                f'argument "{shown}" is not UTF-8 text',
                f'set your terminal to UTF-8 (e.g. LANG=zh_CN.UTF-8); read as GBK it would be "{guess}"',
            ) from None


def readable_metavars(command: Any) -> None:
    """`ITEM...` and `--name NAME` in help, instead of Typer's `{refs}` and `<str>`."""
    for param in getattr(command, "params", []):
        if param.param_type_name == "argument" and not getattr(param, "_readable", False):
            name = (param.metavar or param.name or "").replace("[", "").replace("]", "").rstrip("_").upper()
            name += "..." if param.nargs == -1 and not name.endswith("...") else ""
            param.metavar = name if param.required else f"[{name}]"
            # Typer wraps required arguments in {braces} in the usage line; people read plain NAME
            param.make_metavar = lambda ctx=None, usage=False, _m=param.metavar: _m
            param._readable = True
            continue
        if param.metavar is not None or getattr(param, "is_flag", False) or param.name is None:
            continue
        name = param.name.rstrip("_").upper()
        if getattr(param.type, "name", "") in ("text", "integer", "float", "str", "int"):
            param.metavar = name
    for sub in getattr(command, "commands", {}).values():
        readable_metavars(sub)


def _usage_error(exc: click_errors.UsageError) -> None:
    import difflib

    from readlist import output

    message, _, suggestion = exc.format_message().partition(". Did you mean")
    message = message.rstrip(".")
    message = message[:1].lower() + message[1:]
    command = exc.ctx.command_path if exc.ctx else "readlist"
    hint = f'see "{command} --help"'
    if isinstance(exc, click_errors.NoSuchOption) and exc.possibilities:
        hint = f"did you mean {' or '.join(sorted(exc.possibilities))}? ({hint})"
    elif message.startswith("no such command"):
        wanted = message.split("'")[1] if "'" in message else ""
        names = [n for group in COMMAND_MODULES.values() for n in group]
        close = difflib.get_close_matches(wanted, names, n=2, cutoff=0.5)
        hint = f"did you mean {' or '.join(close)}?" if close else 'see "readlist help" for every command'
    output.print_error(ReadlistError(message.replace("'", '"'), hint))


app = typer.Typer(
    name="readlist",
    cls=ReadlistGroup,
    help="A reading list for ML-systems papers, articles and repos — in Chinese and English.",
    no_args_is_help=False,
    invoke_without_command=True,
    add_completion=True,  # --install-completion / --show-completion (bash, zsh, fish, PowerShell)
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
    ctx: typer.Context,
    db: common.DbOption = None,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    """A reading list for ML-systems papers, articles and repos — in Chinese and English.

    Run `readlist` alone for a home view, `readlist help COMMAND` for one command.
    """
    common.set_global_db(db)
    if ctx.invoked_subcommand is None:
        from readlist.commands.home import home

        home(db)


@app.command("help")
def help_(
    ctx: typer.Context,
    command: Annotated[
        list[str] | None, typer.Argument(help="A command (or group and command).", metavar="[COMMAND]...")
    ] = None,
) -> None:
    """Help for every command, or for one: `readlist help todo`."""
    group = ctx.parent.command if ctx.parent else ctx.command
    target_ctx = ctx.parent or ctx
    for name in command or []:
        found = group.get_command(target_ctx, name) if isinstance(group, TyperGroup) else None
        if found is None:
            raise click_errors.UsageError(f"No such command '{name}'.", ctx)
        target_ctx = click_core.Context(found, info_name=name, parent=target_ctx)
        group = found
    typer.echo(group.get_help(target_ctx))


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
    "trash": ("trash", "restore"),
    "opencmd": ("open", "pdf"),
    "recommendcmd": ("similar", "suggest"),
    "servecmd": ("serve",),
}


def tag_changes_as_arguments(argv: list[str]) -> list[str]:
    """`tag 9 -cache` removes the tag `cache`: Click would read `-cache` as the flags -c -a -c -h -e and print
    the help. For `tag`, every word after the command but its own options (--db, -h) goes after `--`."""
    at = _command_index(argv)
    if at is None or argv[at] != "tag" or "--" in argv:
        return argv
    options: list[str] = []
    words: list[str] = []
    value_next = False
    for token in argv[at + 1 :]:
        if value_next or token in ("--db", "-h", "--help", "--suggest", "--json") or token.startswith("--db="):
            options.append(token)
            value_next = token == "--db"
        else:
            words.append(token)
    if value_next:  # `--db` with nothing after it: Click says it needs a value (never a library named `--`)
        return argv
    return [*argv[: at + 1], *options, "--", *words]


def _command_index(argv: list[str]) -> int | None:
    skip = False
    for index, token in enumerate(argv):
        if skip:
            skip = False
        elif token == "--db":
            skip = True
        elif not token.startswith("-"):
            return index
    return None


def _requested_command(argv: list[str]) -> str | None:
    at = _command_index(argv)
    return None if at is None else argv[at]


def _completion_words() -> list[str] | None:
    """When the shell asks for completions, the words typed so far (from its environment); else None.

    With no command word yet, every command is registered so that command names complete."""
    if not os.environ.get("_READLIST_COMPLETE"):
        return None
    words = (os.environ.get("_TYPER_COMPLETE_ARGS") or os.environ.get("COMP_WORDS") or "").split()[1:]
    return words if _requested_command(words) else ["--help"]


def register_commands(argv: list[str] | None = None) -> None:
    """Register the command `argv` asks for (every command for help or an unknown name); each only once.

    Typer builds the parameters of every registered command on each run (~0.5 ms a command), so a module's other
    commands are left out: `todo` does not build `list` and `tags`, `tag` not the six other edit commands. With
    no command word (the home view with --db, --version) none is needed, unless help is asked for."""
    wanted = _requested_command(argv or [])
    if wanted is None and not {"-h", "--help"} & set(argv or []):
        return
    known = any(wanted in names for names in COMMAND_MODULES.values())
    for module_name, names in COMMAND_MODULES.items():
        for name in names:
            if (not known or name == wanted) and name not in _registered:
                _add(module_name, name)
    order = {name: n for n, name in enumerate(_ORDER)}  # the help lists commands as the modules register them
    app.registered_commands.sort(key=lambda info: order.get(_command_name(info), -1))
    app.registered_groups.sort(key=lambda info: order.get(info.name or "", -1))


_ORDER = [name for names in COMMAND_MODULES.values() for name in names]
_registered: set[str] = set()
_staged: dict[str, typer.Typer] = {}


def _add(module_name: str, name: str) -> None:
    """Move one command (or command group) from its module's own staging app to the app."""
    if module_name not in _staged:
        import importlib

        _staged[module_name] = typer.Typer()
        importlib.import_module(f"readlist.commands.{module_name}").register(_staged[module_name])
    staged = _staged[module_name]
    app.registered_commands += [c for c in staged.registered_commands if _command_name(c) == name]
    app.registered_groups += [g for g in staged.registered_groups if g.name == name]
    _registered.add(name)


def _command_name(info: Any) -> str:
    """The name a command is called by: the one it was registered with, else its function's (as Typer names it)."""
    from typer.main import get_command_name

    return str(info.name or get_command_name(info.callback.__name__))


def run(argv: Sequence[str]) -> int:
    """The one error boundary, callable in-process: every error a user can cause becomes `error:` + `hint:`.

    Returns the exit code instead of exiting, so tests (and embedders) run the exact path `main` runs."""
    from readlist import output
    from readlist.api import on_lock_wait, on_notice

    args = list(argv)
    output.reset()
    on_lock_wait(lambda: output.err().print("waiting for another readlist process to finish writing…"))
    on_notice(output.warn)
    try:
        words = _completion_words() or args
        if words:  # `readlist` alone is the home view: it needs no command registered (a faster start)
            register_commands(words)
        app(args=tag_changes_as_arguments(args), prog_name="readlist")
    except SystemExit as exc:  # Click ends every standalone run this way, success included
        return _exit_code(exc.code)
    except ReadlistError as exc:
        output.print_error(exc)
        return exc.exit_code
    except KeyboardInterrupt as exc:
        output.err().print(output.text(exc.message if isinstance(exc, Interrupted) else output.interrupted[0]))
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:  # the boundary: a bug still reads as one line unless asked for the traceback
        from readlist.api import friendly_error

        friendly = friendly_error(exc) or _path_error(exc) or _output_error(exc)
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


_FULL_DEVICE = frozenset({errno.ENOSPC, errno.EDQUOT})


def _output_error(exc: BaseException) -> ReadlistError | None:
    """A full disk under the output (`> /dev/full`, a full /tmp): the reason in one line, not an internal error."""
    if isinstance(exc, OSError) and exc.errno in _FULL_DEVICE and exc.filename is None:
        return ReadlistError("cannot write: no space left on the device", "free some space, or write somewhere else")
    return None


def _path_error(exc: BaseException) -> ReadlistError | None:
    """A file the user named that the system refuses (too long a name, no permission, a loop): the path and the
    reason, never an internal error. Only OS errors that carry the file name qualify."""
    if not isinstance(exc, OSError) or exc.filename is None:
        return None
    name = str(exc.filename)
    shown = name if len(name) <= 80 else f"{name[:60]}… ({len(name):,} characters)"
    reason = exc.strerror or type(exc).__name__
    return ReadlistError(f"cannot use {shown!r}: {reason}", "check the path (and its permissions)")


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
    import gc

    # What is loaded by now (Typer, Click, Rich, the CLI: most of the ~24,000 objects a run has) lives until the
    # process ends. Frozen, it is out of the collector's sight, and the two full collections Python runs at exit
    # skip it: ~14 ms of a 0.1 s read. What the command creates from here on (connections, files) is collected
    # and closed at exit as before.
    gc.freeze()
    sys.exit(run(sys.argv[1:]))
