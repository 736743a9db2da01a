"""PostgreSQL search keeps its work to the matches (issue 24): the title index and the session settings."""

from __future__ import annotations

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
