"""The docs stay true: docs/commands.md is what `--help` says now, the README stays short, every link leads
somewhere, and the commands, options, settings, JSON keys and Python methods the docs show exist."""

from __future__ import annotations

import contextlib
import difflib
import inspect
import io
import re
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import typer.main

from readlist import Library, __version__, cli, config
from tests.conftest import Run
from tests.test_help_and_readme import command_paths

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
README = ROOT / "README.md"
CHANGELOG = ROOT / "CHANGELOG.md"
SCRIPT = ROOT / "scripts" / "gen_commands_doc.py"
PAGES = [README, CHANGELOG, *sorted(DOCS.glob("*.md"))]
FENCE = re.compile(r"^```([\w-]*)\n(.*?)^```", re.M | re.S)


def _prose(text: str) -> str:
    """The text outside code blocks and code spans, where markdown links live."""
    return re.sub(r"`[^`\n]*`", "", FENCE.sub("", text))


def _anchors(page: Path) -> set[str]:
    """The anchors GitHub gives the page's headings: lower case, punctuation dropped, spaces as hyphens."""
    headings = re.findall(r"^#{1,6} (.+)$", FENCE.sub("", page.read_text(encoding="utf-8")), re.M)
    return {re.sub(r"[^\w\- ]", "", h.strip().lower()).replace(" ", "-") for h in headings}


def _blocks(page: Path, *languages: str) -> list[str]:
    return [body for lang, body in FENCE.findall(page.read_text(encoding="utf-8")) if lang in languages]


def test_the_command_reference_is_what_help_says_now() -> None:
    # a fresh process: the order of `readlist --help` depends on which command modules registered first
    proc = subprocess.run(
        [sys.executable, str(SCRIPT), "--stdout"], capture_output=True, text=True, encoding="utf-8", timeout=120
    )
    assert proc.returncode == 0, proc.stderr
    current = (DOCS / "commands.md").read_text(encoding="utf-8")
    diff = list(
        difflib.unified_diff(current.splitlines(), proc.stdout.splitlines(), "docs/commands.md", "--help", lineterm="")
    )
    assert not diff, "docs/commands.md is stale: run .venv/bin/python scripts/gen_commands_doc.py\n" + "\n".join(
        diff[:40]
    )


def test_every_command_path_has_its_section_in_the_command_reference() -> None:
    reference = (DOCS / "commands.md").read_text(encoding="utf-8")
    shown = [path for path, command in command_paths() if not command.hidden]
    missing = [path for path in shown if f"\n## readlist {path}\n" not in reference]
    assert missing == [], "not in docs/commands.md: " + ", ".join(missing)


def test_the_readme_stays_under_200_lines() -> None:
    lines = README.read_text(encoding="utf-8").splitlines()
    assert len(lines) <= 200, f"README.md has {len(lines)} lines; move the detail to docs/"


def test_every_relative_link_leads_to_a_file_and_heading_that_exist() -> None:
    broken = []
    for page in PAGES:
        for target in re.findall(r"\]\(([^)\s]+)\)", _prose(page.read_text(encoding="utf-8"))):
            if re.match(r"[a-z]+:", target):
                continue  # https:, mailto: — not ours to check offline
            file_part, _, anchor = target.partition("#")
            linked = (page.parent / file_part).resolve() if file_part else page
            if not linked.exists():
                broken.append(f"{page.name}: {target} (no such file)")
            elif anchor and linked.suffix == ".md" and anchor not in _anchors(linked):
                broken.append(f"{page.name}: {target} (no such heading)")
    assert broken == [], "broken links: " + "; ".join(broken)


def _command_tree() -> dict[str, Any]:
    """Every command path ("" for `readlist` itself) → its Click command."""
    cli.register_commands(["--help"])
    return {"": typer.main.get_command(cli.app), **dict(command_paths())}


def _options(command: Any) -> set[str]:
    names = {"-h", "--help"}
    for param in command.params:
        names.update(param.opts, param.secondary_opts)
    return names


def _readlist_commands(line: str) -> list[list[str]]:
    """The words of each `readlist …` command on a shell line (commands joined by ; | && or redirected)."""
    try:
        words = shlex.split(line, comments=True)
    except ValueError:
        return []
    commands: list[list[str]] = []
    current: list[str] | None = None
    for word in words:
        if word in (";", "|", "&&", "||", ">", "<", ">>"):
            current = None
        elif current is not None:
            current.append(word)
        elif word == "readlist" or word.endswith("/readlist"):
            current = []
            commands.append(current)
    return commands


def _problems(words: list[str], tree: dict[str, Any]) -> list[str]:
    path: list[str] = []
    command = tree[""]
    words = list(words)
    while words and getattr(command, "commands", None):
        word = words.pop(0)
        if word == "--db":
            words = words[1:]
        elif word.startswith("-"):
            if word.split("=")[0] not in _options(command):
                return [f"{' '.join(['readlist', *path])} has no option {word}"]
        elif word in command.commands:
            path.append(word)
            command = tree[" ".join(path)]
        else:
            return [f"{' '.join(['readlist', *path])} has no command {word}"]
    if path == ["tag"]:
        return []  # `tag 1 +x -y`: words after the item are tag changes, not options
    known = _options(command)
    problems = []
    for word in words:
        if word == "--":
            break
        if (word.startswith("--") or re.fullmatch(r"-[a-zA-Z]", word)) and word.split("=")[0] not in known:
            problems.append(f"{' '.join(['readlist', *path])} has no option {word}")
    return problems


def test_every_command_the_docs_show_exists_with_its_options() -> None:
    tree = _command_tree()
    problems, seen = [], 0
    for page in PAGES:
        if page.name == "commands.md":
            continue  # generated from the commands themselves
        for block in _blocks(page, "", "sh", "bash", "console", "text"):
            for line in block.splitlines():
                for words in _readlist_commands(line):
                    seen += 1
                    problems += [f"{page.name}: {line.strip()} — {p}" for p in _problems(words, tree)]
    assert seen > 100
    assert problems == [], "\n".join(problems)


def test_the_documented_json_item_schema_is_what_show_prints(run: Run) -> None:
    output = (DOCS / "output.md").read_text(encoding="utf-8")
    table = output.split("## JSON item schema", 1)[1].split("\n## ", 1)[0]
    documented = {key for row in re.findall(r"^\| (.+?) \|", table, re.M) for key in re.findall(r"`(\w+)`", row)}
    documented.add("author_affiliations")  # named in the authors row's text
    assert run("add", "2408.11743", "--no-fetch").code == 0
    assert documented == set(run("show", "1", "--json").json())


def test_every_setting_and_its_variable_is_in_the_settings_page() -> None:
    page = (DOCS / "settings.md").read_text(encoding="utf-8")
    for setting in config.SETTINGS.values():
        assert f"`{setting.env}`" in page, setting.env
        if setting.in_file:
            assert f"| `{setting.key}` |" in page, setting.key


def test_every_library_method_the_python_page_names_exists_with_those_parameters() -> None:
    rows = [ln for ln in (DOCS / "python.md").read_text(encoding="utf-8").splitlines() if ln.startswith("| `")]
    calls = [call for row in rows for call in re.findall(r"`(?:Library\.)?([a-z_]+)\(([^)`]*)\)`", row)]
    assert len(calls) > 30
    wrong = []
    for name, arguments in calls:
        method = getattr(Library, name, None)
        if method is None:
            wrong.append(f"Library.{name}")
            continue
        parameters = inspect.signature(method).parameters
        for argument in (a.strip() for a in arguments.split(",")):
            word = argument.lstrip("*").split("=")[0].strip()
            if word.isidentifier() and word not in parameters:
                wrong.append(f"Library.{name}({word}=…)")
    assert wrong == [], "docs/python.md names what Library lacks: " + ", ".join(wrong)


def test_the_python_page_examples_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        for number, code in enumerate(_blocks(DOCS / "python.md", "python")):
            exec(compile(code, f"docs/python.md example {number + 1}", "exec"), {})
    assert "CUDA MODE 课程笔记" in printed.getvalue()
    assert "no item 99" in printed.getvalue()


def test_the_changelog_has_an_unreleased_section_then_the_current_version() -> None:
    headings = re.findall(r"^## (.+)$", CHANGELOG.read_text(encoding="utf-8"), re.M)
    assert headings[0] == "Unreleased"
    assert headings[1].split(" ")[0] == __version__, "the newest release in CHANGELOG.md is not __version__"
