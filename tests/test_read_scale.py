"""Read commands at scale: their work follows the answer (the rows shown), not the size of the library.

CPU time, not wall time, so a busy machine does not fail them; each bound is several times what the shape
costs and several times below what the old shapes cost."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from benchmarks.synth import build
from readlist import Library
from readlist.search import fts
from readlist.search.query import Filters
from readlist.store import db, read
from readlist.store.backends.sqlite import SqliteConnection as Connection

ITEMS = 3000


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build(tmp_path_factory.mktemp("scale") / "big.db", ITEMS)


@pytest.fixture
def lib(big: Path) -> Iterator[Library]:
    library = Library(big)
    yield library
    library.close()


def _cpu(action: object) -> float:
    assert callable(action)
    start = time.process_time()
    action()
    return time.process_time() - start


def test_snippets_for_hundreds_of_results_cost_little(lib: Library) -> None:
    lib.search("kv cache", limit=5)  # warm: the connection and the query's patterns
    result = lib.search("kv cache", limit=None)
    assert len(result.items) > 300
    assert all(item["snippet"] for item in result.items)
    # Every token compared with every phrase in Python cost 0.9 s here (2 ms a snippet); a scan in C, 0.04 s.
    assert _cpu(lambda: lib.search("kv cache", limit=None)) < 0.3


def _plans(big: Path, action: Callable[[Connection], object]) -> list[str]:
    """What SQLite does for each statement `action` runs (EXPLAIN QUERY PLAN, one line per step)."""
    conn = db.connect(big)
    assert isinstance(conn, Connection)
    statements: list[str] = []
    conn.set_trace_callback(statements.append)
    try:
        action(conn)
    finally:
        conn.set_trace_callback(None)
    steps = []
    for sql in statements:
        if sql.lstrip().upper().startswith("SELECT"):
            steps += [str(row[3]) for row in conn.execute("EXPLAIN QUERY PLAN " + sql)]
    conn.close()
    return steps


def _reads_whole_items(steps: list[str]) -> list[str]:
    """Steps that walk the item table's rows (abstracts and all) rather than a narrow index or a few ids."""
    return [s for s in steps if s.startswith("SCAN item") and "COVERING INDEX" not in s]


def test_todo_reads_whole_rows_for_the_page_only(big: Path) -> None:
    steps = _plans(big, lambda conn: read.todo(conn, limit=20))
    assert steps and not _reads_whole_items(steps), steps


def test_stats_looks_up_each_items_reading_once(big: Path) -> None:
    steps = _plans(big, read.stats)
    assert steps and not _reads_whole_items(steps), steps
    # Statuses need every item's reading (a probe per item); months read and the pace need the member's own.
    assert sum(s.startswith("SEARCH r ") for s in steps) == 1, steps


def test_a_page_of_the_list_is_the_first_rows_in_order(lib: Library) -> None:
    everything = [item["id"] for item in lib.list(full=False)]
    assert [item["id"] for item in lib.list(limit=100, full=False)] == everything[:100]
    assert [item["id"] for item in lib.list(limit=50, offset=100, full=False)] == everything[100:150]
    queue = [item["id"] for item in lib.todo(everything=True, full=False)]
    assert [item["id"] for item in lib.todo(limit=20, full=False)] == queue[:20]


def test_a_filter_on_kind_does_not_rerun_the_full_text_match_per_item(lib: Library) -> None:
    plain = lib.search("量化", limit=20)
    # Led by the index on kind, SQLite ran the MATCH once per paper: seconds here, minutes at 100k items.
    assert _cpu(lambda: lib.search("量化", kind="paper", limit=20)) < 0.5
    filtered = lib.search("量化", kind="paper", limit=20)
    assert [i["id"] for i in filtered.items] == [i["id"] for i in plain.items]  # every synthetic item is a paper


@pytest.mark.parametrize("tags", [["cuda"], ["cuda", "moe"]])
def test_a_search_of_filters_only_walks_the_newest_items_until_its_page_is_full(
    big: Path, lib: Library, monkeypatch: pytest.MonkeyPatch, tags: list[str]
) -> None:
    monkeypatch.setattr(fts, "_WALK_FROM", 20)  # the walk starts at a size this library's tags reach
    # Sorting every match read each matching item's row (13,000 at 100k items to show 20).
    steps = _plans(big, lambda conn: fts.filtered(conn, Filters(tags=tags), 20))
    assert "SCAN item USING INDEX ix_item_added_at" in steps and not any("TEMP B-TREE" in s for s in steps), steps
    query = " ".join(f"tag:{t}" for t in tags)
    everything = lib.search(query, limit=None)  # every match, sorted whole
    page = lib.search(query, limit=20)
    assert [i["id"] for i in page.items] == [i["id"] for i in everything.items][:20]
    assert page.total == everything.total == len(everything.items) > 20
    assert everything.total == len(
        {i["id"] for i in lib.list(tag=tags[0], full=False)} & {i["id"] for i in lib.list(tag=tags[-1], full=False)}
    )


LOADS = """
import os
import subprocess
import sys
from readlist.cli import main
sys.argv = ["readlist", *sys.argv[1:]]
try:
    main()
except SystemExit:
    pass
from readlist.text import CJK_CHAR, CJK_RUN
compiled = [p.pattern for p in (CJK_CHAR, CJK_RUN) if "compiled" in vars(p)]
print("records" if "readlist.store.records" in sys.modules else "", compiled, file=sys.stderr)
"""


@pytest.mark.parametrize("args", [["search", "kv cache"], ["search", "量化 推理"], ["todo"], ["list", "--limit", "5"]])
def test_a_read_loads_neither_the_record_types_nor_the_cjk_patterns(big: Path, args: list[str]) -> None:
    """Each costs more start-up than the query it serves (the CJK character classes take ~7 ms to compile)."""
    env = {**os.environ, "READLIST_DB": str(big), "NO_COLOR": "1"}
    done = subprocess.run([sys.executable, "-c", LOADS, *args], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and done.stdout, done
    assert done.stderr.strip().splitlines()[-1].strip() == "[]", done.stderr


READ_PATH = """
import sys
from readlist import cli
for args in (["todo"], ["show", "5"], ["list", "--limit", "5"], ["stats"], ["tags"]):
    assert cli.run(args) == 0, args
print(sorted(m for m in sys.modules if m.split(".")[0] in sys.argv[1:] or m in sys.argv[1:]), file=sys.stderr)
"""

# What a read must not load: each is start-up time the answer does not need (the ORM ~0.4 s, pydantic ~90 ms;
# the search index's module, the writes' and rankings' reports and getpass a millisecond or two each, and their
# source compiled where no bytecode is cached). getpass (with termios) only found the login name when no variable
# names it: pwd does that directly.
NOT_ON_THE_READ_PATH = (
    "sqlalchemy",
    "sqlmodel",
    "alembic",
    "pydantic",
    "psycopg",
    "rapidfuzz",
    "markdown_it",
    "rjieba",
    "numpy",
    "zoneinfo",
    "getpass",
    "readlist.store.index",
    "readlist.store.records",
    "readlist.api.reports",
    "readlist.search",
)


def test_the_everyday_reads_load_nothing_they_do_not_use(big: Path) -> None:
    logins = ("LOGNAME", "USER", "LNAME", "USERNAME", "READLIST_USER")
    env = {k: v for k, v in os.environ.items() if k not in logins} | {"READLIST_DB": str(big), "NO_COLOR": "1"}
    done = subprocess.run(
        [sys.executable, "-c", READ_PATH, *NOT_ON_THE_READ_PATH], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0 and done.stdout, done
    assert done.stderr.strip().splitlines()[-1] == "[]", done.stderr


@pytest.mark.parametrize("ties", [1, 40])
@pytest.mark.parametrize(
    "query",
    [
        "kv cache",
        "量化",
        "attention tag:量化",
        "status:reading gpu",
        "speculativ decodng",
        "low-rank adapter",
        "moe 推理",
    ],
)
def test_a_page_of_search_is_the_top_of_the_whole_ranking(
    lib: Library, monkeypatch: pytest.MonkeyPatch, query: str, ties: int
) -> None:
    """A page scores the first tiers that can fill it in one pass and sorts only their best rows (all of them
    when ties run past): the same rows, in the same order, as ranking every match tier by tier."""
    monkeypatch.setattr(fts, "_TIES", ties)
    everything = lib.search(query, limit=None)
    for size in (1, 20, 45):
        page = lib.search(query, limit=size)
        assert [(i["id"], i["score"]) for i in page.items] == [(i["id"], i["score"]) for i in everything.items][:size]
        assert page.total == everything.total


def test_a_page_of_thousands_of_matches_is_the_top_of_the_whole_ranking(lib: Library) -> None:
    everything = lib.search("vexson", limit=None)  # a word in most synthetic items
    assert everything.total > 2100
    page = lib.search("vexson", limit=2100)  # its scores were rounded in one row of 2,140 columns (at most 2,000)
    assert [i["id"] for i in page.items] == [i["id"] for i in everything.items][:2100]


def test_list_in_a_pipe_reads_a_rows_cells_only_and_prints_the_same(lib: Library) -> None:
    from readlist.term import views

    brief = list(lib.list_stream(brief=True))
    whole = lib.list(full=False)
    assert [views.item_record(i) for i in brief] == [views.item_record(i) for i in whole] and len(brief) == ITEMS
    assert "abstract" not in brief[0] and "authors" not in brief[0]  # what made a piped list cost 3× the floor
    tagged = [views.item_record(i) for i in lib.list_stream(tag="cuda", brief=True)]
    assert tagged == [views.item_record(i) for i in lib.list(tag="cuda", full=False)] != []
