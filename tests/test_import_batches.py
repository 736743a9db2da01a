"""A long import commits in short transactions: other writers get in meanwhile, and Ctrl-C keeps (and says)
what was committed, every committed part whole; the result is the same as one transaction would give."""

from __future__ import annotations

import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from readlist.importer import run as import_run
from tests.conftest import Run, index_pieces, with_merge_interrupted


def _big_notes(path: Path, count: int) -> Path:
    links = (f"- [Paper {i}](https://arxiv.org/abs/2302.{10000 + i:05d}) kv cache note {i}" for i in range(count))
    path.write_text("# Big\n\n" + "\n".join(links) + "\n", encoding="utf-8")
    return path


LONG = 2_000  # items of the long import: twenty transactions of 100 (SLICE below)


def _start_import(notes: Path, db: Path, tweak: str = "") -> subprocess.Popen[bytes]:
    """`readlist import` as the console script runs it, in a process group of its own, in transactions of 100
    items with the usual pause between them: the shape of a 20,000-item import (one transaction a second) at a
    tenth of the work. The file is read in a forked reader, as a big file is. `tweak`: more Python run first."""
    code = (
        "from readlist.importer import parallel, run\n"
        "run.COMMIT_SECONDS, run.SLICE, parallel.MIN_BYTES = 0.0, 100, 0\n"
        f"{tweak}\n"
        f"import sys; sys.argv = ['readlist', '--db', {str(db)!r}, 'import', {str(notes)!r}]\n"
        "from readlist.entry import main\n"
        "main()\n"
    )
    return subprocess.Popen(
        [sys.executable, "-c", code],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,  # Ctrl-C reaches the whole process group, readers included
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),  # as at a terminal, even if CI ignores it
    )


def _items(db: Path) -> int:
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30) as conn:
        return int(conn.execute("SELECT count(*) FROM item").fetchone()[0])


def _wait_for_writing(proc: subprocess.Popen[bytes], db: Path, deadline: float) -> None:
    """Until the import holds the write lock (a probe that cannot take it), or has committed items."""
    while time.monotonic() < deadline and proc.poll() is None:
        probe = sqlite3.connect(db, timeout=0, isolation_level=None)
        try:
            probe.execute("BEGIN IMMEDIATE")
            probe.execute("ROLLBACK")
        except sqlite3.OperationalError:
            return
        finally:
            probe.close()
        if _items(db):
            return
        time.sleep(0.05)


def test_an_add_during_a_long_import_gets_in_before_the_import_ends(
    tmp_path: Path, isolated_library: Path, run_process: Run
) -> None:
    notes = _big_notes(tmp_path / "big.md", LONG)
    proc = _start_import(notes, isolated_library)
    try:
        _wait_for_writing(proc, isolated_library, time.monotonic() + 120)
        if proc.poll() is not None:
            pytest.skip("the import ended before it was seen writing")
        added = run_process("add", "--no-fetch", "https://example.com/written-during-the-import")
        imported_by_then = _items(isolated_library) - 1
        _out, err = proc.communicate(timeout=300)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert added.code == 0, added
    assert imported_by_then < LONG, "the add waited for the whole import (one transaction held the lock)"
    assert proc.returncode == 0, err.decode()
    assert _items(isolated_library) == LONG + 1


def test_ctrl_c_after_a_commit_says_what_was_saved_and_importing_again_finishes(
    tmp_path: Path, isolated_library: Path, run_process: Run
) -> None:
    notes = _big_notes(tmp_path / "big.md", LONG)
    proc = _start_import(notes, isolated_library)
    _wait_for_writing(proc, isolated_library, time.monotonic() + 120)
    deadline = time.monotonic() + 5  # writing: a first transaction commits within about a second
    while proc.poll() is None and time.monotonic() < deadline and not _items(isolated_library):
        time.sleep(0.05)
    if proc.poll() is not None:
        pytest.skip("the import ended before Ctrl-C could be sent")
    if _items(isolated_library) == LONG:
        pytest.skip("every item was committed before Ctrl-C could be sent")
    os.killpg(proc.pid, signal.SIGINT)
    _out, err = proc.communicate(timeout=60)
    said = err.decode().strip().splitlines()[-1]
    if proc.returncode == 0:
        pytest.skip("the import finished before Ctrl-C arrived")
    assert proc.returncode == 130 and "Traceback" not in err.decode(), err.decode()
    saved = _items(isolated_library)
    if saved == LONG:
        pytest.skip("every item was committed before Ctrl-C arrived (it came during the index merge)")
    assert saved > 0
    assert said.startswith(f"interrupted — {saved} item(s) from about the first ") and "were saved" in said, said
    assert "import the same files again" in said
    checked = run_process("db", "check")
    assert checked.code == 0, checked  # each committed part is whole: items, links, index agree
    again = run_process("import", str(notes))
    assert again.code == 0, again
    assert _items(isolated_library) == LONG
    assert f"added {LONG - saved} item(s)" in again.out, again.out


def test_many_short_transactions_give_the_same_library_as_one(
    run: Run, notes_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    one, many = tmp_path / "one.db", tmp_path / "many.db"
    notes = tmp_path / "notes"  # tables, lists, sections and a garbled file: every kind of draft
    notes.mkdir()
    for name, size in (
        ("blog-ai-os-paper-tables.md", 25_000),
        ("chat-notes-kernels-and-reasoning.md", None),
        ("cuda-optimization-readme-garbled.md", 30_000),
    ):
        raw = (notes_dir / name).read_bytes()  # the start of the big ones, cut between paragraphs: 232 items
        (notes / name).write_bytes(raw[: raw.rfind(b"\n\n", 0, size) + 2] if size else raw)
    notes_dir = notes
    assert run("--db", str(one), "import", str(notes_dir)).code == 0
    monkeypatch.setattr(import_run, "COMMIT_SECONDS", 0.0)  # a commit after every slice of drafts
    monkeypatch.setattr(import_run, "SLICE", 50)
    monkeypatch.setattr(import_run, "PAUSE_SECONDS", 0.0)
    assert run("--db", str(many), "import", str(notes_dir)).code == 0
    exports = [run("--db", str(db), "export", "--format", "jsonl").out for db in (one, many)]
    stamp = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"
    assert re.sub(stamp, "T", exports[0]) == re.sub(stamp, "T", exports[1])
    assert run("--db", str(many), "import", str(notes_dir)).code == 0  # again: nothing changes
    assert run("--db", str(many), "export", "--format", "jsonl").out == exports[1]


def test_an_error_after_some_commits_says_what_was_saved(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from readlist.errors import DatabaseError
    from readlist.store import merge

    notes = _big_notes(tmp_path / "big.md", 300)
    monkeypatch.setattr(import_run, "COMMIT_SECONDS", 0.0)
    monkeypatch.setattr(import_run, "PAUSE_SECONDS", 0.0)
    monkeypatch.setattr(import_run, "SLICE", 100)  # three transactions of 100 items
    original, calls = merge.Merger.flush_pending, [0]

    def full_disk_on_the_third(self: merge.Merger) -> None:
        calls[0] += 1
        if calls[0] == 3:
            raise DatabaseError("cannot write: no space left on the device", "free some space")
        original(self)

    monkeypatch.setattr(merge.Merger, "flush_pending", full_disk_on_the_third)
    result = run("import", str(notes))
    saved = len(run("list", "--json").json())
    assert result.code == 1 and saved == 2 * import_run.SLICE, result
    # One batch of 300 drafts: two slices of it saved are about two thirds of the file (it said 0% until its end).
    assert f"no space left on the device; {saved} item(s) from about the first 67% of the input" in result.err
    assert "import the same files again to finish" in result.err


def test_a_long_import_forks_no_index_helper_for_its_transactions(
    run: Run, tmp_path: Path, isolated_library: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from readlist.importer import parallel
    from readlist.store import index

    notes = _big_notes(tmp_path / "big.md", 600)
    monkeypatch.setattr(parallel, "MIN_BYTES", 0)  # read in a forked reader, as a big file is
    monkeypatch.setattr(index, "HELPED", 10)  # every transaction's index is built with a helper
    monkeypatch.setattr(import_run, "COMMIT_SECONDS", 0.0)  # six transactions of 100 items
    monkeypatch.setattr(import_run, "SLICE", 100)
    monkeypatch.setattr(import_run, "PAUSE_SECONDS", 0.0)
    forked: list[int] = []
    fork = os.fork

    def counted() -> int:
        pid = fork()
        if pid:
            forked.append(pid)
        return pid

    monkeypatch.setattr(os, "fork", counted)
    assert run("import", str(notes)).code == 0
    # The reader only, forked while the importer was small: not a copy of the grown importer for each
    # transaction (each copy's pages counted again in the import's memory), nor an index helper beside the
    # reader the writes overlap (its copy of the word model cost more memory than its CPU saved).
    assert len(forked) == 1, forked
    with sqlite3.connect(isolated_library) as conn:
        assert conn.execute("SELECT count(*) FROM search_index_doc").fetchone()[0] == 600
    found = run("search", "kv cache note 599", "--json")
    assert found.code == 0 and "2302.10599" in found.out, found.out


def test_ctrl_c_during_the_index_merge_at_the_end_lets_it_finish_and_says_all_was_saved(
    tmp_path: Path, isolated_library: Path
) -> None:
    notes = _big_notes(tmp_path / "big.md", 1_200)
    done = with_merge_interrupted(
        "import sys\n"
        "from readlist.importer import run\n"
        "run.COMMIT_SECONDS = run.PAUSE_SECONDS = 0  # a transaction, and a piece of index, per 1,000 items\n"
        f"sys.argv = ['readlist', '--db', {str(isolated_library)!r}, 'import', {str(notes)!r}]\n"
        "from readlist.entry import main\n"
        "main()\n"
    )
    assert done.returncode == 130, done
    assert done.stderr.strip().splitlines()[-1] == "interrupted — all 1200 item(s) were saved", done.stderr
    assert _items(isolated_library) == 1_200
    assert index_pieces(isolated_library) == 1  # the merge was not cut short: it would not come again


def test_importing_the_same_notes_again_leaves_the_index_in_one_piece(
    run: Run, imported_notes: Path, notes_dir: Path
) -> None:
    again = run("import", str(notes_dir))
    assert again.code == 0 and "added 0 item(s)" in again.out, again
    assert index_pieces(imported_notes) == 1  # every item's entry was written again: merged after
