"""The PostgreSQL reader: read.py's SQL through psycopg directly (no SQLAlchemy on the read path, DESIGN §12).

read.py writes portable SQL; `pg.PgConn` spells it for PostgreSQL (placeholders, json_each, group_concat) and
returns rows that read like sqlite3.Row, so one set of queries serves both backends and cannot drift apart.
"""

from __future__ import annotations

from readlist.store.pg import PgConn
from readlist.store.read import SqliteReader


class PgReader(SqliteReader):
    """The Reader over one autocommit psycopg connection: every read sees the latest committed writes."""

    def __init__(self, conn: PgConn) -> None:
        super().__init__(conn)
