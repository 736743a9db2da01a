"""Every command path of the real app (groups included) has help and every option has help; the README starts
with the two quick-start commands (docs/commands.md shows each command: tests/test_docs.py)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import typer.main

from readlist import cli
from tests.conftest import Run

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"


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


def test_the_readme_starts_with_the_two_quick_start_commands() -> None:
    """First the main job on the shipped notes, then the tests, exactly as CI runs them (.ci/run's last line)."""
    first_block = re.search(r"^```\w*\n(.*?)^```", README.read_text(encoding="utf-8"), re.M | re.S)
    assert first_block is not None, "README.md has no code block"
    ci_command = (ROOT / ".ci" / "run").read_text(encoding="utf-8").strip().splitlines()[-1]
    install_and_run, test = first_block.group(1).strip().splitlines()
    assert install_and_run.startswith("python3 -m venv .venv && .venv/bin/pip install -q . && ")
    assert ".venv/bin/readlist import data/notes/" in install_and_run
    assert (
        test
        == ci_command
        == "python3 -m venv .venv && .venv/bin/pip install -q '.[test]' && .venv/bin/python -m pytest"
    )


def test_every_usage_line_has_balanced_brackets(run: Run) -> None:
    """`[ITEM...]`, never `[ITEM]...]`: optional arguments read as one bracketed word."""
    for path, _ in command_paths():
        usage = run(*path.split(), "--help").out.splitlines()[0]
        assert usage.count("[") == usage.count("]") and "]...]" not in usage, usage
