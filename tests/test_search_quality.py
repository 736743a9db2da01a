"""The labelled query set over the shipped notes: nDCG@10 and success@k meet their targets."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from search_quality import KNOWN_ITEM_TYPES, QUERIES, evaluate, summary  # type: ignore[import-not-found]  # noqa: E402

from readlist.store import db  # noqa: E402


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def results(request: pytest.FixtureRequest, notes_template: Path) -> list[dict[str, object]]:
    """The query set on both backends: PostgreSQL searches a `db copy` of the same import with its own index."""
    if request.param == "postgresql":
        from readlist.services.transfer import copy
        from tests.conftest import empty_postgres

        url = request.getfixturevalue("postgres_database")
        empty_postgres(url)
        copy(notes_template, url)
        conn = db.connect(url)
    else:
        conn = db.connect(notes_template)  # read-only use: the shared import, not a copy
    rows: list[dict[str, object]] = evaluate(conn)
    conn.close()
    return rows


def test_query_set_is_big_graded_half_chinese_and_covers_every_kind_of_query() -> None:
    cases = json.loads(QUERIES.read_text(encoding="utf-8"))
    chinese = [c for c in cases if re.search("[\u4e00-\u9fff]", c["query"])]
    assert len(cases) >= 60 and len(chinese) * 2 >= len(cases)
    assert {c["type"] for c in cases} == {"topic", *KNOWN_ITEM_TYPES}
    assert all(set(c["relevant"].values()) <= {1, 2} and 2 in c["relevant"].values() for c in cases)


def test_known_items_are_always_in_the_top_five(results: list[dict[str, object]]) -> None:
    missed = [r["query"] for r in results if r["type"] in KNOWN_ITEM_TYPES and not r["success@5"]]
    assert missed == []


def test_mean_ndcg_at_10_meets_the_target(results: list[dict[str, object]]) -> None:
    assert summary(results)["all"]["ndcg@10"] >= 0.9, summary(results)
