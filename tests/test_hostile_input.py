"""A representative sample of the hostile inputs `benchmarks/hostile.py` runs in full: control characters,
non-UTF-8 bytes, huge numbers, empty and 1 MB arguments, path-like tags, FTS syntax, malformed IDs and files.
None may end in an internal error, a traceback or a control character reaching the terminal."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from tests.conftest import Run
from tests.hostile_cases import HOSTILE_SETUP, Case, defect, sample

SAMPLE = sample(every=80)


@pytest.fixture
def hostile(run: Run) -> Run:
    for args in HOSTILE_SETUP:
        assert run(*args).code == 0
    return run


def test_the_sample_is_representative() -> None:
    assert len(SAMPLE) >= 40
    assert {c.args[0] for c in SAMPLE} >= {"search", "add", "note", "tag", "show", "import", "export", "digest"}


@pytest.mark.parametrize("case", SAMPLE, ids=[c.label for c in SAMPLE])
def test_hostile_input_gets_an_answer_never_an_internal_error(hostile: Run, tmp_path: Path, case: Case) -> None:
    for name, body in case.files.items():
        (tmp_path / name).write_bytes(body)
    result = hostile(*(a.replace("{dir}", str(tmp_path)) for a in case.args))
    assert defect(result.code, result.out, result.err) is None, result


def test_messages_are_never_hard_wrapped_in_a_pipe(run: Run) -> None:
    title = "A very long title " * 12
    result = run("add", "https://example.org/" + "a" * 150, "--no-fetch", "--title", title, env={"COLUMNS": "80"})
    assert result.code == 0 and len(result.out.splitlines()) == 1 and title.strip() in result.out, result
    missing = run("show", "https://example.org/" + "b" * 150, env={"COLUMNS": "80"})
    assert [line[:6] for line in missing.err.splitlines()] == ["error:", "hint: "], missing


def test_an_argument_too_long_for_a_file_name_is_an_error_naming_it_briefly(run: Run) -> None:
    result = run("add", "x" * 5000, "--no-fetch")
    assert result.code == 1 and "File name too long" in result.err and "5,000 characters" in result.err, result
    assert len(result.err) < 300 and "internal error" not in result.err


def test_a_one_megabyte_title_is_saved_and_indexed_quickly(run: Run) -> None:
    """Spelling expansions once backtracked over a long run of letters: minutes for 1 MB, now linear."""
    start = time.monotonic()
    result = run("add", "2401.00009", "--no-fetch", "--title", "x" * 1_000_000 + " kv-cache")
    assert result.code == 0 and time.monotonic() - start < 10, result
    assert [i["arxiv_id"] for i in run("search", "kvcache", "--json").json()] == ["2401.00009"]


def test_faults_a_user_can_cause_are_one_line_errors(run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    run("add", "https://example.org/a", "--title", "A post", "--no-fetch")
    far = run("list", "--since", "99999999999d", "--json")  # before the year 1: everything
    assert far.code == 0 and len(far.json()) == 1
    assert run("digest", "--since", "99999999999d").code == 0
    run("done", "1", env={"READLIST_USER": "ann"})
    for args in (["list"], ["digest"], ["search", "post"], ["list", "--read-by", "ann"]):  # since the beginning
        for day in ("0001-01-01", "9999-12-31"):
            dated = run(*args, "--since", day)
            if args == ["digest"] and day > "2026":  # a period ending before it starts: one line, no traceback
                assert dated.code == 1 and "in the future" in dated.err and "Traceback" not in dated.err
                continue
            assert dated.code == 0 and "internal error" not in dated.err, (args, dated)
    assert len(run("list", "--since", "0001-01-01", "--json").json()) == 1
    bad_name = run("todo", env={"READLIST_USER": "\udcff"})  # a non-UTF-8 byte from the environment
    assert bad_name.code == 1 and "not UTF-8" in bad_name.err and "Traceback" not in bad_name.err
    import sys

    monkeypatch.setitem(sys.modules, "psycopg", None)  # as if the postgres extra were not installed
    monkeypatch.delitem(sys.modules, "readlist.store.backends.postgres", raising=False)
    missing = run("--db", "postgresql://u@127.0.0.1:1/db", "list")
    assert missing.code == 1 and "pip install 'readlist[postgres]'" in missing.err, missing


def test_bidirectional_overrides_never_reach_the_screen_raw(run: Run) -> None:
    run("add", "https://example.org/a", "--title", "report\u202eexe.pdf", "--tag", "x\u2066y", "--no-fetch")
    for args in (["list"], ["tags"], ["show", "1"], ["digest"], ["export", "--format", "csv"]):
        shown = run(*args).out
        assert "\u202e" not in shown and "\u2066" not in shown, args


def test_every_invisible_format_character_is_neutralised_but_joiners_inside_words_stay(run: Run) -> None:
    hidden = "\u200f\u200e\u061c\u2067\u200b\u2060\ufeff\u00ad\U000e0041"  # bidi marks, zero widths, a tag
    family = "\U0001f468\u200d\U0001f469\u200d\U0001f467"  # an emoji sequence joined by ZWJ
    title = f"CSL{hidden} CJK {family} \u200dedge"
    run("add", "https://example.org/a", "--title", title, "--tag", f"x{hidden}y", "--note", f"n{hidden}", "--no-fetch")
    for args in (
        ["list"],
        ["list", "--format", "table"],
        ["show", "1"],
        ["search", "CSL"],
        ["tags"],
        ["digest"],
        ["export", "--format", "bibtex"],
        ["export", "--format", "csv"],
    ):
        shown = run(*args).out
        assert "CSL" in shown or args == ["tags"], (args, shown)
        assert not any(c in shown for c in hidden) and " \u200d" not in shown, (args, shown)
        assert family in shown or args in (["tags"], ["list", "--format", "table"]), (args, shown)


def test_the_hostile_benchmark_prints_its_help_without_running() -> None:
    import subprocess
    import sys
    from pathlib import Path

    script = Path(__file__).resolve().parents[1] / "benchmarks" / "hostile.py"
    shown = subprocess.run([sys.executable, str(script), "--help"], capture_output=True, text=True, timeout=30)
    assert shown.returncode == 0 and shown.stdout.startswith("usage: hostile.py"), shown
    assert "--network" in shown.stdout and "hostile inputs:" not in shown.stdout
    wrong = subprocess.run([sys.executable, str(script), "--every", "0"], capture_output=True, text=True, timeout=30)
    assert wrong.returncode == 2 and "--every takes a whole number" in wrong.stderr, wrong
