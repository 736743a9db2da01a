"""Settings: one parser for every environment variable, one TOML file, precedence CLI > env > file > default."""

from __future__ import annotations

from pathlib import Path

import pytest

from readlist import config
from readlist.errors import ConfigError
from tests.conftest import Run


def test_bad_environment_value_is_a_clear_error_naming_the_variable(run: Run) -> None:
    run("add", "2401.00001", "--no-fetch")
    result = run("fetch", env={"READLIST_ARXIV_BACKOFF": "abc"})
    assert result.code == 1 and "internal error" not in result.err
    assert result.err.startswith("error: READLIST_ARXIV_BACKOFF='abc' is not a number of seconds")
    assert "hint: fix or unset READLIST_ARXIV_BACKOFF" in result.err


@pytest.mark.parametrize(
    ("variable", "raw"),
    [
        ("READLIST_ARXIV_TIMEOUT", "-1"),
        ("READLIST_ARXIV_INTERVAL", "nan"),
        ("READLIST_FEED_TIMEOUT", "soon"),
        ("READLIST_TODO_LIMIT", "0"),
        ("READLIST_ARXIV_URL", "export.arxiv.org"),
        ("READLIST_DIGEST_LANGUAGE", "fr"),
        ("READLIST_DEBUG", "maybe"),
    ],
)
def test_every_variable_goes_through_the_parser(monkeypatch: pytest.MonkeyPatch, variable: str, raw: str) -> None:
    monkeypatch.setenv(variable, raw)
    key = variable.removeprefix("READLIST_").lower()
    with pytest.raises(ConfigError, match=variable):
        config.value(config.SETTINGS[key])


def test_set_get_list_and_path_round_trip(run: Run, tmp_path: Path) -> None:
    assert run("config", "path").out.strip() == str(tmp_path / "config" / "config.toml")
    assert run("config", "get", "todo_limit").out.strip() == "20"
    assert run("config", "set", "todo_limit", "3").code == 0
    assert run("config", "set", "user", "Alice  Liu").out.strip() == "user = Alice Liu"
    assert run("config", "get", "todo-limit").out.strip() == "3"
    assert 'todo_limit = 3\nuser = "Alice Liu"\n' in (tmp_path / "config" / "config.toml").read_text()
    rows = {r["key"]: r for r in run("config", "list", "--json").json()}
    assert rows["todo_limit"]["value"] == 3 and rows["todo_limit"]["source"] == "file"
    assert rows["arxiv_url"]["source"] == "env" and rows["arxiv_url"]["env"] == "READLIST_ARXIV_URL"
    assert rows["digest_language"]["source"] == "default" and rows["digest_language"]["value"] == "auto"
    assert run("config", "unset", "todo_limit").code == 0
    assert run("config", "get", "todo_limit").out.strip() == "20"


def test_precedence_is_option_then_environment_then_file_then_default(run: Run) -> None:
    for n in range(1, 6):
        run("add", f"https://example.com/{n}", "--title", f"Paper {n}")
    assert len(run("todo", "--json").json()) == 5  # default 20
    run("config", "set", "todo_limit", "4")
    assert len(run("todo", "--json").json()) == 4
    assert len(run("todo", "--json", env={"READLIST_TODO_LIMIT": "3"}).json()) == 3
    assert len(run("todo", "--json", "-n", "2", env={"READLIST_TODO_LIMIT": "3"}).json()) == 2


def test_unknown_keys_and_bad_values_are_refused_and_the_file_is_unchanged(run: Run, tmp_path: Path) -> None:
    run("config", "set", "todo_limit", "5")
    file = tmp_path / "config" / "config.toml"
    before = file.read_text()
    unknown = run("config", "set", "colour", "red")
    assert unknown.code == 1 and "unknown setting 'colour'" in unknown.err and "todo_limit" in unknown.err
    bad = run("config", "set", "todo_limit", "many")
    assert bad.code == 1 and "is not a whole number" in bad.err
    assert run("config", "get", "config_dir").code == 1  # environment-only settings are not in the file
    assert file.read_text() == before


def test_a_broken_or_foreign_config_file_is_a_clear_error_for_every_command(run: Run, tmp_path: Path) -> None:
    file = tmp_path / "config" / "config.toml"
    file.parent.mkdir(parents=True)
    file.write_text("todo_limit = [\n")
    broken = run("todo")
    assert broken.code == 1 and "is not valid TOML" in broken.err and "hint:" in broken.err
    file.write_text('colour = "red"\n')
    foreign = run("todo")
    assert foreign.code == 1 and "unknown setting 'colour'" in foreign.err
    file.write_text('todo_limit = "lots"\n')
    bad = run("todo")
    assert bad.code == 1 and "todo_limit = 'lots'" in bad.err and "readlist config set todo_limit" in bad.err


def test_arxiv_endpoint_and_digest_language_come_from_the_file(run: Run) -> None:
    run("config", "set", "arxiv_url", "http://127.0.0.1:9/mirror/api/query")
    assert config.arxiv_endpoint() == "http://127.0.0.1:9/api/query"  # the test environment's variable wins
    run("add", "https://example.com/a", "--title", "量化 kernels", "--tag", "cuda")
    run("config", "set", "digest_language", "en")
    english = run("digest").out
    run("config", "set", "digest_language", "zh")
    assert run("digest").out != english


def test_every_setting_and_its_variable_is_in_the_settings_reference() -> None:
    readme = (Path(__file__).resolve().parents[1] / "docs" / "settings.md").read_text(encoding="utf-8")
    for setting in config.SETTINGS.values():
        assert f"`{setting.env}`" in readme, setting.env
        if setting.in_file:
            assert f"| `{setting.key}` |" in readme, setting.key


def test_a_database_password_never_shows_whatever_characters_it_holds(run: Run) -> None:
    for password in ("abc/def", "abc@def", "abc#def", "abc?def", "abc:def", *(f"abc{c}def" for c in " '\"`\t%")):
        url = f"postgresql://postgres:{password}@127.0.0.1:1/rl_nowhere"
        for args in (
            ["--db", url, "list"],
            ["config", "set", "db", url],
            ["config", "get", "db"],
            ["config", "list"],
            ["config", "list", "--json"],
            ["--db", url, "db", "path"],
        ):
            result = run(*args)
            shown = result.out + result.err
            assert "abc" not in shown and "def" not in shown.replace("default", ""), (args, shown)
        run("config", "unset", "db")
