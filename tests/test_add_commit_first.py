"""`add` saves first, then asks the network within a budget: offline, slow or interrupted, nothing is lost."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

from readlist.services.add import add_items
from readlist.store.write import Store
from tests.arxiv_server import ArxivServer, paper
from tests.conftest import READLIST, Run
from tests.items import shown
from tests.sources_server import SourcesServer


def test_offline_add_saves_the_item_pending_with_one_warning(run: Run) -> None:
    result = run("add", "2501.00003", "--tag", "x")  # the autouse fixture points arXiv at a closed port
    assert result.code == 0, result
    assert "added #1 paper: 2501.00003" in result.out
    assert len([line for line in result.err.splitlines() if line.startswith("warning")]) == 1, result.err
    item = shown(run, "1")
    assert (item["metadata_status"], item["tags"]) == ("pending", ["x"])


def _ctrl_c_as_in_a_terminal() -> None:
    """A terminal's process gets Ctrl-C; one started in the background of a script (CI may run us so) inherits
    SIGINT ignored, and Python then never raises KeyboardInterrupt. Test what a person at a terminal gets."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def test_ctrl_c_while_waiting_for_metadata_keeps_the_item(tmp_path: Path, arxiv_server: ArxivServer) -> None:
    arxiv_server.script = ["stall"]
    path = tmp_path / "lib.db"
    env = {
        **os.environ,
        "READLIST_DB": str(path),
        "READLIST_ARXIV_URL": arxiv_server.url,
        "READLIST_ARXIV_TIMEOUT": "30",
    }
    proc = subprocess.Popen(
        [READLIST, "add", "2408.11743", "--tag", "kept"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        start_new_session=True,
        preexec_fn=_ctrl_c_as_in_a_terminal,
    )
    deadline = time.monotonic() + 30
    while not arxiv_server.requests and time.monotonic() < deadline:  # it is waiting for arXiv now
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGINT)
    _out, err = proc.communicate(timeout=30)
    assert proc.returncode == 130, err
    assert "#1 saved with metadata pending; readlist fetch completes it" in err.decode()
    assert b"Traceback" not in err
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT key, metadata_status FROM item").fetchall() == [("arxiv:2408.11743", "pending")]


def test_arxiv_paper_added_after_its_published_version_joins_it(
    isolated_library: Path, sources_server: SourcesServer, arxiv_server: ArxivServer
) -> None:
    lib = Store(isolated_library)
    doi = sources_server.add_crossref("crossref_vllm.json")
    add_items(lib, [doi], tags=["sosp"])
    arxiv_server.papers["2309.06180"] = paper("2309.06180", authors="Woosuk Kwon", doi=doi)
    report = add_items(lib, ["2309.06180"], tags=["paged"])
    assert report.item_ids == [1], report.lines
    assert "already in your list as #1" in report.lines[0]
    again = add_items(lib, ["arxiv.org/abs/2309.06180"], tags=[])  # known by its arXiv ID from now on
    assert again.item_ids == [1] and "already in your list as #1" in again.lines[0]


def test_offline_adds_in_a_row_do_not_wait_out_the_arxiv_interval(run: Run) -> None:
    """A request that never reached arXiv gives its politeness slot back (here a 30 s interval)."""
    env = {"READLIST_ARXIV_INTERVAL": "30"}
    started = time.monotonic()
    for arxiv_id in ("2501.00003", "2501.00004", "2501.00005"):
        assert run("add", arxiv_id, env=env).code == 0
    assert time.monotonic() - started < 20


def test_spinner_shows_on_a_terminal_while_waiting_and_never_in_a_pipe(run: Run, arxiv_server: ArxivServer) -> None:
    from tests.terminal import in_terminal

    arxiv_server.script = ["stall"]
    screen = in_terminal("add", "2408.11743", width=100, env={"READLIST_ADD_TIMEOUT": "1"})
    assert screen.code == 0 and b"asking for metadata" in screen.raw, screen.raw
    assert any(line.startswith("added #1 paper") for line in screen.lines), screen.lines
    arxiv_server.script = ["stall"]
    piped = run("add", "2408.11744", env={"READLIST_ADD_TIMEOUT": "1"})
    assert piped.code == 0 and "asking for metadata" not in piped.err and "\x1b" not in piped.err, piped


def test_add_budget_from_the_config_file_bounds_the_wait_and_zero_never_asks(
    run: Run, arxiv_server: ArxivServer
) -> None:
    arxiv_server.script = ["stall"]
    assert run("config", "set", "add_timeout", "1").code == 0
    started = time.monotonic()
    slow = run("add", "2408.11743", env={"READLIST_ARXIV_TIMEOUT": "30"})
    assert slow.code == 0 and time.monotonic() - started < 3.5, slow
    assert "arXiv did not answer (" in slow.err and "saved with metadata pending" in slow.err, slow.err
    asked = len(arxiv_server.requests)
    assert run("config", "set", "add_timeout", "0").code == 0
    saved = run("add", "2408.11744")
    assert saved.code == 0 and saved.err == "" and len(arxiv_server.requests) == asked, saved
    assert shown(run, "2408.11744")["metadata_status"] == "pending"


def test_add_ends_within_its_budget_counting_the_wait_for_arxivs_turn(run: Run, arxiv_server: ArxivServer) -> None:
    """The budget runs from the add's start: saving, waiting for arXiv's politeness slot (booked by the add
    before) and the request together stay within add_timeout, and the write after within a small margin."""
    env = {"READLIST_ADD_TIMEOUT": "1", "READLIST_ARXIV_INTERVAL": "3", "READLIST_ARXIV_TIMEOUT": "30"}
    for arxiv_id in ("2408.11743", "2408.11744"):
        arxiv_server.script = ["stall"]
        started = time.monotonic()
        slow = run("add", arxiv_id, env=env)
        took = time.monotonic() - started
        assert slow.code == 0 and took < 1.5, (took, slow)
        assert "saved with metadata pending" in slow.err, slow.err
        assert shown(run, arxiv_id)["metadata_status"] == "pending"
