"""`config`: the defaults a user keeps in one TOML file (path, get, set, unset, list)."""

from typing import Annotated

import typer

from readlist import config, output
from readlist.commands.common import JsonOption
from readlist.location import redact

app = typer.Typer(
    help="Defaults you keep (your name, todo limit, digest language, endpoints) in one TOML file.",
    no_args_is_help=True,
)

KeyArg = Annotated[str, typer.Argument(help="A setting, e.g. todo_limit (see `readlist config list`).")]


@app.command("path")
def path_() -> None:
    """Print where the config file lives: `readlist config path`."""
    output.say(str(config.config_file()))


@app.command()
def get(key: KeyArg) -> None:
    """Print a setting's value in effect: `readlist config get todo_limit`."""
    value = config.value(config.setting(key))
    output.say("" if value is None else redact(str(value)))


@app.command("set")
def set_(key: KeyArg, value: Annotated[str, typer.Argument(help="The new value.")]) -> None:
    """Keep a default: `readlist config set user alice`."""
    found = config.setting(key)
    stored = config.set_value(found.key, value)
    output.say(f"{found.key} = {redact(str(stored))}")
    if config.resolve(found)[1] == "env":
        output.warn(f"{found.env} is set and takes precedence over the file")


@app.command()
def unset(key: KeyArg) -> None:
    """Go back to the default: `readlist config unset todo_limit`."""
    found = config.setting(key)
    removed = config.unset(found.key)
    output.say(f"{found.key} unset" if removed else f"{found.key} was not set in {config.config_file()}")


@app.command("list")
def list_(json_: JsonOption = False) -> None:
    """Every setting with its value and where it comes from (env, file or default): `readlist config list`.

    `--json` adds each setting's meaning."""
    rows = [
        {**r, "value": redact(r["value"]) if isinstance(r["value"], str) else r["value"]} for r in config.describe()
    ]
    if json_:
        output.print_json(rows)
        return
    output.print_table(
        ["setting", "value", "from", "environment"],
        [[r["key"], "" if r["value"] is None else r["value"], r["source"], r["env"]] for r in rows],
        title=str(config.config_file()),
    )


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="config")
