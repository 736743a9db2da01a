"""Every command path of the real app (groups included) has help, every option has help, and the README
shows each one."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer.main

from readlist import cli

README = Path(__file__).resolve().parents[1] / "README.md"


def _walk(prefix: str, command: Any) -> list[tuple[str, Any]]:
    """(path, command) for the command and everything below it; Click groups keep sub-commands in `.commands`."""
    found = [(prefix, command)] if prefix else []
    for name, sub in sorted((getattr(command, "commands", None) or {}).items()):
        found += _walk(f"{prefix} {name}".strip(), sub)
    return found


def command_paths() -> list[tuple[str, Any]]:
    cli.register_commands(["--help"])  # every module registers, as for `readlist --help`
    return _walk("", typer.main.get_command(cli.app))


def test_the_walk_sees_every_command_and_group() -> None:
    paths = {path for path, _ in command_paths()}
    assert {"add", "todo", "list", "show", "stats", "import", "search", "feed", "feed add", "db", "db check"} <= paths
    assert len(paths) > 20


def test_every_command_and_option_has_help() -> None:
    missing = []
    for path, command in command_paths():
        if not (command.help or command.short_help):
            missing.append(f"readlist {path}")
        for param in command.params:
            if param.param_type_name == "option" and not param.hidden and not param.help:
                missing.append(f"readlist {path} {param.opts[0]}")
    assert missing == [], "no help text: " + ", ".join(missing)


def test_every_command_path_is_in_the_readme() -> None:
    readme = README.read_text(encoding="utf-8")
    undocumented = [path for path, _ in command_paths() if f"readlist {path}" not in readme]
    assert undocumented == [], "not in README.md: " + ", ".join(undocumented)
