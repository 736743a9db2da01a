"""What a person set is theirs: no fetch, `fetch --all` or import replaces it; `edit --reset` hands it back."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from tests.arxiv_server import ArxivServer
from tests.conftest import Run
from tests.sources_server import SourcesServer


@pytest.mark.usefixtures("backend")
def test_fetch_keeps_the_title_and_abstract_a_person_edited(run: Run, arxiv_server: ArxivServer) -> None:
    arxiv_server.add("2408.11743", title="MARLIN: Mixed-Precision Auto-Regressive Parallel Inference")
    assert run("add", "2408.11743", "--no-fetch").code == 0
    assert run("edit", "1", "--title", "My Marlin title", "--abstract", "mine").code == 0
    for args in (("fetch", "1"), ("fetch", "--all")):
        assert run(*args).code == 0
        item = run("show", "1", "--json").json()
        assert (item["title"], item["abstract"]) == ("My Marlin title", "mine")
        assert item["user_fields"] == ["abstract", "title"]
        assert item["metadata_status"] == "fetched" and item["authors"]  # the rest did come from arXiv


@pytest.mark.usefixtures("backend")
def test_reset_hands_a_field_back_and_the_next_fetch_fills_it(run: Run, arxiv_server: ArxivServer) -> None:
    arxiv_server.add("2408.11743", title="MARLIN: Mixed-Precision Auto-Regressive Parallel Inference")
    assert run("add", "2408.11743", "--title", "Marlin (mine)").code == 0
    assert run("show", "1", "--json").json()["user_fields"] == ["title"]
    assert run("edit", "1", "--abstract", "my summary").code == 0
    arxiv_server.stop()  # offline from here: the source's title was kept when the person's won
    reset = run("edit", "1", "--reset", "title")
    assert reset.code == 0, reset
    assert "title reset" in reset.out and "readlist fetch" not in reset.out  # back at once: nothing to fetch
    item = run("show", "1", "--json").json()
    assert item["user_fields"] == ["abstract"] and item["metadata_status"] == "fetched"
    assert item["title"] == "MARLIN: Mixed-Precision Auto-Regressive Parallel Inference"
    assert item["abstract"] == "my summary"
    assert run("edit", "1", "--reset", "abstract").code == 0
    assert run("show", "1", "--json").json()["abstract"] == "Abstract of 2408.11743."


@pytest.mark.usefixtures("backend")
def test_reset_of_a_field_the_source_filled_changes_nothing(run: Run, arxiv_server: ArxivServer) -> None:
    arxiv_server.add("2408.11743", title="MARLIN: Mixed-Precision Auto-Regressive Parallel Inference")
    assert run("add", "2408.11743").code == 0
    before = run("show", "1", "--json").json()
    reset = run("edit", "1", "--reset", "abstract", "--reset", "title")
    assert reset.code == 0 and "abstract, title already the source's" in reset.out, reset
    assert "updated" not in reset.out and "readlist fetch" not in reset.out
    after = run("show", "1", "--json").json()
    assert (after["title"], after["abstract"], after["metadata_status"]) == (
        before["title"],
        before["abstract"],
        "fetched",
    )


def test_reset_of_an_item_never_fetched_waits_for_the_next_fetch(run: Run, arxiv_server: ArxivServer) -> None:
    arxiv_server.add("2408.11743", title="MARLIN: Mixed-Precision Auto-Regressive Parallel Inference")
    assert run("add", "2408.11743", "--no-fetch", "--title", "Marlin (mine)").code == 0
    reset = run("edit", "1", "--reset", "title")
    assert reset.code == 0 and 'run "readlist fetch 1" to fill title' in reset.out, reset
    item = run("show", "1", "--json").json()
    assert (item["title"], item["metadata_status"]) == ("2408.11743", "pending")
    assert run("fetch").code == 0
    assert run("show", "1", "--json").json()["title"].startswith("MARLIN")


def test_reset_of_a_field_no_source_fills_is_a_one_line_error(run: Run) -> None:
    assert run("add", "2408.11743", "--no-fetch").code == 0
    for args, said in (
        (("--reset", "rating"), "cannot reset rating"),
        (("--title", "x", "--reset", "title"), "both set and reset"),
    ):
        result = run("edit", "1", *args)
        assert result.code != 0 and said in result.err and "hint:" in result.err
        assert "Traceback" not in result.err


def test_importing_a_title_does_not_replace_the_one_a_person_set(run: Run, tmp_path: Path) -> None:
    assert run("add", "2408.11743", "--no-fetch").code == 0
    assert run("edit", "1", "--title", "My Marlin title").code == 0
    assert run("edit", "1", "--reset", "title").code == 0  # back to its stand-in: an import may fill it
    assert run("edit", "1", "--title", "Mine again").code == 0
    line = {
        "key": "arxiv:2408.11743",
        "url": "https://arxiv.org/abs/2408.11743",
        "title": "MARLIN: from a file",
        "abstract": "filled",
        "venue": "ASPLOS",
    }
    exported = tmp_path / "other.jsonl"
    exported.write_text(json.dumps(line) + "\n", encoding="utf-8")
    assert run("import", str(exported)).code == 0
    item = run("show", "1", "--json").json()
    assert item["title"] == "Mine again" and item["abstract"] == "filled" and item["user_fields"] == ["title"]


def test_plain_show_marks_the_fields_a_person_set(run: Run) -> None:
    assert run("add", "2408.11743", "--no-fetch").code == 0
    assert run("edit", "1", "--title", "My Marlin title").code == 0
    shown = run("show", "1")
    assert shown.code == 0 and "yours" in shown.out
    untouched = run("add", "2409.16997", "--no-fetch")
    assert untouched.code == 0 and "yours" not in run("show", "2").out


def test_an_export_keeps_which_fields_are_yours_in_the_library_it_goes_into(run: Run, tmp_path: Path) -> None:
    assert run("add", "2408.11743", "--no-fetch").code == 0
    assert run("edit", "1", "--title", "My Marlin title").code == 0
    dump = tmp_path / "mine.jsonl"
    dump.write_text(run("export", "--format", "jsonl").out, encoding="utf-8")
    other = str(tmp_path / "other.db")
    assert run("--db", other, "import", str(dump)).code == 0
    item = run("--db", other, "show", "1", "--json").json()
    assert item["title"] == "My Marlin title" and item["user_fields"] == ["title"]


@pytest.mark.usefixtures("backend")
def test_a_refresh_from_crossref_keeps_the_venue_a_person_set(run: Run, sources_server: SourcesServer) -> None:
    doi = sources_server.add_crossref("crossref_alphafold.json")
    assert run("add", doi, "--no-fetch").code == 0
    assert run("edit", "1", "--venue", "Nature (my reading group)").code == 0
    assert run("fetch", "--all").code == 0
    item = run("show", "1", "--json").json()
    assert item["venue"] == "Nature (my reading group)" and item["user_fields"] == ["venue"]
    assert item["title"] == "Highly accurate protein structure prediction with AlphaFold"  # the rest came
    assert run("edit", "1", "--reset", "venue").code == 0 and run("fetch").code == 0
    assert run("show", "1", "--json").json()["venue"] == "Nature"


def test_a_title_guessed_from_a_links_text_gives_way_to_the_pages_own(
    run: Run, sources_server: SourcesServer, tmp_path: Path
) -> None:
    url = sources_server.add_page("/blog/fa3", "english_blog.html", "text/html; charset=utf-8")
    notes = tmp_path / "notes.md"
    notes.write_text(f"# Attention\n\n- [FA3 博客]({url}) 讲得很清楚\n", encoding="utf-8")
    assert run("import", str(notes)).code == 0
    assert run("show", "1", "--json").json()["title"] == "FA3 博客"
    assert run("fetch").code == 0
    item = run("show", "1", "--json").json()
    assert item["title"].startswith("FlashAttention-3: Fast and Accurate Attention") and item["user_fields"] == []
    assert run("edit", "1", "--title", "FA3 (mine)").code == 0 and run("fetch", "--all").code == 0
    assert run("show", "1", "--json").json()["title"] == "FA3 (mine)"


def test_one_work_found_twice_keeps_what_a_person_set_on_either_item(
    run: Run, sources_server: SourcesServer, arxiv_server: ArxivServer
) -> None:
    arxiv_server.add("2408.11743", title="MARLIN", authors="Elias Frantar|Dan Alistarh")
    assert run("add", "2408.11743").code == 0
    assert run("edit", "1", "--venue", "our reading group, week 3").code == 0
    doi = sources_server.add_crossref("crossref_marlin.json")  # the published version of the preprint
    assert run("add", doi, "--no-fetch", "--title", "Marlin at PPoPP (mine)").code == 0
    fetched = run("fetch")
    assert fetched.code == 0 and "merged into #1" in fetched.out, fetched
    item = run("show", "1", "--json").json()
    assert (item["title"], item["venue"]) == ("Marlin at PPoPP (mine)", "our reading group, week 3")
    assert item["user_fields"] == ["title", "venue"] and item["work_type"] == "proceedings-article"


def test_a_library_from_before_provenance_claims_no_field_for_the_user(
    tmp_path: Path, run: Run, arxiv_server: ArxivServer
) -> None:
    from readlist.store import db

    path = tmp_path / "old.db"
    db.upgrade(path, "0010")
    conn = sqlite3.connect(path)
    conn.execute(
        "INSERT INTO item (kind, key, arxiv_id, url, title, authors, categories, initial_status, added_at, "
        "metadata_status) VALUES ('paper', 'arxiv:2408.11743', '2408.11743', 'https://arxiv.org/abs/2408.11743',"
        " 'Marlin (typed long ago)', '[]',"
        " '[]', 'unread', '2026-01-01T00:00:00Z', 'pending')"
    )
    conn.commit()
    conn.close()
    assert run("--db", str(path), "show", "1", "--json").json()["user_fields"] == []
    arxiv_server.add("2408.11743", title="MARLIN: Mixed-Precision Auto-Regressive Parallel Inference")
    assert run("--db", str(path), "fetch").code == 0  # unknown origin: the source's record completes it as before
    assert run("--db", str(path), "show", "1", "--json").json()["title"].startswith("MARLIN: Mixed-Precision")


def test_add_with_a_title_names_an_item_already_in_the_list_again(run: Run) -> None:
    assert run("add", "2408.11743", "--no-fetch", "--title", "Mine").code == 0
    again = run("add", "2408.11743", "--no-fetch", "--title", "Marlin, renamed")
    assert again.code == 0 and "merged: title" in again.out, again
    item = run("show", "1", "--json").json()
    assert (item["title"], item["user_fields"]) == ("Marlin, renamed", ["title"])
