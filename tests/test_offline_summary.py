"""Offline, `fetch` says so in one short line: how many sources it could not reach, and the first few."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import Run


def test_offline_fetch_counts_many_unreachable_hosts_and_names_a_few(run: Run) -> None:
    pages = [f"http://127.0.0.{n}:9/post" for n in range(2, 22)]  # 20 hosts, every one refusing
    assert run("add", "--no-fetch", *pages, "10.1145/offline.1").code == 0
    result = run("fetch")
    assert result.code == 1 and "Traceback" not in result.err, result
    (warning,) = [line for line in result.err.splitlines() if line.startswith("warning")]
    assert "cannot reach 21 sources (" in warning and "and 17 more" in warning, warning
    assert sum(f"127.0.0.{n}" in warning for n in range(2, 22)) <= 4 and len(warning) < 260, warning


def test_an_item_with_nothing_to_look_up_is_skipped_not_a_failed_fetch(run: Run, tmp_path: Path) -> None:
    bib = tmp_path / "book.bib"
    bib.write_text("@book{b1, title={A Book Without Ids}, author={Knuth, Donald}, year={1968}}\n", encoding="utf-8")
    assert run("import", str(bib)).code == 0
    alone = run("fetch")
    assert alone.code == 0 and "1 item(s) have no identifier to look up" in alone.out, alone
    assert "request(s)" not in alone.out and "nothing was fetched" not in alone.err and not alone.err, alone
    assert run("add", "--no-fetch", "http://127.0.0.2:9/post").code == 0
    offline = run("fetch")
    assert offline.code == 1 and "fetched 0 of 1 item(s)" in offline.out, offline
    assert offline.out.count("no identifier to look up") == 1
    assert "no source knows about" not in offline.err and not any(
        line.rstrip().endswith((":", ";")) for line in offline.err.splitlines()
    ), offline
