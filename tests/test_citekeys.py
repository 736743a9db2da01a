"""Citation keys a person can rely on: made once, never changed after an export, never `_` or a bare number."""

from __future__ import annotations

import json
import re
from pathlib import Path

from tests.arxiv_server import ArxivServer
from tests.conftest import Run

ENTRY = re.compile(r"^@\w+\{([^,]*),", re.M)


def _keys(bib: str) -> list[str]:
    return ENTRY.findall(bib)


def test_a_key_exported_before_the_metadata_came_stays_after_fetch(run: Run, arxiv_server: ArxivServer) -> None:
    arxiv_server.add("2408.11743", title="Synthetic data at scale", authors="Ada Lovelace", published="2024-08-21")
    run("add", "2408.11743", "--no-fetch")
    before = _keys(run("export", "--format", "bibtex").out)
    assert len(before) == 1 and re.search("[a-z]", before[0]), before  # not a bare number such as 117432024
    assert run("fetch", "--all").code == 0
    assert run("show", "1", "--json").json()["title"] == "Synthetic data at scale"
    assert _keys(run("export", "--format", "bibtex").out) == before
    assert run("show", before[0], "--json").json()["id"] == 1
    assert run("show", "1", "--json").json()["citation_key"] == before[0]


def test_an_item_never_exported_gets_its_key_from_the_metadata(run: Run, arxiv_server: ArxivServer) -> None:
    arxiv_server.add("2408.11743", title="Synthetic data at scale", authors="Ada Lovelace", published="2024-08-21")
    run("add", "2408.11743", "--no-fetch")
    run("fetch", "--all")
    assert _keys(run("export", "--format", "bibtex").out) == ["lovelace2024synthetic"]


def test_an_imported_key_that_is_punctuation_or_a_number_is_replaced(run: Run, tmp_path: Path) -> None:
    bib = tmp_path / "refs.bib"
    bib.write_text(
        "@misc{_,\n  title = {Ring attention},\n  author = {Liu, Hao},\n  year = {2023}\n}\n\n"
        "@misc{2024,\n  title = {Paged attention},\n  author = {Kwon, Woosuk},\n  year = {2023}\n}\n\n"
        "@misc{dao2022flash,\n  title = {FlashAttention},\n  author = {Dao, Tri},\n  year = {2022}\n}\n",
        encoding="utf-8",
    )
    assert run("import", str(bib)).code == 0
    keys = {r["title"]: r["citation_key"] for r in map(json.loads, run("export").out.splitlines())}
    assert keys["FlashAttention"] == "dao2022flash"  # a usable key a reference manager gave is kept
    for title in ("Ring attention", "Paged attention"):
        key = keys[title]
        assert key and re.match(r"^[a-z]", key) and key not in ("_", "2024"), keys
        assert run("show", key, "--json").json()["title"] == title
    assert sorted(_keys(run("export", "--format", "bibtex").out)) == sorted(keys.values())


def test_a_key_made_for_a_filtered_export_is_not_another_items_key(run: Run, tmp_path: Path) -> None:
    bib = tmp_path / "refs.bib"
    bib.write_text("@misc{ring,\n  title = {Other work},\n  author = {Liu, Hao},\n  year = {2023}\n}\n", "utf-8")
    run("import", str(bib))
    run("add", "https://example.com/ring", "--title", "Ring attention", "--tag", "mine", "--no-fetch")
    keys = _keys(run("export", "--format", "bibtex", "--tag", "mine").out)
    assert len(keys) == 1 and keys[0] != "ring"
    assert run("show", keys[0], "--json").json()["title"] == "Ring attention"
    assert _keys(run("export", "--format", "bibtex", "--tag", "mine").out) == keys


def test_an_entry_whose_title_was_edited_merges_into_the_item_it_made(run: Run, tmp_path: Path) -> None:
    bib = tmp_path / "refs.bib"
    entries = (
        "@book{knuth1984, title={The TeXbook}, author={Knuth, Donald}, year={1984}}\n"
        "@article{smith2020, title={A Study of Things}, author={Smith, Ann}, year={2020}}\n"
        "@misc{lee2021a, title={First Title Of Lee}, year={2021}}\n"
    )
    bib.write_text(entries)
    assert run("import", str(bib)).code == 0
    # Edited in the reference manager: a new title (the only identity such an entry had) for the same key; a
    # second entry that reuses a key the first still holds; a key whose year changed is another work.
    edited = entries.replace("The TeXbook", "The TeXbook, Volume A").replace(
        "A Study of Things}, author={Smith, Ann}, year={2020}", "Another Study}, author={Smith, Ann}, year={2023}"
    )
    bib.write_text(edited + "@misc{lee2021a, title={A Brand New Paper By Lee}, year={2021}}\n")
    again = run("import", str(bib))
    assert again.code == 0 and "title" in again.out, again.out  # the edited title is reported, not lost
    titles = sorted(i["title"] for i in run("list", "--json").json())
    assert titles == [
        "A Brand New Paper By Lee",
        "A Study of Things",
        "Another Study",
        "First Title Of Lee",
        "The TeXbook",
    ]


def test_another_files_entry_with_a_known_key_is_another_work(run: Run, tmp_path: Path) -> None:
    mine, theirs = tmp_path / "mine.bib", tmp_path / "colleague.bib"
    mine.write_text("@misc{smith2020, title={Notes on Systolic Arrays}, author={Smith, John}, year={2020}}\n")
    theirs.write_text("@article{smith2020, title={Deep Residual Routing}, author={Smith, Alice}, year={2020}}\n")
    assert run("import", str(mine)).code == 0 and run("import", str(theirs)).code == 0
    assert sorted(i["title"] for i in run("list", "--json").json()) == [
        "Deep Residual Routing",
        "Notes on Systolic Arrays",
    ]
