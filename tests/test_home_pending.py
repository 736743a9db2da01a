"""The home view counts what `fetch` would complete: every kind of item, with the word for what it counts."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import Run


def test_home_counts_every_item_waiting_for_metadata_as_fetch_does(run: Run) -> None:
    refs = ["2408.11743", "2409.16997", "10.1145/offline.1", "https://github.com/offline/r", "http://127.0.0.1:9/p"]
    assert run("add", "--no-fetch", *refs).code == 0
    home = run(env={"COLUMNS": "100"})
    assert home.code == 0 and "Metadata not fetched yet for 5 items — readlist fetch" in home.out, home.out
    fetched = run("fetch")  # offline: every one stays pending, and says how many
    assert fetched.code == 1 and "fetched 0 of 5 item(s)" in fetched.out, fetched


def test_an_item_with_nothing_to_look_up_is_never_waiting_for_metadata(run: Run, tmp_path: Path) -> None:
    bib = tmp_path / "refs.bib"
    bib.write_text("@book{knuth1984, title={The TeXbook}, author={Knuth, Donald}, year={1984}}\n")
    assert run("import", str(bib)).code == 0  # a book known only by its title: no source to ask
    assert run("add", "--no-fetch", "2408.11743").code == 0
    assert len(run("list", "--json").json()) == 2
    home = run(env={"COLUMNS": "100"})
    assert "Metadata not fetched yet for 1 item — readlist fetch" in home.out, home.out
