"""Exports and digests that nothing can inject into: spreadsheets, BibTeX, terminals, markdown — and `-o`
that never replaces a device, says what went wrong, and leaves files with the modes people expect."""

from __future__ import annotations

import csv
import io
import os
import stat
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from tests.conftest import Run

FORMULAS = ["=1+2", "+SUM(A1)", "-2+3", "@SUM(1)", "\tx", "\rx"]


def test_csv_cells_that_would_run_as_formulas_are_neutralised(run: Run) -> None:
    for n, title in enumerate(FORMULAS):
        assert run("add", f"https://example.com/f{n}", "--title", title).code == 0
    rows = list(csv.DictReader(io.StringIO(run("export", "--format", "csv").out, newline="")))
    titles = sorted(r["title"] for r in rows)
    assert titles == sorted("'" + t for t in FORMULAS)
    listed = list(csv.reader(io.StringIO(run("list", "--format", "csv").out)))
    assert all(not cell.startswith(("=", "+", "-", "@")) for row in listed[1:] for cell in row)


def test_bibtex_urls_with_braces_keep_the_file_balanced(run: Run) -> None:
    run("add", "https://example.com/a{b}}c", "--title", "Braces")
    run("add", "https://example.com/plain", "--title", "After")
    bib = run("export", "--format", "bibtex").out
    depth = 0
    for ch in bib.replace("\\{", "").replace("\\}", ""):
        depth += {"{": 1, "}": -1}.get(ch, 0)
        assert depth >= 0
    assert depth == 0 and "%7B" in bib and bib.count("@online{") == 2  # web articles are @online entries


def test_digest_drops_terminal_control_characters_from_titles_and_tags(run: Run) -> None:
    run("add", "https://example.com/x", "--title", "T \x1b]0;pwned\x07 \x08\x9b31m", "--tag", "evil\x1b[2J")
    out = run("digest", "--since", "7d").out
    assert not any(ch in out for ch in "\x1b\x07\x08\x9b")
    assert "pwned" in out  # the text stays, only the controls go


def test_digest_keeps_note_markdown_but_nothing_that_breaks_the_document(run: Run) -> None:
    note = "**训练环节中**很重要\n# x\n- 列表 a | b\n<script>alert(1)</script> see <https://x.org>\n```\nopen fence"
    run("add", "https://example.com/1", "--title", "First", "--note", note)
    run("add", "https://example.com/2", "--title", "Second")
    out = run("digest", "--since", "7d", "--full-notes").out
    assert "**训练环节中**" in out and "\\*\\*" not in out
    html = MarkdownIt("commonmark").render(out)
    assert "<strong>训练环节中</strong>" in html and "<script>" not in html
    assert html.count("<h1>") == 1  # the digest's own title; a note's "# x" is text
    assert '<a href="https://example.com/2">Second</a>' in html  # the open fence was closed before the next item
    assert '<a href="https://x.org">' in html


@pytest.mark.parametrize(
    ("since", "lang", "heading"),
    [
        ("7d", "zh", "# 本周阅读"),
        ("30d", "zh", "# 近 30 天阅读"),
        ("1w", "en", "# This week's reading"),
        ("2026-11-01", "en", "# Reading digest 2026-11-01 – "),
    ],
)
def test_digest_heading_names_the_range(run: Run, since: str, lang: str, heading: str) -> None:
    out = run("digest", "--since", since, "--lang", lang).out
    assert out.startswith(heading), out.splitlines()[0]
    assert "周报" not in out.splitlines()[0] or since == "7d"


def test_export_to_a_folder_a_missing_folder_or_a_full_disk_is_one_clear_error(run: Run, tmp_path: Path) -> None:
    run("add", "https://example.com/x", "--title", "X")
    for target, words in (
        (tmp_path, "is a directory"),
        (tmp_path / "no" / "such" / "x.jsonl", "does not exist"),
        (Path("/dev/full"), "no space left"),
    ):
        if target == Path("/dev/full") and not target.exists():
            continue
        result = run("export", "-o", str(target))
        lines = result.err.strip().splitlines()
        assert result.code == 1 and words in lines[0] and lines[1].startswith("hint:"), result
    assert list(tmp_path.glob(".*readlist-tmp*")) == []


def test_export_onto_a_device_writes_it_and_leaves_the_node(run: Run) -> None:
    run("add", "https://example.com/x", "--title", "X")
    assert run("export", "-o", "/dev/null").code == 0
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)


def test_export_files_follow_the_umask_and_keep_an_existing_mode(run: Run, tmp_path: Path) -> None:
    run("add", "https://example.com/x", "--title", "X")
    new = tmp_path / "new.jsonl"
    old_mask = os.umask(0o022)
    try:
        assert run("export", "-o", str(new)).code == 0
    finally:
        os.umask(old_mask)
    assert stat.S_IMODE(new.stat().st_mode) == 0o644
    existing = tmp_path / "shared.jsonl"
    existing.write_text("old")
    existing.chmod(0o640)
    assert run("export", "-o", str(existing)).code == 0
    assert stat.S_IMODE(existing.stat().st_mode) == 0o640 and "example.com/x" in existing.read_text()


def test_export_cleans_temp_files_a_killed_export_left_behind(run: Run, tmp_path: Path) -> None:
    run("add", "https://example.com/x", "--title", "X")
    target = tmp_path / "team.jsonl"
    stale = tmp_path / ".team.jsonl.readlist-tmp-4194304"  # above any pid_max: that process is gone
    stale.write_text("half")
    other = tmp_path / ".other.jsonl.readlist-tmp-4194304"
    other.write_text("not ours to touch")
    assert run("export", "-o", str(target)).code == 0
    assert not stale.exists() and other.exists() and target.exists()


def test_a_notes_javascript_link_is_quoted_inert_in_the_digest(run: Run) -> None:
    run("add", "https://example.org/a", "--title", "A post", "--no-fetch")
    run("note", "1", "click [here](javascript:alert(1)) or ![x](data:text/html,hi) **now**")
    run("add", "https://example.org/b", "--title", "B post", "--no-fetch")
    run("note", "2", "a [safe link](https://example.org/c) stays a **link**")
    digest = run("digest", "--full-notes").out
    import re

    assert not re.search(r"(?<!\\)\]\((javascript|data):", digest) and "\\[here\\]" in digest
    assert "[safe link](https://example.org/c)" in digest and "**link**" in digest


def test_digest_since_an_early_year_counts_everything_and_a_future_date_is_refused(run: Run) -> None:
    run("add", "https://example.com/x", "--title", "X")
    early = run("digest", "--since", "0099-01-01", "--lang", "en").out
    # The year 99 was written `99-01-01…`, which sorts after `2026-…`: nothing was counted since then.
    assert early.startswith("# Reading digest 0099-01-01 – ") and "· added 1 ·" in early
    for zone in ("America/Los_Angeles", "Pacific/Kiritimati"):  # the year 1 moved out of the calendar by a zone
        first = run("digest", "--since", "0001-01-01", "--lang", "en", env={"TZ": zone})
        assert first.code == 0 and first.out.startswith("# Reading digest 0001-01-01 – "), first
    future = run("digest", "--since", "9999-12-31")  # a period ending before it starts
    assert future.code != 0 and "in the future" in future.err and "hint:" in future.err
