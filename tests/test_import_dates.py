"""Dates come from the source: an imported `read` row without a read date is read at an unknown time, which
is shown as unknown and stays out of the weekly digest and the reading pace."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import Run

POCKET_LIKE = (
    "title,url,time_added,tags,status\n"
    "Old archive,https://example.com/old-archive,1714521600,systems,archive\n"  # 2024-05-01, read: when unknown
    "Still unread,https://example.com/unread,1714521600,systems,unread\n"
)
ZOTERO_LIKE = (
    "Key,Item Type,Title,Url,Date Added,Status,Date Read\n"
    "AB12,webpage,A post read in June,https://example.com/june,2024-05-01 10:00:00,read,2024-06-02\n"
    "CD34,webpage,A post read sometime,https://example.com/sometime,2024-05-01 10:00:00,read,\n"
)


@pytest.mark.usefixtures("backend")
def test_an_imported_read_row_without_a_read_date_is_not_read_this_week(run: Run, tmp_path: Path) -> None:
    export = tmp_path / "pocket.csv"
    export.write_text(POCKET_LIKE, encoding="utf-8")
    assert run("import", str(export)).code == 0
    items = {i["title"]: i for i in run("list", "--json").json()}
    archived = items["Old archive"]
    assert archived["status"] == "read" and archived["finished_at"] is None
    assert archived["added_at"].startswith("2024-05-01")
    assert "unknown" in run("show", str(archived["id"])).out
    digest = run("digest", "--since", "7d")
    assert digest.code == 0 and "Old archive" not in digest.out
    assert run("stats", "--json").json()["read_per_week"] == 0


def test_a_read_date_column_is_the_finish_date(run: Run, tmp_path: Path) -> None:
    export = tmp_path / "zotero.csv"
    export.write_text(ZOTERO_LIKE, encoding="utf-8")
    assert run("import", str(export)).code == 0
    items = {i["title"]: i for i in run("list", "--json").json()}
    assert items["A post read in June"]["finished_at"].startswith("2024-06-02")
    assert items["A post read sometime"]["finished_at"] is None
    months = {m["month"]: m["read"] for m in run("stats", "--json").json()["per_month"]}
    assert months.get("2024-06") == 1 and sum(months.values()) == 1
