"""The labelled query set over the shipped notes: recall@10 and the must-find queries."""

from __future__ import annotations

import sqlite3
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from search_quality import QUERIES, evaluate  # type: ignore[import-not-found]  # noqa: E402

from readlist import db  # noqa: E402

MUST_FIND_ALL = ("kv cache", "量化", "投机解码", "RL")


@pytest.fixture(scope="module")
def notes_library(notes_template: Path) -> sqlite3.Connection:
    return db.connect(notes_template)  # read-only use: the shared import, not a copy


def test_query_set_is_big_enough_and_half_chinese() -> None:
    import json

    queries = [c["query"] for c in json.loads(QUERIES.read_text(encoding="utf-8"))]
    chinese = [q for q in queries if any("\u4e00" <= ch <= "\u9fff" for ch in q)]
    assert len(queries) >= 25 and len(chinese) * 2 >= len(queries) - 1


def test_mean_recall_at_10_meets_the_target(notes_library: sqlite3.Connection) -> None:
    rows = evaluate(notes_library)
    recall = sum(float(r["recall@10"]) for r in rows) / len(rows)
    assert recall >= 0.95, rows


@pytest.mark.parametrize("query", MUST_FIND_ALL)
def test_every_labelled_item_is_found(notes_library: sqlite3.Connection, query: str) -> None:
    row = next(r for r in evaluate(notes_library) if r["query"] == query)
    assert row["all_found"], row["missing"]
