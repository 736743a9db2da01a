"""What people see: tables fitted to 40–160 columns in a real pseudo-terminal, pipes, NO_COLOR, TERM=dumb,
local time, rendered notes, the pager, the home view and usage errors."""

from __future__ import annotations

import sqlite3
import sys
from pathlib import Path

import pytest

from tests.conftest import Run
from tests.terminal import in_terminal

LONG = "Efficient Serving of Mixture-of-Experts Language Models with Speculative Decoding and KV Cache Offloading"
TITLES = [
    (LONG, ["kv-cache", "serving", "speculative-decoding"]),
    ("量化感知训练在大模型推理中的应用与实践：从算法到内核", ["量化"]),
    ("FlashAttention-3", ["CUDA"]),
    ("SkyRL-Agent: Efficient RL Training for Multi-turn LLM Agent", []),
]
NOTE = (
    "## 要点\n\n这是**训练环节中**最重要的部分，包括以下几点，每一点都需要仔细阅读并理解其中的设计取舍与实现细节：\n\n"
    "1. 第一点：量化推理加速方法，用来测试按字符换行的效果是否正确，不能把编号单独留在一行\n"
    "2. 第二点：使用 `kv cache` 压缩，参见 [论文](https://arxiv.org/abs/2408.11743)\n"
)


@pytest.fixture
def library(run: Run, isolated_library: Path) -> Path:
    for n, (title, tags) in enumerate(TITLES):
        args = ["add", f"https://example.com/{n}", "--title", title]
        for tag in tags:
            args += ["--tag", tag]
        assert run(*args).code == 0
    assert run("note", "2", NOTE).code == 0
    return isolated_library


@pytest.mark.parametrize("width", [40, 60, 100, 160])
def test_list_fits_the_terminal_width_with_one_line_per_item(library: Path, width: int) -> None:
    screen = in_terminal("list", "--no-pager", width=width, env={"READLIST_DB": str(library)})
    assert screen.code == 0, screen.lines
    rows = [line for line in screen.lines if line.strip()]
    assert len(rows) == 1 + len(TITLES), rows  # a header and one line per item: nothing wrapped
    for (title, _tags), row in zip(TITLES, rows[1:], strict=True):
        assert title[:8] in row  # the title always keeps room
    header = rows[0].split()
    assert header[:3] == ["id", "status", "kind"] if width >= 100 else "kind" not in header
    if width >= 160:
        assert "tags" in header and LONG[:90] in rows[1]  # wide: the title takes most of the line
        assert "kv-cache" in rows[1]
    if width <= 60:
        assert "tags" not in header and "…" in rows[1]


def test_colours_on_a_terminal_but_not_with_no_color_or_term_dumb(library: Path) -> None:
    env = {"READLIST_DB": str(library)}
    assert b"\x1b[" in in_terminal("list", "--no-pager", width=100, env=env).raw
    assert b"\x1b[" not in in_terminal("list", "--no-pager", width=100, env={**env, "NO_COLOR": "1"}).raw
    dumb = in_terminal("list", width=160, env={**env, "TERM": "dumb"})
    assert b"\x1b[" not in dumb.raw
    assert any(LONG[:90] in line for line in dumb.lines)  # the real width, not 80 columns


def test_columns_wins_over_the_terminal_size_and_a_terminal_of_zero_columns_counts_as_80(library: Path) -> None:
    env = {"READLIST_DB": str(library)}
    told = in_terminal("list", "--no-pager", width=160, env={**env, "COLUMNS": "60"})
    rows = [line for line in told.lines if line.strip()]
    assert told.code == 0 and max(len(row) for row in rows) <= 60, rows
    assert "tags" not in rows[0].split() and "…" in rows[1], rows
    unknown = in_terminal("list", "--no-pager", width=100, reported_width=0, env=env)
    rows = [line for line in unknown.lines if line.strip()]
    assert unknown.code == 0 and 70 < max(len(row) for row in rows) <= 80, rows
    assert any(TITLES[1][0][:12] in row for row in rows), rows  # a title, not three characters of it


def test_no_color_turns_off_every_style_in_errors_and_warnings_too(library: Path) -> None:
    env = {"READLIST_DB": str(library), "NO_COLOR": "1"}
    missing = in_terminal("show", "999", width=100, env=env)
    assert missing.code == 1 and any(line.startswith("error: ") for line in missing.lines), missing.lines
    assert b"\x1b[" not in missing.raw, missing.raw
    assert b"\x1b[" in in_terminal("show", "999", width=100, env={"READLIST_DB": str(library)}).raw


def test_show_renders_a_chinese_note_wrapped_by_character(library: Path) -> None:
    screen = in_terminal("show", "2", "--no-pager", width=60, env={"READLIST_DB": str(library)})
    text = "\n".join(screen.lines)
    assert "**" not in text and "## 要点" not in text and "要点" in text
    assert all(len(line) <= 60 for line in screen.lines)
    assert not [line for line in screen.lines if line.strip() in ("1.", "2.")]
    numbered = [line for line in screen.lines if line.startswith(("1. ", "2. "))]
    assert len(numbered) == 2 and "第一点" in numbered[0]
    assert b"\x1b[1m" in screen.raw  # bold is bold, not asterisks
    raw = in_terminal("show", "2", "--raw", "--no-pager", width=60, env={"READLIST_DB": str(library)})
    assert "**训练环节中**" in "\n".join(raw.lines)


def test_long_output_goes_through_the_pager_and_no_pager_turns_it_off(library: Path, run: Run) -> None:
    for n in range(30):
        run("add", f"https://example.com/more/{n}", "--title", f"Extra item {n}")
    env = {"READLIST_DB": str(library), "PAGER": "sed s/^/PAGED:/"}
    paged = in_terminal("list", width=100, height=12, env=env)
    assert paged.raw.count(b"PAGED:") >= 30
    direct = in_terminal("list", "--no-pager", width=100, height=12, env=env)
    assert b"PAGED:" not in direct.raw
    short = in_terminal("show", "3", width=100, height=40, env=env)
    assert b"PAGED:" not in short.raw  # fits the screen: no pager


def test_piped_output_is_tsv_with_full_values(library: Path, run: Run) -> None:
    result = run("list")
    rows = [line.split("\t") for line in result.out.splitlines()]
    assert result.code == 0 and len(rows) == len(TITLES) and all(len(r) == 6 for r in rows)
    assert rows[0][3] == LONG and rows[0][4] == "kv-cache,serving,speculative-decoding"
    assert sum("量化" in line for line in result.out.splitlines()) == 1


def test_every_format_on_list_search_tags_and_show(library: Path, run: Run) -> None:
    import csv
    import io
    import json

    csv_rows = list(csv.reader(io.StringIO(run("list", "--format", "csv").out)))
    assert csv_rows[0] == ["id", "status", "kind", "title", "tags", "added"] and len(csv_rows) == 5
    lines = run("list", "-f", "jsonl").out.splitlines()
    assert [json.loads(line)["title"] for line in lines] == [t for t, _ in TITLES]
    assert run("list", "-f", "json").json() == run("list", "--json").json()
    found = run("search", "FlashAttention", "-f", "tsv").out.splitlines()
    assert found and found[0].split("\t")[3] == "FlashAttention-3"
    assert run("tags", "-f", "json").json() == run("tags", "--json").json()
    assert {"tag": "CUDA", "count": 1} in run("tags", "--json").json()
    shown = dict(line.split("\t", 1) for line in run("show", "3", "-f", "tsv").out.splitlines())
    assert shown["title"] == "FlashAttention-3" and shown["tags"] == "CUDA"
    assert run("list", "--format", "xml").code == 2


def test_dates_are_local_time_and_json_stays_utc(library: Path, run: Run) -> None:
    with sqlite3.connect(library) as conn:
        conn.execute("UPDATE item SET added_at = '2026-11-22T20:30:00Z' WHERE id = 1")
    shanghai = run("list", "-f", "tsv", env={"TZ": "Asia/Shanghai"}).out.splitlines()[0].split("\t")
    assert shanghai[5] == "2026-11-23T04:30:00+08:00"
    utc = run("list", "-f", "tsv", env={"TZ": "UTC"}).out.splitlines()[0].split("\t")
    assert utc[5] == "2026-11-22T20:30:00+00:00"
    table = run("list", "-f", "table", env={"TZ": "Asia/Shanghai", "COLUMNS": "160"}).out
    assert "2026-11-23" in table.splitlines()[1]
    assert run("list", "--json", env={"TZ": "Asia/Shanghai"}).json()[0]["added_at"] == "2026-11-22T20:30:00Z"
    shown = run("show", "1", "-f", "table", env={"TZ": "Asia/Shanghai"}).out
    assert "2026-11-23 04:30" in shown


def test_a_filter_that_matches_nothing_says_why(library: Path, run: Run) -> None:
    assert "FlashAttention-3" in run("todo", "--tag", "cuda").out  # tags match whatever their case
    missing = run("todo", "--tag", "cdua")
    assert missing.code == 0 and 'no tag "cdua" (did you mean "CUDA"?)' in missing.err
    assert 'no tag "nosuchtag"' in run("list", "--tag", "nosuchtag").err
    assert run("list", "--tag", "nosuchtag", "--json").json() == []
    for words in ("tag:nosuchtag", "flash tag:nosuchtag"):  # a tag filter in the words: the same reason
        assert 'no tag "nosuchtag"' in run("search", words).err


def test_a_repeated_tag_filter_keeps_the_items_with_every_tag(imported_notes: Path, run: Run) -> None:
    """`-t A -t B` kept only B (the last value) on every command but search."""

    def ids(*args: str) -> set[int]:
        return {i["id"] for i in run(*args, "--json").json()}

    for command in (["list"], ["todo", "--all"]):
        both = ids(*command, "-t", "推理框架", "-t", "大模型推理技术")
        assert both == ids(*command, "-t", "推理框架") & ids(*command, "-t", "大模型推理技术") != set()
    exported = run("export", "-t", "推理框架", "-t", "大模型推理技术", "--format", "jsonl").out.splitlines()
    assert len(exported) == len(ids("list", "-t", "推理框架", "-t", "大模型推理技术"))
    missing = run("list", "-t", "推理框架", "-t", "nosuchtag")
    assert missing.out == "" and 'no tag "nosuchtag"' in missing.err
    for command in (["export", "--format", "jsonl"], ["digest", "--since", "365d"]):  # the same reason, on stderr
        said = run(*command, "-t", "推理框架", "-t", "nosuchtag")
        assert said.code == 0 and 'no tag "nosuchtag"' in said.err and "nosuchtag" not in said.out, said
    assert run("export", "-t", "推理框架", "--format", "jsonl").err == ""


def test_usage_errors_are_error_and_hint_with_exit_2(run: Run) -> None:
    for args, words in (
        (["todo", "--bogus"], "no such option: --bogus"),
        (["frobnicate"], 'no such command "frobnicate"'),
        (["lst"], 'no such command "lst"'),
        (["show"], 'missing argument "ITEM"'),
        (["todo", "-n", "x"], "invalid value"),
    ):
        result = run(*args)
        lines = result.err.strip().splitlines()
        assert result.code == 2 and len(lines) == 2, (args, result)
        assert lines[0].startswith("error: ") and words in lines[0] and lines[1].startswith("hint: "), result
    assert "did you mean list" in run("lst").err


def test_help_and_metavars_read_well(run: Run) -> None:
    assert "Commands:" in run("help").out and run("help").code == 0
    todo = run("help", "todo")
    assert todo.code == 0 and "--limit COUNT" in todo.out and "<str>" not in todo.out
    add = run("add", "--help").out
    assert "Usage: readlist add [OPTIONS] REF..." in add and "{" not in add.split("\n")[0]
    assert run("help", "nosuch").code == 2


def test_a_short_flag_means_the_same_option_in_every_command() -> None:
    import typer.main

    from readlist.cli import app, register_commands

    register_commands(["--help"])
    meaning: dict[str, set[str]] = {}

    def walk(command: object) -> None:
        for param in getattr(command, "params", []):
            shorts = [o for o in getattr(param, "opts", []) if len(o) == 2]
            longs = [o for o in getattr(param, "opts", []) if o.startswith("--")]
            for short in shorts:
                meaning.setdefault(short, set()).update(longs[:1])
        for sub in getattr(command, "commands", {}).values():
            walk(sub)

    walk(typer.main.get_command(app))
    assert meaning["-n"] == {"--limit"}
    assert {short: names for short, names in meaning.items() if len(names) > 1} == {}


def test_home_view_shows_reading_next_inbox_and_first_commands(library: Path, run: Run) -> None:
    run("start", "3")
    home = run(env={"COLUMNS": "100"})
    assert home.code == 0 and home.err == ""
    for words in ("Reading now", "FlashAttention-3", "Next up", "Start here", "readlist add", "readlist todo"):
        assert words in home.out
    assert "Metadata pending" not in home.out  # web pages have no metadata to wait for


def test_home_view_of_a_new_library_welcomes(run: Run, tmp_path: Path) -> None:
    home = run("--db", str(tmp_path / "new.db"))
    assert home.code == 0 and "empty" in home.out and "readlist import" in home.out


def test_a_db_path_that_does_not_exist_is_an_error_for_read_commands(run: Run, tmp_path: Path) -> None:
    typo = tmp_path / "typo.db"
    result = run("--db", str(typo), "todo")
    assert result.code == 1 and "no library at" in result.err and "hint:" in result.err
    assert not typo.exists()
    assert run("--db", str(typo), "add", "https://example.com/x").code == 0 and typo.exists()


def test_arguments_that_are_not_utf8_are_a_clear_error(library: Path, run: Run) -> None:
    gbk = "量化".encode("gbk").decode("utf-8", "surrogateescape")  # what Python makes of a GBK terminal's bytes
    for args in (["add", "https://example.com/gbk", "--title", gbk], ["note", "1", gbk], ["tag", "1", "+" + gbk]):
        result = run(*args)
        assert result.code == 1 and "not UTF-8" in result.err and "量化" in result.err, result
        assert "Traceback" not in result.err and "internal" not in result.err


def test_ctrl_c_during_an_import_says_nothing_was_changed_and_exits_130(tmp_path: Path) -> None:
    import os
    import signal
    import subprocess
    import time

    from tests.conftest import READLIST

    notes = tmp_path / "big.md"
    links = (f"- [Paper {i}](https://arxiv.org/abs/2301.{10000 + i:05d}) kv cache note {i}" for i in range(30000))
    notes.write_text("# Big\n\n" + "\n".join(links) + "\n", encoding="utf-8")
    db = tmp_path / "lib.db"
    proc = subprocess.Popen(
        [READLIST, "--db", str(db), "import", str(notes)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,  # Ctrl-C reaches the whole process group, workers included
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),  # as at a terminal, even if CI ignores it
    )
    deadline = time.monotonic() + 60
    while not db.exists() and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.1)
    time.sleep(1.0)
    if proc.poll() is not None:
        pytest.skip("the import finished before Ctrl-C could be sent")
    os.killpg(proc.pid, signal.SIGINT)
    _out, err = proc.communicate(timeout=60)
    if proc.returncode == 0:  # on a loaded machine the import can end between the check above and the signal
        pytest.skip("the import finished before Ctrl-C arrived")
    assert proc.returncode == 130, err
    assert err.decode().strip().endswith("interrupted — nothing was changed") and b"Traceback" not in err
    with sqlite3.connect(db) as conn:  # interrupted while the schema was being built, or while importing
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        assert "item" not in tables or conn.execute("SELECT count(*) FROM item").fetchone()[0] == 0


def test_ctrl_c_while_the_cli_is_still_loading_exits_quietly(tmp_path: Path) -> None:
    """The first ~0.3 s go to imports: Ctrl-C there used to print a traceback from inside some module. Here the
    Ctrl-C lands exactly there (an import hook raises it when the commands are being imported)."""
    import subprocess

    from tests.conftest import READLIST

    assert "readlist.entry" in Path(READLIST).read_text(encoding="utf-8")  # the console script enters there
    hook = (
        "import sys\n"
        "class CtrlC:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name == 'readlist.commands.common':\n"
        "            raise KeyboardInterrupt\n"
        "sys.meta_path.insert(0, CtrlC())\n"
        "from readlist.entry import main\n"
        "main()\n"
    )
    done = subprocess.run([sys.executable, "-c", hook, "list"], capture_output=True, text=True, timeout=60)
    assert (done.returncode, done.stderr) == (130, "interrupted\n")
