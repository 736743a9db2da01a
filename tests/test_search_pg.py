"""PostgreSQL search keeps its work to the matches (issue 24): the title index and the session settings."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from readlist.store import db


def test_title_matches_have_an_index_of_their_own(postgres_library: Any) -> None:
    conn = db.connect(postgres_library)
    try:
        names = {r[0] for r in conn.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'search_index'")}
    finally:
        conn.close()
    assert {"ix_search_index_doc", "ix_search_index_title"} <= names


def test_a_search_connection_never_compiles_its_queries(postgres_library: Any) -> None:
    conn = db.connect(postgres_library)
    try:
        assert conn.execute("SHOW jit").fetchone()[0] == "off"
    finally:
        conn.close()


def test_a_copied_library_is_searched_with_statistics_of_its_search_index(
    postgres_library: Any, tmp_path: Path
) -> None:
    from benchmarks.synth import build
    from readlist.services.transfer import copy

    conn = db.connect(postgres_library)
    try:
        conn.execute("ANALYZE search_index")  # emptied by the fixture: the planner's count is 0
        copy(build(tmp_path / "lib.db", 40), postgres_library)
        counted = conn.execute("SELECT reltuples FROM pg_class WHERE relname = 'search_index'").fetchone()[0]
    finally:
        conn.close()
    assert counted == 40
