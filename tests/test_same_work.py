"""One work, one item: a preprint and its published version become one item in either order, whether the second
arrives through `add` (after the lookup) or through `fetch` (added offline, completed later)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from readlist.services.add import add_items
from readlist.store import db
from readlist.store.read import get_item
from readlist.store.write import Store
from tests.arxiv_server import ArxivServer, paper
from tests.conftest import Run
from tests.sources_server import SourcesServer


@pytest.fixture
def lib(isolated_library: Path) -> Store:
    return Store(isolated_library)


def items(lib: Store) -> list[tuple[Any, ...]]:
    rows = db.connect(lib.path).execute("SELECT id, key, doi, arxiv_id FROM item ORDER BY id").fetchall()
    return [tuple(row) for row in rows]


def test_arxiv_id_added_after_a_doi_whose_crossref_record_names_it_joins_that_item(
    lib: Store, sources_server: SourcesServer, arxiv_server: ArxivServer
) -> None:
    doi = sources_server.add_crossref("crossref_marlin.json")  # relation has-preprint 10.48550/arXiv.2408.11743
    add_items(lib, [doi], tags=["ppopp"])
    arxiv_server.papers["2408.11743"] = paper("2408.11743", title="MARLIN", authors="Elias Frantar|Dan Alistarh")
    report = add_items(lib, ["https://arxiv.org/abs/2408.11743v2"], tags=["quant"])
    assert report.item_ids == [1] and "already in your list as #1" in report.lines[0], report.lines
    assert items(lib) == [(1, f"doi:{doi}", doi, "2408.11743")]
    got = get_item(db.connect(lib.path), "2408.11743")
    assert (got["venue"] or "").startswith("Proceedings of the 30th ACM SIGPLAN") and sorted(got["tags"]) == [
        "ppopp",
        "quant",
    ]


def test_fetch_folds_a_doi_added_offline_into_its_preprint(
    lib: Store, run: Run, sources_server: SourcesServer, arxiv_server: ArxivServer
) -> None:
    arxiv_server.papers["2408.11743"] = paper("2408.11743", title="MARLIN", authors="Elias Frantar|Dan Alistarh")
    add_items(lib, ["2408.11743"], tags=["quant"])
    doi = sources_server.add_crossref("crossref_marlin.json")
    assert add_items(lib, [doi], tags=["ppopp"], fetch=False).item_ids == [2]  # offline: nothing tells them apart
    fetched = run("fetch")
    assert fetched.code == 0 and "#2 doi:10.1145/3710848.3710871: the same work as #1: merged into #1" in fetched.out
    assert items(lib) == [(1, "arxiv:2408.11743", doi, "2408.11743")]
    got = get_item(db.connect(lib.path), "1")
    assert (got["year"], got["work_type"]) == (2025, "proceedings-article") and got[
        "citation_key"
    ] == "frantar2024marlin"
    assert sorted(got["tags"]) == ["ppopp", "quant"]


def test_fetch_folds_an_arxiv_paper_added_offline_into_its_published_version(
    lib: Store, run: Run, sources_server: SourcesServer, arxiv_server: ArxivServer
) -> None:
    doi = sources_server.add_crossref("crossref_vllm.json")
    add_items(lib, [doi], tags=["sosp"], note="read §4 first")
    arxiv_server.papers["2309.06180"] = paper("2309.06180", authors="Woosuk Kwon", doi=doi)
    add_items(lib, ["2309.06180"], tags=["paged"], fetch=False)
    fetched = run("fetch")
    assert fetched.code == 0 and "#2 2309.06180: the same work as #1: merged into #1" in fetched.out, fetched
    assert items(lib) == [(1, f"doi:{doi}", doi, "2309.06180")]
    got = get_item(db.connect(lib.path), "2309.06180")
    assert got["venue"] == "Proceedings of the 29th Symposium on Operating Systems Principles"
    assert sorted(got["tags"]) == ["paged", "sosp"] and [n["body"] for n in got["notes"]] == ["read §4 first"]
